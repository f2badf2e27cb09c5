#!/usr/bin/python3
"""Gradescope autograder for aqua6.

    make gradescope [LAB=...] [ARCH=...] [OUT=file.zip]
    grade/gradescope.py build [--lab L] [--arch A] [--out ZIP] [--timeout S] [--grade-jobs N]
                              [--timeout-factor F]
                              (--timeout: the whole run's budget, default 450 s;
                              --grade-jobs 0, the default: as many QEMUs as the
                              container's CPUs and memory allow)
    grade/gradescope.py run [--root DIR]      (what run_autograder runs)

`build` writes the autograder zip (default build/aqua6-autograder.zip):

    setup.sh        Gradescope runs it once, as root, to make the image: it
                    installs the Debian packages of tools/packages.txt, the
                    list .ci/run and make deps install too (so they never
                    drift apart)
    run_autograder  Gradescope runs it for every submission
    pristine/       the pristine files of this tree (grade/batch.py's plan:
                    grader, manifest, tests including hidden ones, user/,
                    include/, mkfs/, tools/, Makefile, arch/*/arch.mk and
                    arch/*/port.toml) and
                    overlay.json (the plan and the grading options).  No file
                    with solution code is in it.

`run` does for one submission what grade/batch.py does for many: the
submission (/autograder/submission: the tree itself, or a `make handin`
tarball) is unpacked into a scratch directory, the pristine files are laid
over it, it is built and graded, and /autograder/results/results.json is
written in Gradescope's format (one test per stage and port).  It always
writes a results.json, also when the tree is missing or does not build,
and always before its budget (--timeout) is over: past a soft deadline
RESERVE seconds before the end no test is started (each one left is
scored 0 and says so), a running test's time limit is cut to what is left,
and a hard limit at the end kills whatever still runs.
The root /autograder can be moved with --root or $AUTOGRADER_ROOT (for
testing the zip locally: docs/INSTRUCTORS.md).
"""

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import adapters  # noqa: E402
import batch  # noqa: E402
import labs  # noqa: E402
import limits  # noqa: E402

DEFAULT_ZIP = os.path.join("build", "aqua6-autograder.zip")

# The whole run (unpack, build both ports, every test) must end within
# Gradescope's limit: BUDGET seconds by default, well under 8 minutes.
# RESERVE seconds of it are kept for stopping pytest, scoring and writing
# results.json after the last test that may start.
BUDGET = 450
RESERVE = 25
NOT_RUN = "NOT RUN: the grading time budget ran out"


# Gradescope's machines are x86_64: dpkg calls that amd64.
GRADESCOPE_HOST = "amd64"


def packages(ref=ROOT, host=GRADESCOPE_HOST):
    """The Debian packages of ref's tools/packages.txt for a `host` machine.

    tools/deps.sh reads the list (its `[!arch]` marks are its to apply), so
    the zip made on any machine, an arm64 laptop too, installs what an amd64
    Gradescope image needs."""
    script = os.path.join(ref, "tools", "deps.sh")
    r = subprocess.run(["sh", script, "list"], capture_output=True, text=True,
                       env=dict(os.environ, AQUA_HOST_ARCH=host))
    pkgs = r.stdout.split()
    if r.returncode != 0 or not pkgs:
        raise SystemExit(f"gradescope: `{script} list` gave no packages: {r.stderr.strip()}")
    return pkgs


SETUP_SH = """#!/usr/bin/env bash
# aqua6 Gradescope autograder: image set-up.  Gradescope runs this once, as
# root, when it builds the autograder image.  The packages are tools/packages.txt
# and the ports' (arch/*/port.toml) for Gradescope's host, the ones .ci/run
# installs (copied here by grade/gradescope.py).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q {packages}
# The grader needs Python 3.11 or later (tomllib): choose the Ubuntu 24.04
# base image in Gradescope's autograder settings.
/usr/bin/python3 -c 'import tomllib, pytest, xdist, pexpect' || {{
	echo "aqua6 autograder: /usr/bin/python3 is $(/usr/bin/python3 -V 2>&1); it needs >= 3.11" \\
	     "with pytest, xdist and pexpect (use the Ubuntu 24.04 base image)" >&2
	exit 1
}}
chmod +x /autograder/source/run_autograder
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# aqua6 Gradescope autograder: grade /autograder/submission, write
# /autograder/results/results.json.  AUTOGRADER_ROOT moves /autograder
# (to try the zip out locally).
root="${AUTOGRADER_ROOT:-/autograder}"
exec /usr/bin/python3 "$root/source/pristine/grade/gradescope.py" run --root "$root"
"""


def _add(zf, name, data, mode=0o644):
    zi = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    zi.external_attr = (stat.S_IFREG | mode) << 16
    zi.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(zi, data)


def build_zip(out, lab=None, arches="all", timeout=BUDGET, grade_jobs=0, ref=ROOT,
              timeout_factor=1.0, hidden_visibility="after_due_date"):
    m = labs.load(os.path.join(ref, "grade", "manifest.toml"))
    stages = m.select(lab)                 # checks LAB now, not at grading time
    plan = batch.make_plan(ref)
    config = {"lab": lab, "arch": arches, "timeout": timeout, "grade_jobs": grade_jobs,
              "timeout_factor": timeout_factor, "hidden_visibility": hidden_visibility,
              "stages": [s.name for s in stages], "made": time.strftime("%Y-%m-%d %H:%M:%S")}
    # The digests of the lab's starter: run() diffs the submission against
    # them (batch.diff_report) without the zip holding any solution code.
    overlay = dict(plan.to_json(), config=config, starter=batch.starter_digests(plan, lab, ref))
    pkgs = packages(ref)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w") as zf:
        _add(zf, "setup.sh", SETUP_SH.format(packages=" ".join(pkgs)), 0o755)
        _add(zf, "run_autograder", RUN_AUTOGRADER, 0o755)
        _add(zf, "pristine/overlay.json", json.dumps(overlay, indent=1) + "\n")
        for f in plan.files:
            src = os.path.join(ref, f)
            with open(src, "rb") as fh:
                _add(zf, "pristine/" + f, fh.read(), 0o755 if os.access(src, os.X_OK) else 0o644)
    os.replace(tmp, out)
    return plan, stages, pkgs


def run(root):
    """Grade /autograder/submission (root/submission) into root/results/results.json."""
    pristine = os.path.join(root, "source", "pristine")
    results = os.path.join(root, "results", "results.json")
    os.makedirs(os.path.dirname(results), exist_ok=True)
    with open(os.path.join(pristine, "overlay.json"), encoding="utf-8") as f:
        d = json.load(f)
    cfg = d.get("config", {})
    plan = batch.Plan.from_json(pristine, d)
    t_start = time.time()
    budget = float(cfg.get("timeout", BUDGET))
    jobs = int(cfg.get("grade_jobs", 0))
    costs = limits.load(os.path.join(pristine, "grade", "costs.toml"))
    if jobs <= 0:
        jobs = limits.choose_jobs(limits.mib(costs.memory))
    mem = limits.cgroup_memory()
    print(f"aqua6 autograder: {limits.cpus():g} CPU(s), "
          f"{f'{mem >> 20} MiB' if mem else 'no memory limit'}: {jobs} QEMU(s) at a time, "
          f"{costs.memory} each; {budget:.0f} s budget", flush=True)
    # The soft deadline reaches the grader's pytest through the environment
    # (grade/conftest.py --aqua-deadline); the hard one is batch's time-out.
    os.environ["AQUA_DEADLINE"] = f"{t_start + budget - RESERVE:.1f}"
    opts = batch.Options(lab=cfg.get("lab"), arches=labs.parse_arches(cfg.get("arch", "all")),
                         grade_jobs=jobs, timeout=max(budget - 5, 1.0),
                         timeout_factor=float(cfg.get("timeout_factor", 1.0)),
                         starter=d.get("starter"))
    work = tempfile.mkdtemp(prefix="aqua6-autograder-")
    phase = [None]

    def say(what):                          # one line per phase, not per test
        if what.split(",")[0] != phase[0]:
            phase[0] = what.split(",")[0]
            print(f"aqua6 autograder: {phase[0]}", flush=True)
    try:
        rep, logpath = batch.grade_submission("submission", os.path.join(root, "submission"),
                                              plan, opts, work, say)
        with open(logpath, encoding="utf-8", errors="replace") as f:
            sys.stdout.write(f.read())
    except Exception as e:                  # never leave Gradescope without results
        rep = {"results": {"score": 0, "output": f"aqua6 autograder failed: "
                           f"{type(e).__name__}: {e}", "tests": []}, "score": 0,
               "max_score": 0, "status": "error"}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    skipped = [t for t in rep["results"].get("tests", []) if NOT_RUN in t.get("output", "")]
    if skipped:
        rep["results"]["output"] = (
            f"The autograder's time budget ({budget:.0f} s) ran out: "
            f"{len(skipped)} of {len(rep['results'].get('tests', []))} stage results have "
            "tests that were not run and are scored 0 (marked NOT RUN). A kernel that "
            "hangs makes every test wait for its time limit; run `make grade` on your "
            "machine.\n\n" + rep["results"].get("output", ""))
    # Stages that depend on hidden tests are shown after the due date.
    doc = adapters.to_gradescope(rep["results"], cfg.get("hidden_visibility", "after_due_date"))
    with open(results, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"aqua6 autograder: {rep['score']}/{rep['max_score']} ({rep['status']}); "
          f"wrote {results}")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="gradescope.py", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="write the autograder zip")
    b.add_argument("--lab", default=None)
    b.add_argument("--arch", default="all")
    b.add_argument("--out", default=None, help=f"zip file (default {DEFAULT_ZIP})")
    b.add_argument("--timeout", type=float, default=BUDGET,
                   help=f"seconds for the whole run, results.json included (default {BUDGET})")
    b.add_argument("--grade-jobs", type=int, default=0,
                   help="QEMUs at once (default 0: from the container's CPUs and memory)")
    b.add_argument("--timeout-factor", type=float, default=1.0,
                   help="multiply every QEMU boot's time limit (a slow Gradescope machine: 2)")
    b.add_argument("--hidden-visibility", default="after_due_date",
                   choices=("hidden", "after_due_date", "after_published"),
                   help="when students see a stage whose points depend on hidden tests")
    r = sub.add_parser("run", help="grade one submission (run_autograder)")
    r.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT") or "/autograder")
    a = ap.parse_args(argv)
    if a.cmd == "run":
        return run(os.path.abspath(a.root))
    out = a.out or os.path.join(ROOT, DEFAULT_ZIP)
    try:
        labs.parse_arches(a.arch)
        plan, stages, pkgs = build_zip(out, a.lab, a.arch, a.timeout, a.grade_jobs,
                                       timeout_factor=a.timeout_factor,
                                       hidden_visibility=a.hidden_visibility)
    except (batch.BatchError, labs.SelectionError, labs.ManifestError) as e:
        print(f"gradescope: {e}", file=sys.stderr)
        return 2
    print(f"gradescope: wrote {out}: LAB={a.lab or 'all'} ({', '.join(s.name for s in stages)}), "
          f"ARCH={a.arch}, {len(plan.files)} pristine files"
          f"{f' ({len(plan.hidden)} hidden)' if plan.hidden else ''}, "
          f"setup.sh installs {len(pkgs)} packages.")
    print("gradescope: upload it as the autograder (Ubuntu 24.04 base image; "
          "see docs/INSTRUCTORS.md).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
