#!/usr/bin/python3
"""Grade many submissions with the instructor's pristine grader.

    make grade-batch SUBMISSIONS=dir [LAB=...] [ARCH=...] [JOBS=n] [OUT=dir] [TIMEOUT=s]
    grade/batch.py SUBMISSIONS [--lab L] [--arch A] [--jobs N] [--grade-jobs N]
                   [--out DIR] [--timeout S] [--timeout-factor F] [--work DIR] [--keep]
                   [--ref REF] [--before DATE]
    grade/batch.py --overlay SUBMISSION DIR [--lab L]   prepare one tree (no build), for a
                                               look, and print its diff report

Every entry of SUBMISSIONS is one student: a directory (a tree, or a git
repository: its HEAD, or --ref, or the last commit --before a date is
graded), a bare git repository, or an archive (.tar, .tar.gz, .tgz,
.tar.xz, .tar.bz2, .zip; `make handin` writes one).  The student's name is
the entry's name (handin-<user>-<date>.tar.gz gives <user>).

For each submission, one at a time (--jobs N for more):

  1. it is unpacked into a scratch directory (build products, .git,
     symbolic links and Python caches are dropped);
  2. the PRISTINE files of the instructor's tree (this tree) are laid over
     it: see Plan below and docs/INSTRUCTORS.md.  Whatever the student did to
     the grader, the tests or the build, the instructor's copies are used;
  3. it is built on each port (make -jG ARCH=<arch> all, G = --grade-jobs,
     default 2), then grade/grade.py grades it (-jG QEMUs) and writes its
     Gradescope-format results, which hold every check's output;
  4. no limit on the whole submission's wall time by default: host load
     stretches wall time, and a score must not depend on it.  Each boot has
     its own limit (grade/README.md, "Time limits": it does not count time
     the host kept QEMU waiting), so grading always ends; each compiler
     process has BUILD_CPU_S seconds of CPU (a file that makes the compiler
     loop).  --timeout S adds a budget: RESERVE seconds before its end no
     test is started any more (NOT RUN, scored 0), the tests done so far
     count, and at its end whatever still runs is killed (status timeout,
     scored 0), as on Gradescope (grade/gradescope.py).

Results go to OUT (default: SUBMISSIONS's path + ".results"):
  results.csv      one row per student: a column per stage and port, total,
                   max, status, seconds, notes.  Rewritten after every student.
  <student>.json   status, build errors, notes, files of the pristine set the
                   student had changed, the diff report ("diff": the files
                   changed, added and removed from the lab's starter, and
                   those of them outside the lab's `files`; the notes and
                   the CSV name the outside ones), and grade.py's results.
  <student>.log    the build and grading output.

A submission that does not build scores 0 on that port; the compiler's
errors are in its JSON (build.<arch>.errors) and log.
"""

import argparse
import concurrent.futures
import csv
import dataclasses
import fnmatch
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)            # the instructor's tree (or a Gradescope pristine/)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import handin  # noqa: E402
import labs  # noqa: E402

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

# ---- what is pristine -----------------------------------------------------
#
# These directories and files are the instructor's.  In a graded tree the
# student's copies are removed (files the student ADDED there too: a
# grade/tests/conftest.py or a user/bin program that shadows a test program
# would otherwise change the verdict) and the instructor's are copied in:
#
#   grade/      the grader, the manifest, the grader tests, hidden tests
#   user/       test programs (user/tests/), and the libc, headers, crt0 and
#               utilities they are linked with or that the tests drive (a libc
#               whose printf turned "not ok" into "ok" would fake every test)
#   include/    headers shared by kernel and user programs
#   mkfs/       builds the disk image that holds the test programs
#   tools/      build scripts (syscall table generator, find-python, ...)
#   Makefile, arch/*/arch.mk   the build rules and the QEMU command line
#   arch/*/port.toml           what the grader knows of each port (how QEMU's
#                              exit status carries poweroff(n), the banner...)
#
# The exception: a file that carries SOLUTION markers in the reference tree
# is lab work, so it is always the student's, wherever it is.  Everything
# else (kern/, arch/ apart from arch.mk and port.toml, docs/, README.md) is the student's:
# the kernel is what is graded.  At the top level, names the reference tree
# does not have are dropped (a GNUmakefile would replace the Makefile; a
# json.py or pytest.py would be imported by the grader's Python).
PRISTINE_DIRS = ("grade", "user", "include", "mkfs", "tools")
PRISTINE_GLOBS = ("Makefile", "arch/*/arch.mk", "arch/*/port.toml")
JUNK_DIRS = {"build", ".git", "__pycache__", ".pytest_cache"}
JUNK_FILES = ("*.pyc", "*.pyo")
HANDIN_FILES = ("MANIFEST.sha256", "HANDIN.txt")      # written by make handin (grade/handin.py)

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar", ".zip")
MAX_UNPACKED = 512 << 20        # bytes: a bigger submission is not a source tree
MAX_MEMBERS = 50000


def _handout_tool():
    """tools/handout.py as a module, or None where it is not (then the
    fallbacks below)."""
    try:
        sys.path.insert(0, os.path.join(ROOT, "tools"))
        import handout
        return handout
    except Exception:
        return None
    finally:
        if sys.path and sys.path[0] == os.path.join(ROOT, "tools"):
            sys.path.pop(0)


def _marker_regex():
    """The solution-marker pattern and the files never in a handout, from
    tools/handout.py when it is there."""
    handout = _handout_tool()
    if handout:
        return handout.MARKER, tuple(handout.SKIP_PREFIXES)
    return (re.compile(r'^\s*(?:/\*|//|#)\s*SOLUTION (BEGIN|ELSE|END) ([A-Za-z0-9_-]+)\b.*$'),
            ("build/", ".ci/", "tools/handout.py", "tools/selfcheck.py"))


def _holds_solutions():
    """Files that hold solution code without markers (tools/handout.py's
    HOLDS_SOLUTIONS): never copied anywhere a submission is graded."""
    handout = _handout_tool()
    return tuple(getattr(handout, "HOLDS_SOLUTIONS", ())) if handout else ("tools/mutants/",)


def _handout_digests(ref, files):
    """{file: sha256 of its handout text} for the pristine files a handout
    gets changed (their MAINTAINER fences dropped, as in the Makefile): a
    student's untouched copy of one is not a change."""
    handout = _handout_tool()
    if handout is None:
        return {}
    out = {}
    for f in files:
        with open(os.path.join(ref, f), "rb") as fh:
            data = fh.read()
        if b"MAINTAINER" not in data or b"\0" in data[:8192] or f.endswith(".md"):
            continue
        # read as tools/handout.py reads it
        with open(os.path.join(ref, f), encoding="utf-8", errors="surrogateescape") as fh:
            lines = fh.readlines()
        mine, _ = handout.transform(f, lines, set(), None)
        if mine != "".join(lines):
            out[f] = hashlib.sha256(mine.encode("utf-8", "surrogateescape")).hexdigest()
    return out


class BatchError(Exception):
    pass


class NoTree(BatchError):
    """The submission holds no aqua6 tree."""


def _remove(path):
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def list_files(top):
    """Files of a tree, relative, sorted, without build products and junk.
    A git tree lists what git would (tracked + untracked, not ignored).
    In a linked worktree (git worktree add) .git is a file naming the real
    repository: listing it would make a copy of the tree that repository's
    worktree (a `git init` and commit in the copy then land on its branch)."""
    if os.path.exists(os.path.join(top, ".git")):
        r = subprocess.run(["git", "-c", "safe.directory=*", "ls-files", "-co",
                            "--exclude-standard"], cwd=top, capture_output=True, text=True)
        if r.returncode == 0:
            out = []
            for f in r.stdout.splitlines():
                p = os.path.join(top, f)
                if (os.path.isfile(p) and not os.path.islink(p)
                        and not set(f.split("/")[:-1]) & JUNK_DIRS
                        and not any(fnmatch.fnmatch(os.path.basename(f), g) for g in JUNK_FILES)):
                    out.append(f)
            return sorted(set(out))
    out = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if d not in JUNK_DIRS
                             and not os.path.islink(os.path.join(dirpath, d)))
        for fn in filenames:
            p = os.path.join(dirpath, fn)
            if os.path.islink(p) or not os.path.isfile(p) or fn == ".git":
                continue
            if any(fnmatch.fnmatch(fn, g) for g in JUNK_FILES):
                continue
            out.append(os.path.relpath(p, top).replace(os.sep, "/"))
    return sorted(out)


def _in_scope(rel, singles):
    return rel.split("/", 1)[0] in PRISTINE_DIRS or rel in singles


@dataclasses.dataclass
class Plan:
    """How a submission becomes a graded tree: which files are laid over it."""
    root: str               # where the pristine files are read from
    files: list             # pristine files (relative paths), copied over the submission
    singles: list           # pristine files outside PRISTINE_DIRS (Makefile, arch/*/arch.mk, ...)
    student: list           # files with SOLUTION markers: always the student's
    toplevel: list          # top-level names a submission may have
    hidden: list            # hidden test files (also in files)
    dirs: tuple = PRISTINE_DIRS
    executable: list = dataclasses.field(default_factory=list)   # files with mode 755
    # pristine files whose handout copy differs: {file: sha256 of that copy}
    handout_digests: dict = dataclasses.field(default_factory=dict)

    def to_json(self):
        d = dataclasses.asdict(self)
        d.pop("root")
        d["dirs"] = list(self.dirs)
        return d

    @classmethod
    def from_json(cls, root, d):
        return cls(root, d["files"], d["singles"], d["student"], d["toplevel"], d["hidden"],
                   tuple(d["dirs"]), d.get("executable", []), d.get("handout_digests", {}))

    def save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_json(), f, indent=1)
            f.write("\n")

    @classmethod
    def load(cls, root, path=None):
        with open(path or os.path.join(root, "overlay.json"), encoding="utf-8") as f:
            return cls.from_json(root, json.load(f))


def make_plan(ref=ROOT):
    """The plan from the instructor's (reference) tree."""
    marker, skip = _marker_regex()
    every = list_files(ref)
    singles = sorted(f for g in PRISTINE_GLOBS for f in every if fnmatch.fnmatchcase(f, g)
                     and f.count("/") == g.count("/"))
    student = []
    for f in every:
        if not _in_scope(f, singles) or f.startswith(skip):
            continue
        with open(os.path.join(ref, f), "rb") as fh:
            data = fh.read()
        if b"\0" in data[:8192]:
            continue
        text = data.decode("utf-8", "surrogateescape")
        if any(marker.match(line) for line in text.splitlines()):
            student.append(f)
    secret = _holds_solutions()
    files = [f for f in every if _in_scope(f, singles) and f not in student
             and not f.startswith(secret)]
    m = labs.load(os.path.join(ref, "grade", "manifest.toml"))
    hidden = sorted({f for s in m.stages for f in s.hidden_files})
    missing = [f for f in hidden if f not in files]
    if missing:
        raise BatchError("hidden test files named in grade/manifest.toml are missing from "
                         f"{ref} (or carry solution markers): {', '.join(missing)}")
    # A handout's lab file (tools/handout.py writes it) is kept: the diff
    # report compares it with the starter's.
    top = sorted({f.split("/", 1)[0] for f in every} | set(PRISTINE_DIRS) | {handin.LAB_FILE})
    # The modes are in the plan, not taken from the copies: an unzip that
    # drops them (Python's zipfile does) must not break tools/deps.sh.
    exe = [f for f in files if os.access(os.path.join(ref, f), os.X_OK)]
    return Plan(os.path.abspath(ref), files, singles, student, top, hidden, PRISTINE_DIRS, exe,
                _handout_digests(ref, files))


def _same(a, b):
    try:
        if os.path.getsize(a) != os.path.getsize(b):
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            return fa.read() == fb.read()
    except OSError:
        return False


def overlay(tree, plan):
    """Make `tree` (a student's unpacked submission) gradable: drop junk, put
    the pristine files in.  Returns {"changed": [...], "dropped": [...]}:
    the pristine files the student had changed or added, and what was
    dropped (symbolic links, unknown top-level names)."""
    changed, dropped = [], []
    for dirpath, dirnames, filenames in os.walk(tree):
        rel = os.path.relpath(dirpath, tree)
        for d in list(dirnames):
            p = os.path.join(dirpath, d)
            if os.path.islink(p) or d in JUNK_DIRS:
                if os.path.islink(p):
                    dropped.append(os.path.normpath(os.path.join(rel, d)) + " (symbolic link)")
                _remove(p)
                dirnames.remove(d)
        for fn in filenames:
            p = os.path.join(dirpath, fn)
            if os.path.islink(p) or not os.path.isfile(p):
                dropped.append(os.path.normpath(os.path.join(rel, fn))
                               + (" (symbolic link)" if os.path.islink(p) else " (not a file)"))
                _remove(p)
            elif any(fnmatch.fnmatch(fn, g) for g in JUNK_FILES) or (rel == "." and fn == ".gdbinit"):
                _remove(p)
    for name in sorted(os.listdir(tree)):
        if name not in plan.toplevel:
            if name not in HANDIN_FILES:
                dropped.append(name + " (not a top-level name of aqua6)")
            _remove(os.path.join(tree, name))

    saved = {}
    for f in plan.student:
        p = os.path.join(tree, f)
        if os.path.isfile(p):
            with open(p, "rb") as fh:
                saved[f] = (fh.read(), os.stat(p).st_mode & 0o777)
    pristine = set(plan.files)
    for f in list_files(tree):
        if not _in_scope(f, plan.singles) or f in saved:
            continue
        if f not in pristine:
            changed.append(f + " (added)")
        elif (not _same(os.path.join(tree, f), os.path.join(plan.root, f))
              and plan.handout_digests.get(f) != _sha256(os.path.join(tree, f))):
            changed.append(f)

    for d in plan.dirs:
        _remove(os.path.join(tree, d))
    for f in plan.singles:
        _remove(os.path.join(tree, f))
    exe = set(plan.executable)
    for f in plan.files:
        dst = os.path.join(tree, f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        _remove(dst)
        shutil.copy2(os.path.join(plan.root, f), dst)
        os.chmod(dst, 0o755 if f in exe else 0o644)
    for f, (data, mode) in saved.items():
        dst = os.path.join(tree, f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        _remove(dst)
        with open(dst, "wb") as fh:
            fh.write(data)
        os.chmod(dst, mode | stat.S_IRUSR | stat.S_IWUSR)
    return {"changed": sorted(changed), "dropped": dropped}


# ---- the diff report: what a submission changed from its lab's starter ------
#
# The overlay makes the grader, tests and build the instructor's, but the
# student's kernel stays the student's, and a kernel can forge a verdict
# too: a console filter that turns "not ok" into "ok", a wait path that
# reports exit status 0 for every child.  So each submission is compared
# with the starter of the lab being graded (what `make handout LAB=...`
# gives the student) and every change outside the files the manifest names
# for the graded stages (`files`) is named, for the instructor to read.

def _is_student_file(rel, plan):
    return not _in_scope(rel, plan.singles) or rel in plan.student


def _is_documentation(rel):
    """Text nobody builds or runs: a change there cannot move a verdict
    (the handout's lab file is only read by make handin)."""
    return rel.endswith(".md") or rel.startswith("docs/") or rel == handin.LAB_FILE


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def starter_digests(plan, lab=None, ref=ROOT):
    """The starter of `lab` as {"lab", "handout_lab", "lab_files", "files":
    {path: sha256}}, for the student's files only (the pristine ones are
    replaced anyway).  The starter is made by tools/handout.py from the
    instructor's tree in a scratch directory, exactly as `make handout`
    makes it; only digests are kept, so the Gradescope zip can carry them
    without carrying the earlier stages' solutions."""
    m = labs.load(os.path.join(ref, "grade", "manifest.toml"))
    stages = m.select(lab)
    # The handout of the first graded stage: it and every later stage are
    # starter code, the earlier ones keep their solutions.
    first = None if lab in (None, "", "all") else stages[0].name
    tool = os.path.join(ref, "tools", "handout.py")
    if not os.path.isfile(tool):
        raise BatchError(f"no {tool}: cannot make the starter to diff submissions against")
    with tempfile.TemporaryDirectory(prefix="aqua6-starter-") as tmp:
        out = os.path.join(tmp, "starter")
        cmd = [PYTHON, tool, "--out", out] + (["--lab", first] if first else [])
        r = subprocess.run(cmd, capture_output=True, text=True, env=clean_env())
        if r.returncode != 0:
            raise BatchError(f"tools/handout.py failed: {(r.stderr or r.stdout).strip()[-300:]}")
        files = {f: _sha256(os.path.join(out, f)) for f in list_files(out)
                 if _is_student_file(f, plan)}
    return {"lab": lab or "all", "handout_lab": first,
            "lab_files": sorted({f for s in stages for f in s.files}), "files": files}


def diff_report(tree, plan, starter):
    """Compare the student's files of `tree` with the starter digests:
    {"lab", "starter", "lab_files", "changed", "added", "removed", "outside"}.
    `outside` is every changed, added or removed file that is not one of
    the lab's files (documentation apart)."""
    want = starter["files"]
    have = {f: os.path.join(tree, f) for f in list_files(tree) if _is_student_file(f, plan)}
    changed = sorted(f for f in have if f in want and _sha256(have[f]) != want[f])
    added = sorted(f for f in have if f not in want)
    removed = sorted(f for f in want if f not in have)
    lab_files = set(starter["lab_files"])
    outside = sorted(f for f in changed + added + removed
                     if f not in lab_files and not _is_documentation(f))
    hl = starter.get("handout_lab")
    return {"lab": starter["lab"], "starter": "make handout" + (f" LAB={hl}" if hl else ""),
            "lab_files": starter["lab_files"], "changed": changed, "added": added,
            "removed": removed, "outside": outside}


def diff_note(d, most=6):
    """The one-line summary for the CSV notes column, or None if nothing
    outside the lab's files changed."""
    out = d["outside"]
    if not out:
        return None
    names = ", ".join(out[:most]) + (", ..." if len(out) > most else "")
    return f"{len(out)} file{'s' if len(out) != 1 else ''} changed outside the lab's files: {names}"


def diff_lines(d):
    """The full report, for results.json's output and the grading log."""
    def names(fs):
        return ", ".join(fs) if fs else "-"
    return [f"Files changed from the starter of LAB={d['lab']} ({d['starter']}):",
            f"  the lab's files: {names(d['lab_files'])}",
            f"  changed:  {names(d['changed'])}",
            f"  added:    {names(d['added'])}",
            f"  removed:  {names(d['removed'])}",
            f"  OUTSIDE the lab's files: {names(d['outside'])}"]


# ---- unpacking submissions ---------------------------------------------------

def _safe_rel(name):
    """A member name as a safe relative path, or None."""
    name = name.replace("\\", "/")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or name.startswith("/") or ".." in parts:
        return None
    return "/".join(parts)


def _extract_tar(fileobj_or_path, dest, notes, stream=False):
    total = count = 0
    mode = "r|*" if stream else "r:*"
    kw = {"fileobj": fileobj_or_path} if stream else {"name": fileobj_or_path}
    with tarfile.open(mode=mode, **kw) as tf:
        for m in tf:
            count += 1
            if count > MAX_MEMBERS:
                raise BatchError(f"more than {MAX_MEMBERS} files: not a source tree")
            rel = _safe_rel(m.name)
            if rel is None:
                notes.append(f"skipped archive member {m.name!r} (unsafe path)")
                continue
            dst = os.path.join(dest, rel)
            if m.isdir():
                os.makedirs(dst, exist_ok=True)
            elif m.isreg():
                total += m.size
                if total > MAX_UNPACKED:
                    raise BatchError(f"more than {MAX_UNPACKED >> 20} MiB unpacked: not a source tree")
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                src = tf.extractfile(m)
                with open(dst, "wb") as out:
                    shutil.copyfileobj(src, out)
                os.chmod(dst, 0o755 if m.mode & 0o111 else 0o644)
                os.utime(dst, (m.mtime, m.mtime))
            elif not m.name.rstrip("/").endswith("pax_global_header"):
                notes.append(f"skipped archive member {m.name!r} (not a regular file)")


def _extract_zip(path, dest, notes):
    total = 0
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise BatchError(f"more than {MAX_MEMBERS} files: not a source tree")
        for zi in infos:
            rel = _safe_rel(zi.filename)
            mode = (zi.external_attr >> 16) & 0o177777
            if rel is None or stat.S_ISLNK(mode):
                notes.append(f"skipped archive member {zi.filename!r} (unsafe path or link)")
                continue
            dst = os.path.join(dest, rel)
            if zi.is_dir():
                os.makedirs(dst, exist_ok=True)
                continue
            total += zi.file_size
            if total > MAX_UNPACKED:
                raise BatchError(f"more than {MAX_UNPACKED >> 20} MiB unpacked: not a source tree")
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with zf.open(zi) as src, open(dst, "wb") as out:
                shutil.copyfileobj(src, out)
            os.chmod(dst, 0o755 if mode & 0o111 else 0o644)


def is_archive(path):
    return os.path.isfile(path) and path.lower().endswith(ARCHIVE_SUFFIXES)


def _git(gitargs, *args, **kw):
    return subprocess.run(["git", "-c", "safe.directory=*"] + gitargs + list(args),
                          capture_output=True, **kw)


def _export_git(gitargs, dest, notes, ref=None, before=None):
    ref = ref or "HEAD"
    if before:
        r = _git(gitargs, "rev-list", "-1", f"--before={before}", ref, text=True)
        commit = r.stdout.strip()
        if r.returncode or not commit:
            raise NoTree(f"no commit on {ref} before {before}")
    else:
        r = _git(gitargs, "rev-parse", "--verify", "--quiet", ref + "^{commit}", text=True)
        commit = r.stdout.strip()
        if r.returncode or not commit:
            raise NoTree(f"git repository without a commit {ref!r}")
    info = _git(gitargs, "log", "-1", "--format=%H %cI %s", commit, text=True).stdout.strip()
    notes.append(f"git: graded commit {info}")
    p = subprocess.Popen(["git", "-c", "safe.directory=*"] + gitargs + ["archive", "--format=tar", commit],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _extract_tar(p.stdout, dest, notes, stream=True)
    finally:
        p.stdout.close()
        err = p.stderr.read().decode(errors="replace")
        p.wait()
    if p.returncode:
        raise BatchError(f"git archive failed: {err.strip()}")
    return commit


def _copy_dir(src, dest):
    def ignore(d, names):
        return [n for n in names if n in JUNK_DIRS or os.path.islink(os.path.join(d, n))]
    shutil.copytree(src, dest, symlinks=True, ignore=ignore, dirs_exist_ok=True)


def _looks_like_tree(d):
    return os.path.isdir(os.path.join(d, "kern")) or os.path.isfile(os.path.join(d, "Makefile"))


def _find_tree(d, notes, depth=0):
    """The aqua6 tree inside an unpacked submission: d itself, its only
    subdirectory, or the tree inside the only archive it holds (a handin
    tarball uploaded as is)."""
    if _looks_like_tree(d):
        return d
    names = [n for n in os.listdir(d) if n not in ("__MACOSX", ".DS_Store")]
    dirs = [n for n in names if os.path.isdir(os.path.join(d, n))]
    archives = [n for n in names if is_archive(os.path.join(d, n))]
    if depth < 3 and len(dirs) == 1 and not archives:
        return _find_tree(os.path.join(d, dirs[0]), notes, depth + 1)
    if depth < 3 and len(archives) == 1 and not dirs:
        sub = os.path.join(d, ".unpacked")
        os.makedirs(sub)
        notes.append(f"unpacked {archives[0]}")
        _unpack_archive(os.path.join(d, archives[0]), sub, notes)
        return _find_tree(sub, notes, depth + 1)
    raise NoTree("no aqua6 tree (a directory with kern/ and a Makefile) in the submission"
                 + (f"; found: {', '.join(sorted(names)[:10])}" if names else " (it is empty)"))


def _unpack_archive(path, dest, notes):
    try:
        if path.lower().endswith(".zip"):
            _extract_zip(path, dest, notes)
        else:
            _extract_tar(path, dest, notes)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as e:
        raise NoTree(f"cannot unpack {os.path.basename(path)}: {e}") from None


def unpack(entry, dest, ref=None, before=None):
    """Put the submission `entry` into the empty directory dest; returns
    (tree, notes) where tree is the aqua6 tree inside dest."""
    notes = []
    os.makedirs(dest, exist_ok=True)
    if os.path.isdir(entry):
        if os.path.exists(os.path.join(entry, ".git")):
            st = _git(["-C", entry], "status", "--porcelain", "--untracked-files=no", text=True)
            _export_git(["-C", entry], dest, notes, ref, before)
            if st.returncode == 0 and st.stdout.strip():
                notes.append("git: the working tree has uncommitted changes; they are not graded")
        elif (os.path.isfile(os.path.join(entry, "HEAD"))
              and os.path.isdir(os.path.join(entry, "objects"))):
            _export_git(["--git-dir", entry], dest, notes, ref, before)
        else:
            _copy_dir(entry, dest)
    elif is_archive(entry):
        _unpack_archive(entry, dest, notes)
    else:
        raise NoTree(f"{os.path.basename(entry)}: not a directory, git repository or archive")
    tree = _find_tree(dest, notes)
    notes.extend(check_handin_manifest(tree))
    return tree, notes


def check_handin_manifest(tree):
    """Compare a handin's MANIFEST.sha256 (make handin) with its files."""
    path = os.path.join(tree, "MANIFEST.sha256")
    if not os.path.isfile(path):
        return []
    bad, n = [], 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"^([0-9a-f]{64}) [ *](.+)$", line.rstrip("\n"))
            if not m:
                continue
            n += 1
            rel = _safe_rel(m.group(2))
            p = os.path.join(tree, rel) if rel else None
            if p is None or not os.path.isfile(p):
                bad.append(m.group(2) + " (missing)")
                continue
            with open(p, "rb") as fh:
                if hashlib.sha256(fh.read()).hexdigest() != m.group(1):
                    bad.append(m.group(2))
    notes = []
    hp = os.path.join(tree, "HANDIN.txt")
    if os.path.isfile(hp):
        with open(hp, encoding="utf-8", errors="replace") as f:
            meta = "; ".join(l.strip() for l in f if l.strip())
        notes.append(f"handin: {meta[:300]}")
    if bad:
        notes.append(f"MANIFEST.sha256: {len(bad)} of {n} files differ from the handin: "
                     + ", ".join(bad[:10]) + (" ..." if len(bad) > 10 else ""))
    else:
        notes.append(f"MANIFEST.sha256: all {n} files match")
    return notes


# ---- names ----------------------------------------------------------------------

def student_name(entry):
    base = os.path.basename(os.path.normpath(entry))
    low = base.lower()
    for suf in ARCHIVE_SUFFIXES + (".git",):
        if low.endswith(suf):
            base = base[:-len(suf)]
            break
    m = re.match(r"^handin-(.+?)-\d{8}(?:-\d{4,6})?$", base)
    if m:
        base = m.group(1)
    base = re.sub(r"[^A-Za-z0-9_.@+-]+", "_", base).strip("._") or "student"
    return base


def find_submissions(subdir, out=None):
    """[(student, path)] for the entries of subdir, sorted, names unique."""
    if not os.path.isdir(subdir):
        raise BatchError(f"SUBMISSIONS={subdir}: not a directory")
    entries, skipped = [], []
    outabs = os.path.abspath(out) if out else None
    for name in sorted(os.listdir(subdir)):
        p = os.path.join(subdir, name)
        if name.startswith(".") or os.path.abspath(p) == outabs:
            continue
        if os.path.isdir(p) or is_archive(p):
            entries.append(p)
        else:
            skipped.append(name)
    seen, out_list = {}, []
    for p in entries:
        s = student_name(p)
        if s in seen:
            seen[s] += 1
            s = f"{s}-{seen[s]}"
        else:
            seen[s] = 1
        out_list.append((s, p))
    return out_list, skipped


# ---- grading one tree ---------------------------------------------------------------

def clean_env():
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "ARCH", "CPUS", "MEM",
              "BOOTARGS", "LAB", "TEST", "JOBS", "OUT", "RESULTS", "JUNIT", "SUBMISSIONS",
              "TIMEOUT", "TIMEOUT_FACTOR", "PYTHON"):
        env.pop(k, None)
    return env


def columns(stages, arches):
    """CSV/score columns: 'stage/arch' for every stage and the ports it runs on."""
    return [f"{s.name}/{a}" for s in stages for a in arches if a in s.arches]


def column_max(stages, arches):
    return {f"{s.name}/{a}": s.points for s in stages for a in arches if a in s.arches}


# Process groups of the builds and grader runs under way, so that ^C or
# SIGTERM can end them (and their QEMUs) wherever they are.
_LIVE = set()
_STOP = threading.Event()


def _sigterm(signum, frame):
    raise KeyboardInterrupt


def _kill_live():
    _STOP.set()
    for pid in list(_LIVE):
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


# CPU seconds each process of a submission's build may use: a compile takes
# a few, and a file that makes the compiler loop must not stop the batch.
BUILD_CPU_S = 600
# With --timeout: seconds before its end after which no test is started.
RESERVE = 25


def _limit_build_cpu():
    import resource
    resource.setrlimit(resource.RLIMIT_CPU, (BUILD_CPU_S, BUILD_CPU_S))


def _run(cmd, cwd, deadline, log, on_line=None, env=None, preexec_fn=None):
    """Run cmd, copy its output to log (and lines to on_line); kill its whole
    process group at the deadline (time.monotonic(); None: no deadline).
    Returns (returncode or None, output)."""
    if _STOP.is_set():
        raise KeyboardInterrupt
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL, env=env or clean_env(),
                         start_new_session=True, preexec_fn=preexec_fn)
    _LIVE.add(p.pid)
    chunks = []

    def reader():
        for raw in iter(p.stdout.readline, b""):
            line = raw.decode("utf-8", "replace")
            chunks.append(line)
            log.write(line)
            if on_line:
                on_line(line)
        log.flush()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        p.wait(timeout=None if deadline is None else max(deadline - time.monotonic(), 0.1))
    except BaseException as e:              # time-out, ^C, SIGTERM: no QEMU left behind
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        t.join(5)
        if not isinstance(e, subprocess.TimeoutExpired):
            raise
        return None, "".join(chunks)
    finally:
        _LIVE.discard(p.pid)
    t.join(10)
    if _STOP.is_set():
        raise KeyboardInterrupt
    return p.returncode, "".join(chunks)


def build_excerpt(out):
    try:
        import grade as gradepy
        return gradepy.build_excerpt(out)
    except Exception:
        lines = out.rstrip().splitlines()
        errs = [l for l in lines if "error:" in l or "undefined reference" in l][:20]
        return (errs + ["..."] + lines[-12:]) if errs else lines[-40:]


@dataclasses.dataclass
class Options:
    lab: str | None = None
    arches: tuple = labs.ARCHES
    grade_jobs: int = 2
    timeout: float | None = None        # seconds for the whole submission (None: no budget)
    ref: str | None = None
    before: str | None = None
    keep: bool = False
    timeout_factor: float = 1.0
    # starter_digests() of the lab: every submission is diffed against it
    # (None: no diff report)
    starter: dict | None = None


def grade_submission(student, entry, plan, opts, work, progress=None):
    """Unpack, overlay, build and grade one submission.  Returns its report
    (the per-student JSON)."""
    t0 = time.monotonic()
    deadline = t0 + opts.timeout if opts.timeout else None
    m = labs.load(os.path.join(plan.root, "grade", "manifest.toml"))
    stages = m.select(opts.lab)
    arches = [a for a in opts.arches if any(a in s.arches for s in stages)]
    cols = columns(stages, arches)
    maxes = column_max(stages, arches)
    rep = {"student": student, "source": os.path.abspath(entry), "status": "error",
           "score": 0, "max_score": sum(maxes.values()), "columns": {c: 0 for c in cols},
           "build": {}, "notes": [], "pristine_changed": [], "dropped": [], "seconds": 0,
           "diff": None, "results": None}
    say = progress or (lambda what: None)
    os.makedirs(work, exist_ok=True)
    logpath = os.path.join(work, "grade.log")
    with open(logpath, "w", encoding="utf-8") as log:
        try:
            say("unpacking")
            tree, notes = unpack(entry, os.path.join(work, "src"), opts.ref, opts.before)
            rep["notes"].extend(notes)
            ov = overlay(tree, plan)
            rep["pristine_changed"], rep["dropped"] = ov["changed"], ov["dropped"]
            if ov["changed"]:
                rep["notes"].append(f"{len(ov['changed'])} pristine file(s) differed from the "
                                    "instructor's and were replaced: "
                                    + ", ".join(ov["changed"][:8])
                                    + (" ..." if len(ov["changed"]) > 8 else ""))
            if opts.starter:
                rep["diff"] = diff_report(tree, plan, opts.starter)
                note = diff_note(rep["diff"])
                if note:
                    rep["notes"].append(note)
            log.write(f"# {student}: {entry}\n# tree {tree}\n")
            for n in rep["notes"]:
                log.write(f"# {n}\n")
            if rep["diff"]:
                log.writelines(f"# {l}\n" for l in diff_lines(rep["diff"]))
            for arch in arches:
                say(f"build {arch}")
                b0 = time.monotonic()
                log.write(f"\n$ make -j{opts.grade_jobs} ARCH={arch} all\n")
                rc, out = _run(["make", "--no-print-directory", f"-j{opts.grade_jobs}",
                                f"ARCH={arch}", "all"], tree, deadline, log,
                               preexec_fn=_limit_build_cpu)
                rep["build"][arch] = {"ok": rc == 0, "seconds": round(time.monotonic() - b0, 1),
                                      "errors": [] if rc == 0 else build_excerpt(out)}
                if rc is None:
                    raise TimeoutError
                if rc != 0:
                    errs = [l for l in rep["build"][arch]["errors"] if "error" in l]
                    rep["notes"].append(f"build failed on {arch}: "
                                        + (errs[0].strip() if errs else "see the log")[:200])
            say("testing")
            rj = os.path.join(work, "results.json")
            cmd = [PYTHON, os.path.join(tree, "grade", "grade.py"), "--arch", ",".join(arches),
                   "-j", str(opts.grade_jobs), "--results-json", rj,
                   "--timeout-factor", str(opts.timeout_factor)]
            if opts.lab:
                cmd += ["--lab", opts.lab]
            log.write(f"\n$ {' '.join(cmd)}\n")
            done = [0]

            def on_line(line):
                if re.match(r"^\s+(PASS|FAIL|ERROR|SKIP)\s", line):
                    done[0] += 1
                    say(f"testing, {done[0]} done")
            env = clean_env()
            if deadline is not None:
                # The soft deadline (grade/conftest.py --aqua-deadline, on
                # time.time()): tests that would start later are NOT RUN, and
                # grade.py writes the results of the others before the kill.
                soft = time.time() + (deadline - time.monotonic()) - RESERVE
                if env.get("AQUA_DEADLINE"):
                    soft = min(soft, float(env["AQUA_DEADLINE"]))
                env["AQUA_DEADLINE"] = f"{soft:.1f}"
            rc, out = _run(cmd, tree, deadline, log, on_line, env=env)
            if rc is None:
                raise TimeoutError
            try:
                with open(rj, encoding="utf-8") as f:
                    rep["results"] = json.load(f)
            except (OSError, ValueError):
                rep["notes"].append(f"grade.py ended with status {rc} and wrote no results")
                rep["status"] = "error"
            else:
                for t in rep["results"].get("tests", []):
                    mm = re.match(r"^(.*) \[(.*)\]$", t.get("name", ""))
                    if mm and f"{mm.group(1)}/{mm.group(2)}" in rep["columns"]:
                        rep["columns"][f"{mm.group(1)}/{mm.group(2)}"] = t.get("score", 0)
                broken = [a for a, b in rep["build"].items() if not b["ok"]]
                rep["status"] = ("build-failed " + ",".join(broken)) if broken else "graded"
        except TimeoutError:
            rep["status"] = "timeout"
            rep["notes"].append(f"the budget of {opts.timeout:.0f} s (--timeout) for the whole "
                                "submission ran out: scored 0")
            rep["columns"] = {c: 0 for c in cols}
        except NoTree as e:
            rep["status"] = "no-tree"
            rep["notes"].append(str(e))
        except Exception as e:              # a grader bug must not stop the batch
            rep["status"] = "error"
            rep["notes"].append(f"internal error: {type(e).__name__}: {e}")
            import traceback
            log.write(traceback.format_exc())
    rep["score"] = sum(rep["columns"].values())
    rep["seconds"] = round(time.monotonic() - t0, 1)
    rep["results"] = gradescope_results(rep, cols, maxes)
    return rep, logpath


def gradescope_results(rep, cols, maxes):
    """A valid Gradescope results.json for any outcome: grade.py's own when
    it ran, with the build errors and notes in front of its output;
    otherwise one zero-score test per column saying why."""
    head = []
    for arch, b in rep["build"].items():
        if not b["ok"]:
            head.append(f"BUILD FAILED on {arch}: `make ARCH={arch} all` said:")
            head.extend("  | " + l for l in b["errors"])
    if rep["status"] in ("timeout", "no-tree", "error"):
        head.append(f"status: {rep['status']}")
    head.extend(rep["notes"])
    if rep.get("diff"):
        head.extend(diff_lines(rep["diff"]))
    r = rep.get("results")
    # Gradescope keeps extra_data with the submission: the instructor's
    # copy of the full diff report, whatever the student is shown.
    # The status tells the adapters (grade/adapters.py) an ungradable
    # submission from a failing one.
    extra = {"status": rep["status"]}
    if rep.get("diff"):
        extra["diff"] = rep["diff"]
    if r and rep["status"] not in ("timeout",):
        r = dict(r)
        r["output"] = "\n".join(head + [r.get("output", "")]).strip()
        r["extra_data"] = dict(r.get("extra_data") or {}, **extra)
        return r
    why = "\n".join(head) or rep["status"]
    return {"score": 0, "execution_time": int(rep.get("seconds", 0)), "output": why,
            "stdout_visibility": "visible", "extra_data": extra,
            "tests": [{"name": c.replace("/", " [") + "]", "number": str(i), "score": 0,
                       "max_score": maxes[c], "status": "failed", "output": why,
                       "visibility": "visible"} for i, c in enumerate(cols, 1)]}


# ---- the batch ---------------------------------------------------------------------

CSV_TAIL = ("total", "max", "status", "seconds", "notes")


def write_csv(path, reports, cols):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student"] + cols + list(CSV_TAIL))
        for r in sorted(reports, key=lambda r: r["student"]):
            short = [n for n in r["notes"] if not n.startswith(("git:", "handin:"))]
            # What the student changed outside the lab's files goes first:
            # the 500 characters must not cut it off.
            short.sort(key=lambda n: "changed outside the lab's files" not in n)
            w.writerow([r["student"]] + [r["columns"].get(c, 0) for c in cols]
                       + [r["score"], r["max_score"], r["status"], r["seconds"],
                          " | ".join(short)[:500]])
    os.replace(tmp, path)


class Progress:
    """A progress bar on stderr (one line per event when it is not a tty)."""

    def __init__(self, total, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.tty = stream.isatty()
        self.running = {}
        self.t0 = time.monotonic()
        self.lock = threading.Lock()

    def _line(self):
        width = 24
        fill = int(width * self.done / max(self.total, 1))
        el = time.monotonic() - self.t0
        eta = ""
        if 0 < self.done < self.total:
            left = int(el / self.done * (self.total - self.done))
            eta = f"  ETA {left // 60}:{left % 60:02d}"
        now = "  ".join(f"{s}: {w}" for s, w in self.running.items())
        return (f"[{'#' * fill}{'-' * (width - fill)}] {self.done}/{self.total} "
                f"{int(el) // 60}:{int(el) % 60:02d}{eta}  {now}")

    def update(self, student, what):
        with self.lock:
            self.running[student] = what
            if self.tty:
                cols = shutil.get_terminal_size((100, 20)).columns
                self.stream.write("\r\033[K" + self._line()[:cols - 1])
                self.stream.flush()
            elif what in ("unpacking",):
                self.stream.write(f"[{self.done}/{self.total}] {student}: started\n")
                self.stream.flush()

    def finish(self, student, text):
        with self.lock:
            self.running.pop(student, None)
            self.done += 1
            if self.tty:
                self.stream.write("\r\033[K")
            self.stream.write(f"[{self.done}/{self.total}] {student}: {text}\n")
            if self.tty and self.running:
                self.stream.write(self._line())
            self.stream.flush()


def run_batch(subdir, out, opts, jobs=1, work=None, plan=None, stream=sys.stderr):
    plan = plan or make_plan(ROOT)
    m = labs.load(os.path.join(plan.root, "grade", "manifest.toml"))
    stages = m.select(opts.lab)
    arches = [a for a in opts.arches if any(a in s.arches for s in stages)]
    cols = columns(stages, arches)
    subs, skipped = find_submissions(subdir, out)
    if opts.starter is None:
        try:
            opts = dataclasses.replace(opts, starter=starter_digests(plan, opts.lab, plan.root))
        except BatchError as e:
            print(f"grade-batch: no diff report: {e}", file=stream)
    if opts.starter:
        print(f"grade-batch: diffing each submission against the starter of LAB={opts.starter['lab']} "
              f"({len(opts.starter['files'])} files; the lab's files: "
              f"{', '.join(opts.starter['lab_files']) or 'none'})", file=stream)
    if not subs:
        raise BatchError(f"no submissions in {subdir} (directories, git repositories or archives)")
    os.makedirs(out, exist_ok=True)
    work = work or tempfile.mkdtemp(prefix="aqua6-batch-")
    os.makedirs(work, exist_ok=True)
    print(f"grade-batch: {len(subs)} submission(s) from {subdir}; LAB={opts.lab or 'all'} "
          f"({', '.join(s.name for s in stages)}); ARCH={','.join(arches)}; "
          f"{jobs} at a time, -j{opts.grade_jobs} each; "
          + (f"budget {opts.timeout:.0f} s each" if opts.timeout else "no budget (each boot has its limit)"),
          file=stream)
    print(f"grade-batch: pristine files from {plan.root} ({len(plan.files)} files"
          f"{f', {len(plan.hidden)} hidden' if plan.hidden else ''}); scratch {work}", file=stream)
    for s in skipped:
        print(f"grade-batch: skipped {s} (not a directory or an archive)", file=stream)
    reports = []
    lock = threading.Lock()
    bar = Progress(len(subs), stream)

    def one(student, entry):
        wdir = os.path.join(work, student)
        _remove(wdir)
        rep, logpath = grade_submission(student, entry, plan, opts, wdir,
                                        lambda what: bar.update(student, what))
        shutil.copyfile(logpath, os.path.join(out, student + ".log"))
        with open(os.path.join(out, student + ".json"), "w", encoding="utf-8") as f:
            json.dump(rep, f, indent=1)
            f.write("\n")
        if not opts.keep:
            shutil.rmtree(wdir, ignore_errors=True)
        with lock:
            reports.append(rep)
            write_csv(os.path.join(out, "results.csv"), reports, cols)
        bar.finish(student, f"{rep['score']}/{rep['max_score']}  {rep['status']}  "
                            f"({rep['seconds']:.0f} s)")
        return rep

    ex = concurrent.futures.ThreadPoolExecutor(max_workers=max(jobs, 1))
    futures = [ex.submit(one, s, e) for s, e in subs]
    try:
        for f in futures:
            f.result()
    except BaseException:
        for f in futures:
            f.cancel()
        _kill_live()
        ex.shutdown(wait=True)
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)
        print(f"\ngrade-batch: interrupted; results so far in {out}", file=stream)
        raise
    ex.shutdown()
    if not opts.keep:
        shutil.rmtree(work, ignore_errors=True)
    w = max(len(r["student"]) for r in reports)
    print("", file=stream)
    for r in sorted(reports, key=lambda r: r["student"]):
        print(f"{r['student']:<{w}}  {r['score']:>4}/{r['max_score']:<4}  {r['status']}", file=stream)
    print(f"grade-batch: wrote {os.path.join(out, 'results.csv')} and one .json and .log "
          f"per student in {out}", file=stream)
    return reports


def main(argv=None):
    ap = argparse.ArgumentParser(prog="batch.py", description=__doc__.split("\n")[0])
    ap.add_argument("submissions", nargs="?", help="directory of submissions")
    ap.add_argument("--lab", default=None, help="stage or assignment (default: every graded stage)")
    ap.add_argument("--arch", default="all", help=f"{', '.join(labs.ARCHES)} or all (default)")
    ap.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    ap.add_argument("--grade-jobs", type=int, default=2,
                    help="make -j and parallel QEMUs per submission (default 2)")
    ap.add_argument("--out", help="results directory (default: SUBMISSIONS.results)")
    ap.add_argument("--timeout", type=float, default=None,
                    help="a budget in seconds per submission, build and tests: tests that would "
                         "start in its last 25 s are NOT RUN (default: none; each boot has its limit)")
    ap.add_argument("--timeout-factor", type=float, default=1.0,
                    help="multiply every QEMU boot's time limit (grade.py; slow machine: 2)")
    ap.add_argument("--work", help="scratch directory (default: a new one under $TMPDIR)")
    ap.add_argument("--keep", action="store_true", help="keep the graded trees in the scratch directory")
    ap.add_argument("--ref", help="git submissions: grade this ref (default HEAD)")
    ap.add_argument("--before", metavar="DATE",
                    help="git submissions: grade the last commit before DATE (a deadline)")
    ap.add_argument("--overlay", nargs=2, metavar=("SUBMISSION", "DIR"),
                    help="only unpack SUBMISSION into DIR with the pristine files laid over")
    a = ap.parse_args(argv)
    try:
        if a.overlay:
            tree, notes = unpack(a.overlay[0], a.overlay[1], a.ref, a.before)
            plan = make_plan(ROOT)
            ov = overlay(tree, plan)
            for n in notes:
                print(n)
            for line in diff_lines(diff_report(tree, plan, starter_digests(plan, a.lab))):
                print(line)
            for f in ov["changed"]:
                print(f"replaced pristine file: {f}")
            for f in ov["dropped"]:
                print(f"dropped: {f}")
            print(f"tree: {tree}")
            return 0
        if not a.submissions:
            ap.error("give SUBMISSIONS (a directory)")
        # SIGTERM (a kill, a CI time-out) ends the batch like ^C: the
        # running grade's process group is killed on the way out.
        signal.signal(signal.SIGTERM, _sigterm)
        opts = Options(lab=a.lab, arches=labs.parse_arches(a.arch), grade_jobs=a.grade_jobs,
                       timeout=a.timeout, ref=a.ref, before=a.before, keep=a.keep,
                       timeout_factor=a.timeout_factor)
        labs.load(os.path.join(ROOT, "grade", "manifest.toml")).select(a.lab)
        out = a.out or os.path.normpath(a.submissions) + ".results"
        reports = run_batch(a.submissions, out, opts, a.jobs, a.work)
    except (BatchError, labs.SelectionError, labs.ManifestError) as e:
        print(f"grade-batch: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 1 if any(r["status"] == "error" for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
