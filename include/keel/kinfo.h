/* kinfo.h — what SYS_KERNEL_INFO returns: pool sizes and use, per-space quotas, thread states. */
#ifndef KEEL_KINFO_H
#define KEEL_KINFO_H

#include <stdint.h>

#define KINFO_MAX_SPACES  16
#define KINFO_MAX_THREADS 32

/* Thread states as reported (enum thread_state in the kernel). */
enum kinfo_thread_state {
	KINFO_READY = 0,
	KINFO_RUNNING = 1,
	KINFO_SLEEPING = 2,
	KINFO_WAITING = 3,
	KINFO_WAITING_IRQ = 4,
	KINFO_SUSPENDED = 5,
	KINFO_FAULTED = 6,
	KINFO_EXITED = 7,
};

struct kinfo_pool {
	uint32_t total;
	uint32_t used;
	uint32_t entry_size;
	uint32_t reserved;
};

struct kinfo_space {
	uint32_t mdb_used, mdb_limit;
	uint32_t pt_used, pt_limit;
};

struct kinfo_thread {
	uint8_t state; /* enum kinfo_thread_state */
	uint8_t priority;
	uint16_t space;
	uint32_t faults; /* user faults taken since boot */
	uint32_t restarts;
	uint32_t cpu; /* the CPU it runs on */
};

struct keel_info {
	uint32_t size; /* sizeof(struct keel_info): lets a program detect a mismatch */
	uint32_t nr_spaces;
	uint32_t nr_threads;
	uint32_t reserved;
	struct kinfo_pool mdb;
	struct kinfo_pool pt;
	struct kinfo_pool tcb;
	struct kinfo_space space[KINFO_MAX_SPACES];
	struct kinfo_thread thread[KINFO_MAX_THREADS];
	uint64_t syscalls; /* system calls handled since boot */
};

#endif
