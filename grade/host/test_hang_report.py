"""A time-out explains itself: before it kills QEMU the grader asks the
kernel for its process list (Ctrl-P), and the report shows it.

Boots each port once (a few seconds); skipped where the port is not built.
"""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "grade"))
import qemu  # noqa: E402

PORTS = sorted(d for d in os.listdir(os.path.join(ROOT, "arch"))
               if os.path.exists(os.path.join(ROOT, "arch", d, "port.toml")))


@pytest.mark.parametrize("port", PORTS)
def test_timeout_collects_the_process_list(port):
    if not os.path.exists(os.path.join(ROOT, "build", port, "kernel")):
        pytest.skip(f"build/{port}/kernel is not built")
    # sleep(1) sleeps far longer than the grader waits: a stand-in for a hang.
    res = qemu.run_boot(port, qemu.qemu_argv(port, 2, "run=/bin/sleep 1000000"), 5)
    assert res.timed_out
    rows = qemu.process_list(res.output)
    assert rows and "WAIT" in rows[0], res.output[-2000:]
    names = [r.split()[4] for r in rows[1:]]
    assert "init" in names and "sleep" in names, rows


def test_process_list_parses_the_last_dump_only():
    text = ("x\n  PID  PPID STATE   CPU NAME             WAIT\n"
            "    1     0 sleep    -1 init             wait\nnoise\n"
            "  PID  PPID STATE   CPU NAME             WAIT\n"
            "    1     0 sleep    -1 init             wait\n"
            "    4     3 sleep    -1 ppwaittest       ppwait\n$ ")
    rows = qemu.process_list(text)
    assert len(rows) == 3 and rows[2].split()[-1] == "ppwait", rows
    assert qemu.process_list("no dump here") == []


@pytest.mark.parametrize("port", PORTS)
def test_shell_timeout_collects_the_process_list(port):
    """A shell command that hangs: the session's time-out takes the
    kernel's Ctrl-P list too (harness.ShellSession puts it in the report)."""
    if not os.path.exists(os.path.join(ROOT, "build", port, "kernel")):
        pytest.skip(f"build/{port}/kernel is not built")
    sh = qemu.Shell(port, qemu.qemu_argv(port, 2, ""), boot_timeout=60, cmd_timeout=3)
    try:
        with pytest.raises(qemu.ShellError) as e:
            sh.run("sleep 1000000")
        assert e.value.kind == "timeout"
        names = [r.split()[4] for r in sh.processes[1:]]
        assert "sh" in names and "sleep" in names, sh.output()[-2000:]
    finally:
        sh.close()


def test_qemu_dies_with_the_grader(tmp_path):
    """A grader killed from outside (batch's hard time-out kills its process
    group; QEMU runs in a session of its own) must not leave QEMU running:
    qemu.die_with_parent makes the kernel kill it with its parent."""
    import subprocess
    import time
    pidfile = tmp_path / "pid"
    code = ("import subprocess, sys, time; sys.path.insert(0, %r); import qemu; "
            "p = subprocess.Popen(['sleep', '300'], start_new_session=True, "
            "preexec_fn=qemu.die_with_parent); open(%r, 'w').write(str(p.pid)); "
            "time.sleep(300)") % (os.path.join(ROOT, "grade"), str(pidfile))
    parent = subprocess.Popen([sys.executable, "-c", code])
    for _ in range(200):
        if pidfile.exists() and pidfile.read_text():
            break
        time.sleep(0.05)
    child = int(pidfile.read_text())
    parent.kill()
    parent.wait()
    for _ in range(200):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        # A zombie until someone reaps it: it is gone once /proc says Z or nothing.
        try:
            with open(f"/proc/{child}/stat") as f:
                if f.read().split(")")[1].split()[0] == "Z":
                    return
        except FileNotFoundError:
            return
        time.sleep(0.05)
    os.kill(child, 9)
    raise AssertionError("the child outlived its parent by 10 s")
