#!/usr/bin/env bash
# lint.sh — static analysis of the kernel and user sources with cppcheck (a finding fails the run).
set -euo pipefail
cd "$(dirname "$0")/.."
O=build/lint
make -s O="$O" qemu-virt_ktest_defconfig >/dev/null
make -s O="$O" "$O/include/generated/autoconf.h"
mapfile -t srcs < <(git ls-files -co --exclude-standard -- \
	'arch/*.c' 'kernel/*.c' 'lib/*.c' 'drivers/*.c' 'board/*.c' 'tests/target/*.c')
cppcheck --quiet --error-exitcode=1 --std=c11 --platform=unix64 --inline-suppr \
	--enable=warning,style,performance,portability --suppress=missingIncludeSystem \
	--suppress=unusedStructMember --suppress=unusedFunction \
	-D__aarch64__ -D__GNUC__ -DKEEL_VERSION='"lint"' --include="$O/include/generated/autoconf.h" \
	-I include -I arch/aarch64/include -I board/qemu-virt -I drivers \
	"${srcs[@]}"
# User programs and their library (user/): no kernel headers but the shared ABI ones, and the
# generated system tables.
make -s O="$O" "$O/system/system_tables.h" >/dev/null
mapfile -t usrcs < <(git ls-files -co --exclude-standard -- 'user/*.c')
cppcheck --quiet --error-exitcode=1 --std=c11 --platform=unix64 --inline-suppr \
	--enable=warning,style,performance,portability --suppress=missingIncludeSystem \
	--suppress=unusedStructMember --suppress=unusedFunction -D__aarch64__ -D__GNUC__ \
	-I user/lib/include -I user/include -I include -I "$O/system" "${usrcs[@]}"
echo "lint: cppcheck found nothing in ${#srcs[@]} kernel and ${#usrcs[@]} user files"
