# package.mk — the Raspberry Pi boot-partition files: $(O)/boot/kernel8.img and config.txt.
# Included by the top Makefile after the kernel rules; `make BOARD=rpi4` builds them.
BOOT_DIR := $(O)/boot
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
