#!/usr/bin/env python3
"""Prove that every lab stage's tests detect a missing solution.

    selfcheck.py [--arch all|x86_64|riscv] [--stage NAME ...] [--keep]
                 [--full] [--explain] [--test NAME ...]

For every graded lab stage s (grade/manifest.toml order, `core` excluded):

  1. tools/handout.py --lab s writes a starter tree to build/selfcheck/s
     (stage s and every later stage replaced by starter code);
  2. it is built on each arch (with -Werror, as students will), and the
     tests of s run there, with those tests of `core` and of the earlier
     stages that could break (below);
  3. every test of s must FAIL, and every other test must PASS.

A test of s that passes on the starter code tests nothing: it is named in
the report and the self-check fails.  Exit status 0 only if every stage is
right on every arch.

Which earlier tests run.  Starter code can only break a test that runs
it: in the handout of s, a test of core or of an earlier stage reruns
only if, on the reference tree, it executed a line in a fence of s or of a
later stage (tools/fencecov.py grades the reference tree once with QEMU
logging the kernel code it runs, and caches the result under
build/selfcheck/; `make test` records it in its one grade of the
reference tree, `make grade-coverage`).  A fence that is one `if (cond)
body` with an empty starter counts only if the test ran its body
(fencecov.guarded_region()).  Every test runs once on the reference tree and in
its own stage's handout, and elsewhere only where it meets starter code:
linear in the number of stages, not quadratic.  --explain prints why each
test runs or not (the same is in build/selfcheck/<stage>.selection).

--test NAME (repeatable): only those tests, of whatever stage, also on the
reference tree (a quick try; grade/host/test_selfcheck.py uses it).

--full: rerun every test of core and of the earlier stages in every
handout (no coverage; quadratic).  It is also what runs when the coverage
cannot be computed.  Two stages' handouts are checked at a time when the
machine has the CPUs for it.
"""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'grade'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import fencecov  # noqa: E402  (tools/fencecov.py: which fences each test reaches)
import labs      # noqa: E402  (grade/labs.py: the manifest)
import limits    # noqa: E402  (grade/limits.py: how many QEMUs at once)

PYTHON = sys.executable


def junit_results(path):
    """{(function name, id inside [..]): passed?} from pytest's JUnit XML."""
    out = {}
    for tc in ET.parse(path).iter('testcase'):
        name = tc.get('name')
        func = name.split('[', 1)[0]
        bad = any(c.tag in ('failure', 'error', 'skipped') for c in tc)
        out[(func, name)] = not bad
    return out


def func_of(nodeid):
    """'grade/tests/test_core.py::test_systest[x86_64-cpus1]' -> 'test_systest'."""
    return nodeid.split('::', 1)[1].split('[', 1)[0]


def owner(manifest, nodeid):
    func, base = func_of(nodeid), os.path.basename(nodeid.split('::', 1)[0])
    return next((s for s in manifest.active if s.matches(func, base)), None)


def write_tree(stage):
    """The handout of stage with the reference tree's build products, or an
    error message."""
    tree = os.path.join(ROOT, 'build', 'selfcheck', stage.name)
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(os.path.dirname(tree), exist_ok=True)
    r = subprocess.run([PYTHON, os.path.join(ROOT, 'tools', 'handout.py'),
                        '--lab', stage.name, '--out', tree], capture_output=True, text=True)
    if r.returncode != 0:
        return tree, f'handout generation failed: {r.stderr.strip() or r.stdout.strip()}'
    # Start from the reference tree's build products: the handout keeps the
    # time stamps of the files it did not change, so make rebuilds only
    # what the starter code changed (and everything that depends on it).
    # The debug kernels too: the race test boots one (grade/harness.py).
    for sub in labs.ARCHES + tuple(a + '-debug' for a in labs.ARCHES) + ('host',):
        src = os.path.join(ROOT, 'build', sub)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(tree, 'build', sub), symlinks=True)
    return tree, None


def grade_tree(tree, arch, labs_arg, nodeids, jobs, junit, log):
    """Grade the tree: with nodeids None, grade.py on the stages of
    labs_arg (every test); else build each arch and run just those tests.
    Returns the problems of the build (none if it built)."""
    env = fencecov.clean_env()
    with open(log, 'w') as f:
        if nodeids is None:
            subprocess.run([PYTHON, 'grade/grade.py', '--arch', arch, '--lab', labs_arg,
                            '-j', str(jobs), '--junit', junit],
                           cwd=tree, stdout=f, stderr=subprocess.STDOUT, env=env)
            return []
        for a in labs.parse_arches(arch):
            f.write(f'$ make -j{jobs} ARCH={a} all\n')
            f.flush()
            r = subprocess.run(['make', '--no-print-directory', f'-j{jobs}', f'ARCH={a}', 'all'],
                               cwd=tree, stdout=f, stderr=subprocess.STDOUT, env=env)
            if r.returncode != 0:
                return [f'the starter tree does not build on {a} (log: {os.path.relpath(log, ROOT)})']
        # Tests the handout does not have (hidden tests) cannot run there.
        nodeids = [n for n in nodeids if os.path.exists(os.path.join(tree, n.split('::')[0]))]
        # The tests first, as grade.py puts its directory first: pytest
        # finds grade/conftest.py (and its options, --arch...) from them.
        cmd = [PYTHON, '-m', 'pytest'] + sorted(nodeids) + [
            '-q', '--tb=no', '-p', 'no:cacheprovider', '--arch', arch, '--lab', labs_arg,
            '--junitxml', junit, '-n', str(jobs) if jobs > 1 else '0']
        f.write(f'$ {" ".join(cmd)}\n')
        f.flush()
        subprocess.run(cmd, cwd=tree, stdout=f, stderr=subprocess.STDOUT, env=env)
    return []


def check_stage(manifest, stage, earlier, arch, keep, jobs, nodeids=None):
    """The problems of stage's handout.  nodeids: the tests to run (stage's
    own and the earlier ones selected); None = every test of core, of the
    earlier stages and of stage (--full)."""
    tree, err = write_tree(stage)
    if err:
        return [err], 0
    junit = os.path.join(tree, 'selfcheck.xml')
    log = os.path.join(ROOT, 'build', 'selfcheck', stage.name + '.log')
    labs_arg = ','.join(['core'] + [s.name for s in earlier] + [stage.name])
    problems = grade_tree(tree, arch, labs_arg, nodeids, jobs, junit, log)
    if problems:
        return problems, 0
    if not os.path.exists(junit):
        with open(log) as f:
            tail = '\n'.join(f.read().strip().splitlines()[-15:])
        return [f'the starter tree did not build or grade (log: {os.path.relpath(log, ROOT)}):\n{tail}'], 0
    results = junit_results(junit)
    own = [(f, n) for (f, n) in results if stage.matches(f)]
    if not own:
        problems.append(f'no test of {stage.name} ran (manifest tests: {", ".join(stage.tests)})')
    for f, n in sorted(own):
        if results[(f, n)]:
            problems.append(f'{n} PASSES on the starter code of {stage.name}: it tests nothing')
    for (f, n), ok in sorted(results.items()):
        if (f, n) not in own and not ok:
            who = next((s.name for s in [manifest.stage('core')] + earlier if s.matches(f)), '?')
            problems.append(f'{n} (stage {who}) FAILS in the handout for {stage.name}: '
                            f'an earlier stage or core broke (log: {os.path.relpath(log, ROOT)})')
    if nodeids is not None:
        ran = {n for _, n in results}
        for n in sorted(nodeids):
            if n.split('::', 1)[1] not in ran and os.path.exists(os.path.join(tree, n.split('::')[0])):
                problems.append(f'{n} was selected but did not run (log: {os.path.relpath(log, ROOT)})')
    if not problems and not keep:
        shutil.rmtree(tree, ignore_errors=True)
    return problems, len(results)


def plan(manifest, graded, data, arches):
    """{stage name: (nodeids to run, [(nodeid, why)] run, [(nodeid, why)]
    skipped)} from the reference tree's coverage (tools/fencecov.py)."""
    regions = fencecov.regions_of(data)
    # A test function's coverage on an arch: the union over its
    # parametrizations (one reference run of each; the union also makes
    # up a little for a run that takes another path the next time).
    cover = {}
    for (n, a), c in fencecov.cover_of(data).items():
        key = (n.split('[', 1)[0], a)
        cover[key] = fencecov.EVERYTHING if c is fencecov.EVERYTHING or \
            cover.get(key, set()) is fencecov.EVERYTHING else cover.get(key, set()) | c
    tests = [n for n in data['tests'] if fencecov.arch_of(n) in arches]
    out = {}
    for i, stage in enumerate(graded):
        before = {'core'} | {s.name for s in graded[:i]}
        replaced = [s.name for s in graded[i:]]
        mine = [n for n in tests if getattr(owner(manifest, n), 'name', None) == stage.name]
        earlier = [n for n in tests if getattr(owner(manifest, n), 'name', None) in before]
        funcs = sorted({(n.split('[', 1)[0], fencecov.arch_of(n)) for n in earlier})
        run, skip = fencecov.select(funcs, cover, regions, replaced)
        chosen = {t for t, _ in run}
        picked = [n for n in earlier if (n.split('[', 1)[0], fencecov.arch_of(n)) in chosen]
        out[stage.name] = (mine + picked, run, skip)
    return out


def selection_report(stage, run, skip):
    lines = [f'selfcheck {stage}: {len(run)} earlier test functions rerun, {len(skip)} not']
    for (t, a), why in sorted(run):
        lines.append(f'  run   {t} [{a}]: {why}')
    for (t, a), why in sorted(skip):
        lines.append(f'  skip  {t} [{a}]: {why}')
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--arch', default='all')
    ap.add_argument('--stage', action='append', help='only these stages (default: all graded)')
    ap.add_argument('--keep', action='store_true', help='keep the starter trees under build/selfcheck')
    ap.add_argument('--full', action='store_true',
                    help='rerun every earlier test in every handout (quadratic, no coverage)')
    ap.add_argument('--explain', action='store_true', help='say why each earlier test runs or not')
    ap.add_argument('--test', action='append',
                    help='only these test functions, of any stage (a quick try; not with --full)')
    a = ap.parse_args()
    manifest = labs.load(os.path.join(ROOT, 'grade', 'manifest.toml'))
    graded = [s for s in manifest.active if s.name != 'core']
    arches = labs.parse_arches(a.arch)
    t0 = time.time()
    plans = None
    if not a.full:
        os.makedirs(os.path.join(ROOT, 'build', 'selfcheck'), exist_ok=True)
        log = os.path.join(ROOT, 'build', 'selfcheck', 'coverage.log')
        try:
            data, path, reused = fencecov.load(a.arch, log=log, only=a.test)
            plans = plan(manifest, graded, data, arches)
            print(f'selfcheck: coverage of the reference tree {"reused from" if reused else "written to"} '
                  f'{os.path.relpath(path, ROOT)} ({time.time() - t0:.0f} s)', flush=True)
        except (fencecov.CoverageError, subprocess.CalledProcessError, OSError, ValueError) as e:
            print(f'selfcheck: no coverage ({e}): running the full quadratic check', flush=True)
    if plans is None and a.test:
        sys.exit('selfcheck: --test needs the coverage (it is not for --full)')
    todo = [(i, s) for i, s in enumerate(graded) if not a.stage or s.name in a.stage]
    # Two handouts at a time: one builds while the other's tests run.
    jobs = limits.choose_jobs(limits.mib(limits.load().memory))
    at_once = max(1, min(2, jobs, len(todo)))
    per = max(1, jobs // at_once)
    lock = threading.Lock()
    failed, runs = [], [0]

    def one(i, stage):
        t = time.time()
        nodeids = None
        if plans is not None:
            nodeids, run, skip = plans[stage.name]
            report = selection_report(stage.name, run, skip)
            with open(os.path.join(ROOT, 'build', 'selfcheck', stage.name + '.selection'), 'w') as f:
                f.write('\n'.join(report) + '\n')
        problems, n = check_stage(manifest, stage, graded[:i], a.arch, a.keep, per, nodeids)
        with lock:
            runs[0] += n
            verdict = 'ok' if not problems else 'FAILED'
            what = f'{n} tests' if plans is None else \
                f'{n} tests: {len(run)} of {len(run) + len(skip)} earlier test functions'
            print(f'selfcheck {stage.name:16} {a.arch:7} {verdict}  ({what}; {time.time() - t:.0f} s)',
                  flush=True)
            if a.explain and plans is not None:
                print('\n'.join(report[1:]))
            for p in problems:
                print(f'    {p}')
            if problems:
                failed.append(stage.name)

    with concurrent.futures.ThreadPoolExecutor(at_once) as pool:
        for f in [pool.submit(one, i, s) for i, s in todo]:
            f.result()
    mode = 'full' if plans is None else 'linear'
    print(f'selfcheck ({mode}): {len(todo) - len(failed)}/{len(todo)} stages right, '
          f'{runs[0]} test runs, in {time.time() - t0:.0f} s')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
