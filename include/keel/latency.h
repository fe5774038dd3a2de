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
void latency_read(struct kinfo_latency *out, int reset);
void latency_read_cpus(struct kinfo_latency_cpus *out, int reset);
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
static inline void latency_read(struct kinfo_latency *out, int reset)
{
	(void)reset;
	*out = (struct kinfo_latency){0};
}
static inline void latency_read_cpus(struct kinfo_latency_cpus *out, int reset)
{
	(void)reset;
	out->enabled = 0;
	out->nr_cpus = CONFIG_NR_CPUS;
	for (unsigned c = 0; c < CONFIG_NR_CPUS; c++)
		out->cpu[c] = (struct kinfo_latency_cpu){0};
}
#endif

#endif
