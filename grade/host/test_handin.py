"""Host tests of `make handin` (grade/handin.py; no QEMU, a few seconds):
the tarball and its hashes, the lab it records, and the build it needs.

The trees here are small stand-ins whose Makefile compiles one C file per
port with the host's cc, so a broken tree is refused in a second.
"""

import hashlib
import os
import subprocess
import sys
import tarfile

GRADE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if GRADE not in sys.path:
    sys.path.insert(0, GRADE)

import handin  # noqa: E402

# The lab file's name is part of the handout's interface (its README names it).
LAB_FILE = ".aqua6-lab"

# ARCH=<arch> all compiles kern/proc.c, as the real Makefile compiles the kernel.
MAKEFILE = """ARCH ?= x86_64
all:
\t@mkdir -p build/$(ARCH)
\tcc -c -o build/$(ARCH)/proc.o kern/proc.c
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def small_tree(path, lab="ppwait"):
    write(path / "Makefile", MAKEFILE)
    write(path / "kern/proc.c", "int proc;\n")
    write(path / "grade/manifest.toml", "# the grader's\n")
    if lab:
        write(path / LAB_FILE, lab + "\n")
    return path


def run_handin(tree, out):
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    return subprocess.run([sys.executable, os.path.join(GRADE, "handin.py"), "--root", str(tree),
                           "--user", "alice", "--out", str(out) + "/"],
                          capture_output=True, text=True, env=env, timeout=120)


def members(path):
    with tarfile.open(path) as tf:
        names = tf.getnames()
        top = names[0].split("/")[0]
        assert all(n.startswith(top + "/") for n in names)
        return top, {n[len(top) + 1:]: tf.extractfile(n).read() for n in names if tf.getmember(n).isfile()}


def test_handin_tarball(tmp_path):
    tree = small_tree(tmp_path / "tree")
    write(tree / "build/x86_64/kernel", "binary")
    write(tree / ".git/HEAD", "ref: refs/heads/main\n")
    write(tree / "grade/__pycache__/x.pyc", "pyc")
    write(tree / ".gdbinit", "target remote :1234\n")
    write(tree / "handin-old-20240101-000000.tar.gz", "old")
    os.symlink("kern/proc.c", tree / "link.c")
    path, files, links = handin.handin(str(tree), "alice", str(tmp_path / "out") + "/")
    assert os.path.basename(path).startswith("handin-alice-") and path.endswith(".tar.gz")
    assert links == ["link.c"]
    top, contents = members(path)
    rel = sorted(contents)
    assert not [n for n in rel if n.startswith(("build/", ".git/")) or "__pycache__" in n
                or n in (".gdbinit", "link.c") or n.startswith("handin-old")]
    assert "kern/proc.c" in rel and "HANDIN.txt" in rel and "MANIFEST.sha256" in rel
    lines = contents["MANIFEST.sha256"].decode().splitlines()
    assert len(lines) == len(rel) - 1                        # every file but itself
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(contents[name]).hexdigest() == digest
    assert b"user: alice" in contents["HANDIN.txt"]
    # `sha256sum -c` accepts it
    x = tmp_path / "x"
    with tarfile.open(path) as tf:
        tf.extractall(x)
    r = subprocess.run(["sha256sum", "-c", "--quiet", "MANIFEST.sha256"], cwd=x / top,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_handin_builds_and_records_the_lab(tmp_path):
    tree = small_tree(tmp_path / "tree")
    r = run_handin(tree, tmp_path / "out")
    assert r.returncode == 0, r.stdout + r.stderr
    for arch in ("x86_64", "riscv"):                         # both ports were built
        assert (tree / f"build/{arch}/proc.o").exists(), arch
    [tarball] = os.listdir(tmp_path / "out")
    _, contents = members(tmp_path / "out" / tarball)
    info = contents["HANDIN.txt"].decode()
    assert "lab: ppwait\n" in info, info
    assert contents[LAB_FILE] == b"ppwait\n"


def test_handin_of_a_tree_that_is_not_a_handout(tmp_path):
    tree = small_tree(tmp_path / "tree", lab=None)
    path, _, _ = handin.handin(str(tree), "alice", str(tmp_path / "out") + "/")
    _, contents = members(path)
    assert f"lab: unknown (no {LAB_FILE}" in contents["HANDIN.txt"].decode()


def test_handin_refuses_a_tree_that_does_not_build(tmp_path):
    tree = small_tree(tmp_path / "tree")
    write(tree / "kern/proc.c", "int proc;\nint broken(void) { return 0 }\n")
    r = run_handin(tree, tmp_path / "out")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "kern/proc.c:2:" in r.stderr and "error:" in r.stderr, r.stderr
    assert "make ARCH=x86_64 all failed" in r.stderr and "refused" in r.stderr
    assert not os.path.exists(tmp_path / "out") or not os.listdir(tmp_path / "out")
