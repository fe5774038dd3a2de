/* esr.c — turn an ESR_EL1 value into a human-readable cause (portable; unit-tested on the host). */
#include "esr.h"
#include "keel/format.h"

const char *esr_class_name(unsigned ec)
{
	switch (ec) {
	case ESR_EC_UNKNOWN: return "Unknown reason (undefined instruction)";
	case ESR_EC_WFX: return "Trapped WFI/WFE";
	case ESR_EC_FP_ACCESS: return "FP/SIMD access trapped";
	case ESR_EC_ILLEGAL: return "Illegal execution state";
	case ESR_EC_SVC64: return "SVC (AArch64)";
	case ESR_EC_HVC64: return "HVC (AArch64)";
	case ESR_EC_SMC64: return "SMC (AArch64)";
	case ESR_EC_SYSREG: return "Trapped MSR/MRS/system instruction";
	case ESR_EC_IABT_LOW: return "Instruction Abort (lower EL)";
	case ESR_EC_IABT_CUR: return "Instruction Abort (same EL)";
	case ESR_EC_PC_ALIGN: return "PC alignment fault";
	case ESR_EC_DABT_LOW: return "Data Abort (lower EL)";
	case ESR_EC_DABT_CUR: return "Data Abort (same EL)";
	case ESR_EC_SP_ALIGN: return "SP alignment fault";
	case ESR_EC_FP_EXC64: return "FP exception (AArch64)";
	case ESR_EC_SERROR: return "SError interrupt";
	case ESR_EC_BKPT_LOW: return "Breakpoint (lower EL)";
	case ESR_EC_BKPT_CUR: return "Breakpoint (same EL)";
	case ESR_EC_SSTEP_LOW: return "Software step (lower EL)";
	case ESR_EC_SSTEP_CUR: return "Software step (same EL)";
	case ESR_EC_WATCH_LOW: return "Watchpoint (lower EL)";
	case ESR_EC_WATCH_CUR: return "Watchpoint (same EL)";
	case ESR_EC_BRK64: return "BRK instruction (AArch64)";
	default: return "Reserved/unhandled exception class";
	}
}

const char *esr_fault_status_name(unsigned fsc, char *buf, size_t size)
{
	const char *what;
	int level = (int)(fsc & 3U);

	switch (fsc & 0x3CU) {
	case 0x00: what = "address size fault"; break;
	case 0x04: what = "translation fault"; break;
	case 0x08: what = "access flag fault"; break;
	case 0x0C: what = "permission fault"; break;
	default: what = NULL; break;
	}
	if (what) {
		format_snprintf(buf, size, "%s, level %d", what, level);
		return buf;
	}
	switch (fsc) {
	case 0x10: what = "synchronous external abort"; break;
	case 0x11: what = "synchronous tag check fault"; break;
	case 0x18: what = "synchronous parity/ECC error"; break;
	case 0x21: what = "alignment fault"; break;
	case 0x30: what = "TLB conflict abort"; break;
	case 0x31: what = "unsupported atomic hardware update"; break;
	case 0x34: what = "implementation defined (lockdown)"; break;
	case 0x35: what = "implementation defined (unsupported exclusive)"; break;
	default: what = NULL; break;
	}
	if (what)
		return what;
	format_snprintf(buf, size, "fault status 0x%02x (reserved)", fsc);
	return buf;
}

static const char *const access_size[4] = {"byte", "halfword", "word", "doubleword"};

size_t esr_describe(uint64_t esr, char *buf, size_t size)
{
	unsigned ec = esr_ec(esr);
	uint32_t iss = esr_iss(esr);
	char fsbuf[48];

	switch (ec) {
	case ESR_EC_DABT_LOW:
	case ESR_EC_DABT_CUR: {
		int isv = (iss >> 24) & 1U;
		return format_snprintf(buf, size, "%s: %s, %s%s%s%s", esr_class_name(ec),
				       esr_fault_status_name(iss & 0x3FU, fsbuf, sizeof(fsbuf)),
				       (iss >> 6) & 1U ? "write" : "read",
				       (iss >> 10) & 1U ? ", FAR not valid" : "", isv ? ", " : "",
				       isv ? access_size[(iss >> 22) & 3U] : "");
	}
	case ESR_EC_IABT_LOW:
	case ESR_EC_IABT_CUR:
		return format_snprintf(buf, size, "%s: %s%s", esr_class_name(ec),
				       esr_fault_status_name(iss & 0x3FU, fsbuf, sizeof(fsbuf)),
				       (iss >> 10) & 1U ? ", FAR not valid" : "");
	case ESR_EC_SVC64:
	case ESR_EC_HVC64:
	case ESR_EC_SMC64:
	case ESR_EC_BRK64:
		return format_snprintf(buf, size, "%s: immediate 0x%x", esr_class_name(ec), iss & 0xFFFFU);
	case ESR_EC_SYSREG:
		return format_snprintf(buf, size, "%s: %s S%u_%u_C%u_C%u_%u, x%u", esr_class_name(ec),
				       iss & 1U ? "MRS" : "MSR", (iss >> 20) & 3U, (iss >> 14) & 7U,
				       (iss >> 10) & 0xFU, (iss >> 1) & 0xFU, (iss >> 17) & 7U,
				       (iss >> 5) & 0x1FU);
	default:
		return format_snprintf(buf, size, "%s: ISS 0x%07x%s", esr_class_name(ec), iss,
				       (esr >> 25) & 1U ? "" : " (16-bit instruction)");
	}
}
