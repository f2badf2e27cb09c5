"""The lab-marker policy (docs/labs/README.md, "Marker policy").

Solution fences (SOLUTION BEGIN/ELSE/END, tools/handout.py) serve the
student's starter tree, never at the cost of the reference tree:

  1. a function holds at most one fence per stage: a stage's change to a
     function is one block, so the reference reads top to bottom and the
     student finds one TODO per stage;
  2. no fence holds a function definition that code outside the fence
     uses (outside every fence of that stage or of a later one, which a
     handout replaces with it): a shared helper must not vanish from a
     starter tree, nor be kept twice to survive there;
  3. the starter text of a fence is short (at most STARTER_MAX lines):
     the TODO says what, the lab handout (docs/labs/<stage>.md) says how.

check(files, order) returns the violations as "path:line: message"
strings; order is the manifest's stage order.
C and assembly are checked; other files only for rule 3.
"""
import re

MARKER = re.compile(r'^\s*(?:/\*|//|#)\s*SOLUTION (BEGIN|ELSE|END) ([A-Za-z0-9_-]+)\b')
STARTER_MAX = 12
# A C function definition in this tree's style: the name at the start of a
# line, its return type on the line above, the body's braces in column 0.
FUNC_START = re.compile(r'^([a-z_][a-z0-9_]*)\(')
IDENT = re.compile(r'[A-Za-z_][A-Za-z0-9_]*')
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)


def code_lines(text):
    """The lines of a C file with its comments blanked (line numbers kept)."""
    return COMMENT.sub(lambda m: re.sub(r'[^\n]', ' ', m.group(0)), text).splitlines()


class Fence:
    def __init__(self, path, stage, begin):
        self.path, self.stage, self.begin = path, stage, begin
        self.end = None
        self.starter = 0          # starter lines
        self.defines = []         # functions defined inside the solution part
        self.function = None      # the function the fence sits in, if any


def fences_of(path, lines):
    """The fences of one file, each with the function that encloses it."""
    out, cur, part = [], None, None
    func, depth = None, 0
    for n, line in enumerate(lines, 1):
        m = MARKER.match(line)
        if m:
            kind, stage = m.groups()
            if kind == 'BEGIN':
                cur, part = Fence(path, stage, n), 'solution'
                cur.function = func if depth > 0 else None
            elif kind == 'ELSE' and cur:
                part = 'starter'
            elif kind == 'END' and cur:
                cur.end = n
                out.append(cur)
                cur = part = None
            continue
        if cur and part == 'starter' and line.strip():
            cur.starter += 1
        if not path.endswith(('.c', '.h')):
            continue
        if part == 'starter':
            continue              # starter lines are comments here (//>)
        f = FUNC_START.match(line)
        if f and depth == 0 and not line.rstrip().endswith(';'):
            func = f.group(1)
            if cur:
                cur.defines.append(func)
        if line.startswith('{'):
            depth = 1
        elif line.startswith('}') and depth:
            depth = 0
            func = None
    return out


def check(files, order):
    """files: {path: text}; order: the stages in manifest order.  The
    policy's violations, as strings."""
    rank = {s: i for i, s in enumerate(order)}
    bad, all_fences = [], []
    for path, text in files.items():
        all_fences += fences_of(path, text.splitlines())
    # 1. one fence per stage per function
    seen = {}
    for f in all_fences:
        if f.function is None:
            continue
        key = (f.path, f.function, f.stage)
        if key in seen:
            bad.append(f'{f.path}:{f.begin}: {f.function}() holds a second {f.stage} '
                       f'fence (the first is at line {seen[key]}): one block per stage '
                       f'in a function')
        else:
            seen[key] = f.begin
    # 2. helpers used outside their stage's fences
    spans = {}
    for f in all_fences:
        spans.setdefault(f.path, []).append((f.begin, f.end, rank.get(f.stage, -1)))
    code = {path: code_lines(text) for path, text in files.items()
            if path.endswith(('.c', '.h', '.S'))}
    for f in all_fences:
        for name in f.defines:
            users = []
            for path, lines in code.items():
                for n, line in enumerate(lines, 1):
                    if name not in line or name not in IDENT.findall(line):
                        continue
                    inside = any(b <= n <= e and r >= rank.get(f.stage, -1)
                                 for b, e, r in spans.get(path, []))
                    if not inside:
                        users.append(f'{path}:{n}')
            if users:
                bad.append(f'{f.path}:{f.begin}: {name}() is defined inside a {f.stage} fence '
                           f'but used outside it ({", ".join(users[:3])}): bring it out of the fence')
    # 3. short starter text
    for f in all_fences:
        if f.starter > STARTER_MAX:
            bad.append(f'{f.path}:{f.begin}: the {f.stage} starter text is {f.starter} lines '
                       f'(at most {STARTER_MAX}: the TODO says what, docs/labs/{f.stage}.md how)')
    return bad


def stats(files):
    """(fences, functions split by at least one fence) for the closing figures."""
    fences = [f for path, text in files.items() for f in fences_of(path, text.splitlines())]
    funcs = {(f.path, f.function) for f in fences if f.function}
    return len(fences), len(funcs)
