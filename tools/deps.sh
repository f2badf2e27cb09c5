#!/bin/sh
# tools/deps.sh check [arch]   say exactly what is missing (exit 1 if anything)
# tools/deps.sh install        install everything with apt-get (sudo when not root)
#
# The Debian/Ubuntu packages aqua6 needs, and the command each one provides.
set -u

# package:command-to-look-for
PKGS="make:make gcc:gcc binutils:ld qemu-system-x86:qemu-system-x86_64 \
qemu-system-misc:qemu-system-riscv64 gcc-riscv64-linux-gnu:riscv64-linux-gnu-gcc \
python3-pytest:pytest python3-pytest-xdist:py.test-xdist python3-pexpect:pexpect gdb-multiarch:gdb-multiarch"

have_python_module() {
	for py in /usr/bin/python3 python3; do
		command -v "$py" >/dev/null 2>&1 && "$py" -c "import $1" >/dev/null 2>&1 && return 0
	done
	return 1
}

have() {	# have PACKAGE COMMAND
	case "$1" in
	python3-pytest) have_python_module pytest ;;
	python3-pytest-xdist) have_python_module xdist ;;
	python3-pexpect) have_python_module pexpect ;;
	gcc-riscv64-linux-gnu)
		command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 ||
		command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 ;;
	qemu-system-misc)
		command -v qemu-system-riscv64 >/dev/null 2>&1 &&
		{ [ -e /usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin ] ||
		  [ -e /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin ]; } ;;
	*) command -v "$2" >/dev/null 2>&1 ;;
	esac
}

missing() {
	out=""
	for pc in $PKGS; do
		pkg=${pc%%:*}; cmd=${pc#*:}
		have "$pkg" "$cmd" || out="$out $pkg"
	done
	echo $out
}

case "${1:-check}" in
check)
	m=$(missing)
	if [ -n "$m" ]; then
		echo "aqua6: missing packages:$m" | sed 's/: /: /'
		echo "aqua6: run 'make deps' (apt-get install$m) and try again."
		exit 1
	fi ;;
install)
	m=$(missing)
	[ -z "$m" ] && { echo "aqua6: all dependencies are installed."; exit 0; }
	SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
	echo "aqua6: installing:$m"
	$SUDO apt-get update -q || exit 1
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $m || exit 1
	m=$(missing)
	[ -z "$m" ] || { echo "aqua6: still missing after install:$m"; exit 1; } ;;
*)
	echo "usage: $0 check|install" >&2; exit 2 ;;
esac
