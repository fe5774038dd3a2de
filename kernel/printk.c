/* printk.c — formatted kernel output to the console. */
#include "keel/console.h"
#include "keel/format.h"
#include "keel/printk.h"

void printk_sink(void *ctx, char c)
{
	(void)ctx;
	console_putc(c);
}

size_t vprintk(const char *fmt, va_list ap)
{
	return format_v(printk_sink, NULL, fmt, ap);
}

size_t printk(const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
