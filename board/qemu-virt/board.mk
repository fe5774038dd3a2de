# QEMU virt: how the image is run. CPU, GIC version and entry EL are chosen per run; BOOT=kernel
# loads the Image with -kernel, BOOT=uboot boots Debian's U-Boot, which runs boot.scr from a
# virtio disk (package.mk) and enters Keel through booti.
BOOT     ?= kernel
UBOOT_QEMU_BIN ?= /usr/lib/u-boot/qemu_arm64/u-boot.bin
QEMU_CPU ?= cortex-a72
QEMU_GIC ?= 2
QEMU_EL2 ?= off
QEMU_SMP ?= 2
QEMU_MEM ?= 128M
QEMU_ARGS = -M virt,gic-version=$(QEMU_GIC)$(if $(filter on,$(QEMU_EL2)),$(comma)virtualization=on) \
	-cpu $(QEMU_CPU) -smp $(QEMU_SMP) -m $(QEMU_MEM) -icount shift=4,sleep=off \
	-rtc base=2026-01-01T00:00:00,clock=vm $(QEMU_BOOT_ARGS)
ifeq ($(BOOT),uboot)
QEMU_BOOT_ARGS = -bios $(UBOOT_QEMU_BIN) -drive if=none,file=$(UBOOT_DISK),format=raw,id=boot \
	-device virtio-blk-device,drive=boot
RUN_DEPS = $(UBOOT_DISK)
else ifeq ($(BOOT),kernel)
QEMU_BOOT_ARGS = -kernel $(KERNEL_BIN)
else
$(error unknown BOOT=$(BOOT); use kernel or uboot)
endif
