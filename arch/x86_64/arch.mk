# x86_64 port: toolchain, flags and QEMU command line (included by the top Makefile).
CC	:= gcc
LD	:= ld
AR	:= ar
OBJDUMP	:= objdump
NM	:= nm
GDB_ARCH := i386:x86-64

# Kernel: no red zone (interrupts push onto the same stack), no SSE state
# to save on every trap, and the "kernel" code model for the higher half.
ARCH_KCFLAGS := -m64 -mcmodel=kernel -mno-red-zone -mgeneral-regs-only
ARCH_KLDFLAGS := -m elf_x86_64 -z max-page-size=4096 --no-warn-rwx-segments
ARCH_UCFLAGS := -m64 -mno-red-zone
ARCH_ULDFLAGS := -m elf_x86_64 -z max-page-size=4096 --no-warn-rwx-segments

QEMU	:= qemu-system-x86_64
# The console is the serial port on the terminal, as -nographic would make
# it, plus the monitor (Ctrl-A c) and Ctrl-A x to quit; Ctrl-C goes to the
# guest (signal=off).  Not -nographic itself: with it SeaBIOS also draws
# on the serial port, clearing the terminal and printing its banner before
# the kernel starts.  The VGA card it draws on now is not displayed.
QEMUCONS := -display none -chardev stdio,id=cons,mux=on,signal=off \
	-serial chardev:cons -mon chardev=cons,mode=readline
QEMUOPTS := -machine q35 -cpu max -smp $(CPUS) -m $(MEM) $(QEMUCONS) -no-reboot -nic none \
	-kernel $(B)/kernel -append "$(BOOTARGS)" \
	-drive file=$(B)/fs.img,if=none,format=raw,id=disk0 \
	-device virtio-blk-pci,drive=disk0,disable-legacy=on \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
