/* latency.c — the longest interrupts-masked stretch per kernel path, for rt-tests (CONFIG_LATENCY_TRACE). */
#include "keel/latency.h"

#ifdef CONFIG_LATENCY_TRACE
#include "keel/clock.h"
#include "keel/kstring.h"
#include "keel/pmu.h"
#include "keel/smp.h"
#include "keel/space.h"
#include "cmsis_aarch64.h"
#include "pmu.h"
#include "usercopy.h"

/*
 * A stretch starts when the kernel is entered from user mode and ends when it leaves; the idle
 * loop, which waits for an IRQ, closes it, and the IRQ that ends the idle wait opens a new one
 * (path KINFO_LAT_IDLE). A preemption point that finds no IRQ waiting ends one stretch and
 * starts the next: what is recorded is how long an IRQ can wait for the kernel to notice it.
 * Each CPU has its open stretch and its own maxima (what that CPU's kernel did, e.g. CPU 0's
 * stretches behind CPU 1's calls), and only those: the maxima over all CPUs are what
 * kernel_info computes from them when it reads them. All change only under the kernel lock,
 * which every stretch holds from start to end.
 */
_Static_assert(CONFIG_NR_CPUS <= KINFO_MAX_CPUS, "kinfo_latency_cpus has an entry per CPU");
struct latency_cpu latency_cpus[CONFIG_NR_CPUS];

/*
 * One counter read ends this stretch and starts the next (same path): latency_close() and
 * latency_open() read it twice and look up the CPU three times, ~55 instructions of every
 * chunk of unmap, protect and map (docs/mapping.md, "Preemption points of unmap").
 */
void latency_preempt_point(void)
{
	unsigned cpu = cpu_id();
	struct latency_cpu *l = &latency_cpus[cpu];
	unsigned path = l->path;
	uint64_t now, d;

	if (!l->open)
		return;
	now = timer_now();
	d = now - l->start;
	l->start = now;
	if (pmu_cycles_on[cpu]) {
		uint64_t c = pmu_cycles(), dc = c - l->start_cycles;

		l->start_cycles = c;
		if (path < KINFO_LAT_PATHS && dc > l->masked_max_cycles[path])
			l->masked_max_cycles[path] = dc;
	}
	if (path < KINFO_LAT_PATHS && d > l->ticks.rec.masked_max[path])
		l->ticks.rec.masked_max[path] = d;
}

/*
 * A preemption point found an IRQ waiting and handles it without leaving the kernel
 * (syscall.c): the call's stretch ends where the IRQ was noticed, the IRQ's own begins, as if
 * it had been taken from user mode at this moment.
 */
void latency_irq_in_call(void)
{
	if (!latency_cpus[cpu_id()].open)
		return;
	latency_close();
	latency_open(KINFO_LAT_IRQ);
}

/* An unaligned buffer (it may be Device memory): staged through the stack and copied by space.c. */
static void read_values_unaligned(unsigned cpu, const uint64_t *v, unsigned n, uintptr_t ucpu, uintptr_t uall)
{
	uint64_t all[KINFO_LAT_PER_PART] = {0};

	if (ucpu)
		space_copy_to_user(ucpu, v, n * sizeof(*v));
	if (cpu != 0)
		space_copy_from_user(all, uall, n * sizeof(*v));
	for (unsigned i = 0; i < n; i++)
		if (v[i] > all[i])
			all[i] = v[i];
	space_copy_to_user(uall, all, n * sizeof(*v));
}

/*
 * The user accesses in place, two values an instruction pair (usercopy.h), in a PAN window as
 * space.c opens one: copying in, raising and copying out through the stack was ~450 instructions
 * for 18 values, about as long as a wake-up.
 */
void latency_read_values(unsigned cpu, bool cycles, unsigned first, unsigned n, uintptr_t ucpu,
			 uintptr_t uall, bool reset)
{
	uint64_t *v = (cycles ? latency_cpus[cpu].masked_max_cycles : latency_cpus[cpu].ticks.v) + first;
	uint64_t *k = v, *pairs_end = v + (n & ~1U);
	volatile uint64_t *um = (volatile uint64_t *)uall, *uc = (volatile uint64_t *)ucpu;
	bool pan = space_has_pan();

	if (((ucpu | uall) & 7U) != 0) {
		read_values_unaligned(cpu, v, n, ucpu, uall);
		if (reset)
			memset(v, 0, n * sizeof(*v));
		return;
	}
	if (pan)
		__PAN_CLEAR();
	/* Each pair is cleared right after it is read (a memset() afterwards was ~45 more). */
	while (k != pairs_end) {
		if (cpu == 0)
			usercopy_set2(&uc, &um, &k);
		else if (uc)
			usercopy_copy_max2(&uc, &um, &k);
		else
			usercopy_max2(&um, &k);
		if (reset) {
			k[-2] = 0;
			k[-1] = 0;
		}
	}
	if (n & 1U) { /* the last, odd one */
		if (uc)
			*uc = *k;
		if (cpu == 0 || *k > *um)
			*um = *k;
		if (reset)
			*k = 0;
	}
	if (pan)
		__PAN_SET();
}

/* A CPU with a PMU records cycles for every stretch (latency_close()). */
bool latency_cycles_counted(void)
{
	for (unsigned c = 0; c < CONFIG_NR_CPUS; c++)
		if (pmu_cycles_on[c])
			return true;
	return false;
}
#endif
