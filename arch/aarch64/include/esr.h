/* esr.h — decoding of the Exception Syndrome Register (ARM ARM D17.2.37) into words. */
#ifndef ESR_H
#define ESR_H

#include <stddef.h>
#include <stdint.h>

/* Exception classes Keel names (ESR_ELx.EC). */
#define ESR_EC_UNKNOWN	 0x00
#define ESR_EC_WFX	 0x01
#define ESR_EC_FP_ACCESS 0x07
#define ESR_EC_ILLEGAL	 0x0E
#define ESR_EC_SVC64	 0x15
#define ESR_EC_HVC64	 0x16
#define ESR_EC_SMC64	 0x17
#define ESR_EC_SYSREG	 0x18
#define ESR_EC_IABT_LOW	 0x20
#define ESR_EC_IABT_CUR	 0x21
#define ESR_EC_PC_ALIGN	 0x22
#define ESR_EC_DABT_LOW	 0x24
#define ESR_EC_DABT_CUR	 0x25
#define ESR_EC_SP_ALIGN	 0x26
#define ESR_EC_FP_EXC64	 0x2C
#define ESR_EC_SERROR	 0x2F
#define ESR_EC_BKPT_LOW	 0x30
#define ESR_EC_BKPT_CUR	 0x31
#define ESR_EC_SSTEP_LOW 0x32
#define ESR_EC_SSTEP_CUR 0x33
#define ESR_EC_WATCH_LOW 0x34
#define ESR_EC_WATCH_CUR 0x35
#define ESR_EC_BRK64	 0x3C

static inline unsigned esr_ec(uint64_t esr)
{
	return (unsigned)(esr >> 26) & 0x3FU;
}
static inline uint32_t esr_iss(uint64_t esr)
{
	return (uint32_t)(esr & 0x1FFFFFFU);
}

/* Name of an exception class, e.g. "Data Abort (same EL)"; never NULL. */
const char *esr_class_name(unsigned ec);

/* Name of a data/instruction abort fault status code (DFSC/IFSC), e.g. "translation fault, level 2". */
const char *esr_fault_status_name(unsigned fsc, char *buf, size_t size);

/*
 * One-line description of the syndrome: class, then the class-specific ISS fields
 * (abort: fault status, WnR, FnV, access size; SVC/HVC/SMC/BRK: immediate; MSR/MRS: register).
 * Returns the length the full text needs, like snprintf.
 */
size_t esr_describe(uint64_t esr, char *buf, size_t size);

#endif
