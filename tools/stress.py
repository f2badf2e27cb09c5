#!/usr/bin/env python3
"""Stress one test program on a loaded host: boot it N times per port.

    tools/stress.py [--arch x86_64|riscv|all] [-n BOOTS] [--cpus C]
                    [--load K] [--repeat R] [PROGRAM ARG...]
    (make stress [ARCH=...] [N=...] [STRESS="systest no_page_leak"])

Each boot runs PROGRAM with its arguments repeated R times (systest and
the tapmain.h programs run every name given), on C CPUs, while K busy
loops on the host keep QEMU's vCPU threads waiting for a core: the
interleavings that a loaded CI machine produces and an idle one does not.
The default is the leak check that failed CI twice (issue 25):
`systest no_page_leak`, 30 times a boot, 4 CPUs, 50 boots per port.

A boot passes when its TAP output is complete and every check is ok, and
the kernel did not panic.  Each failure is reported with the failing
lines; the exit status is 0 only if every boot passed.
"""

import argparse
import concurrent.futures
import multiprocessing
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))
import labs  # noqa: E402  (the list of ports)
import qemu  # noqa: E402  (the grader's one source of the QEMU command line)
import tap  # noqa: E402


def spin():
    while True:
        pass


def one_boot(arch, cpus, bootargs, timeout):
    res = qemu.run_boot(arch, qemu.qemu_argv(arch, cpus, bootargs), timeout)
    problems = []
    if res.panic is not None:
        problems.append("the kernel panicked")
    if res.timed_out:
        problems.append(f"no power-off within {timeout} s")
    t = tap.parse(res.output)
    problems += t.problems
    if t.failed:
        problems.append(f"{len(t.failed)} of {len(t.checks)} checks failed")
    bad = []
    for c in t.failed[:3]:
        # Test programs print their "# why" lines before or after the verdict.
        bad += [b for b in c.before if b.startswith("#")] + [c.status_line()]
        bad += [f"# {d}" for d in c.diag]
    return problems, bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="all")
    ap.add_argument("-n", "--boots", type=int, default=50, help="boots per port")
    ap.add_argument("--cpus", type=int, default=4)
    ap.add_argument("--load", type=int, default=0,
                    help="busy loops on the host (default: 2 per host core)")
    ap.add_argument("--repeat", type=int, default=30, help="times each argument is repeated")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per boot")
    ap.add_argument("program", nargs="*", default=["systest", "no_page_leak"])
    a = ap.parse_args()

    arches = list(labs.parse_arches(a.arch))
    prog, args = a.program[0], a.program[1:]
    bootargs = " ".join([f"run=/bin/{prog}"] + args * a.repeat)
    load = a.load or 2 * (os.cpu_count() or 1)
    spinners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(load)]
    for s in spinners:
        s.start()
    print(f"*** stress: {prog} {' '.join(args)} x{a.repeat}, {a.cpus} CPUs, "
          f"{a.boots} boots per port on {', '.join(arches)}, {load} busy loops on the host",
          flush=True)
    failed = 0
    try:
        # Two boots at a time: together with the busy loops, QEMU's vCPUs
        # keep losing their host core in the middle of a test.
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            jobs = {}
            for i in range(a.boots):
                for arch in arches:
                    jobs[pool.submit(one_boot, arch, a.cpus, bootargs, a.timeout)] = (arch, i + 1)
            done = {arch: 0 for arch in arches}
            for fut in concurrent.futures.as_completed(jobs):
                arch, i = jobs[fut]
                problems, bad = fut.result()
                if problems:
                    failed += 1
                    print(f"FAIL {arch} boot {i}: {'; '.join(problems)}")
                    for ln in bad[:12]:
                        print(f"    {ln}")
                else:
                    done[arch] += 1
    finally:
        for s in spinners:
            s.terminate()
    for arch in arches:
        print(f"stress {arch}: {done[arch]}/{a.boots} boots clean")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
