/* boot.S — kernel entry: arm64 Image header, park secondaries, MMU/caches off, EL2->EL1 drop, BSS, MMU on, jump to the upper half. */
#include "cmsis_aarch64.h"
#include "el2.h"
#include "mmu.h"
#include "mmu_on.h"

/*
 * Until the branch to el1_high the MMU is off and this code runs at its physical load address,
 * while the kernel is linked in the upper half: only PC-relative addressing (adr, adrp) here,
 * except for the one deliberate absolute load of el1_high.
 */

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
	b.eq	from_el1
	b	el_unsupported		/* EL3: Keel needs firmware below it (TF-A, QEMU without secure=on) */

/*
 * The boot protocol asks for the MMU and the data cache off, but a loader may leave them on
 * (with an identity map, or we would not be running). Turn both off for the entry EL before
 * anything is written, so the tables built below are never written or walked through stale
 * translations; x21 keeps the entry SCTLR for the boot log. The image itself must have been
 * cleaned to PoC by the loader (the same protocol); its .data/.bss are cleaned below anyway.
 */
from_el1:
	mrs	x21, sctlr_el1
	bic	x1, x21, #SCTLR_EL1_M_Msk
	bic	x1, x1, #SCTLR_EL1_C_Msk
	msr	sctlr_el1, x1
	isb
	b	el1_entry

from_el2:
	mrs	x21, sctlr_el2		/* M and C sit at the same bits as in SCTLR_EL1 */
	bic	x1, x21, #SCTLR_EL1_M_Msk
	bic	x1, x1, #SCTLR_EL1_C_Msk
	msr	sctlr_el2, x1
	isb
	EL2_TO_EL1 el1_entry

el1_entry:
	adrp	x1, boot_stack_top
	add	x1, x1, :lo12:boot_stack_top
	mov	sp, x1
	/* Until the MMU is on, exceptions go to early_vectors (the kernel's own need the upper half). */
	adrp	x1, early_vectors
	add	x1, x1, :lo12:early_vectors
	msr	vbar_el1, x1
	isb

	/*
	 * With the MMU off, data accesses are Device-nGnRnE and bypass the caches, so what follows
	 * writes straight to memory. A bootloader that ran with caches on may have left lines of
	 * this range in a cache: a dirty one could later be written back over our tables, a clean
	 * one would shadow them once the caches are on. So clean and invalidate to PoC before
	 * writing: a dirty line of .data (a loader that did not clean the image) reaches memory,
	 * one of .bss is overwritten by the clearing below.
	 */
	adrp	x0, __data_start
	add	x0, x0, :lo12:__data_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
	bl	dcache_clean_inval_poc

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
	bl	console_init		/* PL011 at its physical address, for early messages */
	mov	x0, x19			/* the DTB: RAM bounds from its /memory node */
	bl	mmu_boot_setup		/* tables, MAIR, TCR, TTBR0/1 (mmu_boot.c); halts on error */

	/* Again, for lines fetched speculatively while the tables and stack were written. */
	adrp	x0, __data_start
	add	x0, x0, :lo12:__data_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
	bl	dcache_inval_poc

	MMU_ON_AND_JUMP el1_high

el1_high:
	/* Upper half from here: rebase the stack and the vectors to their linked addresses. */
	ldr	x1, =boot_stack_top
	mov	sp, x1
	msr	tpidr_el1, xzr		/* CPU index 0 (vectors.S finds this CPU's stack by it) */
	ldr	x1, =exception_vectors
	msr	vbar_el1, x1
	/* The identity map is finished: no TTBR0 walks until user address spaces (issue 3). */
	mrs	x1, tcr_el1
	orr	x1, x1, #TCR_EPD0_Msk
	msr	tcr_el1, x1
	msr	ttbr0_el1, xzr
	isb
	tlbi	vmalle1			/* drop the identity map's TLB entries */
	dsb	nsh
	isb

	mov	x0, x19
	mov	x1, x20
	mov	x2, x21
	bl	kernel_main
	b	park

/*
 * The body of the two routines below: apply "dc \op" to every data cache line of [x0, x1), by
 * VA, then DSB. Leaf code, no stack; clobbers x0-x3.
 */
.macro DCACHE_RANGE op
	mrs	x3, ctr_el0
	ubfx	x3, x3, #CTR_EL0_DminLine_Pos, #4
	mov	x2, #4
	lsl	x2, x2, x3		/* smallest D-cache line in bytes */
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	cmp	x0, x1
	b.hs	2f
	dc	\op, x0
	add	x0, x0, x2
	b	1b
2:	dsb	sy
	ret
.endm

/* dcache_clean_inval_poc(start = x0, end = x1): clean and invalidate to the point of coherency. */
dcache_clean_inval_poc:
	DCACHE_RANGE civac

/* dcache_inval_poc(start = x0, end = x1): invalidate to the point of coherency. */
dcache_inval_poc:
	DCACHE_RANGE ivac

/*
 * Vectors for the time before the MMU is on: the regular path (vectors.S, exception.c) uses
 * upper-half addresses, so here every entry just reports the syndrome through the
 * position-independent early_exception() (boot_early.c) and stops.
 */
	.balign	0x800
early_vectors:
	.irp	vector, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign	0x80
	mov	x0, #\vector
	b	early_vector_common
	.endr
early_vector_common:
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	b	early_exception

el_unsupported:
	adrp	x1, boot_stack_top
	add	x1, x1, :lo12:boot_stack_top
	mov	sp, x1
	mov	x0, x20
	bl	boot_unsupported_el
park:
	wfe
	b	park

/* One kernel stack per CPU (DESIGN.md §2); CPU n's stack ends at kernel_stacks + (n + 1) * size. */
	.section .bss.kernel_stacks, "aw", %nobits
	.balign	16
	.globl	kernel_stacks
kernel_stacks:
boot_stack:
	.space	CONFIG_KERNEL_STACK_SIZE
	.globl	boot_stack_top
boot_stack_top:
	.space	CONFIG_KERNEL_STACK_SIZE * (CONFIG_NR_CPUS - 1)
