"""Stage `fork-stats`: FORK_FORK and FORK_VFORK are counted (forkstat(2)).

fork1(9) says these two flags are "used only for statistics"; the stage is
to keep those statistics.  Each test boots once and runs one program.
"""



def test_forkstat_counts(aqua):
    """/bin/forkstattest: the counters move exactly as the program's own
    forks and vforks say, and the page counts follow the memory size."""
    res = aqua.boot("/bin/forkstattest", cpus=2)
    aqua.check_tap(res, "/bin/forkstattest")
    aqua.expect_exit(res, "/bin/forkstattest", 0)


def test_forkstat_race(aqua):
    """/bin/forkstattest race 4 on 4 CPUs, on the debug kernel: 404 forks at
    once, none lost; and the race checker (kern/racecheck.c) panics if two
    processes update the counters with no lock in common -- every time, where
    a lost update shows in a count only when the two CPUs interleave."""
    res = aqua.boot("/bin/forkstattest race 4", cpus=4, debug=True)
    aqua.check_tap(res, "/bin/forkstattest race 4")
    aqua.expect_exit(res, "/bin/forkstattest race 4", 0)


def test_forkstat_program(aqua):
    """/bin/forkstat prints the table; init itself was made by a FORK_FORK,
    init forked forkstattest and it forked forkstat, so the fork line is at
    least 3.  forkstattest reads the table through a pipe and signs the
    check (the console is the kernel's to write)."""
    res = aqua.boot("/bin/forkstattest program", cpus=1)
    aqua.check_tap(res, "/bin/forkstattest program")
    aqua.expect_exit(res, "/bin/forkstattest program", 0)


def test_forkstat_ktest(aqua):
    """ktest forkstat on 4 CPUs: forkstat_count() counts each kind of call
    (fork, vfork, user thread, kernel thread) in its own counters, adds
    pages (not bytes), and four kernel threads counting 20000 forks each
    at once lose none (a counter updated without the lock does)."""
    res = aqua.boot("/bin/ktest forkstat", cpus=4)
    aqua.check_tap(res, "/bin/ktest forkstat")
    aqua.expect_exit(res, "/bin/ktest forkstat", 0)
