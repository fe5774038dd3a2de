/*
 * fuzz_watchdog — thread "watchdog" of configs/fuzz.yaml: wakes every millisecond above the
 * fuzzer, counts its periods and its lateness in the region "beat" and ends any wait of the
 * fuzzer; stops when the fuzzer says it is done. Thread "victim" (space target) only waits: the
 * fuzzer notifies, suspends and restarts it at random.
 */
#include <fuzz.h>
#include <keel/user.h>
#include <system_tables.h>

int victim_main(void);

int main(void)
{
	const struct fuzz_ctl *ctl = (const struct fuzz_ctl *)(uintptr_t)FUZZ_CTL_VA;
	struct fuzz_beat *beat = (struct fuzz_beat *)(uintptr_t)FUZZ_BEAT_VA;
	uint64_t next = 0, now = 0;

	if (keel_clock_now(&next) != KERR_OK)
		return 1;
	while (!ctl->done) {
		enum kerr err;

		next += FUZZ_PERIOD_NS;
		err = keel_sleep_until(next);
		if (err == KERR_PAST)
			beat->overruns++;
		else if (err != KERR_OK)
			return 1;
		if (keel_clock_now(&now) != KERR_OK)
			return 1;
		if (now - next > beat->max_late_ns && err == KERR_OK)
			beat->max_late_ns = now - next;
		beat->beats++;
		if (keel_notify(SYS_THREAD_FUZZER, FUZZ_WAKE_BITS) != KERR_OK)
			return 1;
	}
	printf("fuzz-watchdog: %llu periods, worst lateness %llu ns, %llu overruns\n",
	       (unsigned long long)beat->beats, (unsigned long long)beat->max_late_ns,
	       (unsigned long long)beat->overruns);
	return 0;
}

int victim_main(void)
{
	uint64_t bits = 0;

	while (keel_wait(FUZZ_VICTIM_EXIT, KEEL_FOREVER, &bits) == KERR_OK && !(bits & FUZZ_VICTIM_EXIT))
		;
	return 0;
}
