/* clock.c — kernel time on the generic timer: now in ticks and ns, and the one-shot alarm behind its IRQ. */
#include <stddef.h>

#include "keel/clock.h"
#include "keel/irq.h"
#include "keel/latency.h"
#include "keel/panic.h"
#include "keel/smp.h"
#include "timer.h"

/* One alarm per CPU: each CPU has its own timer (a banked PPI). */
struct clock_alarm {
	uint64_t deadline;
	clock_alarm_fn fn;
	void *ctx;
} __attribute__((aligned(32))); /* found by a shift */
static struct clock_alarm alarms[CONFIG_NR_CPUS];

static struct clock_alarm *this_alarm(void)
{
	return &alarms[cpu_id()];
}

/*
 * The counter is read first, so a callback's lateness (now - deadline) covers exception entry
 * and dispatch. An IRQ taken before the deadline (one still in flight from a replaced alarm)
 * just re-arms the timer. The callback is the last call (a tail call: no stack frame here).
 */
static void clock_timer_irq(unsigned irq, void *ctx)
{
	uint64_t now = timer_now();
	struct clock_alarm *a = this_alarm();
	clock_alarm_fn fn = a->fn;
	uint64_t deadline = a->deadline;

	(void)irq;
	(void)ctx;
	if (fn && now < deadline) {
		timer_set_deadline(deadline);
		return;
	}
	timer_stop();
	if (!fn)
		return;
	a->fn = NULL;
	latency_timer_late(now - deadline);
	fn(a->ctx, deadline, now);
}

void clock_init(void)
{
	timer_init();
	irq_register(TIMER_IRQ, clock_timer_irq, NULL);
	irq_enable(TIMER_IRQ);
}

void clock_cpu_init(void)
{
	timer_stop();
	irq_enable(TIMER_IRQ);
}

uint32_t clock_freq_hz(void)
{
	return timer_freq_hz();
}

uint64_t clock_now_ticks(void)
{
	return timer_now();
}

uint64_t clock_now_ns(void)
{
	return clock_ticks_to_ns(timer_now(), timer_freq_hz());
}

void clock_call_at_ticks(uint64_t deadline_ticks, clock_alarm_fn fn, void *ctx)
{
	struct clock_alarm *a = this_alarm();
	unsigned long flags;

	if (a->fn == fn && a->ctx == ctx && a->deadline == deadline_ticks)
		return; /* armed already: the scheduler reprograms at every kernel exit */
	flags = irq_save();
	a->deadline = deadline_ticks;
	a->fn = fn;
	a->ctx = ctx;
	timer_set_deadline(deadline_ticks);
	irq_restore(flags);
}

void clock_call_at(uint64_t deadline_ns, clock_alarm_fn fn, void *ctx)
{
	clock_call_at_ticks(clock_ns_to_ticks(deadline_ns, timer_freq_hz()), fn, ctx);
}

void clock_cancel(void)
{
	struct clock_alarm *a = this_alarm();
	unsigned long flags;

	/*
	 * Nothing armed: every path that clears fn stops the timer first (and timer_init() and
	 * clock_cpu_init() stop it before any alarm), so there is nothing to stop. The scheduler
	 * cancels at every kernel exit with no timeout to program: ~20 instructions saved there.
	 */
	if (!a->fn)
		return;
	flags = irq_save();
	timer_stop();
	a->fn = NULL;
	irq_restore(flags);
}

#ifdef CONFIG_DEBUG_CHECKS
uint64_t clock_alarm_checked(void)
{
	const struct clock_alarm *a = this_alarm();
	uint64_t armed = timer_armed_deadline();

	if (a->fn ? armed != a->deadline : armed != UINT64_MAX)
		panic("clock: CPU %u's alarm is %s %llu, its timer is armed for %llu", cpu_id(),
		      a->fn ? "set for" : "not set, deadline", (unsigned long long)a->deadline,
		      (unsigned long long)armed);
	return a->fn ? a->deadline : UINT64_MAX;
}
#endif
