#!/usr/bin/env python3
"""make bench: boot aqua6 under QEMU, run user/tests/bench.c, report the figures.

    tools/bench.py [--arch x86_64|riscv|all] [--cpus N] [--runs N] ...
    tools/bench.py --profile fork [--arch riscv]     where does the time go?

For each port it measures

  * boot to the first shell prompt: the host's wall clock from starting QEMU
    to the `$ ` prompt (firmware included), and the guest's own clock
    (nanotime(2)) when init starts the first program;
  * the figures of bench.c (getpid, pipe ping-pong, fork+exit+wait with
    0/4/16/64 MiB touched, vfork, fork+exec, file create/write/unlink),
    one boot with `run=/bin/bench` per run;

each of them twice over: on the wall clock, and with QEMU's `-icount
shift=0`, where the guest's clock is virtual and advances one nanosecond per
guest instruction.  Wall-clock figures are what a student sees and depend on
the host and on whatever else runs on it; icount figures count instructions
and repeat to the instruction on any host (the check below says how well).

Each figure is the median of --runs boots, with the spread (min-max).  The
table goes to stdout and everything (every run, the QEMU command lines, the
host) to build/bench/<arch>.json.

Eager copy against copy-on-write: when the tree has the `cow` lab stage
(SOLUTION markers for it in kern/), the fork figures are measured a second
time on the handout tree of that stage (tools/handout.py --lab cow), whose
fork copies eagerly; docs/labs/cow-fork-cost.png plots fork cost against
the memory touched, both kernels, both ports (matplotlib or gnuplot, if
installed: plotting is optional).

The QEMU command line comes from `make qemu-cmd` through grade/qemu.py, the
grader's own code: one source of truth for how aqua6 boots.
"""
import argparse
import datetime
import json
import os
import platform
import re
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "grade"))
import ports  # noqa: E402  (grade/ports.py: the ports, arch/*/port.toml)
import qemu  # noqa: E402  (grade/qemu.py: make qemu-cmd, run_boot, clean)

ARCHES = ports.names()
MODES = ("wall", "icount")
REPEAT_LIMIT = 0.01          # two icount runs must agree within 1%
FORK_SIZES = [("fork", 0), ("fork4m", 4), ("fork16m", 16), ("fork64m", 64)]

# xv6-riscv on this kind of machine (QEMU 7.2 TCG, CPUS=1): what we compare with.
TARGETS = {
    "fork": ("1650 /s", 1e9 / 1650),
    "fork4m": ("41 /s (eager)", 1e9 / 41),
    "boot_prompt": ("0.3 s", 0.3e9),
}

# The figures of the table, in order: key, label, how to show it.
#   ns    a time per operation
#   rate  operations per second (1e9 / ns)
#   page  a time per 4 KiB page
FIGURES = [
    ("boot_prompt", "boot to first prompt (host clock)", "ns"),
    ("boot_guest", "boot, guest clock at first program", "ns"),
    ("getpid", "getpid round trip", "ns"),
    ("pipe", "pipe ping-pong round trip (2 switches)", "ns"),
    ("fork", "fork+exit+wait, small process", "rate"),
    ("fork4m", "fork+exit+wait, 4 MiB touched", "rate"),
    ("fork16m", "fork+exit+wait, 16 MiB touched", "rate"),
    ("fork64m", "fork+exit+wait, 64 MiB touched", "rate"),
    ("forkpage", "fork+exit+wait, per page touched", "page"),
    ("vfork", "vfork+exit+wait", "rate"),
    ("forkexec", "fork+exec(/bin/true)+wait", "rate"),
    ("cowfault", "copy-on-write write fault, per page", "page"),
    ("touch4m", "sbrk + first write, per page", "page"),
    ("file", "create+write 1K+close+unlink", "ns"),
    ("thread", "thread create+join", "ns"),
    ("makecxt-fork", "makecxt, fork form", "rate"),
    ("makecxt-region", "makecxt, region form", "rate"),
]
LABELS = {k: lbl for k, lbl, _ in FIGURES}
# Figures that wait for the disk.  While the guest idles, QEMU's icount
# clock runs with the host's clock (-icount sleep=on, the default; with
# sleep=off it jumps to the next timer, which is worse), so their icount
# figure holds host time and does not repeat.  They are reported, not
# held to the 1% rule.
DISK_BOUND = {"boot_guest", "file"}
KINDS = {k: kind for k, _, kind in FIGURES}

BENCH_RE = re.compile(r"^bench (\S+) (\d+) ns/op (\d+) iters (\d+) ns\s*$")
INFO_RE = re.compile(r"^bench-info (\S+) (.*?)\s*$")
SKIP_RE = re.compile(r"^bench-skip (\S+) (.*?)\s*$")
ERROR_RE = re.compile(r"^bench-error (.*?)\s*$")
PROMPT_RE = re.compile(r"(?:^|\n)\$ ")


class BenchError(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---- running QEMU ------------------------------------------------------------

def argv_for(arch, cpus, bootargs, root, mode):
    """`make qemu-cmd` (+ -snapshot, from grade/qemu.py), + -icount for that mode."""
    argv = qemu.qemu_argv(arch, cpus, bootargs, root=root)
    if os.path.realpath(root) != os.path.realpath(qemu.ROOT):
        # qemu.run_boot starts QEMU in qemu.ROOT (this tree), and the
        # command line names the kernel and disk relative to its own tree.
        argv = [re.sub(r"(^|=)build/", lambda m: m.group(1) + os.path.join(root, "build") + "/", x)
                for x in argv]
    return qemu.with_icount(argv) if mode == "icount" else argv


def run_bench(arch, cpus, root, mode, names, scale, timeout):
    """One boot with run=/bin/bench; returns the parsed output."""
    args = " ".join((["-s", str(scale)] if scale != 100 else []) + list(names))
    argv = argv_for(arch, cpus, f"run=/bin/bench {args}".strip(), root, mode)
    res = qemu.run_boot(arch, argv, timeout)
    out = {"figures": {}, "info": {}, "skipped": {}, "errors": [], "elapsed_s": res.elapsed}
    for line in res.lines:
        m = BENCH_RE.match(line)
        if m:
            out["figures"][m.group(1)] = {"ns_per_op": int(m.group(4)) / int(m.group(3)),
                                          "iters": int(m.group(3)), "total_ns": int(m.group(4))}
            continue
        m = INFO_RE.match(line)
        if m:
            out["info"][m.group(1)] = m.group(2)
            continue
        m = SKIP_RE.match(line)
        if m:
            out["skipped"][m.group(1)] = m.group(2)
            continue
        m = ERROR_RE.match(line)
        if m:
            out["errors"].append(m.group(1))
    done = any(line.strip() == "bench-done" for line in res.lines)
    if res.panic is not None or res.timed_out or not done:
        why = ("kernel panic: " + res.panic.message if res.panic is not None else
               f"no bench-done within {timeout} s" if res.timed_out else
               "QEMU stopped before bench-done")
        raise BenchError(f"{arch} {mode}: {why}\n  {' '.join(argv)}\n  last lines:\n    "
                         + "\n    ".join(res.tail(15)))
    if "uptime_ns" in out["info"]:
        out["figures"]["boot_guest"] = {"ns_per_op": float(out["info"]["uptime_ns"]),
                                        "iters": 1, "total_ns": int(out["info"]["uptime_ns"])}
    return out


def boot_to_prompt(arch, cpus, root, mode, timeout=60):
    """Host seconds from starting QEMU to its first output, the kernel's
    banner and the shell's first `$ ` prompt; QEMU is ended right after."""
    argv = argv_for(arch, cpus, "", root, mode)
    start = time.monotonic()
    errf = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=errf, cwd=root, start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buf = bytearray()
    t = {"first_output": None, "banner": None, "prompt": None}
    try:
        while time.monotonic() - start < timeout:
            if not sel.select(timeout=0.5):
                continue
            data = os.read(proc.stdout.fileno(), 65536)
            now = time.monotonic() - start
            if not data:
                break
            buf.extend(data)
            if t["first_output"] is None:
                t["first_output"] = now
            text = qemu.clean(buf.decode("utf-8", "replace"))
            if t["banner"] is None and "aqua6: " in text:
                t["banner"] = now
            if PROMPT_RE.search(text):
                t["prompt"] = now
                break
    finally:
        sel.close()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        proc.stdout.close()
        proc.stdin.close()
    errf.seek(0)
    err = errf.read().decode("utf-8", "replace").strip()
    errf.close()
    if t["prompt"] is None:
        raise BenchError(f"{arch} {mode}: no shell prompt within {timeout} s\n  {' '.join(argv)}\n"
                         + qemu.clean(buf.decode("utf-8", "replace"))[-800:]
                         + (f"\n  QEMU said: {err}" if err else ""))
    return t


# ---- statistics --------------------------------------------------------------

def summary(values):
    values = sorted(values)
    med = statistics.median(values)
    return {"median": med, "min": values[0], "max": values[-1], "values": values,
            "spread": (values[-1] - values[0]) / med if med else 0.0}


PAGES_PER_MIB = 256           # 4 KiB pages, both ports


def derive(runs_figs):
    """Per-run derived figures: the copy-on-write fault cost per page, and
    what fork+exit+wait costs per page the parent touched: (fork64m - fork)
    / the 64 MiB's pages (on icount, guest instructions per page)."""
    for figs in runs_figs:
        big, small = figs.get(FORK_SIZES[-1][0]), figs.get(FORK_SIZES[0][0])
        if big and small:
            figs["forkpage"] = {"ns_per_op": (big["ns_per_op"] - small["ns_per_op"])
                                / (FORK_SIZES[-1][1] * PAGES_PER_MIB)}
        for mib in (4, 16, 64):
            cw, rw = figs.get(f"cowwrite{mib}m"), figs.get(f"rewrite{mib}m")
            if cw and rw:
                figs[f"cowfault{mib}m"] = {"ns_per_op": cw["ns_per_op"] - rw["ns_per_op"]}
        if "cowfault64m" in figs:
            figs["cowfault"] = figs["cowfault64m"]


def collect(runs):
    """{figure: summary of ns_per_op over the runs}."""
    figs = {}
    for r in runs:
        for k, v in r.items():
            figs.setdefault(k, []).append(v["ns_per_op"])
    return {k: summary(v) for k, v in figs.items()}


# ---- formatting --------------------------------------------------------------

def fmt_time(ns):
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e4:
        return f"{ns / 1e3:.1f} us"
    return f"{ns:.0f} ns"


def fmt_rate(ns):
    r = 1e9 / ns if ns > 0 else 0
    return f"{r:.0f} /s" if r >= 10 else f"{r:.2f} /s"


def fmt_insns(ns):
    """Guest instructions: under -icount shift=0 one instruction is 1 ns."""
    if ns >= 1e6:
        return f"{ns / 1e6:.2f}M"
    if ns >= 1e4:
        return f"{ns / 1e3:.1f}K"
    return f"{ns:,.0f}"


def fmt_icount(s):
    """'median (min-max)' in guest instructions per operation."""
    if s is None:
        return "-"
    return f"{fmt_insns(s['median'])} insns ({fmt_insns(s['min'])}-{fmt_insns(s['max'])})"


def fmt_figure(key, s):
    """'median (min-max)' in the figure's unit."""
    if s is None:
        return "-"
    kind = KINDS.get(key, "ns")
    if kind == "rate":
        # A higher rate is the shorter time: min and max swap.
        return f"{fmt_rate(s['median'])} ({fmt_rate(s['max']).split()[0]}-{fmt_rate(s['min']).split()[0]})"
    return f"{fmt_time(s['median'])} ({fmt_time(s['min'])}-{fmt_time(s['max'])})"


def table(result):
    arch = result["arch"]
    lines = [f"aqua6 benchmarks: {arch}, {result['cpus']} CPU(s), {result['qemu_version']}, "
             f"{result['runs']} runs, median (min-max)",
             f"{'figure':40} {'wall clock':30} {'guest instructions per operation':34} {'icount spread':>13}  xv6 target"]
    for key, label, _ in FIGURES:
        w = result["wall"].get(key)
        i = result["icount"].get(key)
        skip = result["skipped"].get(key)
        if w is None and i is None:
            err = [e for e in result["errors"] if f" {key} " in f" {e.split(': ', 1)[-1]} "]
            if err:
                lines.append(f"{label:40} failed: {err[0].split(': ', 1)[-1]}")
            elif skip:
                lines.append(f"{label:40} skipped: {skip}")
            elif key == "cowfault" and result.get("kernel") == "eager":
                lines.append(f"{label:40} n/a: this kernel copies eagerly (no fault on a first write)")
            continue
        spread = (f"{i['spread'] * 100:.2f}%" + ("*" if key in DISK_BOUND else "")) if i else "-"
        target = TARGETS.get(key, ("",))[0]
        lines.append(f"{label:40} {fmt_figure(key, w):30} {fmt_icount(i):34} {spread:>13}  {target}")
    lines.append("* waits for the disk: its icount figure includes host time (docs/PERFORMANCE.md)")
    return "\n".join(lines)


# ---- the tree's kernel: eager or copy-on-write ------------------------------

def tree_has_cow_stage(root):
    kern = os.path.join(root, "kern")
    for dirpath, _, files in os.walk(kern):
        for f in files:
            if f.endswith((".c", ".h")):
                with open(os.path.join(dirpath, f), errors="replace") as fh:
                    if re.search(r"SOLUTION BEGIN cow\b", fh.read()):
                        return True
    return False


def kernel_kind(runs_info):
    """'cow' or 'eager', from bench.c's own check of a child's first writes."""
    votes = [v for info in runs_info for k, v in info.items() if re.fullmatch(r"cow\d+m", k)]
    if not votes:
        return "unknown"
    return "cow" if votes.count("yes") > len(votes) / 2 else "eager"


def make_eager_tree(out):
    """The handout of the cow stage: fork copies eagerly there."""
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "handout.py"), "--lab", "cow",
                    "--out", out], check=True, stdout=sys.stderr)


def build_tree(root, arch):
    """Build one port in root.  A handout keeps the time stamps of the files
    it did not change, so starting from a copy of our own objects
    recompiles only what the stage changed."""
    mine, theirs = os.path.join(ROOT, "build", arch), os.path.join(root, "build", arch)
    if os.path.isdir(mine) and not os.path.exists(theirs):
        shutil.copytree(mine, theirs, symlinks=True)
    log(f"bench: building {arch} in {root}")
    p = subprocess.run(["make", "-s", "-C", root, f"ARCH={arch}", "all"], env=qemu.make_env(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise BenchError(f"build of {arch} in {root} failed:\n{p.stdout[-3000:]}")


# ---- the plot ----------------------------------------------------------------

def fork_curve(result, mode):
    pts = []
    for name, mib in FORK_SIZES:
        s = result[mode].get(name)
        if s:
            pts.append((mib, s["median"] / 1e6))
    return pts


COLORS = ("tab:blue", "tab:red", "tab:green", "tab:purple", "tab:orange")   # one a port


def plot(series, path):
    """series: [(label, mode, [(mib, ms)...])]; PNG at path.  Returns a message."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        plt = None
    if plt is not None:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
        for ax, mode, title in ((axes[0], "icount", "guest virtual time (-icount shift=0)"),
                                (axes[1], "wall", "host wall clock")):
            for label, m, pts in series:
                if m != mode or not pts:
                    continue
                style = "--" if "eager" in label else "-"
                a = label.split(",")[0]
                color = COLORS[(ARCHES.index(a) if a in ARCHES else len(ARCHES)) % len(COLORS)]
                ax.plot([p[0] for p in pts], [p[1] for p in pts], style, color=color,
                        marker="o", label=label)
            ax.set_xlabel("memory touched by the parent (MiB)")
            ax.set_ylabel("fork+exit+wait (ms, log scale)")
            ax.set_yscale("log")
            ax.set_xticks([0, 4, 16, 64])
            ax.set_title(title)
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8)
        fig.suptitle("aqua6: fork cost against memory touched (QEMU 7.2 TCG, 1 CPU)")
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
        return f"bench: wrote {path} (matplotlib)"
    if shutil.which("gnuplot"):
        with tempfile.TemporaryDirectory() as d:
            plots = []
            for n, (label, mode, pts) in enumerate(series):
                if mode != "icount" or not pts:
                    continue
                dat = os.path.join(d, f"{n}.dat")
                with open(dat, "w") as f:
                    f.writelines(f"{x} {y}\n" for x, y in pts)
                plots.append(f"'{dat}' with linespoints title '{label}'")
            script = (f"set terminal png size 800,500\nset output '{path}'\nset logscale y\n"
                      "set xlabel 'memory touched by the parent (MiB)'\n"
                      "set ylabel 'fork+exit+wait (ms, guest virtual time)'\n"
                      "set title 'aqua6: fork cost against memory touched'\n"
                      f"plot {', '.join(plots)}\n")
            subprocess.run(["gnuplot"], input=script, text=True, check=True)
        return f"bench: wrote {path} (gnuplot)"
    return ("bench: no plot: neither python3-matplotlib nor gnuplot is installed "
            "(apt-get install python3-matplotlib); the figures are in build/bench/*.json")


# ---- one port ----------------------------------------------------------------

def bench_arch(arch, a):
    result = {"arch": arch, "cpus": a.cpus, "runs": a.runs, "scale_pct": a.scale,
              "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
              "host": {"machine": platform.machine(), "cpus": os.cpu_count(),
                       "loadavg_start": os.getloadavg()},
              "qemu_argv": {m: argv_for(arch, a.cpus, "run=/bin/bench", ROOT, m) for m in MODES},
              "runs_raw": {}, "boot_raw": {}, "skipped": {}, "errors": []}
    ver = subprocess.run([result["qemu_argv"]["wall"][0], "--version"], capture_output=True, text=True)
    result["qemu_version"] = ver.stdout.splitlines()[0] if ver.stdout else "QEMU"
    try:
        result["git"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                       capture_output=True, text=True).stdout.strip()
    except OSError:
        pass

    infos = []
    for mode in MODES:
        # Boot to the prompt: a host-clock figure, so on the wall clock only
        # (its guest-clock twin is boot_guest, from the bench runs).
        boots = []
        for n in range(a.boot_runs if mode == "wall" else 0):
            log(f"bench: {arch} {mode}: boot to prompt, run {n + 1}/{a.boot_runs}")
            boots.append(boot_to_prompt(arch, a.cpus, ROOT, mode))
        result["boot_raw"][mode] = boots
        runs = []
        for n in range(a.runs):
            log(f"bench: {arch} {mode}: bench run {n + 1}/{a.runs}")
            r = run_bench(arch, a.cpus, ROOT, mode, a.only, a.scale, a.timeout)
            runs.append(r)
            infos.append(r["info"])
            result["skipped"].update(r["skipped"])
            result["errors"] += [f"{mode} run {n + 1}: {e}" for e in r["errors"]]
        figs = [r["figures"] for r in runs]
        derive(figs)
        for r, b in zip(figs, boots):
            r["boot_prompt"] = {"ns_per_op": b["prompt"] * 1e9}
        if len(boots) > len(figs):   # more boot runs than bench runs
            figs += [{"boot_prompt": {"ns_per_op": b["prompt"] * 1e9}} for b in boots[len(figs):]]
        result["runs_raw"][mode] = figs
        result[mode] = collect(figs)
    result["kernel"] = kernel_kind(infos)

    # Repeatability of the icount figures of the table: every pair of runs
    # within 1%.  (The helper figures touch/rewrite/cowwrite are in the
    # JSON; a few microseconds long, one timer tick more or less moves them.)
    rep = {}
    for k, s in result["icount"].items():
        if k in KINDS and len(s["values"]) >= 2:
            worst = (s["max"] - s["min"]) / s["min"] if s["min"] else 0.0
            rep[k] = {"worst_pair": worst, "ok": worst <= REPEAT_LIMIT,
                      "disk_bound": k in DISK_BOUND}
    result["icount_repeatability"] = rep
    result["targets"] = {k: v[0] for k, v in TARGETS.items()}
    return result


def eager_compare(arch, a, eager_root):
    """The fork figures of the eager (cow handout) tree, icount and wall."""
    out = {"root": eager_root}
    names = [n for n, _ in FORK_SIZES]
    runs = max(2, min(a.runs, 3))
    infos = []
    for mode in MODES:
        figs = []
        for n in range(runs):
            log(f"bench: {arch} {mode}: eager tree, fork run {n + 1}/{runs}")
            r = run_bench(arch, a.cpus, eager_root, mode, names, a.scale, a.timeout)
            figs.append(r["figures"])
            infos.append(r["info"])
        out[mode] = collect(figs)
    out["kernel"] = kernel_kind(infos)
    return out


# ---- a poor man's profiler ---------------------------------------------------

class QMP:
    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.f = self.s.makefile("rw")
        json.loads(self.f.readline())
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            msg = json.loads(self.f.readline())
            if "return" in msg:
                return msg["return"]
            if "error" in msg:
                raise BenchError(f"QMP {name}: {msg['error']}")


def load_symbols(path):
    syms = []
    for line in open(path):
        parts = line.split()
        if len(parts) >= 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return syms


def symbolize(syms, pc):
    import bisect
    i = bisect.bisect_right(syms, (pc, "\xff")) - 1
    return syms[i][1] if i >= 0 else None


def profile(arch, a):
    """Sample the guest pc while bench runs `a.profile`: stop the VM, read
    the registers, let it go on.  Stopping makes TCG leave the translated
    block it is in, so the pc read is exact.  Prints the hottest functions
    (kernel symbols from build/<arch>/kernel.sym, user pcs as `user:`)."""
    sock = os.path.join(tempfile.mkdtemp(prefix="aqua6-prof-"), "qmp")
    argv = argv_for(arch, a.cpus, f"run=/bin/bench -s {a.scale} {a.profile}", ROOT, a.profile_mode)
    argv += ["-qmp", f"unix:{sock},server=on,wait=off"]
    ksyms = load_symbols(os.path.join(ROOT, "build", arch, "kernel.sym"))
    port = ports.get(arch)
    nm = next((n for n in port.nm if shutil.which(n)), port.nm[0])
    usyms = []
    p = subprocess.run([nm, "-n", os.path.join(ROOT, "build", arch, "fsroot", "bin", "bench")],
                       capture_output=True, text=True)
    if p.returncode == 0:
        for line in p.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[1] in "tTwW":
                usyms.append((int(parts[0], 16), parts[2]))
    # User programs are linked at 0x400000 (user/user.ld), far below either kernel.
    user_end = usyms[-1][0] + 0x10000 if usyms else 0x400000
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=ROOT, start_new_session=True)
    counts = {}
    total = 0
    out = bytearray()
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    started = False
    try:
        q = QMP(sock)
        deadline = time.monotonic() + a.timeout
        pcre = re.compile(port.monitor_pc)
        while time.monotonic() < deadline and proc.poll() is None:
            for key, _ in sel.select(timeout=0):
                data = os.read(proc.stdout.fileno(), 65536)
                out.extend(data)
            text = out.decode("utf-8", "replace")
            if not started:
                started = "bench-info scale_pct" in text
            if "bench-done" in text:
                break
            if started:
                q.cmd("stop")
                regs = q.cmd("human-monitor-command", **{"command-line": "info registers"})
                q.cmd("cont")
                m = pcre.search(regs)
                if m:
                    pc = int(m.group(1), 16)
                    if pc < user_end:
                        name = "user:" + (symbolize(usyms, pc) or hex(pc))
                    else:
                        name = symbolize(ksyms, pc) or hex(pc)
                    counts[name] = counts.get(name, 0) + 1
                    total += 1
            time.sleep(a.profile_interval)
    finally:
        sel.close()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        shutil.rmtree(os.path.dirname(sock), ignore_errors=True)
    print(f"profile of `bench {a.profile}` on {arch} ({a.profile_mode} mode), {total} samples")
    for name, c in sorted(counts.items(), key=lambda kv: -kv[1])[:25]:
        print(f"  {100 * c / max(total, 1):5.1f}%  {c:6d}  {name}")
    lines = [ln for ln in qemu.clean(out.decode("utf-8", "replace")).splitlines()
             if ln.startswith("bench ")]
    print("\n".join("  " + ln for ln in lines))
    return counts


# ---- main --------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description="aqua6 benchmarks (make bench)")
    ap.add_argument("--arch", default="all", choices=ARCHES + ("all",))
    ap.add_argument("--cpus", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3, help="bench boots per port and mode")
    ap.add_argument("--boot-runs", type=int, default=None, help="boots to the prompt (default --runs)")
    ap.add_argument("--scale", type=int, default=100, help="iteration counts, percent")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--only", nargs="*", default=[], help="bench.c figures to run (default all)")
    ap.add_argument("--eager", default="auto",
                    help="'auto' (the cow handout, when the tree has the cow stage), "
                         "'none', or a built tree to use as the eager kernel")
    ap.add_argument("--plot", default=os.path.join(ROOT, "docs", "labs", "cow-fork-cost.png"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--replot", action="store_true",
                    help="no QEMU: print the tables and redraw the plot from --out/<arch>.json")
    ap.add_argument("--profile", metavar="FIGURE", help="sample the pc while bench runs FIGURE")
    ap.add_argument("--profile-mode", default="icount", choices=MODES)
    ap.add_argument("--profile-interval", type=float, default=0.005)
    a = ap.parse_args()
    if a.boot_runs is None:
        a.boot_runs = a.runs
    arches = ARCHES if a.arch == "all" else (a.arch,)

    if a.profile:
        for arch in arches:
            profile(arch, a)
        return 0

    if a.replot:
        results = {}
        for arch in arches:
            path = os.path.join(a.out, f"{arch}.json")
            if os.path.exists(path):
                with open(path) as f:
                    results[arch] = json.load(f)
                print(table(results[arch]) + "\n")
        if not results:
            print(f"bench: no {a.out}/<arch>.json: run make bench first", file=sys.stderr)
            return 1
        if a.plot != "none":
            print(plot_results(results, a.plot))
        return 0

    eager_root = None
    if a.eager == "auto":
        if tree_has_cow_stage(ROOT):
            eager_root = os.path.join(a.out, "eager")
            log("bench: the tree has the cow stage: making its handout (eager fork) in " + eager_root)
            make_eager_tree(eager_root)
        else:
            log("bench: no cow stage in this tree (no `SOLUTION BEGIN cow` in kern/): "
                "fork is measured for the current kernel only")
    elif a.eager != "none":
        eager_root = os.path.abspath(a.eager)

    os.makedirs(a.out, exist_ok=True)
    results, failed = {}, False
    for arch in arches:
        try:
            r = bench_arch(arch, a)
            if eager_root:
                build_tree(eager_root, arch)
                r["eager_tree"] = eager_compare(arch, a, eager_root)
        except (BenchError, qemu.QemuError) as e:
            print(f"bench: {arch}: {e}", file=sys.stderr)
            failed = True
            continue
        results[arch] = r
        with open(os.path.join(a.out, f"{arch}.json"), "w") as f:
            json.dump(r, f, indent=1)
        print(table(r))
        rep = {k: v for k, v in r["icount_repeatability"].items() if not v["disk_bound"]}
        disk = {k: v for k, v in r["icount_repeatability"].items() if v["disk_bound"]}
        bad = {k: v for k, v in rep.items() if not v["ok"]}
        print(f"icount repeatability ({len(r['runs_raw']['icount'])} runs, every pair within "
              f"{REPEAT_LIMIT:.0%}): {len(rep) - len(bad)}/{len(rep)} CPU-bound figures agree "
              f"(worst {max((v['worst_pair'] for v in rep.values()), default=0) * 100:.3f}%)"
              + ("" if not bad else "; NOT: " + ", ".join(
                  f"{k} {v['worst_pair'] * 100:.2f}%" for k, v in sorted(bad.items()))))
        if disk:
            print("  disk-bound, not held to it (icount counts the host's disk time): " + ", ".join(
                f"{k} {v['worst_pair'] * 100:.1f}%" for k, v in sorted(disk.items())))
        if r["kernel"] != "unknown":
            print(f"kernel: fork copies {'on write' if r['kernel'] == 'cow' else 'eagerly'} "
                  f"(bench.c's first-write check: {r['kernel']})")
        if r["errors"]:
            print("errors: " + "; ".join(r["errors"]))
            failed = True
        print(f"wrote {os.path.relpath(os.path.join(a.out, arch + '.json'), ROOT)}\n")

    if results and a.plot != "none":
        print(plot_results(results, a.plot))
    return 1 if failed else 0


def plot_results(results, path):
    """Fork cost against memory touched: the current kernel, and the eager one."""
    series = []
    for arch, r in results.items():
        for mode in MODES:
            series.append((f"{arch}, {r['kernel']} (this tree)", mode, fork_curve(r, mode)))
            if "eager_tree" in r:
                e = r["eager_tree"]
                series.append((f"{arch}, {e['kernel']} (cow handout)", mode, fork_curve(e, mode)))
    if not any(pts for _, _, pts in series):
        return "bench: no fork figures to plot"
    return plot(series, path)


if __name__ == "__main__":
    sys.exit(main())
