/* panic.c — report a fatal kernel error and stop; never a silent hang. */
#include "cmsis_aarch64.h"
#include "keel/panic.h"
#include "keel/power.h"
#include "keel/printk.h"

void panic(const char *fmt, ...)
{
	va_list ap;

	__disable_irq();
	printk("\nKERNEL PANIC: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
	power_off(PANIC_EXIT_STATUS);
}
