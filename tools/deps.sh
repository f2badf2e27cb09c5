#!/bin/sh
# tools/deps.sh list                 the Debian/Ubuntu packages for this host, one a line
# tools/deps.sh check [ARCH] [VAR=value ...]
#                                    what is missing; on Debian/Ubuntu install it
# tools/deps.sh install [ARCH] [VAR=value ...]
#                                    install what is missing (make deps)
#
# The packages are tools/packages.txt, the one list (.ci/run, the
# Gradescope setup.sh and the Docker image read it too), and each port's,
# the `debian` list in the [packages] of its arch/<arch>/port.toml.
#
# `check` is what make qemu, make test and the other building targets run
# first (the Makefile does it while it reads itself, before arch.mk looks
# for a compiler).  On a fresh Debian or Ubuntu machine it installs what is
# missing with apt-get, through sudo when not root, and goes on: the two
# commands a student types must be enough.  AQUA_NO_AUTO_INSTALL=1 makes it
# only report.  Without apt-get (Fedora, Arch, macOS) it cannot know the
# package names, so it runs tools/doctor.sh, which prints the fix for that
# platform, and fails.
#
# What counts as present is what the build and the grader really use, not
# "something of that name on PATH": each port's compiler, binutils and QEMU
# are the ones arch/<arch>/arch.mk selects (asked with `make print-toolchain`,
# or `make print-qemu` for QEMU where there is no compiler yet),
# and the Python modules are imported by the interpreter the Makefile's
# PYTHON is (tools/find-python, unless PYTHON= is given).
#
# The arguments after ARCH are the Makefile's overrides: TOOLPREFIX= is for
# ARCH alone (it names one port's compiler), TOOLPREFIX_<arch>= and
# PYTHON= for all, MAKE= the make to ask.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIST="$ROOT/tools/packages.txt"

cmd=${1:-check}
[ $# -gt 0 ] && shift
CURARCH=""
case "${1:-}" in *=*|"") ;; *) CURARCH=$1; shift ;; esac
CURPREFIX=""		# "TOOLPREFIX=..." for CURARCH, when given
PORTVARS=""		# TOOLPREFIX_<arch>=... for every port
PYTHON_GIVEN=""
MAKE=${MAKE:-make}
for kv in "$@"; do
	case "$kv" in
	TOOLPREFIX=*) CURPREFIX=$kv ;;
	TOOLPREFIX_*=*) PORTVARS="$PORTVARS $kv" ;;
	PYTHON=*) PYTHON_GIVEN=${kv#PYTHON=} ;;
	MAKE=*) MAKE=${kv#MAKE=} ;;
	*) echo "deps.sh: unknown argument $kv" >&2; exit 2 ;;
	esac
done

# dpkg's name for this host's architecture, which [!arch] in packages.txt
# means; uname's name mapped to it where there is no dpkg.  AQUA_HOST_ARCH
# asks for another host's list (grade/gradescope.py: Gradescope's, amd64).
host_arch() {
	if [ -n "${AQUA_HOST_ARCH:-}" ]; then
		echo "$AQUA_HOST_ARCH"
	elif command -v dpkg >/dev/null 2>&1; then
		dpkg --print-architecture
	else
		case $(uname -m) in
		x86_64) echo amd64 ;; aarch64|arm64) echo arm64 ;; *) uname -m ;;
		esac
	fi
}

# The ports are the directories with a port.toml: nothing here names one.
ports() {
	for d in "$ROOT"/arch/*/port.toml; do
		[ -e "$d" ] && basename "$(dirname "$d")"
	done
}

# port_packages ARCH: the port's Debian packages, "name [quals]: VAR ..."
# a line, from the strings of `debian = [` ... `]` in its port.toml (one a
# line, the closing ] at the start of a line of its own).
port_packages() {
	sed -n '/^debian *= *\[/,/^\]/p' "$ROOT/arch/$1/port.toml" |
		sed -n 's/^[^"]*"\([^"]*\)".*/\1/p'
}

# Every package, "name [quals]" a line: packages.txt's, then each port's.
all_packages() {
	sed -e 's/#.*//' "$LIST"
	for a in $(ports); do port_packages "$a" | sed 's/:.*//'; done
}

# The package names that apply to this host, each once.
list() {
	ha=$(host_arch)
	seen=" "
	all_packages | while read -r name quals; do
		[ -n "$name" ] || continue
		case "$quals" in
		"") ;;
		"[!"*)	# [!a b]: every host but those
			q=$(echo "$quals" | tr -d '[]!')
			case " $q " in *" $ha "*) continue ;; esac ;;
		"["*)	# [a b]: only those
			q=$(echo "$quals" | tr -d '[]')
			case " $q " in *" $ha "*) ;; *) continue ;; esac ;;
		esac
		case "$seen" in *" $name "*) continue ;; esac	# two ports may share one
		seen="$seen$name "
		echo "$name"
	done
}

# askmake ARCH GOAL: `make GOAL` for the port ARCH, its output and make's
# status.  TOOLPREFIX is the current port's only: for another port it is
# taken out of the environment, or that port would be asked for this one's
# compiler.  MAKEFLAGS is emptied for the same reason (it carries the
# command line).
askmake() {
	if [ "$1" = "$CURARCH" ]; then
		MAKEFLAGS='' MAKELEVEL='' "$MAKE" -s --no-print-directory -C "$ROOT" \
			ARCH="$1" $CURPREFIX $PORTVARS "$2" 2>&1
	else
		MAKEFLAGS='' MAKELEVEL='' env -u TOOLPREFIX "$MAKE" -s --no-print-directory \
			-C "$ROOT" ARCH="$1" $PORTVARS "$2" 2>&1
	fi
}

# load_toolchain ARCH: the port's tools as arch.mk chooses them, lines
# VAR=value: TC_<arch> from print-toolchain (empty when it found no
# compiler, or make itself is missing, and then ERR_<arch> says why), and
# PT_<arch> the same or, without a compiler, print-qemu's QEMU lines.
load_toolchain() {	# sets TC_<arch>; not in $(...), which would lose it
	eval "tc=\${TC_$1-unset}"	# asked already (make reads the whole Makefile)
	[ "$tc" = unset ] || return 0
	tc=""; pt=""; err="$MAKE is not on PATH"
	if command -v "$MAKE" >/dev/null 2>&1; then
		if tc=$(askmake "$1" print-toolchain); then
			err=""; pt=$tc
		else
			# make's message ("no compiler for ARCH=...: tried ...").
			err=$(echo "$tc" | sed -n 's/.*\*\*\* //p' | sed 's/  Stop\.$//'); tc=""
			pt=$(askmake "$1" print-qemu) || pt=""
		fi
	fi
	eval "TC_$1=\$tc; PT_$1=\$pt; ERR_$1=\$err"
}

# port_has ARCH VAR...: each named tool (CC, LD, QEMU, ...) that arch.mk
# chose for ARCH is on PATH; QEMU_FIRMWARE is a file the port's QEMU must
# find in one of the data directories it reports (-L help).
port_has() {
	a=$1; shift
	load_toolchain "$a"
	eval "pt=\$PT_$a"
	[ -n "$pt" ] || return 1
	for var in "$@"; do
		val=$(echo "$pt" | sed -n "s/^$var=//p")
		[ -n "$val" ] || return 1
		case "$var" in
		QEMU_FIRMWARE)
			q=$(echo "$pt" | sed -n "s/^QEMU=//p")
			found=""
			for d in $("$q" -L help 2>/dev/null); do
				[ -e "$d/$val" ] && found=yes
			done
			[ -n "$found" ] || return 1 ;;
		*)	command -v "$val" >/dev/null 2>&1 || return 1 ;;
		esac
	done
}

# port_package PACKAGE: "ARCH VAR ..." when PACKAGE is a port's, else nothing.
port_package() {
	for a in $(ports); do
		port_packages "$a" | while IFS=: read -r name vars; do
			set -- $name
			[ "$1" = "$PKG" ] && echo "$a $vars"
		done
	done | head -1
}

# The Makefile's PYTHON, asked once (find-python imports pytest, which takes
# a while); PY= again after an install, which may bring /usr/bin/python3.
PY=""
load_python() {		# sets PY; not in $(...), which would lose it
	[ -n "$PY" ] && return 0
	if [ -n "$PYTHON_GIVEN" ]; then PY=$PYTHON_GIVEN; else PY=$("$ROOT/tools/find-python"); fi
}

# have_module NAME: that interpreter can import NAME.  All three modules are
# looked up in one run of it, and without importing them (find_spec).
MODS=""
have_module() {
	if [ -z "$MODS" ]; then
		load_python
		MODS=" $("$PY" -c 'import importlib.util as u, sys
print(*[m for m in sys.argv[1:] if u.find_spec(m)])' pytest xdist pexpect 2>/dev/null) "
	fi
	case "$MODS" in *" $1 "*) return 0 ;; *) return 1 ;; esac
}

# have PACKAGE: what PACKAGE provides is there, as the build uses it.
have() {
	PKG=$1; pp=$(port_package)
	if [ -n "$pp" ]; then	# a port's: the tools it gives (port.toml)
		port_has $pp
		return
	fi
	case "$1" in
	make) command -v "$MAKE" >/dev/null 2>&1 ;;
	git) command -v git >/dev/null 2>&1 ;;
	gcc) command -v cc >/dev/null 2>&1 && command -v gcc >/dev/null 2>&1 ;;
	binutils) command -v ld >/dev/null 2>&1 && command -v ar >/dev/null 2>&1 ;;
	python3) load_python; command -v "$PY" >/dev/null 2>&1 ;;
	python3-pytest) have_module pytest ;;
	python3-pytest-xdist) have_module xdist ;;
	python3-pexpect) have_module pexpect ;;
	gdb-multiarch) command -v gdb-multiarch >/dev/null 2>&1 ;;
	*) dpkg -s "$1" >/dev/null 2>&1 ;;	# a package without a check of its own
	esac
}

missing() {
	PY=""; MODS=""
	for p in $(list); do
		have "$p" || printf '%s ' "$p"
	done
}

apt_install() {	# apt_install PKG...: as root, or through sudo
	SUDO=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 || {
			echo "aqua6: not root and no sudo: as root run  apt-get install $*" >&2; return 1; }
		SUDO=sudo
	fi
	# Install from the lists there are, and only when that fails fetch new
	# ones (a fresh image has none; old ones name removed versions): an
	# update costs half a minute that a working machine should not pay.
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" ||
	{ $SUDO apt-get update -q &&
	  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; }
}

# install: (with $why, the reason to give) install the missing packages, then check again.
install() {
	m=$(missing)
	[ -n "$m" ] || return 0
	set -- $m
	echo "aqua6: installing $# missing package$([ $# = 1 ] || echo s) ($*): $why"
	apt_install "$@" || { echo "aqua6: apt-get install $* failed" >&2; return 1; }
	m=$(missing)
	[ -z "$m" ] || { echo "aqua6: still missing after the install: ${m% } (see 'make doctor')"; return 1; }
}

case "$cmd" in
list)
	list ;;
toolchain)	# for tools/doctor.sh: "ARCH VAR=value" for every port, and "ARCH ERROR=why"
	for a in $(ports); do
		load_toolchain "$a"
		eval "pt=\$PT_$a; err=\$ERR_$a"
		[ -z "$err" ] || echo "$a ERROR=$err"
		[ -z "$pt" ] || echo "$pt" | sed "s/^/$a /"
	done ;;
check)
	m=$(missing)
	[ -z "$m" ] && exit 0
	if [ "${AQUA_NO_AUTO_INSTALL:-}" = 1 ]; then
		set -- $m
		echo "aqua6: missing $# package$([ $# = 1 ] || echo s): $*"
		echo "aqua6: run 'make deps' (apt-get install $*), or see 'make doctor'."
		exit 1
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		# Not Debian or Ubuntu: the table and this platform's fix.
		"$ROOT/tools/doctor.sh" $CURARCH $CURPREFIX $PORTVARS
		echo "aqua6: install the packages above and try again."
		exit 1
	fi
	why="needed to build and boot every port"
	install || exit 1 ;;
install)
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "aqua6: make deps needs apt-get (Debian/Ubuntu); 'make doctor' names the packages here."
		exit 1
	fi
	[ -z "$(missing)" ] && { echo "aqua6: all dependencies are installed."; exit 0; }
	why="make deps"
	install || exit 1 ;;
*)
	echo "usage: $0 list | check [ARCH] [VAR=value ...] | install" >&2; exit 2 ;;
esac
