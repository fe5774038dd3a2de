/* fdt.c — find the RAM bank that holds an address in a flattened device tree (Devicetree Specification v0.4, ch. 5). */
#include "keel/fdt.h"

#define FDT_BEGIN_NODE 1U
#define FDT_END_NODE   2U
#define FDT_PROP       3U
#define FDT_NOP	       4U
#define FDT_END	       9U

struct fdt_blob {
	const uint8_t *p;
	uint32_t size, off_struct, off_strings, size_strings;
};

/* Big-endian 32-bit value at @off, byte by byte: no alignment needed, also with the MMU off. */
static uint32_t fdt_be32(const uint8_t *p, uint32_t off)
{
	return ((uint32_t)p[off] << 24) | ((uint32_t)p[off + 1] << 16) | ((uint32_t)p[off + 2] << 8) |
	       p[off + 3];
}

/* Does the NUL-terminated string at @off in the blob equal @s (up to @end)? */
static int fdt_str_eq(const struct fdt_blob *b, uint32_t off, uint32_t end, const char *s)
{
	for (;; off++, s++) {
		if (off >= end)
			return 0;
		if (b->p[off] != (uint8_t)*s)
			return 0;
		if (!*s)
			return 1;
	}
}

/* Is the node name at @off "memory" or "memory@..."? */
static int fdt_is_memory_node(const struct fdt_blob *b, uint32_t off, uint32_t end)
{
	const char *m = "memory";

	for (; *m; m++, off++)
		if (off >= end || b->p[off] != (uint8_t)*m)
			return 0;
	return off < end && (b->p[off] == 0 || b->p[off] == '@');
}

/* Read @cells (1 or 2) big-endian cells at @off as one number. */
static uint64_t fdt_cells(const uint8_t *p, uint32_t off, uint32_t cells)
{
	return cells == 2 ? ((uint64_t)fdt_be32(p, off) << 32) | fdt_be32(p, off + 4) : fdt_be32(p, off);
}

int fdt_memory_bank(const void *fdt, uint64_t addr, uint64_t *base, uint64_t *size)
{
	struct fdt_blob b = {.p = fdt};
	uint32_t off, end, addr_cells = 2, size_cells = 1, depth = 0;
	int in_memory = 0;

	if (fdt_be32(b.p, 0) != FDT_MAGIC)
		return FDT_ERR_MAGIC;
	b.size = fdt_be32(b.p, 4);
	b.off_struct = fdt_be32(b.p, 8);
	b.off_strings = fdt_be32(b.p, 12);
	b.size_strings = fdt_be32(b.p, 32);
	end = b.off_struct + fdt_be32(b.p, 36); /* size_dt_struct (version >= 17) */
	if (b.size < 40 || b.size > FDT_MAX_SIZE || b.off_struct >= b.size || end > b.size ||
	    end < b.off_struct || b.off_strings > b.size || b.size_strings > b.size - b.off_strings)
		return FDT_ERR_BADBLOB;

	/* One pass over the structure block; each step moves forward by at least 4 bytes. */
	for (off = b.off_struct; off + 4 <= end;) {
		uint32_t token = fdt_be32(b.p, off);

		off += 4;
		if (token == FDT_BEGIN_NODE) {
			uint32_t name = off;

			while (off < end && b.p[off])
				off++;
			if (off >= end)
				return FDT_ERR_BADBLOB;
			depth++;
			in_memory = depth == 2 && fdt_is_memory_node(&b, name, end);
			off = (off + 1 + 3) & ~3U;
		} else if (token == FDT_END_NODE) {
			if (depth == 0)
				return FDT_ERR_BADBLOB;
			depth--;
			in_memory = 0;
		} else if (token == FDT_PROP) {
			uint32_t len, nameoff, val;

			if (off + 8 > end)
				return FDT_ERR_BADBLOB;
			len = fdt_be32(b.p, off);
			nameoff = b.off_strings + fdt_be32(b.p, off + 4);
			val = off + 8;
			if (len > end - val || nameoff >= b.off_strings + b.size_strings)
				return FDT_ERR_BADBLOB;
			if (depth == 1 && len == 4 &&
			    fdt_str_eq(&b, nameoff, b.off_strings + b.size_strings, "#address-cells"))
				addr_cells = fdt_be32(b.p, val);
			else if (depth == 1 && len == 4 &&
				 fdt_str_eq(&b, nameoff, b.off_strings + b.size_strings, "#size-cells"))
				size_cells = fdt_be32(b.p, val);
			else if (in_memory &&
				 fdt_str_eq(&b, nameoff, b.off_strings + b.size_strings, "reg")) {
				uint32_t entry = 4U * (addr_cells + size_cells);

				if (addr_cells < 1 || addr_cells > 2 || size_cells < 1 || size_cells > 2)
					return FDT_ERR_BADBLOB;
				for (uint32_t e = val; e + entry <= val + len; e += entry) {
					uint64_t bb = fdt_cells(b.p, e, addr_cells);
					uint64_t bs = fdt_cells(b.p, e + 4U * addr_cells, size_cells);

					if (addr >= bb && addr - bb < bs) {
						*base = bb;
						*size = bs;
						return FDT_OK;
					}
				}
			}
			off = (val + len + 3) & ~3U;
		} else if (token == FDT_END) {
			break;
		} else if (token != FDT_NOP) {
			return FDT_ERR_BADBLOB;
		}
	}
	return FDT_ERR_NOTFOUND;
}
