/* trap_frame.h — registers saved on exception entry; layout shared with vectors.S. */
#ifndef TRAP_FRAME_H
#define TRAP_FRAME_H

#define TF_X0	0
#define TF_X30	(30 * 8)
#define TF_SP0	(31 * 8)
#define TF_ELR	(32 * 8)
#define TF_SPSR (33 * 8)
#define TF_ESR	(34 * 8)
#define TF_FAR	(35 * 8)
#define TF_SIZE (36 * 8) /* multiple of 16: keeps SP aligned */

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

struct trap_frame {
	uint64_t x[31]; /* x0..x30 */
	uint64_t sp_el0;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

_Static_assert(offsetof(struct trap_frame, x[30]) == TF_X30, "TF_X30");
_Static_assert(offsetof(struct trap_frame, sp_el0) == TF_SP0, "TF_SP0");
_Static_assert(offsetof(struct trap_frame, elr) == TF_ELR, "TF_ELR");
_Static_assert(offsetof(struct trap_frame, esr) == TF_ESR, "TF_ESR");
_Static_assert(offsetof(struct trap_frame, far) == TF_FAR, "TF_FAR");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "TF_SIZE");
_Static_assert(TF_SIZE % 16 == 0, "trap frame keeps SP 16-byte aligned");

/* Vector index (0..15) -> what happened. */
enum exc_kind {
	EXC_SYNC = 0,
	EXC_IRQ = 1,
	EXC_FIQ = 2,
	EXC_SERROR = 3,
};
#define EXC_KIND(vector)   ((enum exc_kind)((vector)&3U))
/* 0 = current EL with SP0, 1 = current EL with SPx, 2 = lower EL AArch64, 3 = lower EL AArch32 */
#define EXC_ORIGIN(vector) ((vector) >> 2)

#endif
#endif /* TRAP_FRAME_H */
