/* latency.h — the kernel's interrupts-masked stretches per path (CONFIG_LATENCY_TRACE; docs/rt-tests.md). */
#ifndef KEEL_LATENCY_H
#define KEEL_LATENCY_H

#include <stdbool.h>
#include <stdint.h>

#include "keel/kinfo.h"

/* A CPU's maxima in ticks, as kernel_info's parts see them: timer_late_max, masked_max[]. */
#define LATENCY_TICKS_VALUES (1u + KINFO_LAT_PATHS)

/* The trace's path of system call @nr (x8): its number, or KINFO_LAT_FAULT for a bad one. */
static inline unsigned latency_syscall_path(uint64_t nr)
{
	return nr < KINFO_LAT_SYSCALLS ? (unsigned)nr : KINFO_LAT_FAULT;
}

#ifdef CONFIG_LATENCY_TRACE
#include "keel/pmu.h"
#include "keel/smp.h"
#include "timer.h"
#include <pmu.h> /* arch/aarch64/include's (PMCCNTR_EL0); "pmu.h" here would be keel/pmu.h */

/*
 * A CPU's trace (latency.c explains stretches): its open stretch and its maxima, in one record
 * per CPU, so that the hot path touches one cache-local record found by a shift of cpu_id().
 * The maxima over all CPUs are not kept: kernel_info computes them when it reads the records
 * (a second, global record cost ~20 instructions of every wake-up). The opening side is inline:
 * it runs on every kernel entry and on every idle wake-up, where a call, a second cpu_id() and a
 * reload of the PMU flag were ~20 instructions of a ~450-instruction path.
 */
struct latency_cpu {
	uint64_t start;	       /* the counter when the stretch opened */
	uint64_t start_cycles; /* the PMU cycle count then (only where pmu_cycles_on) */
	unsigned path;	       /* KINFO_LAT_* or a system call number */
	bool open;
	/* In kernel_info's layout, copied to user memory as they are; v[] for its parts. */
	union {
		struct kinfo_latency_cpu rec;
		uint64_t v[LATENCY_TICKS_VALUES];
	} ticks;
	uint64_t masked_max_cycles[KINFO_LAT_PATHS]; /* each path's longest in PMU cycles */
} __attribute__((aligned(1024)));		     /* indexed by a shift */
_Static_assert(sizeof(struct kinfo_latency_cpu) == LATENCY_TICKS_VALUES * sizeof(uint64_t),
	       "kinfo_latency_cpu is timer_late_max and masked_max[], without padding");
_Static_assert(sizeof(struct latency_cpu) == 1024, "one record per 1 KiB");
extern struct latency_cpu latency_cpus[CONFIG_NR_CPUS];

/* The counter is read last, so the stretch counts as little of the trace itself as possible. */
static inline void latency_open(unsigned path)
{
	unsigned cpu = cpu_id();
	struct latency_cpu *l = &latency_cpus[cpu];

	l->path = path;
	l->open = true;
	if (pmu_cycles_on[cpu])
		l->start_cycles = pmu_cycles();
	l->start = timer_now();
}

/*
 * End this CPU's stretch (if open) and keep it if it is its path's longest. The clock is read
 * first here and last in latency_open(), so that a stretch counts as little of the trace's own
 * bookkeeping as possible (a kernel without the trace has none of it). Inline: on every kernel
 * exit, a call and its stack frame were ~20 instructions.
 */
static inline void latency_close(void)
{
	uint64_t now = timer_now();
	unsigned cpu = cpu_id();
	struct latency_cpu *l = &latency_cpus[cpu];
	unsigned path = l->path;
	uint64_t d = now - l->start;

	if (!l->open)
		return;
	l->open = false;
	if (path >= KINFO_LAT_PATHS)
		return;
	if (d > l->ticks.rec.masked_max[path])
		l->ticks.rec.masked_max[path] = d;
	if (pmu_cycles_on[cpu]) {
		uint64_t dc = pmu_cycles() - l->start_cycles;

		if (dc > l->masked_max_cycles[path])
			l->masked_max_cycles[path] = dc;
	}
}

/* The kernel was entered from user mode. */
static inline void latency_enter(void)
{
	latency_open(KINFO_LAT_FAULT);
}

/* About to unmask IRQs in the idle loop. */
static inline void latency_idle(void)
{
	latency_close();
}

/* An IRQ taken in the kernel (only the idle loop allows it). */
static inline void latency_irq_from_kernel(void)
{
	if (!latency_cpus[cpu_id()].open)
		latency_open(KINFO_LAT_IDLE);
}

/* Leaving for user mode. */
static inline void latency_exit(void)
{
	latency_close();
}

void latency_preempt_point(void); /* a preemption point found no IRQ waiting */
void latency_irq_in_call(void);	  /* a preemption point handles the waiting IRQ itself */

/* The timer IRQ's lateness: the handler's counter read - the deadline. Inline, as latency_close(). */
static inline void latency_timer_late(uint64_t ticks)
{
	uint64_t *max = &latency_cpus[cpu_id()].ticks.rec.timer_late_max;

	if (ticks > *max)
		*max = ticks;
}

/*
 * For kernel_info: CPU @cpu's maxima from @first, @n of them (<= KINFO_LAT_PER_PART), the ticks
 * (LATENCY_TICKS_VALUES: timer_late_max, masked_max[]) or the cycles (KINFO_LAT_PATHS): copied to
 * user memory at @ucpu (unless it is 0), copied (CPU 0) or raised into (the others) the user's
 * all-CPU maxima at @uall, then cleared if @reset. The caller has checked the user range.
 */
void latency_read_values(unsigned cpu, bool cycles, unsigned first, unsigned n, uintptr_t ucpu,
			 uintptr_t uall, bool reset);
bool latency_cycles_counted(void); /* kinfo_latency.cycles: a CPU counts cycles */
#else
#include "keel/space.h"

static inline void latency_open(unsigned path)
{
	(void)path;
}
static inline void latency_enter(void) {}
static inline void latency_idle(void) {}
static inline void latency_irq_from_kernel(void) {}
static inline void latency_exit(void) {}
static inline void latency_preempt_point(void) {}
static inline void latency_irq_in_call(void) {}
static inline void latency_timer_late(uint64_t ticks)
{
	(void)ticks;
}
/* Without the trace: maxima of zeros (kinfo_latency.enabled = 0). */
static inline void latency_read_values(unsigned cpu, bool cycles, unsigned first, unsigned n, uintptr_t ucpu,
				       uintptr_t uall, bool reset)
{
	static const uint64_t none[KINFO_LAT_PER_PART];

	(void)cycles;
	(void)first;
	(void)reset;
	if (ucpu)
		space_copy_to_user(ucpu, none, n * sizeof(none[0]));
	if (cpu == 0) /* CPU 0's parts set the all-CPU maxima */
		space_copy_to_user(uall, none, n * sizeof(none[0]));
}
static inline bool latency_cycles_counted(void)
{
	return false;
}
#endif

#endif
