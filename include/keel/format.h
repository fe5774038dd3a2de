/* format.h — printf-style formatting core shared by printk and snprintf (host-testable). */
#ifndef KEEL_FORMAT_H
#define KEEL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Conversions: %d %i %u %x %X %p %s %c %%, with flags '-' (left-justify) and '0' (zero pad),
 * a decimal width or '*', a precision for %s ('.N' or '.*'), and length modifiers l, ll, z.
 * An unknown conversion is copied to the output verbatim so the mistake is visible.
 */
typedef void (*format_sink_fn)(void *ctx, char c);

/* Returns the number of characters produced. */
size_t format_v(format_sink_fn sink, void *ctx, const char *fmt, va_list ap);

/*
 * Like C's snprintf: writes at most size-1 characters plus a NUL (when size > 0) and returns
 * the length the full output would have had, so truncation is detectable.
 */
size_t format_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
size_t format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
