#!/usr/bin/env python3
"""Prove that every lab stage's tests catch plausible wrong solutions.

    mutants.py [--stage S ...] [--mutant [S/]NAME ...] [--arch all|x86_64|riscv]
               [--jobs N] [--sample K] [--table FILE] [--keep] [--work DIR]

A *mutant* is a small, plausible student mistake applied to the reference
solution (tools/mutants/<stage>.toml; the format is described in
docs/labs/README.md, "Mutants").  For every mutant and every port it
applies to:

  1. in a work tree of its own worker (build/mutants/w<N>: a copy of the
     source tree and of the reference build products, as the self-check
     makes, so make rebuilds only what the edit touched), the edits are
     applied;
  2. the tree is built as students build it (make ARCH=<a> all, -Werror);
  3. only that stage is graded (grade/grade.py --lab <stage> --junit ...);
  4. the files are restored.

The mutant is KILLED when some test of the stage fails; the table names the
test and its first failing TAP check (or the first line of its failure
message).  A mutant that does not apply (a find text absent, or present
more than once) or does not build is an ERROR: the mutant file is wrong,
not the tests.  `repeat = N` grades N times, and the mutant counts as
killed only if every run killed it (race mutants).  An `equivalent`
mutant behaves as correct code does: it runs and is shown, but is no
survivor.

Exit status 0 only when every mutant run is killed (or equivalent) and
nothing is an ERROR.  --sample K runs K mutants chosen from the HEAD
commit's hash (make test: a different few on every commit).  --table FILE
writes the kill table, in Markdown, for the stages that ran (the sections
of other stages already in FILE are kept).
"""
import argparse
import concurrent.futures
import dataclasses
import hashlib
import os
import queue
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import tomllib
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'grade'))
import labs  # noqa: E402  (grade/labs.py: the manifest)

PYTHON = sys.executable
MUTANT_DIR = os.path.join('tools', 'mutants')
WORK = os.path.join('build', 'mutants')
NAME = re.compile(r'^[a-z0-9-]+$')
MUTANT_KEYS = {'name', 'mistake', 'arches', 'repeat', 'equivalent', 'edit'}
EDIT_KEYS = {'file', 'find', 'replace'}


class MutantError(Exception):
    """A mutant file that cannot be read at all (bad TOML, unknown stage)."""


@dataclasses.dataclass
class Edit:
    file: str
    find: str
    replace: str


@dataclasses.dataclass
class Mutant:
    stage: str
    name: str
    mistake: str
    edits: list
    arches: tuple
    repeat: int = 1
    equivalent: str = ''
    source: str = ''            # tools/mutants/<stage>.toml
    problems: list = dataclasses.field(default_factory=list)   # why it is invalid

    @property
    def label(self):
        return f'{self.stage}/{self.name}'


def _text(v):
    return isinstance(v, str) and v.strip() != ''


def parse_file(path, manifest, root=ROOT):
    """The mutants of one tools/mutants/<stage>.toml.  Raises MutantError
    for a file that names no stage of the manifest or is not TOML; a
    mutant that is wrong in itself comes back with .problems set."""
    rel = os.path.relpath(path, root)
    stage_name = os.path.basename(path)[:-len('.toml')]
    stage = manifest.stage(stage_name)
    if stage is None:
        raise MutantError(f'{rel}: no stage "{stage_name}" in grade/manifest.toml '
                          '(the file is named after the stage it mutates)')
    try:
        with open(path, 'rb') as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise MutantError(f'{rel}: {e}') from None
    extra = set(data) - {'mutant'}
    if extra:
        raise MutantError(f'{rel}: unknown top-level keys {sorted(extra)} (only [[mutant]])')
    raw = data.get('mutant', [])
    if not isinstance(raw, list):
        raise MutantError(f'{rel}: "mutant" must be an array of tables ([[mutant]])')
    out, seen = [], set()
    for i, t in enumerate(raw):
        name = t.get('name') if isinstance(t.get('name'), str) else f'#{i + 1}'
        problems = []
        unknown = set(t) - MUTANT_KEYS
        if unknown:
            problems.append(f'unknown keys {sorted(unknown)}')
        if not NAME.match(name):
            problems.append(f'name "{name}" must match [a-z0-9-]+')
        if name in seen:
            problems.append(f'name "{name}" is used twice in the file')
        seen.add(name)
        mistake = t.get('mistake')
        if not _text(mistake):
            problems.append('"mistake" (what the student got wrong) is missing or empty')
            mistake = ''
        arches = t.get('arches', list(stage.arches))
        if (not isinstance(arches, list) or not arches
                or any(a not in stage.arches for a in arches)):
            problems.append(f'"arches" must be a non-empty list from the stage\'s ports '
                            f'{list(stage.arches)}, not {arches!r}')
            arches = [a for a in arches if a in stage.arches] if isinstance(arches, list) else []
        repeat = t.get('repeat', 1)
        if not isinstance(repeat, int) or isinstance(repeat, bool) or repeat < 1:
            problems.append(f'"repeat" must be a whole number >= 1, not {repeat!r}')
            repeat = 1
        equivalent = t.get('equivalent', '')
        if 'equivalent' in t and not _text(equivalent):
            problems.append('"equivalent" must say why the mutant behaves as correct code')
            equivalent = ''
        edits = []
        raw_edits = t.get('edit', [])
        if not isinstance(raw_edits, list) or not raw_edits:
            problems.append('no [[mutant.edit]]')
            raw_edits = []
        for j, e in enumerate(raw_edits, 1):
            if not isinstance(e, dict):
                problems.append(f'edit {j} is not a table')
                continue
            bad = set(e) - EDIT_KEYS
            if bad:
                problems.append(f'edit {j}: unknown keys {sorted(bad)}')
            if not all(isinstance(e.get(k), str) for k in EDIT_KEYS):
                problems.append(f'edit {j}: file, find and replace must all be strings')
                continue
            if not e['find']:
                problems.append(f'edit {j}: "find" is empty')
                continue
            if e['find'] == e['replace']:
                problems.append(f'edit {j}: "replace" is the same as "find": no mistake made')
            edits.append(Edit(e['file'], e['find'], e['replace']))
        out.append(Mutant(stage_name, name, mistake or '', edits,
                          tuple(a for a in labs.ARCHES if a in arches), repeat,
                          equivalent or '', rel, problems))
    return out


def apply_edits(mutant, root):
    """{path: (original text, mutated text)} for the mutant's edits on the
    tree at root, or raise MutantError naming the stale edit.  Edits apply
    in order; each find must occur exactly once in the text it is applied to."""
    texts = {}
    for j, e in enumerate(mutant.edits, 1):
        path = os.path.normpath(e.file)
        if os.path.isabs(path) or path.startswith('..'):
            raise MutantError(f'edit {j}: "{e.file}" must be a path inside the tree')
        if path not in texts:
            full = os.path.join(root, path)
            if not os.path.isfile(full):
                raise MutantError(f'edit {j}: no file {e.file}')
            with open(full, encoding='utf-8') as f:
                orig = f.read()
            texts[path] = [orig, orig]
        n = texts[path][1].count(e.find)
        if n != 1:
            where = 'does not occur' if n == 0 else f'occurs {n} times'
            first = e.find.strip().splitlines()[0] if e.find.strip() else e.find
            raise MutantError(f'edit {j}: the find text {where} in {e.file} (it must occur '
                              f'exactly once; the mutant is stale): "{first.strip()}"')
        texts[path][1] = texts[path][1].replace(e.find, e.replace, 1)
    return {p: tuple(t) for p, t in texts.items()}


def validate(mutant, root=ROOT):
    """Every problem of one mutant against the tree at root ([] = valid)."""
    problems = list(mutant.problems)
    try:
        apply_edits(mutant, root)
    except MutantError as e:
        problems.append(str(e))
    return problems


def load_all(root=ROOT, manifest=None):
    """(manifest, [Mutant] in manifest stage order).  Raises MutantError
    for a file of an unknown stage or one that is not TOML."""
    manifest = manifest or labs.load(os.path.join(root, 'grade', 'manifest.toml'))
    d = os.path.join(root, MUTANT_DIR)
    files = sorted(f for f in os.listdir(d) if f.endswith('.toml')) if os.path.isdir(d) else []
    by_stage = {}
    for f in files:
        ms = parse_file(os.path.join(d, f), manifest, root)
        by_stage[f[:-len('.toml')]] = ms
    out = []
    for s in manifest.stages:
        out.extend(by_stage.get(s.name, []))
    return manifest, out


# ---- running --------------------------------------------------------------

@dataclasses.dataclass
class Outcome:
    mutant: Mutant
    arch: str
    kind: str                   # 'killed', 'survived', 'error'
    detail: str = ''            # killed: "test_x: check"; error: why
    kills: int = 0              # runs that killed it (of mutant.repeat)
    runs: int = 0
    seconds: float = 0.0

    def result(self):
        m = self.mutant
        if self.kind == 'error':
            return f'ERROR: {self.detail}'
        rep = f' ({self.kills}/{self.runs} runs)' if m.repeat > 1 else ''
        if m.equivalent:
            if self.kind == 'killed':
                return f'equivalent (yet killed by {self.detail}){rep}'
            return 'equivalent'
        if self.kind == 'killed':
            return f'killed by {self.detail}{rep}'
        if self.kills:
            return f'SURVIVED (run {self.runs} of {m.repeat} passed; killed before by {self.detail})'
        return 'SURVIVED'

    @property
    def bad(self):
        return self.kind == 'error' or (self.kind == 'survived' and not self.mutant.equivalent)


def clean_env():
    env = {k: v for k, v in os.environ.items()
           if k not in ('TEST', 'LAB', 'ARCH', 'MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES',
                        'JUNIT', 'RESULTS', 'FORMAT', 'OUT', 'JOBS', 'SAMPLE')}
    return env


def source_files(root):
    """The files of the source tree: tracked and untracked, not ignored."""
    r = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                       cwd=root, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f'git ls-files failed: {r.stderr.strip()}')
    return [f for f in r.stdout.split('\0') if f and os.path.isfile(os.path.join(root, f))]


def make_tree(tree, arches):
    """A copy of the source tree with the reference build products of arches.
    copy2 keeps the time stamps, so make finds everything up to date."""
    shutil.rmtree(tree, ignore_errors=True)
    for f in source_files(ROOT):
        dst = os.path.join(tree, f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, f), dst, follow_symlinks=False)
    # The debug kernels too: test_cow_race boots one (grade/harness.py).
    for sub in tuple(arches) + tuple(a + '-debug' for a in arches) + ('host',):
        src = os.path.join(ROOT, 'build', sub)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(tree, 'build', sub), symlinks=True)


PROC_HEADER = re.compile(r'^PID PPID STATE CPU NAME WAIT$')
PROC_ROW = re.compile(r'^(\d+) (\d+) (\w+) (-?\d+) (\S+) ?(\S*)$')
NOT_THE_TEST = ('init', 'reaper', 'sh')


def stuck(lines):
    """From a time-out's process list (the kernel's Ctrl-P, in the report):
    what the test's processes were doing, e.g. 'ppwaittest asleep on
    ppwait'.  Where a hung process sleeps is usually the mistake."""
    try:
        start = next(i for i, l in enumerate(lines) if PROC_HEADER.match(l)) + 1
    except StopIteration:
        return ''
    seen = []
    for l in lines[start:]:
        m = PROC_ROW.match(l)
        if not m:
            break
        name, state, wait = m.group(5), m.group(3), m.group(6)
        if name in NOT_THE_TEST:
            continue
        what = f'{name} asleep on {wait}' if state == 'sleep' and wait else f'{name} {state}'
        if what not in seen:
            seen.append(what)
    return ', '.join(seen[:3])


def first_failure_line(message):
    lines = [' '.join(l.split()) for l in (message or '').splitlines() if l.strip()]
    for l in lines:
        if l.startswith('FAILED check'):
            return l[len('FAILED '):]
    for l in lines:
        if l.startswith('MISSING check'):
            return l
    if not lines:
        return '(no message)'
    # A time-out: say where the test's processes were stuck.
    if 'time-out' in lines[0] and stuck(lines):
        return f'{lines[0]}; stuck: {stuck(lines)}'
    # "FAILED: what" of a test that is not TAP: add the panic or what it got.
    for l in lines[1:4]:
        if l.startswith(('KERNEL PANIC:', 'got:')):
            return f'{lines[0]}; {l}'
    return lines[0]


def junit_kill(path, stage):
    """'test_x[...]: check' for the first failed test of stage, or None."""
    for tc in ET.parse(path).iter('testcase'):
        name = tc.get('name', '')
        if not stage.matches(name.split('[', 1)[0]):
            continue
        for c in tc:
            if c.tag in ('failure', 'error'):
                msg = (c.text or '') or c.get('message', '')
                return f'{name}: {first_failure_line(msg)}'
    return None


def build_errors(out):
    lines = out.rstrip().splitlines()
    errs = [l for l in lines if 'error:' in l or 'undefined reference' in l]
    return (errs or lines[-3:] or ['(no output)'])[0].strip()


def run_one(tree, mutant, stage, arch, grade_jobs, logdir):
    """Apply, build, grade (repeat times), restore.  An Outcome."""
    t0 = time.monotonic()
    env = clean_env()
    try:
        texts = apply_edits(mutant, tree)
    except MutantError as e:
        return Outcome(mutant, arch, 'error', f'does not apply: {e}')
    log = os.path.join(logdir, f'{mutant.stage}.{mutant.name}.{arch}.log')
    try:
        for p, (_, new) in texts.items():
            with open(os.path.join(tree, p), 'w', encoding='utf-8') as f:
                f.write(new)
        r = subprocess.run(['make', '-C', tree, '--no-print-directory', f'-j{grade_jobs}',
                            f'ARCH={arch}', 'all'], capture_output=True, text=True, env=env)
        with open(log, 'w') as f:
            f.write(r.stdout + r.stderr)
        if r.returncode != 0:
            return Outcome(mutant, arch, 'error', f'does not build on {arch}: '
                           f'{build_errors(r.stdout + r.stderr)} (log: {os.path.relpath(log, ROOT)})',
                           seconds=time.monotonic() - t0)
        kills, first = 0, None
        for i in range(mutant.repeat):
            junit = os.path.join(tree, 'mutant.xml')
            if os.path.exists(junit):
                os.unlink(junit)
            g = subprocess.run([PYTHON, 'grade/grade.py', '--no-build', '--arch', arch,
                                '--lab', mutant.stage, '-j', str(grade_jobs), '--junit', junit],
                               cwd=tree, capture_output=True, text=True, env=env)
            with open(log, 'a') as f:
                f.write(f'\n==== grade run {i + 1} of {mutant.repeat} ====\n{g.stdout}{g.stderr}')
            if not os.path.exists(junit):
                tail = (g.stdout + g.stderr).strip().splitlines()[-1:] or ['(no output)']
                return Outcome(mutant, arch, 'error', f'the grader wrote no results: {tail[0]} '
                               f'(log: {os.path.relpath(log, ROOT)})', seconds=time.monotonic() - t0)
            k = junit_kill(junit, stage)
            if k is not None:
                kills += 1
                first = first or k
            else:
                # One run it survived is enough: it is not killed reliably.
                runs = i + 1
                break
        else:
            runs = mutant.repeat
        kind = 'killed' if kills == mutant.repeat else 'survived'
        return Outcome(mutant, arch, kind, first or '', kills, runs, time.monotonic() - t0)
    finally:
        # Restore, with a time stamp newer than the mutant's objects, so the
        # next build recompiles the reference code.
        now = time.time()
        for p, (orig, _) in texts.items():
            full = os.path.join(tree, p)
            with open(full, 'w', encoding='utf-8') as f:
                f.write(orig)
            os.utime(full, (now + 1, now + 1))


def head_hash():
    r = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=ROOT, capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else 'no-git'


def sample(mutants, k, seed_text):
    """k mutants, the same for the same commit, others for the next one."""
    if k >= len(mutants):
        return list(mutants)
    seed = int(hashlib.sha256(seed_text.encode()).hexdigest(), 16)
    picked = set(id(m) for m in random.Random(seed).sample(mutants, k))
    return [m for m in mutants if id(m) in picked]


# ---- reports --------------------------------------------------------------

def stage_totals(outcomes):
    """{stage: (mutants, killed, equivalent, survived, errors)} by mutant
    (a mutant counts as killed only if it is killed on every port it ran on)."""
    per = {}
    for o in outcomes:
        per.setdefault(o.mutant.stage, {}).setdefault(o.mutant.name, []).append(o)
    out = {}
    for stage, ms in per.items():
        n = len(ms)
        eq = sum(1 for os_ in ms.values() if os_[0].mutant.equivalent)
        err = sum(1 for os_ in ms.values() if any(o.kind == 'error' for o in os_))
        killed = sum(1 for os_ in ms.values() if not os_[0].mutant.equivalent
                     and all(o.kind == 'killed' for o in os_))
        out[stage] = (n, killed, eq, n - killed - eq - err, err)
    return out


def print_table(outcomes, order):
    rows = [(o.mutant.stage, o.mutant.name, o.arch, o.result()) for o in outcomes]
    w = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(('stage', 'mutant', 'arch'))]
    print(f'{"stage":{w[0]}}  {"mutant":{w[1]}}  {"arch":{w[2]}}  result')
    for r in rows:
        print(f'{r[0]:{w[0]}}  {r[1]:{w[1]}}  {r[2]:{w[2]}}  {r[3]}')
    print()
    tot = stage_totals(outcomes)
    for s in order:
        if s in tot:
            n, k, e, sv, er = tot[s]
            print(f'mutants {s:16} {n:3} mutants: {k} killed, {e} equivalent, '
                  f'{sv} survived, {er} errors')


def md_escape(s):
    return s.replace('|', '\\|').replace('\n', ' ')


TABLE_HEAD = """\
# Mutation testing: the kill tables

Generated by `tools/mutants.py --table docs/labs/mutants.md` (`make mutants`);
do not edit by hand.  A *mutant* is a plausible wrong solution of a stage
(tools/mutants/<stage>.toml); each row says which test, and which of its
checks, fails on it.  A mutant marked equivalent behaves as correct code
does, for the reason given.  Race mutants (`repeat`) are killed in every one
of their runs.
"""


def write_table(path, outcomes, order):
    """Rewrite the sections of the stages in outcomes; keep the others."""
    old = {}
    if os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        for m in re.finditer(r'<!-- stage (\S+) -->\n(.*?)<!-- end stage \1 -->\n', text, re.S):
            old[m.group(1)] = m.group(2)
    tot = stage_totals(outcomes)
    by_stage = {}
    for o in outcomes:
        by_stage.setdefault(o.mutant.stage, []).append(o)
    for s, os_ in by_stage.items():
        n, k, e, sv, er = tot[s]
        lines = [f'## {s}', '',
                 f'<!-- summary {s} {n} {k} {e} {sv} {er} -->',
                 f'{n} mutants: {k} killed, {e} equivalent'
                 + (f', {sv} SURVIVED' if sv else '') + (f', {er} ERRORS' if er else '') + '.', '',
                 '| mutant | mistake | arch | result |', '|---|---|---|---|']
        for o in os_:
            m = o.mutant
            mistake = m.mistake + (f' *(equivalent: {m.equivalent})*' if m.equivalent else '')
            lines.append(f'| {m.name} | {md_escape(mistake)} | {o.arch} | {md_escape(o.result())} |')
        old[s] = '\n'.join(lines) + '\n\n'
    out = [TABLE_HEAD, '| stage | mutants | killed | equivalent | survived | errors |',
           '|---|---|---|---|---|---|']
    for s in order:
        if s in old:
            m = re.search(r'<!-- summary \S+ (\d+) (\d+) (\d+) (\d+) (\d+) -->', old[s])
            if m:
                out.append(f'| {s} | ' + ' | '.join(m.groups()) + ' |')
    out.append('')
    for s in order:
        if s in old:
            out.append(f'<!-- stage {s} -->\n{old[s]}<!-- end stage {s} -->')
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out).rstrip('\n') + '\n')


# ---- main -----------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--stage', action='append', default=[],
                    help='only these stages or assignments (default: every stage with mutants)')
    ap.add_argument('--mutant', action='append', default=[], metavar='[STAGE/]NAME',
                    help='only these mutants')
    ap.add_argument('--arch', default='all')
    ap.add_argument('--jobs', type=int, default=2, help='mutants graded at once (default 2)')
    ap.add_argument('--sample', type=int, default=None, metavar='K',
                    help='only K mutants, chosen from the HEAD commit')
    ap.add_argument('--table', metavar='FILE', help='write the Markdown kill table here')
    ap.add_argument('--keep', action='store_true', help='keep the work trees under build/mutants')
    ap.add_argument('--work', default=WORK, metavar='DIR',
                    help=f'where the work trees and logs go (default {WORK})')
    ap.add_argument('--list', action='store_true', help='validate and list the mutants, then exit')
    a = ap.parse_args(argv)

    try:
        manifest, mutants = load_all()
        arches = labs.parse_arches(a.arch)
        wanted = None
        if a.stage:
            wanted = {s.name for name in a.stage for x in name.split(',') if x
                      for s in manifest.select(x)}
    except (MutantError, labs.SelectionError, labs.ManifestError) as e:
        print(f'mutants: {e}', file=sys.stderr)
        return 2
    order = [s.name for s in manifest.stages]
    if wanted is not None:
        mutants = [m for m in mutants if m.stage in wanted]
    if a.mutant:
        mutants = [m for m in mutants if m.name in a.mutant or m.label in a.mutant]
    invalid = [(m, validate(m)) for m in mutants]
    invalid = [(m, p) for m, p in invalid if p]
    for m, probs in invalid:
        for p in probs:
            print(f'mutants: {m.source}: mutant {m.name}: {p}', file=sys.stderr)
    bad = {id(m) for m, _ in invalid}
    if a.sample is not None:
        mutants = sample(mutants, a.sample, head_hash())
    tasks = [(m, arch) for m in mutants for arch in m.arches if arch in arches]
    if a.list:
        for m, arch in tasks:
            print(f'{m.stage:16} {m.name:28} {arch:7} {m.mistake}')
        return 1 if invalid else 0
    if not tasks:
        print('mutants: nothing to run' + (' (no mutant files)' if not mutants else ''))
        return 1 if invalid else 0

    t0 = time.time()
    need = sorted({arch for _, arch in tasks}, key=labs.ARCHES.index)
    for arch in need:
        r = subprocess.run(['make', '-C', ROOT, '--no-print-directory', f'-j{max(a.jobs, 2)}',
                            f'ARCH={arch}', 'all'], capture_output=True, text=True, env=clean_env())
        if r.returncode != 0:
            print(f'mutants: the reference tree does not build on {arch}:\n'
                  + (r.stdout + r.stderr)[-2000:], file=sys.stderr)
            return 2
    jobs = max(1, min(a.jobs, len(tasks)))
    grade_jobs = max(1, (os.cpu_count() or 2) // jobs)
    work = os.path.join(ROOT, a.work)
    logdir = os.path.join(work, 'logs')
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(logdir, exist_ok=True)
    print(f'mutants: {len(tasks)} runs ({len({id(m) for m, _ in tasks})} mutants) on '
          f'{", ".join(need)}, {jobs} at a time', flush=True)

    q = queue.Queue()
    for i, t in enumerate(tasks):
        q.put((i, t))
    results = [None] * len(tasks)
    lock = threading.Lock()

    def worker(n):
        tree = os.path.join(work, f'w{n}')
        made = False
        while True:
            try:
                i, (m, arch) = q.get_nowait()
            except queue.Empty:
                break
            if id(m) in bad:
                o = Outcome(m, arch, 'error', '; '.join(p for mm, ps in invalid if mm is m
                                                         for p in ps))
            else:
                if not made:
                    make_tree(tree, need)
                    made = True
                o = run_one(tree, m, manifest.stage(m.stage), arch, grade_jobs, logdir)
            results[i] = o
            with lock:
                print(f'  {m.stage}/{m.name} {arch}: {o.result()} ({o.seconds:.0f} s)', flush=True)
        if made and not a.keep:
            shutil.rmtree(tree, ignore_errors=True)

    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        for f in [ex.submit(worker, n) for n in range(jobs)]:
            f.result()
    print()
    print_table(results, order)
    if a.table:
        write_table(a.table, results, order)
        print(f'kill table: {a.table}')
    nbad = sum(1 for o in results if o.bad)
    print(f'mutants: {len(results) - nbad}/{len(results)} runs killed or equivalent '
          f'in {time.time() - t0:.0f} s')
    return 1 if nbad else 0


if __name__ == '__main__':
    sys.exit(main())
