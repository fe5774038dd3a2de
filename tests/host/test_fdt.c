/* test_fdt.c — host unit tests of the DTB /memory lookup (lib/fdt.c), on blobs built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "keel/fdt.h"

/* A tiny flattened-device-tree writer: structure and strings blocks, then the header. */
struct fdt_writer {
	uint8_t st[1024], str[256], blob[2048];
	size_t nst, nstr;
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void st32(struct fdt_writer *w, uint32_t v)
{
	put32(&w->st[w->nst], v);
	w->nst += 4;
}

static void begin_node(struct fdt_writer *w, const char *name)
{
	st32(w, 1);
	memcpy(&w->st[w->nst], name, strlen(name) + 1);
	w->nst = (w->nst + strlen(name) + 1 + 3) & ~(size_t)3;
}

static void end_node(struct fdt_writer *w)
{
	st32(w, 2);
}

static void prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells, size_t n)
{
	st32(w, 3);
	st32(w, (uint32_t)(4 * n));
	st32(w, (uint32_t)w->nstr);
	memcpy(&w->str[w->nstr], name, strlen(name) + 1);
	w->nstr += strlen(name) + 1;
	for (size_t i = 0; i < n; i++)
		st32(w, cells[i]);
}

static const uint8_t *finish(struct fdt_writer *w)
{
	const uint32_t off_struct = 64, off_strings = off_struct + (uint32_t)w->nst + 4;

	st32(w, 9); /* FDT_END */
	memset(w->blob, 0, sizeof(w->blob));
	put32(&w->blob[0], FDT_MAGIC);
	put32(&w->blob[4], off_strings + (uint32_t)w->nstr);
	put32(&w->blob[8], off_struct);
	put32(&w->blob[12], off_strings);
	put32(&w->blob[16], 40); /* mem_rsvmap: the empty entry sits in the padding */
	put32(&w->blob[20], 17);
	put32(&w->blob[24], 16);
	put32(&w->blob[32], (uint32_t)w->nstr);
	put32(&w->blob[36], (uint32_t)w->nst);
	memcpy(&w->blob[off_struct], w->st, w->nst);
	memcpy(&w->blob[off_strings], w->str, w->nstr);
	return w->blob;
}

/* A root with #address-cells/#size-cells, a cpus node and one memory node with @reg. */
static const uint8_t *tree(struct fdt_writer *w, uint32_t ac, uint32_t sc, const char *memname,
			   const uint32_t *reg, size_t nreg)
{
	memset(w, 0, sizeof(*w));
	begin_node(w, "");
	prop_cells(w, "#address-cells", &ac, 1);
	prop_cells(w, "#size-cells", &sc, 1);
	begin_node(w, "cpus");
	begin_node(w, "memory@0"); /* deeper than the root's children: not RAM */
	prop_cells(w, "reg", (const uint32_t[]){0, 0, 0x1000}, 3);
	end_node(w);
	end_node(w);
	begin_node(w, memname);
	prop_cells(w, "device_type", (const uint32_t[]){0x6d656d6f}, 1);
	prop_cells(w, "reg", reg, nreg);
	end_node(w);
	end_node(w);
	return finish(w);
}

static void test_fdt_qemu_virt_memory(void **state)
{
	struct fdt_writer w;
	uint64_t base = 0, size = 0;
	const uint8_t *fdt =
		tree(&w, 2, 2, "memory@40000000", (const uint32_t[]){0, 0x40000000, 0, 0x8000000}, 4);

	(void)state;
	assert_int_equal(fdt_memory_bank(fdt, 0x40080000, &base, &size), FDT_OK);
	assert_true(base == 0x40000000 && size == 0x8000000);
	assert_int_equal(fdt_memory_bank(fdt, 0x48000000, &base, &size), FDT_ERR_NOTFOUND);
	assert_int_equal(fdt_memory_bank(fdt, 0x500, &base, &size), FDT_ERR_NOTFOUND); /* the nested one */
}

/* The Pi 4's firmware: #address-cells 2, #size-cells 1, the first GiB below gpu_mem, then the rest. */
static void test_fdt_rpi4_two_banks(void **state)
{
	struct fdt_writer w;
	uint64_t base = 1, size = 0;
	const uint8_t *fdt = tree(&w, 2, 1, "memory@0",
				  (const uint32_t[]){0, 0, 0x3b400000, 0, 0x40000000, 0xbc000000}, 6);

	(void)state;
	assert_int_equal(fdt_memory_bank(fdt, 0x80000, &base, &size), FDT_OK);
	assert_true(base == 0 && size == 0x3b400000);
	assert_int_equal(fdt_memory_bank(fdt, 0x50000000, &base, &size), FDT_OK);
	assert_true(base == 0x40000000 && size == 0xbc000000);
	assert_int_equal(fdt_memory_bank(fdt, 0x3b400000, &base, &size), FDT_ERR_NOTFOUND);
}

static void test_fdt_one_cell_and_plain_name(void **state)
{
	struct fdt_writer w;
	uint64_t base = 0, size = 0;
	const uint8_t *fdt = tree(&w, 1, 1, "memory", (const uint32_t[]){0x80000000, 0x10000000}, 2);

	(void)state;
	assert_int_equal(fdt_memory_bank(fdt, 0x8fffffff, &base, &size), FDT_OK);
	assert_true(base == 0x80000000 && size == 0x10000000);
	/* "memoryx" is not a memory node. */
	fdt = tree(&w, 1, 1, "memoryx", (const uint32_t[]){0x80000000, 0x10000000}, 2);
	assert_int_equal(fdt_memory_bank(fdt, 0x80000000, &base, &size), FDT_ERR_NOTFOUND);
}

static void test_fdt_rejects_bad_blobs(void **state)
{
	struct fdt_writer w;
	uint64_t base = 0, size = 0;
	uint8_t atags[64] = {0, 0, 0, 5, 0x54, 0x41, 0, 1}; /* an ATAG_CORE, as at 0x100 on QEMU raspi4b */
	const uint8_t *fdt = tree(&w, 2, 2, "memory@0", (const uint32_t[]){0, 0, 0, 0x1000}, 4);

	(void)state;
	assert_int_equal(fdt_memory_bank(atags, 0, &base, &size), FDT_ERR_MAGIC);
	put32(&w.blob[36], 4096); /* structure block past the end */
	assert_int_equal(fdt_memory_bank(fdt, 0, &base, &size), FDT_ERR_BADBLOB);
	fdt = tree(&w, 2, 2, "memory@0", (const uint32_t[]){0, 0, 0, 0x1000}, 4);
	put32(&w.blob[4], 16 << 20); /* larger than FDT_MAX_SIZE */
	assert_int_equal(fdt_memory_bank(fdt, 0, &base, &size), FDT_ERR_BADBLOB);
	fdt = tree(&w, 3, 2, "memory@0", (const uint32_t[]){0, 0, 0, 0, 0x1000}, 5); /* 3 address cells */
	assert_int_equal(fdt_memory_bank(fdt, 0, &base, &size), FDT_ERR_BADBLOB);
	fdt = tree(&w, 2, 2, "memory@0", (const uint32_t[]){0, 0, 0, 0x1000}, 4);
	put32(&w.blob[64], 7); /* an unknown token */
	assert_int_equal(fdt_memory_bank(fdt, 0, &base, &size), FDT_ERR_BADBLOB);
	assert_true(base == 0 && size == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fdt_qemu_virt_memory),
		cmocka_unit_test(test_fdt_rpi4_two_banks),
		cmocka_unit_test(test_fdt_one_cell_and_plain_name),
		cmocka_unit_test(test_fdt_rejects_bad_blobs),
	};

	return cmocka_run_group_tests_name("fdt", tests, NULL, NULL);
}
