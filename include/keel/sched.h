/* sched.h — fixed-priority preemptive scheduling, tickless: the timer fires only at the next deadline. */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "keel/thread.h"
#include "trap_frame.h"

void sched_init(void);

/* The thread running on this CPU (NULL while idle). */
struct thread *sched_current(void);

/* Put @t (not queued) at the tail of its priority's ready queue. */
void sched_make_ready(struct thread *t);

/* The current thread gives up the CPU to threads of its own priority (goes to the tail). */
void sched_yield_current(void);

/*
 * Block the current thread in @state; with @deadline_ticks != 0 it is also put in the timeout
 * queue and sched_timeout() runs for it when the deadline passes.
 */
void sched_block_current(enum thread_state state, uint64_t deadline_ticks);

/* Make a blocked thread ready again (removing it from the timeout queue). */
void sched_wake(struct thread *t);

/* Take @t out of every queue (ready or timeout); its state is left to the caller. */
void sched_remove(struct thread *t);

/*
 * Choose what runs next and return the register frame to return to. Never returns if no
 * thread can run: it idles with IRQs enabled until one can, or powers off when none ever can.
 */
struct trap_frame *sched_resume(void);
/*
 * The running thread's first FP/SIMD use since it was switched to trapped (EC 0x07): load its
 * registers (saving the previous owner's) and let it retry. False if that cannot be the reason.
 */
bool sched_fpsimd_trap(void);

/* Stop @t (suspend), or reset and start it again (@restart); see sched.c for another CPU's thread. */
void sched_stop_thread(struct thread *t, bool restart);

/* Carry out a stop another CPU asked for the current thread (sched_resume() calls it first). */
void sched_apply_pending(void);

/* NULL if the ready queues, current threads and thread states agree, else what is wrong. */
const char *sched_check(void);

/* Start scheduling on this CPU, with the kernel lock held and IRQs masked; never returns. */
void sched_start(void) __attribute__((noreturn));

#endif
