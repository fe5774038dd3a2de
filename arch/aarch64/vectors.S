/* vectors.S — the 16-entry EL1 exception vector table and the trap-frame save/restore. */
#include "trap_frame.h"

/*
 * Each entry saves x0/x1, puts its index in x0 and joins the common path, so every one of
 * the 16 entries is reported with its kind; none falls into an unhandled hole.
 */
.macro ventry kind
	.balign	0x80
	sub	sp, sp, #TF_SIZE
	stp	x0, x1, [sp, #TF_X0]
	mov	x0, #\kind
	b	exception_entry
.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.globl	exception_vectors
exception_vectors:
	ventry	0	/* current EL, SP0: sync */
	ventry	1	/* current EL, SP0: IRQ */
	ventry	2	/* current EL, SP0: FIQ */
	ventry	3	/* current EL, SP0: SError */
	ventry	4	/* current EL, SPx: sync */
	ventry	5	/* current EL, SPx: IRQ */
	ventry	6	/* current EL, SPx: FIQ */
	ventry	7	/* current EL, SPx: SError */
	ventry	8	/* lower EL, AArch64: sync */
	ventry	9	/* lower EL, AArch64: IRQ */
	ventry	10	/* lower EL, AArch64: FIQ */
	ventry	11	/* lower EL, AArch64: SError */
	ventry	12	/* lower EL, AArch32: sync */
	ventry	13	/* lower EL, AArch32: IRQ */
	ventry	14	/* lower EL, AArch32: FIQ */
	ventry	15	/* lower EL, AArch32: SError */

exception_entry:
	stp	x2, x3, [sp, #TF_X0 + 2 * 8]
	stp	x4, x5, [sp, #TF_X0 + 4 * 8]
	stp	x6, x7, [sp, #TF_X0 + 6 * 8]
	stp	x8, x9, [sp, #TF_X0 + 8 * 8]
	stp	x10, x11, [sp, #TF_X0 + 10 * 8]
	stp	x12, x13, [sp, #TF_X0 + 12 * 8]
	stp	x14, x15, [sp, #TF_X0 + 14 * 8]
	stp	x16, x17, [sp, #TF_X0 + 16 * 8]
	stp	x18, x19, [sp, #TF_X0 + 18 * 8]
	stp	x20, x21, [sp, #TF_X0 + 20 * 8]
	stp	x22, x23, [sp, #TF_X0 + 22 * 8]
	stp	x24, x25, [sp, #TF_X0 + 24 * 8]
	stp	x26, x27, [sp, #TF_X0 + 26 * 8]
	stp	x28, x29, [sp, #TF_X0 + 28 * 8]
	mrs	x2, sp_el0
	stp	x30, x2, [sp, #TF_X30]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #TF_ELR]
	mrs	x2, esr_el1
	mrs	x3, far_el1
	stp	x2, x3, [sp, #TF_ESR]

	mov	x1, x0			/* vector index */
	mov	x0, sp			/* struct trap_frame * */
	cmp	x1, #8
	b.hs	from_lower_el
	bl	exception_dispatch
	b	exception_return

/*
 * From EL0, SP_EL1 pointed just above the running thread's saved-context area, so the frame
 * above now lies in its TCB. Handle the exception on the CPU's kernel stack (one per CPU,
 * DESIGN.md §2), then resume whichever frame the scheduler returns.
 */
from_lower_el:
	mrs	x2, tpidr_el1		/* this CPU's index (smp.c) */
	add	x2, x2, #1
	ldr	x3, =CONFIG_KERNEL_STACK_SIZE
	mul	x2, x2, x3
	adrp	x3, kernel_stacks
	add	x3, x3, :lo12:kernel_stacks
	add	x2, x2, x3
	mov	sp, x2
	bl	exception_from_user
	/* fall through */
	.globl	arch_enter_user
arch_enter_user:
	mov	sp, x0

exception_return:
	/* The handler may have changed ELR/SPSR (skip a faulting instruction, switch thread). */
	ldp	x2, x3, [sp, #TF_ELR]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x30, x2, [sp, #TF_X30]
	msr	sp_el0, x2
	ldp	x2, x3, [sp, #TF_X0 + 2 * 8]
	ldp	x4, x5, [sp, #TF_X0 + 4 * 8]
	ldp	x6, x7, [sp, #TF_X0 + 6 * 8]
	ldp	x8, x9, [sp, #TF_X0 + 8 * 8]
	ldp	x10, x11, [sp, #TF_X0 + 10 * 8]
	ldp	x12, x13, [sp, #TF_X0 + 12 * 8]
	ldp	x14, x15, [sp, #TF_X0 + 14 * 8]
	ldp	x16, x17, [sp, #TF_X0 + 16 * 8]
	ldp	x18, x19, [sp, #TF_X0 + 18 * 8]
	ldp	x20, x21, [sp, #TF_X0 + 20 * 8]
	ldp	x22, x23, [sp, #TF_X0 + 22 * 8]
	ldp	x24, x25, [sp, #TF_X0 + 24 * 8]
	ldp	x26, x27, [sp, #TF_X0 + 26 * 8]
	ldp	x28, x29, [sp, #TF_X0 + 28 * 8]
	ldp	x0, x1, [sp, #TF_X0]
	add	sp, sp, #TF_SIZE
	eret
