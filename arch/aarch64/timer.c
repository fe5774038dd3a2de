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
