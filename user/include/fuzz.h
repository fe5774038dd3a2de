/* fuzz.h — the regions shared by the fuzzer and its watchdog (configs/fuzz.yaml). */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>

#define FUZZ_SCRATCH_VA	  0x10000000ull /* 4 pages rw in fuzz */
#define FUZZ_SCRATCH_SIZE 0x4000ull
#define FUZZ_CTL_VA	  0x10010000ull		/* rw in fuzz, r in watch */
#define FUZZ_BEAT_VA	  0x10020000ull		/* rw in watch, r in fuzz */
#define FUZZ_PERIOD_NS	  1000000ull		/* the watchdog's period */
#define FUZZ_WAKE_BITS	  0x7fffffffffffffffull /* watchdog -> fuzzer every period: ends any wait */
#define FUZZ_VICTIM_EXIT  (1ull << 62)		/* fuzzer -> victim: return */

struct fuzz_ctl {
	volatile uint32_t done; /* the fuzzer finished: the watchdog stops */
};

struct fuzz_beat {
	volatile uint64_t beats;       /* periods the watchdog ran */
	volatile uint64_t max_late_ns; /* its worst wake-up lateness */
	volatile uint64_t overruns;    /* periods it missed (sleep_until returned PAST) */
};

#endif
