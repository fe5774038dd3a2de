/* timer.c — driver of the EL1 virtual generic timer (ARM ARM D11): one-shot absolute deadlines. */
#include "generic_timer.h"
#include "keel/panic.h"
#include "timer.h"

/*
 * Why the virtual timer (CNTV_*) and not the physical one (CNTP_*): it is the timer the
 * architecture gives to EL1 in every setup. Entered at EL2, boot.S sets CNTVOFF_EL2 = 0, so
 * virtual and physical counts are equal; under a hypervisor (KVM, or firmware that keeps
 * EL2) the physical timer may be trapped or reserved, the virtual one never is. Both PPIs
 * (27 virtual, 30 physical) reach EL1 on QEMU virt with either GIC (PLATFORM-NOTES).
 */
static uint32_t freq_hz;

void timer_init(void)
{
	freq_hz = cnt_read_frq();
	if (freq_hz == 0)
		panic("timer: CNTFRQ_EL0 is 0; firmware must program the counter frequency");
	timer_stop();
}

uint32_t timer_freq_hz(void)
{
	return freq_hz;
}

/*
 * CVAL is an absolute compare: the condition CNTVCT - CVAL >= 0 holds as soon as the count
 * reaches it, so a deadline already passed asserts the IRQ immediately (ARM ARM D11.2.4).
 */
void timer_set_deadline(uint64_t ticks)
{
	cntv_write_cval(ticks);
	cntv_write_ctl(CNT_CTL_ENABLE_Msk);
	__ISB();
}

/* ENABLE = 0 deasserts the level-sensitive timer IRQ. */
void timer_stop(void)
{
	cntv_write_ctl(0);
	__ISB();
}
