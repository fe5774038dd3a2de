# boot.cmd — U-Boot script that boots Keel on the Raspberry Pi 4; `make BOARD=rpi4 sdimage` turns
# it into boot.scr (mkimage -T script) on the SD card's FAT partition, next to keel.img (the
# Image). The firmware starts u-boot.bin (config.txt: kernel=u-boot.bin); U-Boot's distro boot
# finds boot.scr on mmc 0:1 and runs it with devtype, devnum and distro_bootpart set. booti
# keeps the Image at 0x8_0000 (RAM base 0 + text_offset, where Keel is linked) and enters it at
# EL2 with x0 = the DTB the firmware gave U-Boot.
echo "Keel: U-Boot loads keel.img from ${devtype} ${devnum}:${distro_bootpart}"
load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} keel.img
booti ${kernel_addr_r} - ${fdtcontroladdr}
