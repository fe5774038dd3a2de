/*
 * boot_early.c — console messages and stops for the boot path before the MMU is on.
 *
 * POSITION-INDEPENDENT CODE: runs at the physical load address, like mmu_boot.c; the same rules
 * apply (see the comment at the top of mmu_boot.c). The console is the PL011 at its physical
 * address, set up by boot.S through console_init().
 */
#include "cmsis_aarch64.h"
#include "early.h"
#include "keel/boot.h"
#include "keel/console.h"
#include "keel/panic.h"
#include "semihosting.h"

void early_puts(const char *s)
{
	while (*s)
		console_putc(*s++);
}

void early_put_hex(uint64_t v)
{
	int shift = 60;

	early_puts("0x");
	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4) {
		unsigned d = (unsigned)(v >> shift) & 0xFU;
		console_putc((char)(d < 10 ? '0' + d : 'a' + d - 10));
	}
}

void early_halt(void)
{
#ifdef CONFIG_SEMIHOSTING_EXIT
	/* Test builds: let the host runner see a failed boot at once, like a panic. */
	const uint64_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, PANIC_EXIT_STATUS};
	__semihost(SEMIHOSTING_SYS_EXIT, block);
#endif
	for (;;)
		__WFE();
}

void early_fatal(const char *what, uint64_t value)
{
	early_puts("\nKeel: boot failed: ");
	early_puts(what);
	early_puts(" ");
	early_put_hex(value);
	early_puts("\n");
	early_halt();
}

void early_exception(unsigned vector, uint64_t esr, uint64_t elr, uint64_t far)
{
	early_puts("\nKeel: exception before the MMU was on: vector ");
	early_put_hex(vector);
	early_puts(" ESR ");
	early_put_hex(esr);
	early_puts(" ELR ");
	early_put_hex(elr);
	early_puts(" FAR ");
	early_put_hex(far);
	early_puts("\n");
	early_halt();
}

void boot_unsupported_el(unsigned el)
{
	console_init();
	early_puts("\nKeel: entered at EL");
	console_putc((char)('0' + el));
	early_puts("; Keel boots at EL2 or EL1 only (run without secure=on)\n");
	for (;;)
		__WFE();
}
