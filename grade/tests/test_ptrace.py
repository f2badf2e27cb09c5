"""Stage `ptrace`: ptrace(2) and FORK_PTRACE (docs/labs/ptrace.md).

Each test boots /bin/ptracetest with one group of TAP checks, or runs the
debugger dbg(1) on /bin/echo.
"""

import re


def test_ptrace_fork(aqua):
    """FORK_PTRACE: the child stops with SIGTRAP before user code and at exec; errors."""
    res = aqua.boot("/bin/ptracetest fork", cpus=2)
    aqua.check_tap(res, "/bin/ptracetest fork")
    aqua.expect_exit(res, "/bin/ptracetest fork", 0)


def test_ptrace_peekpoke(aqua):
    """PT_READ_D/PT_WRITE_D and a breakpoint in shared read-only text (child's copy only)."""
    res = aqua.boot("/bin/ptracetest peek", cpus=2)
    aqua.check_tap(res, "/bin/ptracetest peek")
    aqua.expect_exit(res, "/bin/ptracetest peek", 0)


def test_ptrace_step(aqua):
    """PT_STEP: 200 single steps (x86_64 trap flag; RISC-V breakpoints)."""
    res = aqua.boot("/bin/ptracetest step", cpus=2)
    aqua.check_tap(res, "/bin/ptracetest step")
    aqua.expect_exit(res, "/bin/ptracetest step", 0)


def test_dbg(aqua):
    """dbg /bin/echo hi: break at main, step ten times, continue to `hi` and the exit."""
    with aqua.shell() as sh:
        out = sh.run("dbg -c 'b main;c;s 10;regs;c' /bin/echo hi")
        if not re.search(r"(?m)^breakpoint at main \(0x[0-9a-f]+\)", out):
            sh.fail("dbg stops at main", expected="a line 'breakpoint at main (0x...)'",
                    got=out or "(no output)")
        steps = re.findall(r"(?m)^step pc 0x[0-9a-f]+$", out)
        if len(steps) != 10:
            sh.fail("dbg steps ten instructions", expected="ten lines 'step pc 0x...'",
                    got=out or "(no output)")
        if not re.search(r"(?m)^hi\r?$", out) or not re.search(r"(?m)^exited with status 0$", out):
            sh.fail("dbg continues to the end", expected="'hi' then 'exited with status 0'",
                    got=out or "(no output)")
