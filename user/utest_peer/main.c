/*
 * utest_peer — threads of space "peer" in configs/utest.yaml: "hi" (above main: preemption),
 * "eq1"/"eq2" (below main, one priority: FIFO order) and "fifo1"/"fifo2" (one priority without
 * a time slice: never rotated).
 */
#include <system_tables.h>
#include <utest.h>
#include <utest_asm.h>

#define FIFO_SPIN_NS 5000000ull /* 5 ms: five times the slice of fpa/fpb */

int hi_main(void);
int eq_main(void);
int fifo_main(void);

static bool go(void)
{
	uint64_t bits = 0;

	return keel_wait(UTEST_GO | UTEST_END, KEEL_FOREVER, &bits) == KERR_OK && !(bits & UTEST_END);
}

int hi_main(void)
{
	struct utest_shared *sh = utest_shared();

	while (go()) {
		uint64_t ns = sh->hi_sleep_ns;

		if (ns) { /* the long-write test: sleep to the deadline, note the counter on waking */
			sh->hi_sleep_ns = 0;
			sh->hi_woke_ticks = keel_sleep_until(ns) == KERR_OK ? keel_counter_now() : 1;
			continue;
		}
		sh->hi_mark = ++sh->seq;
	}
	return 0;
}

int eq_main(void)
{
	struct utest_shared *sh = utest_shared();
	unsigned self = 0;

	if (keel_thread_self(&self) != KERR_OK)
		return 1;
	while (go())
		if (sh->eq_count < 4)
			sh->eq_order[sh->eq_count++] = self;
	return 0;
}

int fifo_main(void)
{
	struct utest_shared *sh = utest_shared();
	unsigned self = 0, me, other;
	uint64_t freq = utest_cntfrq(), start = utest_cntvct(), spin = FIFO_SPIN_NS * freq / 1000000000ull;
	if (keel_thread_self(&self) != KERR_OK)
		return 1;
	me = self == SYS_THREAD_FIFO1 ? 0 : 1;
	other = 1 - me;
	sh->fifo_runs[me]++;
	if (me == 0) {
		bool other_ran = false;

		/* First in the ready queue: runs its 5 ms without fifo2 getting the CPU. */
		while (utest_cntvct() - start < spin)
			other_ran |= sh->fifo_runs[other] != 0;
		UTEST_CHECK(!other_ran, "FIFO: a thread without a time slice is not rotated (fifo1 ran 5 ms)",
			    "fifo2 ran in between");
	} else {
		UTEST_CHECK(sh->done_fifo[other], "FIFO: its peer (fifo2) ran only after fifo1 finished",
			    "fifo1 not finished");
	}
	sh->done_fifo[me] = 1;
	return 0;
}
