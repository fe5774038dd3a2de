# boot.cmd — U-Boot script that boots Keel on QEMU virt; `make uboot-disk` turns it into boot.scr
# (mkimage -T script) on the FAT partition of a virtio disk, next to keel.img (the Image).
# U-Boot's distro boot finds boot.scr on the disk and runs it with devtype, devnum and
# distro_bootpart set. booti moves the Image to RAM base + text_offset (0x4008_0000, where Keel
# is linked: header flags bit 3 = 0) and enters it at U-Boot's EL with x0 = U-Boot's DTB.
# (go and bootelf hang inside Debian's qemu_arm64 U-Boot: see PLATFORM-NOTES.)
echo "Keel: U-Boot loads keel.img from ${devtype} ${devnum}:${distro_bootpart}"
load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} keel.img
booti ${kernel_addr_r} - ${fdtcontroladdr}
