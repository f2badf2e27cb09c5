"""pytest glue for the aqua6 grader.

Options (grade.py passes them; a direct pytest run may too):
  --arch x86_64|riscv|all       which ports to test (default: both)
  --lab STAGE|ASSIGNMENT|all    which manifest stages (default: all graded)
  --test NAME                   only the test function NAME (or full test name)
  --timeout-factor F            multiply every time limit (slow machine: 2); it is
                                further multiplied by the load factor (more QEMUs
                                than CPUs: grade/limits.py)
  --aqua-deadline T             stop at time.time() T: tests that would start later
                                fail at once, "not run" (the Gradescope budget)
  --aqua-results FILE           write every test's outcome as JSON (for grade.py)

Each test that takes the `arch` argument runs once per selected port; the
manifest decides which stages (and so which tests) exist for which port.
The `aqua` fixture (harness.Harness) boots QEMU for the test.

This file also sits above grade/host/ (host unit tests): everything here
only touches tests under grade/tests/.
"""

import json
import os
import re
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import labs  # noqa: E402

TESTS_DIR = os.path.join(HERE, "tests")


def pytest_addoption(parser):
    g = parser.getgroup("aqua6", "aqua6 grader")
    g.addoption("--arch", default=os.environ.get("AQUA_ARCH", "all"),
                help=f"{', '.join(labs.ARCHES)} or all (default all)")
    g.addoption("--lab", default=None, help="stage or assignment from grade/manifest.toml")
    g.addoption("--test", dest="aqua_test", default=None,
                help="run only this test function (e.g. test_shell_pipe)")
    g.addoption("--timeout-factor", type=float,
                default=float(os.environ.get("AQUA_TIMEOUT_FACTOR", "1")),
                help="multiply every QEMU time limit by this")
    g.addoption("--aqua-deadline", type=float,
                default=float(os.environ.get("AQUA_DEADLINE") or 0) or None,
                help="time.time() by which grading must end (tests after it are not run)")
    g.addoption("--aqua-results", default=None, help="write results JSON here")
    g.addoption("--aqua-live", action="store_true",
                help="print one line per finished test (grade.py uses it)")


def _is_grader_item(item):
    return str(item.path).startswith(TESTS_DIR + os.sep)


def pytest_configure(config):
    config.addinivalue_line("markers", "aqua: an aqua6 grader test")
    config._aqua_manifest = labs.load()
    lab = config.getoption("--lab")
    config._aqua_lab = lab
    try:
        config._aqua_arches = labs.parse_arches(config.getoption("--arch"))
        config._aqua_stages = config._aqua_manifest.select(lab) if lab else None
    except labs.SelectionError as e:
        raise pytest.UsageError(str(e)) from None
    if not hasattr(config, "workerinput"):
        # The controller (or a run without xdist) gathers the results.
        config.pluginmanager.register(AquaResults(config), "aqua-results")


def _owner_stages(config, func, file_name, arch=None):
    m = config._aqua_manifest
    pool = config._aqua_stages if config._aqua_stages is not None else m.active
    return [s for s in pool if s.matches(func, file_name) and (arch is None or arch in s.arches)]


def pytest_generate_tests(metafunc):
    if "arch" not in metafunc.fixturenames:
        return
    config = metafunc.config
    arches = list(config._aqua_arches)
    # Only the ports the owning stages run on (a stage may list `arches`).
    owners = _owner_stages(config, metafunc.function.__name__,
                           os.path.basename(str(metafunc.definition.path)))
    if owners:
        allowed = set(a for s in owners for a in s.arches)
        arches = [a for a in arches if a in allowed]
    metafunc.parametrize("arch", arches, scope="function")


def pytest_collection_modifyitems(session, config, items):
    """Keep the tests of the selected stages (and --test), in manifest order."""
    want = config.getoption("aqua_test")
    keep, drop = [], []
    m = config._aqua_manifest
    for item in items:
        if not _is_grader_item(item):
            keep.append(item)
            continue
        func = getattr(item, "originalname", item.name)
        fname = os.path.basename(str(item.path))
        arch = item.callspec.params.get("arch") if hasattr(item, "callspec") else None
        owners = _owner_stages(config, func, fname, arch)
        planned_only = not owners and any(s.matches(func, fname) for s in m.stages)
        if config._aqua_stages is not None and not owners:
            drop.append(item)
        elif planned_only:
            drop.append(item)
        elif want and want not in (func, item.name):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _stages_of(item):
    config = item.config
    func = getattr(item, "originalname", item.name)
    arch = item.callspec.params.get("arch") if hasattr(item, "callspec") else None
    return [s.name for s in _owner_stages(config, func, os.path.basename(str(item.path)), arch)]


# A test needs at least this long before the deadline to be started.
MIN_START = 5.0


@pytest.fixture
def aqua(request, arch):
    """The per-test harness: boots QEMU, reports failures readably."""
    import harness
    import limits
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    factor = request.config.getoption("--timeout-factor") * limits.load_factor(workers)
    deadline = request.config.getoption("--aqua-deadline")
    h = harness.Harness(request, arch, _stages_of(request.node), factor, sys.executable,
                        deadline=deadline)
    if deadline is not None and deadline - time.time() < MIN_START:
        pytest.fail("NOT RUN: the grading time budget ran out before this test could "
                    "start (scored 0; the tests before it were graded; rerun it with "
                    f"`{h.info['rerun']}`)", pytrace=False)
    return h


# ---- results for grade.py -------------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Copy the harness's info (arch, stages, log, TAP checks) into the
    report as a JSON string: xdist sends a report's extra attributes along."""
    outcome = yield
    info = getattr(item, "_aqua_info", None)
    if info is not None:
        outcome.get_result().aqua_info = json.dumps(info)


def _info(report):
    try:
        return json.loads(getattr(report, "aqua_info", "") or "{}")
    except ValueError:
        return {}


def _message(report):
    if report.passed:
        return ""
    if report.skipped:
        lr = report.longrepr
        if isinstance(lr, tuple) and len(lr) == 3:
            return str(lr[2])
        return str(lr)
    text = report.longreprtext
    # xdist puts "[gw0] linux -- Python 3.11 ..." in front: not for students.
    return re.sub(r"\A\[gw\d+\] [^\n]*\n", "", text)


class AquaResults:
    """Collects one result per grader test on the controller (xdist workers
    forward their reports to it) and writes them for grade.py."""

    def __init__(self, config):
        self.config = config
        self.results = {}
        self.errors = []
        self.start = time.time()

    def _mine(self, nodeid):
        path = os.path.join(str(self.config.rootpath), nodeid.split("::", 1)[0])
        return os.path.abspath(path).startswith(TESTS_DIR + os.sep)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report):
        if not self._mine(report.nodeid):
            return
        r = self.results.setdefault(report.nodeid, {
            "nodeid": report.nodeid, "outcome": "passed", "message": "",
            "duration": 0.0, "info": {}})
        r["duration"] += getattr(report, "duration", 0.0) or 0.0
        info = _info(report)
        if info:
            r["info"] = info
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.failed:
                r["outcome"] = "failed" if report.when == "call" else "error"
                r["message"] = _message(report)
            elif report.skipped:
                r["outcome"] = "skipped"
                r["message"] = _message(report)
        elif report.when == "teardown" and report.failed and r["outcome"] == "passed":
            r["outcome"] = "error"
            r["message"] = _message(report)
        if report.when == "teardown" and self.config.getoption("aqua_live"):
            self._live_line(r)

    def _live_line(self, r):
        tr = self.config.pluginmanager.getplugin("terminalreporter")
        if tr is None:
            return
        info = r["info"]
        word = {"passed": "PASS", "failed": "FAIL", "error": "ERROR",
                "skipped": "SKIP"}[r["outcome"]]
        stage = ",".join(info.get("stages", [])) or "-"
        name = r["nodeid"].split("::", 1)[-1]
        checks = info.get("checks") or []
        extra = ""
        if checks:
            extra = f"  {sum(1 for c in checks if c['passed'])}/{len(checks)} checks"
        tr.write_line(f"  {word:<5} {stage:<8} {name:<40} {r['duration']:5.1f} s{extra}")

    def pytest_collectreport(self, report):
        if report.failed:
            self.errors.append({"nodeid": report.nodeid, "message": report.longreprtext})

    def pytest_sessionfinish(self, session, exitstatus):
        path = self.config.getoption("--aqua-results")
        if not path:
            return
        data = {"results": list(self.results.values()),
                "collect_errors": self.errors,
                "elapsed": time.time() - self.start,
                "exitstatus": int(exitstatus)}
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)


def pytest_report_teststatus(report, config):
    # grade.py prints its own line per test (--aqua-live): no dots.
    if config.getoption("aqua_live"):
        if report.when == "call" or (report.when == "setup" and not report.passed):
            return report.outcome, "", ""
        return None
