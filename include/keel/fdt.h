/* fdt.h — the one thing the kernel reads from a flattened device tree (DTB): the RAM bank it runs in. */
#ifndef KEEL_FDT_H
#define KEEL_FDT_H

#include <stdint.h>

#define FDT_MAGIC    0xd00dfeedU
#define FDT_MAX_SIZE (2U << 20) /* larger blobs are refused: a bound on the walk */

enum fdt_err {
	FDT_OK = 0,
	FDT_ERR_MAGIC = -1,    /* no FDT header at that address (e.g. ATAGs, or nothing) */
	FDT_ERR_BADBLOB = -2,  /* a size or offset points outside the blob */
	FDT_ERR_NOTFOUND = -3, /* no /memory bank contains the address */
};

/*
 * Find the bank of the top-level memory node(s) ("memory" or "memory@...") whose "reg" contains
 * @addr, using the root's #address-cells and #size-cells. Sets *@base and *@size.
 * Freestanding and position-independent: runs before the MMU is on (PREMMU_SRCS), reads the
 * blob byte by byte (no alignment assumed), and never reads past its header's totalsize.
 */
int fdt_memory_bank(const void *fdt, uint64_t addr, uint64_t *base, uint64_t *size);

#endif
