# package.mk — the Raspberry Pi 4 boot files and SD-card images. Included by the top Makefile
# after the kernel rules.
#
#   make BOARD=rpi4            also writes $(O)/boot/kernel8.img and config.txt (copy them, with the
#                              firmware files, onto the FAT partition of a Pi SD card)
#   make BOARD=rpi4 sdimage    $(O)/sdimage/{boot.vfat,sd.img}: firmware -> kernel8.img, and
#                              $(O)/sdimage-uboot/{boot.vfat,sd.img}: firmware -> u-boot.bin ->
#                              boot.scr -> booti keel.img. boot.vfat is the FAT partition alone,
#                              sd.img the whole card (MBR + FAT), 64 MiB.
#   make BOARD=rpi4 rpi-files  only download the firmware, DTB and U-Boot (scripts/fetch-rpi-files.sh)
#
# The firmware (start4.elf, fixup4.dat), the DTB and U-Boot come from Debian's arm64 packages,
# cached in RPI_CACHE (default ~/.cache/keel/rpi: shared by all build directories and checkouts).
BOOT_DIR        := $(O)/boot
BOARD_ARTIFACTS := $(BOOT_DIR)/kernel8.img $(BOOT_DIR)/config.txt
all: $(BOARD_ARTIFACTS)

# kernel8.img is the Image itself: the firmware loads it at 0x80000, as its header asks.
$(BOOT_DIR)/kernel8.img: $(KERNEL_BIN)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BOOT    $@")
	$(Q)cp $< $@

$(BOOT_DIR)/config.txt: board/rpi4/config.txt
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BOOT    $@")
	$(Q)cp $< $@

# ---------------------------------------------------------------- downloaded files
RPI_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/keel/rpi
RPI_FILES := $(RPI_CACHE)/files
RPI_FW    := $(RPI_FILES)/start4.elf $(RPI_FILES)/fixup4.dat
RPI_DTB   := $(RPI_FILES)/bcm2711-rpi-4-b.dtb
RPI_UBOOT := $(RPI_FILES)/u-boot.bin
.PHONY: rpi-files sdimage
rpi-files: $(RPI_FILES)/.fetched

$(RPI_FILES)/.fetched: scripts/fetch-rpi-files.sh
	@$(if $(Q),echo "  FETCH   $(RPI_FILES) (Debian arm64 packages)")
	$(Q)bash scripts/fetch-rpi-files.sh $(RPI_FILES) $(RPI_CACHE)
	$(Q)touch $@
$(RPI_FW) $(RPI_DTB) $(RPI_UBOOT): $(RPI_FILES)/.fetched ;

# ---------------------------------------------------------------- SD-card images
SD_DIR       := $(O)/sdimage
SD_UBOOT_DIR := $(O)/sdimage-uboot
SD_MIB       := 64
sdimage: $(SD_DIR)/sd.img $(SD_UBOOT_DIR)/sd.img
	@echo "  SD images: $(SD_DIR)/sd.img (firmware -> kernel8.img), $(SD_UBOOT_DIR)/sd.img (firmware -> U-Boot -> Keel)"

$(SD_DIR)/sd.img: $(BOOT_DIR)/kernel8.img $(BOOT_DIR)/config.txt $(RPI_FW) $(RPI_DTB) scripts/mkbootdisk.sh
	@$(if $(Q),echo "  SDIMAGE $@")
	$(Q)bash scripts/mkbootdisk.sh $(SD_DIR)/boot.vfat $@ $(SD_MIB) $(RPI_FW) $(RPI_DTB) \
		$(BOOT_DIR)/config.txt $(BOOT_DIR)/kernel8.img

# The U-Boot variant: the same config.txt, but the firmware starts u-boot.bin.
$(SD_UBOOT_DIR)/config.txt: board/rpi4/config.txt
	@mkdir -p $(dir $@)
	$(Q)sed -e 's/^kernel=kernel8.img$$/kernel=u-boot.bin/' \
		-e 's/the kernel is the Keel Image (arm64 Image header) itself\./here U-Boot, whose boot.scr booti'"'"'s keel.img./' \
		$< >$@

$(SD_UBOOT_DIR)/boot.scr: board/rpi4/boot.cmd
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MKIMAGE $@")
	$(Q)mkimage -A arm64 -O linux -T script -C none -n "Keel boot script" -d $< $@ >/dev/null

$(SD_UBOOT_DIR)/sd.img: $(KERNEL_BIN) $(SD_UBOOT_DIR)/config.txt $(SD_UBOOT_DIR)/boot.scr $(RPI_FW) $(RPI_DTB) \
		$(RPI_UBOOT) scripts/mkbootdisk.sh
	@$(if $(Q),echo "  SDIMAGE $@")
	$(Q)bash scripts/mkbootdisk.sh $(SD_UBOOT_DIR)/boot.vfat $@ $(SD_MIB) $(RPI_FW) $(RPI_DTB) $(RPI_UBOOT) \
		$(SD_UBOOT_DIR)/config.txt $(SD_UBOOT_DIR)/boot.scr $(KERNEL_BIN):keel.img
