"""Host tests for what a failure report says (no QEMU): canned console
text goes through the harness and tap.py as a real boot's would, and the
report a student reads is checked.

  * firmware (OpenSBI, SeaBIOS) is left out of reports, not out of logs,
    and a kernel line printed before the banner stays;
  * exit statuses are decoded (139 -> killed by SIGSEGV) from
    include/aqua/signal.h;
  * every kernel self-test check carries a reason (kern/ktest/*.c);
  * init's child that died before exec, and a program that printed no
    TAP at all, are explained.
"""

import os
import pathlib
import re
import sys

import pytest

GRADE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(GRADE)
if GRADE not in sys.path:
    sys.path.insert(0, GRADE)

import harness  # noqa: E402
import qemu  # noqa: E402
import tap  # noqa: E402
import verdict  # noqa: E402

# What OpenSBI v1.1 prints before the kernel on QEMU's virt machine
# (shortened, but each kind of line is there: logo, tables, blanks).
OPENSBI = """
OpenSBI v1.1
   ____                    _____ ____ _____
  / __ \\                  / ____|  _ \\_   _|
 | |  | |_ __   ___ _ __ | (___ | |_) || |
 | |  | | '_ \\ / _ \\ '_ \\ \\___ \\|  _ < | |
 | |__| | |_) |  __/ | | |____) | |_) || |_
  \\____/| .__/ \\___|_| |_|_____/|____/_____|
        | |
        |_|

Platform Name             : riscv-virtio,qemu
Platform HART Count       : 2
Firmware Size             : 304 KB

Domain0 Name              : root
Domain0 Region00          : 0x0000000002000000-0x000000000200ffff (I)
Domain0 Next Mode         : S-mode

Boot HART ID              : 0
Boot HART PMP Address Bits: 54
Boot HART MHPM Count      : 16
Boot HART MEDELEG         : 0x0000000000f0b509
"""

BANNER = "\naqua6: riscv64, 2 CPUs, 253 MiB\n"

# From a real boot whose init child faults before exec (user/bin/init.c
# was made to write to address 0 in the child, for /bin/systest).
DIED_BEFORE_EXEC = (OPENSBI + BANNER +
                    "pid 3 (init): page fault (write) at 0x0 pc 0x4000e0 -- killed\n"
                    "init: the child (pid 3) forked to run /bin/systest died before exec "
                    "(killed by signal 11)\n"
                    "init: leak check: pages 64525 -> 64525, procs 2 -> 2, files 1 -> 1\n"
                    "init: /bin/systest exited with status 139\n")

FIRMWARE_WORDS = ("OpenSBI", "Boot HART", "Domain0", "Platform", "____", "SeaBIOS", "iPXE")


class _Node:
    name = "test_systest[riscv-cpus1]"
    originalname = "test_systest"
    path = pathlib.Path(ROOT) / "grade" / "tests" / "test_core.py"

    def __init__(self):
        self.user_properties = []


class _Request:
    def __init__(self):
        self.node = _Node()


def _harness():
    return harness.Harness(_Request(), "riscv", ["core"])


def _report(call, *args, **kw):
    """The text of the failure that call(*args) stops the test with."""
    with pytest.raises(pytest.fail.Exception) as e:
        call(*args, **kw)
    return str(e.value)


def sign_console(console, key, program):
    """console with the signed lines a pristine program and init would
    have added (user/lib/verdict.c), for consoles these tests build by
    hand.  The program's letters follow its TAP lines, its exit status and
    init's follow init's plain lines."""
    t = tap.parse(console)
    init = qemu.INIT_EXIT_RE.search(console)
    argv = verdict.split_args(program)
    lines = []
    if t.planned is not None or t.checks:
        n = t.planned if t.planned is not None else max(c.number for c in t.checks)
        ok = {c.number for c in t.checks if c.ok and not c.missing}
        letters = "".join("." if i in ok else "F" for i in range(1, n + 1))
        summary = f"{n} {letters} exit {int(init.group(2)) & 0xff if init else 0}"
        lines.append(f"# verdict {summary} hmac {verdict.sign(key, 'tap', argv, summary)}")
    if init:
        leak = harness.LEAK_RE.search(console)
        summary = f"exit {init.group(2)} leak " + (" ".join(leak.groups()) if leak else "none")
        lines.append(f"init: verdict {summary} hmac {verdict.sign(key, 'init', argv, summary)}")
    if not lines:
        return console
    return console + ("\n" if console and not console.endswith("\n") else "") + \
        "\n".join(lines) + "\n"


def _result(output, returncode=None, program="/bin/t"):
    """A boot's result, signed as a pristine program and init would have
    signed that console (grade/verdict.py)."""
    key = verdict.Key.fresh()
    return qemu.BootResult("riscv", [], output=sign_console(output, key, program),
                           returncode=returncode, key=key, program=program)


# ---- firmware ----------------------------------------------------------------

def test_tap_got_line_has_no_opensbi_lines():
    """Check 1's context used to be the end of OpenSBI's table."""
    t = tap.parse(OPENSBI + BANNER + "1..2\n# got 3, want 4\nnot ok 1 - a\nok 2 - b\n")
    text = "\n".join(tap.describe_failures(t))
    assert not any(w in text for w in FIRMWARE_WORDS), text
    assert "got:      aqua6: riscv64" in text or "got:      # got 3, want 4" in text


def test_report_console_tail_has_no_firmware_but_the_log_does(tmp_path):
    out = OPENSBI + BANNER + "1..1\nnot ok 1 - a\ninit: /bin/t exited with status 1\n"
    h = _harness()
    rep = _report(h.check_tap, _result(out, 1), "/bin/t")
    assert not any(w in rep for w in FIRMWARE_WORDS), rep
    assert "console since the boot banner:" in rep
    # The log keeps every byte of the console.
    log = tmp_path / "t.log"
    qemu.write_log(str(log), [], out)
    assert "Boot HART PMP Address Bits: 54" in log.read_text()


def test_kernel_line_before_the_banner_is_kept():
    """An early panic comes before the banner: it is the line that matters."""
    lines = (OPENSBI + "panic: early trap pc 0x80200010\n").splitlines()
    kept = harness._from_banner(lines)
    assert kept == ["panic: early trap pc 0x80200010"], kept
    x86 = ["SeaBIOS (version 1.16.2-debian-1.16.2-1)", "iPXE (http://ipxe.org) 00:02.0",
           "Booting from ROM..", "aqua6: no PVH start info"]
    assert harness._from_banner(x86) == ["aqua6: no PVH start info"]
    # After the banner nothing is dropped, whatever it looks like.
    after = ["aqua6: x86_64, 2 CPUs, 253 MiB", "Platform Name : mine", "OpenSBI v9"]
    assert harness._from_banner(after) == after


# ---- exit statuses -------------------------------------------------------------

def test_status_139_reads_killed_by_sigsegv():
    import explain
    assert explain.describe_status(139) == "killed by SIGSEGV, signal 11"
    assert explain.describe_status(137) == "killed by SIGKILL, signal 9"
    assert "exec failed" in explain.describe_status(127)
    assert "could not exec" in explain.describe_status(126)
    assert explain.describe_status(0) == explain.describe_status(1) == ""
    # The names come from the kernel's header, all of them.
    hdr = open(os.path.join(ROOT, "include", "aqua", "signal.h")).read()
    n = len(re.findall(r"(?m)^#define\s+SIG[A-Z0-9]+\s+\d+", hdr))
    assert len(explain.signal_names()) == n and explain.signal_names()[13] == "SIGPIPE"


def test_expect_exit_decodes_the_status():
    out = BANNER + ("init: leak check: pages 1 -> 1, procs 2 -> 2, files 1 -> 1\n"
                    "init: /bin/t exited with status 139\n")
    rep = _report(_harness().expect_exit, _result(out, 139), "/bin/t", 0)
    assert "got:      status 139 (killed by SIGSEGV, signal 11)" in rep, rep
    # init's line in the console tail says it too (and only once).
    assert rep.count("exited with status 139 (killed by SIGSEGV, signal 11)") == 1, rep


# ---- ktest reasons ---------------------------------------------------------------

def _calls(src, name):
    """The argument lists of each call name(...) in C source (not the definitions)."""
    for m in re.finditer(r"(?<![\w.>])%s\(" % name, src):
        line_start = src.rfind("\n", 0, m.start()) + 1
        if src[line_start:m.start()].strip() == "" and src[m.start() - 1] == "\n":
            continue                    # "check(int ok, ...)" at column 0: a definition
        depth, i, args, cur = 1, m.end(), [], ""
        in_str = False
        while depth:
            c = src[i]
            if in_str:
                cur += c
                if c == "\\":
                    cur += src[i + 1]
                    i += 1
                elif c == '"':
                    in_str = False
            elif c == '"':
                in_str = True
                cur += c
            elif c == "(":
                depth += 1
                cur += c
            elif c == ")":
                depth -= 1
                if depth:
                    cur += c
            elif c == "," and depth == 1:
                args.append(cur.strip())
                cur = ""
            else:
                cur += c
            i += 1
        args.append(cur.strip())
        yield src.count("\n", 0, m.start()) + 1, args


def test_every_ktest_check_gives_a_reason():
    """A failed kernel self-test prints what it expected and what it found:
    each check(ok, what, why, ...) has a why."""
    bare = []
    n = 0
    for f in ("kern/ktest/ktest.c", "kern/ktest/ktest_fork1.c", "kern/ktest/report.c"):
        src = open(os.path.join(ROOT, f)).read()
        for name in ("check", "ktest_check"):
            for line, args in _calls(src, name):
                n += 1
                if len(args) < 3 or not args[2].startswith('"'):
                    bare.append(f"{f}:{line}: {name}({', '.join(args)[:60]}...)")
        # Counting a failure without printing it leaves holes in the TAP.
        assert not re.search(r"test_failed\s*\+=\s*[2-9]", src), f"{f}: a silent skip"
    assert n > 50
    assert not bare, "checks without a reason:\n" + "\n".join(bare)


def test_ktest_reason_shows_as_got():
    """The kernel prints the reason before 'not ok', as tap.h does."""
    src = open(os.path.join(ROOT, "kern", "ktest", "report.c")).read()
    assert re.search(r'printf\("# "\);\s*(?:va_start\(ap, why\);\s*)?vprintf\(why, ap\);'
                     r'.*?printf\("%sok %d - %s\\n"',
                     src, re.S), "report.c prints the reason after the check, or not at all"
    out = (BANNER + "1..2\nok 1 - a\n# page_refcount() after page_ref is 1, want 2\n"
           "not ok 2 - page_ref counts a second user\n")
    text = "\n".join(tap.describe_failures(tap.parse(out)))
    assert "got:      # page_refcount() after page_ref is 1, want 2" in text


# ---- the child died before exec; no TAP at all ------------------------------------

def test_init_prints_the_line_the_grader_reads():
    """user/bin/init.c's died-before-exec printf and explain's regex agree."""
    import explain
    src = open(os.path.join(ROOT, "user", "bin", "init.c")).read()
    fmts = re.findall(r'printf\("(init: the child \(pid %d\) forked to run %s died "\s*'
                      r'"before exec \([^"]*)\\n"', src)
    assert len(fmts) == 2, fmts
    for fmt in fmts:
        line = re.sub(r'"\s*"', "", fmt).replace("%d", "3", 1).replace("%s", "/bin/x")
        line = line.replace("%d", "11")
        assert explain.died_before_exec(line) is not None, line


def test_child_died_before_exec_is_explained():
    h = _harness()
    rep = _report(h.check_tap, _result(DIED_BEFORE_EXEC, 139), "/bin/systest")
    first = rep.splitlines()[0]
    assert "init's child for /bin/systest died before it could exec" in first, rep
    assert "SIGSEGV" in first
    assert "0/0 checks passed" not in rep
    assert "fork1 or the return to user space of a new process is broken" in rep
    assert "`pid 3 (init): page fault (write) at 0x0 pc 0x4000e0 -- killed` is that child" \
        in rep
    # And in the console tail, init's line names the signal.
    assert "died before exec (killed by SIGSEGV, signal 11)" in rep
    # The same hint when a test only checks the exit status.
    rep = _report(h.expect_exit, _result(DIED_BEFORE_EXEC, 139), "/bin/systest", 0)
    assert "init's child for /bin/systest died before it could exec" in rep, rep


@pytest.mark.parametrize("tail, want", [
    ("init: exec /bin/nosuch: No such file or directory\n"
     "init: /bin/nosuch exited with status 127\n",
     "/bin/nosuch never started: init could not exec it (No such file or directory)"),
    ("pid 4 (t): page fault (read) at 0x0 pc 0x400010 -- killed\n"
     "init: /bin/t exited with status 139\n",
     "/bin/t was killed by SIGSEGV, signal 11 before it printed anything; the kernel "
     "said: pid 4 (t): page fault"),
    ("init: /bin/t exited with status 0\n",
     "/bin/t started and exited with status 0 without printing a TAP plan line"),
    ("", "init never reported the end of the program"),
])
def test_no_tap_output_says_what_happened(tail, want):
    prog = "/bin/nosuch" if "nosuch" in tail else "/bin/t"
    rep = _report(_harness().check_tap, _result(OPENSBI + BANNER + tail), prog)
    first = rep.splitlines()[0]
    assert first.startswith(f"FAILED: `{prog}` printed no TAP output"), rep
    assert want in first, rep
    assert "0/0 checks passed" not in rep


def test_no_banner_at_all():
    rep = _report(_harness().check_tap, _result(OPENSBI), "/bin/t")
    assert "never printed its boot banner" in rep.splitlines()[0], rep
    assert "console (firmware lines left out):" in rep, rep


def test_child_named_init_is_recognized_without_inits_line():
    """Even without init's died-before-exec line, a killed pid other than
    1 that is still called init is init's child before its exec."""
    out = OPENSBI + BANNER + ("pid 3 (init): page fault (write) at 0x0 pc 0x4000e0 -- killed\n"
                              "init: /bin/systest exited with status 139\n")
    rep = _report(_harness().check_tap, _result(out, 139), "/bin/systest")
    assert "init's child for /bin/systest (pid 3, still called 'init')" in rep, rep
    assert "before it could exec" in rep.splitlines()[0]


# ---- trust: what the console says about which program ran ----------------------

def test_expect_exit_wants_init_line_of_the_program_asked_for():
    """`init: /bin/true exited with status 0` does not finish /bin/systest:
    a kernel that runs something else, or prints the line itself, failed."""
    out = BANNER + ("init: leak check: pages 1 -> 1, procs 2 -> 2, files 1 -> 1\n"
                    "init: /bin/true exited with status 0\n")
    rep = _report(_harness().expect_exit, _result(out, 0), "/bin/systest", 0)
    assert "another program" in rep and "init: /bin/true exited with status 0" in rep, rep
