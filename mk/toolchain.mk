# Toolchain selection for the kernel: Debian's GNU cross compiler or clang/lld.

ifeq ($(TOOLCHAIN),gcc)
CROSS_COMPILE ?= aarch64-linux-gnu-
KCC      := $(CROSS_COMPILE)gcc
KCPP     := $(CROSS_COMPILE)cpp
KLD      := $(CROSS_COMPILE)ld
KOBJCOPY := $(CROSS_COMPILE)objcopy
KSIZE    := $(CROSS_COMPILE)size
KREADELF := $(CROSS_COMPILE)readelf
KNM      := $(CROSS_COMPILE)nm
KTARGET  :=
else ifeq ($(TOOLCHAIN),clang)
KCC      := clang
KCPP     := clang -E --target=aarch64-none-elf
KLD      := ld.lld
KOBJCOPY := llvm-objcopy
KSIZE    := llvm-size
KREADELF := llvm-readelf
KNM      := llvm-nm
KTARGET  := --target=aarch64-none-elf
else
$(error unknown TOOLCHAIN=$(TOOLCHAIN); use gcc or clang)
endif

# Freestanding kernel code. -mgeneral-regs-only: no FP/SIMD registers outside the context
# switch; -mstrict-align: data accesses before the MMU is on are Device accesses and must be
# aligned; -fno-delete-null-pointer-checks: address 0 may be a real address.
KCFLAGS = $(KTARGET) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wundef -ffreestanding -fno-builtin -fno-common -fno-stack-protector \
	-fno-pic -fno-pie -mgeneral-regs-only -mstrict-align -fno-delete-null-pointer-checks \
	-fno-omit-frame-pointer -ffunction-sections -fdata-sections
# No libc headers: only the compiler's own freestanding ones (stdint.h, stddef.h, stdarg.h).
# Asked of the compiler once, when first used: on a fresh machine it is installed only then.
KSYSINC = $(eval KSYSINC := $(shell $(KCC) $(KTARGET) -print-file-name=include))$(KSYSINC)
KCFLAGS += -nostdinc -isystem $(KSYSINC)
KASFLAGS := $(KTARGET) -D__ASSEMBLY__ -g -Werror
KLDFLAGS := -nostdlib --gc-sections --no-undefined -z noexecstack -z max-page-size=4096

PYTHON_HOST ?= python3
