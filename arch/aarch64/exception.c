/* exception.c — route EL1 exceptions: IRQs to the interrupt layer, anything unexpected to a report and panic. */
#include "esr.h"
#include "arch_entry.h"
#include "exception.h"
#include "keel/irq.h"
#include "keel/latency.h"
#include "keel/sched.h"
#include "keel/smp.h"
#include "keel/trap.h"
#include "keel/panic.h"
#include "keel/printk.h"

static exception_fixup_fn fixup;
static exception_irq_fn irq_handler;

static const char *const vector_origin[4] = {
	"current EL with SP0",
	"current EL with SPx",
	"lower EL (AArch64)",
	"lower EL (AArch32)",
};
static const char *const vector_kind[4] = {"synchronous", "IRQ", "FIQ", "SError"};

const char *exception_vector_name(unsigned vector)
{
	static const char *const names[16] = {
		"current EL with SP0, synchronous", "current EL with SP0, IRQ",
		"current EL with SP0, FIQ",	    "current EL with SP0, SError",
		"current EL with SPx, synchronous", "current EL with SPx, IRQ",
		"current EL with SPx, FIQ",	    "current EL with SPx, SError",
		"lower EL (AArch64), synchronous",  "lower EL (AArch64), IRQ",
		"lower EL (AArch64), FIQ",	    "lower EL (AArch64), SError",
		"lower EL (AArch32), synchronous",  "lower EL (AArch32), IRQ",
		"lower EL (AArch32), FIQ",	    "lower EL (AArch32), SError",
	};
	return vector < 16 ? names[vector] : "invalid vector";
}

static void emit(format_sink_fn sink, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void emit(format_sink_fn sink, void *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format_v(sink, ctx, fmt, ap);
	va_end(ap);
}

void exception_report(const struct trap_frame *tf, unsigned vector, format_sink_fn sink, void *ctx)
{
	char cause[128];

	emit(sink, ctx, "*** %s exception from %s (vector %u)\n", vector_kind[vector & 3U],
	     vector_origin[(vector >> 2) & 3U], vector);
	esr_describe(tf->esr, cause, sizeof(cause));
	emit(sink, ctx, "  ESR  0x%016lx  EC 0x%02x  IL %u  ISS 0x%07x\n", (unsigned long)tf->esr,
	     esr_ec(tf->esr), (unsigned)(tf->esr >> 25) & 1U, esr_iss(tf->esr));
	emit(sink, ctx, "  cause: %s\n", cause);
	emit(sink, ctx, "  ELR  0x%016lx  FAR  0x%016lx  SPSR 0x%08lx\n", (unsigned long)tf->elr,
	     (unsigned long)tf->far, (unsigned long)tf->spsr);
	emit(sink, ctx, "  SP_EL0 0x%016lx  SP 0x%016lx\n", (unsigned long)tf->sp_el0,
	     (unsigned long)((uintptr_t)tf + sizeof(*tf)));
	for (unsigned i = 0; i < 31; i++)
		emit(sink, ctx, "  x%-2u 0x%016lx%s", i, (unsigned long)tf->x[i],
		     i % 4 == 3 || i == 30 ? "\n" : "");
}

void exception_set_fixup(exception_fixup_fn fn)
{
	fixup = fn;
}

void exception_set_irq_handler(exception_irq_fn fn)
{
	irq_handler = fn;
}

void exception_dispatch(struct trap_frame *tf, unsigned vector)
{
	enum exc_kind kind = EXC_KIND(vector);

	if (kind == EXC_IRQ && irq_handler) {
		/* In the kernel, IRQs are unmasked only while no lock is held (boot, idle). */
		kernel_lock();
		latency_irq_from_kernel();
		irq_handler(tf);
		kernel_unlock();
		return;
	}
	if (kind == EXC_SYNC && fixup && fixup(tf, vector))
		return;

	printk("\n");
	exception_report(tf, vector, printk_sink, NULL);
	panic("unhandled %s exception (%s)", vector_kind[kind], exception_vector_name(vector));
}

/*
 * Every entry from user mode. An IRQ that came during the entry (a deadline landing in a call,
 * or right behind the IRQ being handled, such as a timer behind a reschedule SGI) is taken
 * before the exit (irq_take_pending_in_call()), as if right after the entry's work:
 * going out through the eret first would make it wait for the scheduling pass, the exit and a
 * second entry with its wait for the kernel lock (~250 instructions and more). Its stretch
 * starts here, as at a preemption point.
 */
struct trap_frame *exception_from_user(struct trap_frame *tf, unsigned vector)
{
	struct trap_frame *next;

	kernel_lock();
	/* The trace's stretch opens with its path known: a second store of it cost ~5 instructions. */
	switch (EXC_KIND(vector)) {
	case EXC_SYNC:
		if (EXC_ORIGIN(vector) == 2 && esr_ec(tf->esr) == ESR_EC_SVC64) {
			latency_open(latency_syscall_path(tf->x[8]));
			syscall_handle(tf);
			irq_take_pending_in_call();
		} else {
			latency_enter();
			if (EXC_ORIGIN(vector) != 2 || esr_ec(tf->esr) != ESR_EC_FP_ACCESS ||
			    !sched_fpsimd_trap())
				fault_handle_user(tf, vector);
		}
		break;
	case EXC_IRQ:
		latency_open(KINFO_LAT_IRQ);
		if (irq_handler)
			irq_handler(tf);
		irq_take_pending_in_call();
		break;
	default:
		latency_enter();
		fault_handle_user(tf, vector); /* FIQ or SError caused by this thread: stop it */
		break;
	}
	next = sched_resume(); /* applies a stop another CPU asked for first */
	/*
	 * An IRQ that came during the scheduling pass is taken before the lock goes: released
	 * first, the lock would let in a CPU already waiting for it, and the IRQ, taken right
	 * after the eret, would wait for that CPU's stretch too (storm: ~500 instructions).
	 */
	if (irq_take_pending_in_call())
		next = sched_resume();
	latency_exit();
	kernel_unlock();
	return next;
}
