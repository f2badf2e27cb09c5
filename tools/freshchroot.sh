#!/bin/sh
# tools/freshchroot.sh [DIR]     (make fresh-check [QUICK=1])
#
# The fresh-machine proof: a minimal Debian 12 made from nothing with
# debootstrap, a clone of this tree's commits in it, and then only the two commands a student
# types -- `make qemu` and `make test` -- run inside it.  Everything else
# (compilers, QEMU, Python's test modules) must be installed by make itself
# (tools/deps.sh).  The one thing the new system is given is make: neither
# Debian nor Ubuntu installs it by default, and nothing can run before it.
#
# QUICK=1 runs `make grade LAB=core` instead of the full `make test`.
# Needs root (debootstrap, chroot, mount) and Debian's package mirror; the
# mirror is debootstrap's default.  DIR defaults to build/fresh; it is made
# anew each time and removed afterwards unless KEEP=1.
set -eu

cd "$(dirname "$0")/.."
dir=${1:-build/fresh}
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac

[ "$(id -u)" = 0 ] || { echo "freshchroot: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null 2>&1 || {
	echo "freshchroot: installing debootstrap (for this check only)"
	apt-get install -y -q debootstrap >/dev/null
}

cleanup() {
	for m in dev/pts dev proc sys; do
		mountpoint -q "$dir/$m" 2>/dev/null && umount -l "$dir/$m"
	done
	[ "${KEEP:-}" = 1 ] || rm -rf "$dir"
}
trap cleanup EXIT INT TERM

cleanup
mkdir -p "$dir"
echo "*** freshchroot: debootstrap --variant=minbase bookworm $dir"
debootstrap --variant=minbase bookworm "$dir" >"$dir.debootstrap.log" 2>&1 || {
	tail -20 "$dir.debootstrap.log"; exit 1; }
rm -f "$dir.debootstrap.log"

# A clone of the committed tree, as a student gets it (handin, handout and
# the host tests read it with git).
mkdir -p "$dir/root"
git clone -q "$PWD" "$dir/root/aqua6"

cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$dir/proc"
mount -t sysfs sys "$dir/sys"
mount --bind /dev "$dir/dev"
mount --bind /dev/pts "$dir/dev/pts"

inside() {
	echo "*** freshchroot: $*"
	chroot "$dir" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb \
		/bin/sh -c "cd /root/aqua6 && $*"
}

inside "apt-get update -q >/dev/null && apt-get install -y -q make >/dev/null"
# The two commands.  run= makes init run one program and power off, so
# `make qemu` ends by itself; the prompt is what a student would see.
inside "make qemu BOOTARGS='run=/bin/echo fresh machine: booted' </dev/null"
if [ "${QUICK:-}" = 1 ]; then
	inside "make grade LAB=core"
else
	inside "make test"
fi
echo "*** freshchroot: ok"
