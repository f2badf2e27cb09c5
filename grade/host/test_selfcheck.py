"""The linear self-check (tools/selfcheck.py, tools/fencecov.py): which
earlier tests rerun in which handout, on synthetic coverage and fences, and
one end-to-end run that must catch a starter code breaking an earlier
stage's test."""
import glob
import json
import os
import re
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


def test_core_reruns_once_per_assignment():
    """With coverage that says "everything", each handout reruns every
    earlier stage's tests, and core's only in an assignment's handout."""
    sys.path.insert(0, os.path.join(ROOT, 'grade'))
    import labs
    import selfcheck
    manifest = labs.load(os.path.join(ROOT, 'grade', 'manifest.toml'))
    graded = [s for s in manifest.active if s.name != 'core']
    tests = {}
    for s in manifest.active:
        f, _, fn = s.tests[0].rpartition('::')
        tests[f'grade/tests/{os.path.basename(f) or "test_t.py"}::{fn}[x86_64]'] = True
    data = {'tests': tests, 'cover': {n: None for n in tests},
            'code_lines': {'x86_64': {}}, 'line_funcs': {'x86_64': {}}}
    plans = selfcheck.plan(manifest, graded, data, ('x86_64',))
    core = next(n for n in tests if manifest.stage('core').matches(selfcheck.func_of(n)))
    heads = []
    for s in graded:
        if s.assignment not in [h.assignment for h in heads]:
            heads.append(s)
    assert [s for s in plans if core in plans[s][0]] == [h.name for h in heads]
    assert len(heads) >= 2
    for i, s in enumerate(graded):
        own = {n for n in tests if s.matches(selfcheck.func_of(n))}
        before = {n for n in tests for e in graded[:i] if e.matches(selfcheck.func_of(n))}
        assert own | before <= set(plans[s.name][0]), s.name
        if s not in heads:
            assert any('core: checked in the handout of' in why for _, why in plans[s.name][2])


def test_deal_spreads_the_costliest_first():
    sys.path.insert(0, os.path.join(ROOT, 'grade'))
    import selfcheck

    class Costs:
        def seconds(self, arch, key):
            return {'test_a': 30, 'test_b': 20, 'test_c': 10, 'test_d': 10}[key]
    ids = [f'grade/tests/test_t.py::{t}[x86_64]' for t in ('test_d', 'test_c', 'test_b', 'test_a')]
    shards = selfcheck.deal(ids, Costs(), 35)
    assert sorted(c for c, _ in shards) == [30, 40]
    assert sorted(n for _, ns in shards for n in ns) == sorted(ids)
    assert selfcheck.deal([], Costs(), 35) == []
    assert selfcheck.cost_of(Costs(), 'grade/tests/test_t.py::test_a[riscv]') == 30


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


# ---- fences of the form `if (cond) body` with an empty starter -------------------
GUARDED = """\
void
g(struct proc *p, int flags)
{
	p->p_x = 0;
	/* @S@ BEGIN a: a guarded store */
	if (flags & FLAG_A)
		p->p_flag |= P_A;
	/* @S@ ELSE a */
	//> /* TODO(a): mark it. */
	/* @S@ END a */
	p->p_y = 0;
}
""".replace('@S@', 'SOLUTION')


def guarded(text):
    lines = text.splitlines(keepends=True)
    found = []
    fencecov.handout.transform(F, lines, set(), None, fences=found)
    (stage, b, e), = found
    return (stage, F, b, e), lines


def test_a_guarded_fence_is_reached_only_by_its_body():
    fence, src = guarded(GUARDED)
    assert fencecov.guarded_body(fence, src) == ({6}, {7})
    code = {4, 6, 7, 11}
    funcs = {n: {'g'} for n in code}
    # Not the condition, nor the lines around: a run that evaluated the
    # condition and skipped the body went on as the empty starter does.
    assert fencecov.fence_region(fence, code, src, funcs) == {7}
    # Without the functions holding the code, or with a copy of the
    # function (an inlined one) holding the condition but not the body:
    # the general rule, its lines and their neighbours.
    assert fencecov.fence_region(fence, code, src) == {4, 6, 7, 11}
    split = {**funcs, 6: {'g', 'h'}}
    assert fencecov.fence_region(fence, code, src, split) == {4, 6, 7, 11}
    # A body line whose code -O2 moved into a neighbour's line: general rule.
    assert fencecov.fence_region(fence, code - {7}, src, funcs) == {4, 6, 11}


@pytest.mark.parametrize('change', [
    ('//> /* TODO(a): mark it. */', '//> p->p_flag |= P_A;'),          # starter has code
    ('if (flags & FLAG_A)', 'if (check(flags))'),                        # a call
    ('if (flags & FLAG_A)', 'if (flags++ & FLAG_A)'),                    # a side effect
    ('if (flags & FLAG_A)', 'if ((flags = FLAG_A))'),                    # an assignment
    ('if (flags & FLAG_A)', 'if (flags >>= 1)'),
    ('p->p_flag |= P_A;', 'return EPERM;'),                              # an exit
    ('p->p_flag |= P_A;', 'p->p_flag |= P_A;\n\telse\n\t\tp->p_flag = 0;'),  # an else
    ('p->p_flag |= P_A;', 'p->p_flag |= P_A;\n\tp->p_y = 1;'),         # more than the if
])
def test_other_fences_are_not_guarded(change):
    fence, src = guarded(GUARDED.replace(*change))
    assert fencecov.guarded_body(fence, src) is None


def test_a_starter_of_void_casts_has_no_code():
    fence, src = guarded(GUARDED.replace('//> /* TODO(a): mark it. */',
                                         '//> /* TODO(a) */\n\t//> (void)p;'))
    assert fencecov.guarded_body(fence, src) == ({6}, {7})


def real_fence(stage, path):
    """The fence of stage in path that is `if (cond) body` (the reference
    tree's own)."""
    for fence in fencecov.fences():
        if fence[:2] == (stage, path):
            with open(os.path.join(ROOT, path)) as f:
                src = f.readlines()
            g = fencecov.guarded_body(fence, src)
            if g is not None:
                return fence, g
    raise AssertionError(f'no guarded fence of {stage} in {path}: update this test')


def test_the_fork_flags_fences_are_guarded():
    for stage in ('ptrace', 'system', 'nozombie', 'ppwait'):
        real_fence(stage, 'kern/fork.c')


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
    tests = ['test_nozombie', 'test_ptrace_fork', 'test_boot_banner']
    r = subprocess.run([sys.executable, 'tools/selfcheck.py', '--arch', 'x86_64',
                        '--stage', 'ptrace', '--explain'] + [a for t in tests for a in ('--test', t)],
                       cwd=tree, capture_output=True, text=True, env=env)
    out = r.stdout + r.stderr
    # The reference run's report too: a test that failed there has no coverage.
    cov_log = os.path.join(tree, 'build', 'selfcheck', 'coverage.log')
    if os.path.exists(cov_log):
        with open(cov_log, errors='replace') as f:
            out += '\n---- the reference run (coverage.log) ----\n' + ''.join(f.readlines()[-60:])
    assert r.returncode == 1, out
    assert 'test_nozombie' in out and 'FAILS in the handout for ptrace' in out, out
    assert 'reaches fences of ptrace' in out, out
    # The `if (flags & FORK_PTRACE)` fence of fork_mark(), on the real
    # kernel's coverage: every boot forks init, so test_boot_banner ran
    # the condition, but not the body, and does not rerun for it (nor for
    # any other fence of ptrace: it is skipped); test_ptrace_fork ran the
    # body, and would rerun if it were an earlier stage's test.
    (fence, (cond, body)) = real_fence('ptrace', 'kern/fork.c')
    path, = glob.glob(os.path.join(tree, 'build', 'selfcheck', 'coverage-x86_64-*.json'))
    with open(path) as f:
        data = json.load(f)
    cover = fencecov.cover_of(data)
    key = lambda t, p='x86_64': (f'grade/tests/{t}[{p}]', 'x86_64')   # noqa: E731
    banner, ptrace = cover[key('test_core.py::test_boot_banner')], \
        cover[key('test_ptrace.py::test_ptrace_fork')]
    assert {('kern/fork.c', n) for n in cond} <= banner
    assert not {('kern/fork.c', n) for n in body} & banner
    assert {('kern/fork.c', n) for n in body} & ptrace
    regions = fencecov.regions_of(data, tree)
    with open(os.path.join(tree, 'kern', 'fork.c')) as f:
        src = f.readlines()
    funcs = {int(n): set(h) for n, h in data['line_funcs']['x86_64']['kern/fork.c'].items()}
    code = set(data['code_lines']['x86_64']['kern/fork.c'])
    assert fencecov.fence_region(fence, code, src, funcs) == body
    only = {'x86_64': {'ptrace': {('kern/fork.c', n) for n in body}}}
    assert not fencecov.select([key('test_core.py::test_boot_banner')], cover, only, ['ptrace'])[0]
    assert fencecov.select([key('test_ptrace.py::test_ptrace_fork')], cover, only, ['ptrace'])[0]
    assert re.search(r'skip +grade/tests/test_core.py::test_boot_banner \[x86_64\]', out), out
    assert regions['x86_64']['ptrace'] is not EVERYTHING
