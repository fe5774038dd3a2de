/* syscall.c — one C function per system call of include/keel/syscall.h. */
#include "keel/user.h"
#include "svc.h"

/* A call with no result: returns the error in x0. */
static enum kerr call(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	return (enum kerr)keel_svc(nr, a0, a1, a2, a3, a4, 0, NULL);
}

/* A call with a result in x1, stored in *out unless out is NULL or the call failed. */
static enum kerr call_result(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t *out)
{
	uint64_t x1 = 0;
	enum kerr err = (enum kerr)keel_svc(nr, a0, a1, 0, 0, 0, 0, &x1);

	if (out && err == KERR_OK)
		*out = x1;
	return err;
}

enum kerr keel_debug_write(const char *buf, size_t len, size_t *written)
{
	uint64_t left = 0;
	enum kerr err = call_result(SYS_DEBUG_WRITE, (uintptr_t)buf, len, &left);

	/* The kernel returns the bytes it did not write (the same whether it restarted or not). */
	if (written)
		*written = err == KERR_OK && left <= len ? (size_t)(len - left) : 0;
	return err;
}

enum kerr keel_yield(void)
{
	return call(SYS_YIELD, 0, 0, 0, 0, 0);
}

enum kerr keel_clock_now(uint64_t *ns)
{
	return call_result(SYS_CLOCK_NOW, 0, 0, ns);
}

enum kerr keel_sleep_until(uint64_t deadline_ns)
{
	return call(SYS_SLEEP_UNTIL, deadline_ns, 0, 0, 0, 0);
}

void keel_thread_exit(void)
{
	for (;;) /* the kernel never returns from this call; loop in case it does */
		(void)keel_svc(SYS_THREAD_EXIT, 0, 0, 0, 0, 0, 0, NULL);
}

enum kerr keel_notify(unsigned thread, uint64_t bits)
{
	return call(SYS_NOTIFY, thread, bits, 0, 0, 0);
}

enum kerr keel_wait(uint64_t mask, uint64_t deadline_ns, uint64_t *bits)
{
	return call_result(SYS_WAIT, mask, deadline_ns, bits);
}

enum kerr keel_irq_wait(unsigned irq)
{
	return call(SYS_IRQ_WAIT, irq, 0, 0, 0, 0);
}

enum kerr keel_irq_ack(unsigned irq)
{
	return call(SYS_IRQ_ACK, irq, 0, 0, 0, 0);
}

enum kerr keel_thread_restart(unsigned thread)
{
	return call(SYS_THREAD_RESTART, thread, 0, 0, 0, 0);
}

enum kerr keel_thread_suspend(unsigned thread)
{
	return call(SYS_THREAD_SUSPEND, thread, 0, 0, 0, 0);
}

enum kerr keel_kernel_info(void *buf, size_t size, size_t *written)
{
	return keel_kernel_info_flags(buf, size, 0, written);
}

enum kerr keel_kernel_info_flags(void *buf, size_t size, unsigned flags, size_t *written)
{
	uint64_t n = 0;
	enum kerr err = (enum kerr)keel_svc(SYS_KERNEL_INFO, (uintptr_t)buf, size, flags, 0, 0, 0, &n);

	if (written)
		*written = err == KERR_OK ? (size_t)n : 0;
	return err;
}

enum kerr keel_thread_self(unsigned *thread)
{
	uint64_t t = 0;
	enum kerr err = call_result(SYS_THREAD_SELF, 0, 0, &t);

	if (thread && err == KERR_OK)
		*thread = (unsigned)t;
	return err;
}

enum kerr keel_map(unsigned dst_space, uintptr_t src, uintptr_t dst, size_t npages, unsigned rights)
{
	return call(SYS_MAP, dst_space, src, dst, npages, rights); /* x5 = 0: a new call, not a restart */
}

enum kerr keel_grant(unsigned dst_space, uintptr_t src, uintptr_t dst, size_t npages, unsigned rights)
{
	return call(SYS_GRANT, dst_space, src, dst, npages, rights);
}

enum kerr keel_share(unsigned dst_space, uintptr_t src, uintptr_t dst, size_t npages, unsigned rights)
{
	return call(SYS_SHARE, dst_space, src, dst, npages, rights);
}

enum kerr keel_unmap(unsigned space, uintptr_t vaddr, size_t npages, unsigned flags)
{
	return call(SYS_UNMAP, space, vaddr, npages, flags, 0);
}

enum kerr keel_protect(unsigned space, uintptr_t vaddr, size_t npages, unsigned rights, unsigned flags)
{
	return call(SYS_PROTECT, space, vaddr, npages, rights, flags); /* x5 = 0: a new call, not a restart */
}

uint64_t keel_syscall6(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		       uint64_t a5, uint64_t *x1_out)
{
	return keel_svc(nr, a0, a1, a2, a3, a4, a5, x1_out);
}

uint64_t keel_syscall6_x5(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
			  uint64_t a5, uint64_t *x1_out, uint64_t *x5_out)
{
	return keel_svc_x5(nr, a0, a1, a2, a3, a4, a5, x1_out, x5_out);
}

const char *keel_strerror(enum kerr err)
{
	static const char *const names[] = {
		[KERR_OK] = "KERR_OK",
		[KERR_INVAL] = "KERR_INVAL",
		[KERR_RANGE] = "KERR_RANGE",
		[KERR_NOT_MAPPED] = "KERR_NOT_MAPPED",
		[KERR_EXISTS] = "KERR_EXISTS",
		[KERR_RIGHTS] = "KERR_RIGHTS",
		[KERR_QUOTA] = "KERR_QUOTA",
		[KERR_NO_MEMORY] = "KERR_NO_MEMORY",
		[KERR_DEPTH] = "KERR_DEPTH",
		[KERR_SPACE] = "KERR_SPACE",
		[KERR_PERM] = "KERR_PERM",
		[KERR_PREEMPTED] = "KERR_PREEMPTED",
		[KERR_THREAD] = "KERR_THREAD",
		[KERR_STATE] = "KERR_STATE",
		[KERR_TIMEOUT] = "KERR_TIMEOUT",
		[KERR_PAST] = "KERR_PAST",
		[KERR_ALIGN] = "KERR_ALIGN",
		[KERR_FAULT] = "KERR_FAULT",
		[KERR_NOSYS] = "KERR_NOSYS",
		[KERR_IRQ] = "KERR_IRQ",
		[KERR_CONFLICT] = "KERR_CONFLICT",
	};

	if ((unsigned)err < sizeof(names) / sizeof(names[0]) && names[err])
		return names[err];
	return "KERR_?";
}
