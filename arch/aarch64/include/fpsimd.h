/* fpsimd.h — save and load a thread's FP/SIMD registers (arch/aarch64/fpsimd.S). */
#ifndef FPSIMD_H
#define FPSIMD_H

struct fpsimd_state;

/* The kernel itself is built with -mgeneral-regs-only, so these registers are only ever user state. */
void fpsimd_save(struct fpsimd_state *st);
void fpsimd_load(const struct fpsimd_state *st);

#include <stdbool.h>

#include "cmsis_aarch64.h"

/* CPACR_EL1.FPEN = 0b01: FP/SIMD instructions trap at EL0 (EC 0x07), not at EL1. */
#define CPACR_EL1_FPEN_EL0_TRAP_Msk (1UL << 20)

/*
 * Let EL0 use the FP/SIMD registers, or make its first use trap (lazy restore). No ISB: the
 * eret to EL0 that follows is a context synchronization event.
 */
static inline void fpsimd_el0_access(bool allow)
{
	__MSR(CPACR_EL1, allow ? CPACR_EL1_FPEN_Msk : CPACR_EL1_FPEN_EL0_TRAP_Msk);
}

#endif
