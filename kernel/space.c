/* space.c — user address spaces: TTBR0 tables with an ASID from a static pool, and the MDB's page-table back end. */
#include "cmsis_aarch64.h"
#include "memlayout.h"
#include "mmu.h"
#include "pte.h"
#include "usercopy.h"
#include "keel/mdb_pt.h"
#include "keel/panic.h"
#include "keel/smp.h"
#include "keel/space.h"

_Static_assert(MDB_R == PTE_PROT_R && MDB_W == PTE_PROT_W && MDB_X == PTE_PROT_X,
	       "MDB rights are PTE_PROT_* values");
_Static_assert(SPACE_NR <= SPACE_ID_MAX + 1U, "every space needs its own 8-bit ASID");
_Static_assert(SPACE_NR <= MDB_MAX_SPACES, "space ids must fit an MDB entry");
_Static_assert(SPACE_PT_POOL_PAGES < (1U << 16), "pool indices are kept in 16 bits");

/*
 * The pool: table pages, and beside each one the MDB slot of each of its 512 PTEs (used only
 * when the page is a level 3 table; see docs/mapping.md). In .bss, so zero; a page is zero
 * whenever it is free, because tables are never freed while their space lives.
 */
static uint64_t pt_pool[SPACE_PT_POOL_PAGES][PTE_ENTRIES] __attribute__((aligned(PTE_TABLE_SIZE)));
static mdb_idx_t pt_slots[SPACE_PT_POOL_PAGES][PTE_ENTRIES];
static uint16_t pt_free_next[SPACE_PT_POOL_PAGES]; /* free list, threaded by page index */
static uint32_t pt_free_head, pt_free_count;
static uint32_t pt_reserved; /* free pages promised to calls that make tables in pieces (mdb_pt_reserve) */
#define PT_NIL 0xFFFFU

/* TTBR0 of a CPU that runs no space: an empty level 0 table, so every lower-half walk faults. */
static uint64_t empty_root[PTE_ENTRIES] __attribute__((aligned(PTE_TABLE_SIZE)));

static struct space spaces[SPACE_NR];

#ifdef CONFIG_KTEST
static uint32_t held_head = PT_NIL, held_count;
#endif

/* ---- pool ---- */

static uint64_t pool_pa(void)
{
	return memlayout_pa((uintptr_t)pt_pool);
}

void space_pool_init(void)
{
	for (uint32_t i = 0; i < SPACE_PT_POOL_PAGES; i++)
		pt_free_next[i] = (uint16_t)(i + 1U < SPACE_PT_POOL_PAGES ? i + 1U : PT_NIL);
	pt_free_head = 0;
	pt_free_count = SPACE_PT_POOL_PAGES;
	space_cpu_init();
}

uint32_t space_pool_free(void)
{
	return pt_free_count;
}

/* Counts every change to the pool or a table: CONFIG_DEBUG_CHECKS re-checks only after one. */
static unsigned long space_changes;

unsigned long space_generation(void)
{
	return space_changes;
}

/* O(1): the head of the free list. Callers have checked pt_free_count (prepare, then commit). */
static uint64_t pt_alloc(void)
{
	uint32_t i = pt_free_head;

	space_changes++;
	BUG_ON(i == PT_NIL);
	pt_free_head = pt_free_next[i];
	pt_free_count--;
	return pool_pa() + (uint64_t)i * PTE_TABLE_SIZE;
}

/* Pool index of the table at @pa, or -1 if @pa is not a pool page. */
static long pool_index(uint64_t pa)
{
	uint64_t base = pool_pa();

	if (pa < base || pa >= base + (uint64_t)SPACE_PT_POOL_PAGES * PTE_TABLE_SIZE ||
	    (pa & (PTE_TABLE_SIZE - 1U)))
		return -1;
	return (long)((pa - base) / PTE_TABLE_SIZE);
}

static uint64_t *table_va(uint64_t pa)
{
	return (uint64_t *)memlayout_va(pa);
}

#ifdef CONFIG_KTEST
void space_pool_hold(uint32_t keep)
{
	while (pt_free_count > keep) {
		uint32_t i = pt_free_head;

		pt_free_head = pt_free_next[i];
		pt_free_count--;
		pt_free_next[i] = (uint16_t)held_head;
		held_head = i;
		held_count++;
	}
}

void space_pool_release(void)
{
	while (held_head != PT_NIL) {
		uint32_t i = held_head;

		held_head = pt_free_next[i];
		held_count--;
		pt_free_next[i] = (uint16_t)pt_free_head;
		pt_free_head = i;
		pt_free_count++;
	}
}
#endif

/* ---- per-CPU registers ---- */

/* Read once per boot: every core of one system is assumed to be of one kind (Keel has no big.LITTLE support). */
static bool have_pan;

bool space_has_pan(void)
{
	return have_pan;
}

void space_cpu_init(void)
{
	/*
	 * TTBR0 first gets a valid (empty) table, then EPD0 is cleared: with EPD0 = 0 the walker
	 * may start speculative walks from TTBR0 at any time, and TTBR0 = 0 would make it read
	 * physical page 0 as a table. A register write takes effect only after a context
	 * synchronization event (ARM ARM D19.2, "Synchronization requirements for system
	 * registers"), hence an ISB after each step.
	 */
	__MSR(TTBR0_EL1, memlayout_pa((uintptr_t)empty_root));
	__ISB();
	__MSR(TCR_EL1, __MRS(TCR_EL1) & ~TCR_EPD0_Msk);
	__ISB();

	have_pan = (__MRS(ID_AA64MMFR1_EL1) & ID_AA64MMFR1_PAN_Msk) != 0;
	if (have_pan) {
		/* SPAN = 0: every exception taken to EL1 sets PAN, so the kernel runs with PAN on. */
		__MSR(SCTLR_EL1, __MRS(SCTLR_EL1) & ~SCTLR_EL1_SPAN_Msk);
		__ISB();
		__PAN_SET();
	}
}

/* ---- spaces ---- */

struct space *space_get(unsigned id)
{
	return id < SPACE_NR ? &spaces[id] : NULL;
}

/* An initialised space by id, for the MDB back end (NULL if none). */
static struct space *space_live(unsigned id)
{
	struct space *s = space_get(id);

	return s && s->root_pa ? s : NULL;
}

enum kerr space_init(struct space *s, unsigned id, const char *name, uint32_t pt_quota)
{
	if (id >= SPACE_NR || id > SPACE_ID_MAX)
		return KERR_SPACE;
	if (s != &spaces[id])
		return KERR_INVAL;
	if (s->root_pa)
		return KERR_EXISTS; /* its tables would be lost: they are never freed */
	if (pt_quota == 0)
		return KERR_QUOTA;
	if (pt_free_count == 0)
		return KERR_NO_MEMORY;
	s->name = name;
	s->id = id;
	s->asid = id + 1U; /* static and unique: never reused, so no ASID rollover or flush */
	s->pt_limit = pt_quota;
	s->pt_used = 1;
	s->root_pa = pt_alloc();
	return KERR_OK;
}

void space_activate(const struct space *s)
{
	/*
	 * Base and ASID change in one register write (TCR_EL1.A1 = 0: TTBR0 carries the ASID), so
	 * no walk can pair the new tables with the old ASID. User entries are non-global and tagged
	 * with their ASID, so no TLB maintenance is needed; the ISB makes the new TTBR0 apply to
	 * the instructions that follow.
	 */
	__MSR(TTBR0_EL1, mmu_ttbr0_value(s->root_pa, s->asid));
	__ISB();
}

void space_deactivate(void)
{
	__MSR(TTBR0_EL1, memlayout_pa((uintptr_t)empty_root));
	__ISB();
}

/* ---- walks ---- */

/*
 * The pool index of the level 3 table covering @va in @s, or PT_NIL if a table on the way is
 * missing (its PTEs are pt_pool[index], its MDB slots pt_slots[index]).
 * The last two tables found are remembered per space (a map within one space alternates
 * between source and destination): consecutive pages share them, and they never become
 * stale, because tables are never freed while their space lives. Each is one 64-bit word
 * (key << 32 | pool index), so a reader on another CPU sees a whole entry or none.
 */
#define LEAF_KEY_SHIFT (PTE_PAGE_SHIFT + 9U) /* one level 3 table maps 2 MiB; keys have 27 bits */

static uint32_t __attribute__((noinline)) leaf_walk(struct space *s, uint64_t va, uint64_t key)
{
	uint64_t pa = s->root_pa;
	uint32_t idx;

	for (unsigned level = 0; level < PTE_LEVELS - 1U; level++) {
		uint64_t desc = table_va(pa)[pte_index(va, level)];

		if (!pte_is_table(desc, level))
			return PT_NIL;
		pa = pte_addr(desc);
	}
	idx = (uint32_t)pool_index(pa);
	s->leaf_victim ^= 1U;
	__atomic_store_n(&s->leaf_cache[s->leaf_victim & 1U], key << 32 | (uint64_t)idx, __ATOMIC_RELAXED);
	return idx;
}

/* The walk cache alone: the pool index of the leaf table of @key, or PT_NIL if not cached. */
static inline uint32_t leaf_cached(const struct space *s, uint64_t key)
{
	uint64_t c0 = __atomic_load_n(&s->leaf_cache[0], __ATOMIC_RELAXED);
	uint64_t c1 = __atomic_load_n(&s->leaf_cache[1], __ATOMIC_RELAXED);

	_Static_assert(ARRAY_SIZE(s->leaf_cache) == 2, "two cached tables per space");
	if ((c0 >> 32) == key)
		return (uint32_t)(c0 & 0xFFFFU);
	if ((c1 >> 32) == key)
		return (uint32_t)(c1 & 0xFFFFU);
	return PT_NIL;
}

/* Inline: a hit is a few instructions, and every per-page path starts with one. */
static inline uint32_t leaf_index(const struct space *cs, uint64_t va)
{
	struct space *s = (struct space *)cs;	    /* the walk cache is not part of a space's value */
	uint64_t key = (va >> LEAF_KEY_SHIFT) + 1U; /* + 1: key 0 means empty */
	uint32_t idx = leaf_cached(s, key);

	return idx != PT_NIL ? idx : leaf_walk(s, va, key);
}

/* The same as a physical address, or 0 if a table on the way is missing. */
static uint64_t leaf_table(const struct space *s, uint64_t va)
{
	uint32_t idx = leaf_index(s, va);

	return idx == PT_NIL ? 0 : pool_pa() + (uint64_t)idx * PTE_TABLE_SIZE;
}

/* The level 3 descriptor of @va in @s (0 if there is none). */
static uint64_t leaf_desc(const struct space *s, uint64_t va)
{
	uint64_t l3 = leaf_table(s, va);

	return l3 ? table_va(l3)[pte_index(va, PTE_LEVELS - 1U)] : 0;
}

bool space_lookup(const struct space *s, uint64_t vpn, uint64_t *frame, unsigned *rights)
{
	uint64_t desc;
	unsigned prot;

	if (!s || !s->root_pa || vpn >= MDB_VPN_LIMIT)
		return false;
	desc = leaf_desc(s, vpn << PTE_PAGE_SHIFT);
	prot = pte_user_prot(desc);
	if (!prot)
		return false;
	*frame = SPACE_FRAME(pte_addr(desc), pte_memtype(desc));
	*rights = prot;
	return true;
}

/*
 * The level 3 table of @va in @s (NULL if there is none) by a walk that leaves the walk cache
 * alone: the one-off check of a user buffer (kernel_info, debug_write) must not evict the
 * tables a map or unmap of the same thread is working on (two walks, ~110 instructions, on
 * its next call).
 */
static const uint64_t *leaf_table_uncached(const struct space *s, uint64_t va)
{
	uint64_t pa = s->root_pa;

	for (unsigned level = 0; level < PTE_LEVELS - 1U; level++) {
		uint64_t desc = table_va(pa)[pte_index(va, level)];

		if (!pte_is_table(desc, level))
			return NULL;
		pa = pte_addr(desc);
	}
	return table_va(pa);
}

/*
 * One walk per level 3 table, not per page, and one mask test per page (what pte_user_prot()
 * decides for R, and W, in a single compare): the buffer check runs with IRQs masked.
 */
bool space_user_range_ok(const struct space *s, uintptr_t va, size_t len, bool write)
{
	const uint64_t per_table = pte_level_size(PTE_LEVELS - 2U) >> PTE_PAGE_SHIFT;
	const uint64_t need = PTE_VALID_Msk | PTE_TYPE_Msk | PTE_AP_EL0_Msk;
	const uint64_t need_msk = need | (write ? PTE_AP_RO_Msk : 0);
	uint64_t vpn, last;

	if (len == 0)
		return true;
	if (!s || !s->root_pa || va < SPACE_VA_MIN || va >= SPACE_VA_LIMIT || len > SPACE_VA_LIMIT - va)
		return false;
	vpn = va >> PTE_PAGE_SHIFT;
	last = (va + len - 1U) >> PTE_PAGE_SHIFT;
	while (vpn <= last) {
		const uint64_t *l3 = leaf_table_uncached(s, vpn << PTE_PAGE_SHIFT);
		uint64_t table_last = vpn | (per_table - 1U);

		if (!l3)
			return false;
		for (; vpn <= last && vpn <= table_last; vpn++)
			if ((l3[vpn & (per_table - 1U)] & need_msk) != need)
				return false;
	}
	return true;
}

/*
 * space_user_range_ok() for the space active on this CPU (a system call's own caller): the
 * MMU checks each page (AT S1E0R/W), ~5 instructions a page instead of the walk, which matters
 * because the check runs with IRQs masked at the start of debug_write and kernel_info. Debug
 * builds compare the answer with the walk's.
 */
bool space_user_range_ok_active(const struct space *s, uintptr_t va, size_t len, bool write)
{
	bool ok = true;

	if (len == 0)
		return true;
	if (va < SPACE_VA_MIN || va >= SPACE_VA_LIMIT || len > SPACE_VA_LIMIT - va)
		return false;
	for (uint64_t vpn = va >> PTE_PAGE_SHIFT, last = (va + len - 1U) >> PTE_PAGE_SHIFT; ok && vpn <= last;
	     vpn++)
		ok = usercopy_el0_may(vpn << PTE_PAGE_SHIFT, write);
#ifdef CONFIG_DEBUG_CHECKS
	BUG_ON(ok != space_user_range_ok(s, va, len, write));
#else
	(void)s;
#endif
	return ok;
}

/*
 * Tables missing for [vpn, vpn + npages): one pass over the 2 MiB units of the range (each
 * needs one level 3 table), counting a missing level 1 or level 2 table once for the 512 GiB or
 * 1 GiB it covers. Units come in address order, so "once" is "not the same as the last one".
 */
uint32_t space_tables_needed(const struct space *s, uint64_t vpn, uint64_t npages)
{
	const uint64_t unit = pte_level_size(2) >> PTE_PAGE_SHIFT; /* pages per level 3 table */
	uint64_t last_l1 = ~0ULL, last_l2 = ~0ULL;
	uint32_t needed = 0;

	if (!s || !s->root_pa || npages == 0 || vpn >= MDB_VPN_LIMIT || npages > MDB_VPN_LIMIT - vpn)
		return 0; /* nothing to count: mdb_pt_prepare() rejects such a range first */
	for (uint64_t p = vpn; p < vpn + npages; p = (p / unit + 1U) * unit) {
		uint64_t va = p << PTE_PAGE_SHIFT;
		unsigned level = 0;
		uint64_t pa = s->root_pa;

		/* Walk down as far as tables exist. */
		while (level < PTE_LEVELS - 1U) {
			uint64_t desc = table_va(pa)[pte_index(va, level)];

			if (!pte_is_table(desc, level))
				break;
			pa = pte_addr(desc);
			level++;
		}
		/* level = the first level whose entry is missing; tables of levels level+1..3 are. */
		if (level == 0 && (va >> pte_shift(0)) != last_l1) {
			needed++;
			last_l1 = va >> pte_shift(0);
		}
		if (level <= 1 && (va >> pte_shift(1)) != last_l2) {
			needed++;
			last_l2 = va >> pte_shift(1);
		}
		if (level <= 2)
			needed++;
	}
	return needed;
}

/* ---- the MDB's page-table back end (include/keel/mdb_pt.h) ---- */

mdb_idx_t *mdb_pt_slot(unsigned space, uint64_t vpn)
{
	mdb_idx_t *slot;

	return mdb_pt_slots(space, vpn, 1, &slot) ? slot : NULL;
}

/* mdb_pt_slots() past a miss of the walk cache: the walk needs a stack frame, the hit does not. */
static uint64_t __attribute__((noinline))
slots_walk(struct space *s, uint64_t vpn, uint64_t max, mdb_idx_t **slots)
{
	unsigned first = (unsigned)vpn & (PTE_ENTRIES - 1U);
	uint32_t l3 = leaf_walk(s, vpn << PTE_PAGE_SHIFT, (vpn >> 9U) + 1U); /* key as leaf_index() */

	if (l3 == PT_NIL)
		return 0;
	*slots = &pt_slots[l3][first];
	return PTE_ENTRIES - first < max ? PTE_ENTRIES - first : max;
}

/* Called two to four times per map call: a walk-cache hit returns without a stack frame. */
uint64_t mdb_pt_slots(unsigned space, uint64_t vpn, uint64_t max, mdb_idx_t **slots)
{
	struct space *s = space_live(space);
	unsigned first = (unsigned)vpn & (PTE_ENTRIES - 1U);
	uint32_t l3;

	if (!s || vpn >= MDB_VPN_LIMIT)
		return 0;
	l3 = leaf_cached(s, (vpn >> 9U) + 1U);
	if (l3 == PT_NIL)
		return slots_walk(s, vpn, max, slots);
	*slots = &pt_slots[l3][first];
	return PTE_ENTRIES - first < max ? PTE_ENTRIES - first : max;
}

uint64_t mdb_pt_gap(unsigned space, uint64_t vpn)
{
	const struct space *s = space_live(space);
	uint64_t pa, va = vpn << PTE_PAGE_SHIFT;

	if (!s || vpn >= MDB_VPN_LIMIT)
		return 0;
	pa = s->root_pa;
	for (unsigned level = 0; level < PTE_LEVELS - 1U; level++) {
		uint64_t desc = table_va(pa)[pte_index(va, level)];

		if (!pte_is_table(desc, level)) {
			uint64_t span = 1ULL << (9U * (PTE_LEVELS - 1U - level)); /* pages under the entry */

			return span - (vpn & (span - 1U));
		}
		pa = pte_addr(desc);
	}
	return 0;
}

bool mdb_pt_read(unsigned space, uint64_t vpn, uint64_t *frame, unsigned *rights)
{
	return space_lookup(space_live(space), vpn, frame, rights);
}

enum kerr mdb_pt_reserve(unsigned space, uint64_t vpn, uint64_t npages, uint32_t *tables)
{
	struct space *s = space_live(space);
	uint32_t needed;

	*tables = 0;
	if (!s)
		return KERR_SPACE;
	if (vpn == 0 || vpn >= MDB_VPN_LIMIT || npages > MDB_VPN_LIMIT - vpn)
		return KERR_RANGE;
	needed = space_tables_needed(s, vpn, npages);
	if (needed == 0)
		return KERR_OK;
	/* What other calls reserved counts as taken, so their tables cannot fail either. */
	if (s->pt_limit - s->pt_used - s->pt_reserved < needed)
		return KERR_QUOTA;
	if (pt_free_count - pt_reserved < needed)
		return KERR_NO_MEMORY;
	s->pt_reserved += needed;
	pt_reserved += needed;
	*tables = needed;
	return KERR_OK;
}

void mdb_pt_unreserve(unsigned space, uint32_t tables)
{
	struct space *s = space_live(space);

	BUG_ON(!s || s->pt_reserved < tables || pt_reserved < tables);
	s->pt_reserved -= tables;
	pt_reserved -= tables;
}

bool mdb_pt_make(unsigned space, uint64_t vpn, uint64_t npages)
{
	struct space *s = space_live(space);

	BUG_ON(!s);
	/* One walk per level 3 table (512 pages), not per page, down to the first missing table. */
	for (uint64_t p = vpn; p < vpn + npages; p = (p | (PTE_ENTRIES - 1U)) + 1U) {
		uint64_t va = p << PTE_PAGE_SHIFT, pa = s->root_pa;

		for (unsigned level = 0; level < PTE_LEVELS - 1U; level++) {
			volatile uint64_t *entry = &table_va(pa)[pte_index(va, level)];

			if (!pte_is_table(*entry, level)) {
				BUG_ON(s->pt_reserved == 0 ||
				       pt_reserved == 0); /* mdb_pt_reserve() counted it */
				s->pt_reserved--;
				pt_reserved--;
				/* invalid -> valid: no break-before-make; the new table is all zero. */
				*entry = pte_table(pt_alloc());
				s->pt_used++;
				/* Complete before any walk that mdb_pt_write's or mdb_pt_copy_run's DSB enables. */
				__DSB_ISHST();
				return true;
			}
			pa = pte_addr(*entry);
		}
	}
	return false;
}

enum kerr mdb_pt_prepare(unsigned space, uint64_t vpn, uint64_t npages)
{
	uint32_t tables;
	enum kerr err = mdb_pt_reserve(space, vpn, npages, &tables);

	/* All or nothing: the reservation is checked against quota and pool before any table. */
	for (; err == KERR_OK && tables > 0; tables--)
		BUG_ON(!mdb_pt_make(space, vpn, npages));
	return err;
}

/*
 * Pages whose PTE was cleared since the last mdb_pt_sync(), per CPU (the kernel is not
 * preemptible between a clear and its sync). Past TLB_BATCH pages, a space's whole ASID is
 * invalidated instead (TLBI ASIDE1IS): one instruction instead of many, at the cost of the
 * space's other TLB entries. TLB_BATCH bounds the work of one sync: TLB_BATCH + SPACE_NR TLBIs.
 */
#define TLB_BATCH 32U

/* Aligned to a power of two: finding this CPU's is a shift, not a multiplication (hot path). */
struct tlb_pending {
	uint32_t count;
	bool any_whole;					/* some bit of whole_asid is set */
	uint64_t op[TLB_BATCH];				/* TLBI_ADDR(va, asid) */
	uint64_t whole_asid[(SPACE_ID_MAX + 2U) / 64U]; /* bitmap: invalidate all of this ASID */
} __attribute__((aligned(512)));

static struct tlb_pending tlb_pending[CONFIG_NR_CPUS];

/* This CPU's pending list, by the kernel's CPU index (keel/smp.h; always < CONFIG_NR_CPUS). */
static struct tlb_pending *this_pending(void)
{
	return &tlb_pending[cpu_id()];
}

static bool asid_marked(const struct tlb_pending *t, unsigned asid)
{
	return t->any_whole && ((t->whole_asid[asid / 64U] >> (asid % 64U)) & 1U);
}

static bool pending_for(const struct tlb_pending *t, uint64_t op)
{
	if (asid_marked(t, (unsigned)(op >> 48)))
		return true;
	for (uint32_t i = 0; i < t->count; i++)
		if (t->op[i] == op)
			return true;
	return false;
}

/* Queue the invalidation of @npages pages from @va in @s: one op each, or its whole ASID. */
static void tlb_queue(struct tlb_pending *t, const struct space *s, uint64_t va, uint64_t npages)
{
	if (asid_marked(t, s->asid))
		return;
	if (npages <= TLB_BATCH - t->count) {
		for (uint64_t i = 0; i < npages; i++, va += PTE_PAGE_SIZE)
			t->op[t->count++] = TLBI_ADDR(va, s->asid);
		return;
	}
	t->whole_asid[s->asid / 64U] |= 1ULL << (s->asid % 64U);
	t->any_whole = true;
}

void mdb_pt_write(unsigned space, uint64_t vpn, uint64_t frame, unsigned rights, mdb_idx_t idx)
{
	struct space *s = space_live(space);
	uint64_t va = vpn << PTE_PAGE_SHIFT, desc;
	unsigned i = pte_index(va, PTE_LEVELS - 1U);
	volatile uint64_t *entry;
	uint32_t l3;

	BUG_ON(!s);
	l3 = leaf_index(s, va);
	BUG_ON(l3 == PT_NIL); /* mdb_pt_prepare() made the tables */
	/* Refuses W together with X, rights without R and executable device pages (the caller's bug). */
	desc = pte_user_page(SPACE_FRAME_PA(frame), rights, (enum pte_memtype)SPACE_FRAME_TYPE(frame));
	BUG_ON(!desc);
	entry = &pt_pool[l3][i];
	BUG_ON(pte_is_valid(*entry));
	/*
	 * Break-before-make: the old translation of this page must be gone from every TLB before
	 * a new one is written (ARM ARM D8.14.1 "Using break-before-make when updating translation
	 * table entries"). If this page was cleared and its TLBI is still pending, do it now.
	 */
	if (pending_for(this_pending(), TLBI_ADDR(va, s->asid)))
		mdb_pt_sync();
	space_changes++;
	pt_slots[l3][i] = idx;
	*entry = desc; /* one 64-bit store: the walker never sees half a descriptor */
	/*
	 * DSB: the store is visible to the table walker before anything that follows; ISB: the
	 * kernel's own next access (a copy to user) is translated with it (ARM ARM D8.2.6: a
	 * table write needs DSB then ISB before a walk of this PE is guaranteed to see it).
	 */
	__DSB_ISHST();
	__ISB();
}

/* A present EL0 page descriptor at level 3: bits [1:0] = 0b11 and AP[1] = 1. */
#define USER_PAGE_Msk (PTE_VALID_Msk | PTE_TYPE_Msk | PTE_AP_EL0_Msk)

/* The index of an MDB slot in the pool's slot arrays (by address: rows of one 2-D array). */
static size_t slot_index(const mdb_idx_t *slot)
{
	return ((uintptr_t)slot - (uintptr_t)pt_slots) / sizeof(mdb_idx_t);
}

/*
 * The PTE behind the first of @npages MDB slots of one leaf-table run: pt_slots and pt_pool are
 * parallel arrays (one slot per PTE). Debug builds check that the run is one table's.
 */
static volatile uint64_t *slot_pte(const mdb_idx_t *slot, uint64_t npages)
{
	size_t k = slot_index(slot);

#ifdef CONFIG_DEBUG_CHECKS
	BUG_ON(k >= (size_t)SPACE_PT_POOL_PAGES * PTE_ENTRIES || npages > PTE_ENTRIES - k % PTE_ENTRIES);
#else
	(void)npages;
#endif
	return &pt_pool[k / PTE_ENTRIES][k % PTE_ENTRIES];
}

void mdb_pt_copy_run(const mdb_idx_t *src_slots, const mdb_idx_t *dst_slots, uint64_t npages, unsigned rights)
{
	/*
	 * The source descriptor with other rights: frame, memory type, shareability, nG, PXN and AF
	 * stay; AP[2] and UXN follow @rights. @rights is a subset of the source's (the MDB checked),
	 * so this never makes a device page executable, and W^X holds (rights_ok).
	 */
	const uint64_t keep = ~(PTE_AP_RO_Msk | PTE_UXN_Msk);
	const uint64_t set =
		(rights & PTE_PROT_W ? 0 : PTE_AP_RO_Msk) | (rights & PTE_PROT_X ? 0 : PTE_UXN_Msk);
	const struct tlb_pending *t = this_pending();
	/* Both runs lie in one leaf table each (mdb_pt_slots()): no walk, the slots name the PTEs. */
	const volatile uint64_t *from = slot_pte(src_slots, npages);
	volatile uint64_t *to = slot_pte(dst_slots, npages);

	/* Break-before-make for a page cleared earlier whose TLBI is still pending: complete it first. */
	if (t->count || t->any_whole)
		mdb_pt_sync();
	space_changes++;
	/*
	 * 7 instructions a page, 11 with the checks. The MDB checked each source (mapped) and
	 * destination (its slot free, so its PTE is not present: invariant 4); CONFIG_DEBUG_CHECKS
	 * checks it again here and space_check() after the call.
	 */
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t desc = from[i];

#ifdef CONFIG_DEBUG_CHECKS
		BUG_ON((desc & USER_PAGE_Msk) != USER_PAGE_Msk || pte_is_valid(to[i]));
#endif
		to[i] = (desc & keep) | set; /* one 64-bit store each */
	}
	/* As in mdb_pt_write(), once for all of them: visible to the walkers before the return. */
	__DSB_ISHST();
	__ISB();
}

/* The clear of one present PTE whose leaf table is known: PTE, slot, and its TLBI queued. */
static inline __attribute__((always_inline)) void clear_one(const struct space *s, struct tlb_pending *t,
							    uint64_t l3, uint64_t vpn)
{
	unsigned i = (unsigned)vpn & (PTE_ENTRIES - 1U);

	space_changes++;
	((volatile uint64_t *)pt_pool[l3])[i] = 0;
	pt_slots[l3][i] = MDB_NIL;
	t->op[t->count++] = TLBI_ADDR(vpn << PTE_PAGE_SHIFT, s->asid);
}

/* mdb_pt_clear() past a walk-cache miss: the walk needs a stack frame, the hit does not. */
static void __attribute__((noinline))
clear_walk(const struct space *s, struct tlb_pending *t, uint64_t vpn, uint64_t key)
{
	/* The walk cache is not part of a space's value (as in leaf_index()). */
	uint32_t l3 = leaf_walk((struct space *)s, vpn << PTE_PAGE_SHIFT, key);

	BUG_ON(l3 == PT_NIL); /* a mapped page has its leaf table */
	clear_one(s, t, l3, vpn);
}

/* mdb_pt_clear() for every page of [vpn, vpn + npages), all present: one walk per leaf table. */
static void clear_range(unsigned space, uint64_t vpn, uint64_t npages)
{
	const struct space *s = space_live(space);
	struct tlb_pending *t = this_pending();

	BUG_ON(!s);
	space_changes++;
	while (npages > 0) {
		unsigned first = (unsigned)vpn & (PTE_ENTRIES - 1U);
		uint32_t l3 = leaf_index(s, vpn << PTE_PAGE_SHIFT);
		uint64_t run = PTE_ENTRIES - first;
		volatile uint64_t *pte;
		mdb_idx_t *slot;

		BUG_ON(l3 == PT_NIL);
		run = run < npages ? run : npages;
		pte = &pt_pool[l3][first];
		slot = &pt_slots[l3][first];
		for (uint64_t i = 0; i < run; i++) {
			pte[i] = 0;
			slot[i] = MDB_NIL;
		}
		tlb_queue(t, s, vpn << PTE_PAGE_SHIFT, run);
		vpn += run;
		npages -= run;
	}
}

/*
 * The clear of one page, as unmap uses it once per entry: the common case (the leaf table is in
 * the walk cache, the pending list has room) without a call or a stack frame, a walk-cache miss
 * with the walk alone (the entries of a fan being revoked lie in many leaf tables: through
 * clear_range() a miss cost ~150 instructions, ~90 more than a hit, in a chunk's stretch);
 * everything else goes to clear_range().
 */
void mdb_pt_clear(unsigned space, uint64_t vpn)
{
	const struct space *s = space_live(space);
	struct tlb_pending *t = this_pending();
	uint64_t key = (vpn >> 9U) + 1U, c0, c1;

	_Static_assert(LEAF_KEY_SHIFT == PTE_PAGE_SHIFT + 9U, "leaf cache key = vpn >> 9, + 1");
	if (!s || t->count >= TLB_BATCH || t->any_whole)
		return clear_range(space, vpn, 1);
	c0 = __atomic_load_n(&s->leaf_cache[0], __ATOMIC_RELAXED);
	c1 = __atomic_load_n(&s->leaf_cache[1], __ATOMIC_RELAXED);
	if ((c0 >> 32) == key)
		clear_one(s, t, c0 & 0xFFFFU, vpn);
	else if ((c1 >> 32) == key)
		clear_one(s, t, c1 & 0xFFFFU, vpn);
	else
		clear_walk(s, t, vpn, key);
}

void mdb_pt_clear_run(unsigned space, uint64_t vpn, mdb_idx_t *slots, uint64_t npages)
{
	const struct space *s = space_live(space);
	volatile uint64_t *pte = slot_pte(slots, npages);

	BUG_ON(!s);
#ifdef CONFIG_DEBUG_CHECKS
	{
		uint32_t l3 = leaf_index(s, vpn << PTE_PAGE_SHIFT);

		BUG_ON(l3 == PT_NIL || slots != &pt_slots[l3][vpn & (PTE_ENTRIES - 1U)]);
	}
#endif
	space_changes++;
	for (uint64_t i = 0; i < npages; i++) {
		pte[i] = 0;
		slots[i] = MDB_NIL;
	}
	tlb_queue(this_pending(), s, vpn << PTE_PAGE_SHIFT, npages);
}

/*
 * A permission downgrade keeps the frame and the attributes, so it needs no break-before-make
 * (ARM ARM D8.14.1 lists changes of the access permissions among those that do not): the new
 * descriptor is written in one store; until the TLBI of the next mdb_pt_sync() a CPU may still
 * use the old, wider rights, which is why protect syncs before every preemption point.
 */
void mdb_pt_protect(unsigned space, uint64_t vpn, unsigned rights)
{
	struct space *s = space_live(space);
	uint64_t va = vpn << PTE_PAGE_SHIFT, l3, desc;
	volatile uint64_t *entry;
	struct tlb_pending *t = this_pending();

	BUG_ON(!s);
	l3 = leaf_table(s, va);
	BUG_ON(!l3);
	entry = &table_va(l3)[pte_index(va, PTE_LEVELS - 1U)];
	BUG_ON((pte_user_prot(*entry) & rights) != rights); /* only ever fewer rights */
	desc = pte_user_page(pte_addr(*entry), rights, pte_memtype(*entry));
	BUG_ON(!desc);
	space_changes++;
	*entry = desc;
	tlb_queue(t, s, va, 1);
}

void mdb_pt_sync(void)
{
	struct tlb_pending *t = this_pending();
	uint32_t count = t->count;

	if (count == 0 && !t->any_whole)
		return;
	/*
	 * The ARM ARM's sequence for invalidating a translation (D8.14 "TLB maintenance"; the
	 * example "Invalidating a translation table entry"): DSB ISHST makes the cleared PTEs
	 * visible to every walker of the inner shareable domain before the TLBIs; TLBI ...IS
	 * removes the cached translations on every PE; DSB ISH waits until they are gone
	 * everywhere; ISB makes this PE's later instructions use the new state.
	 */
	__DSB_ISHST();
	if (!t->any_whole) {
		for (uint32_t i = 0; i < count; i++)
			__TLBI_VAE1IS(t->op[i]);
	} else {
		for (uint32_t i = 0; i < count; i++)
			if (!asid_marked(t, (unsigned)(t->op[i] >> 48)))
				__TLBI_VAE1IS(t->op[i]);
		/* whole ASIDs: visit only the set bits (a sync must not cost a loop over every ASID) */
		for (unsigned w = 0; w < ARRAY_SIZE(t->whole_asid); w++) {
			for (uint64_t bits = t->whole_asid[w]; bits; bits &= bits - 1U)
				__TLBI_ASIDE1IS(TLBI_ADDR(0, w * 64U + (unsigned)__builtin_ctzll(bits)));
			t->whole_asid[w] = 0;
		}
		t->any_whole = false;
	}
	__DSB_ISH();
	__ISB();
	t->count = 0;
}

/* ---- copies through the user VA ---- */

/*
 * With PAN, the kernel may touch EL0-accessible pages only between these two; an exception
 * in between sets PAN again on entry (SPAN = 0) and its return restores the cleared state.
 */
static bool user_access_begin(void)
{
	bool pan = have_pan;

	if (pan)
		__PAN_CLEAR();
	return pan;
}

static void user_access_end(bool pan)
{
	if (pan)
		__PAN_SET();
}

/*
 * 32-byte LDP/STP blocks, then 8-byte words or bytes, through volatile pointers or asm: the
 * compiler must neither merge the accesses into wider unaligned ones (user memory may be
 * Device memory) nor move them outside the PAN window.
 */
static void copy_bytes(volatile uint8_t *dst, const volatile uint8_t *src, size_t len)
{
	if ((((uintptr_t)dst | (uintptr_t)src) & 7U) == 0) {
		/* 64 bytes a round: kernel_info's latency record (584 bytes) is copied with IRQs masked. */
		for (; len >= 64; len -= 64, dst += 64, src += 64)
			usercopy_block64(dst, src);
		if (len >= 32) {
			usercopy_block32(dst, src);
			len -= 32;
			dst += 32;
			src += 32;
		}
		for (; len >= 8; len -= 8, dst += 8, src += 8)
			*(volatile uint64_t *)dst = *(const volatile uint64_t *)src;
	}
	for (size_t i = 0; i < len; i++)
		dst[i] = src[i];
}

void space_copy_from_user(void *dst, uintptr_t user_src, size_t len)
{
	bool pan = user_access_begin();

	copy_bytes(dst, (const volatile uint8_t *)user_src, len);
	user_access_end(pan);
}

void space_copy_to_user(uintptr_t user_dst, const void *src, size_t len)
{
	bool pan = user_access_begin();

	copy_bytes((volatile uint8_t *)user_dst, src, len);
	user_access_end(pan);
}

/* ---- invariants ---- */

/* Count the tables below the root of @s and check every descriptor; NULL if all hold. */
static const char *check_table(uint64_t pa, unsigned level, uint32_t *tables, uint8_t *seen)
{
	long idx = pool_index(pa);
	const uint64_t *t;

	if (idx < 0)
		return "table outside the page-table pool";
	if (seen[idx])
		return "table reached twice";
	seen[idx] = 1;
	(*tables)++;
	t = table_va(pa);
	for (unsigned i = 0; i < PTE_ENTRIES; i++) {
		uint64_t desc = t[i];

		if (level < PTE_LEVELS - 1U) {
			const char *err;

			if (desc == 0)
				continue;
			if (!pte_is_table(desc, level))
				return "block or invalid non-zero entry in a user table";
			err = check_table(pte_addr(desc), level + 1U, tables, seen);
			if (err)
				return err;
			continue;
		}
		if ((desc != 0) != (pt_slots[idx][i] != MDB_NIL))
			return "MDB slot and PTE disagree (one set, the other not)";
		if (desc == 0)
			continue;
		if (!pte_user_prot(desc) || !(desc & PTE_NG_Msk) || !(desc & PTE_PXN_Msk) ||
		    !(desc & PTE_AF_Msk))
			return "user PTE without EL0 access, nG, PXN or AF";
		if (!(desc & PTE_AP_RO_Msk) && !(desc & PTE_UXN_Msk))
			return "user PTE writable and executable";
	}
	return NULL;
}

const char *space_check(void)
{
	static uint8_t seen[SPACE_PT_POOL_PAGES]; /* static: one check at a time, keeps the stack small */
	uint32_t used = 0, n = 0, reserved = 0;

	for (uint32_t i = 0; i < SPACE_PT_POOL_PAGES; i++)
		seen[i] = 0;
	for (uint32_t i = pt_free_head; i != PT_NIL; i = pt_free_next[i]) {
		if (i >= SPACE_PT_POOL_PAGES || seen[i])
			return "free list out of range or cyclic";
		seen[i] = 1;
		n++;
	}
	if (n != pt_free_count)
		return "free count does not match the free list";
#ifdef CONFIG_KTEST
	for (uint32_t i = held_head; i != PT_NIL; i = pt_free_next[i]) {
		if (i >= SPACE_PT_POOL_PAGES || seen[i])
			return "held list out of range or cyclic";
		seen[i] = 1;
		n++;
	}
#endif
	for (unsigned id = 0; id < SPACE_NR; id++) {
		const struct space *s = &spaces[id];
		uint32_t tables = 0;
		const char *err;

		if (!s->root_pa)
			continue;
		if (s->asid != id + 1U)
			return "ASID is not id + 1";
		err = check_table(s->root_pa, 0, &tables, seen);
		if (err)
			return err;
		if (tables != s->pt_used)
			return "pt_used does not match the space's tables";
		if (s->pt_used + s->pt_reserved > s->pt_limit)
			return "page-table quota exceeded (used and reserved)";
		reserved += s->pt_reserved;
		used += tables;
	}
	if (used + n != SPACE_PT_POOL_PAGES)
		return "pool pages lost: used + free != pool size";
	if (reserved != pt_reserved || pt_reserved > pt_free_count)
		return "page-table reservations do not add up or exceed the free pages";
	return NULL;
}
