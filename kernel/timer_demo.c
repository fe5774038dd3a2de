/* timer_demo.c — periodic absolute deadlines taken by the timer IRQ; prints min/avg/max lateness. */
#include "cmsis_aarch64.h"
#include "cpu.h"
#include "gic.h"
#include "keel/clock.h"
#include "keel/irq.h"
#include "keel/printk.h"
#include "keel/timer_demo.h"
#include "timer.h"

struct demo {
	uint64_t start_ns;
	uint64_t period_ns;
	unsigned periods;
	volatile unsigned done;
	struct timer_demo_stats *stats;
};

/* Absolute deadlines (start + i * period), so lateness never accumulates into drift. */
static void demo_alarm(void *ctx, uint64_t deadline_ticks, uint64_t now_ticks)
{
	struct demo *d = ctx;
	struct timer_demo_stats *s = d->stats;
	uint64_t late = now_ticks - deadline_ticks;

	if (s->count == 0 || late < s->min_ticks)
		s->min_ticks = late;
	if (late > s->max_ticks)
		s->max_ticks = late;
	s->sum_ticks += late;
	s->count++;
	if (d->done + 1 < d->periods)
		clock_call_at(d->start_ns + (uint64_t)(d->done + 2) * d->period_ns, demo_alarm, d);
	d->done = d->done + 1;
}

/*
 * Check-then-WFI with IRQs masked: WFI still wakes on a pending IRQ (ARM ARM D1.6.2), and the
 * IRQ is taken when the mask is lifted, so a deadline between the check and the WFI is not lost.
 */
void timer_demo_measure(unsigned periods, uint64_t period_ns, struct timer_demo_stats *stats)
{
	struct demo d = {.period_ns = period_ns, .periods = periods, .stats = stats};
	unsigned long flags;

	*stats = (struct timer_demo_stats){0};
	if (periods == 0)
		return;
	flags = irq_save();
	d.start_ns = clock_now_ns();
	clock_call_at(d.start_ns + period_ns, demo_alarm, &d);
	while (d.done < periods) {
		__WFI();
		__enable_irq();
		__ISB();
		__disable_irq();
	}
	irq_restore(flags);
}

void timer_demo_run(void)
{
	struct timer_demo_stats s;
	uint64_t period_ns = (uint64_t)CONFIG_TIMER_DEMO_PERIOD_US * 1000U;
	uint32_t hz = clock_freq_hz();
	char cpu[64];

	printk("timer demo: %u absolute deadlines every %u us on %s, GICv%u, timer %lu Hz (virtual, PPI "
	       "%u)\n",
	       (unsigned)CONFIG_TIMER_DEMO_PERIODS, (unsigned)CONFIG_TIMER_DEMO_PERIOD_US,
	       cpu_name(__MRS(MIDR_EL1), cpu, sizeof(cpu)), gic_version(), (unsigned long)hz, TIMER_IRQ);
	timer_demo_measure(CONFIG_TIMER_DEMO_PERIODS, period_ns, &s);
	printk("timer demo: %u deadlines taken, lateness (handler's counter read - deadline):\n", s.count);
	printk("timer demo:   min %lu ns (%lu ticks)  avg %lu ns (%lu ticks)  max %lu ns (%lu ticks)\n",
	       (unsigned long)clock_ticks_to_ns(s.min_ticks, hz), (unsigned long)s.min_ticks,
	       (unsigned long)(clock_ticks_to_ns(s.sum_ticks, hz) / s.count),
	       (unsigned long)(s.sum_ticks / s.count), (unsigned long)clock_ticks_to_ns(s.max_ticks, hz),
	       (unsigned long)s.max_ticks);
}
