/* string.c — memory and string routines for the freestanding kernel. */
#include <stdint.h>

#include "keel/kstring.h"

/*
 * 8-byte words where both ends are aligned: kernel paths that clear or copy a structure run
 * with interrupts masked, and a byte loop costs 8 times the instructions (kernel_info cleared
 * 1.1 KiB in ~4 500). -mstrict-align: only aligned words, the rest byte by byte.
 */
typedef uint64_t __attribute__((may_alias)) word_t;

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (((uintptr_t)d & 7U) == 0) {
		word_t w = 0x0101010101010101ULL * (unsigned char)c;

		/* 64 bytes a round: kernel_info's reset of the latency record runs with IRQs masked. */
		for (; n >= 64; n -= 64, d += 64) {
			word_t *q = (word_t *)d;

			q[0] = w;
			q[1] = w;
			q[2] = w;
			q[3] = w;
			q[4] = w;
			q[5] = w;
			q[6] = w;
			q[7] = w;
		}
		for (; n >= 16; n -= 16, d += 16) {
			((word_t *)d)[0] = w;
			((word_t *)d)[1] = w;
		}
		if (n >= 8) {
			*(word_t *)d = w;
			n -= 8;
			d += 8;
		}
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & 7U) == 0) {
		for (; n >= 16; n -= 16, d += 16, s += 16) {
			word_t a = ((const word_t *)s)[0], b = ((const word_t *)s)[1];

			((word_t *)d)[0] = a;
			((word_t *)d)[1] = b;
		}
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

const char *strstr_k(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return haystack;
	return n == 0 ? haystack : NULL;
}
