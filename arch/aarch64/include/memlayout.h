/* memlayout.h — the kernel's virtual memory layout: where physical memory appears in the upper half. */
#ifndef MEMLAYOUT_H
#define MEMLAYOUT_H

/* Usable from C, assembly and the linker script (which knows no UL suffix). */
#ifdef __ASSEMBLY__
#define MEMLAYOUT_UL(x) x
#else
#define MEMLAYOUT_UL(x) x##UL
#endif

/*
 * TTBR1 translates the top 2^48 bytes of the address space (TCR_EL1.T1SZ = 16), four levels of
 * 4 KiB tables. TTBR0 (the low half) is left to user address spaces (issue 3).
 */
#define KERNEL_VA_BITS 48
#define KERNEL_VA_BASE MEMLAYOUT_UL(0xFFFF000000000000)

/*
 * Every kernel mapping -- the image, the RAM linear map and the device window -- sits at
 * PA + KERNEL_VA_OFFSET, so one addition converts either way. The image is linked for
 * BOARD_KERNEL_LOAD + KERNEL_VA_OFFSET and must be loaded at BOARD_KERNEL_LOAD (checked at boot).
 */
#define KERNEL_VA_OFFSET KERNEL_VA_BASE

#ifndef __ASSEMBLY__
#include <stdint.h>

/* Upper-half address of physical address @pa (RAM, kernel image or device window). */
static inline uintptr_t memlayout_va(uint64_t pa)
{
	return (uintptr_t)(pa + KERNEL_VA_OFFSET);
}

/* Physical address behind upper-half address @va. */
static inline uint64_t memlayout_pa(uintptr_t va)
{
	return (uint64_t)va - KERNEL_VA_OFFSET;
}
#endif

#endif /* MEMLAYOUT_H */
