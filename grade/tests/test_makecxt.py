"""Stages of the `contexts` assignment: makecxt(2) and its MAKECXT_* flags.

Each test boots once and runs one group of /bin/makecxttest (TAP, one
check per test of the group; user/tests/makecxttest.c says what each
does).  A group uses only its own stage and earlier ones.

    makecxt        test_makecxt_base, test_makecxt_fuzz
    makecxt-fork   test_makecxt_fork, test_makecxt_example
    fixed-pid      test_makecxt_fixed_pid
    fixed-move     test_makecxt_fixed_move
"""



def run_group(aqua, group, cpus=2):
    cmd = f"/bin/makecxttest {group}"
    res = aqua.boot(cmd, cpus=cpus)
    aqua.check_tap(res, cmd)
    aqua.expect_exit(res, cmd, 0)
    return res


# ---- stage makecxt ------------------------------------------------------------


def test_makecxt_base(aqua):
    """A range of pages and a register set make a process: it runs a code
    blob at the moved address on the moved stack, with its arguments in
    registers, writes to an inherited pipe and exits; every general
    register starts as given; the pages are copies, whole pages (a range
    ending inside a page brings all of it), with the caller's protection
    (text stays read-only), and nothing else is mapped; the pid asked for
    is granted when free (99999 too), not when taken (a zombie's too); the
    errors of the man page (EINVAL, EFAULT) make nothing; caught signals
    are not inherited; fork1's limit is EAGAIN and keeps no page; no page
    leaks."""
    run_group(aqua, "base")


def test_makecxt_fuzz(aqua):
    """Two processes make 600 makecxt() calls with spoiled arguments on 2
    CPUs: no panic, only documented errors, every page and slot back."""
    run_group(aqua, "fuzz")


# ---- stage makecxt-fork ---------------------------------------------------------


def test_makecxt_fork(aqua):
    """MAKECXT_COPY_CONTEXT (= MAKECXT_FORK): the child resumes after the
    system call (at the very next instruction) with makecxt() returning 0,
    also in the range form, as a copy (memory and descriptors) of the
    caller; cxt is ignored; a partial range gives the child only that
    range; the whole-space form is exactly NULL, NULL, (size_t)-1 and
    needs the flag."""
    run_group(aqua, "fork")


def test_makecxt_example(aqua):
    """The seed's EXAMPLE, compiled unchanged (/bin/cxt_example), prints
    `Calling from process: N` twice, from two different processes
    (makecxttest reads them through a pipe and signs the check)."""
    run_group(aqua, "example")


# ---- stage fixed-pid --------------------------------------------------------------


def test_makecxt_fixed_pid(aqua):
    """MAKECXT_FIXED_PID: exactly the pid asked for when it is free; EEXIST
    when a process (ourselves, init, a live child, a zombie) has it, with
    nothing made; EINVAL outside 1..99999; later forks skip the pid;
    without the flag the pid is only a wish."""
    run_group(aqua, "fixed-pid")


# ---- stage fixed-move --------------------------------------------------------------


def test_makecxt_fixed_move(aqua):
    """MAKECXT_FIXED_MOVE: a range with an unmapped page is EAGAIN (and
    works without the flag); a fully mapped range works; a failed call
    leaves no process, no page and uses no pid."""
    run_group(aqua, "fixed-move")
