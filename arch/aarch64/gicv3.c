/* gicv3.c — GICv3 driver (QEMU virt gic-version=3): distributor, this PE's redistributor, ICC_* system registers. */
#include "board.h"
#include "gic.h"
#include "keel/smp.h"
#include "gicv3_icc.h"
#include "keel/mmio.h"
#include "keel/panic.h"
#include "periph_gic.h"

static GICD_Type *gicd;
/* Each CPU's redistributor (RD_base and SGI_base frames), found by its MPIDR at cpu_init. */
static GICR_Type *gicr_of[CONFIG_NR_CPUS];
static GICR_SGI_Type *gicr_sgi_of[CONFIG_NR_CPUS];

/* The calling CPU's redistributor frames (SGIs and PPIs are per CPU). */
static GICR_Type *this_gicr(void)
{
	return gicr_of[cpu_id()];
}

static GICR_SGI_Type *this_gicr_sgi(void)
{
	return gicr_sgi_of[cpu_id()];
}
static unsigned nr_lines;

/* GICD_CTLR.RWP: wait until a write to CTLR or ICENABLER has taken effect (IHI 0069 12.9.4). */
static void gicd_wait_rwp(void)
{
	while (gicd->CTLR & GICD_CTLR_RWP_Msk)
		;
}

static void gicr_wait_rwp(void)
{
	while (this_gicr()->CTLR & GICR_CTLR_RWP_Msk)
		;
}

/* MPIDR_EL1 affinity packed as Aff3.Aff2.Aff1.Aff0, the layout of GICR_TYPER.Affinity_Value. */
static uint32_t mpidr_affinity32(uint64_t mpidr)
{
	return (uint32_t)(((mpidr >> 32) & 0xFFU) << 24) | (uint32_t)(mpidr & 0xFFFFFFU);
}

/* Walk the redistributor region to the frame whose GICR_TYPER names this PE (IHI 0069 9.5). */
static void find_redistributor(void)
{
	uint32_t me = mpidr_affinity32(__MRS(MPIDR_EL1));
	uintptr_t pa = BOARD_GICR_BASE;

	for (unsigned i = 0; i < 256U; i++) {
		GICR_Type *rd = mmio_va(pa);
		uint64_t typer = rd->TYPER;

		if ((uint32_t)(typer >> GICR_TYPER_Affinity_Value_Pos) == me) {
			gicr_of[cpu_id()] = rd;
			gicr_sgi_of[cpu_id()] = mmio_va(pa + GICR_SGI_OFFSET);
			return;
		}
		if (typer & GICR_TYPER_Last_Msk)
			break;
		pa += (typer & GICR_TYPER_VLPIS_Msk) ? GICR_STRIDE_V4 : GICR_STRIDE_V3;
	}
	panic("gicv3: no redistributor for MPIDR affinity 0x%08x", (unsigned)me);
}

/*
 * One security state (GICD_CTLR.DS = 1, as QEMU virt without secure=on), affinity routing,
 * every interrupt in Group 1 and signalled as IRQ through ICC_IAR1_EL1 (PLATFORM-NOTES).
 */
static void gicv3_cpu_init(void);

static void gicv3_init(void)
{
	uint64_t route = __MRS(MPIDR_EL1) & GICD_IROUTER_Aff_Msk;

	gicd = mmio_va(BOARD_GICD_BASE);

	unsigned lines = gicd_typer_lines(gicd->TYPER);

	nr_lines = lines;

	/* Distributor: off while it is reset, then ARE + Group 1 (DS = 1 makes bit 1 "EnableGrp1"). */
	gicd->CTLR = GICD_CTLR_DS_Msk;
	gicd_wait_rwp();
	for (unsigned i = 1; i < (lines + 31U) / 32U; i++) {
		gicd->ICENABLER[i] = 0xFFFFFFFFU;
		gicd->ICPENDR[i] = 0xFFFFFFFFU;
		gicd->ICACTIVER[i] = 0xFFFFFFFFU;
		gicd->IGROUPR[i] = 0xFFFFFFFFU;
		gicd->IGRPMODR[i] = 0;
	}
	gicd_wait_rwp();
	for (unsigned id = GIC_PRIVATE_COUNT; id < lines; id++) {
		gicd->IPRIORITYR[id] = GIC_PRIO_DEFAULT;
		gicd->IROUTER[id] = route;
	}
	gicd->CTLR = GICD_CTLR_DS_Msk | GICD_CTLR_ARE_Msk | GICD_CTLR_EnableGrp1_Msk;
	gicd_wait_rwp();
	gicv3_cpu_init();
}

/* This CPU's redistributor and CPU interface: every CPU runs this once, CPU 0 from gicv3_init. */
static void gicv3_cpu_init(void)
{
	find_redistributor();

	/* Redistributor: wake it (ProcessorSleep = 0, wait for ChildrenAsleep = 0), then SGIs/PPIs. */
	this_gicr()->WAKER &= ~GICR_WAKER_ProcessorSleep_Msk;
	while (this_gicr()->WAKER & GICR_WAKER_ChildrenAsleep_Msk)
		;
	this_gicr_sgi()->ICENABLER0 = 0xFFFFFFFFU;
	gicr_wait_rwp();
	this_gicr_sgi()->ICPENDR0 = 0xFFFFFFFFU;
	this_gicr_sgi()->ICACTIVER0 = 0xFFFFFFFFU;
	this_gicr_sgi()->IGROUPR0 = 0xFFFFFFFFU;
	this_gicr_sgi()->IGRPMODR0 = 0;
	for (unsigned id = 0; id < GIC_PRIVATE_COUNT; id++)
		this_gicr_sgi()->IPRIORITYR[id] = GIC_PRIO_DEFAULT;

	/* CPU interface: system registers on, every priority unmasked, EOI = drop + deactivate. */
	icc_write_sre(icc_read_sre() | ICC_SRE_EL1_SRE_Msk);
	__ISB();
	icc_write_pmr(0xFFU);
	icc_write_bpr1(0);
	icc_write_ctlr(icc_read_ctlr() & ~ICC_CTLR_EL1_EOImode_Msk);
	icc_write_igrpen1(ICC_IGRPEN1_EL1_Enable_Msk);
	__ISB();
}

static unsigned gicv3_nr_lines(void)
{
	return nr_lines;
}

/* SGIs and PPIs live in this PE's redistributor, SPIs in the distributor. */
static void gicv3_enable(unsigned intid)
{
	if (intid < GIC_PRIVATE_COUNT)
		this_gicr_sgi()->ISENABLER0 = 1U << intid;
	else
		gicd->ISENABLER[intid / 32U] = 1U << (intid % 32U);
	__DSB();
}

/* Disabling is complete only once RWP reads 0 (IHI 0069 12.9.4 / 12.11.2). */
static void gicv3_disable(unsigned intid)
{
	if (intid < GIC_PRIVATE_COUNT) {
		this_gicr_sgi()->ICENABLER0 = 1U << intid;
		gicr_wait_rwp();
	} else {
		gicd->ICENABLER[intid / 32U] = 1U << (intid % 32U);
		gicd_wait_rwp();
	}
}

static void gicv3_set_priority(unsigned intid, uint8_t prio)
{
	if (intid < GIC_PRIVATE_COUNT)
		this_gicr_sgi()->IPRIORITYR[intid] = prio;
	else if (intid <= GIC_MAX_INTID)
		gicd->IPRIORITYR[intid] = prio;
	__DSB();
}

static void gicv3_set_pending(unsigned intid)
{
	if (intid < GIC_PRIVATE_COUNT)
		this_gicr_sgi()->ISPENDR0 = 1U << intid;
	else
		gicd->ISPENDR[intid / 32U] = 1U << (intid % 32U);
	__DSB();
}

static void gicv3_clear_pending(unsigned intid)
{
	if (intid < GIC_PRIVATE_COUNT)
		this_gicr_sgi()->ICPENDR0 = 1U << intid;
	else
		gicd->ICPENDR[intid / 32U] = 1U << (intid % 32U);
	__DSB();
}

static bool gicv3_is_pending(unsigned intid)
{
	if (intid < GIC_PRIVATE_COUNT)
		return (this_gicr_sgi()->ISPENDR0 >> intid) & 1U;
	return (gicd->ISPENDR[intid / 32U] >> (intid % 32U)) & 1U;
}

/* ICC_SGI1R_EL1 with target list = Aff0 bit (mod 16) and RS = Aff0 / 16 (IHI 0069 12.2.23). */
static uint64_t sgi1r_for(uint64_t mpidr, unsigned sgi)
{
	unsigned aff0 = (unsigned)(mpidr & 0xFFU);

	return ((uint64_t)sgi << ICC_SGI1R_INTID_Pos & ICC_SGI1R_INTID_Msk) |
	       ((1ULL << (aff0 % 16U)) << ICC_SGI1R_TargetList_Pos) |
	       ((uint64_t)(aff0 / 16U) << ICC_SGI1R_RS_Pos) | (((mpidr >> 8) & 0xFFU) << ICC_SGI1R_Aff1_Pos) |
	       (((mpidr >> 16) & 0xFFU) << ICC_SGI1R_Aff2_Pos) |
	       (((mpidr >> 32) & 0xFFU) << ICC_SGI1R_Aff3_Pos);
}

static void gicv3_send_sgi_self(unsigned sgi)
{
	__DSB(); /* earlier memory writes are visible to the handler before the SGI (IHI 0069 12.2.23) */
	icc_write_sgi1r(sgi1r_for(__MRS(MPIDR_EL1), sgi));
	__ISB();
}

static void gicv3_send_sgi(unsigned cpu, unsigned sgi)
{
	__DSB();
	icc_write_sgi1r(sgi1r_for(cpu & 0xFFU, sgi));
	__ISB();
}

const struct gic_ops gicv3_ops = {
	.version = 3,
	.init = gicv3_init,
	.cpu_init = gicv3_cpu_init,
	.nr_lines = gicv3_nr_lines,
	.enable = gicv3_enable,
	.disable = gicv3_disable,
	.set_priority = gicv3_set_priority,
	.set_pending = gicv3_set_pending,
	.clear_pending = gicv3_clear_pending,
	.is_pending = gicv3_is_pending,
	.send_sgi_self = gicv3_send_sgi_self,
	.send_sgi = gicv3_send_sgi,
};
