/* usercopy.h — user memory access for space.c and latency.c: copy blocks between kernel and user memory, EL0 access probes. */
#ifndef USERCOPY_H
#define USERCOPY_H

#include <stdbool.h>
#include <stdint.h>

#include "cmsis_aarch64.h"

/*
 * Copy one 32-byte block, both addresses 8-byte aligned: two LDP/STP pairs, so that copying a
 * kernel_info reply (1.1 KiB) with IRQs masked costs about 5 instructions per 32 bytes. The
 * asm keeps the compiler from splitting, merging or moving the accesses (they must stay in the
 * PAN window and user memory may be Device memory, where only aligned accesses are allowed).
 */
static inline void usercopy_block32(volatile void *dst, const volatile void *src)
{
	uint64_t a, b, c, d;

	__asm__ volatile("ldp %0, %1, [%4]\n"
			 "	ldp %2, %3, [%4, #16]\n"
			 "	stp %0, %1, [%5]\n"
			 "	stp %2, %3, [%5, #16]"
			 : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d)
			 : "r"(src), "r"(dst)
			 : "memory");
}

/*
 * Copy one 64-byte block, both addresses 8-byte aligned: as usercopy_block32(), four LDP/STP
 * pairs, for the latency record of kernel_info (584 bytes in one part, IRQs masked).
 */
static inline void usercopy_block64(volatile void *dst, const volatile void *src)
{
	uint64_t a, b, c, d, e, f, g, h;

	__asm__ volatile("ldp %0, %1, [%8]\n"
			 "	ldp %2, %3, [%8, #16]\n"
			 "	ldp %4, %5, [%8, #32]\n"
			 "	ldp %6, %7, [%8, #48]\n"
			 "	stp %0, %1, [%9]\n"
			 "	stp %2, %3, [%9, #16]\n"
			 "	stp %4, %5, [%9, #32]\n"
			 "	stp %6, %7, [%9, #48]"
			 : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d), "=&r"(e), "=&r"(f), "=&r"(g), "=&r"(h)
			 : "r"(src), "r"(dst)
			 : "memory");
}

/*
 * kernel_info's latency parts (latency.c): raise two of the user's maxima at @umax to the
 * kernel's at @k (LDP, CMP/CSEL, STP: 3.5 instructions a value, a C loop took 8), and in
 * usercopy_copy_max2() also copy the kernel's two to @ucopy; each pointer then moves on by two
 * values (post-indexed addressing, so that a loop of these needs no other address arithmetic).
 * All addresses 8-byte aligned; the user accesses stay in the caller's PAN window, as in
 * usercopy_block32().
 */
static inline void usercopy_max2(volatile uint64_t **umax, uint64_t **k)
{
	uint64_t a, b, c, d;

	__asm__ volatile("ldp %0, %1, [%4], #16\n"
			 "	ldp %2, %3, [%5]\n"
			 "	cmp %0, %2\n"
			 "	csel %2, %0, %2, hi\n"
			 "	cmp %1, %3\n"
			 "	csel %3, %1, %3, hi\n"
			 "	stp %2, %3, [%5], #16"
			 : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d), "+r"(*k), "+r"(*umax)
			 :
			 : "cc", "memory");
}

static inline void usercopy_copy_max2(volatile uint64_t **ucopy, volatile uint64_t **umax, uint64_t **k)
{
	uint64_t a, b, c, d;

	__asm__ volatile("ldp %0, %1, [%4], #16\n"
			 "	ldp %2, %3, [%5]\n"
			 "	stp %0, %1, [%6], #16\n"
			 "	cmp %0, %2\n"
			 "	csel %2, %0, %2, hi\n"
			 "	cmp %1, %3\n"
			 "	csel %3, %1, %3, hi\n"
			 "	stp %2, %3, [%5], #16"
			 : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d), "+r"(*k), "+r"(*umax), "+r"(*ucopy)
			 :
			 : "cc", "memory");
}

/* The first CPU's maxima: copied to @ucopy (if not NULL) and @umax, not raised (usercopy_max2()). */
static inline void usercopy_set2(volatile uint64_t **ucopy, volatile uint64_t **umax, uint64_t **k)
{
	uint64_t a, b;

	if (*ucopy)
		__asm__ volatile("ldp %0, %1, [%2], #16\n"
				 "	stp %0, %1, [%3], #16\n"
				 "	stp %0, %1, [%4], #16"
				 : "=&r"(a), "=&r"(b), "+r"(*k), "+r"(*umax), "+r"(*ucopy)
				 :
				 : "memory");
	else
		__asm__ volatile("ldp %0, %1, [%2], #16\n"
				 "	stp %0, %1, [%3], #16"
				 : "=&r"(a), "=&r"(b), "+r"(*k), "+r"(*umax)
				 :
				 : "memory");
}

/*
 * May EL0 read (or write) @va through the tables TTBR0 holds now? AT S1E0R/S1E0W runs the stage 1
 * walk with EL0's permission check (PAN plays no part in it) and reports the result in PAR_EL1:
 * F (bit 0) set is a fault. The ISB orders the read of PAR_EL1 after the AT (Linux's KVM does
 * the same). About 7 instructions a page, against ~25 a page plus ~50 a walk in software.
 */
#define PAR_EL1_F_Msk (1ULL << 0)

static inline bool usercopy_el0_may(uintptr_t va, bool write)
{
	if (write)
		__asm__ volatile("at s1e0w, %0" ::"r"(va) : "memory");
	else
		__asm__ volatile("at s1e0r, %0" ::"r"(va) : "memory");
	__ISB();
	return (__MRS(PAR_EL1) & PAR_EL1_F_Msk) == 0;
}

#endif
