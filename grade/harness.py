"""The per-test helper that grader tests use (the `aqua` fixture).

It boots the OS for one test, keeps the log under build/grade/<arch>/,
and, when a check fails, stops the test with a message a student can act
on: the failing check, expected vs got, the end of the console, where the
full log is, a command that reruns that test alone and one that boots the
same thing under gdb.
"""

import fcntl
import os
import re
import shlex
import subprocess
import time

import pytest

import backtrace
import explain
import limits
import ports
import qemu
import tap as taplib
import verdict

ROOT = qemu.ROOT
TAIL_LINES = 25
# Programs whose TAP lines the kernel prints (kern/ktest/ktest.c): the program
# signs one letter per group it asked for, not one per TAP check.
KERNEL_TAP_PROGRAMS = ("/bin/ktest",)
LEAK_RE = re.compile(r"init: leak check: pages (\d+) -> (\d+), procs (-?\d+) -> (-?\d+), "
                     r"files (-?\d+) -> (-?\d+)")


def _sanitize(name):
    return re.sub(r"[^A-Za-z0-9_.=+-]+", "_", name).strip("_") or "test"


class Harness:
    def __init__(self, request, arch, stages, timeout_factor=1.0, python="/usr/bin/python3",
                 deadline=None):
        self.request = request
        self.node = request.node
        self.arch = arch
        self.stages = stages                # names of the stages that own this test
        self.timeout_factor = timeout_factor
        # Time limit and guest memory: grade/costs.toml (grade/limits.py).
        self.costs = limits.load()
        self.cost_key = limits.cost_key(getattr(self.node, "originalname", self.node.name),
                                        getattr(getattr(self.node, "callspec", None),
                                                "params", {}))
        self.mem = self.costs.mem(arch, self.cost_key)
        self.deadline = deadline            # time.time() when grading must stop, or None
        self.spent = 0.0                    # seconds of QEMU so far in this test
        self.cut_by_deadline = False        # the last limit() was cut short by the deadline
        self.python = python
        self.kernel = os.path.join(ROOT, "build", arch, "kernel")
        self.boots = 0
        self.last_bootargs = None
        self.last_cpus = 2
        self.info = {
            "arch": arch,
            "func": getattr(self.node, "originalname", self.node.name),
            "name": self.node.name,
            "stages": list(stages),
            "log": None,
            "checks": [],
            "rerun": self.rerun_command(),
            "pytest": self.pytest_command(),
            "cost": {"key": self.cost_key, "seconds": 0.0, "insns": None},
        }
        self._publish()

    # ---- bookkeeping ------------------------------------------------------
    def _publish(self):
        """Make info reach the test's report (conftest copies it there, and
        xdist carries it to the controller).  The log path also goes in the
        JUnit XML as a property."""
        self.node._aqua_info = self.info
        props = [p for p in self.node.user_properties if p[0] != "log"]
        if self.info["log"]:
            props.append(("log", self.info["log"]))
        self.node.user_properties[:] = props

    def log_path(self):
        self.boots += 1
        base = self.info["func"]
        params = getattr(getattr(self.node, "callspec", None), "params", {})
        for k, v in sorted(params.items()):
            if k != "arch":
                base += f"-{k}{v}"
        if self.boots > 1:
            base += f"-{self.boots}"
        path = os.path.join(ROOT, "build", "grade", self.arch, _sanitize(base) + ".log")
        self.info["log"] = os.path.relpath(path, ROOT)
        self._publish()
        return path

    def timeout(self, seconds):
        return seconds * self.timeout_factor

    def limit(self):
        """Seconds left for this test's next wait: its limit from
        grade/costs.toml less what its earlier boots took (never less than
        the floor), and never past the grading deadline."""
        full = self.costs.limit(self.arch, self.cost_key, self.timeout_factor)
        left = max(full - self.spent, self.costs.floor * self.timeout_factor)
        self.cut_by_deadline = False
        if self.deadline is not None:
            room = self.deadline - time.time()
            if room < left:
                left, self.cut_by_deadline = max(room, 1.0), True
        return left

    def limit_why(self, seconds):
        """Where a time limit came from, for a time-out's report."""
        if self.cut_by_deadline:
            return (f"{seconds:.0f} s, all that was left of the grading time budget "
                    "(the rest of the tests were not run)")
        ref = self.costs.seconds(self.arch, self.cost_key)
        f = f" x {self.timeout_factor:g}" if self.timeout_factor != 1 else ""
        return (f"{seconds:.0f} s = ({self.costs.floor:g} s + {self.costs.multiple:g} x "
                f"{ref:g} s, what the solution takes){f}; grade/costs.toml")

    def _count(self, seconds, insns):
        """Add one boot's cost to the test's (make grade-costs reads it)."""
        self.spent += seconds
        c = self.info["cost"]
        c["seconds"] = round(c["seconds"] + seconds, 2)
        if insns is not None:
            c["insns"] = (c["insns"] or 0) + insns
        self._publish()

    # ---- commands shown on failure ----------------------------------------
    def rerun_command(self):
        if not self.stages:
            # Not in the manifest (a test being written): only pytest knows it.
            return self.pytest_command()
        return f"make grade ARCH={self.arch} LAB={self.stages[0]} TEST={self.info_func()}"

    def info_func(self):
        return getattr(self.node, "originalname", self.node.name)

    def pytest_command(self):
        # A path relative to the top of the tree, where students type commands.
        nodeid = os.path.relpath(str(self.node.path), ROOT) + "::" + self.node.name
        return (f"{self.python} -m pytest {shlex.quote(nodeid)}"
                f"   (after make ARCH={self.arch} all)")

    def gdb_command(self):
        parts = ["make", "qemu-gdb", f"ARCH={self.arch}"]
        if self.last_cpus != 2:
            parts.append(f"CPUS={self.last_cpus}")
        if self.last_bootargs:
            b = self.last_bootargs
            parts.append(f"BOOTARGS='{b}'" if "'" not in b else "BOOTARGS=" + shlex.quote(b))
        return " ".join(parts)

    # ---- failing --------------------------------------------------------------
    def fail(self, what, expected=None, got=None, console=None, panic=None, extra=(),
             tail=TAIL_LINES):
        """Stop the test with a readable report (no Python traceback)."""
        out = [f"FAILED: {what}"]
        if expected is not None:
            out.append(_field("expected", expected))
        if got is not None:
            out.append(_field("got", got))
        # init's `exited with status 139' means little to a student until
        # it says "killed by SIGSEGV": every line shown gets the meaning.
        out.extend(explain.annotate_line(l) for l in extra)
        if panic is not None:
            before = backtrace.lines_before_panic(console) if isinstance(console, str) else []
            out.append(panic.render(before=[explain.annotate_line(l)
                                            for l in _from_banner(before)]))
        elif console is not None:
            lines = console.splitlines() if isinstance(console, str) else list(console)
            lines = [explain.annotate_line(l) for l in _from_banner(lines)]
            tail = lines[-tail:]
            raw = console.splitlines() if isinstance(console, str) else list(console)
            part = f"last {len(tail)} of {len(lines)} lines" if len(tail) < len(lines) else ""
            if lines and explain.BANNER_RE.match(lines[0]):
                out.append(f"console ({part} since the boot banner):" if part
                           else "console since the boot banner:")
            elif len(lines) < len(raw):
                out.append(f"console ({part + ', ' if part else ''}firmware lines left out):")
            else:
                out.append(f"console ({part}):" if part else "console:")
            out.extend("  | " + l for l in tail)
        if self.info["log"]:
            out.append(f"full log:  {self.info['log']}")
        out.append(f"rerun:     {self.info['rerun']}")
        out.append(f"  or:      {self.info['pytest']}")
        out.append(f"debug:     {self.gdb_command()}   (then `make gdb ARCH={self.arch}` in another terminal)")
        pytest.fail("\n".join(out), pytrace=False)

    # ---- non-interactive runs -------------------------------------------------
    def debug_kernel(self):
        """build/<arch>-debug/kernel, built now (`make DEBUG=1 kernel`): the
        kernel with witness, the race checker (kern/racecheck.c) and the
        KDASSERTs.  Tests run in parallel, so one builds it at a time
        (a file lock); make makes the others' turn a no-op."""
        path = os.path.join(ROOT, "build", f"{self.arch}-debug", "kernel")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        cmd = ["make", "-s", "--no-print-directory", "-C", ROOT, f"ARCH={self.arch}",
               "DEBUG=1", "kernel"]
        with open(path + ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            p = subprocess.run(cmd, capture_output=True, text=True, env=qemu.make_env())
        if p.returncode != 0:
            self.fail(f"the debug kernel did not build ({shlex.join(cmd)})",
                      console=p.stdout + p.stderr)
        return path

    def boot(self, program, cpus=2, timeout=None, until=None, allow_panic=False,
             extra_bootargs="", leak_check=True, debug=False, icount=False):
        """Boot with `run=<program>`, return a qemu.BootResult.

        program: "/bin/systest" or "/bin/ktest all".
        extra_bootargs: kernel options put before `run=` (everything after
        run= is the program's), e.g. "ktest.panic=1".
        leak_check: expect_exit() also checks init's leak-check line (free
        pages, process slots and open files the same after the program as
        before it); pass False for a program that may keep resources.
        A kernel panic (unless allow_panic) or a time-out fails the test here.
        timeout: leave it out: the limit comes from grade/costs.toml
        (limit()); seconds here (times the factor) only to try something out.
        debug: boot the debug kernel (debug_kernel()) on the same disk image;
        its race checker panics on a write that no lock protects.
        icount: run QEMU with -icount shift=0 (qemu.with_icount), as
        tools/bench.py measures: all CPUs in turn on one host thread.
        """
        bootargs = f"run={program}"
        if extra_bootargs:
            bootargs = f"{extra_bootargs.strip()} {bootargs}"
        self.last_bootargs, self.last_cpus = bootargs, cpus
        argv = qemu.qemu_argv(self.arch, cpus, bootargs, mem=self.mem)
        if icount:
            argv = qemu.with_icount(argv)
        kernel = self.kernel
        if debug:
            kernel = self.debug_kernel()
            argv = qemu.with_kernel(argv, kernel)
        secs = self.limit() if timeout is None else self.timeout(timeout)
        log = self.log_path()
        # This boot's own key, in its own copy of the image: grade/verdict.py.
        key = verdict.Key.fresh()
        image = os.path.splitext(log)[0] + ".img"
        os.makedirs(os.path.dirname(image), exist_ok=True)
        verdict.keyed_image(qemu.image_of(argv), key, image)
        try:
            res = qemu.run_boot(self.arch, qemu.with_image(argv, image), secs, log,
                                kernel, until=until)
        finally:
            os.unlink(image)
        self._count(res.elapsed, res.insns)
        res.key, res.program = key, program
        res.leak_check = leak_check
        if res.panic is not None and not allow_panic:
            self.fail(f"kernel panic while running `{program}` ({self.arch}, CPUS={cpus})",
                      panic=res.panic, console=res.output)
        if res.timed_out:
            extra = process_list_lines(qemu.process_list(res.output))
            extra.append(f"  time limit: {self.limit_why(secs)}")
            self.fail(f"time-out: `{program}` did not finish within "
                      f"{secs:.0f} s{res.load_note} ({self.arch}, CPUS={cpus}); "
                      "QEMU was killed",
                      expected="init: ... exited with status N, then power-off",
                      got="no power-off (a hang, a deadlock, or a very slow loop?)",
                      console=res.output, extra=extra)
        return res

    def expect_exit(self, res, program, status=0):
        """The program ended with `status`, per init's line and QEMU's exit status."""
        init = res.init_exit()
        want_rc = qemu.encode_exit(self.arch, status)
        if init is None:
            self.fail(f"`{program}` never finished: init printed no "
                      "'init: ... exited with status N' line",
                      expected=f"init: {program.split()[0]} exited with status {status}",
                      got=f"QEMU exit status {res.returncode}" +
                      (f"; QEMU said: {res.stderr.strip()}" if res.stderr.strip() else ""),
                      console=res.output, extra=exit_hint(self.arch, res.returncode))
        if init[0] != program.split()[0]:
            # A kernel that runs something else (or prints the line itself)
            # must not pass for the program the test asked for.
            self.fail(f"`{program}` never finished: init's last line is about another program",
                      expected=f"init: {program.split()[0]} exited with status {status}",
                      got=f"init: {init[0]} exited with status {init[1]}",
                      console=res.output)
        signed = self.init_verdict(res, program)
        if signed.exit != init[1]:
            self.fail(f"`{program}`: init's line and its signed verdict disagree on the exit "
                      "status (the console was altered on its way out)",
                      expected=f"init: verdict exit {init[1]} ... (what init's line says)",
                      got=f"init: verdict exit {signed.exit} ... (signed by init)",
                      console=res.output)
        tv = getattr(res, "tap_verdict", None)
        if tv is not None and tv.exit != signed.exit:
            self.fail(f"`{program}` signed exit status {tv.exit}, but init was told "
                      f"{explain.status_text(signed.exit)}: wait(2) returned another status "
                      "than the one the program exited with",
                      expected=f"init: {program.split()[0]} exited with status {tv.exit}",
                      got=f"init: {init[0]} exited with status {signed.exit}",
                      console=res.output)
        if signed.exit != status:
            self.fail(f"`{program}` exit status",
                      expected=f"status {explain.status_text(status)}",
                      got=f"status {explain.status_text(signed.exit)}",
                      console=res.output,
                      extra=["  hint:     " + l for l in explain.died_before_exec_hint(res.output)])
        if res.returncode != want_rc:
            self.fail("QEMU exit status after power-off",
                      expected=f"{want_rc} (poweroff({status}) on {self.arch})",
                      got=f"{res.returncode}" + (f" (poweroff({res.guest_status}))"
                                                 if res.guest_status is not None else ""),
                      console=res.output)
        if getattr(res, "leak_check", False):
            self.check_leaks(res, program, signed)

    def init_verdict(self, res, program):
        """init's signed exit status and counts (grade/verdict.py), or fail."""
        found = verdict.find_init(res.output, res.key, res.program)
        if found.verdict is None:
            self.fail(f"`{program}`: init's signed verdict is missing or wrong",
                      expected="init: verdict exit N leak ... hmac <signed with this boot's key>",
                      got=found.problem, console=res.output)
        return found.verdict

    def check_leaks(self, res, program, signed):
        """init's `leak check' line (user/bin/init.c): every count is back.
        The numbers come from init's signed verdict; the printed line must
        say the same."""
        m = None
        for m in LEAK_RE.finditer(res.output):
            pass
        if m is None or signed.leak is None:
            self.fail(f"leak check after `{program}`",
                      expected="init: leak check: pages N -> N, procs P -> P, files F -> F",
                      got="no leak-check line from init", console=res.output)
        printed = tuple(int(m.group(i)) for i in range(1, 7))
        if printed != signed.leak:
            self.fail(f"leak check after `{program}`: init's line and its signed verdict "
                      "disagree (the console was altered on its way out)",
                      expected=m.group(0).strip() + "   (the line)",
                      got="init: verdict ... leak " + " ".join(map(str, signed.leak))
                      + "   (signed by init)", console=res.output)
        n = signed.leak
        pages, procs, files = (n[0], n[1]), (n[2], n[3]), (n[4], n[5])
        leaks = []
        if pages[1] != pages[0]:
            leaks.append(f"{pages[0] - pages[1]} page(s) not freed" if pages[1] < pages[0]
                         else f"{pages[1] - pages[0]} more free page(s) than before "
                         "(a page freed twice?)")
        if procs[1] != procs[0]:
            leaks.append(f"{procs[1] - procs[0]:+d} process slot(s)")
        if files[1] != files[0]:
            leaks.append(f"{files[1] - files[0]:+d} open file(s)")
        if leaks:
            self.fail(f"`{program}` leaked: " + ", ".join(leaks),
                      expected="the counts before and after the program equal "
                      "(init waits up to 3 s for them to settle)",
                      got=m.group(0).strip(), console=res.output)

    def check_tap(self, res, program):
        """Parse the TAP output of a run; every check is reported; any failure fails.
        A check passes only if the program's signed verdict says so too."""
        t = taplib.parse(res.output)
        self.apply_signed(res, t)
        self.info["checks"] = [
            {"number": c.number, "name": c.name, "passed": c.passed,
             "line": c.status_line(), "diag": c.diag} for c in t.checks]
        self.info["tap_problems"] = list(t.problems)
        self._publish()
        for c in t.checks:
            self.node.user_properties.append((f"tap.{c.number}", c.status_line()))
        if not t.ok:
            bad = [c for c in t.failed if not c.missing]
            if bad:
                what = (f"`{program}`: {len(t.failed)} of {len(t.checks)} checks failed, "
                        f"first: check {bad[0].label()}")
            elif t.failed:
                what = (f"`{program}` stopped before check {t.failed[0].number} "
                        f"of {t.planned}")
            elif not t.checks and t.planned is None:
                # Not one TAP line: say whether the program even started,
                # which is what the student needs to know first.
                what = (f"`{program}` printed no TAP output (no plan line '1..N'): "
                        + explain.why_no_output(res.output, program, res.panic,
                                                res.returncode))
            else:
                what = f"`{program}`: TAP output is incomplete ({t.summary()})"
            silent = not t.checks and t.planned is None
            hints = ["  hint:     " + l
                     for l in explain.died_before_exec_hint(res.output, said=silent)]
            details = taplib.describe_failures(t)
            if silent:
                # The first line already says there was no plan, and why.
                details = [l for l in details if not l.startswith("TAP problem: no TAP plan")]
            # The failed checks carry their own context: a short tail will do
            # unless the program stopped early (then the end is the clue).
            self.fail(what, console=res.output, tail=8 if bad and not t.first_missing
                      else TAIL_LINES,
                      extra=hints + ["  " + l for l in details])
        return t

    def apply_signed(self, res, t):
        """Hold the console's TAP (t) to the program's signed verdict: a
        check passes only where both say so.  A missing or broken verdict
        is a problem of the whole run (grade/verdict.py)."""
        found = verdict.find_tap(res.output, res.key, res.program)
        v = found.verdict
        if v is None:
            t.problems.append("no valid signed verdict: " + found.problem)
            return
        if verdict.split_args(res.program)[0] in KERNEL_TAP_PROGRAMS:
            # The kernel's TAP is only shown; the verdict is one letter per group.
            bad = v.failed_numbers()
            if bad or v.checks == 0:
                t.problems.append(f"the signed verdict says group(s) {bad} of {v.checks} "
                                  "failed (ktest(2) returned non-zero)")
            return
        if t.planned is not None and v.checks != t.planned:
            t.problems.append(f"the plan says 1..{t.planned} but the signed verdict covers "
                              f"{v.checks} checks")
        for c in t.checks:
            c.signed = v.letters[c.number - 1] if 1 <= c.number <= len(v.letters) else "?"
        res.tap_verdict = v

    # ---- interactive --------------------------------------------------------------
    def shell(self, cpus=2, boot_timeout=None, cmd_timeout=None):
        """Boot to the shell; return a ShellSession (use as a context manager).
        Both time limits come from grade/costs.toml unless given (seconds,
        times the factor): the boot and each command may take up to the
        whole test's limit."""
        self.last_bootargs, self.last_cpus = None, cpus
        argv = qemu.qemu_argv(self.arch, cpus, "", mem=self.mem)
        lim = self.limit()
        return ShellSession(self, argv, cpus,
                            lim if boot_timeout is None else self.timeout(boot_timeout),
                            lim if cmd_timeout is None else self.timeout(cmd_timeout))


class ShellSession:
    """A qemu.Shell whose errors become readable test failures."""

    def __init__(self, h, argv, cpus, boot_timeout, cmd_timeout):
        self.h = h
        self.sh = None
        self.history = []
        self.cmd_limit = cmd_timeout
        err = None
        try:
            self.sh = qemu.Shell(h.arch, argv, h.log_path(), h.kernel,
                                 boot_timeout, cmd_timeout)
        except qemu.ShellError as e:
            err = e         # fail outside the handler: no chained traceback
        if err is not None:
            self._failed(err, "booting to the shell prompt '$ '")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        if self.sh is not None:
            self.sh.close()
            if not getattr(self, "_counted", False):
                self._counted = True
                self.h._count(time.monotonic() - self.sh.start, self.sh.insns)

    @property
    def console(self):
        return self.sh.output() if self.sh else ""

    def _failed(self, e, doing):
        panic = getattr(e, "panic", None)
        text = self.sh.output() if self.sh else ""
        if self.sh is None:
            # The constructor failed: read what the transcript file got.
            try:
                with open(os.path.join(ROOT, self.h.info["log"]), encoding="utf-8",
                          errors="replace") as f:
                    text = f.read()
            except OSError:
                pass
        self.close()
        if e.kind == "panic":
            self.h.fail(f"kernel panic while {doing}", panic=panic, console=text)
        if e.kind == "timeout":
            extra = process_list_lines(e.processes)
            extra.append(f"  time limit: {self.h.limit_why(self.cmd_limit)}")
            self.h.fail(f"time-out while {doing}: {e}",
                        expected="output, then the prompt '$ '",
                        got="nothing more within the time limit (a hang? a deadlock?); "
                        "QEMU was killed", console=text, extra=extra)
        rc = self.sh.exitstatus if self.sh else None
        self.h.fail(f"QEMU exited while {doing}", expected="the prompt '$ '",
                    got=f"QEMU exit status {rc}", console=text,
                    extra=exit_hint(self.h.arch, rc))

    def run(self, cmd, timeout=None):
        err = None
        try:
            out = self.sh.run(cmd, self.h.timeout(timeout) if timeout else None)
        except qemu.ShellError as e:
            err = e
        if err is not None:
            self._failed(err, f"running `{cmd}` in the shell")
        self.history.append((cmd, out))
        return out

    def expect_output(self, cmd, pattern, what=None, timeout=None):
        """Run cmd; its output must match the regex pattern (re.search)."""
        out = self.run(cmd, timeout)
        if not re.search(pattern, out, re.MULTILINE):
            self.fail(what or f"output of `{cmd}`",
                      expected=f"output matching /{pattern}/", got=out or "(no output)")
        return out

    def poweroff(self, cmd="poweroff", timeout=None):
        err = None
        try:
            return self.sh.send_and_wait_exit(cmd, self.h.timeout(timeout) if timeout else None)
        except qemu.ShellError as e:
            err = e
        self._failed(err, f"waiting for QEMU to exit after `{cmd}`")

    def fail(self, what, expected=None, got=None):
        text = self.console
        self.close()
        self.h.fail(what, expected=expected, got=got, console=text)


def process_list_lines(rows):
    """The report's lines for the kernel's Ctrl-P list taken at a time-out."""
    if not rows:
        return ["  (the kernel did not answer Ctrl-P with its process list: interrupts off,"
                " or a CPU spinning with a lock held?)"]
    return (["  processes when the time ran out (the kernel's Ctrl-P list;"
             " WAIT is what a sleeping process waits for):"]
            + ["    " + row for row in rows])


def exit_hint(arch, rc):
    """What an unexpected QEMU exit status most likely means."""
    if rc is None:
        return []
    port = ports.get(arch)
    if rc == port.exit_zero:
        return ["  hint:     QEMU exited 0 without init's message: "
                + (port.zero_hint or "something powered the machine off (poweroff(0))")]
    st = port.decode_exit(rc)
    if st is None and rc == 1:      # QEMU's exit status when it fails; no poweroff's here
        return ["  hint:     exit status 1 is QEMU's own failure (bad option, missing "
                "file), see its message in the log header"]
    if st == 1:
        return ["  hint:     that is poweroff(1), what the kernel's panic() does; a panic "
                "message may have been lost"]
    return []


def _from_banner(lines):
    """Drop the firmware's chatter (SeaBIOS, OpenSBI) before aqua6's banner.

    Only lines known to be the firmware's go (explain.firmware_mask): a
    kernel message printed before the banner, such as an early panic, is
    the one line a student needs, so it stays.
    """
    return explain.strip_firmware(lines)


def _field(label, value):
    value = str(value)
    lines = value.splitlines() or [""]
    pad = " " * 12
    s = f"  {label + ':':<10}{lines[0]}"
    for l in lines[1:20]:
        s += "\n" + pad + l
    if len(lines) > 20:
        s += f"\n{pad}... ({len(lines) - 20} more lines)"
    return s
