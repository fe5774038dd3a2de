/* periph_pl011.h — ARM PrimeCell UART (PL011) registers, CMSIS style (ARM DDI 0183). */
#ifndef PERIPH_PL011_H
#define PERIPH_PL011_H

#include <stddef.h>
#include "cmsis_aarch64.h"

typedef struct {
	__IOM uint32_t DR;	/* 0x000 Data */
	__IOM uint32_t RSR_ECR; /* 0x004 Receive status / error clear */
	uint32_t RESERVED0[4];	/* 0x008 */
	__IM uint32_t FR;	/* 0x018 Flag */
	uint32_t RESERVED1;	/* 0x01C */
	__IOM uint32_t ILPR;	/* 0x020 IrDA low-power counter */
	__IOM uint32_t IBRD;	/* 0x024 Integer baud rate divisor */
	__IOM uint32_t FBRD;	/* 0x028 Fractional baud rate divisor */
	__IOM uint32_t LCR_H;	/* 0x02C Line control */
	__IOM uint32_t CR;	/* 0x030 Control */
	__IOM uint32_t IFLS;	/* 0x034 Interrupt FIFO level select */
	__IOM uint32_t IMSC;	/* 0x038 Interrupt mask set/clear */
	__IM uint32_t RIS;	/* 0x03C Raw interrupt status */
	__IM uint32_t MIS;	/* 0x040 Masked interrupt status */
	__OM uint32_t ICR;	/* 0x044 Interrupt clear */
	__IOM uint32_t DMACR;	/* 0x048 DMA control */
} PL011_Type;

_Static_assert(offsetof(PL011_Type, FR) == 0x018, "PL011 FR offset");
_Static_assert(offsetof(PL011_Type, IBRD) == 0x024, "PL011 IBRD offset");
_Static_assert(offsetof(PL011_Type, CR) == 0x030, "PL011 CR offset");
_Static_assert(offsetof(PL011_Type, ICR) == 0x044, "PL011 ICR offset");

#define PL011_FR_BUSY_Pos 3U
#define PL011_FR_BUSY_Msk (1UL << PL011_FR_BUSY_Pos)
#define PL011_FR_RXFE_Pos 4U
#define PL011_FR_RXFE_Msk (1UL << PL011_FR_RXFE_Pos)
#define PL011_FR_TXFF_Pos 5U
#define PL011_FR_TXFF_Msk (1UL << PL011_FR_TXFF_Pos)

#define PL011_LCR_H_FEN_Pos  4U
#define PL011_LCR_H_FEN_Msk  (1UL << PL011_LCR_H_FEN_Pos)
#define PL011_LCR_H_WLEN_Pos 5U
#define PL011_LCR_H_WLEN_Msk (3UL << PL011_LCR_H_WLEN_Pos) /* 0b11 = 8 bits */

#define PL011_CR_UARTEN_Pos 0U
#define PL011_CR_UARTEN_Msk (1UL << PL011_CR_UARTEN_Pos)
#define PL011_CR_TXE_Pos    8U
#define PL011_CR_TXE_Msk    (1UL << PL011_CR_TXE_Pos)
#define PL011_CR_RXE_Pos    9U
#define PL011_CR_RXE_Msk    (1UL << PL011_CR_RXE_Pos)

#endif /* PERIPH_PL011_H */
