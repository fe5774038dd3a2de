/* test_pte.c — host unit tests of translation table descriptor encoding (pte.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmsis_aarch64.h"
#include "mmu.h"
#include "pte.h"

static void test_pte_geometry(void **state)
{
	(void)state;
	assert_int_equal(pte_shift(0), 39);
	assert_int_equal(pte_shift(3), 12);
	assert_true(pte_level_size(1) == (1UL << 30));
	assert_true(pte_level_size(2) == (2UL << 20));
	/* 0xffff000040080000: level 0 index 0, level 1 index 1, level 2 index 0, level 3 index 0x80 */
	assert_int_equal(pte_index(0xffff000040080000UL, 0), 0);
	assert_int_equal(pte_index(0xffff000040080000UL, 1), 1);
	assert_int_equal(pte_index(0xffff000040080000UL, 2), 0);
	assert_int_equal(pte_index(0xffff000040080000UL, 3), 0x80);
	assert_int_equal(pte_index(0xffff010000000000UL, 0), 2);
}

static void test_pte_table(void **state)
{
	(void)state;
	assert_true(pte_table(0x40089000UL) == 0x40089003UL);
	assert_true(pte_is_table(0x40089003UL, 0));
	assert_true(pte_is_table(0x40089003UL, 2));
	assert_false(pte_is_table(0x40089003UL, 3)); /* at level 3 the same bits mean page */
	assert_false(pte_is_table(0x40089001UL, 1)); /* block */
	assert_false(pte_is_table(0, 1));
}

static void test_pte_text_page(void **state)
{
	uint64_t d = pte_leaf(0x40080000UL, 3, PTE_PROT_RX, PTE_MEM_NORMAL);

	(void)state;
	/* page, AttrIndx 0, AP read-only EL1 only, inner shareable, AF, UXN, not PXN */
	assert_true(d == (0x40080000UL | 3U | (0UL << 2) | PTE_AP_RO_Msk | PTE_SH_INNER | PTE_AF_Msk |
			  PTE_UXN_Msk));
	assert_int_equal(pte_prot(d), PTE_PROT_RX);
	assert_int_equal(pte_memtype(d), PTE_MEM_NORMAL);
	assert_true(pte_addr(d) == 0x40080000UL);
}

static void test_pte_data_and_rodata(void **state)
{
	uint64_t rw = pte_leaf(0x40088000UL, 3, PTE_PROT_RW, PTE_MEM_NORMAL);
	uint64_t ro = pte_leaf(0x40085000UL, 3, PTE_PROT_R, PTE_MEM_NORMAL);

	(void)state;
	assert_int_equal(pte_prot(rw), PTE_PROT_RW);
	assert_true(rw & PTE_PXN_Msk);
	assert_true(rw & PTE_UXN_Msk);
	assert_false(rw & PTE_AP_RO_Msk);
	assert_int_equal(pte_prot(ro), PTE_PROT_R);
	assert_true(ro & PTE_PXN_Msk);
	assert_true(ro & PTE_AP_RO_Msk);
	assert_false(ro & PTE_AP_EL0_Msk);
	assert_false(ro & PTE_NG_Msk); /* kernel mappings are global */
}

static void test_pte_blocks_and_devices(void **state)
{
	uint64_t ram = pte_leaf(0x40200000UL, 2, PTE_PROT_RW, PTE_MEM_NORMAL);
	uint64_t dev = pte_leaf(0x08000000UL, 2, PTE_PROT_RW, PTE_MEM_DEVICE);

	(void)state;
	assert_true((ram & 3U) == 1U); /* block */
	assert_true((dev & 3U) == 1U);
	assert_int_equal(pte_memtype(dev), PTE_MEM_DEVICE);
	assert_true(dev & PTE_PXN_Msk);
	assert_true(dev & PTE_UXN_Msk);
	assert_true((dev & PTE_SH_Msk) == 0);
	assert_true(pte_leaf(0x40000000UL, 1, PTE_PROT_RW, PTE_MEM_NORMAL) != 0); /* 1 GiB block */
}

static void test_pte_refusals(void **state)
{
	(void)state;
	assert_true(pte_leaf(0x40080000UL, 3, PTE_PROT_RW | PTE_PROT_X, PTE_MEM_NORMAL) == 0); /* W^X */
	assert_true(pte_leaf(0x09000000UL, 3, PTE_PROT_RX, PTE_MEM_DEVICE) == 0);
	assert_true(pte_leaf(0x40080000UL, 2, PTE_PROT_RW, PTE_MEM_NORMAL) == 0); /* not 2 MiB aligned */
	assert_true(pte_leaf(0x40081800UL, 3, PTE_PROT_RW, PTE_MEM_NORMAL) == 0);
	assert_true(pte_leaf(0, 0, PTE_PROT_RW, PTE_MEM_NORMAL) == 0); /* no blocks at level 0 */
	assert_true(pte_leaf(0x40080000UL, 3, PTE_PROT_W, PTE_MEM_NORMAL) == 0);
	assert_true(pte_leaf(1UL << 48, 3, PTE_PROT_R, PTE_MEM_NORMAL) == 0);
	assert_int_equal(pte_prot(0), 0);
}

static void test_pte_prot_names(void **state)
{
	char buf[4];

	(void)state;
	assert_string_equal(pte_prot_name(PTE_PROT_RX, buf), "RX");
	assert_string_equal(pte_prot_name(PTE_PROT_RW, buf), "RW");
	assert_string_equal(pte_prot_name(PTE_PROT_R, buf), "R");
	assert_string_equal(pte_prot_name(0, buf), "-");
}

static void test_pte_register_values(void **state)
{
	(void)state;
	/* MAIR: index 0 Normal WB, 1 Normal NC, 2 Device-nGnRE */
	assert_true(MMU_MAIR_EL1 == 0x0444FFUL);
	assert_true((MMU_SCTLR_EL1_ON &
		     (SCTLR_EL1_M_Msk | SCTLR_EL1_C_Msk | SCTLR_EL1_I_Msk | SCTLR_EL1_WXN_Msk)) ==
		    (SCTLR_EL1_M_Msk | SCTLR_EL1_C_Msk | SCTLR_EL1_I_Msk | SCTLR_EL1_WXN_Msk));
}

static void test_pte_user_pages(void **state)
{
	uint64_t rw = pte_user_page(0x40100000UL, PTE_PROT_RW, PTE_MEM_NORMAL);
	uint64_t rx = pte_user_page(0x40101000UL, PTE_PROT_RX, PTE_MEM_NORMAL);
	uint64_t ro = pte_user_page(0x40102000UL, PTE_PROT_R, PTE_MEM_NORMAL_NC);
	uint64_t dev = pte_user_page(0x09000000UL, PTE_PROT_RW, PTE_MEM_DEVICE);

	(void)state;
	/* page, AttrIndx 0, EL0 RW, inner shareable, AF, nG, PXN, UXN */
	assert_true(rw == (0x40100000UL | 3U | PTE_AP_EL0_Msk | PTE_SH_INNER | PTE_AF_Msk | PTE_NG_Msk |
			   PTE_PXN_Msk | PTE_UXN_Msk));
	assert_int_equal(pte_user_prot(rw), PTE_PROT_RW);
	assert_true((rx & (PTE_UXN_Msk | PTE_AP_RO_Msk | PTE_PXN_Msk)) == (PTE_AP_RO_Msk | PTE_PXN_Msk));
	assert_int_equal(pte_user_prot(rx), PTE_PROT_RX);
	assert_int_equal(pte_user_prot(ro), PTE_PROT_R);
	assert_int_equal(pte_memtype(ro), PTE_MEM_NORMAL_NC);
	assert_int_equal(pte_memtype(dev), PTE_MEM_DEVICE);
	assert_int_equal(pte_user_prot(dev), PTE_PROT_RW);
	assert_true((dev & PTE_SH_Msk) == 0);
	assert_true(pte_addr(dev) == 0x09000000UL);
	/* Refused: no R, W+X, executable device, unknown type, misaligned or too large address. */
	assert_true(pte_user_page(0x40100000UL, PTE_PROT_W, PTE_MEM_NORMAL) == 0);
	assert_true(pte_user_page(0x40100000UL, PTE_PROT_X, PTE_MEM_NORMAL) == 0);
	assert_true(pte_user_page(0x40100000UL, PTE_PROT_RW | PTE_PROT_X, PTE_MEM_NORMAL) == 0);
	assert_true(pte_user_page(0x09000000UL, PTE_PROT_RX, PTE_MEM_DEVICE) == 0);
	assert_true(pte_user_page(0x40100000UL, PTE_PROT_R, (enum pte_memtype)3) == 0);
	assert_true(pte_user_page(0x40100800UL, PTE_PROT_R, PTE_MEM_NORMAL) == 0);
	assert_true(pte_user_page(1UL << 48, PTE_PROT_R, PTE_MEM_NORMAL) == 0);
	/* Kernel leaves, tables and invalid descriptors grant EL0 nothing. */
	assert_int_equal(pte_user_prot(pte_leaf(0x40080000UL, 3, PTE_PROT_RW, PTE_MEM_NORMAL)), 0);
	assert_int_equal(pte_user_prot(0), 0);
	assert_int_equal(pte_user_prot(rw & ~PTE_VALID_Msk), 0);
	assert_int_equal(pte_user_prot(rw & ~PTE_TYPE_Msk), 0); /* a block, not a page */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pte_geometry),	       cmocka_unit_test(test_pte_table),
		cmocka_unit_test(test_pte_text_page),	       cmocka_unit_test(test_pte_data_and_rodata),
		cmocka_unit_test(test_pte_blocks_and_devices), cmocka_unit_test(test_pte_refusals),
		cmocka_unit_test(test_pte_prot_names),	       cmocka_unit_test(test_pte_register_values),
		cmocka_unit_test(test_pte_user_pages),
	};

	return cmocka_run_group_tests_name("pte", tests, NULL, NULL);
}
