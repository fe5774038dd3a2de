#!/usr/bin/env python3
"""check_user_programs.py — check the user programs `make user-programs` built into O.

  check_user_programs.py O NM READELF

For every program of the system in O/system: the flat .bin starts with struct program_header
(magic, start == _start, text_end and bss_end page-aligned, text_end <= file_end <= bss_end, the
.bin holds exactly the bytes up to file_end, padding aside), the ELF is linked at
SYS_USER_IMAGE_BASE with the header first; and sys_thread_entry[] of system_entries.c holds the
address nm gives for each thread's entry. Prints one `ok - NAME` / `not ok - NAME` line per check
(tests/run-all.sh counts them); exit status 1 if any failed.
"""
import re
import struct
import subprocess
import sys

PROGRAM_MAGIC = 0x4D4F52504C45454B
PAGE = 4096
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'ok' if ok else 'not ok'} - {name}" + ("" if ok else f": {detail}"))


def symbols(nm, elf):
    out = subprocess.run([nm, "--defined-only", elf], capture_output=True, text=True, check=True).stdout
    return {p[2]: int(p[0], 16) for p in (line.split() for line in out.splitlines()) if len(p) == 3}


def sections(readelf, elf):
    """{name: address} of the ELF's sections."""
    out = subprocess.run([readelf, "-SW", elf], capture_output=True, text=True, check=True).stdout
    found = {}
    for m in re.finditer(r"\]\s+(\S+)\s+\S+\s+([0-9a-f]{16})\s", out):
        found[m.group(1)] = int(m.group(2), 16)
    return found


def main():
    o, nm, readelf = sys.argv[1:4]
    with open(f"{o}/system/system_tables.h") as f:
        base = int(re.search(r"#define SYS_USER_IMAGE_BASE\s+(0x[0-9a-f]+)", f.read()).group(1), 16)
    with open(f"{o}/system/system_tables.c") as f:
        tables = f.read()
    spaces = re.findall(r'^\t\{"(\w+)", "(\w+)", 0x[0-9a-f]+, \d+, \d+\},$',
                        tables.split("sys_spaces[")[1].split("};")[0], re.M)
    space_prog = {f"SYS_SPACE_{s.upper()}": p for s, p in spaces}
    threads = re.findall(r'^\t\{"(\w+)", "(\w+)", 0x[0-9a-f]+, 0x[0-9a-f]+, (SYS_SPACE_\w+),',
                         tables.split("sys_threads[")[1].split("};")[0], re.M)
    with open(f"{o}/system/system_entries.c") as f:
        entries = [int(v, 16) for v in re.findall(r"^\t(0x[0-9a-f]+),", f.read(), re.M)]

    syms = {}
    for prog in dict.fromkeys(p for _, p in spaces):
        elf, binary = f"{o}/user/{prog}.elf", f"{o}/user/{prog}.bin"
        syms[prog] = symbols(nm, elf)
        with open(binary, "rb") as f:
            data = f.read()
        magic, start, text_end, file_end, bss_end = struct.unpack_from("<5Q", data)
        check(f"{prog}: .bin starts with the program magic", magic == PROGRAM_MAGIC, f"{magic:#x}")
        check(f"{prog}: header start is _start", start == syms[prog].get("_start"),
              f"{start:#x} vs {syms[prog].get('_start')}")
        check(f"{prog}: text_end and bss_end page-aligned, text_end <= file_end <= bss_end",
              text_end % PAGE == 0 and bss_end % PAGE == 0 and base < text_end <= file_end <= bss_end,
              f"{text_end:#x} {file_end:#x} {bss_end:#x}")
        check(f"{prog}: .bin holds the image up to file_end",
              len(data) <= file_end - base <= -(-len(data) // PAGE) * PAGE, f"{len(data)} bytes")
        secs = sections(readelf, elf)
        check(f"{prog}: header at {base:#x}, text linked after it",
              secs.get(".keel.header") == base and base < secs.get(".text", 0) < text_end, str(secs))

    check("entries table has one entry per thread", len(entries) == len(threads), f"{len(entries)}")
    for (name, entry, space), addr in zip(threads, entries):
        prog = space_prog[space]
        want = syms[prog].get(entry)
        check(f"entry of thread {name} is {prog}'s {entry}", addr == want, f"{addr:#x} vs {want}")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
