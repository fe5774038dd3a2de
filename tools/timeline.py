#!/usr/bin/env python3
"""timeline.py — what both CPUs ran before each marked wake-up, from a QEMU log.

Build and run a system with `rt-tests/run ... --mark-above TICKS --trace off`: measurement thread 0
then makes a marker system call (irq_ack of a line that does not exist, which no other rt-tests
program calls) after every sample above TICKS. Boot the same image under QEMU with the runner's
flags plus `-d in_asm,exec,nochain -D LOG`, then:

    tools/timeline.py build/rt-tests/chunk-2/keel.elf LOG [--back 1300] [--limit 5]

Under -icount every CPU's instructions are the virtual clock, so the TBs of all CPUs in log order,
counted back from the sample's counter read (the last user-mode TB of CPU 0 before the marker's
kernel entry), are the sample's time line. For each marker it prints one summary line (the
instructions of each CPU in the window and the system calls they ran) and the window itself as
"cpu:function instructions" runs. docs/rt-tests.md, "Looking inside a worst case".
"""
import argparse
import bisect
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_tb_log import symbols, tb_stream  # noqa: E402


def windows(ev, names, marker, back):
    """For each CPU-0 kernel entry that runs @marker: (virtual time of the marker, instructions per
    CPU, system calls seen, runs of (cpu, function, instructions)) over the @back instructions up to
    the sample's read. @ev: (cpu, pc, instructions) in log order; @names: each TB's function."""
    t = [0]
    for _, _, n in ev:
        t.append(t[-1] + n)
    out, in_marker = [], False
    for i, (cpu, _, _) in enumerate(ev):
        if cpu != 0:
            continue
        if names[i] == "user":
            in_marker = False
            continue
        if names[i] != marker or in_marker:
            continue
        in_marker = True  # the marker's later TBs belong to the same entry
        end = i
        while end > 0 and not (ev[end][0] == 0 and names[end] == "user"):
            end -= 1
        start = end
        while start > 0 and t[end + 1] - t[start] < back:
            start -= 1
        runs, per_cpu, calls = [], {}, set()
        for k in range(start, end + 1):
            c, _, n = ev[k]
            per_cpu[c] = per_cpu.get(c, 0) + n
            if names[k].startswith("sys_"):
                calls.add(f"{c}:{names[k]}")
            if runs and runs[-1][0] == c and runs[-1][1] == names[k]:
                runs[-1][2] += n
            else:
                runs.append([c, names[k], n])
        out.append((t[i], per_cpu, calls, runs))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("elf")
    ap.add_argument("log")
    ap.add_argument("--marker", default="sys_irq_ack", help="the marker call's kernel function "
                    "(default sys_irq_ack)")
    ap.add_argument("--back", type=int, default=1300, help="instructions of virtual time shown before "
                    "each sample's read (default 1300)")
    ap.add_argument("--limit", type=int, default=0, help="print at most this many windows (default all)")
    args = ap.parse_args()
    if args.back <= 0 or args.limit < 0:
        ap.error("--back must be > 0 and --limit >= 0")
    syms = symbols(args.elf)
    if not syms:
        sys.exit(f"timeline: no symbols in {args.elf}")
    addrs = [a for a, _ in syms]

    def name(pc):
        if pc < 1 << 63:
            return "user"
        i = bisect.bisect_right(addrs, pc) - 1
        return syms[i][1] if i >= 0 else "?"

    ev = tb_stream(args.log)
    found = windows(ev, [name(pc) for _, pc, _ in ev], args.marker, args.back)
    if not found:
        sys.exit(f"timeline: no kernel entry of CPU 0 ran {args.marker} (built with --mark-above?)")
    for when, per_cpu, calls, runs in found[:args.limit or None]:
        print(f"marker at {when}: " + ", ".join(f"CPU {c} {n}" for c, n in sorted(per_cpu.items())) +
              "; calls: " + (", ".join(sorted(calls)) or "none"))
        print("  " + ", ".join(f"{c}:{nm} {n}" for c, nm, n in runs))


if __name__ == "__main__":
    main()
