/* samples.h — layout of the demo's shared region "samples" (configs/demo.yaml), used by sensor, controller, logger. */
#ifndef DEMO_SAMPLES_H
#define DEMO_SAMPLES_H

#include <stdint.h>

#define SAMPLES_VA	  0x10000000u /* in sensor (rw) and control (r) */
#define SAMPLES_LOGGER_VA 0x20000000u /* in logger (r) */
#define SAMPLES_RING	  64u
#define SAMPLES_TOTAL	  20u	      /* the sensor takes this many, then exits */
#define SAMPLE_PERIOD_NS  10000000ull /* 10 ms */
#define NOTIFY_SAMPLE	  (1ull << 0) /* sensor -> controller: a new sample is in the ring */

struct sample {
	uint64_t seq;	  /* 0, 1, 2, ... */
	uint64_t time_ns; /* keel_clock_now() when taken */
	uint64_t due_ns;  /* when it should have been taken */
	uint32_t rtc_s;	  /* PL031 seconds */
	uint32_t reserved;
};

/*
 * The sensor (the only writer) fills ring[count % SAMPLES_RING] and then publishes it by
 * incrementing count with release order; readers load count with acquire order, so the sample
 * they then read is complete. 64 slots outlast any reader that is a period or two behind.
 */
struct samples {
	uint64_t count;
	struct sample ring[SAMPLES_RING];
};

/* The newest sample, or 0 if there is none yet. */
static inline int samples_latest(const struct samples *s, struct sample *out)
{
	uint64_t n = __atomic_load_n(&s->count, __ATOMIC_ACQUIRE);

	if (n == 0)
		return 0;
	*out = s->ring[(n - 1) % SAMPLES_RING];
	return 1;
}

#endif
