"""Host unit tests for the grader itself (no QEMU): `make test-host`.

TAP parsing, manifest loading and LAB= selection, score arithmetic, the
Gradescope JSON shape, panic/backtrace parsing, QEMU exit-status decoding.
"""

import ast
import glob
import json
import os
import shutil
import subprocess
import sys

import pytest

GRADE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(GRADE)
if GRADE not in sys.path:
    sys.path.insert(0, GRADE)

import backtrace  # noqa: E402
import labs  # noqa: E402
import qemu  # noqa: E402
import score  # noqa: E402
import tap  # noqa: E402


# ---- TAP --------------------------------------------------------------------

def test_tap_all_pass_with_kernel_noise():
    t = tap.parse("aqua6: x86_64, 2 CPUs, 256 MiB\n1..3\nok 1 - fork\n"
                  "some chatter\nok 2 - pipe\r\nok 3 - exec # SKIP no exec yet\n"
                  "init: /bin/systest exited with status 0\n")
    assert not t.ok, "a SKIP is not a pass: the check did not run"
    assert t.planned == 3
    assert [c.name for c in t.checks] == ["fork", "pipe", "exec"]
    assert t.checks[2].directive == "SKIP" and not t.checks[2].passed
    assert t.summary() == "2/3 checks passed"


def test_tap_failure_names_check_and_keeps_diagnostics():
    t = tap.parse("1..3\nok 1 - a\nnot ok 2 - wait returns child\n# got 0\n# want 7\nok 3 - c\n")
    assert not t.ok
    assert [c.number for c in t.failed] == [2]
    c = t.failed[0]
    assert c.name == "wait returns child" and c.diag == ["got 0", "want 7"]
    text = "\n".join(tap.describe_failures(t))
    assert "FAILED check 2 - wait returns child" in text
    assert "expected: ok 2 - wait returns child" in text
    assert "# got 0" in text


def test_tap_failure_shows_diagnostics_printed_before_it():
    t = tap.parse("1..3\nok 1 - a\n# exec argv NULL: exec succeeded\nnot ok 2 - efault_exec\n"
                  "ok 3 - c\n")
    assert t.checks[0].diag == ["exec argv NULL: exec succeeded"]   # TAP: after check 1
    assert t.checks[1].before == ["# exec argv NULL: exec succeeded"]
    text = "\n".join(tap.describe_failures(t))
    assert "got:      # exec argv NULL: exec succeeded\n              not ok 2 - efault_exec" in text


def test_tap_missing_checks_name_first_missing():
    t = tap.parse("1..5\nok 1 - a\nok 2 - b\n")
    assert not t.ok
    assert t.first_missing.number == 3
    assert [c.number for c in t.failed] == [3, 4, 5]
    assert "MISSING check 3" in "\n".join(tap.describe_failures(t))


def test_tap_no_plan_is_a_failure():
    t = tap.parse("ok 1 - a\n")
    assert not t.ok
    assert t.planned is None
    assert any("no TAP plan" in p for p in t.problems)
    assert not tap.parse("").ok


def test_tap_trailing_plan_unnumbered_todo_bailout_duplicates():
    t = tap.parse("ok - first\nnot ok - second # TODO later\n1..2\n")
    assert not t.ok and [c.number for c in t.checks] == [1, 2], \
        "a kernel that appends '# TODO' to a failure must not earn the check"
    assert tap.parse("1..1\nok 1 - a # todo\n").failed
    t = tap.parse("1..3\nok 1 - a\nBail out! disk gone\nok 2 - b\n")
    assert not t.ok and t.bailed_out == "disk gone"
    t = tap.parse("1..2\nok 1 - a\nnot ok 1 - a again\nok 2 - b\n")
    assert not t.ok and any("twice" in p for p in t.problems)
    t = tap.parse("1..1\nok 1 - a\nok 2 - extra\n")
    assert not t.ok and any("outside the plan" in p for p in t.problems)


def test_tap_ignores_words_that_start_with_ok():
    t = tap.parse("1..1\nokay then\nok 1 - real\n")
    assert t.ok and len(t.checks) == 1


# ---- manifest and LAB= --------------------------------------------------------

MINI = """
[[stage]]
name = "core"
assignment = "core"
points = 20
tests = ["test_a", "test_core.py::test_b"]

[[stage]]
name = "s1"
assignment = "fork1"
points = 10
handout = "docs/labs/s1.md"
tests = ["test_s1"]

[[stage]]
name = "s2"
assignment = "fork1"
points = 5
tests = ["test_s2"]
arches = ["x86_64"]

[[stage]]
name = "later"
assignment = "other"
points = 10
planned = true
"""


def test_manifest_select_stage_assignment_all():
    m = labs.parse(MINI)
    assert [s.name for s in m.select("s1")] == ["s1"]
    assert [s.name for s in m.select("fork1")] == ["s1", "s2"]
    assert [s.name for s in m.select(None)] == ["core", "s1", "s2"]
    assert [s.name for s in m.select("all")] == ["core", "s1", "s2"]
    assert [s.name for s in m.select("s2,core")] == ["core", "s2"]   # manifest order
    assert m.stage("s2").arches == ("x86_64",)


def test_manifest_unknown_lab_lists_valid_names():
    m = labs.parse(MINI)
    with pytest.raises(labs.SelectionError) as e:
        m.select("nosuch")
    msg = str(e.value)
    assert "unknown LAB 'nosuch'" in msg
    assert "core s1 s2" in msg and "fork1" in msg and "later" in msg
    with pytest.raises(labs.SelectionError, match="planned"):
        m.select("later")
    with pytest.raises(labs.SelectionError, match="no graded stages"):
        m.select("other")


def test_manifest_matching():
    m = labs.parse(MINI)
    core = m.stage("core")
    assert core.matches("test_a") and core.matches("test_b", "test_core.py")
    assert not core.matches("test_b", "test_other.py")
    assert [s.name for s in m.stages_for_test("test_s2", arch="riscv")] == []


@pytest.mark.parametrize("bad, msg", [
    ('[[stage]]\nname="a"\nassignment="x"\npoints=1\n', "needs tests"),
    ('[[stage]]\nname="a"\nassignment="x"\npoints=-1\ntests=["t"]\n', "points"),
    ('[[stage]]\nname="a"\nassignment="x"\npoints=1\ntests=["t"]\n' * 2, "duplicate"),
    ('[[stage]]\nname="a"\nassignment="x"\npoints=1\ntests=["t"]\nfoo=1\n', "unknown keys"),
    ('[[stage]]\nname="a"\nassignment="x"\npoints=1\ntests=["t"]\narches=["arm"]\n', "arches"),
    ('[[stage]]\nname="a"\nassignment="a"\npoints=1\ntests=["t"]\n'
     '[[stage]]\nname="b"\nassignment="a"\npoints=1\ntests=["u"]\n', "ambiguous"),
    ('stage = 3\n', "no [[stage]]"),
    ('[[stage\n', "manifest"),
])
def test_manifest_rejects_bad(bad, msg):
    with pytest.raises(labs.ManifestError, match=msg.replace("[", r"\[")):
        labs.parse(bad)


def test_real_manifest_loads_and_is_consistent():
    m = labs.load()
    names = [s.name for s in m.stages]
    assert names[0] == "core"
    order = ["fork-stats", "ppwait", "sharefiles", "idle", "nozombie", "system", "cow", "cow-tables",
             "sharevm", "ptrace", "makecxt", "makecxt-fork", "fixed-pid", "fixed-move",
             "share-vmem", "copy-shared", "local-segments"]
    assert names[1:] == order
    for s in m.stages:
        if s.name != "core":
            assert s.handout == f"docs/labs/{s.name}.md"


def _test_functions():
    funcs = {}
    for path in glob.glob(os.path.join(GRADE, "tests", "test_*.py")):
        tree = ast.parse(open(path, encoding="utf-8").read())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                funcs.setdefault(node.name, set()).add(os.path.basename(path))
    return funcs


def test_every_manifest_test_exists():
    """A typo in the manifest would make a stage unwinnable: catch it here."""
    funcs = _test_functions()
    for s in labs.load().active:
        for t in s.tests:
            f, _, fn = t.rpartition("::")
            assert fn in funcs, f"stage {s.name}: no test function {fn} in grade/tests/"
            if f:
                assert os.path.basename(f) in funcs[fn]


def test_every_handout_lists_its_tests_and_kill_table():
    """A student reads "How it is graded" to learn what decides the stage:
    every test of the stage is in it, and the link to its mutants."""
    for s in labs.load().active:
        if s.name == "core":
            continue
        text = open(os.path.join(ROOT, s.handout), encoding="utf-8").read()
        start = text.find("## How it is graded")
        assert start >= 0, f"{s.handout}: no section '## How it is graded'"
        end = text.find("\n## ", start + 5)
        section = text[start:end if end >= 0 else len(text)]
        for t in s.tests:
            fn = t.rpartition("::")[2]
            assert f"`{fn}`" in section, f"{s.handout}: 'How it is graded' does not list {fn}"
        assert f"(mutants.md#{s.name})" in section, f"{s.handout}: no link to its kill table"


def test_parse_arches():
    assert labs.parse_arches("all") == ("x86_64", "riscv")
    assert labs.parse_arches("riscv") == ("riscv",)
    assert labs.parse_arches("riscv,x86_64") == ("riscv", "x86_64")
    with pytest.raises(labs.SelectionError):
        labs.parse_arches("arm64")


# ---- score arithmetic -------------------------------------------------------------

def _r(func, arch, outcome, stages=("core",), name=None, checks=()):
    return {"nodeid": f"tests/test_core.py::{name or func}[{arch}]", "outcome": outcome,
            "message": "" if outcome == "passed" else "FAILED: something",
            "duration": 1.5,
            "info": {"arch": arch, "func": func, "stages": list(stages),
                     "checks": list(checks)}}


def test_score_all_or_nothing_per_stage_and_arch():
    m = labs.parse(MINI)
    stages = m.select(None)
    results = [
        _r("test_a", "x86_64", "passed"), _r("test_b", "x86_64", "passed"),
        _r("test_a", "riscv", "passed"), _r("test_b", "riscv", "failed"),
        _r("test_s1", "x86_64", "passed", ["s1"]),
        _r("test_s1", "riscv", "skipped", ["s1"]),
        _r("test_s2", "x86_64", "passed", ["s2"]),
    ]
    rows = score.stage_rows(stages, ["x86_64", "riscv"], results)
    got = [(r.stage, r.arch, r.earned, r.max) for r in rows]
    assert got == [("core", "x86_64", 20, 20), ("core", "riscv", 0, 20),
                   ("s1", "x86_64", 10, 10), ("s1", "riscv", 0, 10),
                   ("s2", "x86_64", 5, 5)]          # s2 is x86_64-only: no riscv row
    assert score.totals(rows) == (35, 65)
    table = score.format_table(rows).splitlines()
    assert table[-1] == "Score: 35/65"
    assert table[0].startswith("core  x86_64  20/20")
    assert table[1].startswith("core  riscv    0/20")
    # the points column is aligned
    assert len({l.index("/") for l in table[:-1]}) == 1


def test_score_parametrized_tests_all_must_pass():
    m = labs.parse(MINI)
    stages = m.select("core")
    res = [_r("test_a", "x86_64", "passed", name="test_a[x86_64-cpus1]"),
           _r("test_a", "x86_64", "failed", name="test_a[x86_64-cpus4]"),
           _r("test_b", "x86_64", "passed")]
    rows = score.stage_rows(stages, ["x86_64"], res)
    assert rows[0].earned == 0 and "1 of 3 tests failed" in rows[0].note


def test_score_missing_test_and_broken_build_earn_nothing():
    m = labs.parse(MINI)
    stages = m.select("core")
    rows = score.stage_rows(stages, ["x86_64"], [_r("test_a", "x86_64", "passed")])
    assert rows[0].earned == 0 and rows[0].missing == ["test_core.py::test_b"]
    assert "did not run" in rows[0].note
    rows = score.stage_rows(stages, ["x86_64"], [], broken={"x86_64": "make failed"})
    assert rows[0].earned == 0 and "build failed" in rows[0].note
    assert score.format_table(rows).splitlines()[-1] == "Score: 0/20"


def test_score_empty():
    assert score.format_table([]) == "Score: 0/0"


def test_gradescope_shape():
    m = labs.parse(MINI)
    checks = [{"number": 1, "name": "a", "passed": True, "line": "ok 1 - a", "diag": []},
              {"number": 2, "name": "b", "passed": False, "line": "not ok 2 - b", "diag": []}]
    results = [_r("test_a", "x86_64", "passed"),
               _r("test_b", "x86_64", "failed", checks=checks)]
    rows = score.stage_rows(m.select("core"), ["x86_64"], results)
    js = score.gradescope(rows, elapsed=12.4, output="table")
    json.dumps(js)                                   # serializable
    assert set(js) >= {"score", "tests", "execution_time", "output"}
    assert js["score"] == 0 and js["execution_time"] == 12
    assert sum(t["score"] for t in js["tests"]) == js["score"]
    t = js["tests"][0]
    assert set(t) >= {"name", "score", "max_score", "status", "output"}
    assert t["name"] == "core [x86_64]" and t["max_score"] == 20
    assert t["status"] == "failed"
    assert "not ok 2 - b" in t["output"] and "FAILED: something" in t["output"]


# ---- panics and backtraces ----------------------------------------------------

PANIC_TEXT = """aqua6: x86_64, 2 CPUs, 256 MiB
$ panic: fork1: proc table corrupt
rip 0xffffffff80001004 rsp 0xffffffff80100ff0
backtrace:
  #0 0xffffffff80001234
  #1 0xffffffff80005678  (trap)
#2 ffffffff80000abc
"""


def test_panic_parse():
    p = backtrace.parse_panic(PANIC_TEXT)
    assert p is not None
    assert p.message == "panic: fork1: proc table corrupt"
    assert [(f.index, f.addr) for f in p.frames] == [
        (0, 0xffffffff80001234), (1, 0xffffffff80005678), (2, 0xffffffff80000abc)]
    assert p.frames[1].rest == "(trap)"
    assert [(r, f.addr) for r, f in p.pcs] == [("rip", 0xffffffff80001004)]
    assert "KERNEL PANIC: panic: fork1" in p.render()


def test_panic_not_confused_by_user_text():
    assert backtrace.parse_panic("ok 3 - no panic: fine\n") is None
    assert backtrace.parse_panic("all good\n") is None
    assert backtrace.find_panic("x\npanic: boom\n") == 2


def test_addr2line_output_parsing(monkeypatch, tmp_path):
    """Feed a fake addr2line to check the parsing of -f -i -a output."""
    fake = tmp_path / "addr2line"
    fake.write_text("#!/bin/sh\ncat <<'EOF'\n0x0000000000001233\nfork1\n/src/kern/fork.c:42\n"
                    "0x0000000000002000\nhelper\n/src/kern/x.h:7 (discriminator 2)\n"
                    "caller\n/src/kern/y.c:9\nEOF\n")
    fake.chmod(0o755)
    kernel = tmp_path / "kernel"
    kernel.write_text("")
    monkeypatch.setattr(backtrace, "find_addr2line", lambda arch: str(fake))
    p = backtrace.Panic("panic: x", [], [backtrace.Frame(0, 0x1234)],
                        [("pc", backtrace.Frame(-1, 0x2000))])
    backtrace.symbolize(p, "x86_64", str(kernel), root="/src")
    assert (p.frames[0].function, p.frames[0].location) == ("fork1", "kern/fork.c:42")
    pc = p.pcs[0][1]
    assert (pc.function, pc.location) == ("helper", "kern/x.h:7")
    assert pc.inlined == [("caller", "kern/y.c:9")]
    assert "fork1 at kern/fork.c:42" in p.render()


@pytest.mark.skipif(shutil.which("addr2line") is None or shutil.which("cc") is None,
                    reason="needs cc and addr2line")
def test_addr2line_real_binary(tmp_path):
    src = tmp_path / "t.c"
    src.write_text("int g(int x) { return x * 3; }\nint main(void) { return g(2); }\n")
    exe = tmp_path / "t"
    subprocess.run(["cc", "-g", "-O0", "-o", str(exe), str(src)], check=True)
    nm = subprocess.run(["nm", str(exe)], capture_output=True, text=True).stdout
    addr = next(int(l.split()[0], 16) for l in nm.splitlines() if l.endswith(" g"))
    syms = backtrace.addr2line("x86_64", str(exe), [addr], root=str(tmp_path))
    assert syms[0][0] == "g" and syms[0][1].startswith("t.c:1")


# ---- QEMU exit statuses ---------------------------------------------------------

def test_exit_status_mapping():
    assert qemu.decode_exit("x86_64", 0) == 0
    assert qemu.decode_exit("x86_64", 3) == 1           # poweroff(1): (1<<1)|1
    assert qemu.decode_exit("x86_64", 85) == 42
    assert qemu.decode_exit("x86_64", 1) is None         # QEMU's own failure
    assert qemu.decode_exit("x86_64", -9) is None        # killed
    assert qemu.decode_exit("riscv", 0) == 0 and qemu.decode_exit("riscv", 7) == 7
    for arch in ("x86_64", "riscv"):
        for n in (0, 1, 5, 100):
            assert qemu.decode_exit(arch, qemu.encode_exit(arch, n)) == n


def test_init_exit_line():
    r = qemu.BootResult("riscv", [], output="x\ninit: /bin/systest exited with status 3\n")
    assert r.init_exit() == ("/bin/systest", 3)
    assert qemu.BootResult("riscv", [], output="").init_exit() is None


def test_build_excerpt_puts_errors_first():
    import grade
    out = "\n".join(["cc -c a.c", "kern/fork.c:162:27: error: 'x' undeclared"]
                     + [f"cc -c f{i}.c" for i in range(30)] + ["make: *** Error 1"])
    ex = grade.build_excerpt(out)
    assert ex[0] == "kern/fork.c:162:27: error: 'x' undeclared"
    assert ex[-1] == "make: *** Error 1"


def test_console_tail_skips_firmware():
    import harness
    lines = ["SeaBIOS", "Booting from ROM..", "aqua6: x86_64, 2 CPUs, 253 MiB", "$ ls"]
    assert harness._from_banner(lines) == lines[2:]
    assert harness._from_banner(["no banner"]) == ["no banner"]


def test_grade_py_rejects_unknown_lab():
    p = subprocess.run([sys.executable, os.path.join(GRADE, "grade.py"), "--lab", "nosuch",
                        "--no-build"], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 2
    assert "unknown LAB 'nosuch'" in p.stderr and "core" in p.stderr
