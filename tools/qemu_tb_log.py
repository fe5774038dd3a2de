"""qemu_tb_log.py — reading a QEMU `-d in_asm,exec,nochain` log: the ELF's symbols and the
executed translation blocks (TBs) of every CPU, in the order they ran. Used by
tools/insn-profile.py and tools/timeline.py."""
import subprocess

# The low bits of a TB's cflags in the "Trace" line: its instruction limit (0: none), which
# icount sets on the TB that runs up to the next timer event (QEMU's CF_COUNT_MASK).
CF_COUNT_MASK = 0x1FF


def symbols(elf):
    """The ELF's text symbols, (address, name) sorted by address."""
    syms = []
    out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTW" and not parts[2].startswith("$"):
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def tb_stream(log):
    """Every TB that ran, as (cpu, pc, instructions), in the order of the log. A TB traced and
    then translated again at once was cut short by icount and is dropped, as is one that did
    not run ("Stopped execution of TB chain"); a TB run with an instruction limit counts that
    many. The IN: and Stopped lines name no CPU: they apply to the TB traced last."""
    tb_len, ev = {}, []
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
                    tb_len[first] = max(n, tb_len.get(first, 0))
                    if ev and ev[-1][1] == first:
                        ev.pop()
                continue
            if line.startswith("Stopped execution of TB chain before"):
                try:
                    stopped = int(line.split("[")[1].split("]")[0], 16)
                except (IndexError, ValueError):
                    continue
                if ev and ev[-1][1] == stopped:
                    ev.pop()
                continue
            if not line.startswith("Trace "):
                continue
            try:
                cpu = int(line.split()[1].rstrip(":"))
                fields = line.split("[")[1].split("]")[0].split("/")
                pc, limit = int(fields[1], 16), int(fields[3], 16) & CF_COUNT_MASK
            except (IndexError, ValueError):
                continue  # a line cut off where QEMU was stopped
            n = tb_len.get(pc, 0)
            if limit:
                n = min(n, limit)
            ev.append((cpu, pc, n))
    return ev
