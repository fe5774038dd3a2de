/* arch_entry.h — entering and leaving EL0 (arch/aarch64/vectors.S). */
#ifndef ARCH_ENTRY_H
#define ARCH_ENTRY_H

#include "trap_frame.h"

/*
 * Return to a user thread: restore @tf (a thread's saved context) and ERET. SP_EL1 is left
 * just above @tf, so the thread's next exception saves its registers right back into it.
 */
void arch_enter_user(struct trap_frame *tf) __attribute__((noreturn));

/*
 * Called by vectors.S, on the CPU's kernel stack, for every exception from EL0 with the
 * thread's saved frame; returns the frame to resume (the same thread's or another's).
 */
struct trap_frame *exception_from_user(struct trap_frame *tf, unsigned vector);

#endif
