"""Host tests for grade/adapters.py (no QEMU, under a second): one grading
run's results, converted to each platform's format, has the fields that
platform documents, with the right types and ranges, and the same score.

  * Gradescope (gradescope-autograders.readthedocs.io, "Autograder
    Specifications"): score, output, tests[] with name/score/max_score/
    status/output/visibility, visibility one of hidden, after_due_date,
    after_published, visible;
  * PrairieLearn (docs.prairielearn.com, "External Grading"): gradable
    (bool), score (0..1), message, output, tests[] with name, description,
    points, max_points, message, output;
  * JUnit XML: testsuites > testsuite (name, tests, failures, errors,
    skipped, time) > testcase (name, classname, time) with at most one of
    failure/error/skipped (message, type).
"""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

GRADE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if GRADE not in sys.path:
    sys.path.insert(0, GRADE)

import adapters  # noqa: E402
# MAINTAINER BEGIN: grade/batch.py is not in handouts
import batch  # noqa: E402
# MAINTAINER END
import labs  # noqa: E402
import score  # noqa: E402

# core, and lab1 whose points need a hidden test too (as labs.load()
# makes it where the hidden test's file exists).
STAGES = [labs.Stage("core", "core", 20, None, ["test_a"]),
          labs.Stage("lab1", "labs", 10, None, ["test_b", "test_secret"],
                     hidden_tests=["test_secret"], hidden_files=["grade/tests/test_hidden.py"])]


def _r(func, arch, outcome, stage):
    return {"nodeid": f"grade/tests/test_x.py::{func}[{arch}]", "outcome": outcome,
            "message": "" if outcome == "passed" else "FAILED: `/bin/x`: check 3 - pipe",
            "duration": 2.25, "info": {"arch": arch, "func": func, "stages": [stage],
                                       "checks": []}}


@pytest.fixture
def results():
    """What grade.py writes for a run in which core passed on both ports,
    lab1 passed on x86_64 and failed its hidden test on riscv."""
    stages = STAGES
    res = [_r("test_a", "x86_64", "passed", "core"), _r("test_a", "riscv", "passed", "core"),
           _r("test_b", "x86_64", "passed", "lab1"), _r("test_secret", "x86_64", "passed", "lab1"),
           _r("test_b", "riscv", "passed", "lab1"), _r("test_secret", "riscv", "failed", "lab1")]
    rows = score.stage_rows(stages, ["x86_64", "riscv"], res)
    doc = score.gradescope(rows, 30.0, score.format_table(rows),
                           hidden={s.name: s.hidden_tests for s in stages})
    return json.loads(json.dumps(doc))


# MAINTAINER BEGIN: grade/batch.py is not in handouts
@pytest.fixture
def ungradable():
    """What batch.py/gradescope.py write for a submission with no tree."""
    rep = {"student": "s", "columns": {"core/x86_64": 0}, "seconds": 1, "build": {},
           "status": "no-tree", "notes": ["no aqua6 tree in the submission"], "results": None}
    return batch.gradescope_results(rep, ["core/x86_64"], {"core/x86_64": 20})
# MAINTAINER END


def test_internal_results_carry_stage_port_and_hidden(results):
    x = {t["name"]: t["extra_data"] for t in results["tests"]}
    assert x["lab1 [riscv]"]["stage"] == "lab1" and x["lab1 [riscv]"]["arch"] == "riscv"
    assert x["lab1 [riscv]"]["hidden"] and not x["core [riscv]"]["hidden"]
    assert [t["outcome"] for t in x["lab1 [riscv]"]["tests"]] == ["passed", "failed"]


# ---- Gradescope ------------------------------------------------------------------------

VISIBILITY = ("hidden", "after_due_date", "after_published", "visible")


def _valid_gradescope(g):
    assert isinstance(g["score"], (int, float)) and isinstance(g["output"], str)
    assert g.get("stdout_visibility", "visible") in VISIBILITY
    for t in g["tests"]:
        assert isinstance(t["name"], str) and t["name"]
        assert isinstance(t["score"], (int, float)) and isinstance(t["max_score"], (int, float))
        assert 0 <= t["score"] <= t["max_score"]
        assert t["status"] in ("passed", "failed")
        assert t["visibility"] in VISIBILITY
        assert isinstance(t["output"], str)
    assert sum(t["score"] for t in g["tests"]) == g["score"]


def test_gradescope_hides_the_stages_of_hidden_tests(results):
    g = adapters.to_gradescope(results)
    _valid_gradescope(g)
    vis = {t["name"]: t["visibility"] for t in g["tests"]}
    assert vis == {"core [x86_64]": "visible", "core [riscv]": "visible",
                   "lab1 [x86_64]": "after_due_date", "lab1 [riscv]": "after_due_date"}
    # The table students see does not give the hidden verdict away.
    assert "lab1  riscv   0/10" not in g["output"] and "Score: 50/60" not in g["output"]
    assert "lab1  riscv  (hidden tests: shown after the due date)" in g["output"]
    assert "core  riscv   20/20" in g["output"].splitlines()
    assert g["stdout_visibility"] == "after_due_date", "the grading log names the hidden tests"
    assert adapters.to_gradescope(results, "hidden")["tests"][2]["visibility"] == "hidden"
    assert "Score: 50/60" in results["output"], "the input must not be changed"


# MAINTAINER BEGIN: grade/batch.py is not in handouts
def test_gradescope_of_an_ungradable_submission(ungradable):
    _valid_gradescope(adapters.to_gradescope(ungradable))
# MAINTAINER END


# ---- PrairieLearn ----------------------------------------------------------------------

def _valid_prairielearn(p):
    assert isinstance(p["gradable"], bool)
    assert isinstance(p["score"], float) and 0.0 <= p["score"] <= 1.0
    assert isinstance(p["message"], str) and isinstance(p["output"], str)
    for t in p["tests"]:
        assert {"name", "description", "points", "max_points", "message", "output"} <= set(t)
        assert isinstance(t["name"], str) and isinstance(t["description"], str)
        assert isinstance(t["points"], (int, float)) and isinstance(t["max_points"], (int, float))
        assert 0 <= t["points"] <= t["max_points"]
        assert isinstance(t["message"], str) and isinstance(t["output"], str)


def test_prairielearn(results):
    p = adapters.to_prairielearn(results)
    _valid_prairielearn(p)
    assert p["gradable"] and p["score"] == pytest.approx(50 / 60)
    assert p["message"] == "Score: 50/60"
    t = {t["name"]: t for t in p["tests"]}
    assert t["lab1 [riscv]"]["points"] == 0 and t["lab1 [riscv]"]["max_points"] == 10
    assert t["lab1 [riscv]"]["message"] == "1 of 2 tests failed"
    assert t["core [x86_64]"]["message"] == "passed"


# MAINTAINER BEGIN: grade/batch.py is not in handouts
def test_prairielearn_ungradable_is_not_a_zero(ungradable):
    p = adapters.to_prairielearn(ungradable)
    _valid_prairielearn(p)
    assert p["gradable"] is False and p["score"] == 0.0
    assert "no-tree" in p["message"]
    assert any("no aqua6 tree" in e for e in p["format_errors"])
# MAINTAINER END


def test_prairielearn_stays_under_its_1_mb_limit(results):
    """PrairieLearn takes at most 1 MB of results.json: huge outputs are cut."""
    for t in results["tests"]:
        t["output"] = "not ok 1 - x\n" * 200_000
    p = adapters.to_prairielearn(results)
    _valid_prairielearn(p)
    assert len(json.dumps(p)) <= adapters.PL_LIMIT
    assert "more characters cut" in p["tests"][0]["output"]


# MAINTAINER BEGIN: grade/batch.py is not in handouts
def test_prairielearn_build_failure_is_gradable():
    rep = {"student": "s", "columns": {"core/x86_64": 0}, "seconds": 1,
           "build": {"x86_64": {"ok": False, "errors": ["kern/proc.c:3: error: x"]}},
           "status": "build-failed x86_64", "notes": [],
           "results": {"score": 0, "output": "", "tests": [
               {"name": "core [x86_64]", "score": 0, "max_score": 20, "status": "failed",
                "output": "build failed: make ARCH=x86_64 all failed"}]}}
    p = adapters.to_prairielearn(batch.gradescope_results(rep, ["core/x86_64"],
                                                          {"core/x86_64": 20}))
    assert p["gradable"] is True and p["score"] == 0.0
# MAINTAINER END


# ---- JUnit -----------------------------------------------------------------------------

def _junit(text):
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    ts = suites[0]
    for a in ("name", "tests", "failures", "errors", "skipped", "time"):
        assert a in ts.attrib, f"<testsuite> lacks {a}"
    float(ts.get("time"))
    cases = ts.findall("testcase")
    assert int(ts.get("tests")) == len(cases)
    n = {"failure": 0, "error": 0, "skipped": 0}
    for c in cases:
        assert c.get("name") and c.get("classname")
        float(c.get("time"))
        kinds = [e.tag for e in c if e.tag in n]
        assert len(kinds) <= 1, f"{c.get('name')}: more than one of {kinds}"
        for k in kinds:
            n[k] += 1
            el = c.find(k)
            assert el.get("message") and el.get("type")
    assert (int(ts.get("failures")), int(ts.get("errors")), int(ts.get("skipped"))) == \
        (n["failure"], n["error"], n["skipped"])
    return ts, cases


def test_junit(results):
    ts, cases = _junit(adapters.to_junit(results))
    assert [c.get("name") for c in cases] == ["core [x86_64]", "core [riscv]",
                                              "lab1 [x86_64]", "lab1 [riscv]"]
    bad = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in bad] == ["lab1 [riscv]"]
    f = bad[0].find("failure")
    assert f.get("message") == "0/10 points: 1 of 2 tests failed" and f.get("type") == "points"
    assert "FAILED: `/bin/x`: check 3 - pipe" in f.text
    props = {p.get("name"): p.get("value") for p in ts.find("properties")}
    assert props["score"] == "50" and props["max_score"] == "60"
    assert float(cases[0].get("time")) == pytest.approx(2.25)


# MAINTAINER BEGIN: grade/batch.py is not in handouts
def test_junit_ungradable_is_an_error(ungradable):
    ts, cases = _junit(adapters.to_junit(ungradable))
    assert ts.get("errors") == "1" and cases[0].find("error").get("type") == "build"
# MAINTAINER END


def test_summary(results):
    s = adapters.to_summary(results)
    assert s.startswith("## aqua6 grade: 50/60")
    assert "| lab1 | riscv | 0/10 | FAILED: 1 of 2 tests failed |" in s
    assert "**Score: 50/60**" in s


def test_cli_converts_the_same_file(results, tmp_path):
    src = tmp_path / "results.json"
    src.write_text(json.dumps(results))
    outs = {}
    for fmt in adapters.FORMATS:
        out = tmp_path / f"out.{fmt}"
        r = subprocess.run([sys.executable, os.path.join(GRADE, "adapters.py"), "--from",
                            str(src), "--format", fmt, "--out", str(out)],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        outs[fmt] = out.read_text()
    assert json.loads(outs["gradescope"])["score"] == 50
    assert json.loads(outs["prairielearn"])["score"] == pytest.approx(50 / 60)
    _junit(outs["junit"])
    bad = tmp_path / "bad.json"
    bad.write_text('{"score": 1}')
    r = subprocess.run([sys.executable, os.path.join(GRADE, "adapters.py"), "--from", str(bad),
                        "--format", "junit"], capture_output=True, text=True)
    assert r.returncode == 2 and "no \"tests\" list" in r.stderr


# MAINTAINER BEGIN: docs/github-actions.yml is not in handouts
def test_github_workflow_uses_the_adapters():
    """docs/github-actions.yml is valid YAML, grades with the JUnit format
    and writes the summary format to the job summary: both must exist."""
    yaml = pytest.importorskip("yaml")
    root = os.path.dirname(GRADE)
    with open(os.path.join(root, "docs", "github-actions.yml")) as f:
        wf = yaml.safe_load(f)
    steps = wf["jobs"]["grade"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "make grade" in runs and "FORMAT=junit OUT=junit.xml" in runs
    fmts = re.findall(r"--format (\w+)", runs)
    assert fmts and set(fmts) <= set(adapters.FORMATS)
    assert "$GITHUB_STEP_SUMMARY" in runs
    keep = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert "junit.xml" in keep["with"]["path"]
# MAINTAINER END
