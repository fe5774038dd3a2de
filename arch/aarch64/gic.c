/* gic.c — choose the GIC driver at run time and forward the gic_* interface to it. */
#include "cmsis_aarch64.h"
#include "gic.h"
#include "keel/panic.h"

static const struct gic_ops *gic;

/*
 * ID_AA64PFR0_EL1.GIC != 0 means the GICv3 system-register CPU interface is implemented
 * (ARM ARM D19.2.64), so the same image drives QEMU virt gic-version=2 and =3. A GICv3 in
 * legacy (memory-mapped) mode is not supported.
 */
void gic_init(void)
{
	gic = (__MRS(ID_AA64PFR0_EL1) & ID_AA64PFR0_GIC_Msk) ? &gicv3_ops : &gicv2_ops;
	gic->init();
}

void gic_cpu_init(void)
{
	gic->cpu_init();
}

unsigned gic_version(void)
{
	return gic ? gic->version : 0;
}

unsigned gic_nr_lines(void)
{
	return gic->nr_lines();
}

void gic_enable(unsigned intid)
{
	gic->enable(intid);
}

void gic_disable(unsigned intid)
{
	gic->disable(intid);
}

void gic_set_priority(unsigned intid, uint8_t prio)
{
	gic->set_priority(intid, prio);
}

void gic_set_pending(unsigned intid)
{
	gic->set_pending(intid);
}

void gic_clear_pending(unsigned intid)
{
	gic->clear_pending(intid);
}

bool gic_is_pending(unsigned intid)
{
	return gic->is_pending(intid);
}

void gic_send_sgi_self(unsigned sgi)
{
	BUG_ON(sgi >= 16U);
	gic->send_sgi_self(sgi);
}

void gic_send_sgi(unsigned cpu, unsigned sgi)
{
	BUG_ON(sgi >= 16U);
	gic->send_sgi(cpu, sgi);
}
