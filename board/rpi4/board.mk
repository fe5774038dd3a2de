# Raspberry Pi 4 (BCM2711): default system, QEMU raspi4b command line, SD-card packaging.
# QEMU raspi4b enters at EL2 with 2 GiB RAM; its PL011 UART0 is -serial 0 (the runner's stdio).
SYSTEM ?= rpi4_demo
QEMU_ARGS = -M raspi4b -icount shift=4,sleep=off -kernel $(KERNEL_BIN)
# No PSCI: a non-test kernel prints its power-off line and parks; the runner then stops QEMU.
BOARD_RUN_FLAGS := --stop-on-halt
