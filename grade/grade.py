#!/usr/bin/python3
"""aqua6 grader: `make grade [ARCH=x86_64|riscv|all] [LAB=stage|assignment] [TEST=name]`.

  1. builds each port that is graded (make ARCH=<arch> all);
  2. runs the grader tests of the selected stages with pytest, in parallel
     (pytest-xdist, one worker per core), one QEMU boot per test;
  3. prints what failed and why, then one line per stage and port,
     `stage  arch  points/max`, and as the very last line `Score: X/Y`.

Exit status 0 only when X == Y.  A stage's points on a port are earned when
every one of its tests passes on that port (grade/README.md says why).

Under make, the variables TEST, JUNIT, RESULTS, FORMAT, OUT, JOBS and
TIMEOUT_FACTOR given on make's command line reach us through the
environment, so `make grade LAB=core TEST=test_shell_pipe JUNIT=out.xml`
and `make grade FORMAT=prairielearn OUT=results.json` work.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import adapters  # noqa: E402
import labs    # noqa: E402
import limits  # noqa: E402
import score   # noqa: E402

RULE = "=" * 72


def make_env():
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "BOOTARGS"):
        env.pop(k, None)
    return env


def parse_args(argv):
    under_make = "MAKELEVEL" in os.environ
    env = (lambda k: os.environ.get(k) or None) if under_make else (lambda k: None)
    ap = argparse.ArgumentParser(
        prog="grade.py", description="Build aqua6, boot it under QEMU, and grade the labs.")
    ap.add_argument("--arch", default="all", help=f"{', '.join(labs.ARCHES)} or all (default)")
    ap.add_argument("--lab", default=None,
                    help="a stage or an assignment from grade/manifest.toml (default: all)")
    ap.add_argument("--test", default=env("TEST"),
                    help="run only this test (function name, e.g. test_shell_pipe)")
    ap.add_argument("--junit", default=env("JUNIT"), metavar="FILE",
                    help="also write JUnit XML here")
    ap.add_argument("--results-json", default=env("RESULTS"), metavar="FILE",
                    help="also write Gradescope results.json here")
    ap.add_argument("--format", choices=adapters.FORMATS, default=env("FORMAT"),
                    help="also write the results in this format (grade/adapters.py) to --out")
    ap.add_argument("--out", default=env("OUT"), metavar="FILE",
                    help="where --format writes ('-': standard output)")
    ap.add_argument("-j", "--jobs", type=int, default=int(env("JOBS") or 0) or None,
                    help="parallel QEMU runs (default: one per CPU, as many as memory holds)")
    ap.add_argument("--timeout-factor", type=float,
                    default=float(env("TIMEOUT_FACTOR") or os.environ.get(
                        "AQUA_TIMEOUT_FACTOR") or 1.0),
                    help="multiply every time limit (default 1; try 2 on a slow machine)")
    ap.add_argument("--no-build", action="store_true", help="do not run make first")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show every test and TAP check, not only failures")
    ap.add_argument("--list", action="store_true", help="list stages and tests, then exit")
    return ap.parse_args(argv)


def list_stages(m):
    for s in m.stages:
        state = "planned" if s.planned else f"{s.points} pts"
        print(f"{s.name:<16} {s.assignment:<10} {state:<8} {'/'.join(s.arches):<13} "
              f"{s.handout or '-'}")
        for t in s.tests:
            print(f"{'':<18}{t}")


def build(arch, jobs):
    """make ARCH=arch all; returns (ok, seconds, output)."""
    t0 = time.monotonic()
    cmd = ["make", "-C", ROOT, "--no-print-directory", f"-j{max(jobs, 1)}", f"ARCH={arch}", "all"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       env=make_env())
    return p.returncode == 0, time.monotonic() - t0, p.stdout


def build_excerpt(out, nerr=20, ntail=12):
    """The compiler's error lines first (with -j they may be far from the
    end), then the last lines of the build."""
    lines = out.rstrip().splitlines()
    errs = [l for l in lines if "error:" in l or "undefined reference" in l][:nerr]
    if not errs:
        return lines[-40:]
    return errs + ["..."] + lines[-ntail:]


def run_pytest(args, arches, stages, jobs, results_path):
    cmd = [sys.executable, "-m", "pytest", os.path.join("grade", "tests"),
           "-q", "--tb=no", "-rN", "--aqua-live", "-p", "no:cacheprovider",
           "--arch", ",".join(arches), "--lab", ",".join(s.name for s in stages),
           "--timeout-factor", str(args.timeout_factor), "--aqua-results", results_path]
    if args.test:
        cmd += ["--test", args.test]
    if args.junit:
        cmd += ["--junitxml", os.path.abspath(args.junit)]
    cmd += ["-n", str(jobs) if jobs > 1 else "0"]
    print(f"$ {shlex.join(cmd)}", flush=True)
    p = subprocess.run(cmd, cwd=ROOT, env=make_env())
    return p.returncode


def print_failures(results, verbose):
    bad = [r for r in results if r["outcome"] != "passed"]
    if verbose:
        print(RULE)
        print("All tests:")
        for r in sorted(results, key=lambda r: r["nodeid"]):
            for line in score.test_summary_lines(r, checks=True, message_lines=0):
                print("  " + line)
    if not bad:
        return
    print(RULE)
    print(f"{len(bad)} failed test{'s' if len(bad) > 1 else ''}:")
    for r in sorted(bad, key=lambda r: r["nodeid"]):
        info = r.get("info", {})
        print(RULE)
        print(f"### {r['outcome']}: stage {', '.join(info.get('stages', [])) or '-'}, "
              f"{info.get('arch', '?')}, {score.test_label(r)}")
        print("-" * 72)
        print((r.get("message") or "(no message)").rstrip())


def main(argv=None):
    args = parse_args(argv)
    if args.format and not args.out:
        print(f"grade: --format {args.format} needs --out FILE (make grade FORMAT=... OUT=...)",
              file=sys.stderr)
        return 2
    t0 = time.monotonic()
    try:
        m = labs.load()
    except labs.ManifestError as e:
        print(f"grade: bad manifest: {e}", file=sys.stderr)
        print("Score: 0/0")
        return 2
    if args.list:
        list_stages(m)
        return 0
    try:
        stages = m.select(args.lab)
        arches = labs.parse_arches(args.arch)
    except labs.SelectionError as e:
        print(f"grade: {e}", file=sys.stderr)
        return 2

    if args.test:
        owners = [s for s in stages if s.matches(args.test.split("[")[0])]
        if not owners:
            names = sorted({t.split("::")[-1] for s in stages for t in s.tests})
            print(f"grade: no test '{args.test}' in LAB={args.lab or 'all'}.\n"
                  f"Tests: {' '.join(names)}", file=sys.stderr)
            return 2
        stages = owners
    arches = [a for a in arches if any(a in s.arches for s in stages)]
    # Default: one QEMU per CPU the machine (or its cgroup: cpu.max,
    # memory.max) gives us, as many as its memory holds (grade/limits.py).
    jobs = args.jobs or limits.choose_jobs(limits.mib(limits.load().memory))
    if args.test:
        jobs = min(jobs, 2 * len(arches))      # a few tests: fewer workers to start

    print(f"aqua6 grader: LAB={args.lab or 'all'} ({', '.join(s.name for s in stages)}) "
          f"ARCH={','.join(arches)}" + (f" TEST={args.test}" if args.test else ""))

    broken = {}
    if not args.no_build:
        for arch in arches:
            ok, secs, out = build(arch, jobs)
            if ok:
                print(f"build {arch}: ok ({secs:.1f} s)", flush=True)
            else:
                print(f"build {arch}: FAILED ({secs:.1f} s); `make ARCH={arch} all` said:")
                for line in build_excerpt(out):
                    print("  | " + line)
                broken[arch] = f"make ARCH={arch} all failed"
    good = [a for a in arches if a not in broken]

    results, errors, pytest_rc = [], [], 0
    if good:
        fd, rpath = tempfile.mkstemp(prefix="aqua-grade-", suffix=".json")
        os.close(fd)
        try:
            pytest_rc = run_pytest(args, good, stages, jobs, rpath)
            try:
                with open(rpath, encoding="utf-8") as f:
                    data = json.load(f)
                results, errors = data["results"], data["collect_errors"]
            except (OSError, ValueError, KeyError):
                errors = [{"nodeid": "pytest", "message":
                           f"pytest ended with status {pytest_rc} and wrote no results"}]
        finally:
            os.unlink(rpath)

    print_failures(results, args.verbose)
    if errors:
        print(RULE)
        print("grader errors (tests that could not be collected):")
        for e in errors:
            print(f"--- {e['nodeid']}")
            print(e["message"].rstrip())

    elapsed = time.monotonic() - t0
    print(RULE)
    if args.test:
        # One test: count tests, because stage points need every test of a stage.
        rows = []
        for arch in arches:
            mine = [r for r in results if r.get("info", {}).get("arch") == arch]
            npass = sum(1 for r in mine if r["outcome"] == "passed")
            n = max(len(mine), 1)
            rows.append(score.Row(args.test, arch, npass if mine else 0, n, mine, [],
                                  "" if mine else broken.get(arch, "did not run")))
        print(f"TEST={args.test}: the score below counts tests passed, not stage points "
              f"({elapsed:.0f} s)")
    else:
        rows = score.stage_rows(stages, arches, results, broken)
        print(f"Stages ({elapsed:.0f} s):")
    table = score.format_table(rows)

    # One form of the results; every other format is converted from it.
    results_doc = score.gradescope(rows, elapsed, table,
                                   hidden={s.name: s.hidden_tests for s in stages})
    if args.results_json:
        with open(args.results_json, "w", encoding="utf-8") as f:
            json.dump(results_doc, f, indent=1)
            f.write("\n")
    if args.format:
        adapters.write(results_doc, args.format, args.out)
    if args.junit:
        print(f"JUnit XML: {args.junit}")
    if args.results_json:
        print(f"Gradescope results: {args.results_json}")
    if args.format and args.out != "-":
        print(f"{args.format} results: {args.out}")
    print(table, flush=True)
    x, y = score.totals(rows)
    return 0 if x == y and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
