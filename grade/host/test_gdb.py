"""Host checks of the gdb set-up: `make qemu-gdb` + `make gdb`, per tree, and
nothing written to the user's own ~/.gdbinit."""

import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARCHES = sorted(d for d in os.listdir(os.path.join(ROOT, "arch"))
                if os.path.exists(os.path.join(ROOT, "arch", d, "port.toml")))


def make(*args, home):
    env = dict(os.environ, HOME=str(home))
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(k, None)
    return subprocess.run(["make", "-s", "--no-print-directory", "-C", ROOT, *args],
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize("port", ARCHES)
def test_gdbinit_stays_in_the_tree(port, tmp_path):
    """The settings go to build/<arch>/gdbinit; ~/.gdbinit is neither
    created nor appended to (it once got one safe-path line per tree)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gdbinit").write_text("# the student's own\n")
    r = make(f"ARCH={port}", "gdbinit", home=home)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (home / ".gdbinit").read_text() == "# the student's own\n"
    text = open(os.path.join(ROOT, "build", port, "gdbinit")).read()
    assert f"file build/{port}/kernel" in text
    assert "target remote localhost:" in text
    assert "@" not in text.replace("localhost", ""), f"unexpanded template field:\n{text}"


@pytest.mark.parametrize("port", ARCHES)
def test_make_gdb_uses_the_tree_file(port, tmp_path):
    """`make gdb` hands gdb this tree's file with -x, on the same port as
    `make qemu-gdb` listens on."""
    gdb = make(f"ARCH={port}", "-n", "gdb", home=tmp_path).stdout
    qemu = make(f"ARCH={port}", "-n", "qemu-gdb", home=tmp_path).stdout
    assert f"-x build/{port}/gdbinit" in gdb, gdb
    text = open(os.path.join(ROOT, "build", port, "gdbinit")).read() \
        if os.path.exists(os.path.join(ROOT, "build", port, "gdbinit")) else ""
    port = [w for w in qemu.split() if w.startswith("tcp::")]
    assert port, qemu
    if text:
        assert f"localhost:{port[0][5:]}" in text
    assert ".gdbinit" not in gdb + qemu
