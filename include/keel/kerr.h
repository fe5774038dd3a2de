/* kerr.h — the error codes every kernel operation and system call returns (shared with user space). */
#ifndef KEEL_KERR_H
#define KEEL_KERR_H

/* Each code is documented once, in docs/syscalls.md. */
enum kerr {
	KERR_OK = 0,
	KERR_INVAL = 1,	     /* malformed argument (flags, rights bits, zero length) */
	KERR_RANGE = 2,	     /* address range outside the space or overflowing */
	KERR_NOT_MAPPED = 3, /* source page has no mapping */
	KERR_EXISTS = 4,     /* destination page already mapped */
	KERR_RIGHTS = 5,     /* asked for more rights than the source has */
	KERR_QUOTA = 6,	     /* the paying space's quota would be exceeded */
	KERR_NO_MEMORY = 7,  /* the static pool is exhausted */
	KERR_DEPTH = 8,	     /* derivation chain would exceed CONFIG_MDB_MAX_DEPTH */
	KERR_SPACE = 9,	     /* no such address space */
	KERR_PERM = 10,	     /* the system description does not allow this */
	KERR_PREEMPTED = 11, /* internal: a chunked operation stopped at a preemption point */
	KERR_THREAD = 12,    /* no such thread */
	KERR_STATE = 13,     /* the thread is not in a state that allows this */
	KERR_TIMEOUT = 14,   /* the deadline passed before the event */
	KERR_PAST = 15,	     /* the deadline given is already in the past */
	KERR_ALIGN = 16,     /* an address that must be page aligned is not */
	KERR_FAULT = 17,     /* a pointer argument is not mapped with the rights the call needs */
	KERR_NOSYS = 18,     /* no system call with this number */
	KERR_IRQ = 19,	     /* no such IRQ, or it is not granted to the caller's space */
	KERR_CONFLICT = 20,  /* a preempted map/share/grant found a page changed meanwhile */
};

#endif
