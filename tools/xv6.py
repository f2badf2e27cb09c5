#!/usr/bin/env python3
"""Run an xv6-riscv checkout's usertests on aqua6 (`make xv6 XV6=path`).

    tools/xv6.py script path/to/usertests.c      the shell script init runs
    tools/xv6.py run --xv6 DIR [--arch A|all]    build, boot, report

`run` builds, for each port, the kernel and $(B)/xv6/fs.img (the Makefile's
xv6-image: the tree's user programs built unchanged against the xv6
compatibility layer, in `/`), boots it once with `run=/bin/sh
/usertests.sh`, and prints one line per test and a summary line per port.
The script runs `usertests NAME` for each test usertests.c lists, in its
order, so one failure does not stop the others (usertests alone stops at
the first); each test's verdict is usertests' exit status.

Nothing of the xv6 tree is copied into this repository: it is read where
it is.  docs/INSTRUCTORS.md, "Bring your xv6 material", lists the tests
that fail on aqua6 and why.
"""

import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))

import ports  # noqa: E402
import qemu   # noqa: E402

# A test table entry of usertests.c: {function, "name"}.
ENTRY_RE = re.compile(r'\{\s*[A-Za-z_]\w*\s*,\s*"([^"]+)"\s*\}')
BEGIN, END = "xv6test-begin", "xv6test-end"
RESULT_RE = re.compile(rf"^{BEGIN} (\S+)\n(.*?)^{END} \1 (-?\d+)$", re.S | re.M)
# Every test together: the slow ones write the whole disk.  Only a hang
# reaches it; no result depends on time.
TIMEOUT = 3600


def test_names(source):
    """The test names of usertests.c in its order: every {function, "name"}
    entry of its test tables (quick tests, then slow ones)."""
    names = []
    for n in ENTRY_RE.findall(source):
        if n not in names:
            names.append(n)
    return names


def script(path):
    with open(path) as f:
        names = test_names(f.read())
    lines = ["# usertests one test at a time (tools/xv6.py); made by make xv6"]
    for n in names:
        lines += [f"echo {BEGIN} {n}", f"/usertests {n}", f"echo {END} {n} $?"]
    return "\n".join(lines) + "\n"


def reason(text, name):
    """The first line usertests printed about a failing test."""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("usertests starting") or line == "SOME TESTS FAILED":
            continue
        line = re.sub(rf"^test {re.escape(name)}: ", "", line)
        if line and line != "FAILED":
            return line[:100]
    return ""


def run_port(arch, xv6, names):
    env = qemu.make_env()
    subprocess.run(["make", "-s", "-C", ROOT, f"ARCH={arch}", f"XV6={xv6}", "xv6-image"],
                   check=True, env=env)
    argv = qemu.qemu_argv(arch, 2, "run=/bin/sh /usertests.sh")
    argv = qemu.with_image(argv, os.path.join(ROOT, "build", arch, "xv6", "fs.img"))
    log = os.path.join(ROOT, "build", arch, "xv6", "usertests.log")
    res = qemu.run_boot(arch, argv, TIMEOUT, log_path=log)
    results = {}
    for m in RESULT_RE.finditer(res.output):
        ok = m.group(3) == "0"
        results[m.group(1)] = ("ok", "") if ok else ("FAIL", reason(m.group(2), m.group(1)))
    for n in names:
        if n not in results:
            if res.panic is not None:
                results[n] = ("FAIL", "kernel panic")
            elif res.timed_out:
                results[n] = ("FAIL", "no result before the time-out (hang?)")
            else:
                results[n] = ("FAIL", "not run")
            break
    return results, res, log


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("script")
    s.add_argument("usertests")
    r = sub.add_parser("run")
    r.add_argument("--xv6", required=True, help="an xv6 checkout (its user/ and Makefile)")
    r.add_argument("--arch", default="all")
    a = ap.parse_args()
    if a.cmd == "script":
        sys.stdout.write(script(a.usertests))
        return 0
    with open(os.path.join(a.xv6, "user", "usertests.c")) as f:
        names = test_names(f.read())
    arches = ports.names() if a.arch == "all" else [a.arch]
    table, summary = {}, []
    for arch in arches:
        results, res, log = run_port(arch, a.xv6, names)
        table[arch] = results
        passed = sum(1 for n in names if results.get(n, ("",))[0] == "ok")
        extra = " (kernel panic)" if res.panic else " (time-out)" if res.timed_out else ""
        summary.append(f"xv6 usertests on {arch}: {passed} of {len(names)} passed{extra}; log {log}")
    width = max(len(n) for n in names)
    print(f"{'test':{width}}  " + "  ".join(f"{a:8}" for a in arches) + "  reason")
    for n in names:
        cells, why = [], []
        for arch in arches:
            st, rsn = table[arch].get(n, ("-", ""))
            cells.append(f"{st:8}")
            if rsn and rsn not in why:
                why.append(rsn)
        print(f"{n:{width}}  " + "  ".join(cells) + "  " + " | ".join(why))
    for line in summary:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
