# aqua6 top-level Makefile.
#
#   make qemu [ARCH=<port>] [CPUS=n]         build and boot to the shell
#   make qemu-gdb                            the same, waiting for gdb
#   make grade [ARCH=...] [LAB=...]          run the grader
# MAINTAINER BEGIN
#   make test                                everything CI checks
# MAINTAINER ELSE
#>#   make test                                both ports built, host tests, the grader
# MAINTAINER END
#   make handin                              build both ports, then pack the tree to upload
#   make DEBUG=1 ...                         a debug kernel (witness) in build/<arch>-debug
#   make deps                                install the toolchain (Debian/Ubuntu)
#   make doctor                              every tool found, its version, the fix for what is not
#   make ARCH=riscv TOOLPREFIX=riscv64-elf-  name the port's compiler (else arch.mk looks for one)
#
# Products go to build/<arch>/ so the ports build side by side.  The port's
# own compiler flags, sources and QEMU command line are in arch/<arch>/arch.mk.
#
# The ports are the directories arch/<name>/ that hold a port.toml, the
# port's description for the tools (docs/ARCHITECTURE.md, "How to add a
# port"); nothing below names one but the default.

# `make` alone builds the kernel and the disk image (the first rule below
# would otherwise be the system-call generator's).
.DEFAULT_GOAL := all

PORTS_FOUND := $(patsubst arch/%/port.toml,%,$(wildcard arch/*/port.toml))
# The port `make` builds without ARCH=.  ARCH=all (and the tools'
# --arch all) takes it first, then the others by name (grade/ports.py
# reads this line too).
DEFAULT_ARCH := x86_64
PORTS	:= $(filter $(DEFAULT_ARCH),$(PORTS_FOUND)) $(sort $(filter-out $(DEFAULT_ARCH),$(PORTS_FOUND)))

ARCH	?= $(DEFAULT_ARCH)
CPUS	?= 2
MEM	?= 256M
BOOTARGS ?=
PYTHON	?= $(shell tools/find-python)

# ARCH=all is for the grader (every port); everything else builds one port.
ifeq ($(ARCH),all)
GRADE_ARCH := all
override ARCH := $(DEFAULT_ARCH)
else ifeq ($(origin ARCH),command line)
GRADE_ARCH := $(ARCH)
else
GRADE_ARCH := all
endif

ifeq ($(filter $(ARCH),$(PORTS)),)
$(error ARCH must be one of: $(PORTS) (arch/<name>/ with a port.toml), or all; not '$(ARCH)')
endif

# The ports a command for all of them (grade, bench, witness, ...) runs on:
# every one for ARCH=all or no ARCH, else the one named.
GRADE_PORTS := $(if $(filter all,$(GRADE_ARCH)),$(PORTS),$(GRADE_ARCH))

# Build in parallel by default: one job per CPU of the host.
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)

# DEBUG=1: a debug kernel with witness, the lock-order checker
# (kern/witness.c), built apart in build/<arch>-debug.
DEBUG	?=
B	:= build/$(ARCH)$(if $(filter 1,$(DEBUG)),-debug)
H	:= build/host
GEN	:= $(B)/gen

# ---- the tools -------------------------------------------------------------
# $(call on-path,prog): where prog is on $PATH, or nothing.  Without a shell:
# make reads this file often (the grader asks it for the QEMU command line).
on-path = $(firstword $(wildcard $(addsuffix /$(1),$(subst :, ,$(PATH)))))
# $(call first-on-path,progs): the first of progs that is on $PATH.
first-on-path = $(firstword $(foreach p,$(1),$(if $(call on-path,$(p)),$(p))))

# TOOLPREFIX names the compiler of the port being built (make ARCH=riscv
# TOOLPREFIX=riscv64-elf-; for x86_64, TOOLPREFIX= alone is the host's gcc).
# A command that builds every port (make test) would hand one port's prefix
# to the other, so TOOLPREFIX_<arch> names a single port's instead:
# make test TOOLPREFIX_riscv=riscv64-elf-.  Without either, arch.mk looks.
ifeq ($(origin TOOLPREFIX),undefined)
ifneq ($(origin TOOLPREFIX_$(ARCH)),undefined)
TOOLPREFIX := $(TOOLPREFIX_$(ARCH))
endif
endif
GIVEN_TOOLPREFIX := $(filter-out undefined,$(origin TOOLPREFIX))

# make qemu, make test and every goal that builds: on a fresh Debian or
# Ubuntu machine, first install what is missing (tools/deps.sh check; it
# only reports with AQUA_NO_AUTO_INSTALL=1).  It runs here, while make reads
# this file, and not as a prerequisite: arch.mk looks for the compiler as it
# is read, just below, and a prerequisite would run beside (-j) the very
# compiles that need its packages.  Once per command: AQUA_DEPS_CHECKED
# reaches the sub-makes.  Not under make -n.  Its output goes to stderr,
# since $(shell) would take stdout as text of this file.
DEPS_GOALS := all kernel user qemu qemu-gdb grade grade-coverage test selfcheck mutants test-batch forgery bench fuzz \
	fuzz-one witness crashtest stress checkdeps
DEPS_ARGS = $(ARCH) MAKE=$(MAKE) $(if $(GIVEN_TOOLPREFIX),TOOLPREFIX=$(TOOLPREFIX)) \
	$(foreach v,$(filter TOOLPREFIX_%,$(.VARIABLES)),$(v)=$($(v))) \
	$(if $(filter-out file default,$(origin PYTHON)),PYTHON=$(PYTHON))
ifeq ($(AQUA_DEPS_CHECKED),)
ifneq ($(filter $(DEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
ifeq ($(findstring n,$(firstword -$(MAKEFLAGS))),)
$(shell tools/deps.sh check $(DEPS_ARGS) >&2)
ifneq ($(.SHELLSTATUS),0)
$(error aqua6: cannot build without the packages above)
endif
export AQUA_DEPS_CHECKED := 1
endif
endif
endif

include arch/$(ARCH)/arch.mk

# The port's compiler: TOOLPREFIX's when given, else the first of the port's
# TOOLCHAIN_TRY (arch.mk) on PATH; its binutils share the prefix.
ifeq ($(GIVEN_TOOLPREFIX),)
TOOLCHAIN_GCC := $(call first-on-path,$(TOOLCHAIN_TRY))
TOOLPREFIX := $(patsubst %gcc,%,$(TOOLCHAIN_GCC))
else
TOOLCHAIN_GCC := $(call on-path,$(TOOLPREFIX)gcc)
endif
CC	:= $(TOOLPREFIX)gcc
LD	:= $(TOOLPREFIX)ld
AR	:= $(TOOLPREFIX)ar
OBJDUMP	:= $(TOOLPREFIX)objdump
NM	:= $(TOOLPREFIX)nm

# arch.mk found no compiler (or TOOLPREFIX names one that is not on PATH).
# Only the goals that compile stop: deps, doctor, clean, test-host, ... must
# work on a machine that has none yet.
NOCC_GOALS := deps doctor clean test-host handin gradescope handout gdb gdbinit qemu-cmd \
	print-qemu print-ports
ifeq ($(TOOLCHAIN_GCC),)
TOOLCHAIN_WHY := $(if $(GIVEN_TOOLPREFIX),TOOLPREFIX=$(TOOLPREFIX) is given but $(TOOLPREFIX)gcc is not on PATH,tried $(TOOLCHAIN_TRY) and none is on PATH)
TOOLCHAIN_ERROR := aqua6: no compiler for ARCH=$(ARCH): $(TOOLCHAIN_WHY). Run 'make doctor' \
	for what to install, or name the compiler's prefix with TOOLPREFIX=
ifneq ($(filter-out $(NOCC_GOALS),$(or $(MAKECMDGOALS),all)),)
$(error $(TOOLCHAIN_ERROR))
endif
endif

# ---- flags shared by kernel and user code, every port ----------------------
COMMON_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-pie -fno-pic \
	-fno-omit-frame-pointer -fno-strict-aliasing -fno-common -nostdinc \
	-isystem $(if $(TOOLCHAIN_GCC),$(shell $(CC) -print-file-name=include)) \
	-Iinclude -I$(GEN) -MMD -MP

KCFLAGS	:= $(COMMON_CFLAGS) $(ARCH_KCFLAGS) -Ikern/include -Iarch/$(ARCH)/include -D_KERNEL
ifeq ($(DEBUG),1)
KCFLAGS	+= -DWITNESS
endif
# The race checker (kern/racecheck.c) sees the plain writes of these files in
# debug kernels: the lab files where a counter that several CPUs update
# lives, and the checker's own test.  Only these: elsewhere memory serves
# one owner after another (a descriptor table from fdpool, a process
# slot), and two lives of one word look to a lockset like two racing
# writers; a false report would fail a right solution.
RACECHECK_SRCS := kern/forkstat.c kern/vm/fault.c kern/ktest/ktest_race.c
RACECHECK_CFLAGS := -fsanitize=thread --param tsan-instrument-func-entry-exit=0
UCFLAGS	:= $(COMMON_CFLAGS) $(ARCH_UCFLAGS) -Iuser/include -Iuser/arch/$(ARCH)

# ---- kernel ---------------------------------------------------------------
# Every .c under kern/ and every .c/.S under arch/<arch>/ is part of the kernel.
KSRCS	:= $(wildcard kern/*.c kern/*/*.c) $(wildcard arch/$(ARCH)/*.c arch/$(ARCH)/*.S)
KOBJS	:= $(patsubst %,$(B)/%.o,$(basename $(KSRCS))) $(B)/gen/sysent.o

# One run of the generator makes all three files (a grouped target, so a
# parallel make runs it once).
$(GEN)/aqua/syscall.h $(GEN)/sysent.c $(GEN)/usys.S &: kern/syscalls.master tools/gensyscalls.py
	@mkdir -p $(GEN)
	$(PYTHON) tools/gensyscalls.py kern/syscalls.master $(GEN)

$(B)/%.o: %.c $(GEN)/aqua/syscall.h
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) $(if $(filter 1,$(DEBUG)),$(if $(filter $<,$(RACECHECK_SRCS)),$(RACECHECK_CFLAGS))) -c -o $@ $<

$(B)/%.o: %.S $(GEN)/aqua/syscall.h
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c -o $@ $<

$(B)/gen/sysent.o: $(GEN)/sysent.c
	$(CC) $(KCFLAGS) -c -o $@ $<

$(B)/kernel: $(KOBJS) arch/$(ARCH)/kernel.ld
	$(LD) $(ARCH_KLDFLAGS) -T arch/$(ARCH)/kernel.ld -o $@ $(KOBJS)
	$(OBJDUMP) -d $@ > $(B)/kernel.asm
	$(NM) -n $@ > $(B)/kernel.sym

# ---- user space -----------------------------------------------------------
# libc: user/lib/*.c plus the port's crt0 and the generated stubs.
ULIBSRCS := $(wildcard user/lib/*.c) $(wildcard user/arch/$(ARCH)/*.S)
ULIBOBJS := $(patsubst %,$(B)/%.o,$(basename $(ULIBSRCS))) $(B)/user/usys.o
# Programs: one .c each under user/bin (utilities) and user/tests (test programs).
UPROGS	:= $(notdir $(basename $(wildcard user/bin/*.c user/tests/*.c)))
UBINS	:= $(addprefix $(B)/fsroot/bin/,$(UPROGS))

$(B)/user/%.o: user/%.c $(GEN)/aqua/syscall.h
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -c -o $@ $<

$(B)/user/%.o: user/%.S $(GEN)/aqua/syscall.h
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -D__ASSEMBLY__ -c -o $@ $<

$(B)/user/usys.o: $(GEN)/usys.S
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) -D__ASSEMBLY__ -c -o $@ $<

$(B)/user/libc.a: $(ULIBOBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/fsroot/bin/%: $(B)/user/bin/%.o $(B)/user/libc.a user/user.ld
	@mkdir -p $(dir $@)
	$(LD) $(ARCH_ULDFLAGS) -T user/user.ld -o $@ $< $(B)/user/libc.a

$(B)/fsroot/bin/%: $(B)/user/tests/%.o $(B)/user/libc.a user/user.ld
	@mkdir -p $(dir $@)
	$(LD) $(ARCH_ULDFLAGS) -T user/user.ld -o $@ $< $(B)/user/libc.a

# /bin/cowpage needs its data on the page where its read-only data ends
# (user/tests/cowpage.ld says why).
$(B)/fsroot/bin/cowpage: $(B)/user/tests/cowpage.o $(B)/user/libc.a user/tests/cowpage.ld
	@mkdir -p $(dir $@)
	$(LD) $(ARCH_ULDFLAGS) -T user/tests/cowpage.ld -o $@ $< $(B)/user/libc.a

# The EXAMPLE of the seed makecxt(2), compiled unchanged (docs/man/makecxt.2):
# its new_proc is unused, and main has no return statement, which only a
# hosted C compiler turns into "return 0" (added by makecxt).
$(B)/user/tests/cxt_example.o: UCFLAGS += -Wno-unused-variable -Wno-return-type

# ---- the xv6 compatibility layer (user/xv6/) ---------------------------------
# An xv6 user program builds unchanged: user/xv6/include gives it xv6's
# header paths ("kernel/types.h", "user/user.h", ...) and names, and
# user/xv6/lib/xv6.c the few calls whose xv6 meaning differs (printf(fd),
# kill(pid), wait's status, ...).  xv6's warning level for these files
# only: -Wall -Werror, without -Wextra, and without gcc 12's
# -Winfinite-recursion, which xv6's sh.c trips where its runcmd, which
# calls itself, is not marked noreturn.
# docs/INSTRUCTORS.md, "Bring your xv6 material".  user/xv6/tests holds
# programs written here in xv6's style; they go to /bin like the others.
XV6CFLAGS := $(filter-out -Wextra -Wno-unused-parameter,$(COMMON_CFLAGS)) -Wno-main \
	-Wno-infinite-recursion \
	$(ARCH_UCFLAGS) -Iuser/include -Iuser/arch/$(ARCH) -iquote user/xv6/include
XV6LIB	:= $(B)/user/xv6/lib/xv6.o
XV6TESTS := $(notdir $(basename $(wildcard user/xv6/tests/*.c)))
UBINS	+= $(addprefix $(B)/fsroot/bin/,$(XV6TESTS))

$(B)/user/xv6/tests/%.o: user/xv6/tests/%.c $(GEN)/aqua/syscall.h
	@mkdir -p $(dir $@)
	$(CC) $(XV6CFLAGS) -c -o $@ $<

$(B)/fsroot/bin/%: $(B)/user/xv6/tests/%.o $(XV6LIB) $(B)/user/libc.a user/user.ld
	@mkdir -p $(dir $@)
	$(LD) $(ARCH_ULDFLAGS) -T user/user.ld -o $@ $< $(XV6LIB) $(B)/user/libc.a

# make xv6 XV6=path/to/xv6-riscv: every program of that tree's user/ (the
# UPROGS of its Makefile) built against the layer into a disk image of its
# own, $(B)/xv6/fs.img: aqua6's image plus the xv6 programs in `/`, where
# they expect each other, and the README usertests opens.  Then its
# usertests runs, test by test, on every port (tools/xv6.py).  Nothing of
# the xv6 tree is copied into this one.
XV6	?=
XV6B	:= $(B)/xv6
ifneq ($(XV6),)
XV6_PROGS := $(sort $(patsubst _%,%,$(notdir $(shell sed -n 's/.*\$$U\/\(_[A-Za-z0-9_]*\).*/\1/p' $(XV6)/Makefile 2>/dev/null))))
XV6_PROGS := $(if $(XV6_PROGS),$(XV6_PROGS),$(filter-out ulib printf umalloc,$(notdir $(basename $(wildcard $(XV6)/user/*.c)))))
XV6_PROGS := $(foreach p,$(XV6_PROGS),$(if $(wildcard $(XV6)/user/$(p).c),$(p)))
endif
XV6_BINS := $(addprefix $(XV6B)/root/,$(XV6_PROGS))

$(XV6B)/obj/%.o: $(XV6)/user/%.c $(GEN)/aqua/syscall.h
	@mkdir -p $(dir $@)
	$(CC) $(XV6CFLAGS) -c -o $@ $<

$(XV6B)/root/%: $(XV6B)/obj/%.o $(XV6LIB) $(B)/user/libc.a user/user.ld
	@mkdir -p $(dir $@)
	$(LD) $(ARCH_ULDFLAGS) -T user/user.ld -o $@ $< $(XV6LIB) $(B)/user/libc.a

# The script init runs: usertests one test at a time (tools/xv6.py script).
$(XV6B)/usertests.sh: $(XV6)/user/usertests.c tools/xv6.py
	@mkdir -p $(dir $@)
	$(PYTHON) tools/xv6.py script $< > $@

$(XV6B)/fs.img: $(H)/mkfs $(UBINS) $(XV6_BINS) $(XV6B)/usertests.sh README.md $(B)/verdict.slot
	$(H)/mkfs $@ --file README=README.md --file usertests.sh=$(XV6B)/usertests.sh \
		$(foreach p,$(UBINS),--file bin/$(notdir $(p))=$(p)) --file etc/verdict=$(B)/verdict.slot \
		$(foreach p,$(XV6_BINS),--file $(notdir $(p))=$(p))

.PHONY: xv6 xv6-image
xv6-image: checkdeps $(B)/kernel $(XV6B)/fs.img

xv6:
	@test -n "$(XV6)" -a -f "$(XV6)/user/usertests.c" || \
		{ echo "usage: make xv6 XV6=path/to/xv6 (a checkout of xv6 with user/usertests.c)"; exit 2; }
	$(PYTHON) tools/xv6.py run --xv6 $(abspath $(XV6)) --arch $(GRADE_ARCH)

# ---- host tools and the file system image ---------------------------------
HOSTCFLAGS := -O2 -g -Wall -Wextra -Werror -Iinclude

$(H)/mkfs: mkfs/mkfs.c include/aqua/fsformat.h include/aqua/stat.h
	@mkdir -p $(H)
	cc $(HOSTCFLAGS) -o $@ mkfs/mkfs.c

$(H)/fsck: mkfs/fsck.c include/aqua/fsformat.h include/aqua/stat.h
	@mkdir -p $(H)
	cc $(HOSTCFLAGS) -o $@ mkfs/fsck.c

MANPAGES := $(wildcard docs/man/*.[0-9])

# The verdict slot: one block that the grader overwrites, in its copy of
# the image for each graded boot, with that boot's key (user/include/verdict.h,
# grade/verdict.py finds it by this first line).  256 bytes, blank-padded.
$(B)/verdict.slot: Makefile
	@mkdir -p $(B)
	printf '%-255s\n' 'aqua6 verdict slot v1: a graded boot finds its key here' > $@

# The image holds /bin (every program), /README, /man (the man pages) and
# /etc/verdict.
$(B)/fs.img: $(H)/mkfs $(UBINS) README.md $(MANPAGES) $(B)/verdict.slot
	$(H)/mkfs $@ --file README=README.md $(foreach m,$(MANPAGES),--file man/$(notdir $(m))=$(m)) \
		$(foreach p,$(UBINS),--file bin/$(notdir $(p))=$(p)) --file etc/verdict=$(B)/verdict.slot

# ---- top-level targets ----------------------------------------------------
# Keep object files of user programs (make would delete them as intermediates).
.SECONDARY:

.PHONY: all kernel user qemu qemu-gdb gdbinit deps checkdeps doctor print-toolchain print-qemu \
	print-ports test test-host grade clean

all: checkdeps $(B)/kernel $(B)/fs.img

kernel: $(B)/kernel
user: $(UBINS)

qemu: all
	@echo "*** aqua6 on $(ARCH), $(CPUS) CPUs. Type poweroff to leave, or Ctrl-a x."
	$(QEMU) $(QEMUOPTS)

# qemu-gdb: QEMU stops before the first instruction and waits for gdb on a
# port derived from the user id (so two users on one machine do not clash).
GDBPORT	:= $(shell expr `id -u` % 5000 + 25000)

# gdb's settings for this tree and port live in $(B)/gdbinit, which
# `make gdb` hands to gdb with -x.  Nothing is written to ~/.gdbinit: gdb
# reads a .gdbinit in the current directory only where the user's own
# ~/.gdbinit allows it (auto-load safe-path), and adding one line per tree
# there leaves stale lines behind for every tree a student ever made.
GDB	?= $(shell command -v gdb-multiarch 2>/dev/null || echo gdb)

$(B)/gdbinit: tools/gdbinit.in FORCE
	@mkdir -p $(B)
	@sed -e 's|@KERNEL@|$(B)/kernel|' -e 's|@PORT@|$(GDBPORT)|' -e 's|@ARCH@|$(GDB_ARCH)|' \
		tools/gdbinit.in > $@

gdbinit: $(B)/gdbinit

qemu-gdb: all $(B)/gdbinit
	@echo "*** QEMU waits for gdb on port $(GDBPORT): run 'make gdb$(if $(filter-out $(DEFAULT_ARCH),$(ARCH)), ARCH=$(ARCH))' in another terminal."
	$(QEMU) $(QEMUOPTS) -S -gdb tcp::$(GDBPORT)

# The other half of qemu-gdb: gdb with the kernel's symbols, connected.
gdb: $(B)/gdbinit
	$(GDB) -q -x $(B)/gdbinit

.PHONY: gdb FORCE
FORCE:

# What make qemu and make test do first (above, while reading this file);
# as a goal of its own it does the same, and only that.
checkdeps:
	$(if $(AQUA_DEPS_CHECKED),@:,@tools/deps.sh check $(DEPS_ARGS))

# Every tool, its version and the fix for each problem, on any platform.
doctor:
	@sh tools/doctor.sh $(DEPS_ARGS)

# The port's tools as arch.mk chose them, VAR=value (tools/deps.sh reads it).
print-toolchain:
	$(info TOOLPREFIX=$(TOOLPREFIX))
	$(info CC=$(CC))
	$(foreach v,LD AR OBJDUMP NM QEMU QEMU_FIRMWARE GDB GDB_ARCH,$(info $(v)=$($(v))))
	@:

# The same for what needs no compiler: QEMU and the firmware file it must
# find (tools/deps.sh and doctor.sh, on a machine with no compiler yet).
print-qemu:
	$(foreach v,QEMU QEMU_FIRMWARE GDB GDB_ARCH,$(info $(v)=$($(v))))
	@:

# The ports make found, and those a command for all of them runs on.
print-ports:
	$(info PORTS=$(PORTS))
	$(info GRADE_PORTS=$(GRADE_PORTS))
	@:

deps:
	tools/deps.sh install $(DEPS_ARGS)

# Host unit tests: mkfs/fsck and the grader's own pieces.  Two pytest
# workers (pytest-xdist, as the grader uses): the tests share nothing but
# the built tree they read, and half of their time is QEMU boots and
# compilers that one worker leaves a second core idle for.  HOST_JOBS=0
# runs them in one process.
HOST_JOBS ?= 2
test-host: $(H)/mkfs $(H)/fsck
	$(PYTHON) -m pytest -q -p no:cacheprovider $(if $(filter-out 0,$(HOST_JOBS)),-n $(HOST_JOBS)) grade/host

# TEST, JUNIT, RESULTS, FORMAT and OUT (make grade FORMAT=junit OUT=junit.xml:
# grade/adapters.py's formats) reach grade.py through the environment.
grade:
	@$(PYTHON) grade/grade.py --arch $(GRADE_ARCH) $(if $(LAB),--lab $(LAB)) $(if $(TEST),--test $(TEST))

# MAINTAINER BEGIN
# The full check (what .ci/run runs): host tests, the grader on every port,
# then the labs self-check (every stage's tests fail on its starter code).
# A handout's make test stops after the grader: the rest needs tools that
# handouts leave out (tools/handout.py, DROP).
# MAINTAINER ELSE
#># Every port built, the host tests, then the grader on every stage.
# MAINTAINER END
test: checkdeps
	set -e; for a in $(PORTS); do $(MAKE) ARCH=$$a all; done
# MAINTAINER BEGIN: the host tests beside the batch-grading proofs (each report whole when it ends; the time limits doubled for the CPUs they share), then the grader on every port, recording the kernel coverage the self-check selects by
	AQUA_TIMEOUT_FACTOR=2 $(MAKE) -j2 --output-sync=target test-host forgery
	$(MAKE) grade-coverage
# MAINTAINER ELSE
#>	$(MAKE) test-host
#>	$(MAKE) grade ARCH=all
# MAINTAINER END
# MAINTAINER BEGIN: the self-check, then side by side (each report whole when it ends; everything they build is built first, so their builds have nothing to do) a sample of mutants, power cuts, witness
	$(MAKE) selfcheck
	set -e; for a in $(PORTS); do $(MAKE) ARCH=$$a DEBUG=1 all; done
	$(MAKE) -j3 --output-sync=target ARCH=all SAMPLE=3 N=5 mutants crashtest witness
# MAINTAINER END

clean:
	rm -rf build

-include $(KOBJS:.o=.d) $(ULIBOBJS:.o=.d) $(patsubst %,$(B)/%.d,$(basename $(wildcard user/bin/*.c user/tests/*.c user/xv6/tests/*.c)))
-include $(wildcard $(XV6B)/obj/*.d)

# The QEMU command line, for the grader and benchmarks (one source of truth).
.PHONY: qemu-cmd
qemu-cmd:
	$(info $(QEMU) $(QEMUOPTS))
	@:

# MAINTAINER BEGIN: the instructors' targets (their tools are not in handouts)
# ---- labs -----------------------------------------------------------------
.PHONY: handout selfcheck
handout:
	@test -n "$(OUT)" || { echo "usage: make handout LAB=stage-or-assignment OUT=dir"; exit 2; }
	$(PYTHON) tools/handout.py --out $(OUT) $(if $(LAB),--lab $(LAB))

# For every graded stage: the handout builds on every port, passes core and
# the earlier stages, and fails every test of the stage (tools/selfcheck.py).
# Earlier tests rerun only where they reach starter code (the reference
# tree's coverage); FULL=1 reruns them all in every handout.
selfcheck: checkdeps
	$(PYTHON) tools/handout.py --check > /dev/null
	set -e; for a in $(PORTS); do $(MAKE) ARCH=$$a all; done
	$(PYTHON) tools/selfcheck.py $(if $(LAB),--stage $(LAB)) $(if $(FULL),--full)

# make grade ARCH=all, with QEMU logging the kernel code each test runs
# (tools/fencecov.py --grade): the self-check that follows in make test
# reuses that coverage instead of grading the reference tree a second time.
.PHONY: grade-coverage
grade-coverage: checkdeps
	set -e; for a in $(PORTS); do $(MAKE) ARCH=$$a all; done
	$(PYTHON) tools/fencecov.py --arch all --grade

# Every stage's tests catch plausible wrong solutions: each mutant of
# tools/mutants/<stage>.toml is applied, built and graded on every port it
# applies to (tools/mutants.py).  LAB= a stage or an assignment; SAMPLE=k
# only k mutants, chosen from the HEAD commit (make test); TABLE=file writes
# the kill table (docs/labs/mutants.md).
.PHONY: mutants
mutants: checkdeps
	set -e; for a in $(GRADE_PORTS); do $(MAKE) ARCH=$$a all; done
	$(PYTHON) tools/mutants.py --arch $(GRADE_ARCH) $(if $(LAB),--stage $(LAB)) \
		$(if $(SAMPLE),--sample $(SAMPLE)) $(if $(TABLE),--table $(TABLE)) $(if $(JOBS),--jobs $(JOBS))

# ==== submissions and instructor grading (issue 14; docs/INSTRUCTORS.md) ====
# Owned by the instructor-tooling engineer: grade/handin.py, grade/batch.py,
# grade/gradescope.py.
#   make handin [STUDENT=name] [OUT=dir]            the tree as a tarball to upload
#   make grade-batch SUBMISSIONS=dir [LAB=] [ARCH=] [JOBS=n] [OUT=dir] [TIMEOUT=s]
#                    [TIMEOUT_FACTOR=f]
#                                                   grade many with the pristine grader
#   make gradescope [LAB=] [ARCH=] [OUT=file.zip]   the Gradescope autograder zip
#   make test-batch                                 the slow end-to-end check of all three
#   make forgery                                    forged consoles score 0 (in make test)
# JOBS here is how many submissions are graded at once (each with -j 2).
.PHONY: grade-batch gradescope test-batch forgery
grade-batch:
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade-batch SUBMISSIONS=dir [LAB=...] [ARCH=...] [JOBS=n] [OUT=dir] [TIMEOUT=s]"; exit 2; }
	@$(PYTHON) grade/batch.py $(SUBMISSIONS) --arch $(GRADE_ARCH) $(if $(LAB),--lab $(LAB)) \
		$(if $(JOBS),--jobs $(JOBS)) $(if $(OUT),--out $(OUT)) $(if $(TIMEOUT),--timeout $(TIMEOUT)) \
		$(if $(TIMEOUT_FACTOR),--timeout-factor $(TIMEOUT_FACTOR))

gradescope:
	@$(PYTHON) grade/gradescope.py build --arch $(GRADE_ARCH) $(if $(LAB),--lab $(LAB)) $(if $(OUT),--out $(OUT))

# The zip's run_autograder on this tree inside Gradescope's default container
# limits (a cgroup: cpu.max "50000 100000", memory.max 768M; root only):
# time, peak memory, score (tools/gslimits.py).  HANG=1 grades a copy whose
# kernel hangs in every test (grade/host/fixtures/hang-init.patch).
.PHONY: gradescope-limits
gradescope-limits:
	@$(PYTHON) tools/gslimits.py --arch $(GRADE_ARCH) $(if $(LAB),--lab $(LAB)) $(if $(HANG),--hang) \
		$(if $(CPU),--cpu-max "$(CPU)") $(if $(MEMMAX),--memory-max $(MEMMAX))

# Measure every grader test on this (reference) tree and rewrite
# grade/costs.toml, the source of the time limits (tools/costs.py).
.PHONY: grade-costs
grade-costs: checkdeps
	set -e; for a in $(GRADE_PORTS); do $(MAKE) ARCH=$$a all; done
	$(PYTHON) tools/costs.py --arch $(GRADE_ARCH) $(if $(LAB),--lab $(LAB)) $(if $(TEST),--test $(TEST)) \
		$(if $(JOBS),-j $(JOBS))

# Not part of `make test`: it builds and grades five trees on both ports (~8-11 min).
test-batch: checkdeps
	AQUA_E2E=1 $(PYTHON) -m pytest -q -p no:cacheprovider grade/host/test_batch_e2e.py

# Part of `make test`: kernels that forge the console (a filter, a replay,
# one that prints every expected line) score 0 in batch grading; the
# reference scores full marks (grade/host/test_forgery.py, a few minutes).
forgery: checkdeps
	AQUA_FORGERY=1 $(PYTHON) -m pytest -q -p no:cacheprovider grade/host/test_forgery.py
# MAINTAINER END

# make handin: build both ports (a tree that does not build is refused),
# then pack the tree, its lab (.aqua6-lab) and file hashes (grade/handin.py).
.PHONY: handin
handin:
	@$(PYTHON) grade/handin.py $(if $(STUDENT),--user $(STUDENT)) $(if $(OUT),--out $(OUT))

# ==== benchmarks (issue 13; docs/PERFORMANCE.md) ============================
# Owned by the performance engineer: tools/bench.py, user/tests/bench.c,
# kern/sys_time.c (nanotime).
#   make bench [ARCH=<port>|all] [CPUS=n] [RUNS=n] [BENCHFLAGS=...]
# Without ARCH every port (as for grade); CPUS defaults to 1 here, not 2, to
# compare with xv6's figures.  Each figure is measured on the wall clock and
# with -icount shift=0; table on stdout, build/bench/<arch>.json, and the
# plot docs/labs/cow-fork-cost.png (if python3-matplotlib or gnuplot is
# installed).  BENCHFLAGS goes to tools/bench.py (--help lists it all).
BENCH_CPUS := $(if $(filter command line environment,$(origin CPUS)),$(CPUS),1)

.PHONY: bench
bench: checkdeps
	set -e; for a in $(GRADE_PORTS); do $(MAKE) ARCH=$$a all; done
	$(PYTHON) tools/bench.py --arch $(GRADE_ARCH) --cpus $(BENCH_CPUS) $(if $(RUNS),--runs $(RUNS)) $(BENCHFLAGS)

# ==== reliability (issue 12; docs/RELIABILITY.md) ===========================
# Owned by the reliability engineer: user/tests/fuzz.c, user/tests/hardtest.c,
# user/tests/crashload.c, tools/crashtest.py.
#   make fuzz [ARCH=<port>] [CPUS=n] [SEED=n] [CALLS=n]
#       random system calls (default: 100000 calls, a new seed each run) on
#       a throw-away copy of the disk (-snapshot).  Without ARCH, every port.
#       Fails on a panic or a leak; a hang never ends (Ctrl-a x).  Rerun a
#       failure with the SEED it printed.
#   make crashtest [ARCH=...] [N=cuts per port] [SEED=n]
#       cut the power at random moments during file-system writes, then
#       fsck, check every write reported done, fsck again (tools/crashtest.py).
#       `make test' runs N=5 per port.
FUZZ_SEED := $(if $(SEED),$(SEED),$(shell date +%s))
CALLS	?= 100000

#   make stress [ARCH=...] [N=boots per port] [STRESS="prog args"]
#       boot one test program N times (default 50) on 4 CPUs while busy
#       loops load the host (tools/stress.py); by default systest's leak
#       check, the one that failed CI under load (issue 25).
.PHONY: fuzz fuzz-one crashtest stress
fuzz: checkdeps
	@set -e; for a in $(GRADE_PORTS); do \
		$(MAKE) --no-print-directory ARCH=$$a all; \
		echo "*** fuzz: $$a, $(CPUS) CPUs, seed $(FUZZ_SEED), $(CALLS) calls"; \
		$(MAKE) --no-print-directory ARCH=$$a CPUS=$(CPUS) fuzz-one \
			BOOTARGS="run=/bin/fuzz $(FUZZ_SEED) $(CALLS)"; \
	done

# One boot of the fuzzer (BOOTARGS from `make fuzz'); -snapshot: fs.img stays as it was.
fuzz-one:
	$(QEMU) $(QEMUOPTS) -snapshot

# Debug kernels (DEBUG=1, witness) under the stress programs: no lock
# order reversal, no panic (tools/witnesscheck.py).
.PHONY: witness
witness: checkdeps
	set -e; for a in $(GRADE_PORTS); do $(MAKE) ARCH=$$a DEBUG=1 all; done
	$(PYTHON) tools/witnesscheck.py --arch $(GRADE_ARCH)

crashtest: checkdeps
	set -e; for a in $(GRADE_PORTS); do $(MAKE) ARCH=$$a all; done
	$(MAKE) $(H)/fsck
	$(PYTHON) tools/crashtest.py --arch $(GRADE_ARCH) $(if $(N),-n $(N)) $(if $(SEED),--seed $(SEED))

stress: checkdeps
	set -e; for a in $(GRADE_PORTS); do $(MAKE) ARCH=$$a all; done
	$(PYTHON) tools/stress.py --arch $(GRADE_ARCH) $(if $(N),-n $(N)) $(STRESS)

# MAINTAINER BEGIN: tools/freshchroot.sh is not in handouts
# The fresh-machine proof (root, needs Debian's mirror): a new Debian 12 from
# debootstrap, this tree in it, and only `make qemu` and `make test` run
# there (QUICK=1: `make grade LAB=core` instead of make test). Not in make test.
.PHONY: fresh-check
fresh-check:
	QUICK=$(QUICK) KEEP=$(KEEP) tools/freshchroot.sh
# MAINTAINER END
