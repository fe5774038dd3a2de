/* clock_conv.c — exact tick <-> nanosecond conversions without 128-bit arithmetic (host-tested). */
#include "keel/clock.h"

/*
 * ticks = sec * f + rem with rem < f < 2^32, so rem * 10^9 < 2^62 cannot overflow; only
 * sec * 10^9 can, and that is exactly when the result itself exceeds 64 bits.
 */
uint64_t clock_ticks_to_ns(uint64_t ticks, uint32_t freq_hz)
{
	uint64_t sec = ticks / freq_hz, rem = ticks % freq_hz;
	uint64_t ns;

	if (__builtin_mul_overflow(sec, CLOCK_NS_PER_SEC, &ns))
		return UINT64_MAX;
	if (__builtin_add_overflow(ns, rem * CLOCK_NS_PER_SEC / freq_hz, &ns))
		return UINT64_MAX;
	return ns;
}

/* ns = sec * 10^9 + rem with rem < 10^9 < 2^30, so rem * f + 10^9 - 1 < 2^63. */
uint64_t clock_ns_to_ticks(uint64_t ns, uint32_t freq_hz)
{
	uint64_t sec = ns / CLOCK_NS_PER_SEC, rem = ns % CLOCK_NS_PER_SEC;
	uint64_t ticks;

	if (__builtin_mul_overflow(sec, (uint64_t)freq_hz, &ticks))
		return UINT64_MAX;
	if (__builtin_add_overflow(ticks, (rem * freq_hz + CLOCK_NS_PER_SEC - 1) / CLOCK_NS_PER_SEC, &ticks))
		return UINT64_MAX;
	return ticks;
}
