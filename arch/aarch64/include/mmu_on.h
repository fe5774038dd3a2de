/* mmu_on.h — turning the MMU on at boot (assembly macro shared by the boot and secondary entries). */
#ifndef MMU_ON_H
#define MMU_ON_H

#include "mmu.h"

#ifdef __ASSEMBLY__
/* Assembler, not C: */
/* clang-format off */
/*
 * Turn the MMU on with the tables already in TTBR0/TTBR1 and jump to @target, an upper-half
 * address (ARM ARM: TLB contents are unknown out of reset, so invalidate them first, and the
 * instruction cache must not hold stale code for the new mappings). The ISB after the SCTLR
 * write makes the next fetch translated; it comes through the TTBR0 identity map until the
 * branch. Clobbers x1, x2.
 */
.macro MMU_ON_AND_JUMP target
	ldr	x2, =\target		/* absolute: the linked upper-half address */
	ldr	x1, =MMU_SCTLR_EL1_ON
	tlbi	vmalle1
	ic	iallu
	dsb	nsh
	isb
	msr	sctlr_el1, x1
	isb
	br	x2
.endm
/* clang-format on */
#endif

#endif
