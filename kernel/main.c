/* main.c — the boot sequence after boot.S: console, banner, subsystems, then the system or the tests. */
#include "board.h"
#include "cmsis_aarch64.h"
#include "cpu.h"
#include "gic.h"
#include "keel/boot.h"
#include "keel/clock.h"
#include "keel/console.h"
#include "keel/irq.h"
#include "keel/pmu.h"
#include "keel/power.h"
#include "keel/printk.h"
#include "keel/ktest.h"
#include "keel/timer_demo.h"
#include "keel/el0.h"
#include "keel/sched.h"
#include "generated/version.h"
#include "keel/smp.h"
#include "keel/system.h"
#include "keel/mmio.h"
#include "keel/space.h"
#include "mmu.h"
#include "psci.h"

struct boot_info boot_info;

static void print_banner(void)
{
	char cpu[64];
	uint64_t midr = __MRS(MIDR_EL1);

	printk("\nKeel %s — statically configured real-time microkernel\n", KEEL_VERSION);
	printk("  board:     %s\n", BOARD_NAME);
	printk("  cpu:       %s (MIDR 0x%08lx)\n", cpu_name(midr, cpu, sizeof(cpu)), (unsigned long)midr);
	printk("  entry EL:  EL%u%s, running at EL%u\n", boot_info.entry_el,
	       boot_info.entry_el == 2 ? " (dropped to EL1)" : "", __current_el());
	printk("  entry:     MMU %s, D-cache %s, I-cache %s (SCTLR_EL%u 0x%lx)%s\n",
	       (boot_info.entry_sctlr & SCTLR_EL1_M_Msk) ? "on" : "off",
	       (boot_info.entry_sctlr & SCTLR_EL1_C_Msk) ? "on" : "off",
	       (boot_info.entry_sctlr & SCTLR_EL1_I_Msk) ? "on" : "off", boot_info.entry_el,
	       (unsigned long)boot_info.entry_sctlr,
	       (boot_info.entry_sctlr & (SCTLR_EL1_M_Msk | SCTLR_EL1_C_Msk)) ? "; turned off at entry" : "");
	printk("  dtb:       0x%lx\n", (unsigned long)boot_info.dtb);
}

void kernel_main(uintptr_t dtb, unsigned entry_el, uint64_t entry_sctlr)
{
	/*
	 * boot.S has turned the MMU on and jumped to the upper half; TTBR0 is off. From here on
	 * only upper-half addresses work, so the console moves to its device mapping first.
	 */
	console_set_base((uintptr_t)mmio_va(BOARD_CONSOLE_BASE));

	boot_info.dtb = dtb;
	boot_info.entry_el = entry_el;
	boot_info.entry_sctlr = entry_sctlr;
#if BOARD_HAS_PSCI
	/* QEMU virt's firmware tables name HVC when the kernel runs at EL1 and SMC when at EL2. */
	psci_init(entry_el == 2 ? PSCI_CONDUIT_SMC : PSCI_CONDUIT_HVC);
#else
	psci_init(PSCI_CONDUIT_NONE); /* e.g. the Pi's firmware: no PSCI, no EL3 to answer an SMC */
#endif

	print_banner();
	mmu_print_map();
	space_pool_init(); /* TTBR0 walks on (empty table), PAN on if implemented */
	printk("  spaces:    %u page-table pages for up to %u spaces (TTBR0, ASID = id + 1); PAN %s\n",
	       (unsigned)SPACE_PT_POOL_PAGES, (unsigned)SPACE_NR, space_has_pan() ? "on" : "not implemented");
	irq_init();
	clock_init();
	pmu_cpu_init();
	__enable_irq(); /* handlers are in place: from here on the kernel takes IRQs */
	printk("  gic:       GICv%u, %u interrupt lines\n", gic_version(), gic_nr_lines());
	printk("  timer:     %lu Hz\n", (unsigned long)clock_freq_hz());
	printk("  pmu:       %s\n", pmu_cycles_available() ? "cycle counter on" : "none (no cycle counts)");

#ifdef CONFIG_KTEST
	power_off(ktest_run_all() == 0 ? 0 : 1);
#else
	timer_demo_run();
	el0_setup();
	sched_init();
	printk("  cpus:      %u online\n", smp_boot_secondaries());
	/* From here kernel entries on any CPU take the kernel lock, with IRQs masked. */
	__disable_irq();
	kernel_lock();
	system_init();
	printk("Keel: boot complete, starting the system\n");
	sched_start();
#endif
}
