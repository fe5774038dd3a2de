/* gic.h — one interface to the GICv2 and GICv3 drivers; the version is chosen at run time. */
#ifndef GIC_H
#define GIC_H

#include <stdbool.h>
#include <stdint.h>

#include "gicv3_icc.h"
#include "periph_gic.h"

/*
 * What each driver (gicv2.c, gicv3.c) provides. INTIDs are GIC interrupt IDs: SGIs 0-15,
 * PPIs 16-31, SPIs from 32. Priorities are GIC priorities: lower value = more urgent.
 */
struct gic_ops {
	unsigned version;
	void (*init)(void);
	void (*cpu_init)(void); /* this CPU's banked registers / redistributor and CPU interface */
	unsigned (*nr_lines)(void);
	void (*enable)(unsigned intid);
	void (*disable)(unsigned intid);
	void (*set_priority)(unsigned intid, uint8_t prio);
	void (*set_pending)(unsigned intid);
	void (*clear_pending)(unsigned intid);
	bool (*is_pending)(unsigned intid);
	void (*send_sgi_self)(unsigned sgi);
	void (*send_sgi)(unsigned cpu, unsigned sgi);
};

extern const struct gic_ops gicv2_ops;
extern const struct gic_ops gicv3_ops;

/* Default priority of every interrupt after gic_init(): the middle of the range. */
#define GIC_PRIO_DEFAULT 0xA0U

/*
 * Detect the GIC (ID_AA64PFR0_EL1.GIC != 0: GICv3 system registers, else GICv2 at the
 * board's GICC), reset it to "everything disabled, default priority, routed to this CPU"
 * and enable the CPU interface. IRQs stay masked in PSTATE.
 */
void gic_init(void);
/* Set up the calling secondary CPU's part of the GIC (gic_init does CPU 0's). */
void gic_cpu_init(void);
unsigned gic_version(void);
/* Number of INTIDs the distributor implements (GICD_TYPER.ITLinesNumber). */
unsigned gic_nr_lines(void);

void gic_enable(unsigned intid);
void gic_disable(unsigned intid);
void gic_set_priority(unsigned intid, uint8_t prio);
void gic_set_pending(unsigned intid);
void gic_clear_pending(unsigned intid);
bool gic_is_pending(unsigned intid);

/*
 * Acknowledge and end of interrupt are inline, not in gic_ops: every IRQ takes both, and two
 * calls through the ops table were ~26 instructions of a ~450-instruction wake-up path.
 * gicv2_cpu_iface is the GICv2 CPU interface (GICC), set by gicv2.c's init; NULL means the
 * GICv3 system-register interface is in use.
 */
extern GICC_Type *gicv2_cpu_iface;

/* Acknowledge the highest-priority pending IRQ: its INTID, and *token for gic_eoi(). */
static inline unsigned gic_ack(uint32_t *token)
{
	uint32_t iar;

	if (gicv2_cpu_iface) {
		iar = gicv2_cpu_iface->IAR;
		*token = iar;
		return (iar & GICC_IAR_InterruptID_Msk) >> GICC_IAR_InterruptID_Pos;
	}
	iar = (uint32_t)(icc_read_iar1() & ICC_IAR1_EL1_INTID_Msk);
	*token = iar;
	return iar;
}

/*
 * GICv2: EOIR takes the IAR value unchanged, including the source CPU of an SGI (IHI 0048B
 * 4.4.5). GICv3: the ISB completes the system-register write before anything that follows.
 */
static inline void gic_eoi(uint32_t token)
{
	if (gicv2_cpu_iface) {
		gicv2_cpu_iface->EOIR = token;
		return;
	}
	icc_write_eoir1(token);
	__ISB();
}
void gic_send_sgi_self(unsigned sgi);
/* @cpu is the target's MPIDR_EL1.Aff0 in cluster 0 (QEMU virt and the Pi 4 number cores 0-3 there). */
void gic_send_sgi(unsigned cpu, unsigned sgi);

#endif /* GIC_H */
