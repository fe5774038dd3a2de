/* latency.h — the kernel's interrupts-masked stretches per path (CONFIG_LATENCY_TRACE; docs/rt-tests.md). */
#ifndef KEEL_LATENCY_H
#define KEEL_LATENCY_H

#include <stdint.h>

#include "keel/kinfo.h"

#ifdef CONFIG_LATENCY_TRACE
void latency_enter(void);		 /* the kernel was entered from user mode */
void latency_set_path(unsigned path);	 /* KINFO_LAT_* or a system call number */
void latency_idle(void);		 /* about to unmask IRQs in the idle loop */
void latency_irq_from_kernel(void);	 /* an IRQ taken in the kernel (only the idle loop allows it) */
void latency_exit(void);		 /* leaving for user mode */
void latency_preempt_point(void);	 /* a preemption point found no IRQ waiting */
void latency_irq_in_call(void);		 /* a preemption point handles the waiting IRQ itself */
void latency_timer_late(uint64_t ticks); /* the timer IRQ's lateness */
/* The records kernel_info copies out as they are, and their resets (KINFO_RESET_LATENCY). */
const struct kinfo_latency *latency_record(void);
void latency_reset(void);
const struct kinfo_latency_cpu *latency_record_cpu(unsigned cpu); /* cpu < CONFIG_NR_CPUS */
void latency_reset_cpu(unsigned cpu);
#else
static inline void latency_enter(void) {}
static inline void latency_set_path(unsigned path)
{
	(void)path;
}
static inline void latency_idle(void) {}
static inline void latency_irq_from_kernel(void) {}
static inline void latency_exit(void) {}
static inline void latency_preempt_point(void) {}
static inline void latency_irq_in_call(void) {}
static inline void latency_timer_late(uint64_t ticks)
{
	(void)ticks;
}
/* Without the trace: records of zeros, enabled = 0. */
static inline const struct kinfo_latency *latency_record(void)
{
	static const struct kinfo_latency none;

	return &none;
}
static inline void latency_reset(void) {}
static inline const struct kinfo_latency_cpu *latency_record_cpu(unsigned cpu)
{
	static const struct kinfo_latency_cpu none;

	(void)cpu;
	return &none;
}
static inline void latency_reset_cpu(unsigned cpu)
{
	(void)cpu;
}
#endif

#endif
