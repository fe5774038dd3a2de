/*
 * utest_crash — thread "crasher" of configs/utest.yaml: faults on purpose, a different way
 * after each restart by its fault handler (user/utest_main/handler.c), then exits.
 */
#include <keel/kinfo.h>
#include <system_tables.h>
#include <utest.h>
#include <utest_asm.h>

#define UNMAPPED 0xdead0000u

static struct keel_info info;
static uint64_t words[2];

int main(void)
{
	unsigned restarts;

	if (keel_kernel_info(&info, sizeof(info), NULL) != KERR_OK)
		return 1;
	restarts = info.thread[SYS_THREAD_CRASHER].restarts;
	printf("crasher: start %u\n", restarts);
	switch (restarts) {
	case 0: *(volatile uint32_t *)(uintptr_t)UNMAPPED = 1; break;
	case 1: utest_udf(); break;
	case 2: (void)utest_ldxr((const volatile uint8_t *)words + 1); break;
	case 3: *(volatile uint32_t *)(uintptr_t)&main = 0; break; /* its own text: read-only */
	default: puts("crasher: no more faults, exiting"); return 0;
	}
	printf("utest: FAIL fault %u: the thread kept running after its fault\n", restarts);
	return 1;
}
