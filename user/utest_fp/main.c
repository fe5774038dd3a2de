/*
 * utest_fp — threads "fpa" and "fpb" of configs/utest.yaml: one priority, different spaces,
 * a 1 ms time slice each. Each fills v0..v31 and FPCR with its own pattern, spins across many
 * slices (counting the switches between the two through the shared region) twice: phase 1 with
 * nothing else running, phase 2 while main wakes every 500 us (a higher priority preempting
 * faster than the slice must not stop the rotation); then fpb sleeps a few times while fpa
 * spins (phase 3: the sleeper must wake within a slice of its deadline, although fpa is the
 * only ready thread of the priority), and both yield many times. After every step each checks
 * that its FP/SIMD registers never changed.
 * No library call between fill and check: the library itself may use SIMD registers.
 */
#include <system_tables.h>
#include <utest.h>
#include <utest_asm.h>

#define SPIN_NS	       20000000ull /* 20 ms of virtual time per phase: about 10 slices each */
#define YIELDS	       300u
#define MIN_SWITCH     5u
#define SLICE_NS       1000000ull /* their time_slice_us in configs/utest.yaml */
/*
 * Phase 3: fpb's sleeps, 2.5 ms and longer, so that some of their deadlines fall inside fpa's
 * slices, and the bound on fpb's lateness: fpa's slice must end (its alarm armed because a
 * thread of its priority is in the timeout queue) within a slice, plus the kernel's path. Main
 * polls every 5 ms at a higher priority by then (fp_phase3_go), which readies a passed timeout
 * too, so a kernel that armed no slice alarm here wakes fpb up to 5 ms late.
 */
#define SLEEPS	       6u
#define SLEEP_NS       2500000ull
#define SLEEP_STEP_NS  310000ull
#define SLEEP_LATE_MAX (SLICE_NS + SLICE_NS / 4)
#define SPIN3_MAX_NS   100000000ull /* fpa's cap on phase 3, should fpb never come back */

static uint64_t regs[64];

static uint64_t pattern(uint64_t seed, unsigned i)
{
	return seed * 0x0101010101010101ull + (i / 2u) * 0x1000001ull + (i & 1u);
}

/* Compares the registers with the pattern; volatile accesses keep the compiler off SIMD here. */
static bool fp_intact(uint64_t seed, uint64_t fpcr)
{
	volatile uint64_t *r = regs;
	bool ok = utest_fp_read(regs) == fpcr;

	for (unsigned i = 0; i < 64; i++)
		ok &= r[i] == pattern(seed, i);
	return ok;
}

static uint64_t yield(void)
{
	return keel_syscall6(SYS_YIELD, 0, 0, 0, 0, 0, 0, NULL);
}

int main(void)
{
	struct utest_shared *sh = utest_shared();
	unsigned self = 0, me;
	uint64_t seed, fpcr, freq = utest_cntfrq(), spin;
	unsigned bad_spin = 0, bad_yield = 0, checks = 0;
	uint64_t worst_late = 0;

	if (keel_thread_self(&self) != KERR_OK)
		return 1;
	me = self == SYS_THREAD_FPA ? 0 : 1;
	seed = me ? 0x5a : 0xa5;
	fpcr = me ? (1u << 25) | (2u << 22) : (1u << 24) | (1u << 22); /* DN, RMode -inf / FZ, RMode +inf */
	spin = SPIN_NS * freq / 1000000000ull;
	while (!sh->fp_go) { /* main says when (no permission to notify across these spaces) */
		uint64_t now = 0;

		if (keel_clock_now(&now) != KERR_OK || keel_sleep_until(now + 1000000u) != KERR_OK)
			return 1;
	}
	utest_fp_fill(seed, fpcr);
	for (unsigned phase = 0; phase < 2; phase++) {
		uint64_t start = utest_cntvct();

		while (utest_cntvct() - start < spin) {
			if (sh->rr_last != me + 1) {
				sh->rr_last = me + 1;
				sh->rr_switches[phase][me]++;
			}
			if (!fp_intact(seed, fpcr))
				bad_spin++;
			checks++;
		}
		sh->fp_phase1_done[me] = 1;
	}
	/* Both spin (rotating) until main's 500 us wake-ups are over. */
	for (uint64_t start = utest_cntvct(); !sh->fp_phase3_go && utest_cntvct() - start < 10 * spin;)
		if (!fp_intact(seed, fpcr))
			bad_spin++;
	if (me == 0) { /* phase 3: fpa spins while fpb sleeps */
		uint64_t start = utest_cntvct();

		while (!sh->sleeper_done && utest_cntvct() - start < SPIN3_MAX_NS * freq / 1000000000ull) {
			if (!fp_intact(seed, fpcr))
				bad_spin++;
			checks++;
		}
	} else {
		for (unsigned i = 0; i < SLEEPS; i++) {
			uint64_t now = 0, deadline, late;

			if (keel_clock_now(&now) != KERR_OK)
				return 1;
			now += SLEEP_NS + i * SLEEP_STEP_NS;
			deadline = utest_ns_to_ticks(now, freq);
			if (keel_sleep_until(now) != KERR_OK)
				return 1;
			late = utest_cntvct() - deadline;
			if (late > worst_late)
				worst_late = late;
			if (!fp_intact(seed, fpcr))
				bad_spin++;
			checks++;
		}
		sh->sleeper_done = 1;
	}
	for (unsigned i = 0; i < YIELDS; i++) {
		if (yield() != KERR_OK || !fp_intact(seed, fpcr))
			bad_yield++;
		checks++;
	}
	/* Results only now: printf may use the SIMD registers. */
	if (me == 0) {
		UTEST_CHECK(bad_spin == 0, "FP/SIMD: fpa's v0-v31 and FPCR survive time-slice switches",
			    "%u of %u checks differed", bad_spin, checks);
		UTEST_CHECK(bad_yield == 0, "FP/SIMD: fpa's v0-v31 and FPCR survive yields",
			    "%u of %u checks differed", bad_yield, checks);
	} else {
		UTEST_CHECK(bad_spin == 0, "FP/SIMD: fpb's v0-v31 and FPCR survive time-slice switches",
			    "%u of %u checks differed", bad_spin, checks);
		UTEST_CHECK(bad_yield == 0, "FP/SIMD: fpb's v0-v31 and FPCR survive yields",
			    "%u of %u checks differed", bad_yield, checks);
	}
	for (unsigned phase = 0; phase < 2; phase++) {
		char name[96];

		snprintf(name, sizeof(name), "time slice: %s was rotated with %s while both spun (%s)",
			 me ? "fpb" : "fpa", me ? "fpa" : "fpb",
			 phase ? "main waking every 500 us" : "nothing else running");
		UTEST_CHECK(sh->rr_switches[phase][me] >= MIN_SWITCH, name,
			    "%u switches in %llu ms, expected at least %u", sh->rr_switches[phase][me],
			    SPIN_NS / 1000000, MIN_SWITCH);
	}
	if (me == 1) {
		printf("utest: fpb's sleeps beside fpa's spin: at worst %llu ticks late\n",
		       (unsigned long long)worst_late);
		UTEST_CHECK(worst_late <= SLEEP_LATE_MAX * freq / 1000000000ull,
			    "time slice: fpb, sleeping while fpa spins at its priority, wakes within a slice",
			    "%llu ticks late (bound %llu)", (unsigned long long)worst_late,
			    (unsigned long long)(SLEEP_LATE_MAX * freq / 1000000000ull));
	}
	sh->done_fp[me] = 1;
	return 0;
}
