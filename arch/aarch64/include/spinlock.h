/* spinlock.h — a ticket lock (fair between CPUs), with load-acquire / store-release ordering. */
#ifndef SPINLOCK_H
#define SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	union {
		struct {
			volatile uint16_t owner;
			volatile uint16_t next;
		};
		volatile uint32_t both; /* owner in the low half (little-endian): spin_contended() */
	};
};

/*
 * Take a ticket with an atomic add (LDAXR/STXR on ARMv8.0), then wait with WFE until the
 * owner field reaches it; the unlock's store to a monitored line wakes the waiters (ARM ARM
 * D1.16: clearing the global monitor is a WFE wake-up event).
 */
static inline void spin_lock(struct spinlock *l)
{
	uint32_t ticket, status;
	uint16_t owner;

	__asm__ volatile("1:	ldaxrh	%w0, [%2]\n"
			 "	add	%w0, %w0, #1\n"
			 "	stxrh	%w1, %w0, [%2]\n"
			 "	cbnz	%w1, 1b\n"
			 : "=&r"(ticket), "=&r"(status)
			 : "r"(&l->next)
			 : "memory");
	ticket = (ticket - 1U) & 0xFFFFU;
	for (;;) {
		__asm__ volatile("ldaxrh %w0, [%1]" : "=r"(owner) : "r"(&l->owner) : "memory");
		if (owner == ticket)
			break;
		__asm__ volatile("wfe" ::: "memory");
	}
}

static inline void spin_unlock(struct spinlock *l)
{
	uint16_t next = (uint16_t)(l->owner + 1U);

	__asm__ volatile("stlrh %w0, [%1]" ::"r"(next), "r"(&l->owner) : "memory");
}

/*
 * Does a CPU other than the holder wait for @l (a ticket taken after the owner's)? Called by
 * the holder only, so `owner` is its own; one plain load of both halves (owner in the low one,
 * little-endian), no ordering: a ticket taken a moment ago may be seen one question late, which
 * costs the waiter one more chunk, never correctness.
 */
static inline bool spin_contended(const struct spinlock *l)
{
	uint32_t both = l->both;

	return (uint16_t)((both >> 16) - both) > 1U;
}

#endif
