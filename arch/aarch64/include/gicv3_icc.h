/* gicv3_icc.h — GICv3 CPU interface system registers (ICC_*_EL1) as named accessors (IHI 0069 12.2). */
#ifndef GICV3_ICC_H
#define GICV3_ICC_H

#include "cmsis_aarch64.h"

/*
 * Encodings S3_<op1>_C<n>_C<m>_<op2> from IHI 0069 12.2, spelled out so that assemblers
 * without GICv3 register names accept them.
 */
#define ICC_PMR_EL1	"S3_0_C4_C6_0"
#define ICC_DIR_EL1	"S3_0_C12_C11_1"
#define ICC_RPR_EL1	"S3_0_C12_C11_3"
#define ICC_SGI1R_EL1	"S3_0_C12_C11_5"
#define ICC_IAR1_EL1	"S3_0_C12_C12_0"
#define ICC_EOIR1_EL1	"S3_0_C12_C12_1"
#define ICC_HPPIR1_EL1	"S3_0_C12_C12_2"
#define ICC_BPR1_EL1	"S3_0_C12_C12_3"
#define ICC_CTLR_EL1	"S3_0_C12_C12_4"
#define ICC_SRE_EL1	"S3_0_C12_C12_5"
#define ICC_IGRPEN1_EL1 "S3_0_C12_C12_7"

/* ICC_SRE_EL1.SRE: use the system-register interface, not the memory-mapped GICC. */
#define ICC_SRE_EL1_SRE_Pos 0U
#define ICC_SRE_EL1_SRE_Msk (1UL << ICC_SRE_EL1_SRE_Pos)

/* ICC_CTLR_EL1.EOImode = 0: a write to EOIR both drops priority and deactivates. */
#define ICC_CTLR_EL1_EOImode_Pos 1U
#define ICC_CTLR_EL1_EOImode_Msk (1UL << ICC_CTLR_EL1_EOImode_Pos)

#define ICC_IGRPEN1_EL1_Enable_Pos 0U
#define ICC_IGRPEN1_EL1_Enable_Msk (1UL << ICC_IGRPEN1_EL1_Enable_Pos)

/* ICC_IAR1_EL1.INTID: 24 bits (LPIs); 1020-1023 are special (spurious). */
#define ICC_IAR1_EL1_INTID_Pos 0U
#define ICC_IAR1_EL1_INTID_Msk (0xFFFFFFUL << ICC_IAR1_EL1_INTID_Pos)

/* ICC_SGI1R_EL1 fields (IHI 0069 12.2.23). */
#define ICC_SGI1R_TargetList_Pos 0U
#define ICC_SGI1R_TargetList_Msk (0xFFFFULL << ICC_SGI1R_TargetList_Pos)
#define ICC_SGI1R_Aff1_Pos	 16U
#define ICC_SGI1R_Aff1_Msk	 (0xFFULL << ICC_SGI1R_Aff1_Pos)
#define ICC_SGI1R_INTID_Pos	 24U
#define ICC_SGI1R_INTID_Msk	 (0xFULL << ICC_SGI1R_INTID_Pos)
#define ICC_SGI1R_Aff2_Pos	 32U
#define ICC_SGI1R_Aff2_Msk	 (0xFFULL << ICC_SGI1R_Aff2_Pos)
#define ICC_SGI1R_IRM_Pos	 40U
#define ICC_SGI1R_IRM_Msk	 (1ULL << ICC_SGI1R_IRM_Pos)
#define ICC_SGI1R_RS_Pos	 44U
#define ICC_SGI1R_RS_Msk	 (0xFULL << ICC_SGI1R_RS_Pos)
#define ICC_SGI1R_Aff3_Pos	 48U
#define ICC_SGI1R_Aff3_Msk	 (0xFFULL << ICC_SGI1R_Aff3_Pos)

#if defined(__aarch64__)
__STATIC_FORCEINLINE uint64_t icc_read_sre(void)
{
	return __MRS_S(ICC_SRE_EL1);
}
__STATIC_FORCEINLINE void icc_write_sre(uint64_t v)
{
	__MSR_S(ICC_SRE_EL1, v);
}
__STATIC_FORCEINLINE void icc_write_pmr(uint64_t v)
{
	__MSR_S(ICC_PMR_EL1, v);
}
__STATIC_FORCEINLINE uint64_t icc_read_pmr(void)
{
	return __MRS_S(ICC_PMR_EL1);
}
__STATIC_FORCEINLINE void icc_write_bpr1(uint64_t v)
{
	__MSR_S(ICC_BPR1_EL1, v);
}
__STATIC_FORCEINLINE uint64_t icc_read_ctlr(void)
{
	return __MRS_S(ICC_CTLR_EL1);
}
__STATIC_FORCEINLINE void icc_write_ctlr(uint64_t v)
{
	__MSR_S(ICC_CTLR_EL1, v);
}
__STATIC_FORCEINLINE void icc_write_igrpen1(uint64_t v)
{
	__MSR_S(ICC_IGRPEN1_EL1, v);
}
__STATIC_FORCEINLINE uint64_t icc_read_iar1(void)
{
	return __MRS_S(ICC_IAR1_EL1);
}
__STATIC_FORCEINLINE void icc_write_eoir1(uint64_t v)
{
	__MSR_S(ICC_EOIR1_EL1, v);
}
__STATIC_FORCEINLINE uint64_t icc_read_hppir1(void)
{
	return __MRS_S(ICC_HPPIR1_EL1);
}
__STATIC_FORCEINLINE uint64_t icc_read_rpr(void)
{
	return __MRS_S(ICC_RPR_EL1);
}
__STATIC_FORCEINLINE void icc_write_sgi1r(uint64_t v)
{
	__MSR_S(ICC_SGI1R_EL1, v);
}
#endif /* __aarch64__ */

#endif /* GICV3_ICC_H */
