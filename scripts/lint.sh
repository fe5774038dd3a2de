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
# Board code of the other boards, each with its own board.h and configuration (the pass above
# reads board/qemu-virt's); the files that depend on the board's addresses are checked again.
RO=build/lint-rpi4
make -s BOARD=rpi4 O="$RO" rpi4_defconfig >/dev/null
make -s BOARD=rpi4 O="$RO" "$RO/include/generated/autoconf.h" >/dev/null
mapfile -t bsrcs < <(git ls-files -co --exclude-standard -- 'board/rpi4/*.c' kernel/console.c drivers/mini_uart.c \
	arch/aarch64/mmu_boot.c kernel/main.c arch/aarch64/gicv2.c)
cppcheck --quiet --error-exitcode=1 --std=c11 --platform=unix64 --inline-suppr \
	--enable=warning,style,performance,portability --suppress=missingIncludeSystem \
	--suppress=unusedStructMember --suppress=unusedFunction \
	-D__aarch64__ -D__GNUC__ -DKEEL_VERSION='"lint"' --include="$RO/include/generated/autoconf.h" \
	-I include -I arch/aarch64/include -I board/rpi4 -I drivers \
	"${bsrcs[@]}"
# User programs and their library (user/): no kernel headers but the shared ABI ones, and the
# generated system tables.
make -s O="$O" "$O/system/system_tables.h" >/dev/null
mapfile -t usrcs < <(git ls-files -co --exclude-standard -- 'user/*.c')
cppcheck --quiet --error-exitcode=1 --std=c11 --platform=unix64 --inline-suppr \
	--enable=warning,style,performance,portability --suppress=missingIncludeSystem \
	--suppress=unusedStructMember --suppress=unusedFunction -D__aarch64__ -D__GNUC__ \
	-I user/lib/include -I user/include -I include -I "$O/system" "${usrcs[@]}"
echo "lint: cppcheck found nothing in ${#srcs[@]} kernel (${#bsrcs[@]} again for rpi4) and ${#usrcs[@]} user files"
