/* power.c — stop the machine: semihosting exit (test builds), PSCI SYSTEM_OFF, or park where there is no PSCI. */
#include "cmsis_aarch64.h"
#include "keel/power.h"
#include "keel/printk.h"
#include "psci.h"
#include "semihosting.h"

void power_off(int status)
{
	printk("Keel: power off, exit status %d\n", status);
#ifdef CONFIG_SEMIHOSTING_EXIT
	{
		/* AArch64 SYS_EXIT takes a parameter block: reason, then the exit code. */
		const uint64_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint64_t)(int64_t)status};
		__semihost(SEMIHOSTING_SYS_EXIT, block);
	}
#endif
	if (psci_get_conduit() == PSCI_CONDUIT_NONE) {
		/* No PSCI (Raspberry Pi firmware): nothing can cut the power, so say so and park. */
		printk("Keel: halted (no PSCI on this board; power can be removed)\n");
	} else {
		psci_system_off();
		printk("Keel: power off failed; halted\n");
	}
	for (;;) {
		__disable_irq();
		__WFI();
	}
}
