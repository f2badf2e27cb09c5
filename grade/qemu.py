"""Booting aqua6 under QEMU for the grader.

Two ways to run the OS:

  run_boot()  non-interactive: the kernel command line says
              `run=/bin/prog args`, init runs that one program, prints
              `init: /bin/prog exited with status N` and powers off with N.
              We collect the console and QEMU's exit status.
  Shell       interactive: pexpect types at the shell prompt `$ `.

The QEMU command line comes from `make qemu-cmd` (the Makefile and
arch/<arch>/arch.mk are the one source of truth), plus `-snapshot` so that
tests running in parallel never write the shared build/<arch>/fs.img.

Either way a kernel panic stops the wait at once: we keep reading for a
moment to catch the backtrace, then end QEMU.
"""

import dataclasses
import json
import os
import re
import selectors
import shlex
import signal
import subprocess
import tempfile
import threading
import time

import backtrace
import ports

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLACEHOLDER = "@@AQUA_BOOTARGS@@"
INIT_EXIT_RE = re.compile(r"init: (\S+) exited with status (-?\d+)")
PANIC_GRACE = 5.0           # seconds to wait for the backtrace after "panic: "

_cmd_cache = {}
_cmd_lock = threading.Lock()


class QemuError(Exception):
    """QEMU could not be started (bad command line, missing binary...)."""


def make_env():
    """Environment for a sub-make: drop what an outer `make grade` passes
    down (MAKEFLAGS carries its command-line variables and jobserver)."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "MAKE_TERMOUT",
              "MAKE_TERMERR", "BOOTARGS"):
        env.pop(k, None)
    return env


def qemu_argv(arch, cpus=2, bootargs="", root=ROOT, mem=None):
    """The QEMU argv for one boot: `make qemu-cmd` plus -snapshot.
    mem: the guest's RAM (`make MEM=`, e.g. "128M"); None = the Makefile's."""
    key = (arch, int(cpus), root, mem)
    with _cmd_lock:
        template = _cmd_cache.get(key)
        if template is None:
            cmd = ["make", "-s", "--no-print-directory", "-C", root, f"ARCH={arch}",
                   f"CPUS={int(cpus)}", f"BOOTARGS={PLACEHOLDER}", "qemu-cmd"]
            if mem:
                cmd.insert(-1, f"MEM={mem}")
            p = subprocess.run(cmd, capture_output=True, text=True, env=make_env())
            if p.returncode != 0:
                raise QemuError(f"`{shlex.join(cmd)}` failed:\n{p.stdout}{p.stderr}")
            template = shlex.split(p.stdout.strip().splitlines()[-1])
            if not any(PLACEHOLDER in a for a in template):
                raise QemuError("`make qemu-cmd` does not pass BOOTARGS to QEMU: "
                                + p.stdout)
            _cmd_cache[key] = template
    argv = [a.replace(PLACEHOLDER, bootargs) for a in template]
    # -snapshot: writes go to a temporary overlay, never to the image.  As
    # we never write it, we need not lock it either: without locking=off a
    # `make qemu` running in another terminal would stop every test with
    # 'Failed to get shared "write" lock'.
    for i in range(1, len(argv)):
        if argv[i - 1] == "-drive" and "file=" in argv[i] and "locking" not in argv[i]:
            argv[i] += ",file.locking=off"
    return argv[:1] + ["-snapshot"] + argv[1:]


def _drive_file(arg):
    """'file=build/x86_64/fs.img,if=none,...' -> 'build/x86_64/fs.img'."""
    for part in arg.split(","):
        if part.startswith("file="):
            return part[len("file="):]
    return None


def image_of(argv):
    """The disk image an argv from qemu_argv() boots (absolute path)."""
    for i in range(1, len(argv)):
        if argv[i - 1] == "-drive" and _drive_file(argv[i]) is not None:
            return os.path.join(ROOT, _drive_file(argv[i]))
    raise QemuError("the QEMU command line has no -drive file=...: " + shlex.join(argv))


def with_image(argv, path):
    """argv booting the disk image at path instead (a graded boot's own
    copy, with its verdict key: grade/verdict.py)."""
    out = list(argv)
    for i in range(1, len(out)):
        if out[i - 1] == "-drive" and _drive_file(out[i]) is not None:
            out[i] = out[i].replace("file=" + _drive_file(out[i]), "file=" + path, 1)
    return out


# QEMU counts guest instructions and runs the guest's clocks on them: at
# shift=0 one instruction is one nanosecond.  Every vCPU then runs in turn
# on one host thread (tools/bench.py's icount mode, test_icount_smp).
ICOUNT = ["-icount", "shift=0"]


def with_icount(argv):
    """argv under -icount shift=0."""
    return argv[:1] + ICOUNT + argv[1:]


def with_kernel(argv, path):
    """argv booting the kernel at path instead (the debug kernel)."""
    out = list(argv)
    i = out.index("-kernel")
    out[i + 1] = path
    return out


# ---- kernel coverage (tools/selfcheck.py, tools/fencecov.py) ----------------
# With AQUA_COVERAGE=dir every boot logs the guest code QEMU translates
# (-d in_asm: every instruction of a block, the first time execution reaches
# it) into its own file in dir, beside a .json naming the test
# (PYTEST_CURRENT_TEST) and the argv (its -kernel).  AQUA_COVERAGE_DFILTER
# (QEMU's -dfilter ranges) keeps user code out of the log.  The grader
# never sets either: only the self-check's reference run does.
COVERAGE_ENV = "AQUA_COVERAGE"


def coverage_argv(argv):
    where = os.environ.get(COVERAGE_ENV)
    if not where:
        return argv
    fd, log = tempfile.mkstemp(prefix="boot-", suffix=".log", dir=where)
    os.close(fd)
    with open(log[:-len(".log")] + ".json", "w") as f:
        json.dump({"test": os.environ.get("PYTEST_CURRENT_TEST", ""), "argv": argv}, f)
    extra = ["-d", "in_asm", "-D", log]
    if os.environ.get(COVERAGE_ENV + "_DFILTER"):
        extra += ["-dfilter", os.environ[COVERAGE_ENV + "_DFILTER"]]
    return argv[:1] + extra + argv[1:]


# ---- measuring a test's cost (make grade-costs, tools/costs.py) ---------------
# With AQUA_MEASURE=1 every single-CPU boot runs under `-icount shift=0`
# and a QMP socket; a thread asks QEMU for its instruction count
# (query-replay's icount, kept whether or not record/replay is on) every
# POLL seconds, and the last answer before QEMU exits is the boot's count.
# Instructions do not depend on how loaded the host is; the wall-clock
# seconds are kept beside them (grade/limits.py turns those into time
# limits).  Boots with more CPUs are not put under icount: it runs every
# vCPU in one host thread in turn, so their counts depend on how QEMU
# interleaves them.  (They used to take minutes, or hang, too: a CPU
# spinning for another that QEMU did not let run.  cpu_busy_cycle in
# every spin loop and wfi in RISC-V's wait for a hart to start fixed that;
# test_icount_smp checks it.)  A boot that asked for -icount itself is
# left as it is.
MEASURE_ENV = "AQUA_MEASURE"
POLL = 0.1


def measuring(argv=None):
    if os.environ.get(MEASURE_ENV) != "1":
        return False
    if argv is None:
        return True
    if ICOUNT[0] in argv:
        return False
    i = argv.index("-smp") if "-smp" in argv else -1
    return i >= 0 and i + 1 < len(argv) and argv[i + 1].split(",")[0] == "1"


class IcountProbe:
    def __init__(self):
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="aqua-qmp-")
        self.path = os.path.join(self.dir, "qmp.sock")
        self.insns = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def argv(self, argv):
        return with_icount(argv[:1] + ["-qmp", f"unix:{self.path},server=on,wait=off"]
                           + argv[1:])

    def start(self):
        self._thread.start()

    def _poll(self):
        import json
        import socket
        end = time.monotonic() + 30
        sock = None
        while sock is None and not self._stop.is_set() and time.monotonic() < end:
            try:
                sock = socket.socket(socket.AF_UNIX)
                sock.connect(self.path)
            except OSError:
                sock.close()
                sock = None
                time.sleep(0.05)
        if sock is None:
            return
        try:
            f = sock.makefile("rw", encoding="utf-8")
            f.readline()
            f.write('{"execute": "qmp_capabilities"}\n')
            f.flush()
            f.readline()
            while not self._stop.is_set():
                f.write('{"execute": "query-replay"}\n')
                f.flush()
                while True:             # skip asynchronous events
                    line = f.readline()
                    if not line:
                        return
                    d = json.loads(line)
                    if "return" in d or "error" in d:
                        break
                if "return" in d and "icount" in d["return"]:
                    self.insns = int(d["return"]["icount"])
                self._stop.wait(POLL)
        except (OSError, ValueError):
            pass
        finally:
            sock.close()

    def stop(self):
        self._stop.set()
        self._thread.join(5)
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.insns


def decode_exit(arch, rc):
    """QEMU's exit status -> the status the guest passed to poweroff().

    How a port's QEMU carries it is in its arch/<arch>/port.toml ([exit]):
    on x86_64 poweroff(n) writes n to the isa-debug-exit port and QEMU
    exits (n << 1) | 1, poweroff(0) is ACPI S5 and exits 0, so 1 means
    QEMU itself failed; on RISC-V the test finisher exits with n itself.
    None = not a guest power-off.
    """
    return ports.get(arch).decode_exit(rc)


def encode_exit(arch, status):
    """The QEMU exit status a guest poweroff(status) produces."""
    return ports.get(arch).encode_exit(status)


class RunClock:
    """Time limits that host load cannot shorten.

    A time-out means "the guest had this long and did not finish", so the
    clock that runs out must count only the time QEMU could have used.  On
    a busy host (two `make test`s, a class's submissions graded in
    parallel) QEMU's threads wait for a CPU, and the wall clock runs on
    while the guest stands still (grade/host/test_run_clock.py starves a
    program that way).  So: elapsed() is wall time since start() less the
    longest time any one QEMU thread sat runnable without a CPU (Linux's
    per-thread run-queue delay, the second field of /proc/PID/task/TID/schedstat, in
    ns).  A hang still times out at full speed: a guest spinning in a loop
    runs, and an idle, deadlocked guest sleeps; neither waits for a CPU.
    Where schedstat cannot be read, elapsed() is the wall clock.  Time the
    hypervisor takes from the whole machine (steal) is no run-queue wait
    and is not seen here (grade/README.md, "Time limits").
    """

    def __init__(self, pid=None):
        self.start(pid)

    def start(self, pid):
        """Count from now, for process pid."""
        self.pid = pid
        self.t0 = time.monotonic()
        self.delays = {}        # tid -> its run-queue delay (ns), when last read
        self.base = self._read()    # what the threads had waited before now

    def _read(self):
        delays = {}
        if self.pid is None:
            return delays
        try:
            tids = os.listdir(f"/proc/{self.pid}/task")
        except OSError:
            return delays
        for tid in tids:
            try:
                with open(f"/proc/{self.pid}/task/{tid}/schedstat") as f:
                    delays[tid] = int(f.read().split()[1])
            except (OSError, IndexError, ValueError):
                pass
        return delays

    def wall(self):
        return time.monotonic() - self.t0

    def waited(self):
        """Seconds since start() that the longest-waiting thread spent
        waiting for a CPU (a thread that has exited keeps its last figure)."""
        self.delays.update(self._read())
        return max((d - self.base.get(t, 0) for t, d in self.delays.items()), default=0) / 1e9

    def elapsed(self):
        return max(0.0, self.wall() - self.waited())

    def left(self, limit):
        """Seconds still to run before limit.  The run clock never runs
        ahead of the wall clock, so while the wall clock is short of the
        limit its figure is an upper bound and /proc need not be read: the
        grader asks after every chunk of console output, and only a boot
        that load has stretched past its limit pays for the reads.  (QEMU's
        vCPU and main threads live as long as QEMU: reading late loses no
        wait.)"""
        left = limit - self.wall()
        return left if left > 0 else limit - self.elapsed()

    def describe(self):
        """For a time-out message: the wall time too, when load stretched it."""
        wall, run = self.wall(), self.elapsed()
        if wall > run * 1.2 + 1:
            return f" ({wall:.0f} s on the wall clock: the host was busy, QEMU waited {wall - run:.0f} s for a CPU)"
        return ""


@dataclasses.dataclass
class BootResult:
    arch: str
    argv: list
    output: str = ""            # console, "\r\n" turned into "\n"
    stderr: str = ""            # QEMU's own complaints
    returncode: int | None = None
    timed_out: bool = False
    load_note: str = ""         # on a time-out: how long the host kept QEMU waiting
    elapsed: float = 0.0
    panic: object = None        # backtrace.Panic
    log_path: str = ""
    key: object = None          # the boot's verdict.Key (harness.boot sets it)
    program: str = ""           # what run= asked for, arguments included


    insns: int | None = None    # guest instructions (AQUA_MEASURE=1 only)

    @property
    def lines(self):
        return self.output.splitlines()

    @property
    def guest_status(self):
        """The status given to poweroff(), from QEMU's exit status."""
        return decode_exit(self.arch, self.returncode)

    def init_exit(self):
        """(path, status) from init's `... exited with status N` line, or None."""
        m = None
        for m in INIT_EXIT_RE.finditer(self.output):
            pass
        return None if m is None else (m.group(1), int(m.group(2)))

    def tail(self, n=25):
        return self.lines[-n:]


_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[A-Za-z]|[A-Za-z])")


def clean(text):
    """Console bytes -> plain lines: drop terminal escapes (the firmware
    clears the screen) and carriage returns."""
    return _ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "")


def die_with_parent():
    """In a child just before exec: get SIGKILL when the parent dies.

    QEMU runs in its own session (so that _kill can end it with whatever it
    started), so killing the grader's process group does not reach it: a
    batch or Gradescope run that hit its hard time-out left QEMUs running.
    With PR_SET_PDEATHSIG the kernel ends QEMU when the grader process that
    started it is gone, however that happened (Linux; elsewhere a no-op).
    """
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _kill(proc):
    """End QEMU and anything it started (it runs in its own session)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            proc.kill()
        except ProcessLookupError:
            pass


def write_log(path, header, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", errors="replace") as f:
        for k, v in header:
            f.write(f"# {k}: {v}\n")
        f.write("# ---- console ----\n")
        f.write(text)
        if text and not text.endswith("\n"):
            f.write("\n")


# On a time-out the grader asks the kernel for its process list before it
# kills QEMU: Ctrl-P on the console (kern/console.c -> proc_dump) prints
# pid, state, CPU, name and wait channel of every process, which says at
# once what was stuck (a parent asleep in "ppwait" that nobody woke, a
# child spinning on a CPU).  The dump is read until the console has been
# quiet for DUMP_QUIET seconds after its header, DUMP_GRACE at most.
CTRL_P = b"\x10"
DUMP_HEADER = re.compile(r"^\s*PID\s+PPID\s+STATE\s+CPU\s+NAME\s+WAIT\s*$", re.M)
DUMP_GRACE = 5.0
DUMP_QUIET = 0.5


def _ask_process_list(proc, sel, out, err):
    """Send Ctrl-P and read the kernel's process list into out."""
    try:
        proc.stdin.write(CTRL_P)
        proc.stdin.flush()
    except (OSError, ValueError):
        return
    start = len(out)
    end = time.monotonic() + DUMP_GRACE
    quiet_since = time.monotonic()
    while time.monotonic() < end:
        events = sel.select(timeout=0.1)
        for key, _ in events:
            data = os.read(key.fileobj.fileno(), 65536)
            if not data:
                return
            (out if key.data == "out" else err).extend(data)
            quiet_since = time.monotonic()
        seen = DUMP_HEADER.search(out[start:].decode("utf-8", "replace"))
        if seen and time.monotonic() - quiet_since >= DUMP_QUIET:
            return


def process_list(output):
    """The last Ctrl-P process list in console text (header and rows), or []."""
    m = None
    for m in DUMP_HEADER.finditer(output):
        pass
    if m is None:
        return []
    rows = [output[m.start():m.end()].strip("\n")]
    for line in output[m.end():].splitlines()[1:]:
        if not re.match(r"^\s*\d+\s+\d+\s+\S+\s+-?\d+\s+\S", line):
            break
        rows.append(line)
    return rows


def run_boot(arch, argv, timeout, log_path=None, kernel=None, until=None):
    """Boot, wait for QEMU to exit (or panic, or time-out); return BootResult.

    until: optional compiled regex; when it appears on the console the run
    is ended early (QEMU is killed) and counts as a normal finish.
    """
    res = BootResult(arch, list(argv), log_path=log_path or "")
    argv = coverage_argv(argv)
    probe = IcountProbe() if measuring(argv) else None
    if probe:
        argv = probe.argv(argv)
    start = time.monotonic()
    clock = RunClock()
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True,
                                preexec_fn=die_with_parent)
    except OSError as e:
        raise QemuError(f"cannot start {argv[0]}: {e}") from None
    clock.start(proc.pid)
    if probe:
        probe.start()
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, "out")
    sel.register(proc.stderr, selectors.EVENT_READ, "err")
    out = bytearray()
    err = bytearray()
    limit = timeout             # on the RunClock: host load does not shorten it
    panic_seen = False
    until_hit = False
    scanned = 0
    try:
        open_streams = 2
        while open_streams:
            left = clock.left(limit)
            if left <= 0:
                if not panic_seen:
                    res.timed_out = True
                    res.load_note = clock.describe()
                    _ask_process_list(proc, sel, out, err)
                break
            for key, _ in sel.select(timeout=min(0.5, left)):
                data = os.read(key.fileobj.fileno(), 65536)
                if not data:
                    sel.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                (out if key.data == "out" else err).extend(data)
            if not panic_seen or until is not None:
                text = out.decode("utf-8", "replace")
                # Look only at complete new lines (plus a little overlap).
                chunk = text[max(0, scanned - 200):]
                if not panic_seen and backtrace.find_panic(chunk) >= 0:
                    panic_seen = True
                    limit = min(limit, clock.elapsed() + PANIC_GRACE)
                if until is not None and until.search(chunk):
                    until_hit = True
                    break
                scanned = len(text)
    finally:
        if not res.timed_out and not until_hit:
            # Its console closed: give it a moment to finish exiting, or we
            # would read "still running" and lose the exit status.
            try:
                proc.wait(timeout=max(0.1, min(5.0, clock.left(limit))))
            except subprocess.TimeoutExpired:
                pass
        killed = proc.poll() is None
        _kill(proc)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if probe:
            res.insns = probe.stop()
        sel.close()
        for s in (proc.stdin, proc.stdout, proc.stderr):
            try:
                s.close()
            except OSError:
                pass
    res.elapsed = time.monotonic() - start
    res.returncode = proc.returncode
    if killed:
        # We ended it (time-out, panic without power-off, `until`): its
        # exit status means nothing.
        res.returncode = None
    res.output = clean(out.decode("utf-8", "replace"))
    res.stderr = err.decode("utf-8", "replace")
    res.panic = backtrace.parse_panic(res.output)
    if res.panic is not None and kernel:
        backtrace.symbolize(res.panic, arch, kernel, ROOT)
    if log_path:
        header = [("command", shlex.join(argv)), ("arch", arch),
                  ("elapsed", f"{res.elapsed:.1f} s"),
                  ("qemu exit status", "killed by the grader" if res.returncode is None
                   else res.returncode)]
        if res.insns is not None:
            header.append(("guest instructions (-icount shift=0)", res.insns))
        if res.timed_out:
            header.append(("time-out", f"no power-off after {timeout:.0f} s{res.load_note}"))
        if res.stderr.strip():
            header.append(("qemu stderr", res.stderr.strip().replace("\n", " | ")))
        text = res.output
        if res.panic is not None:
            text += "\n# ---- panic, symbolized by the grader ----\n" + res.panic.render(10**6) + "\n"
        write_log(log_path, header, text)
    return res


# ---- interactive ------------------------------------------------------------

class _Transcript:
    """pexpect logfile_read target: keeps the text and mirrors it to the log."""

    def __init__(self, path):
        self.parts = []
        self.f = None
        if path:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self.f = open(path, "w", encoding="utf-8", errors="replace")

    def write(self, s):
        self.parts.append(s)
        if self.f:
            self.f.write(s)

    def flush(self):
        if self.f:
            self.f.flush()

    def text(self):
        return clean("".join(self.parts))

    def close(self):
        if self.f:
            self.f.close()
            self.f = None


class ShellError(Exception):
    """The session went wrong; .kind is 'panic', 'timeout' or 'eof'."""

    def __init__(self, kind, message, panic=None, processes=()):
        super().__init__(message)
        self.kind = kind
        self.panic = panic
        self.processes = list(processes)    # the kernel's Ctrl-P list, after a time-out


class Shell:
    """Drive aqua6's shell over the serial console with pexpect.

    The guest echoes what we type; run() returns the command's output
    without the echo and without the next prompt.  We end each line with
    a carriage return, as a terminal in raw mode does.
    """

    PROMPT = "$ "
    _PROMPT_RE = r"(?:^|\n)\$ $"

    def __init__(self, arch, argv, log_path=None, kernel=None, boot_timeout=60,
                 cmd_timeout=30):
        import pexpect       # only the interactive tests need it
        self._pexpect = pexpect
        self.arch = arch
        self.argv = argv
        self.kernel = kernel
        self.log_path = log_path
        self.cmd_timeout = cmd_timeout
        self.transcript = _Transcript(log_path)
        if self.transcript.f:
            # Only in the file: the header is not console output.
            self.transcript.f.write(f"# command: {shlex.join(argv)}\n# ---- console ----\n")
        argv = coverage_argv(argv)
        self.probe = IcountProbe() if measuring(argv) else None
        if self.probe:
            argv = self.probe.argv(argv)
        self.insns = None
        self.start = time.monotonic()
        self.child = pexpect.spawn(argv[0], argv[1:], cwd=ROOT, encoding="utf-8",
                                   codec_errors="replace", timeout=cmd_timeout,
                                   echo=False, dimensions=(50, 200),
                                   preexec_fn=die_with_parent)
        self.child.logfile_read = self.transcript
        if self.probe:
            self.probe.start()
        self.exitstatus = None
        self.load_note = ""         # after a time-out: RunClock.describe()
        self.processes = []         # the kernel's Ctrl-P list after a time-out
        self.wait_prompt(boot_timeout, what="the first shell prompt '$ '")

    # Patterns: prompt at the start of a line, a panic line, EOF, time-out.
    def _expect_within(self, patterns, timeout):
        """child.expect(patterns), with a time limit on a RunClock that
        starts now; the index of the pattern seen, or len(patterns) on a
        time-out (self.load_note then says what host load added)."""
        pe = self._pexpect
        clock = RunClock(self.child.pid)
        while True:
            left = clock.left(timeout)
            if left <= 0:
                self.load_note = clock.describe()
                return len(patterns)
            i = self.child.expect(patterns + [pe.TIMEOUT], timeout=min(left, 1.0))
            if i < len(patterns):
                return i

    def _expect(self, patterns, timeout):
        pe = self._pexpect
        full = patterns + [r"(?m)^[^A-Za-z0-9\n]{0,4}panic: ", pe.EOF]
        i = self._expect_within(full, timeout)
        n = len(patterns)
        if i < n:
            return i
        if i == n:
            self._after_panic()
        if i == n + 1:
            self._reap()
            raise ShellError("eof", "QEMU exited (status "
                             f"{self.exitstatus}) while the grader waited for output")
        raise ShellError("timeout", f"no answer within {timeout:.0f} s{self.load_note}",
                         processes=self.ask_process_list())

    def ask_process_list(self):
        """After a time-out: Ctrl-P, and keep the kernel's process list
        (as run_boot does) in self.processes."""
        pe = self._pexpect
        start = len(self.transcript.text())
        end = time.monotonic() + DUMP_GRACE
        try:
            self.child.send(CTRL_P.decode())
            self.child.expect([DUMP_HEADER.pattern.replace("^", "").replace("$", "")],
                              timeout=DUMP_GRACE)
            while time.monotonic() < end:
                self.child.expect([r"\n"], timeout=DUMP_QUIET)
        except (pe.TIMEOUT, pe.EOF, OSError):
            pass
        self.processes = process_list(self.transcript.text()[start:])
        return self.processes

    def _after_panic(self):
        pe = self._pexpect
        try:
            self.child.expect(pe.EOF, timeout=PANIC_GRACE)
        except pe.TIMEOUT:
            pass
        self._reap()
        p = backtrace.parse_panic(self.transcript.text())
        if p is not None and self.kernel:
            backtrace.symbolize(p, self.arch, self.kernel, ROOT)
        raise ShellError("panic", p.message if p else "kernel panic", p)

    def _reap(self):
        try:
            self.child.close(force=True)
        except Exception:
            pass
        self.exitstatus = self.child.exitstatus
        if self.exitstatus is None and self.child.signalstatus is not None:
            self.exitstatus = -self.child.signalstatus

    def wait_prompt(self, timeout=None, what="the shell prompt '$ '"):
        try:
            self._expect([self._PROMPT_RE], timeout or self.cmd_timeout)
        except ShellError as e:
            if e.kind == "timeout":
                e.args = (f"waited {timeout or self.cmd_timeout:.0f} s for {what}{self.load_note}",)
            raise
        return self.child.before

    def run(self, cmd, timeout=None):
        """Type cmd, wait for the next prompt, return the output lines' text."""
        self.child.send(cmd + "\r")
        before = self.wait_prompt(timeout, what=f"the prompt after `{cmd}`")
        text = before.replace("\r\n", "\n").replace("\r", "")
        lines = text.split("\n")
        # The first line is the echo of what we typed.
        if lines and cmd.strip() and cmd.strip() in lines[0]:
            lines = lines[1:]
        return "\n".join(lines).strip("\n")

    def send_and_wait_exit(self, cmd, timeout=None):
        """Type cmd (e.g. poweroff) and wait for QEMU to exit; return its status."""
        pe = self._pexpect
        self.child.send(cmd + "\r")
        i = self._expect_within([r"(?m)^[^A-Za-z0-9\n]{0,4}panic: ", pe.EOF],
                                timeout or self.cmd_timeout)
        if i == 0:
            self._after_panic()
        if i == 2:
            raise ShellError("timeout", f"QEMU still running {timeout or self.cmd_timeout:.0f} s "
                             f"after `{cmd}`{self.load_note}", processes=self.ask_process_list())
        self._reap()
        return self.exitstatus

    def output(self):
        return self.transcript.text()

    def close(self):
        if self.child.isalive():
            self._reap()
        if self.probe:
            self.insns = self.probe.stop()
            self.probe = None
        self.transcript.close()
