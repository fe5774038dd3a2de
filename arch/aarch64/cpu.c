/* cpu.c — name the core from MIDR_EL1 (portable; unit-tested on the host). */
#include "cmsis_aarch64.h"
#include "cpu.h"
#include "keel/format.h"

struct cpu_part {
	uint32_t implementer;
	uint32_t part;
	const char *name;
};

static const struct cpu_part cpu_parts[] = {
	{0x41, 0xD03, "ARM Cortex-A53"},       {0x41, 0xD04, "ARM Cortex-A35"},
	{0x41, 0xD05, "ARM Cortex-A55"},       {0x41, 0xD07, "ARM Cortex-A57"},
	{0x41, 0xD08, "ARM Cortex-A72"},       {0x41, 0xD09, "ARM Cortex-A73"},
	{0x41, 0xD0B, "ARM Cortex-A76"},       {0x41, 0xD0C, "ARM Neoverse-N1"},
	{0x41, 0xD40, "ARM Neoverse-V1"},      {0x41, 0xD4F, "ARM Neoverse-V2"},
	{0x41, 0xD0F, "ARM AEMv8 (QEMU max)"},
};

const char *cpu_name(uint64_t midr, char *buf, size_t size)
{
	uint32_t impl = (uint32_t)((midr & MIDR_Implementer_Msk) >> MIDR_Implementer_Pos);
	uint32_t part = (uint32_t)((midr & MIDR_PartNum_Msk) >> MIDR_PartNum_Pos);
	unsigned variant = (unsigned)((midr & MIDR_Variant_Msk) >> MIDR_Variant_Pos);
	unsigned rev = (unsigned)((midr & MIDR_Revision_Msk) >> MIDR_Revision_Pos);

	for (size_t i = 0; i < sizeof(cpu_parts) / sizeof(cpu_parts[0]); i++) {
		if (cpu_parts[i].implementer == impl && cpu_parts[i].part == part) {
			format_snprintf(buf, size, "%s r%up%u", cpu_parts[i].name, variant, rev);
			return buf;
		}
	}
	format_snprintf(buf, size, "implementer 0x%02x part 0x%03x r%up%u", impl, part, variant, rev);
	return buf;
}
