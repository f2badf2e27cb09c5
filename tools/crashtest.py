#!/usr/bin/env python3
"""Crash-consistency test: cut the power during file-system writes.

    tools/crashtest.py [--arch x86_64|riscv|all] [-n CUTS] [--seed S] [-j JOBS] [-v]
    (make crashtest [ARCH=...] [N=...] [SEED=...])

For each cut, on a private copy of build/<arch>/fs.img:
  1. boot with run=/bin/crashload run SEED; the workload prints
     `crashload: done K' after each file-system operation has returned;
  2. at a random moment (seeded) after it starts, kill QEMU (SIGKILL: a
     power cut, nothing is flushed);
  3. build/host/fsck on the image must find it consistent (a committed but
     not yet installed log is fine: the kernel replays it at boot);
  4. boot again with run=/bin/crashload check SEED LAST (LAST = the last
     K printed): the kernel recovers the log, and every operation reported
     done must be there (see user/tests/crashload.c for what exactly);
  5. fsck again: recovery must leave a clean image.
A cut fails if any step does; the report says which, with the console.
The seed of each cut is derived from --seed, so a failing cut can be
rerun alone: the output gives the command.  Exit status 0 iff all passed.
"""

import argparse
import concurrent.futures
import os
import random
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))
import labs  # noqa: E402  (the ports, from arch/*/port.toml)
import qemu  # noqa: E402  (the grader's one source of the QEMU command line)

DONE_RE = re.compile(r"crashload: done (\d+)")
BOOT_TIMEOUT = 60.0        # seconds for a boot to reach the workload / finish checking
MAX_DELAY = 2.5            # the cut comes up to this long after `crashload: start'


def disk_argv(arch, cpus, bootargs, image):
    """The grader's QEMU command, but writing `image' (no -snapshot)."""
    argv = [a for a in qemu.qemu_argv(arch, cpus, bootargs, root=ROOT) if a != "-snapshot"]
    out = []
    for a in argv:
        if "file=" in a and "fs.img" in a:
            a = re.sub(r"file=[^,]*fs\.img", "file=" + image, a)
        out.append(a)
    return out


def read_until(proc, pattern, timeout, text):
    """Read QEMU's console into text[0] until pattern appears; True if it did."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pattern is not None and re.search(pattern, text[0]):
            return True
        for _ in sel.select(timeout=0.05):
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                return pattern is not None and bool(re.search(pattern, text[0]))
            text[0] += chunk.decode("utf-8", "replace")
    return pattern is not None and bool(re.search(pattern, text[0]))


def drain(proc, text):
    while True:
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        text[0] += chunk.decode("utf-8", "replace")


def fsck(image):
    p = subprocess.run([os.path.join(ROOT, "build", "host", "fsck"), image],
                       capture_output=True, text=True)
    return p.returncode, (p.stdout + p.stderr).strip()


def tail(text, n=15):
    lines = [l for l in text.replace("\r", "").splitlines() if l.strip()]
    return "\n".join("    | " + l for l in lines[-n:])


def one_cut(arch, cpus, seed, index, workdir, verbose=False):
    """Run one cut; return (ok, summary, details)."""
    rnd = random.Random(f"{seed}-{arch}-{index}")
    cut_seed = rnd.randrange(1, 1 << 30)
    delay = rnd.uniform(0.0, MAX_DELAY)
    image = os.path.join(workdir, f"{arch}-{index}.img")
    shutil.copyfile(os.path.join(ROOT, "build", arch, "fs.img"), image)
    rerun = (f"tools/crashtest.py --arch {arch} --seed {seed} --only {index}"
             f"   (cut seed {cut_seed}, {delay:.2f} s after start)")
    try:
        # 1-2: the workload, then the power cut.
        argv = disk_argv(arch, cpus, f"run=/bin/crashload run {cut_seed}", image)
        proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        text = [""]
        started = read_until(proc, r"crashload: start", BOOT_TIMEOUT, text)
        if started:
            read_until(proc, None, delay, text)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        drain(proc, text)
        if not started:
            return False, "the workload never started", tail(text[0]) + "\n  rerun: " + rerun
        if re.search(r"(?m)^.{0,4}panic: |crashload: op \d+", text[0]):
            return False, "the workload failed before the cut", tail(text[0]) + "\n  rerun: " + rerun
        done = [int(m.group(1)) for m in DONE_RE.finditer(text[0])]
        last = done[-1] if done else -1

        # 3: the image as the cut left it.
        rc, out = fsck(image)
        if rc != 0:
            return False, f"fsck after the cut (op {last} done)", out + "\n  rerun: " + rerun
        pending = "log not empty" in out

        # 4: recover and check.
        argv = disk_argv(arch, cpus, f"run=/bin/crashload check {cut_seed} {last}", image)
        proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        text2 = [""]
        finished = read_until(proc, r"init: \S+ exited with status \d+", BOOT_TIMEOUT, text2)
        if not finished:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        drain(proc, text2)
        m = re.search(r"init: \S+ exited with status (\d+)", text2[0])
        if not m or m.group(1) != "0":
            return False, f"check after the cut (op {last} reported done)", \
                tail(text2[0], 25) + "\n  rerun: " + rerun

        # 5: recovery left a clean image.
        rc, out = fsck(image)
        if rc != 0:
            return False, "fsck after recovery", out + "\n  rerun: " + rerun
        replayed = re.search(r"fs: replaying (\d+) logged blocks", text2[0])
        how = re.search(r"crashload: check: ok: (.*)", text2[0])
        summary = (f"cut after op {last}" + (", log pending" if pending else "")
                   + (f", replayed {replayed.group(1)} blocks" if replayed else "")
                   + (f": {how.group(1)}" if how and verbose else ""))
        return True, summary, ""
    finally:
        if os.path.exists(image):
            os.unlink(image)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", default="all", help=f"{', '.join(labs.ARCHES)} or all")
    ap.add_argument("-n", "--cuts", type=int, default=5, help="cuts per port")
    ap.add_argument("--seed", type=int, default=None, help="default: from the clock")
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--only", type=int, default=None, help="run only cut number ONLY")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    arches = list(labs.parse_arches(args.arch))
    for a in arches:
        for f in (os.path.join(ROOT, "build", a, "fs.img"), os.path.join(ROOT, "build", "host", "fsck")):
            if not os.path.exists(f):
                sys.exit(f"crashtest: {f} is missing: run make ARCH={a} all first")
    cuts = [(a, i) for i in (range(args.cuts) if args.only is None else [args.only]) for a in arches]
    print(f"crashtest: seed {seed}, {len(cuts)} cuts ({', '.join(arches)}), CPUS={args.cpus}")
    sys.stdout.flush()

    start = time.monotonic()
    results = {a: [0, 0] for a in arches}
    failed = []
    with tempfile.TemporaryDirectory(prefix="aqua6-crash-") as work, \
            concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futs = {pool.submit(one_cut, a, args.cpus, seed, i, work, args.verbose): (a, i)
                for a, i in cuts}
        for fut in concurrent.futures.as_completed(futs):
            a, i = futs[fut]
            try:
                ok, summary, details = fut.result()
            except Exception as e:      # a harness bug: report it as a failure
                ok, summary, details = False, f"harness error: {e!r}", ""
            results[a][0 if ok else 1] += 1
            print(f"  {'PASS' if ok else 'FAIL'}  {a:<7} cut {i:<3} {summary}")
            if not ok:
                failed.append((a, i, summary, details))
                print(details)
            sys.stdout.flush()
    took = time.monotonic() - start
    for a in arches:
        print(f"crashtest: {a}: {results[a][0]}/{sum(results[a])} cuts survived")
    print(f"crashtest: seed {seed}, {took:.0f} s: "
          + ("all passed" if not failed else f"{len(failed)} FAILED"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
