/* user.h — the Keel user library: system calls, console output, memory and string routines. */
#ifndef KEEL_USER_H
#define KEEL_USER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "keel/kerr.h"
#include "keel/kstring.h" /* memset, memcpy, memmove, memcmp, strlen, strcmp, strncmp (lib/string.c) */
#include "keel/syscall.h"

/*
 * The kernel notifies a thread's fault handler (the `fault_handler` of the system description)
 * with this bit set when the thread faults; keel_wait() for it, then keel_thread_restart().
 */
#define KEEL_NOTIFY_FAULT (1ULL << 63)

/* Rights of keel_map/grant/share: the same bits as enum sys_rights of system_tables.h. */
#define KEEL_RIGHT_R 1u
#define KEEL_RIGHT_W 2u
#define KEEL_RIGHT_X 4u

/* Flags of keel_unmap and keel_protect: the named pages too, not only what was derived from them. */
#define KEEL_UNMAP_SELF	  1u
#define KEEL_PROTECT_SELF 1u

#define KEEL_MUST_CHECK __attribute__((warn_unused_result))

/*
 * System calls (docs/user-programs.md). Each returns KERR_OK or the error the kernel reported;
 * a call's result goes to its last, pointer argument, which may be NULL when it is not needed.
 */
enum kerr keel_debug_write(const char *buf, size_t len, size_t *written) KEEL_MUST_CHECK;
enum kerr keel_yield(void) KEEL_MUST_CHECK;
enum kerr keel_clock_now(uint64_t *ns) KEEL_MUST_CHECK;
enum kerr keel_sleep_until(uint64_t deadline_ns) KEEL_MUST_CHECK;
__attribute__((noreturn)) void keel_thread_exit(void);
enum kerr keel_notify(unsigned thread, uint64_t bits) KEEL_MUST_CHECK;
/* Waits until a bit of @mask is pending or @deadline_ns (KEEL_FOREVER: never) passes; *bits = the bits taken (0: timeout). */
enum kerr keel_wait(uint64_t mask, uint64_t deadline_ns, uint64_t *bits) KEEL_MUST_CHECK;
enum kerr keel_irq_wait(unsigned irq) KEEL_MUST_CHECK;
enum kerr keel_irq_ack(unsigned irq) KEEL_MUST_CHECK;
enum kerr keel_thread_restart(unsigned thread) KEEL_MUST_CHECK;
enum kerr keel_thread_suspend(unsigned thread) KEEL_MUST_CHECK;
enum kerr keel_kernel_info(void *buf, size_t size, size_t *written) KEEL_MUST_CHECK;
/* kernel_info with flags: KINFO_RESET_LATENCY (keel/kinfo.h) clears the latency maxima after reading. */
enum kerr keel_kernel_info_flags(void *buf, size_t size, unsigned flags, size_t *written) KEEL_MUST_CHECK;
enum kerr keel_thread_self(unsigned *thread) KEEL_MUST_CHECK;
/*
 * map, grant, share: all pages or none; KERR_CONFLICT only when another thread changed one of the
 * pages while the call was preempted (the pages before it are mapped: docs/syscalls.md).
 */
enum kerr keel_map(unsigned dst_space, uintptr_t src, uintptr_t dst, size_t npages,
		   unsigned rights) KEEL_MUST_CHECK;
enum kerr keel_grant(unsigned dst_space, uintptr_t src, uintptr_t dst, size_t npages,
		     unsigned rights) KEEL_MUST_CHECK;
enum kerr keel_share(unsigned dst_space, uintptr_t src, uintptr_t dst, size_t npages,
		     unsigned rights) KEEL_MUST_CHECK;
enum kerr keel_unmap(unsigned space, uintptr_t vaddr, size_t npages, unsigned flags) KEEL_MUST_CHECK;
/* Reduce the rights of what was derived from the pages (and, with KEEL_PROTECT_SELF, of the pages) to old & rights. */
enum kerr keel_protect(unsigned space, uintptr_t vaddr, size_t npages, unsigned rights,
		       unsigned flags) KEEL_MUST_CHECK;

/*
 * The generic timer's virtual count (CNTVCT_EL0, the kernel's clock in ticks) and its frequency
 * (CNTFRQ_EL0), read directly without a system call (user/lib/counter.c).
 */
uint64_t keel_counter_now(void);
uint32_t keel_counter_freq(void);

/* Any call, unchecked, for fuzzers and tests: returns x0 and stores x1 in *x1_out (if not NULL). */
uint64_t keel_syscall6(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5, uint64_t *x1_out);
/*
 * keel_syscall6() that also stores the x5 the call left in *x5_out: a map, share, grant or
 * protect that was preempted leaves its last restart token there (tests; 0 if never preempted).
 */
uint64_t keel_syscall6_x5(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			  uint64_t a5, uint64_t *x1_out, uint64_t *x5_out);

/* The name of an error code, e.g. "KERR_QUOTA" ("KERR_?" for an unknown value). */
const char *keel_strerror(enum kerr err);

/*
 * Console output through SYS_DEBUG_WRITE, formatted by lib/format.c (%d %i %u %x %X %p %s %c %%,
 * flags '-' '0', width, %s precision, l ll z). Each call buffers a line and writes it when it sees
 * '\n', when the buffer is full and before it returns; there is no state shared between calls, so
 * threads of one space may print concurrently (their lines do not interleave within a line).
 */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int puts(const char *s); /* s and a newline */
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Program entry: a thread whose `entry` is not named starts here; its return ends the thread. */
int main(void);

#endif
