/* console.c — the kernel console: the board's PL011, with '\n' sent as CR LF. */
#include "board.h"
#include "keel/console.h"
#include "../drivers/pl011.h"

void console_init(void)
{
	pl011_init(BOARD_UART_BASE);
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
