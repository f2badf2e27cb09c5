"""Assignment `vm` stages `cow` (copy-on-write fork) and `sharevm`
(FORK_SHAREVM threads).

Each test boots once and runs one TAP program; every TAP check counts.
The programs are user/tests/cowtest.c and user/tests/threadtest.c; the
comment at the top of each says what its modes check.
"""


def _run(aqua, program, cpus):
    res = aqua.boot(program, cpus=cpus)
    aqua.check_tap(res, program)
    aqua.expect_exit(res, program, 0)


# ---- cow ---------------------------------------------------------------------


def test_cow_fork(aqua):
    """/bin/cowtest: fork shares the pages (its cost is page tables, not a
    copy); parent and child each see their own writes only, also over six
    generations; a pipe read() into a copy-on-write page works (copyout);
    forkstat's cntcowfault counts the copies, and a page whose other users
    are gone is taken back without one; a page exec made writable inside a
    read-only region (/bin/cowpage) is copied at fork; no page leaks."""
    _run(aqua, "/bin/cowtest", cpus=2)


def test_cow_bigfork(aqua):
    """/bin/cowtest big: a process holding two thirds of memory (more than
    is left free) forks; the child reads everything and writes some pages;
    a second child that writes everything runs out of memory and is killed;
    nothing leaks."""
    _run(aqua, "/bin/cowtest big", cpus=2)


def test_cow_concurrent(aqua):
    """/bin/cowtest concurrent on 4 CPUs: four children and the parent write
    the same copy-on-write pages at the same moment, 25 times; each sees
    only its own data, and no page leaks or is freed twice."""
    _run(aqua, "/bin/cowtest concurrent", cpus=4)


def test_cow_race(aqua):
    """/bin/cowtest concurrent on 4 CPUs, on the debug kernel: its race
    checker (kern/racecheck.c) panics at the first write to a variable that
    two processes write with no lock in common and not atomically -- the
    copy counter updated with a plain ++ under each process's own vm_lock
    is the usual one.  A lost update would almost never show in a count;
    the checker needs only one write from each of two processes."""
    res = aqua.boot("/bin/cowtest concurrent", cpus=4, debug=True)
    aqua.check_tap(res, "/bin/cowtest concurrent")
    aqua.expect_exit(res, "/bin/cowtest concurrent", 0)


# ---- cow-tables ---------------------------------------------------------------


def test_cow_tables(aqua):
    """/bin/cowtest tables: a process fills all memory but 24 pages per
    child, then 32 children of it must all fit (per-page copy-on-write
    gives each a page table per 2 MiB of the parent: over 50 with 128 MiB),
    read its memory, write a page each and keep their writes apart; a
    shareable vmap page in a table with 100 heap pages stays shared; the
    writable page of a read-only region (/bin/cowpage, 70 more pages in
    its table) is still copied; read(2) into a buffer across two shared
    tables gives parent and child their own bytes; nothing leaks."""
    _run(aqua, "/bin/cowtest tables", cpus=2)


# ---- sharevm -------------------------------------------------------------------


def test_sharevm_threads(aqua):
    """/bin/threadtest on 4 CPUs: FORK_SHAREVM shares memory; threads'
    stores, join values, thread_exit, a mutex counter (exact), condition
    variables, sbrk in a thread, copy-on-write faults from several threads;
    free pages and process count back to the start."""
    _run(aqua, "/bin/threadtest", cpus=4)


def test_sharevm_exit(aqua):
    """/bin/threadtest exit: exit() from the main thread or from another one
    ends every thread (sleeping or spinning); exec from a thread replaces
    the whole program."""
    _run(aqua, "/bin/threadtest exit", cpus=2)
