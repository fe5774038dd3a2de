#!/usr/bin/env bash
# check-premmu.sh — the objects that run before the MMU is on (PREMMU_SRCS in the Makefile) must be
# position-independent: no absolute relocations outside debug info, and no calls out of that set.
# usage: check-premmu.sh READELF NM OBJ...
set -euo pipefail
readelf=$1 nm=$2
shift 2
status=0

for obj in "$@"; do
	# Absolute address relocations (ABS64/32/16, MOVW_UABS/SABS) would hold linked upper-half
	# addresses, wrong while the code runs at its physical address. ADD/LDST_ABS_LO12 are fine:
	# the low 12 bits of VA and PA agree, and they pair with PC-relative adrp.
	bad=$("$readelf" -rW "$obj" | awk '
		/^Relocation section/ { sec = $3; gsub(/\047/, "", sec); next }
		sec !~ /^\.rela\.debug/ && $3 ~ /^R_AARCH64_(ABS(64|32|16)|MOVW_[SU]ABS)/ { print "  " sec ": " $3 " " $5 }')
	if [ -n "$bad" ]; then
		echo "error: $obj runs before the MMU is on but has absolute relocations:" >&2
		echo "$bad" >&2
		status=1
	fi
done

# Calls may only go to functions defined in the same set; linker-script symbols start with "__".
defined=$("$nm" --defined-only "$@" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u)
undefined=$("$nm" -u "$@" 2>/dev/null | awk 'NF >= 2 { print $2 }' | sort -u)
for sym in $undefined; do
	case "$sym" in
	__*) continue ;;
	esac
	if ! grep -qx -- "$sym" <<<"$defined"; then
		echo "error: pre-MMU code uses '$sym', which is not defined in PREMMU_SRCS (Makefile)" >&2
		status=1
	fi
done
exit $status
