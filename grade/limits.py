"""Time limits, guest memory and parallelism for the grader, in one place.

Time limits.  grade/costs.toml holds, per port and per grader test, what
the reference solution cost when `make grade-costs` measured it: the
guest instructions it executed (QEMU `-icount shift=0`; repeatable, host
load cannot change them) and the wall-clock seconds of that run (one QEMU
at a time, the guest single-threaded by icount: slower than a graded run).
A test's time limit is

    (floor + multiple * seconds) * factor

floor and multiple are in costs.toml's [limits]; factor is --timeout-factor
(TIMEOUT_FACTOR=) times the load factor below.  The limit is a wall-clock
guard that only catches hangs: no check decides pass or fail from a time
window, so a limit that is generous costs nothing on a good kernel and a
limit a few times the reference's cost makes a hung one fail in seconds.

Load factor.  With J QEMUs at once on C CPUs (the cgroup's cpu.max counts:
Gradescope gives 0.5), each QEMU gets C/J of a CPU, so every limit is
stretched by max(1, J/C).

Memory.  Each boot gets [limits] memory (-m, `make MEM=`) unless its entry
in costs.toml asks for more ("mem").  choose_jobs() runs one QEMU per CPU,
at least MIN_JOBS, and no more than the memory limit (cgroup memory.max)
holds.
"""

import math
import os
import re
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
COSTS = os.path.join(HERE, "costs.toml")

# Used only when costs.toml cannot be read or has no entry (the host test
# test_every_manifest_test_has_a_cost forbids the latter).
FALLBACK = {"floor": 10.0, "multiple": 4.0, "default": 60.0, "memory": "128M"}

# Host memory one QEMU needs beyond its guest RAM (the TCG translation
# cache, the device models), and what the grader's Python processes take.
QEMU_OVERHEAD_MIB = 120
PYTHON_RESERVE_MIB = 160

# Two QEMUs even on half a CPU: the tests' guests spend much of their time
# asleep (a child waiting for an event, init letting a leak check settle),
# and a sleeping QEMU takes no CPU, so a second one fills that time.  The
# load factor still stretches every limit for the CPU they share.
MIN_JOBS = 2


class CostError(Exception):
    pass


def cost_key(func, params=None):
    """costs.toml's name for a test: the function, plus the parameters other
    than the port in brackets: test_ppwait[cpus1], test_shell_pipe."""
    ids = [f"{k}{v}" for k, v in sorted((params or {}).items()) if k != "arch"]
    return f"{func}[{'-'.join(ids)}]" if ids else func


def mib(size):
    """'128M', '1G', '512' (MiB) -> MiB."""
    m = re.fullmatch(r"\s*(\d+)\s*([MmGg]?)i?[Bb]?\s*", str(size))
    if not m:
        raise CostError(f"bad memory size {size!r} (want e.g. 128M)")
    n = int(m.group(1))
    return n * 1024 if m.group(2).lower() == "g" else n


class Costs:
    def __init__(self, data, path=COSTS):
        self.path = path
        lim = dict(FALLBACK, **data.get("limits", {}))
        self.floor = float(lim["floor"])
        self.multiple = float(lim["multiple"])
        self.default = float(lim["default"])
        self.memory = str(lim["memory"])
        self.tests = {a: dict(v) for a, v in data.items() if a != "limits"}

    def entry(self, arch, key):
        e = self.tests.get(arch, {}).get(key)
        if e is None and "[" in key:
            e = self.tests.get(arch, {}).get(key.split("[")[0])
        return e

    def seconds(self, arch, key):
        e = self.entry(arch, key)
        return self.default if e is None else float(e["seconds"])

    def limit(self, arch, key, factor=1.0):
        """The test's time limit in seconds (all its boots together)."""
        return (self.floor + self.multiple * self.seconds(arch, key)) * factor

    def mem(self, arch, key):
        e = self.entry(arch, key) or {}
        return str(e.get("mem", self.memory))


_cache = {}


def load(path=COSTS):
    """costs.toml, read once per process; a missing file gives the fallbacks."""
    if path not in _cache:
        try:
            with open(path, "rb") as f:
                data = tomllib.load(f)
        except FileNotFoundError:
            data = {}
        except tomllib.TOMLDecodeError as e:
            raise CostError(f"{path}: {e}") from None
        _cache[path] = Costs(data, path)
    return _cache[path]


# ---- what the machine gives us (cgroup v2, else v1) --------------------------------

def _cgroup_dir(controller):
    """This process's cgroup directory for a v1 controller, or the v2 one."""
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        _, ctrls, path = line.split(":", 2)
        if controller and controller in ctrls.split(","):
            d = os.path.join("/sys/fs/cgroup", controller, path.lstrip("/"))
            return d if os.path.isdir(d) else None
        if not controller and ctrls == "":
            for base in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"):
                d = os.path.join(base, path.lstrip("/"))
                if os.path.exists(os.path.join(d, "cgroup.controllers")):
                    return d
    return None


def read_file(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return None


def _walk_up(d, name):
    """Values of the file `name` in d and every parent cgroup up to the root."""
    out = []
    while d and d.startswith("/sys/fs/cgroup"):
        v = read_file(os.path.join(d, name))
        if v is not None:
            out.append(v)
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return out


def cgroup_cpus():
    """CPUs the cgroup quota allows (0.5 for cpu.max "50000 100000"), or None."""
    best = None
    v2 = _cgroup_dir(None)
    for v in _walk_up(v2, "cpu.max") if v2 else []:
        quota, _, period = v.partition(" ")
        if quota != "max":
            c = int(quota) / int(period or 100000)
            best = c if best is None else min(best, c)
    v1 = _cgroup_dir("cpu")
    if v1:
        for q, p in zip(_walk_up(v1, "cpu.cfs_quota_us"), _walk_up(v1, "cpu.cfs_period_us")):
            if int(q) > 0:
                c = int(q) / int(p)
                best = c if best is None else min(best, c)
    return best


def cgroup_memory():
    """The cgroup's memory limit in bytes (memory.max, v1 limit_in_bytes), or None."""
    best = None
    v2 = _cgroup_dir(None)
    for v in _walk_up(v2, "memory.max") if v2 else []:
        if v != "max":
            best = int(v) if best is None else min(best, int(v))
    v1 = _cgroup_dir("memory")
    for v in _walk_up(v1, "memory.limit_in_bytes") if v1 else []:
        if int(v) < 1 << 60:
            best = int(v) if best is None else min(best, int(v))
    return best


def cpus():
    """CPUs this process may use: cores (affinity) capped by the cgroup quota."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    q = cgroup_cpus()
    return min(float(n), q) if q else float(n)


def host_memory_mib():
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def choose_jobs(guest_mib, want=None, spare=0):
    """How many QEMUs at once: want, or one per whole CPU (at least
    MIN_JOBS) and `spare` more (for a run whose guests sleep much of the
    time: a sleeping QEMU takes no CPU); no more than the memory limit
    holds at guest_mib + QEMU_OVERHEAD_MIB each."""
    n = want or max(MIN_JOBS, math.floor(cpus() + 1e-9)) + spare
    limit = cgroup_memory()
    avail = limit // (1 << 20) if limit else host_memory_mib()
    if avail:
        fit = (avail - PYTHON_RESERVE_MIB) // (guest_mib + QEMU_OVERHEAD_MIB)
        n = min(n, max(1, fit))
    return max(1, n)


def load_factor(jobs):
    """How much slower each of `jobs` QEMUs runs than one with a CPU to itself."""
    return max(1.0, jobs / max(cpus(), 0.01))
