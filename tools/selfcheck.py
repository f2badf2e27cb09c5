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
it: in the handout of s, a test of an earlier stage reruns only if, on
the reference tree, it executed a line in a fence of s or of a later
stage (tools/fencecov.py grades the reference tree once with QEMU
logging the kernel code it runs, and caches the result under
build/selfcheck/; `make test` records it in its one grade of the
reference tree, `make grade-coverage`).  A fence that is one `if (cond)
body` with an empty starter counts only if the test ran its body
(fencecov.guarded_region()).  The tests of core, by the same rule, once
per handout family: in the handout of each assignment (the first stage
of it, `make handout LAB=fork1`), the tree an instructor releases.
Every boot runs fork1() and so the fences of the first stages: without
that rule every handout up to sharevm would regrade all of core.  Every
test runs once on the reference tree and in its own stage's handout, and
elsewhere only where it meets starter code.  --explain prints why each
test runs or not (the same is in build/selfcheck/<stage>.selection).

--test NAME (repeatable): only those tests, of whatever stage, also on the
reference tree (a quick try; grade/host/test_selfcheck.py uses it).

--full: rerun every test of core and of the earlier stages in every
handout (no coverage; quadratic).  It is also what runs when the coverage
cannot be computed.

One pool of workers (--jobs; default one per CPU and one more) builds
the handouts and runs their tests in shards of one pytest each, the
costliest first (grade/costs.toml), with the time limits stretched by
the load factor.
"""
import argparse
import heapq
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


# How much of the reference's test time (grade/costs.toml seconds) one
# pytest run gets: small enough that the shards of the costliest handouts
# spread over every worker, large enough that pytest's start-up (a fraction
# of a second) does not count.
SHARD_SECONDS = 20


class Pool:
    """Worker threads taking the costliest submitted task first; a task may
    submit more.  join() returns once every task has run."""

    def __init__(self, n):
        self.ready, self.busy, self.seq = [], 0, 0
        self.cv = threading.Condition()
        self.error = None
        self.threads = [threading.Thread(target=self.work, daemon=True) for _ in range(n)]
        for t in self.threads:
            t.start()

    def submit(self, cost, fn, *args):
        with self.cv:
            self.seq += 1
            heapq.heappush(self.ready, (-cost, self.seq, fn, args))
            self.cv.notify()

    def work(self):
        while True:
            with self.cv:
                while not self.ready:
                    self.cv.wait()
                _, _, fn, args = heapq.heappop(self.ready)
                self.busy += 1
            try:
                fn(*args)
            except BaseException as e:  # noqa: B902  (reported by join)
                self.error = self.error or e
            with self.cv:
                self.busy -= 1
                self.cv.notify_all()

    def join(self):
        with self.cv:
            while self.ready or self.busy:
                self.cv.wait()
        if self.error:
            raise self.error


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


def build_tree(tree, arch, log):
    """Build the handout on each arch; returns the problems (none if it
    built).  (The debug kernel, which the race tests boot, is built by the
    first test that needs it, under a lock: grade/harness.py.)"""
    env = fencecov.clean_env()
    with open(log, 'w') as f:
        for a in labs.parse_arches(arch):
            cmd = ['make', '--no-print-directory', f'ARCH={a}', 'all']
            f.write(f'$ {" ".join(cmd)}\n')
            f.flush()
            r = subprocess.run(cmd, cwd=tree, stdout=f, stderr=subprocess.STDOUT, env=env)
            if r.returncode != 0:
                return [f'the starter tree does not build on {a} (log: {os.path.relpath(log, ROOT)})']
    return []


def run_tests(tree, arch, labs_arg, nodeids, junit, log, factor):
    """Run nodeids (None: grade.py, every test of labs_arg) in the built
    tree, one QEMU at a time, their results in junit.  factor stretches
    the time limits: the other workers share the CPUs (grade/limits.py)."""
    env = fencecov.clean_env()
    with open(log, 'w') as f:
        if nodeids is None:
            cmd = [PYTHON, 'grade/grade.py', '--arch', arch, '--lab', labs_arg,
                   '-j', '1', '--junit', junit]
            env['TIMEOUT_FACTOR'] = f'{factor:g}'
        else:
            # The tests first, as grade.py puts its directory first: pytest
            # finds grade/conftest.py (and its options, --arch...) from them.
            cmd = [PYTHON, '-m', 'pytest'] + sorted(nodeids) + [
                '-q', '--tb=short', '-p', 'no:cacheprovider', '--arch', arch, '--lab', labs_arg,
                '--junitxml', junit, '-n', '0', '--timeout-factor', f'{factor:g}']
        f.write(f'$ {" ".join(cmd)}\n')
        f.flush()
        subprocess.run(cmd, cwd=tree, stdout=f, stderr=subprocess.STDOUT, env=env)


def cost_key(nodeid):
    """(arch, grade/costs.toml's key) of a test."""
    func, _, ids = nodeid.split('::', 1)[1].partition('[')
    params = [p for p in ids.rstrip(']').split('-') if p and p not in labs.ARCHES]
    return fencecov.arch_of(nodeid), f'{func}[{"-".join(params)}]' if params else func


def cost_of(costs, nodeid):
    """The reference's seconds for a test (grade/costs.toml): how the
    tests are dealt out to the workers, longest first."""
    return costs.seconds(*cost_key(nodeid))


def failing_cost_of(costs, nodeid):
    """What a test of the handout's own stage may cost: it fails there,
    perhaps only at its time limit."""
    return costs.limit(*cost_key(nodeid))


def deal(nodeids, costs, seconds, cost=cost_of):
    """nodeids cut into shards of about `seconds` each by cost (longest
    test first, each to the lightest shard)."""
    timed = sorted(((cost(costs, n), n) for n in nodeids), reverse=True)
    total = sum(c for c, _ in timed)
    shards = [[0.0, []] for _ in range(max(1, min(len(timed), round(total / seconds))))]
    for c, n in timed:
        light = min(shards, key=lambda s: s[0])
        light[0] += c
        light[1].append(n)
    return [(c, ns) for c, ns in shards if ns]


def verdict(manifest, stage, earlier, tree, junits, nodeids, log, keep):
    """The problems of stage's handout, from its tests' results."""
    problems = []
    missing = [j for j in junits if not os.path.exists(j)]
    if missing:
        with open(log) as f:
            tail = '\n'.join(f.read().strip().splitlines()[-15:])
        return [f'the starter tree did not grade (log: {os.path.relpath(log, ROOT)}):\n{tail}'], 0
    results = {}
    for j in junits:
        results.update(junit_results(j))
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


def family_heads(graded):
    """{stage: the first graded stage of its assignment}.  The handout of an
    assignment (make handout LAB=fork1) is the handout of that stage: what
    an instructor releases, with every stage of the assignment and after
    it in starter code."""
    first = {}
    for s in graded:
        first.setdefault(s.assignment, s.name)
    return {s.name: first[s.assignment] for s in graded}


def plan(manifest, graded, data, arches):
    """{stage name: (nodeids to run, [(nodeid, why)] run, [(nodeid, why)]
    skipped)} from the reference tree's coverage (tools/fencecov.py).
    The tests of core are checked once per handout family: in the handout
    of each assignment (family_heads()), where they rerun as the coverage
    says; in the other handouts only the earlier stages' tests do."""
    regions = fencecov.regions_of(data)
    heads = family_heads(graded)
    # A test function's coverage on an arch: the union over its
    # parametrizations (one reference run of each; the union also makes
    # up a little for a run that takes another path the next time).
    cover = {}
    for (n, a), c in fencecov.cover_of(data).items():
        key = (n.split('[', 1)[0], a)
        cover[key] = fencecov.EVERYTHING if c is fencecov.EVERYTHING or \
            cover.get(key, set()) is fencecov.EVERYTHING else cover.get(key, set()) | c
    tests = [n for n in data['tests'] if fencecov.arch_of(n) in arches]
    stage_of = {n: getattr(owner(manifest, n), 'name', None) for n in tests}
    out = {}
    for i, stage in enumerate(graded):
        head = heads[stage.name]
        before = {s.name for s in graded[:i]} | ({'core'} if head == stage.name else set())
        replaced = [s.name for s in graded[i:]]
        mine = [n for n in tests if stage_of[n] == stage.name]
        earlier = [n for n in tests if stage_of[n] in before]
        funcs = sorted({(n.split('[', 1)[0], fencecov.arch_of(n)) for n in earlier})
        run, skip = fencecov.select(funcs, cover, regions, replaced)
        if head != stage.name:
            skip = skip + [(t, f'core: checked in the handout of {stage.assignment} ({head})')
                           for t in sorted({(n.split('[', 1)[0], fencecov.arch_of(n))
                                            for n in tests if stage_of[n] == 'core'})]
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
    ap.add_argument('--jobs', '-j', type=int,
                    help='workers at once (default: one per CPU and one more, as memory allows)')
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
    # One pool of workers for every handout: a worker builds a handout or
    # runs one shard of its tests (pytest, one QEMU at a time), the
    # costliest work first, so no CPU waits for one handout's last test
    # while another handout still has many.  More workers than CPUs: the
    # guests sleep much of the time (a child waiting for an event, a poll),
    # and a sleeping QEMU takes no CPU.  The time limits stretch by the
    # load factor (grade/limits.py).
    workers = limits.choose_jobs(limits.mib(limits.load().memory), a.jobs, spare=1)
    # As grade.py: TIMEOUT_FACTOR (a slow machine, or other work beside us).
    factor = limits.load_factor(workers) * float(
        os.environ.get('TIMEOUT_FACTOR') or os.environ.get('AQUA_TIMEOUT_FACTOR') or 1)
    costs = limits.load()
    pool = Pool(workers)
    lock = threading.Lock()
    failed, runs = [], [0]

    def report(stage, started, problems, n, run, skip, report_lines):
        with lock:
            runs[0] += n
            verdict_word = 'ok' if not problems else 'FAILED'
            what = f'{n} tests' if plans is None else \
                f'{n} tests: {len(run)} of {len(run) + len(skip)} earlier test functions'
            print(f'selfcheck {stage.name:16} {a.arch:7} {verdict_word}  ({what}; '
                  f'{time.time() - started:.0f} s)', flush=True)
            if a.explain and report_lines:
                print('\n'.join(report_lines[1:]))
            for p in problems:
                print(f'    {p}')
            if problems:
                failed.append(stage.name)

    def handout(i, stage):
        started = time.time()
        earlier = graded[:i]
        nodeids, run, skip, lines = None, [], [], []
        if plans is not None:
            nodeids, run, skip = plans[stage.name]
            lines = selection_report(stage.name, run, skip)
            with open(os.path.join(ROOT, 'build', 'selfcheck', stage.name + '.selection'), 'w') as f:
                f.write('\n'.join(lines) + '\n')
        log = os.path.join(ROOT, 'build', 'selfcheck', stage.name + '.log')
        tree, err = write_tree(stage)
        problems = [err] if err else build_tree(tree, a.arch, log)
        if problems:
            report(stage, started, problems, 0, run, skip, lines)
            return
        if nodeids is not None:
            # Tests the handout does not have (hidden tests) cannot run there.
            nodeids = [n for n in nodeids if os.path.exists(os.path.join(tree, n.split('::')[0]))]
            own = [n for n in nodeids if owner(manifest, n) is stage]
            shards = deal(own, costs, SHARD_SECONDS, failing_cost_of) + \
                deal([n for n in nodeids if n not in own], costs, SHARD_SECONDS)
        else:
            shards = [(1e9, None)]	# --full: grade.py grades the lot
        labs_arg = ','.join(['core'] + [s.name for s in earlier] + [stage.name])
        junits = [os.path.join(tree, f'selfcheck-{k}.xml') for k in range(len(shards))]
        logs = [f'{log[:-4]}-{k}.log' for k in range(len(shards))]
        left = [len(shards)]

        def shard(k, ids):
            run_tests(tree, a.arch, labs_arg, ids, junits[k], logs[k], factor)
            with lock:
                left[0] -= 1
                done = left[0] == 0
            if done:
                with open(log, 'a') as f:
                    for lg in logs:
                        with open(lg) as g:
                            f.write(g.read())
                        os.unlink(lg)
                problems, n = verdict(manifest, stage, earlier, tree, junits, nodeids, log, a.keep)
                report(stage, started, problems, n, run, skip, lines)

        if not shards:
            problems, n = verdict(manifest, stage, earlier, tree, [], nodeids, log, a.keep)
            report(stage, started, problems, n, run, skip, lines)
        for k, (c, ids) in enumerate(shards):
            pool.submit(c, shard, k, ids)

    for i, s in todo:
        # A build's priority is the cost of all its handout's tests: the
        # costliest handouts are built first, the cheapest in between the
        # shards of the others (fewer trees on the disk at once).
        ids = plans[s.name][0] if plans is not None else []
        pool.submit(sum(cost_of(costs, n) for n in ids) or 1e9, handout, i, s)
    pool.join()
    mode = 'full' if plans is None else 'linear'
    print(f'selfcheck ({mode}): {len(todo) - len(failed)}/{len(todo)} stages right, '
          f'{runs[0]} test runs, in {time.time() - t0:.0f} s')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
