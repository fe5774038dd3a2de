/* latency.c — the longest interrupts-masked stretch per kernel path, for rt-tests (CONFIG_LATENCY_TRACE). */
#include "keel/latency.h"

#ifdef CONFIG_LATENCY_TRACE
#include "keel/clock.h"
#include "keel/kstring.h"
#include "keel/pmu.h"
#include "keel/smp.h"
#include "pmu.h"

/*
 * A stretch starts when the kernel is entered from user mode and ends when it leaves; the idle
 * loop, which waits for an IRQ, closes it, and the IRQ that ends the idle wait opens a new one
 * (path KINFO_LAT_IDLE). A preemption point that finds no IRQ waiting ends one stretch and
 * starts the next: what is recorded is how long an IRQ can wait for the kernel to notice it. Each CPU has its open stretch and its own
 * maxima (what that CPU's kernel did, e.g. CPU 0's stretches behind CPU 1's calls); the maxima
 * over all CPUs are kept too, for kinfo_latency. All change only under the kernel lock, which
 * every stretch holds from start to end.
 */
struct latency_stretch latency_stretches[CONFIG_NR_CPUS];

/*
 * Kept in kernel_info's layout, so that it copies them to user memory as they are: a staging
 * copy of the per-CPU record (1.1 KiB) was ~520 of its longest masked part (~1 340).
 */
struct kinfo_latency latency_rec = {.enabled = 1, .nr_paths = KINFO_LAT_PATHS};

_Static_assert(CONFIG_NR_CPUS <= KINFO_MAX_CPUS, "kinfo_latency_cpus has an entry per CPU");
struct kinfo_latency_cpus latency_rec_cpus = {.enabled = 1, .nr_cpus = CONFIG_NR_CPUS};

void latency_preempt_point(void)
{
	struct latency_stretch *s = &latency_stretches[cpu_id()];

	if (!s->open)
		return;
	latency_close();
	latency_open(s->path);
}

/*
 * A preemption point found an IRQ waiting and handles it without leaving the kernel
 * (syscall.c): the call's stretch ends where the IRQ was noticed, the IRQ's own begins, as if
 * it had been taken from user mode at this moment.
 */
void latency_irq_in_call(void)
{
	if (!latency_stretches[cpu_id()].open)
		return;
	latency_close();
	latency_open(KINFO_LAT_IRQ);
}

const struct kinfo_latency *latency_record(void)
{
	return &latency_rec;
}

void latency_reset(void)
{
	latency_rec.timer_late_max = 0;
	memset(latency_rec.masked_max, 0, sizeof(latency_rec.masked_max));
	memset(latency_rec.masked_max_cycles, 0, sizeof(latency_rec.masked_max_cycles));
}

const struct kinfo_latency_cpu *latency_record_cpu(unsigned cpu)
{
	return &latency_rec_cpus.cpu[cpu];
}

void latency_reset_cpu(unsigned cpu)
{
	memset(&latency_rec_cpus.cpu[cpu], 0, sizeof(latency_rec_cpus.cpu[cpu]));
}
#endif
