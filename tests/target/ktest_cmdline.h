/* ktest_cmdline.h — options for test builds, read from QEMU's -append via semihosting. */
#ifndef KTEST_CMDLINE_H
#define KTEST_CMDLINE_H

#include <stdbool.h>

/* Value of "key=value" on the command line (up to the next space), or NULL. Static storage. */
const char *ktest_cmdline_value(const char *key);
/* Is @name an element of the comma-separated @list (terminated by space or NUL)? "x_*" matches every name starting with "x_". */
bool ktest_cmdline_list_has(const char *list, const char *name);
/* Perform actions the command line asks for before the tests (ktest.panic=...). */
void ktest_cmdline_actions(void);

#endif
