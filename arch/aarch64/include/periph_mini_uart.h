/* periph_mini_uart.h — the BCM2711 mini UART (UART1 in the AUX block), CMSIS style (BCM2711 ARM Peripherals, 2.2). */
#ifndef PERIPH_MINI_UART_H
#define PERIPH_MINI_UART_H

#include <stddef.h>
#include "cmsis_aarch64.h"

/* The AUX block: its enable register sits 0x40 below the mini UART's registers. */
typedef struct {
	__IM uint32_t IRQ;	/* 0x00 AUX_IRQ */
	__IOM uint32_t ENABLES; /* 0x04 AUX_ENABLES */
	uint32_t RESERVED0[14];
	__IOM uint32_t IO;  /* 0x40 AUX_MU_IO_REG: data */
	__IOM uint32_t IER; /* 0x44 interrupt enable */
	__IOM uint32_t IIR; /* 0x48 interrupt identify / FIFO clear */
	__IOM uint32_t LCR; /* 0x4C line control */
	__IOM uint32_t MCR; /* 0x50 modem control */
	__IM uint32_t LSR;  /* 0x54 line status */
	__IM uint32_t MSR;  /* 0x58 modem status */
	__IOM uint32_t SCRATCH;
	__IOM uint32_t CNTL; /* 0x60 extra control: transmitter/receiver enable */
	__IM uint32_t STAT;  /* 0x64 */
	__IOM uint32_t BAUD; /* 0x68 baud rate: core clock / (8 * (BAUD + 1)) */
} MINI_UART_AUX_Type;

_Static_assert(offsetof(MINI_UART_AUX_Type, IO) == 0x40, "AUX_MU_IO_REG offset");
_Static_assert(offsetof(MINI_UART_AUX_Type, LSR) == 0x54, "AUX_MU_LSR_REG offset");
_Static_assert(offsetof(MINI_UART_AUX_Type, BAUD) == 0x68, "AUX_MU_BAUD_REG offset");

#define AUX_ENABLES_MINI_UART_Msk (1UL << 0)
#define AUX_MU_LSR_TX_EMPTY_Msk	  (1UL << 5) /* the transmit FIFO can accept a byte */
#define AUX_MU_LCR_8BIT		  3U
#define AUX_MU_CNTL_TX_RX	  3U /* receiver and transmitter enable */

#endif /* PERIPH_MINI_UART_H */
