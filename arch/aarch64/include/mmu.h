/* mmu.h — the kernel's translation tables: built once at boot, then reported and checked. */
#ifndef MMU_H
#define MMU_H

#include "cmsis_aarch64.h"

/* MAIR_EL1 as Keel programs it; the indices are enum pte_memtype. */
#define MMU_MAIR_EL1                                                                             \
	((MAIR_ATTR_NORMAL_WB << MAIR_Attr_Pos(0)) | (MAIR_ATTR_NORMAL_NC << MAIR_Attr_Pos(1)) | \
	 (MAIR_ATTR_DEVICE_nGnRE << MAIR_Attr_Pos(2)))

/*
 * SCTLR_EL1 with the MMU on: stage 1 translation (M), data and instruction caches (C, I),
 * stack alignment checks at EL1 and EL0 (SA, SA0), and WXN, so that any writable mapping is
 * also execute-never whatever its descriptor says.
 */
#define MMU_SCTLR_EL1_ON                                                                             \
	(SCTLR_EL1_RES1 | SCTLR_EL1_M_Msk | SCTLR_EL1_C_Msk | SCTLR_EL1_SA_Msk | SCTLR_EL1_SA0_Msk | \
	 SCTLR_EL1_I_Msk | SCTLR_EL1_WXN_Msk)

#ifndef __ASSEMBLY__
#include <stdint.h>

#include "cmsis_aarch64.h"
#include "pte.h"

/* What the boot code maps, in this order. */
enum mmu_region_kind {
	MMU_REGION_RAM,	   /* RAM linear map outside the kernel image */
	MMU_REGION_TEXT,   /* kernel .text (with the Image header and vectors) */
	MMU_REGION_RODATA, /* kernel .rodata (and the test table) */
	MMU_REGION_DATA,   /* kernel .data and .bss: page tables, stacks */
	MMU_REGION_DEVICE, /* the board's device window */
};

struct mmu_region {
	uint64_t pa;
	uint64_t size;
	uint32_t kind;	  /* enum mmu_region_kind */
	uint32_t prot;	  /* PTE_PROT_* */
	uint32_t memtype; /* enum pte_memtype */
};

#define MMU_MAX_REGIONS 8

/*
 * What mmu_boot_setup() built, for the boot log and the tests. Written before the MMU is on,
 * so it holds numbers (physical addresses), never pointers.
 */
struct mmu_layout {
	struct mmu_region region[MMU_MAX_REGIONS];
	unsigned nr_regions;
	unsigned pt_kernel;    /* pool pages holding the TTBR1 tables */
	unsigned pt_boot;      /* pool pages of the boot identity map (TTBR0, used only to turn the MMU on) */
	unsigned pa_bits;      /* physical address size programmed in TCR_EL1.IPS */
	unsigned ram_from_dtb; /* 1: RAM bounds from the DTB's /memory, 0: the board's fallback */
	uint64_t ram_base;     /* the RAM the linear map covers: [ram_base, ram_end) */
	uint64_t ram_end;
	uint64_t pool_pa; /* physical address of the page-table pool (CONFIG_MMU_PT_PAGES pages) */
	uint64_t ttbr1;	  /* physical address of the TTBR1 level 0 table */
	uint64_t
		ttbr0_boot; /* physical address of the identity map's level 0 table (kept for secondary CPUs) */
};

extern struct mmu_layout mmu_layout;

/*
 * Called by boot.S with the MMU off, at the physical load address, with the DTB address from x0
 * (0 or not a DTB: the board's fallback RAM size is used): checks the load address,
 * builds the TTBR1 tables and the temporary TTBR0 identity map, programs MAIR, TCR, TTBR0 and
 * TTBR1. Halts with a message on any failure. boot.S then turns the MMU on.
 */
void mmu_boot_setup(uintptr_t dtb);

/* Print the memory map (kernel regions, RAM linear map, devices) and the page-table usage. */
void mmu_print_map(void);

/* Leaf descriptor that translates upper-half @va (0 if unmapped); its level in *@level. */
uint64_t mmu_lookup(uintptr_t va, unsigned *level);

/*
 * Check every TTBR1 mapping against Keel's rules: no leaf is both writable and executable,
 * every leaf is UXN, EL0 has no access, and each table lies in the page-table pool.
 * Returns the number of violations (printed).
 */
unsigned mmu_check(void);

/*
 * Switch TTBR0_EL1 (tables and ASID in one write: TCR_EL1.A1 = 0) for the thread that the next
 * eret enters, without the ISB of space_activate(). A write to a System register is guaranteed
 * to apply to the instructions after a context synchronization event, and an exception return is
 * one: always before FEAT_ExS, and with it while SCTLR_EL1.EOS = 1, which MMU_SCTLR_EL1_ON keeps
 * set (SCTLR_EL1_RES1 bit 11; ARM ARM D1, "Context synchronization event", and SCTLR_EL1.EOS).
 * Between this write and the eret the kernel must not touch user memory (TTBR0): translations
 * there may use either value. Each value is a whole base + ASID pair, and user entries are
 * non-global and tagged with their ASID, so neither value can produce a wrong translation or
 * TLB entry, and no TLB maintenance or DSB is needed (nothing in the page tables changed).
 */
static inline uint64_t mmu_ttbr0_value(uint64_t root_pa, unsigned asid)
{
	return root_pa | ((uint64_t)asid << 48);
}

#if defined(__aarch64__) /* host unit tests (test_pte.c) include this header: no system registers there */
static inline void mmu_ttbr0_set_before_eret(uint64_t root_pa, unsigned asid)
{
	__MSR(TTBR0_EL1, mmu_ttbr0_value(root_pa, asid));
}

/* TTBR0_EL1 as written last by this CPU (a direct read after a direct write returns it). */
static inline uint64_t mmu_ttbr0_get(void)
{
	return __MRS(TTBR0_EL1);
}
#endif

#endif /* !__ASSEMBLY__ */
#endif /* MMU_H */
