/* mmu.c — the kernel's translation tables after boot: the memory map report, lookups and the W^X check. */
#include "cmsis_aarch64.h"
#include "memlayout.h"
#include "mmu.h"
#include "pte.h"
#include "keel/printk.h"

static const char *const region_name[] = {
	[MMU_REGION_RAM] = "ram",   [MMU_REGION_TEXT] = "text",	    [MMU_REGION_RODATA] = "rodata",
	[MMU_REGION_DATA] = "data", [MMU_REGION_DEVICE] = "device",
};

static const char *const memtype_name[] = {
	[PTE_MEM_NORMAL] = "normal WB",
	[PTE_MEM_NORMAL_NC] = "normal NC",
	[PTE_MEM_DEVICE] = "device nGnRE",
};

static void print_size(uint64_t size)
{
	if (size >= (1UL << 20) && !(size & ((1UL << 20) - 1U)))
		printk("%6lu MiB", (unsigned long)(size >> 20));
	else
		printk("%6lu KiB", (unsigned long)(size >> 10));
}

void mmu_print_map(void)
{
	char prot[4];

	printk("  memory map (TTBR1, VA = PA + 0x%lx; TTBR0: user spaces):\n",
	       (unsigned long)KERNEL_VA_OFFSET);
	for (unsigned i = 0; i < mmu_layout.nr_regions; i++) {
		const struct mmu_region *r = &mmu_layout.region[i];

		printk("    %-7s 0x%016lx-0x%016lx -> 0x%08lx ", region_name[r->kind],
		       (unsigned long)memlayout_va(r->pa), (unsigned long)memlayout_va(r->pa + r->size),
		       (unsigned long)r->pa);
		print_size(r->size);
		printk("  %-3s%s  %s\n", pte_prot_name(r->prot, prot), r->prot & PTE_PROT_X ? "   " : " XN",
		       memtype_name[r->memtype]);
	}
	printk("  page tables: %u of %u pages used (kernel %u, boot identity map %u); PA size %u bits\n",
	       mmu_layout.pt_kernel + mmu_layout.pt_boot, CONFIG_MMU_PT_PAGES, mmu_layout.pt_kernel,
	       mmu_layout.pt_boot, mmu_layout.pa_bits);
	printk("  ram:       0x%lx-0x%lx (%lu MiB), %s\n", (unsigned long)mmu_layout.ram_base,
	       (unsigned long)mmu_layout.ram_end,
	       (unsigned long)((mmu_layout.ram_end - mmu_layout.ram_base) >> 20),
	       mmu_layout.ram_from_dtb ? "from the DTB /memory node" : "board default (no usable DTB)");
}

/* The table a table descriptor points to, through the linear map. */
static const uint64_t *next_table(uint64_t desc)
{
	return (const uint64_t *)memlayout_va(pte_addr(desc));
}

uint64_t mmu_lookup(uintptr_t va, unsigned *level)
{
	const uint64_t *table = (const uint64_t *)memlayout_va(mmu_layout.ttbr1);

	if (va < KERNEL_VA_BASE)
		return 0;
	for (unsigned l = 0; l < PTE_LEVELS; l++) {
		uint64_t desc = table[pte_index(va, l)];

		if (!pte_is_valid(desc))
			return 0;
		if (!pte_is_table(desc, l)) {
			if (level)
				*level = l;
			return desc;
		}
		table = next_table(desc);
	}
	return 0;
}

static unsigned violation(uint64_t va, unsigned level, uint64_t desc, const char *what)
{
	printk("mmu: VA 0x%016lx (level %u, descriptor 0x%016lx): %s\n", (unsigned long)va, level,
	       (unsigned long)desc, what);
	return 1;
}

/* Every table is one of the pool's pages, which the boot code filled in order. */
static bool table_in_pool(uint64_t pa)
{
	uint64_t used = mmu_layout.pt_kernel + mmu_layout.pt_boot;

	return pa >= mmu_layout.pool_pa && pa < mmu_layout.pool_pa + used * PTE_TABLE_SIZE &&
	       !(pa & (PTE_TABLE_SIZE - 1U));
}

static unsigned check_table(const uint64_t *table, unsigned level, uint64_t va_base)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < PTE_ENTRIES; i++) {
		uint64_t desc = table[i];
		/* Upper-half VAs have bits 63:48 set (T1SZ = 16). */
		uint64_t va = va_base | ((uint64_t)i << pte_shift(level));

		if (!pte_is_valid(desc))
			continue;
		if (pte_is_table(desc, level)) {
			if (!table_in_pool(pte_addr(desc)))
				bad += violation(va, level, desc, "table outside the page-table pool");
			else
				bad += check_table(next_table(desc), level + 1U, va);
			continue;
		}
		if ((pte_prot(desc) & (PTE_PROT_W | PTE_PROT_X)) == (PTE_PROT_W | PTE_PROT_X))
			bad += violation(va, level, desc, "writable and executable");
		if (!(desc & PTE_UXN_Msk))
			bad += violation(va, level, desc, "not UXN");
		if (desc & PTE_AP_EL0_Msk)
			bad += violation(va, level, desc, "EL0 has access");
		if (pte_memtype(desc) == PTE_MEM_DEVICE && !(desc & PTE_PXN_Msk))
			bad += violation(va, level, desc, "executable device memory");
	}
	return bad;
}

unsigned mmu_check(void)
{
	return check_table((const uint64_t *)memlayout_va(mmu_layout.ttbr1), 0, KERNEL_VA_BASE);
}
