/* gic.h — one interface to the GICv2 and GICv3 drivers; the version is chosen at run time. */
#ifndef GIC_H
#define GIC_H

#include <stdbool.h>
#include <stdint.h>

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
	/* Acknowledge the highest-priority pending IRQ: its INTID, *token for eoi(). */
	unsigned (*ack)(uint32_t *token);
	void (*eoi)(uint32_t token);
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
unsigned gic_ack(uint32_t *token);
void gic_eoi(uint32_t token);
void gic_send_sgi_self(unsigned sgi);
/* @cpu is the target's MPIDR_EL1.Aff0 in cluster 0 (QEMU virt and the Pi 4 number cores 0-3 there). */
void gic_send_sgi(unsigned cpu, unsigned sgi);

#endif /* GIC_H */
