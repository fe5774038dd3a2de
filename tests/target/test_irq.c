/* test_irq.c — the GIC driver and IRQ dispatcher: SGIs, pending state while masked, enable, priorities. */
#include "cmsis_aarch64.h"
#include "gic.h"
#include "keel/irq.h"
#include "keel/ktest.h"

/* SPIs no device on QEMU virt uses (its devices sit below INTID 112), made pending by software. */
#define TEST_SPI_A 200U
#define TEST_SPI_B 201U

static struct {
	volatile unsigned count;
	unsigned order[8];
} seen;

static void record_irq(unsigned irq, void *ctx)
{
	(void)ctx;
	if (seen.count < 8)
		seen.order[seen.count] = irq;
	seen.count++;
}

static void reset_seen(void)
{
	seen.count = 0;
	for (unsigned i = 0; i < 8; i++)
		seen.order[i] = ~0U;
}

/* Tests do not rely on their order: each makes sure IRQs are unmasked in PSTATE. */
static void setup(unsigned irq)
{
	__enable_irq();
	irq_register(irq, record_irq, NULL);
	irq_set_priority(irq, GIC_PRIO_DEFAULT);
	irq_enable(irq);
}

static void teardown(unsigned irq)
{
	irq_disable(irq);
	irq_clear_pending(irq);
	irq_set_priority(irq, GIC_PRIO_DEFAULT);
	irq_register(irq, NULL, NULL);
}

KTEST(irq_sgi_to_self_delivered_with_its_id)
{
	static const unsigned sgis[] = {0, 7, 15};

	for (unsigned i = 0; i < 3; i++) {
		setup(sgis[i]);
		reset_seen();
		irq_send_sgi_self(sgis[i]);
		__ISB();
		KTEST_EXPECT(seen.count == 1);
		KTEST_EXPECT(seen.order[0] == sgis[i]);
		teardown(sgis[i]);
	}
}

/* The boot CPU is MPIDR affinity 0.0.0.0 (boot.S parks the others), so CPU 0 is this one. */
KTEST(irq_sgi_to_cpu0_delivered)
{
	setup(9);
	reset_seen();
	gic_send_sgi(0, 9);
	__ISB();
	KTEST_EXPECT(seen.count == 1);
	KTEST_EXPECT(seen.order[0] == 9);
	teardown(9);
}

KTEST(irq_masked_stays_pending_until_unmasked)
{
	setup(5);
	reset_seen();
	__disable_irq();
	irq_send_sgi_self(5);
	for (int i = 0; i < 1000; i++)
		__NOP();
	KTEST_EXPECT(seen.count == 0);
	KTEST_EXPECT(irq_is_pending(5));
	__enable_irq();
	__ISB();
	KTEST_EXPECT(seen.count == 1);
	KTEST_EXPECT(seen.order[0] == 5);
	KTEST_EXPECT(!irq_is_pending(5));
	teardown(5);
}

KTEST(irq_disabled_spi_not_delivered)
{
	setup(TEST_SPI_A);
	irq_disable(TEST_SPI_A);
	reset_seen();
	irq_set_pending(TEST_SPI_A);
	for (int i = 0; i < 1000; i++)
		__NOP();
	KTEST_EXPECT(seen.count == 0);
	KTEST_EXPECT(irq_is_pending(TEST_SPI_A));
	irq_enable(TEST_SPI_A);
	__ISB();
	KTEST_EXPECT(seen.count == 1);
	KTEST_EXPECT(seen.order[0] == TEST_SPI_A);
	teardown(TEST_SPI_A);
}

/* The more urgent (lower value) priority is taken first, even with the higher INTID. */
KTEST(irq_priority_decides_order)
{
	setup(TEST_SPI_A);
	setup(TEST_SPI_B);
	setup(3);
	irq_set_priority(TEST_SPI_A, 0xC0);
	irq_set_priority(TEST_SPI_B, 0x80);
	irq_set_priority(3, 0xA0);
	reset_seen();
	__disable_irq();
	irq_set_pending(TEST_SPI_A);
	irq_set_pending(TEST_SPI_B);
	irq_send_sgi_self(3);
	__enable_irq();
	__ISB();
	KTEST_EXPECT(seen.count == 3);
	KTEST_EXPECT(seen.order[0] == TEST_SPI_B);
	KTEST_EXPECT(seen.order[1] == 3);
	KTEST_EXPECT(seen.order[2] == TEST_SPI_A);
	teardown(TEST_SPI_A);
	teardown(TEST_SPI_B);
	teardown(3);
}

/* With nothing pending, an acknowledge returns the spurious ID 1023 and needs no EOI. */
KTEST(irq_ack_without_pending_is_spurious)
{
	uint32_t token;

	__disable_irq();
	unsigned id = gic_ack(&token);
	__enable_irq();
	KTEST_EXPECT(id == 1023);
}

KTEST(irq_gic_reports_lines)
{
	KTEST_EXPECT(gic_version() == 2 || gic_version() == 3);
	KTEST_EXPECT(gic_nr_lines() >= 64 && gic_nr_lines() <= 1020);
	KTEST_EXPECT(gic_nr_lines() % 32 == 0);
	KTEST_EXPECT(TEST_SPI_B < gic_nr_lines());
}
