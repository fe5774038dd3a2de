/* runq.c — ready queues: a bitmap of non-empty priorities and a doubly linked FIFO per priority. */
#include "keel/runq.h"

void runq_init(struct runq *q, struct runq_link *links, unsigned nthreads)
{
	q->bitmap = 0;
	q->links = links;
	for (unsigned p = 0; p < RUNQ_PRIORITIES; p++)
		q->head[p] = q->tail[p] = RUNQ_NONE;
	for (unsigned t = 0; t < nthreads; t++)
		links[t] = (struct runq_link){RUNQ_NONE, RUNQ_NONE, 0, false};
}

void runq_push_head(struct runq *q, runq_tid_t t, unsigned prio)
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

void runq_remove(struct runq *q, runq_tid_t t)
{
	struct runq_link *l = &q->links[t];
	unsigned prio = l->prio;

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
	if (q->head[prio] == RUNQ_NONE)
		q->bitmap &= ~(1ULL << prio);
	l->queued = false;
	l->next = l->prev = RUNQ_NONE;
}

runq_tid_t runq_peek(const struct runq *q)
{
	int p = runq_top_priority(q);

	return p < 0 ? RUNQ_NONE : q->head[p];
}
