/* psci.h — Power State Coordination Interface calls (ARM DEN 0022). */
#ifndef PSCI_H
#define PSCI_H

#include <stdint.h>

#define PSCI_0_2_FN_PSCI_VERSION 0x84000000U
#define PSCI_0_2_FN_SYSTEM_OFF	 0x84000008U
#define PSCI_0_2_FN64_CPU_ON	 0xC4000003U

enum psci_conduit { PSCI_CONDUIT_NONE, PSCI_CONDUIT_HVC, PSCI_CONDUIT_SMC };

/* Choose how PSCI calls are made (QEMU virt: HVC when entered at EL1, SMC when at EL2). */
void psci_init(enum psci_conduit conduit);
enum psci_conduit psci_get_conduit(void);
uint64_t psci_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
/* Returns only if there is no PSCI or the call failed. */
void psci_system_off(void);

#endif
