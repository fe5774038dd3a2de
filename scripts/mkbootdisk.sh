#!/usr/bin/env bash
# mkbootdisk.sh — a FAT boot-partition image and a whole-disk MBR image holding it, from files.
#
#   mkbootdisk.sh FAT-IMAGE DISK-IMAGE SIZE-MIB FILE[:NAME]...
#
# DISK-IMAGE is a whole disk of SIZE-MIB (a power of two suits QEMU's SD card): an MBR with one
# bootable FAT (type 0x0c) partition from sector 2048 (1 MiB) to the end, to write to an SD card
# or give to QEMU. FAT-IMAGE is that partition alone (FAT32 from 48 MiB, else mkfs.vfat's
# choice; label KEELBOOT), to write onto an existing partition.
# FILE:NAME stores FILE under NAME (a path such as overlays/x.dtbo creates the directory).
# Needs dosfstools (mkfs.vfat), mtools (mcopy, mmd) and fdisk (sfdisk); no root, no loop devices.
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin

[ $# -ge 4 ] || { echo "usage: mkbootdisk.sh FAT-IMAGE DISK-IMAGE SIZE-MIB FILE[:NAME]..." >&2; exit 2; }
fat=$1 disk=$2 size=$3
shift 3
for tool in mkfs.vfat mcopy mmd sfdisk; do
	command -v $tool >/dev/null || { echo "mkbootdisk: $tool not found; run scripts/setup.sh" >&2; exit 1; }
done

rm -f "$fat" "$disk"
mkdir -p "$(dirname "$fat")" "$(dirname "$disk")"
fatbits=()
[ "$size" -gt 48 ] && fatbits=(-F 32)
mkfs.vfat "${fatbits[@]}" -n KEELBOOT -C "$fat" $(((size - 1) * 1024)) >/dev/null
for spec in "$@"; do
	src=${spec%%:*}
	name=$(basename "$src")
	[ "$spec" != "$src" ] && name=${spec#*:}
	[ -f "$src" ] || { echo "mkbootdisk: $src not found" >&2; exit 1; }
	dir=$(dirname "$name")
	[ "$dir" = . ] || mmd -D s -i "$fat" "::/$dir" 2>/dev/null || true
	mcopy -o -i "$fat" "$src" "::/$name"
done

truncate -s "${size}M" "$disk"
# A fixed disk identifier ("KEEL"), so the same files give the same image.
printf 'label: dos\nlabel-id: 0x4b45454c\nstart=2048, type=c, bootable\n' | sfdisk -q "$disk"
dd if="$fat" of="$disk" bs=1M seek=1 conv=notrunc status=none
