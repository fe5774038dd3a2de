/* console.c — the kernel console: the board's PL011 (or the Pi's mini UART), with '\n' sent as CR LF. */
#include "board.h"
#include "keel/console.h"
#ifdef BOARD_CONSOLE_MINI_UART
#include "../drivers/mini_uart.h"
#define console_raw_putc     mini_uart_putc
#define console_raw_write    mini_uart_write
#define console_raw_set_base mini_uart_set_base
#else
#include "../drivers/pl011.h"
#define console_raw_putc     pl011_putc
#define console_raw_write    pl011_write
#define console_raw_set_base pl011_set_base
#endif

/* Runs before the MMU is on (PREMMU_SRCS): physical addresses, and board hooks of that set only. */
void console_init(void)
{
#ifdef BOARD_HAS_CONSOLE_PINS
	board_console_pins(); /* e.g. the Pi: GPIO 14/15 to the console UART */
#endif
#ifdef BOARD_CONSOLE_MINI_UART
	mini_uart_init(BOARD_CONSOLE_BASE, BOARD_CORE_CLOCK_HZ, BOARD_UART_BAUD);
#else
	pl011_init(BOARD_CONSOLE_BASE);
#ifdef BOARD_UART_CLOCK_HZ
	pl011_set_baud(BOARD_UART_CLOCK_HZ, BOARD_UART_BAUD);
#endif
#endif
}

void console_set_base(uintptr_t base)
{
	console_raw_set_base(base);
}

void console_putc(char c)
{
	if (c == '\n')
		console_raw_putc('\r');
	console_raw_putc(c);
}

/* debug_write's pieces run with IRQs masked: the driver's loop, not a call per byte. */
void console_write(const char *s, size_t n)
{
	console_raw_write(s, n);
}
