/* sched.c — fixed-priority preemptive scheduler, one per CPU: O(1) ready queues, a deadline-ordered timeout queue. */
#include "arch_entry.h"
#include "cmsis_aarch64.h"
#include "fpsimd.h"
#include "keel/clock.h"
#include "keel/latency.h"
#include "keel/panic.h"
#include "keel/power.h"
#include "keel/printk.h"
#include "keel/runq.h"
#include "keel/sched.h"
#include "keel/smp.h"
#include "system_tables.h"

/*
 * Partitioned SMP (DESIGN.md §2): every thread is bound to one CPU and only that CPU runs it,
 * so each CPU has its own queues, its own timer and its own idea of the current thread. The
 * kernel lock (smp.h) serialises all kernel entries, so another CPU may change these queues
 * (wake a thread, restart it) and then kicks the owner with an SGI.
 */
struct sched_cpu {
	struct runq runq;
	struct runq_link links[SYS_NR_THREADS];
	struct thread *current;
	struct thread *fp_owner;	  /* whose FP/SIMD state this CPU's registers hold */
	const struct space *active_space; /* this CPU's TTBR0 */
	unsigned timeout_head;		  /* timeout queue, earliest deadline first */
	bool rotate_current;		  /* the current thread's time slice ran out */
	unsigned long switches;		  /* threads switched to, for the final report */
};

static struct sched_cpu cpus[CONFIG_NR_CPUS];

static struct sched_cpu *this_cpu(void)
{
	return &cpus[cpu_id()];
}

static struct sched_cpu *cpu_of(const struct thread *t)
{
	return &cpus[t->cpu];
}

static void program_timer(void);

void sched_init(void)
{
	_Static_assert(SYS_NR_THREADS < RUNQ_NONE, "thread indices fit the ready-queue links");
	for (unsigned c = 0; c < CONFIG_NR_CPUS; c++) {
		runq_init(&cpus[c].runq, cpus[c].links, thread_count);
		cpus[c].current = NULL;
		cpus[c].fp_owner = NULL;
		cpus[c].active_space = NULL;
		cpus[c].timeout_head = THREAD_NONE;
		cpus[c].rotate_current = false;
	}
}

struct thread *sched_current(void)
{
	return this_cpu()->current;
}

void sched_make_ready(struct thread *t)
{
	t->state = THREAD_READY;
	t->slice_left = 0; /* at the tail of its priority: a full slice when it runs */
	runq_push_tail(&cpu_of(t)->runq, (runq_tid_t)t->id, t->prio);
	smp_kick(t->cpu);
}

/* ---- timeout queue: sorted insertion, bounded by the number of threads ---- */

static void timeout_insert(struct thread *t, uint64_t deadline)
{
	unsigned *link = &cpu_of(t)->timeout_head;

	t->deadline = deadline;
	while (*link != THREAD_NONE && threads[*link].deadline <= deadline)
		link = &threads[*link].timeout_next;
	t->timeout_next = *link;
	*link = t->id;
	t->in_timeouts = true;
}

static void timeout_remove(struct thread *t)
{
	unsigned *link = &cpu_of(t)->timeout_head;

	if (!t->in_timeouts)
		return;
	while (*link != t->id)
		link = &threads[*link].timeout_next;
	*link = t->timeout_next;
	t->in_timeouts = false;
}

void sched_remove(struct thread *t)
{
	struct sched_cpu *c = cpu_of(t);

	runq_remove(&c->runq, (runq_tid_t)t->id);
	timeout_remove(t);
	if (t == c->current)
		c->current = NULL;
	if (t == c->fp_owner)
		c->fp_owner = NULL; /* its registers are stale now; nothing to save */
}

/*
 * Stop (and with @restart, reset and start again) a thread that may be running on another CPU
 * right now: then its registers are live there, so that CPU does it at its next kernel entry,
 * which the kick makes immediate.
 */
void sched_stop_thread(struct thread *t, bool restart)
{
	if (t->state == THREAD_RUNNING && t->cpu != cpu_id()) {
		t->pending_stop = restart ? THREAD_PENDING_RESTART : THREAD_PENDING_SUSPEND;
		smp_kick(t->cpu);
		return;
	}
	sched_remove(t);
	if (restart) {
		thread_reset_context(t);
		t->restarts++;
		sched_make_ready(t);
	} else {
		t->state = THREAD_SUSPENDED;
	}
}

void sched_apply_pending(void)
{
	struct thread *t = this_cpu()->current;

	if (t && t->pending_stop != THREAD_PENDING_NONE) {
		bool restart = t->pending_stop == THREAD_PENDING_RESTART;

		t->pending_stop = THREAD_PENDING_NONE;
		sched_stop_thread(t, restart);
	}
}

void sched_yield_current(void)
{
	struct sched_cpu *c = this_cpu();

	if (c->current) {
		sched_make_ready(c->current);
		c->current = NULL;
	}
}

void sched_block_current(enum thread_state state, uint64_t deadline_ticks)
{
	struct sched_cpu *c = this_cpu();
	struct thread *t = c->current;

	BUG_ON(!t);
	t->state = state;
	if (deadline_ticks)
		timeout_insert(t, deadline_ticks);
	c->current = NULL;
	program_timer();
}

void sched_wake(struct thread *t)
{
	timeout_remove(t);
	sched_make_ready(t);
	program_timer();
}

/* ---- the timer: next timeout or the end of the running thread's slice, whichever is first ---- */

static void timer_fired(void *ctx, uint64_t deadline, uint64_t now)
{
	struct sched_cpu *c = this_cpu();

	(void)ctx;
	(void)deadline;
	while (c->timeout_head != THREAD_NONE && threads[c->timeout_head].deadline <= now) {
		struct thread *t = &threads[c->timeout_head];

		c->timeout_head = t->timeout_next;
		t->in_timeouts = false;
		/* A timed-out wait returns KERR_TIMEOUT; a finished sleep returns OK. */
		t->ctx.x[0] = t->state == THREAD_WAITING ? KERR_TIMEOUT : KERR_OK;
		t->ctx.x[1] = 0;
		sched_make_ready(t);
	}
	if (c->current && c->current->slice_ticks && now >= c->current->slice_end)
		c->rotate_current = true;
	program_timer();
}

static void program_timer(void)
{
	struct sched_cpu *c = this_cpu();
	uint64_t next = UINT64_MAX;

	if (c->timeout_head != THREAD_NONE)
		next = threads[c->timeout_head].deadline;
	if (c->current && c->current->slice_ticks && c->current->slice_end < next)
		next = c->current->slice_end;
	if (next == UINT64_MAX)
		clock_cancel();
	else
		clock_call_at_ticks(next, timer_fired, NULL);
}

/* ---- choosing and switching ---- */

static bool can_ever_run(void)
{
	for (unsigned i = 0; i < thread_count; i++) {
		switch (threads[i].state) {
		case THREAD_READY:
		case THREAD_RUNNING:
		case THREAD_SLEEPING:
		case THREAD_WAITING_IRQ: return true;
		case THREAD_WAITING:
			if (threads[i].in_timeouts)
				return true;
			break;
		default: break;
		}
	}
	return false;
}

static void system_finished(void)
{
	unsigned exited = 0, stuck = 0;

	for (unsigned i = 0; i < thread_count; i++) {
		if (threads[i].state == THREAD_EXITED) {
			exited++;
		} else {
			stuck++;
			printk("Keel: thread '%s' can never run again (state %u)\n", threads[i].name,
			       (unsigned)threads[i].state);
		}
	}
	printk("Keel: no thread can run any more: %u exited, %u stopped or waiting forever\n", exited, stuck);
	for (unsigned c = 0; c < CONFIG_NR_CPUS; c++)
		if (smp_cpu_online(c))
			printk("Keel: CPU %u switched threads %lu times\n", c, cpus[c].switches);
	power_off(0);
}

static void switch_to(struct sched_cpu *c, struct thread *t)
{
	c->current = t;
	c->switches++;
	t->state = THREAD_RUNNING;
	if (t->slice_ticks) /* a preempted thread finishes its slice, else it gets a new one */
		t->slice_end = clock_now_ticks() + (t->slice_left ? t->slice_left : t->slice_ticks);
	t->slice_left = 0;
	if (c->active_space != t->space) {
		space_activate(t->space);
		c->active_space = t->space;
	}
	if (c->fp_owner != t) {
		if (c->fp_owner)
			fpsimd_save(&c->fp_owner->fp);
		fpsimd_load(&t->fp);
		c->fp_owner = t;
	}
	program_timer();
}

struct trap_frame *sched_resume(void)
{
	struct sched_cpu *c = this_cpu();

	for (;;) {
		int top = runq_top_priority(&c->runq);
		struct thread *cur = c->current;

		if (cur && cur->state == THREAD_RUNNING) {
			if (c->rotate_current && top == (int)cur->prio) {
				/* Round robin: the slice is over and another thread of this priority waits. */
				sched_make_ready(cur);
				c->current = NULL;
			} else if (top > (int)cur->prio) {
				/*
				 * Preempted: it keeps its place at the head of its priority (SCHED_FIFO)
				 * and the rest of its slice, so that preemption more often than the
				 * slice cannot stop the rotation within its priority.
				 */
				if (cur->slice_ticks) {
					uint64_t now = clock_now_ticks();

					cur->slice_left = cur->slice_end > now ? cur->slice_end - now : 1;
				}
				cur->state = THREAD_READY;
				runq_push_head(&c->runq, (runq_tid_t)cur->id, cur->prio);
				c->current = NULL;
			} else {
				if (c->rotate_current &&
				    cur->slice_ticks) /* alone at its priority: new slice */
					cur->slice_end = clock_now_ticks() + cur->slice_ticks;
				c->rotate_current = false;
				program_timer();
				return &cur->ctx;
			}
		}
		c->rotate_current = false;
		if (top >= 0) {
			struct thread *t = &threads[runq_peek(&c->runq)];
			runq_remove(&c->runq, (runq_tid_t)t->id);
			switch_to(c, t);
			return &t->ctx;
		}
		if (!can_ever_run())
			system_finished();
		/*
		 * Idle: let the other CPUs in and wait for an interrupt (timer, device or a kick
		 * from another CPU). WFI with IRQs still masked: an IRQ that became pending after
		 * the checks above ends it all the same (a wake-up event whatever PSTATE.I says),
		 * and is taken in the short unmasked window after. Unmasking first would take that
		 * IRQ before the WFI, which would then sleep past the thread it made ready (with no
		 * timer left armed, forever).
		 */
		latency_idle();
		kernel_unlock();
		__WFI();
		__enable_irq();
		__ISB();
		__disable_irq();
		kernel_lock();
	}
}

void sched_start(void)
{
	struct trap_frame *tf = sched_resume();

	kernel_unlock();
	arch_enter_user(tf);
}
