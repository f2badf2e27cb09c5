# RISC-V 64 port: toolchain, flags and QEMU command line (included by the top Makefile).

# The compiler: TOOLPREFIX when it is given (make ARCH=riscv
# TOOLPREFIX=riscv64-elf-), else the first of these that is on PATH; all
# are cross compilers that build this freestanding kernel alike:
#   riscv64-unknown-elf-gcc  the RISC-V GNU toolchain built by hand (its default name)
#   riscv64-elf-gcc          Homebrew's and Arch's riscv64-elf-gcc
#   riscv64-none-elf-gcc     Arm-style bare-metal builds (xPack, some distributions)
#   riscv64-linux-gnu-gcc    Debian/Ubuntu's gcc-riscv64-linux-gnu, Fedora's cross gcc
# The Makefile takes the first of TOOLCHAIN_TRY on PATH (and stops, naming
# them, when none is).
TOOLCHAIN_TRY := riscv64-unknown-elf-gcc riscv64-elf-gcc riscv64-none-elf-gcc riscv64-linux-gnu-gcc
GDB_ARCH := riscv:rv64

# The kernel uses no floating point (no FP state to save on traps).
ARCH_KCFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax
ARCH_KLDFLAGS := -z max-page-size=4096 --no-warn-rwx-segments
ARCH_UCFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax
ARCH_ULDFLAGS := -z max-page-size=4096 --no-warn-rwx-segments

QEMU	:= qemu-system-riscv64
# -bios default is OpenSBI, a file QEMU finds in its data directories (it
# comes with the package that has QEMU: tools/deps.sh and doctor.sh look).
QEMU_FIRMWARE := opensbi-riscv64-generic-fw_dynamic.bin
QEMUOPTS := -machine virt -bios default -smp $(CPUS) -m $(MEM) -nographic -no-reboot -nic none \
	-kernel $(B)/kernel -append "$(BOOTARGS)" \
	-global virtio-mmio.force-legacy=false \
	-drive file=$(B)/fs.img,if=none,format=raw,id=disk0 \
	-device virtio-blk-device,drive=disk0
