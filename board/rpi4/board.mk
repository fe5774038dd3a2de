# Raspberry Pi 4 (BCM2711): default system, QEMU raspi4b command line (packaging: package.mk).
SYSTEM ?= rpi4_demo
# Board code that runs before the MMU is on (checked like the rest of PREMMU_SRCS).
BOARD_PREMMU_SRCS := board/rpi4/console_pins.c drivers/mini_uart.c

# QEMU raspi4b (2 GiB RAM) enters at EL2; its PL011 UART0 is -serial 0, the runner's stdio.
#   BOOT=kernel   -kernel Image: x0 = 0x100 (no DTB), or with QEMU_DTB=on the Pi's DTB at 0x0800_0000
#   BOOT=uboot    -kernel u-boot.bin -dtb ... -drive if=sd: the SD image of `make sdimage`
#                 (firmware's job done by QEMU; U-Boot runs boot.scr, which booti's keel.img)
BOOT     ?= kernel
QEMU_DTB ?= off
QEMU_ARGS = -M raspi4b -icount shift=4,sleep=off $(QEMU_BOOT_ARGS)
ifeq ($(BOOT),uboot)
QEMU_BOOT_ARGS = -kernel $(RPI_UBOOT) -dtb $(RPI_DTB) -drive if=sd,format=raw,file=$(SD_UBOOT_DIR)/sd.img
RUN_DEPS = $(SD_UBOOT_DIR)/sd.img
else ifeq ($(BOOT),kernel)
QEMU_BOOT_ARGS = -kernel $(KERNEL_BIN)$(if $(filter on,$(QEMU_DTB)), -dtb $(RPI_DTB))
RUN_DEPS = $(if $(filter on,$(QEMU_DTB)),$(RPI_DTB))
else
$(error unknown BOOT=$(BOOT); use kernel or uboot)
endif
# No PSCI: a non-test kernel prints its power-off line and parks; the runner then stops QEMU.
BOARD_RUN_FLAGS := --stop-on-halt$(if $(filter y,$(CONFIG_RPI4_CONSOLE_MINI_UART)), --console-serial 1)
