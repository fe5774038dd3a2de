/* crt0.S — the program header at byte 0 of every user image, and _start, where every thread begins. */
#include "keel/program.h"
#include "keel/syscall.h"

/*
 * struct program_header (include/keel/program.h), filled from the symbols of user/user.ld.
 * user.ld places this section first, so the flat binary starts with it.
 */
	.section .keel.header, "a"
	.balign 8
	.global __keel_program_header
__keel_program_header:
	.quad	PROGRAM_MAGIC
	.quad	_start
	.quad	__text_end
	.quad	__file_end
	.quad	__bss_end

/*
 * The kernel enters here with x0 = the thread's entry function (from sys_thread_entry[]) and SP
 * = the top of the thread's stack, 16-byte aligned. Nothing is pushed, so SP stays aligned for
 * the call. Zeroed x29/x30 end the frame-pointer chain for debuggers. A returning entry ends the
 * thread; SYS_THREAD_EXIT does not return, but if it did we would not run into whatever follows.
 */
	.text
	.global _start
	.type	_start, %function
_start:
	mov	x29, #0
	mov	x30, #0
	blr	x0
1:	mov	x8, #SYS_THREAD_EXIT
	svc	#0
	b	1b
	.size	_start, . - _start
