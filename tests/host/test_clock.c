/* test_clock.c — host unit tests of the tick <-> nanosecond conversions (kernel/clock_conv.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "keel/clock.h"

#define QEMU_HZ	 62500000U   /* QEMU virt, raspi4b */
#define PI4_HZ	 54000000U   /* real Raspberry Pi 4 */
#define ODD_HZ	 19200000U   /* many Cortex-A SoCs (19.2 MHz crystal) */
#define GHZ	 1000000000U /* Armv8.6+ mandates 1 GHz */
#define MAX32_HZ 4294967295U /* the largest CNTFRQ_EL0 can hold */

static const uint32_t freqs[] = {QEMU_HZ, PI4_HZ, ODD_HZ, GHZ, 1U, 3U, 24000000U, 100000007U};

/* Reference: the same floor/ceil computed with 128-bit integers (host only). */
static uint64_t ref_ticks_to_ns(uint64_t t, uint32_t f)
{
	unsigned __int128 ns = (unsigned __int128)t * CLOCK_NS_PER_SEC / f;
	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

static uint64_t ref_ns_to_ticks(uint64_t ns, uint32_t f)
{
	unsigned __int128 t = ((unsigned __int128)ns * f + CLOCK_NS_PER_SEC - 1) / CLOCK_NS_PER_SEC;
	return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

static void test_exact_values(void **state)
{
	(void)state;
	/* 62.5 MHz: one tick is exactly 16 ns. */
	assert_int_equal(clock_ticks_to_ns(0, QEMU_HZ), 0);
	assert_int_equal(clock_ticks_to_ns(1, QEMU_HZ), 16);
	assert_int_equal(clock_ticks_to_ns(QEMU_HZ, QEMU_HZ), CLOCK_NS_PER_SEC);
	assert_int_equal(clock_ns_to_ticks(100000, QEMU_HZ), 6250); /* 100 us */
	assert_int_equal(clock_ns_to_ticks(CLOCK_NS_PER_SEC, QEMU_HZ), QEMU_HZ);
	/* 54 MHz: 1 s = 54 000 000 ticks, 1 ms = 54 000 ticks. */
	assert_int_equal(clock_ticks_to_ns(PI4_HZ, PI4_HZ), CLOCK_NS_PER_SEC);
	assert_int_equal(clock_ns_to_ticks(1000000, PI4_HZ), 54000);
	assert_int_equal(clock_ticks_to_ns(54000, PI4_HZ), 1000000);
	/* 1 GHz: identity. */
	assert_int_equal(clock_ticks_to_ns(123456789012345ULL, GHZ), 123456789012345ULL);
	assert_int_equal(clock_ns_to_ticks(123456789012345ULL, GHZ), 123456789012345ULL);
	/* 19.2 MHz: 192 ticks = 10 us. */
	assert_int_equal(clock_ticks_to_ns(192, ODD_HZ), 10000);
	assert_int_equal(clock_ns_to_ticks(10000, ODD_HZ), 192);
}

/* ticks -> ns rounds down, ns -> ticks rounds up (a deadline never fires early). */
static void test_rounding_direction(void **state)
{
	(void)state;
	/* 54 MHz: one tick = 18.518... ns */
	assert_int_equal(clock_ticks_to_ns(1, PI4_HZ), 18);
	assert_int_equal(clock_ticks_to_ns(2, PI4_HZ), 37);
	assert_int_equal(clock_ns_to_ticks(1, PI4_HZ), 1);
	assert_int_equal(clock_ns_to_ticks(18, PI4_HZ), 1);
	assert_int_equal(clock_ns_to_ticks(19, PI4_HZ), 2);
	/* 62.5 MHz */
	assert_int_equal(clock_ticks_to_ns(3, QEMU_HZ), 48);
	assert_int_equal(clock_ns_to_ticks(47, QEMU_HZ), 3);
	assert_int_equal(clock_ns_to_ticks(48, QEMU_HZ), 3);
	assert_int_equal(clock_ns_to_ticks(49, QEMU_HZ), 4);
	/* 19.2 MHz: one tick = 52.083... ns */
	assert_int_equal(clock_ticks_to_ns(1, ODD_HZ), 52);
	assert_int_equal(clock_ns_to_ticks(52, ODD_HZ), 1);
	assert_int_equal(clock_ns_to_ticks(53, ODD_HZ), 2);
	/* 1 Hz */
	assert_int_equal(clock_ns_to_ticks(1, 1), 1);
	assert_int_equal(clock_ticks_to_ns(1, 1), CLOCK_NS_PER_SEC);
}

/* Deterministic pseudo-random 64-bit values (xorshift64*), spread over all magnitudes. */
static uint64_t next_value(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	uint64_t v = *s * 2685821657736338717ULL;
	return v >> (v % 64U);
}

static void test_round_trip(void **state)
{
	uint64_t seed = 0x9E3779B97F4A7C15ULL;

	(void)state;
	for (size_t f = 0; f < sizeof(freqs) / sizeof(freqs[0]); f++) {
		uint32_t hz = freqs[f];
		uint64_t tick_ns = CLOCK_NS_PER_SEC / hz + 1; /* upper bound of one tick in ns */

		for (int i = 0; i < 20000; i++) {
			uint64_t v = next_value(&seed);
			uint64_t ns = clock_ticks_to_ns(v, hz);

			/* ticks -> ns -> ticks is the identity (f <= 1 GHz: every tick has its own ns). */
			if (ns != UINT64_MAX)
				assert_int_equal(clock_ns_to_ticks(ns, hz), v);
			/* ns -> ticks -> ns is never earlier, and at most one tick later. */
			uint64_t t = clock_ns_to_ticks(v, hz);
			uint64_t back = clock_ticks_to_ns(t, hz);
			if (t != UINT64_MAX && back != UINT64_MAX) {
				assert_true(back >= v);
				assert_true(back - v < tick_ns);
			}
		}
	}
}

/* Every result equals the exact 128-bit floor/ceil, saturated to UINT64_MAX. */
static void test_matches_128bit_reference(void **state)
{
	static const uint32_t all[] = {QEMU_HZ, PI4_HZ, ODD_HZ, GHZ, MAX32_HZ, 1U, 7U, 4000000000U};
	uint64_t seed = 12345;

	(void)state;
	for (size_t f = 0; f < sizeof(all) / sizeof(all[0]); f++) {
		for (int i = 0; i < 20000; i++) {
			uint64_t v = next_value(&seed);

			assert_int_equal(clock_ticks_to_ns(v, all[f]), ref_ticks_to_ns(v, all[f]));
			assert_int_equal(clock_ns_to_ticks(v, all[f]), ref_ns_to_ticks(v, all[f]));
		}
	}
}

/* The full 64-bit counter range: no wrap-around, saturation exactly where the result exceeds 64 bits. */
static void test_near_2_64(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(freqs) / sizeof(freqs[0]); f++) {
		uint32_t hz = freqs[f];
		const uint64_t vals[] = {UINT64_MAX,
					 UINT64_MAX - 1,
					 UINT64_MAX - hz,
					 1ULL << 63,
					 (1ULL << 63) - 1,
					 UINT64_MAX / CLOCK_NS_PER_SEC * hz,
					 UINT64_MAX / hz * CLOCK_NS_PER_SEC};

		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			assert_int_equal(clock_ticks_to_ns(vals[i], hz), ref_ticks_to_ns(vals[i], hz));
			assert_int_equal(clock_ns_to_ticks(vals[i], hz), ref_ns_to_ticks(vals[i], hz));
		}
	}
	/* 62.5 MHz: 2^64 - 1 ticks is 9 358 years, more ns than 64 bits hold: saturates. */
	assert_int_equal(clock_ticks_to_ns(UINT64_MAX, QEMU_HZ), UINT64_MAX);
	/* The last tick count that still fits: floor((2^64 - 1) / 16). */
	assert_int_equal(clock_ticks_to_ns(UINT64_MAX / 16, QEMU_HZ), UINT64_MAX / 16 * 16);
	assert_int_equal(clock_ticks_to_ns(UINT64_MAX / 16 + 1, QEMU_HZ), UINT64_MAX);
	/* ns -> ticks never saturates for f <= 1 GHz: 2^64 - 1 ns at 62.5 MHz is (2^64 - 1) / 16 rounded up. */
	assert_int_equal(clock_ns_to_ticks(UINT64_MAX, QEMU_HZ), UINT64_MAX / 16 + 1);
	assert_int_equal(clock_ns_to_ticks(UINT64_MAX, GHZ), UINT64_MAX);
	/* 4.29 GHz: ns -> ticks exceeds 64 bits and saturates. */
	assert_int_equal(clock_ns_to_ticks(UINT64_MAX, MAX32_HZ), UINT64_MAX);
}

/* Monotonic: a later tick count never converts to an earlier time, and vice versa. */
static void test_monotonic(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof(freqs) / sizeof(freqs[0]); f++) {
		uint64_t prev_ns = 0, prev_t = 0;

		for (uint64_t v = 0; v < 5000; v++) {
			uint64_t ns = clock_ticks_to_ns(v, freqs[f]);
			uint64_t t = clock_ns_to_ticks(v, freqs[f]);

			assert_true(ns >= prev_ns);
			assert_true(t >= prev_t);
			prev_ns = ns;
			prev_t = t;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_values), cmocka_unit_test(test_rounding_direction),
		cmocka_unit_test(test_round_trip),   cmocka_unit_test(test_matches_128bit_reference),
		cmocka_unit_test(test_near_2_64),    cmocka_unit_test(test_monotonic),
	};
	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
