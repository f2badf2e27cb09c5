#!/usr/bin/python3
"""Measure what each grader test costs on this tree and rewrite grade/costs.toml.

    make grade-costs [ARCH=x86_64|riscv] [LAB=stage] [TEST=name] [JOBS=n]
    tools/costs.py [--arch A] [--lab L] [--test T] [-j N] [--check]

Runs the grader tests twice (pytest, as `make grade` does): once as the
grader runs them, for each test's wall-clock seconds, and once with
AQUA_MEASURE=1, where every single-CPU boot runs under QEMU `-icount
shift=0` and the grader counts its guest instructions (grade/qemu.py
IcountProbe; boots with more CPUs are not counted, icount would serialize
their vCPUs; icount also slows a guest that sleeps, so its seconds are not
the ones kept).  For every test that PASSED, its entry in grade/costs.toml
becomes { seconds = wall-clock seconds, minsns = millions of guest
instructions }; a failed test keeps its old entry (and is listed), as the
limits must be the solution's.  [limits] and any `mem` are kept.

Run it on the reference tree, on a machine with nothing else heavy on it,
one QEMU at a time (the default -j 1): the seconds are then those of a
QEMU with a CPU to itself, which grade/limits.py's load factor assumes.
The instruction counts do not depend on the host; --check compares them
with the file's and fails when a test's count moved by more than CHECK_DRIFT
(the reference changed: its seconds need measuring again).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))
import limits  # noqa: E402

# While measuring, the old limits must not cut a slow test short.
MEASURE_FACTOR = 5
CHECK_DRIFT = 0.25

HEADER = """\
# What each grader test costs the reference solution, per port: the source
# of every time limit (grade/limits.py; docs/INSTRUCTORS.md, "Time limits").
#
#   seconds  wall-clock seconds of the test (all its boots), as the grader
#            runs it
#   minsns   single-CPU tests only: millions of guest instructions executed
#            (-icount shift=0); host load moves them only through the timer
#            ticks of a sleeping guest, so they show when the reference changed
#            (tools/costs.py --check)
#   mem      optional: the guest RAM this test needs, when [limits] memory is not
#            enough
#
# A test's time limit is (floor + multiple * seconds) * factor, where factor is
# --timeout-factor (TIMEOUT_FACTOR=) times max(1, QEMUs at once / CPUs).  The
# limit only catches hangs (no check depends on time), so it is a few times the
# reference's cost: a hung starter fails in seconds, and a slow but correct
# kernel still has room.  Rewritten by `make grade-costs` (tools/costs.py),
# which keeps [limits] and mem; edit [limits] by hand.
"""


def toml_value(v):
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, float):
        return f"{v:g}" if "e" not in f"{v:g}" else repr(v)
    return str(v)


def write(path, data):
    out = [HEADER, "[limits]"]
    notes = {"floor": "seconds every limit starts with (the boot, QEMU's start-up)",
             "multiple": "times the reference's seconds",
             "default": "seconds assumed for a test with no entry (the host tests forbid one)",
             "memory": "guest RAM of every boot (make MEM=) unless an entry says mem"}
    for k, v in data["limits"].items():
        note = f"   # {notes[k]}" if k in notes else ""
        out.append(f"{k} = {toml_value(v)}{note}")
    for arch in sorted(a for a in data if a != "limits"):
        out.append("")
        out.append(f"[{arch}]")
        for key in sorted(data[arch]):
            e = data[arch][key]
            fields = ", ".join(f"{k} = {toml_value(e[k])}" for k in ("seconds", "minsns", "mem")
                               if k in e)
            out.append(f"{json.dumps(key)} = {{ {fields} }}")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    os.replace(tmp, path)


def load(path):
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        data = {}
    data.setdefault("limits", dict(limits.FALLBACK))
    return data


def measure(args, icount):
    fd, rpath = tempfile.mkstemp(prefix="aqua-costs-", suffix=".json")
    os.close(fd)
    cmd = [sys.executable, "-m", "pytest", os.path.join("grade", "tests"), "-q", "--tb=no",
           "-rN", "--aqua-live", "-p", "no:cacheprovider", "--arch", args.arch,
           "--timeout-factor", str(MEASURE_FACTOR), "--aqua-results", rpath,
           "-n", str(args.jobs) if args.jobs > 1 else "0"]
    if args.lab:
        cmd += ["--lab", args.lab]
    if args.test:
        cmd += ["--test", args.test]
    env = dict(os.environ, AQUA_MEASURE="1" if icount else "0")
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(k, None)
    print(f"$ AQUA_MEASURE={env['AQUA_MEASURE']} " + " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, env=env)
    try:
        with open(rpath, encoding="utf-8") as f:
            return json.load(f)["results"]
    finally:
        os.unlink(rpath)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="costs.py", description=__doc__.split("\n")[0])
    ap.add_argument("--arch", default="all")
    ap.add_argument("--lab", default=None)
    ap.add_argument("--test", default=None)
    ap.add_argument("-j", "--jobs", type=int, default=1)
    ap.add_argument("--file", default=limits.COSTS)
    ap.add_argument("--check", action="store_true",
                    help="measure, compare the instruction counts with the file, write nothing")
    a = ap.parse_args(argv)
    data = load(a.file)
    # Two passes: the seconds as the grader runs the tests (no icount: it
    # slows a guest that sleeps several times), then the instruction
    # counts of the single-CPU tests under -icount shift=0.
    results = measure(a, icount=False)
    counted = {}
    for r in measure(a, icount=True):
        cost = (r.get("info") or {}).get("cost")
        if cost and r["outcome"] == "passed" and cost.get("insns") is not None:
            counted[(r["info"]["arch"], cost["key"])] = cost["insns"]
    failed, drift, rows = [], [], []
    for r in results:
        info = r.get("info") or {}
        cost = info.get("cost")
        arch = info.get("arch")
        if not cost or not arch:
            continue
        key = cost["key"]
        if r["outcome"] != "passed":
            failed.append(f"{arch} {key}: {r['outcome']}")
            continue
        old = data.get(arch, {}).get(key, {})
        new = {"seconds": round(float(cost["seconds"]), 1)}
        if (arch, key) in counted:
            new["minsns"] = round(counted[(arch, key)] / 1e6, 1)
        if "mem" in old:
            new["mem"] = old["mem"]
        if a.check and old.get("minsns") and new.get("minsns"):
            moved = abs(new["minsns"] - old["minsns"]) / old["minsns"]
            if moved > CHECK_DRIFT:
                drift.append(f"{arch} {key}: {old['minsns']} -> {new['minsns']} M instructions")
        rows.append((arch, key, old.get("seconds"), new["seconds"], new.get("minsns")))
        if not a.check:
            data.setdefault(arch, {})[key] = new
    c = limits.Costs(data)
    print(f"{'port':<7} {'test':<36} {'old s':>7} {'new s':>7} {'M insns':>9} {'limit s':>8}")
    for arch, key, old, new, mi in sorted(rows):
        lim = c.floor + c.multiple * new
        print(f"{arch:<7} {key:<36} {old if old is not None else '-':>7} {new:>7} "
              f"{mi if mi is not None else '-':>9} {lim:>8.0f}")
    if failed:
        print("not measured (the test did not pass; its entry is kept):")
        for f in failed:
            print("  " + f)
    if a.check:
        for d in drift:
            print("instruction count moved: " + d)
        return 1 if drift or failed else 0
    write(a.file, data)
    print(f"costs: wrote {os.path.relpath(a.file, ROOT)} ({len(rows)} tests measured)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
