/* sched.c — fixed-priority preemptive scheduler, one per CPU: O(1) ready queues, a deadline-ordered timeout queue. */
#include "arch_entry.h"
#include "cmsis_aarch64.h"
#include "fpsimd.h"
#include "mmu.h"
#include "keel/clock.h"
#include "keel/irq.h"
#include "keel/latency.h"
#include "keel/panic.h"
#include "keel/power.h"
#include "keel/printk.h"
#include "keel/runq.h"
#include "keel/sched.h"
#include "keel/smp.h"
#include "keel/trap.h"
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
	bool fp_el0_allowed;		  /* CPACR_EL1.FPEN lets EL0 use them (else they trap) */
	const struct space *active_space; /* this CPU's TTBR0 */
	unsigned timeout_head;		  /* timeout queue, earliest deadline first */
	uint64_t timeout_prios;		  /* bit p: a thread of priority p is in the timeout queue */
	uint8_t timeout_prio_count[RUNQ_PRIORITIES]; /* how many */
	uint64_t timer_at;	 /* the deadline program_timer() armed; UINT64_MAX none, 0 not known */
	bool rotate_current;	 /* the current thread's time slice ran out */
	unsigned long switches;	 /* threads switched to, for the final report */
} __attribute__((aligned(512))); /* a power of two for small systems: found by a shift */

static struct sched_cpu cpus[CONFIG_NR_CPUS];

static struct sched_cpu *this_cpu(void)
{
	return &cpus[cpu_id()];
}

static struct sched_cpu *cpu_of(const struct thread *t)
{
	return &cpus[t->cpu];
}

/* The thread running on @c (its current one while not blocked or stopped), or NULL. */
static inline struct thread *running_thread(const struct sched_cpu *c)
{
	return c->current && c->current->state == THREAD_RUNNING ? c->current : NULL;
}

static void program_timer(struct sched_cpu *c);
static inline void timeouts_expire(struct sched_cpu *c, uint64_t now);
static void timeouts_expire_call(struct sched_cpu *c, uint64_t now);

/*
 * A higher-priority timeout this close after the one being handled is waited for and handled
 * in the same IRQ: its own IRQ would arrive while this one's kernel path still runs (IRQs
 * masked), and be taken only after it, costing that thread the rest of this path plus a whole
 * IRQ entry and exit (docs/interrupts-and-time.md, "A thread's wake-up path"). The wait is
 * bounded by this constant, spent with IRQs masked, and cut short by any other pending IRQ.
 * 10 us covers the rest of a wake-up path on QEMU virt (~600 instructions); 5 us did not. With
 * the shorter path of branch wakepath2, 5 us gave the same idle maximum but moved the loads'
 * both ways; without merging the idle maximum was ~280 higher (docs/interrupts-and-time.md).
 */
#define TIMER_MERGE_NS 10000U

static uint64_t timer_merge_ticks;

void sched_init(void)
{
	timer_merge_ticks = clock_ns_to_ticks(TIMER_MERGE_NS, clock_freq_hz());
	_Static_assert(SYS_NR_THREADS < RUNQ_NONE, "thread indices fit the ready-queue links");
	for (unsigned c = 0; c < CONFIG_NR_CPUS; c++) {
		runq_init(&cpus[c].runq, cpus[c].links, thread_count);
		cpus[c].current = NULL;
		cpus[c].fp_owner = NULL;
		cpus[c].fp_el0_allowed = true; /* el0_setup() sets FPEN = 0b11 on every CPU */
		cpus[c].active_space = NULL;
		cpus[c].timeout_head = THREAD_NONE;
		cpus[c].timeout_prios = 0;
		cpus[c].timer_at = 0; /* whatever boot left armed: the first program_timer() sets it */
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
	if (t->cpu != cpu_id()) /* the common case, a thread of this CPU, needs no kick */
		smp_kick(t->cpu);
}

/* No thread running on @c, or one below @prio whose slice is not over. */
static inline bool lower_and_not_rotating(const struct sched_cpu *c, unsigned prio)
{
	const struct thread *cur = running_thread(c);

	return !cur || (cur->prio < prio && !c->rotate_current);
}

/* ---- timeout queue: sorted insertion, bounded by the number of threads ---- */

/*
 * The priorities in the queue, kept as counts and a bitmap, let program_timer() see in O(1)
 * that no timeout can preempt the running thread (always so for the highest-priority thread,
 * the one whose latency matters most) instead of walking the whole queue with IRQs masked.
 */
static void timeout_prio_add(struct sched_cpu *c, unsigned prio)
{
	c->timeout_prio_count[prio]++;
	c->timeout_prios |= 1ULL << prio;
}

static void timeout_prio_del(struct sched_cpu *c, unsigned prio)
{
	if (--c->timeout_prio_count[prio] == 0)
		c->timeout_prios &= ~(1ULL << prio);
}

static void timeout_insert(struct thread *t, uint64_t deadline)
{
	unsigned *link = &cpu_of(t)->timeout_head;

	t->deadline = deadline;
	/*
	 * Equal deadlines: higher priority first (equal priorities in insertion order). The timer
	 * callback readies the head and leaves passed timeouts that cannot run before the thread
	 * that will run: with two threads due at the same tick, only the higher one is readied in
	 * the IRQ (docs/interrupts-and-time.md, sixth round).
	 */
	while (*link != THREAD_NONE &&
	       (threads[*link].deadline < deadline ||
		(threads[*link].deadline == deadline && threads[*link].prio >= t->prio)))
		link = &threads[*link].timeout_next;
	t->timeout_next = *link;
	*link = t->id;
	t->in_timeouts = true;
	timeout_prio_add(cpu_of(t), t->prio);
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
	timeout_prio_del(cpu_of(t), t->prio);
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

/*
 * Ready the passed timeouts at the head of @c's queue, if any: those left unprogrammed or unreadied
 * while the running thread ran (see program_timer and timer_more), when it leaves the CPU.
 */
static inline __attribute__((always_inline)) void expire_passed(struct sched_cpu *c)
{
	if (c->timeout_head != THREAD_NONE) {
		uint64_t now = clock_now_ticks();

		if (threads[c->timeout_head].deadline <= now)
			timeouts_expire_call(c, now);
	}
}

void sched_yield_current(void)
{
	struct sched_cpu *c = this_cpu();

	if (c->current) {
		/*
		 * Passed timeouts left unreadied while this thread ran go ahead of it: one of its own
		 * priority is then the thread it yields to.
		 */
		expire_passed(c);
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
	/*
	 * Passed timeouts are readied now rather than by an IRQ right after the next thread starts.
	 * Other ways of leaving the CPU (exit, fault, a stop) get that IRQ: program_timer() arms the
	 * first that can preempt the next thread, or the head when the CPU idles, and a passed
	 * deadline fires at once; it is correct, only later.
	 */
	expire_passed(c);
}

void sched_wake(struct thread *t)
{
	timeout_remove(t);
	sched_make_ready(t);
}

/*
 * ---- the timer: the next timeout that could preempt the running thread, or the end of its
 * slice while that matters (slice_matters()), whichever is first. Programmed once per kernel
 * exit (sched_resume) and before idling, not after every queue change: each programming costs
 * a clock_call_at_ticks().
 */

/*
 * @t's timeout passed: unlink it at @link in @c's timeout queue and ready it on @c, this CPU's
 * (every thread in @c's timeout queue runs on @c's CPU, so sched_make_ready() without its kick
 * test). Inline: with the ready queue's
 * hand-off slot (runq.h) the usual push is a few stores, and as a call it gave the timer
 * callback a stack frame (out of line it saved ~16 when the push always linked a FIFO).
 */
static inline __attribute__((always_inline)) void timeout_passed(struct sched_cpu *c, unsigned *link,
								 struct thread *t)
{
	unsigned prio = t->prio;

	*link = t->timeout_next;
	t->in_timeouts = false;
	timeout_prio_del(c, prio);
	/* A timed-out wait returns KERR_TIMEOUT; a finished sleep returns OK. */
	t->ctx.x[0] = t->state == THREAD_WAITING ? KERR_TIMEOUT : KERR_OK;
	t->ctx.x[1] = 0;
	t->state = THREAD_READY;
	t->slice_left = 0; /* as sched_make_ready() */
	runq_push_tail(&c->runq, (runq_tid_t)t->id, prio);
}

/* Ready every thread at the head of @c's timeout queue whose deadline has passed. */
static inline __attribute__((always_inline)) void timeouts_expire(struct sched_cpu *c, uint64_t now)
{
	unsigned head;

	while ((head = c->timeout_head) != THREAD_NONE && threads[head].deadline <= now)
		timeout_passed(c, &c->timeout_head, &threads[head]);
}

/*
 * timeouts_expire() out of line, for the callers that are not leaves anyway (the merge wait,
 * a thread that blocks): inlined there, its registers gave them larger frames, and the merged
 * thread's wait after its deadline grew by ~90 instructions.
 */
static __attribute__((noinline)) void timeouts_expire_call(struct sched_cpu *c, uint64_t now)
{
	timeouts_expire(c, now);
}

/*
 * The priority a timeout must beat to run before the thread that will run: the ready threads'
 * and the running one's; one less for a running thread whose slice is over, which goes behind
 * the threads of its priority (so those must be readied for the round robin to see them).
 */
static int busy_priority(const struct sched_cpu *c)
{
	int top = runq_top_priority(&c->runq);
	const struct thread *cur = running_thread(c);

	if (cur) {
		int p = (int)cur->prio - (c->rotate_current ? 1 : 0);

		if (p > top)
			top = p;
	}
	return top;
}

/* The priority of a running thread whose slice is over (it goes to its FIFO's tail), else -1. */
static int rotating_priority(const struct sched_cpu *c)
{
	const struct thread *cur = running_thread(c);

	return c->rotate_current && cur ? (int)cur->prio : -1;
}

/*
 * Does a passed timeout of @prio go ahead of the thread that will run? Above @busy, or of the
 * @rotating thread's priority whatever else of it is ready: that thread goes to its FIFO's tail,
 * and a timeout that passed before must be ahead of it there, as with every timeout readied.
 */
static inline bool runs_first(int prio, int busy, int rotating)
{
	return prio > busy || prio == rotating;
}

/*
 * The passed timeout at @link: readied if it runs first (the bar rises to it), else left in the
 * queue, where sched_block_current() and program_timer() see it. Returns the link to go on from.
 */
static inline __attribute__((always_inline)) unsigned *
ready_if_first(struct sched_cpu *c, unsigned *link, struct thread *t, int *busy, int rotating)
{
	if (!runs_first((int)t->prio, *busy, rotating))
		return &t->timeout_next;
	if ((int)t->prio > *busy)
		*busy = (int)t->prio;
	timeout_passed(c, link, t);
	return link;
}

/*
 * Does @cur's time slice matter: is another thread of its priority ready, or in the timeout
 * queue? Alone at its priority, a thread runs on without an alarm per slice, whose IRQ only
 * delayed other work (on another CPU too: the kernel lock). A thread of its priority readied
 * later finds the slice over at once if it ended meanwhile: every readying reaches
 * program_timer() on the thread's CPU (the exit, or the kick from another CPU).
 */
static inline bool slice_matters(const struct sched_cpu *c, const struct thread *cur)
{
	return ((c->runq.bitmap | c->timeout_prios) >> cur->prio) & 1U;
}

/* The end of the running thread's time slice, seen at @now. */
static inline void slice_check(struct sched_cpu *c, uint64_t now)
{
	const struct thread *cur = c->current;

	if (cur && cur->slice_ticks && now >= cur->slice_end && slice_matters(c, cur))
		c->rotate_current = true;
}

/*
 * The merge wait: the timeout at @link is due within TIMER_MERGE_NS of @now and its thread can
 * run before the thread that will run (priority above @busy). Its own IRQ would arrive while
 * this kernel path still runs, and cost its thread this path plus a whole IRQ
 * (docs/interrupts-and-time.md, "A thread's wake-up path"), so it is waited for and readied here,
 * and so are the next ones of the same kind. The wait is bounded by the constant, spent with IRQs
 * masked, and cut short by any other pending IRQ. Out of line and called last (a tail call):
 * its calls and loop would give timer_more() a stack frame.
 */
static __attribute__((noinline)) void timer_merge(struct sched_cpu *c, uint64_t now, unsigned *link, int busy,
						  int rotating)
{
	unsigned i;

	while ((i = *link) != THREAD_NONE) {
		struct thread *t = &threads[i];

		if (t->deadline > now) {
			if (t->deadline - now > timer_merge_ticks ||
			    !runs_first((int)t->prio, busy, rotating))
				break;
			while (now < t->deadline && !irq_pending_here())
				now = clock_now_ticks();
			if (now < t->deadline)
				break; /* another IRQ is waiting: take it, the timer takes this timeout */
		}
		link = ready_if_first(c, link, t, &busy, rotating);
	}
}

/*
 * The rest of timer_fired() when another timeout has passed or is due within TIMER_MERGE_NS of
 * @now, in deadline order. A passed timeout is readied only if its thread can run before the
 * thread that will run (busy_priority), which rises with each one readied: the others (e.g. a
 * lower-priority thread due at the same tick as the one just readied) stay in the queue, where
 * sched_block_current() readies them when the running thread blocks, and program_timer() arms
 * them whenever they could preempt the thread it runs (a passed deadline fires at once). The walk
 * passes only passed timeouts (at most one per thread, as before). A leaf: the usual case, a
 * lower-priority timeout due at the same tick as the one just readied, is left without a stack
 * frame; a near timeout that can run first goes to the merge wait (a tail call).
 */
static __attribute__((noinline)) void timer_more(struct sched_cpu *c, uint64_t now)
{
	unsigned *link = &c->timeout_head;
	unsigned i;
	int busy, rotating;

	slice_check(c, now); /* first: a thread whose slice is over lets its priority's in */
	busy = busy_priority(c);
	rotating = rotating_priority(c);
	while ((i = *link) != THREAD_NONE && threads[i].deadline <= now)
		link = ready_if_first(c, link, &threads[i], &busy, rotating);
	if (i != THREAD_NONE && threads[i].deadline - now <= timer_merge_ticks &&
	    runs_first((int)threads[i].prio, busy, rotating))
		return timer_merge(c, now, link, busy, rotating);
}

static void timer_fired(void *ctx, uint64_t deadline, uint64_t now)
{
	struct sched_cpu *c = this_cpu();
	unsigned head;

	(void)ctx;
	(void)deadline;
	c->timer_at = UINT64_MAX; /* the clock disarmed the alarm before calling */
	head = c->timeout_head;
	/*
	 * The head is readied without asking whether it can run first: it usually is the timeout
	 * the alarm was armed for (or, idle, any), and of equal deadlines the highest priority
	 * (timeout_insert). Readying a thread that then waits is never wrong, only work: the
	 * question costs every wake-up, and is asked for the rest in timer_more().
	 */
	if (head != THREAD_NONE && threads[head].deadline <= now) {
		unsigned prio = threads[head].prio;

		timeout_passed(c, &c->timeout_head, &threads[head]);
		head = c->timeout_head;
		/*
		 * No timeout left of a priority above the one just readied, and no thread running
		 * here (an idle wake-up) or one of a lower priority whose slice is not over: none of
		 * them can run first (busy_priority() is at least the readied priority,
		 * rotating_priority() is -1), so timer_more() would only walk them. Its slice test
		 * does not matter either: the readied thread preempts the running one, and the switch
		 * keeps what is left of its slice (switch_preempting()). The case of two measurement
		 * threads due at one tick: ~45 instructions of the first one's wake-up from idle, ~70
		 * of one that preempts a load.
		 */
		if (c->timeout_prios >> prio >> 1 == 0 && lower_and_not_rotating(c, prio))
			return;
	}
	if (head == THREAD_NONE || threads[head].deadline > now + timer_merge_ticks)
		return slice_check(c, now);
	return timer_more(c, now); /* a tail call: timer_fired() needs no stack frame */
}

#ifdef CONFIG_DEBUG_CHECKS
/*
 * Debug builds check the callback's promise: every timeout passed at @now whose thread could
 * run before the thread that will run has been readied (else the alarm program_timer() arms
 * for it would fire at once, again and again).
 */
static void timer_fired_checked(void *ctx, uint64_t deadline, uint64_t now)
{
	const struct sched_cpu *c = this_cpu();
	int busy, rotating;

	timer_fired(ctx, deadline, now);
	busy = busy_priority(c);
	rotating = rotating_priority(c);
	for (unsigned i = c->timeout_head; i != THREAD_NONE && threads[i].deadline <= now;
	     i = threads[i].timeout_next)
		if (runs_first((int)threads[i].prio, busy, rotating))
			panic("timer callback: thread '%s' passed its deadline and could run first, "
			      "but was not readied",
			      threads[i].name);
}

/*
 * Debug builds check what program_timer() armed with a walk of their own: nothing that can
 * preempt the thread about to run (any timeout when the CPU idles) is due before the alarm, so
 * no passed timeout is ever left unreadied and unarmed. The mirror @c->timer_at is checked against
 * the clock's alarm, and that against the timer's registers (clock_alarm_checked).
 */
static void alarm_check(const struct sched_cpu *c)
{
	const struct thread *cur = c->current, *run = running_thread(c);
	int prio = run ? (int)run->prio : -1;
	uint64_t armed = clock_alarm_checked();

	if (armed != c->timer_at)
		panic("program_timer: the alarm is armed for %llu, the scheduler's mirror says %llu",
		      (unsigned long long)armed, (unsigned long long)c->timer_at);

	for (unsigned i = c->timeout_head; i != THREAD_NONE; i = threads[i].timeout_next)
		if ((int)threads[i].prio > prio && threads[i].deadline < c->timer_at)
			panic("%s: thread '%s' can preempt and is due before the armed alarm",
			      cur ? "program_timer" : "idle", threads[i].name);
}
#define TIMER_CALLBACK timer_fired_checked
#else
#define TIMER_CALLBACK timer_fired
static inline void alarm_check(const struct sched_cpu *c)
{
	(void)c;
}
#endif

/*
 * Timeouts of threads that cannot preempt the one about to run are left unprogrammed: they
 * could not run before it blocks anyway, and their IRQ would only delay it. When it blocks,
 * the next program_timer() sees them (a passed deadline fires at once). The priority bitmap
 * answers "none can" at once; otherwise the walk stops at the first that can (bounded by the
 * number of threads, like timeout_insert()). The scheduler is the alarm's only user once
 * threads run, so @c->timer_at mirrors what is armed: an unchanged deadline, or nothing armed
 * and nothing to arm (an idle wake-up of the highest-priority thread), costs no clock call.
 */
static void program_timer(struct sched_cpu *c)
{
	const struct thread *cur = c->current;
	uint64_t next = UINT64_MAX;
	unsigned i = c->timeout_head;

	if (cur && cur->state == THREAD_RUNNING) {
		unsigned prio = cur->prio;

		if (c->timeout_prios >> prio >> 1 == 0)
			i = THREAD_NONE; /* no timeout of a higher priority: none can preempt */
		while (i != THREAD_NONE && threads[i].prio <= prio)
			i = threads[i].timeout_next;
	}
	if (i != THREAD_NONE)
		next = threads[i].deadline;
	if (cur && cur->slice_ticks && cur->slice_end < next && slice_matters(c, cur))
		next = cur->slice_end;
	if (next != c->timer_at) {
		c->timer_at = next;
		if (next == UINT64_MAX)
			clock_cancel();
		else
			clock_call_at_ticks(next, TIMER_CALLBACK, NULL);
	}
	alarm_check(c);
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
#ifdef CONFIG_TEST_ENTRY_STOPS
	syscall_report_entry_stops();
#endif
	power_off(0);
}

static inline __attribute__((always_inline)) void switch_to(struct sched_cpu *c, struct thread *t)
{
	c->current = t;
	c->switches++;
	t->state = THREAD_RUNNING;
	if (t->slice_ticks) /* a preempted thread finishes its slice, else it gets a new one */
		t->slice_end = clock_now_ticks() + (t->slice_left ? t->slice_left : t->slice_ticks);
	t->slice_left = 0;
	/*
	 * Every switch_to() is followed by the eret into @t with no access to user memory on the
	 * way (sched_resume's callers return to user mode at once), so the eret synchronises the
	 * TTBR0 write (mmu.h): space_activate()'s ISB, and its call, are not needed here.
	 */
	if (c->active_space != t->space) {
		mmu_ttbr0_set_before_eret(t->space->root_pa, t->space->asid);
		c->active_space = t->space;
	}
	/*
	 * Lazy FP/SIMD: the registers are switched only when a thread uses them
	 * (sched_fpsimd_trap). Most wake-ups (a measurement thread, a driver) never touch them,
	 * and saving and loading 528 bytes was ~45 instructions of every switch.
	 */
	if ((c->fp_owner == t) != c->fp_el0_allowed) {
		c->fp_el0_allowed = c->fp_owner == t;
		fpsimd_el0_access(c->fp_el0_allowed);
	}
}

bool sched_fpsimd_trap(void)
{
	struct sched_cpu *c = this_cpu();
	struct thread *t = c->current;

	if (!t || c->fp_owner == t)
		return false; /* not a lazy-restore trap: report it as a fault */
	if (c->fp_owner)
		fpsimd_save(&c->fp_owner->fp);
	fpsimd_load(&t->fp);
	c->fp_owner = t;
	c->fp_el0_allowed = true;
	fpsimd_el0_access(true);
	return true; /* the instruction runs again, with its registers */
}

/*
 * @cur is preempted by the top ready thread (of a higher priority): switch to that one at once.
 * @cur keeps its place at the head of its priority (SCHED_FIFO) and the rest of its slice, so
 * that preemption more often than the slice cannot stop the rotation within its priority. The
 * woken thread is popped before @cur is queued (the pop takes the top priority, above @cur's, so
 * the order does not change what runs): the pop empties the hand-off slot, usually the woken
 * thread's, and runq_push_head() puts @cur there without FIFO links. Going round the loop of
 * sched_resume() instead (queue @cur, look at the queues again, pop) cost ~30 instructions of
 * every wake-up that preempts a thread (docs/interrupts-and-time.md, fifth round).
 */
static inline __attribute__((always_inline)) struct trap_frame *switch_preempting(struct sched_cpu *c,
										  struct thread *cur)
{
	struct thread *t = &threads[runq_pop(&c->runq)];

	if (cur->slice_ticks) {
		uint64_t now = clock_now_ticks();

		cur->slice_left = cur->slice_end > now ? cur->slice_end - now : 1;
	}
	cur->state = THREAD_READY;
	runq_push_head(&c->runq, (runq_tid_t)cur->id, cur->prio);
	c->rotate_current = false;
	switch_to(c, t);
	program_timer(c);
	return &t->ctx;
}

/* Run the top ready thread (there is one): the way out of every branch that switches. */
static inline __attribute__((always_inline)) struct trap_frame *switch_to_top(struct sched_cpu *c)
{
	struct thread *t = &threads[runq_pop(&c->runq)];

	c->rotate_current = false;
	switch_to(c, t);
	program_timer(c);
	return &t->ctx;
}

/* sched_resume() in general: time slices, the idle loop; until a thread is there to run. */
static __attribute__((noinline)) struct trap_frame *sched_resume_loop(struct sched_cpu *c)
{
	for (;;) {
		int top = runq_top_priority(&c->runq);
		struct thread *cur = c->current;

		if (cur && cur->state == THREAD_RUNNING) {
			if (c->rotate_current && top == (int)cur->prio) {
				/* Round robin: the slice is over and another thread of this priority waits. */
				sched_make_ready(cur);
				c->current = NULL;
			} else if (top > (int)cur->prio) {
				return switch_preempting(c, cur);
			} else {
				/* None of its priority ready (one may sleep): a new slice */
				if (c->rotate_current && cur->slice_ticks)
					cur->slice_end = clock_now_ticks() + cur->slice_ticks;
				c->rotate_current = false;
				program_timer(c);
				return &cur->ctx;
			}
		}
		if (top >= 0)
			return switch_to_top(c);
		c->rotate_current = false;
		/* A queued timeout will ready its thread: no need to look at every thread. */
		if (c->timeout_head == THREAD_NONE && !can_ever_run())
			system_finished();
		/*
		 * Idle: let the other CPUs in and wait for an interrupt (timer, device or a kick
		 * from another CPU). WFI with IRQs masked: an IRQ that became pending after the
		 * checks above ends it all the same (a wake-up event whatever PSTATE.I says).
		 * IRQs stay masked: the IRQ is handled right here (irq_take_pending), without an
		 * exception entry and return, and the loop looks at the ready queue again.
		 */
		program_timer(c);
		latency_idle();
		kernel_unlock();
		__WFI();
		kernel_lock();
		latency_open(KINFO_LAT_IDLE); /* latency_idle() closed the stretch: no test */
		irq_take_pending();
		/*
		 * The idle wake-up, straight to the switch: no thread is running here (the checks at
		 * the top of the loop are about one), so the top ready thread runs; usually the one
		 * the timer just put into the ready queue's hand-off slot (runq.h).
		 */
		if (runq_top_priority(&c->runq) >= 0)
			return switch_to_top(c);
	}
}

/*
 * The thread to run next on this CPU, at every exit to user mode. The two common cases without a
 * time slice to rotate come first and stay small: the running thread continues (most system
 * calls), or a higher-priority thread readied during this entry preempts it (a wake-up landing
 * in another thread's user code or system call). Everything else goes round the loop. As one
 * function the loop's registers gave every exit a frame of six register pairs (~15 instructions).
 */
struct trap_frame *sched_resume(void)
{
	struct sched_cpu *c = this_cpu();
	struct thread *cur = c->current;

	/* A stop another CPU asked for (rare): applied here, on the current thread already loaded. */
	if (cur && cur->pending_stop != THREAD_PENDING_NONE) {
		sched_apply_pending();
		cur = c->current;
	}
	if (cur && cur->state == THREAD_RUNNING && !c->rotate_current) {
		if (runq_top_priority(&c->runq) > (int)cur->prio)
			return switch_preempting(c, cur);
		program_timer(c);
		return &cur->ctx;
	}
	return sched_resume_loop(c);
}

/* @t, found in CPU @cpu's ready queue at @prio: ready, of that CPU and priority. */
static bool queued_right(unsigned t, unsigned cpu, unsigned prio)
{
	return t < thread_count && threads[t].state == THREAD_READY && threads[t].cpu == cpu &&
	       threads[t].prio == prio;
}

/*
 * Each CPU's timeout queue: its own CPU's threads, each flagged, earliest deadline first and of
 * equal deadlines the higher priority first (the timer callback relies on it), and the priority
 * counts and bitmap match what is queued.
 */
static const char *timeouts_check(void)
{
	unsigned flagged = 0, linked = 0;

	for (unsigned i = 0; i < thread_count; i++)
		flagged += threads[i].in_timeouts;
	for (unsigned c = 0; c < CONFIG_NR_CPUS; c++) {
		const struct sched_cpu *sc = &cpus[c];
		const struct thread *prev = NULL;
		unsigned here = 0, counted = 0;
		uint64_t bits = sc->timeout_prios;

		for (unsigned i = sc->timeout_head; i != THREAD_NONE; i = threads[i].timeout_next) {
			const struct thread *t = &threads[i];

			if (i >= thread_count || !t->in_timeouts || t->cpu != c || ++here > thread_count)
				return "a timeout queue holds a thread not flagged, or of another CPU";
			if (prev && (prev->deadline > t->deadline ||
				     (prev->deadline == t->deadline && prev->prio < t->prio)))
				return "a timeout queue is not in deadline order, higher priority first";
			if (!(bits & (1ULL << t->prio)))
				return "a timeout queue's priority bitmap misses a queued priority";
			prev = t;
		}
		/* Each priority's count is what is queued at it, and together they are all. */
		while (bits) {
			unsigned p = 63U - (unsigned)__builtin_clzll(bits), n = 0;

			bits &= ~(1ULL << p);
			for (unsigned i = sc->timeout_head; i != THREAD_NONE; i = threads[i].timeout_next)
				n += threads[i].prio == p;
			if (n == 0 || n != sc->timeout_prio_count[p])
				return "a timeout queue's priority counts or bitmap";
			counted += n;
		}
		if (counted != here)
			return "a timeout queue's priority counts or bitmap";
		linked += here;
	}
	if (flagged != linked)
		return "a thread flagged in a timeout queue is not in it";
	return NULL;
}

/*
 * The scheduler's invariant (debug builds check it after every system call): each ready thread
 * is queued exactly once, in its own CPU's ready queue (a FIFO or the hand-off slot) at its own
 * priority, and nothing else is queued; each running thread is its CPU's current one. Every
 * queued thread is checked to be ready, and the ready threads are counted: equal counts leave
 * no ready thread unqueued. Linear in the queued and all threads (~250 instructions for ten).
 */
const char *sched_check(void)
{
	unsigned queued = 0, ready = 0;

	for (unsigned c = 0; c < CONFIG_NR_CPUS; c++) {
		const struct runq *q = &cpus[c].runq;
		const struct thread *cur = cpus[c].current;
		uint64_t bits = q->bitmap;

		if (!runq_check(q))
			return "a ready queue's links, bits or hand-off slot";
		if (cur && (cur->cpu != c || cur->state != THREAD_RUNNING))
			return "a CPU's current thread is not running there";
		if (q->first != RUNQ_NONE) {
			if (!queued_right(q->first, c, q->first_prio))
				return "the hand-off slot holds a thread not ready, or of another CPU or "
				       "priority";
			queued++;
		}
		while (bits) {
			unsigned p = 63U - (unsigned)__builtin_clzll(bits);

			bits &= ~(1ULL << p);
			for (runq_tid_t t = q->head[p]; t != RUNQ_NONE; t = q->links[t].next, queued++)
				if (!queued_right(t, c, p))
					return "a ready queue holds a thread not ready, or of another CPU or "
					       "priority";
		}
	}
	for (unsigned i = 0; i < thread_count; i++) {
		ready += threads[i].state == THREAD_READY;
		if (threads[i].state == THREAD_RUNNING && cpu_of(&threads[i])->current != &threads[i])
			return "a running thread that is not its CPU's current one";
	}
	if (ready != queued)
		return "a ready thread that is not in its ready queue";
	{
		const char *err = timeouts_check();

		if (err)
			return err;
	}
	/*
	 * switch_to() writes TTBR0 only when the space changes (active_space mirrors it) and
	 * without space_activate(): the register must hold what the mirror says.
	 */
	{
		const struct space *s = this_cpu()->active_space;

		if (s && mmu_ttbr0_get() != mmu_ttbr0_value(s->root_pa, s->asid))
			return "this CPU's TTBR0 is not its active space's tables and ASID";
	}
	return NULL;
}

void sched_start(void)
{
	struct trap_frame *tf = sched_resume();

	kernel_unlock();
	arch_enter_user(tf);
}
