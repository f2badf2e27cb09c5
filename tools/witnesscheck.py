#!/usr/bin/env python3
"""Run the stress programs on debug kernels (make DEBUG=1) and check that
witness, the lock-order checker (kern/witness.c), finds nothing.

    make witness [ARCH=x86_64|riscv|all]

First `ktest witness` proves the checker works (it must report the
reversal the test makes on purpose) and `ktest race` proves the race
checker does (kern/racecheck.c: it must panic on the test's racy word,
and not on its locked one); then each program below runs on 4
CPUs, and any "witness:" line or panic fails the check.  The debug
kernels live in build/<arch>-debug, apart from the normal ones.
"""

import argparse
import concurrent.futures
import os
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))

import labs  # noqa: E402  (the ports, from arch/*/port.toml)
import qemu  # noqa: E402

# (program and arguments, timeout in seconds): what exercises the most locks.
PROGRAMS = [
    ("/bin/ktest all", 120),
    ("/bin/systest", 180),
    ("/bin/hardtest", 120),
    ("/bin/sigtest", 120),
    ("/bin/ptracetest fork", 120),
    ("/bin/forkstattest race 4", 120),
    ("/bin/fuzz 7 20000", 300),
    ("/bin/vmaptest core", 180),		# vmap: share_lock, proc_lock, vm_lock
    ("/bin/vmaptest share-vmem", 180),
    ("/bin/vmaptest copy-shared", 120),
]


def debug_argv(arch, cpus, bootargs):
    cmd = ["make", "-s", "--no-print-directory", "-C", ROOT, f"ARCH={arch}", "DEBUG=1",
           f"CPUS={cpus}", f"BOOTARGS={bootargs}", "qemu-cmd"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True,
                         env=qemu.make_env()).stdout
    argv = shlex.split(out.strip().splitlines()[-1])
    return argv[:1] + ["-snapshot"] + argv[1:]


def boot(arch, prog, timeout, bootargs=""):
    log = os.path.join(ROOT, "build", "witness", arch,
                       "-".join(prog.split()).split("/")[-1] + ".log")
    return qemu.run_boot(arch, debug_argv(arch, 4, (bootargs + " run=" + prog).strip()),
                         timeout, log_path=log)


def check_arch(arch):
    failures = []
    res = boot(arch, "/bin/ktest witness", 60)
    if res.init_exit() != ("/bin/ktest", 0) or "witness: lock order reversal" not in res.output:
        failures.append(f"{arch}: `ktest witness` did not see its own reversal "
                        f"(exit {res.init_exit()}; log {res.log_path})")
    # The race checker (kern/racecheck.c) must panic on ktest race's racy word.
    res = boot(arch, "/bin/ktest race", 60, "ktest.panic=1")
    if res.panic is None or "data race on the variable at" not in res.panic.message:
        failures.append(f"{arch}: `ktest race` did not end in the race checker's panic "
                        f"(panic: {res.panic.message if res.panic else 'none'}; log {res.log_path})")
    elif "ok 1 " not in res.output:
        failures.append(f"{arch}: `ktest race`: a write under a lock was reported (log {res.log_path})")
    for prog, timeout in PROGRAMS:
        t0 = time.monotonic()
        res = boot(arch, prog, timeout)
        found = [ln for ln in res.lines if ln.startswith(("witness:", "racecheck:")) or "panic:" in ln]
        name = prog.split()[0]
        status = res.init_exit()
        ok = not found and status is not None and status[1] == 0
        print(f"  {arch:7} {prog:28} {'ok' if ok else 'FAILED'}  ({time.monotonic() - t0:.0f} s)",
              flush=True)
        if found:
            failures.append(f"{arch}: {prog}: " + "; ".join(found[:3]) + f" (log {res.log_path})")
        elif status is None or status[0] != name or status[1] != 0:
            failures.append(f"{arch}: {prog}: did not exit 0 (init saw {status}; log {res.log_path})")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", default="all", choices=("all",) + labs.ARCHES)
    args = ap.parse_args()
    arches = list(labs.parse_arches(args.arch))
    for arch in arches:
        print(f"witness: {arch}, debug kernel build/{arch}-debug, 4 CPUs", flush=True)
    # The ports at once: one QEMU each, so the second CPU of a two-CPU host
    # does not wait (the time-outs above are far above the programs' cost).
    with concurrent.futures.ThreadPoolExecutor(len(arches)) as pool:
        failures = [f for fs in pool.map(check_arch, arches) for f in fs]
    if failures:
        print("witness check FAILED:")
        for f in failures:
            print("  " + f)
        return 1
    print(f"witness check: ok ({len(PROGRAMS)} programs per port, no lock order reversal, no data race)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
