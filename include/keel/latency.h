/* latency.h — the kernel's interrupts-masked stretches per path (CONFIG_LATENCY_TRACE; docs/rt-tests.md). */
#ifndef KEEL_LATENCY_H
#define KEEL_LATENCY_H

#include <stdint.h>

#include "keel/kinfo.h"

#ifdef CONFIG_LATENCY_TRACE
#include <stdbool.h>

#include "keel/pmu.h"
#include "keel/smp.h"
#include "timer.h"
#include <pmu.h> /* arch/aarch64/include's (PMCCNTR_EL0); "pmu.h" here would be keel/pmu.h */

/*
 * A CPU's open stretch (latency.c explains stretches). The opening side is inline: it runs on
 * every kernel entry and on every idle wake-up, where a call, a second cpu_id() and a reload
 * of the PMU flag were ~20 instructions of a ~450-instruction path.
 */
struct latency_stretch {
	uint64_t start;	       /* the counter when the stretch opened */
	uint64_t start_cycles; /* the PMU cycle count then (only where pmu_cycles_on) */
	unsigned path;	       /* KINFO_LAT_* or a system call number */
	bool open;
} __attribute__((aligned(32))); /* indexed by a shift */
extern struct latency_stretch latency_stretches[CONFIG_NR_CPUS];

/* The counter is read last, so the stretch counts as little of the trace itself as possible. */
static inline void latency_open(unsigned path)
{
	unsigned cpu = cpu_id();
	struct latency_stretch *s = &latency_stretches[cpu];

	s->path = path;
	s->open = true;
	if (pmu_cycles_on[cpu])
		s->start_cycles = pmu_cycles();
	s->start = timer_now();
}

/*
 * The records (latency.c), visible here for the inline latency_close() and
 * latency_timer_late(): on every kernel exit and timer IRQ, calls and their stack frames
 * were ~20 instructions each.
 */
extern struct kinfo_latency latency_rec;
extern struct kinfo_latency_cpus latency_rec_cpus;

/*
 * End this CPU's stretch (if open) and keep it if it is its path's longest. The clock is read
 * first here and last in latency_open(), so that a stretch counts as little of the trace's own
 * bookkeeping as possible (a kernel without the trace has none of it).
 */
static inline void latency_close(void)
{
	uint64_t now = timer_now();
	unsigned cpu = cpu_id();
	struct latency_stretch *s = &latency_stretches[cpu];
	unsigned path = s->path;
	uint64_t d = now - s->start;

	if (!s->open)
		return;
	s->open = false;
	if (path >= KINFO_LAT_PATHS)
		return;
	if (d > latency_rec.masked_max[path])
		latency_rec.masked_max[path] = d;
	if (d > latency_rec_cpus.cpu[cpu].masked_max[path])
		latency_rec_cpus.cpu[cpu].masked_max[path] = d;
	if (pmu_cycles_on[cpu]) {
		uint64_t dc = pmu_cycles() - s->start_cycles;

		latency_rec.cycles = 1;
		if (dc > latency_rec.masked_max_cycles[path])
			latency_rec.masked_max_cycles[path] = dc;
	}
}

/* The kernel was entered from user mode. */
static inline void latency_enter(void)
{
	latency_open(KINFO_LAT_FAULT);
}

/* KINFO_LAT_* or a system call number (< KINFO_LAT_PATHS). */
static inline void latency_set_path(unsigned path)
{
	latency_stretches[cpu_id()].path = path;
}

/* About to unmask IRQs in the idle loop. */
static inline void latency_idle(void)
{
	latency_close();
}

/* An IRQ taken in the kernel (only the idle loop allows it). */
static inline void latency_irq_from_kernel(void)
{
	if (!latency_stretches[cpu_id()].open)
		latency_open(KINFO_LAT_IDLE);
}

/* Leaving for user mode. */
static inline void latency_exit(void)
{
	latency_close();
}

void latency_preempt_point(void); /* a preemption point found no IRQ waiting */
void latency_irq_in_call(void);	  /* a preemption point handles the waiting IRQ itself */

/* The timer IRQ's lateness: the handler's counter read - the deadline. */
static inline void latency_timer_late(uint64_t ticks)
{
	uint64_t *cpu_max = &latency_rec_cpus.cpu[cpu_id()].timer_late_max;

	if (ticks > latency_rec.timer_late_max)
		latency_rec.timer_late_max = ticks;
	if (ticks > *cpu_max)
		*cpu_max = ticks;
}

/* The records kernel_info copies out as they are, and their resets (KINFO_RESET_LATENCY). */
const struct kinfo_latency *latency_record(void);
void latency_reset(void);
const struct kinfo_latency_cpu *latency_record_cpu(unsigned cpu); /* cpu < CONFIG_NR_CPUS */
void latency_reset_cpu(unsigned cpu);
#else
static inline void latency_open(unsigned path)
{
	(void)path;
}
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
