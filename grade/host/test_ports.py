"""A new port is only arch/<name>/ and user/arch/<name>/ (issue 20).

make and every tool find the ports by listing the directories arch/*/ that
hold a port description (arch/<name>/port.toml, beside make's arch.mk;
docs/ARCHITECTURE.md, "How to add a port").  To prove it, a copy of the
tree (the tracked files, in a temporary directory: nothing is left in the
real one) gets a third port, a copy of x86_64 under the name NEW with only
its description's name changed, and make, tools/deps.sh and the Python
tools must take it as they take x86_64.  Then, in the real tree, no port
name may appear outside the ports' own directories except where the
allow-list below says why.
"""

import ast
import io
import os
import re
import shutil
import subprocess
import sys
import tokenize

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEW = "nuport"                  # the third port: x86_64 under another name
MODEL = "x86_64"


def clean_env(**extra):
    """The environment for a make or tool run: nothing of an outer make
    (make test-host passes MAKEFLAGS and its command line down)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "ARCH",
                        "TOOLPREFIX", "BOOTARGS")}
    env["AQUA_DEPS_CHECKED"] = "1"      # no package check (it may install)
    env.update(extra)
    return env


def tracked(root):
    out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard"], capture_output=True, text=True, check=True)
    return [f for f in out.stdout.split("\0")
            if f and not f.startswith("build/") and os.path.isfile(os.path.join(root, f))]


# A student's handout tree leaves the maintainers' tools out (tools/handout.py DROP).
IN_HANDOUT = os.path.exists(os.path.join(ROOT, ".aqua6-lab"))


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """A copy of the tracked tree with arch/NEW and user/arch/NEW, copies of
    x86_64's, whose description differs only in its name."""
    t = tmp_path_factory.mktemp("ports") / "tree"
    files = tracked(ROOT)
    for f in files:
        dst = t / f
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(os.path.join(ROOT, f), dst)
    for top in ("arch", "user/arch"):
        for f in files:
            if f.startswith(f"{top}/{MODEL}/"):
                dst = t / top / NEW / f[len(f"{top}/{MODEL}/"):]
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(os.path.join(ROOT, f), dst)
    desc = t / "arch" / NEW / "port.toml"
    if desc.exists():
        text = desc.read_text()
        new = re.sub(r'(?m)^name\s*=\s*"%s"' % MODEL, f'name = "{NEW}"', text, count=1)
        assert new != text, f"arch/{MODEL}/port.toml has no line name = \"{MODEL}\""
        desc.write_text(new)
    return t


def run(tree, *argv, **kw):
    return subprocess.run(list(argv), cwd=tree, capture_output=True, text=True,
                          timeout=kw.pop("timeout", 300), env=kw.pop("env", clean_env()), **kw)


def test_every_port_has_a_description():
    """Each arch/<name>/ with an arch.mk has the description, and it says its name."""
    for d in sorted(os.listdir(os.path.join(ROOT, "arch"))):
        if not os.path.exists(os.path.join(ROOT, "arch", d, "arch.mk")):
            continue
        desc = os.path.join(ROOT, "arch", d, "port.toml")
        assert os.path.exists(desc), f"arch/{d}/ has an arch.mk but no port.toml"
        import tomllib
        with open(desc, "rb") as f:
            assert tomllib.load(f).get("name") == d, f"arch/{d}/port.toml: name is not \"{d}\""


def test_make_takes_the_new_port(tree):
    r = run(tree, "make", "-n", f"ARCH={NEW}", "all")
    assert r.returncode == 0, f"make -n ARCH={NEW} all:\n{r.stderr[-2000:]}"
    assert f"build/{NEW}/kernel" in r.stdout and f"arch/{NEW}/" in r.stdout, r.stdout[-2000:]
    assert f"user/arch/{NEW}/" in r.stdout, "the new port's user code is not built"
    r = run(tree, "make", "-s", "--no-print-directory", f"ARCH={NEW}", "print-toolchain")
    assert r.returncode == 0, r.stderr
    model = run(tree, "make", "-s", "--no-print-directory", f"ARCH={MODEL}", "print-toolchain")
    assert r.stdout == model.stdout, "the copy of a port chose other tools than the port"
    r = run(tree, "make", "-s", "--no-print-directory", f"ARCH={NEW}", "qemu-cmd")
    assert r.returncode == 0 and f"build/{NEW}/fs.img" in r.stdout, r.stdout + r.stderr


def test_arch_all_means_every_port(tree):
    r = run(tree, "make", "-s", "--no-print-directory", "ARCH=all", "print-ports")
    assert r.returncode == 0, r.stderr
    vals = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    assert NEW in vals.get("GRADE_PORTS", "").split(), r.stdout
    assert NEW in vals.get("PORTS", "").split(), r.stdout
    # The targets that run on every port (make -n still runs the sub-makes,
    # as dry runs): the debug kernel of the new port is among them.
    r = run(tree, "make", "-n", "ARCH=all", "witness")
    assert f"build/{NEW}-debug/kernel" in r.stdout, (r.stdout + r.stderr)[-3000:]


PROBE = r"""
import json, os, sys
sys.path[:0] = ["grade", "tools"]
import backtrace, harness, labs, qemu
new, model = sys.argv[1], sys.argv[2]
out = {"all": list(labs.parse_arches("all")), "one": list(labs.parse_arches(new))}
out["exit"] = [[qemu.encode_exit(a, n) for n in (0, 1, 2, 5, 127)] for a in (new, model)]
out["decode"] = [[qemu.decode_exit(a, rc) for rc in (0, 1, 3, 11, 255)] for a in (new, model)]
out["addr2line"] = [backtrace.find_addr2line(a) for a in (new, model)]
out["hint"] = [harness.exit_hint(a, rc) for a in (new, model) for rc in (0, 1, 3)]
print(json.dumps(out))
"""


def test_python_tools_take_the_new_port(tree, tmp_path):
    """The grader's arch list, exit decoding, backtrace tools and hints."""
    shims = tmp_path / "bin"
    shims.mkdir()
    # Only the cross tools, no plain addr2line: the port's own list decides.
    for name in ("x86_64-linux-gnu-addr2line", "riscv64-linux-gnu-addr2line"):
        (shims / name).write_text("#!/bin/sh\n")
        (shims / name).chmod(0o755)
    env = clean_env(PATH=str(shims))   # a plain addr2line would hide the difference
    r = run(tree, sys.executable, "-c", PROBE, NEW, MODEL, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    import json
    out = json.loads(r.stdout)
    assert NEW in out["all"], f"labs.parse_arches('all') = {out['all']}"
    assert out["one"] == [NEW]
    assert out["exit"][0] == out["exit"][1], f"encode_exit: {NEW} {out['exit'][0]}, " \
        f"{MODEL} {out['exit'][1]}"
    assert out["decode"][0] == out["decode"][1], f"decode_exit: {NEW} {out['decode'][0]}, " \
        f"{MODEL} {out['decode'][1]}"
    assert out["addr2line"][0] == out["addr2line"][1] is not None, out["addr2line"]
    hints = out["hint"]
    assert hints[:3] == hints[3:], f"exit hints differ: {hints}"


TOOLS = ["tools/bench.py", "tools/crashtest.py", "tools/witnesscheck.py", "tools/stress.py",
         "tools/selfcheck.py", "tools/costs.py", "grade/grade.py", "grade/batch.py"]


@pytest.mark.parametrize("tool", TOOLS)
def test_tool_accepts_the_new_port(tree, tool):
    """--arch NEW is parsed (argparse checks a choice before it reaches --help)."""
    if not (tree / tool).exists() and IN_HANDOUT:
        pytest.skip(f"{tool} is a maintainer tool: handouts leave it out (tools/handout.py DROP)")
    r = run(tree, sys.executable, tool, "--arch", NEW, "--help", timeout=60)
    assert r.returncode == 0, f"{tool} --arch {NEW}: {r.stderr[-1500:]}"


def test_deps_sees_the_new_port(tree):
    """tools/deps.sh asks make for every port's tools: the copy's are the model's."""
    r = run(tree, "sh", "tools/deps.sh", "toolchain")
    lines = r.stdout.splitlines()
    mine = [l.split(" ", 1)[1] for l in lines if l.startswith(NEW + " ")]
    model = [l.split(" ", 1)[1] for l in lines if l.startswith(MODEL + " ")]
    assert mine and mine == model, r.stdout + r.stderr
    lst = run(tree, "sh", "tools/deps.sh", "list", env=clean_env(AQUA_HOST_ARCH="arm64"))
    ref = subprocess.run(["sh", os.path.join(ROOT, "tools", "deps.sh"), "list"],
                         capture_output=True, text=True, env=clean_env(AQUA_HOST_ARCH="arm64"))
    pkgs = lst.stdout.split()
    assert len(pkgs) == len(set(pkgs)), f"a package is listed twice: {pkgs}"
    assert sorted(pkgs) == sorted(ref.stdout.split()), "a copied port changed the package list"


# ---- no port is named outside the ports -------------------------------------
#
# The names of the ports there are, and their usual spellings.  A path into
# a port's own directory (arch/<name>/..., user/arch/<name>/...) is a file
# of that port, not a decision about ports, and is allowed anywhere.
PORT_NAMES = re.compile(
    r"(?<![A-Za-z0-9/])(?<!arch/)(?i:x86[_-]64|amd64|i386|risc-?v(?:32|64)?|rv(?:32|64)\w*|"
    r"aarch64|arm64)(?![A-Za-z0-9])")

# Where a port name is no hard-coded list of ports.  Each entry: a file, a
# pattern of the lines allowed there, and why.
ALLOWED = [
    ("Makefile", r"^DEFAULT_ARCH := \S+$",
     "the port `make` builds without ARCH=: one choice of the tree, which a new port "
     "does not change (make and the tools list the ports from arch/*/)"),
    ("grade/gradescope.py", r'^GRADESCOPE_HOST = "amd64"$',
     "the architecture of Gradescope's machines (dpkg's name), a host and not a port"),
    ("tools/deps.sh", r"^\s*x86_64\) echo amd64 ;; aarch64\|arm64\) echo arm64 ;;",
     "uname's name of the host mapped to dpkg's: the host, not a port"),
]

# Not scanned at all.
SKIP_PREFIXES = (
    "arch/", "user/arch/",      # the ports themselves (descriptions included)
    "docs/",                    # documentation
    "grade/host/",              # tests of the tools and of the ports themselves
    "tools/mutants/",           # wrong solutions, some of one port's code (`arches`, issue 21)
)
SKIP_FILES = {
    # Measurements per port and test, written by make grade-costs; a port
    # with none yet gets the default limit.
    "grade/costs.toml",
}


def _python_code(text):
    """Python source with its comments and docstrings blanked out."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text
    docs = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            docs.add((body[0].lineno, body[0].col_offset))
    lines = text.splitlines()
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.COMMENT or (tok.type == tokenize.STRING and tok.start in docs):
            (r0, c0), (r1, c1) = tok.start, tok.end
            for r in range(r0, r1 + 1):
                a = c0 if r == r0 else 0
                b = c1 if r == r1 else len(lines[r - 1])
                lines[r - 1] = lines[r - 1][:a] + " " * (b - a) + lines[r - 1][b:]
    return "\n".join(lines)


def _c_code(text):
    """C (or assembler, linker script) without /* */ and // comments; line
    numbers kept."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//.*", "", text)


def _hash_code(text):
    """sh, make, TOML, text lists: without # comments (a # that starts a
    word, as in all of them)."""
    return "\n".join(re.sub(r"(^|\s)#.*", "", line) for line in text.splitlines())


def code_of(rel, text):
    if rel.endswith(".py") or text.startswith("#!/usr/bin/env python") \
            or text.startswith("#!/usr/bin/python"):
        return _python_code(text)
    if rel.endswith((".c", ".h", ".S", ".ld")):
        return _c_code(text)
    return _hash_code(text)


def port_name_uses(root=ROOT):
    bad = []
    for rel in tracked(root):
        if rel.startswith(SKIP_PREFIXES) or rel in SKIP_FILES or rel.endswith(".md"):
            continue
        try:
            with open(os.path.join(root, rel), encoding="utf-8") as f:
                text = f.read()
        except UnicodeDecodeError:
            continue
        allowed = [re.compile(p) for f, p, _ in ALLOWED if f == rel]
        for n, line in enumerate(code_of(rel, text).splitlines(), 1):
            if PORT_NAMES.search(line) and not any(a.search(line) for a in allowed):
                bad.append(f"{rel}:{n}: {line.strip()}")
    return bad


def test_no_port_named_outside_the_ports():
    bad = port_name_uses()
    assert not bad, (f"{len(bad)} lines name a port outside arch/ and user/arch/ (a new "
                     "port would have to edit them; use the port's description or a "
                     "user/arch/<name>/machine/ header):\n" + "\n".join(bad[:80]))


def test_the_allow_list_is_used():
    """An entry nothing needs any more is a hole for the next hard-coding."""
    for rel, pat, why in ALLOWED:
        if IN_HANDOUT and not os.path.exists(os.path.join(ROOT, rel)):
            continue                # a maintainer tool, left out of handouts
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            code = code_of(rel, f.read())
        assert re.search(pat, code, re.M), f"ALLOWED: {rel} has no line /{pat}/ ({why})"
