/* mini_uart.h — polled driver of the BCM2711 mini UART (UART1), the Pi's optional console. */
#ifndef DRIVERS_MINI_UART_H
#define DRIVERS_MINI_UART_H

#include <stddef.h>
#include <stdint.h>

/* @aux_base: the AUX block (0xFE21_5000 on the Pi 4); the UART's registers are at +0x40. */
void mini_uart_init(uintptr_t aux_base, uint32_t core_clock_hz, uint32_t baud);
void mini_uart_set_base(uintptr_t aux_base);
void mini_uart_putc(char c);
/* @n bytes, each '\n' as CR LF. */
void mini_uart_write(const char *s, size_t n);

#endif
