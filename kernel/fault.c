/* fault.c — a user thread's fault: report it, stop the thread, tell its fault handler. */
#include "esr.h"
#include "exception.h"
#include "keel/printk.h"
#include "keel/sched.h"
#include "keel/trap.h"

void fault_handle_user(struct trap_frame *tf, unsigned vector)
{
	struct thread *t = sched_current();
	char cause[128];

	esr_describe(tf->esr, cause, sizeof(cause));
	printk("Keel: user fault: thread '%s' in space '%s': %s\n", t->name, t->space->name,
	       EXC_KIND(vector) == EXC_SYNC ? cause : exception_vector_name(vector));
	printk("Keel:   pc 0x%lx, address 0x%lx, sp 0x%lx; thread stopped\n", (unsigned long)tf->elr,
	       (unsigned long)tf->far, (unsigned long)tf->sp_el0);
	t->faults++;
	sched_remove(t);
	t->state = THREAD_FAULTED;
	/* The rest of the system keeps running; the handler decides (restart, suspend). */
	if (t->fault_handler != THREAD_NONE)
		thread_notify(&threads[t->fault_handler], THREAD_NOTIFY_FAULT);
}
