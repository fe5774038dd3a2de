/* supervisor — the fault handler that restarts the program "faulty" a few times (configs/demo.yaml). */
#include <keel/user.h>
#include <system_tables.h>

#define MAX_RESTARTS	  2
#define FAULT_TIMEOUT_NS  2000000000ull /* 2 s without a fault: nothing left to supervise */
#define NOTIFY_FAULTY_END (1ull << 0)	/* faulty/main.c: stop instead of faulting again */

int fault_main(void); /* the `entry` of thread "restarter" */

int fault_main(void)
{
	for (unsigned faults = 1;; faults++) {
		uint64_t now, bits = 0;
		enum kerr err = keel_clock_now(&now);

		if (err == KERR_OK)
			err = keel_wait(KEEL_NOTIFY_FAULT, now + FAULT_TIMEOUT_NS, &bits);
		if (err == KERR_TIMEOUT) {
			puts("supervisor: no fault for 2 s, done");
			return 0;
		}
		if (err != KERR_OK) {
			printf("supervisor: %s\n", keel_strerror(err));
			return 1;
		}
		printf("supervisor: fault %u of thread faulty (notification bits %llx)\n", faults,
		       (unsigned long long)bits);
		err = keel_thread_restart(SYS_THREAD_FAULTY);
		if (err == KERR_OK && faults > MAX_RESTARTS) {
			/* Last restart: let it run and exit instead of faulting forever. */
			err = keel_notify(SYS_THREAD_FAULTY, NOTIFY_FAULTY_END);
			printf("supervisor: restarted faulty for the last time (%s)\n", keel_strerror(err));
			return err == KERR_OK ? 0 : 1;
		}
		printf("supervisor: restarted faulty (%s)\n", keel_strerror(err));
	}
}
