/* runq.h — per-CPU ready queues: one FIFO per priority and a bitmap, O(1) selection. */
#ifndef KEEL_RUNQ_H
#define KEEL_RUNQ_H

#include <stdbool.h>
#include <stdint.h>

#define RUNQ_PRIORITIES 64U /* 0 lowest .. 63 highest */
#define RUNQ_NONE	0xFFFFU

typedef uint16_t runq_tid_t; /* thread index; RUNQ_NONE means none */

/* Queue links of one thread, kept in an array indexed by thread. */
struct runq_link {
	runq_tid_t next;
	runq_tid_t prev;
	uint8_t prio;
	bool queued;
} __attribute__((aligned(8))); /* 8 bytes: found by a shift, not a multiplication by 6 */

/*
 * The hand-off slot @first: a thread readied when nothing of its priority or above is queued
 * goes there instead of into its FIFO, and the pop that picks its priority takes it from there.
 * On the idle wake-up (a timeout readies one thread on an idle CPU) the thread goes straight to
 * the switch without the FIFO's linking and unlinking (docs/interrupts-and-time.md, "A thread's
 * wake-up path"). Invariant (runq_check): the thread in @first, of priority @first_prio, is in
 * no FIFO, is ahead of every queued thread of its priority, and its bit is set in @bitmap.
 * Threads of a higher priority may be queued after it (they go to their FIFOs: the push stays
 * a leaf). The slot is invisible to users of this interface: every operation orders threads
 * exactly as the FIFOs alone did.
 */
struct runq {
	uint64_t bitmap;  /* bit p set <=> queue p is not empty, or @first has priority p */
	runq_tid_t first; /* the hand-off slot; RUNQ_NONE when empty */
	uint8_t first_prio;
	runq_tid_t head[RUNQ_PRIORITIES];
	runq_tid_t tail[RUNQ_PRIORITIES];
	struct runq_link *links;
};

void runq_init(struct runq *q, struct runq_link *links, unsigned nthreads);
/* @t into the free hand-off slot, at @prio (its bit says the priority is not empty). */
static inline void runq_slot_take(struct runq *q, runq_tid_t t, unsigned prio)
{
	q->first = t;
	q->first_prio = (uint8_t)prio;
	q->bitmap |= 1ULL << prio;
}
/* The invariant above and the FIFOs' links and bits hold (tests and debug checks). */
bool runq_check(const struct runq *q);
/*
 * Append @t at priority @prio (a thread that yields or wakes goes last in its priority).
 * Inline: the timer IRQ's wake-up path calls it with IRQs masked, and as a leaf
 * timeouts_expire() needs no stack frame. Nothing queued at @prio or above and the slot free:
 * @t goes to the hand-off slot.
 */
static inline void runq_push_tail(struct runq *q, runq_tid_t t, unsigned prio)
{
	struct runq_link *l;

	if (!(q->bitmap >> prio) && q->first == RUNQ_NONE) {
		runq_slot_take(q, t, prio);
		return;
	}
	l = &q->links[t];
	l->prio = (uint8_t)prio;
	l->queued = true;
	l->next = RUNQ_NONE;
	l->prev = q->tail[prio];
	if (q->tail[prio] != RUNQ_NONE)
		q->links[q->tail[prio]].next = t;
	else
		q->head[prio] = t;
	q->tail[prio] = t;
	q->bitmap |= 1ULL << prio;
}
void runq_push_head_fifo(struct runq *q, runq_tid_t t, unsigned prio);
/*
 * Put @t first at @prio (a preempted thread keeps its place, as SCHED_FIFO requires). With the
 * hand-off slot free, @t goes there, whatever is queued: the slot's thread is ahead of every
 * queued thread of its priority by definition, and threads of other priorities may be queued
 * around it. The preemption of a thread by a wake-up (sched_resume) pops the woken thread first,
 * usually from the slot, so the preempted thread takes the slot with three stores and is popped
 * from it when the woken thread blocks: no FIFO links on either side (as a call, with the FIFO,
 * ~30 instructions of every such switch). Inline for that reason.
 */
static inline void runq_push_head(struct runq *q, runq_tid_t t, unsigned prio)
{
	if (q->first == RUNQ_NONE) {
		runq_slot_take(q, t, prio);
		return;
	}
	runq_push_head_fifo(q, t, prio);
}
void runq_remove(struct runq *q, runq_tid_t t);
/* Highest-priority queued thread, first in its FIFO; RUNQ_NONE if all queues are empty. */
runq_tid_t runq_peek(const struct runq *q);
/*
 * runq_peek and runq_remove in one: take the thread runq_peek names off its queue. The head of
 * the top queue has no predecessor, so only its successor's link changes (runq_peek +
 * runq_remove cost ~50 instructions of every switch); inline, as every switch takes one.
 */
static inline runq_tid_t runq_pop(struct runq *q)
{
	unsigned prio;
	runq_tid_t t, next;

	if (!q->bitmap)
		return RUNQ_NONE;
	prio = 63U - (unsigned)__builtin_clzll(q->bitmap);
	t = q->first;
	if (t != RUNQ_NONE && q->first_prio == prio) { /* the hand-off: no FIFO to unlink from */
		q->first = RUNQ_NONE;
		if (q->head[prio] == RUNQ_NONE)
			q->bitmap &= ~(1ULL << prio);
		return t;
	}
	t = q->head[prio];
	next = q->links[t].next;
	q->head[prio] = next;
	if (next != RUNQ_NONE) {
		q->links[next].prev = RUNQ_NONE;
	} else {
		q->tail[prio] = RUNQ_NONE;
		q->bitmap &= ~(1ULL << prio);
	}
	q->links[t].queued = false;
	q->links[t].next = RUNQ_NONE;
	return t;
}
/* Priority of the highest non-empty queue; -1 if none. Inline: every scheduling pass asks. */
static inline int runq_top_priority(const struct runq *q)
{
	/* The highest set bit: one CLZ instruction on AArch64. */
	return q->bitmap ? 63 - __builtin_clzll(q->bitmap) : -1;
}

#endif
