"""Signals (part of stage `core`): kill(2) with numbered signals,
sigaction(2) handlers returning through sigreturn(2), masks, default
actions (terminate, ignore, stop, continue), SIGCHLD, waitpid's
WNOHANG/WUNTRACED, alarm(2), faults caught as SIGSEGV, Ctrl-C on the
console (SIGINT to the foreground program; the shell survives), and traps
classified by the port (SIGILL, SIGFPE, SIGBUS, SIGTRAP, SIGSEGV, with
the code a handler gets).
"""


from qemu import ShellError


def test_signals(aqua):
    """/bin/sigtest: every TAP check (see user/tests/sigtest.c)."""
    res = aqua.boot("/bin/sigtest", cpus=2)
    aqua.check_tap(res, "/bin/sigtest")
    aqua.expect_exit(res, "/bin/sigtest", 0)


def test_trap_signals(aqua):
    """/bin/traptest: each kind of user trap gives its own signal and code
    (see user/tests/traptest.c; the cases are the port's, machine/trapcase.h)."""
    res = aqua.boot("/bin/traptest", cpus=2)
    aqua.check_tap(res, "/bin/traptest")
    aqua.expect_exit(res, "/bin/traptest", 0)


def test_signals_ctrl_c(aqua):
    """Ctrl-C ends the foreground program (SIGINT: status 130) and not the shell."""
    with aqua.shell() as sh:
        err = None
        try:
            sh.sh.child.send("sigtest wait\r")
            sh.sh._expect([r"(?m)^waiting\r*\n"], sh.sh.cmd_timeout)
            sh.sh.child.send("\x03")
            sh.sh.wait_prompt(what="the prompt after Ctrl-C")
        except ShellError as e:
            err = e
        if err is not None:
            sh._failed(err, "typing Ctrl-C at `sigtest wait`")
        sh.expect_output("echo status $?", r"^status 130$",
                         what="the status of a program ended by Ctrl-C (128 + SIGINT)")
        sh.expect_output("echo alive", r"^alive$",
                         what="the shell survives Ctrl-C (it ignores SIGINT)")
