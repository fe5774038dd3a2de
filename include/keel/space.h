/* space.h — user address spaces: TTBR0 translation tables with an ASID, from a static page pool. */
#ifndef KEEL_SPACE_H
#define KEEL_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keel/compiler.h"
#include "keel/kerr.h"
#include "keel/mdb.h"
#include "system_tables.h"

/*
 * A "frame" as the MDB passes it around: the physical page address with the memory type
 * (enum pte_memtype) in the low bits, so map/share/grant keep a device page a device page.
 */
#define SPACE_FRAME(pa, memtype) ((uint64_t)(pa) | (uint64_t)(memtype))
#define SPACE_FRAME_PA(frame)	 ((frame) & ~0xFFFULL)
#define SPACE_FRAME_TYPE(frame)	 ((unsigned)((frame)&0x7U))

/* User virtual addresses: [SPACE_VA_MIN, SPACE_VA_LIMIT); page 0 is never mapped. */
#define SPACE_VA_MIN   0x1000ULL
#define SPACE_VA_LIMIT (1ULL << 48)

/*
 * The two sizes come from the system description (pools.pt_pages, the spaces). Test builds
 * add room for the spaces and tables the in-kernel tests of this file make (the top ids).
 */
#ifdef CONFIG_KTEST
#define SPACE_TEST_SPACES 4U
#define SPACE_TEST_PAGES  24U
#else
#define SPACE_TEST_SPACES 0U
#define SPACE_TEST_PAGES  0U
#endif
#define SPACE_PT_POOL_PAGES (SYS_POOL_PT_COUNT + SPACE_TEST_PAGES)
#define SPACE_NR	    (SYS_NR_SPACES + SPACE_TEST_SPACES)

/* 8-bit ASIDs (TCR_EL1.AS = 0); ASID 0 is the empty TTBR0 table's, so ids go up to 254. */
#define SPACE_ID_MAX 254U

struct space {
	const char *name;
	unsigned id;	   /* index in the system description's space table */
	unsigned asid;	   /* 8-bit ASID, id + 1 (ASID 0 is never used by a space) */
	uint64_t root_pa;  /* level 0 table */
	uint32_t pt_limit; /* page-table pages this space may use (its quota) */
	uint32_t pt_used;
	uint32_t pt_reserved;	/* promised to map/share/grant calls that make their tables in pieces */
	uint64_t leaf_cache[2]; /* the last level 3 tables found (space.c: leaf_table()) */
	unsigned leaf_victim;	/* which of them the next miss replaces */
};

/*
 * Set up the static page-table pool (SPACE_PT_POOL_PAGES pages and their MDB slot arrays), then
 * space_cpu_init() for the calling (boot) CPU. Once, at boot, before any other space_ call.
 */
void space_pool_init(void);
uint32_t space_pool_free(void);

/*
 * Per-CPU register setup for user address spaces, on every CPU before it runs user code (the
 * boot CPU's is done by space_pool_init): TTBR0 = an empty table with ASID 0, TCR_EL1.EPD0 = 0
 * (TTBR0 walks on), and PSTATE.PAN = 1 with SCTLR_EL1.SPAN = 0 if the CPU implements PAN.
 */
void space_cpu_init(void);

/* Does this CPU implement PAN (ID_AA64MMFR1_EL1.PAN != 0)? */
bool space_has_pan(void);

/*
 * Initialise @s (which must be space_get(@id)) with a root table charged to its quota.
 * KERR_SPACE if @id >= SPACE_NR or > SPACE_ID_MAX, KERR_INVAL if @s is not space_get(@id),
 * KERR_EXISTS if it is already initialised, KERR_QUOTA if @pt_quota is 0, KERR_NO_MEMORY
 * if the pool is empty.
 */
enum kerr space_init(struct space *s, unsigned id, const char *name, uint32_t pt_quota) MUST_CHECK;

/* The space with description index @id (NULL if out of range). */
struct space *space_get(unsigned id);

/* Make @s the TTBR0 space of this CPU (TTBR0_EL1 = root | ASID; TLB entries are ASID-tagged). */
void space_activate(const struct space *s);

/* Back to the empty TTBR0 table (ASID 0): every lower-half access faults at level 0. */
void space_deactivate(void);

/*
 * Is [va, va + len) mapped in @s with EL0 read (and write, if @write) permission on every
 * page? Used to check every pointer a system call receives before the kernel touches it.
 * False if the range wraps, starts in page 0 or reaches SPACE_VA_LIMIT. len 0 is true for any
 * @va: a zero-length copy touches nothing. Work is one walk per page: bound @len first.
 */
bool space_user_range_ok(const struct space *s, uintptr_t va, size_t len, bool write);
/* The same answer for @s while it is the active space (TTBR0 of this CPU), by the MMU's own check. */
bool space_user_range_ok_active(const struct space *s, uintptr_t va, size_t len, bool write);

/*
 * Copy between kernel memory and the currently active space's user memory. The caller has
 * checked the range with space_user_range_ok(); these handle PAN if the CPU has it.
 */
void space_copy_from_user(void *dst, uintptr_t user_src, size_t len);
void space_copy_to_user(uintptr_t user_dst, const void *src, size_t len);

/* Physical frame (with memory type) and MDB rights of a present user PTE. */
bool space_lookup(const struct space *s, uint64_t vpn, uint64_t *frame, unsigned *rights);

/* Number of page-table pages that mapping [vpn, vpn + npages) in @s would add. */
uint32_t space_tables_needed(const struct space *s, uint64_t vpn, uint64_t npages);

/*
 * Check the pool and every initialised space: free list and count, each table in the pool and
 * reached once, per-space table counts equal pt_used and within the quota, every leaf a valid
 * user page (EL0, nG, PXN, never W+X) and slots set only where a PTE is present.
 * Returns NULL if all hold, else a description of the first violation.
 */
const char *space_check(void);

/* Changes to the pool or any table so far (CONFIG_DEBUG_CHECKS skips checks when it is unchanged). */
unsigned long space_generation(void);

#ifdef CONFIG_KTEST
/* Test support: take free pool pages away until only @keep are left; give them all back. */
void space_pool_hold(uint32_t keep);
void space_pool_release(void);
#endif

/*
 * The kernel side of include/keel/mdb_pt.h is implemented in space.c on top of these tables:
 * user pages are EL0-accessible, non-global (ASID-tagged), PXN, UXN unless MDB_X, read-only
 * unless MDB_W; every change follows the ARM ARM's break-before-make and TLB maintenance rules.
 */

#endif
