/* logger — prints a summary of the samples now and then, at a low priority on another CPU (configs/demo.yaml). */
#include <keel/user.h>
#include <samples.h>

#define LOG_PERIOD_NS (5 * SAMPLE_PERIOD_NS)
#define LOG_ROUNDS    6

int main(void)
{
	const struct samples *s = (const struct samples *)(uintptr_t)SAMPLES_LOGGER_VA;
	uint64_t next;

	if (keel_clock_now(&next) != KERR_OK)
		return 1;
	for (unsigned round = 1; round <= LOG_ROUNDS; round++) {
		struct sample last;

		next += LOG_PERIOD_NS;
		if (keel_sleep_until(next) != KERR_OK)
			return 1;
		if (samples_latest(s, &last))
			printf("logger: round %u: %llu samples, newest at %llu ms (rtc %u s)\n", round,
			       (unsigned long long)last.seq + 1, (unsigned long long)last.time_ns / 1000000,
			       last.rtc_s);
		else
			printf("logger: round %u: no samples yet\n", round);
	}
	puts("logger: done");
	return 0;
}
