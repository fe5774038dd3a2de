/* mdb.c — the mapping database: who derived which mapping from whom. */
#include "keel/mdb.h"
#include "keel/mdb_pt.h"

/* ---- entry fields ---- */

#define INFO_VPN_MASK	  (MDB_VPN_LIMIT - 1)
#define INFO_SPACE_SHIFT  36U
#define INFO_SPACE_MASK	  ((uint64_t)(MDB_MAX_SPACES - 1) << INFO_SPACE_SHIFT)
#define INFO_DEPTH_SHIFT  44U
#define INFO_DEPTH_MASK	  ((uint64_t)MDB_DEPTH_MAX << INFO_DEPTH_SHIFT)
#define INFO_RIGHTS_SHIFT 60U
#define INFO_RIGHTS_MASK  ((uint64_t)MDB_RIGHTS << INFO_RIGHTS_SHIFT)
#define INFO_USED	  (1ULL << 63)
_Static_assert(INFO_SPACE_SHIFT + MDB_SPACE_BITS == INFO_DEPTH_SHIFT &&
		       INFO_DEPTH_SHIFT + 16U == INFO_RIGHTS_SHIFT && INFO_RIGHTS_SHIFT + 3U == 63U,
	       "vpn:36 | space:8 | depth:16 | rights:3 | used:1 fill the 64 bits without overlap");

static uint64_t make_info(unsigned space, uint64_t vpn, unsigned depth, unsigned rights)
{
	return INFO_USED | ((uint64_t)rights << INFO_RIGHTS_SHIFT) | ((uint64_t)depth << INFO_DEPTH_SHIFT) |
	       ((uint64_t)space << INFO_SPACE_SHIFT) | vpn;
}

unsigned mdb_entry_space(const struct mdb_entry *e)
{
	return (unsigned)((e->info & INFO_SPACE_MASK) >> INFO_SPACE_SHIFT);
}

uint64_t mdb_entry_vpn(const struct mdb_entry *e)
{
	return e->info & INFO_VPN_MASK;
}

unsigned mdb_entry_depth(const struct mdb_entry *e)
{
	return (unsigned)((e->info & INFO_DEPTH_MASK) >> INFO_DEPTH_SHIFT);
}

unsigned mdb_entry_rights(const struct mdb_entry *e)
{
	return (unsigned)((e->info & INFO_RIGHTS_MASK) >> INFO_RIGHTS_SHIFT);
}

static bool entry_used(const struct mdb_entry *e)
{
	return (e->info & INFO_USED) != 0;
}

/* ---- pool ---- */

void mdb_init(struct mdb *m, struct mdb_entry *pool, uint32_t capacity, struct mdb_quota *quota,
	      unsigned nspaces, unsigned max_depth, unsigned map_max_pages)
{
	m->pool = pool;
	m->capacity = capacity;
	m->quota = quota;
	m->nspaces = nspaces;
	m->max_depth = max_depth;
	m->map_max_pages = map_max_pages;
	m->generation = 0;
	m->cursors = NULL;
	pool[0] = (struct mdb_entry){0};
	/* Free list threaded through next, lowest index first. */
	for (uint32_t i = 1; i <= capacity; i++)
		pool[i] = (struct mdb_entry){.next = i < capacity ? i + 1 : MDB_NIL};
	m->free_head = capacity ? 1 : MDB_NIL;
	m->free_count = capacity;
	m->reserved = 0;
	for (unsigned s = 0; s < nspaces; s++)
		quota[s].used = quota[s].reserved = 0;
}

/* Callers have checked free_count: allocation after a successful prepare cannot fail. */
static mdb_idx_t entry_alloc(struct mdb *m)
{
	mdb_idx_t i = m->free_head;

	m->free_head = m->pool[i].next;
	m->free_count--;
	return i;
}

static void entry_free(struct mdb *m, mdb_idx_t i)
{
	m->pool[i] = (struct mdb_entry){.next = m->free_head};
	m->free_head = i;
	m->free_count++;
}

mdb_idx_t mdb_lookup(const struct mdb *m, unsigned space, uint64_t vpn)
{
	const mdb_idx_t *slot;

	if (space >= m->nspaces || vpn >= MDB_VPN_LIMIT)
		return MDB_NIL;
	slot = mdb_pt_slot(space, vpn);
	return slot ? *slot : MDB_NIL;
}

/* ---- list surgery (callers count the change in m->generation, once per operation or run) ---- */

static void link_after(struct mdb *m, mdb_idx_t pos, mdb_idx_t i)
{
	struct mdb_entry *e = &m->pool[i], *p = &m->pool[pos];

	e->prev = pos;
	e->next = p->next;
	if (p->next != MDB_NIL)
		m->pool[p->next].prev = i;
	p->next = i;
}

static void link_before(struct mdb *m, mdb_idx_t pos, mdb_idx_t i)
{
	struct mdb_entry *e = &m->pool[i], *p = &m->pool[pos];

	e->next = pos;
	e->prev = p->prev;
	if (p->prev != MDB_NIL)
		m->pool[p->prev].next = i;
	p->prev = i;
}

static void cursors_unlinked(struct mdb *m, mdb_idx_t i);

static void unlink(struct mdb *m, mdb_idx_t i)
{
	struct mdb_entry *e = &m->pool[i];

	if (m->cursors)
		cursors_unlinked(m, i);
	if (e->prev != MDB_NIL)
		m->pool[e->prev].next = e->next;
	if (e->next != MDB_NIL)
		m->pool[e->next].prev = e->prev;
}

/* ---- derive: map, share, grant ---- */

/* Mappable rights: readable, and never writable and executable together (W^X). */
static bool rights_ok(unsigned rights)
{
	return (rights & ~MDB_RIGHTS) == 0 && (rights & MDB_R) &&
	       (rights & (MDB_W | MDB_X)) != (MDB_W | MDB_X);
}

static bool range_ok(uint64_t vpn, uint64_t npages)
{
	/* Page 0 stays unmapped so that null-pointer accesses always fault. */
	return vpn != 0 && vpn < MDB_VPN_LIMIT && npages <= MDB_VPN_LIMIT - vpn;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Free entries and quota not promised to a preempted map, share or grant. */
static uint32_t free_unreserved(const struct mdb *m)
{
	return m->free_count - m->reserved;
}

static uint32_t quota_left(const struct mdb *m, unsigned space)
{
	return m->quota[space].limit - m->quota[space].used - m->quota[space].reserved;
}

/* What a call of @kind reserves per page: a pool entry (map, share), the destination's quota. */
static uint32_t entries_per_page(enum mdb_derive_kind kind)
{
	return kind == MDB_DERIVE_GRANT ? 0U : 1U;
}

static uint32_t charge_per_page(enum mdb_derive_kind kind, unsigned src, unsigned dst)
{
	return kind == MDB_DERIVE_GRANT && src == dst ? 0U : 1U; /* a move within one space */
}

/*
 * One page's checks, as the prepare and the commit make them: source mapped @s, rights a subset,
 * the chain not too deep, destination @d free (even a page this call vacates: grant).
 */
static inline __attribute__((always_inline)) enum kerr
derive_page_check(const struct mdb *m, mdb_idx_t s, mdb_idx_t d, unsigned rights, unsigned deeper)
{
	uint64_t info;

	if (s == MDB_NIL)
		return KERR_NOT_MAPPED;
	info = m->pool[s].info;
	if ((rights & ~(unsigned)((info & INFO_RIGHTS_MASK) >> INFO_RIGHTS_SHIFT)) != 0)
		return KERR_RIGHTS;
	if ((unsigned)((info & INFO_DEPTH_MASK) >> INFO_DEPTH_SHIFT) + deeper > m->max_depth)
		return KERR_DEPTH;
	if (d != MDB_NIL)
		return KERR_EXISTS;
	return KERR_OK;
}

/* The checks of the call's arguments as a whole (each a few instructions, made before any page). */
static inline __attribute__((always_inline)) enum kerr derive_args_check(const struct mdb *m, unsigned src,
									 uint64_t src_vpn, unsigned dst,
									 uint64_t dst_vpn, uint64_t npages,
									 unsigned rights)
{
	if (src >= m->nspaces || dst >= m->nspaces)
		return KERR_SPACE;
	if (npages == 0 || !rights_ok(rights))
		return KERR_INVAL;
	if (npages > m->map_max_pages || !range_ok(src_vpn, npages) || !range_ok(dst_vpn, npages))
		return KERR_RANGE;
	/*
	 * Within one space the two ranges must not overlap: undisturbed such a call always fails
	 * (a page would be both mapped and free), but one stopped in its checks while another
	 * thread changed a page could pass them, and its commit would then move or derive an
	 * entry it had just made (found in review).
	 */
	if (src == dst && src_vpn < dst_vpn + npages && dst_vpn < src_vpn + npages)
		return KERR_EXISTS;
	return KERR_OK;
}

/*
 * Prepare: check every page of the call, from page *checked on, then reserve what the commit
 * needs (entries, quota, the destination's missing page tables). Nothing is changed unless all
 * checks pass; then neither the tables nor the commit can fail for lack of resources. Pages are
 * checked in order, each for source, rights, depth and destination, through the slot arrays of
 * the leaf tables: one walk per table for source and destination, not one per page. After every
 * @c->checks pages a preemption point: when it stops, *checked tells where a restart goes on and
 * KERR_PREEMPTED is returned. Nothing is reserved before the last page is checked, so such a stop
 * holds nothing, and an error found after it has nothing to give back. On success *tables is the
 * number of page tables reserved (made later, derive_tables()).
 */
static inline __attribute__((always_inline)) enum kerr
derive_prepare(struct mdb *m, enum mdb_derive_kind kind, unsigned src, uint64_t src_vpn, unsigned dst,
	       uint64_t dst_vpn, uint64_t npages, unsigned rights, const struct mdb_chunking *c,
	       uint64_t *checked, uint32_t *tables, struct mdb_derive_run *one_run)
{
	const unsigned deeper = kind == MDB_DERIVE_MAP ? 1U : 0U;
	const unsigned each = c->checks ? c->checks : MDB_UNCHUNKED;
	unsigned budget = each;
	/* Every destination page has its leaf table already (unknown for pages before a stop). */
	bool dst_tables = *checked == 0;
	enum kerr err;

	for (uint64_t i = *checked; i < npages;) {
		mdb_idx_t *ss, *ds = NULL;
		uint64_t run = mdb_pt_slots(src, src_vpn + i, npages - i, &ss), dst_run;

		if (run == 0)
			return KERR_NOT_MAPPED; /* no leaf table: nothing mapped there */
		dst_run = mdb_pt_slots(dst, dst_vpn + i, run, &ds);
		if (dst_run == 0) {
			/* No destination table yet: every page it would cover is free. */
			dst_run = mdb_pt_gap(dst, dst_vpn + i);
			dst_run = dst_run ? dst_run : 1;
			ds = NULL;
			dst_tables = false;
		}
		run = min_u64(run, dst_run);
		if (run == npages && ds)
			*one_run = (struct mdb_derive_run){ss, ds, npages};
		for (uint64_t j = 0; j < run; j++) {
			/*
			 * The preemption point of the checks, after @each pages (~20 instructions each).
			 * "Go on" lets nothing in, so the slot arrays stay valid; a stop keeps only the
			 * whole-call run found at page 0 (*one_run: tables are never freed).
			 */
			if (budget == 0) {
				if (!c->preempt_point || c->preempt_point()) {
					*checked = i + j;
					return KERR_PREEMPTED;
				}
				budget = each;
			}
			budget--;
			err = derive_page_check(m, ss[j], ds ? ds[j] : MDB_NIL, rights, deeper);
			if (err != KERR_OK)
				return err;
		}
		i += run;
	}
	/*
	 * Counting the missing tables walks the destination range (~100 instructions): after a
	 * stretch of checks, a preemption point first. A stop here is a stop in the checks with every
	 * page checked: it holds nothing, and the restart only counts and reserves.
	 */
	if (!dst_tables && budget < each && c->checks != 0 && c->checks != MDB_UNCHUNKED &&
	    (!c->preempt_point || c->preempt_point())) {
		*checked = npages;
		return KERR_PREEMPTED;
	}
	if (quota_left(m, dst) < charge_per_page(kind, src, dst) * (uint32_t)npages)
		return KERR_QUOTA;
	if (free_unreserved(m) < entries_per_page(kind) * (uint32_t)npages)
		return KERR_NO_MEMORY;
	/*
	 * Last, as it is the last check (the page-table quota and pool). Only counted and reserved
	 * here: the tables are made one per stretch after the checks, and whatever happens to the
	 * call then (a stop, an abandon) nothing can make them fail. With every leaf table there (a
	 * slot array is one), the count would only walk to find nothing: ~90 instructions.
	 */
	*tables = 0;
	err = dst_tables ? KERR_OK : mdb_pt_reserve(dst, dst_vpn, npages, tables);
	if (err != KERR_OK)
		return err;
	m->reserved += entries_per_page(kind) * (uint32_t)npages;
	m->quota[dst].reserved += charge_per_page(kind, src, dst) * (uint32_t)npages;
	*checked = npages;
	return KERR_OK;
}

void mdb_derive_release(struct mdb *m, struct mdb_derive *d)
{
	enum mdb_derive_kind kind = (enum mdb_derive_kind)d->kind;

	if (!d->active)
		return;
	if (!d->checking) {
		m->reserved -= entries_per_page(kind) * (uint32_t)d->npages;
		m->quota[d->dst].reserved -= charge_per_page(kind, d->src, d->dst) * (uint32_t)d->npages;
		if (d->tables)
			mdb_pt_unreserve(d->dst, d->tables); /* the tables made so far stay: never freed */
	}
	d->tables = 0;
	d->active = d->checking = false;
}

/*
 * The next leaf-table run of the rest (d->run, which the commit has used up): its slot arrays.
 * The tables were there at the first call and are never freed; a missing one is a conflict.
 */
static bool derive_next_run(struct mdb_derive *d)
{
	uint64_t n = mdb_pt_slots(d->src, d->src_vpn, d->npages, &d->run.src);

	d->run.left = n ? mdb_pt_slots(d->dst, d->dst_vpn, n, &d->run.dst) : 0;
	return d->run.left != 0;
}

/*
 * Commit the entries of at most @run pages from (d->src_vpn, d->dst_vpn), within d->run: with
 * @recheck (a restarted call: another thread may have changed a page while it was stopped) each
 * page checked again, then its entry through the slot arrays. Their PTEs are written later, by
 * derive_flush(). Returns the pages committed; fewer than asked at the run's end or on a
 * conflict (*err set).
 */
static inline __attribute__((always_inline)) uint64_t
derive_commit_run(struct mdb *m, enum mdb_derive_kind kind, struct mdb_derive *d, unsigned rights,
		  uint64_t run, bool recheck, enum kerr *err)
{
	unsigned src = d->src, dst = d->dst;
	uint64_t dst_vpn = d->dst_vpn, j;
	mdb_idx_t *ss = d->run.src, *ds = d->run.dst;
	uint64_t dst_info =
		INFO_USED | ((uint64_t)rights << INFO_RIGHTS_SHIFT) | ((uint64_t)dst << INFO_SPACE_SHIFT);
	uint64_t deeper = kind == MDB_DERIVE_MAP ? 1ULL << INFO_DEPTH_SHIFT : 0;
	uint32_t charge = charge_per_page(kind, src, dst), entries = entries_per_page(kind);

	run = min_u64(run, d->run.left);
	for (j = 0; j < run; j++) {
		mdb_idx_t s = ss[j], n;
		struct mdb_entry *e;
		uint64_t info;

		if (recheck &&
		    derive_page_check(m, s, ds[j], rights, kind == MDB_DERIVE_MAP ? 1U : 0U) != KERR_OK) {
			*err = KERR_CONFLICT;
			break;
		}
		e = &m->pool[s];
		/* Same depth (share, grant) or one deeper (map); the rest is the destination's. */
		info = dst_info | ((e->info & INFO_DEPTH_MASK) + deeper) | (dst_vpn + j);
		if (kind == MDB_DERIVE_GRANT) {
			e->info = info;
			n = s;
		} else {
			n = entry_alloc(m);
			m->pool[n].info = info;
			/* A child goes right after its parent; a co-equal sibling right before it. */
			if (kind == MDB_DERIVE_MAP)
				link_after(m, s, n);
			else
				link_before(m, s, n);
		}
		ds[j] = n;
	}
	d->run.src += j;
	d->run.dst += j;
	d->run.left -= j;
	m->reserved -= entries * (uint32_t)j;
	m->quota[dst].reserved -= charge * (uint32_t)j;
	m->quota[dst].used += charge * (uint32_t)j;
	d->src_vpn += j;
	d->dst_vpn += j;
	d->npages -= j;
	d->done += j;
	return j;
}

/*
 * The PTEs of the last @n pages committed, which lie in d->run just before its rest: one
 * mdb_pt_copy_run() through their slots (no walk); a grant then clears their sources (the
 * ranges are disjoint: derive_args_check() refuses overlapping ones), so that
 * mdb_pt_copy_run() never finds a TLBI of its own call pending.
 */
static inline __attribute__((always_inline)) void derive_flush(struct mdb *m, enum mdb_derive_kind kind,
							       const struct mdb_derive *d, uint64_t n,
							       unsigned rights)
{
	if (n == 0)
		return;
	m->generation++;
	mdb_pt_copy_run(d->run.src - n, d->run.dst - n, n, rights);
	if (kind == MDB_DERIVE_GRANT) {
		m->quota[d->src].used -= charge_per_page(kind, d->src, d->dst) * (uint32_t)n;
		mdb_pt_clear_run(d->src, d->src_vpn - n, d->run.src - n, n);
		mdb_pt_sync();
	}
}

/*
 * The preemption points between the checks and the commit (after the reservation, after each
 * new page table) exist only with chunked checks, as the kernel's calls have them: the forms
 * without preemption points and callers that stop at every chunk (tests) keep their stops.
 */
static bool derive_pieces(const struct mdb_chunking *c)
{
	return c->checks != 0 && c->checks != MDB_UNCHUNKED;
}

/* Pages before the next preemption point of the commit: the last stretch gets half a chunk. */
static unsigned derive_budget(const struct mdb_chunking *c, const struct mdb_derive *d)
{
	return d->npages > c->each ? c->each : (c->each + 1U) / 2U;
}

/*
 * The destination's page tables that the checks reserved, one per stretch: a table costs a walk
 * and an allocation (~100 instructions), and a call may need up to six (two leaf tables and
 * their level 1 and 2 tables). Returns true if the call stops after one. Another call may make
 * a table of the range meanwhile (from its own reservation): then fewer are made here and the
 * rest of the reservation is given back.
 */
static inline __attribute__((always_inline)) bool derive_tables(const struct mdb_chunking *c,
								struct mdb_derive *d)
{
	while (d->tables > 0) {
		if (!mdb_pt_make(d->dst, d->dst_vpn, d->npages)) {
			mdb_pt_unreserve(d->dst, d->tables);
			d->tables = 0;
			return false;
		}
		d->tables--;
		if (derive_pieces(c) && (!c->preempt_point || c->preempt_point()))
			return true;
	}
	return false;
}

/*
 * The commit, in chunks of pages with a preemption point between them. Between two chunks that
 * the preemption point lets go on nothing else runs, so the entries may run ahead of the PTEs:
 * those are written once per leaf-table run, when the call stops, ends, meets a conflict or
 * moves to the next run (one mdb_pt_copy_run() instead of one per chunk, which cost ~60
 * instructions per page of a 16-page call). The checks
 * of the first call hold for its first chunk (nothing else ran since), so no page of an
 * undisturbed call conflicts: all or nothing.
 */
static inline __attribute__((always_inline)) enum kerr
derive(struct mdb *m, enum mdb_derive_kind kind, unsigned src, uint64_t src_vpn, unsigned dst,
       uint64_t dst_vpn, uint64_t npages, unsigned rights, const struct mdb_chunking *c, struct mdb_derive *d)
{
	/* The run of a call stopped in its checks stays: its prepare finds it on its first try only. */
	struct mdb_derive_run one_run =
		d->active && d->checking ? d->run : (struct mdb_derive_run){NULL, NULL, 0};
	unsigned budget = c->first;
	uint64_t unflushed = 0; /* pages committed whose PTEs are not written yet */
	enum kerr err = KERR_OK;
	/*
	 * Only a restarted call checks its pages again: within one call nothing else runs between
	 * the checks and the commit (a preemption point that says "go on" lets nothing in). A call
	 * that stopped in its checks is such a call: the pages checked before the stop may have
	 * changed since.
	 */
	const bool recheck = d->active;

	if (!d->active) {
		d->done = 0;
		err = derive_args_check(m, src, src_vpn, dst, dst_vpn, npages, rights);
		if (err != KERR_OK)
			return err;
	} else if (d->kind != kind || d->src != src || d->dst != dst || d->rights != rights ||
		   d->src_vpn != src_vpn || d->dst_vpn != dst_vpn || d->npages != npages) {
		mdb_derive_release(m, d); /* not the rest of the call that was stopped */
		d->done = 0;
		return KERR_INVAL;
	}
	if (!d->active || d->checking) {
		uint64_t checked = d->active ? d->checked : 0;
		uint32_t tables = 0;

		err = derive_prepare(m, kind, src, src_vpn, dst, dst_vpn, npages, rights, c, &checked,
				     &tables, &one_run);
		if (err != KERR_OK && err != KERR_PREEMPTED) {
			d->active = d->checking = false; /* holds nothing yet: only forgets the call */
			return err;
		}
		/* The record: stopped in the checks (nothing reserved), or holding the reservation. */
		*d = (struct mdb_derive){.src_vpn = src_vpn,
					 .dst_vpn = dst_vpn,
					 .npages = npages,
					 .run = one_run,
					 .checked = checked,
					 .tables = tables,
					 .kind = (uint8_t)kind,
					 .src = (uint8_t)src,
					 .dst = (uint8_t)dst,
					 .rights = (uint8_t)rights,
					 .active = true,
					 .checking = err == KERR_PREEMPTED};
		if (err == KERR_PREEMPTED)
			return err; /* stopped in the checks */
		/*
		 * A preemption point after the checks and the reservation: the entry, the last checks
		 * and the table count make one stretch, the tables and the commit the next ones. A
		 * one-page call was entry, checks, commit, PTE copy and exit in one (~870).
		 */
		if (derive_pieces(c)) {
			if (!c->preempt_point || c->preempt_point())
				return KERR_PREEMPTED;
			budget = derive_budget(c, d);
		}
	}
	if (d->tables > 0) {
		if (derive_tables(c, d))
			return KERR_PREEMPTED;
		if (derive_pieces(c))
			budget = derive_budget(c, d); /* the commit follows a preemption point */
	}
	for (;;) {
		while (budget > 0 && d->npages > 0 && err == KERR_OK) {
			uint64_t n;

			if (d->run.left == 0) {
				/* The PTEs of a run are written before the next: one leaf table each. */
				derive_flush(m, kind, d, unflushed, rights);
				unflushed = 0;
				if (!derive_next_run(d)) {
					err = KERR_CONFLICT;
					break;
				}
			}
			n = derive_commit_run(m, kind, d, rights, min_u64(d->npages, budget), recheck, &err);
			unflushed += n;
			budget -= (unsigned)n;
		}
		/*
		 * The preemption point: go on at once unless an IRQ waits (or the caller stops
		 * always). The stretch that stops or ends the call also copies the PTEs of the pages
		 * not copied yet (~10 instructions a page, ~150 a copy; the way out follows a
		 * preemption point of the system-call layer), so the last chunk is half a chunk.
		 */
		if (err == KERR_OK && d->npages > 0 && c->preempt_point && !c->preempt_point()) {
			budget = derive_budget(c, d);
			continue;
		}
		break;
	}
	derive_flush(m, kind, d, unflushed, rights);
	if (err != KERR_OK) {
		mdb_derive_release(m, d);
		return err;
	}
	if (d->npages > 0)
		return KERR_PREEMPTED;
	d->active = false;
	return KERR_OK;
}

enum kerr mdb_derive_preemptible(struct mdb *m, enum mdb_derive_kind kind, unsigned src, uint64_t src_vpn,
				 unsigned dst, uint64_t dst_vpn, uint64_t npages, unsigned rights,
				 const struct mdb_chunking *c, struct mdb_derive *d)
{
	switch (kind) {
	case MDB_DERIVE_MAP:
		return derive(m, MDB_DERIVE_MAP, src, src_vpn, dst, dst_vpn, npages, rights, c, d);
	case MDB_DERIVE_SHARE:
		return derive(m, MDB_DERIVE_SHARE, src, src_vpn, dst, dst_vpn, npages, rights, c, d);
	default: return derive(m, MDB_DERIVE_GRANT, src, src_vpn, dst, dst_vpn, npages, rights, c, d);
	}
}

/* The forms without preemption points: the whole call in one chunk. */
static const struct mdb_chunking derive_unchunked = {MDB_UNCHUNKED, MDB_UNCHUNKED, NULL, 0, NULL, false};

enum kerr mdb_map(struct mdb *m, unsigned src, uint64_t src_vpn, unsigned dst, uint64_t dst_vpn,
		  uint64_t npages, unsigned rights)
{
	struct mdb_derive d = {0};

	return derive(m, MDB_DERIVE_MAP, src, src_vpn, dst, dst_vpn, npages, rights, &derive_unchunked, &d);
}

enum kerr mdb_share(struct mdb *m, unsigned src, uint64_t src_vpn, unsigned dst, uint64_t dst_vpn,
		    uint64_t npages, unsigned rights)
{
	struct mdb_derive d = {0};

	return derive(m, MDB_DERIVE_SHARE, src, src_vpn, dst, dst_vpn, npages, rights, &derive_unchunked, &d);
}

enum kerr mdb_grant(struct mdb *m, unsigned src, uint64_t src_vpn, unsigned dst, uint64_t dst_vpn,
		    uint64_t npages, unsigned rights)
{
	struct mdb_derive d = {0};

	return derive(m, MDB_DERIVE_GRANT, src, src_vpn, dst, dst_vpn, npages, rights, &derive_unchunked, &d);
}

enum kerr mdb_insert_root(struct mdb *m, unsigned space, uint64_t vpn, uint64_t frame, unsigned rights)
{
	enum kerr err;
	mdb_idx_t n;

	if (space >= m->nspaces)
		return KERR_SPACE;
	if (!rights_ok(rights))
		return KERR_INVAL;
	if (!range_ok(vpn, 1))
		return KERR_RANGE;
	if (mdb_lookup(m, space, vpn) != MDB_NIL)
		return KERR_EXISTS;
	if (quota_left(m, space) == 0)
		return KERR_QUOTA;
	if (free_unreserved(m) == 0)
		return KERR_NO_MEMORY;
	err = mdb_pt_prepare(space, vpn, 1);
	if (err != KERR_OK)
		return err;
	m->generation++;
	n = entry_alloc(m);
	m->pool[n].info = make_info(space, vpn, 0, rights);
	m->pool[n].next = m->pool[n].prev = MDB_NIL;
	m->quota[space].used++;
	mdb_pt_write(space, vpn, frame, rights, n);
	return KERR_OK;
}

/* ---- unmap ---- */

static void remove_entry(struct mdb *m, mdb_idx_t i)
{
	struct mdb_entry *e = &m->pool[i];
	uint64_t info = e->info;
	unsigned space = (unsigned)((info & INFO_SPACE_MASK) >> INFO_SPACE_SHIFT);

	m->generation++;
	unlink(m, i);
	m->quota[space].used--;
	entry_free(m, i);
	mdb_pt_clear(space, info & INFO_VPN_MASK);
}

/*
 * Remove the descendants of @root, at most *budget entries: always the entry right after
 * @root while it is deeper than @root. An entry's parent is the nearest entry before it that
 * is shallower, so removing one whose children remain hands them to its parent: the list
 * describes a valid tree after every removal, and a restart simply continues at root->next,
 * O(1) whatever the depth or width of the tree. Returns true when no descendant is left.
 */
static bool remove_descendants(struct mdb *m, mdb_idx_t root, unsigned *budget, uint64_t *removed)
{
	unsigned depth = mdb_entry_depth(&m->pool[root]);

	for (;;) {
		mdb_idx_t next = m->pool[root].next;

		if (next == MDB_NIL || mdb_entry_depth(&m->pool[next]) <= depth)
			return true;
		if (*budget == 0)
			return false;
		remove_entry(m, next);
		(*budget)--;
		(*removed)++;
	}
}

/*
 * The end of a chunk: complete its TLB maintenance, then the preemption point. Stop (the
 * caller restarts with the rest) if the preemption point says an interrupt waits, or if there
 * is none (the caller decides after every chunk); otherwise the next chunk starts right here,
 * without a round trip through the caller.
 */
static bool chunk_end(unsigned *budget, const struct mdb_chunking *c)
{
	mdb_pt_sync();
	if (!c->preempt_point || c->preempt_point())
		return true;
	*budget = c->each;
	return false;
}

enum kerr mdb_unmap_preemptible(struct mdb *m, unsigned space, uint64_t *vpn, uint64_t *npages,
				unsigned flags, const struct mdb_chunking *c, uint64_t *removed)
{
	/*
	 * Locals, written back at the end: through the pointers, every store to an entry would
	 * force the compiler to reload them (they might alias). The range is [v, end).
	 */
	uint64_t v = *vpn, end = *vpn + *npages, done = *removed;
	const bool self = (flags & MDB_UNMAP_SELF) != 0;
	unsigned budget = c->first;
	bool first_lookup = true;
	enum kerr r = KERR_PREEMPTED;

	if (space >= m->nspaces)
		return KERR_SPACE;
	if ((flags & ~MDB_UNMAP_SELF) != 0 || c->first == 0 || c->each == 0)
		return KERR_INVAL;
	if (*npages == 0)
		return KERR_OK;
	if (!range_ok(v, *npages))
		return KERR_RANGE;

	while (v < end) {
		mdb_idx_t *slots, *slots_end;
		uint64_t run = mdb_pt_slots(space, v, end - v, &slots);

		if (run == 0) {
			/* No leaf table: skip all it would cover, so that the work is bounded by the
			 * tables that exist, not by npages (up to 2^36 pages per call). One unit. */
			uint64_t gap = mdb_pt_gap(space, v);

			v += gap ? min_u64(gap, end - v) : 1;
			first_lookup = false;
			budget--;
			if (budget == 0 && v < end && chunk_end(&budget, c))
				goto out;
			continue;
		}
		if (first_lookup) {
			/* Nothing done yet: a stop here leaves the call exactly as it came. */
			first_lookup = false;
			if (c->ask_first && c->ask_first())
				goto out;
		} else if (c->run_unit) {
			/* A new leaf table: its lookup was a walk, counted as a unit (budget >= 1 here). */
			if (--budget == 0 && chunk_end(&budget, c))
				goto out;
		}
		/*
		 * The pages of one leaf table: their slots without a walk per page. The page is
		 * v + (slots - first); v itself moves on only when the run ends or the call stops.
		 */
		const bool more_after_run = run < end - v;
		mdb_idx_t *const first = slots;

		for (slots_end = slots + run; slots < slots_end; slots++) {
			mdb_idx_t x = *slots;
			uint64_t before = done;

			if (x != MDB_NIL) {
				while (!remove_descendants(m, x, &budget, &done))
					if (chunk_end(&budget, c)) {
						v += (uint64_t)(slots - first);
						goto out;
					}
				if (self) {
					if (budget == 0 && chunk_end(&budget, c)) {
						v += (uint64_t)(slots - first);
						goto out;
					}
					remove_entry(m, x);
					budget--;
					done++;
				}
			}
			/*
			 * A page that removed nothing still cost a lookup: it counts as one unit of the
			 * chunk, so a range with few or no mappings reaches preemption points too.
			 */
			if (done == before)
				budget--;
			if (budget == 0 && (slots + 1 < slots_end || more_after_run) &&
			    chunk_end(&budget, c)) {
				v += (uint64_t)(slots + 1 - first);
				goto out;
			}
		}
		v += run;
	}
	mdb_pt_sync();
	r = KERR_OK;
out:
	*vpn = v;
	*npages = end - v;
	*removed = done;
	return r;
}

enum kerr mdb_unmap_restartable(struct mdb *m, unsigned space, uint64_t *vpn, uint64_t *npages,
				unsigned flags, const struct mdb_chunking *c, bool *stopped_first,
				uint64_t *removed)
{
	struct mdb_chunking without_first;
	uint64_t first_vpn = *vpn, removed_before = *removed;
	enum kerr r;

	if (*stopped_first && c->ask_first) {
		without_first = *c;
		without_first.ask_first = NULL;
		c = &without_first;
	}
	r = mdb_unmap_preemptible(m, space, vpn, npages, flags, c, removed);
	/*
	 * No progress at all (no page passed, no entry removed): a stop at the first point. A stop
	 * inside the first page's descendants made progress: the flag stays clear, so that the
	 * caller's other stops before progress (the system call's entry) stay open to the next try.
	 */
	*stopped_first = r == KERR_PREEMPTED && *vpn == first_vpn && *removed == removed_before;
	return r;
}

enum kerr mdb_unmap(struct mdb *m, unsigned space, uint64_t *vpn, uint64_t *npages, unsigned flags,
		    unsigned chunk, uint64_t *removed)
{
	const struct mdb_chunking c = {chunk, chunk, NULL, 0, NULL, false};

	return mdb_unmap_preemptible(m, space, vpn, npages, flags, &c, removed);
}

/* ---- protect ---- */

void mdb_cursor_drop(struct mdb *m, struct mdb_cursor *cur)
{
	if (!cur->active)
		return;
	for (struct mdb_cursor **pc = &m->cursors; *pc; pc = &(*pc)->next)
		if (*pc == cur) {
			*pc = cur->next;
			break;
		}
	cur->active = false;
}

static void cursor_keep(struct mdb *m, struct mdb_cursor *cur, mdb_idx_t root, mdb_idx_t pos)
{
	cur->root = root;
	cur->pos = pos;
	cur->active = true;
	cur->next = m->cursors;
	m->cursors = cur;
}

/*
 * Entry @i leaves its list (it is being removed): a cursor whose page entry it is has nothing
 * left to do; a cursor that stopped at it goes on after its predecessor, which is the page's
 * entry or another of its descendants (everything between them is done). O(active cursors),
 * at most one per thread, and nothing at all while no protect is preempted.
 */
static void cursors_unlinked(struct mdb *m, mdb_idx_t i)
{
	struct mdb_cursor **pc = &m->cursors;

	while (*pc) {
		struct mdb_cursor *c = *pc;

		if (c->root == i) {
			*pc = c->next;
			c->active = false;
			continue;
		}
		if (c->pos == i)
			c->pos = m->pool[i].prev;
		pc = &c->next;
	}
}

static void reduce_entry(struct mdb *m, mdb_idx_t i, unsigned mask)
{
	struct mdb_entry *e = &m->pool[i];
	unsigned old = mdb_entry_rights(e), rights = old & mask;

	if (rights == old)
		return;
	m->generation++;
	e->info = (e->info & ~INFO_RIGHTS_MASK) | ((uint64_t)rights << INFO_RIGHTS_SHIFT);
	mdb_pt_protect(mdb_entry_space(e), mdb_entry_vpn(e), rights);
}

/*
 * Reduce the descendants of @root that follow *pos, at most *budget entries, in list order
 * (preorder: a parent before its children, so what is derived from a reduced entry meanwhile
 * can only get reduced rights). *pos is the last one done. Returns true when none is left.
 */
static bool reduce_descendants(struct mdb *m, mdb_idx_t root, mdb_idx_t *pos, unsigned mask, unsigned *budget,
			       uint64_t *walked)
{
	unsigned depth = mdb_entry_depth(&m->pool[root]);

	for (;;) {
		mdb_idx_t next = m->pool[*pos].next;

		if (next == MDB_NIL || mdb_entry_depth(&m->pool[next]) <= depth)
			return true;
		if (*budget == 0)
			return false;
		reduce_entry(m, next, mask);
		*pos = next;
		(*budget)--;
		(*walked)++;
	}
}

/*
 * The page loop is unmap's (same budget rules for gaps and empty pages, same chunk_end()), with
 * a walk instead of a removal; it is kept apart so that unmap's hot loop stays as it is.
 */
enum kerr mdb_protect_preemptible(struct mdb *m, unsigned space, uint64_t *vpn, uint64_t *npages,
				  unsigned rights, unsigned flags, const struct mdb_chunking *c,
				  struct mdb_cursor *cur, uint64_t *walked)
{
	unsigned budget = c->first;
	bool resume = cur->active;
	mdb_idx_t resume_root = cur->root, resume_pos = cur->pos;

	mdb_cursor_drop(m, cur); /* kept again below if this call stops inside a subtree */
	if (space >= m->nspaces)
		return KERR_SPACE;
	if ((flags & ~MDB_PROTECT_SELF) != 0 || c->first == 0 || c->each == 0 || *npages == 0 ||
	    !rights_ok(rights))
		return KERR_INVAL;
	if (!range_ok(*vpn, *npages))
		return KERR_RANGE;

	while (*npages > 0) {
		mdb_idx_t x = mdb_lookup(m, space, *vpn), pos = x;
		uint64_t before = *walked;
		uint64_t gap = x == MDB_NIL ? mdb_pt_gap(space, *vpn) : 0;

		if (gap > 1) {
			gap = gap < *npages ? gap : *npages;
			*vpn += gap;
			*npages -= gap;
		} else {
			if (x != MDB_NIL) {
				if (resume && resume_root == x) {
					pos = resume_pos; /* the page's own entry was done before the stop */
				} else if (flags & MDB_PROTECT_SELF) {
					/* budget >= 1 here: every chunk_end() below refills it */
					reduce_entry(m, x, rights);
					budget--;
					(*walked)++;
				}
				while (!reduce_descendants(m, x, &pos, rights, &budget, walked))
					if (chunk_end(&budget, c)) {
						cursor_keep(m, cur, x, pos);
						return KERR_PREEMPTED;
					}
			}
			(*vpn)++;
			(*npages)--;
		}
		resume = false;
		if (*walked == before)
			budget--;
		if (budget == 0 && *npages > 0 && chunk_end(&budget, c))
			return KERR_PREEMPTED;
	}
	mdb_pt_sync();
	return KERR_OK;
}

enum kerr mdb_protect(struct mdb *m, unsigned space, uint64_t *vpn, uint64_t *npages, unsigned rights,
		      unsigned flags, unsigned chunk, struct mdb_cursor *cur, uint64_t *walked)
{
	const struct mdb_chunking c = {chunk, chunk, NULL, 0, NULL, false};

	return mdb_protect_preemptible(m, space, vpn, npages, rights, flags, &c, cur, walked);
}

/* ---- invariants ---- */

/* Entries of spaces [first, first + 64) counted into @count: keeps mdb_check's stack small. */
static void count_block(const struct mdb *m, unsigned first, uint32_t count[64])
{
	for (unsigned s = 0; s < 64; s++)
		count[s] = 0;
	for (mdb_idx_t i = 1; i <= m->capacity; i++) {
		unsigned space = mdb_entry_space(&m->pool[i]);
		if (entry_used(&m->pool[i]) && space >= first && space - first < 64)
			count[space - first]++;
	}
}

static const char *check_entry(const struct mdb *m, mdb_idx_t i)
{
	const struct mdb_entry *e = &m->pool[i];
	unsigned space = mdb_entry_space(e), rights, next_rights;
	uint64_t vpn = mdb_entry_vpn(e), frame, next_frame;
	const mdb_idx_t *slot;

	if (space >= m->nspaces)
		return "entry names a space that does not exist";
	if (e->next != MDB_NIL && m->pool[e->next].prev != i)
		return "next->prev does not point back";
	if (e->prev != MDB_NIL && m->pool[e->prev].next != i)
		return "prev->next does not point back";
	if (e->next != MDB_NIL && !entry_used(&m->pool[e->next]))
		return "list links to a free entry";
	if (e->prev == MDB_NIL && mdb_entry_depth(e) != 0)
		return "first entry of a tree is not a root";
	if (mdb_entry_depth(e) > m->max_depth)
		return "entry deeper than max_depth";
	slot = mdb_pt_slot(space, vpn);
	if (!slot || *slot != i)
		return "page-table slot does not point to its entry";
	if (!mdb_pt_read(space, vpn, &frame, &rights))
		return "entry without a present PTE";
	if (rights != mdb_entry_rights(e))
		return "PTE rights differ from the entry's";
	if (e->next != MDB_NIL) {
		const struct mdb_entry *n = &m->pool[e->next];
		if (!mdb_pt_read(mdb_entry_space(n), mdb_entry_vpn(n), &next_frame, &next_rights) ||
		    next_frame != frame)
			return "one derivation tree holds two frames";
	}
	return NULL;
}

const char *mdb_check(const struct mdb *m)
{
	uint32_t free_seen = 0, used_seen = 0, count[64];

	for (mdb_idx_t i = m->free_head; i != MDB_NIL; i = m->pool[i].next) {
		if (i > m->capacity || entry_used(&m->pool[i]))
			return "free list holds a used or out-of-range entry";
		if (++free_seen > m->capacity)
			return "free list has a cycle";
	}
	if (free_seen != m->free_count)
		return "free count does not match the free list";
	if (m->reserved > m->free_count)
		return "more entries reserved than free";
	for (mdb_idx_t i = 1; i <= m->capacity; i++) {
		const char *err;
		if (!entry_used(&m->pool[i]))
			continue;
		used_seen++;
		err = check_entry(m, i);
		if (err)
			return err;
	}
	if (used_seen + m->free_count != m->capacity)
		return "entries lost: used + free != capacity";
	for (const struct mdb_cursor *c = m->cursors; c; c = c->next)
		if (!c->active || !entry_used(&m->pool[c->root]) || !entry_used(&m->pool[c->pos]))
			return "a protect cursor names a free entry";
	for (unsigned first = 0; first < m->nspaces; first += 64) {
		count_block(m, first, count);
		for (unsigned s = first; s < m->nspaces && s - first < 64; s++) {
			if (count[s - first] != m->quota[s].used)
				return "quota use does not match the entries of a space";
			if (m->quota[s].reserved > m->quota[s].limit - m->quota[s].used ||
			    m->quota[s].used > m->quota[s].limit)
				return "quota exceeded (used + reserved)";
		}
	}
	return NULL;
}
