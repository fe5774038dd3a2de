/* test_mmu.c — the MMU is on, the kernel runs in the upper half, and W^X and unmapped addresses fault. */
#include "board.h"
#include "cmsis_aarch64.h"
#include "esr.h"
#include "exception.h"
#include "memlayout.h"
#include "mmu.h"
#include "pte.h"
#include "keel/kstring.h"
#include "keel/ktest.h"
#include "keel/mmio.h"

#define INSN_RET 0xd65f03c0U /* ret */

extern char __text_start[], __rodata_start[], __data_start[], __kernel_end[];

static struct {
	int count;
	uint64_t esr;
	uint64_t far;
	uint64_t elr;
	char report[2048];
	size_t len;
} fault;

/* Executable-looking words in writable memory: branching to either must fault. */
static uint32_t data_code[2] = {INSN_RET, INSN_RET};
static uint32_t bss_code[2];
static const uint32_t rodata_word = 0x4b1d0000U;

static void report_sink(void *ctx, char c)
{
	(void)ctx;
	if (fault.len + 1 < sizeof(fault.report))
		fault.report[fault.len++] = c;
	fault.report[fault.len] = '\0';
}

/*
 * Record an abort and resume. A data abort resumes after the faulting load or store. An
 * instruction abort comes from a `blr` to a non-executable address: ELR is that address, so
 * resume at the link register, as if the called code had returned at once.
 */
static bool record_abort(struct trap_frame *tf, unsigned vector)
{
	fault.count++;
	fault.esr = tf->esr;
	fault.far = tf->far;
	fault.elr = tf->elr;
	fault.len = 0;
	exception_report(tf, vector, report_sink, NULL);
	if (esr_ec(tf->esr) == ESR_EC_IABT_CUR)
		tf->elr = tf->x[30];
	else
		tf->elr += 4;
	return true;
}

static void arm(void)
{
	memset(&fault, 0, sizeof(fault));
	exception_set_fixup(record_abort);
}

static void disarm(void)
{
	exception_set_fixup(NULL);
}

static unsigned fault_status(void)
{
	return esr_iss(fault.esr) & 0x3FU;
}

static bool is_permission_fault(void)
{
	return (fault_status() & 0x3CU) == 0x0CU;
}

static bool is_translation_fault(void)
{
	return (fault_status() & 0x3CU) == 0x04U;
}

static bool is_write(void)
{
	return (esr_iss(fault.esr) >> 6) & 1U;
}

static volatile int calls_returned;

/* Call @addr through a function pointer; the count after the call keeps it from being a tail call. */
static void __attribute__((noinline)) call_at(uintptr_t addr)
{
	void (*fn)(void) = (void (*)(void))addr;

	fn();
	calls_returned++;
}

KTEST(mmu_sctlr_has_m_c_i_wxn)
{
	uint64_t sctlr = __MRS(SCTLR_EL1);

	KTEST_EXPECT(sctlr & SCTLR_EL1_M_Msk);
	KTEST_EXPECT(sctlr & SCTLR_EL1_C_Msk);
	KTEST_EXPECT(sctlr & SCTLR_EL1_I_Msk);
	KTEST_EXPECT(sctlr & SCTLR_EL1_WXN_Msk);
	KTEST_EXPECT(__MRS(MAIR_EL1) == MMU_MAIR_EL1);
}

KTEST(mmu_runs_in_upper_half)
{
	int local = 0;
	uint64_t tcr = __MRS(TCR_EL1);

	KTEST_EXPECT(__current_pc() >= KERNEL_VA_BASE);
	KTEST_EXPECT((uintptr_t)&local >= KERNEL_VA_BASE); /* the stack too */
	KTEST_EXPECT(__MRS(VBAR_EL1) >= KERNEL_VA_BASE);
	KTEST_EXPECT(__MRS(TTBR1_EL1) == mmu_layout.ttbr1);
	/* TTBR0 walks are on (space_cpu_init), from an empty table when no space is active. */
	KTEST_EXPECT(!(tcr & TCR_EPD0_Msk));
	KTEST_EXPECT(((tcr & TCR_T1SZ_Msk) >> TCR_T1SZ_Pos) == 16);
	KTEST_EXPECT((uintptr_t)mmio_va(BOARD_UART_BASE) == KERNEL_VA_OFFSET + BOARD_UART_BASE);
}

KTEST(mmu_mappings_have_their_attributes)
{
	unsigned level = 99;
	uint64_t d;

	d = mmu_lookup((uintptr_t)__text_start, &level);
	KTEST_EXPECT(pte_prot(d) == PTE_PROT_RX && level == 3 && (d & PTE_UXN_Msk));
	KTEST_EXPECT(pte_addr(d) == BOARD_KERNEL_LOAD);
	d = mmu_lookup((uintptr_t)__rodata_start, &level);
	KTEST_EXPECT(pte_prot(d) == PTE_PROT_R && level == 3);
	d = mmu_lookup((uintptr_t)__data_start, &level);
	KTEST_EXPECT(pte_prot(d) == PTE_PROT_RW && level == 3);
	d = mmu_lookup((uintptr_t)mmio_va(BOARD_UART_BASE), &level);
	KTEST_EXPECT(pte_prot(d) == PTE_PROT_RW && pte_memtype(d) == PTE_MEM_DEVICE);
	d = mmu_lookup(memlayout_va(mmu_layout.ram_end - 1), &level);
	KTEST_EXPECT(pte_prot(d) == PTE_PROT_RW && pte_memtype(d) == PTE_MEM_NORMAL &&
		     (level == 2 || level == 1));
	KTEST_EXPECT(mmu_lookup(memlayout_va(mmu_layout.ram_end), &level) == 0);
	KTEST_EXPECT(mmu_layout.pt_kernel + mmu_layout.pt_boot <= CONFIG_MMU_PT_PAGES);
}

KTEST(mmu_no_writable_executable_mapping)
{
	KTEST_EXPECT(mmu_check() == 0);
}

/*
 * The check is not vacuous: a W+X block planted in an unused level 2 entry is reported. The
 * entry is the 2 MiB just below the device window (2 MiB aligned, never RAM on any board), in the
 * level 2 table that maps the window; it aliases the last 2 MiB of RAM.
 */
KTEST(mmu_check_reports_writable_executable)
{
	unsigned level = 0;
	uintptr_t va = (uintptr_t)mmio_va(BOARD_DEVICE_BASE) - pte_level_size(2);
	uint64_t pa = mmu_layout.ram_end - pte_level_size(2);
	uint64_t desc;
	uint64_t *l2;

	/* The device window's level 2 table (2 MiB blocks there). */
	KTEST_EXPECT(mmu_lookup(va + pte_level_size(2), &level) != 0 && level == 2);
	desc = ((const uint64_t *)memlayout_va(mmu_layout.ttbr1))[pte_index(va, 0)];
	desc = ((const uint64_t *)memlayout_va(pte_addr(desc)))[pte_index(va, 1)];
	l2 = (uint64_t *)memlayout_va(pte_addr(desc));
	KTEST_EXPECT(l2[pte_index(va, 2)] == 0);

	/* invalid -> valid needs no break-before-make; the way back needs TLB maintenance. */
	l2[pte_index(va, 2)] = pte_leaf(pa, 2, PTE_PROT_RW, PTE_MEM_NORMAL) & ~PTE_PXN_Msk;
	KTEST_EXPECT(mmu_check() == 1);
	l2[pte_index(va, 2)] = 0;
	__DSB_ISHST();
	__TLBI_VMALLE1IS();
	__DSB_ISH();
	__ISB();
	KTEST_EXPECT(mmu_check() == 0);
}

KTEST(mmu_write_to_text_faults)
{
	/* Masked so the compiler knows the alignment and emits one word store (-mstrict-align). */
	volatile uint32_t *text = (volatile uint32_t *)((uintptr_t)&call_at & ~(uintptr_t)3);
	uint32_t before = *text;

	arm();
	*text = 0;
	disarm();
	KTEST_EXPECT(fault.count == 1);
	KTEST_EXPECT(esr_ec(fault.esr) == ESR_EC_DABT_CUR);
	KTEST_EXPECT(is_permission_fault() && is_write());
	KTEST_EXPECT(fault.far == (uintptr_t)text);
	KTEST_EXPECT(strstr_k(fault.report, "permission fault, level 3, write") != NULL);
	KTEST_EXPECT(*text == before);
}

KTEST(mmu_write_to_rodata_faults)
{
	volatile uint32_t *ro = (volatile uint32_t *)(uintptr_t)&rodata_word;

	arm();
	*ro = 1;
	disarm();
	KTEST_EXPECT(fault.count == 1);
	KTEST_EXPECT(esr_ec(fault.esr) == ESR_EC_DABT_CUR);
	KTEST_EXPECT(is_permission_fault() && is_write());
	KTEST_EXPECT(fault.far == (uintptr_t)ro);
	KTEST_EXPECT(*ro == 0x4b1d0000U);
}

static void expect_exec_fault(uintptr_t addr)
{
	int returned = calls_returned;

	arm();
	call_at(addr);
	disarm();
	KTEST_EXPECT(fault.count == 1);
	KTEST_EXPECT(esr_ec(fault.esr) == ESR_EC_IABT_CUR);
	KTEST_EXPECT(is_permission_fault());
	KTEST_EXPECT(fault.far == addr && fault.elr == addr);
	KTEST_EXPECT(strstr_k(fault.report, "Instruction Abort (same EL): permission fault") != NULL);
	KTEST_EXPECT(calls_returned == returned + 1); /* resumed after the call */
}

KTEST(mmu_execute_from_data_faults)
{
	expect_exec_fault((uintptr_t)data_code);
}

KTEST(mmu_execute_from_bss_faults)
{
	bss_code[0] = INSN_RET;
	expect_exec_fault((uintptr_t)bss_code);
}

KTEST(mmu_execute_from_stack_faults)
{
	uint32_t stack_code[2] = {INSN_RET, INSN_RET};

	expect_exec_fault((uintptr_t)stack_code);
}

static void expect_read_translation_fault(uintptr_t addr, const char *decoded)
{
	arm();
	(void)*(volatile uint32_t *)addr;
	disarm();
	KTEST_EXPECT(fault.count == 1);
	KTEST_EXPECT(esr_ec(fault.esr) == ESR_EC_DABT_CUR);
	KTEST_EXPECT(is_translation_fault() && !is_write());
	KTEST_EXPECT(fault.far == addr);
	KTEST_EXPECT(strstr_k(fault.report, decoded) != NULL);
}

KTEST(mmu_unmapped_upper_half_read_faults)
{
	/*
	 * Just past the RAM linear map: the entry at the level of its last leaf is empty (level 2,
	 * or level 1 when RAM ends on a GiB boundary, e.g. QEMU virt with -m 1G).
	 */
	expect_read_translation_fault(memlayout_va(mmu_layout.ram_end),
				      mmu_layout.ram_end % pte_level_size(1)
					      ? "Data Abort (same EL): translation fault, level 2, read"
					      : "Data Abort (same EL): translation fault, level 1, read");
	/* Just below the device window: its level 2 table exists, the entry does not. */
	expect_read_translation_fault((uintptr_t)mmio_va(BOARD_DEVICE_BASE) - pte_level_size(2),
				      "Data Abort (same EL): translation fault, level 2, read");
	/* 1 TiB into the upper half: no level 0 entry at all. */
	expect_read_translation_fault(KERNEL_VA_BASE + (1UL << 40),
				      "Data Abort (same EL): translation fault, level 0, read");
}

KTEST(mmu_lower_half_is_empty)
{
	/*
	 * The kernel's own physical address was identity-mapped only while the MMU was turned on;
	 * with no space active, TTBR0 holds an empty level 0 table.
	 */
	expect_read_translation_fault(BOARD_KERNEL_LOAD, "translation fault, level 0, read");
}
