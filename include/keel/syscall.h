/* syscall.h — system-call numbers and calling convention, shared by the kernel and the user library. */
#ifndef KEEL_SYSCALL_H
#define KEEL_SYSCALL_H

/*
 * Convention: `svc #0` with the call number in x8 and arguments in x0..x5. On return x0 holds
 * an enum kerr (0 = success) and x1 the call's result, if it has one; x2..x30, SP and the
 * FP/SIMD registers are preserved. docs/syscalls.md documents every call and error.
 */
#define SYS_DEBUG_WRITE	   0  /* (const char *buf, size_t len) -> x1 = bytes left unwritten */
#define SYS_YIELD	   1  /* () */
#define SYS_CLOCK_NOW	   2  /* () -> x1 = nanoseconds since boot */
#define SYS_SLEEP_UNTIL	   3  /* (uint64_t deadline_ns) */
#define SYS_THREAD_EXIT	   4  /* () does not return */
#define SYS_NOTIFY	   5  /* (unsigned thread, uint64_t bits) */
#define SYS_WAIT	   6  /* (uint64_t mask, uint64_t deadline_ns) -> x1 = bits */
#define SYS_IRQ_WAIT	   7  /* (unsigned irq) */
#define SYS_IRQ_ACK	   8  /* (unsigned irq) */
#define SYS_THREAD_RESTART 9  /* (unsigned thread) */
#define SYS_THREAD_SUSPEND 10 /* (unsigned thread) */
#define SYS_KERNEL_INFO	   11 /* (struct keel_info *buf, size_t size) -> x1 = bytes written */
#define SYS_THREAD_SELF	   12 /* () -> x1 = own thread index */
#define SYS_MAP		   13 /* (unsigned dst_space, uintptr_t src, uintptr_t dst, size_t npages, unsigned rights) */
#define SYS_GRANT	   14 /* same arguments as SYS_MAP */
#define SYS_SHARE	   15 /* same arguments as SYS_MAP */
#define SYS_UNMAP	   16 /* (unsigned space, uintptr_t vaddr, size_t npages, unsigned flags) */
#define SYS_PROTECT	   17 /* (unsigned space, uintptr_t vaddr, size_t npages, unsigned rights, unsigned flags) */
#define SYS_COUNT	   18

#define KEEL_FOREVER 0xFFFFFFFFFFFFFFFFULL /* deadline that never expires */

#endif
