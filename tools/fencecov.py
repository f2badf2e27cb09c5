#!/usr/bin/env python3
"""Which solution fences each grader test reaches (for tools/selfcheck.py).

    fencecov.py [--arch all|x86_64|riscv] [--grade]

The self-check must show that, in the handout of stage s, the tests of
core and of every earlier stage still pass.  Starter code can only break a
test that runs it, so a test needs rerunning there only if, on the
reference tree, it executed code inside a fence of s or of a later stage
(those are the fences handout s replaces).  This module finds that out:

  1. the reference tree is graded once with AQUA_COVERAGE set
     (grade/qemu.py): QEMU logs every block of kernel code it translates,
     one log per boot.  A block is translated when execution first reaches
     it, so the logged pcs over-approximate what ran (the safe direction);
  2. addr2line -i maps each pc to its source lines, the lines of every
     function inlined there included (a fence that calls an inline
     function runs that function's lines, not its own);
  3. tools/handout.py's parser gives the fences' line ranges.

The result, {test: set of (file, line) it executed in fenced files, or
None = "assume everything"}, is cached in build/selfcheck/ under a hash of
the tracked sources and tests, so a second `make test` reuses it.

--grade: grade the reference tree that way now, the grader's report on
stdout and its exit status (0: full marks) ours: `make test` grades the
reference tree once, for the score and for the self-check's coverage.
"""
import argparse
import bisect
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'grade'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import backtrace  # noqa: E402  (grade/backtrace.py: the port's addr2line)
import handout    # noqa: E402  (the fence parser)
import labs       # noqa: E402
import limits     # noqa: E402  (grade/limits.py: how many QEMUs at once)

PYTHON = sys.executable
EVERYTHING = None        # a test whose coverage is unknown reaches every fence
# Bump when the format of the cache or the rules that fill it change.
CACHE_VERSION = 2


class CoverageError(Exception):
    """The coverage could not be computed (the self-check then runs --full)."""


# ---- fences ---------------------------------------------------------------------

def fences(root=ROOT):
    """[(stage, file, BEGIN line, END line)] of every SOLUTION fence, read
    with tools/handout.py's own parser."""
    out = []
    for stage, files in handout.marker_files().items():
        for f in files:
            with open(os.path.join(root, f), encoding='utf-8', errors='surrogateescape') as fh:
                lines = fh.readlines()
            found = []
            handout.transform(f, lines, set(), None, fences=found)
            out += [(s, f, b, e) for s, b, e in found if s == stage]
    return sorted(set(out))


def port_of(path):
    """The port whose directory holds path (arch/<port>/...), or None."""
    parts = path.split('/')
    return parts[1] if len(parts) > 2 and parts[0] == 'arch' else None


def fence_region(fence, code_lines, source, funcs=None):
    """The lines whose execution counts as reaching fence, or EVERYTHING.

    code_lines: the lines of the fence's file that have code in the
    kernel's line table; source: the file's lines; funcs: {line: the
    kernel functions holding its code} (guarded_region()), if known.

    A fence whose starter is empty and whose solution is one `if (cond)
    body` is reached only by running its body (guarded_region()).

    A fence with code: its lines plus the nearest line with code on each
    side in the same function.  -O2 moves instructions across neighbouring
    statements (a store sunk into the next statement, a load hoisted into
    the previous one): when a fence's instructions are not attributed to
    its own lines, they are attributed to those.  Never across a
    function's brace: code motion stays inside the function (inlined code
    keeps the lines of its source), and the previous function's last line
    would select every test that calls it.

    A fence without code inside a function (an empty solution whose
    starter adds a statement, or a statement the compiler folded away):
    the starter code it puts in place runs when execution passes from the
    code before it to the code after it, so those two lines are its region.
    Anywhere else (file-scope declarations, initializers, macros) a fence
    without code changes code we cannot point at: every test reaches it."""
    _, _, begin, end = fence
    guarded = guarded_region(fence, code_lines, source, funcs)
    if guarded is not None:
        return guarded
    inside = {n for n in code_lines if begin <= n <= end}
    before = max((n for n in code_lines if n < begin), default=None)
    after = min((n for n in code_lines if n > end), default=None)
    before = before if before is not None and not braces(source, before, begin) else None
    after = after if after is not None and not braces(source, end, after) else None
    edges = {n for n in (before, after) if n is not None}
    if inside:
        return inside | edges
    indented = source[begin - 1][:1].isspace()
    return edges if indented and before and after else EVERYTHING


# ---- fences of the form `if (cond) body`, with an empty starter ---------

def c_code(lines):
    """lines with the C comments blanked out (string and character literals
    kept): the same line count, so positions still name source lines."""
    text, out, i = ''.join(lines), [], 0
    while i < len(text):
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = len(text) if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = len(text) if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text[i] in '"\'':
            j = i + 1
            while j < len(text) and text[j] != text[i]:
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return ''.join(out)


def closing(code, i, pair='()'):
    """The index of the bracket closing the one at code[i], or None."""
    depth = 0
    for j in range(i, len(code)):
        depth += {pair[0]: 1, pair[1]: -1}.get(code[j], 0)
        if depth == 0:
            return j
    return None


# A condition that reads and compares, and nothing else: no assignment,
# increment or call (a macro or function may do anything).
PURE_COND = re.compile(r'^[\w\s.&|!~^<>=+*/%()-]*$')
EFFECT = re.compile(r'\+\+|--|<<=|>>=|(?<![=!<>])=(?!=)|\b\w+\s*\(')
# Body statements that fall through to the end of the body: an assignment,
# a compound assignment or a call, as one expression statement (no
# return, break, continue or goto, whose code a compiler shares with other
# exits; no declaration, loop or inner if).
STATEMENT = re.compile(r'^(?!(?:return|break|continue|goto|if|for|while|do|switch|else|case|'
                       r'struct|union|enum|int|long|char|unsigned|static|const|volatile)\b)'
                       r'[^;{}]+;$', re.S)
# What a starter may hold and still be "no code": (void)x; statements.
NO_OP = re.compile(r'\(\s*void\s*\)\s*\w+\s*;')


def guarded_body(fence, source):
    """(cond lines, body statement lines) of a fence whose starter has no
    code (comments, `(void)x;`) and whose solution is exactly one
    `if (cond) body` without else, cond free of side effects (PURE_COND)
    and body made of STATEMENTs; None for any other fence."""
    _, _, begin, end = fence
    middle = source[begin:end - 1]                 # between BEGIN and END
    marks = [i for i, l in enumerate(middle) if 'SOLUTION ELSE' in l]
    split = marks[0] if marks else len(middle)
    starter = [re.sub(r'^\s*(?://>|#>) ?', '', l) for l in middle[split + 1:]]
    if NO_OP.sub('', c_code(starter)).strip():
        return None
    code = c_code(middle[:split])
    m = re.match(r'\s*if\s*\(', code)
    if not m:
        return None
    close = closing(code, m.end() - 1)
    if close is None:
        return None
    cond = code[m.end():close]
    if not PURE_COND.match(cond) or EFFECT.search(cond):
        return None
    rest = code[close + 1:]
    lead = len(rest) - len(rest.lstrip())
    start = close + 1 + lead                       # where the body begins
    if code[start:start + 1] == '{':
        stop = closing(code, start, '{}')
        if stop is None:
            return None
        inner, offset = code[start + 1:stop], start + 1
    else:
        stop = code.find(';', start)
        if stop < 0:
            return None
        inner, offset = code[start:stop + 1], start
    if code[stop + 1:].strip():                    # an else, or more code
        return None
    stmts, pos = [], 0
    for piece in re.findall(r'[^;]*;', inner):
        at = offset + pos + len(piece) - len(piece.lstrip())
        pos += len(piece)
        if not STATEMENT.match(piece.strip()):
            return None
        stmts.append(at)
    if not stmts or inner[pos:].strip():
        return None
    line_at = lambda i: begin + 1 + code.count('\n', 0, i)   # noqa: E731
    cond_lines = set(range(line_at(m.start()), line_at(close) + 1))
    return cond_lines, {line_at(i) for i in stmts}


def guarded_region(fence, code_lines, source, funcs):
    """The region of an `if (cond) body` fence with an empty starter
    (guarded_body()): the body's lines alone, or None (use the general
    rule) when the kernel's line table does not show that.

    Why the body's lines suffice: cond has no side effects, so a run that
    evaluated cond and did not enter the body went on exactly as the
    starter (which has no code) goes on.  Entering the body is seen from
    the pcs: QEMU logs every instruction of every block it translates,
    and the body's statements (stores and calls that fall through: no
    exit whose code a compiler merges with another) are code on the
    body's own path.  -O2 may move a statement's code into a neighbour's
    line (the general rule's margin, below): then a line of the body has
    no code of its own, and this rule does not apply.  So it applies only
    if every body statement and cond have code, and, where funcs says
    which kernel functions hold the code (static functions are inlined,
    and a copy may be compiled differently), the same in every function
    that holds cond's code; without funcs, never."""
    g = guarded_body(fence, source)
    if g is None:
        return None
    cond_lines, body_lines = g
    if not body_lines <= set(code_lines) or not cond_lines & set(code_lines):
        return None
    if funcs is None:
        return None
    holders = set().union(*(funcs.get(n, ()) for n in cond_lines))
    if not holders or any(not holders <= set(funcs.get(n, ())) for n in body_lines):
        return None
    return set(body_lines)


def braces(source, lo, hi):
    """Does a function's (or a file-scope initializer's) brace stand between
    lines lo and hi?  Kernel style (style(9)): those start in column 0,
    and nothing inside a function body starts with one."""
    return any(source[n - 1][:1] in ('{', '}') for n in range(lo + 1, hi))


def stage_regions(all_fences, code_lines, arch, root=ROOT, line_funcs=None):
    """{stage: set of (file, line), or EVERYTHING} on arch.  code_lines:
    {file: lines with code} of arch's kernel; line_funcs: {file: {line:
    functions holding its code}} (fence_region()).  A fence in another port's
    directory is not in this port's kernel at all: it reaches nothing
    here.  A fence in a file not in the kernel (nothing today) may change
    anything: EVERYTHING."""
    regions, sources = {}, {}
    for fence in all_fences:
        stage, f = fence[0], fence[1]
        if stage not in regions:
            regions[stage] = set()
        if regions[stage] is EVERYTHING or port_of(f) not in (None, arch):
            continue
        if f not in sources:
            with open(os.path.join(root, f), encoding='utf-8', errors='surrogateescape') as fh:
                sources[f] = fh.readlines()
        funcs = None if line_funcs is None else line_funcs.get(f, {})
        r = fence_region(fence, code_lines[f], sources[f], funcs) if f in code_lines else EVERYTHING
        regions[stage] = EVERYTHING if r is EVERYTHING else regions[stage] | {(f, n) for n in r}
    return regions


# ---- selection --------------------------------------------------------------------

def reaches(covered, region):
    """Did a test that executed covered reach region?  Unknown on either
    side (EVERYTHING) means yes."""
    return covered is EVERYTHING or region is EVERYTHING or bool(covered & region)


def select(tests, cover, regions, replaced):
    """The tests to rerun in a handout whose starter stages are replaced,
    and why: [(test, reason)] for the selected ones, [(test, reason)] for
    the skipped ones.  tests: (nodeid, arch) of core and earlier stages;
    cover: {(nodeid, arch): set of (file, line) or EVERYTHING} (a missing
    test counts as EVERYTHING); regions: {arch: {stage: region}}."""
    run, skip = [], []
    for t in tests:
        covered = cover.get(t, EVERYTHING)
        hit = [s for s in replaced if reaches(covered, regions.get(t[1], {}).get(s, set()))]
        if covered is EVERYTHING:
            run.append((t, 'no coverage (no log, or it failed on the reference tree)'))
        elif hit:
            why = [s + (' (a fence without code)' if regions[t[1]][s] is EVERYTHING else '')
                   for s in hit]
            run.append((t, 'reaches fences of ' + ', '.join(why)))
        else:
            skip.append((t, 'reaches no fence of ' + ', '.join(replaced)))
    return run, skip


# ---- QEMU logs and line tables ------------------------------------------------

PC_RE = re.compile(rb'^0x([0-9a-f]+):', re.M)


def log_pcs(path):
    with open(path, 'rb') as f:
        return {int(m, 16) for m in PC_RE.findall(f.read())}


def exec_ranges(elf):
    """[(lo, hi)] of an ELF64 little-endian file's executable PT_LOAD
    segments (virtual addresses)."""
    with open(elf, 'rb') as f:
        data = f.read()
    if data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
        raise CoverageError(f'{elf}: not a little-endian ELF64 file')
    phoff, = struct.unpack_from('<Q', data, 0x20)
    phentsize, phnum = struct.unpack_from('<HH', data, 0x36)
    out = []
    for i in range(phnum):
        ptype, pflags, _, vaddr, _, _, memsz, _ = struct.unpack_from('<IIQQQQQQ', data,
                                                                     phoff + i * phentsize)
        if ptype == 1 and pflags & 1:
            out.append((vaddr, vaddr + memsz))
    return out


def dfilter(kernels):
    """QEMU's -dfilter for the kernels' code: user code stays out of the
    logs.  (The few instructions riscv runs before paging, at physical
    addresses, are boot code and hold no fence.)"""
    rs = sorted({r for k in kernels for r in exec_ranges(k)})
    return ','.join(f'0x{lo:x}..0x{hi - 1:x}' for lo, hi in rs)


def line_rows(kernel, objdump):
    """The start addresses of the kernel's line-table rows."""
    p = subprocess.run([objdump, '--dwarf=decodedline', kernel], capture_output=True, text=True)
    if p.returncode != 0:
        raise CoverageError(f'{objdump} --dwarf=decodedline {kernel}: {p.stderr.strip()}')
    return sorted({int(m, 16) for m in re.findall(r'\s(0x[0-9a-f]+)\b', p.stdout)})


def addr2line(arch, kernel, addrs, files):
    """{addr: set of (file, line)}: the line of each address and of every
    call site it is inlined into, for the files (relative to the tree)
    named.  A path is matched by its end: the debug information names the
    tree that built the object, and the self-check copies build products
    from one tree to another."""
    tool = backtrace.find_addr2line(arch)
    if tool is None:
        raise CoverageError(f'no addr2line for {arch}')
    out, cur = {}, None
    p = subprocess.run([tool, '-a', '-i', '-e', kernel], capture_output=True, text=True,
                       input=''.join(f'0x{a:x}\n' for a in sorted(addrs)))
    if p.returncode != 0:
        raise CoverageError(f'{tool} -e {kernel}: {p.stderr.strip()}')
    by_name = {}
    for f in files:
        by_name.setdefault(os.path.basename(f), []).append(f)
    for line in p.stdout.splitlines():
        if line.startswith('0x'):
            cur = out.setdefault(int(line, 16), set())
            continue
        path, _, num = line.split(' (')[0].rpartition(':')
        if cur is None or not num.isdigit():
            continue
        path = os.path.normpath(path)
        f = max((f for f in by_name.get(os.path.basename(path), ())
                 if path == f or path.endswith(os.sep + f)), key=len, default=None)
        if f is not None:
            cur.add((f, int(num)))
    return out


def functions(kernel, objdump):
    """[(start address, name)] of the kernel's functions, sorted (nm -n)."""
    nm = re.sub(r'objdump$', 'nm', objdump)
    p = subprocess.run([nm, '-n', kernel], capture_output=True, text=True)
    if p.returncode != 0:
        raise CoverageError(f'{nm} -n {kernel}: {p.stderr.strip()}')
    return [(int(a, 16), name) for a, t, name in
            (line.split()[:3] for line in p.stdout.splitlines() if len(line.split()) >= 3)
            if t in 'tTwW']


class Kernel:
    """One kernel's map from pcs to lines (of the files we care about)."""

    def __init__(self, arch, path, root, files, objdump):
        self.rows = line_rows(path, objdump)
        self.arch, self.path, self.root, self.files = arch, path, root, files
        at_rows = addr2line(arch, path, self.rows, files)
        funcs = functions(path, objdump)
        starts = [a for a, _ in funcs]
        self.code_lines = {}
        self.line_funcs = {}      # {file: {line: functions holding its code}}
        for addr, lines in at_rows.items():
            i = bisect.bisect_right(starts, addr) - 1
            holder = funcs[i][1] if i >= 0 else '?'
            for f, n in lines:
                self.code_lines.setdefault(f, set()).add(n)
                self.line_funcs.setdefault(f, {}).setdefault(n, set()).add(holder)
        self.memo = {}

    def lines(self, pcs):
        """Every (file, line) of the fenced files that pcs executed."""
        new = set(pcs) - self.memo.keys()
        if new:
            self.memo.update(dict.fromkeys(new, frozenset()))
            self.memo.update({a: frozenset(s) for a, s in
                              addr2line(self.arch, self.path, new, self.files).items()})
        return set().union(*(self.memo[pc] for pc in pcs))


# ---- the reference run ------------------------------------------------------------

# What the cached data (which lines each test ran) does not depend on:
# the documentation, the host tests, and the tools that read the data
# (CACHE_VERSION says when those change it).
NOT_HASHED = ('build/', 'grade/host/', 'tools/selfcheck.py', 'tools/fencecov.py', 'tools/handout.py')


def tree_hash(root=ROOT):
    """A hash of everything a test's coverage can depend on: every tracked
    file but NOT_HASHED and the documentation."""
    r = subprocess.run(['git', 'ls-files', '-co', '--exclude-standard'], cwd=root,
                       capture_output=True, text=True, check=True)
    h = hashlib.sha256(f'coverage {CACHE_VERSION}\n'.encode())
    for f in sorted(r.stdout.splitlines()):
        p = os.path.join(root, f)
        if f.endswith('.md') or f.startswith(NOT_HASHED) or not os.path.isfile(p):
            continue
        h.update(f.encode() + b'\0')
        with open(p, 'rb') as fh:
            h.update(hashlib.sha256(fh.read()).digest())
    return h.hexdigest()[:20]


def junit_tests(path):
    """{nodeid from the tree's root: passed?} from pytest's JUnit XML
    (pytest's rootdir is grade/)."""
    out = {}
    for tc in ET.parse(path).iter('testcase'):
        nodeid = 'grade/' + tc.get('classname').replace('.', '/') + '.py::' + tc.get('name')
        out[nodeid] = not any(c.tag in ('failure', 'error', 'skipped') for c in tc)
    return out


def arch_of(nodeid):
    params = nodeid.partition('[')[2].rstrip(']').split('-')
    return next((a for a in labs.ARCHES if a in params), None)


def kernel_of(argv, root):
    if '-kernel' not in argv:
        return None
    return os.path.realpath(os.path.join(root, argv[argv.index('-kernel') + 1]))


def clean_env():
    """The environment without what an outer make or grade passes down."""
    return {k: v for k, v in os.environ.items()
            if k not in ('TEST', 'LAB', 'ARCH', 'MAKEFLAGS', 'MFLAGS', 'MAKELEVEL')}


def run_reference(arch, root, work, log, only=None, show=False):
    """Grade the reference tree with coverage logs into work; return
    (junit results, the directory of the boots' logs, grade.py's exit
    status: 0 only for full marks).  only: just these test functions (a
    quick try of the self-check, its host test).  show: the grader's
    report on stdout too, not only in log (make test's one grade)."""
    kernels = [os.path.join(root, 'build', a + d, 'kernel') for a in labs.parse_arches(arch)
               for d in ('', '-debug')]
    env = clean_env()
    for a in labs.parse_arches(arch):
        # The debug kernel now, so the dfilter covers it (the grader would
        # build it on demand, grade/harness.py).
        subprocess.run(['make', '-s', '--no-print-directory', '-C', root, f'ARCH={a}',
                        'DEBUG=1', 'kernel'], check=True, capture_output=True, env=env)
    boots = os.path.join(work, 'boots')
    os.makedirs(boots)
    # One QEMU more than grade.py would start: the guests sleep much of
    # the time (the limits stretch by the load factor, grade/limits.py).
    jobs = limits.choose_jobs(limits.mib(limits.load().memory), spare=1)
    env.update(AQUA_COVERAGE=boots, AQUA_COVERAGE_DFILTER=dfilter(kernels))
    tests, status = {}, 0
    with open(log, 'w') as f:
        for i, test in enumerate(only or [None]):
            junit = os.path.join(work, f'reference-{i}.xml')
            f.flush()
            p = subprocess.Popen([PYTHON, 'grade/grade.py', '--arch', arch, '--junit', junit,
                                  '-j', str(jobs)]
                                 + (['--test', test] if test else []), cwd=root,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
            for line in p.stdout:
                f.write(line.decode(errors='replace'))
                if show:
                    sys.stdout.buffer.write(line)
                    sys.stdout.flush()
            status = p.wait() or status
            if not os.path.exists(junit):
                raise CoverageError(f'the reference tree did not grade (log: {log})')
            tests.update(junit_tests(junit))
    return tests, boots, status


def objdump_of(arch, root):
    """The port's objdump (`make print-toolchain`)."""
    out = subprocess.run(['make', '-s', '--no-print-directory', '-C', root, f'ARCH={arch}',
                          'print-toolchain'], capture_output=True, text=True,
                         env=clean_env()).stdout
    return (re.findall(r'^OBJDUMP=(\S+)', out, re.M) or ['objdump'])[0]


def compute(arch='all', root=ROOT, log=None, only=None, show=False):
    """{'tests': {nodeid: passed}, 'cover': {nodeid: [[file, line]...] or
    None}, 'code_lines': {arch: {file: [lines]}}, 'status': grade.py's exit
    status} for the tree at root (show: run_reference's)."""
    all_fences = fences(root)
    files = {f for _, f, _, _ in all_fences}
    work = tempfile.mkdtemp(prefix='coverage-', dir=os.path.join(root, 'build'))
    try:
        tests, boots, status = run_reference(arch, root, work,
                                             log or os.path.join(work, 'grade.log'), only, show)
        objdump = {a: objdump_of(a, root) for a in labs.parse_arches(arch)}
        # Every boot's pcs, per test and kernel.
        pcs = {}          # (nodeid, kernel) -> pcs
        unknown = set()   # tests with a boot we cannot map
        for name in sorted(os.listdir(boots)):
            if not name.endswith('.json'):
                continue
            with open(os.path.join(boots, name)) as f:
                boot = json.load(f)
            nodeid = 'grade/' + boot['test'].rsplit(' (', 1)[0]
            kernel = kernel_of(boot['argv'], root)
            logf = os.path.join(boots, name[:-len('.json')] + '.log')
            if kernel is None or not os.path.exists(kernel) or not os.path.exists(logf):
                unknown.add(nodeid)
                continue
            pcs.setdefault((nodeid, kernel), set()).update(log_pcs(logf))
            os.unlink(logf)
        kernels = {}
        cover = {}
        for (nodeid, kernel), p in sorted(pcs.items()):
            a = arch_of(nodeid)
            if a is None:
                unknown.add(nodeid)
                continue
            if kernel not in kernels:
                kernels[kernel] = Kernel(a, kernel, root, files, objdump[a])
            cover.setdefault(nodeid, set()).update(kernels[kernel].lines(p))
        # A test that failed on the reference tree may have stopped early,
        # and one without a log never booted through grade/qemu.py (or its
        # log is lost): both count as reaching everything.
        out = {}
        for nodeid, passed in tests.items():
            ok = passed and nodeid in cover and nodeid not in unknown
            out[nodeid] = sorted(map(list, cover[nodeid])) if ok else None
        code, holders = {}, {}
        for a in labs.parse_arches(arch):
            k = os.path.realpath(os.path.join(root, 'build', a, 'kernel'))
            kern = kernels.get(k) or Kernel(a, k, root, files, objdump[a])
            code[a] = {f: sorted(v) for f, v in kern.code_lines.items()}
            holders[a] = {f: {str(n): sorted(h) for n, h in v.items()}
                          for f, v in kern.line_funcs.items()}
        return {'tests': tests, 'cover': out, 'code_lines': code, 'line_funcs': holders,
                'status': status}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def load(arch='all', root=ROOT, log=None, only=None, regrade=False):
    """compute(), from build/selfcheck/coverage-<what>-<hash>.json when the
    tree has not changed since; returns (data, cache path, reused?).
    regrade: compute it anyway, showing the grader's report (make test
    grades the reference tree this way, once for both purposes)."""
    d = os.path.join(root, 'build', 'selfcheck')
    os.makedirs(d, exist_ok=True)
    what = arch + ('-' + hashlib.sha256(' '.join(only).encode()).hexdigest()[:8] if only else '')
    path = os.path.join(d, f'coverage-{what}-{tree_hash(root)}.json')
    if os.path.exists(path) and not regrade:
        with open(path) as f:
            return json.load(f), path, True
    data = compute(arch, root, log, only, show=regrade)
    for old in os.listdir(d):
        if old.startswith(f'coverage-{what}-') and old.endswith('.json'):
            os.unlink(os.path.join(d, old))
    with open(path + '.tmp', 'w') as f:
        json.dump(data, f)
    os.replace(path + '.tmp', path)
    return data, path, False


def regions_of(data, root=ROOT):
    """{arch: {stage: region}} for the coverage data's kernels."""
    all_fences = fences(root)
    holders = data.get('line_funcs', {})
    return {a: stage_regions(all_fences, {f: set(v) for f, v in code.items()}, a, root,
                             {f: {int(n): set(h) for n, h in v.items()}
                              for f, v in holders[a].items()} if a in holders else None)
            for a, code in data['code_lines'].items()}


def cover_of(data):
    """{(nodeid, arch): set of (file, line) or EVERYTHING}."""
    return {(n, arch_of(n)): (EVERYTHING if v is None else {tuple(x) for x in v})
            for n, v in data['cover'].items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--arch', default='all')
    ap.add_argument('--grade', action='store_true',
                    help="grade the reference tree (the grader's report on stdout) and record "
                         "its coverage for the self-check; exit 0 only for full marks")
    a = ap.parse_args()
    if a.grade:
        os.makedirs(os.path.join(ROOT, 'build', 'selfcheck'), exist_ok=True)
        log = os.path.join(ROOT, 'build', 'selfcheck', 'coverage.log')
        data, path, _ = load(a.arch, log=log, regrade=True)
        print(f'coverage of the reference tree written to {os.path.relpath(path, ROOT)}')
        return data['status']
    data, path, reused = load(a.arch)
    regions = regions_of(data)
    print(f'coverage: {path} ({"reused" if reused else "computed"})')
    for arch, per in regions.items():
        for stage, r in per.items():
            what = 'every test (a fence without code)' if r is EVERYTHING else f'{len(r)} lines'
            users = [n for (n, ar), c in cover_of(data).items() if ar == arch and reaches(c, r)]
            print(f'{arch:7} {stage:16} {what:36} reached by {len(users)} tests')


if __name__ == '__main__':
    sys.exit(main())
