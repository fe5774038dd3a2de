/* test_printk.c — the formatter behaves the same in the kernel build as on the host. */
#include "keel/format.h"
#include "keel/kstring.h"
#include "keel/ktest.h"

KTEST(format_in_kernel)
{
	char buf[64];

	format_snprintf(buf, sizeof(buf), "%d|%5u|%-4x|%08lx|%c|%s", -42, 7U, 0xabU, 0xdeadUL, 'k', "ok");
	KTEST_EXPECT(strcmp(buf, "-42|    7|ab  |0000dead|k|ok") == 0);
	KTEST_EXPECT(format_snprintf(buf, 4, "%s", "truncated") == 9);
	KTEST_EXPECT(strcmp(buf, "tru") == 0);
}
