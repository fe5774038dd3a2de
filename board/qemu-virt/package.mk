# package.mk — QEMU virt booted through U-Boot: a virtio disk with boot.scr and keel.img.
#   make uboot-disk                  build $(O)/uboot/disk.img
#   make run BOOT=uboot              boot it: Debian's u-boot-qemu (qemu_arm64) -> boot.scr -> booti
UBOOT_DIR  := $(O)/uboot
UBOOT_DISK := $(UBOOT_DIR)/disk.img
.PHONY: uboot-disk
uboot-disk: $(UBOOT_DISK)

$(UBOOT_DIR)/boot.scr: board/qemu-virt/boot.cmd
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MKIMAGE $@")
	$(Q)mkimage -A arm64 -O linux -T script -C none -n "Keel boot script" -d $< $@ >/dev/null

$(UBOOT_DISK): $(UBOOT_DIR)/boot.scr $(KERNEL_BIN) scripts/mkbootdisk.sh
	@$(if $(Q),echo "  DISK    $@")
	$(Q)bash scripts/mkbootdisk.sh $(UBOOT_DIR)/boot.vfat $@ 8 $(UBOOT_DIR)/boot.scr $(KERNEL_BIN):keel.img
