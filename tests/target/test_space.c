/* test_space.c — user address spaces: MDB mappings land in TTBR0 tables, copies work, unmap leaves no stale TLB entry. */
#include "board.h"
#include "cmsis_aarch64.h"
#include "esr.h"
#include "exception.h"
#include "memlayout.h"
#include "pte.h"
#include "keel/kstring.h"
#include "keel/ktest.h"
#include "keel/mdb.h"
#include "keel/space.h"

/* The test spaces take the highest ids, leaving the low ones to the system description. */
#define ID_A (SPACE_NR - 1U)
#define ID_B (SPACE_NR - 2U)
#define ID_Q (SPACE_NR - 3U) /* page-table quota 1 */
#define ID_P (SPACE_NR - 4U) /* pool exhaustion */
_Static_assert(SPACE_NR >= 4, "the tests need four spaces");

#define VPN_A	 0x400ULL	/* 4 MiB */
#define VPN_B	 0x7f0000200ULL /* near the top of the lower half: other level 0 to 2 entries */
#define VPN_MANY 0x10000ULL	/* 256 MiB: 40 pages for the whole-ASID invalidation */
#define VPN_DEV	 0x20000ULL	/* a device page */
#define NR_MANY	 40U		/* more than the 32 pages one sync invalidates one by one */
#define VPN_EDGE 0x301ffULL	/* the last page of a 2 MiB unit: the next page needs another leaf table */
#define CAPACITY 128U

static uint8_t frame_buf[PTE_PAGE_SIZE] __attribute__((aligned(PTE_PAGE_SIZE)));
static struct mdb_entry pool[CAPACITY + 1];
static struct mdb_quota quota[SPACE_NR];
static struct mdb mdb;
static bool ready;

static struct {
	int count;
	uint64_t esr, far;
} fault;

static bool record_abort(struct trap_frame *tf, unsigned vector)
{
	(void)vector;
	fault.count++;
	fault.esr = tf->esr;
	fault.far = tf->far;
	tf->elr += 4; /* resume after the faulting load */
	return true;
}

static uint64_t frame(void)
{
	return SPACE_FRAME(memlayout_pa((uintptr_t)frame_buf), PTE_MEM_NORMAL);
}

static uintptr_t va(uint64_t vpn)
{
	return (uintptr_t)(vpn << PTE_PAGE_SHIFT);
}

/* Both checkers, after every step. */
static bool consistent(void)
{
	const char *m = mdb_check(&mdb), *s = space_check();

	return m == NULL && s == NULL;
}

/* Spaces A and B, and A's RW root mapping of frame_buf, once (tables are never freed). */
static void setup(void)
{
	if (ready)
		return;
	for (unsigned i = 0; i < SPACE_NR; i++)
		quota[i].limit = 64;
	mdb_init(&mdb, pool, CAPACITY, quota, SPACE_NR, 8, 64);
	KTEST_EXPECT(space_init(space_get(ID_A), ID_A, "A", 16) == KERR_OK);
	KTEST_EXPECT(space_init(space_get(ID_B), ID_B, "B", 16) == KERR_OK);
	KTEST_EXPECT(mdb_insert_root(&mdb, ID_A, VPN_A, frame(), MDB_R | MDB_W) == KERR_OK);
	KTEST_EXPECT(consistent());
	ready = true;
}

/* Unmap (@space, @vpn, @n) with a small chunk, as the system call will: one call per chunk. */
static enum kerr unmap_chunked(unsigned space, uint64_t vpn, uint64_t n, unsigned flags)
{
	uint64_t removed = 0;
	enum kerr err;

	do {
		err = mdb_unmap(&mdb, space, &vpn, &n, flags, 3, &removed);
		KTEST_EXPECT(consistent()); /* valid at every chunk boundary */
	} while (err == KERR_PREEMPTED);
	return err;
}

KTEST(space_init_and_asids)
{
	struct space *a, *b;

	setup();
	a = space_get(ID_A);
	b = space_get(ID_B);
	KTEST_EXPECT(space_get(SPACE_NR) == NULL);
	KTEST_EXPECT(a->asid == ID_A + 1U && b->asid == ID_B + 1U && a->asid != b->asid);
	KTEST_EXPECT(a->root_pa != b->root_pa && a->root_pa != 0);
	KTEST_EXPECT(space_init(a, ID_A, "again", 16) == KERR_EXISTS);
	KTEST_EXPECT(space_init(a, ID_B, "wrong", 16) == KERR_INVAL);
	KTEST_EXPECT(space_init(a, SPACE_NR, "none", 16) == KERR_SPACE);
	KTEST_EXPECT(space_init(space_get(ID_Q), ID_Q, "Q", 0) ==
		     (space_get(ID_Q)->root_pa ? KERR_EXISTS : KERR_QUOTA));
	/* TTBR0 walks are on; PAN, where implemented, is set and stays set on exception entry. */
	KTEST_EXPECT(!(__MRS(TCR_EL1) & TCR_EPD0_Msk));
	if (space_has_pan()) {
		KTEST_EXPECT(__PAN_READ() & PSTATE_PAN_Msk);
		KTEST_EXPECT(!(__MRS(SCTLR_EL1) & SCTLR_EL1_SPAN_Msk));
	}
	KTEST_EXPECT(consistent());
}

KTEST(space_map_and_copy_between_spaces)
{
	const struct space *a, *b;
	uint64_t out = 0, f = 0, value = 0x6b65656c5f737061ULL;
	unsigned rights = 0;

	setup();
	a = space_get(ID_A);
	b = space_get(ID_B);
	KTEST_EXPECT(mdb_map(&mdb, ID_A, VPN_A, ID_B, VPN_B, 1, MDB_R) == KERR_OK);
	KTEST_EXPECT(consistent());
	KTEST_EXPECT(b->pt_used == 4); /* root and one table at each of levels 1 to 3 */

	KTEST_EXPECT(space_lookup(b, VPN_B, &f, &rights) && f == frame() && rights == MDB_R);
	KTEST_EXPECT(space_lookup(a, VPN_A, &f, &rights) && f == frame() && rights == (MDB_R | MDB_W));
	KTEST_EXPECT(space_user_range_ok(a, va(VPN_A), PTE_PAGE_SIZE, true));
	KTEST_EXPECT(space_user_range_ok(b, va(VPN_B) + 8, 16, false));
	KTEST_EXPECT(!space_user_range_ok(b, va(VPN_B), 8, true));		    /* read-only in B */
	KTEST_EXPECT(!space_user_range_ok(b, va(VPN_B), PTE_PAGE_SIZE + 1, false)); /* next page unmapped */
	KTEST_EXPECT(!space_user_range_ok(b, va(VPN_A), 8, false));		    /* A's page, not B's */
	KTEST_EXPECT(space_user_range_ok(b, 0, 0, true));   /* len 0: nothing touched */
	KTEST_EXPECT(!space_user_range_ok(b, 8, 8, false)); /* page 0 */
	KTEST_EXPECT(!space_user_range_ok(b, SPACE_VA_LIMIT - 8, 16, false));
	KTEST_EXPECT(!space_user_range_ok(b, SPACE_VA_LIMIT, 8, false));
	KTEST_EXPECT(!space_user_range_ok(b, va(VPN_B), (size_t)-1, false)); /* wraps */

	/* Write through A's user VA, read back through B's. */
	space_activate(a);
	space_copy_to_user(va(VPN_A) + 64, &value, sizeof(value));
	space_activate(b);
	space_copy_from_user(&out, va(VPN_B) + 64, sizeof(out));
	KTEST_EXPECT(out == value);
	KTEST_EXPECT(memcmp(frame_buf + 64, &value, sizeof(value)) == 0); /* the kernel's view agrees */
	/* Unaligned and byte-sized copies too. */
	space_activate(a);
	space_copy_to_user(va(VPN_A) + 3, "keel", 4);
	space_activate(b);
	out = 0;
	space_copy_from_user(&out, va(VPN_B) + 3, 4);
	KTEST_EXPECT(memcmp(&out, "keel", 4) == 0);
	space_deactivate();
	KTEST_EXPECT(consistent());
}

/* space_user_range_ok() walks once per leaf table: a buffer across two of them is checked in both. */
KTEST(space_user_range_ok_across_leaf_tables)
{
	const struct space *a;
	uintptr_t edge = va(VPN_EDGE) + PTE_PAGE_SIZE - 8; /* 8 bytes on each side of the 2 MiB boundary */

	setup();
	a = space_get(ID_A); /* B's table count is another test's check */
	KTEST_EXPECT(mdb_map(&mdb, ID_A, VPN_A, ID_A, VPN_EDGE, 1, MDB_R) == KERR_OK);
	KTEST_EXPECT(space_user_range_ok(a, edge, 8, false));
	KTEST_EXPECT(!space_user_range_ok(a, edge, 16, false)); /* the next leaf table does not exist */
	KTEST_EXPECT(mdb_map(&mdb, ID_A, VPN_A, ID_A, VPN_EDGE + 1U, 1, MDB_R) == KERR_OK);
	KTEST_EXPECT(space_user_range_ok(a, edge, 16, false));
	KTEST_EXPECT(space_user_range_ok(a, va(VPN_EDGE), 2 * PTE_PAGE_SIZE, false));
	KTEST_EXPECT(!space_user_range_ok(a, edge, 16, true));			/* read-only on both sides */
	KTEST_EXPECT(!space_user_range_ok(a, edge, PTE_PAGE_SIZE + 16, false)); /* a third page, unmapped */
	KTEST_EXPECT(unmap_chunked(ID_A, VPN_EDGE, 1, MDB_UNMAP_SELF) == KERR_OK);
	KTEST_EXPECT(!space_user_range_ok(a, edge, 16, false)); /* the first side gone, the table stays */
	KTEST_EXPECT(space_user_range_ok(a, edge + 8, 8, false));
	KTEST_EXPECT(unmap_chunked(ID_A, VPN_EDGE + 1U, 1, MDB_UNMAP_SELF) == KERR_OK);
	KTEST_EXPECT(!space_user_range_ok(a, edge + 8, 8, false));
	KTEST_EXPECT(consistent());
}

KTEST(space_user_pte_attributes)
{
	uint64_t f = 0, desc;
	unsigned rights = 0;
	const struct space *a;
	uint64_t *l3;

	setup();
	a = space_get(ID_A);
	/* A device page keeps its memory type (AttrIndx 2) and is never executable. */
	KTEST_EXPECT(mdb_insert_root(&mdb, ID_A, VPN_DEV, SPACE_FRAME(BOARD_UART_BASE, PTE_MEM_DEVICE),
				     MDB_R | MDB_W) == KERR_OK);
	KTEST_EXPECT(space_lookup(a, VPN_DEV, &f, &rights));
	KTEST_EXPECT(SPACE_FRAME_TYPE(f) == PTE_MEM_DEVICE && SPACE_FRAME_PA(f) == BOARD_UART_BASE);
	/* The raw descriptor, by a walk of A's tables through the linear map. */
	l3 = (uint64_t *)memlayout_va(a->root_pa);
	for (unsigned level = 0; level < PTE_LEVELS - 1U; level++)
		l3 = (uint64_t *)memlayout_va(pte_addr(l3[pte_index(va(VPN_DEV), level)]));
	desc = l3[pte_index(va(VPN_DEV), PTE_LEVELS - 1U)];
	KTEST_EXPECT(((desc & PTE_ATTRINDX_Msk) >> PTE_ATTRINDX_Pos) == 2);
	KTEST_EXPECT((desc & (PTE_NG_Msk | PTE_PXN_Msk | PTE_UXN_Msk | PTE_AP_EL0_Msk | PTE_AF_Msk)) ==
		     (PTE_NG_Msk | PTE_PXN_Msk | PTE_UXN_Msk | PTE_AP_EL0_Msk | PTE_AF_Msk));
	KTEST_EXPECT(!(desc & PTE_AP_RO_Msk));
	KTEST_EXPECT(consistent());
	KTEST_EXPECT(unmap_chunked(ID_A, VPN_DEV, 1, MDB_UNMAP_SELF) == KERR_OK);
	KTEST_EXPECT(!space_lookup(a, VPN_DEV, &f, &rights));
	KTEST_EXPECT(consistent());
}

/* Read @addr from the kernel with the copy helper; returns whether it faulted (translation, level 3). */
static bool read_faults(uintptr_t addr)
{
	uint64_t out = 0;

	fault.count = 0;
	exception_set_fixup(record_abort);
	space_copy_from_user(&out, addr, sizeof(out));
	exception_set_fixup(NULL);
	return fault.count == 1 && esr_ec(fault.esr) == ESR_EC_DABT_CUR && fault.far == addr &&
	       (esr_iss(fault.esr) & 0x3FU) == 0x07U; /* DFSC: translation fault, level 3 */
}

KTEST(space_unmap_leaves_no_stale_tlb_entry)
{
	const struct space *b;
	uint64_t out = 0, f;
	unsigned rights;

	setup();
	b = space_get(ID_B);
	if (mdb_lookup(&mdb, ID_B, VPN_B) == MDB_NIL)
		KTEST_EXPECT(mdb_map(&mdb, ID_A, VPN_A, ID_B, VPN_B, 1, MDB_R) == KERR_OK);
	/* Use the translation first, so that the TLB holds it. */
	space_activate(b);
	space_copy_from_user(&out, va(VPN_B), sizeof(out));
	KTEST_EXPECT(!read_faults(va(VPN_B)));
	/* Revoke what A's page gave away: B's mapping goes, A's stays. */
	KTEST_EXPECT(unmap_chunked(ID_A, VPN_A, 1, 0) == KERR_OK);
	KTEST_EXPECT(!space_user_range_ok(b, va(VPN_B), 8, false));
	KTEST_EXPECT(!space_lookup(b, VPN_B, &f, &rights));
	KTEST_EXPECT(read_faults(va(VPN_B)));
	KTEST_EXPECT(space_user_range_ok(space_get(ID_A), va(VPN_A), 8, true));
	space_deactivate();
	KTEST_EXPECT(consistent());
}

KTEST(space_unmap_many_pages_invalidates_the_asid)
{
	const struct space *a;

	setup();
	a = space_get(ID_A);
	for (unsigned i = 0; i < NR_MANY; i++)
		KTEST_EXPECT(mdb_insert_root(&mdb, ID_A, VPN_MANY + i, frame(), MDB_R) == KERR_OK);
	KTEST_EXPECT(consistent());
	space_activate(a);
	for (unsigned i = 0; i < NR_MANY; i++)
		KTEST_EXPECT(!read_faults(va(VPN_MANY + i)));
	/* One chunk of more than 32 pages: the sync invalidates A's whole ASID. */
	{
		uint64_t vpn = VPN_MANY, n = NR_MANY, removed = 0;

		KTEST_EXPECT(mdb_unmap(&mdb, ID_A, &vpn, &n, MDB_UNMAP_SELF, 64, &removed) == KERR_OK);
		KTEST_EXPECT(removed == NR_MANY);
	}
	for (unsigned i = 0; i < NR_MANY; i++)
		KTEST_EXPECT(read_faults(va(VPN_MANY + i)));
	KTEST_EXPECT(!read_faults(va(VPN_A))); /* the rest of the ASID still works */
	space_deactivate();
	KTEST_EXPECT(consistent());
}

KTEST(space_pt_quota_refuses_with_nothing_changed)
{
	const struct space *q;
	uint32_t pool_free, mdb_free;

	setup();
	KTEST_EXPECT(space_init(space_get(ID_Q), ID_Q, "Q", 1) == KERR_OK);
	q = space_get(ID_Q);
	pool_free = space_pool_free();
	mdb_free = mdb.free_count;
	KTEST_EXPECT(space_tables_needed(q, VPN_A, 1) == 3);
	KTEST_EXPECT(mdb_insert_root(&mdb, ID_Q, VPN_A, frame(), MDB_R) == KERR_QUOTA);
	KTEST_EXPECT(mdb_map(&mdb, ID_A, VPN_A, ID_Q, VPN_A, 1, MDB_R) == KERR_QUOTA);
	KTEST_EXPECT(q->pt_used == 1 && space_pool_free() == pool_free && mdb.free_count == mdb_free);
	KTEST_EXPECT(mdb_lookup(&mdb, ID_Q, VPN_A) == MDB_NIL && quota[ID_Q].used == 0);
	KTEST_EXPECT(consistent());
}

KTEST(space_pool_exhaustion_refuses_with_nothing_changed)
{
	const struct space *p;
	uint32_t used;

	setup();
	KTEST_EXPECT(space_init(space_get(ID_P), ID_P, "P", 64) == KERR_OK);
	p = space_get(ID_P);
	used = p->pt_used;
	space_pool_hold(2); /* mapping a page needs 3 tables */
	KTEST_EXPECT(mdb_insert_root(&mdb, ID_P, VPN_A, frame(), MDB_R) == KERR_NO_MEMORY);
	KTEST_EXPECT(space_pool_free() == 2 && p->pt_used == used);
	KTEST_EXPECT(mdb_lookup(&mdb, ID_P, VPN_A) == MDB_NIL && quota[ID_P].used == 0);
	KTEST_EXPECT(consistent());
	space_pool_release();
	KTEST_EXPECT(mdb_insert_root(&mdb, ID_P, VPN_A, frame(), MDB_R) == KERR_OK);
	KTEST_EXPECT(p->pt_used == used + 3);
	KTEST_EXPECT(consistent());
	KTEST_EXPECT(unmap_chunked(ID_P, VPN_A, 1, MDB_UNMAP_SELF) == KERR_OK);
	KTEST_EXPECT(p->pt_used == used + 3); /* tables stay: built once, never thrown away */
	KTEST_EXPECT(consistent());
}

KTEST(space_tables_needed_counts_each_level_once)
{
	const struct space *a;
	const uint64_t per_l3 = 512, per_l2 = 512 * 512, per_l1 = 512ULL * 512 * 512;

	setup();
	a = space_get(ID_A);
	KTEST_EXPECT(space_tables_needed(a, VPN_A, 1) == 0);		       /* A's own page */
	KTEST_EXPECT(space_tables_needed(a, VPN_A + per_l3, 1) == 1);	       /* next 2 MiB */
	KTEST_EXPECT(space_tables_needed(a, VPN_A + per_l3 - 1, 2) == 1);      /* straddles into it */
	KTEST_EXPECT(space_tables_needed(a, VPN_A + per_l2, 1) == 2);	       /* next GiB */
	KTEST_EXPECT(space_tables_needed(a, VPN_A + per_l2, per_l3 + 1) == 3); /* two 2 MiB units */
	KTEST_EXPECT(space_tables_needed(a, per_l1 * 3, 1) == 3);	       /* a new 512 GiB */
	KTEST_EXPECT(space_tables_needed(a, MDB_VPN_LIMIT - 1, 2) == 0);       /* outside: not counted */
}

KTEST(space_grant_moves_the_translation)
{
	const struct space *a, *b;
	uint64_t f = 0, out = 0;
	unsigned rights = 0;
	const uint64_t src = VPN_A + 1, dst = VPN_B + 1;

	setup();
	a = space_get(ID_A);
	b = space_get(ID_B);
	KTEST_EXPECT(mdb_insert_root(&mdb, ID_A, src, frame(), MDB_R) == KERR_OK);
	space_activate(a);
	KTEST_EXPECT(!read_faults(va(src))); /* in A's TLB now */
	KTEST_EXPECT(mdb_grant(&mdb, ID_A, src, ID_B, dst, 1, MDB_R) == KERR_OK);
	KTEST_EXPECT(consistent());
	KTEST_EXPECT(read_faults(va(src))); /* gone from A, TLB included */
	KTEST_EXPECT(space_lookup(b, dst, &f, &rights) && f == frame() && rights == MDB_R);
	space_activate(b);
	space_copy_from_user(&out, va(dst) + 64, sizeof(out));
	KTEST_EXPECT(memcmp(&out, frame_buf + 64, sizeof(out)) == 0);
	KTEST_EXPECT(unmap_chunked(ID_B, dst, 1, MDB_UNMAP_SELF) == KERR_OK);
	KTEST_EXPECT(read_faults(va(dst)));
	space_deactivate();
	KTEST_EXPECT(consistent());
}

/* With PAN (ARMv8.1, e.g. QEMU -cpu max), only the copy helpers may touch user pages. */
KTEST(space_pan_blocks_direct_kernel_access)
{
	uint64_t out = 0;

	setup();
	if (!space_has_pan())
		return; /* Cortex-A53/A72: nothing to test */
	KTEST_EXPECT(__PAN_READ() & PSTATE_PAN_Msk);
	space_activate(space_get(ID_A));
	fault.count = 0;
	exception_set_fixup(record_abort);
	out = *(volatile uint64_t *)va(VPN_A);
	exception_set_fixup(NULL);
	KTEST_EXPECT(fault.count == 1 && fault.far == va(VPN_A));
	KTEST_EXPECT((esr_iss(fault.esr) & 0x3CU) == 0x0CU); /* permission fault */
	KTEST_EXPECT(!read_faults(va(VPN_A)));		     /* the helper clears PAN for the copy */
	KTEST_EXPECT(__PAN_READ() & PSTATE_PAN_Msk);	     /* ... and sets it again */
	(void)out;
	space_deactivate();
}
