#!/usr/bin/python3
"""One grading run's results in each platform's format.

    grade/adapters.py --from results.json --format FMT [--out FILE]
    make grade FORMAT=FMT OUT=FILE             (grade, then convert)

FMT is one of
  gradescope    Gradescope's results.json (what grade.py already writes),
                with the stages whose points depend on hidden tests shown
                to students only after the due date
  prairielearn  a PrairieLearn external grader's results.json
  junit         JUnit XML: one <testcase> per stage and port
  summary       Markdown: a table of stages and ports (for a GitHub Actions
                job summary, $GITHUB_STEP_SUMMARY)

The input is always the same internal results: the Gradescope-format
results.json that grade/score.py builds (`make grade RESULTS=f`,
grade/grade.py --results-json, grade/batch.py's per-student JSON
"results").  Every adapter reads only that, so the platforms cannot
disagree about a score.  One entry per stage and port carries that row's
points (grade/README.md, "How points are counted"); its extra_data names
the stage, the port and every grader test with its outcome.
"""

import argparse
import copy
import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ET

FORMATS = ("gradescope", "prairielearn", "junit", "summary")

# Statuses of a batch/Gradescope run (batch.py, extra_data.status) in which
# nothing of the student's was graded: no tree, or the grader itself broke.
UNGRADABLE = ("no-tree", "error")


class AdapterError(Exception):
    pass


def load(path):
    """The internal results from a file, checked enough that every adapter
    can rely on score, output and tests[] with name/score/max_score."""
    try:
        with open(path, encoding="utf-8") as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        raise AdapterError(f"cannot read results {path}: {e}") from None
    check(r, path)
    return r


def check(r, source="results"):
    if not isinstance(r, dict) or not isinstance(r.get("tests"), list):
        raise AdapterError(f"{source}: not grade.py's results (no \"tests\" list)")
    for i, t in enumerate(r["tests"], 1):
        missing = {"name", "score", "max_score"} - set(t)
        if missing:
            raise AdapterError(f"{source}: test #{i} lacks {', '.join(sorted(missing))}")


def _rows(r):
    """(test entry, stage, arch) for every entry; the stage and port from
    extra_data, or from the "stage [arch]" name of an older results.json."""
    for t in r["tests"]:
        x = t.get("extra_data") or {}
        stage, arch = x.get("stage"), x.get("arch")
        if not stage:
            m = re.match(r"^(.*) \[(.*)\]$", t["name"])
            stage, arch = (m.group(1), m.group(2)) if m else (t["name"], "")
        yield t, stage, arch


def totals(r):
    return (sum(t["score"] for t in r["tests"]), sum(t["max_score"] for t in r["tests"]))


def _passed(t):
    return t.get("status", "passed" if t["score"] == t["max_score"] else "failed") == "passed"


def _first_line(text):
    return next((l.strip() for l in (text or "").splitlines() if l.strip()), "")


# ---- Gradescope -----------------------------------------------------------------

def to_gradescope(r, hidden_visibility="after_due_date"):
    """Gradescope's results.json.  A stage whose points depend on a hidden
    test gets `hidden_visibility` ("after_due_date": shown once the due date
    has passed; "hidden": never shown to students), and its line of the
    score table in the top-level output, which students see, says so
    instead of the points.  The Score line goes too: with the visible
    stages' points it would give the hidden ones away.  So does the
    autograder's stdout (the grading log names every test): its
    stdout_visibility becomes the same.  Gradescope itself hides the
    total score from students while a test is hidden."""
    if hidden_visibility not in ("hidden", "after_due_date", "after_published", "visible"):
        raise AdapterError(f"unknown Gradescope visibility {hidden_visibility!r}")
    g = copy.deepcopy(r)
    masked = []
    for t, stage, arch in _rows(g):
        t.setdefault("visibility", "visible")
        if (t.get("extra_data") or {}).get("hidden"):
            t["visibility"] = hidden_visibility
            masked.append((stage, arch))
    if masked and hidden_visibility != "visible":
        when = {"hidden": "not shown", "after_due_date": "shown after the due date",
                "after_published": "shown when grades are published"}[hidden_visibility]
        lines = []
        for line in (g.get("output") or "").split("\n"):
            for stage, arch in masked:
                if re.match(rf"^{re.escape(stage)}\s+{re.escape(arch)}\s+\d+/\d+", line):
                    line = f"{stage}  {arch}  (hidden tests: {when})"
            if re.match(r"^Score: \d+/\d+$", line):
                line = f"Score: {when} (some stages have hidden tests)"
            lines.append(line)
        g["output"] = "\n".join(lines)
        g["stdout_visibility"] = hidden_visibility
    g.setdefault("stdout_visibility", "visible")
    return g


# ---- PrairieLearn ---------------------------------------------------------------

# PrairieLearn limits results.json to 1 MB; a run whose every TAP check
# failed on both ports can say more than that.
PL_LIMIT = 1_000_000


def _cut(text, n):
    if len(text) <= n:
        return text
    return text[:n] + f"\n... ({len(text) - n} more characters cut: PrairieLearn's 1 MB limit)"


def _fit(res, limit=PL_LIMIT):
    """Shorten the outputs, longest first, until the JSON is under limit."""
    n = 200_000
    while len(json.dumps(res)) > limit and n >= 1000:
        res["output"] = _cut(res["output"], n)
        for t in res["tests"]:
            t["output"] = _cut(t["output"], n // max(len(res["tests"]), 1))
        n //= 2
    return res

def to_prairielearn(r):
    """A PrairieLearn external grader's results.json: score is the fraction
    earned (0..1); each stage and port is a test with points/max_points.
    gradable is false only when nothing was graded (no tree in the
    submission, a grader failure): PrairieLearn then does not count the
    submission against the student (format_errors says why).  A tree
    that does not build is gradable and scores 0 on that port, as
    everywhere else.  The file stays under PrairieLearn's 1 MB."""
    x, y = totals(r)
    status = (r.get("extra_data") or {}).get("status", "graded")
    gradable = status not in UNGRADABLE
    tests = []
    for t, stage, arch in _rows(r):
        out = t.get("output") or ""
        tests.append({
            "name": t["name"],
            "description": f"stage {stage} on {arch}: all of its tests must pass",
            "points": t["score"],
            "max_points": t["max_score"],
            "message": "passed" if _passed(t) else (_first_line(out) or "failed"),
            "output": out,
        })
    res = {
        "gradable": gradable,
        "score": (x / y) if y else 0.0,
        "message": f"Score: {x}/{y}" if gradable else f"not graded ({status}): "
                   + _first_line(r.get("output")),
        "output": r.get("output") or "",
        "tests": tests,
    }
    if not gradable:
        res["score"] = 0.0
        res["format_errors"] = [l for l in (r.get("output") or status).splitlines() if l.strip()][:20]
    return _fit(res)


# ---- JUnit XML ------------------------------------------------------------------

def to_junit(r, suite="aqua6"):
    """JUnit XML, one <testcase> per stage and port (the unit that earns
    points, not per grader test: pytest's own XML, `make grade JUNIT=f`,
    has those).  A stage that lost its points is a <failure>; a port that
    did not build, or a submission that could not be graded, is an
    <error>.  <skipped> is never written: a test that did not run loses
    the stage's points, so it is a failure, not a skip."""
    x, y = totals(r)
    status = (r.get("extra_data") or {}).get("status", "graded")
    cases, failures, errors, total_time = [], 0, 0, 0.0
    for t, stage, arch in _rows(r):
        x_data = t.get("extra_data") or {}
        secs = sum(g.get("duration", 0) or 0 for g in x_data.get("tests", []))
        total_time += secs
        case = ET.Element("testcase", name=f"{stage} [{arch}]", classname=f"{suite}.{arch}",
                          time=f"{secs:.3f}")
        out = t.get("output") or ""
        note = x_data.get("note") or _first_line(out)
        if not _passed(t):
            broken = status in UNGRADABLE or status == "timeout" or note.startswith("build failed")
            kind = "error" if broken else "failure"
            el = ET.SubElement(case, kind, message=f"{t['score']}/{t['max_score']} points: "
                               + (note or "failed"), type="build" if broken else "points")
            el.text = out
            if broken:
                errors += 1
            else:
                failures += 1
        elif out:
            ET.SubElement(case, "system-out").text = out
        cases.append(case)
    attrs = {"name": suite, "tests": str(len(cases)), "failures": str(failures),
             "errors": str(errors), "skipped": "0", "time": f"{total_time:.3f}"}
    root = ET.Element("testsuites", attrs)
    ts = ET.SubElement(root, "testsuite", dict(attrs, timestamp=time.strftime(
        "%Y-%m-%dT%H:%M:%S"), hostname=os.uname().nodename))
    props = ET.SubElement(ts, "properties")
    for k, v in (("score", x), ("max_score", y), ("status", status)):
        ET.SubElement(props, "property", name=k, value=str(v))
    ts.extend(cases)
    if r.get("output"):
        ET.SubElement(ts, "system-out").text = r["output"]
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ---- Markdown summary ------------------------------------------------------------

def to_summary(r):
    """A Markdown table for a CI job summary: one row per stage and port,
    the reason a stage lost its points, and the score."""
    x, y = totals(r)
    lines = [f"## aqua6 grade: {x}/{y}", "", "| stage | port | points | |", "|---|---|---:|---|"]
    for t, stage, arch in _rows(r):
        note = "" if _passed(t) else ((t.get("extra_data") or {}).get("note")
                                     or _first_line(t.get("output")) or "failed")
        note = note.replace("|", "\\|")
        lines.append(f"| {stage} | {arch} | {t['score']}/{t['max_score']} | "
                     f"{'passed' if _passed(t) else 'FAILED: ' + note} |")
    lines += ["", f"**Score: {x}/{y}**", ""]
    return "\n".join(lines)


def convert(r, fmt, **kw):
    """The results r in format fmt, as text."""
    check(r)
    if fmt == "gradescope":
        return json.dumps(to_gradescope(r, **kw), indent=1) + "\n"
    if fmt == "prairielearn":
        return json.dumps(to_prairielearn(r), indent=1) + "\n"
    if fmt == "junit":
        return to_junit(r)
    if fmt == "summary":
        return to_summary(r)
    raise AdapterError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def write(r, fmt, out, **kw):
    """Convert r and write it to out ('-': standard output)."""
    text = convert(r, fmt, **kw)
    if out in (None, "-"):
        sys.stdout.write(text)
        return
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, out)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="adapters.py", description=__doc__.split("\n")[0])
    ap.add_argument("--from", dest="src", required=True, metavar="RESULTS",
                    help="grade.py's results.json (make grade RESULTS=f)")
    ap.add_argument("--format", required=True, choices=FORMATS)
    ap.add_argument("--out", default="-", help="output file (default: standard output)")
    ap.add_argument("--hidden-visibility", default="after_due_date",
                    choices=("hidden", "after_due_date", "after_published", "visible"),
                    help="gradescope: visibility of stages with hidden tests")
    a = ap.parse_args(argv)
    try:
        r = load(a.src)
        kw = {"hidden_visibility": a.hidden_visibility} if a.format == "gradescope" else {}
        write(r, a.format, a.out, **kw)
    except AdapterError as e:
        print(f"adapters: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
