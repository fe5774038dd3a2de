/* sched.c — fixed-priority preemptive scheduler: O(1) ready queues, a deadline-ordered timeout queue. */
#include "keel/clock.h"
#include "keel/latency.h"
#include "keel/panic.h"
#include "keel/power.h"
#include "keel/printk.h"
#include "keel/runq.h"
#include "keel/sched.h"
#include "arch_entry.h"
#include "cmsis_aarch64.h"
#include "fpsimd.h"
#include "system_tables.h"

/*
 * One CPU for now: threads bound to other CPUs by the description are scheduled on CPU 0
 * until secondary cores are brought up (partitioned SMP, DESIGN.md §2).
 */
static struct runq runq;
static struct runq_link links[SYS_NR_THREADS];
static struct thread *current;
static struct thread *fp_owner;		    /* whose FP/SIMD state the registers hold */
static const struct space *active_space;    /* TTBR0 of this CPU */
static unsigned timeout_head = THREAD_NONE; /* timeout queue, earliest deadline first */
static bool rotate_current;		    /* the current thread's time slice ran out */

static void program_timer(void);

void sched_init(void)
{
	_Static_assert(SYS_NR_THREADS < RUNQ_NONE, "thread indices fit the ready-queue links");
	runq_init(&runq, links, thread_count);
	current = NULL;
	fp_owner = NULL;
	active_space = NULL;
	timeout_head = THREAD_NONE;
}

struct thread *sched_current(void)
{
	return current;
}

void sched_make_ready(struct thread *t)
{
	t->state = THREAD_READY;
	runq_push_tail(&runq, (runq_tid_t)t->id, t->prio);
}

/* ---- timeout queue: sorted insertion, bounded by the number of threads ---- */

static void timeout_insert(struct thread *t, uint64_t deadline)
{
	unsigned *link = &timeout_head;

	t->deadline = deadline;
	while (*link != THREAD_NONE && threads[*link].deadline <= deadline)
		link = &threads[*link].timeout_next;
	t->timeout_next = *link;
	*link = t->id;
	t->in_timeouts = true;
}

static void timeout_remove(struct thread *t)
{
	unsigned *link = &timeout_head;

	if (!t->in_timeouts)
		return;
	while (*link != t->id)
		link = &threads[*link].timeout_next;
	*link = t->timeout_next;
	t->in_timeouts = false;
}

void sched_remove(struct thread *t)
{
	runq_remove(&runq, (runq_tid_t)t->id);
	timeout_remove(t);
	if (t == current)
		current = NULL;
	if (t == fp_owner)
		fp_owner = NULL; /* its registers are stale now; nothing to save */
}

void sched_yield_current(void)
{
	if (current) {
		sched_make_ready(current);
		current = NULL;
	}
}

void sched_block_current(enum thread_state state, uint64_t deadline_ticks)
{
	struct thread *t = current;

	BUG_ON(!t);
	t->state = state;
	if (deadline_ticks)
		timeout_insert(t, deadline_ticks);
	current = NULL;
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
	(void)ctx;
	(void)deadline;
	while (timeout_head != THREAD_NONE && threads[timeout_head].deadline <= now) {
		struct thread *t = &threads[timeout_head];

		timeout_head = t->timeout_next;
		t->in_timeouts = false;
		/* A timed-out wait returns KERR_TIMEOUT; a finished sleep returns OK. */
		t->ctx.x[0] = t->state == THREAD_WAITING ? KERR_TIMEOUT : KERR_OK;
		t->ctx.x[1] = 0;
		sched_make_ready(t);
	}
	if (current && current->slice_ticks && now >= current->slice_end)
		rotate_current = true;
	program_timer();
}

static void program_timer(void)
{
	uint64_t next = UINT64_MAX;

	if (timeout_head != THREAD_NONE)
		next = threads[timeout_head].deadline;
	if (current && current->slice_ticks && current->slice_end < next)
		next = current->slice_end;
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
	power_off(0);
}

static void switch_to(struct thread *t)
{
	current = t;
	t->state = THREAD_RUNNING;
	if (t->slice_ticks)
		t->slice_end = clock_now_ticks() + t->slice_ticks;
	if (active_space != t->space) {
		space_activate(t->space);
		active_space = t->space;
	}
	if (fp_owner != t) {
		if (fp_owner)
			fpsimd_save(&fp_owner->fp);
		fpsimd_load(&t->fp);
		fp_owner = t;
	}
	program_timer();
}

struct trap_frame *sched_resume(void)
{
	for (;;) {
		int top = runq_top_priority(&runq);

		if (current && current->state == THREAD_RUNNING) {
			if (rotate_current && top == (int)current->prio) {
				/* Round robin: the slice is over and another thread of this priority waits. */
				sched_make_ready(current);
				current = NULL;
			} else if (top > (int)current->prio) {
				/* Preempted: it keeps its place at the head of its priority (SCHED_FIFO). */
				current->state = THREAD_READY;
				runq_push_head(&runq, (runq_tid_t)current->id, current->prio);
				current = NULL;
			} else {
				if (rotate_current &&
				    current->slice_ticks) /* alone at its priority: new slice */
					current->slice_end = clock_now_ticks() + current->slice_ticks;
				rotate_current = false;
				program_timer();
				return &current->ctx;
			}
		}
		rotate_current = false;
		if (top >= 0) {
			struct thread *t = &threads[runq_peek(&runq)];
			runq_remove(&runq, (runq_tid_t)t->id);
			switch_to(t);
			return &t->ctx;
		}
		if (!can_ever_run())
			system_finished();
		/* Idle: wait for an interrupt to make a thread ready (the timer or a device). */
		latency_idle();
		__enable_irq();
		__WFI();
		__disable_irq();
	}
}

void sched_start(void)
{
	arch_enter_user(sched_resume());
}
