/* pte.h — VMSAv8-64 translation table descriptors, 4 KiB granule: field definitions and encoders. */
#ifndef PTE_H
#define PTE_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_LEVELS	4U    /* 48-bit VA, 4 KiB granule: levels 0..3 */
#define PTE_ENTRIES	512U  /* descriptors per table */
#define PTE_TABLE_SIZE	4096U /* one table is one 4 KiB page */
#define PTE_PAGE_SHIFT	12U
#define PTE_PAGE_SIZE	(1UL << PTE_PAGE_SHIFT)
#define PTE_FIRST_BLOCK 1U /* level 1 (1 GiB) and level 2 (2 MiB) may hold blocks; level 0 may not */

/* Descriptor fields: table, block and page descriptors of the 4 KiB granule. */
#define PTE_VALID_Pos	 0U
#define PTE_VALID_Msk	 (1UL << PTE_VALID_Pos)
#define PTE_TYPE_Pos	 1U /* 1: table (levels 0-2) or page (level 3); 0: block (levels 1-2) */
#define PTE_TYPE_Msk	 (1UL << PTE_TYPE_Pos)
#define PTE_ATTRINDX_Pos 2U /* MAIR_EL1 attribute index */
#define PTE_ATTRINDX_Msk (7UL << PTE_ATTRINDX_Pos)
#define PTE_AP_Pos	 6U /* AP[2:1]: AP[2] = read-only, AP[1] = EL0 access */
#define PTE_AP_Msk	 (3UL << PTE_AP_Pos)
#define PTE_AP_EL0_Msk	 (1UL << 6)
#define PTE_AP_RO_Msk	 (1UL << 7)
#define PTE_SH_Pos	 8U
#define PTE_SH_Msk	 (3UL << PTE_SH_Pos)
#define PTE_SH_INNER	 (3UL << PTE_SH_Pos)
#define PTE_AF_Pos	 10U /* access flag: set, because ARMv8.0 cores do not manage it in hardware */
#define PTE_AF_Msk	 (1UL << PTE_AF_Pos)
#define PTE_NG_Pos	 11U
#define PTE_NG_Msk	 (1UL << PTE_NG_Pos)
#define PTE_ADDR_Msk	 0x0000FFFFFFFFF000UL /* output address bits [47:12] */
#define PTE_PXN_Pos	 53U
#define PTE_PXN_Msk	 (1UL << PTE_PXN_Pos)
#define PTE_UXN_Pos	 54U
#define PTE_UXN_Msk	 (1UL << PTE_UXN_Pos)

/* Memory types: the AttrIndx values, matching the MAIR_EL1 layout mmu_boot.c programs. */
enum pte_memtype {
	PTE_MEM_NORMAL = 0,    /* MAIR Attr0: Normal write-back */
	PTE_MEM_NORMAL_NC = 1, /* MAIR Attr1: Normal non-cacheable */
	PTE_MEM_DEVICE = 2,    /* MAIR Attr2: Device-nGnRE */
};

/* Permissions of a kernel mapping, as EL1 sees them. W^X: W and X are never granted together. */
#define PTE_PROT_R  1U
#define PTE_PROT_W  2U
#define PTE_PROT_X  4U
#define PTE_PROT_RX (PTE_PROT_R | PTE_PROT_X)
#define PTE_PROT_RW (PTE_PROT_R | PTE_PROT_W)

/* Bits of the VA a level translates: 39, 30, 21, 12 for levels 0..3. */
static inline unsigned pte_shift(unsigned level)
{
	return PTE_PAGE_SHIFT + 9U * (PTE_LEVELS - 1U - level);
}

/* Bytes one descriptor at @level covers: 512 GiB, 1 GiB, 2 MiB, 4 KiB. */
static inline uint64_t pte_level_size(unsigned level)
{
	return 1UL << pte_shift(level);
}

/* Index of @va's descriptor in its table at @level. */
static inline unsigned pte_index(uint64_t va, unsigned level)
{
	return (unsigned)(va >> pte_shift(level)) & (PTE_ENTRIES - 1U);
}

static inline uint64_t pte_addr(uint64_t desc)
{
	return desc & PTE_ADDR_Msk;
}

static inline bool pte_is_valid(uint64_t desc)
{
	return (desc & PTE_VALID_Msk) != 0;
}

/* A valid descriptor at @level points to a next-level table (not a block or page). */
static inline bool pte_is_table(uint64_t desc, unsigned level)
{
	return pte_is_valid(desc) && level < PTE_LEVELS - 1U && (desc & PTE_TYPE_Msk);
}

/* Descriptor of a next-level table at physical address @pa (4 KiB aligned). */
uint64_t pte_table(uint64_t pa);

/*
 * Block (levels 1-2) or page (level 3) descriptor for a kernel mapping of @pa: global, access
 * flag set, EL0 no access and UXN always, PXN unless PTE_PROT_X, read-only unless PTE_PROT_W.
 * Returns 0 (invalid) for what Keel never maps: W together with X, executable device memory,
 * no R, a misaligned @pa, or a level that cannot hold a leaf.
 */
uint64_t pte_leaf(uint64_t pa, unsigned level, unsigned prot, enum pte_memtype type);

/* The PTE_PROT_* permissions a leaf descriptor grants at EL1 (0 if invalid). */
unsigned pte_prot(uint64_t desc);

/* The memory type (AttrIndx) of a leaf descriptor. */
static inline enum pte_memtype pte_memtype(uint64_t desc)
{
	return (enum pte_memtype)((desc & PTE_ATTRINDX_Msk) >> PTE_ATTRINDX_Pos);
}

/*
 * Page descriptor (level 3) for a user mapping of @pa with PTE_PROT_* rights: EL0 access
 * (AP[1] = 1), non-global (nG: tagged with the space's ASID), access flag set, PXN always (the
 * kernel never executes user pages), UXN unless PTE_PROT_X, read-only unless PTE_PROT_W.
 * Returns 0 (invalid) for what Keel never maps: no R, W together with X, executable device
 * memory, an unknown memory type or a misaligned or too large @pa.
 */
uint64_t pte_user_page(uint64_t pa, unsigned prot, enum pte_memtype type);

/* The PTE_PROT_* rights a user page descriptor grants at EL0 (0 if invalid or not EL0-accessible). */
unsigned pte_user_prot(uint64_t desc);

/* Write "RX", "R", "RW" (or "-" for none) into @buf (at least 4 bytes); returns @buf. */
char *pte_prot_name(unsigned prot, char *buf);

#endif /* PTE_H */
