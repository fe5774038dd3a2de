/* el0_setup.c — what EL0 may do directly: FP/SIMD, and read the virtual counter. */
#include "cmsis_aarch64.h"
#include "keel/el0.h"

#define CNTKCTL_EL0VCTEN_Msk (1UL << 1)

void el0_setup(void)
{
	/* FP/SIMD does not trap at EL0 or EL1 (the kernel saves it for threads, never uses it). */
	__MSR(CPACR_EL1, CPACR_EL1_FPEN_Msk);
	/* User code may read CNTVCT_EL0: rt-tests measure wake-up latency from the counter. */
	__MSR(CNTKCTL_EL1, CNTKCTL_EL0VCTEN_Msk);
	__ISB();
}
