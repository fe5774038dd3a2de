/* pmu.h — the PMU cycle counter (PMCCNTR_EL0): register fields and accessors (ARM ARM D13). */
#ifndef PMU_H
#define PMU_H

#include "cmsis_aarch64.h"

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>
#endif

/* ID_AA64DFR0_EL1.PMUVer: 0 = no PMU, 0xF = IMPLEMENTATION DEFINED (not the architected one). */
#define ID_AA64DFR0_PMUVer_Pos	   8U
#define ID_AA64DFR0_PMUVer_Msk	   (0xFUL << ID_AA64DFR0_PMUVer_Pos)
#define ID_AA64DFR0_PMUVer_IMP_DEF 0xFUL

#define PMCR_E_Pos  0U /* enable all counters */
#define PMCR_E_Msk  (1UL << PMCR_E_Pos)
#define PMCR_C_Pos  2U /* reset the cycle counter */
#define PMCR_C_Msk  (1UL << PMCR_C_Pos)
#define PMCR_LC_Pos 6U /* the cycle counter overflows at 64 bits, not 32 */
#define PMCR_LC_Msk (1UL << PMCR_LC_Pos)
#define PMCR_N_Pos  11U /* number of event counters */
#define PMCR_N_Msk  (0x1FUL << PMCR_N_Pos)

#define PMCNTEN_C_Pos 31U /* PMCNTENSET_EL0: the cycle counter */
#define PMCNTEN_C_Msk (1UL << PMCNTEN_C_Pos)

#if defined(__aarch64__) && !defined(__ASSEMBLY__)
/* Does this CPU implement the architected PMU (and with it PMCCNTR_EL0)? */
__STATIC_FORCEINLINE bool pmu_present(void)
{
	uint64_t v = (__MRS(ID_AA64DFR0_EL1) & ID_AA64DFR0_PMUVer_Msk) >> ID_AA64DFR0_PMUVer_Pos;

	return v != 0 && v != ID_AA64DFR0_PMUVer_IMP_DEF;
}

/*
 * Count every cycle at EL0 and EL1 (PMCCFILTR_EL0 = 0), 64 bits wide, from 0. EL0 gets no
 * access (PMUSERENR_EL0 = 0): the counter is the kernel's measuring stick only.
 */
__STATIC_FORCEINLINE void pmu_cycles_start(void)
{
	__MSR(PMUSERENR_EL0, 0);
	__MSR(PMCCFILTR_EL0, 0);
	__MSR(PMCR_EL0, (__MRS(PMCR_EL0) & PMCR_N_Msk) | PMCR_E_Msk | PMCR_C_Msk | PMCR_LC_Msk);
	__MSR(PMCNTENSET_EL0, PMCNTEN_C_Msk);
	__ISB();
}

__STATIC_FORCEINLINE uint64_t pmu_cycles(void)
{
	return __MRS(PMCCNTR_EL0);
}
#endif

#endif
