/* console.c — the kernel console: the board's PL011, with '\n' sent as CR LF. */
#include "board.h"
#include "keel/console.h"
#include "../drivers/pl011.h"

/* Runs before the MMU is on (PREMMU_SRCS): physical addresses, and board hooks of that set only. */
void console_init(void)
{
#ifdef BOARD_HAS_CONSOLE_PINS
	board_console_pins(); /* e.g. the Pi: GPIO 14/15 to the PL011 */
#endif
	pl011_init(BOARD_UART_BASE);
#ifdef BOARD_UART_CLOCK_HZ
	pl011_set_baud(BOARD_UART_CLOCK_HZ, BOARD_UART_BAUD);
#endif
}

void console_set_base(uintptr_t base)
{
	pl011_set_base(base);
}

void console_putc(char c)
{
	if (c == '\n')
		pl011_putc('\r');
	pl011_putc(c);
}
