#!/usr/bin/env bash
# mdb-bench.sh — `make bench`: the MDB benchmarks (configs/mdb-bench.yaml, user/mdbbench) for
# each unmap chunk size, under QEMU with -icount shift=4 (1 instruction = 16 ns = 1 counter
# tick). Prints a table and writes build/bench/mdb.json. Not part of make test.
#   MDB_BENCH_CHUNKS="1 4 32"   chunk sizes to build (CONFIG_UNMAP_CHUNK), default below
#   MDB_BENCH_CONFIG="CONFIG_MAP_MAX_PAGES=16"   more .config lines for every build
set -u
cd "$(dirname "$0")/../.."

CHUNKS=${MDB_BENCH_CHUNKS:-"1 2 4 8 16 32"}
DEFAULT=$(awk '/^config UNMAP_CHUNK/ { f = 1 } f && $1 == "default" { print $2; exit }' Kconfig)
OUT=build/bench
PY=$(for p in python3 /usr/bin/python3; do $p -c 'import kconfiglib' 2>/dev/null && { echo $p; break; }; done)
mkdir -p "$OUT"
for c in $CHUNKS; do
	O=$OUT/mdb-chunk$c
	mkdir -p "$O"
	printf 'CONFIG_BOARD_QEMU_VIRT=y\nCONFIG_UNMAP_CHUNK=%s\n' "$c" >"$O/bench_defconfig"
	for line in ${MDB_BENCH_CONFIG:-}; do echo "$line" >>"$O/bench_defconfig"; done
	echo "mdb-bench: CONFIG_UNMAP_CHUNK=$c ($O/run.log)"
	if ! { "${PY:-python3}" tools/kconfig.py defconfig "$O/bench_defconfig" "$O/.config" >/dev/null &&
		make -s O="$O" SYSTEM=mdb-bench all >/dev/null &&
		make -s O="$O" SYSTEM=mdb-bench run RUN_FLAGS="--timeout 900" >"$O/run.log" 2>&1; }; then
		echo "mdb-bench: chunk $c failed, see $O/run.log" >&2
		exit 1
	fi
done
python3 - "$OUT" "$DEFAULT" $CHUNKS <<'PYEOF'
import json, sys
out, default, chunks = sys.argv[1], int(sys.argv[2]), [int(c) for c in sys.argv[3:]]
runs = {}
for c in chunks:
    recs = []
    for line in open(f"{out}/mdb-chunk{c}/run.log", errors="replace"):
        if line.startswith("mdbbench: {"):
            recs.append(json.loads(line[len("mdbbench: "):]))
    runs[c] = recs

def get(c, op, pages=None):
    return [r for r in runs[c] if r["op"] == op and (pages is None or r["pages"] == pages)]

ref = default if default in chunks else chunks[0]
print(f"\nCost per page in instructions (-icount shift=4), CONFIG_UNMAP_CHUNK={ref}; syscall round trip "
      f"{get(ref, 'syscall')[0]['insn_per_call']} instructions")
print("(fan and chain unmaps run with the 50 us timer thread preempting them: its work is included)")
print(f"{'pages':>8} {'map':>6} {'share':>6} {'grant':>6} {'unmap':>6} {'fan unmap':>10} {'chain unmap':>12}")
for r in get(ref, "map"):
    n = r["pages"]
    cell = lambda op: (get(ref, op, n) or [{"insn_per_page": "-"}])[0]["insn_per_page"]
    print(f"{n:>8} {cell('map'):>6} {cell('share'):>6} {cell('grant'):>6} {cell('unmap'):>6} "
          f"{cell('unmap_fan'):>10} {cell('unmap_chain'):>12}")
print("\nLongest wake-up lateness of a 50 us periodic thread during unmaps, in instructions; the idle "
      "lateness (timer IRQ, scheduling, clock read) is the floor, the excess is the longest stretch "
      "between preemption points")
print(f"{'chunk':>6} {'idle':>6} {'range':>7} {'fan':>7} {'chain':>7} {'excess':>7}  "
      f"{'unmap/page, no timer':>21}  {'map excess (pages/call)':>24}")
for c in chunks:
    idle = get(c, "idle")[0]["max_late"]
    worst = {op: max([r["max_late"] for r in get(c, op)] or [0])
             for op in ("unmap_range_ticked", "unmap_fan", "unmap_chain")}
    plain = get(c, "unmap")
    maps = get(c, "map_ticked")
    map_cell = (f"{max(r['max_late'] for r in maps) - idle} ({maps[0]['call_pages']})" if maps else "-")
    print(f"{c:>6} {idle:>6} {worst['unmap_range_ticked']:>7} {worst['unmap_fan']:>7} {worst['unmap_chain']:>7} "
          f"{max(worst.values()) - idle:>7}  {plain[-1]['insn_per_page'] if plain else '-':>21}  {map_cell:>24}")
masked = get(ref, "map_masked")
if masked:
    print(f"\nLongest IRQs-masked map call into existing tables and its unmap (CONFIG_LATENCY_TRACE, "
          f"kernel entry to exit or preemption point), CONFIG_UNMAP_CHUNK={ref}")
    for r in masked:
        print(f"{r['pages']:>8} pages: map {r['map']:>5}  unmap {r['unmap']:>5}")
json.dump({"unit": "instructions (-icount shift=4)", "runs": {str(c): runs[c] for c in chunks}},
          open(f"{out}/mdb.json", "w"), indent=1)
print(f"\nwritten: {out}/mdb.json")
PYEOF
