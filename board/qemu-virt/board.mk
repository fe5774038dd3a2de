# QEMU virt: how the image is run. CPU, GIC version and entry EL are chosen per run.
QEMU_CPU ?= cortex-a72
QEMU_GIC ?= 2
QEMU_EL2 ?= off
QEMU_SMP ?= 2
QEMU_ARGS = -M virt,gic-version=$(QEMU_GIC)$(if $(filter on,$(QEMU_EL2)),$(comma)virtualization=on) \
	-cpu $(QEMU_CPU) -smp $(QEMU_SMP) -m 128M -icount shift=4,sleep=off \
	-rtc base=2026-01-01T00:00:00,clock=vm -kernel $(KERNEL_BIN)
