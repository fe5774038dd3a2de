/* el2.h — leaving EL2 for EL1 at boot (assembly macro shared by the boot and secondary entries). */
#ifndef EL2_H
#define EL2_H

#include "cmsis_aarch64.h"
#include "pmu.h"

#ifdef __ASSEMBLY__
/*
 * Configure EL2 so that EL1 runs AArch64 with the timer, counter and PMU to itself (no virtual
 * offset), the GICv3 system-register interface enabled for EL1, then ERET to @target at EL1h
 * with D, A, I, F masked. Clobbers x1.
 */
.macro EL2_TO_EL1 target
	mov	x1, #HCR_EL2_RW_Msk
	msr	hcr_el2, x1
	mov	x1, #3
	msr	cnthctl_el2, x1
	msr	cntvoff_el2, xzr
	mrs	x1, id_aa64pfr0_el1
	ubfx	x1, x1, #ID_AA64PFR0_GIC_Pos, #4
	cbz	x1, 8f
	mov	x1, #0xf
	msr	S3_4_C12_C9_5, x1	/* ICC_SRE_EL2: SRE and Enable for EL1 */
8:	mrs	x1, id_aa64dfr0_el1	/* a PMU: all its counters to EL1, no traps (MDCR_EL2 resets UNKNOWN) */
	ubfx	x1, x1, #ID_AA64DFR0_PMUVer_Pos, #4
	cbz	x1, 7f
	cmp	x1, #ID_AA64DFR0_PMUVer_IMP_DEF
	b.eq	7f
	mrs	x1, pmcr_el0
	ubfx	x1, x1, #PMCR_N_Pos, #5
	msr	mdcr_el2, x1		/* HPMN = PMCR_EL0.N; TPM, TPMCR, TDE... = 0 */
7:	msr	vttbr_el2, xzr
	ldr	x1, =SCTLR_EL1_RES1
	msr	sctlr_el1, x1
	mov	x1, #SPSR_EL1h_DAIF_MASKED
	msr	spsr_el2, x1
	adr	x1, \target
	msr	elr_el2, x1
	isb
	eret
.endm
#endif

#endif
