/* format.c — printf-style formatting into a character sink; no allocation, no libc. */
#include <stdint.h>

#include "keel/format.h"

struct spec {
	int left; /* '-' flag */
	int zero; /* '0' flag */
	unsigned width;
	int precision; /* -1: none */
	int length;    /* 0 = int, 1 = long, 2 = long long, 3 = size_t */
};

static size_t emit_padded(format_sink_fn sink, void *ctx, const char *s, size_t len, const struct spec *sp,
			  char pad, const char *prefix)
{
	size_t plen = 0, n = 0, fill, i;

	while (prefix[plen])
		plen++;
	fill = sp->width > len + plen ? sp->width - len - plen : 0;
	if (!sp->left && pad == ' ')
		for (i = 0; i < fill; i++, n++)
			sink(ctx, ' ');
	for (i = 0; i < plen; i++, n++)
		sink(ctx, prefix[i]);
	if (!sp->left && pad == '0')
		for (i = 0; i < fill; i++, n++)
			sink(ctx, '0');
	for (i = 0; i < len; i++, n++)
		sink(ctx, s[i]);
	if (sp->left)
		for (i = 0; i < fill; i++, n++)
			sink(ctx, ' ');
	return n;
}

/* Digits of @v in @base, written backwards into the end of @buf; returns the start. */
static char *utoa(char *end, unsigned long long v, unsigned base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;

	do {
		*--p = digits[v % base];
		v /= base;
	} while (v);
	return p;
}

static unsigned long long get_unsigned(va_list *ap, int length)
{
	switch (length) {
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static long long get_signed(va_list *ap, int length)
{
	switch (length) {
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	case 3: return (long long)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

size_t format_v(format_sink_fn sink, void *ctx, const char *fmt, va_list ap_in)
{
	char buf[24]; /* 2^64 in octal would need 22; decimal needs 20 */
	char *const end = buf + sizeof(buf);
	size_t n = 0;
	va_list ap;

	va_copy(ap, ap_in);
	for (const char *f = fmt; *f; f++) {
		const char *start = f, *s;
		struct spec sp = {.precision = -1};
		size_t len;

		if (*f != '%') {
			sink(ctx, *f);
			n++;
			continue;
		}
		f++;
		for (;; f++) {
			if (*f == '-')
				sp.left = 1;
			else if (*f == '0')
				sp.zero = 1;
			else
				break;
		}
		if (*f == '*') {
			int w = va_arg(ap, int);
			if (w < 0) {
				sp.left = 1;
				w = -w;
			}
			sp.width = (unsigned)w;
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				sp.width = sp.width * 10 + (unsigned)(*f++ - '0');
		}
		if (*f == '.') {
			f++;
			if (*f == '*') {
				sp.precision = va_arg(ap, int);
				f++;
			} else {
				sp.precision = 0;
				while (*f >= '0' && *f <= '9')
					sp.precision = sp.precision * 10 + (*f++ - '0');
			}
		}
		if (*f == 'l') {
			sp.length = 1;
			if (*++f == 'l') {
				sp.length = 2;
				f++;
			}
		} else if (*f == 'z') {
			sp.length = 3;
			f++;
		}

		switch (*f) {
		case 'd':
		case 'i': {
			long long v = get_signed(&ap, sp.length);
			unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
			s = utoa(end, mag, 10, 0);
			n += emit_padded(sink, ctx, s, (size_t)(end - s), &sp,
					 sp.zero && !sp.left ? '0' : ' ', v < 0 ? "-" : "");
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long v = get_unsigned(&ap, sp.length);
			s = utoa(end, v, *f == 'u' ? 10 : 16, *f == 'X');
			n += emit_padded(sink, ctx, s, (size_t)(end - s), &sp,
					 sp.zero && !sp.left ? '0' : ' ', "");
			break;
		}
		case 'p': {
			uintptr_t v = (uintptr_t)va_arg(ap, void *);
			struct spec ps = sp;
			char *p = utoa(end, v, 16, 0);
			/* Always 16 digits: addresses line up in dumps. */
			while (end - p < 16)
				*--p = '0';
			n += emit_padded(sink, ctx, p, (size_t)(end - p), &ps, ' ', "0x");
			break;
		}
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			for (len = 0; s[len] && (sp.precision < 0 || len < (size_t)sp.precision); len++)
				;
			n += emit_padded(sink, ctx, s, len, &sp, ' ', "");
			break;
		case 'c':
			buf[0] = (char)va_arg(ap, int);
			n += emit_padded(sink, ctx, buf, 1, &sp, ' ', "");
			break;
		case '%':
			sink(ctx, '%');
			n++;
			break;
		default:
			/* Unknown or truncated conversion: show it as written. */
			for (s = start; s <= f && *s; s++, n++)
				sink(ctx, *s);
			if (!*f)
				f--;
			break;
		}
	}
	va_end(ap);
	return n;
}

struct buf_sink {
	char *buf;
	size_t size;
	size_t pos;
};

static void buf_put(void *ctx, char c)
{
	struct buf_sink *b = ctx;

	if (b->pos + 1 < b->size)
		b->buf[b->pos] = c;
	b->pos++;
}

size_t format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = {buf, size, 0};
	size_t n = format_v(buf_put, &b, fmt, ap);

	if (size)
		buf[b.pos < size ? b.pos : size - 1] = '\0';
	return n;
}

size_t format_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = format_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
