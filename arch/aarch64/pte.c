/*
 * pte.c — encode and decode kernel translation table descriptors (portable; unit-tested on the host).
 *
 * Runs before the MMU is on (called from mmu_boot.c), so it follows the same rule: no absolute
 * addresses in code or data (the build checks it, see PREMMU_SRCS in the Makefile).
 */
#include "pte.h"

uint64_t pte_table(uint64_t pa)
{
	/* Table attributes (APTable, XNTable, PXNTable) stay 0: the leaves decide everything. */
	return (pa & PTE_ADDR_Msk) | PTE_TYPE_Msk | PTE_VALID_Msk;
}

uint64_t pte_leaf(uint64_t pa, unsigned level, unsigned prot, enum pte_memtype type)
{
	uint64_t desc;

	if (level < PTE_FIRST_BLOCK || level >= PTE_LEVELS)
		return 0;
	if (pa & (pte_level_size(level) - 1U) || pa & ~PTE_ADDR_Msk)
		return 0;
	if (!(prot & PTE_PROT_R) || ((prot & PTE_PROT_W) && (prot & PTE_PROT_X)))
		return 0;
	if (type == PTE_MEM_DEVICE && (prot & PTE_PROT_X))
		return 0; /* instruction fetches, even speculative ones, must never reach a device */

	desc = pa | PTE_VALID_Msk | PTE_AF_Msk | ((uint64_t)type << PTE_ATTRINDX_Pos);
	if (level == PTE_LEVELS - 1U)
		desc |= PTE_TYPE_Msk; /* at level 3, type 1 means page */
	/* Device memory is always treated as outer shareable; SH only matters for Normal memory. */
	if (type != PTE_MEM_DEVICE)
		desc |= PTE_SH_INNER;
	if (!(prot & PTE_PROT_W))
		desc |= PTE_AP_RO_Msk;
	/* Kernel mappings are never EL0-executable; EL1 may execute only what is marked X. */
	desc |= PTE_UXN_Msk;
	if (!(prot & PTE_PROT_X))
		desc |= PTE_PXN_Msk;
	return desc;
}

unsigned pte_prot(uint64_t desc)
{
	unsigned prot;

	if (!pte_is_valid(desc))
		return 0;
	prot = PTE_PROT_R;
	if (!(desc & PTE_AP_RO_Msk))
		prot |= PTE_PROT_W;
	if (!(desc & PTE_PXN_Msk))
		prot |= PTE_PROT_X;
	return prot;
}

uint64_t pte_user_page(uint64_t pa, unsigned prot, enum pte_memtype type)
{
	uint64_t desc;

	if (pa & ~PTE_ADDR_Msk || (unsigned)type > PTE_MEM_DEVICE)
		return 0;
	if (!(prot & PTE_PROT_R) || (prot & ~(PTE_PROT_R | PTE_PROT_W | PTE_PROT_X)) ||
	    ((prot & PTE_PROT_W) && (prot & PTE_PROT_X)))
		return 0; /* AArch64 has no write-only or execute-only EL0 page with EL1 access; W^X */
	if (type == PTE_MEM_DEVICE && (prot & PTE_PROT_X))
		return 0;

	desc = pa | PTE_VALID_Msk | PTE_TYPE_Msk | PTE_AF_Msk | PTE_NG_Msk | PTE_AP_EL0_Msk | PTE_PXN_Msk |
	       ((uint64_t)type << PTE_ATTRINDX_Pos);
	/* As for kernel leaves: SH is ignored for Device memory, which is always outer shareable. */
	if (type != PTE_MEM_DEVICE)
		desc |= PTE_SH_INNER;
	if (!(prot & PTE_PROT_W))
		desc |= PTE_AP_RO_Msk;
	if (!(prot & PTE_PROT_X))
		desc |= PTE_UXN_Msk;
	return desc;
}

unsigned pte_user_prot(uint64_t desc)
{
	unsigned prot;

	/* A level 3 page descriptor has bits [1:0] = 0b11; AP[1] = 0 means EL0 has no access. */
	if ((desc & (PTE_VALID_Msk | PTE_TYPE_Msk)) != (PTE_VALID_Msk | PTE_TYPE_Msk) ||
	    !(desc & PTE_AP_EL0_Msk))
		return 0;
	prot = PTE_PROT_R;
	if (!(desc & PTE_AP_RO_Msk))
		prot |= PTE_PROT_W;
	if (!(desc & PTE_UXN_Msk))
		prot |= PTE_PROT_X;
	return prot;
}

char *pte_prot_name(unsigned prot, char *buf)
{
	char *p = buf;

	if (prot & PTE_PROT_R)
		*p++ = 'R';
	if (prot & PTE_PROT_W)
		*p++ = 'W';
	if (prot & PTE_PROT_X)
		*p++ = 'X';
	if (p == buf)
		*p++ = '-';
	*p = '\0';
	return buf;
}
