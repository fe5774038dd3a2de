/* program.h — the header at the start of every user program image (written by user/lib/crt0.S). */
#ifndef KEEL_PROGRAM_H
#define KEEL_PROGRAM_H

#define PROGRAM_MAGIC 0x4d4f52504c45454bULL /* "KEELPROG" little-endian */

#ifndef __ASSEMBLY__
#include <stdint.h>

/*
 * The kernel copies the image to the space's image area at SYS_USER_IMAGE_BASE, maps
 * [base, base + text_end) read-execute and [text_end, bss_end) read-write, no execute,
 * and starts each thread at `start` with x0 = the thread's entry function.
 */
struct program_header {
	uint64_t magic;
	uint64_t start;	   /* user VA of crt0's _start */
	uint64_t text_end; /* user VA, page aligned: end of code and read-only data */
	uint64_t file_end; /* user VA: end of the bytes present in the image (initialised data) */
	uint64_t bss_end;  /* user VA, page aligned: end of zero-initialised data */
};
#endif

#endif
