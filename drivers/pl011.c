/* pl011.c — polled output on an ARM PL011 UART; firmware or QEMU has set the baud rate. */
#include "pl011.h"
#include "periph_pl011.h"

static PL011_Type *uart;

void pl011_init(uintptr_t base)
{
	uart = (PL011_Type *)base;
	/* Keep the firmware's baud rate; make sure the transmitter is on, FIFOs enabled. */
	uart->CR |= PL011_CR_UARTEN_Msk | PL011_CR_TXE_Msk;
	uart->LCR_H |= PL011_LCR_H_FEN_Msk | PL011_LCR_H_WLEN_Msk;
}

void pl011_set_base(uintptr_t base)
{
	uart = (PL011_Type *)base;
}

void pl011_putc(char c)
{
	if (!uart)
		return;
	while (uart->FR & PL011_FR_TXFF_Msk)
		;
	uart->DR = (uint32_t)(unsigned char)c;
}
