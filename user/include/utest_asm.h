/* utest_asm.h — the only inline assembly of the test programs (configs/utest.yaml, configs/fuzz.yaml). */
#ifndef UTEST_ASM_H
#define UTEST_ASM_H

#include <stdint.h>

/* The virtual counter and its frequency, readable at EL0 (CNTKCTL_EL1.EL0VCTEN, set by the kernel). */
static inline uint64_t utest_cntvct(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

static inline uint64_t utest_cntfrq(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

/* `svc #1`: a nonzero immediate must return KERR_NOSYS, whatever x8 says (x8 = SYS_YIELD here). */
static inline uint64_t utest_svc_imm1(void)
{
	register uint64_t x0 __asm__("x0") = 0;
	register uint64_t x8 __asm__("x8") = 1;

	__asm__ volatile("svc #1" : "+r"(x0) : "r"(x8) : "x1", "memory");
	return x0;
}

/* Fills v0..v31 (each register: @seed + its number in every byte's position) and sets FPCR. */
static inline void utest_fp_fill(uint64_t seed, uint64_t fpcr)
{
	uint64_t buf[64];

	for (unsigned i = 0; i < 64; i++)
		((volatile uint64_t *)buf)[i] =
			seed * 0x0101010101010101ull + (i / 2u) * 0x1000001ull + (i & 1u);
	__asm__ volatile("ldp q0, q1, [%0, #0]\n\tldp q2, q3, [%0, #32]\n\t"
			 "ldp q4, q5, [%0, #64]\n\tldp q6, q7, [%0, #96]\n\t"
			 "ldp q8, q9, [%0, #128]\n\tldp q10, q11, [%0, #160]\n\t"
			 "ldp q12, q13, [%0, #192]\n\tldp q14, q15, [%0, #224]\n\t"
			 "ldp q16, q17, [%0, #256]\n\tldp q18, q19, [%0, #288]\n\t"
			 "ldp q20, q21, [%0, #320]\n\tldp q22, q23, [%0, #352]\n\t"
			 "ldp q24, q25, [%0, #384]\n\tldp q26, q27, [%0, #416]\n\t"
			 "ldp q28, q29, [%0, #448]\n\tldp q30, q31, [%0, #480]\n\t"
			 "msr fpcr, %1"
			 :
			 : "r"(buf), "r"(fpcr)
			 : "memory");
}

/* Stores v0..v31 into @buf (64 words) and returns FPCR; changes no FP/SIMD register. */
static inline uint64_t utest_fp_read(uint64_t *buf)
{
	uint64_t fpcr;

	__asm__ volatile("stp q0, q1, [%1, #0]\n\tstp q2, q3, [%1, #32]\n\t"
			 "stp q4, q5, [%1, #64]\n\tstp q6, q7, [%1, #96]\n\t"
			 "stp q8, q9, [%1, #128]\n\tstp q10, q11, [%1, #160]\n\t"
			 "stp q12, q13, [%1, #192]\n\tstp q14, q15, [%1, #224]\n\t"
			 "stp q16, q17, [%1, #256]\n\tstp q18, q19, [%1, #288]\n\t"
			 "stp q20, q21, [%1, #320]\n\tstp q22, q23, [%1, #352]\n\t"
			 "stp q24, q25, [%1, #384]\n\tstp q26, q27, [%1, #416]\n\t"
			 "stp q28, q29, [%1, #448]\n\tstp q30, q31, [%1, #480]\n\t"
			 "mrs %0, fpcr"
			 : "=r"(fpcr)
			 : "r"(buf)
			 : "memory");
	return fpcr;
}

/* Faults for the fault-handler test: an undefined instruction, and an exclusive load of @p. */
static inline void utest_udf(void)
{
	__asm__ volatile("udf #0x4b" ::: "memory");
}

static inline uint64_t utest_ldxr(const volatile void *p)
{
	uint64_t v;

	__asm__ volatile("ldxr %0, [%1]\n\tclrex" : "=r"(v) : "r"(p) : "memory");
	return v;
}

#endif
