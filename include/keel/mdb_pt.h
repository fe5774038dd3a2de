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
 * Write a present PTE where none is (no break-before-make needed) and set its slot to @idx:
 * one table walk for both.
 */
void mdb_pt_write(unsigned space, uint64_t vpn, uint64_t frame, unsigned rights, mdb_idx_t idx);

/* Make the PTE invalid and its slot MDB_NIL; TLB maintenance is deferred to the next mdb_pt_sync(). */
void mdb_pt_clear(unsigned space, uint64_t vpn);

/*
 * Give the present PTE of (space, vpn) the reduced @rights (a subset of its own), same frame and
 * attributes; TLB maintenance is deferred to the next mdb_pt_sync(), as for mdb_pt_clear().
 */
void mdb_pt_protect(unsigned space, uint64_t vpn, unsigned rights);

/* Complete TLB maintenance for every PTE cleared or protected since the last sync (one chunk's worth). */
void mdb_pt_sync(void);

#endif
