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
no --lab, every stage is a starter.  Markers never reach the output.  The
output is a git repository with one commit.  --check only validates the
markers of the reference tree (every BEGIN has an END, names a stage of the
manifest, no nesting), the marker policy (tools/markers.py), and prints a
summary.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'grade'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))

MARKER = re.compile(r'^\s*(?:/\*|//|#)\s*SOLUTION (BEGIN|ELSE|END) ([A-Za-z0-9_-]+)\b.*$')
STARTER = re.compile(r'^(\s*)(?://>|#>) ?(.*)$')

# Files the generator never copies into a handout.
SKIP_PREFIXES = ('build/', '.ci/', 'tools/handout.py', 'tools/selfcheck.py')


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


def transform(path, lines, starter_stages, known):
    """Return the handout text of one file and the stages it mentions."""
    out, seen = [], set()
    state, stage, begin_line = None, None, 0
    for n, line in enumerate(lines, 1):
        m = MARKER.match(line)
        if m:
            kind, name = m.group(1), m.group(2)
            if known is not None and name not in known:
                raise MarkerError(f'{path}:{n}: unknown stage "{name}" (not in grade/manifest.toml)')
            if kind == 'BEGIN':
                if state is not None:
                    raise MarkerError(f'{path}:{n}: SOLUTION BEGIN {name} inside {stage} (line {begin_line}); markers do not nest')
                state, stage, begin_line = 'solution', name, n
                seen.add(name)
            elif kind == 'ELSE':
                if state != 'solution' or name != stage:
                    raise MarkerError(f'{path}:{n}: SOLUTION ELSE {name} without a matching BEGIN')
                state = 'starter'
            else:
                if state is None or name != stage:
                    raise MarkerError(f'{path}:{n}: SOLUTION END {name} without a matching BEGIN')
                state = None
            continue
        if state is None:
            out.append(line)
        elif state == 'solution':
            if stage not in starter_stages:
                out.append(line)
        else:
            s = STARTER.match(line)
            if not s:
                raise MarkerError(f'{path}:{n}: starter line of {stage} must start with //> or #>')
            if stage in starter_stages:
                out.append(s.group(1) + s.group(2) + ('\n' if line.endswith('\n') else ''))
    if state is not None:
        raise MarkerError(f'{path}:{begin_line}: SOLUTION BEGIN {stage} has no END')
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
            if not f.startswith(SKIP_PREFIXES) and f not in hidden
            and os.path.isfile(os.path.join(ROOT, f))]


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--lab')
    ap.add_argument('--out')
    ap.add_argument('--check', action='store_true')
    a = ap.parse_args()
    order, assignments, _ = load_stages()
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
    except MarkerError as e:
        sys.exit(f'handout: {e}')
    broken = policy_violations()
    if broken:
        sys.exit('handout: the marker policy is broken (docs/labs/README.md, '
                 '"Marker policy"):\n  ' + '\n  '.join(broken))
    if a.check:
        for s in order:
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
