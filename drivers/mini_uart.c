/* mini_uart.c — polled output on the BCM2711 mini UART (UART1); runs before the MMU is on too. */
#include "mini_uart.h"
#include "periph_mini_uart.h"

static MINI_UART_AUX_Type *aux;

/*
 * With enable_uart=1 and the mini UART as the primary UART (the Pi 4's default), the firmware
 * has set it up and fixed the core clock its baud rate derives from: keep that. Otherwise
 * (disabled) enable it, 8 bits, @baud from @core_clock_hz.
 */
void mini_uart_init(uintptr_t aux_base, uint32_t core_clock_hz, uint32_t baud)
{
	aux = (MINI_UART_AUX_Type *)aux_base;
	if (aux->ENABLES & AUX_ENABLES_MINI_UART_Msk)
		return;
	aux->ENABLES |= AUX_ENABLES_MINI_UART_Msk;
	aux->CNTL = 0;
	aux->IER = 0;
	aux->LCR = AUX_MU_LCR_8BIT;
	aux->MCR = 0;
	aux->BAUD = core_clock_hz / (8U * baud) - 1U;
	aux->CNTL = AUX_MU_CNTL_TX_RX;
}

void mini_uart_set_base(uintptr_t aux_base)
{
	aux = (MINI_UART_AUX_Type *)aux_base;
}

void mini_uart_putc(char c)
{
	if (!aux)
		return;
	while (!(aux->LSR & AUX_MU_LSR_TX_EMPTY_Msk))
		;
	aux->IO = (uint32_t)(unsigned char)c;
}

/* @n bytes, each '\n' sent as CR LF (the console's line ending), in one loop (as pl011_write). */
void mini_uart_write(const char *s, size_t n)
{
	MINI_UART_AUX_Type *a = aux;

	if (!a)
		return;
	for (const char *end = s + n; s < end; s++) {
		if (*s == '\n') {
			while (!(a->LSR & AUX_MU_LSR_TX_EMPTY_Msk))
				;
			a->IO = '\r';
		}
		while (!(a->LSR & AUX_MU_LSR_TX_EMPTY_Msk))
			;
		a->IO = (uint32_t)(unsigned char)*s;
	}
}
