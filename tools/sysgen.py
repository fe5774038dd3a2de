#!/usr/bin/env python3
"""sysgen.py — Keel's system-description compiler: validate configs/<system>.yaml, emit C.

  sysgen.py check FILE [--cpus N] [--user-dir DIR]
  sysgen.py gen FILE --out-dir DIR [--cpus N] [--user-dir DIR]
  sysgen.py budget FILE [--cpus N] [--user-dir DIR]

A Keel system is fixed at build time: address spaces, threads, memory regions, IRQ grants,
initial mappings, permissions and every quota. This tool is the only place that reads the
description, so every mistake is caught here, on the host, with the file and line and a hint,
and the kernel only ever sees tables that are already consistent. All errors are reported in
one run (not just the first), followed by a non-zero exit. The format is documented in
docs/system-description.md.
"""
import argparse
import difflib
import os
import re
import sys

try:
    import yaml
except ImportError:
    sys.exit("sysgen: python module yaml missing; run scripts/setup.sh (Debian python3-yaml)")

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

# ---------------------------------------------------------------- architecture facts
PAGE_SIZE = 4096
NR_PRIORITIES = 64            # 0..63, higher number = higher priority
USER_VA_LIMIT = 1 << 48       # TTBR0 half with 48-bit VA: user addresses are below this
PHYS_LIMIT = 1 << 48          # largest physical address size of VMSAv8-64 (without LPA2)
IRQ_MIN, IRQ_MAX = 32, 1019   # GIC SPIs; SGIs 0..15 and PPIs 16..31 belong to the kernel
MIN_STACK = PAGE_SIZE
MAX_POOL = 0xFFFF_FFFF        # pool entries are addressed by 32-bit indices (DESIGN.md §3)
MAX_ITEMS = 0xFFFE            # spaces, threads, regions: 16-bit indices, 0xffff means "none"
DEFAULT_CPUS = 4              # the Kconfig default of CONFIG_NR_CPUS

# Fixed user virtual layout of every space (the kernel builds the tables from it).
USER_IMAGE_BASE = 0x0040_0000         # program image (text, rodata, data, bss) starts here
DEFAULT_IMAGE_SIZE = 0x1_0000         # bytes reserved for a program image unless `image_size`
USER_STACK_TOP = 0x1_0000_0000        # thread stacks grow down from here, one guard page apart

# Entry sizes of the kernel pools. The kernel does not define these structs yet; once it does,
# the generated C checks them with _Static_assert (see KEEL_SYSTEM_CHECK_SIZES below).
MDB_ENTRY_SIZE = 16           # struct mdb_entry: DESIGN.md goal, 32-bit indices, no pointers
PT_PAGE_SIZE = PAGE_SIZE + 512 * 4  # one translation table, plus its 512 MDB slots (kernel/space.c)
TCB_SIZE = 1024               # struct thread upper bound: saved registers, FP state, queue links
MAX_TIME_SLICE_US = 10_000_000  # 10 s: longer slices are a configuration mistake

# ---------------------------------------------------------------- the format
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
ATTRIBUTES = ("normal", "noncached", "device")
RIGHTS = ("r", "rw", "rx")
OPERATIONS = ("map", "grant", "share")

INT, STR, LIST, MAP = "integer", "string", "list", "mapping"

# key: (type, required, default). Unknown keys are errors, so a typo never becomes a default.
TOP_KEYS = {
    "system": (STR, True, None),
    "description": (STR, False, ""),
    "pools": (MAP, True, None),
    "spaces": (LIST, True, None),
    "threads": (LIST, True, None),
    "regions": (LIST, False, []),
    "mappings": (LIST, False, []),
    "irqs": (LIST, False, []),
    "permissions": (LIST, False, []),
    "params": (MAP, False, []),
}
MAX_PARAM = 0xFFFF_FFFF_FFFF_FFFF  # a parameter is a uint64_t constant of the programs
POOL_KEYS = {
    "mdb_entries": (INT, True, None),
    "pt_pages": (INT, True, None),
}
SPACE_KEYS = {
    "name": (STR, True, None),
    "program": (STR, True, None),
    "quota": (MAP, True, None),
    "image_size": (INT, False, DEFAULT_IMAGE_SIZE),
}
QUOTA_KEYS = {  # each quota draws from the pool of the same name
    "mdb_entries": (INT, True, None),
    "pt_pages": (INT, True, None),
}
THREAD_KEYS = {
    "name": (STR, True, None),
    "space": (STR, True, None),
    "priority": (INT, True, None),
    "cpu": (INT, True, None),
    "stack_size": (INT, True, None),
    "entry": (STR, False, "main"),
    "fault_handler": (STR, False, None),
    "time_slice_us": (INT, False, 0),
}
REGION_KEYS = {
    "name": (STR, True, None),
    "size": (INT, True, None),
    "owner": (STR, True, None),
    "attributes": (STR, False, "normal"),
    "phys": (INT, False, None),
}
MAPPING_KEYS = {
    "region": (STR, True, None),
    "space": (STR, True, None),
    "vaddr": (INT, True, None),
    "rights": (STR, True, None),
}
IRQ_KEYS = {
    "irq": (INT, True, None),
    "space": (STR, True, None),
}
PERMISSION_KEYS = {
    "from": (STR, True, None),
    "to": (STR, True, None),
    "operations": (LIST, True, None),
}

TAGS = {
    INT: "tag:yaml.org,2002:int",
    STR: "tag:yaml.org,2002:str",
}


class Description:
    """The validated system: plain Python lists of dicts, in description order."""

    def __init__(self):
        self.system = ""
        self.description = ""
        self.pools = {}
        self.spaces, self.threads, self.regions = [], [], []
        self.mappings, self.irqs, self.permissions = [], [], []
        self.params = {}  # name -> integer, for the programs: SYS_PARAM_<NAME>


class Checker:
    """Reads one description, collecting every error instead of stopping at the first."""

    def __init__(self, path, cpus, user_dir):
        self.path = path
        self.cpus = cpus
        self.user_dir = user_dir
        self.errors = []  # (line, message, hint)
        self.constructor = yaml.constructor.SafeConstructor()

    def error(self, node, message, hint):
        """Record one error at NODE's line (a yaml node, or a line number)."""
        line = node if isinstance(node, int) else node.start_mark.line + 1
        self.errors.append((line, message, hint))

    def report(self, out):
        """Print errors in file order as FILE:LINE: error: ... followed by a hint line."""
        for line, message, hint in sorted(self.errors, key=lambda e: e[0]):
            print(f"{self.path}:{line}: error: {message}", file=out)
            print(f"    hint: {hint}", file=out)
        n = len(self.errors)
        print(f"sysgen: {n} error{'s' if n != 1 else ''} in {self.path}", file=out)

    # ------------------------------------------------------------ typed access to yaml nodes
    def value(self, node, kind, what):
        """Return NODE's value if it has type KIND, else record a type error and return None."""
        if kind in TAGS:
            if not isinstance(node, yaml.ScalarNode) or node.tag != TAGS[kind]:
                got = describe_node(node)
                example = "a number such as 4096 or 0x1000" if kind == INT else "a name"
                self.error(node, f"{what} must be {'an' if kind == INT else 'a'} {kind}, not {got}",
                           f"write {example}")
                return None
            return self.constructor.construct_object(node, deep=True)
        expected = yaml.SequenceNode if kind == LIST else yaml.MappingNode
        if not isinstance(node, expected):
            hint = ("write one '- item' per line below the key" if kind == LIST
                    else "write 'key: value' lines indented below the key")
            self.error(node, f"{what} must be a {kind}, not {describe_node(node)}", hint)
            return None
        return node.value

    def fields(self, node, keys, what):
        """Check a mapping NODE against KEYS; return {key: (value, value_node, key_node)}.

        Missing required keys, unknown keys (with a did-you-mean hint), duplicate keys and
        wrong types are recorded here, so callers only see well-typed values (or None)."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of keys, not {describe_node(node)}",
                       f"write {what} as 'key: value' lines; keys: {', '.join(keys)}")
            return None
        out = {}
        for knode, vnode in node.value:
            key = knode.value if isinstance(knode, yaml.ScalarNode) else None
            if key not in keys:
                close = difflib.get_close_matches(str(key), keys, n=1)
                hint = (f"did you mean '{close[0]}'?" if close
                        else f"known keys: {', '.join(keys)}")
                self.error(knode, f"unknown key '{key}' in {what}", hint)
                continue
            if key in out:
                self.error(knode, f"duplicate key '{key}' in {what}",
                           "keep one of them; YAML would silently use the last")
                continue
            kind = keys[key][0]
            out[key] = (self.value(vnode, kind, f"'{key}' of {what}"), vnode, knode)
        for key, (kind, required, default) in keys.items():
            if key not in out:
                if required:
                    self.error(node, f"{what} lacks required key '{key}'",
                               f"add '{key}: <{kind}>'; see docs/system-description.md")
                    out[key] = (None, node, node)
                else:
                    out[key] = (default, node, node)
        return out

    def items(self, top, key, keys, kind_name):
        """Parse the list under top-level KEY into dicts {'_line': n, field: value, '_nodes': ...}."""
        value, vnode, _ = top[key]
        result = []
        for i, item in enumerate(value or []):
            f = self.fields(item, keys, item_label(item, kind_name, i))
            if f is None:
                continue
            d = {k: v[0] for k, v in f.items()}
            d["_nodes"] = {k: v[1] for k, v in f.items()}
            d["_line"] = item.start_mark.line + 1
            result.append(d)
        return result

    # ------------------------------------------------------------ checks
    def names(self, items, kind_name):
        """Check names (C identifiers, lower case, unique); return {name: index}."""
        index, first_line = {}, {}
        for i, item in enumerate(items):
            name, node = item["name"], item["_nodes"]["name"]
            if name is None:
                continue
            if not NAME_RE.match(name):
                self.error(node, f"{kind_name} name '{name}' is not a valid name",
                           "use 1-31 characters: lower-case letters, digits, '_', starting with "
                           "a letter (names become C identifiers)")
            elif name in index:
                self.error(node, f"duplicate {kind_name} name '{name}' (first defined at line "
                           f"{first_line[name]})", f"rename one of them; {kind_name} names must be unique")
                continue
            index[name] = i
            first_line[name] = item["_line"]
        return index

    def reference(self, item, key, index, kind_name):
        """Resolve ITEM[KEY] against INDEX; record an unknown-name error with close matches."""
        name = item[key]
        if name is None:
            return None
        if name in index:
            return index[name]
        close = difflib.get_close_matches(name, list(index), n=1)
        hint = (f"did you mean '{close[0]}'?" if close else
                f"known {kind_name}s: {', '.join(index) or '(none)'}")
        self.error(item["_nodes"][key], f"unknown {kind_name} '{name}'", hint)
        return None

    def page_multiple(self, item, key, what, minimum=PAGE_SIZE):
        """Check that ITEM[KEY] is a positive multiple of the 4 KiB page size."""
        v = item[key]
        if v is None:
            return False
        if v < minimum:
            self.error(item["_nodes"][key], f"{what} {v:#x} is too small (minimum {minimum:#x})",
                       f"use at least {minimum} bytes, a multiple of the page size {PAGE_SIZE}")
            return False
        if v % PAGE_SIZE:
            up = -(-v // PAGE_SIZE) * PAGE_SIZE
            self.error(item["_nodes"][key], f"{what} {v:#x} is not a multiple of the page size",
                       f"use a multiple of {PAGE_SIZE:#x}, e.g. {up:#x}")
            return False
        return True

    def aligned_address(self, item, key, what):
        """Check that an address is page-aligned and non-negative."""
        v = item[key]
        if v is None:
            return False
        if v < 0 or v % PAGE_SIZE:
            down = max(v, 0) // PAGE_SIZE * PAGE_SIZE
            self.error(item["_nodes"][key], f"{what} {v:#x} is not page-aligned",
                       f"use a multiple of {PAGE_SIZE:#x}, e.g. {down:#x}")
            return False
        return True

    def check(self, text):
        """Validate the text of a description; return a Description (None if it has errors)."""
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line = mark.line + 1 if mark else 1
            self.error(line, f"YAML syntax: {e.problem or e}",
                       "check indentation (spaces, not tabs) and the ':' after each key "
                       + (f"({e.context})" if e.context else ""))
            return None
        except yaml.YAMLError as e:
            self.error(1, f"YAML: {e}", "fix the YAML syntax")
            return None
        if root is None:
            self.error(1, "empty system description", "start from configs/demo.yaml")
            return None
        top = self.fields(root, TOP_KEYS, "the system description")
        if top is None:
            return None

        d = Description()
        d.system = top["system"][0]
        if d.system is not None and not NAME_RE.match(d.system):
            self.error(top["system"][1], f"system name '{d.system}' is not a valid name",
                       "use lower-case letters, digits and '_', starting with a letter")
        d.description = top["description"][0]
        pool_fields = (self.fields(top["pools"][1], POOL_KEYS, "pools")
                       if top["pools"][0] is not None else None)
        d.pools = {k: v[0] for k, v in pool_fields.items()} if pool_fields else {}
        pool_nodes = {k: v[1] for k, v in pool_fields.items()} if pool_fields else {}
        for key, value in d.pools.items():
            if value is not None and not 0 <= value <= MAX_POOL:
                self.error(pool_nodes[key], f"pool {key} {value} out of range 0..{MAX_POOL}",
                           "pool entries are addressed by 32-bit indices; use a count in that range")
                d.pools[key] = None

        d.spaces = self.items(top, "spaces", SPACE_KEYS, "space")
        d.threads = self.items(top, "threads", THREAD_KEYS, "thread")
        d.regions = self.items(top, "regions", REGION_KEYS, "region")
        d.mappings = self.items(top, "mappings", MAPPING_KEYS, "mapping")
        d.irqs = self.items(top, "irqs", IRQ_KEYS, "IRQ grant")
        d.permissions = self.items(top, "permissions", PERMISSION_KEYS, "permission")
        if top["spaces"][0] is not None and not d.spaces:
            self.error(top["spaces"][1], "a system needs at least one space", "add a space")
        if top["threads"][0] is not None and not d.threads:
            self.error(top["threads"][1], "a system needs at least one thread", "add a thread")

        for kind_name, items in (("spaces", d.spaces), ("threads", d.threads), ("regions", d.regions)):
            if len(items) > MAX_ITEMS:
                self.error(top[kind_name][1], f"{len(items)} {kind_name}, more than {MAX_ITEMS}",
                           "tables use 16-bit indices; split the system")
        spaces = self.names(d.spaces, "space")
        threads = self.names(d.threads, "thread")
        regions = self.names(d.regions, "region")

        self.check_spaces(d, pool_nodes)
        self.check_threads(d, spaces, threads)
        self.check_regions(d, spaces)
        self.check_mappings(d, spaces, regions)
        self.check_irqs(d, spaces)
        self.check_permissions(d, spaces)
        self.check_params(d, top["params"][0] or [])
        self.check_usage(d)
        return None if self.errors else d

    def check_params(self, d, pairs):
        """Program parameters: unique lower-case names, integers 0..2^64-1 (no meaning to sysgen)."""
        for knode, vnode in pairs:
            name = knode.value if isinstance(knode, yaml.ScalarNode) else None
            value = self.value(vnode, INT, f"parameter '{name}'")
            if name is None or not NAME_RE.match(str(name)):
                self.error(knode, f"parameter name '{name}' is not a valid name",
                           "use 1-31 characters: lower-case letters, digits, '_', starting with a letter "
                           "(it becomes SYS_PARAM_<NAME>)")
                continue
            if name in d.params:
                self.error(knode, f"duplicate parameter '{name}'", "keep one of them; YAML would silently use the last")
                continue
            if value is not None and not 0 <= value <= MAX_PARAM:
                self.error(vnode, f"parameter '{name}' {value} out of range 0..{MAX_PARAM}",
                           "parameters are unsigned 64-bit integers")
                value = None
            d.params[name] = value

    def check_spaces(self, d, pool_nodes):
        """Programs exist, quotas are sane and their sums fit the pools they draw from."""
        for s in d.spaces:
            prog = s["program"]
            if prog is not None:
                if not NAME_RE.match(prog):
                    self.error(s["_nodes"]["program"], f"program name '{prog}' is not a valid name",
                               "use the name of a directory under user/ (lower case, digits, '_')")
                else:
                    main_c = os.path.join(self.user_dir, prog, "main.c")
                    if not os.path.isfile(main_c):
                        missing = ("directory user/" + prog
                                   if not os.path.isdir(os.path.join(self.user_dir, prog))
                                   else f"user/{prog}/main.c")
                        self.error(s["_nodes"]["program"], f"program '{prog}': {missing} does not exist",
                                   f"create user/{prog}/main.c (see 'Adding a program' in "
                                   "docs/system-description.md) or fix the name")
            if s["image_size"] is not None:
                self.page_multiple(s, "image_size", f"space '{s['name']}': image_size")
            s["_quota"] = {}
            qnode = s["_nodes"]["quota"]
            if s["quota"] is None:
                continue
            q = self.fields(qnode, QUOTA_KEYS, f"quota of space '{s['name']}'")
            for key, (value, vnode, _) in q.items():
                if value is not None and not 0 <= value <= MAX_POOL:
                    self.error(vnode, f"quota {key} of space '{s['name']}' out of range 0..{MAX_POOL}",
                               "use a count >= 0 that fits its pool")
                    value = None
                s["_quota"][key] = (value, vnode)
        for pool, size in d.pools.items():
            if size is None:
                continue
            parts = [(s["name"], s["_quota"][pool][0]) for s in d.spaces
                     if s.get("_quota", {}).get(pool, (None,))[0] is not None]
            total = sum(v for _, v in parts)
            if total > size:
                detail = " + ".join(f"{n} {v}" for n, v in parts)
                self.error(pool_nodes[pool],
                           f"quotas of {pool} add up to {total}, above the pool of {size}",
                           f"raise pools.{pool} to at least {total} or lower the quotas ({detail})")

    def check_threads(self, d, spaces, threads):
        """Priority and CPU ranges, stack sizes, entry symbols, fault handlers."""
        for t in d.threads:
            t["_space"] = self.reference(t, "space", spaces, "space")
            p = t["priority"]
            if p is not None and not 0 <= p < NR_PRIORITIES:
                self.error(t["_nodes"]["priority"],
                           f"thread '{t['name']}': priority {p} out of range 0..{NR_PRIORITIES - 1}",
                           f"use 0..{NR_PRIORITIES - 1}; a higher number is a higher priority")
            c = t["cpu"]
            if c is not None and not 0 <= c < self.cpus:
                self.error(t["_nodes"]["cpu"],
                           f"thread '{t['name']}': cpu {c} out of range 0..{self.cpus - 1}",
                           f"this build has {self.cpus} CPUs (--cpus, CONFIG_NR_CPUS); "
                           f"use 0..{self.cpus - 1}")
            self.page_multiple(t, "stack_size", f"thread '{t['name']}': stack_size", MIN_STACK)
            ts = t["time_slice_us"]
            if ts is not None and not 0 <= ts <= MAX_TIME_SLICE_US:
                self.error(t["_nodes"]["time_slice_us"],
                           f"thread '{t['name']}': time_slice_us {ts} out of range 0..{MAX_TIME_SLICE_US}",
                           "0 means no time slice (FIFO within the priority); otherwise give microseconds")
            e = t["entry"]
            if e is not None and not IDENT_RE.match(e):
                self.error(t["_nodes"]["entry"], f"thread '{t['name']}': entry '{e}' is not a C identifier",
                           "name a function of the program, e.g. 'main'")
            t["_fault_handler"] = None
            if t["fault_handler"] is not None:
                t["_fault_handler"] = self.reference(t, "fault_handler", threads, "thread")
                if t["fault_handler"] == t["name"]:
                    self.error(t["_nodes"]["fault_handler"],
                               f"thread '{t['name']}' is its own fault handler",
                               "a faulted thread cannot run; name another thread")
                    t["_fault_handler"] = None

    def check_regions(self, d, spaces):
        """Sizes and physical addresses page-aligned, device regions fixed, no physical overlap."""
        fixed = []
        for r in d.regions:
            r["_owner"] = self.reference(r, "owner", spaces, "space")
            size_ok = self.page_multiple(r, "size", f"region '{r['name']}': size")
            attr = r["attributes"]
            if attr is not None and attr not in ATTRIBUTES:
                close = difflib.get_close_matches(attr, ATTRIBUTES, n=1)
                self.error(r["_nodes"]["attributes"], f"region '{r['name']}': unknown attributes '{attr}'",
                           (f"did you mean '{close[0]}'? " if close else "")
                           + f"use one of: {', '.join(ATTRIBUTES)}")
            if r["phys"] is None:
                if attr == "device":
                    self.error(r["_line"], f"device region '{r['name']}' has no physical address",
                               "add 'phys: 0x...' with the device's base address from the board's "
                               "memory map")
                continue
            phys_ok = self.aligned_address(r, "phys", f"region '{r['name']}': phys")
            if phys_ok and size_ok:
                if r["phys"] + r["size"] > PHYS_LIMIT:
                    self.error(r["_nodes"]["phys"],
                               f"region '{r['name']}' ends above the 48-bit physical address space",
                               "check the address against the board's memory map")
                    continue
                fixed.append(r)
        fixed.sort(key=lambda r: r["phys"])
        for a, b in zip(fixed, fixed[1:]):
            if b["phys"] < a["phys"] + a["size"]:
                self.error(b["_nodes"]["phys"],
                           f"region '{b['name']}' [{b['phys']:#x}, {b['phys'] + b['size']:#x}) overlaps "
                           f"region '{a['name']}' [{a['phys']:#x}, {a['phys'] + a['size']:#x}) "
                           f"(line {a['_line']}) in physical memory",
                           f"move '{b['name']}' to {a['phys'] + a['size']:#x} or above, or shrink "
                           f"'{a['name']}'")

    def check_mappings(self, d, spaces, regions):
        """Mappings page-aligned, inside the user half, not on page 0, not overlapping."""
        for m in d.mappings:
            m["_space"] = self.reference(m, "space", spaces, "space")
            m["_region"] = self.reference(m, "region", regions, "region")
            rights = m["rights"]
            if rights is not None and rights not in RIGHTS:
                hint = f"use one of: {', '.join(RIGHTS)}"
                if rights in ("rwx", "wx", "xw"):
                    hint = "W^X: a page is never writable and executable; " + hint
                self.error(m["_nodes"]["rights"], f"mapping rights '{rights}' not allowed", hint)
            region = d.regions[m["_region"]] if m["_region"] is not None else None
            if region and rights == "rx" and region["attributes"] == "device":
                self.error(m["_nodes"]["rights"], f"device region '{region['name']}' mapped executable",
                           "map device regions 'r' or 'rw'")
            va = m["vaddr"]
            if va is None or not self.aligned_address(m, "vaddr", "mapping vaddr"):
                continue
            m["_end"] = None
            size = region["size"] if region and region["size"] is not None and \
                region["size"] % PAGE_SIZE == 0 and region["size"] > 0 else None
            if va < PAGE_SIZE:
                self.error(m["_nodes"]["vaddr"], "mapping at page 0",
                           "page 0 stays unmapped so that null pointers fault; use an address "
                           f">= {PAGE_SIZE:#x}")
                continue
            if size is None:
                continue
            if va + size > USER_VA_LIMIT:
                self.error(m["_nodes"]["vaddr"],
                           f"mapping of '{region['name']}' at {va:#x} ends at {va + size:#x}, outside "
                           f"the user address range [{PAGE_SIZE:#x}, {USER_VA_LIMIT:#x})",
                           f"use a vaddr at most {USER_VA_LIMIT - size:#x}")
                continue
            m["_end"] = va + size
        # Overlaps per space, including the program image and the generated stacks.
        for si, s in enumerate(d.spaces):
            ranges = [(USER_IMAGE_BASE, USER_IMAGE_BASE + (s["image_size"] or 0),
                       f"the image of program '{s['program']}'", None)]
            stacks = self.space_stacks(d, si)
            lowest = stacks[-1]["_stack_va"] if stacks else USER_STACK_TOP
            if USER_IMAGE_BASE + (s["image_size"] or 0) + PAGE_SIZE > lowest:
                self.error(s["_line"], f"space '{s['name']}': the image and the stacks of its threads "
                           f"do not fit between {USER_IMAGE_BASE:#x} and {USER_STACK_TOP:#x}",
                           "use smaller image_size and stack_size values (see 'Virtual layout' in "
                           "docs/system-description.md)")
                continue
            for t in stacks:
                ranges.append((t["_stack_va"], t["_stack_va"] + t["stack_size"],
                               f"the stack of thread '{t['name']}'", None))
            for m in d.mappings:
                if m.get("_space") == si and m.get("_end"):
                    ranges.append((m["vaddr"], m["_end"], f"region '{m['region']}'", m))
            ranges.sort(key=lambda r: r[0])
            for i, later in enumerate(ranges):
                for earlier in ranges[:i]:
                    if not (later[0] < earlier[1] and earlier[0] < later[1]):
                        continue
                    if later[3] is None and earlier[3] is None:
                        continue  # image and stacks never overlap by construction
                    m, other = (later, earlier) if later[3] is not None else (earlier, later)
                    mapping = m[3]
                    self.error(mapping["_nodes"]["vaddr"],
                               f"in space '{s['name']}', {m[2]} mapped at [{m[0]:#x}, {m[1]:#x}) "
                               f"overlaps {other[2]} [{other[0]:#x}, {other[1]:#x})",
                               f"move the mapping to {max(m[1], other[1]):#x} or another free range; "
                               "see 'Virtual layout' in docs/system-description.md")

    def space_stacks(self, d, si):
        """Place the stacks of space SI's threads below USER_STACK_TOP, a guard page apart."""
        top = USER_STACK_TOP
        out = []
        for t in d.threads:
            if t.get("_space") != si or t["stack_size"] is None or t["stack_size"] % PAGE_SIZE \
                    or t["stack_size"] < MIN_STACK:
                continue
            t["_stack_va"] = top - t["stack_size"]
            top = t["_stack_va"] - PAGE_SIZE
            out.append(t)
        return out

    def check_irqs(self, d, spaces):
        """Each IRQ is a GIC SPI and granted to at most one space."""
        seen = {}
        for g in d.irqs:
            g["_space"] = self.reference(g, "space", spaces, "space")
            irq = g["irq"]
            if irq is None:
                continue
            if not IRQ_MIN <= irq <= IRQ_MAX:
                self.error(g["_nodes"]["irq"], f"IRQ {irq} out of range {IRQ_MIN}..{IRQ_MAX}",
                           "grant GIC shared peripheral interrupts (SPIs, INTID 32..1019); SGIs and "
                           "PPIs (0..31, e.g. the timer) belong to the kernel")
            elif irq in seen:
                first = seen[irq]
                self.error(g["_nodes"]["irq"],
                           f"IRQ {irq} granted twice (to '{first['space']}' at line {first['_line']} "
                           f"and to '{g['space']}')",
                           "an IRQ goes to at most one space; remove one grant")
            else:
                seen[irq] = g

    def check_permissions(self, d, spaces):
        """Permissions name known spaces and operations, once per (from, to) pair."""
        seen = {}
        for p in d.permissions:
            p["_from"] = self.reference(p, "from", spaces, "space")
            p["_to"] = self.reference(p, "to", spaces, "space")
            p["_ops"] = []
            for opnode in p["operations"] or []:
                op = self.value(opnode, STR, "an operation")
                if op is None:
                    continue
                if op not in OPERATIONS:
                    close = difflib.get_close_matches(op, OPERATIONS, n=1)
                    self.error(opnode, f"unknown operation '{op}'",
                               (f"did you mean '{close[0]}'? " if close else "")
                               + f"operations are: {', '.join(OPERATIONS)}")
                elif op in p["_ops"]:
                    self.error(opnode, f"operation '{op}' listed twice", "list it once")
                else:
                    p["_ops"].append(op)
            if p["operations"] is not None and not p["operations"]:
                self.error(p["_nodes"]["operations"], "permission with no operations",
                           f"list at least one of: {', '.join(OPERATIONS)}, or remove the entry")
            if p["_from"] is not None and p["_to"] is not None:
                key = (p["_from"], p["_to"])
                if p["_from"] == p["_to"]:
                    self.error(p["_line"], f"permission from space '{p['from']}' to itself",
                               "a space may always map within itself; remove the entry")
                elif key in seen:
                    self.error(p["_line"], f"duplicate permission from '{p['from']}' to '{p['to']}' "
                               f"(first at line {seen[key]})", "merge the operations into one entry")
                else:
                    seen[key] = p["_line"]

    def check_usage(self, d):
        """Each space's quotas cover its initial mappings; shared regions are rooted at the owner.

        At boot one MDB entry per mapped page is charged to the space the page is mapped into
        (image, stacks, initial mappings), and the page tables those pages need to its
        page-table quota, so a system that validates also boots."""
        for m in d.mappings:
            r = d.regions[m["_region"]] if m.get("_region") is not None else None
            if r is None or m.get("_space") is None or r.get("_owner") is None:
                continue
            if m["_space"] == r["_owner"]:
                continue
            root_rights = set().union(*(set(x["rights"] or "") for x in d.mappings
                                        if x.get("_region") == m["_region"] and x.get("_space") == r["_owner"]))
            if not root_rights:
                self.error(m["_line"], f"region '{r['name']}' is mapped into '{m['space']}' but not "
                           f"into its owner '{r['owner']}'",
                           "the owner's mapping is the root of the region's derivation tree; add a "
                           f"mapping of '{r['name']}' into '{r['owner']}'")
            elif m["rights"] in RIGHTS and not set(m["rights"]) <= root_rights:
                self.error(m["_nodes"]["rights"],
                           f"region '{r['name']}' is mapped '{m['rights']}' into '{m['space']}' but only "
                           f"'{''.join(c for c in 'rwx' if c in root_rights)}' into its owner '{r['owner']}'",
                           "a derived mapping cannot have more rights than the owner's root mapping; "
                           "lower these rights or raise the owner's")
        for si, s in enumerate(d.spaces):
            spans = []  # [first page, last page + 1), possibly overlapping (overlaps are errors)
            if s["image_size"]:
                spans.append((USER_IMAGE_BASE // PAGE_SIZE, (USER_IMAGE_BASE + s["image_size"]) // PAGE_SIZE))
            for t in d.threads:
                if t.get("_space") == si and "_stack_va" in t:
                    spans.append((t["_stack_va"] // PAGE_SIZE, (t["_stack_va"] + t["stack_size"]) // PAGE_SIZE))
            for m in d.mappings:
                if m.get("_space") == si and m.get("_end"):
                    spans.append((m["vaddr"] // PAGE_SIZE, m["_end"] // PAGE_SIZE))
            s["_mdb_used"] = count_units(spans, 0)
            s["_pt_used"] = page_tables_needed(spans)
            for key, used in (("mdb_entries", s["_mdb_used"]), ("pt_pages", s["_pt_used"])):
                quota, qnode = s.get("_quota", {}).get(key, (None, None))
                if quota is not None and used > quota:
                    self.error(qnode, f"space '{s['name']}': quota {key} {quota} is below the {used} "
                               "its image, stacks and initial mappings need at boot",
                               f"raise quota.{key} to at least {used} (and the pool if needed)")


def item_label(node, kind_name, i):
    """How messages name a list item: by its name if it has one, else by its position."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == "name" and isinstance(v, yaml.ScalarNode) and v.value:
                return f"{kind_name} '{v.value}'"
    return f"{kind_name} #{i + 1}"


def count_units(spans, shift):
    """Distinct units of 2^SHIFT pages touched by the page SPANS, without enumerating pages.

    Works on intervals so that a description mapping terabytes is still checked instantly."""
    merged = []
    for first, end in sorted((a >> shift, ((b - 1) >> shift) + 1) for a, b in spans if b > a):
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([first, end])
    return sum(end - first for first, end in merged)


def page_tables_needed(spans):
    """Translation tables (4 KiB granule, 4 levels) needed to map the page SPANS.

    One level-0 table always, plus one level-1/2/3 table per distinct 512 GiB/1 GiB/2 MiB span
    touched (a table of 512 entries covers 512 units of the level below)."""
    return 1 + sum(count_units(spans, shift) for shift in (27, 18, 9))


def describe_node(node):
    """Name a YAML node's type the way the error messages use it."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    kinds = {TAGS[INT]: "an integer", TAGS[STR]: "a string", "tag:yaml.org,2002:null": "empty",
             "tag:yaml.org,2002:bool": "a boolean", "tag:yaml.org,2002:float": "a float"}
    return f"{kinds.get(node.tag, node.tag)} '{node.value}'" if node.value else kinds.get(node.tag, node.tag)


# ---------------------------------------------------------------- budget
def pools(d):
    """The kernel pools as (name, count, entry size): everything the kernel allocates."""
    return [
        ("threads (TCB)", len(d.threads), TCB_SIZE),
        ("mdb_entries", d.pools["mdb_entries"], MDB_ENTRY_SIZE),
        ("pt_pages", d.pools["pt_pages"], PT_PAGE_SIZE),
    ]


def kernel_ram(d):
    """Total bytes of all kernel pools."""
    return sum(count * size for _, count, size in pools(d))


def user_ram(d):
    """Bytes of RAM for user memory: every space's image area, every stack, every region without phys."""
    return (sum(s["image_size"] for s in d.spaces) + sum(t["stack_size"] for t in d.threads)
            + sum(r["size"] for r in d.regions if r["phys"] is None))


def budget_text(d, path):
    """The memory budget table printed by `sysgen.py budget` and `make budget`."""
    lines = [f"Memory budget of system '{d.system}' ({path}); nothing is allocated at run time",
             f"  {'pool':<16}{'count':>8}{'entry bytes':>14}{'total bytes':>14}"]
    for name, count, size in pools(d):
        lines.append(f"  {name:<16}{count:>8}{size:>14}{count * size:>14}")
    total = kernel_ram(d)
    lines.append(f"  {'total kernel RAM':<38}{total:>14}  ({total / 1024:.1f} KiB)")
    regions = sum(r["size"] for r in d.regions if r["phys"] is None)
    stacks = sum(t["stack_size"] for t in d.threads)
    images = sum(s["image_size"] for s in d.spaces)
    lines.append(f"  user RAM (not kernel): program images {images}, stacks {stacks}, regions {regions}, "
                 f"total {user_ram(d)} bytes")
    lines.append("")
    lines.append(f"  {'space quotas':<16}{'mdb_entries':>14}{'pt_pages':>14}   (needed at boot / quota)")
    for s in d.spaces:
        mdb = f"{s['_mdb_used']}/{s['_quota']['mdb_entries'][0]}"
        pt = f"{s['_pt_used']}/{s['_quota']['pt_pages'][0]}"
        lines.append(f"  {s['name']:<16}{mdb:>14}{pt:>14}")
    sums = {k: sum(s["_quota"][k][0] for s in d.spaces) for k in ("mdb_entries", "pt_pages")}
    mdb = f"{sums['mdb_entries']}/{d.pools['mdb_entries']}"
    pt = f"{sums['pt_pages']}/{d.pools['pt_pages']}"
    lines.append(f"  {'all (quota/pool)':<16}{mdb:>14}{pt:>14}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- C and linker output
def c_str(s):
    """A C string literal for a validated name (names contain no quotes or backslashes)."""
    return f'"{s}"'


def emit_header(d, path, cpus):
    """system_tables.h: sizes of every table and pool, struct types, extern arrays."""
    upper = lambda s: s.upper()  # noqa: E731
    out = [f"/* system_tables.h — system '{d.system}', generated by tools/sysgen.py from "
           f"{os.path.basename(path)}; do not edit. */",
           "#ifndef KEEL_SYSTEM_TABLES_H", "#define KEEL_SYSTEM_TABLES_H", "",
           "#include <stdint.h>", "",
           f"#define SYS_PAGE_SIZE       {PAGE_SIZE}u",
           f"#define SYS_NR_PRIORITIES   {NR_PRIORITIES}u /* 0..63, higher number = higher priority */",
           f"#define SYS_NR_CPUS         {cpus}u",
           f"#define SYS_USER_IMAGE_BASE {USER_IMAGE_BASE:#x}ull",
           f"#define SYS_USER_STACK_TOP  {USER_STACK_TOP:#x}ull",
           f"#define SYS_USER_VA_LIMIT   {USER_VA_LIMIT:#x}ull", "",
           "/* Table sizes. A table with no entries still has one zeroed element (C has no",
           "   empty arrays); always loop to SYS_NR_*. */",
           f"#define SYS_NR_SPACES       {len(d.spaces)}u",
           f"#define SYS_NR_THREADS      {len(d.threads)}u",
           f"#define SYS_NR_REGIONS      {len(d.regions)}u",
           f"#define SYS_NR_MAPPINGS     {len(d.mappings)}u",
           f"#define SYS_NR_IRQ_GRANTS   {len(d.irqs)}u",
           f"#define SYS_NR_PERMISSIONS  {len(d.permissions)}u", "",
           "/* Kernel pools: the kernel declares each as a static array of COUNT entries. */",
           f"#define SYS_POOL_TCB_COUNT       {len(d.threads)}u",
           f"#define SYS_POOL_TCB_ENTRY_SIZE  {TCB_SIZE}u",
           f"#define SYS_POOL_MDB_COUNT       {d.pools['mdb_entries']}u",
           f"#define SYS_POOL_MDB_ENTRY_SIZE  {MDB_ENTRY_SIZE}u",
           f"#define SYS_POOL_PT_COUNT        {d.pools['pt_pages']}u",
           f"#define SYS_POOL_PT_ENTRY_SIZE   {PT_PAGE_SIZE}u",
           f"#define SYS_KERNEL_RAM_BYTES     {kernel_ram(d)}u",
           "/* User memory the kernel reserves: program images, thread stacks, regions without phys. */",
           f"#define SYS_USER_RAM_BYTES       {user_ram(d)}u", ""]
    out.append("/* Indices into the tables, by name. */")
    for kind, items in (("SPACE", d.spaces), ("THREAD", d.threads), ("REGION", d.regions)):
        for i, item in enumerate(items):
            out.append(f"#define SYS_{kind}_{upper(item['name'])} {i}u")
    if d.params:
        out += ["", "/* Program parameters (params: in the description), for the user programs. */"]
        out += [f"#define SYS_PARAM_{upper(k)} {v}ull" for k, v in d.params.items()]
    out += ["",
            "enum sys_region_attr { SYS_ATTR_NORMAL = 0, SYS_ATTR_NONCACHED = 1, SYS_ATTR_DEVICE = 2 };",
            "enum sys_rights { SYS_RIGHT_R = 1, SYS_RIGHT_W = 2, SYS_RIGHT_X = 4 };",
            "enum sys_op { SYS_OP_MAP = 1, SYS_OP_GRANT = 2, SYS_OP_SHARE = 4 };",
            "#define SYS_NO_THREAD 0xffffu", "",
            "struct sys_space {",
            "\tconst char *name;",
            "\tconst char *program;     /* user/<program>/main.c; image in section .keel.prog.<program> */",
            "\tuint64_t image_size;     /* bytes reserved at SYS_USER_IMAGE_BASE */",
            "\tuint32_t mdb_quota;      /* drawn from SYS_POOL_MDB */",
            "\tuint32_t pt_quota;       /* drawn from SYS_POOL_PT */",
            "};", "",
            "struct sys_thread {",
            "\tconst char *name;",
            "\tconst char *entry;       /* function of the program where the thread starts */",
            "\tuint64_t stack_va;       /* lowest stack address; the stack grows down from va + size */",
            "\tuint32_t stack_size;",
            "\tuint16_t space;",
            "\tuint16_t fault_handler;  /* thread index, or SYS_NO_THREAD */",
            "\tuint8_t priority;",
            "\tuint8_t cpu;",
            "\tuint32_t time_slice_us; /* round-robin slice within the priority; 0 = FIFO */",
            "};", "",
            "struct sys_region {",
            "\tconst char *name;",
            "\tuint64_t size;",
            "\tuint64_t phys;           /* fixed physical address, or 0 if !fixed */",
            "\tuint16_t owner;          /* space holding the root of the region's derivation tree */",
            "\tuint8_t attr;            /* enum sys_region_attr */",
            "\tuint8_t fixed;",
            "};", "",
            "struct sys_mapping {",
            "\tuint64_t va;",
            "\tuint16_t region;",
            "\tuint16_t space;",
            "\tuint8_t rights;          /* enum sys_rights */",
            "};", "",
            "struct sys_irq_grant {",
            "\tuint16_t irq;            /* GIC INTID (SPI) */",
            "\tuint16_t space;",
            "};", "",
            "struct sys_permission {",
            "\tuint16_t from;",
            "\tuint16_t to;",
            "\tuint8_t ops;             /* enum sys_op bits */",
            "};", "",
            "extern const char sys_name[];",
            "extern const struct sys_space sys_spaces[];",
            "extern const struct sys_thread sys_threads[];",
            "extern const struct sys_region sys_regions[];",
            "extern const struct sys_mapping sys_mappings[];",
            "extern const struct sys_irq_grant sys_irq_grants[];",
            "extern const struct sys_permission sys_permissions[];",
            "/* User VA of each thread's entry function: system_entries.c, written by",
            "   tools/prog-entries.py from the linked programs (docs/user-programs.md). */",
            "extern const uint64_t sys_thread_entry[SYS_NR_THREADS > 0 ? SYS_NR_THREADS : 1];", "",
            "#endif /* KEEL_SYSTEM_TABLES_H */", ""]
    return "\n".join(out)


def array(ctype, name, rows, count):
    """A const array definition; one zeroed element if COUNT is 0 (C has no empty arrays)."""
    body = rows if rows else ["\t{0},"]
    return [f"const struct {ctype} {name}[{count} > 0 ? {count} : 1] = {{"] + body + ["};", ""]


def emit_c(d, path):
    """system_tables.c: the tables, plus size checks against the kernel's real structs."""
    attr = {"normal": "SYS_ATTR_NORMAL", "noncached": "SYS_ATTR_NONCACHED", "device": "SYS_ATTR_DEVICE"}

    def rights(r):
        return " | ".join({"r": "SYS_RIGHT_R", "w": "SYS_RIGHT_W", "x": "SYS_RIGHT_X"}[c] for c in r)

    def ops(p):
        return " | ".join(f"SYS_OP_{o.upper()}" for o in p["_ops"]) or "0"

    out = [f"/* system_tables.c — system '{d.system}', generated by tools/sysgen.py from "
           f"{os.path.basename(path)}; do not edit. */",
           '#include "system_tables.h"', "",
           "/*",
           " * The kernel defines KEEL_SYSTEM_CHECK_SIZES (with struct thread and struct mdb_entry in",
           " * scope) to check that the entry sizes the budget was computed with are the real ones.",
           " */",
           "#ifdef KEEL_SYSTEM_CHECK_SIZES",
           '_Static_assert(sizeof(struct mdb_entry) == SYS_POOL_MDB_ENTRY_SIZE, '
           '"struct mdb_entry size differs from MDB_ENTRY_SIZE in tools/sysgen.py");',
           '_Static_assert(sizeof(struct thread) <= SYS_POOL_TCB_ENTRY_SIZE, '
           '"struct thread is larger than TCB_SIZE in tools/sysgen.py");',
           "#endif", "",
           f"const char sys_name[] = {c_str(d.system)};", ""]
    out += array("sys_space", "sys_spaces", [
        f"\t{{{c_str(s['name'])}, {c_str(s['program'])}, {s['image_size']:#x}, "
        f"{s['_quota']['mdb_entries'][0]}, {s['_quota']['pt_pages'][0]}}},"
        for s in d.spaces], "SYS_NR_SPACES")
    out += array("sys_thread", "sys_threads", [
        f"\t{{{c_str(t['name'])}, {c_str(t['entry'])}, {t['_stack_va']:#x}, {t['stack_size']:#x}, "
        f"SYS_SPACE_{t['space'].upper()}, "
        f"{'SYS_THREAD_' + t['fault_handler'].upper() if t['fault_handler'] else 'SYS_NO_THREAD'}, "
        f"{t['priority']}, {t['cpu']}, {t['time_slice_us'] or 0}}},"
        for t in d.threads], "SYS_NR_THREADS")
    out += array("sys_region", "sys_regions", [
        f"\t{{{c_str(r['name'])}, {r['size']:#x}, {(r['phys'] or 0):#x}, SYS_SPACE_{r['owner'].upper()}, "
        f"{attr[r['attributes']]}, {1 if r['phys'] is not None else 0}}},"
        for r in d.regions], "SYS_NR_REGIONS")
    out += array("sys_mapping", "sys_mappings", [
        f"\t{{{m['vaddr']:#x}, SYS_REGION_{m['region'].upper()}, SYS_SPACE_{m['space'].upper()}, "
        f"{rights(m['rights'])}}},"
        for m in d.mappings], "SYS_NR_MAPPINGS")
    out += array("sys_irq_grant", "sys_irq_grants", [
        f"\t{{{g['irq']}, SYS_SPACE_{g['space'].upper()}}}," for g in d.irqs], "SYS_NR_IRQ_GRANTS")
    out += array("sys_permission", "sys_permissions", [
        f"\t{{SYS_SPACE_{p['from'].upper()}, SYS_SPACE_{p['to'].upper()}, {ops(p)}}},"
        for p in d.permissions], "SYS_NR_PERMISSIONS")
    return "\n".join(out)


def emit_ld(d, path):
    """system.ld: one output section per program, for INCLUDE inside the kernel's SECTIONS."""
    out = [f"/* system.ld — program images of system '{d.system}', generated by tools/sysgen.py from",
           f" * {os.path.basename(path)}; do not edit. INCLUDE it inside the SECTIONS of the kernel",
           " * linker script. Each program's packed image is the input section .keel.prog.<name>;",
           " * the kernel finds it between __keel_prog_<name>_start and __keel_prog_<name>_end. */"]
    programs = {}
    for s in d.spaces:  # one image per program even if several spaces run it
        programs[s["program"]] = max(programs.get(s["program"], 0), s["image_size"])
    for prog, limit in programs.items():
        out += [f".keel.prog.{prog} : ALIGN({PAGE_SIZE}) {{",
                f"\t__keel_prog_{prog}_start = .;",
                f"\tKEEP(*(.keel.prog.{prog}))",
                f"\t. = ALIGN({PAGE_SIZE});",
                f"\t__keel_prog_{prog}_end = .;",
                "}",
                f"ASSERT(__keel_prog_{prog}_end - __keel_prog_{prog}_start <= {limit:#x},",
                f'       "program {prog} is larger than image_size in {os.path.basename(path)}")']
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- command line
def load(args):
    """Read and validate the description named on the command line; exit 1 on any error."""
    try:
        with open(args.file, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        sys.exit(f"sysgen: {args.file}: {e.strerror}")
    checker = Checker(args.file, args.cpus, args.user_dir)
    d = checker.check(text)
    if d is None:
        checker.report(sys.stderr)
        sys.exit(1)
    return d


def main(argv):
    parser = argparse.ArgumentParser(
        prog="sysgen.py",
        description="Validate a Keel system description (configs/<system>.yaml) and emit C tables, "
                    "a linker fragment and the memory budget. Format: docs/system-description.md.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("file", metavar="FILE", help="system description, e.g. configs/demo.yaml")
    common.add_argument("--cpus", type=int, default=DEFAULT_CPUS,
                        help=f"number of CPUs, CONFIG_NR_CPUS (default {DEFAULT_CPUS})")
    common.add_argument("--user-dir", default=os.path.join(TOP, "user"),
                        help="directory holding the programs (default: user/ of this tree)")
    sub.add_parser("check", parents=[common], help="validate FILE; print errors with file and line")
    gen = sub.add_parser("gen", parents=[common],
                         help="validate FILE and write system_tables.h, system_tables.c, system.ld")
    gen.add_argument("--out-dir", required=True, metavar="DIR", help="where to write the files")
    sub.add_parser("budget", parents=[common], help="validate FILE and print the memory budget")
    args = parser.parse_args(argv[1:])
    if args.cpus < 1 or args.cpus > 256:
        parser.error("--cpus must be 1..256")

    d = load(args)
    if args.command == "check":
        print(f"sysgen: {args.file}: system '{d.system}' is valid ({len(d.spaces)} spaces, "
              f"{len(d.threads)} threads, {len(d.regions)} regions)")
    elif args.command == "budget":
        sys.stdout.write(budget_text(d, args.file))
    elif args.command == "gen":
        os.makedirs(args.out_dir, exist_ok=True)
        for name, text in (("system_tables.h", emit_header(d, args.file, args.cpus)),
                           ("system_tables.c", emit_c(d, args.file)),
                           ("system.ld", emit_ld(d, args.file))):
            write_if_changed(os.path.join(args.out_dir, name), text)
        print(f"sysgen: wrote system_tables.h, system_tables.c, system.ld to {args.out_dir}")


def write_if_changed(path, text):
    """Write PATH only if its content changes, so make does not rebuild what did not change."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main(sys.argv)
