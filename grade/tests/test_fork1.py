"""Stages ppwait, sharefiles, idle, nozombie and system of assignment fork1:
the FORK_* flags of fork1(9), each one a stage (docs/labs/<stage>.md).

Each test boots once and runs one TAP program: a user test program
(user/tests/<name>.c) or a kernel self-test group (`ktest <group>`,
kern/ktest/ktest_fork1.c).  The programs never rely on speed: a child that
must not finish before its parent looked waits for an event (the parent
asleep, a byte on a pipe), and polls give up only after many seconds,
which only a failing kernel reaches.  User programs run on 1 and on 4
CPUs: the interleavings differ.
"""

import pytest

CPUS = pytest.mark.parametrize("cpus", [1, 4], ids=["cpus1", "cpus4"])


def run_tap(aqua, program, cpus=2, debug=False):
    res = aqua.boot(program, cpus=cpus, debug=debug)
    aqua.check_tap(res, program)
    aqua.expect_exit(res, program, 0)
    return res


# ---- ppwait: FORK_PPWAIT (vfork) ---------------------------------------------


@CPUS
def test_ppwait(aqua, cpus):
    """/bin/ppwaittest: vfork and rfork1(FORK_PPWAIT) parents resume only
    after the child's work and exit; a kill or an exec releases them; a
    vforked child that execs a program that vforks does not deadlock; a
    parent killed while it waits goes on waiting (a wakeup that is not the
    child's does not end the wait); a child released at its exec does not
    release its parent again when it exits."""
    run_tap(aqua, "/bin/ppwaittest", cpus=cpus)


def test_ppwait_ktest(aqua):
    """ktest ppwait: fork1(FORK_PPWAIT) returns only once the child exited,
    and the wait is set up before the child can run (fork_ktest_hook holds
    the parent after fork_start until the child has run)."""
    run_tap(aqua, "/bin/ktest ppwait")


# ---- sharefiles: FORK_SHAREFILES (fdshare vs fdcopy) --------------------------


@CPUS
def test_sharefiles(aqua, cpus):
    """/bin/sharefilestest: open/close/dup2 in a FORK_SHAREFILES child are
    seen by the parent, not without the flag; offsets are shared either
    way; the table's files close when its last user exits (nfile)."""
    run_tap(aqua, "/bin/sharefilestest", cpus=cpus)


def test_sharefiles_race(aqua):
    """/bin/fdracetest: processes sharing one descriptor table (FORK_SHAREFILES)
    read, write, dup, fstat and sleep in a pipe read on a descriptor while
    another closes it and opens another file under the number, 2000 rounds
    each (write 500, the pipe 125) on 4 CPUs.  Each call holds a reference
    to the file it uses (fd_getfile/FRELE): it does its work or fails with
    EBADF, and the kernel does not panic (it did: "panic: iunlock",
    "file_dup: free file")."""
    run_tap(aqua, "/bin/fdracetest 2000", cpus=4)


def test_sharefiles_ktest(aqua):
    """ktest sharefiles on 4 CPUs: fdshare hands out the same table with
    one more user, fdfree drops one, and four kernel threads sharing and
    freeing one table 20000 times each at once leave its count where it
    began (a count changed without fdpool_lock loses updates)."""
    run_tap(aqua, "/bin/ktest sharefiles", cpus=4)


# ---- idle: FORK_IDLE ----------------------------------------------------------


@CPUS
def test_idle_ktest(aqua, cpus):
    """ktest idle: a FORK_IDLE child stays in SIDL (procinfo says so), is
    never scheduled, can be set up, and runs after proc_setrunnable."""
    run_tap(aqua, "/bin/ktest idle", cpus=cpus)


def test_idle_twice(aqua):
    """ktest idle-twice (booted with ktest.panic=1, as test_panic_report):
    a proc_setrunnable of a FORK_IDLE child that has already run and exited
    panics ("proc_setrunnable: pid N in state S"): a second start is a
    kernel bug, to be caught, neither ignored nor obeyed."""
    res = aqua.boot("/bin/ktest idle-twice", cpus=2, allow_panic=True,
                    extra_bootargs="ktest.panic=1")
    p = res.panic
    if p is None:
        aqua.fail("proc_setrunnable of a zombie panics",
                  expected="panic: proc_setrunnable: pid N in state S",
                  got="no panic: the second proc_setrunnable was ignored (the stage asks "
                      "for a panic on a process neither SIDL nor SSLEEP)",
                  console=res.output)
    if "proc_setrunnable" not in p.message:
        aqua.fail("proc_setrunnable of a zombie panics in proc_setrunnable",
                  expected="panic: proc_setrunnable: pid N in state S",
                  got=f"panic: {p.message} (was the zombie made runnable?)", panic=p)


# ---- nozombie: FORK_NOZOMBIE ----------------------------------------------------


@CPUS
def test_nozombie(aqua, cpus):
    """/bin/nozombietest: wait does not count FORK_NOZOMBIE children
    (ECHILD), they are never zombies and their slots come back."""
    run_tap(aqua, "/bin/nozombietest", cpus=cpus)


# ---- system: FORK_SYSTEM and kthread_create ------------------------------------

def test_system(aqua):
    """/bin/systemtest: the kernel thread [reaper] is a system process
    (PI_SYSTEM, ppid 0, kill gives EPERM), init cannot be killed, the
    per-user limit ignores system processes; ps shows `[reaper]` (read by
    systemtest through a pipe, so the check is signed)."""
    run_tap(aqua, "/bin/systemtest", cpus=2)


def test_system_ktest(aqua):
    """ktest system: kthread_create makes a named P_SYSTEM|P_NOZOMBIE child
    of proc0 that kill cannot touch; FORK_SYSTEM children are not held to
    the per-user limit (the table fills, then EAGAIN); nothing leaks; with
    the user at its limit, a FORK_SYSTEM fork and a system process's own
    fork still succeed."""
    run_tap(aqua, "/bin/ktest system")
