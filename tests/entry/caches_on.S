/*
 * caches_on.S — a test loader for QEMU virt (EL1 entry) that enters Keel the way a careless
 * bootloader might: MMU on (an identity map), D-cache and I-cache on, and dirty cache lines
 * over the kernel's .bss that were never cleaned to memory. Like U-Boot, it copies the Image
 * to its load address with the caches on and cleans it to PoC (the boot protocol's one demand).
 * Keel must turn the MMU and the D-cache off, clean/invalidate its .data/.bss and boot normally
 * (tests/run-all.sh). QEMU's loader puts the Image at IMAGE_SRC (QEMU keeps its DTB at the RAM
 * base when no -kernel is given, so the Image cannot be loaded at 0x40080000 directly).
 * Built with -DIMAGE_SRC= -DIMAGE_SIZE= -DKERNEL_ENTRY= -DDIRTY_START= -DDIRTY_END= (physical),
 * linked at 0x47000000.
 */
	.section .text
	.globl	_start
_start:
	/* MAIR: Attr0 Device-nGnRnE, Attr1 Normal write-back read/write-allocate. */
	mov	x0, #0xff00
	msr	mair_el1, x0
	/* TCR: T0SZ = 25 (39-bit VA, walk starts at level 1), WB walks, inner shareable, no TTBR1 walks, 40-bit PA. */
	ldr	x0, =((25 << 0) | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23) | (2 << 32))
	msr	tcr_el1, x0
	adr	x0, l1_table
	msr	ttbr0_el1, x0
	tlbi	vmalle1
	dsb	sy
	isb
	mrs	x0, sctlr_el1
	mov	x1, #((1 << 0) | (1 << 2))	/* M, C */
	orr	x1, x1, #(1 << 12)		/* I */
	orr	x0, x0, x1
	msr	sctlr_el1, x0
	isb

	/* Copy the Image through the cache, then clean it to PoC and drop stale instructions. */
	ldr	x0, =IMAGE_SRC
	ldr	x1, =KERNEL_ENTRY
	ldr	x3, =IMAGE_SIZE
	add	x3, x1, x3
3:	cmp	x1, x3
	b.hs	4f
	ldr	x2, [x0], #8
	str	x2, [x1], #8
	b	3b
4:	ldr	x1, =KERNEL_ENTRY
5:	cmp	x1, x3
	b.hs	6f
	dc	cvac, x1
	add	x1, x1, #64
	b	5b
6:	dsb	sy
	ic	iallu
	dsb	sy
	isb

	/* Dirty lines over the kernel's .bss: written through the cache, never cleaned. */
	ldr	x0, =DIRTY_START
	ldr	x1, =DIRTY_END
	ldr	x2, =0x5a5a5a5a5a5a5a5a
1:	cmp	x0, x1
	b.hs	2f
	str	x2, [x0], #8
	b	1b
2:	dsb	sy

	mov	x0, #0				/* no DTB: Keel uses the board's RAM size */
	ldr	x1, =KERNEL_ENTRY
	br	x1

	.ltorg
	.section .data
	.balign	4096
/* Level 1 blocks of 1 GiB: [0, 1 GiB) device (GIC, UART), [1 GiB, 2 GiB) normal RAM. */
l1_table:
	.quad	0x0000000000000401 | (3 << 53)	/* PA 0, AttrIndx 0, AF, PXN UXN */
	.quad	0x0000000040000705		/* PA 1 GiB, AttrIndx 1, inner shareable, AF */
	.fill	510, 8, 0
