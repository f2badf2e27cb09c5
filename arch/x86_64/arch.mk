# x86_64 port: toolchain, flags and QEMU command line (included by the top Makefile).

# The compiler: TOOLPREFIX when it is given (make TOOLPREFIX=x86_64-elf-;
# TOOLPREFIX= with nothing is the host's own gcc), else the first of these
# that is on PATH:
#   x86_64-elf-gcc        a bare-metal cross compiler (Homebrew's x86_64-elf-gcc,
#                         or one built by hand)
#   x86_64-linux-gnu-gcc  Debian/Ubuntu: the native gcc's own full name on an
#                         x86_64 host, gcc-x86-64-linux-gnu's on others (arm64)
#   gcc                   the host's compiler, only on an x86_64 Linux host (Fedora
#                         and Arch give it no other name): elsewhere it makes code
#                         for another processor, and macOS's gcc is clang
# The Makefile takes the first of TOOLCHAIN_TRY on PATH (and stops, naming
# them, when none is).
TOOLCHAIN_TRY := x86_64-elf-gcc x86_64-linux-gnu-gcc $(if $(filter Linux,$(shell uname -s)),$(if $(filter x86_64,$(shell uname -m)),gcc))
GDB_ARCH := i386:x86-64

# Kernel: no red zone (interrupts push onto the same stack), no SSE state
# to save on every trap, and the "kernel" code model for the higher half.
ARCH_KCFLAGS := -m64 -mcmodel=kernel -mno-red-zone -mgeneral-regs-only
ARCH_KLDFLAGS := -m elf_x86_64 -z max-page-size=4096 --no-warn-rwx-segments
ARCH_UCFLAGS := -m64 -mno-red-zone
ARCH_ULDFLAGS := -m elf_x86_64 -z max-page-size=4096 --no-warn-rwx-segments

QEMU	:= qemu-system-x86_64
QEMU_FIRMWARE :=		# SeaBIOS is built into QEMU's own packages
# The console is the serial port on the terminal, as -nographic would make
# it, plus the monitor (Ctrl-A c) and Ctrl-A x to quit; Ctrl-C goes to the
# guest (signal=off).  Not -nographic itself: with it SeaBIOS also draws
# on the serial port, clearing the terminal and printing its banner before
# the kernel starts.  No VGA card either (-vga none): the kernel has no
# use for one, and SeaBIOS spends tens of milliseconds setting it up.
QEMUCONS := -display none -vga none -chardev stdio,id=cons,mux=on,signal=off \
	-serial chardev:cons -mon chardev=cons,mode=readline
QEMUOPTS := -machine q35 -cpu max -smp $(CPUS) -m $(MEM) $(QEMUCONS) -no-reboot -nic none \
	-kernel $(B)/kernel -append "$(BOOTARGS)" \
	-drive file=$(B)/fs.img,if=none,format=raw,id=disk0 \
	-device virtio-blk-pci,drive=disk0,disable-legacy=on \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
