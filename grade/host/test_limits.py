"""grade/limits.py and grade/costs.toml: every grader test has a measured
cost, limits follow the documented formula, memory sizes parse, the
number of QEMUs fits the machine."""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "grade"))
import labs  # noqa: E402
import limits  # noqa: E402


def test_every_manifest_test_has_a_cost():
    """A test without an entry would get the `default` guess instead of a
    limit from the solution's cost: `make grade-costs` measures it."""
    costs = limits.load()
    m = labs.load()
    missing = []
    for s in m.active:
        for t in list(s.tests) + list(s.hidden_tests):
            func = t.split("::")[-1]
            for arch in s.arches:
                keys = costs.tests.get(arch, {})
                if not any(k == func or k.startswith(func + "[") for k in keys):
                    missing.append(f"{arch} {func} (stage {s.name})")
    assert not missing, ("no entry in grade/costs.toml (run `make grade-costs "
                         "TEST=...`): " + ", ".join(missing))


def test_costs_file_is_sane():
    costs = limits.load()
    assert costs.floor > 0 and costs.multiple >= 1
    assert limits.mib(costs.memory) >= 64
    for arch, entries in costs.tests.items():
        assert arch in labs.ARCHES, arch
        for key, e in entries.items():
            assert float(e["seconds"]) > 0, (arch, key)
            if "mem" in e:
                limits.mib(e["mem"])


def test_limit_formula_and_keys():
    c = limits.Costs({"limits": {"floor": 10, "multiple": 4, "default": 50, "memory": "96M"},
                      "x86_64": {"test_a[cpus1]": {"seconds": 5.0},
                                 "test_b": {"seconds": 2.0, "mem": "256M"}}})
    assert limits.cost_key("test_a", {"arch": "x86_64", "cpus": 1}) == "test_a[cpus1]"
    assert limits.cost_key("test_b", {"arch": "riscv"}) == "test_b"
    assert c.limit("x86_64", "test_a[cpus1]") == 30.0
    assert c.limit("x86_64", "test_a[cpus1]", factor=2) == 60.0
    assert c.limit("riscv", "test_a[cpus1]") == 10 + 4 * 50     # no entry: the default
    assert c.mem("x86_64", "test_b") == "256M" and c.mem("x86_64", "test_a[cpus1]") == "96M"


@pytest.mark.parametrize("text,want", [("128M", 128), ("1G", 1024), ("256", 256),
                                       ("64MiB", 64)])
def test_mib(text, want):
    assert limits.mib(text) == want


def test_mib_rejects_nonsense():
    with pytest.raises(limits.CostError):
        limits.mib("lots")


def test_jobs_fit_cpus_and_memory(monkeypatch):
    monkeypatch.setattr(limits, "cpus", lambda: 0.5)
    monkeypatch.setattr(limits, "cgroup_memory", lambda: 768 << 20)
    assert limits.choose_jobs(128) == limits.MIN_JOBS == 2
    assert limits.load_factor(1) == 2.0                  # half a CPU: twice as slow
    assert limits.load_factor(2) == 4.0
    assert limits.choose_jobs(512) == 1                  # 768 MiB holds one such QEMU
    assert limits.choose_jobs(512, spare=1) == 1         # a spare QEMU must fit too
    monkeypatch.setattr(limits, "cpus", lambda: 8.0)
    # 768 MiB: (768 - 160) // (128 + 120) = 2 QEMUs, though 8 CPUs would take 8
    assert limits.choose_jobs(128) == 2
    monkeypatch.setattr(limits, "cgroup_memory", lambda: 8 << 30)
    assert limits.choose_jobs(128, spare=1) == 9
    assert limits.choose_jobs(128, want=3, spare=1) == 3   # asked for: no spare
    assert limits.load_factor(2) == 1.0


def test_cgroup_readers_do_not_fail():
    c = limits.cgroup_cpus()
    assert c is None or c > 0
    mem = limits.cgroup_memory()
    assert mem is None or mem > 0
    assert limits.choose_jobs(128) >= 1


# MAINTAINER BEGIN: grade/gradescope.py is not in handouts
def test_not_run_message_is_the_one_gradescope_looks_for():
    import gradescope
    with open(os.path.join(ROOT, "grade", "conftest.py"), encoding="utf-8") as f:
        assert gradescope.NOT_RUN in f.read()
# MAINTAINER END


def test_past_the_deadline_tests_fail_at_once_as_not_run(tmp_path):
    """--aqua-deadline (Gradescope's budget): a test that would start after
    it is failed before it boots anything, with the NOT RUN message."""
    import json
    import subprocess
    import time
    out = tmp_path / "r.json"
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "pytest", "grade/tests", "-q", "-p", "no:cacheprovider",
                    "--arch", "x86_64", "--lab", "core", "--test", "test_boot_banner",
                    "--aqua-deadline", str(time.time() - 1), "--aqua-results", str(out)],
                   cwd=ROOT, capture_output=True)
    rs = json.loads(out.read_text())["results"]
    assert len(rs) == 1 and rs[0]["outcome"] == "error", rs
    assert "NOT RUN: the grading time budget ran out" in rs[0]["message"]
    assert time.monotonic() - t0 < 30
