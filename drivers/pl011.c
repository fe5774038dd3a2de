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

/*
 * Program 8N1 at @baud from a UART reference clock of @clock_hz, for boards whose firmware does
 * not set up this UART (the Pi's firmware sets up only its primary UART, by default the mini
 * UART). Divisor = clock / (16 * baud) in 16.6 fixed point, rounded (PL011 TRM 3.3.6); the
 * line control write after IBRD/FBRD latches them. Called before the MMU is on.
 */
void pl011_set_baud(uint32_t clock_hz, uint32_t baud)
{
	uint64_t div64 = ((uint64_t)clock_hz * 4U + baud / 2U) / baud; /* 64 * clock / (16 * baud) */

	while (uart->FR & PL011_FR_BUSY_Msk)
		;
	uart->CR = 0;
	uart->IBRD = (uint32_t)(div64 >> 6);
	uart->FBRD = (uint32_t)(div64 & 0x3FU);
	uart->LCR_H = PL011_LCR_H_FEN_Msk | PL011_LCR_H_WLEN_Msk;
	uart->CR = PL011_CR_UARTEN_Msk | PL011_CR_TXE_Msk | PL011_CR_RXE_Msk;
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

/*
 * @n bytes, each '\n' sent as CR LF (the console's line ending), in one loop: a debug_write piece
 * runs with IRQs masked, and a pl011_putc() call per byte cost twice the instructions.
 */
void pl011_write(const char *s, size_t n)
{
	PL011_Type *u = uart;

	if (!u)
		return;
	for (const char *end = s + n; s < end; s++) {
		if (*s == '\n') {
			while (u->FR & PL011_FR_TXFF_Msk)
				;
			u->DR = '\r';
		}
		while (u->FR & PL011_FR_TXFF_Msk)
			;
		u->DR = (uint32_t)(unsigned char)*s;
	}
}
