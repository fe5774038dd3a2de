/* smp.h — secondary CPUs, the CPU index, and the kernel lock that serialises kernel entries. */
#ifndef KEEL_SMP_H
#define KEEL_SMP_H

#include <stdbool.h>

#include "cmsis_aarch64.h"
#include "spinlock.h"

/*
 * This CPU's index (0 .. CONFIG_NR_CPUS - 1), kept in TPIDR_EL1 since boot. Not volatile: the
 * value never changes under running code, so the compiler may keep it in a register instead
 * of reading the register again at every per-CPU access (a measurable cost on hot paths).
 */
static inline unsigned cpu_id(void)
{
	uint64_t v;

	__asm__("mrs %0, tpidr_el1" : "=r"(v));
	return (unsigned)v;
}

/* Start the other CPUs (PSCI CPU_ON); they wait for the scheduler. Returns how many run. */
unsigned smp_boot_secondaries(void);

/* Is CPU @cpu running the kernel? */
bool smp_cpu_online(unsigned cpu);
unsigned smp_cpus_online(void);

/*
 * The kernel lock: the kernel is not preemptible and runs with IRQs masked; on several CPUs
 * one kernel entry at a time holds this lock (taken on entry from EL0 and in the idle loop,
 * released before ERET and WFI).
 */
void kernel_lock(void);
void kernel_unlock(void);

/* The lock itself (arch/aarch64/smp.c): visible for the inline question below, taken only above. */
extern struct spinlock kernel_spinlock;

/*
 * Does another CPU wait for the kernel lock? Asked by its holder at preemption points (one
 * load: they are on the hot path of unmap and map): the ticket lock lets waiters in first-come
 * first-served, so a call that stops there and hands the lock over (kernel_lock_handover())
 * bounds the other CPU's wait to one chunk.
 */
static inline bool kernel_lock_contended(void)
{
	return CONFIG_NR_CPUS > 1 && spin_contended(&kernel_spinlock);
}

/* Let the CPUs waiting for the kernel lock in (each in its turn), then take it again. */
void kernel_lock_handover(void);

/* Make CPU @cpu look at its ready queue (an SGI; it reschedules on its way out of the IRQ). */
void smp_kick(unsigned cpu);

/* Where a secondary CPU starts (secondary.S), and its C entry, MMU on, on its own kernel stack. */
void secondary_entry(void);
/* C entry of a secondary CPU (secondary.S), MMU on, on its own kernel stack. */
void secondary_main(unsigned cpu) __attribute__((noreturn));

#define SMP_SGI_RESCHEDULE 1U

#endif
