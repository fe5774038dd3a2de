/* test_exception.c — synchronous exceptions are caught, decoded and reported correctly. */
#include "cmsis_aarch64.h"
#include "esr.h"
#include "exception.h"
#include "keel/kstring.h"
#include "keel/ktest.h"

static struct {
	unsigned vector;
	uint64_t esr;
	uint64_t elr;
	int count;
	char report[2048];
	size_t len;
} caught;

static void report_sink(void *ctx, char c)
{
	(void)ctx;
	if (caught.len + 1 < sizeof(caught.report))
		caught.report[caught.len++] = c;
	caught.report[caught.len] = '\0';
}

/* Record the exception, keep its report, and resume after the faulting instruction. */
static bool record_and_skip(struct trap_frame *tf, unsigned vector)
{
	caught.vector = vector;
	caught.esr = tf->esr;
	caught.elr = tf->elr;
	caught.count++;
	caught.len = 0;
	exception_report(tf, vector, report_sink, NULL);
	tf->elr += 4;
	return true;
}

static void arm(void)
{
	memset(&caught, 0, sizeof(caught));
	exception_set_fixup(record_and_skip);
}

KTEST(exception_brk_decoded)
{
	arm();
	__BRK_TEST();
	exception_set_fixup(NULL);
	KTEST_EXPECT(caught.count == 1);
	KTEST_EXPECT(caught.vector == 4); /* current EL with SPx, synchronous */
	KTEST_EXPECT(esr_ec(caught.esr) == ESR_EC_BRK64);
	KTEST_EXPECT((esr_iss(caught.esr) & 0xFFFF) == 0x4b1);
	KTEST_EXPECT(strstr_k(caught.report, "BRK instruction (AArch64): immediate 0x4b1") != NULL);
	KTEST_EXPECT(strstr_k(caught.report, "ELR  0x") != NULL);
	KTEST_EXPECT(strstr_k(caught.report, "x30 0x") != NULL);
}

KTEST(exception_undefined_instruction_decoded)
{
	arm();
	__UDF_TEST();
	exception_set_fixup(NULL);
	KTEST_EXPECT(caught.count == 1);
	KTEST_EXPECT(esr_ec(caught.esr) == ESR_EC_UNKNOWN);
	KTEST_EXPECT(strstr_k(caught.report, "Unknown reason (undefined instruction)") != NULL);
}

KTEST(exception_resumes_after_fixup)
{
	volatile int after = 0;

	arm();
	__BRK_TEST();
	after = 1;
	exception_set_fixup(NULL);
	KTEST_EXPECT(after == 1);
	KTEST_EXPECT(caught.count == 1);
}
