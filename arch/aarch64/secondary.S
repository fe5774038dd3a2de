/* secondary.S — where a secondary CPU starts (PSCI CPU_ON): EL2->EL1, MMU on with the boot tables, jump high. */
#include "cmsis_aarch64.h"
#include "el2.h"
#include "mmu.h"
#include "mmu_on.h"

/*
 * Entered at the physical address with the MMU off, x0 = this CPU's index (the PSCI context
 * id). Until the branch to secondary_high only PC-relative addressing works. The MMU settings
 * are the ones CPU 0 runs with (smp_boot_regs, cleaned to the point of coherency by smp.c,
 * because this CPU reads them with its caches off); TTBR0 starts at the boot identity map so
 * that turning the MMU on does not pull the code out from under the PC.
 */
	.section .text.boot, "ax"
	.globl	secondary_entry
secondary_entry:
	mov	x19, x0
	mrs	x1, CurrentEL
	lsr	x1, x1, #2
	cmp	x1, #2
	b.ne	secondary_el1
	EL2_TO_EL1 secondary_el1

secondary_el1:
	adrp	x1, early_vectors_secondary
	add	x1, x1, :lo12:early_vectors_secondary
	msr	vbar_el1, x1
	adrp	x2, smp_boot_regs
	add	x2, x2, :lo12:smp_boot_regs
	ldp	x3, x4, [x2]		/* MAIR_EL1, TCR_EL1 */
	ldp	x5, x6, [x2, #16]	/* TTBR0 (identity map), TTBR1 */
	msr	mair_el1, x3
	msr	tcr_el1, x4
	msr	ttbr0_el1, x5
	msr	ttbr1_el1, x6
	isb
	MMU_ON_AND_JUMP secondary_high

secondary_high:
	msr	tpidr_el1, x19
	ldr	x1, =exception_vectors
	msr	vbar_el1, x1
	/* This CPU's kernel stack: kernel_stacks + (index + 1) * size (upper-half address). */
	add	x1, x19, #1
	ldr	x2, =CONFIG_KERNEL_STACK_SIZE
	mul	x1, x1, x2
	ldr	x2, =kernel_stacks
	add	x1, x1, x2
	mov	sp, x1
	mov	x0, x19
	bl	secondary_main
1:	wfe
	b	1b

/* Until the MMU is on, an exception on a secondary CPU can only stop it quietly. */
	.balign	0x800
early_vectors_secondary:
	.rept	16
	.balign	0x80
	b	.
	.endr
