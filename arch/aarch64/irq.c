/* irq.c — the IRQ dispatcher: acknowledge at the GIC, call the handler from a static table, end of interrupt. */
#include "cmsis_aarch64.h"
#include "exception.h"
#include "gic.h"
#include "keel/irq.h"
#include "keel/latency.h"
#include "keel/panic.h"
#include "keel/printk.h"
#include "periph_gic.h"

/* One slot per INTID, sized at build time (Kconfig IRQ_LINES); nothing is allocated. */
static struct {
	irq_handler_fn fn;
	void *ctx;
} handlers[CONFIG_IRQ_LINES];

static unsigned long spurious;

/* Nobody asked for it: silence the line rather than take it forever. Out of the hot path. */
static __attribute__((cold, noinline)) void irq_unhandled(unsigned irq)
{
	gic_disable(irq);
	printk("irq: no handler for IRQ %u; disabled\n", irq);
}

/*
 * One interrupt per exception entry keeps the time spent here bounded; another pending IRQ
 * is taken again as soon as the vector returns. INTIDs 1020-1023 are special (IHI 0069
 * 2.2.1): no interrupt was pending any more, so there is nothing to handle and no EOI.
 */
static inline __attribute__((always_inline)) void irq_handle_one(void)
{
	uint32_t token;
	unsigned irq = gic_ack(&token);

	if (irq >= GIC_SPURIOUS_FIRST && irq <= GIC_SPURIOUS) {
		spurious++;
		return;
	}
	if (irq < CONFIG_IRQ_LINES && handlers[irq].fn)
		handlers[irq].fn(irq, handlers[irq].ctx);
	else
		irq_unhandled(irq);
	gic_eoi(token);
}

static void irq_dispatch(struct trap_frame *tf)
{
	(void)tf;
	irq_handle_one();
}

/*
 * The idle loop's way in: it waits with IRQs masked and handles what woke it here, on the
 * kernel stack it is already on, without an exception entry and return (about 100
 * instructions of trap-frame save and restore, and a second pass through the kernel lock).
 */
bool irq_take_pending(void)
{
	if (!irq_pending_here())
		return false;
	irq_handle_one(); /* inline: the idle wake-up's path */
	return true;
}

void irq_handle_in_call(void)
{
	latency_irq_in_call(); /* the IRQ's stretch starts here, as at a preemption point */
	irq_handle_one();
}

void irq_init(void)
{
	gic_init();
	exception_set_irq_handler(irq_dispatch);
}

void irq_cpu_init(void)
{
	gic_cpu_init();
}

void irq_register(unsigned irq, irq_handler_fn fn, void *ctx)
{
	BUG_ON(irq >= CONFIG_IRQ_LINES);
	handlers[irq].fn = fn;
	handlers[irq].ctx = ctx;
}

void irq_enable(unsigned irq)
{
	BUG_ON(irq >= CONFIG_IRQ_LINES);
	gic_enable(irq);
}

void irq_disable(unsigned irq)
{
	BUG_ON(irq >= CONFIG_IRQ_LINES);
	gic_disable(irq);
}

void irq_set_priority(unsigned irq, uint8_t prio)
{
	BUG_ON(irq >= CONFIG_IRQ_LINES);
	gic_set_priority(irq, prio);
}

bool irq_is_pending(unsigned irq)
{
	BUG_ON(irq >= CONFIG_IRQ_LINES);
	return gic_is_pending(irq);
}

void irq_set_pending(unsigned irq)
{
	BUG_ON(irq >= CONFIG_IRQ_LINES);
	gic_set_pending(irq);
}

void irq_clear_pending(unsigned irq)
{
	BUG_ON(irq >= CONFIG_IRQ_LINES);
	gic_clear_pending(irq);
}

void irq_send_sgi_self(unsigned sgi)
{
	gic_send_sgi_self(sgi);
}

void irq_send_sgi(unsigned cpu, unsigned sgi)
{
	gic_send_sgi(cpu, sgi);
}

unsigned long irq_spurious_count(void)
{
	return spurious;
}
