/*
 * mmu_boot.c — build the kernel's translation tables and program the MMU registers, once, at boot.
 *
 * POSITION-INDEPENDENT CODE. boot.S calls mmu_boot_setup() at the physical load address with the
 * MMU off, while the kernel is linked in the upper half. This file, and every file it calls
 * (PREMMU_SRCS in the Makefile), must therefore:
 *  - reach symbols only PC-relative (the small code model's adrp/add), never through an address
 *    stored in a literal pool or in initialised data;
 *  - keep no pointers in initialised data: no tables of function, string or object pointers;
 *  - call only functions of PREMMU_SRCS.
 * The build enforces this (scripts/check-premmu.sh): these objects may carry no absolute
 * relocations outside debug info, and their undefined symbols must be defined among them.
 * Every address seen here is physical: a table descriptor holds the PA of the next table, which
 * is simply the table's address now. Results for later code go to mmu_layout, as numbers.
 */
#include "board.h"
#include "cmsis_aarch64.h"
#include "early.h"
#include "keel/fdt.h"
#include "memlayout.h"
#include "mmu.h"
#include "pte.h"

/* Linker-script symbols (kernel.ld.S): page-aligned section bounds. */
extern char __kernel_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __kernel_end[];

/*
 * The page-table pool, statically sized (CONFIG_MMU_PT_PAGES): TTBR1 tables first, then the
 * boot identity map. In .bss, so already zero, and written only here (no allocator).
 */
static uint64_t mmu_pt_pool[CONFIG_MMU_PT_PAGES][PTE_ENTRIES] __attribute__((aligned(PTE_TABLE_SIZE)));
static unsigned pt_next;

struct mmu_layout mmu_layout;

_Static_assert(sizeof(mmu_pt_pool[0]) == PTE_TABLE_SIZE, "one pool entry is one table");
_Static_assert(CONFIG_MMU_PT_PAGES >= 4, "even one 4 KiB mapping needs four levels of tables");

static uint64_t *pt_alloc(void)
{
	if (pt_next >= CONFIG_MMU_PT_PAGES)
		early_fatal("page-table pool exhausted: raise CONFIG_MMU_PT_PAGES, now", CONFIG_MMU_PT_PAGES);
	return mmu_pt_pool[pt_next++];
}

/*
 * Map [@va, @va + @size) to @pa with the largest leaves that alignment and size allow
 * (1 GiB, 2 MiB, 4 KiB), creating tables as needed. Refuses to overwrite anything.
 */
static void map_range(uint64_t *root, uint64_t va, uint64_t pa, uint64_t size, unsigned prot,
		      enum pte_memtype type)
{
	if ((va | pa | size) & (PTE_PAGE_SIZE - 1U))
		early_fatal("mapping is not page aligned: PA", pa);
	while (size) {
		uint64_t *table = root;

		for (unsigned level = 0; level < PTE_LEVELS; level++) {
			uint64_t *entry = &table[pte_index(va, level)];
			uint64_t bsize = pte_level_size(level);

			if (level >= PTE_FIRST_BLOCK && !((va | pa) & (bsize - 1U)) && size >= bsize) {
				if (*entry)
					early_fatal("overlapping mappings at PA", pa);
				*entry = pte_leaf(pa, level, prot, type);
				if (!*entry)
					early_fatal("refused mapping (W+X or executable device) at PA", pa);
				va += bsize;
				pa += bsize;
				size -= bsize;
				break;
			}
			if (!*entry)
				*entry = pte_table((uintptr_t)pt_alloc());
			else if (!pte_is_table(*entry, level))
				early_fatal("overlapping mappings at PA", pa);
			table = (uint64_t *)(uintptr_t)pte_addr(*entry);
		}
	}
}

/* Map physical [@pa, @end) at its upper-half address and record it for the boot log. */
static void map_region(uint64_t *root, enum mmu_region_kind kind, uint64_t pa, uint64_t end, unsigned prot,
		       enum pte_memtype type)
{
	struct mmu_region *r;

	if (end <= pa)
		return;
	if (mmu_layout.nr_regions >= MMU_MAX_REGIONS)
		early_fatal("too many regions, raise MMU_MAX_REGIONS", MMU_MAX_REGIONS);
	r = &mmu_layout.region[mmu_layout.nr_regions++];
	r->pa = pa;
	r->size = end - pa;
	r->kind = kind;
	r->prot = prot;
	r->memtype = type;
	map_range(root, memlayout_va(pa), pa, end - pa, prot, type);
}

/* TCR_EL1.IPS from ID_AA64MMFR0_EL1.PARange, at most 48 bits (the 4 KiB granule's limit). */
static unsigned tcr_ips(unsigned *pa_bits)
{
	unsigned parange =
		(unsigned)((__MRS(ID_AA64MMFR0_EL1) & ID_AA64MMFR0_PARange_Msk) >> ID_AA64MMFR0_PARange_Pos);

	if (parange > ID_AA64MMFR0_PARange_48)
		parange = ID_AA64MMFR0_PARange_48;
	/* 32, 36, 40, 42, 44, 48 bits: computed, not a table, to stay free of data. */
	*pa_bits = parange <= 2 ? 32U + 4U * parange : 42U + 2U * (parange - 3U);
	return parange;
}

/*
 * The RAM to map: the DTB's /memory bank that holds the kernel, clipped to the board's window
 * [BOARD_RAM_BASE, BOARD_RAM_BASE + BOARD_RAM_MAX) (on the Pi: below the VideoCore's memory and
 * the peripherals), else the board's fallback BOARD_RAM_SIZE. Only an 8-byte aligned,
 * non-zero x0 is read (the FDT header's alignment); QEMU raspi4b without -dtb passes 0x100,
 * which holds ATAGs and fails the magic check.
 */
static void ram_bounds(uintptr_t dtb, uint64_t kstart)
{
	const uint64_t lo = BOARD_RAM_BASE; /* a variable: "base < 0" would not compile with -Werror */
	uint64_t base, size, end;

	mmu_layout.ram_base = BOARD_RAM_BASE;
	mmu_layout.ram_end = BOARD_RAM_BASE + BOARD_RAM_SIZE;
	mmu_layout.ram_from_dtb = 0;
	if (!dtb || (dtb & 7U) || fdt_memory_bank((const void *)dtb, kstart, &base, &size) != FDT_OK)
		return;
	end = base + size;
	/* cppcheck-suppress unsignedLessThanZero ; lo is 0 on boards whose RAM starts at 0 (the Pi) */
	if (base < lo)
		base = lo;
	if (end > lo + BOARD_RAM_MAX || end < base)
		end = lo + BOARD_RAM_MAX;
	/* Whole 2 MiB blocks: a partial block at the end would cost a level 3 table. */
	end &= ~(pte_level_size(2) - 1U);
	if (end <= kstart)
		return;
	mmu_layout.ram_base = base & ~(PTE_PAGE_SIZE - 1U);
	mmu_layout.ram_end = end;
	mmu_layout.ram_from_dtb = 1;
}

void mmu_boot_setup(uintptr_t dtb)
{
	const uint64_t kstart = (uintptr_t)__kernel_start, kend = (uintptr_t)__kernel_end;
	uint64_t ram_base, ram_end;
	uint64_t *ttbr1, *ttbr0, tcr;
	unsigned ips;

	/*
	 * The image is linked for one physical address (VA = PA + KERNEL_VA_OFFSET). Everything
	 * so far ran PC-relative, so a wrong load address is still caught here, with a message.
	 */
	if (kstart != BOARD_KERNEL_LOAD) {
		early_puts("\nKeel: boot failed: image loaded at ");
		early_put_hex(kstart);
		early_puts(", but it is linked to run at ");
		early_put_hex(BOARD_KERNEL_LOAD);
		early_puts(" (BOARD_KERNEL_LOAD; Image text_offset 0x80000 from a 2 MiB aligned RAM base)\n");
		early_halt();
	}
	ram_bounds(dtb, kstart);
	ram_base = mmu_layout.ram_base;
	ram_end = mmu_layout.ram_end;
	if (kstart < ram_base || kend > ram_end)
		early_fatal("kernel image lies outside the board's RAM: image end", kend);

	/* TTBR1: RAM linear map with the kernel image carved out at 4 KiB granularity for W^X. */
	ttbr1 = pt_alloc();
	map_region(ttbr1, MMU_REGION_RAM, ram_base, kstart, PTE_PROT_RW, PTE_MEM_NORMAL);
	map_region(ttbr1, MMU_REGION_TEXT, kstart, (uintptr_t)__text_end, PTE_PROT_RX, PTE_MEM_NORMAL);
	map_region(ttbr1, MMU_REGION_RODATA, (uintptr_t)__rodata_start, (uintptr_t)__rodata_end, PTE_PROT_R,
		   PTE_MEM_NORMAL);
	map_region(ttbr1, MMU_REGION_DATA, (uintptr_t)__data_start, kend, PTE_PROT_RW, PTE_MEM_NORMAL);
	map_region(ttbr1, MMU_REGION_RAM, kend, ram_end, PTE_PROT_RW, PTE_MEM_NORMAL);
	map_region(ttbr1, MMU_REGION_DEVICE, BOARD_DEVICE_BASE, BOARD_DEVICE_BASE + BOARD_DEVICE_SIZE,
		   PTE_PROT_RW, PTE_MEM_DEVICE);
	mmu_layout.pt_kernel = pt_next;

	/*
	 * TTBR0: identity map of the kernel text only, read-only and executable, for the few
	 * instructions between setting SCTLR_EL1.M and the branch to the upper half (boot.S).
	 */
	ttbr0 = pt_alloc();
	map_range(ttbr0, kstart, kstart, (uintptr_t)__text_end - kstart, PTE_PROT_RX, PTE_MEM_NORMAL);
	mmu_layout.pt_boot = pt_next - mmu_layout.pt_kernel;
	mmu_layout.pool_pa = (uintptr_t)mmu_pt_pool;
	mmu_layout.ttbr1 = (uintptr_t)ttbr1;
	mmu_layout.ttbr0_boot = (uintptr_t)ttbr0;

	ips = tcr_ips(&mmu_layout.pa_bits);
	if (ram_end > (1UL << mmu_layout.pa_bits))
		early_fatal("RAM ends beyond the CPU's physical address range, at", ram_end);

	/*
	 * Both halves: 48-bit VA, 4 KiB granule (TG0 = TCR_TG0_4K is 0), walks inner shareable and
	 * write-back cacheable; 8-bit ASIDs from TTBR0 (A1 = 0, AS = 0), no top-byte ignore.
	 */
	tcr = (16UL << TCR_T0SZ_Pos) | (TCR_RGN_WBWA << TCR_IRGN0_Pos) | (TCR_RGN_WBWA << TCR_ORGN0_Pos) |
	      (TCR_SH_INNER << TCR_SH0_Pos) | (16UL << TCR_T1SZ_Pos) | (TCR_RGN_WBWA << TCR_IRGN1_Pos) |
	      (TCR_RGN_WBWA << TCR_ORGN1_Pos) | (TCR_SH_INNER << TCR_SH1_Pos) | (TCR_TG1_4K << TCR_TG1_Pos) |
	      ((uint64_t)ips << TCR_IPS_Pos);
	_Static_assert(KERNEL_VA_BITS == 48, "T0SZ/T1SZ = 16 encode a 48-bit VA");
	_Static_assert(TCR_TG0_4K == 0, "TG0 left 0 above");

	__MSR(MAIR_EL1, MMU_MAIR_EL1);
	__MSR(TCR_EL1, tcr);
	__MSR(TTBR0_EL1, (uintptr_t)ttbr0);
	__MSR(TTBR1_EL1, (uintptr_t)ttbr1);
	/*
	 * The table writes must be complete before any walk can read them (ARM ARM: a DSB is
	 * required between a translation table write and a walk that uses it); the ISB makes the
	 * new register values visible to what follows.
	 */
	__DSB_ISHST();
	__ISB();
}
