#!/usr/bin/env python3
"""kconfig.py — Keel's front end to kconfiglib (Debian python3-kconfiglib).

  kconfig.py defconfig DEFCONFIG CONFIG   write CONFIG from a defconfig (missing = default)
  kconfig.py olddefconfig CONFIG          refresh CONFIG after Kconfig changed
  kconfig.py menuconfig CONFIG            interactive editor (curses)
  kconfig.py savedefconfig CONFIG OUT     minimal defconfig from CONFIG
  kconfig.py genheader CONFIG HEADER      write the C header (autoconf.h)

Every warning (unknown symbol, out-of-range value, bad type) is an error: a typo in a
defconfig must not silently become a default.
"""
import os
import sys

try:
    import kconfiglib
except ImportError:
    sys.exit("kconfig: python module kconfiglib missing; run scripts/setup.sh")

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def load(config=None):
    kconf = kconfiglib.Kconfig(os.path.join(TOP, "Kconfig"), warn_to_stderr=False)
    if config is not None:
        if not os.path.exists(config):
            sys.exit(f"kconfig: {config}: no such file")
        kconf.load_config(config)
    fail_on_warnings(kconf)
    return kconf


def fail_on_warnings(kconf):
    if kconf.warnings:
        for w in kconf.warnings:
            print(f"kconfig: error: {w}", file=sys.stderr)
        sys.exit(1)


def check_values(kconf, config):
    """kconfiglib accepts some bad values with only a warning; verify what was asked was kept."""
    bad = []
    with open(config) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line.startswith("CONFIG_") or "=" not in line:
                if line and not line.startswith("#"):
                    bad.append(f"{config}:{lineno}: not a CONFIG_ assignment: {line!r}")
                continue
            name, value = line[len("CONFIG_"):].split("=", 1)
            sym = kconf.syms.get(name)
            if sym is None or not sym.nodes:
                bad.append(f"{config}:{lineno}: unknown symbol CONFIG_{name}")
                continue
            value = value.strip('"')
            if sym.str_value != value:
                bad.append(f"{config}:{lineno}: CONFIG_{name}={value} was not accepted "
                           f"(now {sym.str_value!r}; check range and dependencies in Kconfig)")
    if bad:
        for b in bad:
            print(f"kconfig: error: {b}", file=sys.stderr)
        sys.exit(1)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "defconfig" and len(args) == 2:
        kconf = load(args[0])
        check_values(kconf, args[0])
        os.makedirs(os.path.dirname(os.path.abspath(args[1])), exist_ok=True)
        kconf.write_config(args[1], header="# Keel .config, generated from %s\n" % args[0])
        print(f"kconfig: wrote {args[1]} from {args[0]}")
    elif cmd == "olddefconfig" and len(args) == 1:
        kconf = load(args[0])
        kconf.write_config(args[0])
    elif cmd == "savedefconfig" and len(args) == 2:
        kconf = load(args[0])
        kconf.write_min_config(args[1])
        print(f"kconfig: wrote {args[1]}")
    elif cmd == "genheader" and len(args) == 2:
        kconf = load(args[0])
        kconf.write_autoconf(args[1])
    elif cmd == "menuconfig" and len(args) == 1:
        import menuconfig
        os.environ["KCONFIG_CONFIG"] = args[0]
        kconf = kconfiglib.Kconfig(os.path.join(TOP, "Kconfig"))
        menuconfig.menuconfig(kconf)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
