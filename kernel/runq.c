/* runq.c — ready queues: a bitmap of non-empty priorities and a doubly linked FIFO per priority. */
#include "keel/runq.h"

void runq_init(struct runq *q, struct runq_link *links, unsigned nthreads)
{
	q->bitmap = 0;
	q->first = RUNQ_NONE;
	q->first_prio = 0;
	q->links = links;
	for (unsigned p = 0; p < RUNQ_PRIORITIES; p++)
		q->head[p] = q->tail[p] = RUNQ_NONE;
	for (unsigned t = 0; t < nthreads; t++)
		links[t] = (struct runq_link){RUNQ_NONE, RUNQ_NONE, 0, false};
}

static inline __attribute__((always_inline)) void fifo_push_head(struct runq *q, runq_tid_t t, unsigned prio)
{
	struct runq_link *l = &q->links[t];

	l->prio = (uint8_t)prio;
	l->queued = true;
	l->prev = RUNQ_NONE;
	l->next = q->head[prio];
	if (q->head[prio] != RUNQ_NONE)
		q->links[q->head[prio]].prev = t;
	else
		q->tail[prio] = t;
	q->head[prio] = t;
	q->bitmap |= 1ULL << prio;
}

/*
 * runq_push_head() with the hand-off slot taken: @t goes ahead of the hand-off thread too if its
 * priority is the same: that one moves to the head of its FIFO first (it was ahead of every
 * thread there).
 */
void runq_push_head_fifo(struct runq *q, runq_tid_t t, unsigned prio)
{
	if (q->first != RUNQ_NONE && prio == q->first_prio) {
		fifo_push_head(q, q->first, prio);
		q->first = RUNQ_NONE;
	}
	fifo_push_head(q, t, prio);
}

void runq_remove(struct runq *q, runq_tid_t t)
{
	struct runq_link *l = &q->links[t];
	unsigned prio = l->prio;

	if (q->first == t) {
		prio = q->first_prio;
		q->first = RUNQ_NONE;
		if (q->head[prio] == RUNQ_NONE)
			q->bitmap &= ~(1ULL << prio);
		return;
	}
	if (!l->queued)
		return;
	if (l->prev != RUNQ_NONE)
		q->links[l->prev].next = l->next;
	else
		q->head[prio] = l->next;
	if (l->next != RUNQ_NONE)
		q->links[l->next].prev = l->prev;
	else
		q->tail[prio] = l->prev;
	if (q->head[prio] == RUNQ_NONE && (q->first == RUNQ_NONE || q->first_prio != prio))
		q->bitmap &= ~(1ULL << prio); /* the hand-off thread keeps its priority's bit */
	l->queued = false;
	l->next = l->prev = RUNQ_NONE;
}

runq_tid_t runq_peek(const struct runq *q)
{
	int p = runq_top_priority(q);

	if (p < 0)
		return RUNQ_NONE;
	return q->first != RUNQ_NONE && q->first_prio == p ? q->first : q->head[p];
}

/*
 * Walks the non-empty priorities only (their bits), so that debug builds can afford it after
 * every system call; a FIFO head left at an empty priority is not seen.
 */
bool runq_check(const struct runq *q)
{
	uint64_t bits = q->bitmap;

	if (q->first != RUNQ_NONE && (q->links[q->first].queued || !(bits >> q->first_prio & 1)))
		return false;
	while (bits) {
		unsigned p = 63U - (unsigned)__builtin_clzll(bits);
		runq_tid_t prev = RUNQ_NONE, t = q->head[p];

		bits &= ~(1ULL << p);
		for (; t != RUNQ_NONE; prev = t, t = q->links[t].next)
			if (!q->links[t].queued || q->links[t].prio != p || q->links[t].prev != prev ||
			    t == q->first)
				return false;
		if (q->tail[p] != prev ||
		    (prev == RUNQ_NONE && (q->first == RUNQ_NONE || q->first_prio != p)))
			return false;
	}
	return true;
}
