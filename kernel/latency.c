/* latency.c — the longest interrupts-masked stretch per kernel path, for rt-tests (CONFIG_LATENCY_TRACE). */
#include "keel/latency.h"

#ifdef CONFIG_LATENCY_TRACE
#include "keel/clock.h"

/*
 * One CPU runs threads for now (kernel/sched.c), so one record. A stretch starts when the
 * kernel is entered from user mode and ends when it leaves; the idle loop, which unmasks IRQs,
 * closes it, and the IRQ that ends the idle loop opens a new one (path KINFO_LAT_IDLE).
 */
static struct {
	uint64_t start;
	unsigned path;
	int open;
	uint64_t timer_late_max;
	uint64_t max[KINFO_LAT_PATHS];
} lat;

static void close_stretch(void)
{
	uint64_t d = clock_now_ticks() - lat.start;

	if (lat.open && lat.path < KINFO_LAT_PATHS && d > lat.max[lat.path])
		lat.max[lat.path] = d;
	lat.open = 0;
}

void latency_enter(void)
{
	lat.start = clock_now_ticks();
	lat.path = KINFO_LAT_FAULT;
	lat.open = 1;
}

void latency_set_path(unsigned path)
{
	lat.path = path;
}

void latency_idle(void)
{
	close_stretch();
}

void latency_irq_from_kernel(void)
{
	if (!lat.open) {
		lat.start = clock_now_ticks();
		lat.path = KINFO_LAT_IDLE;
		lat.open = 1;
	}
}

void latency_exit(void)
{
	close_stretch();
}

void latency_timer_late(uint64_t ticks)
{
	if (ticks > lat.timer_late_max)
		lat.timer_late_max = ticks;
}

void latency_read(struct kinfo_latency *out, int reset)
{
	out->enabled = 1;
	out->nr_paths = KINFO_LAT_PATHS;
	out->timer_late_max = lat.timer_late_max;
	for (unsigned i = 0; i < KINFO_LAT_PATHS; i++)
		out->masked_max[i] = lat.max[i];
	if (reset) {
		lat.timer_late_max = 0;
		for (unsigned i = 0; i < KINFO_LAT_PATHS; i++)
			lat.max[i] = 0;
	}
}
#endif
