#!/usr/bin/env bash
# fetch-rpi-files.sh — the Raspberry Pi 4 boot files Keel does not build, from Debian's arm64
# packages, downloaded (not installed) into a cache and unpacked into an output directory.
#
#   fetch-rpi-files.sh OUT-DIR [CACHE-DIR]
#
# OUT-DIR receives start4.elf and fixup4.dat (raspi-firmware, component non-free-firmware),
# bcm2711-rpi-4-b.dtb (Debian's arm64 Linux image package, broadcom/) and u-boot.bin
# (u-boot-rpi, rpi_4/). CACHE-DIR (default ~/.cache/keel/rpi) keeps a separate apt state for arm64
# and the downloaded .deb files, so a second run downloads nothing. The archive is the one the
# machine's own apt sources use for bookworm (scripts/setup.sh --print-debian-uri); no host name
# is written here. A file that cannot be had is named, with where to get it by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -ge 1 ] || { echo "usage: fetch-rpi-files.sh OUT-DIR [CACHE-DIR]" >&2; exit 2; }
out=$1 cache=${2:-${XDG_CACHE_HOME:-$HOME/.cache}/keel/rpi}
mkdir -p "$out" "$cache/lists/partial" "$cache/archives/partial" "$cache/debs"
out=$(cd "$out" && pwd) cache=$(cd "$cache" && pwd)
say() { printf 'fetch-rpi-files: %s\n' "$*" >&2; }

manual() { # manual FILE: explain where to get FILE by hand
	case "$1" in
	start4.elf | fixup4.dat)
		say "  get $1 from the Raspberry Pi firmware repository (boot/$1) or Debian's raspi-firmware package (non-free-firmware, /usr/lib/raspi-firmware/$1), and put it in $out/" ;;
	bcm2711-rpi-4-b.dtb)
		say "  get $1 from the Raspberry Pi firmware repository (boot/$1) or Debian's arm64 linux-image package (/usr/lib/linux-image-*/broadcom/$1), and put it in $out/" ;;
	u-boot.bin)
		say "  get $1 from Debian's arm64 u-boot-rpi package (/usr/lib/u-boot/rpi_4/u-boot.bin) or build U-Boot's rpi_4_defconfig, and put it in $out/" ;;
	esac
}

have_all() {
	for f in start4.elf fixup4.dat bcm2711-rpi-4-b.dtb u-boot.bin; do [ -s "$out/$f" ] || return 1; done
}
if have_all; then
	exit 0
fi

uri=$(bash scripts/setup.sh --print-debian-uri bookworm 2>/dev/null || true)
suite=bookworm
if [ -z "$uri" ]; then
	suite=$( . /etc/os-release && echo "${VERSION_CODENAME:-}")
	uri=$(bash scripts/setup.sh --print-debian-uri "$suite" 2>/dev/null || true)
fi
APT=(apt-get -q -o APT::Architecture=arm64 -o APT::Architectures=arm64
	-o Dir::State::Lists="$cache/lists" -o Dir::State::Status=/dev/null
	-o Dir::Etc::SourceList="$cache/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o Dir::Cache="$cache" -o Dir::Cache::archives="$cache/archives" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)

fetch_deb() { # fetch_deb PACKAGE: print the path of its cached .deb, downloading it if needed
	local pkg=$1 deb
	deb=$(ls "$cache/debs/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		(cd "$cache/debs" && "${APT[@]}" download "$pkg" >&2) || return 1
		deb=$(ls "$cache/debs/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
	fi
	[ -n "$deb" ] && echo "$deb"
}

missing=()
if [ -z "$uri" ]; then
	say "no Debian apt source entry found on this machine: cannot download"
	missing=(start4.elf fixup4.dat bcm2711-rpi-4-b.dtb u-boot.bin)
else
	printf 'deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main non-free-firmware\n' \
		"$uri" "$suite" >"$cache/sources.list"
	if [ ! -s "$cache/updated" ] || [ "$(cat "$cache/updated")" != "$uri $suite" ]; then
		say "apt-get update (arm64 lists in $cache)"
		"${APT[@]}" update >"$cache/update.log" 2>&1 && echo "$uri $suite" >"$cache/updated" ||
			say "apt-get update failed; see $cache/update.log"
	fi
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# raspi-firmware: start4.elf, fixup4.dat
	if deb=$(fetch_deb raspi-firmware); then
		dpkg-deb -x "$deb" "$tmp/fw"
		for f in start4.elf fixup4.dat; do
			src=$(find "$tmp/fw" -name "$f" | head -n 1)
			if [ -n "$src" ]; then cp "$src" "$out/$f"; else missing+=("$f"); fi
		done
	else
		missing+=(start4.elf fixup4.dat)
	fi
	# The DTB: from the Linux image package the metapackage linux-image-arm64 points to.
	kpkg=$("${APT[@]/apt-get/apt-cache}" depends linux-image-arm64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -n "$kpkg" ] && deb=$(fetch_deb "$kpkg"); then
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards '*/broadcom/bcm2711-rpi-4-b.dtb'
		src=$(find "$tmp" -name bcm2711-rpi-4-b.dtb | head -n 1)
		if [ -n "$src" ]; then cp "$src" "$out/"; else missing+=(bcm2711-rpi-4-b.dtb); fi
	else
		missing+=(bcm2711-rpi-4-b.dtb)
	fi
	# U-Boot for the Pi 4
	if deb=$(fetch_deb u-boot-rpi); then
		dpkg-deb -x "$deb" "$tmp/ub"
		if [ -f "$tmp/ub/usr/lib/u-boot/rpi_4/u-boot.bin" ]; then
			cp "$tmp/ub/usr/lib/u-boot/rpi_4/u-boot.bin" "$out/"
		else
			missing+=(u-boot.bin)
		fi
	else
		missing+=(u-boot.bin)
	fi
fi

if [ ${#missing[@]} -gt 0 ]; then
	say "missing: ${missing[*]}"
	for f in "${missing[@]}"; do manual "$f"; done
	exit 1
fi
say "Raspberry Pi files in $out: start4.elf fixup4.dat bcm2711-rpi-4-b.dtb u-boot.bin"
