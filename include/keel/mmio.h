/* mmio.h — where the kernel reaches a device's registers. */
#ifndef KEEL_MMIO_H
#define KEEL_MMIO_H

#include <stdint.h>

#include "memlayout.h"

/*
 * Kernel virtual address of the device register block at physical address @pa: its mapping in
 * the upper half, where mmu_boot.c maps the board's device window (BOARD_DEVICE_BASE/SIZE) as
 * Device-nGnRE, execute-never. Drivers call this after the MMU is on and never use physical
 * addresses; an address outside the window faults (translation fault) on first access.
 */
static inline void *mmio_va(uintptr_t pa)
{
	return (void *)memlayout_va(pa);
}

#endif
