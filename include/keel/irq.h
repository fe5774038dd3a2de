/* irq.h — interrupt handlers: registration, enable/disable, priorities and software-generated IRQs. */
#ifndef KEEL_IRQ_H
#define KEEL_IRQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmsis_aarch64.h"

/* IRQ numbers are GIC INTIDs: SGIs 0-15, PPIs 16-31, SPIs 32 and up (docs/interrupts-and-time.md). */
#define IRQ_SGI_COUNT 16U

/* Called with IRQs masked (no nesting), after the acknowledge and before the end of interrupt. */
typedef void (*irq_handler_fn)(unsigned irq, void *ctx);

/* Bring up the GIC and install the dispatcher; IRQs stay masked in PSTATE until __enable_irq(). */
void irq_init(void);

/* The calling secondary CPU's GIC part (its SGIs and PPIs start disabled). */
void irq_cpu_init(void);

/* Install @fn for @irq (< CONFIG_IRQ_LINES); the line stays disabled until irq_enable(). */
void irq_register(unsigned irq, irq_handler_fn fn, void *ctx);
void irq_enable(unsigned irq);
/* When this returns, @irq is no longer delivered (it may still become pending). */
void irq_disable(unsigned irq);
/* GIC priority: lower value = more urgent; only the top bits may be implemented (use steps of 0x10). */
void irq_set_priority(unsigned irq, uint8_t prio);
bool irq_is_pending(unsigned irq);
void irq_set_pending(unsigned irq);
void irq_clear_pending(unsigned irq);
void irq_send_sgi_self(unsigned sgi);
/* SGI @sgi to CPU @cpu (its index = MPIDR Aff0). */
void irq_send_sgi(unsigned cpu, unsigned sgi);

/*
 * Mask IRQs on this CPU and return the previous state for irq_restore(): PSTATE.DAIF as a
 * whole, so restoring puts back exactly the mask bits that were set. Inline: the clock's alarm
 * is set this way on every kernel exit that programs the timer.
 */
static inline unsigned long irq_save(void)
{
	unsigned long daif = __MRS(DAIF);

	__disable_irq();
	return daif;
}

static inline void irq_restore(unsigned long flags)
{
	__MSR(DAIF, flags);
}

/*
 * Is an IRQ pending at this CPU (ISR_EL1.I)? True also while PSTATE.I masks it. Inline: every
 * preemption point and every exit asks it (a call was 3 instructions and a frame around it).
 */
static inline bool irq_pending_here(void)
{
	return (__MRS(ISR_EL1) & ISR_EL1_I_Msk) != 0;
}
/* With IRQs masked: acknowledge, handle and end one pending IRQ, if any (the idle loop). */
bool irq_take_pending(void);
/* irq_take_pending_in_call()'s part once an IRQ is pending. */
void irq_handle_in_call(void);

/*
 * The same inside a kernel entry (a preemption point, the exit's check): the latency trace
 * counts the IRQ as taken in the call, not as an entry of its own. Inline: every exit asks.
 */
static inline bool irq_take_pending_in_call(void)
{
	if (!irq_pending_here())
		return false;
	irq_handle_in_call();
	return true;
}

/* Acknowledges that returned a spurious ID (1020-1023) since boot. */
unsigned long irq_spurious_count(void);

#endif
