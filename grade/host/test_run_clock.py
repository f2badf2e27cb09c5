"""Time limits that host load cannot shorten (grade/qemu.py, RunClock).

The grader's time limits count only the time QEMU could run: wall time
less what its threads spent waiting for a CPU.  Under load (two make tests
side by side, a class graded in parallel) the wall clock runs on while the
guest stands still, and a limit on the wall clock fails a correct kernel.
"""

import os
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "grade"))
import qemu  # noqa: E402

# A stand-in for QEMU: uses `secs` seconds of CPU time, then exits 0.
BURN = ("import sys, time\n"
        "end = float(sys.argv[1])\n"
        "while time.process_time() < end:\n"
        "    pass\n")


def _schedstat_readable():
    try:
        with open(f"/proc/{os.getpid()}/task/{os.getpid()}/schedstat") as f:
            return len(f.read().split()) >= 2
    except OSError:
        return False


needs_schedstat = pytest.mark.skipif(not _schedstat_readable() or not hasattr(os, "sched_setaffinity"),
                                     reason="no /proc/PID/task/TID/schedstat or CPU affinity here")


def _script(monkeypatch, reads):
    """RunClock._read returns these, one per call, then the last one again."""
    reads = list(reads)
    monkeypatch.setattr(qemu.RunClock, "_read",
                        lambda self: reads.pop(0) if len(reads) > 1 else reads[0])


def test_scripted_delays(monkeypatch):
    """48 s on the wall clock of which a thread waited 41 s for a CPU: 7 s ran."""
    now = [100.0]
    monkeypatch.setattr(qemu.time, "monotonic", lambda: now[0])
    _script(monkeypatch, [{"1": 0, "2": 5 * 10**9}, {"1": 41 * 10**9, "2": 9 * 10**9}])
    clock = qemu.RunClock(1234)         # base: thread 2 had already waited 5 s
    now[0] += 48
    assert clock.elapsed() == pytest.approx(7.0)
    assert "41 s for a CPU" in clock.describe()


def test_thread_that_exits_keeps_its_wait(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(qemu.time, "monotonic", lambda: now[0])
    _script(monkeypatch, [{}, {"7": 3 * 10**9}, {}])
    clock = qemu.RunClock(1)
    now[0] = 10
    assert clock.elapsed() == pytest.approx(7.0)
    assert clock.elapsed() == pytest.approx(7.0)   # thread 7 is gone: its 3 s still count


def test_left_reads_proc_only_past_the_wall_limit(monkeypatch):
    """Asked after every chunk of console output: while the wall clock is
    short of the limit it is the answer; past it, the run clock decides."""
    now = [0.0]
    monkeypatch.setattr(qemu.time, "monotonic", lambda: now[0])
    reads = []
    monkeypatch.setattr(qemu.RunClock, "_read",
                        lambda self: reads.append(1) or {"1": 6 * 10**9 if len(reads) > 1 else 0})
    clock = qemu.RunClock(1)
    now[0] = 4
    assert clock.left(5) == pytest.approx(1.0) and len(reads) == 1   # only start()'s read
    now[0] = 8
    assert clock.left(5) == pytest.approx(3.0)      # 8 s less 6 s waited: 2 s ran
    assert len(reads) == 2


def test_unreadable_process_is_the_wall_clock():
    clock = qemu.RunClock(None)
    time.sleep(0.2)
    assert clock.elapsed() == pytest.approx(clock.wall(), abs=0.05)


@needs_schedstat
def test_starved_program_does_not_time_out(tmp_path):
    """The program needs 1 s of CPU and gets 2.5 s; three CPU hogs share its
    one CPU, so it takes about 4 s on the wall clock.  A wall-clock limit
    (the grader before RunClock) kills it; the run clock lets it finish,
    however busy the rest of the host is."""
    script = tmp_path / "burn.py"
    script.write_text(BURN)
    cpu = min(os.sched_getaffinity(0))
    saved = os.sched_getaffinity(0)
    hogs = []
    os.sched_setaffinity(0, {cpu})      # children inherit it
    try:
        for _ in range(3):
            # Each in a session of its own, as run_boot starts the program:
            # with autogroup scheduling a session shares the CPU as one.
            hogs.append(subprocess.Popen([sys.executable, str(script), "60"],
                                         start_new_session=True))
        t0 = time.monotonic()
        res = qemu.run_boot("x86_64", [sys.executable, str(script), "1.0"], 2.5)
        wall = time.monotonic() - t0
    finally:
        os.sched_setaffinity(0, saved)
        for h in hogs:
            h.kill()
            h.wait()
    assert wall > 2.5, f"the hogs did not slow the program down ({wall:.1f} s): the test proves nothing"
    assert not res.timed_out, f"timed out after {wall:.1f} s on the wall clock: {res.load_note}"
    assert res.returncode == 0


@needs_schedstat
def test_spinning_program_still_times_out(tmp_path):
    """A hang that spins (an endless loop) uses its CPU: the run clock keeps
    pace with the wall clock and the limit ends it."""
    script = tmp_path / "burn.py"
    script.write_text(BURN)
    t0 = time.monotonic()
    res = qemu.run_boot("x86_64", [sys.executable, str(script), "600"], 1.5)
    assert res.timed_out
    assert time.monotonic() - t0 < 60
