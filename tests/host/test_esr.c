/* test_esr.c — host unit tests of ESR decoding and CPU naming. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cpu.h"
#include "esr.h"

static void describe(uint64_t esr, const char *expect)
{
	char buf[160];

	esr_describe(esr, buf, sizeof(buf));
	assert_string_equal(buf, expect);
}

static void test_class_fields(void **state)
{
	(void)state;
	assert_int_equal(esr_ec(0x96000045ULL), 0x25);
	assert_int_equal(esr_iss(0x96000045ULL), 0x45);
	assert_string_equal(esr_class_name(0x3C), "BRK instruction (AArch64)");
	assert_string_equal(esr_class_name(0x3F), "Reserved/unhandled exception class");
}

static void test_data_abort(void **state)
{
	(void)state;
	/* EC 0x25, IL, WnR, DFSC 0x05 = translation fault level 1 */
	describe(0x96000045ULL, "Data Abort (same EL): translation fault, level 1, write");
	/* EC 0x24, ISV with SAS = 3 (doubleword), read, permission fault level 3 */
	describe((0x24ULL << 26) | (1ULL << 25) | (1ULL << 24) | (3ULL << 22) | 0x0F,
		 "Data Abort (lower EL): permission fault, level 3, read, doubleword");
	/* alignment fault, FnV */
	describe((0x25ULL << 26) | (1ULL << 10) | 0x21,
		 "Data Abort (same EL): alignment fault, read, FAR not valid");
	describe((0x25ULL << 26) | 0x10, "Data Abort (same EL): synchronous external abort, read");
	describe((0x25ULL << 26) | 0x3F, "Data Abort (same EL): fault status 0x3f (reserved), read");
}

static void test_instruction_abort(void **state)
{
	(void)state;
	describe((0x21ULL << 26) | 0x0E, "Instruction Abort (same EL): permission fault, level 2");
	describe((0x20ULL << 26) | 0x09, "Instruction Abort (lower EL): access flag fault, level 1");
}

static void test_immediates_and_sysreg(void **state)
{
	(void)state;
	describe((0x15ULL << 26) | (1ULL << 25) | 0x7, "SVC (AArch64): immediate 0x7");
	describe(0xf20004b1ULL, "BRK instruction (AArch64): immediate 0x4b1");
	/* MRS x3, S3_0_C15_C2_0 trapped: Op0=3 Op2=0 Op1=0 CRn=15 Rt=3 CRm=2 read */
	describe((0x18ULL << 26) | (3ULL << 20) | (0ULL << 17) | (0ULL << 14) | (15ULL << 10) | (3ULL << 5) |
			 (2ULL << 1) | 1,
		 "Trapped MSR/MRS/system instruction: MRS S3_0_C15_C2_0, x3");
	describe(0x02000000ULL, "Unknown reason (undefined instruction): ISS 0x0000000");
	describe(0x00000000ULL, "Unknown reason (undefined instruction): ISS 0x0000000 (16-bit instruction)");
}

static void test_describe_truncates_safely(void **state)
{
	char small[10];
	size_t need;

	(void)state;
	memset(small, 'X', sizeof(small));
	need = esr_describe(0x96000045ULL, small, sizeof(small));
	assert_true(need > sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_cpu_name(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(cpu_name(0x410fd083ULL, buf, sizeof(buf)), "ARM Cortex-A72 r0p3");
	assert_string_equal(cpu_name(0x410fd034ULL, buf, sizeof(buf)), "ARM Cortex-A53 r0p4");
	assert_string_equal(cpu_name(0x611f0221ULL, buf, sizeof(buf)), "implementer 0x61 part 0x022 r1p1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class_fields),
		cmocka_unit_test(test_data_abort),
		cmocka_unit_test(test_instruction_abort),
		cmocka_unit_test(test_immediates_and_sysreg),
		cmocka_unit_test(test_describe_truncates_safely),
		cmocka_unit_test(test_cpu_name),
	};
	return cmocka_run_group_tests_name("esr", tests, NULL, NULL);
}
