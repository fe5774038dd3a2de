/* counter.c — the generic timer's virtual count and frequency, readable at EL0 (CNTKCTL_EL1.EL0VCTEN). */
#include "keel/user.h"

/*
 * The ISB keeps the read from being taken early, before the instructions in front of it
 * (ARM ARM D12.1.2, "reads of CNTVCT_EL0 can occur speculatively and out of order").
 */
uint64_t keel_counter_now(void)
{
	uint64_t v;

	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

uint32_t keel_counter_freq(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return (uint32_t)v;
}
