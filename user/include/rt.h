/* rt.h — the control block shared by the rt-tests programs cyclictest and rtload (configs/rt-*.yaml). */
#ifndef RT_H
#define RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "keel/user.h"

#define RT_CTL_VA      0x10000000u     /* region "rtctl", read-write in both spaces */
#define RT_SRC_VA      0x10100000u     /* region "rtsrc" in the load's space: the pages it maps */
#define RT_SRC_PAGES   64u	       /* size of "rtsrc" in pages */
#define RT_VICTIM_VA   0x4000000000ull /* where the load maps pages into the victim space */
#define RT_MAX_PHASES  24u
#define RT_MAX_THREADS 8u
#define RT_CHAIN_VA    0x20000000u /* deep chain load: level k at RT_CHAIN_VA + (k - 1) pages */
#define RT_STORM_VA    0x10200000u /* storm load: region "rtstorm" in its space ... */
#define RT_STORM_SELF  0x10400000u /* ... its own maps of it (to grant them) ... */
#define RT_STORM_DST   0x10800000u /* ... and where it maps, shares and grants into "stormdst" */
#define RT_STORM_PAGES 8u	   /* pages per storm call, per storm thread */
#define RT_BUF_VA      0x20000000u /* thrash load: region "rtbuf" */
#define RT_BUF_SCRATCH 0x30000000u /* thrash load: its own page mapped and unmapped here */

/* Notification bits of the loads' threads. */
#define RT_BIT_GO   2ull /* the conductor: your load's phase began, or the run is done */
#define RT_BIT_PING 1ull /* ping-pong and IRQ storm messages */

/* What the load is doing while a sample is taken: each sample is filed under one of these. */
enum rt_stage {
	RT_STAGE_HARNESS = 0,	/* the load's start-up and its kernel_info between phases: no load's */
	RT_STAGE_IDLE = 1,	/* the load sleeps */
	RT_STAGE_MAP = 2,	/* map calls building the next unmap's pages */
	RT_STAGE_UNMAP = 3,	/* the one unmap call of N pages in the victim */
	RT_STAGE_REVOKE = 4,	/* one unmap call of the source pages: their N children (a wide fan) go */
	RT_STAGE_CHAIN = 5,	/* one unmap call revoking a deep derivation chain from its root */
	RT_STAGE_FAN = 6,	/* one unmap call revoking one page's thousands of children */
	RT_STAGE_STORM = 7,	/* storm threads map, share, grant and unmap */
	RT_STAGE_IRQ = 8,	/* a CPU 1 thread notifies a CPU 0 thread: reschedule SGIs */
	RT_STAGE_THRASH = 9,	/* a thread walks a 2 MiB buffer and maps/unmaps its own pages */
	RT_STAGE_PINGPONG = 10, /* only the ping-pong threads (which run during every phase) */
	RT_STAGE_SPIN = 11,	/* a CPU 1 thread spins in user space, no system calls */
	RT_STAGES = 12,
};

#define RT_STAGE_NAMES                                                                                      \
	{                                                                                                   \
		"harness", "idle", "map", "unmap", "revoke", "chain", "fan", "storm", "irqstorm", "thrash", \
			"pingpong", "spin"                                                                  \
	}

/* The loads, in the order the conductor (rtload's main) runs their phases; bit i of `active`. */
enum rt_load {
	RT_LOAD_IDLE = 0,
	RT_LOAD_UNMAP = 1,
	RT_LOAD_CHAIN = 2,
	RT_LOAD_FAN = 3,
	RT_LOAD_STORM = 4,
	RT_LOAD_IRQSTORM = 5,
	RT_LOAD_THRASH = 6,
	RT_LOAD_PINGPONG = 7,
	RT_LOAD_SPIN = 8,
	RT_LOADS = 9,
};

#define RT_LOAD_NAMES                                                                              \
	{                                                                                          \
		"idle", "unmap", "chain", "fan", "storm", "irqstorm", "thrash", "pingpong", "spin" \
	}

/*
 * The load program runs phases one after another (idle, then map + unmap of N pages for
 * growing N) and publishes the current phase and stage; every measurement thread files each
 * sample under the phase and stage it sees when it wakes up and counts its samples in
 * `samples[]`. Measurement thread 0 publishes its next deadline so that the load can start
 * short unmaps just before it (see user/rtload/main.c). Measurement threads run on CPU 0; some
 * load threads run on CPU 1. Background loads (storm, irqstorm, thrash) run while their bit is
 * set in `active` and otherwise wait for RT_BIT_GO.
 */
struct rt_ctl {
	uint32_t phase;			  /* index into pages[] */
	uint32_t stage;			  /* enum rt_stage */
	uint32_t nphases;		  /* set by the load before phase 0 begins */
	uint32_t done;			  /* the load has finished: measurement threads print and exit */
	uint64_t next_deadline;		  /* thread 0's next wake-up, in counter ticks */
	uint64_t interval_ns;		  /* thread 0's period (0 until it has started) */
	uint64_t pages[RT_MAX_PHASES];	  /* pages mapped and unmapped per round (0: idle) */
	uint64_t rounds[RT_MAX_PHASES];	  /* map+unmap rounds the load completed in each phase */
	uint64_t samples[RT_MAX_THREADS]; /* samples taken so far by each measurement thread */
	uint32_t load[RT_MAX_PHASES];	  /* enum rt_load of each phase */
	uint32_t active;		  /* bit (1 << enum rt_load): that background load runs now */
	uint32_t inside[RT_LOADS];	  /* threads of each background load still in its phase's loop */
	uint32_t print_lock;		  /* 1 while a thread prints a line: rt_printf() */
};

/*
 * A thread waiting for the print lock sleeps this long. It must leave the holder (perhaps of
 * lower priority, on the same CPU) time for whole debug_write pieces between its own wake-ups:
 * at 20 us, thread 0's wake-up and two calls took most of each period, the holder's restarted
 * debug_write never finished a piece, and the run hung at its end.
 */
#define RT_PRINT_WAIT_NS 1000000ull

/*
 * printf for every rt-tests thread, one line at a time under `print_lock`. When the run ends,
 * the measurement threads and the loads on both CPUs print at the same time; debug_write stops
 * between its pieces (and lets the other CPU into the kernel), so without the lock two CPUs'
 * lines interleave mid-line and the host runner cannot parse them. A waiter sleeps instead of
 * spinning, so that a holder of lower priority on the same CPU can finish its line.
 */
static inline __attribute__((format(printf, 1, 2))) void rt_printf(const char *fmt, ...)
{
	volatile struct rt_ctl *ctl = (volatile struct rt_ctl *)(uintptr_t)RT_CTL_VA;
	uint32_t unlocked = 0;
	bool locked;
	uint64_t now;
	va_list ap;

	while (!(locked = __atomic_compare_exchange_n(&ctl->print_lock, &unlocked, 1u, false,
						      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))) {
		unlocked = 0;
		if (keel_clock_now(&now) != KERR_OK || keel_sleep_until(now + RT_PRINT_WAIT_NS) != KERR_OK)
			break; /* no clock or no sleep: print unlocked rather than hang */
	}
	va_start(ap, fmt);
	(void)vprintf(fmt, ap);
	va_end(ap);
	if (locked)
		__atomic_store_n(&ctl->print_lock, 0u, __ATOMIC_RELEASE);
}

/*
 * Counter ticks to ns, rounded up (so that a kernel deadline made from the result is not before
 * @ticks), without the overflow of ticks * 10^9 (past ~295 s of a 62.5 MHz counter).
 */
static inline uint64_t rt_ticks_to_ns_up(uint64_t ticks, uint64_t freq)
{
	return ticks / freq * 1000000000u + (ticks % freq * 1000000000u + freq - 1) / freq;
}

#endif
