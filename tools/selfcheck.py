#!/usr/bin/env python3
"""Prove that every lab stage's tests detect a missing solution.

    selfcheck.py [--arch all|x86_64|riscv] [--stage NAME ...] [--keep]

For every graded lab stage s (grade/manifest.toml order, `core` excluded):

  1. tools/handout.py --lab s writes a starter tree to build/selfcheck/s
     (stage s and every later stage replaced by starter code);
  2. the grader builds it on each arch (with -Werror, as students will) and
     runs, in one parallel pytest run, the tests of `core`, of every
     earlier stage, and of s;
  3. every test of s must FAIL, and every other test must PASS.

A test of s that passes on the starter code tests nothing: it is named in
the report and the self-check fails.  Exit status 0 only if every stage is
right on every arch.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'grade'))
import labs  # noqa: E402  (grade/labs.py: the manifest)

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


def check_stage(manifest, stage, earlier, arch, keep):
    tree = os.path.join(ROOT, 'build', 'selfcheck', stage.name)
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(os.path.dirname(tree), exist_ok=True)
    r = subprocess.run([PYTHON, os.path.join(ROOT, 'tools', 'handout.py'),
                        '--lab', stage.name, '--out', tree], capture_output=True, text=True)
    if r.returncode != 0:
        return [f'handout generation failed: {r.stderr.strip() or r.stdout.strip()}']
    # Start from the reference tree's build products: the handout keeps the
    # time stamps of the files it did not change, so make rebuilds only
    # what the starter code changed (and everything that depends on it).
    # The debug kernels too: the race test boots one (grade/harness.py).
    for sub in labs.ARCHES + tuple(a + '-debug' for a in labs.ARCHES) + ('host',):
        src = os.path.join(ROOT, 'build', sub)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(tree, 'build', sub), symlinks=True)
    junit = os.path.join(tree, 'selfcheck.xml')
    labs_arg = ','.join(['core'] + [s.name for s in earlier] + [stage.name])
    env = {k: v for k, v in os.environ.items() if k not in ('TEST', 'LAB', 'ARCH', 'MAKEFLAGS', 'MAKELEVEL')}
    r = subprocess.run([PYTHON, 'grade/grade.py', '--arch', arch, '--lab', labs_arg,
                        '--junit', junit], cwd=tree, capture_output=True, text=True, env=env)
    log = os.path.join(ROOT, 'build', 'selfcheck', stage.name + '.log')
    with open(log, 'w') as f:
        f.write(r.stdout + r.stderr)
    if not os.path.exists(junit):
        tail = '\n'.join((r.stdout + r.stderr).strip().splitlines()[-15:])
        return [f'the starter tree did not build or grade (log: {os.path.relpath(log, ROOT)}):\n{tail}']
    problems = []
    results = junit_results(junit)
    own = [(f, n) for (f, n) in results if stage.matches(f)]
    if not own:
        problems.append(f'no test of {stage.name} ran (manifest tests: {", ".join(stage.tests)})')
    for f, n in sorted(own):
        if results[(f, n)]:
            problems.append(f'{n} PASSES on the starter code of {stage.name}: it tests nothing')
    for (f, n), ok in sorted(results.items()):
        if (f, n) not in own and not ok:
            owner = next((s.name for s in [manifest.stage('core')] + earlier if s.matches(f)), '?')
            problems.append(f'{n} (stage {owner}) FAILS in the handout for {stage.name}: '
                            f'an earlier stage or core broke (log: {os.path.relpath(log, ROOT)})')
    if not problems and not keep:
        shutil.rmtree(tree, ignore_errors=True)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--arch', default='all')
    ap.add_argument('--stage', action='append', help='only these stages (default: all graded)')
    ap.add_argument('--keep', action='store_true', help='keep the starter trees under build/selfcheck')
    a = ap.parse_args()
    manifest = labs.load(os.path.join(ROOT, 'grade', 'manifest.toml'))
    graded = [s for s in manifest.active if s.name != 'core']
    failed = 0
    t0 = time.time()
    for i, stage in enumerate(graded):
        if a.stage and stage.name not in a.stage:
            continue
        t = time.time()
        problems = check_stage(manifest, stage, graded[:i], a.arch, a.keep)
        verdict = 'ok' if not problems else 'FAILED'
        print(f'selfcheck {stage.name:16} {a.arch:7} {verdict}  ({time.time() - t:.0f} s)', flush=True)
        for p in problems:
            print(f'    {p}')
        failed += bool(problems)
    print(f'selfcheck: {len(graded) - failed if not a.stage else "done"}'
          f'{"" if a.stage else f"/{len(graded)} stages right"} in {time.time() - t0:.0f} s')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
