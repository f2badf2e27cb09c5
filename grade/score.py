"""Score arithmetic and report formats (table, Gradescope results.json).

The rule (see grade/README.md): a stage's points for one port are earned
when EVERY test of that stage passed on that port, and nothing else earns
points.  A stage is one flag or one small feature; half of a flag working
is not a working flag.  Each port is graded on its own, so with both ports
the maximum is twice the manifest's points.

Inputs are plain data so that the host unit tests can check the arithmetic:
  stages   labs.Stage list (the selected ones, manifest order)
  arches   the ports graded
  results  dicts: {"nodeid", "outcome", "message", "duration",
                   "info": {"arch", "func", "name", "stages", "checks", ...}}
  broken   {arch: "reason"} for ports whose build failed (no tests ran)
"""

import dataclasses


@dataclasses.dataclass
class Row:
    stage: str
    arch: str
    earned: int
    max: int
    tests: list             # results (dicts) of this stage on this arch
    missing: list           # manifest test names that produced no result
    note: str = ""

    @property
    def passed(self):
        return self.earned == self.max


def _passed(r):
    return r.get("outcome") == "passed"


def stage_rows(stages, arches, results, broken=None):
    broken = broken or {}
    rows = []
    for st in stages:
        for arch in arches:
            if arch not in st.arches:
                continue
            mine = [r for r in results
                    if r.get("info", {}).get("arch") == arch
                    and st.name in r.get("info", {}).get("stages", [])]
            ran = {r["info"].get("func") for r in mine}
            missing = [t for t in st.tests if t.split("::")[-1] not in ran]
            note = ""
            if arch in broken:
                note = f"build failed: {broken[arch]}"
                missing = list(st.tests)
            elif missing:
                note = "did not run: " + ", ".join(missing)
            ok = bool(mine) and not missing and all(_passed(r) for r in mine)
            if ok and arch not in broken:
                earned = st.points
            else:
                earned = 0
            if not note and not ok:
                bad = [r for r in mine if not _passed(r)]
                note = f"{len(bad)} of {len(mine)} tests failed"
            rows.append(Row(st.name, arch, earned, st.points, mine, missing, note))
    return rows


def totals(rows):
    return sum(r.earned for r in rows), sum(r.max for r in rows)


def format_table(rows):
    """One aligned line per stage and port, then 'Score: X/Y' as the last line."""
    if not rows:
        return "Score: 0/0"
    w_stage = max(len(r.stage) for r in rows)
    w_arch = max(len(r.arch) for r in rows)
    w_earned = max(len(str(r.earned)) for r in rows)
    w_max = max(len(str(r.max)) for r in rows)
    lines = []
    for r in rows:
        pts = f"{r.earned:>{w_earned}}/{r.max:<{w_max}}"
        line = f"{r.stage:<{w_stage}}  {r.arch:<{w_arch}}  {pts}".rstrip()
        if r.note and not r.passed:
            line = f"{r.stage:<{w_stage}}  {r.arch:<{w_arch}}  {pts}   ({r.note})"
        lines.append(line)
    x, y = totals(rows)
    lines.append(f"Score: {x}/{y}")
    return "\n".join(lines)


def test_label(r):
    name = r["nodeid"].split("::", 1)[-1]
    return name


def test_summary_lines(r, checks=True, message_lines=None):
    """Lines describing one test result, for results.json output and -v."""
    word = {"passed": "PASS", "failed": "FAIL", "error": "ERROR",
            "skipped": "SKIP"}.get(r.get("outcome"), "?")
    out = [f"{word}  {test_label(r)}  ({r.get('duration', 0):.1f} s)"]
    info = r.get("info", {})
    if checks:
        for c in info.get("checks", []) or []:
            out.append(f"    {'' if c['passed'] else 'FAILED: '}{c['line']}")
    if r.get("outcome") != "passed" and r.get("message"):
        msg = r["message"].splitlines()
        if message_lines is not None:
            msg = msg[:message_lines]
        out.extend("    " + l for l in msg)
    return out


def gradescope(rows, elapsed=0.0, output="", hidden=None):
    """The results.json that Gradescope's autograder reads, and the one
    form of a grading run's results that grade/adapters.py converts to the
    other platforms' formats.

    One Gradescope test per stage and port, carrying that row's points, so
    the tests' scores add up to the total score.  Its output lists every
    grader test and, for TAP programs, every check.  Each test's
    extra_data says which stage and port it is and how each grader test
    ended; `hidden` ({stage: [hidden test names]}, the manifest's
    hidden_tests) marks the rows whose points depend on a hidden test:
    "after_due_date", so the verdict of a hidden test is not shown early.
    """
    hidden = hidden or {}
    tests = []
    for i, r in enumerate(rows, 1):
        text = []
        if r.note and not r.passed:
            text.append(r.note)
        for t in r.tests:
            text.extend(test_summary_lines(t))
        secret = set(hidden.get(r.stage, ()))
        ran = [{"name": test_label(t), "outcome": t.get("outcome"),
                "duration": round(t.get("duration", 0) or 0, 2),
                "hidden": t.get("info", {}).get("func") in secret} for t in r.tests]
        hid = any(x["hidden"] for x in ran)
        tests.append({
            "name": f"{r.stage} [{r.arch}]",
            "number": str(i),
            "score": r.earned,
            "max_score": r.max,
            "status": "passed" if r.passed else "failed",
            "output": "\n".join(text),
            "visibility": "after_due_date" if hid else "visible",
            "extra_data": {"stage": r.stage, "arch": r.arch, "note": r.note, "tests": ran,
                           "hidden": hid},
        })
    x, _ = totals(rows)
    return {
        "score": x,
        "execution_time": int(round(elapsed)),
        "output": output,
        "stdout_visibility": "visible",
        "tests": tests,
    }
