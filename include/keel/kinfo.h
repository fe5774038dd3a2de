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

/*
 * Longest interrupts-masked stretch per kernel path (CONFIG_LATENCY_TRACE, kernel/latency.c), in
 * counter ticks, since boot or the last reset (kernel_info with KINFO_RESET_LATENCY). The kernel
 * masks IRQs from exception entry to eret, so a path's stretch is the time from entering the
 * kernel's C handler to leaving it; the assembly save and restore around it (about 70
 * instructions) is not included.
 */
#define KINFO_LAT_SYSCALLS  32 /* paths 0..31: system call number */
#define KINFO_LAT_IRQ	    32 /* an IRQ taken from user mode */
#define KINFO_LAT_FAULT	    33 /* a fault (or FIQ/SError) from user mode */
#define KINFO_LAT_IDLE	    34 /* an IRQ that ended the idle loop, up to the eret to the woken thread */
#define KINFO_LAT_PATHS	    35
#define KINFO_MAX_CPUS	    8  /* CONFIG_NR_CPUS's upper limit (Kconfig) */
#define KINFO_RESET_LATENCY 1u /* kernel_info flag: clear the maxima after reading them */

/*
 * kernel_info fills and copies its reply in parts, with a preemption point after each: a
 * preempted call resumes at the next part (the kernel rewrites the flags to say which). A caller
 * may ask for the parts from one on (e.g. KINFO_FROM_PART(KINFO_PART_LATENCY) for only the
 * latency records): the other bytes of the buffer are left as they were. Spaces and threads
 * come a few per part, and each CPU's latency maxima KINFO_LAT_PER_PART a part, so that no
 * part's work grows with the system's size.
 */
#define KINFO_SPACES_PER_PART	4u
#define KINFO_THREADS_PER_PART	8u
#define KINFO_LAT_PER_PART	12u /* latency maxima of one CPU a part (see kinfo_latency_cpus) */
#define KINFO_LAT_TICK_PARTS	3u  /* timer_late_max and masked_max[0..10]; masked_max[11..22]; [23..34] */
#define KINFO_LAT_CYCLE_PARTS	3u  /* masked_max_cycles[0..11]; [12..23]; [24..34] */
#define KINFO_PARTS_PER_CPU	(KINFO_LAT_TICK_PARTS + KINFO_LAT_CYCLE_PARTS)
/*
 * Parts: size .. tcb (build facts, pools); space[4k .. 4k + 3] (quotas); thread[8k .. 8k + 7]
 * (the last threads part also syscalls); latency (its header: enabled, nr_paths, cycles); then
 * per CPU c the KINFO_PARTS_PER_CPU parts of latency_cpus.cpu[c] and of the maxima (see below).
 * 10 + KINFO_PARTS_PER_CPU * KINFO_MAX_CPUS.
 */
#define KINFO_PART_SYSTEM	0u
#define KINFO_PART_SPACES(k)	(1u + (k))
#define KINFO_PART_THREADS(k)	(KINFO_PART_SPACES(KINFO_MAX_SPACES / KINFO_SPACES_PER_PART) + (k))
#define KINFO_PART_LATENCY	KINFO_PART_THREADS(KINFO_MAX_THREADS / KINFO_THREADS_PER_PART)
#define KINFO_PART_LATENCY_CPUS (KINFO_PART_LATENCY + 1u) /* also latency_cpus.enabled, nr_cpus */
#define KINFO_PART_CPU(c)	(KINFO_PART_LATENCY_CPUS + KINFO_PARTS_PER_CPU * (c)) /* cpu[c]'s first */
#define KINFO_PARTS		KINFO_PART_CPU(KINFO_MAX_CPUS)
#define KINFO_FROM_PART_Pos	8u
#define KINFO_FROM_PART_Msk	(0xFFULL << KINFO_FROM_PART_Pos)
#define KINFO_FROM_PART(part)	((uint64_t)(part) << KINFO_FROM_PART_Pos)

struct kinfo_latency {
	uint32_t enabled; /* CONFIG_LATENCY_TRACE: 0 means every field below is 0 */
	uint32_t nr_paths;
	uint64_t timer_late_max; /* timer IRQ: the handler's counter read - the deadline, ticks */
	uint64_t masked_max[KINFO_LAT_PATHS];
	/*
	 * The same stretches in CPU cycles (PMU cycle counter, PMCCNTR_EL0), each path's longest
	 * on its own; all 0 when cycles is 0 (no PMU on the CPUs that ran the kernel).
	 */
	uint32_t cycles;
	uint32_t reserved;
	uint64_t masked_max_cycles[KINFO_LAT_PATHS];
};

/*
 * The same maxima per CPU (ticks only): entry c is what CPU c's kernel did. The kernel keeps
 * only per-CPU maxima (ticks and cycles); kinfo_latency above is their maximum over the CPUs,
 * computed as they are read. CPU c's are read in KINFO_PARTS_PER_CPU parts from
 * KINFO_PART_CPU(c), KINFO_LAT_PER_PART values a part: the part copies its values into cpu[c]
 * (ticks), sets (CPU 0) or raises (the others) the same values of kinfo_latency (ticks or
 * cycles) and, with KINFO_RESET_LATENCY, clears them in the kernel. A stretch recorded between
 * two parts is therefore in this reply or kept for the next one, never lost, and a whole reply's
 * kinfo_latency is exactly the maximum of its cpu[] entries. A call from a part after CPU 0's
 * on raises whatever the buffer's kinfo_latency held. Part KINFO_PART_LATENCY_CPUS =
 * KINFO_PART_CPU(0) also writes enabled and nr_cpus. Entries 0 .. nr_cpus - 1 only (the
 * kernel's CONFIG_NR_CPUS); the others are left as they were.
 */

struct kinfo_latency_cpu {
	uint64_t timer_late_max;
	uint64_t masked_max[KINFO_LAT_PATHS];
};

struct kinfo_latency_cpus {
	uint32_t enabled; /* as kinfo_latency.enabled */
	uint32_t nr_cpus; /* entries of cpu[] the kernel wrote */
	struct kinfo_latency_cpu cpu[KINFO_MAX_CPUS];
};

/* keel_info.config: build options a program may need to know about (e.g. to judge timing). */
#define KINFO_CONFIG_DEBUG_CHECKS  (1U << 0) /* invariants checked after system calls: slower */
#define KINFO_CONFIG_LATENCY_TRACE (1U << 1)

struct keel_info {
	uint32_t size; /* sizeof(struct keel_info): lets a program detect a mismatch */
	uint32_t nr_spaces;
	uint32_t nr_threads;
	uint32_t config;	/* KINFO_CONFIG_* bits: how this kernel was built */
	uint32_t map_max_pages; /* CONFIG_MAP_MAX_PAGES: pages one map, grant or share may cover */
	uint32_t unmap_chunk;	/* CONFIG_UNMAP_CHUNK: unmap units between preemption points (0: unchunked) */
	struct kinfo_pool mdb;
	struct kinfo_pool pt;
	struct kinfo_pool tcb;
	struct kinfo_space space[KINFO_MAX_SPACES];
	struct kinfo_thread thread[KINFO_MAX_THREADS];
	uint64_t syscalls; /* system calls handled since boot */
	struct kinfo_latency latency;
	struct kinfo_latency_cpus latency_cpus; /* appended: the fields above keep their offsets */
};

#endif
