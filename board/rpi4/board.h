/*
 * board.h — Raspberry Pi 4 Model B (BCM2711) in low-peripheral mode: physical addresses of RAM
 * and devices (BCM2711 ARM Peripherals, section 1.2; QEMU hw/arm/bcm2838.c agrees).
 */
#ifndef BOARD_H
#define BOARD_H

#define BOARD_NAME "rpi4"

/*
 * RAM from 0. The firmware keeps the VideoCore's memory at the top of the first GiB
 * (gpu_mem, default 76 MiB: it starts at 0x3B40_0000 on a 1 GiB or larger Pi 4), so the kernel
 * maps only [0, 0x3B40_0000): the lowest common part of every Pi 4 (1, 2, 4 and 8 GiB),
 * which is also what the firmware's DTB /memory node reports for the first bank.
 * Page 0 holds the firmware's spin table (secondary cores wait on 0xE0/0xE8/0xF0): it is
 * mapped, never written.
 */
#define BOARD_RAM_BASE	  0x00000000UL
#define BOARD_RAM_SIZE	  0x3B400000UL /* fallback without a DTB (QEMU raspi4b without -dtb) */
/*
 * The DTB's first /memory bank (the firmware's, excluding gpu_mem) may shrink the map, never
 * grow it past this: the rest of the first GiB may be the VideoCore's, and QEMU's DTB
 * reports all 2 GiB. RAM above 1 GiB (the 2-8 GiB models' second bank) is not used yet.
 */
#define BOARD_RAM_MAX	  0x3B400000UL
#define BOARD_KERNEL_LOAD 0x80000 /* where the firmware (kernel8.img) and booti put the Image */

/*
 * Console: PL011 UART0 (-serial 0 under QEMU raspi4b). The firmware's enable_uart=1 sets up only
 * the primary UART, which on a Pi 4 is the mini UART (the PL011 serves Bluetooth), so Keel routes
 * GPIO 14 (TXD) and 15 (RXD) to the PL011 itself (function alt 0; board_console_pins()) and sets
 * 115200 8N1 from the PL011's 48 MHz reference clock (the firmware's default init_uart_clock).
 */
#define BOARD_UART_BASE	       0xFE201000UL
#define BOARD_UART_CLOCK_HZ    48000000U
#define BOARD_UART_BAUD	       115200U
#define BOARD_GPIO_BASE	       0xFE200000UL
#define BOARD_HAS_CONSOLE_PINS 1
/*
 * Or, with CONFIG_RPI4_CONSOLE_MINI_UART, the mini UART (UART1, GPIO 14/15 alt 5; -serial 1 in
 * QEMU): the firmware's primary UART with enable_uart=1, whose setup and baud rate are kept;
 * BOARD_CORE_CLOCK_HZ is used only if the firmware left it disabled.
 */
#ifdef CONFIG_RPI4_CONSOLE_MINI_UART
#define BOARD_CONSOLE_MINI_UART 1
#define BOARD_CONSOLE_BASE	0xFE215000UL /* the AUX block; the mini UART's registers at +0x40 */
#define BOARD_CORE_CLOCK_HZ	500000000U
#else
#define BOARD_CONSOLE_BASE BOARD_UART_BASE
#endif
#ifndef __ASSEMBLY__
void board_console_pins(void); /* console_pins.c; runs before the MMU is on */
#endif
#define BOARD_GICD_BASE	  0xFF841000UL /* GIC-400 distributor */
#define BOARD_GICC_BASE	  0xFF842000UL /* GIC-400 CPU interface */
#define BOARD_GICR_BASE	  0x0UL	       /* none: GIC-400 is a GICv2 (the GICv3 driver is not chosen) */
/* One 64 MiB window, 0xFC00_0000-0xFFFF_FFFF: the main peripherals and the ARM-local block (GIC). */
#define BOARD_DEVICE_BASE 0xFC000000UL
#define BOARD_DEVICE_SIZE 0x04000000UL

/* The Pi's firmware offers no PSCI: power_off() prints its last line and parks the core. */
#define BOARD_HAS_PSCI 0

#endif
