"""Thread-local storage and local segments (issue 11).

Each test boots once and runs one group of /bin/tlstest (TAP, one check
per test of the group; user/tests/tlstest.c says what each does).

    core            test_tls_main       __thread, __get_tcb/__set_tcb, fork,
                                        bases kept across switches (FSGSBASE)
    sharevm         test_tls_threads    every thread its own __thread and errno
    local-segments  test_lseg_blob, test_lseg_fork, test_lseg_switch,
                    test_lseg_errors    makecxt(2) MAKECXT_INSTALL_LOCAL_SEGMENTS
"""


def run_group(aqua, args, cpus=2):
    cmd = f"/bin/tlstest {args}"
    res = aqua.boot(cmd, cpus=cpus)
    aqua.check_tap(res, cmd)
    aqua.expect_exit(res, cmd, 0)
    return res


# ---- core ----------------------------------------------------------------------


def test_tls_main(aqua):
    """The main thread's __thread variables start with their .tdata values
    and .tbss zeros (an over-aligned one aligned); __get_tcb() is the live
    thread pointer (%fs:0 / tp) and the variables and errno lie in its
    block; __set_tcb() to another block and back works across a sleep, a
    kernel or out-of-range address is EINVAL; fork copies the block, exec
    makes a new one; on x86_64 rdfsbase/wrfsbase/rdgsbase/wrgsbase work in
    user mode and a user GS base (even a kernel address) survives system
    calls and sleeps untouched; on RISC-V a user tp survives them."""
    run_group(aqua, "tls", cpus=4)


# ---- sharevm --------------------------------------------------------------------


def test_tls_threads(aqua):
    """Four thread(3) threads on 4 CPUs: each starts with the template's
    values, counts in its own __thread variable while sleeping and being
    preempted, has its own thread pointer and block; each thread's failed
    system calls set only its own errno, not the main thread's."""
    run_group(aqua, "threads", cpus=4)


# ---- local-segments -----------------------------------------------------------------


def test_lseg_blob(aqua):
    """A process made by makecxt() with MAKECXT_INSTALL_LOCAL_SEGMENTS from a
    range of pages reads its configured memory with segment-relative loads:
    %fs:0/%fs:8 and %gs:0/%gs:8 on x86_64 (ES with base 0 accepted),
    0(tp)/8(tp) on RISC-V (the FS entry wins over the registers' tp)."""
    run_group(aqua, "lseg lseg_blob")


def test_lseg_fork(aqua):
    """MAKECXT_COPY_CONTEXT | MAKECXT_INSTALL_LOCAL_SEGMENTS: a copy of the
    caller whose FS (and GS) bases are the configured ones; an entry that
    is not present keeps the caller's base; cxt NULL is EINVAL."""
    run_group(aqua, "lseg lseg_fork")


def test_lseg_switch(aqua):
    """Six processes on 4 CPUs, each with its own FS (and GS) base, read
    their own memory through them 20000 times while sleeping and being
    preempted: the bases are saved and restored on every context switch."""
    run_group(aqua, "lseg lseg_switch", cpus=4)


def test_lseg_errors(aqua):
    """The documented errors, each EINVAL with nothing made: ES with a base
    other than 0 (x86_64) or at all (RISC-V), GS on RISC-V, an FS/GS base
    outside user space (USER_TOP itself included), cxt NULL; a cxt in the
    kernel is EFAULT; a valid request works whatever its entries that are
    not present say; repeated failures leak no page and no process."""
    run_group(aqua, "lseg lseg_errors")
