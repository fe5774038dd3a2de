/* mdb_pt.h — what the mapping database needs from the page tables (the only translation state). */
#ifndef KEEL_MDB_PT_H
#define KEEL_MDB_PT_H

#include <stdbool.h>
#include <stdint.h>

#include "keel/kerr.h"
#include "keel/mdb.h"

/*
 * Implemented by the page-table code of the kernel, and by a fake in the host tests.
 * The slot is MDB bookkeeping kept beside each leaf table (one index per PTE), which makes
 * the lookup from (space, vpn) to its entry a bounded table walk.
 */

/* MDB slot of (space, vpn), or NULL when no leaf table covers it (then nothing is mapped). */
mdb_idx_t *mdb_pt_slot(unsigned space, uint64_t vpn);

/*
 * Pages from @vpn on that no leaf table covers (a missing level 0..2 entry covers them all), or 0
 * when a leaf table covers @vpn. Lets unmap skip unmapped space at the cost of the tables that
 * exist, not of the pages it names.
 */
uint64_t mdb_pt_gap(unsigned space, uint64_t vpn);

/* Frame and rights of a present PTE; false if the PTE is not present. */
bool mdb_pt_read(unsigned space, uint64_t vpn, uint64_t *frame, unsigned *rights);

/*
 * Make sure tables exist for every page of [vpn, vpn + npages), charging new table pages to
 * the space's page-table quota. All or nothing: on error no table was added.
 */
enum kerr mdb_pt_prepare(unsigned space, uint64_t vpn, uint64_t npages) MUST_CHECK;

/*
 * The same in pieces, for map, share and grant, which make their tables between preemption
 * points: mdb_pt_reserve() counts the tables missing for [vpn, vpn + npages) and reserves them
 * against the space's page-table quota and the pool (*tables = their number; KERR_QUOTA,
 * KERR_NO_MEMORY or KERR_RANGE with nothing reserved), so that no other call can take them;
 * mdb_pt_make() makes one missing table of the range from that reservation (false: none is
 * missing, as another call may have made it meanwhile); mdb_pt_unreserve() gives back what a
 * call did not use. Tables made stay (they are never freed).
 */
enum kerr mdb_pt_reserve(unsigned space, uint64_t vpn, uint64_t npages, uint32_t *tables) MUST_CHECK;
bool mdb_pt_make(unsigned space, uint64_t vpn, uint64_t npages);
void mdb_pt_unreserve(unsigned space, uint32_t tables);

/*
 * Write a present PTE where none is (no break-before-make needed) and set its slot to @idx:
 * one table walk for both.
 */
void mdb_pt_write(unsigned space, uint64_t vpn, uint64_t frame, unsigned rights, mdb_idx_t idx);

/* Make the PTE invalid and its slot MDB_NIL; TLB maintenance is deferred to the next mdb_pt_sync(). */
void mdb_pt_clear(unsigned space, uint64_t vpn);

/*
 * Batch forms, for the per-page loops of map, share, grant and unmap: one table walk per leaf
 * table (up to 512 pages) instead of one or more per page.
 *
 * mdb_pt_slots: the MDB slots of the pages from @vpn on that the leaf table covering @vpn
 * covers, at most @max: returns their number (>= 1 if @max >= 1) and sets *slots to the first,
 * or returns 0 when no leaf table covers @vpn. The caller reads and writes the slots directly;
 * the pointer stays valid while the space lives (tables are never freed).
 */
uint64_t mdb_pt_slots(unsigned space, uint64_t vpn, uint64_t max, mdb_idx_t **slots);

/*
 * Write the PTEs behind @dst_slots[0..npages) with the frames of the present PTEs behind
 * @src_slots[0..npages) and with @rights (a subset of each source's). Each run of slots lies in
 * one leaf table (as mdb_pt_slots() hands them out), so the slots name the PTEs without a walk.
 * The destination PTEs are invalid; TLB maintenance still pending from earlier clears is
 * completed first (break-before-make). Slots are not touched: the caller sets them.
 */
void mdb_pt_copy_run(const mdb_idx_t *src_slots, const mdb_idx_t *dst_slots, uint64_t npages,
		     unsigned rights);

/*
 * mdb_pt_clear() for the present pages [vpn, vpn + npages) of @space, whose slots are
 * @slots[0..npages) in one leaf table (mdb_pt_slots()): no walk.
 */
void mdb_pt_clear_run(unsigned space, uint64_t vpn, mdb_idx_t *slots, uint64_t npages);

/*
 * Give the present PTE of (space, vpn) the reduced @rights (a subset of its own), same frame and
 * attributes; TLB maintenance is deferred to the next mdb_pt_sync(), as for mdb_pt_clear().
 */
void mdb_pt_protect(unsigned space, uint64_t vpn, unsigned rights);

/* Complete TLB maintenance for every PTE cleared or protected since the last sync (one chunk's worth). */
void mdb_pt_sync(void);

#endif
