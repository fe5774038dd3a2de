# Host unit tests: portable kernel code compiled for the build machine with cmocka, ASan, UBSan.
# Each tests/host/test_NAME.c links with the kernel sources listed in HOST_TEST_SRCS_NAME.

HOST_CC     ?= cc
HOST_O      := build/host
HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Iinclude -Iarch/aarch64/include \
	$(shell pkg-config --cflags cmocka 2>/dev/null)
HOST_LDLIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

HOST_TEST_SRCS_format := lib/format.c
HOST_TEST_SRCS_esr    := arch/aarch64/esr.c arch/aarch64/cpu.c lib/format.c
HOST_TEST_SRCS_mdb    := kernel/mdb.c
HOST_TEST_SRCS_runq   := kernel/runq.c
HOST_TEST_SRCS_clock  := kernel/clock_conv.c
HOST_TEST_SRCS_pte    := arch/aarch64/pte.c
HOST_TEST_SRCS_fdt    := lib/fdt.c

HOST_TESTS := $(patsubst tests/host/test_%.c,$(HOST_O)/test_%,$(wildcard tests/host/test_*.c))

$(HOST_O)/test_%: tests/host/test_%.c $$(HOST_TEST_SRCS_$$*)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  HOSTCC  $@")
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -o $@ $^ $(HOST_LDLIBS)

-include $(HOST_TESTS:=.d)

.PHONY: host-tests
host-tests: $(HOST_TESTS) | $(SETUP_STAMP)
	$(Q)status=0; for t in $(HOST_TESTS); do CMOCKA_MESSAGE_OUTPUT=TAP ./$$t || status=1; done; exit $$status
