"""Host unit tests for batch grading, make handin and the Gradescope zip
(no QEMU, a few seconds): `make test-host`.

The end-to-end run (three submissions built and graded on both ports, and
the Gradescope zip run on a fake /autograder) is test_batch_e2e.py, which
only runs with AQUA_E2E=1 (`make test-batch`).
"""

import csv
import hashlib
import io
import json
import os
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
import gradescope  # noqa: E402
import handin  # noqa: E402
import labs  # noqa: E402


def write(path, text, mode=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    if mode:
        os.chmod(path, mode)


def read(path):
    with open(path) as f:
        return f.read()


MINI_MANIFEST = """
[[stage]]
name = "core"
assignment = "core"
points = 20
tests = ["test_a"]
hidden_tests = ["test_secret"]
hidden_files = ["grade/tests/test_hidden.py", "user/tests/secret.c"]

[[stage]]
name = "lab1"
assignment = "labs"
points = 10
tests = ["test_b"]

[[stage]]
name = "x86only"
assignment = "labs"
points = 5
tests = ["test_c"]
arches = ["x86_64"]
"""


@pytest.fixture
def ref(tmp_path):
    """A miniature instructor tree (no git): enough for the plan and the overlay."""
    r = tmp_path / "ref"
    write(r / "Makefile", "all:\n")
    write(r / "arch/x86_64/arch.mk", "CC = gcc\n")
    write(r / "arch/x86_64/trap.c", "/* kernel */\n")
    write(r / "kern/proc.c", "int proc;\n")
    write(r / "grade/manifest.toml", MINI_MANIFEST)
    write(r / "grade/tests/test_core.py", "def test_a(aqua):\n    aqua.check()\n")
    write(r / "grade/tests/test_hidden.py", "def test_secret(aqua):\n    aqua.check()\n")
    write(r / "grade/labs.py", read(os.path.join(GRADE, "labs.py")))
    write(r / "user/tests/systest.c", "int main(void) { return 0; }\n")
    write(r / "user/tests/secret.c", "int main(void) { return 1; }\n")
    write(r / "user/lib/printf.c", "/* honest printf */\n")
    write(r / "user/bin/forkstat.c", "int main(void)\n{\n\t/* SOLUTION BEGIN lab1 */\n"
          "\treturn 0;\n\t/* SOLUTION ELSE lab1 */\n\t//> return 1;\n\t/* SOLUTION END lab1 */\n}\n")
    write(r / "tools/gensyscalls.py", "print('gen')\n", 0o755)
    write(r / "docs/labs/lab1.md", "# lab1\n")
    return r


def student_tree(ref, dest):
    shutil.copytree(ref, dest)
    for f in ("grade/tests/test_hidden.py", "user/tests/secret.c"):   # a handout has no hidden files
        os.unlink(dest / f)
    return dest


# ---- the pristine set ------------------------------------------------------------

def test_plan_of_mini_tree(ref):
    p = batch.make_plan(str(ref))
    assert p.singles == ["Makefile", "arch/x86_64/arch.mk"]
    assert "grade/tests/test_core.py" in p.files and "user/lib/printf.c" in p.files
    assert "tools/gensyscalls.py" in p.files
    assert not [f for f in p.files if f.startswith(("kern/", "docs/", "arch/x86_64/trap"))]
    assert p.student == ["user/bin/forkstat.c"]            # markers: the student's work
    assert "user/bin/forkstat.c" not in p.files
    assert p.hidden == ["grade/tests/test_hidden.py", "user/tests/secret.c"]
    assert set(p.hidden) <= set(p.files)
    assert p.toplevel == sorted({"Makefile", "arch", "kern", "grade", "user", "tools", "docs",
                                 "include", "mkfs", handin.LAB_FILE})


def test_plan_of_real_tree_has_no_solution_code():
    """Nothing the overlay or the Gradescope zip copies holds solution code,
    and the grader, tests and build files are all pristine."""
    p = batch.make_plan(ROOT)
    marker, _ = batch._marker_regex()
    for f in p.files:
        if f in ("tools/handout.py", "tools/selfcheck.py"):
            continue                                    # their docs show marker syntax
        with open(os.path.join(ROOT, f), "rb") as fh:
            text = fh.read().decode("utf-8", "replace")
        assert not any(marker.match(l) for l in text.splitlines()), f
    for must in ("Makefile", "arch/x86_64/arch.mk", "arch/riscv/arch.mk", "grade/grade.py",
                 "grade/conftest.py", "grade/manifest.toml", "grade/tests/test_core.py",
                 "user/tests/systest.c", "tools/gensyscalls.py", "mkfs/mkfs.c"):
        assert must in p.files, must
    assert not [f for f in p.files if f.startswith("kern/")]
    assert not [f for f in p.files if f.startswith("tools/mutants/")]   # solutions with mistakes
    m = labs.load()
    for s in m.stages:
        assert set(s.hidden_files) <= set(p.files)


def test_list_files_of_a_linked_worktree(tmp_path):
    """A `git worktree add` tree's .git is a file: it is not a file of the
    tree (a copy holding it would commit onto that worktree's branch)."""
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    repo, wt = tmp_path / "repo", tmp_path / "wt"
    write(repo / "kern/proc.c", "int proc;\n")
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "x"],
                ["worktree", "add", "-q", str(wt)]):
        subprocess.run(["git"] + cmd, cwd=repo, check=True, env=env)
    write(wt / "build/x86_64/kernel", "binary")
    assert os.path.isfile(wt / ".git")
    assert batch.list_files(str(wt)) == ["kern/proc.c"]


def test_plan_round_trips_through_json(ref, tmp_path):
    p = batch.make_plan(str(ref))
    p.save(str(tmp_path / "overlay.json"))
    q = batch.Plan.load(str(ref), str(tmp_path / "overlay.json"))
    assert q == p


# ---- the overlay: tampering changes nothing ----------------------------------------

def test_overlay_undoes_tampering(ref, tmp_path):
    sub = student_tree(ref, tmp_path / "sub")
    plan = batch.make_plan(str(ref))
    # The tampering a student might try:
    write(sub / "grade/tests/test_core.py", "def test_a(aqua):\n    pass\n")      # always passes
    write(sub / "grade/tests/conftest.py", "import pytest  # mark everything passed\n")
    write(sub / "grade/tests/__pycache__/test_core.cpython-311.pyc", "fake")
    write(sub / "grade/manifest.toml", MINI_MANIFEST.replace("points = 10", "points = 1000"))
    write(sub / "user/lib/printf.c", "/* prints 'ok' for 'not ok' */\n")
    write(sub / "user/bin/systest.c", "int main(void) { return 0; /* shadows the test */ }\n")
    write(sub / "Makefile", "all:\n\ttrue\n")
    write(sub / "GNUmakefile", "all:\n\ttrue\n")          # make would prefer it
    write(sub / "json.py", "raise SystemExit(0)\n")       # the grader's Python would import it
    write(sub / "build/x86_64/kernel", "prebuilt")          # stale products
    write(sub / ".git/config", "[core]\n")
    os.symlink("/etc/passwd", sub / "kern/passwd.c")
    # The student's real work:
    write(sub / "kern/proc.c", "int proc = 42;\n")
    write(sub / "kern/new.c", "int added_by_student;\n")
    write(sub / "user/bin/forkstat.c", "int main(void) { return 7; }\n")
    write(sub / "docs/notes.md", "my notes\n")

    ov = batch.overlay(str(sub), plan)

    for f in plan.files:                                   # every pristine file, pristine
        assert read(sub / f) == read(ref / f), f
    assert not (sub / "grade/tests/conftest.py").exists()
    assert not (sub / "grade/tests/__pycache__").exists()
    assert not (sub / "user/bin/systest.c").exists()
    assert not (sub / "GNUmakefile").exists() and not (sub / "json.py").exists()
    assert not (sub / "build").exists() and not (sub / ".git").exists()
    assert not os.path.lexists(sub / "kern/passwd.c")
    # hidden tests are laid over too
    assert read(sub / "grade/tests/test_hidden.py") == read(ref / "grade/tests/test_hidden.py")
    assert (sub / "user/tests/secret.c").exists()
    # the student's code is untouched
    assert read(sub / "kern/proc.c") == "int proc = 42;\n"
    assert read(sub / "kern/new.c") == "int added_by_student;\n"
    assert read(sub / "user/bin/forkstat.c") == "int main(void) { return 7; }\n"
    assert read(sub / "docs/notes.md") == "my notes\n"
    # and the report names what was replaced and dropped
    assert set(ov["changed"]) == {"grade/tests/test_core.py", "grade/tests/conftest.py (added)",
                                  "grade/manifest.toml", "user/lib/printf.c",
                                  "user/bin/systest.c (added)", "Makefile"}
    dropped = " ".join(ov["dropped"])
    assert "GNUmakefile" in dropped and "json.py" in dropped and "kern/passwd.c" in dropped


def test_overlay_sets_modes_from_the_plan(ref, tmp_path):
    """A pristine copy that lost its modes (Python's zipfile drops them)
    still gives executable build scripts."""
    plan = batch.make_plan(str(ref))
    assert plan.executable == ["tools/gensyscalls.py"]
    os.chmod(ref / "tools/gensyscalls.py", 0o644)
    sub = student_tree(ref, tmp_path / "sub")
    batch.overlay(str(sub), plan)
    assert os.access(sub / "tools/gensyscalls.py", os.X_OK)
    assert not os.access(sub / "grade/tests/test_core.py", os.X_OK)


def test_overlay_of_untouched_handout_changes_nothing(ref, tmp_path):
    sub = student_tree(ref, tmp_path / "sub")
    ov = batch.overlay(str(sub), batch.make_plan(str(ref)))
    assert ov == {"changed": [], "dropped": []}


def test_overlay_keeps_missing_marker_file_missing(ref, tmp_path):
    sub = student_tree(ref, tmp_path / "sub")
    os.unlink(sub / "user/bin/forkstat.c")
    batch.overlay(str(sub), batch.make_plan(str(ref)))
    assert not (sub / "user/bin/forkstat.c").exists()     # never the reference solution


# ---- unpacking ---------------------------------------------------------------------------

def test_unpack_tarball_is_safe_and_finds_the_tree(ref, tmp_path):
    tarpath = tmp_path / "handin-alice-20250101-120000.tar.gz"
    with tarfile.open(tarpath, "w:gz") as tf:
        for rel in ("Makefile", "kern/proc.c"):
            tf.add(ref / rel, f"handin-alice/{rel}")
        evil = tarfile.TarInfo("../escape.txt")
        evil.size = 3
        tf.addfile(evil, io.BytesIO(b"bad"))
        absolute = tarfile.TarInfo("/tmp/aqua6-absolute-evil")
        absolute.size = 3
        tf.addfile(absolute, io.BytesIO(b"bad"))
        link = tarfile.TarInfo("handin-alice/kern/link.c")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(link)
    dest = tmp_path / "x" / "src"
    tree, notes = batch.unpack(str(tarpath), str(dest))
    assert tree == str(dest / "handin-alice")
    assert read(dest / "handin-alice/kern/proc.c") == "int proc;\n"
    assert not (tmp_path / "x" / "escape.txt").exists()
    assert not os.path.exists("/tmp/aqua6-absolute-evil")
    assert not os.path.lexists(dest / "handin-alice/kern/link.c")
    assert len([n for n in notes if n.startswith("skipped")]) == 3


def test_unpack_zip_and_nested_archive(ref, tmp_path):
    zpath = tmp_path / "bob.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(ref / "Makefile", "Makefile")
        zf.write(ref / "kern/proc.c", "kern/proc.c")
        zf.writestr("../../evil", "bad")
    tree, notes = batch.unpack(str(zpath), str(tmp_path / "z"))
    assert tree == str(tmp_path / "z") and (tmp_path / "z/kern/proc.c").exists()
    # a directory holding only a handin tarball (a Gradescope upload)
    up = tmp_path / "upload"
    up.mkdir()
    with tarfile.open(up / "handin-carol-20250101-120000.tar.gz", "w:gz") as tf:
        tf.add(ref / "kern/proc.c", "handin-carol/kern/proc.c")
        tf.add(ref / "Makefile", "handin-carol/Makefile")
    tree, notes = batch.unpack(str(up), str(tmp_path / "g"))
    assert os.path.isfile(os.path.join(tree, "kern/proc.c"))


def test_unpack_git_repository_grades_head(ref, tmp_path):
    repo = tmp_path / "dave"
    shutil.copytree(ref, repo)
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "work"]):
        subprocess.run(["git"] + cmd, cwd=repo, check=True, env=env)
    write(repo / "kern/proc.c", "uncommitted\n")
    tree, notes = batch.unpack(str(repo), str(tmp_path / "d"))
    assert read(os.path.join(tree, "kern/proc.c")) == "int proc;\n"
    assert not os.path.exists(os.path.join(tree, ".git"))
    assert any("graded commit" in n for n in notes)
    assert any("uncommitted" in n for n in notes)


def test_unpack_without_a_tree(tmp_path):
    empty = tmp_path / "eve"
    (empty / "a").mkdir(parents=True)
    (empty / "b").mkdir()
    with pytest.raises(batch.NoTree):
        batch.unpack(str(empty), str(tmp_path / "e"))


def test_student_names():
    assert batch.student_name("/s/handin-alice-20250101-120000.tar.gz") == "alice"
    assert batch.student_name("/s/handin-al-ice-20250101-1200.tar.gz") == "al-ice"
    assert batch.student_name("/s/lab1-bob/") == "lab1-bob"
    assert batch.student_name("/s/carol.git") == "carol"
    assert batch.student_name("/s/d a v e.zip") == "d_a_v_e"


def test_find_submissions(tmp_path):
    s = tmp_path / "subs"
    (s / "alice").mkdir(parents=True)
    (s / "handin-alice-20250101-120000.tar.gz").write_bytes(b"")
    (s / "readme.txt").write_text("x")
    (s / ".hidden").mkdir()
    subs, skipped = batch.find_submissions(str(s))
    assert [n for n, _ in subs] == ["alice", "alice-2"]
    assert skipped == ["readme.txt"]


# ---- results: the CSV and the Gradescope JSON ------------------------------------------

def test_columns_and_csv_shape(tmp_path):
    m = labs.parse(MINI_MANIFEST)
    cols = batch.columns(m.active, labs.ARCHES)
    assert cols == ["core/x86_64", "core/riscv", "lab1/x86_64", "lab1/riscv", "x86only/x86_64"]
    assert batch.column_max(m.active, ("riscv",)) == {"core/riscv": 20, "lab1/riscv": 10}
    reps = [
        {"student": "zed", "columns": dict.fromkeys(cols, 0), "score": 0, "max_score": 65,
         "status": "build-failed x86_64,riscv", "seconds": 3.0, "notes": ["git: x", "boom"]},
        {"student": "amy", "columns": {"core/x86_64": 20, "core/riscv": 20, "lab1/x86_64": 10,
                                       "lab1/riscv": 0, "x86only/x86_64": 5},
         "score": 55, "max_score": 65, "status": "graded", "seconds": 80.0, "notes": []},
    ]
    path = str(tmp_path / "results.csv")
    batch.write_csv(path, reps, cols)
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["student"] + cols + ["total", "max", "status", "seconds", "notes"]
    assert [r[0] for r in rows[1:]] == ["amy", "zed"]          # one row per student, sorted
    assert rows[1][1:6] == ["20", "20", "10", "0", "5"] and rows[1][6:8] == ["55", "65"]
    assert rows[2][6] == "0" and rows[2][-1] == "boom"


def _valid_gradescope(r):
    assert isinstance(r["score"], (int, float))
    assert isinstance(r["output"], str)
    for t in r["tests"]:
        assert {"name", "score", "max_score", "status", "output"} <= set(t)
        assert t["status"] in ("passed", "failed")
    assert sum(t["score"] for t in r["tests"]) == r["score"]


def test_gradescope_results_for_every_outcome():
    cols = ["core/x86_64", "core/riscv"]
    maxes = {"core/x86_64": 20, "core/riscv": 20}
    base = {"student": "s", "columns": dict.fromkeys(cols, 0), "seconds": 5, "notes": ["n1"],
            "build": {}}
    for status in ("no-tree", "timeout", "error"):
        r = batch.gradescope_results(dict(base, status=status, results=None), cols, maxes)
        _valid_gradescope(r)
        assert [t["name"] for t in r["tests"]] == ["core [x86_64]", "core [riscv]"]
        assert status in r["output"] and "n1" in r["output"]
    # build failure: grade.py's own results, with the compiler's error in front
    graded = {"score": 20, "output": "core  x86_64  0/20\nScore: 20/40", "tests": [
        {"name": "core [x86_64]", "score": 0, "max_score": 20, "status": "failed", "output": "b"},
        {"name": "core [riscv]", "score": 20, "max_score": 20, "status": "passed", "output": ""}]}
    rep = dict(base, status="build-failed x86_64", results=graded,
               build={"x86_64": {"ok": False, "errors": ["kern/proc.c:3: error: expected ';'"]},
                      "riscv": {"ok": True, "errors": []}})
    r = batch.gradescope_results(rep, cols, maxes)
    _valid_gradescope(r)
    assert r["output"].startswith("BUILD FAILED on x86_64")
    assert "kern/proc.c:3: error: expected ';'" in r["output"]


# ---- hidden tests ---------------------------------------------------------------------------

def test_hidden_tests_count_only_where_their_files_are(ref, tmp_path):
    m = labs.load(str(ref / "grade/manifest.toml"))
    assert m.stage("core").tests == ["test_a", "test_secret"]
    sub = student_tree(ref, tmp_path / "sub")
    m = labs.load(str(sub / "grade/manifest.toml"))
    assert m.stage("core").tests == ["test_a"]       # a student can still reach full marks
    batch.overlay(str(sub), batch.make_plan(str(ref)))
    m = labs.load(str(sub / "grade/manifest.toml"))
    assert m.stage("core").tests == ["test_a", "test_secret"]


@pytest.mark.parametrize("bad", [
    'hidden_tests = ["t"]\n',
    'hidden_files = ["grade/tests/x.py"]\n',
    'hidden_tests = ["t"]\nhidden_files = ["kern/x.c"]\n',
    'hidden_tests = ["t"]\nhidden_files = ["grade/tests/../../x.py"]\n',
])
def test_manifest_rejects_bad_hidden(bad):
    with pytest.raises(labs.ManifestError):
        labs.parse('[[stage]]\nname = "a"\nassignment = "a"\npoints = 1\ntests = ["t0"]\n' + bad)


def test_handout_omits_hidden_files(tmp_path):
    """tools/handout.py on a copy of this tree with a hidden test added."""
    ref = tmp_path / "ref"
    files = batch.list_files(ROOT)
    for f in files:
        if not f.startswith("build/"):
            dst = ref / f
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(os.path.join(ROOT, f), dst)
    write(ref / "grade/tests/test_secret_core.py", "def test_secret(aqua):\n    pass\n")
    write(ref / "user/tests/secretprog.c", "int main(void) { return 0; }\n")
    text = read(ref / "grade/manifest.toml")
    text = text.replace('name = "core"\n', 'name = "core"\nhidden_tests = ["test_secret"]\n'
                        'hidden_files = ["grade/tests/test_secret_core.py", '
                        '"user/tests/secretprog.c"]\n', 1)
    write(ref / "grade/manifest.toml", text)
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    subprocess.run(["git", "init", "-q"], cwd=ref, check=True)
    out = tmp_path / "handout"
    r = subprocess.run([sys.executable, str(ref / "tools/handout.py"), "--out", str(out)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert not (out / "grade/tests/test_secret_core.py").exists()
    assert not (out / "user/tests/secretprog.c").exists()
    assert (out / "grade/tests/test_core.py").exists()
    assert "test_secret" not in labs.load(str(out / "grade/manifest.toml")).stage("core").tests
    assert "test_secret" in labs.load(str(ref / "grade/manifest.toml")).stage("core").tests
    plan = batch.make_plan(str(ref))
    assert "grade/tests/test_secret_core.py" in plan.hidden
    batch.overlay(str(out), plan)
    assert (out / "grade/tests/test_secret_core.py").exists()


# ---- make handin (grade/host/test_handin.py tests the tarball itself) ------------------------

def test_batch_reads_a_handin(ref, tmp_path):
    """A handin of a handout: its hashes are checked, HANDIN.txt (with the
    lab) becomes a note, and the lab file is neither dropped nor flagged."""
    tree = tmp_path / "tree"
    shutil.copytree(ref, tree)
    write(tree / handin.LAB_FILE, "lab1\n")
    path, files, links = handin.handin(str(tree), "alice", str(tmp_path / "out") + "/")
    tree2, notes = batch.unpack(path, str(tmp_path / "u"))
    assert any(n.startswith("MANIFEST.sha256: all") for n in notes)
    assert any(n.startswith("handin: user: alice; lab: lab1;") for n in notes), notes
    proc = os.path.join(tree2, "kern/proc.c")
    kept = read(proc)
    write(proc, "changed after handin\n")
    assert any("1 of" in n for n in batch.check_handin_manifest(tree2))
    write(proc, kept)
    plan = batch.make_plan(str(ref))
    ov = batch.overlay(tree2, plan)
    assert os.path.isfile(os.path.join(tree2, handin.LAB_FILE))
    assert not [d for d in ov["dropped"] if handin.LAB_FILE in d], ov["dropped"]
    starter = {"lab": "lab1", "handout_lab": "lab1", "lab_files": [],
               "files": {f: batch._sha256(os.path.join(tree, f)) for f in files
                         if batch._is_student_file(f, plan)}}
    assert handin.LAB_FILE in starter["files"]
    write(os.path.join(tree2, handin.LAB_FILE), "another-lab\n")
    assert batch.diff_report(tree2, plan, starter)["outside"] == []


# ---- the Gradescope zip -------------------------------------------------------------------------

def test_setup_sh_installs_what_ci_installs():
    """setup.sh, .ci/run and make deps install tools/packages.txt and the
    ports' packages (arch/*/port.toml), the one list: .ci/run reads it
    through tools/deps.sh, and the zip lists it for an amd64 host
    (Gradescope's) whatever machine made the zip."""
    import tomllib
    pkgs = gradescope.packages()
    with open(os.path.join(ROOT, ".ci", "run")) as f:
        ci = f.read()
    assert "tools/deps.sh list" in ci and "qemu-system-x86" not in ci, \
        ".ci/run names packages itself instead of reading tools/packages.txt"
    with open(os.path.join(ROOT, "tools", "packages.txt")) as f:
        listed = [line.split("#")[0].split() for line in f]
    for port in sorted(os.listdir(os.path.join(ROOT, "arch"))):   # deps.sh's order
        desc = os.path.join(ROOT, "arch", port, "port.toml")
        if os.path.exists(desc):
            with open(desc, "rb") as f:
                listed += [e.split(":")[0].split() for e in tomllib.load(f)["packages"]["debian"]]
    names = [w[0] for w in listed if w]
    # On amd64 only the [!amd64] entries (the x86_64 cross compiler) drop out.
    assert pkgs == [w[0] for w in listed if w and "[!amd64]" not in w[1:]]
    assert set(names) - set(pkgs) == {"gcc-x86-64-linux-gnu"}
    arm = gradescope.packages(host="arm64")
    assert "gcc-x86-64-linux-gnu" in arm and "binutils-x86-64-linux-gnu" in arm
    for must in ("make", "qemu-system-x86", "qemu-system-misc", "python3-pytest",
                 "python3-pexpect", "gcc-riscv64-linux-gnu"):
        assert must in pkgs


def test_gradescope_zip_contents(tmp_path):
    out = str(tmp_path / "ag.zip")
    plan, stages, pkgs = gradescope.build_zip(out)
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        modes = {zi.filename: (zi.external_attr >> 16) & 0o777 for zi in zf.infolist()}
        setup = zf.read("setup.sh").decode()
        ov = json.loads(zf.read("pristine/overlay.json"))
    assert "setup.sh" in names and "run_autograder" in names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert "apt-get install -y -q " + " ".join(pkgs) in setup
    assert sorted(n[len("pristine/"):] for n in names
                  if n.startswith("pristine/") and n != "pristine/overlay.json") == plan.files
    assert not [n for n in names if n.startswith("pristine/kern/")]
    assert ov["config"]["stages"] == [s.name for s in stages]
    r = subprocess.run(["bash", "-n"], input=setup, text=True, capture_output=True)
    assert r.returncode == 0, r.stderr


def test_autograder_writes_results_for_an_empty_submission(tmp_path):
    """run_autograder on a fake /autograder whose submission holds no tree:
    a valid results.json with 0 points (no build, no QEMU)."""
    zpath = str(tmp_path / "ag.zip")
    gradescope.build_zip(zpath)
    ag = tmp_path / "autograder"
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(ag / "source")
    (ag / "submission").mkdir()
    (ag / "submission" / "notes.txt").write_text("I forgot to upload my code\n")
    shutil.copy(ag / "source/run_autograder", ag / "run_autograder")
    os.chmod(ag / "run_autograder", 0o755)
    r = subprocess.run([str(ag / "run_autograder")], capture_output=True, text=True,
                       env=dict(os.environ, AUTOGRADER_ROOT=str(ag)), timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    with open(ag / "results/results.json") as f:
        res = json.load(f)
    _valid_gradescope(res)
    assert res["score"] == 0 and res["tests"]
    assert "no aqua6 tree" in res["output"]


def test_run_kills_the_whole_group_at_the_deadline(tmp_path):
    """The per-submission time limit kills the build or grader and every
    process it started (QEMUs included), not just the first one."""
    import time
    pidfile = tmp_path / "pid"
    t0 = time.monotonic()
    with open(tmp_path / "log", "w") as log:
        rc, out = batch._run(["sh", "-c", f"sleep 60 & echo $! > {pidfile}; echo started; wait"],
                             str(tmp_path), time.monotonic() + 1.0, log)
    assert rc is None and "started" in out
    assert time.monotonic() - t0 < 15
    child = int(pidfile.read_text())
    time.sleep(0.2)
    try:                                    # gone, or a zombie nobody reaped yet
        with open(f"/proc/{child}/stat") as f:
            assert f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        pass
