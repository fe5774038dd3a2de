/* ktest_cmdline.c — test-build options from the QEMU command line (semihosting SYS_GET_CMDLINE). */
#include "cmsis_aarch64.h"
#include "keel/kstring.h"
#include "keel/printk.h"
#include "ktest_cmdline.h"
#include "semihosting.h"

static char cmdline[256];
static bool cmdline_read;

static const char *get_cmdline(void)
{
	if (!cmdline_read) {
		uint64_t block[2] = {(uint64_t)(uintptr_t)cmdline, sizeof(cmdline) - 1};
		if (__semihost(SEMIHOSTING_SYS_GET_CMDLINE, block) != 0)
			cmdline[0] = '\0';
		cmdline_read = true;
	}
	return cmdline;
}

const char *ktest_cmdline_value(const char *key)
{
	static char value[128];
	size_t klen = strlen(key);

	for (const char *p = get_cmdline(); (p = strstr_k(p, key)) != NULL; p += klen) {
		size_t n = 0;
		if ((p != cmdline && p[-1] != ' ') || p[klen] != '=')
			continue;
		p += klen + 1;
		while (p[n] && p[n] != ' ' && n < sizeof(value) - 1) {
			value[n] = p[n];
			n++;
		}
		value[n] = '\0';
		return value;
	}
	return NULL;
}

bool ktest_cmdline_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		size_t len = 0;

		while (p[len] && p[len] != ',' && p[len] != ' ')
			len++;
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		/* "prefix*" selects every test whose name starts with prefix. */
		if (len > 0 && p[len - 1] == '*' && len - 1 <= n && strncmp(p, name, len - 1) == 0)
			return true;
		if (p[len] == ' ')
			break;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

void ktest_cmdline_actions(void)
{
	const char *what = ktest_cmdline_value("ktest.panic");

	if (ktest_cmdline_value("ktest.hang")) {
		/* Lets the host runner prove that a hung guest fails by its timeout. */
		printk("ktest: hanging on purpose\n");
		for (;;)
			__NOP();
	}
	if (!what)
		return;
	/* Deliberately unhandled faults: the host runner checks the report and the exit status. */
	printk("ktest: provoking an unhandled exception: %s\n", what);
	if (strcmp(what, "brk") == 0)
		__BRK_TEST();
	else if (strcmp(what, "undef") == 0)
		__UDF_TEST();
	printk("ktest: unknown ktest.panic=%s (use brk or undef)\n", what);
}
