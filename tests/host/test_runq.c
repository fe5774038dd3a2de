/* test_runq.c — ready queues against a reference model: order within and across priorities, and the hand-off slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "keel/runq.h"

#define NT 40

static struct runq q;
static struct runq_link links[NT];

/* Model: per priority an array in FIFO order. */
static runq_tid_t model[RUNQ_PRIORITIES][NT];
static unsigned model_len[RUNQ_PRIORITIES];
static int model_prio[NT]; /* -1 = not queued */

static unsigned rng = 12345;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng % n;
}

static void model_remove(runq_tid_t t)
{
	int p = model_prio[t];

	for (unsigned i = 0; i < model_len[p]; i++) {
		if (model[p][i] == t) {
			memmove(&model[p][i], &model[p][i + 1], (model_len[p] - i - 1) * sizeof(runq_tid_t));
			model_len[p]--;
			break;
		}
	}
	model_prio[t] = -1;
}

static void compare(void)
{
	int top = -1;

	for (int p = RUNQ_PRIORITIES - 1; p >= 0 && top < 0; p--)
		if (model_len[p])
			top = p;
	assert_int_equal(runq_top_priority(&q), top);
	assert_int_equal(runq_peek(&q), top < 0 ? RUNQ_NONE : model[top][0]);
	assert_true(runq_check(&q));
	if (q.first != RUNQ_NONE) /* the hand-off thread: first of its priority, in no FIFO */
		assert_int_equal(q.first, model[q.first_prio][0]);
	for (unsigned p = 0; p < RUNQ_PRIORITIES; p++) {
		runq_tid_t t = q.head[p];
		unsigned i = q.first != RUNQ_NONE && q.first_prio == p;

		for (; i < model_len[p]; i++, t = links[t].next)
			assert_int_equal(t, model[p][i]);
		assert_int_equal(t, RUNQ_NONE);
		assert_int_equal(!!(q.bitmap & (1ULL << p)), model_len[p] != 0);
	}
}

static void test_random_against_model(void **state)
{
	(void)state;
	runq_init(&q, links, NT);
	memset(model_len, 0, sizeof(model_len));
	for (unsigned t = 0; t < NT; t++)
		model_prio[t] = -1;
	for (unsigned i = 0; i < 200000; i++) {
		runq_tid_t t = (runq_tid_t)rnd(NT);
		unsigned p = rnd(8) ? rnd(4) * 21 : rnd(RUNQ_PRIORITIES); /* crowd a few levels */

		switch (rnd(4)) {
		case 0:
			if (model_prio[t] >= 0)
				break;
			runq_push_tail(&q, t, p);
			model[p][model_len[p]++] = t;
			model_prio[t] = (int)p;
			break;
		case 1:
			if (model_prio[t] >= 0)
				break;
			runq_push_head(&q, t, p);
			memmove(&model[p][1], &model[p][0], model_len[p] * sizeof(runq_tid_t));
			model[p][0] = t;
			model_len[p]++;
			model_prio[t] = (int)p;
			break;
		case 2: {
			int top = runq_top_priority(&q);
			runq_tid_t head = runq_pop(&q);

			assert_int_equal(head, top < 0 ? RUNQ_NONE : model[top][0]);
			if (top >= 0) {
				assert_false(links[head].queued);
				model_remove(head);
			}
			break;
		}
		default:
			runq_remove(&q, t); /* also on a thread that is not queued: no effect */
			if (model_prio[t] >= 0)
				model_remove(t);
			break;
		}
		compare();
	}
}

static void test_fifo_and_priority_order(void **state)
{
	(void)state;
	runq_init(&q, links, NT);
	assert_int_equal(runq_peek(&q), RUNQ_NONE);
	runq_push_tail(&q, 1, 10);
	runq_push_tail(&q, 2, 10);
	runq_push_tail(&q, 3, 5);
	assert_int_equal(runq_peek(&q), 1);
	runq_push_tail(&q, 4, 63);
	assert_int_equal(runq_peek(&q), 4);
	runq_remove(&q, 4);
	runq_remove(&q, 1);
	assert_int_equal(runq_peek(&q), 2);
	runq_push_head(&q, 1, 10);
	assert_int_equal(runq_peek(&q), 1);
	runq_remove(&q, 1);
	runq_remove(&q, 2);
	assert_int_equal(runq_top_priority(&q), 5);
	runq_push_tail(&q, 0, 0);
	runq_remove(&q, 3);
	assert_int_equal(runq_peek(&q), 0);
	assert_int_equal(runq_top_priority(&q), 0);
	assert_int_equal(runq_pop(&q), 0);
	assert_int_equal(runq_pop(&q), RUNQ_NONE);
	runq_push_tail(&q, 5, 7);
	runq_push_tail(&q, 6, 7);
	assert_int_equal(runq_pop(&q), 5);
	runq_remove(&q, 5); /* popped: no longer queued, no effect */
	assert_int_equal(runq_peek(&q), 6);
	assert_int_equal(links[6].prev, RUNQ_NONE);
	runq_push_head(&q, 5, 7);
	assert_int_equal(runq_pop(&q), 5);
	assert_int_equal(runq_pop(&q), 6);
	assert_int_equal(runq_top_priority(&q), -1);
}

/* The idle wake-up's case: one thread readied with nothing queued skips the FIFO both ways. */
static void test_handoff_alone(void **state)
{
	(void)state;
	runq_init(&q, links, NT);
	runq_push_tail(&q, 7, 60);
	assert_int_equal(q.first, 7);
	assert_int_equal(q.head[60], RUNQ_NONE);
	assert_false(links[7].queued);
	assert_int_equal(runq_top_priority(&q), 60);
	assert_int_equal(runq_peek(&q), 7);
	assert_int_equal(runq_pop(&q), 7);
	assert_int_equal(q.first, RUNQ_NONE);
	assert_int_equal(runq_top_priority(&q), -1);
	assert_int_equal(runq_pop(&q), RUNQ_NONE);
}

/* Readied in one IRQ: the higher priority wins whatever the order; equal ones keep their order. */
static void test_handoff_priorities(void **state)
{
	(void)state;
	runq_init(&q, links, NT);
	runq_push_tail(&q, 1, 59); /* slot */
	runq_push_tail(&q, 2, 60); /* higher: its FIFO, and the next pop */
	assert_int_equal(q.first, 1);
	assert_int_equal(q.head[60], 2);
	assert_int_equal(runq_peek(&q), 2);
	runq_push_tail(&q, 3, 60); /* equal: behind 2 */
	runq_push_tail(&q, 4, 59); /* behind 1 */
	assert_int_equal(runq_pop(&q), 2);
	assert_int_equal(runq_pop(&q), 3);
	assert_int_equal(runq_pop(&q), 1);
	assert_int_equal(runq_pop(&q), 4);
	assert_int_equal(runq_pop(&q), RUNQ_NONE);
	/* a preempted thread of the slot's priority goes ahead of the slot's thread */
	runq_push_tail(&q, 5, 30);
	runq_push_head(&q, 6, 30);
	assert_true(runq_check(&q));
	assert_int_equal(runq_pop(&q), 6);
	assert_int_equal(runq_pop(&q), 5);
	/* a preempted thread of a lower priority stays behind it */
	runq_push_tail(&q, 5, 30);
	runq_push_head(&q, 6, 20);
	assert_int_equal(q.first, 5);
	assert_int_equal(runq_pop(&q), 5);
	assert_int_equal(runq_pop(&q), 6);
}

/*
 * The preemption of a lower-priority thread by a wake-up (sched_resume): the woken thread is
 * popped from the slot, the preempted one pushed to the head of its priority, which the free slot
 * takes. It stays ahead of its priority's FIFO, behind every higher priority, and threads readied
 * meanwhile queue in their FIFOs around it.
 */
static void test_handoff_preempted(void **state)
{
	(void)state;
	runq_init(&q, links, NT);
	runq_push_tail(&q, 3, 10);	   /* slot */
	runq_push_tail(&q, 4, 10);	   /* FIFO, behind 3 */
	assert_int_equal(runq_pop(&q), 3); /* 3 runs */
	runq_push_tail(&q, 7, 60);	   /* woken: the slot (free again) */
	assert_int_equal(q.first, 7);
	assert_int_equal(runq_pop(&q), 7); /* preempts 3 */
	runq_push_head(&q, 3, 10);	   /* 3 takes the free slot, ahead of 4 */
	assert_int_equal(q.first, 3);
	assert_int_equal(q.first_prio, 10);
	assert_false(links[3].queued);
	assert_true(runq_check(&q));
	runq_push_tail(&q, 8, 59); /* slot taken: its FIFO, above the slot's thread */
	runq_push_tail(&q, 9, 10); /* behind 4 */
	runq_push_head(&q, 5, 10); /* a second preempted thread of that priority: ahead of 3 */
	assert_true(runq_check(&q));
	assert_int_equal(runq_peek(&q), 8);
	assert_int_equal(runq_pop(&q), 8);
	assert_int_equal(runq_pop(&q), 5);
	assert_int_equal(runq_pop(&q), 3);
	assert_int_equal(runq_pop(&q), 4);
	assert_int_equal(runq_pop(&q), 9);
	assert_int_equal(runq_pop(&q), RUNQ_NONE);
	/* the slot taken by a lower priority: the preempted thread goes to its FIFO */
	runq_push_tail(&q, 1, 5); /* slot */
	runq_push_head(&q, 2, 10);
	assert_int_equal(q.first, 1);
	assert_true(links[2].queued);
	assert_int_equal(runq_pop(&q), 2);
	assert_int_equal(runq_pop(&q), 1);
	assert_int_equal(runq_top_priority(&q), -1);
}

/* A thread stopped (removed) while in the slot is gone; the next pop takes the FIFO's. */
static void test_handoff_removed(void **state)
{
	(void)state;
	runq_init(&q, links, NT);
	runq_push_tail(&q, 1, 40);
	runq_push_tail(&q, 2, 40);
	runq_remove(&q, 1);
	assert_int_equal(q.first, RUNQ_NONE);
	assert_int_equal(runq_top_priority(&q), 40);
	assert_int_equal(runq_pop(&q), 2);
	runq_push_tail(&q, 1, 40);
	runq_remove(&q, 1);
	assert_int_equal(runq_top_priority(&q), -1); /* its bit went with it */
	assert_int_equal(runq_pop(&q), RUNQ_NONE);
	runq_remove(&q, 1); /* not queued any more: no effect */
	runq_push_tail(&q, 3, 10);
	assert_int_equal(runq_pop(&q), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handoff_alone),		cmocka_unit_test(test_handoff_priorities),
		cmocka_unit_test(test_handoff_removed),		cmocka_unit_test(test_handoff_preempted),
		cmocka_unit_test(test_fifo_and_priority_order), cmocka_unit_test(test_random_against_model),
	};
	return cmocka_run_group_tests_name("runq", tests, NULL, NULL);
}
