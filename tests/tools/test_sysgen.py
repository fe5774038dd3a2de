#!/usr/bin/env python3
"""test_sysgen.py — tests of tools/sysgen.py, the system-description compiler.

Every kind of mistake the tool promises to catch has one test that checks the exact
FILE:LINE: error: report, its hint and the exit status, because a wrong line number is as
unhelpful as no error. Positive tests check the demo, the generated C (it must compile
warning-free) and the budget against hand-computed numbers.

Run directly for one `ok - NAME` / `not ok - NAME` line per test (what tests/run-all.sh
parses), or with `python3 -m unittest tests/tools/test_sysgen.py`.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from tap import run_module

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SYSGEN = os.path.join(TOP, "tools", "sysgen.py")

# A small valid system. Block style, one key per line, so each test can point at one line.
SMALL = """\
system: small
pools:
  mdb_entries: 100
  pt_pages: 20
spaces:
  - name: alpha
    program: prog_a
    image_size: 0x2000
    quota: {mdb_entries: 50, pt_pages: 10}
  - name: beta
    program: prog_b
    quota:
      mdb_entries: 40
      pt_pages: 10
threads:
  - name: worker
    space: alpha
    priority: 10
    cpu: 0
    stack_size: 0x1000
  - name: helper
    space: beta
    priority: 20
    cpu: 1
    stack_size: 0x2000
    fault_handler: worker
regions:
  - name: buf
    size: 0x2000
    owner: alpha
  - name: dev
    size: 0x1000
    owner: beta
    attributes: device
    phys: 0x09000000
mappings:
  - region: buf
    space: alpha
    vaddr: 0x10000000
    rights: rw
  - region: buf
    space: beta
    vaddr: 0x10000000
    rights: r
  - region: dev
    space: beta
    vaddr: 0x20000000
    rights: rw
irqs:
  - irq: 33
    space: beta
permissions:
  - from: alpha
    to: beta
    operations: [map, share]
"""


def line_of(text, needle, nth=1):
    """1-based line number of the NTH line of TEXT containing NEEDLE."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    if len(hits) < nth:
        raise AssertionError(f"{needle!r} not in the description")
    return hits[nth - 1]


def replace_line(text, needle, new, nth=1):
    """TEXT with its NTH line containing NEEDLE replaced by NEW (which may span lines)."""
    lines = text.splitlines()
    n = line_of(text, needle, nth)
    lines[n - 1] = new
    return "\n".join(lines) + "\n"


class SysgenCase(unittest.TestCase):
    """Runs sysgen.py on descriptions written to a temporary directory with its own user/."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sysgen-test-")
        self.user = os.path.join(self.tmp, "user")
        for prog in ("prog_a", "prog_b"):
            os.makedirs(os.path.join(self.user, prog))
            with open(os.path.join(self.user, prog, "main.c"), "w") as f:
                f.write("int main(void) { return 0; }\n")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_tool(self, text, command="check", *extra, cpus=4):
        """Write TEXT as sys.yaml and run the tool; return (exit status, stdout, stderr)."""
        path = os.path.join(self.tmp, "sys.yaml")
        with open(path, "w") as f:
            f.write(text)
        p = subprocess.run([sys.executable, SYSGEN, command, path, "--cpus", str(cpus),
                            "--user-dir", self.user, *extra],
                           capture_output=True, text=True, cwd=self.tmp)
        return p.returncode, p.stdout, p.stderr.replace(path, "sys.yaml")

    def assert_error(self, text, line, message, hint=None, cpus=4):
        """The tool fails and reports MESSAGE at LINE, followed by a hint line."""
        status, _, err = self.run_tool(text, cpus=cpus)
        self.assertEqual(status, 1, err)
        pattern = rf"^sys\.yaml:{line}: error: .*{re.escape(message)}.*\n    hint: (.*)$"
        m = re.search(pattern, err, re.M)
        self.assertIsNotNone(m, f"no 'sys.yaml:{line}: error: ...{message}...' with a hint in:\n{err}")
        if hint is not None:
            self.assertIn(hint, m.group(1))
        self.assertRegex(err, r"sysgen: \d+ errors? in sys\.yaml")
        return err


class TestErrors(SysgenCase):
    """One test per mistake: the report names the right line and gives a hint."""

    def test_small_description_is_valid(self):
        status, out, err = self.run_tool(SMALL)
        self.assertEqual(status, 0, err)
        self.assertIn("system 'small' is valid", out)

    def test_yaml_syntax_error(self):
        text = replace_line(SMALL, "quota: {mdb_entries: 50", "    quota: {mdb_entries: 50, pt_pages: 10")
        self.assert_error(text, line_of(SMALL, "  - name: beta"), "YAML syntax")

    def test_yaml_tab_indentation(self):
        text = replace_line(SMALL, "space: alpha", "\tspace: alpha")
        self.assert_error(text, line_of(SMALL, "space: alpha"), "YAML syntax", "spaces, not tabs")

    def test_empty_file(self):
        self.assert_error("# nothing\n", 1, "empty system description")

    def test_unknown_top_level_key(self):
        text = replace_line(SMALL, "permissions:", "permisions:")
        self.assert_error(text, line_of(SMALL, "permissions:"), "unknown key 'permisions'",
                          "did you mean 'permissions'?")

    def test_unknown_item_key(self):
        text = replace_line(SMALL, "priority: 10", "    priorty: 10")
        err = self.assert_error(text, line_of(SMALL, "priority: 10"), "unknown key 'priorty' in thread 'worker'",
                                "did you mean 'priority'?")
        self.assertIn("lacks required key 'priority'", err)

    def test_duplicate_key(self):
        text = SMALL.replace("    cpu: 0\n", "    cpu: 0\n    cpu: 1\n")
        self.assert_error(text, line_of(SMALL, "cpu: 0") + 1, "duplicate key 'cpu'")

    def test_missing_required_key(self):
        text = SMALL.replace("    cpu: 0\n", "")
        self.assert_error(text, line_of(SMALL, "- name: worker"), "thread 'worker' lacks required key 'cpu'",
                          "add 'cpu: <integer>'")

    def test_missing_top_level_key(self):
        text = SMALL.replace("system: small\n", "")
        self.assert_error(text, 1, "lacks required key 'system'")

    def test_wrong_type_integer(self):
        text = replace_line(SMALL, "priority: 10", "    priority: high")
        self.assert_error(text, line_of(SMALL, "priority: 10"), "'priority' of thread 'worker' must be an integer")

    def test_wrong_type_quoted_number(self):
        text = replace_line(SMALL, "stack_size: 0x1000", '    stack_size: "4096"')
        self.assert_error(text, line_of(SMALL, "stack_size: 0x1000"), "must be an integer, not a string")

    def test_wrong_type_list(self):
        text = replace_line(SMALL, "operations: [map, share]", "    operations: map")
        self.assert_error(text, line_of(SMALL, "operations:"), "'operations' of permission #1 must be a list")

    def test_wrong_type_item(self):
        text = SMALL.replace("irqs:\n  - irq: 33\n    space: beta\n", "irqs:\n  - 33\n")
        self.assert_error(text, line_of(SMALL, "irq: 33"), "IRQ grant #1 must be a mapping")

    def test_unknown_space(self):
        text = replace_line(SMALL, "space: alpha", "    space: alhpa")
        self.assert_error(text, line_of(SMALL, "space: alpha"), "unknown space 'alhpa'",
                          "did you mean 'alpha'?")

    def test_unknown_region(self):
        text = replace_line(SMALL, "region: dev", "  - region: devv")
        self.assert_error(text, line_of(SMALL, "region: dev"), "unknown region 'devv'", "did you mean 'dev'?")

    def test_unknown_thread(self):
        text = replace_line(SMALL, "fault_handler: worker", "    fault_handler: nobody")
        self.assert_error(text, line_of(SMALL, "fault_handler"), "unknown thread 'nobody'",
                          "known threads: worker, helper")

    def test_unknown_owner(self):
        text = replace_line(SMALL, "owner: beta", "    owner: gamma")
        self.assert_error(text, line_of(SMALL, "owner: beta"), "unknown space 'gamma'")

    def test_missing_program_directory(self):
        text = replace_line(SMALL, "program: prog_b", "    program: prog_c")
        self.assert_error(text, line_of(SMALL, "program: prog_b"),
                          "program 'prog_c': directory user/prog_c does not exist", "create user/prog_c/main.c")

    def test_missing_program_main_c(self):
        os.remove(os.path.join(self.user, "prog_b", "main.c"))
        self.assert_error(SMALL, line_of(SMALL, "program: prog_b"),
                          "program 'prog_b': user/prog_b/main.c does not exist")

    def test_duplicate_thread_name(self):
        text = replace_line(SMALL, "- name: helper", "  - name: worker")
        self.assert_error(text, line_of(SMALL, "- name: helper"),
                          f"duplicate thread name 'worker' (first defined at line {line_of(SMALL, 'name: worker')})")

    def test_duplicate_space_name(self):
        text = replace_line(SMALL, "- name: beta", "  - name: alpha")
        self.assert_error(text, line_of(SMALL, "- name: beta"), "duplicate space name 'alpha'")

    def test_invalid_name(self):
        text = replace_line(SMALL, "- name: buf", "  - name: Buf-1")
        self.assert_error(text, line_of(SMALL, "- name: buf"), "region name 'Buf-1' is not a valid name")

    def test_overlapping_physical_regions(self):
        text = SMALL.replace("mappings:\n", "  - name: dev2\n    size: 0x2000\n    owner: beta\n"
                             "    attributes: device\n    phys: 0x08fff000\nmappings:\n")
        self.assert_error(text, line_of(SMALL, "phys: 0x09000000"),
                          "region 'dev' [0x9000000, 0x9001000) overlaps region 'dev2'", "move 'dev' to 0x9001000")

    def test_overlapping_virtual_mappings(self):
        text = replace_line(SMALL, "vaddr: 0x20000000", "    vaddr: 0x10001000")
        self.assert_error(text, line_of(SMALL, "vaddr: 0x20000000"),
                          "in space 'beta', region 'dev' mapped at [0x10001000, 0x10002000) overlaps region 'buf'")

    def test_mapping_overlaps_stack(self):
        text = replace_line(SMALL, "vaddr: 0x20000000", "    vaddr: 0xffffe000")
        self.assert_error(text, line_of(SMALL, "vaddr: 0x20000000"), "overlaps the stack of thread 'helper'")

    def test_mapping_overlaps_image(self):
        text = replace_line(SMALL, "vaddr: 0x20000000", "    vaddr: 0x400000")
        self.assert_error(text, line_of(SMALL, "vaddr: 0x20000000"), "overlaps the image of program 'prog_b'")

    def test_misaligned_region_size(self):
        text = replace_line(SMALL, "    size: 0x2000", "    size: 0x1800")
        self.assert_error(text, line_of(SMALL, "    size: 0x2000"), "size 0x1800 is not a multiple of the page size",
                          "e.g. 0x2000")

    def test_misaligned_physical_address(self):
        text = replace_line(SMALL, "phys: 0x09000000", "    phys: 0x09000800")
        self.assert_error(text, line_of(SMALL, "phys:"), "phys 0x9000800 is not page-aligned", "e.g. 0x9000000")

    def test_misaligned_vaddr(self):
        text = replace_line(SMALL, "vaddr: 0x20000000", "    vaddr: 0x20000010")
        self.assert_error(text, line_of(SMALL, "vaddr: 0x20000000"), "vaddr 0x20000010 is not page-aligned")

    def test_quota_sum_above_pool(self):
        text = replace_line(SMALL, "quota: {mdb_entries: 50", "    quota: {mdb_entries: 70, pt_pages: 10}")
        self.assert_error(text, line_of(SMALL, "mdb_entries: 100"),
                          "quotas of mdb_entries add up to 110, above the pool of 100",
                          "raise pools.mdb_entries to at least 110")

    def test_pt_quota_sum_above_pool(self):
        text = replace_line(SMALL, "pt_pages: 20", "  pt_pages: 19")
        self.assert_error(text, line_of(SMALL, "pt_pages: 20"), "quotas of pt_pages add up to 20, above the pool of 19")

    def test_quota_below_boot_needs(self):
        text = replace_line(SMALL, "mdb_entries: 40", "      mdb_entries: 10")
        self.assert_error(text, line_of(SMALL, "mdb_entries: 40"),
                          "space 'beta': quota mdb_entries 10 is below the 21", "at least 21")

    def test_priority_out_of_range(self):
        text = replace_line(SMALL, "priority: 20", "    priority: 64")
        self.assert_error(text, line_of(SMALL, "priority: 20"), "priority 64 out of range 0..63",
                          "higher number is a higher priority")

    def test_negative_priority(self):
        text = replace_line(SMALL, "priority: 20", "    priority: -1")
        self.assert_error(text, line_of(SMALL, "priority: 20"), "priority -1 out of range 0..63")

    def test_cpu_out_of_range(self):
        self.assert_error(SMALL, line_of(SMALL, "cpu: 1"), "thread 'helper': cpu 1 out of range 0..0", cpus=1)

    def test_stack_not_page_multiple(self):
        text = replace_line(SMALL, "stack_size: 0x2000", "    stack_size: 0x2100")
        self.assert_error(text, line_of(SMALL, "stack_size: 0x2000"),
                          "stack_size 0x2100 is not a multiple of the page size", "e.g. 0x3000")

    def test_stack_too_small(self):
        text = replace_line(SMALL, "stack_size: 0x1000", "    stack_size: 0")
        self.assert_error(text, line_of(SMALL, "stack_size: 0x1000"), "stack_size 0x0 is too small")

    def test_param_not_an_integer(self):
        text = SMALL + "params:\n  interval_us: fast\n"
        self.assert_error(text, line_of(text, "interval_us"), "parameter 'interval_us' must be an integer")

    def test_param_negative(self):
        text = SMALL + "params:\n  interval_us: -1\n"
        self.assert_error(text, line_of(text, "interval_us"), "out of range", "unsigned 64-bit")

    def test_param_too_large(self):
        text = SMALL + "params:\n  interval_us: 0x10000000000000000\n"
        self.assert_error(text, line_of(text, "interval_us"), "out of range")

    def test_param_bad_name(self):
        text = SMALL + "params:\n  Interval: 5\n"
        self.assert_error(text, line_of(text, "Interval"), "parameter name 'Interval' is not a valid name",
                          "SYS_PARAM_")

    def test_param_duplicate(self):
        text = SMALL + "params:\n  a: 5\n  a: 6\n"
        self.assert_error(text, line_of(text, "a: 6"), "duplicate parameter 'a'")

    def test_params_not_a_mapping(self):
        text = SMALL + "params: [1, 2]\n"
        self.assert_error(text, line_of(text, "params:"), "must be a mapping")

    def test_irq_granted_twice(self):
        text = SMALL.replace("permissions:\n", "  - irq: 33\n    space: alpha\npermissions:\n")
        self.assert_error(text, line_of(SMALL, "permissions:"), "IRQ 33 granted twice",
                          "an IRQ goes to at most one space")

    def test_irq_out_of_range(self):
        text = replace_line(SMALL, "irq: 33", "  - irq: 1020")
        self.assert_error(text, line_of(SMALL, "irq: 33"), "IRQ 1020 out of range 32..1019")

    def test_irq_private_to_kernel(self):
        text = replace_line(SMALL, "irq: 33", "  - irq: 27")
        self.assert_error(text, line_of(SMALL, "irq: 33"), "IRQ 27 out of range", "belong to the kernel")

    def test_mapping_outside_user_range(self):
        text = replace_line(SMALL, "vaddr: 0x20000000", "    vaddr: 0x1000000000000")
        self.assert_error(text, line_of(SMALL, "vaddr: 0x20000000"), "outside the user address range",
                          "at most 0xfffffffff000")

    def test_mapping_in_kernel_half(self):
        text = replace_line(SMALL, "vaddr: 0x20000000", "    vaddr: 0xffff000000000000")
        self.assert_error(text, line_of(SMALL, "vaddr: 0x20000000"), "outside the user address range")

    def test_mapping_at_page_zero(self):
        text = replace_line(SMALL, "vaddr: 0x20000000", "    vaddr: 0")
        self.assert_error(text, line_of(SMALL, "vaddr: 0x20000000"), "mapping at page 0", "null pointers")

    def test_unknown_operation(self):
        text = replace_line(SMALL, "operations: [map, share]", "    operations: [map, shar]")
        self.assert_error(text, line_of(SMALL, "operations:"), "unknown operation 'shar'", "did you mean 'share'?")

    def test_permission_unknown_space(self):
        text = replace_line(SMALL, "to: beta", "    to: delta")
        self.assert_error(text, line_of(SMALL, "to: beta"), "unknown space 'delta'")

    def test_writable_and_executable(self):
        text = replace_line(SMALL, "rights: rw", "    rights: rwx")
        self.assert_error(text, line_of(SMALL, "rights: rw"), "mapping rights 'rwx' not allowed", "W^X")

    def test_device_region_without_phys(self):
        text = SMALL.replace("    phys: 0x09000000\n", "")
        self.assert_error(text, line_of(SMALL, "- name: dev"), "device region 'dev' has no physical address")

    def test_unknown_attributes(self):
        text = replace_line(SMALL, "attributes: device", "    attributes: devic")
        self.assert_error(text, line_of(SMALL, "attributes:"), "unknown attributes 'devic'", "did you mean 'device'?")

    def test_shared_region_not_mapped_by_owner(self):
        text = SMALL.replace("  - region: buf\n    space: alpha\n    vaddr: 0x10000000\n    rights: rw\n", "")
        self.assert_error(text, line_of(text, "region: buf"), "region 'buf' is mapped into 'beta' but not into its "
                          "owner 'alpha'")

    def test_rights_above_owner(self):
        text = replace_line(SMALL, "rights: rw", "    rights: r")
        text = replace_line(text, "rights: r", "    rights: rw", nth=2)
        self.assert_error(text, line_of(SMALL, "rights: r", nth=2),
                          "region 'buf' is mapped 'rw' into 'beta' but only 'r' into its owner 'alpha'",
                          "cannot have more rights")

    def test_stacks_do_not_fit(self):
        text = replace_line(SMALL, "stack_size: 0x2000", "    stack_size: 0xffc00000")
        self.assert_error(text, line_of(SMALL, "- name: beta"), "space 'beta': the image and the stacks",
                          "smaller image_size and stack_size")

    def test_pool_too_large(self):
        text = replace_line(SMALL, "mdb_entries: 100", "  mdb_entries: 0x100000000")
        self.assert_error(text, line_of(SMALL, "mdb_entries: 100"), "pool mdb_entries 4294967296 out of range",
                          "32-bit indices")

    def test_negative_quota(self):
        text = replace_line(SMALL, "mdb_entries: 40", "      mdb_entries: -1")
        self.assert_error(text, line_of(SMALL, "mdb_entries: 40"), "quota mdb_entries of space 'beta' out of range")

    def test_huge_mapping_is_checked_quickly(self):
        # 16 TiB mapped: quota use is computed on intervals, not page by page. For beta: 16 image
        # pages + 2 stack + 2^32 buf + 1 dev MDB entries; tables: L0 + 33 L1 (one below 512 GiB,
        # 32 for buf) + 16386 L2 (image/dev, stack, 16384 for buf) + 8388611 L3 (image, dev,
        # stack, 8388608 for buf) = 8405031.
        text = replace_line(SMALL, "    size: 0x2000", "    size: 0x100000000000")
        text = replace_line(text, "vaddr: 0x10000000", "    vaddr: 0x200000000000")
        text = replace_line(text, "vaddr: 0x10000000", "    vaddr: 0x400000000000")
        err = self.assert_error(text, line_of(SMALL, "mdb_entries: 40"),
                                "space 'beta': quota mdb_entries 40 is below the 4294967315")
        self.assertIn(f"sys.yaml:{line_of(SMALL, '      pt_pages: 10')}: error: space 'beta': quota pt_pages 10 "
                      "is below the 8405031", err)

    def test_not_a_mapping_at_top(self):
        self.assert_error("- a\n- b\n", 1, "the system description must be a mapping")

    def test_list_where_mapping_expected(self):
        text = replace_line(SMALL, "quota: {mdb_entries: 50", "    quota: [50, 10]")
        self.assert_error(text, line_of(SMALL, "quota: {mdb_entries: 50"), "'quota' of space 'alpha' must be a mapping")

    def test_all_errors_reported_in_line_order(self):
        text = replace_line(SMALL, "priority: 20", "    priority: 99")
        text = replace_line(text, "priority: 10", "    priority: 70")
        status, _, err = self.run_tool(text)
        self.assertEqual(status, 1)
        lines = [int(n) for n in re.findall(r"^sys\.yaml:(\d+): error:", err, re.M)]
        self.assertEqual(lines, [line_of(SMALL, "priority: 10"), line_of(SMALL, "priority: 20")])
        self.assertIn("sysgen: 2 errors in sys.yaml", err)


class TestOutput(SysgenCase):
    """The demo validates; the generated C compiles; the budget adds up."""

    def test_help(self):
        p = subprocess.run([sys.executable, SYSGEN, "--help"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        for command in ("check", "gen", "budget"):
            self.assertIn(command, p.stdout)

    def test_demo_is_valid(self):
        p = subprocess.run([sys.executable, SYSGEN, "check", "configs/demo.yaml"],
                           capture_output=True, text=True, cwd=TOP)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("system 'demo' is valid", p.stdout)

    def test_budget_hand_computed(self):
        status, out, err = self.run_tool(SMALL, "budget")
        self.assertEqual(status, 0, err)
        # 2 threads x 1024, 100 MDB entries x 16, 20 page-table pages x (4096 + 2048 slot bytes).
        self.assertRegex(out, r"threads \(TCB\)\s+2\s+1024\s+2048\n")
        self.assertRegex(out, r"mdb_entries\s+100\s+16\s+1600\n")
        self.assertRegex(out, r"pt_pages\s+20\s+6144\s+122880\n")
        self.assertRegex(out, r"total kernel RAM\s+126528\b")
        # beta at boot: 16 image pages + 2 stack + 2 buf + 1 dev = 21 MDB entries; tables: L0, one L1,
        # L2 for 0..1 GiB and 3..4 GiB, one L3 each for the image, buf, dev and the stack = 8.
        self.assertRegex(out, r"beta\s+21/40\s+8/10\n")
        self.assertRegex(out, r"all \(quota/pool\)\s+90/100\s+20/20\n")

    def generate(self, text=SMALL):
        out = os.path.join(self.tmp, "gen")
        status, _, err = self.run_tool(text, "gen", "--out-dir", out)
        self.assertEqual(status, 0, err)
        return out

    def compile(self, out, *flags):
        """Compile system_tables.c with the host compiler as strictly as the brief asks."""
        return subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", out, *flags, "-c",
                               os.path.join(out, "system_tables.c"), "-o", os.path.join(out, "t.o")],
                              capture_output=True, text=True)

    def test_generated_c_compiles(self):
        out = self.generate()
        p = self.compile(out)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(out, "system_tables.h")) as f:
            header = f.read()
        for define in ("SYS_NR_THREADS      2u", "SYS_POOL_MDB_COUNT       100u", "SYS_POOL_PT_COUNT        20u",
                       "SYS_POOL_TCB_COUNT       2u", "SYS_KERNEL_RAM_BYTES     126528u", "SYS_THREAD_HELPER 1u"):
            self.assertIn(define, header)

    def test_params_become_defines(self):
        out = self.generate(SMALL + "params:\n  interval_us: 250\n  load_chain: 0x10\n  big: 18446744073709551615\n")
        self.assertEqual(self.compile(out).returncode, 0)
        with open(os.path.join(out, "system_tables.h")) as f:
            header = f.read()
        for define in ("#define SYS_PARAM_INTERVAL_US 250ull", "#define SYS_PARAM_LOAD_CHAIN 16ull",
                       "#define SYS_PARAM_BIG 18446744073709551615ull"):
            self.assertIn(define, header)

    def test_no_params_no_defines(self):
        with open(os.path.join(self.generate(), "system_tables.h")) as f:
            self.assertNotIn("SYS_PARAM_", f.read())

    def test_generated_c_without_optional_tables_compiles(self):
        text = SMALL.split("regions:")[0]
        out = self.generate(text)
        p = self.compile(out)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_demo_generated_c_compiles(self):
        out = os.path.join(self.tmp, "demo")
        p = subprocess.run([sys.executable, SYSGEN, "gen", "configs/demo.yaml", "--out-dir", out],
                           capture_output=True, text=True, cwd=TOP)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.compile(out)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_gen_rewrites_only_changed_files(self):
        out = self.generate()
        stamps = {f: os.stat(os.path.join(out, f)).st_mtime_ns for f in os.listdir(out)}
        for f in stamps:
            os.utime(os.path.join(out, f), ns=(1, 1))
        self.generate()
        self.assertEqual({f: os.stat(os.path.join(out, f)).st_mtime_ns for f in stamps}, dict.fromkeys(stamps, 1))

    def size_check(self, mdb_entry_size):
        """Compile with KEEL_SYSTEM_CHECK_SIZES and stand-in kernel structs of the given size."""
        out = self.generate()
        types = os.path.join(out, "types.h")
        with open(types, "w") as f:
            f.write(f"struct mdb_entry {{ unsigned char b[{mdb_entry_size}]; }};\n"
                    "struct thread { unsigned long regs[34]; };\n")
        return self.compile(out, "-DKEEL_SYSTEM_CHECK_SIZES", "-include", types)

    def test_size_asserts_pass_for_matching_structs(self):
        p = self.size_check(16)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_size_asserts_catch_a_changed_struct(self):
        p = self.size_check(24)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("struct mdb_entry size differs", p.stderr)

    def link(self, out, image_bytes):
        """Link an object holding a program image of IMAGE_BYTES through system.ld."""
        if shutil.which("ld") is None:
            self.skipTest("no host ld")
        with open(os.path.join(out, "k.ld"), "w") as f:
            f.write("SECTIONS {\n  .text : { *(.text) }\n  INCLUDE system.ld\n}\n")
        with open(os.path.join(out, "p.c"), "w") as f:
            f.write(f'__attribute__((section(".keel.prog.prog_a"))) const char img[{image_bytes}] = {{1}};\n')
        subprocess.run(["cc", "-c", os.path.join(out, "p.c"), "-o", os.path.join(out, "p.o")], check=True)
        return subprocess.run(["ld", "-T", "k.ld", "-L", out, "p.o", "-o", "k.elf"],
                              capture_output=True, text=True, cwd=out)

    def test_linker_fragment_defines_program_symbols(self):
        out = self.generate()
        p = self.link(out, 5000)
        self.assertEqual(p.returncode, 0, p.stderr)
        syms = subprocess.run(["nm", os.path.join(out, "k.elf")], capture_output=True, text=True).stdout
        for sym in ("__keel_prog_prog_a_start", "__keel_prog_prog_a_end", "__keel_prog_prog_b_start"):
            self.assertIn(sym, syms)

    def test_linker_fragment_rejects_oversized_program(self):
        out = self.generate()
        p = self.link(out, 0x2001)  # image_size of prog_a is 0x2000
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("program prog_a is larger than image_size", p.stderr)


def main():
    run_module(sys.modules[__name__], "sysgen")


if __name__ == "__main__":
    main()
