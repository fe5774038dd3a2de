/* psci.c — PSCI calls through the conduit the firmware provides. */
#include "cmsis_aarch64.h"
#include "psci.h"

static enum psci_conduit psci_conduit;

void psci_init(enum psci_conduit conduit)
{
	psci_conduit = conduit;
}

enum psci_conduit psci_get_conduit(void)
{
	return psci_conduit;
}

uint64_t psci_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	switch (psci_conduit) {
	case PSCI_CONDUIT_HVC: return __HVC(fid, a1, a2, a3);
	case PSCI_CONDUIT_SMC: return __SMC(fid, a1, a2, a3);
	default: return (uint64_t)-1; /* NOT_SUPPORTED */
	}
}

void psci_system_off(void)
{
	psci_call(PSCI_0_2_FN_SYSTEM_OFF, 0, 0, 0);
}
