/* syscall.c — the system calls: argument checks first, then the operation; results in x0 (error) and x1. */
#include <stddef.h>

#include "cmsis_aarch64.h"
#include "esr.h"
#include "keel/clock.h"
#include "keel/console.h"
#include "keel/irq.h"
#include "keel/kinfo.h"
#include "keel/kstring.h"
#include "keel/latency.h"
#include "keel/mdb.h"
#include "keel/panic.h"
#include "keel/printk.h"
#include "keel/sched.h"
#include "keel/smp.h"
#include "keel/syscall.h"
#include "keel/system.h"
#include "keel/trap.h"
#include "system_tables.h"

#define DEBUG_WRITE_MAX	  256U /* bytes per call at most: the range check up front spans <= 2 pages */
#define DEBUG_WRITE_CHUNK 8U   /* bytes between two preemption points: ~10 instructions a byte on QEMU virt */
#define PAGE_SHIFT	  12U
#define PAGE_MASK	  0xFFFULL

static uint64_t syscall_count;

static void ret(struct trap_frame *tf, enum kerr err, uint64_t value)
{
	tf->x[0] = (uint64_t)err;
	tf->x[1] = value;
}

/* Is a thread of @from allowed to notify, restart or suspend @to? */
static bool may_signal(const struct thread *from, const struct thread *to)
{
	unsigned a = from->space->id, b = to->space->id;
	unsigned any = SYS_OP_MAP | SYS_OP_GRANT | SYS_OP_SHARE;

	return a == b || system_may(a, b, any) || system_may(b, a, any) || to->fault_handler == from->id ||
	       from->fault_handler == to->id;
}

static bool preempt_pending(void);
static bool preempt_or_handover_pending(void);
static void preempted(struct trap_frame *tf);
static void finished_preempt_point(const struct trap_frame *tf);
static void finished_handover_point(const struct trap_frame *tf);

/*
 * The chunks of map, share and grant, in pages: a page costs about half an unmap unit, but a
 * stretch that stops also copies the PTEs of every page the call committed so far (~110 + ~7 a
 * page) and a restarted call checks each page again (~90 a page in all), so one unit more than
 * the unmap chunk, not twice it: at chunk 2, 4 pages made a stop ~630, 3 stay near 500 (one page
 * first, for the same reason as unmap). Their checks, ~20 instructions a page, have a
 * preemption point after every CONFIG_UNMAP_CHUNK pages: a new call's first stretch also holds
 * its entry, argument checks and two slot lookups, and at chunk 2 with four pages it was the
 * longest stretch of the storm load (~570 with the lock held).
 */
static const struct mdb_chunking derive_chunks = {
	.first = CONFIG_UNMAP_CHUNK ? 1U : MDB_UNCHUNKED,
	.each = CONFIG_UNMAP_CHUNK ? CONFIG_UNMAP_CHUNK + 1U : MDB_UNCHUNKED,
	.preempt_point = preempt_or_handover_pending,
	.checks = CONFIG_UNMAP_CHUNK ? CONFIG_UNMAP_CHUNK : MDB_UNCHUNKED,
};

/*
 * The call a thread is stopped in, at most one: the token its restart carries in x5 (0: none;
 * one counter for all kinds, so a token never names two calls), and what the kind keeps between
 * the stop and the restart. A preempted map, share or grant keeps its rest and reservation
 * (struct mdb_derive: active while it is the stopped call), a protect its place inside a subtree
 * (struct mdb_cursor). A call without the thread's token starts afresh and first abandons
 * whatever the thread was stopped in; map/share/grant refuse a nonzero wrong token (KERR_INVAL:
 * the reservation would otherwise be lost or given to another call), protect starts afresh.
 */
static uint64_t restart_token[SYS_NR_THREADS], restart_tokens;
static struct mdb_derive derive_state[SYS_NR_THREADS];
static struct mdb_cursor protect_cursor[SYS_NR_THREADS];

/*
 * Did the thread's last call stop before it made progress: at an unstarted_stop(), or at
 * unmap's first point (mdb_unmap_restartable())? Then its next call runs past all of them
 * (syscall_handle() clears the flag when that call is over), so IRQs that come faster than
 * an entry cannot keep a thread from its call.
 */
static bool stopped_unstarted[SYS_NR_THREADS];

/*
 * @t's stopped call is abandoned: release a map's reservation, forget a protect's place and
 * whether a call stopped before it made progress.
 */
static void restart_abandon(const struct thread *t)
{
	mdb_derive_release(&kernel_mdb, &derive_state[t->id]);
	mdb_cursor_drop(&kernel_mdb, &protect_cursor[t->id]);
	stopped_unstarted[t->id] = false;
	restart_token[t->id] = 0;
}

/* The next token, for the call of @t that stops now; its restart must carry it in x5. */
static uint64_t restart_token_issue(const struct thread *t)
{
	return restart_token[t->id] = ++restart_tokens;
}

/*
 * debug_write: x0 = buffer, x1 = length. Writes at least min(len, DEBUG_WRITE_MAX) bytes, in
 * pieces with a preemption point after each; returns x1 = the bytes NOT written (0 when all
 * were), so the result is the same whether or not the call was restarted. Every piece but the
 * last ends at an 8-byte aligned user address, so all but the first are copied in words. Each
 * is at most DEBUG_WRITE_CHUNK bytes (the first, which shares its stretch with the entry and
 * the buffer check, ends at the first aligned address, so it may be shorter); the last is
 * followed by a preemption point too, so it does not share its stretch with the exit.
 */
_Static_assert(DEBUG_WRITE_CHUNK % 8U == 0, "pieces end at 8-byte aligned user addresses");
static void sys_debug_write(struct thread *t, struct trap_frame *tf)
{
	uintptr_t ubuf = tf->x[0];
	size_t len = tf->x[1], n = len < DEBUG_WRITE_MAX ? len : DEBUG_WRITE_MAX;

	if (len == 0)
		return ret(tf, KERR_INVAL, 0);
	/* The whole piece is checked first, so a bad buffer fails before anything is written. */
	if (!space_user_range_ok_active(t->space, ubuf, n, false))
		return ret(tf, KERR_FAULT, 0);
	for (size_t done = 0; done < n;) {
		char buf[DEBUG_WRITE_CHUNK] __attribute__((aligned(8)));
		size_t c = (((ubuf + done + DEBUG_WRITE_CHUNK) & ~(uintptr_t)7U) - ubuf) - done;

		if (c > n - done)
			c = n - done;
		space_copy_from_user(buf, ubuf + done, c);
		console_write(buf, c);
		done += c;
		/*
		 * Preemption point, after at most DEBUG_WRITE_CHUNK bytes: with an IRQ waiting, the
		 * rest of the call goes back into the argument registers and the PC onto the svc.
		 */
		if (done < len && preempt_pending()) {
			tf->x[0] = ubuf + done;
			tf->x[1] = len - done;
			return preempted(tf);
		}
	}
	ret(tf, KERR_OK, len - n);
	finished_preempt_point(tf);
}

static void sys_yield(struct thread *t, struct trap_frame *tf)
{
	(void)t;
	ret(tf, KERR_OK, 0);
	sched_yield_current();
}

static void sys_clock_now(struct thread *t, struct trap_frame *tf)
{
	(void)t;
	ret(tf, KERR_OK, clock_now_ns());
}

/*
 * A preemption point before a call has changed anything: at every call's entry, and in the
 * calls that block (sleep_until, wait) after their checks. An IRQ already waiting is taken
 * right here (preempted()) and the call restarts from its svc, as if the IRQ had come just
 * before it. At the entry, an IRQ that came while this CPU waited for the kernel lock (behind
 * a stretch of another CPU's call) then waits for that stretch only, not for this call's first
 * one too (docs/interrupts-and-time.md, "The kernel lock at preemption points"); in a blocking
 * call, a deadline of a higher-priority thread that lands in its first half waits for that
 * half only, not for the blocking, the switch to idle and a second entry through the idle loop
 * ("A thread's wake-up path"). A call that stopped at one of these is followed by one that
 * runs past all of them, so IRQs that come faster than an entry cannot keep a thread from its
 * call.
 */
#ifdef CONFIG_TEST_ENTRY_STOPS
static uint64_t entry_stops;

/* Test builds: an IRQ "waits" at every such point, as if IRQs came faster than any entry. */
static bool entry_irq_waits(void)
{
	entry_stops++;
	return true;
}

void syscall_report_entry_stops(void)
{
	printk("Keel: %lu system calls, %lu stops at their entry (CONFIG_TEST_ENTRY_STOPS)\n",
	       (unsigned long)syscall_count, (unsigned long)entry_stops);
}
#else
static inline bool entry_irq_waits(void)
{
	return irq_pending_here();
}
#endif

static bool unstarted_stop(const struct thread *t, struct trap_frame *tf)
{
	if (stopped_unstarted[t->id] || !entry_irq_waits())
		return false;
	stopped_unstarted[t->id] = true;
	preempted(tf);
	return true;
}

static void sys_sleep_until(struct thread *t, struct trap_frame *tf)
{
	uint64_t deadline = clock_ns_to_ticks(tf->x[0], clock_freq_hz());

	if (deadline <= clock_now_ticks())
		return ret(tf, KERR_PAST, 0);
	if (unstarted_stop(t, tf))
		return;
	ret(tf, KERR_OK, 0);
	sched_block_current(THREAD_SLEEPING, deadline);
}

static void sys_thread_exit(struct thread *t, struct trap_frame *tf)
{
	ret(tf, KERR_OK, 0);
	sched_remove(t);
	t->state = THREAD_EXITED;
}

static void sys_notify(struct thread *t, struct trap_frame *tf)
{
	struct thread *to = thread_get((unsigned)tf->x[0]);
	uint64_t bits = tf->x[1];

	if (tf->x[0] >= thread_count || !to)
		return ret(tf, KERR_THREAD, 0);
	if (bits == 0 || (bits & THREAD_NOTIFY_FAULT))
		return ret(tf, KERR_INVAL, 0); /* bit 63 is the kernel's fault notification */
	if (!may_signal(t, to))
		return ret(tf, KERR_PERM, 0);
	ret(tf, KERR_OK, 0);
	thread_notify(to, bits);
}

static void sys_wait(struct thread *t, struct trap_frame *tf)
{
	uint64_t mask = tf->x[0], deadline_ns = tf->x[1], got = t->notify_pending & mask, deadline = 0;

	if (mask == 0)
		return ret(tf, KERR_INVAL, 0);
	if (got) {
		t->notify_pending &= ~got;
		return ret(tf, KERR_OK, got);
	}
	if (deadline_ns != KEEL_FOREVER) {
		deadline = clock_ns_to_ticks(deadline_ns, clock_freq_hz());
		if (deadline <= clock_now_ticks())
			return ret(tf, KERR_TIMEOUT, 0); /* a poll, or a deadline that has passed */
	}
	if (unstarted_stop(t, tf))
		return;
	t->wait_mask = mask;
	sched_block_current(THREAD_WAITING, deadline);
}

static void sys_irq_wait(struct thread *t, struct trap_frame *tf)
{
	unsigned irq = (unsigned)tf->x[0];

	if (tf->x[0] >= CONFIG_IRQ_LINES || !system_irq_granted(irq, t->space->id))
		return ret(tf, KERR_IRQ, 0);
	ret(tf, KERR_OK, 0);
	if (system_irq_take_pending(irq))
		return;
	t->irq_waiting = irq;
	sched_block_current(THREAD_WAITING_IRQ, 0);
}

static void sys_irq_ack(struct thread *t, struct trap_frame *tf)
{
	unsigned irq = (unsigned)tf->x[0];

	if (tf->x[0] >= CONFIG_IRQ_LINES || !system_irq_granted(irq, t->space->id))
		return ret(tf, KERR_IRQ, 0);
	irq_enable(irq); /* the line was masked when it fired, until the driver has served it */
	ret(tf, KERR_OK, 0);
}

/* restart and suspend belong to a thread's fault handler (named in the description). */
static struct thread *handled_thread(struct thread *t, struct trap_frame *tf)
{
	struct thread *target = tf->x[0] < thread_count ? thread_get((unsigned)tf->x[0]) : NULL;

	if (!target) {
		ret(tf, KERR_THREAD, 0);
		return NULL;
	}
	if (target == t) {
		ret(tf, KERR_INVAL, 0);
		return NULL;
	}
	if (target->fault_handler != t->id) {
		ret(tf, KERR_PERM, 0);
		return NULL;
	}
	return target;
}

static void sys_thread_restart(struct thread *t, struct trap_frame *tf)
{
	struct thread *target = handled_thread(t, tf);

	if (!target)
		return;
	sched_stop_thread(target, true);
	restart_abandon(target); /* its registers are reset: a stopped call is never continued */
	ret(tf, KERR_OK, 0);
}

static void sys_thread_suspend(struct thread *t, struct trap_frame *tf)
{
	struct thread *target = handled_thread(t, tf);

	if (!target)
		return;
	if (target->state == THREAD_EXITED)
		return ret(tf, KERR_STATE, 0);
	sched_stop_thread(target, false);
	ret(tf, KERR_OK, 0);
}

/*
 * kernel_info in parts (KINFO_PART_*), each filled and copied out on its own with a preemption
 * point after it: the whole 2.6 KiB reply took ~1 550 instructions with IRQs masked. A preempted
 * call resumes at the next part (flags in x2 say which); the parts are then snapshots of
 * slightly different moments. The header, the spaces (KINFO_SPACES_PER_PART a part) and the
 * threads (KINFO_THREADS_PER_PART a part) are staged in @info and copied; slots past the fixed
 * counts stay zero from boot. The trace keeps only per-CPU latency maxima: they are read
 * KINFO_LAT_PER_PART a part straight from where the trace keeps them into the caller's buffer,
 * which also holds the all-CPU maxima so far (so no kernel state lasts from one part to the
 * next, and a stopped call or another caller meanwhile cannot spoil it), and reset, if asked,
 * in the part that reads them, so exactly once. Every part is ~250 instructions or less (the
 * latency record with its reset was ~350 in one part); a call's first part also has the entry
 * and the buffer check.
 */
_Static_assert(KINFO_MAX_SPACES % KINFO_SPACES_PER_PART == 0, "whole parts of spaces");
_Static_assert(KINFO_MAX_THREADS % KINFO_THREADS_PER_PART == 0, "whole parts of threads");
_Static_assert(KINFO_PARTS <= (KINFO_FROM_PART_Msk >> KINFO_FROM_PART_Pos), "part numbers fit the flags");
_Static_assert(KINFO_PARTS == 10u + KINFO_PARTS_PER_CPU * KINFO_MAX_CPUS,
	       "kinfo.h and docs/syscalls.md give this count");
_Static_assert(KINFO_LAT_TICK_PARTS == (LATENCY_TICKS_VALUES + KINFO_LAT_PER_PART - 1) / KINFO_LAT_PER_PART &&
		       KINFO_LAT_CYCLE_PARTS ==
			       (KINFO_LAT_PATHS + KINFO_LAT_PER_PART - 1) / KINFO_LAT_PER_PART,
	       "kinfo.h's part counts cover a CPU's ticks and cycles");
_Static_assert(offsetof(struct kinfo_latency, masked_max) ==
		       offsetof(struct kinfo_latency, timer_late_max) + sizeof(uint64_t),
	       "kinfo_latency's ticks are laid out as kinfo_latency_cpu's");

static void kinfo_fill_system(struct keel_info *info)
{
	info->size = sizeof(*info);
	info->nr_spaces = SYS_NR_SPACES;
	info->nr_threads = SYS_NR_THREADS;
	info->config = 0;
#ifdef CONFIG_DEBUG_CHECKS
	info->config |= KINFO_CONFIG_DEBUG_CHECKS;
#endif
#ifdef CONFIG_LATENCY_TRACE
	info->config |= KINFO_CONFIG_LATENCY_TRACE;
#endif
	info->map_max_pages = CONFIG_MAP_MAX_PAGES;
	info->unmap_chunk = CONFIG_UNMAP_CHUNK;
	info->mdb = (struct kinfo_pool){kernel_mdb.capacity, kernel_mdb.capacity - kernel_mdb.free_count,
					sizeof(struct mdb_entry), 0};
	info->pt = (struct kinfo_pool){SYS_POOL_PT_COUNT, SYS_POOL_PT_COUNT - space_pool_free(), 4096, 0};
	info->tcb = (struct kinfo_pool){SYS_NR_THREADS, SYS_NR_THREADS, sizeof(struct thread), 0};
}

static void kinfo_fill_spaces(struct keel_info *info, unsigned first)
{
	for (unsigned s = first; s < first + KINFO_SPACES_PER_PART && s < SYS_NR_SPACES; s++) {
		const struct space *sp = space_get(s);

		info->space[s] = (struct kinfo_space){kernel_mdb.quota[s].used, kernel_mdb.quota[s].limit,
						      sp->pt_used, sp->pt_limit};
	}
}

static void kinfo_fill_threads(struct keel_info *info, unsigned first)
{
	for (unsigned i = first; i < first + KINFO_THREADS_PER_PART && i < thread_count; i++) {
		const struct thread *th = &threads[i];

		info->thread[i] = (struct kinfo_thread){.state = (uint8_t)th->state,
							.priority = (uint8_t)th->prio,
							.space = (uint16_t)th->space->id,
							.faults = th->faults,
							.restarts = th->restarts,
							.cpu = th->cpu};
	}
}

#ifdef CONFIG_LATENCY_TRACE
#define KINFO_LATENCY_ENABLED 1u
#else
#define KINFO_LATENCY_ENABLED 0u
#endif

/*
 * Part @k of the per-CPU latency parts: KINFO_LAT_PER_PART of CPU k / KINFO_PARTS_PER_CPU's
 * ticks (its first KINFO_LAT_TICK_PARTS parts) or cycles (the others). The ticks go into
 * latency_cpus.cpu[c] as they are; both set (CPU 0) or raise (the others) the caller's
 * kinfo_latency, and are then reset if asked.
 */
static void kinfo_latency_part(struct keel_info *info, unsigned k, uintptr_t ubuf, bool reset)
{
	unsigned cpu = k / KINFO_PARTS_PER_CPU, sub = k % KINFO_PARTS_PER_CPU;
	bool cycles = sub >= KINFO_LAT_TICK_PARTS;
	unsigned first = (cycles ? sub - KINFO_LAT_TICK_PARTS : sub) * KINFO_LAT_PER_PART;
	unsigned n = (cycles ? KINFO_LAT_PATHS : LATENCY_TICKS_VALUES) - first;
	uintptr_t ucpu = 0, uall = ubuf + first * sizeof(uint64_t) +
				   (cycles ? offsetof(struct keel_info, latency.masked_max_cycles)
					   : offsetof(struct keel_info, latency.timer_late_max));

	if (n > KINFO_LAT_PER_PART)
		n = KINFO_LAT_PER_PART;
	if (!cycles) {
		if (k == 0) {
			info->latency_cpus.enabled = KINFO_LATENCY_ENABLED;
			info->latency_cpus.nr_cpus = CONFIG_NR_CPUS;
			space_copy_to_user(ubuf + offsetof(struct keel_info, latency_cpus),
					   (const char *)&info->latency_cpus,
					   offsetof(struct kinfo_latency_cpus, cpu));
		}
		ucpu = ubuf + offsetof(struct keel_info, latency_cpus.cpu) +
		       cpu * sizeof(struct kinfo_latency_cpu) + first * sizeof(uint64_t);
	}
	latency_read_values(cpu, cycles, first, n, ucpu, uall, reset);
}

static void kernel_info_part(struct keel_info *info, unsigned part, uintptr_t ubuf, bool reset)
{
	size_t start, end;

	if (part == KINFO_PART_SYSTEM) {
		kinfo_fill_system(info);
		start = 0;
		end = offsetof(struct keel_info, space);
	} else if (part < KINFO_PART_THREADS(0)) {
		unsigned first = (part - KINFO_PART_SPACES(0)) * KINFO_SPACES_PER_PART;

		kinfo_fill_spaces(info, first);
		start = offsetof(struct keel_info, space) + first * sizeof(struct kinfo_space);
		end = start + KINFO_SPACES_PER_PART * sizeof(struct kinfo_space);
	} else if (part < KINFO_PART_LATENCY) {
		unsigned first = (part - KINFO_PART_THREADS(0)) * KINFO_THREADS_PER_PART;

		kinfo_fill_threads(info, first);
		start = offsetof(struct keel_info, thread) + first * sizeof(struct kinfo_thread);
		end = start + KINFO_THREADS_PER_PART * sizeof(struct kinfo_thread);
		if (first + KINFO_THREADS_PER_PART == KINFO_MAX_THREADS) {
			info->syscalls = syscall_count;
			end = offsetof(struct keel_info, latency);
		}
	} else if (part == KINFO_PART_LATENCY) {
		/* The header only: the maxima are set by CPU 0's parts, then raised by the others'. */
		info->latency.enabled = KINFO_LATENCY_ENABLED;
		info->latency.nr_paths = KINFO_LATENCY_ENABLED ? KINFO_LAT_PATHS : 0;
		info->latency.cycles = latency_cycles_counted();
		space_copy_to_user(ubuf + offsetof(struct keel_info, latency), (const char *)&info->latency,
				   offsetof(struct kinfo_latency, timer_late_max));
		start = offsetof(struct keel_info, latency.cycles);
		end = offsetof(struct keel_info, latency.masked_max_cycles);
	} else {
		kinfo_latency_part(info, part - KINFO_PART_LATENCY_CPUS, ubuf, reset);
		return;
	}
	space_copy_to_user(ubuf + start, (const char *)info + start, end - start);
}

static void sys_kernel_info(struct thread *t, struct trap_frame *tf)
{
	static struct keel_info info; /* too big for the kernel stack; one CPU fills it at a time */
	/* The per-CPU parts end at this kernel's last CPU: the later ones have nothing to copy. */
	const unsigned parts = KINFO_PART_CPU(CONFIG_NR_CPUS);
	uintptr_t ubuf = tf->x[0];
	size_t size = tf->x[1];
	uint64_t flags = tf->x[2];
	unsigned part = (unsigned)((flags & KINFO_FROM_PART_Msk) >> KINFO_FROM_PART_Pos);

	if (size < sizeof(info) || (flags & ~(uint64_t)(KINFO_RESET_LATENCY | KINFO_FROM_PART_Msk)) ||
	    part >= KINFO_PARTS)
		return ret(tf, KERR_INVAL, 0);
	if (!space_user_range_ok_active(t->space, ubuf, sizeof(info), true))
		return ret(tf, KERR_FAULT, 0);
	for (; part < parts; part++) {
		kernel_info_part(&info, part, ubuf, (flags & KINFO_RESET_LATENCY) != 0);
		/* Preemption point, after one part (<= ~250 instructions on QEMU virt). */
		if (part + 1 < parts && preempt_pending()) {
			tf->x[2] = (flags & ~(uint64_t)KINFO_FROM_PART_Msk) | KINFO_FROM_PART(part + 1);
			return preempted(tf);
		}
	}
	ret(tf, KERR_OK, sizeof(info));
	finished_preempt_point(tf);
}

static void sys_thread_self(struct thread *t, struct trap_frame *tf)
{
	ret(tf, KERR_OK, t->id);
}

/*
 * map, grant and share: x0 = destination space, x1 = source VA, x2 = destination VA, x3 = pages,
 * x4 = rights, x5 = restart token (0 from user code); x1 = pages mapped on return (all, or
 * those before a KERR_CONFLICT). Inlined into each of the three, so that @op is a constant.
 */
static inline __attribute__((always_inline)) void sys_derive(struct thread *t, struct trap_frame *tf,
							     unsigned op, enum mdb_derive_kind kind)
{
	unsigned dst = (unsigned)tf->x[0], rights = (unsigned)tf->x[4];
	uint64_t src_va = tf->x[1], dst_va = tf->x[2], npages = tf->x[3];
	unsigned src = t->space->id;
	struct mdb_derive *d = &derive_state[t->id];
	enum kerr r;

	/*
	 * Not the restart of the thread's stopped map: a new call (x5 = 0) while the thread was
	 * stopped in one, a token that is not the thread's, or that of a stopped protect. Whatever
	 * it was stopped in is abandoned. (The token is 0 exactly while no call of it is stopped.)
	 */
	if (tf->x[5] != restart_token[t->id] || (tf->x[5] != 0 && !d->active)) {
		restart_abandon(t);
		if (tf->x[5] != 0)
			return ret(tf, KERR_INVAL, 0);
	}
	restart_token[t->id] = 0;
	if (!d->active) {
		if (tf->x[0] >= SYS_NR_SPACES)
			return ret(tf, KERR_SPACE, 0);
		if ((src_va | dst_va) & PAGE_MASK)
			return ret(tf, KERR_ALIGN, 0);
		if (dst != src && !system_may(src, dst, op))
			return ret(tf, KERR_PERM, 0);
		if (tf->x[4] > MDB_RIGHTS)
			return ret(tf, KERR_INVAL, 0);
	}
	/*
	 * Preemption point inside, after every few pages (derive_chunks) and, for a grant, the TLB
	 * maintenance of the sources it cleared: as for unmap, the rest goes into the argument
	 * registers, the PC back onto the svc, and the IRQ is taken here.
	 */
	r = mdb_derive_preemptible(&kernel_mdb, kind, src, src_va >> PAGE_SHIFT, dst, dst_va >> PAGE_SHIFT,
				   npages, rights, &derive_chunks, d);
	if (r != KERR_PREEMPTED) {
		ret(tf, r, d->done);
		/* The last stretch (the last pages and the PTE copy) does not also hold the way out. */
		finished_handover_point(tf);
		return;
	}
	tf->x[1] = d->src_vpn << PAGE_SHIFT;
	tf->x[2] = d->dst_vpn << PAGE_SHIFT;
	tf->x[3] = d->npages;
	tf->x[5] = restart_token_issue(t);
	preempted(tf);
}

static void sys_map(struct thread *t, struct trap_frame *tf)
{
	sys_derive(t, tf, SYS_OP_MAP, MDB_DERIVE_MAP);
}

static void sys_grant(struct thread *t, struct trap_frame *tf)
{
	sys_derive(t, tf, SYS_OP_GRANT, MDB_DERIVE_GRANT);
}

static void sys_share(struct thread *t, struct trap_frame *tf)
{
	sys_derive(t, tf, SYS_OP_SHARE, MDB_DERIVE_SHARE);
}

/* An IRQ is waiting at this CPU (ISR_EL1.I): the preemption point's question. */
static bool preempt_pending(void)
{
	if (irq_pending_here())
		return true;
	latency_preempt_point();
	return false;
}

/* Set when a call stops for another CPU waiting for the kernel lock: stop_here() hands it over. */
static bool handover_due[CONFIG_NR_CPUS];

/*
 * The question of the MDB operations' preemption points (unmap, protect, map, share, grant):
 * an IRQ at this CPU, or another CPU waiting for the kernel lock. For the latter the call stops
 * too, so that the other CPU waits for one chunk of it and not for the whole call
 * (docs/interrupts-and-time.md, "The kernel lock at preemption points"). debug_write and
 * kernel_info ask preempt_pending() only: a call's text stays in one piece on the console, and
 * kernel_info's latency records stay one snapshot (its parts are read and reset one after the
 * other; another CPU's stretch ending between them would land in different reads).
 */
static bool preempt_or_handover_pending(void)
{
	if (irq_pending_here())
		return true;
	if (kernel_lock_contended()) {
		handover_due[cpu_id()] = true;
		return true;
	}
	latency_preempt_point();
	return false;
}

/*
 * What a stop does once the thread's state is what user mode would see (the rest of the call in
 * its registers and the PC on the svc, or the call complete): a call stopped for another CPU
 * waiting for the kernel lock hands the lock over right here (kernel_lock_handover()), so the
 * other CPU may do anything it could do then, and what follows here is only what follows any
 * entry (an IRQ that came meanwhile, then the scheduler). Going out through the eret instead
 * would make the other CPU wait for that way out too (~250 instructions), and an IRQ arriving
 * meanwhile for the re-entered call's first stretch. A waiting IRQ is handled right here, as if
 * taken from user mode at the svc (the same dispatch, with the thread's frame saved): returning
 * to user mode first would only add the eret, the exception entry and a second scheduling pass
 * before the IRQ's handler (~170 instructions with IRQs masked). Further pending IRQs are taken
 * at the exit.
 */
static void stop_here(const struct trap_frame *tf)
{
	bool handover = handover_due[cpu_id()];

	handover_due[cpu_id()] = false;
	if (handover && !irq_pending_here()) {
		latency_idle(); /* the stretch ends: no stretch spans a release of the lock */
		kernel_lock_handover();
		latency_open(latency_syscall_path(tf->x[8])); /* a new one, as on an entry at the svc */
		if (!irq_pending_here())
			return;
	}
	(void)irq_take_pending_in_call(); /* false only if the IRQ went away meanwhile: nothing to do */
}

/*
 * The way out of a call stopped at a preemption point (the rest of its work is in the argument
 * registers already): the PC goes back onto the svc, so the thread continues the call when it
 * runs next.
 */
static void preempted(struct trap_frame *tf)
{
	tf->elr -= 4;
	stop_here(tf);
}

/*
 * A preemption point after a call's last piece of work, its results already in @tf: an IRQ
 * found waiting is taken here, as preempted() does, but without rewinding the PC, since there
 * is nothing left to restart. The IRQ then waits neither for the call's exit nor for the eret
 * and a second kernel entry (debug_write, kernel_info: their last piece and the exit were
 * their longest stretch).
 */
static void finished_preempt_point(const struct trap_frame *tf)
{
	if (preempt_pending())
		stop_here(tf); /* no hand-over is due: the waiting IRQ is taken */
}

/*
 * The same point for the MDB calls, which also ask whether another CPU waits for the kernel
 * lock: that CPU then gets it here, before this call's scheduling pass and exit (~90
 * instructions it waited for: the storm load's worst wake-ups on CPU 0 ended that way).
 */
static void finished_handover_point(const struct trap_frame *tf)
{
	if (preempt_or_handover_pending())
		stop_here(tf);
}

/*
 * The chunks of protect: CONFIG_UNMAP_CHUNK units between preemption points, but one unit
 * before the first: the call's entry, checks and first lookup already cost about what a unit
 * does, and a whole chunk on top would make the first stretch of every call its longest
 * (docs/mapping.md, "Worst-case bounds"). unmap's are unmap_chunks below.
 */
static const struct mdb_chunking protect_chunks = {
	.first = CONFIG_UNMAP_CHUNK ? 1U : MDB_UNCHUNKED,
	.each = CONFIG_UNMAP_CHUNK ? CONFIG_UNMAP_CHUNK : MDB_UNCHUNKED,
	.preempt_point = preempt_or_handover_pending,
};

/*
 * unmap's chunks (docs/mapping.md, "Preemption points of unmap"): a first preemption point right
 * after the entry, the checks and the first lookup, before any unit, so that the first stretch
 * of a call or a restart holds no removal (~300 instructions, was ~490 with one unit and its
 * TLBI); then one unit, then CONFIG_UNMAP_CHUNK units between later points, and the walk to
 * each further leaf table counted as a unit. The first point asks for IRQs only: a call stopped
 * there has done nothing, and one that stopped there for another CPU's call could be stopped
 * there by it every time (the other CPU waits at most for the first stretch and one unit).
 */
static const struct mdb_chunking unmap_chunks = {
	.first = CONFIG_UNMAP_CHUNK ? 1U : MDB_UNCHUNKED,
	.each = CONFIG_UNMAP_CHUNK ? CONFIG_UNMAP_CHUNK : MDB_UNCHUNKED,
	.preempt_point = preempt_or_handover_pending,
	.ask_first = CONFIG_UNMAP_CHUNK ? preempt_pending : NULL,
	.run_unit = CONFIG_UNMAP_CHUNK != 0,
};

/*
 * The checks unmap and protect share, in their order: x0 names a space, x1 is page aligned, and
 * the caller may change that space (its own, or one it may map, grant or share into).
 */
static enum kerr revoke_target_check(const struct thread *t, const struct trap_frame *tf)
{
	unsigned any = SYS_OP_MAP | SYS_OP_GRANT | SYS_OP_SHARE;

	if (tf->x[0] >= SYS_NR_SPACES)
		return KERR_SPACE;
	if (tf->x[1] & PAGE_MASK)
		return KERR_ALIGN;
	if ((unsigned)tf->x[0] != t->space->id && !system_may(t->space->id, (unsigned)tf->x[0], any))
		return KERR_PERM;
	return KERR_OK;
}

/* unmap: x0 = space, x1 = VA, x2 = pages, x3 = flags. Chunked; restartable at every preemption point. */
static void sys_unmap(struct thread *t, struct trap_frame *tf)
{
	unsigned space = (unsigned)tf->x[0], flags = (unsigned)tf->x[3];
	uint64_t vpn = tf->x[1] >> PAGE_SHIFT, npages = tf->x[2], removed = 0;
	enum kerr r;

	r = revoke_target_check(t, tf);
	if (r != KERR_OK)
		return ret(tf, r, 0);
	if (tf->x[3] & ~(uint64_t)MDB_UNMAP_SELF)
		return ret(tf, KERR_INVAL, 0); /* checked in 64 bits: bit 32 up must not vanish in `flags` */
	/*
	 * Preemption points (inside mdb_unmap_preemptible): after the first lookup, then after at
	 * most CONFIG_UNMAP_CHUNK units of work and their TLB maintenance (unmap_chunks):
	 * KERR_PREEMPTED means preempt_or_handover_pending() found an IRQ waiting or another CPU
	 * waiting for the kernel lock, so leave the call restartable (the rest of the work in the
	 * argument registers, PC back on the svc) and let the IRQ or the other CPU in. No second
	 * question: should the IRQ have gone meanwhile, the thread simply continues the call.
	 */
	r = mdb_unmap_restartable(&kernel_mdb, space, &vpn, &npages, flags, &unmap_chunks,
				  &stopped_unstarted[t->id], &removed);
	if (r == KERR_OK) {
		/* The last chunk's stretch ends here, not after the way out (~110 more). */
		ret(tf, r, 0);
		return finished_handover_point(tf);
	}
	if (r != KERR_PREEMPTED)
		return ret(tf, r, 0);
	tf->x[1] = vpn << PAGE_SHIFT;
	tf->x[2] = npages;
	preempted(tf);
}

/*
 * protect: x0 = space, x1 = VA, x2 = pages, x3 = rights, x4 = flags (x5: restart token, 0 from
 * user code). Chunked and restartable like unmap; the same permission as unmap.
 */
static void sys_protect(struct thread *t, struct trap_frame *tf)
{
	unsigned space = (unsigned)tf->x[0], rights = (unsigned)tf->x[3], flags = (unsigned)tf->x[4];
	uint64_t vpn = tf->x[1] >> PAGE_SHIFT, npages = tf->x[2], walked = 0;
	struct mdb_cursor *cur = &protect_cursor[t->id];
	enum kerr r;

	/*
	 * Not the restart of the thread's stopped protect (x5 = 0, not the thread's token, or that
	 * of a stopped map): start afresh, abandoning whatever the thread was stopped in. So a
	 * thread restarted by its fault handler never continues an abandoned walk by accident.
	 */
	if (tf->x[5] == 0 || tf->x[5] != restart_token[t->id] || derive_state[t->id].active)
		restart_abandon(t);
	restart_token[t->id] = 0;
	r = revoke_target_check(t, tf);
	if (r != KERR_OK)
		return ret(tf, r, 0);
	if ((tf->x[4] & ~(uint64_t)MDB_PROTECT_SELF) || tf->x[3] > MDB_RIGHTS)
		return ret(tf, KERR_INVAL, 0); /* in 64 bits, as for unmap */
	/* Preemption point inside, after at most CONFIG_UNMAP_CHUNK units and their TLBIs; as unmap. */
	r = mdb_protect_preemptible(&kernel_mdb, space, &vpn, &npages, rights, flags, &protect_chunks, cur,
				    &walked);
	if (r != KERR_PREEMPTED)
		return ret(tf, r, 0);
	tf->x[1] = vpn << PAGE_SHIFT;
	tf->x[2] = npages;
	tf->x[5] = restart_token_issue(t);
	preempted(tf);
}

typedef void (*syscall_fn)(struct thread *t, struct trap_frame *tf);

static const syscall_fn syscall_table[SYS_COUNT] = {
	[SYS_DEBUG_WRITE] = sys_debug_write,
	[SYS_YIELD] = sys_yield,
	[SYS_CLOCK_NOW] = sys_clock_now,
	[SYS_SLEEP_UNTIL] = sys_sleep_until,
	[SYS_THREAD_EXIT] = sys_thread_exit,
	[SYS_NOTIFY] = sys_notify,
	[SYS_WAIT] = sys_wait,
	[SYS_IRQ_WAIT] = sys_irq_wait,
	[SYS_IRQ_ACK] = sys_irq_ack,
	[SYS_THREAD_RESTART] = sys_thread_restart,
	[SYS_THREAD_SUSPEND] = sys_thread_suspend,
	[SYS_KERNEL_INFO] = sys_kernel_info,
	[SYS_THREAD_SELF] = sys_thread_self,
	[SYS_MAP] = sys_map,
	[SYS_GRANT] = sys_grant,
	[SYS_SHARE] = sys_share,
	[SYS_UNMAP] = sys_unmap,
	[SYS_PROTECT] = sys_protect,
};

/*
 * CONFIG_DEBUG_CHECKS: every structure's invariants hold after every call, or the kernel stops.
 * The full checks walk the whole MDB and every table, so they run when the call changed one of
 * them (each keeps a count of its changes); a call that changed nothing cannot have broken them.
 */
static void check_invariants(uint64_t nr)
{
#ifdef CONFIG_DEBUG_CHECKS
	static unsigned long mdb_checked = ~0UL, space_checked = ~0UL;
	const char *err;

	if (kernel_mdb.generation != mdb_checked) {
		err = mdb_check(&kernel_mdb);
		if (err)
			panic("after system call %lu: mapping database: %s", (unsigned long)nr, err);
		mdb_checked = kernel_mdb.generation;
	}
	if (space_generation() != space_checked) {
		err = space_check();
		if (err)
			panic("after system call %lu: address spaces: %s", (unsigned long)nr, err);
		space_checked = space_generation();
	}
	err = sched_check();
	if (err)
		panic("after system call %lu: scheduler: %s", (unsigned long)nr, err);
#else
	(void)nr;
#endif
}

void syscall_handle(struct trap_frame *tf)
{
	struct thread *t = sched_current();
	uint64_t nr = tf->x[8];
	const bool past_unstarted = stopped_unstarted[t->id]; /* this call runs past them */

	if (unstarted_stop(t, tf)) {
		check_invariants(nr);
		return;
	}
	syscall_count++;
	if (esr_iss(tf->esr) & 0xFFFFU || nr >= SYS_COUNT || !syscall_table[nr]) {
		ret(tf, KERR_NOSYS, 0);
	} else {
		syscall_table[nr](t, tf);
		check_invariants(nr);
	}
	if (past_unstarted)
		stopped_unstarted[t->id] = false;
}
