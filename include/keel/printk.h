/* printk.h — kernel console output. */
#ifndef KEEL_PRINTK_H
#define KEEL_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

size_t printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
size_t vprintk(const char *fmt, va_list ap);

/* Sink for format_v() that writes to the console (ctx unused). */
void printk_sink(void *ctx, char c);

#endif
