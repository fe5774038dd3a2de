/* mmio.h — where the kernel reaches a device's registers. */
#ifndef KEEL_MMIO_H
#define KEEL_MMIO_H

#include <stdint.h>

/*
 * Kernel virtual address of the device register block at physical address @pa.
 * Drivers call this once at init, after the MMU is on, and never use physical addresses.
 */
static inline void *mmio_va(uintptr_t pa)
{
	return (void *)pa; /* identity until the MMU maps devices in the upper half */
}

#endif
