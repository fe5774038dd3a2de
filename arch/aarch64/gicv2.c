/* gicv2.c — GICv2 driver (GIC-400, QEMU virt gic-version=2): distributor plus memory-mapped CPU interface. */
#include "board.h"
#include "gic.h"
#include "keel/mmio.h"
#include "periph_gic.h"

static GICD_Type *gicd;
static GICC_Type *gicc;
GICC_Type *gicv2_cpu_iface; /* gic.h: the inline acknowledge and EOI use it */
static unsigned nr_lines;

/*
 * Everything in Group 0 with GICC_CTLR.EnableGrp0 only: without security extensions Group 0
 * is signalled as IRQ (FIQEn = 0). PLATFORM-NOTES: Group 1 with GICC_CTLR = 3 gave an endless
 * stream of spurious 1022 on QEMU.
 */
static void gicv2_cpu_init(void);

static void gicv2_init(void)
{
	gicd = mmio_va(BOARD_GICD_BASE);
	gicc = mmio_va(BOARD_GICC_BASE);
	gicv2_cpu_iface = gicc;

	unsigned lines = gicd_typer_lines(gicd->TYPER);

	nr_lines = lines;

	gicd->CTLR = 0;
	for (unsigned i = 0; i < (lines + 31U) / 32U; i++) {
		gicd->ICENABLER[i] = 0xFFFFFFFFU;
		gicd->ICPENDR[i] = 0xFFFFFFFFU;
		gicd->ICACTIVER[i] = 0xFFFFFFFFU;
		gicd->IGROUPR[i] = 0; /* Group 0 */
	}
	for (unsigned id = 0; id < lines; id++)
		gicd->IPRIORITYR[id] = GIC_PRIO_DEFAULT;
	/* SPIs go to CPU interface 0; ITARGETSR of SGIs and PPIs is read-only (IHI 0048B 4.3.12). */
	for (unsigned id = GIC_PRIVATE_COUNT; id < lines; id++)
		gicd->ITARGETSR[id] = 0x01U;
	gicd->CTLR = GICD_CTLR_EnableGrp0_Msk;
	gicv2_cpu_init();
}

/*
 * The CPU interface and the distributor's SGI/PPI registers (ISENABLER0, IPRIORITYR 0-31)
 * are banked per CPU (IHI 0048B 4.1.4): every CPU sets up its own, CPU 0 from gicv2_init.
 */
static void gicv2_cpu_init(void)
{
	gicd->ICENABLER[0] = 0xFFFFFFFFU;
	gicd->ICPENDR[0] = 0xFFFFFFFFU;
	for (unsigned id = 0; id < GIC_PRIVATE_COUNT; id++)
		gicd->IPRIORITYR[id] = GIC_PRIO_DEFAULT;
	gicc->PMR = 0xFFU; /* let every priority through */
	gicc->BPR = 0;
	gicc->CTLR = GICC_CTLR_EnableGrp0_Msk;
	__DSB();
	__ISB();
}

static unsigned gicv2_nr_lines(void)
{
	return nr_lines;
}

static void gicv2_enable(unsigned intid)
{
	gicd->ISENABLER[intid / 32U] = 1U << (intid % 32U);
	__DSB();
}

/* GICD_ICENABLER takes effect for new acknowledges once the write completes; DSB waits for it. */
static void gicv2_disable(unsigned intid)
{
	gicd->ICENABLER[intid / 32U] = 1U << (intid % 32U);
	__DSB();
}

static void gicv2_set_priority(unsigned intid, uint8_t prio)
{
	gicd->IPRIORITYR[intid] = prio;
	__DSB();
}

/* SGIs have their own per-source pending bits (GICD_SPENDSGIR); ISPENDR bits of SGIs are WI. */
static void gicv2_set_pending(unsigned intid)
{
	if (intid < GIC_SGI_COUNT)
		gicd->SPENDSGIR[intid] = 0x01U;
	else
		gicd->ISPENDR[intid / 32U] = 1U << (intid % 32U);
	__DSB();
}

static void gicv2_clear_pending(unsigned intid)
{
	if (intid < GIC_SGI_COUNT)
		gicd->CPENDSGIR[intid] = 0xFFU;
	else
		gicd->ICPENDR[intid / 32U] = 1U << (intid % 32U);
	__DSB();
}

static bool gicv2_is_pending(unsigned intid)
{
	return (gicd->ISPENDR[intid / 32U] >> (intid % 32U)) & 1U;
}

static void gicv2_send_sgi_self(unsigned sgi)
{
	__DSB(); /* make earlier memory writes visible to the handler (IHI 0048B 3.2.2 note) */
	gicd->SGIR = (GICD_SGIR_TargetListFilter_Self << GICD_SGIR_TargetListFilter_Pos) |
		     ((sgi << GICD_SGIR_SGIINTID_Pos) & GICD_SGIR_SGIINTID_Msk);
	__DSB();
}

static void gicv2_send_sgi(unsigned cpu, unsigned sgi)
{
	__DSB();
	/* TargetListFilter = 0 (GICD_SGIR_TargetListFilter_List): deliver to the CPUs in the list. */
	gicd->SGIR = (((1UL << cpu) << GICD_SGIR_CPUTargetList_Pos) & GICD_SGIR_CPUTargetList_Msk) |
		     ((sgi << GICD_SGIR_SGIINTID_Pos) & GICD_SGIR_SGIINTID_Msk);
	__DSB();
}

const struct gic_ops gicv2_ops = {
	.version = 2,
	.init = gicv2_init,
	.cpu_init = gicv2_cpu_init,
	.nr_lines = gicv2_nr_lines,
	.enable = gicv2_enable,
	.disable = gicv2_disable,
	.set_priority = gicv2_set_priority,
	.set_pending = gicv2_set_pending,
	.clear_pending = gicv2_clear_pending,
	.is_pending = gicv2_is_pending,
	.send_sgi_self = gicv2_send_sgi_self,
	.send_sgi = gicv2_send_sgi,
};
