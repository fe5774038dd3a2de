/* pmu.h — the CPU's cycle counter, where the CPU has a PMU (arch/aarch64/pmu.c). */
#ifndef KEEL_PMU_H
#define KEEL_PMU_H

#include <stdbool.h>
#include <stdint.h>

/* Per CPU: its cycle counter runs (set at boot; read on hot paths without a call). */
extern bool pmu_cycles_on[CONFIG_NR_CPUS];

/* Start the calling CPU's cycle counter if it has an architected PMU (boot, every CPU). */
void pmu_cpu_init(void);
/* Does the calling CPU count cycles? */
bool pmu_cycles_available(void);
/* The calling CPU's cycle count, or 0 without a PMU. */
uint64_t pmu_cycles_now(void);

#endif
