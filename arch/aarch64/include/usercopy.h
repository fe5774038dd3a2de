/* usercopy.h — 32 bytes per step between kernel and user memory, for space_copy_*_user(). */
#ifndef USERCOPY_H
#define USERCOPY_H

#include <stdint.h>

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

#endif
