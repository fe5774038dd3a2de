#!/usr/bin/env bash
# run-all.sh — everything `make test` runs: builds (gcc, clang), format and lint checks, host unit
# tests, system-description compiler tests, user-program builds and checks, configuration-error
# tests, the in-kernel suite under QEMU virt for every CPU x GIC x entry-EL combination, and the
# rt-tests quick latency sweep.
# Prints one line per test and ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

LOGS=build/test-logs
rm -rf "$LOGS" && mkdir -p "$LOGS"
passed=0 failed=0
failures=()

record() { # record NAME STATUS [LOG]
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'PASS  %s\n' "$1"
	else
		failed=$((failed + 1))
		failures+=("$1${3:+ (log: $3)}")
		printf 'FAIL  %s%s\n' "$1" "${3:+ (log: $3)}"
		[ -n "${3:-}" ] && [ -f "$3" ] && tail -n 15 "$3" | sed 's/^/      | /'
	fi
}

step() { # step NAME COMMAND...: one test whose result is the command's exit status
	local name=$1 log
	shift
	log=$LOGS/$(printf '%s' "$name" | tr -c 'A-Za-z0-9_.-' '_').log
	"$@" >"$log" 2>&1
	record "$name" $? "$log"
}

expect_fail() { # expect_fail NAME PATTERN COMMAND...: passes if COMMAND fails and prints PATTERN
	local name=$1 pattern=$2 log
	shift 2
	log=$LOGS/$(printf '%s' "$name" | tr -c 'A-Za-z0-9_.-' '_').log
	if "$@" >"$log" 2>&1; then
		echo "command succeeded but should have failed" >>"$log"
		record "$name" 1 "$log"
	elif grep -qF -- "$pattern" "$log"; then
		record "$name" 0
	else
		echo "expected message not found: $pattern" >>"$log"
		record "$name" 1 "$log"
	fi
}

# ---- builds: the kernel must build warning-free (-Werror) with both toolchains
for tc in gcc clang; do
	for cfg in qemu-virt qemu-virt_ktest; do
		O=build/test/$cfg-$tc
		step "build $cfg ($tc)" sh -c "make -s O=$O TOOLCHAIN=$tc ${cfg}_defconfig && make -s O=$O TOOLCHAIN=$tc all"
	done
done

# ---- build system behaviour
O=build/test/qemu-virt-gcc
log=$LOGS/deps.log
make -s O=$O -W include/keel/printk.h all >"$log" 2>&1
grep -q "CC      kernel/printk.c" "$log" && grep -q "CC      kernel/main.c" "$log" && ! grep -q "CC      lib/string.c" "$log"
record "touching a header rebuilds exactly its users" $? "$log"
log=$LOGS/verbose.log
make O=$O V=1 -W kernel/printk.c all >"$log" 2>&1
grep -q -- "-c kernel/printk.c -o" "$log"
record "make V=1 shows the compiler command" $? "$log"
log=$LOGS/size.log
make -s O=$O size >"$log" 2>&1 && grep -qE "^[[:space:]]+text[[:space:]]+data[[:space:]]+bss" "$log" && test -s $O/keel.map
record "make size prints text/data/bss; linker map written" $? "$log"

# ---- style and static analysis
step "format-check (clang-format)" bash scripts/format.sh --check
step "lint (cppcheck)" bash scripts/lint.sh

# ---- host unit tests (cmocka, ASan + UBSan): one result per test case
log=$LOGS/host-tests.log
make -s host-tests >"$log" 2>&1
host_status=$?
while IFS= read -r line; do
	case "$line" in
	"ok "*) record "host: ${line#ok * - }" 0 ;;
	"not ok "*) record "host: ${line#not ok * - }" 1 "$log" ;;
	esac
done <"$log"
record "host unit tests exit status" $host_status "$log"

# ---- setup derives bookworm-backports from the machine's own Debian source entry
tmp=$(mktemp -d)
mkdir -p "$tmp/a/sources.list.d" "$tmp/b/sources.list.d" "$tmp/c/sources.list.d"
printf 'Types: deb\nURIs: http://security.example.invalid/debian-security\nSuites: bookworm-security\nComponents: main\n\nTypes: deb\nURIs: http://apt.example.invalid/debian\nSuites: bookworm bookworm-updates\nComponents: main\n' \
	>"$tmp/a/sources.list.d/debian.sources"
printf 'deb [arch=amd64] http://one-line.example.invalid/debian bookworm main\n' >"$tmp/b/sources.list"
KEEL_APT_DIR=$tmp/a bash scripts/setup.sh --print-backports-entry 2>&1 |
	grep -qx 'URIs: http://apt.example.invalid/debian'
record "setup: backports source from a deb822 entry" $?
KEEL_APT_DIR=$tmp/b bash scripts/setup.sh --print-backports-entry 2>&1 |
	grep -qx 'URIs: http://one-line.example.invalid/debian'
record "setup: backports source from a one-line entry" $?
expect_fail "setup: no bookworm entry is an error" "no apt source entry for bookworm" \
	env KEEL_APT_DIR="$tmp/c" bash scripts/setup.sh --print-backports-entry
rm -rf "$tmp"

# ---- system description compiler (tools/sysgen.py): one result per unittest case
PYY=$(for p in python3 /usr/bin/python3; do $p -c 'import yaml' 2>/dev/null && { echo $p; break; }; done)
log=$LOGS/sysgen-tests.log
"${PYY:-python3}" tests/tools/test_sysgen.py >"$log" 2>&1
sysgen_status=$?
while IFS= read -r line; do
	case "$line" in
	"ok "*) record "${line#ok * - }" 0 ;;
	"not ok "*) record "${line#not ok * - }" 1 "$log" ;;
	esac
done <"$log"
record "sysgen unit tests exit status" $sysgen_status "$log"
log=$LOGS/budget.log
make -s budget SYSTEM=demo >"$log" 2>&1 && grep -qE "^ +total kernel RAM +[0-9]+" "$log"
record "make budget prints the demo's pools and total kernel RAM" $? "$log"
step "make check-system accepts the demo" make -s check-system
expect_fail "make rejects unknown SYSTEM" "unknown SYSTEM=nosuch: configs/nosuch.yaml not found; systems: demo" \
	make -s budget SYSTEM=nosuch

# ---- user programs (user/user.mk, docs/user-programs.md): both toolchains, image layout, entries
for tc in gcc clang; do
	O=build/test/user-$tc
	if [ $tc = gcc ]; then nm=aarch64-linux-gnu-nm readelf=aarch64-linux-gnu-readelf; else nm=llvm-nm readelf=llvm-readelf; fi
	step "user programs of the demo build ($tc)" make -s O=$O TOOLCHAIN=$tc user-programs
	log=$LOGS/user-check-$tc.log
	"${PYY:-python3}" tests/tools/check_user_programs.py $O $nm $readelf >"$log" 2>&1
	user_status=$?
	while IFS= read -r line; do
		case "$line" in
		"ok "*) record "user ($tc): ${line#ok - }" 0 ;;
		"not ok "*) record "user ($tc): ${line#not ok - }" 1 "$log" ;;
		esac
	done <"$log"
	record "user ($tc): program checker exit status" $user_status "$log"
done
O=build/test/user-gcc
log=$LOGS/user-noop.log
make -s O=$O user-programs >"$log" 2>&1 && ! grep -qE "^  (SYSGEN|UCC|UAS|ULD|PACK|ENTRIES) " "$log"
record "user: a second make user-programs rebuilds nothing" $? "$log"
log=$LOGS/user-deps.log
make -s O=$O -W user/include/samples.h user-programs >"$log" 2>&1
grep -q "UCC     user/sensor/main.c" "$log" && grep -q "UCC     user/logger/main.c" "$log" &&
	! grep -q "UCC     user/faulty/main.c" "$log" && ! grep -q "UCC     lib/format.c" "$log"
record "user: touching a header rebuilds exactly the programs using it" $? "$log"
log=$LOGS/user-verbose.log
make O=$O V=1 -W user/faulty/main.c user-programs >"$log" 2>&1
grep -q -- "-c user/faulty/main.c -o" "$log" && grep -q -- "--defsym=__keel_user_base=" "$log"
record "user: make V=1 shows the compile and link commands" $? "$log"
tmp=$(mktemp -d)
sed 's/entry: fault_main}/entry: nosuch}/' configs/demo.yaml >"$tmp/noentry.yaml"
line=$(grep -n 'entry: nosuch' "$tmp/noentry.yaml" | cut -d: -f1)
expect_fail "user: a thread naming a missing entry fails the build" \
	"$tmp/noentry.yaml:$line: error: thread 'restarter': entry function 'nosuch' not found in program 'supervisor'" \
	make -s O="$tmp/o" SYSTEM=noentry SYSTEM_FILE="$tmp/noentry.yaml" user-programs
sed 's/image_size: 0x4000 /image_size: 0x1000 /' configs/demo.yaml >"$tmp/small.yaml"
expect_fail "user: a program larger than its image_size fails the build" \
	"space 'faulty': program 'faulty' needs 0x2000 bytes (text, data and bss), above its image_size 0x1000" \
	make -s O="$tmp/o" SYSTEM=small SYSTEM_FILE="$tmp/small.yaml" user-programs
expect_fail "user: make user-programs rejects unknown SYSTEM" \
	"unknown SYSTEM=nosuch: configs/nosuch.yaml not found; systems: demo" \
	make -s O="$tmp/o" SYSTEM=nosuch user-programs
rm -rf "$tmp"

# ---- configuration errors are reported, not ignored
tmp=$(mktemp -d)
printf 'CONFIG_BOARD_QEMU_VIRT=y\nCONFIG_NO_SUCH_OPTION=y\n' >"$tmp/bad_unknown"
printf 'CONFIG_BOARD_QEMU_VIRT=y\nCONFIG_NR_CPUS=99\n' >"$tmp/bad_range"
printf 'CONFIG_BOARD_QEMU_VIRT=y\nthis is not a config line\n' >"$tmp/bad_syntax"
PY_HOST=python3
PY=$(for p in python3 /usr/bin/python3; do $p -c 'import kconfiglib' 2>/dev/null && { echo $p; break; }; done)
expect_fail "kconfig rejects unknown symbol" "unknown symbol CONFIG_NO_SUCH_OPTION" \
	"$PY" tools/kconfig.py defconfig "$tmp/bad_unknown" "$tmp/out"
expect_fail "kconfig rejects out-of-range value" "CONFIG_NR_CPUS=99 was not accepted" \
	"$PY" tools/kconfig.py defconfig "$tmp/bad_range" "$tmp/out"
expect_fail "kconfig rejects a malformed line" "malformed line" \
	"$PY" tools/kconfig.py defconfig "$tmp/bad_syntax" "$tmp/out"
expect_fail "make rejects unknown defconfig" "configs/nosuch_defconfig not found" \
	make -s O="$tmp/o" nosuch_defconfig
expect_fail "make rejects unknown BOARD" "unknown BOARD=nosuch" make -s BOARD=nosuch O="$tmp/o2"
expect_fail "make rejects unknown TOOLCHAIN" "unknown TOOLCHAIN=icc" make -s TOOLCHAIN=icc O="$tmp/o3"
rm -rf "$tmp"

# ---- target: the in-kernel suite under QEMU virt, both toolchains, every CPU x GIC, EL1 and EL2 entry
combos=("cortex-a53 2 off" "cortex-a53 3 on" "cortex-a72 2 on" "cortex-a72 3 off")
for tc in gcc clang; do
	O=build/test/qemu-virt_ktest-$tc
	for combo in "${combos[@]}"; do
		read -r cpu gic el2 <<<"$combo"
		tag="$tc $cpu gicv$gic $([ "$el2" = on ] && echo EL2 || echo EL1)-entry"
		log=$LOGS/ktest-$(printf '%s' "$tag" | tr ' ' '_').log
		make -s O=$O TOOLCHAIN=$tc QEMU_CPU=$cpu QEMU_GIC=$gic QEMU_EL2=$el2 \
			RUN_FLAGS="--timeout 120" run >"$log" 2>&1
		status=$?
		while IFS= read -r line; do
			case "$line" in
			"ktest: PASS "*) record "target [$tag]: ${line#ktest: PASS }" 0 ;;
			"ktest: FAIL "*) record "target [$tag]: ${line#ktest: FAIL }" 1 "$log" ;;
			esac
		done <"$log"
		record "target [$tag]: suite completed, exit status 0" $status "$log"

		for fault in brk undef; do
			step "target [$tag]: unhandled $fault is reported, then panic" \
				make -s O=$O TOOLCHAIN=$tc QEMU_CPU=$cpu QEMU_GIC=$gic QEMU_EL2=$el2 run \
				RUN_FLAGS="--timeout 60 --append ktest.panic=$fault --expect-status 3 --expect ESR \
					--expect ELR --expect x30 --expect cause: --expect KERNEL\ PANIC"
		done
	done
done

# ---- PAN (ARMv8.1) paths: Cortex-A53/A72 lack PAN, QEMU's "max" CPU has it. Only the
# address-space, MMU and exception tests: the timer bounds are in ticks of the A53/A72's clock.
pan_tests='space_*,mmu_*,exception_*'
pan_count=$(grep -ho '^KTEST(\(space\|mmu\|exception\)_' tests/target/test_*.c | wc -l)
for tc in gcc clang; do
	step "target [$tc max gicv3 EL1-entry]: address-space, MMU and exception tests with PAN on" \
		make -s O=build/test/qemu-virt_ktest-$tc TOOLCHAIN=$tc QEMU_CPU=max QEMU_GIC=3 QEMU_EL2=off run \
		RUN_FLAGS="--timeout 120 --append ktest.only=$pan_tests --expect PAN\ on \
			--expect ktest:\ $pan_count\ passed,\ 0\ failed"
done

# ---- boot-time checks of the MMU setup stop the boot with a clear message (status 3, like a panic)
O=build/test/qemu-virt_ktest-gcc
step "boot stops when the image is not at its linked load address" \
	$PY_HOST tools/qemu-run.py --timeout 30 --semihosting --expect-status 3 \
	--expect "image loaded at 0x40280000, but it is linked to run at 0x40080000" -- \
	-M virt -cpu cortex-a72 -m 128M -icount shift=4,sleep=off \
	-device loader,file=$O/Image,addr=0x40280000,force-raw=on -device loader,addr=0x40280000,cpu-num=0
small_pool_boot() { # a kernel whose page-table pool cannot hold the boot mappings
	local O=build/test/qemu-virt_ktest-small-pt-pool tmp status
	tmp=$(mktemp -d)
	printf 'CONFIG_BOARD_QEMU_VIRT=y\nCONFIG_KTEST=y\nCONFIG_MMU_PT_PAGES=8\n' >"$tmp/small_pool"
	mkdir -p "$O"
	"$PY" tools/kconfig.py defconfig "$tmp/small_pool" "$O/.config" && make -s O=$O all &&
		make -s O=$O run RUN_FLAGS="--timeout 30 --expect-status 3 --expect page-table\ pool\ exhausted"
	status=$?
	rm -rf "$tmp"
	return $status
}
step "boot stops when the page-table pool is too small" small_pool_boot

# ---- the default system, as `make run` boots it
for tc in gcc clang; do
	step "make run boots the default system ($tc)" \
		make -s O=build/test/qemu-virt-$tc TOOLCHAIN=$tc run RUN_FLAGS="--timeout 60 --expect Keel --expect board:"
done

# ---- rt-tests (docs/rt-tests.md): the quick unmap sweep stays within its bounds, repeats exactly,
# and a bound exceeded fails naming the metric and the run
step "rt-tests: quick sweep (chunk 32) within rt-tests/bounds/qemu-virt-rt_quick.json" \
	rt-tests/run --quick --chunks 32 --name test-a
step "rt-tests: a second run of the same configuration gives an identical summary" \
	sh -c 'rt-tests/run --quick --chunks 32 --name test-b &&
		rt-tests/run --same build/rt-tests/test-a/summary.json build/rt-tests/test-b/summary.json'
tmp=$(mktemp -d)
printf '{"idle_max": 100, "load_max": 100000, "growth": 1.25}\n' >"$tmp/tight.json"
expect_fail "rt-tests: a run above its bounds fails, naming metric and run" "idle_max (run log, chunk 32)" \
	rt-tests/run --log build/rt-tests/test-a/console-chunk-32.log --chunks 32 --name log --bounds "$tmp/tight.json"
rm -rf "$tmp"

# ---- the host runner turns a hung guest into a failure instead of stalling
expect_fail "hung guest fails by timeout" "no exit within 5 s" \
	make -s O=build/test/qemu-virt_ktest-gcc run RUN_FLAGS="--timeout 5 --append ktest.hang=1"

echo
if [ "$failed" -gt 0 ]; then
	echo "Failed tests:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
