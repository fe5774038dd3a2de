# user.mk — user programs of the system configs/$(SYSTEM).yaml (docs/user-programs.md).
#
# Included by the top Makefile. For SYSTEM (default demo) it runs tools/sysgen.py into
# $(SYSTEM_DIR), builds the user library and every program the system names into
# $(USER_O)/<prog>.elf and .bin, wraps each .bin into $(USER_O)/<prog>.prog.o (input section
# .keel.prog.<prog>, collected by the generated system.ld) and writes the thread-entry table.
#
# For the kernel link:
#   USER_PROG_OBJS     the packed program images, to link into the kernel
#   SYSTEM_TABLES_C    generated system_tables.c (SYSTEM_TABLES_H: its header)
#   SYSTEM_ENTRIES_C   generated system_entries.c: sys_thread_entry[]
#   SYSTEM_DIR         holds those and system.ld (-L$(SYSTEM_DIR) for INCLUDE system.ld)
#   user-programs      phony: build all of it without the kernel
# SYSTEM_FILE=path overrides configs/$(SYSTEM).yaml (the tests use it for broken descriptions).

SYSTEM      ?= demo
SYSTEM_FILE := configs/$(SYSTEM).yaml
SYSTEM_DIR  := $(O)/system
USER_O      := $(O)/user

SYSTEM_TABLES_H  := $(SYSTEM_DIR)/system_tables.h
SYSTEM_TABLES_C  := $(SYSTEM_DIR)/system_tables.c
SYSTEM_LD        := $(SYSTEM_DIR)/system.ld
SYSTEM_ENTRIES_C := $(SYSTEM_DIR)/system_entries.c
SYSTEM_PROGS_MK  := $(SYSTEM_DIR)/programs.mk
USER_CPUS         = $(or $(CONFIG_NR_CPUS),4)
# The system's Python with python3-yaml (the same search as the Makefile's PYTHON_YAML).
USER_PYTHON       = $(shell for p in python3 /usr/bin/python3; do $$p -c 'import yaml' 2>/dev/null && { echo $$p; break; }; done)

# ---------------------------------------------------------------- flags
# Like the kernel's, except that user code may use FP/SIMD (no -mgeneral-regs-only) and has its
# own library. gcc: no loop-to-memset rewriting, which would make memset call itself, and atomics
# inline (LL/SC) rather than calls into libgcc, which freestanding programs do not link.
UCC      := $(KCC)
UAR      := $(if $(filter clang,$(TOOLCHAIN)),llvm-ar,$(CROSS_COMPILE)ar)
UCFLAGS  = $(KTARGET) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wundef \
	-ffreestanding -fno-common -fno-stack-protector -fno-pic -fno-pie -fno-omit-frame-pointer -nostdlib \
	-nostdinc -isystem $(KSYSINC) \
	$(if $(filter gcc,$(TOOLCHAIN)),-fno-tree-loop-distribute-patterns -mno-outline-atomics)
UASFLAGS := $(KTARGET) -D__ASSEMBLY__ -g -Werror
UINCLUDES := -Iuser/lib/include -Iuser/include -Iinclude -I$(SYSTEM_DIR)
ULDFLAGS := -nostdlib --no-undefined -z noexecstack -z max-page-size=4096 -T user/user.ld

USER_CRT0     := $(USER_O)/lib/crt0.o
USER_LIB_OBJS := $(USER_O)/lib/syscall.o $(USER_O)/lib/counter.o $(USER_O)/lib/stdio.o $(USER_O)/lib/format.o $(USER_O)/lib/string.o
USER_LIB      := $(USER_O)/lib/libkeel.a

# ---------------------------------------------------------------- the system's programs
# Only goals that build or run something read the description (as for .config above).
.PHONY: user-programs
USER_PROGS :=
ifneq ($(filter-out $(NO_CONFIG_GOALS),$(or $(MAKECMDGOALS),all)),)
ifeq ($(wildcard $(SYSTEM_FILE)),)
$(error unknown SYSTEM=$(SYSTEM): $(SYSTEM_FILE) not found; systems: $(patsubst configs/%.yaml,%,$(wildcard configs/*.yaml)))
endif
include $(SYSTEM_PROGS_MK)
# The fragment of another system (same O=, other SYSTEM=) is rebuilt, and make restarts.
ifneq ($(USER_SYSTEM_BUILT),$(SYSTEM))
$(SYSTEM_PROGS_MK): user-system-changed
.PHONY: user-system-changed
endif
endif

USER_ELFS      := $(patsubst %,$(USER_O)/%.elf,$(USER_PROGS))
USER_BINS      := $(USER_ELFS:.elf=.bin)
USER_PROG_OBJS := $(USER_ELFS:.elf=.prog.o)

user-programs: $(USER_PROG_OBJS) $(SYSTEM_ENTRIES_C) $(SYSTEM_TABLES_C)
	@echo "  user programs of system $(SYSTEM) ($(TOOLCHAIN)): $(USER_PROGS)"

# sysgen validates the description and writes the tables (only files whose content changes).
$(SYSTEM_PROGS_MK): $(SYSTEM_FILE) tools/sysgen.py tools/prog-entries.py $(wildcard $(CONFIG)) | $(SETUP_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  SYSGEN  $(SYSTEM_FILE)")
	$(Q)$(USER_PYTHON) tools/sysgen.py gen $(SYSTEM_FILE) --out-dir $(SYSTEM_DIR) --cpus $(USER_CPUS) >/dev/null
	@# The memory budget, whenever the description is (re)compiled: everything the kernel will use.
	$(Q)$(USER_PYTHON) tools/sysgen.py budget $(SYSTEM_FILE) --cpus $(USER_CPUS)
	$(Q)$(USER_PYTHON) tools/prog-entries.py programs $(SYSTEM_FILE) --cpus $(USER_CPUS) >$@.tmp
	$(Q)mv $@.tmp $@

$(SYSTEM_TABLES_H) $(SYSTEM_TABLES_C) $(SYSTEM_LD): $(SYSTEM_PROGS_MK) ;

# ---------------------------------------------------------------- compile
# The generated header must exist first; -MMD records which files really include it.
$(USER_O)/%.o: user/%.c | $(SYSTEM_TABLES_H)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  UCC     $<")
	$(Q)$(UCC) $(UCFLAGS) $(UINCLUDES) -MMD -MP -c $< -o $@

$(USER_O)/%.o: user/%.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  UAS     $<")
	$(Q)$(UCC) $(UASFLAGS) $(UINCLUDES) -MMD -MP -c $< -o $@

# The kernel's formatter and string routines, compiled again with the user flags.
$(USER_O)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  UCC     $<")
	$(Q)$(UCC) $(UCFLAGS) $(UINCLUDES) -MMD -MP -c $< -o $@

$(USER_LIB): $(USER_LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(UAR) rcs $@ $^

# ---------------------------------------------------------------- link and pack
# The image base comes from the generated header, so sysgen.py stays its one source of truth.
define user_prog_rules
USER_OBJS_$(1) := $$(patsubst user/%,$$(USER_O)/%.o,$$(basename $$(wildcard user/$(1)/*.c user/$(1)/*.S)))

$$(USER_O)/$(1).elf: $$(USER_CRT0) $$(USER_OBJS_$(1)) $$(USER_LIB) user/user.ld $$(SYSTEM_TABLES_H)
	@$$(if $$(Q),echo "  ULD     $$@")
	$$(Q)base=$$$$(sed -n 's/^#define SYS_USER_IMAGE_BASE *\(0x[0-9a-fA-F]*\).*/\1/p' $$(SYSTEM_TABLES_H)) && \
		$$(KLD) $$(ULDFLAGS) --defsym=__keel_user_base=$$$$base -o $$@ $$(USER_CRT0) $$(USER_OBJS_$(1)) $$(USER_LIB)

$$(USER_O)/$(1).prog.S: user/user.mk
	@mkdir -p $$(dir $$@)
	$$(Q)printf '/* %s: image of program %s, collected by system.ld; generated by user/user.mk. */\n.section .keel.prog.%s, "a"\n.balign 4096\n.incbin "%s"\n' \
		$$(notdir $$@) $(1) $(1) $$(USER_O)/$(1).bin >$$@

$$(USER_O)/$(1).prog.o: $$(USER_O)/$(1).prog.S $$(USER_O)/$(1).bin
	@$$(if $$(Q),echo "  PACK    $$@")
	$$(Q)$$(UCC) $$(KTARGET) -c $$< -o $$@

-include $$(USER_OBJS_$(1):.o=.d)
endef
$(foreach p,$(USER_PROGS),$(eval $(call user_prog_rules,$(p))))

$(USER_O)/%.bin: $(USER_O)/%.elf
	@$(if $(Q),echo "  OBJCOPY $@")
	$(Q)$(KOBJCOPY) -O binary $< $@

# Entry addresses from the linked programs; also checks each header and image_size. Always
# rewritten (not only when changed), so it is newer than the programs and make stops here.
$(SYSTEM_ENTRIES_C): $(USER_ELFS) $(USER_BINS) $(SYSTEM_PROGS_MK) tools/prog-entries.py
	@$(if $(Q),echo "  ENTRIES $@")
	$(Q)$(USER_PYTHON) tools/prog-entries.py entries $(SYSTEM_FILE) --cpus $(USER_CPUS) \
		--prog-dir $(USER_O) --nm $(KNM) --out $@

-include $(USER_CRT0:.o=.d) $(USER_LIB_OBJS:.o=.d)
