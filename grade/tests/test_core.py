"""Stage `core`: the OS itself boots, runs the shell and survives stress.

Every test runs on each selected port (the `arch` argument) and boots
QEMU once.  The slow ones come first so that parallel workers start them
early.
"""

import re

import pytest

import ports
import qemu

# ---- user-space stress and kernel self-tests (run=, TAP) --------------------


@pytest.mark.parametrize("cpus", [1, 4], ids=["cpus1", "cpus4"])
def test_systest(aqua, cpus):
    """/bin/systest: the user-space stress program; every TAP check counts."""
    res = aqua.boot("/bin/systest", cpus=cpus)
    aqua.check_tap(res, "/bin/systest")
    aqua.expect_exit(res, "/bin/systest", 0)


def test_hardtest(aqua):
    """/bin/hardtest: regression checks for the reliability review's bugs
    (kill of init, ktest panic without ktest.panic=1, exec and open errno,
    waitpid's status, user code jumping into the kernel, user-chosen CPU
    state: every RFLAGS bit by syscall, interrupt and sigreturn, hostile pcs)."""
    res = aqua.boot("/bin/hardtest", cpus=2)
    aqua.check_tap(res, "/bin/hardtest")
    aqua.expect_exit(res, "/bin/hardtest", 0)


def test_fuzz(aqua):
    """/bin/fuzz: 20000 random system calls with adversarial arguments, in
    children the fuzzer kills and reaps; the kernel must not panic, hang
    or leak.  A fixed seed, so a failure reproduces: `make fuzz SEED=1
    CALLS=20000`, or one batch with `fuzz -v -b BATCH 1` in the shell."""
    res = aqua.boot("/bin/fuzz 1 20000", cpus=2)
    aqua.check_tap(res, "/bin/fuzz 1 20000")
    aqua.expect_exit(res, "/bin/fuzz", 0)


def test_ktest(aqua):
    """/bin/ktest all: the kernel's self-tests (ktest(2)), 0 iff all pass."""
    res = aqua.boot("/bin/ktest all", cpus=2)
    # The kernel may report its checks as TAP; if it does, each one counts.
    if re.search(r"(?m)^\s*1\.\.\d+\s*$", res.output):
        aqua.check_tap(res, "/bin/ktest all")
    aqua.expect_exit(res, "/bin/ktest all", 0)


def test_icount_smp(aqua):
    """Two CPUs under QEMU -icount shift=0, as tools/bench.py measures: QEMU
    then runs the CPUs in turn on one host thread, and (before QEMU 8.1)
    gives the whole turn to the first one that does not stop.  A CPU that
    spins waiting for another must let it run (cpu_busy_cycle; RISC-V's
    wait for a hart to start wfi's): else the boot hung ("hart 1 is slow
    to start") or a lock spin did.  ktest cpus: both CPUs came up and each
    ran a kernel thread."""
    res = aqua.boot("/bin/ktest cpus", cpus=2, icount=True)
    aqua.check_tap(res, "/bin/ktest cpus")
    aqua.expect_exit(res, "/bin/ktest cpus", 0)


def test_panic_report(aqua, arch):
    """A panic prints `panic: `, a backtrace the grader can symbolize, and
    powers off with a failure status (here `ktest panic` panics on purpose;
    the kernel allows that only when booted with `ktest.panic=1`, see
    hardtest's ktest_panic_eperm check)."""
    res = aqua.boot("/bin/ktest panic", cpus=2, allow_panic=True,
                    extra_bootargs="ktest.panic=1")
    p = res.panic
    if p is None:
        aqua.fail("`ktest panic` panics the kernel", expected="a line 'panic: ...'",
                  got="no panic line", console=res.output)
    if "on purpose" not in p.message:
        aqua.fail("the panic message", expected="panic: ktest: panic on purpose ...",
                  got=p.message, panic=p)
    named = [f for f in p.frames if f.function not in ("??", "")]
    if len(p.frames) < 2 or not any(f.function == "sys_ktest" for f in named):
        aqua.fail("backtrace after the panic",
                  expected="'#N 0x...' frames that addr2line maps to functions, sys_ktest among them",
                  got=f"{len(p.frames)} frames, named: "
                  + (", ".join(f.function for f in named) or "none"), panic=p)
    want = qemu.encode_exit(arch, 1)           # poweroff(1), as the port's QEMU exits
    if res.returncode != want:
        aqua.fail("QEMU exit status after a panic",
                  expected=f"{want} (md_poweroff(1) on {arch})",
                  got=("still running: the grader killed it" if res.returncode is None
                       else str(res.returncode)), panic=p)


def test_kstack_guard(aqua, arch):
    """A kernel stack that overflows hits the unmapped guard page under it
    and panics with a message naming the process (kern/proc.c), instead of
    silently writing over the stack of the slot below.  `ktest
    stackoverflow` recurses in the kernel on purpose (allowed only with the
    boot argument `ktest.panic=1`)."""
    res = aqua.boot("/bin/ktest stackoverflow", cpus=2, allow_panic=True,
                    extra_bootargs="ktest.panic=1")
    p = res.panic
    if p is None:
        aqua.fail("`ktest stackoverflow` ends in a panic",
                  expected="panic: kernel stack overflow: pid N (ktest) ...",
                  got="no panic line (the kernel hung, or ran on over another stack)",
                  console=res.output)
    if not re.search(r"kernel stack overflow: pid \d+ \(ktest\).*guard page", p.message):
        aqua.fail("the overflow is reported as such",
                  expected="panic: kernel stack overflow: pid N (ktest) ran past the bottom "
                           "of its ...-byte stack into the guard page ...",
                  got=p.message, panic=p)


# ---- booting ------------------------------------------------------------------

def test_boot_banner(aqua, arch):
    """The banner names the port and the CPU count; run= runs one program."""
    res = aqua.boot("/bin/echo banner-check", cpus=3)
    m = re.search(r"aqua6: (.*)", res.output)
    if m is None:
        aqua.fail("boot banner", expected="a line 'aqua6: <arch>, 3 CPUs, <n> MiB'",
                  got="no line starting with 'aqua6: '", console=res.output)
    line = m.group(0).strip()
    port = ports.get(arch)          # its banner: arch/<arch>/port.toml
    want = r"aqua6: .*(?:%s).*\b3 CPUs\b.*\d+ MiB" % port.banner
    if not re.search(want, line, re.IGNORECASE):
        aqua.fail("boot banner", expected=f"aqua6: <{arch} name>, 3 CPUs, <n> MiB  (CPUS=3)",
                  got=line, console=res.output)
    if not re.search(r"(?m)^banner-check$", res.output):
        aqua.fail("`run=/bin/echo banner-check` output", expected="a line 'banner-check'",
                  got="no such line", console=res.output)
    aqua.expect_exit(res, "/bin/echo", 0)
    # The terminal belongs to the kernel: firmware the port keeps quiet
    # (SeaBIOS: arch/x86_64/arch.mk, QEMUCONS) must not clear it and print
    # its banner first.
    for fw in port.silent_firmware:
        if fw in res.output:
            aqua.fail("nothing but the kernel on the console",
                      expected="no firmware banner before 'aqua6: '",
                      got=f"{fw} printed on the serial console", console=res.output)


# ---- the shell, interactively ---------------------------------------------------


def test_shell_pipe(aqua):
    with aqua.shell() as sh:
        sh.expect_output("echo hello | wc", r"^\s*1\s+1\s+6\s*$",
                         what="`echo hello | wc` prints lines, words, bytes")


def test_shell_grep(aqua):
    """grep selects lines by a simple regular expression: -i ignores case,
    -v inverts, -c counts."""
    with aqua.shell() as sh:
        sh.expect_output("echo Hello World | grep -i 'hello w.*D$'", r"^Hello World$",
                         what="`grep -i` matches whatever the case")
        sh.expect_output("echo Hello | grep -c hello", r"^0$",
                         what="without -i, case matters (`grep -c` counts 0 lines)")
        sh.expect_output("echo abc | grep -v x", r"^abc$",
                         what="`grep -v` prints the lines that do not match")


def test_shell_ls_bin(aqua):
    with aqua.shell() as sh:
        out = sh.run("ls /bin")
        names = set(re.findall(r"[A-Za-z0-9_.-]+", out))
        want = ["sh", "echo", "cat", "ls", "wc", "mkdir"]
        missing = [n for n in want if n not in names]
        if missing:
            sh.fail("`ls /bin` lists the programs",
                    expected="names including " + ", ".join(want),
                    got=(out or "(no output)") + f"\n(missing: {', '.join(missing)})")


def test_shell_mkdir_cat(aqua):
    with aqua.shell() as sh:
        sh.run("mkdir d")
        sh.run("echo x > d/f")
        out = sh.run("cat d/f")
        if out.strip() != "x":
            sh.fail("`mkdir d; echo x > d/f; cat d/f`", expected="x", got=out or "(no output)")
        sh.expect_output("ls d", r"(?m)\bf\b", what="`ls d` shows the new file f")


def test_shell_redirection(aqua):
    with aqua.shell() as sh:
        sh.run("echo hello world > t1")
        sh.expect_output("wc < t1", r"^\s*1\s+2\s+12\s*$",
                         what="`wc < t1` reads the file given by <")
        sh.run("cat < t1 > t2")
        out = sh.run("cat t2")
        if out.strip() != "hello world":
            sh.fail("`cat < t1 > t2; cat t2` copies through both redirections",
                    expected="hello world", got=out or "(no output)")
        sh.run("echo again > t2")
        out = sh.run("cat t2")
        if out.strip() != "again":
            sh.fail("`>` truncates an existing file", expected="again", got=out or "(no output)")


def test_shell_exec_args(aqua):
    with aqua.shell() as sh:
        out = sh.run("echo one   two three")
        if out.strip() != "one two three":
            sh.fail("`echo one   two three` gets three arguments",
                    expected="one two three", got=out or "(no output)")
        out = sh.run("/bin/echo by-path")
        if out.strip() != "by-path":
            sh.fail("exec by absolute path `/bin/echo by-path`", expected="by-path",
                    got=out or "(no output)")
        sh.run("no-such-program-xyz")
        sh.expect_output("echo alive", r"^alive$",
                         what="the shell still answers after exec of a missing program")


def test_faulttest_killed(aqua):
    with aqua.shell() as sh:
        out = sh.run("faulttest null")
        kills = re.findall(r"(?m)^pid \d+ \(faulttest\): .* -- killed$", out)
        if len(kills) != 1:
            sh.fail("`faulttest null` is killed with one line",
                    expected="pid N (faulttest): page fault (...) at 0x0 pc 0x... -- killed",
                    got=out or "(no output)")
        sh.expect_output("echo alive", r"^alive$",
                         what="the shell still answers after a program was killed")


def test_poweroff_status(aqua):
    with aqua.shell() as sh:
        status = sh.poweroff()
        if status != 0:
            sh.fail("`poweroff` ends QEMU with status 0", expected="QEMU exit status 0",
                    got=f"QEMU exit status {status}")


def test_leftover_process_reported(aqua):
    """A process the program leaves blocked for ever (here `cat &`, asleep
    reading the console) is a leak: init's leak check says so at once
    (procs 2 -> 3) instead of waiting for it, so a starter tree that leaks
    a process fails with its checks, not after a time-out."""
    res = aqua.boot("/bin/sh -c 'cat &'", leak_check=False)
    m = None
    for m in re.finditer(r"init: leak check: pages \d+ -> \d+, procs (\d+) -> (\d+)", res.output):
        pass
    if m is None or int(m.group(2)) != int(m.group(1)) + 1:
        aqua.fail("init's leak check counts the blocked leftover `cat`",
                  expected="init: leak check: ... procs N -> N+1, ...",
                  got=m.group(0) if m else "no leak check line", console=res.output)


def test_xv6_layer(aqua):
    """/bin/xv6check, a program in xv6's style built through the xv6
    compatibility layer (user/xv6/; docs/INSTRUCTORS.md, "Bring your xv6
    material"): xv6's printf/fprintf(fd) formats (%l too), output before
    a fork printed once, wait giving the exit code and -1 for a killed
    child, kill(pid), sbrk's char *, sleep/uptime in ticks, O_CREATE, an
    honest MAXFILE, the stack rule (USERSTACK pages, the guard below),
    KERNBASE, and exec("echo") by bare name."""
    res = aqua.boot("/bin/xv6check")
    bad = re.findall(r"(?m)^xv6check: (.*): FAILED(.*)$", res.output)
    if bad:
        aqua.fail(f"{len(bad)} xv6 layer check(s) failed, first: {bad[0][0]}",
                  expected=f"xv6check: {bad[0][0]}: OK",
                  got=f"xv6check: {bad[0][0]}: FAILED{bad[0][1]}", console=res.output)
    aqua.expect_exit(res, "/bin/xv6check", 0)
