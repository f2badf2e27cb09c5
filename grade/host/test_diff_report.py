"""Host tests for the diff report (no QEMU, a few seconds each): batch and
Gradescope grading name every file a submission changed from its lab's
starter, and flag those outside the manifest's `files` for the graded
stages, where a forged verdict would hide (a console filter, a doctored
wait path).  The manifest's `files` lists must be where the SOLUTION
markers are, or the report would flag honest work or miss forgery.
"""

import os
import shutil
import sys

import pytest

GRADE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(GRADE)
for d in (GRADE, os.path.join(ROOT, "tools")):
    if d not in sys.path:
        sys.path.insert(0, d)

import batch  # noqa: E402
import handout  # noqa: E402
import labs  # noqa: E402


def test_manifest_files_are_where_the_markers_are():
    """Each stage's `files` is exactly the set of files holding its SOLUTION
    markers (tools/handout.py reads them): adding a marker to a new file, or
    moving one, without updating grade/manifest.toml fails here."""
    markers = handout.marker_files()
    m = labs.load()
    wrong = []
    for s in m.stages:
        if sorted(s.files) != markers[s.name]:
            wrong.append(f"stage {s.name}: manifest files = {sorted(s.files)}, "
                         f"markers are in {markers[s.name]}")
    assert not wrong, ("grade/manifest.toml's `files` disagree with the SOLUTION markers "
                       "(tools/handout.py --check lists them):\n  " + "\n  ".join(wrong))


@pytest.mark.parametrize("bad", ['files = "kern/fork.c"\n', 'files = ["/etc/passwd"]\n',
                                 'files = ["../x.c"]\n', 'files = ["kern/"]\n'])
def test_manifest_rejects_bad_files(bad):
    text = f'[[stage]]\nname = "a"\nassignment = "a"\npoints = 1\ntests = ["t"]\n{bad}'
    with pytest.raises(labs.ManifestError, match="files"):
        labs.parse(text)


@pytest.fixture(scope="module")
def plan():
    return batch.make_plan(ROOT)


@pytest.fixture(scope="module")
def starter(plan):
    return batch.starter_digests(plan, "ppwait")


def test_starter_digests_are_the_handout(plan, starter):
    """The digests are of `make handout LAB=ppwait`: kern/fork.c is its
    starter (not the reference's solution), and no pristine file is there."""
    assert starter["lab"] == "ppwait" and starter["handout_lab"] == "ppwait"
    assert starter["lab_files"] == ["kern/fork.c", "kern/proc.c"]
    assert "kern/fork.c" in starter["files"] and "kern/console.c" in starter["files"]
    assert starter["files"]["kern/fork.c"] != batch._sha256(os.path.join(ROOT, "kern/fork.c"))
    assert "kern/forkstat.c" in starter["files"]
    assert not [f for f in starter["files"] if f.startswith(("grade/", "user/tests/", "tools/"))]


def test_assignment_and_list_start_from_their_first_stage(plan):
    m = labs.load()
    first = m.select("contexts")[0].name
    d = batch.starter_digests(plan, "fixed-pid,makecxt")
    assert d["handout_lab"] == "makecxt" == first
    assert d["lab_files"] == ["kern/makecxt.c"]


def _submission(tmp_path, lab):
    out = tmp_path / "sub"
    handout_py = os.path.join(ROOT, "tools", "handout.py")
    assert os.system(f"{sys.executable} {handout_py} --lab {lab} --out {out} >/dev/null") == 0
    shutil.rmtree(out / ".git")
    return out


def test_forged_console_and_wait_are_named(tmp_path, plan, starter):
    """The case the report exists for: the lab's own file edited (fine),
    the console filter and the wait path edited (named), a file added and
    one removed (named), a README note (listed, not flagged)."""
    tree = _submission(tmp_path, "ppwait")
    with open(tree / "kern/fork.c", "a") as f:
        f.write("/* my ppwait */\n")
    with open(tree / "kern/console.c", "a") as f:
        f.write("/* s/not ok/ok/ */\n")
    wait = "kern/sys_proc.c"                # sys_wait: not a ppwait file
    with open(tree / wait, "a") as f:
        f.write("/* always status 0 */\n")
    (tree / "kern/helper.c").write_text("int helper;\n")
    os.unlink(tree / "kern/forkstat.c")
    with open(tree / "README.md", "a") as f:
        f.write("notes\n")
    ov = batch.overlay(str(tree), plan)
    assert ov["changed"] == []
    d = batch.diff_report(str(tree), plan, starter)
    assert d["changed"] == sorted(["README.md", "kern/console.c", "kern/fork.c", wait])
    assert d["added"] == ["kern/helper.c"] and d["removed"] == ["kern/forkstat.c"]
    assert d["outside"] == sorted(["kern/console.c", wait, "kern/helper.c", "kern/forkstat.c"])
    note = batch.diff_note(d)
    assert note.startswith("4 files changed outside the lab's files: ")
    assert "kern/console.c" in note and wait in note
    text = "\n".join(batch.diff_lines(d))
    assert "make handout LAB=ppwait" in text and "OUTSIDE the lab's files: " in text


def test_untouched_starter_reports_nothing(tmp_path, plan, starter):
    tree = _submission(tmp_path, "ppwait")
    batch.overlay(str(tree), plan)
    d = batch.diff_report(str(tree), plan, starter)
    assert d["changed"] == d["added"] == d["removed"] == d["outside"] == []
    assert batch.diff_note(d) is None


def test_report_reaches_csv_json_and_results(tmp_path):
    """The short note comes first in the CSV notes, the full report in the
    Gradescope results' output and extra_data."""
    d = {"lab": "ppwait", "starter": "make handout LAB=ppwait", "lab_files": ["kern/fork.c"],
         "changed": ["kern/console.c"], "added": [], "removed": [], "outside": ["kern/console.c"]}
    rep = {"student": "s", "columns": {"core/x86_64": 0}, "score": 0, "max_score": 20,
           "status": "timeout", "seconds": 3, "build": {}, "diff": d,
           "notes": ["a" * 600, batch.diff_note(d)], "results": None}
    r = batch.gradescope_results(rep, ["core/x86_64"], {"core/x86_64": 20})
    assert "OUTSIDE the lab's files: kern/console.c" in r["output"]
    assert r["extra_data"]["diff"] == d
    path = tmp_path / "results.csv"
    batch.write_csv(str(path), [rep], ["core/x86_64"])
    row = path.read_text().splitlines()[1]
    assert "1 file changed outside the lab's files: kern/console.c" in row
