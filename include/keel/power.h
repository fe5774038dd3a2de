/* power.h — ending the system: power off with a status, or halt. */
#ifndef KEEL_POWER_H
#define KEEL_POWER_H

/*
 * Print the final status line and stop. With CONFIG_SEMIHOSTING_EXIT QEMU exits with
 * @status; otherwise PSCI SYSTEM_OFF (QEMU exits 0, the host runner reads the status line).
 */
void power_off(int status) __attribute__((noreturn));

#endif
