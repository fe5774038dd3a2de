/* clock.h — kernel time: the generic timer's counter in ticks and nanoseconds, and a one-shot alarm. */
#ifndef KEEL_CLOCK_H
#define KEEL_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define CLOCK_NS_PER_SEC 1000000000ULL

/*
 * Conversions for any counter frequency 1 Hz .. 4.29 GHz, exact for every 64-bit input
 * (split into whole seconds and a remainder, so no intermediate exceeds 64 bits):
 *  - ticks -> ns rounds down: a time read from the counter is never later than the truth.
 *  - ns -> ticks rounds up: a deadline converted to ticks never fires before the time asked.
 * Results that do not fit in 64 bits saturate at UINT64_MAX ("never"); 2^64 ns is 584 years,
 * while a 64-bit counter at 62.5 MHz lasts 9 358 years.
 * For freq_hz <= 1 GHz, clock_ns_to_ticks(clock_ticks_to_ns(t)) == t for every unsaturated t,
 * and clock_ticks_to_ns(clock_ns_to_ticks(ns)) - ns is less than one tick.
 */
uint64_t clock_ticks_to_ns(uint64_t ticks, uint32_t freq_hz);
uint64_t clock_ns_to_ticks(uint64_t ns, uint32_t freq_hz);

/* Start the timer and take its IRQ; needs irq_init() first. */
void clock_init(void);
/* A secondary CPU's timer: stopped, its IRQ enabled (clock_init does CPU 0's). */
void clock_cpu_init(void);
uint32_t clock_freq_hz(void);
uint64_t clock_now_ticks(void);
uint64_t clock_now_ns(void);

/*
 * One-shot alarm: @fn runs once from the timer IRQ (IRQs masked) when the counter reaches the
 * deadline, with the counter value read first thing in the timer handler. A deadline in the
 * past fires at once. Setting an alarm replaces the previous one; @fn may set the next one.
 */
typedef void (*clock_alarm_fn)(void *ctx, uint64_t deadline_ticks, uint64_t now_ticks);
void clock_call_at_ticks(uint64_t deadline_ticks, clock_alarm_fn fn, void *ctx);
void clock_call_at(uint64_t deadline_ns, clock_alarm_fn fn, void *ctx);
void clock_cancel(void);
/*
 * The deadline this CPU's alarm is armed for, UINT64_MAX for none, read from the timer itself;
 * panics if the timer disagrees with the alarm in software (an alarm set but not in the timer, or
 * the reverse). For debug checks (CONFIG_DEBUG_CHECKS): it reads the timer's registers.
 */
uint64_t clock_alarm_checked(void);

#endif
