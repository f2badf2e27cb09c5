"""End-to-end check of batch grading and the Gradescope autograder (slow).

    make test-batch          (or: AQUA_E2E=1 /usr/bin/python3 -m pytest -s grade/host/test_batch_e2e.py)

Skipped unless AQUA_E2E=1: it builds and grades five trees on both ports,
8 to 11 minutes on a 2-core machine with `core` and `fork-stats` graded
(more with more stages), so it is not part of `make test`.

The instructor's tree is a copy of this one with one hidden test added to
`core` (grade/tests/test_hidden_core.py, omitted from handouts).  Four
submissions, graded with one command (grade/batch.py):

  full       the reference tree, as a git repository        -> full marks
  starter    `tools/handout.py --out DIR` (every stage a starter), handed
             in with `make handin` (a tarball)             -> 0 on every lab stage
                                                              (core is not a lab: full)
  tampered   the reference with sys_pipe broken AND grade/tests/test_core.py
             edited so every test passes                     -> 0 on core (both ports)
  broken     the reference with a syntax error in the kernel -> 0 everywhere, and the
                                                                compiler's error in its JSON
Then the Gradescope zip is built and run on a fake /autograder holding the
full solution's handin tarball: results.json is valid and has full marks.
"""

import csv
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

GRADE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(GRADE)
if GRADE not in sys.path:
    sys.path.insert(0, GRADE)

import batch  # noqa: E402
import labs  # noqa: E402

pytestmark = pytest.mark.skipif(os.environ.get("AQUA_E2E") != "1",
                                reason="slow end-to-end run: make test-batch (AQUA_E2E=1)")

PY = batch.PYTHON
# The tree to start from (default: this one).  Another tree (a known-good
# snapshot) can be given while this one is being changed.
SRC = os.path.abspath(os.environ.get("AQUA_E2E_TREE") or ROOT)
GIT_ENV = dict(os.environ, GIT_AUTHOR_NAME="aqua6", GIT_AUTHOR_EMAIL="aqua6@localhost",
               GIT_COMMITTER_NAME="aqua6", GIT_COMMITTER_EMAIL="aqua6@localhost")
for k in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "ARCH", "LAB", "JOBS", "OUT", "TEST"):
    GIT_ENV.pop(k, None)

HIDDEN_TEST = '''"""A hidden test of `core` (batch grading only; not in handouts)."""


def test_hidden_echo(aqua):
    res = aqua.boot("/bin/echo hidden-check", cpus=1, timeout=60)
    if "hidden-check" not in res.output:
        aqua.fail("echo", expected="hidden-check", got="no such line", console=res.output)
    aqua.expect_exit(res, "/bin/echo", 0)
'''

TRIVIAL_TESTS = '''"""Tampered: every core test passes whatever the kernel does."""
import pytest


@pytest.mark.parametrize("cpus", [1, 4], ids=["cpus1", "cpus4"])
def test_systest(aqua, cpus):
    pass


def test_ktest(aqua): pass
def test_panic_report(aqua): pass
def test_boot_banner(aqua): pass
def test_shell_pipe(aqua): pass
def test_shell_ls_bin(aqua): pass
def test_shell_mkdir_cat(aqua): pass
def test_shell_redirection(aqua): pass
def test_shell_exec_args(aqua): pass
def test_faulttest_killed(aqua): pass
def test_poweroff_status(aqua): pass
'''


def run(cmd, **kw):
    print("$ " + " ".join(str(c) for c in cmd), flush=True)
    kw.setdefault("env", GIT_ENV)
    r = subprocess.run([str(c) for c in cmd], text=True, **kw)
    return r


def copy_tree(files, src, dst):
    for f in files:
        d = os.path.join(dst, f)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        shutil.copy2(os.path.join(src, f), d)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    t = tmp_path_factory.mktemp("e2e")
    ref = t / "instructor"
    copy_tree(batch.list_files(SRC), SRC, ref)
    with open(ref / "grade/tests/test_hidden_core.py", "w") as f:
        f.write(HIDDEN_TEST)
    text = (ref / "grade/manifest.toml").read_text()
    text = text.replace('name = "core"\n', 'name = "core"\nhidden_tests = ["test_hidden_echo"]\n'
                        'hidden_files = ["grade/tests/test_hidden_core.py"]\n', 1)
    (ref / "grade/manifest.toml").write_text(text)
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "reference"]):
        assert run(["git"] + cmd, cwd=ref).returncode == 0
    subs = t / "submissions"
    subs.mkdir()
    # full: the reference, as a git repository
    assert run(["git", "clone", "-q", ref, subs / "full"]).returncode == 0
    # starter: the handout with every stage a starter, handed in as a tarball
    starter = t / "starter"
    assert run([PY, ref / "tools/handout.py", "--out", starter]).returncode == 0
    assert not (starter / "grade/tests/test_hidden_core.py").exists()
    assert run([PY, ref / "grade/handin.py", "--root", starter, "--user", "starter",
                "--out", str(subs) + "/"]).returncode == 0
    # tampered: core broken (pipe(2) always fails) and its tests made to pass
    tam = subs / "tampered"
    copy_tree(batch.list_files(ref), ref, tam)
    src = (tam / "kern/fs/sys_file.c").read_text()
    src, n = re.subn(r"(\nsys_pipe\(struct proc \*p, [^)]*\)\n\{\n(?:\t[^\n]*\n)*?\n)",
                     r"\1\tif (p != NULL)\n\t\treturn ENFILE;\t/* tampered: pipes never work */\n",
                     src, count=1)
    assert n == 1, "could not find sys_pipe to break"
    (tam / "kern/fs/sys_file.c").write_text(src)
    (tam / "grade/tests/test_core.py").write_text(TRIVIAL_TESTS)
    # broken: does not compile
    brk = subs / "broken"
    copy_tree(batch.list_files(ref), ref, brk)
    with open(brk / "kern/proc.c", "a") as f:
        f.write("\nint this_does_not_compile = ;\n")
    out = t / "results"
    r = run([PY, ref / "grade/batch.py", subs, "--out", out, "--jobs", "1"])
    m = labs.load(str(ref / "grade/manifest.toml"))
    return {"t": t, "ref": ref, "subs": subs, "out": out, "rc": r.returncode,
            "stages": m.active}


def load_csv(out):
    with open(out / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {r["student"]: r for r in rows}


def test_one_command_grades_all_four(world):
    assert world["rc"] == 0
    rows = load_csv(world["out"])
    assert sorted(rows) == ["broken", "full", "starter", "tampered"]
    cols = batch.columns(world["stages"], labs.ARCHES)
    maxes = batch.column_max(world["stages"], labs.ARCHES)
    total = sum(maxes.values())
    for c in cols:
        stage = c.split("/")[0]
        assert int(rows["full"][c]) == maxes[c], c
        assert int(rows["starter"][c]) == (maxes[c] if stage == "core" else 0), c
        if stage == "core":
            assert int(rows["tampered"][c]) == 0, c
        # (other stages: full marks unless their tests need pipes, which the
        # tampered kernel broke; core is the stage the tampering is about)
        assert int(rows["broken"][c]) == 0, c
    assert int(rows["full"]["total"]) == int(rows["full"]["max"]) == total
    assert rows["full"]["status"] == "graded"
    assert rows["broken"]["status"].startswith("build-failed")


def test_hidden_test_ran_in_batch_but_not_in_handout(world):
    rep = json.loads((world["out"] / "full.json").read_text())
    outputs = "\n".join(t["output"] for t in rep["results"]["tests"])
    assert "test_hidden_echo[x86_64]" in outputs and "test_hidden_echo[riscv]" in outputs
    (tarball,) = glob.glob(str(world["subs"] / "handin-starter-*.tar.gz"))
    with tarfile.open(tarball) as tf:
        assert not [n for n in tf.getnames() if "test_hidden_core" in n]


def test_tampering_is_reported_and_ignored(world):
    rep = json.loads((world["out"] / "tampered.json").read_text())
    assert "grade/tests/test_core.py" in rep["pristine_changed"]
    core = [t for t in rep["results"]["tests"] if t["name"].startswith("core [")]
    assert core and all(t["score"] == 0 for t in core)
    assert "test_shell_pipe" in "\n".join(t["output"] for t in core)


def test_build_failure_reports_compiler_error(world):
    rep = json.loads((world["out"] / "broken.json").read_text())
    assert rep["score"] == 0
    for arch in labs.ARCHES:
        assert not rep["build"][arch]["ok"]
        assert any("kern/proc.c" in l and "error" in l for l in rep["build"][arch]["errors"])
    assert "kern/proc.c" in rep["results"]["output"]
    log = (world["out"] / "broken.log").read_text()
    assert "error" in log


def test_starter_handin_manifest_checked(world):
    rep = json.loads((world["out"] / "starter.json").read_text())
    assert any(n.startswith("MANIFEST.sha256: all") for n in rep["notes"])


def test_gradescope_zip_on_fake_autograder(world):
    t, ref = world["t"], world["ref"]
    zpath = t / "autograder.zip"
    assert run([PY, ref / "grade/gradescope.py", "build", "--out", zpath]).returncode == 0
    ag = t / "autograder"
    with zipfile.ZipFile(zpath) as zf:
        assert "pristine/grade/tests/test_hidden_core.py" in zf.namelist()
        zf.extractall(ag / "source")
    shutil.copy(ag / "source/run_autograder", ag / "run_autograder")
    os.chmod(ag / "run_autograder", 0o755)
    (ag / "submission").mkdir()
    assert run([PY, ref / "grade/handin.py", "--root", ref, "--user", "gs",
                "--out", str(ag / "submission") + "/"]).returncode == 0
    r = run([ag / "run_autograder"], env=dict(GIT_ENV, AUTOGRADER_ROOT=str(ag)))
    assert r.returncode == 0
    res = json.loads((ag / "results/results.json").read_text())
    assert isinstance(res["score"], (int, float)) and res["tests"]
    for x in res["tests"]:
        assert {"name", "score", "max_score", "status", "output"} <= set(x)
    assert sum(x["score"] for x in res["tests"]) == res["score"]
    assert res["score"] == sum(x["max_score"] for x in res["tests"])
    assert "test_hidden_echo" in "\n".join(x["output"] for x in res["tests"])
