"""A student's handout tree, as `make handout LAB=ppwait` makes it: its own
README, no instructor documents or tools, every make target it documents
works there, and its own `make test-host` passes (about a minute: the
handout's host tests run inside this one).

This test is an instructor's (it needs tools/handout.py), so handouts
leave it out with the generator.
"""

import os
import re
import subprocess
import sys

import pytest

GRADE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(GRADE)
TOOLS = os.path.join(ROOT, "tools")

LAB = "ppwait"

# What a student must never get, whatever tools/handout.py's list says
# (the list itself is handout.py's DROP; this is the floor it may not go below).
MUST_DROP = ["docs/INSTRUCTORS.md", "tools/handout.py", "tools/selfcheck.py",
             "grade/batch.py", "grade/gradescope.py", "grade/host/test_batch.py",
             "grade/host/test_forgery.py", "grade/host/forgers/forger.patch",
             "tools/costs.py", "tools/gslimits.py", "grade/host/test_handout_tree.py"]

# What the student's own `make grade` and `make handin` need.
MUST_KEEP = ["Makefile", "grade/grade.py", "grade/conftest.py", "grade/harness.py",
             "grade/qemu.py", "grade/labs.py", "grade/limits.py", "grade/costs.toml",
             "grade/verdict.py", "grade/tap.py", "grade/score.py", "grade/manifest.toml",
             "grade/handin.py", "grade/tests/test_core.py", "tools/gensyscalls.py",
             "tools/deps.sh", "tools/find-python", f"docs/labs/{LAB}.md"]

# Makefile targets only the reference tree can run.
INSTRUCTOR_TARGETS = ["handout", "selfcheck", "grade-batch", "gradescope", "gradescope-limits",
                      "grade-costs", "test-batch", "forgery", "fresh-check"]

# Every target a student is told about must be among these at least.
STUDENT_TARGETS = {"qemu", "grade", "qemu-gdb", "gdb", "handin", "test", "test-host"}


def clean_env():
    """No outer make's flags or jobserver: the handout's make is the student's."""
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "ARCH", "LAB", "OUT"):
        env.pop(k, None)
    return env


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout") / LAB
    r = subprocess.run([sys.executable, os.path.join(TOOLS, "handout.py"), "--lab", LAB,
                        "--out", str(out)], capture_output=True, text=True, env=clean_env())
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def read(tree, rel):
    with open(os.path.join(tree, rel), encoding="utf-8") as f:
        return f.read()


def make(tree, *args, timeout=120):
    return subprocess.run(["make", "--no-print-directory", "-C", str(tree), *args],
                          capture_output=True, text=True, timeout=timeout, env=clean_env())


def test_readme_is_the_students(tree):
    text = read(tree, "README.md")
    assert f"docs/labs/{LAB}.md" in text, "the README does not point to the lab's handout"
    for must in ("make qemu", "make grade", "make qemu-gdb", "make handin", "docs/man"):
        assert must in text, f"the handout's README does not mention {must}"
    for instructor in ("make handout", "make selfcheck", "INSTRUCTORS", "grade-batch"):
        assert instructor not in text, f"the handout's README says {instructor!r}"
    assert not re.search(r"@[A-Z_]+@", text), "a placeholder of the template is left"


def test_instructor_files_are_left_out(tree):
    sys.path.insert(0, TOOLS)
    try:
        import handout
        listed = list(getattr(handout, "DROP", ()))
    finally:
        sys.path.remove(TOOLS)
    # README.md is in the list as the maintainers' README: the handout
    # writes its own (test_readme_is_the_students).
    present = [f for f in sorted(set(MUST_DROP) | set(listed) - {"README.md"})
               if os.path.exists(os.path.join(tree, f.rstrip("/")))]
    assert not present, "instructor files in the handout: " + ", ".join(present)
    missing = [f for f in MUST_KEEP if not os.path.exists(os.path.join(tree, f))]
    assert not missing, "the handout lacks what the student needs: " + ", ".join(missing)


def test_the_handout_knows_its_lab(tree):
    assert read(tree, ".aqua6-lab").strip() == LAB


def documented_targets(tree):
    """`make X` in the README (in backquotes or an indented command line)
    and in the Makefile's header comment."""
    text = read(tree, "README.md")
    mk = read(tree, "Makefile")
    header = mk[:mk.index("\n\n")] if "\n\n" in mk else mk
    found = set(re.findall(r"`make ([a-z][a-z0-9-]*)", text))
    found |= set(re.findall(r"^ {4}make ([a-z][a-z0-9-]*)", text, re.M))
    found |= set(re.findall(r"^#\s+make ([a-z][a-z0-9-]*)", header, re.M))
    return sorted(found | STUDENT_TARGETS)


def test_every_documented_target_works(tree):
    """`make -n X` succeeds for every target the handout documents, and
    every script its commands run is in the handout (a dry run alone
    would not notice a missing tools/selfcheck.py)."""
    bad = []
    for t in documented_targets(tree):
        r = make(tree, "-n", t)
        if r.returncode != 0:
            bad.append(f"make -n {t}: exit {r.returncode}: {(r.stderr or r.stdout).strip()[-300:]}")
            continue
        scripts = set(re.findall(r"(?<![\w./-])((?:tools|grade|mkfs)/[\w./-]+\.(?:py|sh))",
                                 r.stdout))
        gone = sorted(s for s in scripts if not os.path.exists(os.path.join(tree, s)))
        if gone:
            bad.append(f"make -n {t} runs what the handout lacks: {', '.join(gone)}")
    assert not bad, "\n".join(bad)


def test_instructor_targets_are_not_in_the_makefile(tree):
    there = [t for t in INSTRUCTOR_TARGETS
             if "No rule to make target" not in make(tree, "-n", t).stderr]
    assert not there, "instructor targets in the handout's Makefile: " + ", ".join(there)


def test_host_tests_pass_in_the_handout(tree):
    r = make(tree, "test-host", timeout=600)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]


@pytest.mark.parametrize("lines, error", [
    (["a\n", "# MAINTAINER BEGIN: x\n", "b\n", "# MAINTAINER ELSE\n", "#> c\n",
      "# MAINTAINER END\n"], None),
    (["# MAINTAINER BEGIN\n", "b\n"], "has no END"),
    (["# MAINTAINER END\n"], "without a matching BEGIN"),
    (["/* SOLUTION BEGIN ppwait */\n", "# MAINTAINER BEGIN\n"], "do not nest"),
    (["# MAINTAINER BEGIN\n", "/* SOLUTION BEGIN ppwait */\n"], "do not nest"),
    (["# MAINTAINER BEGIN\n", "# MAINTAINER ELSE\n", "c\n", "# MAINTAINER END\n"],
     "must start with"),
])
def test_maintainer_fences_are_checked(lines, error):
    """A handout never gets the maintainer side, always the ELSE side; the
    fences are checked like SOLUTION markers."""
    sys.path.insert(0, TOOLS)
    try:
        import handout
    finally:
        sys.path.remove(TOOLS)
    if error is None:
        assert handout.transform("f", lines, set(), {"ppwait"})[0] == "a\nc\n"
    else:
        with pytest.raises(handout.MarkerError, match=error):
            handout.transform("f", lines, set(), {"ppwait"})
