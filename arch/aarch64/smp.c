/* smp.c — bring up the secondary CPUs (PSCI CPU_ON) and the kernel lock they share. */
#include "cache.h"
#include "cmsis_aarch64.h"
#include "keel/clock.h"
#include "keel/el0.h"
#include "keel/irq.h"
#include "keel/pmu.h"
#include "keel/printk.h"
#include "keel/sched.h"
#include "keel/smp.h"
#include "keel/space.h"
#include "memlayout.h"
#include "mmu.h"
#include "psci.h"
#include "spinlock.h"

/* MMU settings for secondary.S: MAIR, TCR, TTBR0 (boot identity map), TTBR1; read with the MMU off. */
uint64_t smp_boot_regs[4] __attribute__((aligned(64)));

struct spinlock kernel_spinlock;
static volatile bool online[CONFIG_NR_CPUS];

void kernel_lock(void)
{
	spin_lock(&kernel_spinlock);
}

void kernel_unlock(void)
{
	spin_unlock(&kernel_spinlock);
}

void kernel_lock_handover(void)
{
	spin_unlock(&kernel_spinlock);
	spin_lock(&kernel_spinlock);
}

bool smp_cpu_online(unsigned cpu)
{
	return cpu < CONFIG_NR_CPUS && online[cpu];
}

unsigned smp_cpus_online(void)
{
	unsigned n = 0;

	for (unsigned c = 0; c < CONFIG_NR_CPUS; c++)
		n += online[c];
	return n;
}

void smp_kick(unsigned cpu)
{
	if (cpu != cpu_id() && smp_cpu_online(cpu))
		irq_send_sgi(cpu, SMP_SGI_RESCHEDULE);
}

/* Nothing to do in the handler: leaving the IRQ runs the scheduler (or ends the idle WFI). */
static void reschedule_irq(unsigned irq, void *ctx)
{
	(void)irq;
	(void)ctx;
}

void secondary_main(unsigned cpu)
{
	space_cpu_init();
	el0_setup();
	irq_cpu_init();
	clock_cpu_init();
	pmu_cpu_init();
	irq_enable(SMP_SGI_RESCHEDULE);
	online[cpu] = true;
	kernel_lock();
	sched_start();
}

unsigned smp_boot_secondaries(void)
{
	uintptr_t entry = memlayout_pa((uintptr_t)secondary_entry);
	uint64_t freq = clock_freq_hz();

	online[0] = true;
	irq_register(SMP_SGI_RESCHEDULE, reschedule_irq, NULL);
	irq_enable(SMP_SGI_RESCHEDULE);
	smp_boot_regs[0] = __MRS(MAIR_EL1);
	smp_boot_regs[1] = __MRS(TCR_EL1) & ~TCR_EPD0_Msk;
	smp_boot_regs[2] = mmu_layout.ttbr0_boot;
	smp_boot_regs[3] = __MRS(TTBR1_EL1);
	/* The secondary reads these with its MMU and caches off: push them to the PoC. */
	cache_clean_poc((uintptr_t)smp_boot_regs, sizeof(smp_boot_regs));

	for (unsigned cpu = 1; cpu < CONFIG_NR_CPUS; cpu++) {
		/* Cores are numbered by MPIDR Aff0 in cluster 0 (QEMU virt, Raspberry Pi 4). */
		int64_t r = (int64_t)psci_call(PSCI_0_2_FN64_CPU_ON, cpu, entry, cpu);
		uint64_t until = clock_now_ticks() + freq / 10U; /* 100 ms */

		if (r != 0)
			continue; /* no such CPU (or no PSCI): it stays off */
		while (!online[cpu] && clock_now_ticks() < until)
			__asm__ volatile("yield");
		if (!online[cpu])
			printk("smp: CPU %u was started but did not come online within 100 ms\n", cpu);
	}
	return smp_cpus_online();
}
