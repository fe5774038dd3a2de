/* utest.h — the test system configs/utest.yaml: its shared region and the check helpers. */
#ifndef UTEST_H
#define UTEST_H

#include <keel/user.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * Every check prints one line, "utest: PASS <name>" or "utest: FAIL <name>: <detail>";
 * tests/run-all.sh turns each into one result.
 */
#define UTEST_PASS(name)	   printf("utest: PASS %s\n", (name))
#define UTEST_FAIL(name, fmt, ...) printf("utest: FAIL %s: " fmt "\n", (name), ##__VA_ARGS__)
#define UTEST_CHECK(cond, name, fmt, ...)                     \
	do {                                                  \
		if (cond)                                     \
			UTEST_PASS(name);                     \
		else                                          \
			UTEST_FAIL(name, fmt, ##__VA_ARGS__); \
	} while (0)

/* One check counted into *FAILURES: a PASS line, or a FAIL line with DETAIL. */
static inline void utest_check(bool ok, const char *name, const char *detail, unsigned *failures)
{
	if (ok) {
		UTEST_PASS(name);
	} else {
		++*failures;
		UTEST_FAIL(name, "%s", detail);
	}
}

#define UTEST_SHARED_VA 0x10000000u /* region "shared", rw in every space of configs/utest.yaml */

/* Notification bits between the test threads. */
#define UTEST_GO  (1ull << 0) /* main -> hi, eq1, eq2: run once */
#define UTEST_END (1ull << 1) /* main -> hi, eq1, eq2: exit */

struct utest_shared {
	/* preemption (main, hi) and FIFO order (eq1, eq2) */
	volatile uint64_t seq;
	volatile uint64_t hi_mark;
	volatile uint32_t eq_order[4];
	volatile uint32_t eq_count;
	/* debug_write's preemption points (main, hi): hi sleeps until hi_sleep_ns, notes its wake-up */
	volatile uint64_t hi_sleep_ns;
	volatile uint64_t hi_woke_ticks;
	/* time slices: fpa/fpb (round robin), fifo1/fifo2 (FIFO, no slice) */
	volatile uint32_t fp_go;	     /* main -> fpa, fpb: start spinning (phase 1) */
	volatile uint32_t fp_phase1_done[2]; /* fpa, fpb -> main: phase 1 over, phase 2 spinning */
	volatile uint32_t rr_last;
	volatile uint32_t rr_switches[2][2]; /* [phase][thread]: 1 alone, 2 under main's 500 us sleeps */
	volatile uint32_t fp_phase3_go;	     /* main -> fpa, fpb: main polls only every 5 ms now */
	volatile uint32_t sleeper_done;	     /* fpb -> fpa: its sleeps beside fpa's spin are over */
	volatile uint32_t fifo_runs[2];
	/* completion flags: each helper sets its own when all its checks are printed */
	volatile uint32_t done_fp[2];
	volatile uint32_t done_fifo[2];
	volatile uint32_t done_crash;
};

/* A deadline in ns as the kernel's counter deadline: rounded up, as sleep_until() does. */
static inline uint64_t utest_ns_to_ticks(uint64_t ns, uint64_t freq)
{
	return ns / 1000000000ull * freq + ((ns % 1000000000ull) * freq + 999999999ull) / 1000000000ull;
}

static inline struct utest_shared *utest_shared(void)
{
	return (struct utest_shared *)(uintptr_t)UTEST_SHARED_VA;
}

#endif
