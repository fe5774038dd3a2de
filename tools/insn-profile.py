#!/usr/bin/env python3
"""insn-profile.py — instructions per kernel function of each kernel entry, from a QEMU log.

Run the kernel under QEMU with `-icount shift=4,sleep=off -d in_asm,exec,nochain -D LOG`
(the log grows by ~100 MB per second of guest time: stop QEMU early with `timeout`), then:

    tools/insn-profile.py build/.../keel.elf LOG --symbol sys_map [--limit 3] [--sum]
    tools/insn-profile.py build/.../keel.elf LOG --symbol sys_unmap --split irq_pending_here,exception_return

With --split, each entry is cut into its interrupts-masked stretches after every TB of the given
functions (the preemption points' question, the eret: the stretch ends where a waiting IRQ is
taken), and the longest stretches that ran one of the --within functions are printed instead of
whole entries, each with its place in the entry (first, middle, last), then the longest per place:

    ... --symbol sys_unmap --split irq_pending_here,exception_return \
        --within sys_unmap,mdb_unmap_preemptible

A kernel entry runs from a TB in the exception vectors to the first TB in user space; only
the TBs of one CPU are counted (--cpu, default 0; the log is read by tools/qemu_tb_log.py, for
all CPUs at once: the "IN:" and "Stopped execution" lines name no CPU and apply to the TB traced
last, whichever CPU ran it). Each entry that executed --symbol is printed as its sequence of
functions with their instruction counts (or, with --sum, counts per function), followed by the
smallest and largest total. Under -icount QEMU may cut a TB short and translate it again; the
"Trace" line of the cut TB is then dropped, as its count would be wrong, and so is a TB that
did not run ("Stopped execution of TB chain"); a TB run with an instruction limit (the cflags'
count) counts only that many.
"""
import argparse
import bisect
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_tb_log import symbols, tb_stream  # noqa: E402


def entries(log, vectors, cpu=0):
    """Yield each kernel entry of CPU @cpu as a list of (pc, instructions): from a TB in the
    exception vectors to the first TB in user space."""
    cur = None
    for c, pc, n in tb_stream(log):
        if c != cpu:
            continue
        if pc >= 1 << 63:
            if cur is None:
                if not vectors <= pc < vectors + 0x800:
                    continue
                cur = []
            cur.append((pc, n))
        elif cur is not None:
            yield cur
            cur = None


def sequence(e, names):
    seq = []
    for (_, n), nm in zip(e, names):
        if seq and seq[-1][0] == nm:
            seq[-1][1] += n
        else:
            seq.append([nm, n])
    return ", ".join(f"{nm} {n}" for nm, n in seq)


def split_main(args, ents, name):
    """The stretches of the entries that executed --symbol, cut at each TB of --split."""
    stretches = []  # (total, place, sequence)
    cut_at = set(args.split.split(","))
    within = set((args.within or args.symbol).split(","))
    for e in ents:
        names = [name(pc) for pc, _ in e]
        if args.symbol not in names:
            continue
        cuts, cur, curn = [], [], []
        for tb, nm in zip(e, names):
            cur.append(tb)
            curn.append(nm)
            if nm in cut_at:
                cuts.append((cur, curn))
                cur, curn = [], []
        if cur:
            cuts.append((cur, curn))
        for i, (c, cn) in enumerate(cuts):
            if not within & set(cn):
                continue  # e.g. an IRQ's entry after the eret
            place = "only" if len(cuts) == 1 else "first" if i == 0 else "last" if i == len(cuts) - 1 else "middle"
            stretches.append((sum(n for _, n in c), place, c, cn))
    if not stretches:
        sys.exit(f"insn-profile: no kernel entry executed {args.symbol}")
    stretches.sort(key=lambda s: -s[0])
    for total, place, c, cn in stretches[:args.limit]:
        print(f"stretch ({place}): {total} instructions: " + sequence(c, cn))
    best = {}
    for total, place, c, cn in stretches:
        if place not in best:
            best[place] = (total, sequence(c, cn))
    for place, (total, seq) in best.items():
        print(f"longest {place}: {total}: {seq}")
    print(f"{len(stretches)} stretches in entries with {args.symbol}: max {stretches[0][0]} instructions")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("elf")
    ap.add_argument("log")
    ap.add_argument("--symbol", required=True, help="show entries that executed this function")
    ap.add_argument("--limit", type=int, default=3, help="entries to print (default 3)")
    ap.add_argument("--sum", action="store_true", help="counts per function instead of the sequence")
    ap.add_argument("--split", metavar="FUNC[,FUNC]", help="cut entries into stretches after each TB "
                    "of these functions (e.g. irq_pending_here,exception_return) and print the longest")
    ap.add_argument("--cpu", type=int, default=0, help="the CPU whose entries are counted (default 0)")
    ap.add_argument("--within", metavar="FUNC[,FUNC]", help="with --split: only stretches that run one "
                    "of these functions (default: --symbol)")
    args = ap.parse_args()
    if args.cpu < 0:
        ap.error("--cpu must be a CPU number (0, 1, ...)")

    syms = symbols(args.elf)
    addrs = [a for a, _ in syms]
    vectors = dict((n, a) for a, n in syms).get("exception_vectors")
    if vectors is None:
        sys.exit("insn-profile: no exception_vectors in " + args.elf)

    def name(pc):
        i = bisect.bisect_right(addrs, pc) - 1
        return syms[i][1] if i >= 0 else "?"

    if args.split:
        return split_main(args, entries(args.log, vectors, args.cpu), name)
    totals, shown = [], 0
    for e in entries(args.log, vectors, args.cpu):
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
            print(f"entry: {total} instructions: " + sequence(e, names))
    if not totals:
        sys.exit(f"insn-profile: no kernel entry executed {args.symbol}")
    print(f"{len(totals)} entries with {args.symbol}: min {min(totals)}, max {max(totals)} instructions")


if __name__ == "__main__":
    main()
