/* clock_conv.c — exact tick <-> nanosecond conversions without 128-bit arithmetic (host-tested). */
#include "keel/clock.h"

/*
 * ticks = sec * f + rem with rem < f < 2^32, so rem * 10^9 < 2^62 cannot overflow; only
 * sec * 10^9 can, and that is exactly when the result itself exceeds 64 bits.
 */
/*
 * When a tick is a whole number of nanoseconds (QEMU's 62.5 MHz: 16 ns; any f dividing 10^9),
 * both conversions are one division or multiplication by it, exact as the general form and
 * about half its instructions (sleep_until converts every deadline).
 */
static inline uint64_t whole_ns_per_tick(uint32_t freq_hz)
{
	return CLOCK_NS_PER_SEC % freq_hz == 0 ? CLOCK_NS_PER_SEC / freq_hz : 0;
}

uint64_t clock_ticks_to_ns(uint64_t ticks, uint32_t freq_hz)
{
	uint64_t npt = whole_ns_per_tick(freq_hz);
	uint64_t sec = ticks / freq_hz, rem = ticks % freq_hz;
	uint64_t ns;

	if (npt)
		return __builtin_mul_overflow(ticks, npt, &ns) ? UINT64_MAX : ns;
	if (__builtin_mul_overflow(sec, CLOCK_NS_PER_SEC, &ns))
		return UINT64_MAX;
	if (__builtin_add_overflow(ns, rem * CLOCK_NS_PER_SEC / freq_hz, &ns))
		return UINT64_MAX;
	return ns;
}

/* ns = sec * 10^9 + rem with rem < 10^9 < 2^30, so rem * f + 10^9 - 1 < 2^63. */
uint64_t clock_ns_to_ticks(uint64_t ns, uint32_t freq_hz)
{
	uint64_t npt = whole_ns_per_tick(freq_hz);
	uint64_t sec = ns / CLOCK_NS_PER_SEC, rem = ns % CLOCK_NS_PER_SEC;
	uint64_t ticks;

	if (npt) { /* rounded up; never more than ns, so it cannot overflow */
		ticks = ns / npt;
		return ticks + (ticks * npt != ns);
	}
	if (__builtin_mul_overflow(sec, (uint64_t)freq_hz, &ticks))
		return UINT64_MAX;
	if (__builtin_add_overflow(ticks, (rem * freq_hz + CLOCK_NS_PER_SEC - 1) / CLOCK_NS_PER_SEC, &ticks))
		return UINT64_MAX;
	return ticks;
}
