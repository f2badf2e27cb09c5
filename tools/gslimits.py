#!/usr/bin/python3
"""Run the Gradescope autograder locally inside Gradescope's default limits.

    make gradescope-limits [LAB=...] [ARCH=...] [HANG=1] [CPU="50000 100000"] [MEM=768M]
    tools/gslimits.py [--lab L] [--arch A] [--hang] [--cpu-max "Q P"] [--memory-max M]

Builds the autograder zip of this tree, lays out a fake /autograder (as in
docs/INSTRUCTORS.md, section 4) with this tree's files as the submission,
and runs run_autograder in a new cgroup with cpu.max "50000 100000" (half a
CPU) and memory.max 768M, Gradescope's default container.  It reports the
wall-clock time, the cgroup's peak memory (memory.peak; memory.max_usage_in_bytes
on a cgroup v1 host; both count the page cache, which the kernel reclaims
near the limit) and the peak without the cache (anon / total_rss of
memory.stat, sampled every 0.5 s), OOM kills, the score, and whether results.json was
written before the zip's budget ran out.

--hang applies grade/host/fixtures/hang-init.patch to the submission (a
copy): its kernel never starts init, so every test hangs, the worst case
for the budget.  Needs root (it writes /sys/fs/cgroup); cgroup v2 where the
host has it, else the v1 cpu and memory hierarchies.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CG = "/sys/fs/cgroup"
FIXTURE = os.path.join(ROOT, "grade", "host", "fixtures", "hang-init.patch")
sys.path.insert(0, os.path.join(ROOT, "grade"))
from limits import read_file as read  # noqa: E402


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def to_bytes(size):
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    s = size.strip().lower().rstrip("ib")
    return int(s[:-1]) * units[s[-1]] if s[-1] in units else int(s)


class Cgroup:
    """A fresh cgroup with a CPU quota and a memory limit (v2, or v1)."""

    def __init__(self, name, cpu_max, memory_max):
        self.v2 = os.path.exists(os.path.join(CG, "cgroup.controllers"))
        self.dirs = []
        quota, period = cpu_max.split()
        if self.v2:
            d = os.path.join(CG, name)
            ctl = read(os.path.join(CG, "cgroup.subtree_control")) or ""
            for c in ("cpu", "memory"):
                if c not in ctl.split():
                    write(os.path.join(CG, "cgroup.subtree_control"), f"+{c}")
            os.mkdir(d)
            self.dirs = [d]
            write(os.path.join(d, "cpu.max"), f"{quota} {period}")
            write(os.path.join(d, "memory.max"), str(memory_max))
            if os.path.exists(os.path.join(d, "memory.swap.max")):
                write(os.path.join(d, "memory.swap.max"), "0")
        else:
            cpu = os.path.join(CG, "cpu", name)
            mem = os.path.join(CG, "memory", name)
            os.mkdir(cpu)
            os.mkdir(mem)
            self.dirs = [cpu, mem]
            write(os.path.join(cpu, "cpu.cfs_period_us"), period)
            write(os.path.join(cpu, "cpu.cfs_quota_us"), quota)
            write(os.path.join(mem, "memory.limit_in_bytes"), str(memory_max))

    def enter(self):
        """In the child, before exec: move this process into the cgroup."""
        for d in self.dirs:
            write(os.path.join(d, "cgroup.procs"), str(os.getpid()))

    def peak(self):
        if self.v2:
            return int(read(os.path.join(self.dirs[0], "memory.peak")) or 0)
        return int(read(os.path.join(self.dirs[1], "memory.max_usage_in_bytes")) or 0)

    def anon(self):
        """Memory the processes themselves hold now (no page cache): v2
        memory.stat anon, v1 total_rss."""
        f = os.path.join(self.dirs[0], "memory.stat") if self.v2 else \
            os.path.join(self.dirs[1], "memory.stat")
        want = "anon" if self.v2 else "total_rss"
        for line in (read(f) or "").splitlines():
            k, _, v = line.partition(" ")
            if k == want:
                return int(v)
        return 0

    def oom_kills(self):
        f = os.path.join(self.dirs[0], "memory.events") if self.v2 else \
            os.path.join(self.dirs[1], "memory.oom_control")
        for line in (read(f) or "").splitlines():
            k, _, v = line.partition(" ")
            if k == "oom_kill":
                return int(v)
        return 0

    def remove(self):
        for d in self.dirs:
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except OSError:
                    time.sleep(0.1)


def copy_tree(dest):
    """This tree's files as git sees them (committed and new, not ignored)."""
    files = subprocess.run(["git", "-C", ROOT, "ls-files", "-co", "--exclude-standard", "-z"],
                           capture_output=True, check=True).stdout.decode().split("\0")
    for f in filter(None, files):
        src = os.path.join(ROOT, f)
        if os.path.isfile(src) and not os.path.islink(src):
            os.makedirs(os.path.join(dest, os.path.dirname(f)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, f))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="gslimits.py", description=__doc__.split("\n")[0])
    ap.add_argument("--lab", default=None)
    ap.add_argument("--arch", default="all")
    ap.add_argument("--hang", action="store_true", help="grade a kernel that hangs in every test")
    ap.add_argument("--cpu-max", default="50000 100000")
    ap.add_argument("--memory-max", default="768M")
    ap.add_argument("--work", default=None, help="keep the fake /autograder here")
    ap.add_argument("--zip", default=None,
                    help="an autograder zip made before (another tree's), instead of this one's")
    a = ap.parse_args(argv)
    if os.geteuid() != 0:
        print("gradescope-limits: needs root (it makes a cgroup)", file=sys.stderr)
        return 2
    work = a.work or tempfile.mkdtemp(prefix="aqua6-gslimits-")
    ag = os.path.join(work, "autograder")
    shutil.rmtree(ag, ignore_errors=True)
    os.makedirs(os.path.join(ag, "submission"))
    zip_path = a.zip or os.path.join(work, "autograder.zip")
    if not a.zip:
        cmd = [sys.executable, os.path.join(ROOT, "grade", "gradescope.py"), "build",
               "--arch", a.arch, "--out", zip_path] + (["--lab", a.lab] if a.lab else [])
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["unzip", "-q", zip_path, "-d", os.path.join(ag, "source")], check=True)
    shutil.copy2(os.path.join(ag, "source", "run_autograder"), ag)
    with open(os.path.join(ag, "source", "pristine", "overlay.json"), encoding="utf-8") as f:
        budget = float(json.load(f)["config"]["timeout"])
    sub = os.path.join(ag, "submission", "aqua6")
    copy_tree(sub)
    if a.hang:
        subprocess.run(["patch", "-s", "-p1", "-d", sub, "-i", FIXTURE], check=True)
    cg = Cgroup(f"aqua6-gslimits-{os.getpid()}", a.cpu_max, to_bytes(a.memory_max))
    log = os.path.join(work, "run_autograder.log")
    print(f"gradescope-limits: LAB={a.lab or 'all'} ARCH={a.arch}"
          f"{' (hanging kernel)' if a.hang else ''}; cgroup {'v2' if cg.v2 else 'v1'} "
          f"cpu.max \"{a.cpu_max}\", memory.max {a.memory_max}; budget {budget:.0f} s; "
          f"log {log}", flush=True)
    t0 = time.monotonic()
    anon = 0
    try:
        with open(log, "w", encoding="utf-8") as out:
            p = subprocess.Popen([os.path.join(ag, "run_autograder")], stdout=out,
                                 stderr=subprocess.STDOUT, preexec_fn=cg.enter,
                                 env=dict(os.environ, AUTOGRADER_ROOT=ag))
            while p.poll() is None:         # the peak without page cache, sampled
                anon = max(anon, cg.anon())
                time.sleep(0.5)
            rc = p.returncode
        secs = time.monotonic() - t0
        peak, ooms = cg.peak(), cg.oom_kills()
    finally:
        cg.remove()
    res_path = os.path.join(ag, "results", "results.json")
    try:
        with open(res_path, encoding="utf-8") as f:
            res = json.load(f)
        wrote = os.path.getmtime(res_path)
    except (OSError, ValueError) as e:
        res, wrote = None, None
        print(f"gradescope-limits: no valid results.json: {e}")
    tests = res.get("tests", []) if res else []
    full = sum(1 for t in tests if t.get("score") == t.get("max_score"))
    not_run = sum(1 for t in tests if "NOT RUN" in t.get("output", ""))
    print(f"gradescope-limits: run_autograder exited {rc} after {secs:.0f} s "
          f"(budget {budget:.0f} s); peak memory {peak / (1 << 20):.0f} MiB "
          f"of {a.memory_max} (page cache included; without it, sampled: "
          f"{anon / (1 << 20):.0f} MiB); OOM kills {ooms}")
    if res is not None:
        print(f"gradescope-limits: results.json score {res.get('score')}: {full} of "
              f"{len(tests)} stage results full marks, {not_run} with tests not run; "
              f"written {'within' if secs <= budget else 'AFTER'} the budget")
    return 0 if res is not None and secs <= budget and not ooms else 1


if __name__ == "__main__":
    sys.exit(main())
