/* board.h — QEMU virt: physical addresses of RAM and devices (hw/arm/virt.c memory map). */
#ifndef BOARD_H
#define BOARD_H

#define BOARD_NAME "qemu-virt"

#define BOARD_RAM_BASE	  0x40000000UL
/*
 * RAM size: the DTB's /memory bank (QEMU's -m), at most BOARD_RAM_MAX; without a DTB (an ELF
 * loaded by -device loader) the 128 MiB that board.mk passes to QEMU (-m 128M).
 */
#define BOARD_RAM_SIZE	  0x08000000UL
#define BOARD_RAM_MAX	  0x80000000UL /* 2 GiB: up to 0xC000_0000 */
#define BOARD_KERNEL_LOAD 0x40080000   /* RAM base + Image text_offset */

#define BOARD_UART_BASE	   0x09000000UL /* PL011 */
#define BOARD_CONSOLE_BASE BOARD_UART_BASE
#define BOARD_GICD_BASE	   0x08000000UL /* GICv2/v3 distributor */
#define BOARD_GICC_BASE	   0x08010000UL /* GICv2 CPU interface */
#define BOARD_GICR_BASE	   0x080A0000UL /* GICv3 redistributors */
#define BOARD_DEVICE_BASE  0x08000000UL /* one window covers GIC and UART */
#define BOARD_DEVICE_SIZE  0x02000000UL

#define BOARD_HAS_PSCI 1 /* QEMU's firmware tables: HVC at EL1 entry, SMC at EL2 entry */

#endif
