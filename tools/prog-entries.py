#!/usr/bin/env python3
"""prog-entries.py — connect a system description to its linked user programs.

  prog-entries.py programs FILE [--cpus N] [--user-dir DIR]
      print a make fragment: USER_SYSTEM_BUILT (the system's name) and USER_PROGS (the programs
      its spaces run, in description order, each once); user/user.mk includes it
  prog-entries.py entries FILE --prog-dir DIR --nm NM --out FILE.c [--cpus N] [--user-dir DIR]
      read DIR/<program>.elf (symbols, with NM) and DIR/<program>.bin (the program header),
      check them, and write sys_thread_entry[]: the user VA of each thread's entry function

Errors are reported like tools/sysgen.py's, FILE:LINE: error: ... plus a hint, all of them in
one run, then a non-zero exit: a thread whose entry function the program lacks (the line of its
`entry`, or of the thread when the entry is the default main), a program image without the
header magic, or one larger than the image_size of a space that runs it. See
docs/user-programs.md.
"""
import argparse
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sysgen  # noqa: E402  (the description is read by one parser only)

PROGRAM_MAGIC = 0x4D4F52504C45454B  # "KEELPROG", include/keel/program.h
HEADER = struct.Struct("<5Q")       # struct program_header: magic, start, text_end, file_end, bss_end


def load(path, cpus, user_dir):
    """The validated description (sysgen's own checks); exit 1 with its report on errors."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        sys.exit(f"prog-entries: {path}: {e.strerror}")
    checker = sysgen.Checker(path, cpus, user_dir)
    d = checker.check(text)
    if d is None:
        checker.report(sys.stderr)
        sys.exit(1)
    return d


def programs(d):
    """The programs the spaces run, in description order, each once."""
    seen = []
    for s in d.spaces:
        if s["program"] not in seen:
            seen.append(s["program"])
    return seen


def line_of(item, key):
    """Line of ITEM's KEY in the description (the item's own line if the key took its default)."""
    node = item["_nodes"].get(key)
    return node.start_mark.line + 1 if node is not None else item["_line"]


def read_symbols(nm, elf):
    """{name: (address, type letter)} of the ELF's defined symbols."""
    out = subprocess.run([nm, "--defined-only", elf], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"prog-entries: {nm} {elf} failed: {out.stderr.strip()}")
    syms = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms.setdefault(parts[2], (int(parts[0], 16), parts[1]))
    return syms


def entries(d, args):
    errors = []  # (line, message, hint)
    symbols, headers = {}, {}
    for prog in programs(d):
        elf = os.path.join(args.prog_dir, prog + ".elf")
        binary = os.path.join(args.prog_dir, prog + ".bin")
        symbols[prog] = read_symbols(args.nm, elf)
        with open(binary, "rb") as f:
            data = f.read()
        headers[prog] = (HEADER.unpack_from(data) if len(data) >= HEADER.size else None, len(data), binary)

    for s in d.spaces:
        prog = s["program"]
        header, size, binary = headers[prog]
        if header is None or header[0] != PROGRAM_MAGIC:
            errors.append((s["_line"], f"program '{prog}': {binary} does not start with the program header "
                           f"(magic {PROGRAM_MAGIC:#x})",
                           "link it with user/user.ld and user/lib/crt0.S (docs/user-programs.md)"))
            continue
        _, start, text_end, file_end, bss_end = header
        need = bss_end - sysgen.USER_IMAGE_BASE
        if need > s["image_size"]:
            errors.append((line_of(s, "image_size"),
                           f"space '{s['name']}': program '{prog}' needs {need:#x} bytes "
                           f"(text, data and bss), above its image_size {s['image_size']:#x}",
                           f"set image_size to at least {need:#x} or make the program smaller"))
        if symbols[prog].get("_start", (None,))[0] != start:
            errors.append((s["_line"], f"program '{prog}': header start {start:#x} is not _start",
                           "user/lib/crt0.S fills the header; rebuild the program"))

    table = []
    for t in d.threads:
        prog = d.spaces[t["_space"]]["program"]
        entry = t["entry"]
        addr, kind = symbols[prog].get(entry, (None, None))
        if addr is None or kind not in "TW":
            why = "is static in" if kind == "t" else "is not a function of" if kind else "not found in"
            errors.append((line_of(t, "entry"),
                           f"thread '{t['name']}': entry function '{entry}' {why} program '{prog}' "
                           f"(user/{prog}/)",
                           f"define 'int {entry}(void)' in user/{prog}/ or fix 'entry' of thread "
                           f"'{t['name']}' (default: main)"))
            continue
        table.append((t["name"], prog, entry, addr))

    if errors:
        for line, message, hint in sorted(errors, key=lambda e: e[0]):
            print(f"{args.file}:{line}: error: {message}", file=sys.stderr)
            print(f"    hint: {hint}", file=sys.stderr)
        n = len(errors)
        print(f"prog-entries: {n} error{'s' if n != 1 else ''} in {args.file}", file=sys.stderr)
        sys.exit(1)

    base = os.path.basename(args.file)
    lines = [f"/* system_entries.c — system '{d.system}', thread entry addresses generated by",
             f"   tools/prog-entries.py from {base} and the linked programs; do not edit. */",
             '#include "system_tables.h"', "",
             "const uint64_t sys_thread_entry[SYS_NR_THREADS > 0 ? SYS_NR_THREADS : 1] = {"]
    for name, prog, entry, addr in table:
        lines.append(f"\t{addr:#x}, /* {name}: {prog}'s {entry} */")
    lines += ["};", ""]
    # Where each space's packed program image lies in the kernel (sections from system.ld).
    lines.append('#include "keel/system.h"')
    for prog in programs(d):
        lines.append(f"extern const uint8_t __keel_prog_{prog}_start[], __keel_prog_{prog}_end[];")
    lines.append("const struct sys_image sys_space_image[SYS_NR_SPACES > 0 ? SYS_NR_SPACES : 1] = {")
    for sp in d.spaces:
        lines.append(f"\t{{__keel_prog_{sp['program']}_start, __keel_prog_{sp['program']}_end}}, /* {sp['name']} */")
    lines += ["};", ""]
    with open(args.out, "w", encoding="utf-8") as f:  # always: make compares its time with the programs'
        f.write("\n".join(lines))


def main(argv):
    parser = argparse.ArgumentParser(prog="prog-entries.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("file", metavar="FILE", help="system description, e.g. configs/demo.yaml")
    common.add_argument("--cpus", type=int, default=sysgen.DEFAULT_CPUS, help="CONFIG_NR_CPUS")
    common.add_argument("--user-dir", default=os.path.join(sysgen.TOP, "user"),
                        help="directory holding the programs (default: user/ of this tree)")
    sub.add_parser("programs", parents=[common], help="print the make fragment naming the programs")
    ent = sub.add_parser("entries", parents=[common], help="write system_entries.c")
    ent.add_argument("--prog-dir", required=True, help="where <program>.elf and .bin are")
    ent.add_argument("--nm", default="nm", help="nm of the cross toolchain")
    ent.add_argument("--out", required=True, help="the C file to write")
    args = parser.parse_args(argv[1:])

    d = load(args.file, args.cpus, args.user_dir)
    if args.command == "programs":
        print(f"# generated by tools/prog-entries.py from {args.file}; do not edit")
        print(f"USER_SYSTEM_BUILT := {os.path.splitext(os.path.basename(args.file))[0]}")
        print(f"USER_PROGS := {' '.join(programs(d))}")
    else:
        entries(d, args)


if __name__ == "__main__":
    main(sys.argv)
