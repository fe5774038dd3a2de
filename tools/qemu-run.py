#!/usr/bin/env python3
"""qemu-run.py — boot a Keel image under QEMU, echo its console, and turn the run into an exit status.

usage: qemu-run.py [--timeout S] [--semihosting] [--stop-on-halt] [--console-serial N] [--append TEXT] [--log FILE]
                   [--expect-status N] [--expect TEXT ...] -- QEMU-ARGS...

The QEMU arguments (machine, CPU, -kernel ...) come from board/<board>/board.mk. The guest's
status is, in this order: QEMU's exit code with --semihosting (the kernel exits through
semihosting SYS_EXIT), else the number in the kernel's last "Keel: power off, exit status N"
line. A run that exceeds --timeout (host seconds: a guard against hangs, not a measurement) or
never prints the power-off line fails. With --expect-status the run passes only if the guest's
status equals N (e.g. 3 for a deliberate panic); each --expect TEXT must appear in the output.
On a board without PSCI (Raspberry Pi) a non-test kernel cannot stop QEMU: it prints the power-off
line, then "Keel: halted ..." and parks; --stop-on-halt ends QEMU as soon as that line appears.
"""
import argparse
import re
import subprocess
import sys
import threading
import time

POWER_OFF = re.compile(r"^Keel: power off, exit status (-?\d+)\s*$", re.M)
HALTED = re.compile(r"^Keel: halted\b.*$", re.M)


def communicate(proc, timeout, stop_on_halt):
    """Collect the guest's output until QEMU exits (or, with stop_on_halt, the kernel parks).

    Returns (output bytes, timed_out)."""
    if not stop_on_halt:
        try:
            return proc.communicate(timeout=timeout)[0], False
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.communicate()[0], True
    chunks = []

    def reader():
        for chunk in iter(lambda: proc.stdout.read1(4096), b""):
            chunks.append(chunk)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    deadline = time.monotonic() + timeout
    timed_out = False
    while proc.poll() is None:
        if HALTED.search(b"".join(chunks).decode("utf-8", "replace")):
            proc.kill()
            break
        if time.monotonic() > deadline:
            proc.kill()
            timed_out = True
            break
        time.sleep(0.02)
    proc.wait()
    t.join()
    return b"".join(chunks), timed_out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=60.0, help="host seconds before the run is killed (default 60)")
    ap.add_argument("--semihosting", action="store_true", help="enable semihosting (test builds exit with a status)")
    ap.add_argument("--stop-on-halt", action="store_true",
                    help="end QEMU once the kernel prints 'Keel: halted' (boards without PSCI)")
    ap.add_argument("--console-serial", type=int, default=0,
                    help="QEMU serial port index of the kernel's console (default 0; the Pi's mini UART is 1)")
    ap.add_argument("--append", default="", help="kernel command line (read by test builds through semihosting)")
    ap.add_argument("--log", help="also write the console output to this file")
    ap.add_argument("--expect-status", type=int, default=0, help="guest status that counts as success (default 0)")
    ap.add_argument("--expect", action="append", default=[], help="text that must appear in the output")
    ap.add_argument("qemu_args", nargs=argparse.REMAINDER, help="-- then QEMU arguments")
    args = ap.parse_args()

    qargs = args.qemu_args[1:] if args.qemu_args[:1] == ["--"] else args.qemu_args
    if not qargs:
        ap.error("no QEMU arguments after --")
    serial = ["-serial", "null"] * args.console_serial + ["-serial", "stdio"]
    cmd = ["qemu-system-aarch64", "-nographic", "-monitor", "none", *serial, "-nic", "none", *qargs]
    if args.semihosting:
        cmd += ["-semihosting-config", "enable=on,target=native"]
    if args.append:
        cmd += ["-append", args.append]

    print("qemu-run: " + " ".join(cmd), file=sys.stderr, flush=True)
    out = []
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        print("qemu-run: qemu-system-aarch64 not found; run scripts/setup.sh", file=sys.stderr)
        return 2
    stdout, timed_out = communicate(proc, args.timeout, args.stop_on_halt)
    text = stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    # QEMU says this when the guest powers off under -icount sleep=off; it is expected, not a problem.
    text = text.replace("qemu-system-aarch64: warning: icount sleep disabled and no active timers\n", "")
    sys.stdout.write(text)
    sys.stdout.flush()
    out.append(text)
    if args.log:
        with open(args.log, "w") as f:
            f.write(text)

    if timed_out:
        print(f"qemu-run: FAIL: no exit within {args.timeout:g} s (guest hung?)", file=sys.stderr)
        return 124
    m = POWER_OFF.findall(text)
    if args.semihosting:
        status = proc.returncode
    elif m:
        status = int(m[-1])
    else:
        print(f"qemu-run: FAIL: QEMU exited {proc.returncode} without the kernel's power-off line", file=sys.stderr)
        return 1
    missing = [e for e in args.expect if e not in text]
    for e in missing:
        print(f"qemu-run: FAIL: expected output missing: {e!r}", file=sys.stderr)
    if status != args.expect_status:
        print(f"qemu-run: FAIL: guest status {status}, expected {args.expect_status}", file=sys.stderr)
        return 1
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
