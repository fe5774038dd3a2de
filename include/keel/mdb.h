/* mdb.h — the mapping database: who derived which page mapping from whom, in 16-byte entries. */
#ifndef KEEL_MDB_H
#define KEEL_MDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keel/compiler.h"
#include "keel/kerr.h"

typedef uint32_t mdb_idx_t;
#define MDB_NIL 0U /* pool[0] is never handed out, so index 0 means "none" */

/* Page rights; a derived mapping can only have a subset of its source's. */
#define MDB_R	   1U
#define MDB_W	   2U
#define MDB_X	   4U
#define MDB_RIGHTS 7U

/* unmap() flags */
/* The chunk size that means "no preemption points" (CONFIG_UNMAP_CHUNK=0: benchmarks only). */
#define MDB_UNCHUNKED (~0U)

#define MDB_UNMAP_SELF 1U /* also remove the named mappings, not only what was derived from them */

/* protect() flags */
#define MDB_PROTECT_SELF 1U /* also reduce the named mappings, not only what was derived from them */

#define MDB_VPN_BITS   36U /* 48-bit virtual addresses, 4 KiB pages */
#define MDB_SPACE_BITS 8U  /* as many spaces as 8-bit ASIDs allow */
#define MDB_DEPTH_MAX  0xFFFFU
#define MDB_MAX_SPACES (1U << MDB_SPACE_BITS)
#define MDB_VPN_LIMIT  (1ULL << MDB_VPN_BITS)

/*
 * One mapped page. The entries of one physical frame form one list in preorder of its
 * derivation tree; an entry's descendants are the entries that follow it with a greater
 * depth, and its parent is the nearest entry before it with a smaller depth. The frame and
 * the hardware attributes live only in the page table.
 */
struct mdb_entry {
	mdb_idx_t next;
	mdb_idx_t prev;
	uint64_t info; /* vpn:36 | space:8 | depth:16 | rights:3 | used:1 */
};
_Static_assert(sizeof(struct mdb_entry) == 16, "MDB entries are 16 bytes");

/* Per-space entry quota: every entry is charged to the space whose page table holds it. */
struct mdb_quota {
	uint32_t limit;
	uint32_t used;
	uint32_t reserved; /* promised to map/share/grant calls that are preempted (struct mdb_derive) */
};

/*
 * Where a preempted protect stopped inside the subtree of one page (docs/mapping.md). Unlike
 * unmap, protect leaves the entries it has done in place, so a restart needs to know where to
 * go on: the caller keeps one cursor per thread, and while it is active the MDB keeps it valid
 * when entries are removed between two restarts.
 */
struct mdb_cursor {
	struct mdb_cursor *next; /* in mdb.cursors while active */
	mdb_idx_t root;		 /* the entry of the page whose descendants are being reduced */
	mdb_idx_t pos;		 /* the last entry reduced; the walk goes on at pos->next */
	bool active;
};

struct mdb {
	struct mdb_entry *pool; /* pool[1..capacity]; pool[0] unused */
	uint32_t capacity;
	uint32_t free_head;
	uint32_t free_count;
	uint32_t reserved;	 /* free entries promised to preempted map/share calls */
	struct mdb_quota *quota; /* quota[space] for space < nspaces */
	unsigned nspaces;
	unsigned max_depth;	  /* longest derivation chain allowed (bounds the walk after a restart) */
	unsigned map_max_pages;	  /* pages one map/grant/share may cover (bounds its uninterrupted work) */
	unsigned long generation; /* counts every change to entries or lists (for CONFIG_DEBUG_CHECKS) */

	/* Active protect cursors: every removal keeps them valid. */
	struct mdb_cursor *cursors;
};

/* Set up an empty database over caller-provided static storage (pool has capacity + 1 entries). */
void mdb_init(struct mdb *m, struct mdb_entry *pool, uint32_t capacity, struct mdb_quota *quota,
	      unsigned nspaces, unsigned max_depth, unsigned map_max_pages);

/* Record an initial mapping (from the system description): a new derivation root. */
enum kerr mdb_insert_root(struct mdb *m, unsigned space, uint64_t vpn, uint64_t frame,
			  unsigned rights) MUST_CHECK;

/*
 * map: dst pages become children of the src pages. share: dst pages become siblings of the
 * src pages (co-equal: they survive the source's unmap). grant: the src mappings move to dst
 * and src loses them. All three check every page first and change nothing on error; at most
 * m->map_max_pages pages per call. These forms run to the end without a preemption point.
 */
enum kerr mdb_map(struct mdb *m, unsigned src, uint64_t src_vpn, unsigned dst, uint64_t dst_vpn,
		  uint64_t npages, unsigned rights) MUST_CHECK;
enum kerr mdb_share(struct mdb *m, unsigned src, uint64_t src_vpn, unsigned dst, uint64_t dst_vpn,
		    uint64_t npages, unsigned rights) MUST_CHECK;
enum kerr mdb_grant(struct mdb *m, unsigned src, uint64_t src_vpn, unsigned dst, uint64_t dst_vpn,
		    uint64_t npages, unsigned rights) MUST_CHECK;

enum mdb_derive_kind { MDB_DERIVE_MAP, MDB_DERIVE_SHARE, MDB_DERIVE_GRANT };

/*
 * The slot arrays the commit works through: @left pages from the rest's first lie in one
 * leaf-table run of both spaces (mdb_pt_slots()). Kept across a stop: tables are never freed,
 * so a restart goes on without looking them up again (two lookups, ~80 instructions).
 */
struct mdb_derive_run {
	mdb_idx_t *src, *dst;
	uint64_t left;
};

/*
 * A map, share or grant that stopped at a preemption point (one per thread in the system-call
 * layer). Stopped in its checks (@checking): how many pages passed them; nothing is reserved
 * yet. Stopped after them: the pages not yet committed and what the checks reserved for them
 * (the pool entries of map and share, the destination's quota, and the destination's page
 * tables not made yet, @tables), so that neither its tables nor its commit can fail for lack of
 * resources. Tables already made are not reserved any more: they are never freed. @run: where
 * the rest's slots are, if known (committing, or stopped in the checks of a one-run call).
 */
struct mdb_derive {
	uint64_t src_vpn, dst_vpn, npages; /* the rest */
	struct mdb_derive_run run;
	uint64_t done;	  /* pages committed by this map so far (all its calls) */
	uint64_t checked; /* while @checking: pages of the call that passed the checks */
	uint32_t tables;  /* destination page tables reserved and not made yet */
	uint8_t kind, src, dst, rights;
	bool active;   /* a call is stopped: its record (and reservation, unless @checking) is held */
	bool checking; /* it stopped in its checks, before the reservation */
};

struct mdb_chunking;

/*
 * map/share/grant with preemption points: in the checks, one after every @c->checks pages
 * checked (0 or MDB_UNCHUNKED: none, and none of the next two kinds either); one after the
 * checks and the reservation, and one after each new page table; in the commit, at most
 * @c->first pages before the first (a restart's entry precedes them) and @c->each between
 * later ones. An inactive @d starts a new call: every check of mdb_map()
 * and the reservation, then the commit. An active @d continues it, in its checks or its commit;
 * the arguments must be its rest (else KERR_INVAL and the reservation is released). An error of
 * the checks, also one found after a stop, changes nothing and releases @d. A restarted call
 * checks each page again as it commits it: when another thread changed a page not yet committed
 * while the call was stopped (source gone or with fewer rights, destination taken), the call
 * ends with KERR_CONFLICT and releases the rest of the reservation; the pages committed stay.
 * Returns KERR_OK (d->done pages mapped), KERR_PREEMPTED (@d active, describing the rest),
 * KERR_CONFLICT (d->done pages mapped) or an error of the checks (nothing changed, d->done 0).
 */
enum kerr mdb_derive_preemptible(struct mdb *m, enum mdb_derive_kind kind, unsigned src, uint64_t src_vpn,
				 unsigned dst, uint64_t dst_vpn, uint64_t npages, unsigned rights,
				 const struct mdb_chunking *c, struct mdb_derive *d) MUST_CHECK;

/* Give back what a preempted map/share/grant still holds (abandoned, or its thread restarted). */
void mdb_derive_release(struct mdb *m, struct mdb_derive *d);

/*
 * Remove everything derived from the mappings of [*vpn, *vpn + *npages) in @space (and, with
 * MDB_UNMAP_SELF, those mappings too), doing at most @chunk units of work: a unit is one entry
 * removed, or one page that removed nothing (pages without a mapping are skipped, but their
 * lookup counts, so any range reaches preemption points). Returns KERR_OK when done, or KERR_PREEMPTED with *vpn and *npages
 * describing the rest: calling again with them continues. The tree is valid after every
 * removal (docs/mapping.md), so other operations may run between two calls.
 * *removed is increased by the number of entries removed.
 */
enum kerr mdb_unmap(struct mdb *m, unsigned space, uint64_t *vpn, uint64_t *npages, unsigned flags,
		    unsigned chunk, uint64_t *removed) MUST_CHECK;

/*
 * How a preemptible call divides its work: @first units before the first preemption point,
 * @each between later ones (MDB_UNCHUNKED: none). A system call makes @first small because its
 * entry and checks already kept interrupts masked for about a unit's time.
 */
struct mdb_chunking {
	unsigned first;
	unsigned each;
	bool (*preempt_point)(void);
	unsigned checks; /* map/share/grant: pages checked between two preemption points (0: all) */
	/*
	 * unmap only (NULL and false elsewhere, e.g. protect). @ask_first: a preemption point after
	 * the checks and the first lookup, before any unit (then @first units): the first stretch of
	 * a system call holds its entry and checks only. It is asked instead of @preempt_point, so
	 * that it may answer for IRQs alone: a stop there makes no progress, and a call that stopped
	 * there for another CPU's call, which stops at its own for the first, would never progress.
	 * @run_unit: the lookup of each further leaf table (a walk of the page tables, about as
	 * dear as a unit) counts as one unit of the chunk.
	 */
	bool (*ask_first)(void);
	bool run_unit;
};

/*
 * mdb_unmap() with the preemption point inside: after each chunk and its TLB maintenance,
 * @c->preempt_point() is asked; only if it returns true does the call stop with KERR_PREEMPTED.
 * Otherwise the next chunk follows at once, so a chunk boundary costs a sync and a question,
 * not a return and a new call (a lookup and the checks).
 */
enum kerr mdb_unmap_preemptible(struct mdb *m, unsigned space, uint64_t *vpn, uint64_t *npages,
				unsigned flags, const struct mdb_chunking *c, uint64_t *removed) MUST_CHECK;

/*
 * mdb_unmap_preemptible() for a call that is restarted after each stop (a system call), with
 * progress guaranteed even when IRQs come faster than the call's entry and checks: a call whose
 * last try stopped at @c->ask_first, or at one of the caller's own stops before progress, with
 * nothing done (*@stopped_first, the caller's per-thread flag, false for a new call) skips that
 * point this time, so at least one unit is made every second try. Sets *@stopped_first for the next try: true exactly when this one stopped with
 * nothing done (no page passed, no entry removed), so the caller may share the flag with its own
 * stops before progress (the system call's entry point).
 */
enum kerr mdb_unmap_restartable(struct mdb *m, unsigned space, uint64_t *vpn, uint64_t *npages,
				unsigned flags, const struct mdb_chunking *c, bool *stopped_first,
				uint64_t *removed) MUST_CHECK;

/*
 * protect: reduce the rights of everything derived from the mappings of [*vpn, *vpn + *npages)
 * in @space (and, with MDB_PROTECT_SELF, of those mappings too) to `old & rights`, in preorder,
 * at most @chunk (mdb_protect) or @c->each units of work between two preemption points: a unit is one entry visited, or
 * one page or missing table that holds no mapping (skipped, as by unmap). @rights must be valid
 * page rights (R, never W with X), so the result always is. Returns KERR_OK when done, or
 * KERR_PREEMPTED with *vpn, *npages and @cur describing the rest: calling again with them and
 * the same @cur continues. An inactive @cur starts at *vpn; the call drops whatever @cur held
 * unless it names the entry now at *vpn. *walked is increased by the entries visited.
 */
enum kerr mdb_protect_preemptible(struct mdb *m, unsigned space, uint64_t *vpn, uint64_t *npages,
				  unsigned rights, unsigned flags, const struct mdb_chunking *c,
				  struct mdb_cursor *cur, uint64_t *walked) MUST_CHECK;

/* mdb_protect_preemptible() that stops at every chunk boundary (for tests). */
enum kerr mdb_protect(struct mdb *m, unsigned space, uint64_t *vpn, uint64_t *npages, unsigned rights,
		      unsigned flags, unsigned chunk, struct mdb_cursor *cur, uint64_t *walked) MUST_CHECK;

/* Forget a protect's position: the next call with @cur starts afresh. */
void mdb_cursor_drop(struct mdb *m, struct mdb_cursor *cur);

/* Entry at (space, vpn), or MDB_NIL. */
mdb_idx_t mdb_lookup(const struct mdb *m, unsigned space, uint64_t vpn);

/* Field accessors (for tests and kernel_info). */
unsigned mdb_entry_space(const struct mdb_entry *e);
uint64_t mdb_entry_vpn(const struct mdb_entry *e);
unsigned mdb_entry_depth(const struct mdb_entry *e);
unsigned mdb_entry_rights(const struct mdb_entry *e);

/*
 * Check every invariant: list links, depth steps, free-list count, per-space quota use,
 * and that each entry's page-table slot points back to it and its PTE is present with the
 * entry's rights. Returns NULL if all hold, else a description of the first violation.
 */
const char *mdb_check(const struct mdb *m);

#endif
