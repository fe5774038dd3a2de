/* panic.h — stop the system with a message; never returns. */
#ifndef KEEL_PANIC_H
#define KEEL_PANIC_H

/* Exit status reported to QEMU (semihosting builds) when the kernel panics. */
#define PANIC_EXIT_STATUS 3

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define BUG_ON(cond)                                                             \
	do {                                                                     \
		if (__builtin_expect(!!(cond), 0))                               \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#endif
