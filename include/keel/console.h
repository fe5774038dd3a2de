/* console.h — the kernel's debug console (the board's UART). */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <stdint.h>

void console_init(void);
/* Move the console to another address of the same UART (e.g. its MMU mapping). */
void console_set_base(uintptr_t base);
void console_putc(char c);

#endif
