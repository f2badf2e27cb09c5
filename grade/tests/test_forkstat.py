"""Stage `fork-stats`: FORK_FORK and FORK_VFORK are counted (forkstat(2)).

fork1(9) says these two flags are "used only for statistics"; the stage is
to keep those statistics.  Each test boots once and runs one program.
"""

import re


def test_forkstat_counts(aqua):
    """/bin/forkstattest: the counters move exactly as the program's own
    forks and vforks say, and the page counts follow the memory size."""
    res = aqua.boot("/bin/forkstattest", cpus=2)
    aqua.check_tap(res, "/bin/forkstattest")
    aqua.expect_exit(res, "/bin/forkstattest", 0)


def test_forkstat_race(aqua):
    """/bin/forkstattest race 4 on 4 CPUs: 404 forks at once, none lost."""
    res = aqua.boot("/bin/forkstattest race 4", cpus=4)
    aqua.check_tap(res, "/bin/forkstattest race 4")
    aqua.expect_exit(res, "/bin/forkstattest race 4", 0)


def test_forkstat_program(aqua):
    """/bin/forkstat prints the table; init itself was made by a FORK_FORK,
    and init forked the program, so the fork line is at least 2."""
    res = aqua.boot("/bin/forkstat", cpus=1)
    aqua.expect_exit(res, "/bin/forkstat", 0)
    m = re.search(r"(?m)^fork\s+(\d+)\s+(\d+)\s*$", res.output)
    if m is None:
        aqua.fail("forkstat output", expected="a line 'fork  <processes>  <pages>'",
                  got="no such line", console=res.output)
    if int(m.group(1)) < 2 or int(m.group(2)) == 0:
        aqua.fail("forkstat counts init's fork and the program's own",
                  expected="fork processes >= 2 and pages > 0", got=m.group(0).strip(),
                  console=res.output)
