/* stdio.c — printf, puts and snprintf for user programs, over lib/format.c and SYS_DEBUG_WRITE. */
#include "keel/format.h"
#include "keel/user.h"

#define LINE_MAX_BYTES 128

/* One call's line buffer: on the caller's stack, so threads of a space never share it. */
struct line {
	size_t len;
	char buf[LINE_MAX_BYTES];
};

static void line_flush(struct line *l)
{
	size_t done = 0;

	while (done < l->len) {
		size_t n = 0;

		if (keel_debug_write(l->buf + done, l->len - done, &n) != KERR_OK || n == 0)
			break; /* nowhere else to report it: drop the rest */
		done += n;
	}
	l->len = 0;
}

static void line_put(void *ctx, char c)
{
	struct line *l = ctx;

	l->buf[l->len++] = c;
	if (c == '\n' || l->len == sizeof(l->buf))
		line_flush(l);
}

int vprintf(const char *fmt, va_list ap)
{
	struct line l = {0};
	size_t n = format_v(line_put, &l, fmt, ap);

	line_flush(&l);
	return (int)n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	return printf("%s\n", s);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return (int)format_vsnprintf(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
