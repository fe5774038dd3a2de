/* faulty — faults on purpose after a few periods, so that the supervisor restarts it (configs/demo.yaml). */
#include <keel/user.h>

#define PERIOD_NS  20000000ull /* 20 ms */
#define ROUNDS	   3u
#define UNMAPPED   0xdead0000u /* nothing is mapped here in this space */
#define NOTIFY_END (1ull << 0) /* from the supervisor: stop instead of faulting again */

int main(void)
{
	uint64_t next, bits = 0;

	if (keel_clock_now(&next) != KERR_OK)
		return 1;
	for (unsigned i = 1; i <= ROUNDS; i++) {
		next += PERIOD_NS;
		if (keel_sleep_until(next) != KERR_OK)
			return 1;
		/* A deadline in the past only collects what is pending (KERR_TIMEOUT: nothing). */
		enum kerr err = keel_wait(NOTIFY_END, 0, &bits);
		if (err != KERR_OK && err != KERR_TIMEOUT)
			return 1;
		if (bits & NOTIFY_END) {
			puts("faulty: told to stop, exiting");
			return 0;
		}
		printf("faulty: round %u of %u\n", i, ROUNDS);
	}
	puts("faulty: writing to an unmapped address");
	*(volatile uint32_t *)(uintptr_t)UNMAPPED = 1;
	puts("faulty: still alive?");
	return 1;
}
