/* timer.h — the EL1 virtual generic timer: counter, frequency, one absolute compare deadline. */
#ifndef TIMER_H
#define TIMER_H

#include <stdint.h>

#include "generic_timer.h"

/*
 * INTID of the EL1 virtual timer: PPI 11 = INTID 27, the number the Arm Base System
 * Architecture recommends and QEMU virt and the BCM2711 use (the EL1 physical timer is 30).
 */
#define TIMER_IRQ 27U

/* Read CNTFRQ_EL0 (panics if firmware left it 0) and stop the timer. */
void timer_init(void);
/* Counter frequency in Hz, as firmware programmed CNTFRQ_EL0 (62.5 MHz QEMU, 54 MHz Pi 4). */
uint32_t timer_freq_hz(void);
/*
 * The virtual count (CNTVCT_EL0); equals the physical count, since CNTVOFF_EL2 = 0. Inline:
 * the wake-up path reads it five times or so.
 */
static inline uint64_t timer_now(void)
{
	return cnt_read_vct();
}
/*
 * Raise TIMER_IRQ once the counter reaches @ticks (absolute). A deadline already in the
 * past fires at once. The IRQ stays asserted until timer_stop() or a later deadline.
 * CVAL is an absolute compare: the condition CNTVCT - CVAL >= 0 holds as soon as the count
 * reaches it (ARM ARM D11.2.4). Inline, as timer_stop(): both are on every wake-up path.
 */
static inline void timer_set_deadline(uint64_t ticks)
{
	cntv_write_cval(ticks);
	cntv_write_ctl(CNT_CTL_ENABLE_Msk);
	__ISB();
}

/* The deadline the timer is armed for (its compare value), or UINT64_MAX when it is stopped. */
static inline uint64_t timer_armed_deadline(void)
{
	return (cntv_read_ctl() & CNT_CTL_ENABLE_Msk) != 0 ? cntv_read_cval() : UINT64_MAX;
}

/* ENABLE = 0 deasserts the level-sensitive timer IRQ. */
static inline void timer_stop(void)
{
	cntv_write_ctl(0);
	__ISB();
}

#endif
