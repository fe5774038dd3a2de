#!/usr/bin/env bash
# setup.sh — install what building and testing Keel needs, only what is missing.
#
# Idempotent: a second run installs nothing. Uses sudo when not root. On Debian bookworm,
# QEMU >= 9 (needed for the raspi4b machine) comes from bookworm-backports, whose apt source
# is derived from the machine's existing Debian source entry (no archive host is written here).
set -euo pipefail

say() { printf 'setup: %s\n' "$*" >&2; }

APT_DIR=${KEEL_APT_DIR:-/etc/apt} # overridable so the source derivation can be tested

export DEBIAN_FRONTEND=noninteractive

# Debian packages and why each is needed.
PKGS=(
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu # kernel cross compiler (default toolchain)
	clang lld llvm                                   # second toolchain: make TOOLCHAIN=clang
	gcc libc6-dev make pkg-config                    # host unit tests
	libcmocka-dev                                    # C unit-test framework (cmocka)
	python3 python3-kconfiglib                       # Kconfig engine: defconfig, menuconfig
	python3-yaml                                     # system descriptions (configs/*.yaml)
	cppcheck clang-tidy clang-format                 # make lint, make format
	git                                              # version string from git describe
	u-boot-tools                                     # mkimage: boot.scr for U-Boot
	u-boot-qemu                                      # U-Boot for QEMU virt (make run BOOT=uboot)
	dosfstools mtools fdisk                          # FAT and MBR disk images without root (mkbootdisk.sh)
	gnuplot-nox                                      # rt-tests/run: latency plots
)

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_updated=0
apt_update() {
	if [ "$apt_updated" -eq 0 ]; then
		say "apt-get update"
		$SUDO apt-get update -qq
		apt_updated=1
	fi
}

# QEMU: need qemu-system-aarch64 >= 9 with the raspi4b machine.
qemu_ok() {
	command -v qemu-system-aarch64 >/dev/null &&
		qemu-system-aarch64 -machine help 2>/dev/null | grep -q '^raspi4b'
}

# Print the URI of the apt source entry that serves suite $1 (deb822 or one-line format).
debian_uri_for_suite() {
	local suite=$1 f
	for f in "$APT_DIR"/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v s="$suite" '
			/^URIs:/ { u = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) hit = 1 }
			/^[[:space:]]*$/ { if (hit && u != "") { print u; exit } u = ""; hit = 0 }
			END { if (hit && u != "") print u }' "$f"
	done
	cat "$APT_DIR"/sources.list "$APT_DIR"/sources.list.d/*.list 2>/dev/null |
		sed -E 's/\[[^]]*\]//' | awk -v s="$suite" '$1 == "deb" && $3 == s { print $2 }' || true
}

# The deb822 entry for bookworm-backports, built from the entry that serves bookworm.
backports_entry() {
	local uri
	uri=$(debian_uri_for_suite bookworm | head -n 1)
	[ -n "$uri" ] || { say "no apt source entry for bookworm found; cannot add backports"; return 1; }
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri"
}

case "${1:-}" in
--print-backports-entry) backports_entry; exit ;;
--print-debian-uri) debian_uri_for_suite "${2:-bookworm}" | head -n 1; exit ;; # for scripts/fetch-rpi-files.sh
"") ;;
*) say "usage: setup.sh [--print-backports-entry | --print-debian-uri [SUITE]]"; exit 2 ;;
esac

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { say "not root and no sudo: cannot install packages"; exit 1; }
	SUDO=sudo
fi

missing=()
for p in "${PKGS[@]}"; do have_pkg "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
	apt_update
	say "installing: ${missing[*]}"
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! qemu_ok; then
	codename=$( . /etc/os-release && echo "${VERSION_CODENAME:-}")
	target=()
	if [ "$codename" = bookworm ]; then
		src=/etc/apt/sources.list.d/keel-bookworm-backports.sources
		if [ ! -f "$src" ]; then
			entry=$(backports_entry) || exit 1
			say "adding bookworm-backports from the existing Debian source ($src)"
			printf '%s\n' "$entry" | $SUDO tee "$src" >/dev/null
			apt_updated=0
		fi
		target=(-t bookworm-backports)
	fi
	apt_update
	say "installing QEMU (qemu-system-arm ${target[*]})"
	$SUDO apt-get install -y -qq --no-install-recommends "${target[@]}" qemu-system-arm >/dev/null
	qemu_ok || { say "qemu-system-aarch64 lacks the raspi4b machine (need QEMU >= 9)"; exit 1; }
fi

say "all tools present ($(qemu-system-aarch64 --version | head -n 1))"
