/* cache.h — cache maintenance by VA, for code the kernel writes and user space then executes. */
#ifndef CACHE_H
#define CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "cmsis_aarch64.h"

/* Smallest D-cache and I-cache line sizes (CTR_EL0.DminLine, IminLine are log2 of words). */
static inline size_t cache_dline(void)
{
	return 4U << ((__MRS(CTR_EL0) >> 16) & 0xFU);
}

/*
 * Make instructions written through the D-cache at [va, va + len) visible to instruction
 * fetch (ARM ARM B2.4.4): clean the D-cache to the point of unification, then invalidate
 * the whole I-cache (inner shareable), with the barriers in between.
 */
static inline void cache_sync_icache(uintptr_t va, size_t len)
{
	size_t line = cache_dline();

	for (uintptr_t p = va & ~(uintptr_t)(line - 1); p < va + len; p += line)
		__asm__ volatile("dc cvau, %0" ::"r"(p) : "memory");
	__DSB_ISH();
	__asm__ volatile("ic ialluis" ::: "memory");
	__DSB_ISH();
	__ISB();
}

/* Clean [va, va + len) to the point of coherency, for a reader with its caches off. */
static inline void cache_clean_poc(uintptr_t va, size_t len)
{
	size_t line = cache_dline();

	for (uintptr_t p = va & ~(uintptr_t)(line - 1); p < va + len; p += line)
		__asm__ volatile("dc cvac, %0" ::"r"(p) : "memory");
	__DSB();
}

#endif
