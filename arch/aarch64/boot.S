/* boot.S — kernel entry: arm64 Image header, park secondaries, EL2->EL1 drop, stack, BSS. */
#include "cmsis_aarch64.h"

	.section .text.head, "ax"
	.globl _head
/*
 * arm64 Image header (Linux Documentation/arch/arm64/booting.rst), so QEMU -kernel and
 * U-Boot booti load this image the same way: at a 2 MiB aligned RAM base + text_offset.
 */
_head:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	__image_size		/* image_size: file + BSS, from the linker script */
	.quad	0x2			/* flags: little endian, 4 KiB pages, 2 MiB aligned base */
	.quad	0, 0, 0			/* res2..res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE/COFF header */

	.section .text.boot, "ax"
primary_entry:
	mov	x19, x0			/* x0 = DTB physical address (or 0) */

	/* Only the core with MPIDR affinity 0.0.0 boots; the rest park until SMP support. */
	mrs	x1, mpidr_el1
	and	x1, x1, #0xffffff
	cbnz	x1, park

	mrs	x20, CurrentEL
	lsr	x20, x20, #2		/* x20 = entry EL, kept for the boot log */
	cmp	x20, #2
	b.eq	from_el2
	cmp	x20, #1
	b.eq	el1_entry
	b	el_unsupported		/* EL3: Keel needs firmware below it (TF-A, QEMU without secure=on) */

from_el2:
	/* EL1 is AArch64; EL1 owns the physical timer and counter; no virtual offset. */
	mov	x1, #HCR_EL2_RW_Msk
	msr	hcr_el2, x1
	mov	x1, #3
	msr	cnthctl_el2, x1
	msr	cntvoff_el2, xzr
	/* GICv3: enable the system-register interface for EL1 (ICC_SRE_EL2.{Enable,SRE}). */
	mrs	x1, id_aa64pfr0_el1
	ubfx	x1, x1, #ID_AA64PFR0_GIC_Pos, #4
	cbz	x1, 1f
	mov	x1, #0xf
	msr	S3_4_C12_C9_5, x1	/* ICC_SRE_EL2 */
1:	msr	vttbr_el2, xzr
	ldr	x1, =SCTLR_EL1_RES1
	msr	sctlr_el1, x1
	mov	x1, #SPSR_EL1h_DAIF_MASKED
	msr	spsr_el2, x1
	adr	x1, el1_entry
	msr	elr_el2, x1
	isb
	eret

el1_entry:
	adrp	x1, boot_stack_top
	add	x1, x1, :lo12:boot_stack_top
	mov	sp, x1
	adrp	x1, exception_vectors
	add	x1, x1, :lo12:exception_vectors
	msr	vbar_el1, x1
	isb

	/* Clear BSS (8-byte aligned by the linker script); the stack is in it but unused yet. */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
2:	cmp	x1, x2
	b.hs	3f
	str	xzr, [x1], #8
	b	2b
3:
	mov	x0, x19
	mov	x1, x20
	bl	kernel_main
	b	park

el_unsupported:
	adrp	x1, boot_stack_top
	add	x1, x1, :lo12:boot_stack_top
	mov	sp, x1
	mov	x0, x20
	bl	boot_unsupported_el
park:
	wfe
	b	park

	.section .bss.boot_stack, "aw", %nobits
	.balign	16
boot_stack:
	.space	CONFIG_KERNEL_STACK_SIZE
	.globl	boot_stack_top
boot_stack_top:
