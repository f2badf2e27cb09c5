"""The linear self-check (tools/selfcheck.py, tools/fencecov.py): which
earlier tests rerun in which handout, on synthetic coverage and fences, and
one end-to-end run that must catch a starter code breaking an earlier
stage's test."""
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import fencecov  # noqa: E402

EVERYTHING = fencecov.EVERYTHING
F = 'kern/x.c'
# Three stages in manifest order, one fence each in kern/x.c.
ORDER = ['a', 'b', 'c']
REGIONS = {'x86_64': {'a': {(F, 10)}, 'b': {(F, 20)}, 'c': {(F, 30)}}}


def handouts_rerunning(covered, regions=REGIONS):
    """The stages whose handout reruns an earlier test that executed covered."""
    t = ('grade/tests/test_t.py::test_t', 'x86_64')
    cover = {} if covered == 'no log' else {t: covered}
    return [s for i, s in enumerate(ORDER)
            if fencecov.select([t], cover, regions, ORDER[i:])[0]]


def test_a_test_reaching_a_fence_reruns_in_its_handout_and_every_earlier_one():
    assert handouts_rerunning({(F, 20), ('kern/y.c', 5)}) == ['a', 'b']
    assert handouts_rerunning({(F, 30)}) == ['a', 'b', 'c']
    assert handouts_rerunning({(F, 10)}) == ['a']


def test_a_test_reaching_no_fence_reruns_nowhere():
    assert handouts_rerunning({(F, 11), (F, 29), ('kern/y.c', 20)}) == []
    assert handouts_rerunning(set()) == []


def test_a_codeless_fence_selects_everything():
    regions = {'x86_64': dict(REGIONS['x86_64'], c=EVERYTHING)}
    assert handouts_rerunning(set(), regions) == ['a', 'b', 'c']


def test_a_test_without_coverage_selects_everything():
    assert handouts_rerunning('no log') == ['a', 'b', 'c']
    assert handouts_rerunning(EVERYTHING) == ['a', 'b', 'c']


# (@S@ is SOLUTION: marker lines here would be markers of this file.)
SOURCE = """\
static int counter;
/* @S@ BEGIN a: file scope */
static int limit = 3;
/* @S@ END a */

int
f(int flags)
{
	int x = 0;

	/* @S@ BEGIN b: an empty solution */
	/* @S@ ELSE b */
	//> return -1;
	/* @S@ END b */
	if (flags)
		x = 1;
	/* @S@ BEGIN c: code */
	x += limit;
	/* @S@ END c */
	return x;
}
""".replace('@S@', 'SOLUTION').splitlines(keepends=True)


def test_fence_regions():
    fences = []
    fencecov.handout.transform(F, SOURCE, set(), None, fences=fences)
    a, b, c = sorted(fences)
    code = {9, 15, 16, 18, 20, 21}      # what a line table would say
    # File scope, no code: every test reaches it.
    assert fencecov.fence_region((a[0], F, a[1], a[2]), code, SOURCE) is EVERYTHING
    # Inside a function, no code: the coded lines on either side.
    assert fencecov.fence_region((b[0], F, b[1], b[2]), code, SOURCE) == {9, 15}
    # Code: its own lines and one coded line on either side (-O2 margin).
    assert fencecov.fence_region((c[0], F, c[1], c[2]), code, SOURCE) == {16, 18, 20}
    # ... but not from the function before it: then every test calling
    # that one would count.
    assert fencecov.fence_region((c[0], F, c[1], c[2]), {1, 18, 20}, SOURCE) == {18, 20}
    assert fencecov.fence_region((b[0], F, b[1], b[2]), {1, 15}, SOURCE) is EVERYTHING


def test_another_ports_fence_reaches_nothing(tmp_path):
    (tmp_path / 'arch' / 'riscv').mkdir(parents=True)
    (tmp_path / 'arch' / 'riscv' / 'm.c').write_text(''.join(SOURCE))
    fences = [('c', 'arch/riscv/m.c', 17, 19)]
    assert fencecov.stage_regions(fences, {}, 'x86_64', str(tmp_path)) == {'c': set()}
    # Not in the kernel's line table at all, yet not another port's: everything.
    assert fencecov.stage_regions(fences, {}, 'riscv', str(tmp_path)) == {'c': EVERYTHING}


# ---- end to end ---------------------------------------------------------------------
# In a scratch copy of the tree the starter code of `ptrace` makes every
# rfork1(2) fail; the earlier stage nozombie's test calls rfork1, so the
# linear self-check must rerun it in the handout of ptrace and see it fail.
# (Were the selection to skip it, the check would say "ok" and this test
# would fail.)
STARTER = "\t//> if (flags & FORK_PTRACE)\n\t//> \treturn EINVAL;\n"
BROKEN = "\t//> return EINVAL;\t/* breaks rfork1 for everyone */\n"


def scratch_tree(dst):
    files = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    for f in files:
        if os.path.isfile(os.path.join(ROOT, f)) and not f.startswith('build/'):
            os.makedirs(os.path.dirname(os.path.join(dst, f)), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, f), os.path.join(dst, f))
    for sub in ('x86_64', 'x86_64-debug', 'host'):
        if os.path.isdir(os.path.join(ROOT, 'build', sub)):
            shutil.copytree(os.path.join(ROOT, 'build', sub), os.path.join(dst, 'build', sub),
                            symlinks=True)
    # handout.py lists the files with git.
    subprocess.run(['git', 'init', '-q'], cwd=dst, check=True)


@pytest.mark.skipif(shutil.which('qemu-system-x86_64') is None, reason='needs QEMU')
def test_linear_selfcheck_catches_a_starter_that_breaks_an_earlier_stage(tmp_path):
    tree = str(tmp_path / 'tree')
    scratch_tree(tree)
    path = os.path.join(tree, 'kern', 'sys_proc.c')
    with open(path) as f:
        text = f.read()
    assert STARTER in text, 'kern/sys_proc.c changed: update this test\'s STARTER'
    with open(path, 'w') as f:
        f.write(text.replace(STARTER, BROKEN))
    env = {k: v for k, v in os.environ.items() if k not in ('MAKEFLAGS', 'MAKELEVEL')}
    r = subprocess.run([sys.executable, 'tools/selfcheck.py', '--arch', 'x86_64',
                        '--stage', 'ptrace', '--test', 'test_nozombie',
                        '--test', 'test_ptrace_fork', '--explain'],
                       cwd=tree, capture_output=True, text=True, env=env)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert 'test_nozombie' in out and 'FAILS in the handout for ptrace' in out, out
    assert 'reaches fences of ptrace' in out, out
