/* cpu.h — identification of the running core. */
#ifndef CPU_H
#define CPU_H

#include <stddef.h>
#include <stdint.h>

/* "ARM Cortex-A72" for a known MIDR_EL1, else "implementer 0x.. part 0x...". */
const char *cpu_name(uint64_t midr, char *buf, size_t size);

#endif
