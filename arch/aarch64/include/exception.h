/* exception.h — handling of exceptions taken to EL1. */
#ifndef EXCEPTION_H
#define EXCEPTION_H

#include <stdbool.h>

#include "keel/format.h"
#include "trap_frame.h"

/* Called from vectors.S with the saved frame and the vector index 0..15. */
void exception_dispatch(struct trap_frame *tf, unsigned vector);

/* Human-readable name of a vector entry, e.g. "current EL with SPx, synchronous". */
const char *exception_vector_name(unsigned vector);

/* Print the full report (cause, ESR decoded, ELR, FAR, SPSR, registers) to @sink. */
void exception_report(const struct trap_frame *tf, unsigned vector, format_sink_fn sink, void *ctx);

/*
 * A fixup gets the first look at synchronous exceptions from EL1; returning true resumes
 * at tf->elr (which it may change). Used by the in-kernel tests of the exception path.
 */
typedef bool (*exception_fixup_fn)(struct trap_frame *tf, unsigned vector);
void exception_set_fixup(exception_fixup_fn fn);

/* IRQ handler installed by the interrupt layer. */
typedef void (*exception_irq_fn)(struct trap_frame *tf);
void exception_set_irq_handler(exception_irq_fn fn);

#endif
