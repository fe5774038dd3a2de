/* test_timer.c — the generic timer and the kernel clock: deadlines, lateness bound, monotonic counter. */
#include "cmsis_aarch64.h"
#include "keel/clock.h"
#include "keel/irq.h"
#include "keel/ktest.h"
#include "keel/printk.h"
#include "keel/timer_demo.h"
#include "timer.h"

/*
 * Lateness bound in counter ticks (= instructions under QEMU -icount shift=4,sleep=off, which
 * every test run uses; then 1 tick = 16 ns and results repeat exactly). Measured from WFI
 * wake-up to the handler's counter read: 85-87 ticks on every CPU x GIC x entry-EL combination
 * with gcc and clang (QEMU 10.0) when this was written, 98-107 now. The bound leaves room for
 * compiler changes yet fails if, say, the dispatcher grows a loop over all lines. Not
 * meaningful without icount: real-time QEMU varied by 2 000 - 155 000 ticks (PLATFORM-NOTES).
 */
#ifdef CONFIG_BOARD_RPI4
/*
 * QEMU raspi4b: its other three cores stay parked in the boot code's WFE loop (Keel uses one),
 * and QEMU runs them round robin with CPU 0 on the same instruction clock, so a wake-up can
 * include their turns: measured 99-110 with this tree, up to 157 with another code layout
 * (the same sources with another version string in the banner).
 */
#define LATENESS_BOUND_TICKS 220U
#else
#define LATENESS_BOUND_TICKS 150U
#endif
/*
 * A deadline set in the past: from the counter read before clock_call_at_ticks() to the
 * handler's read, so it adds programming the timer and unmasking: measured 124-129 ticks.
 */
#define PAST_DEADLINE_BOUND_TICKS 220U

static struct {
	volatile unsigned fired;
	uint64_t deadline;
	uint64_t now;
} shot;

static void record_alarm(void *ctx, uint64_t deadline_ticks, uint64_t now_ticks)
{
	(void)ctx;
	shot.deadline = deadline_ticks;
	shot.now = now_ticks;
	shot.fired++;
}

/* Sleep in WFI until the alarm fired (IRQs masked around the check, see timer_demo.c). */
static void wait_for_alarm(void)
{
	__disable_irq();
	while (!shot.fired) {
		__WFI();
		__enable_irq();
		__ISB();
		__disable_irq();
	}
	__enable_irq();
}

static void arm_shot(void)
{
	shot.fired = 0;
	shot.deadline = 0;
	shot.now = 0;
}

KTEST(timer_counter_monotonic)
{
	uint64_t first = clock_now_ticks(), prev = first;
	int backwards = 0;

	for (int i = 0; i < 10000; i++) {
		uint64_t now = clock_now_ticks();

		if (now < prev)
			backwards++;
		prev = now;
	}
	KTEST_EXPECT(backwards == 0);
	KTEST_EXPECT(prev > first);
	KTEST_EXPECT(clock_freq_hz() != 0);
	/* The ns clock follows the tick counter with the documented (floor) conversion. */
	uint64_t t = clock_now_ticks();
	uint64_t ns = clock_now_ns();
	KTEST_EXPECT(ns >= clock_ticks_to_ns(t, clock_freq_hz()));
}

KTEST(timer_deadline_fires_within_bound)
{
	arm_shot();
	clock_call_at_ticks(clock_now_ticks() + 5000U, record_alarm, NULL);
	wait_for_alarm();
	printk("ktest:   lateness %lu ticks (bound %u)\n", (unsigned long)(shot.now - shot.deadline),
	       LATENESS_BOUND_TICKS);
	KTEST_EXPECT(shot.fired == 1);
	KTEST_EXPECT(shot.now >= shot.deadline);
	KTEST_EXPECT(shot.now - shot.deadline <= LATENESS_BOUND_TICKS);
}

KTEST(timer_deadline_in_ns_never_early)
{
	uint64_t deadline_ns = clock_now_ns() + 50000U; /* 50 us */

	arm_shot();
	clock_call_at(deadline_ns, record_alarm, NULL);
	wait_for_alarm();
	KTEST_EXPECT(shot.fired == 1);
	KTEST_EXPECT(shot.deadline == clock_ns_to_ticks(deadline_ns, clock_freq_hz()));
	KTEST_EXPECT(clock_ticks_to_ns(shot.now, clock_freq_hz()) >= deadline_ns);
}

/* No WFI: the IRQ must already be pending when the mask is lifted. */
KTEST(timer_deadline_in_past_fires_immediately)
{
	uint64_t set_at;

	arm_shot();
	__disable_irq();
	set_at = clock_now_ticks();
	clock_call_at_ticks(set_at - 100000U, record_alarm, NULL);
	__ISB();
	__enable_irq();
	__ISB();
	printk("ktest:   taken %lu ticks after setting it (bound %u)\n", (unsigned long)(shot.now - set_at),
	       PAST_DEADLINE_BOUND_TICKS);
	KTEST_EXPECT(shot.fired == 1);
	KTEST_EXPECT(shot.now - set_at <= PAST_DEADLINE_BOUND_TICKS);
}

KTEST(timer_cancel_stops_alarm)
{
	arm_shot();
	clock_call_at_ticks(clock_now_ticks() + 2000U, record_alarm, NULL);
	clock_cancel();
	/* Wait past the deadline on a second alarm: the cancelled one must not have fired. */
	uint64_t until = clock_now_ticks() + 4000U;
	while (clock_now_ticks() < until)
		;
	KTEST_EXPECT(shot.fired == 0);
	KTEST_EXPECT(!irq_is_pending(TIMER_IRQ));
}

/* A disabled timer PPI is not delivered but stays pending; enabling delivers it. */
KTEST(timer_irq_disabled_not_delivered)
{
	arm_shot();
	irq_disable(TIMER_IRQ);
	clock_call_at_ticks(clock_now_ticks() - 1U, record_alarm, NULL);
	__ISB();
	for (int i = 0; i < 1000; i++)
		__NOP();
	KTEST_EXPECT(shot.fired == 0);
	KTEST_EXPECT(irq_is_pending(TIMER_IRQ));
	irq_enable(TIMER_IRQ);
	__ISB();
	KTEST_EXPECT(shot.fired == 1);
}

/* The boot demo with the test configuration's period count: every deadline within the bound. */
KTEST(timer_demo_lateness_within_bound)
{
	struct timer_demo_stats s;

	timer_demo_measure(CONFIG_TIMER_DEMO_PERIODS, (uint64_t)CONFIG_TIMER_DEMO_PERIOD_US * 1000U, &s);
	printk("ktest:   %u deadlines, lateness min %lu avg %lu max %lu ticks\n", s.count,
	       (unsigned long)s.min_ticks, (unsigned long)(s.count ? s.sum_ticks / s.count : 0),
	       (unsigned long)s.max_ticks);
	KTEST_EXPECT(s.count == CONFIG_TIMER_DEMO_PERIODS);
	KTEST_EXPECT(s.max_ticks <= LATENESS_BOUND_TICKS);
}
