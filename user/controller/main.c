/* controller — reacts to each new sample at a higher priority than the sensor (configs/demo.yaml). */
#include <keel/user.h>
#include <samples.h>

#define TIMEOUT_NS (5 * SAMPLE_PERIOD_NS) /* no sample for this long: the sensor has stopped */
#define LATE_NS	   1000000ull		  /* a sample taken 1 ms after it was due is late */

int main(void)
{
	const struct samples *s = (const struct samples *)(uintptr_t)SAMPLES_VA;
	unsigned late = 0, seen = 0;

	for (;;) {
		struct sample last;
		uint64_t now, bits = 0;
		enum kerr err = keel_clock_now(&now);

		if (err == KERR_OK)
			err = keel_wait(NOTIFY_SAMPLE, now + TIMEOUT_NS, &bits);
		if (err != KERR_OK) {
			printf("controller: %s\n", keel_strerror(err));
			return 1;
		}
		if (!(bits & NOTIFY_SAMPLE))
			break; /* timed out */
		if (!samples_latest(s, &last))
			continue;
		seen++;
		/* The "decision": is the sensor keeping its period? */
		if (last.time_ns - last.due_ns > LATE_NS) {
			late++;
			printf("controller: sample %llu late by %llu us: would raise an alarm\n",
			       (unsigned long long)last.seq,
			       (unsigned long long)(last.time_ns - last.due_ns) / 1000);
		} else {
			printf("controller: sample %llu on time (+%llu us, rtc %u s)\n",
			       (unsigned long long)last.seq,
			       (unsigned long long)(last.time_ns - last.due_ns) / 1000, last.rtc_s);
		}
		if (last.seq + 1 == SAMPLES_TOTAL)
			break;
	}
	printf("controller: done, %u samples seen, %u late\n", seen, late);
	return 0;
}
