/* generic_timer.h — ARM generic timer system registers (ARM ARM D11, the EL1 virtual timer) as named accessors. */
#ifndef GENERIC_TIMER_H
#define GENERIC_TIMER_H

#include "cmsis_aarch64.h"

/* CNTV_CTL_EL0 / CNTP_CTL_EL0 (ARM ARM D19.8): ENABLE, IMASK, ISTATUS (condition met). */
#define CNT_CTL_ENABLE_Pos  0U
#define CNT_CTL_ENABLE_Msk  (1UL << CNT_CTL_ENABLE_Pos)
#define CNT_CTL_IMASK_Pos   1U
#define CNT_CTL_IMASK_Msk   (1UL << CNT_CTL_IMASK_Pos)
#define CNT_CTL_ISTATUS_Pos 2U
#define CNT_CTL_ISTATUS_Msk (1UL << CNT_CTL_ISTATUS_Pos)

/* CNTFRQ_EL0: only the low 32 bits hold the frequency in Hz. */
#define CNTFRQ_Msk 0xFFFFFFFFUL

#if defined(__aarch64__)
__STATIC_FORCEINLINE uint32_t cnt_read_frq(void)
{
	return (uint32_t)(__MRS(CNTFRQ_EL0) & CNTFRQ_Msk);
}
/* The ISB keeps the read from being performed before earlier instructions (ARM ARM D11.2.2). */
__STATIC_FORCEINLINE uint64_t cnt_read_vct(void)
{
	__ISB();
	return __MRS(CNTVCT_EL0);
}
__STATIC_FORCEINLINE void cntv_write_cval(uint64_t v)
{
	__MSR(CNTV_CVAL_EL0, v);
}
__STATIC_FORCEINLINE uint64_t cntv_read_cval(void)
{
	return __MRS(CNTV_CVAL_EL0);
}
__STATIC_FORCEINLINE void cntv_write_ctl(uint64_t v)
{
	__MSR(CNTV_CTL_EL0, v);
}
__STATIC_FORCEINLINE uint64_t cntv_read_ctl(void)
{
	return __MRS(CNTV_CTL_EL0);
}
#endif /* __aarch64__ */

#endif /* GENERIC_TIMER_H */
