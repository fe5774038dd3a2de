/* ktest.h — the in-kernel test suite: tests register with KTEST() and run at boot in test builds. */
#ifndef KEEL_KTEST_H
#define KEEL_KTEST_H

#include <stdbool.h>

struct ktest {
	const char *name;
	void (*fn)(void);
};

#define KTEST(test_name)                                                                       \
	static void ktest_fn_##test_name(void);                                                \
	static const struct ktest ktest_##test_name                                            \
		__attribute__((used, section(".ktest"))) = {#test_name, ktest_fn_##test_name}; \
	static void ktest_fn_##test_name(void)

/* Record a failure of the running test (it continues, so one run shows every failure). */
void ktest_fail(const char *file, int line, const char *what);

#define KTEST_EXPECT(cond)                                     \
	do {                                                   \
		if (!(cond))                                   \
			ktest_fail(__FILE__, __LINE__, #cond); \
	} while (0)

/* Run every registered test (or those the command line selects); returns the number failed. */
int ktest_run_all(void);

#endif
