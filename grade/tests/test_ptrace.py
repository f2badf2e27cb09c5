"""Stage `ptrace`: ptrace(2) and FORK_PTRACE (docs/labs/ptrace.md).

Each test boots /bin/ptracetest with one group of TAP checks, or runs the
debugger dbg(1) on /bin/echo.
"""



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
    """dbg /bin/echo hi: break at main, step ten times, continue to `hi` and
    the exit (ptracetest runs dbg with its output on a pipe and signs the
    checks)."""
    res = aqua.boot("/bin/ptracetest dbg", cpus=2)
    aqua.check_tap(res, "/bin/ptracetest dbg")
    aqua.expect_exit(res, "/bin/ptracetest dbg", 0)
