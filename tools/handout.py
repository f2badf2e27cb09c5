#!/usr/bin/env python3
"""Make a student starter tree from the reference tree.

    handout.py --out DIR [--lab STAGE_OR_ASSIGNMENT] [--check]

Solution code is fenced by marker lines that name a stage (docs/labs/README.md):

    /* SOLUTION BEGIN fork-stats: count forks by kind */
    forkstat.fs_fork++;
    /* SOLUTION ELSE fork-stats */
    //> /* TODO(fork-stats): count this fork. */
    /* SOLUTION END fork-stats */

In Python, shell and Makefiles the same markers start with '#', and starter
lines with '#>'.  A starter line is the marker's indentation, '//>' (or
'#>'), one optional space, and the starter text; the handout keeps the
indentation and the text.

The stages of --lab and every later stage (in grade/manifest.toml order) are
replaced by their starter code; earlier stages keep their solutions.  With
no --lab, every stage is a starter.

What only the reference tree needs (its own make targets, tests of tools a
handout does not have) is fenced the same way, with no stage name, and the
handout always gets the ELSE part (if any):

    # MAINTAINER BEGIN: why
    $(MAKE) selfcheck
    # MAINTAINER ELSE
    #> (what the handout has instead)
    # MAINTAINER END

Whole files that never go to a handout are DROP below.  A handout gets its
own README.md (tools/handout-README.md filled in for the lab) and a file
.aqua6-lab naming the lab, which `make handin` records.

Markers never reach the output.  The output is a git repository with one
commit.  --check only validates the markers of the reference tree (every
BEGIN has an END, SOLUTION names a stage of the manifest, no nesting) and
the marker policy (tools/markers.py), and prints a summary.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'grade'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))

import handin  # noqa: E402  (grade/handin.py: the name of the lab file)

MARKER = re.compile(r'^\s*(?:/\*|//|#)\s*SOLUTION (BEGIN|ELSE|END) ([A-Za-z0-9_-]+)\b.*$')
MAINTAINER = re.compile(r'^\s*(?:/\*|//|#)\s*MAINTAINER (BEGIN|ELSE|END)\b.*$')
STARTER = re.compile(r'^(\s*)(?://>|#>) ?(.*)$')
# The name under which --check lists the files with MAINTAINER fences (not
# a possible stage name).
MAINT = '(maintainer)'

# What never goes to a handout (a path, or a directory ending in '/'), and
# why.  THE list: grade/batch.py reads it too (a file no student ever gets
# cannot be a student's file).  Kept, because the student's own commands
# use them: the grader, its tests and limits (grade/), handin, the host
# tests of all that, bench, fuzz, crashtest, witness and stress (students
# may run them), the Dockerfile and dev container, docs/ARCHITECTURE.md,
# PERFORMANCE.md, RELIABILITY.md, the lab handouts and the man pages.
DROP = {
    'build/': 'build products',
    '.ci/': "the reference tree's CI: make test with the self-check",
    'README.md': 'the maintainers\' README; the handout gets its own (README_TEMPLATE)',
    'docs/INSTRUCTORS.md': 'batch grading, hidden tests, the defences: for instructors',
    'docs/labs/README.md': 'how to write a lab: markers, this generator, the self-check',
    'docs/github-actions.yml': 'a workflow the instructor copies into the handout repository',
    'docs/github-classroom.yml': 'the same, for GitHub Classroom',
    'tools/handout.py': 'this generator',
    'tools/handout-README.md': "the template of the handout's README",
    'tools/markers.py': "the marker policy this generator enforces on the reference tree",
    'grade/host/test_markers.py': 'tests of the marker policy (it imports this generator)',
    'tools/selfcheck.py': 'proves every stage fails on its starter code: needs the solutions',
    'tools/fencecov.py': "which solution fences each test reaches (the self-check's selection)",
    'grade/host/test_selfcheck.py': 'tests of the self-check and of tools/fencecov.py',
    'tools/mutants.py': 'applies plausible wrong solutions to the reference solutions (make mutants)',
    'tools/mutants/': 'the mutants: each is a reference solution with a mistake in it',
    'grade/host/test_mutants.py': 'tests of the mutant files and of tools/mutants.py',
    'tools/costs.py': "measures the reference solutions' test times into grade/costs.toml",
    'tools/gslimits.py': "the Gradescope zip inside Gradescope's container limits",
    'tools/freshchroot.sh': "a fresh Debian running the reference tree's make test",
    'grade/batch.py': 'grades many submissions with the pristine grader',
    'grade/gradescope.py': 'builds the Gradescope autograder zip',
    'grade/host/test_batch.py': 'tests of batch grading and the Gradescope zip',
    'grade/host/test_batch_e2e.py': 'the same, end to end (make test-batch)',
    'grade/host/test_diff_report.py': "tests of batch grading's diff report",
    'grade/host/test_forgery.py': 'forged consoles score 0 in batch grading (make forgery)',
    'grade/host/forgers/': 'the forged kernels of test_forgery.py',
    'grade/host/fixtures/': "tools/gslimits.py's kernel that hangs",
    'grade/host/test_handout_tree.py': 'tests of this generator',
}
SKIP_PREFIXES = tuple(DROP)
# Of those, the ones that hold solution code without markers (a mutant is a
# reference solution with a mistake in it): batch grading leaves them out of
# its overlay and of the Gradescope zip too (grade/batch.py).
HOLDS_SOLUTIONS = ('tools/mutants/',)
assert all(p in DROP for p in HOLDS_SOLUTIONS)
README_TEMPLATE = os.path.join(ROOT, 'tools', 'handout-README.md')


def load_stages():
    """Stage names in manifest order, and assignment -> stages."""
    import tomllib
    with open(os.path.join(ROOT, 'grade', 'manifest.toml'), 'rb') as f:
        m = tomllib.load(f)
    stages = [s for s in m.get('stage', [])]
    order = [s['name'] for s in stages]
    assignments = {}
    for s in stages:
        a = s.get('assignment')
        if a:
            assignments.setdefault(a, []).append(s['name'])
    return order, assignments, stages


class MarkerError(Exception):
    pass


def transform(path, lines, starter_stages, known, fences=None):
    """Return the handout text of one file and the stages it mentions (MAINT
    for a MAINTAINER fence).  A MAINTAINER fence is a SOLUTION fence whose
    starter side the handout always gets; the two never nest.
    fences: a list to append (stage, BEGIN line, END line) to, for each
    fence (the self-check's coverage, tools/fencecov.py)."""
    out, seen = [], set()
    state, stage, begin_line = None, None, 0
    for n, line in enumerate(lines, 1):
        m = MARKER.match(line)
        if m:
            kind, name = m.group(1), m.group(2)
            what = f'SOLUTION {kind} {name}'
            if known is not None and name not in known:
                raise MarkerError(f'{path}:{n}: unknown stage "{name}" (not in grade/manifest.toml)')
        else:
            m = MAINTAINER.match(line)
            if m:
                kind, name = m.group(1), MAINT
                what = f'MAINTAINER {kind}'
        if m:
            if kind == 'BEGIN':
                if state is not None:
                    raise MarkerError(f'{path}:{n}: {what} inside the fence of line {begin_line}; '
                                      'markers do not nest')
                state, stage, begin_line = 'solution', name, n
                seen.add(name)
            elif kind == 'ELSE':
                if state != 'solution' or name != stage:
                    raise MarkerError(f'{path}:{n}: {what} without a matching BEGIN')
                state = 'starter'
            else:
                if state is None or name != stage:
                    raise MarkerError(f'{path}:{n}: {what} without a matching BEGIN')
                if fences is not None:
                    fences.append((stage, begin_line, n))
                state = None
            continue
        starter = stage == MAINT or stage in starter_stages
        if state is None:
            out.append(line)
        elif state == 'solution':
            if not starter:
                out.append(line)
        else:
            s = STARTER.match(line)
            if not s:
                raise MarkerError(f'{path}:{n}: starter line of {stage} must start with //> or #>')
            if starter:
                out.append(s.group(1) + s.group(2) + ('\n' if line.endswith('\n') else ''))
    if state is not None:
        what = 'MAINTAINER BEGIN' if stage == MAINT else f'SOLUTION BEGIN {stage}'
        raise MarkerError(f'{path}:{begin_line}: {what} has no END')
    return ''.join(out), seen


def hidden_files():
    """Files of hidden tests (a stage's hidden_files in the manifest): never
    in a handout; batch grading (grade/batch.py) lays them over submissions."""
    return {f for s in load_stages()[2] for f in s.get('hidden_files', [])}


def tracked_files():
    r = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], cwd=ROOT,
                       capture_output=True, text=True, check=True)
    hidden = hidden_files()
    return [f for f in r.stdout.splitlines()
            if not dropped(f) and f not in hidden and os.path.isfile(os.path.join(ROOT, f))]


def dropped(f):
    return any(f == d or (d.endswith('/') and f.startswith(d)) for d in DROP)


def is_text(path):
    with open(path, 'rb') as f:
        return b'\0' not in f.read(8192)


def resolve(lab, order, assignments):
    """The stages that become starters for --lab."""
    if lab is None:
        return set(order)
    if lab in order:
        first = order.index(lab)
    elif lab in assignments:
        first = min(order.index(s) for s in assignments[lab])
    else:
        sys.exit(f'handout: unknown LAB "{lab}". Stages: {", ".join(order)}. '
                 f'Assignments: {", ".join(sorted(assignments))}.')
    return set(order[first:])


def read_tree(starters, known):
    """Every file of the handout: [(path, source, text or None for a copied
    file)], and {stage: [files that hold its markers]}."""
    per_stage = {}
    results = []
    for f in tracked_files():
        src = os.path.join(ROOT, f)
        # Markdown (the handouts, docs/labs/README.md) shows markers as
        # examples: it is documentation, never fenced solution code.
        if is_text(src) and not f.endswith('.md'):
            with open(src, encoding='utf-8', errors='surrogateescape') as fh:
                lines = fh.readlines()
            text, seen = transform(f, lines, starters, known)
            for s in seen:
                per_stage.setdefault(s, []).append(f)
        else:
            text = None
        results.append((f, src, text))
    return results, per_stage


def policy_violations():
    """The marker policy's violations in the reference tree (tools/markers.py)."""
    import markers
    order, _, _ = load_stages()
    files = {}
    for f in tracked_files():
        src = os.path.join(ROOT, f)
        if f.endswith('.md') or not is_text(src):
            continue
        with open(src, encoding='utf-8', errors='surrogateescape') as fh:
            files[f] = fh.read()
    return markers.check(files, order)


def marker_files():
    """{stage: sorted files holding its SOLUTION markers} for every stage of
    the manifest (an empty list for a stage without markers): what the
    manifest's `files` lists must say (grade/host/test_adapters.py)."""
    order, _, _ = load_stages()
    _, per_stage = read_tree(set(), set(order))
    return {s: sorted(per_stage.get(s, [])) for s in order}


def stage_line(s):
    import ports
    arches = s.get('arches', list(ports.names()))
    where = 'on each port' if len(arches) > 1 else f'on {arches[0]} only'
    return (f"* **{s['name']}**: {s.get('description', '')}.\n"
            f"  Handout: `{s['handout']}`. {s['points']} points {where}; "
            f"`make grade LAB={s['name']}` grades it.")


def names(stages):
    return ', '.join(f"`{s['name']}`" for s in stages)


def render_readme(lab, starters, stages):
    """The handout's README.md: tools/handout-README.md filled in for the
    lab.  The stages listed are the labs (those with a handout); `core` is
    the system they are built on."""
    labs = [s for s in stages if s.get('handout') and not s.get('planned')]
    if lab is None:
        work = [s for s in labs if s['name'] in starters]
        title = 'every lab'
    else:
        work = [s for s in labs if lab in (s['name'], s.get('assignment'))]
        title = f'the lab `{lab}`'
    done = [s for s in labs if s['name'] not in starters]
    later = [s for s in labs if s['name'] in starters and s not in work]
    context = []
    if done:
        context.append(f"The earlier stages ({names(done)}) are done for you: their code is in "
                       "the tree and their tests should pass.")
    if later:
        context.append(f"The later stages ({names(later)}) are starter code too: their tests "
                       "fail until you (or a later lab) do them.")
    fill = {'@TITLE@': title, '@LAB@': lab or 'all',
            '@WORK@': '\n'.join(stage_line(s) for s in work) or '(no graded stage)',
            '@CONTEXT@': textwrap.fill(' '.join(context), 76)}
    with open(README_TEMPLATE, encoding='utf-8') as f:
        text = f.read()
    for k, v in fill.items():
        text = text.replace(k, v)
    left = re.findall(r'@[A-Z_]+@', text)
    if left:
        raise MarkerError(f'{os.path.relpath(README_TEMPLATE, ROOT)}: unknown placeholders {left}')
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--lab')
    ap.add_argument('--out')
    ap.add_argument('--check', action='store_true')
    a = ap.parse_args()
    order, assignments, stages = load_stages()
    known = set(order)
    starters = resolve(a.lab, order, assignments)
    if not a.check and not a.out:
        sys.exit('handout: give --out DIR (or --check)')
    if a.out:
        out = os.path.abspath(a.out)
        if os.path.exists(out) and os.listdir(out):
            sys.exit(f'handout: {out} exists and is not empty')
    try:
        results, per_stage = read_tree(starters, known)
        readme = render_readme(a.lab, starters, stages)
    except MarkerError as e:
        sys.exit(f'handout: {e}')
    broken = policy_violations()
    if broken:
        sys.exit('handout: the marker policy is broken (docs/labs/README.md, '
                 '"Marker policy"):\n  ' + '\n  '.join(broken))
    if a.check:
        for s in order + [MAINT]:
            print(f'{s:16} {", ".join(sorted(per_stage.get(s, []))) or "(no markers)"}')
        return
    for f, src, text in results:
        dst = os.path.join(out, f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if text is None:
            shutil.copy2(src, dst)
        else:
            with open(dst, 'w', encoding='utf-8', errors='surrogateescape') as fh:
                fh.write(text)
            # A file the handout did not change keeps its time stamps, so a
            # build directory copied from the reference tree (the
            # self-check does that) recompiles only what the stage changed.
            with open(src, encoding='utf-8', errors='surrogateescape') as fh:
                unchanged = fh.read() == text
            if unchanged:
                shutil.copystat(src, dst)
            else:
                shutil.copymode(src, dst)
    # The student's README, and the lab's name for `make handin` to record.
    for name, text in (('README.md', readme), (handin.LAB_FILE, (a.lab or 'all') + '\n')):
        with open(os.path.join(out, name), 'w', encoding='utf-8') as fh:
            fh.write(text)
        results.append((name, None, text))
    label = a.lab or 'all stages'
    env = dict(os.environ, GIT_AUTHOR_NAME='aqua6', GIT_AUTHOR_EMAIL='aqua6@localhost',
               GIT_COMMITTER_NAME='aqua6', GIT_COMMITTER_EMAIL='aqua6@localhost')
    subprocess.run(['git', 'init', '-q', out], check=True)
    subprocess.run(['git', 'add', '-A'], cwd=out, check=True)
    subprocess.run(['git', 'commit', '-q', '-m', f'aqua6 handout: {label}'], cwd=out, check=True, env=env)
    print(f'handout: wrote {out} ({len(results)} files; starter code for: '
          f'{", ".join(s for s in order if s in starters) or "none"})')


if __name__ == '__main__':
    main()
