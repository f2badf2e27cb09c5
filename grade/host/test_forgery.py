"""Proof that editing the console cannot earn marks (issue 18).

    make forgery        (or: AQUA_FORGERY=1 /usr/bin/python3 -m pytest -s grade/host/test_forgery.py)

Skipped unless AQUA_FORGERY=1; `make test` runs it.  It takes the starter
of the ppwait lab (ppwait, sharefiles, idle and nozombie all starters)
and makes three kernels from it that try to pass without doing the work:

  forger    grade/host/forgers/forger.patch: the console drops "not " at
            the start of every line, and waitpid(2) says every child
            exited 0.  Before signed verdicts this earned full marks on
            all four stages through `make grade-batch`.
  replay    prints, for each `run=` the grader asks for, the console that
            the reference kernel printed for it (recorded here, first),
            signed verdict lines included, and powers off with 0.
  printall  prints every line a grader could look for (the plan, an "ok"
            per check, verdict lines with a made-up hmac, init's lines)
            and powers off with 0.

All three are graded in one batch with the pristine grader, on x86_64
(the defence is in portable code; one port keeps this to minutes).  Each
must score 0 on every one of the four stages, with the signed verdict
named as the reason, and the diff report must name the kernel files the
forgery lives in.  The reference tree, graded first (which also
records the consoles the replay needs), must score full marks.
"""

import csv
import glob
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

GRADE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(GRADE)
if GRADE not in sys.path:
    sys.path.insert(0, GRADE)

import batch  # noqa: E402
import labs  # noqa: E402

pytestmark = pytest.mark.skipif(os.environ.get("AQUA_FORGERY") != "1",
                                reason="slow: make forgery (AQUA_FORGERY=1)")

PY = batch.PYTHON
ARCH = "x86_64"
HANDOUT = "ppwait"
STAGES = ["ppwait", "sharefiles", "idle", "nozombie"]
FORGERS = os.path.join(GRADE, "host", "forgers")
ENV = {k: v for k, v in os.environ.items()
       if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "ARCH", "LAB", "JOBS", "OUT", "TEST")}


def run(cmd, **kw):
    return subprocess.run([str(c) for c in cmd], env=ENV, text=True, capture_output=True, **kw)


def c_string(text):
    """text as a C string literal, one source line per console line."""
    out = []
    for line in text.splitlines(keepends=True):
        esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        esc = "".join(c if 32 <= ord(c) < 127 else f"\\{ord(c):03o}" for c in esc)
        out.append(f'"{esc}"')
    return "\n\t    ".join(out) or '""'


def canned_c(table):
    """kern/canned.c for {run string: console text}."""
    rows = ",\n".join(f'\t{{ {c_string(run_)}, {c_string(text)} }}'
                      for run_, text in sorted(table.items()))
    with open(os.path.join(FORGERS, "canned.c.in")) as f:
        return f.read().replace("@@CANNED@@", rows)


def recorded_consoles(logdir):
    """{run string: console after the boot banner} from the grader's logs."""
    table = {}
    for log in glob.glob(os.path.join(logdir, "*.log")):
        with open(log, encoding="utf-8", errors="replace") as f:
            text = f.read()
        m = re.search(r"-append '?run=([^']*?)'? -drive", text)
        if not m or "# ---- console ----\n" not in text:
            continue
        console = text.split("# ---- console ----\n", 1)[1]
        # From just after the banner, which the replaying kernel prints itself.
        console = re.split(r"(?m)^aqua6: .*\n", console, maxsplit=1)[-1]
        table.setdefault(m.group(1), console)
    return table


def printall_console(table):
    """Every line a grader looks for, for each program, with no key."""
    out = {}
    for run_, console in table.items():
        plan = re.search(r"(?m)^1\.\.(\d+)", console)
        n = int(plan.group(1)) if plan else 1
        prog = run_.split()[0]
        text = f"1..{n}\n" + "".join(f"ok {i} - check {i}\n" for i in range(1, n + 1))
        text += f"# verdict {n} {'.' * n} exit 0 hmac {'0' * 64}\n"
        text += ("init: leak check: pages 1000 -> 1000, procs 2 -> 2, files 1 -> 1\n"
                 f"init: {prog} exited with status 0\n"
                 f"init: verdict exit 0 leak 1000 1000 2 2 1 1 hmac {'f' * 64}\n")
        out[run_] = text
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    t = tmp_path_factory.mktemp("forgery")
    # 1. The reference, graded by the grader (also records the consoles).
    ref = t / "reference"
    shutil.copytree(ROOT, ref, ignore=shutil.ignore_patterns("build", ".git", "__pycache__"),
                    symlinks=True)
    # With the tree's build products, time stamps kept (copytree copies
    # them): make rebuilds only what is out of date, as in the tree.
    for sub in (ARCH, "host"):
        if os.path.isdir(os.path.join(ROOT, "build", sub)):
            shutil.copytree(os.path.join(ROOT, "build", sub), ref / "build" / sub, symlinks=True)
    assert run(["make", "-C", ref, "-j2", f"ARCH={ARCH}", "all"]).returncode == 0
    r = run([PY, ref / "grade/grade.py", "--arch", ARCH, "--lab", ",".join(STAGES),
             "--results-json", t / "reference.json"], cwd=ref)
    reference = {"rc": r.returncode, "out": r.stdout + r.stderr}
    table = recorded_consoles(ref / "build" / "grade" / ARCH)
    assert table, "no console was recorded from the reference run"

    # 2. The three forgers, each from the stage's starter.
    starter = t / "starter"
    assert run([PY, ROOT + "/tools/handout.py", "--out", starter, "--lab", HANDOUT]).returncode == 0
    subs = t / "submissions"
    subs.mkdir()
    kernels = {"forger": None, "replay": table, "printall": printall_console(table)}
    for name, canned in kernels.items():
        tree = subs / name
        shutil.copytree(starter, tree, symlinks=True)
        patch = "forger.patch" if canned is None else "canned.patch"
        r = run(["git", "apply", os.path.join(FORGERS, patch)], cwd=tree)
        assert r.returncode == 0, f"{patch} does not apply to the {HANDOUT} starter:\n{r.stderr}"
        if canned is not None:
            (tree / "kern" / "canned.c").write_text(canned_c(canned))
        # The handout is a git repository and batch grading grades its
        # HEAD, as it would a student's: commit the forgery.
        for cmd in (["add", "-A"], ["-c", "user.name=forger", "-c", "user.email=f@localhost",
                                    "commit", "-q", "-m", name]):
            assert run(["git"] + cmd, cwd=tree).returncode == 0, cmd
    out = t / "results"
    r = run([PY, ROOT + "/grade/batch.py", subs, "--out", out, "--arch", ARCH,
             "--lab", ",".join(STAGES), "--jobs", "1"])
    with open(out / "results.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    reports = {}
    for name in kernels:
        with open(out / f"{name}.json") as f:
            reports[name] = json.load(f)
    m = labs.load(os.path.join(GRADE, "manifest.toml"))
    return {"reference": reference, "table": table, "rc": r.returncode, "rows": rows,
            "reports": reports, "batch_out": r.stdout + r.stderr, "manifest": m}


def test_reference_gets_full_marks(world):
    ref = world["reference"]
    assert ref["rc"] == 0, ref["out"][-3000:]
    assert re.search(r"Score: (\d+)/\1\b", ref["out"]), ref["out"][-2000:]


def test_replay_has_recordings_of_every_stage(world):
    runs = " ".join(world["table"])
    for prog in ("/bin/ppwaittest", "/bin/sharefilestest", "/bin/ktest idle", "/bin/nozombietest"):
        assert prog in runs, (prog, sorted(world["table"]))


@pytest.mark.parametrize("name", ["forger", "replay", "printall"])
def test_forged_kernel_scores_zero(world, name):
    assert world["rc"] == 0, world["batch_out"][-3000:]
    row = world["rows"][name]
    assert row["status"] == "graded", row
    for stage in STAGES:
        col = f"{stage}/{ARCH}"
        assert int(row[col]) == 0, (name, col, row)
    # The reason the student (and instructor) reads is the signature.
    text = json.dumps(world["reports"][name])
    assert "signed verdict" in text, text[:3000]
    # And the diff report names the files the forgery lives in, outside
    # the lab's files (the manifest's `files`), in the JSON and the CSV.
    want = {"forger": ["kern/console.c", "kern/printf.c", "kern/sys_proc.c"],
            "replay": ["kern/main.c", "kern/canned.c"],
            "printall": ["kern/main.c", "kern/canned.c"]}[name]
    outside = world["reports"][name]["diff"]["outside"]
    for f in want:
        assert f in outside, (f, world["reports"][name]["diff"])
    assert "outside the lab's files" in row["notes"], row["notes"]
