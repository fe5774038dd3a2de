#!/usr/bin/env python3
"""test_timeline.py — tests of tools/qemu_tb_log.py (reading a QEMU -d in_asm,exec,nochain log) and
tools/timeline.py (the window before each marked sample), on hand-made logs and TB sequences.

Run directly for one `ok - NAME` / `not ok - NAME` line per test (what tests/run-all.sh parses).
"""
import os
import sys
import tempfile
import unittest

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tools"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from qemu_tb_log import tb_stream  # noqa: E402
from tap import run_module  # noqa: E402
from timeline import windows  # noqa: E402

K = 0xffff000040080000  # a kernel address; below 1 << 63: user


def block(pc, n):
    """An IN: block of @n instructions at @pc, as QEMU logs it."""
    return "IN: f\n" + "".join(f"0x{pc + 4 * i:016x}:  d503201f      nop\n" for i in range(n)) + "\n"


def trace(cpu, pc, cflags=0):
    return f"Trace {cpu}: 0x7f0000000000 [00000000/{pc:016x}/00000000/{cflags:08x}] f\n"


class TbStream(unittest.TestCase):
    def parse(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
            f.write(text)
        try:
            return tb_stream(f.name)
        finally:
            os.unlink(f.name)

    def test_tbs_of_both_cpus_in_order_with_lengths(self):
        log = block(K, 3) + trace(0, K) + block(K + 0x100, 5) + trace(1, K + 0x100) + trace(0, K)
        self.assertEqual(self.parse(log), [(0, K, 3), (1, K + 0x100, 5), (0, K, 3)])

    def test_a_tb_translated_again_at_once_was_cut_and_is_dropped(self):
        log = block(K, 4) + trace(0, K) + block(K, 2) + trace(0, K, 0x2)
        self.assertEqual(self.parse(log), [(0, K, 2)])

    def test_a_tb_that_did_not_run_is_dropped(self):
        log = block(K, 4) + trace(1, K) + f"Stopped execution of TB chain before 0x7f0000000000 [{K:016x}] f\n"
        self.assertEqual(self.parse(log), [])

    def test_an_instruction_limit_counts_that_many(self):
        log = block(K, 6) + trace(0, K) + trace(0, K, 0x00080004)
        self.assertEqual(self.parse(log), [(0, K, 6), (0, K, 4)])


class Windows(unittest.TestCase):
    EV = [(0, 0x1000, 10), (1, K, 300), (0, K, 50), (1, K + 8, 40), (0, K + 16, 60), (0, 0x1000, 12),
          (0, K + 24, 5), (0, K + 32, 2), (0, 0x1000, 7), (0, K + 24, 5)]
    NAMES = ["user", "sys_grant", "irq_dispatch", "kernel_lock_handover", "sched_resume", "user",
             "sys_irq_ack", "sys_irq_ack", "user", "sys_irq_ack"]

    def test_one_window_per_marker_entry_ending_at_the_read(self):
        w = windows(self.EV, self.NAMES, "sys_irq_ack", 10000)
        self.assertEqual(len(w), 2)  # the second TB of the first marker's entry is the same entry
        when, per_cpu, calls, runs = w[0]
        self.assertEqual(when, 472)  # every CPU's instructions before the marker
        self.assertEqual(per_cpu, {0: 132, 1: 340})
        self.assertEqual(calls, {"1:sys_grant"})
        self.assertEqual(runs[-1], [0, "user", 12])

    def test_the_window_reaches_back_as_far_as_asked(self):
        when, per_cpu, _, runs = windows(self.EV, self.NAMES, "sys_irq_ack", 100)[0]
        self.assertEqual(per_cpu, {0: 72, 1: 40})  # the read, sched_resume, the hand-over
        self.assertEqual(runs[0], [1, "kernel_lock_handover", 40])

    def test_no_marker_no_window(self):
        self.assertEqual(windows(self.EV, self.NAMES, "sys_protect", 1000), [])


def main():
    run_module(sys.modules[__name__], "timeline")


if __name__ == "__main__":
    main()
