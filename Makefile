# Keel — top-level build. Plain GNU Make; objects go to $(O) (default build/<board>/).
#
#   make [BOARD=qemu-virt] [TOOLCHAIN=gcc|clang] [V=1] [O=dir]    build the kernel
#   make run | test | rt-tests | lint | format | size | menuconfig | <name>_defconfig | clean
#
# See README.md and docs/configuration.md.

BOARD     ?= qemu-virt
comma     := ,
TOOLCHAIN ?= gcc
O         ?= build/$(BOARD)$(if $(filter clang,$(TOOLCHAIN)),-clang)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Python that has Debian's kconfiglib (pyenv or venv interpreters may not see it).
PYTHON = $(shell for p in python3 /usr/bin/python3; do $$p -c 'import kconfiglib' 2>/dev/null && { echo $$p; break; }; done)

SETUP_STAMP := build/.setup-done
CONFIG      := $(O)/.config
AUTOCONF    := $(O)/include/generated/autoconf.h

.DEFAULT_GOAL := all
.PHONY: all run test bench lint format format-check size menuconfig savedefconfig clean distclean setup help

help:
	@sed -n '3,7p' Makefile

# ---------------------------------------------------------------- setup
# Installs missing tools once per checkout; scripts/setup.sh itself is idempotent.
$(SETUP_STAMP): scripts/setup.sh
	$(Q)bash scripts/setup.sh
	$(Q)mkdir -p $(dir $@) && touch $@

setup:
	$(Q)bash scripts/setup.sh

# ---------------------------------------------------------------- configuration
%_defconfig: | $(SETUP_STAMP)
	$(Q)test -f configs/$@ || { echo "error: configs/$@ not found; choose one of: $$(cd configs && ls *_defconfig | tr '\n' ' ')" >&2; exit 1; }
	$(Q)$(PYTHON) tools/kconfig.py defconfig configs/$@ $(CONFIG)

$(CONFIG): | $(SETUP_STAMP)
	$(Q)test -f configs/$(BOARD)_defconfig || { echo "error: unknown BOARD=$(BOARD); boards: $$(cd board && ls -d */ | tr -d / | tr '\n' ' ')" >&2; exit 1; }
	$(Q)$(PYTHON) tools/kconfig.py defconfig configs/$(BOARD)_defconfig $@

menuconfig: | $(SETUP_STAMP)
	$(Q)test -f $(CONFIG) || $(PYTHON) tools/kconfig.py defconfig configs/$(BOARD)_defconfig $(CONFIG)
	$(Q)$(PYTHON) tools/kconfig.py menuconfig $(CONFIG)

savedefconfig: $(CONFIG)
	$(Q)$(PYTHON) tools/kconfig.py savedefconfig $(CONFIG) $(O)/defconfig

$(AUTOCONF): $(CONFIG) Kconfig $(wildcard board/Kconfig)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(PYTHON) tools/kconfig.py genheader $(CONFIG) $@

ifneq ($(filter %_defconfig,$(MAKECMDGOALS)),)
ifneq ($(filter-out %_defconfig,$(MAKECMDGOALS)),)
$(error configure and build in two commands: 'make $(filter %_defconfig,$(MAKECMDGOALS))' then 'make $(filter-out %_defconfig,$(MAKECMDGOALS))')
endif
endif

# The .config decides what is built (board, test suite); goals that only configure
# or only run host tools must not trigger it.
NO_CONFIG_GOALS := %_defconfig menuconfig clean distclean setup help test lint format format-check host-tests \
	budget check-system rt-tests rt-tests-quick
ifneq ($(filter-out $(NO_CONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
-include $(CONFIG)
endif

CONFIG_BOARD_NAME := $(patsubst "%",%,$(CONFIG_BOARD))
ifneq ($(CONFIG_BOARD_NAME),)
ifneq ($(CONFIG_BOARD_NAME),$(BOARD))
$(error $(CONFIG) is for board $(CONFIG_BOARD_NAME), not BOARD=$(BOARD); run 'make BOARD=$(BOARD) $(BOARD)_defconfig' or pick another O=)
endif
endif

# ---------------------------------------------------------------- toolchain
ifeq ($(wildcard board/$(BOARD)/board.mk),)
$(error unknown BOARD=$(BOARD); boards: $(patsubst board/%/board.mk,%,$(wildcard board/*/board.mk)))
endif
include mk/toolchain.mk
include board/$(BOARD)/board.mk
include user/user.mk

# ---------------------------------------------------------------- kernel sources
# Every .c/.S in these directories is part of the kernel: adding a file needs no Makefile change.
KERNEL_DIRS := arch/aarch64 kernel lib drivers board/$(BOARD)
ifeq ($(CONFIG_KTEST),y)
KERNEL_DIRS += tests/target
endif
KERNEL_SRCS := $(filter-out %.ld.S,$(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.c $(d)/*.S)))
KERNEL_OBJS := $(patsubst %,$(O)/%.o,$(KERNEL_SRCS))
# The system: generated tables (user/user.mk runs sysgen) and the packed user programs.
SYSTEM_OBJS := $(O)/system/system_tables.o $(O)/system/system_entries.o
KERNEL_OBJS += $(SYSTEM_OBJS)

# Code that runs before the MMU is on, at the physical load address, while the kernel is linked in
# the upper half: checked for position independence before every link (see arch/aarch64/mmu_boot.c).
PREMMU_SRCS  := arch/aarch64/boot_early.c arch/aarch64/mmu_boot.c arch/aarch64/pte.c \
	kernel/console.c drivers/pl011.c lib/fdt.c $(BOARD_PREMMU_SRCS)
PREMMU_OBJS  := $(patsubst %,$(O)/%.o,$(PREMMU_SRCS))
PREMMU_STAMP := $(O)/premmu.checked

KERNEL_ELF := $(O)/keel.elf
KERNEL_BIN := $(O)/Image
LDSCRIPT   := $(O)/kernel.ld
KERNEL_MAP := $(O)/keel.map

VERSION := $(shell git describe --always --dirty --tags 2>/dev/null || echo unknown)

INCLUDES := -I$(O)/include -Iinclude -Iarch/aarch64/include -Iboard/$(BOARD) -I$(SYSTEM_DIR)
DEFINES  := -include $(AUTOCONF)

# The version string lives in a header that is rewritten only when it changes: a new commit or a
# tree turning dirty rebuilds the banner (a stale one made two builds of the same sources differ),
# and an unchanged one rebuilds nothing.
VERSION_H := $(O)/include/generated/version.h
$(VERSION_H): FORCE
	@mkdir -p $(dir $@)
	@printf '#define KEEL_VERSION "%s"\n' '$(VERSION)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi
$(O)/kernel/main.c.o: $(VERSION_H)
.PHONY: FORCE
FORCE:

all: $(KERNEL_BIN)
	@echo "  Keel $(VERSION) for $(BOARD) ($(TOOLCHAIN)): $(KERNEL_BIN)$(if $(BOARD_ARTIFACTS), $(BOARD_ARTIFACTS))"

$(O)/%.c.o: %.c $(AUTOCONF)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(KCC) $(KCFLAGS) $(INCLUDES) $(DEFINES) -MMD -MP -c $< -o $@

$(O)/%.S.o: %.S $(AUTOCONF)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(KCC) $(KASFLAGS) $(INCLUDES) $(DEFINES) -MMD -MP -c $< -o $@

$(O)/system/%.o: $(O)/system/%.c $(AUTOCONF)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(KCC) $(KCFLAGS) $(INCLUDES) $(DEFINES) -MMD -MP -c $< -o $@

# Every kernel object may include the generated system_tables.h.
$(filter-out $(SYSTEM_OBJS),$(KERNEL_OBJS)): | $(SYSTEM_TABLES_H)

$(LDSCRIPT): arch/aarch64/kernel.ld.S $(AUTOCONF)
	@mkdir -p $(dir $@)
	$(Q)$(KCPP) -P -x c -D__ASSEMBLY__ $(INCLUDES) $(DEFINES) -MMD -MP -MT $@ -MF $@.d $< -o $@

$(PREMMU_STAMP): $(PREMMU_OBJS) scripts/check-premmu.sh
	@$(if $(Q),echo "  CHECK   pre-MMU code is position-independent")
	$(Q)bash scripts/check-premmu.sh $(KREADELF) $(KNM) $(PREMMU_OBJS)
	$(Q)touch $@

$(KERNEL_ELF): $(KERNEL_OBJS) $(USER_PROG_OBJS) $(LDSCRIPT) $(SYSTEM_LD) $(PREMMU_STAMP)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(KLD) $(KLDFLAGS) -L$(SYSTEM_DIR) -T $(LDSCRIPT) -Map=$(KERNEL_MAP) -o $@ $(KERNEL_OBJS) $(USER_PROG_OBJS)

$(KERNEL_BIN): $(KERNEL_ELF)
	@$(if $(Q),echo "  OBJCOPY $@")
	$(Q)$(KOBJCOPY) -O binary $< $@

# Board packaging (e.g. the Raspberry Pi's boot partition): adds BOARD_ARTIFACTS to all.
-include board/$(BOARD)/package.mk

size: $(KERNEL_ELF)
	$(Q)$(KSIZE) $<

-include $(KERNEL_OBJS:.o=.d) $(LDSCRIPT).d

# ---------------------------------------------------------------- system description
# configs/$(SYSTEM).yaml, checked and measured by tools/sysgen.py (docs/system-description.md).
SYSTEM        ?= demo
SYSTEM_FILE   := configs/$(SYSTEM).yaml
# Python that has Debian's python3-yaml (pyenv or venv interpreters may not see it).
PYTHON_YAML    = $(shell for p in python3 /usr/bin/python3; do $$p -c 'import yaml' 2>/dev/null && { echo $$p; break; }; done)
.PHONY: budget check-system

budget check-system: | $(SETUP_STAMP)
	$(Q)test -f $(SYSTEM_FILE) || { echo "error: unknown SYSTEM=$(SYSTEM): $(SYSTEM_FILE) not found; systems: $$(cd configs && ls *.yaml | sed 's/\.yaml$$//' | tr '\n' ' ')" >&2; exit 1; }
	$(Q)$(or $(PYTHON_YAML),python3) tools/sysgen.py $(if $(filter budget,$@),budget,check) $(SYSTEM_FILE)

# ---------------------------------------------------------------- run and test
.SECONDEXPANSION:
include tests/host/host.mk

run: $(KERNEL_BIN) $(RUN_DEPS)
	$(Q)$(PYTHON_HOST) tools/qemu-run.py $(BOARD_RUN_FLAGS) $(RUN_FLAGS)$(if $(CONFIG_SEMIHOSTING_EXIT), --semihosting) -- $(QEMU_ARGS)

test: | $(SETUP_STAMP)
	$(Q)bash tests/run-all.sh

# MDB benchmarks (not part of test): tests/bench/mdb-bench.sh, results in build/bench/mdb.json
bench: | $(SETUP_STAMP)
	$(Q)bash tests/bench/mdb-bench.sh

# rt-tests (docs/rt-tests.md): the full latency sweep with every load (up to 262 144 pages, a
# 10 000-deep chain), or the quick unmap sweep.
.PHONY: rt-tests rt-tests-quick
rt-tests: | $(SETUP_STAMP)
	$(Q)rt-tests/run --load all

rt-tests-quick: | $(SETUP_STAMP)
	$(Q)rt-tests/run --quick

lint: | $(SETUP_STAMP)
	$(Q)bash scripts/lint.sh

format: | $(SETUP_STAMP)
	$(Q)bash scripts/format.sh

format-check: | $(SETUP_STAMP)
	$(Q)bash scripts/format.sh --check

clean:
	rm -rf $(O)

distclean:
	rm -rf build
