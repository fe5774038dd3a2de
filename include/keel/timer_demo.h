/* timer_demo.h — the boot timer demo: periodic absolute deadlines and their measured lateness. */
#ifndef KEEL_TIMER_DEMO_H
#define KEEL_TIMER_DEMO_H

#include <stdint.h>

/* Lateness = counter read by the timer handler - deadline, in counter ticks. */
struct timer_demo_stats {
	unsigned count;
	uint64_t min_ticks;
	uint64_t max_ticks;
	uint64_t sum_ticks;
};

/*
 * Take @periods deadlines at start + i * @period_ns (i = 1..periods), each from the timer IRQ
 * while the CPU waits in WFI, and collect the lateness. Needs irq_init() and clock_init().
 */
void timer_demo_measure(unsigned periods, uint64_t period_ns, struct timer_demo_stats *stats);

/* Run CONFIG_TIMER_DEMO_PERIODS deadlines every CONFIG_TIMER_DEMO_PERIOD_US and print the result. */
void timer_demo_run(void);

#endif
