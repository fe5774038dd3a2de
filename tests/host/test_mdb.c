/*
 * test_mdb.c — the mapping database against a fake page table and a simple reference model.
 *
 * The model keeps each mapping's parent explicitly; after every operation the MDB must agree
 * with it exactly (entries, depths, parents, frames, rights), the fake page table must agree
 * with both, and mdb_check() must find every invariant intact. Unmaps run in random chunk
 * sizes, so restarts happen at every possible chunk boundary; in a second phase other
 * operations run between the chunks of an unmap or a protect, as other threads would.
 * protect is one of the random operations, restarted through its cursor like a preempted
 * system call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keel/mdb.h"
#include "keel/mdb_pt.h"

/* ---- fake page table: T_SPACES spaces of T_PAGES pages, leaf tables of T_TABLE pages ---- */

#define T_SPACES 4
#define T_PAGES	 80
#define T_TABLE	 8

struct fake_pte {
	int present;
	uint64_t frame;
	unsigned rights;
};

static struct fake_pte pte[T_SPACES][T_PAGES];
/*
 * Slots per leaf table with a guard after each table: a run that the MDB walks past the end of
 * its leaf table reads the guard (an index far outside the pool: ASan stops) or overwrites it
 * (guards_intact() fails), as it would read or write the wrong table in the kernel.
 */
#define SLOT_GUARD 0x7FFFFFF0U
static mdb_idx_t slot_store[T_SPACES][T_PAGES / T_TABLE][T_TABLE + 1];
#define SLOT(space, vpn) slot_store[space][(vpn) / T_TABLE][(vpn) % T_TABLE]

static int guards_intact(void)
{
	for (unsigned s = 0; s < T_SPACES; s++)
		for (unsigned t = 0; t < T_PAGES / T_TABLE; t++)
			if (slot_store[s][t][T_TABLE] != SLOT_GUARD)
				return 0;
	return 1;
}
static int table[T_SPACES][T_PAGES / T_TABLE];
static unsigned pt_limit[T_SPACES], pt_used[T_SPACES], pt_reserved[T_SPACES];
static unsigned unsynced; /* PTEs cleared since the last TLB sync */

mdb_idx_t *mdb_pt_slot(unsigned space, uint64_t vpn)
{
	if (space >= T_SPACES || vpn >= T_PAGES || !table[space][vpn / T_TABLE])
		return NULL;
	return &SLOT(space, vpn);
}

uint64_t mdb_pt_gap(unsigned space, uint64_t vpn)
{
	if (space >= T_SPACES || vpn >= T_PAGES || table[space][vpn / T_TABLE])
		return 0;
	return T_TABLE - vpn % T_TABLE;
}

bool mdb_pt_read(unsigned space, uint64_t vpn, uint64_t *frame, unsigned *rights)
{
	if (space >= T_SPACES || vpn >= T_PAGES || !pte[space][vpn].present)
		return false;
	*frame = pte[space][vpn].frame;
	*rights = pte[space][vpn].rights;
	return true;
}

static unsigned tables_missing(unsigned space, uint64_t vpn, uint64_t npages)
{
	unsigned missing = 0;

	for (uint64_t t = vpn / T_TABLE; t <= (vpn + npages - 1) / T_TABLE; t++)
		missing += !table[space][t];
	return missing;
}

/* Table counts asked for (mdb_pt_prepare, mdb_pt_reserve): the MDB skips them when every table exists. */
static unsigned prepare_calls;

enum kerr mdb_pt_reserve(unsigned space, uint64_t vpn, uint64_t npages, uint32_t *tables)
{
	unsigned missing;

	prepare_calls++;
	*tables = 0;
	if (vpn + npages > T_PAGES)
		return KERR_RANGE;
	missing = tables_missing(space, vpn, npages);
	if (pt_used[space] + pt_reserved[space] + missing > pt_limit[space])
		return KERR_QUOTA;
	pt_reserved[space] += missing;
	*tables = missing;
	return KERR_OK;
}

bool mdb_pt_make(unsigned space, uint64_t vpn, uint64_t npages)
{
	for (uint64_t t = vpn / T_TABLE; t <= (vpn + npages - 1) / T_TABLE; t++) {
		if (!table[space][t]) {
			assert_true(pt_reserved[space] > 0); /* only from a reservation */
			pt_reserved[space]--;
			table[space][t] = 1;
			pt_used[space]++;
			for (unsigned i = 0; i < T_TABLE; i++)
				SLOT(space, t * T_TABLE + i) = MDB_NIL;
			return true;
		}
	}
	return false;
}

void mdb_pt_unreserve(unsigned space, uint32_t tables)
{
	assert_true(pt_reserved[space] >= tables);
	pt_reserved[space] -= tables;
}

enum kerr mdb_pt_prepare(unsigned space, uint64_t vpn, uint64_t npages)
{
	uint32_t tables;
	enum kerr err = mdb_pt_reserve(space, vpn, npages, &tables);

	for (; err == KERR_OK && tables > 0; tables--)
		assert_true(mdb_pt_make(space, vpn, npages));
	return err;
}

void mdb_pt_write(unsigned space, uint64_t vpn, uint64_t frame, unsigned rights, mdb_idx_t idx)
{
	assert_true(table[space][vpn / T_TABLE]);
	assert_false(pte[space][vpn].present); /* never overwrite a live PTE */
	pte[space][vpn] = (struct fake_pte){1, frame, rights};
	SLOT(space, vpn) = idx;
}

void mdb_pt_clear(unsigned space, uint64_t vpn)
{
	assert_true(pte[space][vpn].present);
	pte[space][vpn].present = 0;
	SLOT(space, vpn) = MDB_NIL;
	unsynced++;
}

void mdb_pt_protect(unsigned space, uint64_t vpn, unsigned rights)
{
	assert_true(pte[space][vpn].present);
	assert_int_equal(pte[space][vpn].rights & rights, rights); /* only ever fewer rights */
	assert_int_not_equal(pte[space][vpn].rights, rights);	   /* and only when they change */
	pte[space][vpn].rights = rights;
	unsynced++;
}

uint64_t mdb_pt_slots(unsigned space, uint64_t vpn, uint64_t max, mdb_idx_t **out)
{
	uint64_t run = T_TABLE - vpn % T_TABLE;

	if (!mdb_pt_slot(space, vpn))
		return 0;
	*out = &SLOT(space, vpn);
	return run < max ? run : max;
}

/* The page a slot pointer stands for; fails unless it is a slot of a leaf table (not a guard). */
static void slot_page(const mdb_idx_t *slot, unsigned *space, uint64_t *vpn)
{
	const size_t per_table = T_TABLE + 1, per_space = (T_PAGES / T_TABLE) * per_table;
	size_t k = (size_t)(slot - &slot_store[0][0][0]);

	assert_true(slot >= &slot_store[0][0][0] && k < T_SPACES * per_space);
	assert_true(k % per_table < T_TABLE);
	*space = (unsigned)(k / per_space);
	*vpn = (k % per_space) / per_table * T_TABLE + k % per_table;
}

/* The pages of a run: its last slot is in the same leaf table as its first. */
static void run_pages(const mdb_idx_t *slots, uint64_t npages, unsigned *space, uint64_t *vpn)
{
	unsigned last_space;
	uint64_t last_vpn;

	assert_true(npages > 0);
	slot_page(slots, space, vpn);
	slot_page(slots + npages - 1, &last_space, &last_vpn);
	assert_int_equal(last_space, *space);
	assert_int_equal(last_vpn / T_TABLE, *vpn / T_TABLE);
	assert_int_equal(last_vpn, *vpn + npages - 1);
}

void mdb_pt_copy_run(const mdb_idx_t *src_slots, const mdb_idx_t *dst_slots, uint64_t npages, unsigned rights)
{
	unsigned src, dst;
	uint64_t src_vpn, dst_vpn;

	run_pages(src_slots, npages, &src, &src_vpn);
	run_pages(dst_slots, npages, &dst, &dst_vpn);
	assert_int_equal(unsynced, 0); /* the MDB clears a grant's sources only after all copies */
	for (uint64_t i = 0; i < npages; i++) {
		struct fake_pte *from = &pte[src][src_vpn + i], *to = &pte[dst][dst_vpn + i];

		assert_true(table[dst][(dst_vpn + i) / T_TABLE]);
		assert_true(from->present);
		assert_false(to->present);
		assert_int_equal(rights & ~from->rights, 0); /* rights only shrink */
		*to = (struct fake_pte){1, from->frame, rights};
	}
}

void mdb_pt_clear_run(unsigned space, uint64_t vpn, mdb_idx_t *slots, uint64_t npages)
{
	unsigned run_space;
	uint64_t run_vpn;

	run_pages(slots, npages, &run_space, &run_vpn);
	assert_int_equal(run_space, space);
	assert_int_equal(run_vpn, vpn);
	for (uint64_t i = 0; i < npages; i++)
		mdb_pt_clear(space, vpn + i);
}

void mdb_pt_sync(void)
{
	unsynced = 0;
}

/* ---- reference model ---- */

#define M_NODES 512

struct mnode {
	int used;
	unsigned space;
	uint64_t vpn;
	uint64_t frame;
	unsigned rights;
	unsigned depth;
	int parent; /* model node index, -1 for a root */
};

static struct mnode nodes[M_NODES];
static int at[T_SPACES][T_PAGES]; /* node index + 1, 0 = unmapped */

/* ---- test fixture ---- */

#define CAPACITY  96
#define MAX_DEPTH 5
#define MAP_MAX	  3

static struct mdb db;
static struct mdb_entry pool[CAPACITY + 1];
static struct mdb_quota quota[T_SPACES];
static uint64_t next_frame = 0x1000;
static unsigned rng_state;

static unsigned rnd(unsigned n)
{
	/* xorshift32: deterministic for a seed, independent of the C library */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return n ? rng_state % n : 0;
}

static void setup(unsigned seed)
{
	memset(pte, 0, sizeof(pte));
	memset(slot_store, 0, sizeof(slot_store));
	for (unsigned s = 0; s < T_SPACES; s++)
		for (unsigned t = 0; t < T_PAGES / T_TABLE; t++)
			slot_store[s][t][T_TABLE] = SLOT_GUARD;
	memset(table, 0, sizeof(table));
	memset(pt_used, 0, sizeof(pt_used));
	memset(pt_reserved, 0, sizeof(pt_reserved));
	memset(nodes, 0, sizeof(nodes));
	memset(at, 0, sizeof(at));
	unsynced = 0;
	rng_state = seed ? seed : 1;
	for (unsigned s = 0; s < T_SPACES; s++) {
		quota[s].limit = 20 + rnd(20); /* sum may exceed the pool: both limits get hit */
		pt_limit[s] = 3 + rnd(3);
	}
	mdb_init(&db, pool, CAPACITY, quota, T_SPACES, MAX_DEPTH, MAP_MAX);
}

static int model_alloc(void)
{
	for (int i = 0; i < M_NODES; i++)
		if (!nodes[i].used)
			return i;
	fail_msg("model out of nodes");
	return -1;
}

static unsigned model_used_in(unsigned space)
{
	unsigned n = 0;

	for (int i = 0; i < M_NODES; i++)
		n += nodes[i].used && nodes[i].space == space;
	return n;
}

static unsigned model_total(void)
{
	unsigned n = 0;

	for (int i = 0; i < M_NODES; i++)
		n += nodes[i].used;
	return n;
}

static int model_rights_ok(unsigned r)
{
	return !(r & ~MDB_RIGHTS) && (r & MDB_R) && (r & (MDB_W | MDB_X)) != (MDB_W | MDB_X);
}

static int model_range_ok(uint64_t vpn, uint64_t n)
{
	return vpn != 0 && vpn < MDB_VPN_LIMIT && n <= MDB_VPN_LIMIT - vpn;
}

static int model_node(unsigned space, uint64_t vpn)
{
	if (space >= T_SPACES || vpn >= T_PAGES)
		return -1;
	return at[space][vpn] - 1;
}

enum kind { K_MAP, K_SHARE, K_GRANT };

/* What a preempted map, share or grant holds while other operations run between its chunks. */
static unsigned model_reserved_entries, model_reserved_quota[T_SPACES];

/* The documented check order of derive operations (docs/mapping.md). */
static enum kerr model_derive_error(enum kind k, unsigned src, uint64_t sv, unsigned dst, uint64_t dv,
				    uint64_t n, unsigned rights)
{
	unsigned charge = (unsigned)n;

	if (src >= T_SPACES || dst >= T_SPACES)
		return KERR_SPACE;
	if (n == 0 || !model_rights_ok(rights))
		return KERR_INVAL;
	if (n > MAP_MAX || !model_range_ok(sv, n) || !model_range_ok(dv, n))
		return KERR_RANGE;
	if (src == dst && sv < dv + n && dv < sv + n) /* overlapping ranges in one space */
		return KERR_EXISTS;
	for (uint64_t i = 0; i < n; i++) {
		int s = model_node(src, sv + i);
		if (s < 0)
			return KERR_NOT_MAPPED;
		if (rights & ~nodes[s].rights)
			return KERR_RIGHTS;
		if (nodes[s].depth + (k == K_MAP) > MAX_DEPTH)
			return KERR_DEPTH;
		if (model_node(dst, dv + i) >= 0)
			return KERR_EXISTS;
	}
	if (k == K_GRANT && src == dst)
		charge = 0;
	if (quota[dst].limit - model_used_in(dst) - model_reserved_quota[dst] < charge)
		return KERR_QUOTA;
	if (k != K_GRANT && CAPACITY - model_total() - model_reserved_entries < n)
		return KERR_NO_MEMORY;
	if (dv + n > T_PAGES)
		return KERR_RANGE;
	/* Tables a stopped call reserved (the fake's count: the model has no tables) are taken. */
	if (pt_used[dst] + pt_reserved[dst] + tables_missing(dst, dv, n) > pt_limit[dst])
		return KERR_QUOTA;
	return KERR_OK;
}

static void model_derive(enum kind k, unsigned src, uint64_t sv, unsigned dst, uint64_t dv, uint64_t n,
			 unsigned rights)
{
	for (uint64_t i = 0; i < n; i++) {
		int s = model_node(src, sv + i), d;
		if (k == K_GRANT) {
			at[src][sv + i] = 0;
			nodes[s].space = dst;
			nodes[s].vpn = dv + i;
			nodes[s].rights = rights;
			at[dst][dv + i] = s + 1;
			continue;
		}
		d = model_alloc();
		nodes[d] = (struct mnode){1,
					  dst,
					  dv + i,
					  nodes[s].frame,
					  rights,
					  nodes[s].depth + (k == K_MAP),
					  k == K_MAP ? s : nodes[s].parent};
		at[dst][dv + i] = d + 1;
	}
}

static int model_is_descendant(int x, int ancestor)
{
	for (int p = nodes[x].parent; p >= 0; p = nodes[p].parent)
		if (p == ancestor)
			return 1;
	return 0;
}

static void model_remove(int x)
{
	at[nodes[x].space][nodes[x].vpn] = 0;
	nodes[x].used = 0;
}

static void model_unmap(unsigned space, uint64_t vpn, uint64_t n, unsigned flags)
{
	for (uint64_t i = 0; i < n; i++) {
		int x = model_node(space, vpn + i);
		if (x < 0)
			continue;
		for (int j = 0; j < M_NODES; j++)
			if (nodes[j].used && j != x && model_is_descendant(j, x))
				model_remove(j);
		if (flags & MDB_UNMAP_SELF)
			model_remove(x);
	}
}

static void model_protect(unsigned space, uint64_t vpn, uint64_t n, unsigned rights, unsigned flags)
{
	for (uint64_t i = 0; i < n; i++) {
		int x = model_node(space, vpn + i);
		if (x < 0)
			continue;
		for (int j = 0; j < M_NODES; j++)
			if (nodes[j].used && j != x && model_is_descendant(j, x))
				nodes[j].rights &= rights;
		if (flags & MDB_PROTECT_SELF)
			nodes[x].rights &= rights;
	}
}

/* Parent of an MDB entry, read from the preorder list: the nearest preceding shallower entry. */
static mdb_idx_t mdb_parent(mdb_idx_t i)
{
	unsigned d = mdb_entry_depth(&pool[i]);

	for (mdb_idx_t p = pool[i].prev; p != MDB_NIL; p = pool[p].prev)
		if (mdb_entry_depth(&pool[p]) < d)
			return p;
	return MDB_NIL;
}

static void compare_with_model(void)
{
	const char *err = mdb_check(&db);

	if (err)
		fail_msg("mdb_check: %s", err);
	assert_int_equal(unsynced, 0); /* every cleared PTE had its TLB maintenance */
	assert_true(guards_intact());  /* no run went past its leaf table */
	for (unsigned s = 0; s < T_SPACES; s++) {
		assert_int_equal(quota[s].used, model_used_in(s));
		for (uint64_t v = 0; v < T_PAGES; v++) {
			int x = model_node(s, v);
			mdb_idx_t e = mdb_lookup(&db, s, v);
			if (x < 0) {
				assert_int_equal(e, MDB_NIL);
				assert_false(pte[s][v].present);
				continue;
			}
			assert_int_not_equal(e, MDB_NIL);
			assert_true(pte[s][v].present);
			assert_int_equal(pte[s][v].frame, nodes[x].frame);
			assert_int_equal(pte[s][v].rights, nodes[x].rights);
			assert_int_equal(mdb_entry_depth(&pool[e]), nodes[x].depth);
			if (nodes[x].parent < 0) {
				assert_int_equal(mdb_parent(e), MDB_NIL);
			} else {
				mdb_idx_t p = mdb_parent(e);
				assert_int_not_equal(p, MDB_NIL);
				assert_int_equal(mdb_entry_space(&pool[p]), nodes[nodes[x].parent].space);
				assert_int_equal(mdb_entry_vpn(&pool[p]), nodes[nodes[x].parent].vpn);
			}
		}
	}
	assert_int_equal(db.free_count, CAPACITY - model_total());
	assert_null(db.cursors); /* no protect is left half done */
}

/* ---- random operations ---- */

static unsigned rand_space(void)
{
	return rnd(50) == 0 ? T_SPACES + rnd(3) : rnd(T_SPACES); /* sometimes a bad space */
}

static uint64_t rand_vpn(void)
{
	switch (rnd(40)) {
	case 0: return 0;		     /* the null page */
	case 1: return MDB_VPN_LIMIT - 1;    /* last page: most ranges overflow */
	case 2: return T_PAGES - 1 + rnd(3); /* at the end of the fake space */
	default: return 1 + rnd(T_PAGES - 1);
	}
}

static uint64_t rand_npages(void)
{
	return rnd(30) == 0 ? rnd(2) * (MAP_MAX + 1) : 1 + rnd(MAP_MAX); /* sometimes 0 or too many */
}

static unsigned rand_rights(void)
{
	return rnd(40) == 0 ? rnd(2) * 8 : 1 + rnd(7); /* sometimes 0 or an unknown bit */
}

static enum kerr do_unmap(unsigned space, uint64_t vpn, uint64_t n, unsigned flags, int interleave);
static void random_op(int interleave);
static void op_protect(int interleave);
static void model_resync(void);

static void op_root(void)
{
	unsigned s = rand_space(), rights = 1 + rnd(7);
	uint64_t v = rand_vpn(), frame = next_frame++;
	enum kerr want, got;

	if (s >= T_SPACES)
		want = KERR_SPACE;
	else if (!model_rights_ok(rights))
		want = KERR_INVAL;
	else if (!model_range_ok(v, 1))
		want = KERR_RANGE;
	else if (model_node(s, v) >= 0)
		want = KERR_EXISTS;
	else if (model_used_in(s) >= quota[s].limit)
		want = KERR_QUOTA;
	else if (model_total() >= CAPACITY)
		want = KERR_NO_MEMORY;
	else if (v + 1 > T_PAGES)
		want = KERR_RANGE;
	else if (pt_used[s] + pt_reserved[s] + tables_missing(s, v, 1) > pt_limit[s])
		want = KERR_QUOTA;
	else
		want = KERR_OK;
	got = mdb_insert_root(&db, s, v, frame, rights);
	assert_int_equal(got, want);
	if (got == KERR_OK) {
		int d = model_alloc();
		nodes[d] = (struct mnode){1, s, v, frame, rights, 0, -1};
		at[s][v] = d + 1;
	}
}

/*
 * map/share/grant through mdb_derive_preemptible(), restarted at every chunk boundary (chunks of 1
 * to 3 pages; in the checks none, or a stop after every 1 or 2 pages checked) as a preempted
 * system call is. Checks at each boundary the invariants and what the call holds in reserve;
 * with @interleave, other operations run between the chunks (they see the reservation).
 * *done = the pages mapped.
 */
static uint64_t derive_restarts, derive_conflicts;	 /* the random tests did exercise both */
static uint64_t derive_check_stops, derive_check_errors; /* stops in the checks, errors after one */
static uint64_t derive_table_stops;			 /* stops right after a new table */
static struct mdb_entry pool_before_call[CAPACITY + 1];

static enum kerr do_derive(enum kind k, unsigned src, uint64_t sv, unsigned dst, uint64_t dv, uint64_t n,
			   unsigned rights, int interleave, int *interleaved, uint64_t *done)
{
	struct mdb_derive d = {0};
	unsigned chunk = 1 + rnd(2), rounds = 0;
	const struct mdb_chunking c = {chunk, chunk, NULL, rnd(3), NULL, false};
	/* What other (outer) calls hold: this one runs between the chunks of another in the tests. */
	uint32_t base_entries = db.reserved, base_quota[T_SPACES], base_pt[T_SPACES];
	const uint64_t total = n;
	enum kerr r;

	for (unsigned s2 = 0; s2 < T_SPACES; s2++) {
		base_quota[s2] = quota[s2].reserved;
		base_pt[s2] = pt_reserved[s2];
	}

	*interleaved = 0;
	for (;;) {
		uint64_t before = d.active ? d.done : 0;
		const bool was_checking = !d.active || d.checking;
		const bool was_tables = d.active && !d.checking && d.tables > 0; /* stopped before a table */
		const uint32_t pt_before = dst < T_SPACES ? pt_used[dst] : 0;
		uint32_t used_before = dst < T_SPACES ? quota[dst].used : 0;

		memcpy(pool_before_call, pool, sizeof(pool));
		r = mdb_derive_preemptible(&db, (enum mdb_derive_kind)k, src, sv, dst, dv, n, rights, &c, &d);
		assert_int_equal(unsynced, 0);
		assert_true(d.done - before <= chunk);
		if (r != KERR_PREEMPTED && r != KERR_OK && r != KERR_CONFLICT) {
			/* An error of the checks, also after stops in them: nothing changed, nothing held. */
			assert_true(was_checking);
			assert_false(d.active);
			assert_int_equal(d.done, 0);
			assert_memory_equal(pool_before_call, pool, sizeof(pool));
			assert_true(dst >= T_SPACES || quota[dst].used == used_before);
			assert_true(dst >= T_SPACES || pt_used[dst] == pt_before); /* no table made */
			derive_check_errors += rounds > 0;
		}
		if (r != KERR_PREEMPTED)
			break;
		assert_true(d.active);
		assert_int_equal(d.done + d.npages, total);
		if (d.checking) {
			/* Stopped in the checks: after a whole chunk of them, nothing changed or reserved. */
			assert_true(c.checks != 0);
			/* (every page checked: stopped before counting the missing tables) */
			assert_true(d.checked > 0 && d.checked <= total &&
				    (d.checked % c.checks == 0 || d.checked == total));
			assert_int_equal(d.done, 0);
			assert_memory_equal(pool_before_call, pool, sizeof(pool));
			assert_int_equal(db.reserved, base_entries);
			assert_int_equal(quota[dst].reserved, base_quota[dst]);
			derive_check_stops++;
		} else {
			/*
			 * Right after the checks or after a new table (nothing committed), or a whole
			 * chunk; after the tables, at most a chunk (half of one at the end of a call).
			 */
			if (was_tables)
				assert_true(d.done - before <= chunk && (d.done == 0 || d.tables == 0));
			else
				assert_int_equal(d.done - before, was_checking && d.done == 0 ? 0 : chunk);
			/* Each stretch makes at most one table, from the call's reservation. */
			assert_true(pt_used[dst] - pt_before <= (c.checks ? 1U : 2U));
			assert_int_equal(pt_reserved[dst] - base_pt[dst], d.tables);
			derive_table_stops += c.checks && pt_used[dst] > pt_before;
			/* The rest is reserved: an entry per page (map, share), the destination's quota. */
			assert_int_equal(db.reserved - base_entries, k == K_GRANT ? 0 : d.npages);
			assert_int_equal(quota[dst].reserved - base_quota[dst],
					 k == K_GRANT && src == dst ? 0 : d.npages);
		}
		{
			const char *err = mdb_check(&db);
			if (err)
				fail_msg("mdb_check after a map chunk: %s", err);
		}
		sv = d.src_vpn, dv = d.dst_vpn, n = d.npages;
		if (interleave && rnd(4) == 0) {
			/* Take away the next source page: the restart must stop with a conflict. */
			uint64_t v = sv, one = 1, removed = 0;
			assert_int_equal(mdb_unmap(&db, src, &v, &one, MDB_UNMAP_SELF, 1000, &removed),
					 KERR_OK);
			*interleaved |= d.checking ? 3 : 1;
		} else if (interleave && rnd(2)) {
			model_resync();
			model_reserved_entries = db.reserved;
			model_reserved_quota[dst] = quota[dst].reserved;
			random_op(0);
			model_reserved_entries = model_reserved_quota[dst] = 0;
			*interleaved |= d.checking ? 3 : 1;
		}
		derive_restarts++;
		assert_true(++rounds < 1000);
	}
	assert_false(d.active);
	assert_int_equal(db.reserved, base_entries);
	for (unsigned s2 = 0; s2 < T_SPACES; s2++) {
		assert_int_equal(quota[s2].reserved, base_quota[s2]);
		assert_int_equal(pt_reserved[s2], base_pt[s2]);
	}
	*done = d.done;
	derive_conflicts += r == KERR_CONFLICT;
	return r;
}

static void op_derive(enum kind k, int interleave)
{
	unsigned src = rand_space(), dst = rand_space(), rights = rand_rights();
	uint64_t sv = rand_vpn(), dv = rand_vpn(), n = rand_npages(), done = 0;
	enum kerr want = model_derive_error(k, src, sv, dst, dv, n, rights), got;
	int interleaved = 0;

	/* Pick a real source most of the time, so derivations actually happen. */
	if (rnd(3) && src < T_SPACES) {
		for (unsigned tries = 0; tries < 8; tries++) {
			uint64_t v = 1 + rnd(T_PAGES - 1);
			if (model_node(src, v) >= 0) {
				sv = v;
				rights = rnd(8) ? nodes[model_node(src, v)].rights : rights;
				break;
			}
		}
		/* Between chunks, mostly a run of mapped pages with the rights they all have. */
		if (interleave && rnd(4) && model_node(src, sv) >= 0)
			for (n = 1, rights = nodes[model_node(src, sv)].rights;
			     n < MAP_MAX && model_node(src, sv + n) >= 0 &&
			     (rights & ~nodes[model_node(src, sv + n)].rights) == 0;
			     n++)
				;
		for (unsigned tries = 0; interleave && dst < T_SPACES && tries < 8; tries++) {
			uint64_t v = 1 + rnd(T_PAGES - (unsigned)n), i = 0;
			while (i < n && model_node(dst, v + i) < 0)
				i++;
			if (i == n) {
				dv = v; /* a free destination run */
				break;
			}
		}
		want = model_derive_error(k, src, sv, dst, dv, n, rights);
	}
	if (interleave || rnd(2)) {
		got = do_derive(k, src, sv, dst, dv, n, rights, interleave, &interleaved, &done);
	} else {
		got = k == K_MAP     ? mdb_map(&db, src, sv, dst, dv, n, rights)
		      : k == K_SHARE ? mdb_share(&db, src, sv, dst, dv, n, rights)
				     : mdb_grant(&db, src, sv, dst, dv, n, rights);
		done = got == KERR_OK ? n : 0;
	}
	if (interleaved) {
		/*
		 * Other operations ran between the chunks: the call maps all its pages or stops at one
		 * that fails a per-page check now (the pages it mapped before may have been changed by
		 * the operations after them: the directed tests check those).
		 */
		/* (a call stopped in its checks may have been bound to fail before the others ran) */
		assert_true(want == KERR_OK || (interleaved & 2));
		model_resync();
		if (got != KERR_OK && got != KERR_CONFLICT) {
			/* found by the checks after a stop in them: nothing mapped (do_derive checked) */
			assert_int_equal(done, 0);
			return;
		}
		if (got == KERR_OK) {
			assert_int_equal(done, n);
		} else {
			enum kerr now = model_derive_error(k, src, sv + done, dst, dv + done, 1, rights);
			assert_true(done < n);
			assert_true(now == KERR_NOT_MAPPED || now == KERR_RIGHTS || now == KERR_DEPTH ||
				    now == KERR_EXISTS);
		}
		return;
	}
	assert_int_equal(got, want);
	assert_int_equal(done, got == KERR_OK ? n : 0);
	if (got == KERR_OK)
		model_derive(k, src, sv, dst, dv, n, rights);
}

/* An ask_first point that finds an IRQ waiting every fourth time. */
static bool ask_sometimes(void)
{
	return rnd(4) == 0;
}

static enum kerr do_unmap(unsigned space, uint64_t vpn, uint64_t n, unsigned flags, int interleave)
{
	uint64_t removed = 0, cur = vpn, left = n;
	enum kerr r;
	unsigned rounds = 0;

	do {
		unsigned chunk = 1 + rnd(4);

		if (rnd(2)) {
			r = mdb_unmap(&db, space, &cur, &left, flags, chunk, &removed);
		} else {
			/* The system call's form: a first point that sometimes stops, walks as units. */
			const struct mdb_chunking c = {
				1 + rnd(chunk), chunk, NULL, 0, rnd(2) ? ask_sometimes : NULL, rnd(2) != 0};

			r = mdb_unmap_preemptible(&db, space, &cur, &left, flags, &c, &removed);
		}
		assert_int_equal(unsynced, 0);
		if (r == KERR_PREEMPTED) {
			const char *err = mdb_check(&db); /* valid at every chunk boundary */
			if (err)
				fail_msg("mdb_check after a chunk: %s", err);
			if (interleave && rnd(2)) {
				/* Another thread's operation between two chunks, checked against the
				 * model of the tree as the chunks have left it. */
				model_resync();
				random_op(0);
			}
		}
		assert_true(++rounds < 100000);
	} while (r == KERR_PREEMPTED);
	return r;
}

static void op_unmap(int interleave)
{
	unsigned s = rand_space(), flags = rnd(2) ? MDB_UNMAP_SELF : 0;
	uint64_t v = rand_vpn(), n = rnd(20) == 0 ? 0 : 1 + rnd(6);
	enum kerr want, got;

	if (rnd(60) == 0)
		flags |= 4; /* unknown flag */
	if (s >= T_SPACES)
		want = KERR_SPACE;
	else if (flags & ~MDB_UNMAP_SELF)
		want = KERR_INVAL;
	else if (n == 0)
		want = KERR_OK;
	else if (!model_range_ok(v, n))
		want = KERR_RANGE;
	else
		want = KERR_OK;
	got = do_unmap(s, v, n, flags, interleave);
	assert_int_equal(got, want);
	if (got == KERR_OK && !interleave)
		model_unmap(s, v, n, flags);
}

/*
 * protect restarted after every chunk as a preempted system call is: the same cursor, the rest
 * of the range; with @interleave, other operations run between the chunks.
 */
static uint64_t protect_walked, protect_restarts; /* the random tests did exercise protect */

static enum kerr do_protect(unsigned space, uint64_t vpn, uint64_t n, unsigned rights, unsigned flags,
			    int interleave)
{
	struct mdb_cursor cur = {0};
	uint64_t walked = 0, cur_vpn = vpn, left = n;
	enum kerr r;
	unsigned rounds = 0;

	do {
		unsigned chunk = 1 + rnd(4);
		uint64_t before = walked;
		r = mdb_protect(&db, space, &cur_vpn, &left, rights, flags, chunk, &cur, &walked);
		assert_int_equal(unsynced, 0);
		assert_true(walked - before <= chunk);
		if (r == KERR_PREEMPTED) {
			const char *err = mdb_check(&db);
			if (err)
				fail_msg("mdb_check after a protect chunk: %s", err);
			if (interleave && cur.active && rnd(4) == 0) {
				/* remove the entry the walk stopped at, or the page's own entry */
				mdb_idx_t x = rnd(3) ? cur.pos : cur.root;
				uint64_t xv = mdb_entry_vpn(&pool[x]), xn = 1, removed = 0;
				assert_int_equal(mdb_unmap(&db, mdb_entry_space(&pool[x]), &xv, &xn,
							   MDB_UNMAP_SELF, 1000, &removed),
						 KERR_OK);
				err = mdb_check(&db);
				if (err)
					fail_msg("mdb_check after removing the cursor's entry: %s", err);
			} else if (interleave && rnd(2)) {
				model_resync();
				random_op(0);
				err = mdb_check(&db); /* the cursor too, after the changes around it */
				if (err)
					fail_msg("mdb_check after an operation between protect chunks: %s",
						 err);
			}
		}
		assert_true(++rounds < 100000);
	} while (r == KERR_PREEMPTED);
	protect_walked += walked;
	protect_restarts += rounds - 1;
	assert_false(cur.active);
	return r;
}

static void op_protect(int interleave)
{
	unsigned s = rand_space(), flags = rnd(2) ? MDB_PROTECT_SELF : 0, rights = rand_rights();
	uint64_t v = rand_vpn(), n = rnd(20) == 0 ? 0 : 1 + rnd(6);
	enum kerr want, got;

	if (rnd(3))
		rights = rnd(2) ? MDB_R : rnd(2) ? MDB_R | MDB_W : MDB_R | MDB_X; /* mostly reductions */
	/* Start at a mapped page most of the time, so that there are subtrees to walk. */
	if (rnd(4) && s < T_SPACES)
		for (unsigned tries = 0; tries < 8; tries++) {
			uint64_t p = 1 + rnd(T_PAGES - 1);
			if (model_node(s, p) >= 0) {
				v = p;
				break;
			}
		}
	if (rnd(60) == 0)
		flags |= 2; /* unknown flag */
	if (s >= T_SPACES)
		want = KERR_SPACE;
	else if ((flags & ~MDB_PROTECT_SELF) || n == 0 || !model_rights_ok(rights))
		want = KERR_INVAL;
	else if (!model_range_ok(v, n))
		want = KERR_RANGE;
	else
		want = KERR_OK;
	got = do_protect(s, v, n, rights, flags, interleave);
	assert_int_equal(got, want);
	if (got == KERR_OK && !interleave)
		model_protect(s, v, n, rights, flags);
}

/* Rebuild the model from the MDB after interleaved operations (their order is not the model's). */
static void model_resync(void)
{
	memset(nodes, 0, sizeof(nodes));
	memset(at, 0, sizeof(at));
	for (unsigned s = 0; s < T_SPACES; s++)
		for (uint64_t v = 0; v < T_PAGES; v++) {
			mdb_idx_t e = mdb_lookup(&db, s, v);
			if (e != MDB_NIL) {
				int d = (int)e; /* model index = pool index, so parents can be linked below */
				nodes[d] = (struct mnode){
					1, s, v, pte[s][v].frame, pte[s][v].rights, mdb_entry_depth(&pool[e]),
					-1};
				at[s][v] = d + 1;
			}
		}
	for (int i = 0; i < M_NODES; i++)
		if (nodes[i].used)
			nodes[i].parent =
				mdb_parent((mdb_idx_t)i) == MDB_NIL ? -1 : (int)mdb_parent((mdb_idx_t)i);
}

static void random_op(int interleave)
{
	unsigned r = rnd(100);

	if (r < 18)
		op_root();
	else if (r < 45)
		op_derive(K_MAP, interleave);
	else if (r < 60)
		op_derive(K_SHARE, interleave);
	else if (r < 70)
		op_derive(K_GRANT, interleave);
	else if (r < 85)
		op_unmap(interleave);
	else
		op_protect(interleave);
}

static unsigned long ops_from_env(const char *name, unsigned long dflt)
{
	const char *v = getenv(name);

	return v ? strtoul(v, NULL, 0) : dflt;
}

static void test_model_sequential(void **state)
{
	unsigned long ops = ops_from_env("MDB_TEST_OPS", 1000000);

	(void)state;
	protect_walked = protect_restarts = 0;
	for (unsigned seed = 1; seed <= 10; seed++) {
		setup(seed * 7919);
		for (unsigned long i = 0; i < ops / 10; i++) {
			random_op(0);
			compare_with_model();
		}
	}
	print_message("protect: %llu entries walked, %llu restarts\n", (unsigned long long)protect_walked,
		      (unsigned long long)protect_restarts);
	assert_true(protect_walked > ops / 100 && protect_restarts > ops / 100);
}

static void test_model_interleaved_chunks(void **state)
{
	unsigned long ops = ops_from_env("MDB_TEST_OPS", 1000000) / 3;

	(void)state;
	protect_walked = protect_restarts = derive_restarts = derive_conflicts = 0;
	derive_check_stops = derive_check_errors = derive_table_stops = 0;
	for (unsigned seed = 1; seed <= 10; seed++) {
		setup(seed * 104729);
		for (unsigned long i = 0; i < ops / 10; i++) {
			if (rnd(4) == 0) {
				unsigned w = rnd(5);
				if (w < 2)
					op_unmap(1);
				else if (w < 3)
					op_protect(1);
				else
					op_derive((enum kind)rnd(3), 1);
				model_resync();
			} else {
				random_op(0);
			}
			compare_with_model();
		}
	}
	print_message("protect: %llu entries walked, %llu restarts\n", (unsigned long long)protect_walked,
		      (unsigned long long)protect_restarts);
	print_message("map/share/grant: %llu restarts, %llu conflicts, %llu stops in the checks, %llu errors "
		      "found after one, %llu stops after a new table\n",
		      (unsigned long long)derive_restarts, (unsigned long long)derive_conflicts,
		      (unsigned long long)derive_check_stops, (unsigned long long)derive_check_errors,
		      (unsigned long long)derive_table_stops);
	assert_true(protect_walked > ops / 100 && protect_restarts > ops / 100);
	if (ops >= 100000) /* the default; a short run (MDB_TEST_OPS) may not get there */
		assert_true(derive_restarts > ops / 1000 && derive_conflicts > 0 && derive_check_stops > 0 &&
			    derive_check_errors > 0 && derive_table_stops > 0);
}

/* ---- directed tests: the semantics in docs/mapping.md, one by one ---- */

static void fresh(void)
{
	setup(1);
	for (unsigned s = 0; s < T_SPACES; s++) {
		quota[s].limit = 40;
		pt_limit[s] = 6;
	}
}

static void test_share_survives_sender_unmap(void **state)
{
	uint64_t v = 5, n = 1, removed = 0;

	(void)state;
	fresh();
	assert_int_equal(mdb_insert_root(&db, 0, 1, 0x42, MDB_R | MDB_W), KERR_OK);
	assert_int_equal(mdb_map(&db, 0, 1, 1, 5, 1, MDB_R | MDB_W), KERR_OK); /* 0:1 -> 1:5 child */
	assert_int_equal(mdb_share(&db, 1, 5, 2, 7, 1, MDB_R), KERR_OK);       /* 2:7 sibling of 1:5 */
	assert_int_equal(mdb_map(&db, 1, 5, 3, 9, 1, MDB_R), KERR_OK);	       /* 3:9 child of 1:5 */
	/* The sender drops its own mapping: its child dies, the co-equal receiver survives. */
	assert_int_equal(mdb_unmap(&db, 1, &v, &n, MDB_UNMAP_SELF, 8, &removed), KERR_OK);
	assert_int_equal(removed, 2);
	assert_int_equal(mdb_lookup(&db, 1, 5), MDB_NIL);
	assert_int_equal(mdb_lookup(&db, 3, 9), MDB_NIL);
	assert_int_not_equal(mdb_lookup(&db, 2, 7), MDB_NIL);
	assert_true(pte[2][7].present && pte[2][7].frame == 0x42);
	/* The common ancestor's unmap takes the share too. */
	v = 1, n = 1, removed = 0;
	assert_int_equal(mdb_unmap(&db, 0, &v, &n, 0, 8, &removed), KERR_OK);
	assert_int_equal(removed, 1);
	assert_int_equal(mdb_lookup(&db, 2, 7), MDB_NIL);
	assert_int_not_equal(mdb_lookup(&db, 0, 1), MDB_NIL);
	assert_null(mdb_check(&db));
}

/*
 * A map whose destination leaf tables all exist does not call mdb_pt_prepare() (the slot
 * arrays it checked are the tables); one that needs a table does, all or nothing: out of
 * table quota it fails and changes nothing, while a map into existing tables still succeeds.
 */
static void test_prepare_only_for_missing_tables(void **state)
{
	unsigned calls;

	(void)state;
	fresh();
	for (uint64_t p = 1; p <= 3; p++)
		assert_int_equal(mdb_insert_root(&db, 0, p, 0x200 + p, MDB_R | MDB_W), KERR_OK);
	calls = prepare_calls;
	assert_int_equal(mdb_map(&db, 0, 1, 1, 9, 1, MDB_R), KERR_OK); /* table 1:1 is new */
	assert_int_equal(prepare_calls, calls + 1);
	assert_true(table[1][1]);
	calls = prepare_calls;
	assert_int_equal(mdb_map(&db, 0, 2, 1, 10, 1, MDB_R), KERR_OK); /* same table: no prepare */
	assert_int_equal(mdb_share(&db, 0, 3, 1, 11, 1, MDB_R), KERR_OK);
	assert_int_equal(prepare_calls, calls);
	assert_true(pte[1][10].present && pte[1][10].frame == 0x202 && pte[1][11].frame == 0x203);
	/* 1:15 in an existing table, 1:16 in a missing one: prepared, one table added. */
	assert_int_equal(mdb_map(&db, 0, 1, 1, 15, 2, MDB_R), KERR_OK);
	assert_int_equal(prepare_calls, calls + 1);
	assert_true(table[1][2] && pte[1][16].present && pte[1][16].frame == 0x202);
	/* No table quota left: a map needing a table fails whole, one into a table still works. */
	pt_limit[1] = pt_used[1];
	assert_int_equal(mdb_map(&db, 0, 3, 1, 24, 1, MDB_R), KERR_QUOTA);
	assert_false(table[1][3]);
	assert_int_equal(mdb_lookup(&db, 1, 24), MDB_NIL);
	assert_int_equal(mdb_map(&db, 0, 3, 1, 12, 1, MDB_R), KERR_OK);
	assert_null(mdb_check(&db));
	assert_true(guards_intact());
}

/*
 * The commit works one leaf-table run at a time (mdb_pt_slots, mdb_pt_copy_run): source and
 * destination cross a table boundary (every T_TABLE pages) at different pages of the range.
 */
static void test_runs_across_leaf_tables(void **state)
{
	uint64_t v = 6, n = 3, removed = 0;
	unsigned calls = 0;
	enum kerr r;

	(void)state;
	fresh();
	for (uint64_t p = 6; p < 9; p++) /* 0:6 0:7 | 0:8 */
		assert_int_equal(mdb_insert_root(&db, 0, p, 0x100 + p, MDB_R | MDB_W), KERR_OK);
	assert_int_equal(mdb_map(&db, 0, 6, 1, 7, 3, MDB_R), KERR_OK); /* -> 1:7 | 1:8 1:9 */
	for (uint64_t i = 0; i < 3; i++) {
		mdb_idx_t e = mdb_lookup(&db, 1, 7 + i);

		assert_int_not_equal(e, MDB_NIL);
		assert_int_equal(db.pool[e].prev,
				 mdb_lookup(&db, 0, 6 + i)); /* first child of its own source */
		assert_int_equal(mdb_entry_depth(&db.pool[e]), 1);
		assert_true(pte[1][7 + i].present && pte[1][7 + i].frame == 0x106 + i &&
			    pte[1][7 + i].rights == MDB_R);
	}
	/* Grant within one space: 1:7 | 1:8 1:9 -> 1:14 1:15 | 1:16 (the fake asserts that no
	 * source PTE is cleared before every destination PTE is written). */
	assert_int_equal(mdb_grant(&db, 1, 7, 1, 14, 3, MDB_R), KERR_OK);
	for (uint64_t i = 0; i < 3; i++) {
		assert_int_equal(mdb_lookup(&db, 1, 7 + i), MDB_NIL);
		assert_false(pte[1][7 + i].present);
		assert_true(pte[1][14 + i].present && pte[1][14 + i].frame == 0x106 + i);
	}
	assert_int_equal(quota[1].used, 3);
	assert_null(mdb_check(&db));
	/* A conflict on the second page, in the next run: nothing is changed. */
	assert_int_equal(mdb_share(&db, 0, 6, 1, 13, 3, MDB_R), KERR_EXISTS);
	assert_int_equal(mdb_lookup(&db, 1, 13), MDB_NIL);
	assert_int_equal(quota[1].used, 3);
	/* Unmap across the source's boundary, one unit per call: child, then root, per page. */
	do {
		uint64_t before = removed;

		r = mdb_unmap(&db, 0, &v, &n, MDB_UNMAP_SELF, 1, &removed);
		assert_int_equal(removed - before, 1);
		assert_null(mdb_check(&db));
		calls++;
	} while (r == KERR_PREEMPTED);
	assert_int_equal(r, KERR_OK);
	assert_int_equal(calls, 6);
	assert_int_equal(db.free_count, CAPACITY);
	assert_int_equal(quota[0].used + quota[1].used, 0);
	assert_true(guards_intact());
}

static void test_grant_moves_and_keeps_children(void **state)
{
	uint64_t v = 1, n = 1, removed = 0;

	(void)state;
	fresh();
	assert_int_equal(mdb_insert_root(&db, 0, 1, 0x99, MDB_R | MDB_W), KERR_OK);
	assert_int_equal(mdb_map(&db, 0, 1, 1, 2, 1, MDB_R | MDB_W), KERR_OK);
	assert_int_equal(mdb_map(&db, 1, 2, 2, 3, 1, MDB_R), KERR_OK);
	assert_int_equal(mdb_grant(&db, 1, 2, 3, 4, 1, MDB_R | MDB_W), KERR_OK);
	assert_int_equal(mdb_lookup(&db, 1, 2), MDB_NIL);
	assert_false(pte[1][2].present);
	assert_int_equal(quota[1].used, 0);
	assert_int_equal(quota[3].used, 1);
	/* Still derived from the root: unmapping the root's descendants removes both. */
	assert_int_equal(mdb_unmap(&db, 0, &v, &n, 0, 8, &removed), KERR_OK);
	assert_int_equal(removed, 2);
	assert_null(mdb_check(&db));
}

static void test_errors_change_nothing(void **state)
{
	uint8_t before[sizeof(pool)];
	struct mdb_quota qbefore[T_SPACES];

	(void)state;
	fresh();
	for (uint64_t v = 1; v <= 3; v++)
		assert_int_equal(mdb_insert_root(&db, 0, v, 0x100 + v, MDB_R), KERR_OK);
	assert_int_equal(mdb_map(&db, 0, 3, 1, 12, 1, MDB_R), KERR_OK); /* 1:12 is taken */
	memcpy(before, pool, sizeof(pool));
	memcpy(qbefore, quota, sizeof(quota));
	/* The third page's destination is taken: the first two must not be mapped either. */
	assert_int_equal(mdb_map(&db, 0, 1, 1, 10, 3, MDB_R), KERR_EXISTS);
	assert_int_equal(mdb_map(&db, 0, 1, 1, 20, 3, MDB_R | MDB_W), KERR_RIGHTS);
	assert_int_equal(mdb_map(&db, 0, 1, 1, 20, 4, MDB_R), KERR_RANGE); /* over MAP_MAX */
	assert_int_equal(mdb_map(&db, 0, 2, 1, 20, 3, MDB_R), KERR_NOT_MAPPED);
	assert_int_equal(mdb_map(&db, 0, 1, 9, 20, 1, MDB_R), KERR_SPACE);
	assert_int_equal(mdb_map(&db, 0, 1, 1, 0, 1, MDB_R), KERR_RANGE);
	assert_int_equal(mdb_map(&db, 0, 1, 1, 20, 0, MDB_R), KERR_INVAL);
	assert_int_equal(mdb_map(&db, 0, 1, 1, 20, 1, 0), KERR_INVAL);
	assert_int_equal(mdb_map(&db, 0, 1, 1, 20, 1, 8), KERR_INVAL);
	assert_int_equal(mdb_map(&db, 0, 1, 1, 20, 1, MDB_W), KERR_INVAL);		   /* not readable */
	assert_int_equal(mdb_map(&db, 0, 1, 1, 20, 1, MDB_R | MDB_W | MDB_X), KERR_INVAL); /* W^X */
	quota[1].limit = quota[1].used + 2;
	assert_int_equal(mdb_map(&db, 0, 1, 1, 20, 3, MDB_R), KERR_QUOTA);
	quota[1].limit = qbefore[1].limit;
	assert_int_equal(memcmp(before, pool, sizeof(pool)), 0);
	assert_int_equal(memcmp(qbefore, quota, sizeof(quota)), 0);
	assert_false(pte[1][10].present || pte[1][11].present || pte[1][20].present);
	assert_null(mdb_check(&db));
}

static void test_depth_limit(void **state)
{
	(void)state;
	fresh();
	assert_int_equal(mdb_insert_root(&db, 0, 1, 0x7, MDB_R), KERR_OK);
	for (unsigned d = 1; d <= MAX_DEPTH; d++)
		assert_int_equal(mdb_map(&db, 0, d, 0, d + 1, 1, MDB_R), KERR_OK);
	assert_int_equal(mdb_map(&db, 0, MAX_DEPTH + 1, 0, MAX_DEPTH + 2, 1, MDB_R), KERR_DEPTH);
	/* A share at the deepest level is allowed: it does not deepen the chain. */
	assert_int_equal(mdb_share(&db, 0, MAX_DEPTH + 1, 1, 1, 1, MDB_R), KERR_OK);
	assert_null(mdb_check(&db));
}

static void test_pool_exhaustion(void **state)
{
	unsigned mapped = 0;
	enum kerr r = KERR_OK;

	(void)state;
	fresh();
	for (unsigned s = 0; s < T_SPACES; s++) {
		quota[s].limit = CAPACITY;
		pt_limit[s] = T_PAGES / T_TABLE;
	}
	for (unsigned s = 0; s < T_SPACES && r == KERR_OK; s++)
		for (uint64_t v = 1; v < T_PAGES && r == KERR_OK; v++)
			if ((r = mdb_insert_root(&db, s, v, v, MDB_R)) == KERR_OK)
				mapped++;
	assert_int_equal(r, KERR_NO_MEMORY);
	assert_int_equal(mapped, CAPACITY);
	assert_int_equal(db.free_count, 0);
	assert_null(mdb_check(&db));
}

static void test_unmap_chunk_bound(void **state)
{
	uint64_t v = 1, n = 1, removed = 0;
	unsigned calls = 0;
	enum kerr r;

	(void)state;
	fresh();
	/* A wide fan: 30 children of one root, unmapped 4 entries per chunk. */
	assert_int_equal(mdb_insert_root(&db, 0, 1, 0x5, MDB_R), KERR_OK);
	for (uint64_t i = 0; i < 30; i++)
		assert_int_equal(mdb_map(&db, 0, 1, 1 + (unsigned)(i % 3), 1 + i / 3, 1, MDB_R), KERR_OK);
	do {
		uint64_t before = removed;
		r = mdb_unmap(&db, 0, &v, &n, 0, 4, &removed);
		assert_true(removed - before <= 4);
		assert_null(mdb_check(&db));
		calls++;
	} while (r == KERR_PREEMPTED);
	assert_int_equal(r, KERR_OK);
	assert_int_equal(removed, 30);
	assert_int_equal(calls, 8); /* 7 full chunks + one with 2 */
	assert_int_equal(mdb_unmap(&db, 0, &v, &n, 0, 0, &removed), KERR_INVAL); /* chunk 0 */
	/*
	 * Pages that remove nothing count too, one unit each, and a range no leaf table covers is
	 * skipped as one unit per missing table: pages 1-15 (tables exist, nothing mapped) and the
	 * gaps 16-23, 24-31, 32-39 and page 40 are 19 units, 5 chunks of 4.
	 */
	v = 1;
	n = 40;
	calls = 0;
	do {
		r = mdb_unmap(&db, 1, &v, &n, MDB_UNMAP_SELF, 4, &removed);
		calls++;
	} while (r == KERR_PREEMPTED);
	assert_int_equal(r, KERR_OK);
	assert_int_equal(calls, 5);
	assert_int_equal(v, 41);
}

/* mdb_unmap_preemptible: the next chunk follows at once until the preemption point says stop. */
static unsigned preempt_calls, preempt_at;

static bool preempt_on_call(void)
{
	return ++preempt_calls == preempt_at;
}

/* A fresh database: one root page in space 0 with 30 children spread over spaces 1 to 3. */
static void fan_of_30(void)
{
	fresh();
	assert_int_equal(mdb_insert_root(&db, 0, 1, 0x5, MDB_R), KERR_OK);
	for (uint64_t i = 0; i < 30; i++)
		assert_int_equal(mdb_map(&db, 0, 1, 1 + (unsigned)(i % 3), 1 + i / 3, 1, MDB_R), KERR_OK);
}

static void test_unmap_preemption_point(void **state)
{
	const struct mdb_chunking four = {4, 4, preempt_on_call, 0, NULL, false};
	uint64_t v = 1, n = 1, removed = 0;

	(void)state;
	fan_of_30();
	preempt_calls = 0;
	preempt_at = 3; /* stop at the third chunk boundary: 3 chunks of 4 done */
	assert_int_equal(mdb_unmap_preemptible(&db, 0, &v, &n, 0, &four, &removed), KERR_PREEMPTED);
	assert_int_equal(removed, 12);
	assert_int_equal(v, 1);
	assert_int_equal(n, 1);
	assert_null(mdb_check(&db));
	preempt_at = 0; /* never again */
	assert_int_equal(mdb_unmap_preemptible(&db, 0, &v, &n, 0, &four, &removed), KERR_OK);
	assert_int_equal(removed, 30);
	assert_int_equal(db.free_count, CAPACITY - 1);
	assert_null(mdb_check(&db));
}

/* A first chunk smaller than the rest (as system calls use it): boundaries after 1, 5, 9, ... units. */
static void test_unmap_small_first_chunk(void **state)
{
	const struct mdb_chunking c = {1, 4, preempt_on_call, 0, NULL, false};
	uint64_t v = 1, n = 1, removed = 0;

	(void)state;
	fan_of_30();
	preempt_calls = 0;
	preempt_at = 1;
	assert_int_equal(mdb_unmap_preemptible(&db, 0, &v, &n, 0, &c, &removed), KERR_PREEMPTED);
	assert_int_equal(removed, 1);
	preempt_calls = 0;
	preempt_at = 2; /* a restart is a new call: its first chunk is small again */
	assert_int_equal(mdb_unmap_preemptible(&db, 0, &v, &n, 0, &c, &removed), KERR_PREEMPTED);
	assert_int_equal(removed, 1 + 1 + 4);
	assert_null(mdb_check(&db));
	preempt_at = 0;
	assert_int_equal(mdb_unmap_preemptible(&db, 0, &v, &n, 0, &c, &removed), KERR_OK);
	assert_int_equal(removed, 30);
	assert_int_equal(db.free_count, CAPACITY - 1);
}

/* The system call's first preemption point (ask_first): after the first lookup, before any unit. */
static unsigned ask_calls;
static bool ask_answer;

static bool ask_on_call(void)
{
	ask_calls++;
	return ask_answer;
}

static void test_unmap_ask_first(void **state)
{
	const struct mdb_chunking c = {1, 4, preempt_on_call, 0, ask_on_call, false};
	uint64_t v = 1, n = 1, removed = 0;
	uint32_t free_before;

	(void)state;
	fan_of_30();
	free_before = db.free_count;
	ask_calls = 0;
	ask_answer = true; /* an IRQ waits: stop with nothing done, the call exactly as it came */
	preempt_calls = 0;
	preempt_at = 0;
	assert_int_equal(mdb_unmap_preemptible(&db, 0, &v, &n, 0, &c, &removed), KERR_PREEMPTED);
	assert_int_equal(ask_calls, 1);
	assert_int_equal(preempt_calls, 0);
	assert_int_equal(removed, 0);
	assert_int_equal(v, 1);
	assert_int_equal(n, 1);
	assert_int_equal(db.free_count, free_before);
	assert_null(mdb_check(&db));
	ask_answer = false; /* go on: then @first (1) unit, then chunks of 4 */
	preempt_at = 2;
	assert_int_equal(mdb_unmap_preemptible(&db, 0, &v, &n, 0, &c, &removed), KERR_PREEMPTED);
	assert_int_equal(ask_calls, 2);
	assert_int_equal(removed, 1 + 4);
	assert_null(mdb_check(&db));
	preempt_at = 0;
	assert_int_equal(mdb_unmap_preemptible(&db, 0, &v, &n, 0, &c, &removed), KERR_OK);
	assert_int_equal(ask_calls, 3); /* once per call, not per chunk */
	assert_int_equal(removed, 30);
	assert_int_equal(db.free_count, CAPACITY - 1);
	/* An empty range (no table) is a unit of work, never a lookup: the first point is not asked. */
	v = 3 * T_TABLE;
	n = 4;
	assert_int_equal(mdb_unmap_preemptible(&db, 0, &v, &n, 0, &c, &removed), KERR_OK);
	assert_int_equal(ask_calls, 3);
}

/*
 * mdb_unmap_restartable: with an IRQ always waiting (both points always say stop), a call that
 * is restarted after every stop still finishes, making at least one unit every second try;
 * mdb_unmap_preemptible alone would stop at the first point every time.
 */
static bool always_stop(void)
{
	return true;
}

static unsigned tries_to_finish(uint64_t v, uint64_t n, unsigned flags, uint64_t *removed)
{
	const struct mdb_chunking c = {1, 4, always_stop, 0, always_stop, true};
	bool stopped_first = false;
	unsigned tries = 0;
	enum kerr r;

	do {
		uint64_t before = *removed, v_before = v;
		bool skipped_first = stopped_first;

		r = mdb_unmap_restartable(&db, 0, &v, &n, flags, &c, &stopped_first, removed);
		tries++;
		if (skipped_first) /* the try after a stop at the first point made progress */
			assert_true(*removed > before || v > v_before || r == KERR_OK);
		assert_null(mdb_check(&db));
	} while (r == KERR_PREEMPTED && tries < 1000);
	assert_int_equal(r, KERR_OK);
	return tries;
}

static void test_unmap_restartable_progress(void **state)
{
	const struct mdb_chunking c = {1, 4, always_stop, 0, always_stop, true};
	uint64_t v = 1, n = 1, removed = 0;

	(void)state;
	/* Without the flag: stopped at the first point, with nothing done, every time. */
	fan_of_30();
	for (unsigned i = 0; i < 50; i++)
		assert_int_equal(mdb_unmap_preemptible(&db, 0, &v, &n, 0, &c, &removed), KERR_PREEMPTED);
	assert_int_equal(removed, 0);
	/*
	 * One page with 30 children: the range does not move, yet a try that removed one made
	 * progress (its flag stays clear, the next try may stop at the first point again): every
	 * second try removes one.
	 */
	assert_in_range(tries_to_finish(1, 1, 0, &removed), 2 * 30, 2 * 30 + 1);
	assert_int_equal(removed, 30);
	assert_int_equal(db.free_count, CAPACITY - 1);
	/* 8 pages, one child each, and the pages themselves: every second try moves on. */
	fresh();
	for (uint64_t p = 1; p <= 8; p++) {
		assert_int_equal(mdb_insert_root(&db, 0, p, 0x10 + p, MDB_R), KERR_OK);
		assert_int_equal(mdb_map(&db, 0, p, 1, p, 1, MDB_R), KERR_OK);
	}
	removed = 0;
	assert_true(tries_to_finish(1, 8, MDB_UNMAP_SELF, &removed) <= 2 * 16 + 1);
	assert_int_equal(removed, 16);
	assert_int_equal(db.free_count, CAPACITY);
}

/* run_unit: the lookup of each further leaf table counts as a unit; a stop there keeps the page. */
static void test_unmap_run_unit(void **state)
{
	const struct mdb_chunking c = {1, 1, preempt_on_call, 0, NULL, true};
	const struct mdb_chunking plain = {2, 2, preempt_on_call, 0, NULL, false};
	const struct mdb_chunking runs = {2, 2, preempt_on_call, 0, NULL, true};
	uint64_t v, n, removed = 0;

	(void)state;
	fresh();
	for (uint64_t p = T_TABLE - 1; p <= T_TABLE + 1; p++) /* pages 7, 8, 9: two leaf tables */
		assert_int_equal(mdb_insert_root(&db, 0, p, 0x10 + p, MDB_R), KERR_OK);
	v = T_TABLE - 1;
	n = 3;
	preempt_calls = 0;
	preempt_at = 2; /* boundary 1 after page 7, boundary 2 after the lookup of page 8's table */
	assert_int_equal(mdb_unmap_preemptible(&db, 0, &v, &n, MDB_UNMAP_SELF, &c, &removed), KERR_PREEMPTED);
	assert_int_equal(removed, 1);
	assert_int_equal(v, T_TABLE);
	assert_int_equal(n, 2);
	assert_null(mdb_check(&db));
	preempt_calls = 0;
	preempt_at = 0;
	assert_int_equal(mdb_unmap_preemptible(&db, 0, &v, &n, MDB_UNMAP_SELF, &c, &removed), KERR_OK);
	assert_int_equal(removed, 3);
	assert_int_equal(preempt_calls, 1); /* the restart's first lookup is no further table */
	assert_int_equal(db.free_count, CAPACITY);

	/* 20 pages over three tables: 20 units without, 22 with the two further lookups. */
	for (unsigned round = 0; round < 2; round++) {
		fresh();
		for (uint64_t p = 1; p <= 20; p++)
			assert_int_equal(mdb_insert_root(&db, 0, p, 0x10 + p, MDB_R), KERR_OK);
		v = 1;
		n = 20;
		removed = 0;
		preempt_calls = 0;
		assert_int_equal(mdb_unmap_preemptible(&db, 0, &v, &n, MDB_UNMAP_SELF, round ? &runs : &plain,
						       &removed),
				 KERR_OK);
		assert_int_equal(removed, 20);
		assert_int_equal(preempt_calls,
				 round ? 10 : 9); /* a boundary after every 2 units but the last */
		assert_null(mdb_check(&db));
	}
}

/* Deeper than 256 levels: the depth field is 16 bits wide (an 8-bit field once lost the chain). */
#define DEEP_CAP (T_SPACES * (T_PAGES - 1))
static struct mdb_entry deep_pool[DEEP_CAP + 1];

static void test_deep_chain_constant_work_per_chunk(void **state)
{
	uint64_t v = 1, n = 1, removed = 0, depth = 0;
	unsigned calls = 0;
	mdb_idx_t last;
	enum kerr r;

	(void)state;
	fresh();
	for (unsigned s = 0; s < T_SPACES; s++) {
		quota[s].limit = DEEP_CAP;
		pt_limit[s] = T_PAGES / T_TABLE;
	}
	mdb_init(&db, deep_pool, DEEP_CAP, quota, T_SPACES, MDB_DEPTH_MAX, MAP_MAX);
	/* A chain as deep as the pool allows: 0:1 -> 1:1 -> 2:1 -> 3:1 -> 0:2 -> ... */
	assert_int_equal(mdb_insert_root(&db, 0, 1, 0x77, MDB_R | MDB_W), KERR_OK);
	for (unsigned i = 1; i < DEEP_CAP; i++, depth++)
		assert_int_equal(mdb_map(&db, (i - 1) % T_SPACES, 1 + (i - 1) / T_SPACES, i % T_SPACES,
					 1 + i / T_SPACES, 1, i < DEEP_CAP - 1 ? MDB_R | MDB_W : MDB_R),
				 KERR_OK);
	assert_int_equal(depth, DEEP_CAP - 1);
	assert_true(DEEP_CAP > 256);
	last = mdb_lookup(&db, (DEEP_CAP - 1) % T_SPACES, 1 + (DEEP_CAP - 1) / T_SPACES);
	assert_int_equal(mdb_entry_depth(&db.pool[last]), DEEP_CAP - 1);
	assert_int_equal(mdb_entry_rights(&db.pool[last]), MDB_R);
	assert_int_equal(mdb_entry_space(&db.pool[last]), (DEEP_CAP - 1) % T_SPACES);
	assert_null(mdb_check(&db));
	/* Every call removes exactly its chunk: no walk down the chain before the first removal. */
	do {
		uint64_t before = removed;
		r = mdb_unmap(&db, 0, &v, &n, 0, 1, &removed);
		assert_int_equal(removed - before, 1);
		if (calls % 16 == 0)
			assert_null(mdb_check(&db));
		calls++;
	} while (r == KERR_PREEMPTED);
	assert_int_equal(r, KERR_OK);
	assert_int_equal(removed, DEEP_CAP - 1);
	assert_int_equal(db.free_count, DEEP_CAP - 1);
	assert_null(mdb_check(&db));
}

/* ---- protect: directed tests ---- */

static unsigned rights_at(unsigned space, uint64_t vpn)
{
	mdb_idx_t e = mdb_lookup(&db, space, vpn);

	assert_int_not_equal(e, MDB_NIL);
	assert_int_equal(pte[space][vpn].rights, mdb_entry_rights(&pool[e]));
	return mdb_entry_rights(&pool[e]);
}

static enum kerr protect_all(unsigned space, uint64_t vpn, uint64_t n, unsigned rights, unsigned flags,
			     unsigned chunk)
{
	struct mdb_cursor cur = {0};
	uint64_t walked = 0;
	enum kerr r;

	while ((r = mdb_protect(&db, space, &vpn, &n, rights, flags, chunk, &cur, &walked)) == KERR_PREEMPTED)
		assert_null(mdb_check(&db));
	return r;
}

/* root 0:1 (RW) -> 1:2 (RW) -> 2:3 (RW); 3:4 shares 1:2 (RW, a child of the root); 0:5 another tree */
static void protect_tree(void)
{
	fresh();
	assert_int_equal(mdb_insert_root(&db, 0, 1, 0x10, MDB_R | MDB_W), KERR_OK);
	assert_int_equal(mdb_map(&db, 0, 1, 1, 2, 1, MDB_R | MDB_W), KERR_OK);
	assert_int_equal(mdb_map(&db, 1, 2, 2, 3, 1, MDB_R | MDB_W), KERR_OK);
	assert_int_equal(mdb_share(&db, 1, 2, 3, 4, 1, MDB_R | MDB_W), KERR_OK);
	assert_int_equal(mdb_insert_root(&db, 0, 5, 0x20, MDB_R | MDB_X), KERR_OK);
	assert_int_equal(mdb_map(&db, 0, 5, 1, 6, 1, MDB_R | MDB_X), KERR_OK);
}

static void test_protect_semantics(void **state)
{
	(void)state;
	protect_tree();
	/* without SELF: every descendant, not the page itself, not another tree */
	assert_int_equal(protect_all(0, 1, 1, MDB_R, 0, 1), KERR_OK);
	assert_int_equal(rights_at(0, 1), MDB_R | MDB_W);
	assert_int_equal(rights_at(1, 2), MDB_R);
	assert_int_equal(rights_at(2, 3), MDB_R);
	assert_int_equal(rights_at(3, 4), MDB_R);
	assert_int_equal(rights_at(1, 6), MDB_R | MDB_X);
	/* rights only shrink: RW on a reduced tree gives nothing back */
	assert_int_equal(protect_all(0, 1, 1, MDB_R | MDB_W, 0, 2), KERR_OK);
	assert_int_equal(rights_at(2, 3), MDB_R);
	/* a map from a reduced entry can only have the reduced rights */
	assert_int_equal(mdb_map(&db, 1, 2, 2, 7, 1, MDB_R | MDB_W), KERR_RIGHTS);
	/* SELF: the page too; a range with holes skips them; R|W as mask removes X */
	assert_int_equal(protect_all(0, 1, 6, MDB_R | MDB_W, MDB_PROTECT_SELF, 3), KERR_OK);
	assert_int_equal(rights_at(0, 1), MDB_R | MDB_W);
	assert_int_equal(rights_at(0, 5), MDB_R);
	assert_int_equal(rights_at(1, 6), MDB_R);
	assert_int_equal(protect_all(0, 1, 1, MDB_R, MDB_PROTECT_SELF, 3), KERR_OK);
	assert_int_equal(rights_at(0, 1), MDB_R);
	/* no entry or PTE was added or removed */
	assert_int_equal(db.free_count, CAPACITY - 6);
	assert_null(mdb_check(&db));
}

static void test_protect_errors_change_nothing(void **state)
{
	uint8_t before[sizeof(pool)];
	struct fake_pte pbefore[T_SPACES][T_PAGES];
	struct mdb_cursor cur = {0};
	uint64_t walked = 0;

	(void)state;
	protect_tree();
	memcpy(before, pool, sizeof(pool));
	memcpy(pbefore, pte, sizeof(pte));
#define BAD(space, vpn, n, rights, flags, want)                                                             \
	do {                                                                                                \
		uint64_t v_ = (vpn), n_ = (n);                                                              \
		assert_int_equal(mdb_protect(&db, space, &v_, &n_, rights, flags, 4, &cur, &walked), want); \
	} while (0)
	BAD(T_SPACES, 1, 1, MDB_R, 0, KERR_SPACE);
	BAD(0, 1, 1, MDB_W, 0, KERR_INVAL);		    /* without R */
	BAD(0, 1, 1, 0, 0, KERR_INVAL);			    /* nothing */
	BAD(0, 1, 1, MDB_R | MDB_W | MDB_X, 0, KERR_INVAL); /* W+X is never valid rights */
	BAD(0, 1, 1, MDB_R | 8, 0, KERR_INVAL);		    /* unknown bit */
	BAD(0, 1, 1, MDB_R, 2, KERR_INVAL);		    /* unknown flag */
	BAD(0, 1, 0, MDB_R, 0, KERR_INVAL);		    /* zero pages */
	BAD(0, 0, 1, MDB_R, 0, KERR_RANGE);		    /* page 0 */
	BAD(0, MDB_VPN_LIMIT - 1, 2, MDB_R, 0, KERR_RANGE); /* past 2^36 pages */
	BAD(0, MDB_VPN_LIMIT, 1, MDB_R, 0, KERR_RANGE);
	BAD(0, 1, ~0ULL, MDB_R, 0, KERR_RANGE); /* vpn + npages wraps */
#undef BAD
	assert_int_equal(walked, 0);
	assert_int_equal(memcmp(before, pool, sizeof(pool)), 0);
	assert_int_equal(memcmp(pbefore, pte, sizeof(pte)), 0);
	assert_false(cur.active);
	/* unmapped pages are skipped, not an error (like unmap) */
	assert_int_equal(protect_all(2, 10, 20, MDB_R, MDB_PROTECT_SELF, 2), KERR_OK);
	assert_int_equal(memcmp(before, pool, sizeof(pool)), 0);
}

/* A fan of 12 below the root, with a chain of 4 under its third child: 16 descendants. */
static void protect_big_tree(void)
{
	fresh();
	assert_int_equal(mdb_insert_root(&db, 0, 1, 0x30, MDB_R | MDB_W), KERR_OK);
	for (uint64_t i = 0; i < 12; i++)
		assert_int_equal(mdb_map(&db, 0, 1, 1 + (unsigned)(i % 3), 10 + i, 1, MDB_R | MDB_W),
				 KERR_OK);
	for (uint64_t i = 0; i < 4; i++)
		assert_int_equal(mdb_map(&db, i ? 0 : 3, i ? 30 + i - 1 : 12, 0, 30 + i, 1, MDB_R | MDB_W),
				 KERR_OK);
}

/* Stopping at boundary k of every k gives the same final state as an uninterrupted protect. */
static void test_protect_every_boundary(void **state)
{
	uint8_t want[sizeof(pool)];
	struct fake_pte want_pte[T_SPACES][T_PAGES];
	unsigned boundaries = 0;

	(void)state;
	protect_big_tree();
	assert_int_equal(protect_all(0, 1, 1, MDB_R, MDB_PROTECT_SELF, 1000), KERR_OK);
	memcpy(want, pool, sizeof(pool));
	memcpy(want_pte, pte, sizeof(pte));
	for (unsigned chunk = 1; chunk <= 3; chunk++)
		for (unsigned k = 1;; k++) {
			const struct mdb_chunking c = {chunk, chunk, preempt_on_call, 0, NULL, false};
			struct mdb_cursor cur = {0};
			uint64_t v = 1, n = 1, walked = 0;
			enum kerr r;

			protect_big_tree();
			preempt_calls = 0;
			preempt_at = k;
			r = mdb_protect_preemptible(&db, 0, &v, &n, MDB_R, MDB_PROTECT_SELF, &c, &cur,
						    &walked);
			if (r == KERR_OK)
				break; /* fewer than k boundaries: all were covered */
			assert_int_equal(r, KERR_PREEMPTED);
			assert_int_equal(walked, k * chunk);
			assert_null(mdb_check(&db));
			boundaries++;
			preempt_at = 0;
			assert_int_equal(mdb_protect_preemptible(&db, 0, &v, &n, MDB_R, MDB_PROTECT_SELF, &c,
								 &cur, &walked),
					 KERR_OK);
			assert_int_equal(walked, 17);
			assert_int_equal(memcmp(want, pool, sizeof(pool)), 0);
			assert_int_equal(memcmp(want_pte, pte, sizeof(pte)), 0);
		}
	assert_int_equal(boundaries, 16 + 8 + 5); /* 17 entries: 17, 9 and 6 chunks, the last ends it */
}

/* Other operations between two chunks: the cursor stays valid when entries around it go. */
static void test_protect_cursor_and_changes(void **state)
{
	struct mdb_cursor cur = {0};
	uint64_t v = 1, n = 1, walked = 0, uv, un, removed = 0;

	(void)state;
	protect_big_tree();
	/* list: root, 2:13 1:12 0:11 ... (newest child first): stop after 2 entries */
	assert_int_equal(mdb_protect(&db, 0, &v, &n, MDB_R, 0, 2, &cur, &walked), KERR_PREEMPTED);
	assert_true(cur.active);
	assert_int_equal(rights_at(1 + 11 % 3, 21), MDB_R); /* the newest child, 10 + 11 */
	/* remove the entry the cursor stopped at (with its subtree) */
	uv = mdb_entry_vpn(&pool[cur.pos]);
	un = 1;
	assert_int_equal(
		mdb_unmap(&db, mdb_entry_space(&pool[cur.pos]), &uv, &un, MDB_UNMAP_SELF, 8, &removed),
		KERR_OK);
	assert_null(mdb_check(&db));
	/* a share of a child not yet reduced lands after the cursor: reduced too */
	assert_int_equal(mdb_share(&db, 0, 30, 3, 40, 1, MDB_R | MDB_W), KERR_OK);
	/* a new child of the page itself lands before the cursor: made after the call, it keeps RW */
	assert_int_equal(mdb_map(&db, 0, 1, 3, 41, 1, MDB_R | MDB_W), KERR_OK);
	while (mdb_protect(&db, 0, &v, &n, MDB_R, 0, 2, &cur, &walked) == KERR_PREEMPTED)
		assert_null(mdb_check(&db));
	assert_false(cur.active);
	assert_int_equal(rights_at(3, 40), MDB_R);
	assert_int_equal(rights_at(3, 41), MDB_R | MDB_W);
	for (uint64_t i = 0; i < 12; i++)
		if (mdb_lookup(&db, 1 + (unsigned)(i % 3), 10 + i) != MDB_NIL)
			assert_int_equal(rights_at(1 + (unsigned)(i % 3), 10 + i), MDB_R);
	for (uint64_t i = 0; i < 4; i++)
		assert_int_equal(rights_at(0, 30 + i), MDB_R);
	assert_int_equal(rights_at(0, 1), MDB_R | MDB_W);

	/* the page's own entry removed between chunks: the cursor is dropped, the rest goes on */
	protect_big_tree();
	v = 1, n = 2, walked = 0;
	assert_int_equal(mdb_protect(&db, 0, &v, &n, MDB_R, 0, 3, &cur, &walked), KERR_PREEMPTED);
	uv = 1, un = 1;
	assert_int_equal(mdb_unmap(&db, 0, &uv, &un, MDB_UNMAP_SELF, 100, &removed), KERR_OK);
	assert_false(cur.active);
	assert_null(db.cursors);
	while (mdb_protect(&db, 0, &v, &n, MDB_R, 0, 3, &cur, &walked) == KERR_PREEMPTED)
		;
	assert_int_equal(db.free_count, CAPACITY);
	assert_null(mdb_check(&db));
	/* a fresh call never continues a dropped walk */
	protect_big_tree();
	v = 1, n = 1;
	assert_int_equal(mdb_protect(&db, 0, &v, &n, MDB_R, 0, 3, &cur, &walked), KERR_PREEMPTED);
	mdb_cursor_drop(&db, &cur);
	assert_null(db.cursors);
	v = 1, n = 1, walked = 0;
	assert_int_equal(protect_all(0, 1, 1, MDB_R, 0, 100), KERR_OK);
	assert_null(mdb_check(&db));
}

/* ---- map, share, grant in chunks ---- */

/* Three roots in space 0 at pages 6, 7, 8 (across a leaf-table boundary), rights RW. */
static void three_roots(void)
{
	fresh();
	for (uint64_t p = 6; p <= 8; p++)
		assert_int_equal(mdb_insert_root(&db, 0, p, 0x300 + p, MDB_R | MDB_W), KERR_OK);
	assert_int_equal(mdb_map(&db, 0, 6, 2, 1, 3, MDB_R | MDB_W), KERR_OK); /* children to grant on */
}

/* What a test compares: every PTE, each entry's depth and parent page, quotas, free entries. */
struct snapshot {
	struct fake_pte pte[T_SPACES][T_PAGES];
	unsigned depth[T_SPACES][T_PAGES];
	uint64_t parent[T_SPACES][T_PAGES];
	uint32_t used[T_SPACES], free_count;
};

static void snap(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->pte, pte, sizeof(pte));
	for (unsigned sp = 0; sp < T_SPACES; sp++) {
		s->used[sp] = quota[sp].used;
		for (uint64_t v = 0; v < T_PAGES; v++) {
			mdb_idx_t e = mdb_lookup(&db, sp, v), p = e ? mdb_parent(e) : MDB_NIL;
			s->depth[sp][v] = e ? mdb_entry_depth(&pool[e]) : ~0U;
			s->parent[sp][v] =
				p ? mdb_entry_space(&pool[p]) * 1000 + mdb_entry_vpn(&pool[p]) : ~0ULL;
		}
	}
	s->free_count = db.free_count;
}

static struct snapshot want_state, got_state;

static enum kerr derive_call(enum mdb_derive_kind k, unsigned src, uint64_t sv, unsigned dst, uint64_t dv,
			     uint64_t n, unsigned rights, const struct mdb_chunking *c, struct mdb_derive *d)
{
	enum kerr r = mdb_derive_preemptible(&db, k, src, sv, dst, dv, n, rights, c, d);

	assert_int_equal(unsynced, 0);
	assert_null(mdb_check(&db));
	return r;
}

/*
 * Stopped at every chunk boundary (first chunk 1 page, then 1 to 3) and restarted with the rest,
 * each kind ends in exactly the state of one uninterrupted call; meanwhile the rest is reserved.
 */
static void test_derive_every_boundary(void **state)
{
	static const unsigned dsts[] = {1, 2, 0}; /* map, share into space 1; grant within space 2 */
	static const uint64_t src_vpn[] = {6, 6, 1}, dst_vpn[] = {7, 7, 12};

	(void)state;
	for (unsigned k = MDB_DERIVE_MAP; k <= MDB_DERIVE_GRANT; k++) {
		unsigned src = k == MDB_DERIVE_GRANT ? 2 : 0, dst = k == MDB_DERIVE_GRANT ? 2 : dsts[k];

		three_roots();
		assert_int_equal(derive_call(k, src, src_vpn[k], dst, dst_vpn[k], 3, MDB_R,
					     &(struct mdb_chunking){MDB_UNCHUNKED, MDB_UNCHUNKED, NULL, 0,
								    NULL, false},
					     &(struct mdb_derive){0}),
				 KERR_OK);
		snap(&want_state);
		for (unsigned each = 1; each <= 3; each++) {
			const struct mdb_chunking c = {1, each, NULL, 0, NULL, false};
			struct mdb_derive d = {0};
			uint64_t sv = src_vpn[k], dv = dst_vpn[k], n = 3, expect_done = 0;
			unsigned stops = 0;
			enum kerr r;

			three_roots();
			while ((r = derive_call(k, src, sv, dst, dv, n, MDB_R, &c, &d)) == KERR_PREEMPTED) {
				expect_done += 1; /* a restart is a new call: its first chunk is 1 page */
				assert_int_equal(d.done, expect_done);
				assert_int_equal(db.reserved, k == MDB_DERIVE_GRANT ? 0 : d.npages);
				assert_int_equal(quota[dst].reserved, k == MDB_DERIVE_GRANT ? 0 : d.npages);
				sv = d.src_vpn, dv = d.dst_vpn, n = d.npages;
				stops++;
			}
			assert_int_equal(r, KERR_OK);
			assert_int_equal(d.done, 3);
			assert_int_equal(stops, 2);
			assert_false(d.active);
			assert_int_equal(db.reserved, 0);
			assert_int_equal(quota[dst].reserved, 0);
			snap(&got_state);
			assert_memory_equal(&got_state, &want_state, sizeof(want_state));
		}
		/* The preemption point says "go on" k - 1 times, then "stop": the PTEs of every chunk
		 * done so far are written at the stop (one copy), the rest after the restart. */
		for (unsigned stop_at = 1; stop_at <= 3; stop_at++) {
			const struct mdb_chunking c = {1, 1, preempt_on_call, 0, NULL, false};
			struct mdb_derive d = {0};

			three_roots();
			preempt_calls = 0;
			preempt_at = stop_at;
			assert_int_equal(derive_call(k, src, src_vpn[k], dst, dst_vpn[k], 3, MDB_R, &c, &d),
					 stop_at < 3 ? KERR_PREEMPTED : KERR_OK);
			assert_int_equal(d.done, stop_at);
			for (unsigned i = 0; i < 3; i++) /* exactly the pages done have their PTEs */
				assert_int_equal(pte[dst][dst_vpn[k] + i].present, i < stop_at);
			preempt_at = 0;
			if (stop_at < 3)
				assert_int_equal(derive_call(k, src, d.src_vpn, dst, d.dst_vpn, d.npages,
							     MDB_R, &c, &d),
						 KERR_OK);
			snap(&got_state);
			assert_memory_equal(&got_state, &want_state, sizeof(want_state));
		}
		/* With a longer first chunk the stops fall elsewhere; still the same result. */
		for (unsigned each = 1; each <= 2; each++) {
			const struct mdb_chunking c = {2, each, NULL, 0, NULL, false};
			struct mdb_derive d = {0};
			uint64_t sv = src_vpn[k], dv = dst_vpn[k], n = 3;

			three_roots();
			assert_int_equal(derive_call(k, src, sv, dst, dv, n, MDB_R, &c, &d), KERR_PREEMPTED);
			assert_int_equal(d.done, 2);
			assert_int_equal(
				derive_call(k, src, d.src_vpn, dst, d.dst_vpn, d.npages, MDB_R, &c, &d),
				KERR_OK);
			snap(&got_state);
			assert_memory_equal(&got_state, &want_state, sizeof(want_state));
		}
	}
}

/* A 3-page map from 0:6 to 1:20 stopped after its first page; returns its state. */
static struct mdb_derive map_stopped_after_one(void)
{
	const struct mdb_chunking c = {1, 1, NULL, 0, NULL, false};
	struct mdb_derive d = {0};

	three_roots();
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 1, 20, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_int_equal(d.done, 1);
	assert_int_equal(db.reserved, 2);
	assert_int_equal(quota[1].reserved, 2);
	return d;
}

static void assert_nothing_reserved(void)
{
	assert_int_equal(db.reserved, 0);
	for (unsigned s = 0; s < T_SPACES; s++) {
		assert_int_equal(quota[s].reserved, 0);
		assert_int_equal(pt_reserved[s], 0);
	}
}

/*
 * A page changed while the call was stopped: the restart maps up to it, stops with
 * KERR_CONFLICT, keeps what it mapped and releases the rest of the reservation.
 */
static void test_derive_conflict(void **state)
{
	const struct mdb_chunking c = {1, 1, NULL, 0, NULL, false};
	struct mdb_derive d;
	uint64_t v, n, removed, walked;
	struct mdb_cursor cur = {0};

	(void)state;
	/* source of the next page unmapped */
	d = map_stopped_after_one();
	v = 7, n = 1, removed = 0;
	assert_int_equal(mdb_unmap(&db, 0, &v, &n, MDB_UNMAP_SELF, 100, &removed), KERR_OK);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, d.src_vpn, 1, d.dst_vpn, d.npages, MDB_R, &c, &d),
			 KERR_CONFLICT);
	assert_int_equal(d.done, 1);
	assert_false(d.active);
	assert_nothing_reserved();
	assert_true(pte[1][20].present && pte[1][20].frame == 0x306);
	assert_false(pte[1][21].present || pte[1][22].present);
	assert_int_equal(quota[1].used, 1);

	/* destination of the third page taken: the second page still goes in */
	d = map_stopped_after_one();
	assert_int_equal(mdb_map(&db, 0, 8, 1, 22, 1, MDB_R), KERR_OK);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, d.src_vpn, 1, d.dst_vpn, d.npages, MDB_R, &c, &d),
			 KERR_PREEMPTED);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, d.src_vpn, 1, d.dst_vpn, d.npages, MDB_R, &c, &d),
			 KERR_CONFLICT);
	assert_int_equal(d.done, 2);
	assert_nothing_reserved();
	assert_int_equal(quota[1].used, 3);

	/* the source's rights reduced below what the call asks */
	d = map_stopped_after_one();
	v = 7, n = 1, walked = 0;
	assert_int_equal(mdb_protect(&db, 0, &v, &n, MDB_R, MDB_PROTECT_SELF, 100, &cur, &walked), KERR_OK);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, d.src_vpn, 1, d.dst_vpn, d.npages, MDB_R, &c, &d),
			 KERR_PREEMPTED); /* R is still a subset of R: no conflict */
	d = map_stopped_after_one();
	d.rights = MDB_R | MDB_W; /* the same call asking for RW (set up by hand) */
	assert_int_equal(mdb_derive_preemptible(&db, MDB_DERIVE_MAP, 0, d.src_vpn, 1, d.dst_vpn, d.npages,
						MDB_R | MDB_W, &c, &d),
			 KERR_PREEMPTED);
	v = 8, n = 1, walked = 0;
	assert_int_equal(mdb_protect(&db, 0, &v, &n, MDB_R, MDB_PROTECT_SELF, 100, &cur, &walked), KERR_OK);
	assert_int_equal(
		derive_call(MDB_DERIVE_MAP, 0, d.src_vpn, 1, d.dst_vpn, d.npages, MDB_R | MDB_W, &c, &d),
		KERR_CONFLICT);
	assert_int_equal(d.done, 2);
	assert_nothing_reserved();
}

/* A restart that is not the rest of the stopped call, and an abandoned call: all released. */
static void test_derive_bad_restart_and_release(void **state)
{
	const struct mdb_chunking c = {1, 1, NULL, 0, NULL, false};
	struct mdb_derive d;
	uint32_t free_before;

	(void)state;
	d = map_stopped_after_one();
	free_before = db.free_count;
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, d.src_vpn, 1, d.dst_vpn + 1, d.npages, MDB_R, &c, &d),
			 KERR_INVAL);
	assert_false(d.active);
	assert_nothing_reserved();
	assert_int_equal(db.free_count, free_before); /* nothing more mapped */
	assert_false(pte[1][21].present);

	d = map_stopped_after_one();
	assert_int_equal(derive_call(MDB_DERIVE_SHARE, 0, d.src_vpn, 1, d.dst_vpn, d.npages, MDB_R, &c, &d),
			 KERR_INVAL); /* another kind */
	assert_nothing_reserved();

	d = map_stopped_after_one();
	mdb_derive_release(&db, &d);
	assert_false(d.active);
	assert_nothing_reserved();
	mdb_derive_release(&db, &d); /* twice is harmless */
	assert_nothing_reserved();
	assert_int_equal(quota[1].used, 1);
	assert_null(mdb_check(&db));
}

/* What a stopped call reserved is not available to others: quota and pool. */
static void test_derive_reservation_holds(void **state)
{
	struct mdb_derive d;

	(void)state;
	d = map_stopped_after_one();
	quota[1].limit = quota[1].used + 2; /* exactly the reservation left */
	assert_int_equal(mdb_map(&db, 0, 6, 1, 30, 1, MDB_R), KERR_QUOTA);
	assert_int_equal(mdb_insert_root(&db, 1, 31, 0x999, MDB_R), KERR_QUOTA);
	quota[1].limit = 40;
	db.reserved = db.free_count; /* as if other stopped calls held the rest of the pool */
	assert_int_equal(mdb_map(&db, 0, 6, 1, 30, 1, MDB_R), KERR_NO_MEMORY);
	assert_int_equal(mdb_insert_root(&db, 1, 31, 0x999, MDB_R), KERR_NO_MEMORY);
	db.reserved = 2;
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, d.src_vpn, 1, d.dst_vpn, d.npages, MDB_R,
				     &(struct mdb_chunking){2, 2, NULL, 0, NULL, false}, &d),
			 KERR_OK);
	assert_int_equal(d.done, 3);
	assert_nothing_reserved();
}

/*
 * Stops in the checks (one after every page checked): they hold nothing, the restart goes on
 * where they stopped, and an error it finds then changes nothing and releases the call; a page
 * checked before a stop and changed since is found by the commit (KERR_CONFLICT, nothing mapped).
 */
/*
 * Overlapping ranges in one space are refused before anything is checked, for every kind. Without
 * that, a grant of 10..12 to 12..14 that stopped in its checks could pass them if page 12 was
 * mapped after its first checks and unmapped again before its commit; the commit then moved the
 * entry it had just put on 12 on to 14, and the call returned OK with page 12 empty.
 */
static void test_derive_overlap(void **state)
{
	const struct mdb_chunking c = {1, 1, always_stop, 2, NULL, false};
	const enum mdb_derive_kind kinds[] = {MDB_DERIVE_MAP, MDB_DERIVE_SHARE, MDB_DERIVE_GRANT};

	(void)state;
	fresh();
	for (uint64_t p = 10; p <= 11; p++)
		assert_int_equal(mdb_insert_root(&db, 0, p, 0x400 + p, MDB_R | MDB_W), KERR_OK);
	for (unsigned k = 0; k < 3; k++) {
		struct mdb_derive d = {0};
		uint32_t free_before = db.free_count;

		/* 12 unmapped: without the check the first page's checks pass and the call stops */
		assert_int_equal(derive_call(kinds[k], 0, 10, 0, 12, 3, MDB_R, &c, &d), KERR_EXISTS);
		assert_false(d.active);
		assert_int_equal(derive_call(kinds[k], 0, 12, 0, 10, 3, MDB_R, &c, &d), KERR_EXISTS);
		assert_int_equal(derive_call(kinds[k], 0, 10, 0, 10, 1, MDB_R, &c, &d), KERR_EXISTS);
		assert_int_equal(db.free_count, free_before);
		assert_nothing_reserved();
	}
	/* Adjacent ranges do not overlap: 10..11 to 12..13 maps */
	assert_int_equal(mdb_map(&db, 0, 10, 0, 12, 2, MDB_R), KERR_OK);
	assert_true(pte[0][12].present && pte[0][13].present);
	assert_null(mdb_check(&db));
}

static void test_derive_check_stops(void **state)
{
	const struct mdb_chunking c = {1, 1, NULL, 1, NULL, false};
	static uint8_t before[sizeof(pool)];
	struct mdb_derive d;
	uint32_t used1;
	uint64_t v, n, removed;
	enum kerr r;

	(void)state;
	/* Undisturbed: the same result as one call, every stop in the checks holding nothing. */
	for (unsigned k = MDB_DERIVE_MAP; k <= MDB_DERIVE_SHARE; k++) {
		unsigned check_stops = 0;

		three_roots();
		assert_int_equal(derive_call(k, 0, 6, 1, 20, 3, MDB_R,
					     &(struct mdb_chunking){MDB_UNCHUNKED, MDB_UNCHUNKED, NULL, 0,
								    NULL, false},
					     &(struct mdb_derive){0}),
				 KERR_OK);
		snap(&want_state);
		three_roots();
		d = (struct mdb_derive){0};
		memcpy(before, pool, sizeof(pool));
		for (enum kerr r = derive_call(k, 0, 6, 1, 20, 3, MDB_R, &c, &d); r != KERR_OK;
		     r = derive_call(k, 0, d.src_vpn, 1, d.dst_vpn, d.npages, MDB_R, &c, &d)) {
			assert_int_equal(r, KERR_PREEMPTED);
			if (d.checking) {
				check_stops++;
				assert_int_equal(d.checked, check_stops);
				assert_int_equal(d.done, 0);
				assert_nothing_reserved();
				assert_memory_equal(before, pool, sizeof(pool));
			}
		}
		/* after page 1 and page 2 of 3, and after page 3 before counting the missing tables */
		assert_int_equal(check_stops, 3);
		assert_int_equal(d.done, 3);
		assert_nothing_reserved();
		snap(&got_state);
		assert_memory_equal(&got_state, &want_state, sizeof(want_state));
	}

	/* An error found after a stop in the checks: nothing changed, nothing held. */
	three_roots();
	d = (struct mdb_derive){0};
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 1, 20, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_true(d.active && d.checking && d.checked == 1);
	assert_int_equal(mdb_map(&db, 0, 8, 1, 22, 1, MDB_R), KERR_OK); /* the third destination taken */
	memcpy(before, pool, sizeof(pool));
	used1 = quota[1].used;
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 1, 20, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 1, 20, 3, MDB_R, &c, &d), KERR_EXISTS);
	assert_false(d.active);
	assert_int_equal(d.done, 0);
	assert_nothing_reserved();
	assert_memory_equal(before, pool, sizeof(pool));
	assert_int_equal(quota[1].used, used1);
	assert_false(pte[1][20].present || pte[1][21].present);

	/* The same with the quota gone while stopped: KERR_QUOTA, nothing changed. */
	three_roots();
	d = (struct mdb_derive){0};
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 1, 20, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	quota[1].limit = quota[1].used + 2;
	memcpy(before, pool, sizeof(pool));
	while (d.active)
		(void)derive_call(MDB_DERIVE_MAP, 0, 6, 1, 20, 3, MDB_R, &c, &d);
	assert_int_equal(d.done, 0);
	assert_nothing_reserved();
	assert_memory_equal(before, pool, sizeof(pool));
	assert_false(pte[1][20].present);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 1, 20, 3, MDB_R, &c, &(struct mdb_derive){0}),
			 KERR_PREEMPTED); /* (a new call gets as far as before) */
	quota[1].limit = 40;

	/* A page checked before the stop, then unmapped: found by the commit, nothing mapped. */
	three_roots();
	d = (struct mdb_derive){0};
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 1, 20, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	v = 6, n = 1, removed = 0;
	assert_int_equal(mdb_unmap(&db, 0, &v, &n, MDB_UNMAP_SELF, 100, &removed), KERR_OK);
	do
		r = derive_call(MDB_DERIVE_MAP, 0, d.src_vpn, 1, d.dst_vpn, d.npages, MDB_R, &c, &d);
	while (r == KERR_PREEMPTED);
	assert_int_equal(r, KERR_CONFLICT);
	assert_false(d.active);
	assert_int_equal(d.done, 0);
	assert_nothing_reserved();
	assert_false(pte[1][20].present || pte[1][21].present || pte[1][22].present);

	/* A restart that is not the rest, and a release, while stopped in the checks. */
	three_roots();
	d = (struct mdb_derive){0};
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 1, 20, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 1, 21, 3, MDB_R, &c, &d), KERR_INVAL);
	assert_false(d.active || d.checking);
	assert_nothing_reserved();
	d = (struct mdb_derive){0};
	assert_int_equal(derive_call(MDB_DERIVE_GRANT, 2, 1, 2, 12, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_true(d.checking);
	mdb_derive_release(&db, &d);
	assert_false(d.active || d.checking);
	assert_nothing_reserved();
	assert_null(mdb_check(&db));
}

/* A call of 3 pages from 0:6 into 3:@dv through its checks (stops in them included). */
static enum kerr derive_past_checks(enum mdb_derive_kind k, uint64_t dv, const struct mdb_chunking *c,
				    struct mdb_derive *d)
{
	enum kerr r;

	do
		r = derive_call(k, 0, 6, 3, dv, 3, MDB_R, c, d);
	while (r == KERR_PREEMPTED && d->checking);
	return r;
}

/*
 * Fresh roots and a 3-page call from 0:6 into 3:22 (two tables missing) stopped after its checks
 * and reservation, before any table; returns space 3's page-table pages in use before it.
 */
static uint32_t stopped_after_reservation(enum mdb_derive_kind k, const struct mdb_chunking *c,
					  struct mdb_derive *d)
{
	uint32_t used;

	three_roots();
	used = pt_used[3];
	*d = (struct mdb_derive){0};
	assert_int_equal(derive_past_checks(k, 22, c, d), KERR_PREEMPTED);
	return used;
}

/*
 * New tables: with chunked checks the checks only count and reserve them; a preemption point
 * follows the reservation and each table made. A stop there holds the whole reservation (entries,
 * quota, the tables not made yet) and has mapped nothing; the restart goes on with the next table.
 */
static void test_derive_tables_in_pieces(void **state)
{
	const struct mdb_chunking c = {3, 3, NULL, 3, NULL, false};
	struct mdb_derive d = {0};
	uint32_t used3;

	(void)state;
	three_roots();
	used3 = pt_used[3];
	assert_int_equal(tables_missing(3, 22, 3), 2);
	/* Stop after the page checks, before the tables are counted: nothing reserved. */
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_true(d.active && d.checking && d.checked == 3);
	assert_nothing_reserved();
	/* Stop after the count and the reservation: no table made yet. */
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_true(d.active && !d.checking);
	assert_int_equal(d.done, 0);
	assert_int_equal(d.tables, 2);
	assert_int_equal(pt_reserved[3], 2);
	assert_int_equal(tables_missing(3, 22, 3), 2);
	assert_int_equal(db.reserved, 3);
	assert_int_equal(quota[3].reserved, 3);
	/* One table per stretch, each from the reservation. */
	for (unsigned t = 1; t <= 2; t++) {
		assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_PREEMPTED);
		assert_int_equal(d.done, 0);
		assert_int_equal(tables_missing(3, 22, 3), 2 - t);
		assert_int_equal(pt_used[3], used3 + t);
		assert_int_equal(pt_reserved[3], 2 - t);
		assert_int_equal(d.tables, 2 - t);
	}
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_OK);
	assert_int_equal(d.done, 3);
	assert_nothing_reserved();
	assert_true(pte[3][22].present && pte[3][24].present);
	/* Into tables that exist: only the stop after the checks (nothing to count). */
	d = (struct mdb_derive){0};
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 17, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_true(!d.checking && d.tables == 0);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 17, 3, MDB_R, &c, &d), KERR_OK);
	assert_int_equal(d.done, 3);
}

/*
 * A call stopped while making its tables fails no later check: the page-table quota is one of
 * its checks, and what it reserved counts as taken for every other call. Another call that
 * needs tables fails with KERR_QUOTA and changes nothing, another call that makes a table of the
 * stopped call's range leaves it fewer to make (the rest of its reservation is given back), and
 * an abandoned call gives back everything but the tables it made (never freed; they are the
 * destination's, as a completed call's would be).
 */
static void test_derive_tables_reserved(void **state)
{
	const struct mdb_chunking c = {3, 3, NULL, 3, NULL, false};
	static uint8_t before[sizeof(pool)];
	struct mdb_derive d = {0};
	uint32_t used3;

	(void)state;
	/* The quota is checked before any table: nothing made, nothing reserved. */
	three_roots();
	pt_limit[3] = pt_used[3] + 1; /* the call needs 2 */
	memcpy(before, pool, sizeof(pool));
	assert_int_equal(derive_past_checks(MDB_DERIVE_MAP, 22, &c, &d), KERR_QUOTA);
	assert_false(d.active);
	assert_nothing_reserved();
	assert_int_equal(tables_missing(3, 22, 3), 2);
	assert_memory_equal(before, pool, sizeof(pool));

	/* The quota taken while the call is stopped before counting: the same, after the stop. */
	three_roots();
	d = (struct mdb_derive){0};
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_true(d.checking && d.checked == 3);
	pt_limit[3] = pt_used[3] + 1;
	memcpy(before, pool, sizeof(pool));
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_QUOTA);
	assert_false(d.active);
	assert_nothing_reserved();
	assert_int_equal(tables_missing(3, 22, 3), 2);
	assert_memory_equal(before, pool, sizeof(pool));

	/* Stopped after its first table: the reservation keeps another call from the last one. */
	three_roots();
	pt_limit[3] = pt_used[3] + 2;
	used3 = pt_used[3];
	d = (struct mdb_derive){0};
	assert_int_equal(derive_past_checks(MDB_DERIVE_MAP, 22, &c, &d), KERR_PREEMPTED);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_int_equal(pt_used[3], used3 + 1);
	assert_int_equal(pt_reserved[3], 1);
	memcpy(before, pool, sizeof(pool));
	assert_int_equal(mdb_map(&db, 0, 7, 3, 40, 1, MDB_R), KERR_QUOTA); /* table 5: none left */
	assert_memory_equal(before, pool, sizeof(pool));
	assert_int_equal(pt_used[3], used3 + 1);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_OK);
	assert_int_equal(d.done, 3);
	assert_int_equal(pt_used[3], used3 + 2);
	assert_nothing_reserved();

	/* Another call makes a table of the range meanwhile: one fewer made, the rest given back. */
	used3 = stopped_after_reservation(MDB_DERIVE_MAP, &c, &d);
	assert_int_equal(mdb_map(&db, 0, 8, 3, 30, 1, MDB_R), KERR_OK); /* 30: table 3, as page 24 */
	assert_int_equal(pt_used[3], used3 + 1);
	assert_int_equal(pt_reserved[3], 2);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_int_equal(pt_used[3], used3 + 2); /* table 2 */
	assert_int_equal(pt_reserved[3], 1);
	/* No table left to make: the reservation's rest given back, then the commit (in chunks). */
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_int_equal(pt_reserved[3], 0);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, d.src_vpn, 3, d.dst_vpn, d.npages, MDB_R, &c, &d),
			 KERR_OK);
	assert_int_equal(d.done, 3);
	assert_int_equal(pt_used[3], used3 + 2);
	assert_nothing_reserved();

	/* Abandoned after its first table (a new call of the thread, of any kind, releases it). */
	used3 = stopped_after_reservation(MDB_DERIVE_SHARE, &c, &d);
	assert_int_equal(derive_call(MDB_DERIVE_SHARE, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	mdb_derive_release(&db, &d);
	assert_false(d.active);
	assert_int_equal(d.tables, 0);
	assert_nothing_reserved();
	assert_int_equal(pt_used[3], used3 + 1); /* the table made stays, counted as used */
	for (uint64_t v = 22; v <= 24; v++)
		assert_int_equal(mdb_lookup(&db, 3, v), MDB_NIL);
	assert_false(pte[3][22].present || pte[3][23].present || pte[3][24].present);
	assert_null(mdb_check(&db));
	/* A later call makes only the table still missing. */
	assert_int_equal(mdb_share(&db, 0, 6, 3, 22, 3, MDB_R), KERR_OK);
	assert_int_equal(pt_used[3], used3 + 2);

	/* A restart that is not the rest, while making tables: KERR_INVAL, everything given back. */
	(void)stopped_after_reservation(MDB_DERIVE_MAP, &c, &d);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 2, MDB_R, &c, &d), KERR_INVAL);
	assert_nothing_reserved();

	/* A destination taken while the call makes its tables: the commit finds the conflict. */
	(void)stopped_after_reservation(MDB_DERIVE_MAP, &c, &d);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_int_equal(mdb_map(&db, 0, 8, 3, 22, 1, MDB_R), KERR_OK); /* into the table just made */
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_PREEMPTED);
	assert_int_equal(derive_call(MDB_DERIVE_MAP, 0, 6, 3, 22, 3, MDB_R, &c, &d), KERR_CONFLICT);
	assert_false(d.active);
	assert_int_equal(d.done, 0);
	assert_nothing_reserved();
	assert_false(pte[3][23].present || pte[3][24].present);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_survives_sender_unmap),
		cmocka_unit_test(test_grant_moves_and_keeps_children),
		cmocka_unit_test(test_runs_across_leaf_tables),
		cmocka_unit_test(test_prepare_only_for_missing_tables),
		cmocka_unit_test(test_errors_change_nothing),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_pool_exhaustion),
		cmocka_unit_test(test_unmap_chunk_bound),
		cmocka_unit_test(test_deep_chain_constant_work_per_chunk),
		cmocka_unit_test(test_unmap_preemption_point),
		cmocka_unit_test(test_unmap_small_first_chunk),
		cmocka_unit_test(test_unmap_ask_first),
		cmocka_unit_test(test_unmap_restartable_progress),
		cmocka_unit_test(test_unmap_run_unit),
		cmocka_unit_test(test_protect_semantics),
		cmocka_unit_test(test_protect_errors_change_nothing),
		cmocka_unit_test(test_protect_every_boundary),
		cmocka_unit_test(test_protect_cursor_and_changes),
		cmocka_unit_test(test_derive_every_boundary),
		cmocka_unit_test(test_derive_conflict),
		cmocka_unit_test(test_derive_bad_restart_and_release),
		cmocka_unit_test(test_derive_reservation_holds),
		cmocka_unit_test(test_derive_overlap),
		cmocka_unit_test(test_derive_check_stops),
		cmocka_unit_test(test_derive_tables_in_pieces),
		cmocka_unit_test(test_derive_tables_reserved),
		cmocka_unit_test(test_model_sequential),
		cmocka_unit_test(test_model_interleaved_chunks),
	};
	return cmocka_run_group_tests_name("mdb", tests, NULL, NULL);
}
