/* fpsimd.h — save and load a thread's FP/SIMD registers (arch/aarch64/fpsimd.S). */
#ifndef FPSIMD_H
#define FPSIMD_H

struct fpsimd_state;

/* The kernel itself is built with -mgeneral-regs-only, so these registers are only ever user state. */
void fpsimd_save(struct fpsimd_state *st);
void fpsimd_load(const struct fpsimd_state *st);

#endif
