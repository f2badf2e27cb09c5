"""The mutant files (tools/mutants/<stage>.toml) and tools/mutants.py.

Fast: nothing is booted and only the broken-build case compiles (one tiny
file).  Every mutant must apply to the current tree (each find text exactly
once), so an edit of a stage's solution that leaves a mutant stale fails
here, in make test-host, before anyone runs the slow make mutants.
"""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
sys.path.insert(0, os.path.join(ROOT, 'grade'))

import labs  # noqa: E402
import mutants  # noqa: E402  (tools/mutants.py)

# Stages whose code is large or subtle enough to need more wrong solutions
# (issue 21).
MORE = {'cow': 8, 'sharevm': 8, 'ptrace': 8, 'makecxt': 8, 'share-vmem': 8}
LEAST = 5


def _all():
    return mutants.load_all(ROOT)


def test_mutant_files_name_stages():
    """Every tools/mutants/*.toml names a stage of the manifest and parses."""
    manifest, ms = _all()        # raises MutantError otherwise
    assert all(manifest.stage(m.stage) is not None for m in ms)


def test_every_stage_has_its_mutants():
    """Every graded stage but core has at least 5 mutants (8 for the stages
    of MORE).  Stages whose mutants are still being written fail here, and
    only here."""
    manifest, ms = _all()
    short = []
    for s in manifest.active:
        if s.name == 'core':
            continue
        n = sum(1 for m in ms if m.stage == s.name)
        want = MORE.get(s.name, LEAST)
        if n < want:
            short.append(f'{s.name}: {n} mutants in tools/mutants/{s.name}.toml, want >= {want}')
    assert not short, 'stages without enough mutants:\n  ' + '\n  '.join(short)


def test_every_mutant_validates():
    """Names unique and well formed, a mistake said, arches the stage's,
    and every find text occurs exactly once in the current tree."""
    _, ms = _all()
    problems = [f'{m.source}: {m.name}: {p}' for m in ms for p in mutants.validate(m)]
    assert not problems, '\n'.join(problems)
    labels = [m.label for m in ms]
    assert len(labels) == len(set(labels))


def _manifest():
    return labs.load(os.path.join(ROOT, 'grade', 'manifest.toml'))


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


MUTANT = '''
[[mutant]]
name = "{name}"
mistake = "{mistake}"
{extra}
[[mutant.edit]]
file = "x.c"
find = """{find}"""
replace = """{replace}"""
'''


def _fake(tmp_path, x_c, find, replace='int y;', name='m', mistake='a mistake', extra=''):
    _write(str(tmp_path / 'x.c'), x_c)
    path = tmp_path / 'tools' / 'mutants' / 'ppwait.toml'
    _write(str(path), MUTANT.format(name=name, mistake=mistake, extra=extra, find=find,
                                    replace=replace))
    return mutants.parse_file(str(path), _manifest(), str(tmp_path))


def test_stale_mutant_find_absent(tmp_path):
    [m] = _fake(tmp_path, 'int x;\n', 'int z;')
    probs = mutants.validate(m, str(tmp_path))
    assert len(probs) == 1 and 'does not occur' in probs[0] and 'stale' in probs[0]


def test_stale_mutant_find_twice(tmp_path):
    [m] = _fake(tmp_path, 'int x;\nint x;\n', 'int x;')
    probs = mutants.validate(m, str(tmp_path))
    assert len(probs) == 1 and 'occurs 2 times' in probs[0]


def test_mutant_applies_once(tmp_path):
    [m] = _fake(tmp_path, 'int x;\nint w;\n', 'int x;')
    assert mutants.validate(m, str(tmp_path)) == []
    assert mutants.apply_edits(m, str(tmp_path)) == {'x.c': ('int x;\nint w;\n', 'int y;\nint w;\n')}


@pytest.mark.parametrize('extra, mistake, name, want', [
    ('arches = ["vax"]', 'a mistake', 'm', '"arches"'),
    ('repeat = 0', 'a mistake', 'm', '"repeat"'),
    ('equivalent = ""', 'a mistake', 'm', '"equivalent"'),
    ('', '', 'm', '"mistake"'),
    ('', 'a mistake', 'Bad_Name', '[a-z0-9-]+'),
    ('colour = 1', 'a mistake', 'm', 'unknown keys'),
])
def test_bad_mutant_fields(tmp_path, extra, mistake, name, want):
    [m] = _fake(tmp_path, 'int x;\n', 'int x;', extra=extra, mistake=mistake, name=name)
    assert any(want in p for p in mutants.validate(m, str(tmp_path))), m.problems


def test_duplicate_names(tmp_path):
    _write(str(tmp_path / 'x.c'), 'int x;\nint w;\n')
    one = MUTANT.format(name='same', mistake='m', extra='', find='int x;', replace='int y;')
    path = tmp_path / 'tools' / 'mutants' / 'ppwait.toml'
    _write(str(path), one + one.replace('int x;', 'int w;'))
    ms = mutants.parse_file(str(path), _manifest(), str(tmp_path))
    assert any('used twice' in p for p in ms[1].problems)


def test_unknown_stage_is_an_error(tmp_path):
    _write(str(tmp_path / 'tools' / 'mutants' / 'no-such-stage.toml'), '')
    with pytest.raises(mutants.MutantError, match='no stage "no-such-stage"'):
        mutants.load_all(str(tmp_path), _manifest())


def test_mutant_that_does_not_build_is_an_error(tmp_path):
    """run_one builds before it grades: a compile error is the mutant's
    ERROR (never a kill), and the file is restored afterwards."""
    tree = tmp_path / 'tree'
    _write(str(tree / 'Makefile'), 'all:\n\tcc -Wall -Werror -c -o /dev/null x.c\n')
    _write(str(tree / 'x.c'), 'int f(void) { return 1; }\n')
    m = mutants.Mutant('ppwait', 'unused', 'an unused variable', [
        mutants.Edit('x.c', 'return 1;', 'int unused; return 1;')], ('x86_64',))
    o = mutants.run_one(str(tree), m, _manifest().stage('ppwait'), 'x86_64', 1, str(tmp_path))
    assert o.kind == 'error' and 'does not build' in o.detail, o.detail
    assert o.bad and o.result().startswith('ERROR')
    assert (tree / 'x.c').read_text() == 'int f(void) { return 1; }\n'
    # A stale mutant does not even reach the build.
    m.edits = [mutants.Edit('x.c', 'return 2;', 'return 3;')]
    o = mutants.run_one(str(tree), m, _manifest().stage('ppwait'), 'x86_64', 1, str(tmp_path))
    assert o.kind == 'error' and 'does not apply' in o.detail


JUNIT = '''<?xml version="1.0"?>
<testsuites><testsuite>
<testcase classname="test_core" name="test_boot_banner[x86_64]"><failure message="m">boom</failure></testcase>
<testcase classname="test_fork1" name="test_ppwait_ktest[x86_64]"/>
<testcase classname="test_fork1" name="test_ppwait[x86_64-cpus1]"><failure message="x">/bin/ppwaittest: 7/8 checks passed
FAILED check 4 - a vfork child killed while the parent waits releases the parent
    expected: ok 4
</failure></testcase>
</testsuite></testsuites>
'''


def test_junit_kill_names_the_stage_test_and_check(tmp_path):
    p = tmp_path / 'j.xml'
    p.write_text(JUNIT)
    kill = mutants.junit_kill(str(p), _manifest().stage('ppwait'))
    assert kill == ('test_ppwait[x86_64-cpus1]: check 4 - a vfork child killed while the '
                    'parent waits releases the parent')
    # Another stage's failure is no kill of this one.
    assert mutants.junit_kill(str(p), _manifest().stage('idle')) is None


def test_time_out_kill_says_where_it_was_stuck():
    """A mutant killed by a time-out: the table says where the test's
    processes slept (a lost wakeup shows as a parent asleep on ppwait)."""
    msg = """FAILED: time-out: `/bin/ppwaittest` did not finish within 12 s (x86_64, CPUS=1); QEMU was killed
  expected: init: ... exited with status N, then power-off
  got:      no power-off (a hang, a deadlock, or a very slow loop?)
  processes when the time ran out (the kernel's Ctrl-P list; WAIT is what a sleeping process waits for):
      PID  PPID STATE   CPU NAME             WAIT
        1     0 sleep    -1 init             wait
        2     0 sleep    -1 reaper           reaper
        3     1 sleep    -1 ppwaittest       ppwait
        4     3 zomb     -1 ppwaittest
  time limit: 12 s = (10 s + 4 x 0.5 s, what the solution takes); grade/costs.toml
"""
    line = mutants.first_failure_line(msg)
    assert line.endswith('; stuck: ppwaittest asleep on ppwait, ppwaittest zomb'), line
    assert line.startswith('FAILED: time-out: `/bin/ppwaittest`')
    # No process list: the line is as before.
    assert mutants.first_failure_line(msg.split('  processes')[0]).endswith(
        '; got: no power-off (a hang, a deadlock, or a very slow loop?)')


def test_repeat_and_equivalent_verdicts():
    m = mutants.Mutant('ppwait', 'r', 'race', [], ('x86_64',), repeat=10)
    assert mutants.Outcome(m, 'x86_64', 'survived', 'test_x: c', 9, 10).bad
    assert not mutants.Outcome(m, 'x86_64', 'killed', 'test_x: c', 10, 10).bad
    e = mutants.Mutant('ppwait', 'e', 'same', [], ('x86_64',), equivalent='why')
    o = mutants.Outcome(e, 'x86_64', 'survived')
    assert not o.bad and o.result() == 'equivalent'


def test_sample_rotates_with_the_commit():
    ms = [mutants.Mutant('ppwait', f'm{i}', 'x', [], ('x86_64',)) for i in range(20)]
    a = mutants.sample(ms, 3, 'commit-a')
    assert [m.name for m in a] == [m.name for m in mutants.sample(ms, 3, 'commit-a')]
    assert len(a) == 3
    assert any([m.name for m in mutants.sample(ms, 3, f'c{i}')] != [m.name for m in a]
               for i in range(5))


def test_tool_lists_the_mutants():
    r = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'mutants.py'), '--list',
                        '--stage', 'ppwait'], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert 'if-not-while' in r.stdout


def test_no_marker_lines_in_mutant_files():
    """A find text must not quote a SOLUTION or MAINTAINER marker line:
    batch grading (grade/batch.py) takes a file with markers for a
    student's file, and a marker is not the code a mutant changes."""
    import re
    marker = re.compile(r'^\s*(?:/\*|//|#)\s*(?:SOLUTION|MAINTAINER) (?:BEGIN|ELSE|END)\b')
    d = os.path.join(ROOT, 'tools', 'mutants')
    bad = [f'{f}:{n}' for f in sorted(os.listdir(d)) if f.endswith('.toml')
           for n, l in enumerate(open(os.path.join(d, f)), 1) if marker.match(l)]
    assert not bad, 'marker lines in mutant files: ' + ', '.join(bad)
