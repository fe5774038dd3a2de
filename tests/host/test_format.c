/* test_format.c — host unit tests of the printk formatter (lib/format.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "keel/format.h"

#define CHECK_FMT(expect, ...)                                                \
	do {                                                                  \
		char buf_[128];                                               \
		size_t n_ = format_snprintf(buf_, sizeof(buf_), __VA_ARGS__); \
		assert_string_equal(buf_, expect);                            \
		assert_int_equal(n_, strlen(expect));                         \
	} while (0)

static void test_decimal(void **state)
{
	(void)state;
	CHECK_FMT("0", "%d", 0);
	CHECK_FMT("-1", "%d", -1);
	CHECK_FMT("2147483647", "%d", 2147483647);
	CHECK_FMT("-2147483648", "%d", (int)INT32_MIN);
	CHECK_FMT("-9223372036854775808", "%ld", (long)INT64_MIN);
	CHECK_FMT("4294967295", "%u", 4294967295U);
	CHECK_FMT("18446744073709551615", "%lu", (unsigned long)UINT64_MAX);
	CHECK_FMT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	CHECK_FMT("42", "%i", 42);
	CHECK_FMT("123456", "%zu", (size_t)123456);
}

static void test_hex(void **state)
{
	(void)state;
	CHECK_FMT("ff", "%x", 255U);
	CHECK_FMT("FF", "%X", 255U);
	CHECK_FMT("deadbeefcafe", "%lx", 0xdeadbeefcafeUL);
	CHECK_FMT("ffffffffffffffff", "%llx", (unsigned long long)UINT64_MAX);
	CHECK_FMT("0", "%x", 0U);
}

static void test_width_and_padding(void **state)
{
	(void)state;
	CHECK_FMT("   42", "%5d", 42);
	CHECK_FMT("00042", "%05d", 42);
	CHECK_FMT("-0042", "%05d", -42);
	CHECK_FMT("  -42", "%5d", -42);
	CHECK_FMT("42   |", "%-5d|", 42);
	CHECK_FMT("0000beef", "%08x", 0xbeefU);
	CHECK_FMT("123456", "%3d", 123456); /* width is a minimum, never truncates */
	CHECK_FMT("   ab", "%*s", 5, "ab");
	CHECK_FMT("ab   |", "%*s|", -5, "ab");
	CHECK_FMT("    x", "%5c", 'x');
}

/* These tests pass what the compiler's format check rejects, on purpose. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

static void test_strings_and_chars(void **state)
{
	(void)state;
	CHECK_FMT("hello", "%s", "hello");
	CHECK_FMT("(null)", "%s", (char *)NULL);
	CHECK_FMT("hel", "%.3s", "hello");
	CHECK_FMT("he", "%.*s", 2, "hello");
	CHECK_FMT("  hel", "%5.3s", "hello");
	CHECK_FMT("a%b", "a%%b");
	CHECK_FMT("c=Z", "c=%c", 'Z');
}

static void test_pointer(void **state)
{
	(void)state;
	CHECK_FMT("0x0000000000001000", "%p", (void *)0x1000);
	CHECK_FMT("0x0000000000000000", "%p", NULL);
	CHECK_FMT("  0x00000000000000ff", "%20p", (void *)0xff);
}

static void test_unknown_conversion_is_visible(void **state)
{
	(void)state;
	CHECK_FMT("[%q]", "[%q]");
	CHECK_FMT("end%", "end%");
	CHECK_FMT("%5w", "%5w");
	CHECK_FMT("42   |", "%-05d|", 42); /* '-' wins over '0', as in C */
}

#pragma GCC diagnostic pop

static void test_truncation(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(format_snprintf(buf, 5, "%s", "abcdefgh"), 8);
	assert_string_equal(buf, "abcd");
	assert_int_equal(buf[5], 'X'); /* nothing written past size */
	assert_int_equal(format_snprintf(buf, 0, "%d", 12345), 5);
	assert_int_equal(buf[0], 'a'); /* size 0 writes nothing */
	assert_int_equal(format_snprintf(buf, 1, "%d", 7), 1);
	assert_string_equal(buf, "");
}

static void count_sink(void *ctx, char c)
{
	(void)c;
	(*(size_t *)ctx)++;
}

static size_t count_v(const char *fmt, ...)
{
	size_t seen = 0, n;
	va_list ap;

	va_start(ap, fmt);
	n = format_v(count_sink, &seen, fmt, ap);
	va_end(ap);
	assert_int_equal(n, seen);
	return n;
}

static void test_sink_count_matches(void **state)
{
	(void)state;
	assert_int_equal(count_v("%d %s %08x", -5, "xy", 3U), 2 + 1 + 2 + 1 + 8);
	assert_int_equal(count_v(""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_width_and_padding),
		cmocka_unit_test(test_strings_and_chars),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_unknown_conversion_is_visible),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_sink_count_matches),
	};
	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
