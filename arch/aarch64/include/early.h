/* early.h — console messages and stops for the boot path before the MMU is on (see boot_early.c). */
#ifndef EARLY_H
#define EARLY_H

#include <stdint.h>

void early_puts(const char *s);
void early_put_hex(uint64_t v);

/* Stop the boot: exit QEMU with PANIC_EXIT_STATUS in semihosting builds, else wait forever. */
void early_halt(void) __attribute__((noreturn));

/* Print "Keel: boot failed: @what 0x@value" and halt. */
void early_fatal(const char *what, uint64_t value) __attribute__((noreturn));

/* Called from boot.S's early_vectors for any exception before the MMU is on; reports and halts. */
void early_exception(unsigned vector, uint64_t esr, uint64_t elr, uint64_t far) __attribute__((noreturn));

#endif
