/* kernel.ld.S — kernel image layout: header first, then text, rodata, data, bss, each page aligned. */
#include "board.h"

OUTPUT_FORMAT("elf64-littleaarch64")
OUTPUT_ARCH(aarch64)
ENTRY(_head)

SECTIONS
{
	. = BOARD_KERNEL_LOAD;
	__kernel_start = .;

	.text : {
		__text_start = .;
		KEEP(*(.text.head))
		*(.text.boot)
		*(.text.vectors)
		*(.text .text.*)
	}
	. = ALIGN(4096);
	__text_end = .;

	.rodata : {
		__rodata_start = .;
		*(.rodata .rodata.*)
		. = ALIGN(8);
		__ktest_start = .;
		KEEP(*(.ktest))
		__ktest_end = .;
	}
	. = ALIGN(4096);
	__rodata_end = .;

	.data : {
		__data_start = .;
		*(.data .data.*)
	}
	.bss (NOLOAD) : {
		. = ALIGN(16);
		__bss_start = .;
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(16);
		__bss_end = .;
	}
	. = ALIGN(4096);
	__kernel_end = .;
	__image_size = __kernel_end - __kernel_start;

	/DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) }
}
