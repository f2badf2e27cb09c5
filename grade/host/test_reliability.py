"""Host checks for the reliability tooling (docs/RELIABILITY.md): the leak
line init prints and the grader parses, and the crash test's QEMU command."""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "grade"))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import harness  # noqa: E402


def test_leak_line_matches_init():
    """The printf in user/bin/init.c and harness.LEAK_RE agree."""
    src = open(os.path.join(ROOT, "user", "bin", "init.c")).read()
    fmt = re.search(r'"(init: leak check: pages [^"]*)\\n"', src)
    assert fmt, "init.c no longer prints the leak-check line"
    line = fmt.group(1).replace("%lu", "{}").replace("%d", "{}").format(64735, 64734, 2, 3, 1, 1)
    m = harness.LEAK_RE.search(line)
    assert m, f"LEAK_RE does not match {line!r}"
    assert [int(x) for x in m.groups()] == [64735, 64734, 2, 3, 1, 1]


def test_crashtest_writes_its_own_image(tmp_path):
    """crashtest boots without -snapshot, on the copy it was given."""
    import crashtest
    image = str(tmp_path / "cut.img")
    argv = crashtest.disk_argv("x86_64", 2, "run=/bin/crashload run 1", image)
    assert "-snapshot" not in argv
    drives = [a for a in argv if "file=" in a]
    assert drives and all(("file=" + image) in a for a in drives), drives
    assert "fs.img" not in " ".join(drives)
