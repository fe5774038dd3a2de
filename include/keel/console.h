/* console.h — the kernel's debug console (the board's UART). */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

void console_init(void);
/* Move the console to another address of the same UART (e.g. its MMU mapping). */
void console_set_base(uintptr_t base);
void console_putc(char c);
/* @n bytes, as console_putc each: one call for a whole piece of a debug_write. */
void console_write(const char *s, size_t n);

#endif
