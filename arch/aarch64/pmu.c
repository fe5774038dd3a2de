/* pmu.c — start each CPU's PMU cycle counter at boot, for the latency trace's cycle counts. */
#include "keel/pmu.h"
#include "keel/smp.h"
#include "pmu.h"

bool pmu_cycles_on[CONFIG_NR_CPUS];

void pmu_cpu_init(void)
{
	unsigned cpu = cpu_id();

	if (cpu >= CONFIG_NR_CPUS || !pmu_present())
		return;
	pmu_cycles_start();
	pmu_cycles_on[cpu] = true;
}

bool pmu_cycles_available(void)
{
	unsigned cpu = cpu_id();

	return cpu < CONFIG_NR_CPUS && pmu_cycles_on[cpu];
}

uint64_t pmu_cycles_now(void)
{
	return pmu_cycles_available() ? pmu_cycles() : 0;
}
