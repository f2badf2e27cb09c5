#!/bin/sh
# tools/doctor.sh [ARCH] [VAR=value ...]     (make doctor)
#
# Every tool aqua6's build, QEMU and the grader use, as they would use it:
# each port's compiler and binutils as arch/<arch>/arch.mk chooses them
# (tools/deps.sh toolchain), the QEMU and gdb of the Makefile, the Python
# of tools/find-python with its modules.  One line each with its path, its
# version, the minimum and OK or PROBLEM; then, for each problem, the
# packages that fix it on Debian/Ubuntu, Fedora, Arch and macOS (Homebrew):
# a port's compiler and QEMU from the [packages] of its arch/<arch>/port.toml.
# Exits 1 when anything is missing or too old.
#
# POSIX sh and not Python: the doctor has to work on the machine that has no
# Python yet, and say so.  The arguments are tools/deps.sh's (the Makefile
# passes ARCH and its overrides).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEPS="$ROOT/tools/deps.sh"
MAKE="make"
for kv in "$@"; do
	case "$kv" in MAKE=*) MAKE=${kv#MAKE=} ;; PYTHON=*) PYTHON=${kv#PYTHON=} ;; esac
done

# The minimum versions, and why.
MIN_MAKE=4.3	# grouped targets (&:), the system-call generator's rule
MIN_GCC=12	# the oldest the tree is built with (Debian 12); -march=..._zicsr_zifencei
MIN_LD=2.39	# ld --no-warn-rwx-segments (binutils 2.39)
MIN_QEMU=7.2	# older QEMU hangs at boot
MIN_PY=3.11	# the grader reads grade/manifest.toml with tomllib

case $(uname -s) in
Darwin) HOST=macos ;;
*)	if command -v apt-get >/dev/null 2>&1; then HOST=debian
	elif command -v dnf >/dev/null 2>&1; then HOST=fedora
	elif command -v pacman >/dev/null 2>&1; then HOST=arch
	else HOST=other; fi ;;
esac
HOSTM=$(uname -m)

# vge A B: version A >= B, compared number by number (at most three).
vge() {
	_va=$1; _vb=$2		# not a and b: the callers' loop uses $a
	for _i in 1 2 3; do
		_x=${_va%%.*}; _y=${_vb%%.*}
		_x=${_x:-0}; _y=${_y:-0}
		[ "$_x" -gt "$_y" ] 2>/dev/null && return 0
		[ "$_x" -lt "$_y" ] 2>/dev/null && return 1
		case "$_va" in *.*) _va=${_va#*.} ;; *) _va=0 ;; esac
		case "$_vb" in *.*) _vb=${_vb#*.} ;; *) _vb=0 ;; esac
	done
	return 0
}

# The first x.y[.z] in a program's --version text.
version_of() { "$@" 2>/dev/null | head -3 | grep -o '[0-9][0-9]*\.[0-9][0-9.]*' | head -1; }

PROBLEMS=0
FIXES=""
# row WHAT PATH VERSION MIN STATUS FIXKEY
row() {
	printf '%-36s %-8s %-8s %-8s %s\n' "$1" "${3:--}" "$4" "$5" "${2:-not found}"
	if [ "$5" != OK ]; then
		PROBLEMS=$((PROBLEMS + 1))
		case " $FIXES " in *" $6 "*) ;; *) FIXES="$FIXES $6" ;; esac
	fi
}

# check WHAT PROG MIN FIXKEY [version command...]: PROG on PATH, at least MIN.
check() {
	what=$1 prog=$2 min=$3 key=$4; shift 4
	p=$(command -v "$prog" 2>/dev/null)
	if [ -z "$p" ]; then row "$what" "" "" "$min" MISSING "$key"; return; fi
	[ $# -gt 0 ] || set -- "$p" --version
	v=$(version_of "$@")
	if [ "$min" = any ] || { [ -n "$v" ] && vge "$v" "$min"; }; then
		row "$what" "$p" "$v" "${min}" OK "$key"
	else
		row "$what" "$p" "$v" ">= $min" TOO-OLD "$key"
	fi
}

# portval ARCH KEY: the string KEY = "..." of [packages] in the port's port.toml.
portval() {
	sed -n '/^\[packages\]/,/^\[/p' "$ROOT/arch/$1/port.toml" |
		sed -n "s/^$2 *= *\"\(.*\)\".*/\1/p" | head -1
}

# debpkgs ARCH: the port's Debian packages for this host (the debian list
# of its port.toml, as `deps.sh list` applies its [!host] marks) that give
# one of the tools named in $want.
debpkgs() {
	host=" $(sh "$DEPS" list | tr '\n' ' ') "
	sed -n '/^debian *= *\[/,/^\]/p' "$ROOT/arch/$1/port.toml" |
		sed -n 's/^[^"]*"\([^"]*\)".*/\1/p' | while IFS=: read -r name vars; do
		set -- $name
		case "$host" in *" $1 "*) ;; *) continue ;; esac
		for v in $vars; do
			case " $want " in *" $v "*) printf '%s ' "$1"; break ;; esac
		done
	done
}

# fix KEY: the packages that fix KEY on each platform.
fix() {
	case "$1" in
	cc-*|qemu-*)	# a port's: from its port.toml
		k=${1%%-*} a=${1#*-}
		if [ "$k" = cc ]; then
			case " $(portval "$a" cc_native) " in
			*" $HOSTM "*)	# the host's own gcc is the port's compiler
				deb="gcc binutils" fed="gcc binutils" arc="gcc binutils" ;;
			*)	deb=$(want="CC LD" debpkgs "$a"); fed=$(portval "$a" cc_fedora)
				arc=$(portval "$a" cc_arch) ;;
			esac
		else
			deb=$(want="QEMU" debpkgs "$a"); fed=$(portval "$a" qemu_fedora)
			arc=$(portval "$a" qemu_arch)
		fi
		deb=${deb% } mac=$(portval "$a" "${k}_macos") ;;
	make) deb="make" fed="make" arc="make" mac="make (and type gmake: macOS's make is 3.81)" ;;
	git) deb="git" fed="git" arc="git" mac="git" ;;
	cc) deb="gcc binutils" fed="gcc binutils" arc="gcc binutils" mac="xcode-select --install" ;;
	gdb) deb="gdb-multiarch" fed="gdb" arc="gdb"
		mac=$(for a in $(echo "$TC" | cut -d' ' -f1 | uniq); do printf '%s ' "$(portval "$a" gdb_macos)"; done)
		mac="${mac}(make GDB=...)" ;;
	python) deb="python3" fed="python3" arc="python" mac="python" ;;
	pytest) deb="python3-pytest" fed="python3-pytest" arc="python-pytest" mac="pip3 install pytest" ;;
	xdist) deb="python3-pytest-xdist" fed="python3-pytest-xdist" arc="python-pytest-xdist"
		mac="pip3 install pytest-xdist" ;;
	pexpect) deb="python3-pexpect" fed="python3-pexpect" arc="python-pexpect" mac="pip3 install pexpect" ;;
	*) return ;;
	esac
	echo "  $1:"
	echo "    Debian/Ubuntu:  sudo apt-get install $deb   (or: make deps)"
	echo "    Fedora:         sudo dnf install $fed"
	echo "    Arch:           sudo pacman -S $arc"
	echo "    macOS:          brew install $mac"
}

printf '%-36s %-8s %-8s %-8s %s\n' TOOL VERSION MINIMUM STATUS PATH
check make "$MAKE" "$MIN_MAKE" make
check "cc (host: mkfs, fsck)" cc any cc
check "git (handin, handout, batch grading)" git any git

# Each port's toolchain, as arch.mk chose it.
TC=$(sh "$DEPS" toolchain "$@")
for a in $(echo "$TC" | cut -d' ' -f1 | uniq); do
	get() { echo "$TC" | sed -n "s/^$a $1=//p" | head -1; }
	err=$(get ERROR)
	if [ -n "$err" ]; then
		row "$a gcc" "" "" ">= $MIN_GCC" MISSING "cc-$a"
		echo "    ($err)"
	else
		cc=$(get CC)
		check "$a gcc ($cc)" "$cc" "$MIN_GCC" "cc-$a" "$cc" -dumpfullversion
		ld=$(get LD)
		check "$a ld ($ld)" "$ld" "$MIN_LD" "cc-$a"
	fi
	q=$(get QEMU)
	[ -n "$q" ] && check "$q" "$q" "$MIN_QEMU" "qemu-$a"
	# The firmware file the port's QEMU loads (arch.mk's QEMU_FIRMWARE, such
	# as OpenSBI for -bios default), which it looks for in its data directories.
	f=$(get QEMU_FIRMWARE)
	if [ -n "$f" ] && command -v "$q" >/dev/null 2>&1; then
		fw=""
		for d in $("$q" -L help 2>/dev/null); do
			[ -e "$d/$f" ] && { fw="$d/$f"; break; }
		done
		if [ -n "$fw" ]; then row "$a QEMU firmware" "$fw" "" any OK "qemu-$a"
		else row "$a QEMU firmware ($f)" "" "" any MISSING "qemu-$a"; fi
	fi
	# gdb: the Makefile's (gdb-multiarch, else gdb), able to debug this port.
	g=$(get GDB); ga=$(get GDB_ARCH)
	if [ -n "$ga" ]; then
		gp=$(command -v "${g:-gdb}" 2>/dev/null)
		if [ -n "$gp" ] && "$gp" -nx -batch -ex "set architecture $ga" >/dev/null 2>&1; then
			row "gdb for $ga" "$gp" "$(version_of "$gp" --version)" any OK gdb
		else
			row "gdb for $ga" "$gp" "" any "$([ -n "$gp" ] && echo NO-ARCH || echo MISSING)" gdb
		fi
	fi
done

# Python: the interpreter the Makefile's PYTHON is, and its modules.
py=${PYTHON:-$("$ROOT/tools/find-python")}
check "python ($py)" "$py" "$MIN_PY" python
if command -v "$py" >/dev/null 2>&1; then
	for m in pytest xdist pexpect; do
		v=$("$py" -c "import $m; print(getattr($m, '__version__', 'yes'))" 2>/dev/null)
		if [ -n "$v" ]; then row "  $m module" "$py" "$v" any OK "$m"
		else row "  $m module" "" "" any MISSING "$m"; fi
	done
fi

if [ "$PROBLEMS" = 0 ]; then
	echo "aqua6 doctor: everything is there."
	exit 0
fi
echo
echo "aqua6 doctor: $PROBLEMS problem$([ "$PROBLEMS" = 1 ] || echo s). The fixes (this machine: $HOST):"
for k in $FIXES; do fix "$k"; done
echo "Or name a compiler you have with TOOLPREFIX= (make ARCH=<port> TOOLPREFIX=<prefix>-)."
exit 1
