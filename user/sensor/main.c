/* sensor — samples the clock and the PL031 real-time clock into the shared region "samples" (configs/demo.yaml). */
#include <keel/user.h>
#include <samples.h>
#include <system_tables.h>

#define RTC_VA 0x10010000u /* the "rtc" device region: PL031, RTCDR (seconds) at offset 0 */

int main(void)
{
	struct samples *s = (struct samples *)(uintptr_t)SAMPLES_VA;
	volatile const uint32_t *rtc_dr = (volatile const uint32_t *)(uintptr_t)RTC_VA;
	uint64_t next;

	if (keel_clock_now(&next) != KERR_OK)
		return 1;
	printf("sensor: %u samples, one every %llu ms\n", SAMPLES_TOTAL, SAMPLE_PERIOD_NS / 1000000);
	for (uint64_t i = 0; i < SAMPLES_TOTAL; i++) {
		struct sample *slot = &s->ring[i % SAMPLES_RING];
		enum kerr err;

		next += SAMPLE_PERIOD_NS;
		err = keel_sleep_until(next);
		if (err == KERR_OK)
			err = keel_clock_now(&slot->time_ns);
		if (err != KERR_OK) {
			printf("sensor: %s\n", keel_strerror(err));
			return 1;
		}
		slot->seq = i;
		slot->due_ns = next;
		slot->rtc_s = *rtc_dr;
		__atomic_store_n(&s->count, i + 1, __ATOMIC_RELEASE); /* publish the slot */
		err = keel_notify(SYS_THREAD_CONTROLLER, NOTIFY_SAMPLE);
		if (err != KERR_OK)
			printf("sensor: notify: %s\n", keel_strerror(err));
	}
	puts("sensor: done");
	return 0;
}
