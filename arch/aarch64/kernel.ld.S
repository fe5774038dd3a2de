/*
 * kernel.ld.S — kernel image layout: linked in the upper half (VA = PA + KERNEL_VA_OFFSET) and
 * loaded at BOARD_KERNEL_LOAD; header first, then text, rodata, data, bss, each page aligned so
 * that each gets its own W^X permissions.
 */
#include "board.h"
#include "memlayout.h"

OUTPUT_FORMAT("elf64-littleaarch64")
OUTPUT_ARCH(aarch64)
ENTRY(_head)

/* Every output section's load (physical) address is its link address minus the offset. */
#define LOAD_AT(sec) AT(ADDR(sec) - KERNEL_VA_OFFSET)

SECTIONS
{
	. = BOARD_KERNEL_LOAD + KERNEL_VA_OFFSET;
	__kernel_start = .;

	.text : LOAD_AT(.text) {
		__text_start = .;
		KEEP(*(.text.head))
		*(.text.boot)
		*(.text.vectors)
		*(.text .text.*)
	}
	. = ALIGN(4096);
	__text_end = .;

	.rodata : LOAD_AT(.rodata) {
		__rodata_start = .;
		*(.rodata .rodata.*)
		. = ALIGN(8);
		__ktest_start = .;
		KEEP(*(.ktest))
		__ktest_end = .;
	}
	. = ALIGN(4096);
	__rodata_end = .;

	.data : LOAD_AT(.data) {
		__data_start = .;
		*(.data .data.*)
	}
	.bss (NOLOAD) : LOAD_AT(.bss) {
		/* Cache-line aligned: boot.S invalidates [__data_start, __bss_end) by line. */
		. = ALIGN(64);
		__bss_start = .;
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(64);
		__bss_end = .;
	}
	. = ALIGN(4096);
	__kernel_end = .;
	__image_size = __kernel_end - __kernel_start;

	ASSERT(__kernel_start - KERNEL_VA_OFFSET == BOARD_KERNEL_LOAD, "image not linked at BOARD_KERNEL_LOAD")
	ASSERT(__text_start == __kernel_start, "the Image header must start the text")

	/DISCARD/ : { *(.comment) *(.note*) *(.eh_frame*) }
}
