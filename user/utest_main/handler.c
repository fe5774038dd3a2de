/*
 * handler.c — thread "handler" of configs/utest.yaml, the fault handler of "crasher": each
 * fault must arrive as notification bit 63 with the thread stopped; it restarts the thread,
 * which then takes the next kind of fault (user/utest_crash/main.c), and at last exits.
 */
#include <keel/kinfo.h>
#include <system_tables.h>
#include <utest.h>

#define MS 1000000ull

int handler_main(void);

static const char *const kinds[] = {"data abort", "undefined instruction", "unaligned LDXR",
				    "write to read-only text"};

static struct keel_info info;

static const struct kinfo_thread *crasher(void)
{
	if (keel_kernel_info(&info, sizeof(info), NULL) != KERR_OK)
		return NULL;
	return &info.thread[SYS_THREAD_CRASHER];
}

int handler_main(void)
{
	char name[96];
	const struct kinfo_thread *c;
	uint64_t now = 0, bits;

	for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		enum kerr err = keel_clock_now(&now);

		bits = 0;
		if (err == KERR_OK)
			err = keel_wait(KEEL_NOTIFY_FAULT, now + 500 * MS, &bits);
		snprintf(name, sizeof(name), "fault: %s notifies the fault handler with bit 63", kinds[k]);
		UTEST_CHECK(err == KERR_OK && bits == KEEL_NOTIFY_FAULT, name, "%s, bits %llx",
			    keel_strerror(err), (unsigned long long)bits);
		c = crasher();
		snprintf(name, sizeof(name), "fault: %s stops the thread (state FAULTED, fault count %u)",
			 kinds[k], k + 1);
		UTEST_CHECK(c && c->state == KINFO_FAULTED && c->faults == k + 1, name, "state %u, faults %u",
			    c ? c->state : 99u, c ? c->faults : 0u);
		err = keel_thread_restart(SYS_THREAD_CRASHER);
		snprintf(name, sizeof(name), "fault: restart after %s -> OK", kinds[k]);
		UTEST_CHECK(err == KERR_OK, name, "%s", keel_strerror(err));
	}
	/* The last restart runs to the end: the thread exits without another fault. */
	for (unsigned i = 0; i < 100; i++) {
		c = crasher();
		if (!c || c->state == KINFO_EXITED)
			break;
		if (keel_clock_now(&now) != KERR_OK || keel_sleep_until(now + MS) != KERR_OK)
			break;
	}
	UTEST_CHECK(c && c->state == KINFO_EXITED && c->restarts == 4 && c->faults == 4,
		    "fault: the restarted thread runs again and exits", "state %u, restarts %u, faults %u",
		    c ? c->state : 99u, c ? c->restarts : 0u, c ? c->faults : 0u);
	bits = 0;
	UTEST_CHECK(keel_wait(KEEL_NOTIFY_FAULT, 0, &bits) == KERR_TIMEOUT,
		    "fault: no further fault notification", "bits %llx", (unsigned long long)bits);
	utest_shared()->done_crash = 1;
	return 0;
}
