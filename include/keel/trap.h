/* trap.h — what the kernel does with an exception taken from a user thread. */
#ifndef KEEL_TRAP_H
#define KEEL_TRAP_H

#include "trap_frame.h"

/* A system call (SVC) by the current thread: results go into its saved registers. */
void syscall_handle(struct trap_frame *tf);
/* Test builds (CONFIG_TEST_ENTRY_STOPS): the calls and the stops at their entry, at power-off. */
void syscall_report_entry_stops(void);

/* Any other synchronous exception, FIQ or SError from EL0: report it and stop the thread. */
void fault_handle_user(struct trap_frame *tf, unsigned vector);

#endif
