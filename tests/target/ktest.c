/* ktest.c — runner of the in-kernel test suite: one result line per test, then a summary. */
#include "cmsis_aarch64.h"
#include "keel/ktest.h"
#include "keel/kstring.h"
#include "keel/printk.h"
#include "ktest_cmdline.h"

extern const struct ktest __ktest_start[], __ktest_end[];

static int current_failures;

void ktest_fail(const char *file, int line, const char *what)
{
	current_failures++;
	printk("ktest:   %s:%d: expected %s\n", file, line, what);
}

int ktest_run_all(void)
{
	const char *filter = ktest_cmdline_value("ktest.only");
	int passed = 0, failed = 0;

	ktest_cmdline_actions();
	/* Linker-made bounds of the .ktest section: count by address, not by comparing arrays. */
	size_t count = ((uintptr_t)__ktest_end - (uintptr_t)__ktest_start) / sizeof(struct ktest);

	for (size_t i = 0; i < count; i++) {
		const struct ktest *t = &__ktest_start[i];

		if (filter && !ktest_cmdline_list_has(filter, t->name))
			continue;
		current_failures = 0;
		t->fn();
		printk("ktest: %s %s\n", current_failures ? "FAIL" : "PASS", t->name);
		if (current_failures)
			failed++;
		else
			passed++;
	}
	printk("ktest: %d passed, %d failed\n", passed, failed);
	return failed;
}
