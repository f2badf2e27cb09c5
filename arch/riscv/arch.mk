# RISC-V 64 port: toolchain, flags and QEMU command line (included by the top Makefile).
# Either cross prefix works; the Linux one is what Debian packages.
RVPREFIX := $(shell if command -v riscv64-linux-gnu-gcc >/dev/null 2>&1; then echo riscv64-linux-gnu-; \
	elif command -v riscv64-unknown-elf-gcc >/dev/null 2>&1; then echo riscv64-unknown-elf-; \
	else echo riscv64-linux-gnu-; fi)
CC	:= $(RVPREFIX)gcc
LD	:= $(RVPREFIX)ld
AR	:= $(RVPREFIX)ar
OBJDUMP	:= $(RVPREFIX)objdump
NM	:= $(RVPREFIX)nm
GDB_ARCH := riscv:rv64

# The kernel uses no floating point (no FP state to save on traps).
ARCH_KCFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax
ARCH_KLDFLAGS := -z max-page-size=4096 --no-warn-rwx-segments
ARCH_UCFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax
ARCH_ULDFLAGS := -z max-page-size=4096 --no-warn-rwx-segments

QEMU	:= qemu-system-riscv64
QEMUOPTS := -machine virt -bios default -smp $(CPUS) -m $(MEM) -nographic -no-reboot -nic none \
	-kernel $(B)/kernel -append "$(BOOTARGS)" \
	-global virtio-mmio.force-legacy=false \
	-drive file=$(B)/fs.img,if=none,format=raw,id=disk0 \
	-device virtio-blk-device,drive=disk0
