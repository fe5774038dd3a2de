#!/usr/bin/env python3
"""insn-profile.py — instructions per kernel function of each kernel entry, from a QEMU log.

Run the kernel under QEMU with `-icount shift=4,sleep=off -d in_asm,exec,nochain -D LOG`
(the log grows by ~100 MB per second of guest time: stop QEMU early with `timeout`), then:

    tools/insn-profile.py build/.../keel.elf LOG --symbol sys_map [--limit 3] [--sum]

A kernel entry runs from a TB in the exception vectors to the first TB in user space; only
CPU 0's TBs are counted. Each entry that executed --symbol is printed as its sequence of
functions with their instruction counts (or, with --sum, counts per function), followed by the
smallest and largest total. Under -icount QEMU may cut a TB short and translate it again; the
"Trace" line of the cut TB is then dropped, as its count would be wrong.
"""
import argparse
import bisect
import collections
import subprocess
import sys


def symbols(elf):
    syms = []
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTW" and not parts[2].startswith("$"):
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def entries(log, vectors):
    """Yield each kernel entry as a list of (pc, instructions)."""
    tb_len, cur = {}, None
    with open(log, errors="replace") as f:
        lines = iter(f)
        for line in lines:
            if line.startswith("IN:"):
                first, n = None, 0
                for l2 in lines:
                    if not l2.startswith("0x"):
                        break
                    if first is None:
                        first = int(l2.split(":")[0], 16)
                    n += 1
                if first is not None:
                    tb_len[first] = n
                    if cur and cur[-1][0] == first:
                        cur.pop()  # the TB just traced was cut short and is translated again
                continue
            if not line.startswith("Trace 0:"):
                continue
            try:
                pc = int(line.split("[")[1].split("/")[1], 16)
            except (IndexError, ValueError):
                continue  # a line cut off where QEMU was stopped
            if pc >= 1 << 63:
                if cur is None:
                    if not vectors <= pc < vectors + 0x800:
                        continue
                    cur = []
                cur.append((pc, tb_len.get(pc, 0)))
            elif cur is not None:
                yield cur
                cur = None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("elf")
    ap.add_argument("log")
    ap.add_argument("--symbol", required=True, help="show entries that executed this function")
    ap.add_argument("--limit", type=int, default=3, help="entries to print (default 3)")
    ap.add_argument("--sum", action="store_true", help="counts per function instead of the sequence")
    args = ap.parse_args()

    syms = symbols(args.elf)
    addrs = [a for a, _ in syms]
    vectors = dict((n, a) for a, n in syms).get("exception_vectors")
    if vectors is None:
        sys.exit("insn-profile: no exception_vectors in " + args.elf)

    def name(pc):
        i = bisect.bisect_right(addrs, pc) - 1
        return syms[i][1] if i >= 0 else "?"

    totals, shown = [], 0
    for e in entries(args.log, vectors):
        names = [name(pc) for pc, _ in e]
        if args.symbol not in names:
            continue
        total = sum(n for _, n in e)
        totals.append(total)
        if shown >= args.limit:
            continue
        shown += 1
        if args.sum:
            per = collections.Counter()
            for (_, n), nm in zip(e, names):
                per[nm] += n
            print(f"entry: {total} instructions")
            for nm, n in per.most_common():
                print(f"  {n:6} {nm}")
        else:
            seq = []
            for (_, n), nm in zip(e, names):
                if seq and seq[-1][0] == nm:
                    seq[-1][1] += n
                else:
                    seq.append([nm, n])
            print(f"entry: {total} instructions: " + ", ".join(f"{nm} {n}" for nm, n in seq))
    if not totals:
        sys.exit(f"insn-profile: no kernel entry executed {args.symbol}")
    print(f"{len(totals)} entries with {args.symbol}: min {min(totals)}, max {max(totals)} instructions")


if __name__ == "__main__":
    main()
