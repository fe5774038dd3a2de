/* boot.h — what boot.S hands to C, and what the boot log reports. */
#ifndef KEEL_BOOT_H
#define KEEL_BOOT_H

#include <stdint.h>

struct boot_info {
	uintptr_t dtb;	      /* physical address from x0 at entry (0 if none) */
	unsigned entry_el;    /* exception level the kernel was entered at */
	uint64_t entry_sctlr; /* SCTLR_EL1 or SCTLR_EL2 at entry (MMU, caches as the loader left them) */
};

extern struct boot_info boot_info;

/* Entry points called from boot.S. */
void kernel_main(uintptr_t dtb, unsigned entry_el, uint64_t entry_sctlr) __attribute__((noreturn));
void boot_unsupported_el(unsigned el) __attribute__((noreturn));

#endif
