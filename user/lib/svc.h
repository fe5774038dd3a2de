/* svc.h — the one place with the system-call instruction (private to the user library). */
#ifndef KEEL_USER_SVC_H
#define KEEL_USER_SVC_H

#include <stdint.h>

/*
 * `svc #0` with the number in x8 and arguments in x0..x5 (include/keel/syscall.h): x0 comes back
 * as the error, x1 as the result. x2..x5 are in/out operands because a restartable call may
 * rewrite its saved arguments before it completes (DESIGN.md §2); "memory" because the kernel
 * reads and writes user buffers.
 */
static inline uint64_t keel_svc_x5(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				   uint64_t a4, uint64_t a5, uint64_t *x1_out, uint64_t *x5_out)
{
	register uint64_t x8 __asm__("x8") = nr;
	register uint64_t x0 __asm__("x0") = a0;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = a4;
	register uint64_t x5 __asm__("x5") = a5;

	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5)
			 : "r"(x8)
			 : "memory");
	if (x1_out)
		*x1_out = x1;
	if (x5_out)
		*x5_out = x5; /* a restart token, if the call was preempted */
	return x0;
}

static inline uint64_t keel_svc(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
				uint64_t a5, uint64_t *x1_out)
{
	return keel_svc_x5(nr, a0, a1, a2, a3, a4, a5, x1_out, NULL);
}

#endif
