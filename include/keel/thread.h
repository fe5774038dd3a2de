/* thread.h — thread control blocks: user register and FP/SIMD context, scheduling and wait state. */
#ifndef KEEL_THREAD_H
#define KEEL_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "keel/space.h"
#include "trap_frame.h"

enum thread_state {
	THREAD_READY,	    /* in its CPU's ready queue */
	THREAD_RUNNING,	    /* the CPU's current thread */
	THREAD_SLEEPING,    /* sleep_until: in the timeout queue */
	THREAD_WAITING,	    /* wait for notifications (in the timeout queue if it has a deadline) */
	THREAD_WAITING_IRQ, /* irq_wait */
	THREAD_SUSPENDED,   /* stopped by its fault handler */
	THREAD_FAULTED,	    /* stopped by a fault, until its fault handler restarts it */
	THREAD_EXITED,
};

/* FP/SIMD registers: q0..q31, FPSR, FPCR (saved and loaded by arch/aarch64/fpsimd.S). */
struct fpsimd_state {
	uint64_t q[64];
	uint64_t fpsr;
	uint64_t fpcr;
} __attribute__((aligned(16)));

#define THREAD_NONE 0xFFFFU

struct thread {
	struct trap_frame ctx; /* first: an exception from EL0 saves the registers right here */
	struct fpsimd_state fp;
	const char *name;
	struct space *space;
	unsigned id;
	unsigned prio;
	unsigned cpu;
	enum thread_state state;
	unsigned fault_handler; /* thread index or THREAD_NONE */
	uint64_t start;		/* user VA of the program's _start */
	uint64_t entry;		/* user VA of the thread's entry function (x0 at start) */
	uint64_t stack_top;	/* user VA */
	uint64_t deadline;	/* ticks; valid while in the timeout queue */
	unsigned timeout_next;	/* timeout queue link (thread index) */
	bool in_timeouts;
	uint64_t notify_pending;
	uint64_t wait_mask;
	unsigned irq_waiting;
	uint64_t slice_ticks; /* round-robin time slice, 0 = run until it blocks (FIFO) */
	uint64_t slice_end;
	uint64_t slice_left; /* ticks of the slice left when preempted; 0: a full slice next time */
	uint32_t faults;
	uint32_t restarts;
	unsigned pending_stop; /* THREAD_PENDING_*: asked by another CPU while this one ran it */
} __attribute__((aligned(16)));

#define THREAD_PENDING_NONE    0U
#define THREAD_PENDING_SUSPEND 1U
#define THREAD_PENDING_RESTART 2U

_Static_assert(__builtin_offsetof(struct thread, ctx) == 0, "vectors.S saves into thread->ctx");

/* Bit the kernel sets in a fault handler's notifications when a thread it handles faults. */
#define THREAD_NOTIFY_FAULT (1ULL << 63)

extern struct thread threads[];
extern const unsigned thread_count;

/* The thread with index @id, or NULL. */
struct thread *thread_get(unsigned id);

/* Set @bits in @to's notifications; wakes it if it waits for any of them. */
void thread_notify(struct thread *to, uint64_t bits);

/* Reset @t's registers to start at its entry function with an empty stack and clean FP state. */
void thread_reset_context(struct thread *t);

#endif
