/* pl011.h — polled PL011 UART driver. */
#ifndef DRIVERS_PL011_H
#define DRIVERS_PL011_H

#include <stddef.h>
#include <stdint.h>

void pl011_init(uintptr_t base);
void pl011_set_base(uintptr_t base);
void pl011_set_baud(uint32_t clock_hz, uint32_t baud);
void pl011_putc(char c);
/* @n bytes, each '\n' as CR LF. */
void pl011_write(const char *s, size_t n);

#endif
