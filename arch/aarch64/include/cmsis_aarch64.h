/* cmsis_aarch64.h — CMSIS-style core access for AArch64: qualifiers, intrinsics, system registers. */
#ifndef CMSIS_AARCH64_H
#define CMSIS_AARCH64_H

#ifndef __ASSEMBLY__
#include <stdint.h>

/* Peripheral access qualifiers, as in CMSIS-Core. */
#define __IM  volatile const /* read only */
#define __OM  volatile	     /* write only */
#define __IOM volatile	     /* read / write */

#define __STATIC_FORCEINLINE static inline __attribute__((always_inline))

/* Intrinsics exist only when compiling for AArch64; host unit tests use the field macros. */
#if defined(__aarch64__)

/* Barriers and hints. Full-system barriers unless the name says otherwise. */
__STATIC_FORCEINLINE void __DSB(void)
{
	__asm__ volatile("dsb sy" ::: "memory");
}
__STATIC_FORCEINLINE void __DSB_ISH(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
}
__STATIC_FORCEINLINE void __DSB_ISHST(void)
{
	__asm__ volatile("dsb ishst" ::: "memory");
}
__STATIC_FORCEINLINE void __DMB(void)
{
	__asm__ volatile("dmb sy" ::: "memory");
}
__STATIC_FORCEINLINE void __ISB(void)
{
	__asm__ volatile("isb" ::: "memory");
}
__STATIC_FORCEINLINE void __WFI(void)
{
	__asm__ volatile("wfi" ::: "memory");
}
__STATIC_FORCEINLINE void __WFE(void)
{
	__asm__ volatile("wfe" ::: "memory");
}
__STATIC_FORCEINLINE void __SEV(void)
{
	__asm__ volatile("sev" ::: "memory");
}
__STATIC_FORCEINLINE void __NOP(void)
{
	__asm__ volatile("nop");
}

/* TLB maintenance: all stage 1 EL1&0 entries, on every PE of the inner shareable domain. */
__STATIC_FORCEINLINE void __TLBI_VMALLE1IS(void)
{
	__asm__ volatile("tlbi vmalle1is" ::: "memory");
}

/* TLB maintenance by VA: operand = VA[55:12] in bits [43:0], ASID in bits [63:48]. */
#define TLBI_ADDR(va, asid) ((((uint64_t)(va) >> 12) & 0xFFFFFFFFFFFULL) | ((uint64_t)(asid) << 48))

/* Stage 1 EL1&0 entries of one VA and ASID (and global entries of the VA), inner shareable. */
__STATIC_FORCEINLINE void __TLBI_VAE1IS(uint64_t op)
{
	__asm__ volatile("tlbi vae1is, %0" ::"r"(op) : "memory");
}

/* Every non-global stage 1 EL1&0 entry of one ASID (operand bits [63:48]), inner shareable. */
__STATIC_FORCEINLINE void __TLBI_ASIDE1IS(uint64_t op)
{
	__asm__ volatile("tlbi aside1is, %0" ::"r"(op) : "memory");
}

/*
 * PSTATE.PAN (FEAT_PAN, ARMv8.1): while 1, EL1 data accesses to EL0-accessible pages fault.
 * Emitted as encodings (MSR PAN, #imm is 0xd500409f | imm << 8) because the kernel is built
 * for ARMv8.0; only execute these on a CPU whose ID_AA64MMFR1_EL1.PAN is not 0.
 */
__STATIC_FORCEINLINE void __PAN_SET(void)
{
	__asm__ volatile(".inst 0xd500419f" ::: "memory"); /* msr pan, #1 */
}
__STATIC_FORCEINLINE void __PAN_CLEAR(void)
{
	__asm__ volatile(".inst 0xd500409f" ::: "memory"); /* msr pan, #0 */
}
/* PSTATE.PAN as a register (S3_0_C4_C2_3), bit 22. */
#define __PAN_READ() __MRS_S("S3_0_C4_C2_3")

/* Interrupt masking (PSTATE.DAIF). */
__STATIC_FORCEINLINE void __enable_irq(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}
__STATIC_FORCEINLINE void __disable_irq(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

/* System registers by name: __MRS(CNTVCT_EL0), __MSR(VBAR_EL1, x). */
#define __MRS(reg)                                             \
	({                                                     \
		uint64_t __v;                                  \
		__asm__ volatile("mrs %0, " #reg : "=r"(__v)); \
		__v;                                           \
	})
#define __MSR(reg, val) __asm__ volatile("msr " #reg ", %0" ::"r"((uint64_t)(val)) : "memory")

/* Registers the assembler knows only by encoding (GICv3 CPU interface, with older binutils). */
#define __MRS_S(enc)                                          \
	({                                                    \
		uint64_t __v;                                 \
		__asm__ volatile("mrs %0, " enc : "=r"(__v)); \
		__v;                                          \
	})
#define __MSR_S(enc, val) __asm__ volatile("msr " enc ", %0" ::"r"((uint64_t)(val)) : "memory")

__STATIC_FORCEINLINE unsigned __current_el(void)
{
	return (unsigned)((__MRS(CurrentEL) >> 2) & 3U);
}

/* Address of the instruction that reads it: tells whether code runs at its linked (upper-half) address. */
__STATIC_FORCEINLINE uintptr_t __current_pc(void)
{
	uintptr_t pc;
	__asm__ volatile("adr %0, ." : "=r"(pc));
	return pc;
}

/* Count leading zeros (64-bit). */
__STATIC_FORCEINLINE unsigned __CLZ64(uint64_t x)
{
	return x ? (unsigned)__builtin_clzll(x) : 64U;
}

/* Semihosting call (AArch64: HLT #0xF000). Only valid when the debugger/QEMU enables it. */
__STATIC_FORCEINLINE long __semihost(long op, const void *arg)
{
	register long x0 __asm__("x0") = op;
	register const void *x1 __asm__("x1") = arg;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return x0;
}

/* SMC / HVC with function id and up to three arguments (SMCCC, result in x0). */
#define __DEFINE_SMCCC(name, insn)                                                              \
	__STATIC_FORCEINLINE uint64_t name(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3) \
	{                                                                                       \
		register uint64_t x0 __asm__("x0") = fid;                                       \
		register uint64_t x1 __asm__("x1") = a1;                                        \
		register uint64_t x2 __asm__("x2") = a2;                                        \
		register uint64_t x3 __asm__("x3") = a3;                                        \
		__asm__ volatile(insn : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");   \
		return x0;                                                                      \
	}
__DEFINE_SMCCC(__SMC, "smc #0")
__DEFINE_SMCCC(__HVC, "hvc #0")
#undef __DEFINE_SMCCC

/* Deliberate faults, used by the in-kernel tests of the exception path. */
__STATIC_FORCEINLINE void __BRK_TEST(void)
{
	__asm__ volatile("brk #0x4b1" ::: "memory");
}
__STATIC_FORCEINLINE void __UDF_TEST(void)
{
	__asm__ volatile(".inst 0x00000000" ::: "memory");
}
#endif /* __aarch64__ */

#endif /* !__ASSEMBLY__ */

/* ---- Field definitions shared by C and assembly ---- */

/* MIDR_EL1 */
#define MIDR_Implementer_Pos 24U
#define MIDR_Implementer_Msk (0xFFUL << MIDR_Implementer_Pos)
#define MIDR_Variant_Pos     20U
#define MIDR_Variant_Msk     (0xFUL << MIDR_Variant_Pos)
#define MIDR_PartNum_Pos     4U
#define MIDR_PartNum_Msk     (0xFFFUL << MIDR_PartNum_Pos)
#define MIDR_Revision_Pos    0U
#define MIDR_Revision_Msk    (0xFUL << MIDR_Revision_Pos)

/* ID_AA64PFR0_EL1.GIC: 1 = GICv3/v4 system-register CPU interface implemented. */
#define ID_AA64PFR0_GIC_Pos 24U
#define ID_AA64PFR0_GIC_Msk (0xFUL << ID_AA64PFR0_GIC_Pos)

/* ESR_ELx */
#define ESR_EC_Pos  26U
#define ESR_EC_Msk  (0x3FUL << ESR_EC_Pos)
#define ESR_IL_Pos  25U
#define ESR_IL_Msk  (1UL << ESR_IL_Pos)
#define ESR_ISS_Pos 0U
#define ESR_ISS_Msk (0x1FFFFFFUL << ESR_ISS_Pos)

/* HCR_EL2 */
#define HCR_EL2_RW_Pos 31U
#define HCR_EL2_RW_Msk (1UL << HCR_EL2_RW_Pos)

/* ISR_EL1: an IRQ is pending at this PE, whatever PSTATE.I says. */
#define ISR_EL1_I_Pos 7U
#define ISR_EL1_I_Msk (1UL << ISR_EL1_I_Pos)

/* SPSR: EL1h with D, A, I, F masked. */
#define SPSR_EL1h_DAIF_MASKED 0x3C5

/* SCTLR_EL1: RES1 bits (ARMv8.0) and the fields Keel sets. */
#define SCTLR_EL1_RES1	   ((1UL << 29) | (1UL << 28) | (1UL << 23) | (1UL << 22) | (1UL << 20) | (1UL << 11))
#define SCTLR_EL1_M_Msk	   (1UL << 0)
#define SCTLR_EL1_A_Msk	   (1UL << 1)
#define SCTLR_EL1_C_Msk	   (1UL << 2)
#define SCTLR_EL1_SA_Msk   (1UL << 3)
#define SCTLR_EL1_SA0_Msk  (1UL << 4)
#define SCTLR_EL1_I_Msk	   (1UL << 12)
#define SCTLR_EL1_WXN_Msk  (1UL << 19)
/* SPAN (FEAT_PAN; RES1 without it): 0 = an exception taken to EL1 sets PSTATE.PAN. */
#define SCTLR_EL1_SPAN_Msk (1UL << 23)

/* ID_AA64MMFR1_EL1.PAN: 0 = PSTATE.PAN not implemented (ARMv8.0 cores: Cortex-A53, A72). */
#define ID_AA64MMFR1_PAN_Pos 20U
#define ID_AA64MMFR1_PAN_Msk (0xFUL << ID_AA64MMFR1_PAN_Pos)
#define PSTATE_PAN_Msk	     (1UL << 22)

/* CTR_EL0.DminLine: log2 of the smallest data cache line, in 4-byte words. */
#define CTR_EL0_DminLine_Pos 16U
#define CTR_EL0_DminLine_Msk (0xFUL << CTR_EL0_DminLine_Pos)

/* ID_AA64MMFR0_EL1.PARange: implemented physical address size (same encoding as TCR_EL1.IPS). */
#define ID_AA64MMFR0_PARange_Pos 0U
#define ID_AA64MMFR0_PARange_Msk (0xFUL << ID_AA64MMFR0_PARange_Pos)
#define ID_AA64MMFR0_PARange_48	 5U /* 48 bits: the most a 4 KiB granule reaches without FEAT_LPA2 */

/* MAIR_EL1: eight 8-bit memory attributes; descriptors select one by AttrIndx. */
#define MAIR_Attr_Pos(n)       (8U * (n))
#define MAIR_Attr_Msk(n)       (0xFFUL << MAIR_Attr_Pos(n))
#define MAIR_ATTR_NORMAL_WB    0xFFUL /* Normal, inner/outer write-back, read/write-allocate, non-transient */
#define MAIR_ATTR_NORMAL_NC    0x44UL /* Normal, inner/outer non-cacheable */
#define MAIR_ATTR_DEVICE_nGnRE 0x04UL /* Device, non-gathering, non-reordering, early write ack */

/* TCR_EL1 fields (ARM ARM, register description of TCR_EL1). */
#define TCR_T0SZ_Pos  0U
#define TCR_T0SZ_Msk  (0x3FUL << TCR_T0SZ_Pos)
#define TCR_EPD0_Pos  7U
#define TCR_EPD0_Msk  (1UL << TCR_EPD0_Pos)
#define TCR_IRGN0_Pos 8U
#define TCR_IRGN0_Msk (3UL << TCR_IRGN0_Pos)
#define TCR_ORGN0_Pos 10U
#define TCR_ORGN0_Msk (3UL << TCR_ORGN0_Pos)
#define TCR_SH0_Pos   12U
#define TCR_SH0_Msk   (3UL << TCR_SH0_Pos)
#define TCR_TG0_Pos   14U
#define TCR_TG0_Msk   (3UL << TCR_TG0_Pos)
#define TCR_T1SZ_Pos  16U
#define TCR_T1SZ_Msk  (0x3FUL << TCR_T1SZ_Pos)
#define TCR_EPD1_Pos  23U
#define TCR_EPD1_Msk  (1UL << TCR_EPD1_Pos)
#define TCR_IRGN1_Pos 24U
#define TCR_IRGN1_Msk (3UL << TCR_IRGN1_Pos)
#define TCR_ORGN1_Pos 26U
#define TCR_ORGN1_Msk (3UL << TCR_ORGN1_Pos)
#define TCR_SH1_Pos   28U
#define TCR_SH1_Msk   (3UL << TCR_SH1_Pos)
#define TCR_TG1_Pos   30U
#define TCR_TG1_Msk   (3UL << TCR_TG1_Pos)
#define TCR_IPS_Pos   32U
#define TCR_IPS_Msk   (7UL << TCR_IPS_Pos)
#define TCR_RGN_WBWA  1UL /* IRGNn/ORGNn: walks are write-back, read/write-allocate */
#define TCR_SH_INNER  3UL /* SHn: walks are inner shareable */
#define TCR_TG0_4K    0UL /* TG0 and TG1 encode the granule differently */
#define TCR_TG1_4K    2UL

/* CPACR_EL1.FPEN = 0b11: FP/SIMD does not trap (the kernel itself is built general-regs-only). */
#define CPACR_EL1_FPEN_Msk (3UL << 20)

#endif /* CMSIS_AARCH64_H */
