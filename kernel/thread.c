/* thread.c — thread control blocks: the static table, context reset, notifications. */
#include "keel/clock.h"
#include "keel/kstring.h"
#include "keel/sched.h"
#include "keel/thread.h"
#include "system_tables.h"

struct thread threads[SYS_NR_THREADS];
const unsigned thread_count = SYS_NR_THREADS;

struct thread *thread_get(unsigned id)
{
	return id < SYS_NR_THREADS ? &threads[id] : NULL;
}

void thread_reset_context(struct thread *t)
{
	memset(&t->ctx, 0, sizeof(t->ctx));
	memset(&t->fp, 0, sizeof(t->fp));
	t->ctx.elr = t->start;
	t->ctx.spsr = 0; /* EL0t, AArch64, D/A/I/F unmasked */
	t->ctx.sp_el0 = t->stack_top;
	t->ctx.x[0] = t->entry; /* crt0's _start calls it */
	t->notify_pending = 0;
	t->wait_mask = 0;
}

void thread_notify(struct thread *to, uint64_t bits)
{
	to->notify_pending |= bits;
	/*
	 * A wait whose deadline has passed times out first, as if its timer had fired: the
	 * scheduler leaves timeouts of threads that cannot preempt the running one unprogrammed
	 * (kernel/sched.c), so such a timeout may still be queued.
	 */
	if (to->state == THREAD_WAITING && to->in_timeouts && to->deadline <= clock_now_ticks()) {
		to->ctx.x[0] = KERR_TIMEOUT;
		to->ctx.x[1] = 0;
		sched_wake(to);
		return;
	}
	if (to->state == THREAD_WAITING && (to->notify_pending & to->wait_mask)) {
		uint64_t got = to->notify_pending & to->wait_mask;

		to->notify_pending &= ~got;
		to->ctx.x[0] = KERR_OK;
		to->ctx.x[1] = got;
		sched_wake(to);
	}
}
