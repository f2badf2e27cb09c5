#!/usr/bin/python3
"""make handin: pack your tree into a tarball to upload.

    make handin [STUDENT=name] [OUT=dir-or-file]
    grade/handin.py [--user NAME] [--out DIR_OR_FILE] [--root TREE]

First builds both ports (make ARCH=<arch> all): a tree that does not build
would score nothing, so it is refused (exit status 1) with the compiler's
error lines.  Then writes handin-<user>-<date>.tar.gz (in the top directory
unless OUT says otherwise) holding one directory, handin-<user>-<date>/,
with

  * every file of the tree except build products and caches: build/,
    .git/, __pycache__/, *.pyc, .gdbinit, earlier handin tarballs;
  * HANDIN.txt: who, which lab (the handout's .aqua6-lab), when, and the
    git commit the tree was at;
  * MANIFEST.sha256: the SHA-256 of every file, in `sha256sum` format, so
    `sha256sum -c MANIFEST.sha256` inside the directory checks it, and the
    batch grader says whether the files it graded are the ones handed in.

Symbolic links are left out (the grader ignores them anyway).  <user> is
STUDENT, else your login name.
"""

import argparse
import getpass
import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import labs  # noqa: E402

# Written by tools/handout.py at the top of a handout: the lab it is for.
LAB_FILE = ".aqua6-lab"

SKIP_DIRS = {".git", "build", "__pycache__", ".pytest_cache"}
SKIP_TOP = {".gdbinit"}


def skipped(rel):
    base = os.path.basename(rel)
    if base.endswith((".pyc", ".pyo")):
        return True
    if "/" not in rel and (base in SKIP_TOP or re.match(r"^handin-.*\.tar\.gz$", base)
                           or base in ("MANIFEST.sha256", "HANDIN.txt")):
        return True
    return False


def collect(root):
    files, links = [], []
    for dirpath, dirnames, filenames in os.walk(root):
        keep = []
        for d in sorted(dirnames):
            p = os.path.join(dirpath, d)
            if os.path.islink(p):
                links.append(os.path.relpath(p, root))
            elif d not in SKIP_DIRS:
                keep.append(d)
        dirnames[:] = keep
        for fn in sorted(filenames):
            p = os.path.join(dirpath, fn)
            rel = os.path.relpath(p, root).replace(os.sep, "/")
            if os.path.islink(p):
                links.append(rel)
            elif os.path.isfile(p) and not skipped(rel):
                files.append(rel)
    return sorted(files), links


def git_state(root):
    def git(*args):
        r = subprocess.run(["git", "-C", root] + list(args), capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ""
    if not os.path.exists(os.path.join(root, ".git")):
        return "no git repository"
    head = git("rev-parse", "HEAD") or "no commit"
    dirty = git("status", "--porcelain")
    return f"{head}{' (plus uncommitted changes)' if dirty else ''}"


def lab_of(root):
    try:
        with open(os.path.join(root, LAB_FILE), encoding="utf-8", errors="replace") as f:
            return f.read().strip() or "unknown (an empty " + LAB_FILE + ")"
    except OSError:
        return f"unknown (no {LAB_FILE}: not a handout)"


def build_errors(root):
    """Build every port in root; [] when all build, else the lines to show
    for the first port that does not: the compiler's errors first (the
    excerpt `make grade` shows).  A shared file's error would only be
    printed twice by the next port."""
    import grade   # grade/grade.py: the same excerpt and environment as `make grade`
    for arch in labs.ARCHES:
        p = subprocess.run(["make", "-s", "--no-print-directory", "-C", root, f"ARCH={arch}", "all"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           env=grade.make_env())
        if p.returncode != 0:
            return [f"make ARCH={arch} all failed:"] + ["  " + l for l in grade.build_excerpt(p.stdout)]
    return []


def user_name(given):
    name = given or os.environ.get("STUDENT") or getpass.getuser() or "student"
    return re.sub(r"[^A-Za-z0-9_.@+-]+", "_", name).strip("._-") or "student"


def handin(root, user, out=None, now=None):
    now = now or time.localtime()
    stamp = time.strftime("%Y%m%d-%H%M%S", now)
    base = f"handin-{user}-{stamp}"
    if out is None:
        path = os.path.join(root, base + ".tar.gz")
    elif os.path.isdir(out) or out.endswith("/"):
        os.makedirs(out, exist_ok=True)
        path = os.path.join(out, base + ".tar.gz")
    else:
        path = out
    files, links = collect(root)
    hashes = []
    info = (f"user: {user}\nlab: {lab_of(root)}\n"
            f"date: {time.strftime('%Y-%m-%d %H:%M:%S %z', now)}\n"
            f"git: {git_state(root)}\nfiles: {len(files)}\n")

    def add(tf, name, data, mode=0o644, mtime=None):
        ti = tarfile.TarInfo(f"{base}/{name}")
        ti.size, ti.mode = len(data), mode
        ti.mtime = mtime if mtime is not None else time.mktime(now)
        ti.uid = ti.gid = 0
        ti.uname = ti.gname = ""
        tf.addfile(ti, io.BytesIO(data))

    tmp = path + ".tmp"
    with tarfile.open(tmp, "w:gz", format=tarfile.PAX_FORMAT) as tf:
        for rel in files:
            p = os.path.join(root, rel)
            with open(p, "rb") as f:
                data = f.read()
            st = os.stat(p)
            hashes.append(f"{hashlib.sha256(data).hexdigest()}  {rel}\n")
            add(tf, rel, data, 0o755 if st.st_mode & 0o111 else 0o644, int(st.st_mtime))
        info_b = info.encode()
        hashes.append(f"{hashlib.sha256(info_b).hexdigest()}  HANDIN.txt\n")
        add(tf, "HANDIN.txt", info_b)
        add(tf, "MANIFEST.sha256", "".join(sorted(hashes, key=lambda l: l[66:])).encode())
    os.replace(tmp, path)
    return path, files, links


def main(argv=None):
    ap = argparse.ArgumentParser(prog="handin.py", description=__doc__.split("\n")[0])
    ap.add_argument("--user", help="your name in the file name (default: STUDENT or your login)")
    ap.add_argument("--out", help="directory or file to write (default: the top directory)")
    ap.add_argument("--root", default=ROOT, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    root = os.path.abspath(a.root)
    if not os.path.isdir(os.path.join(root, "kern")):
        print(f"handin: {root} is not an aqua6 tree", file=sys.stderr)
        return 2
    print(f"handin: building {' and '.join(labs.ARCHES)} (a tree that does not build is refused)",
          flush=True)
    errors = build_errors(root)
    if errors:
        print("\n".join(errors), file=sys.stderr)
        print("handin: refused: the tree does not build.  Fix the errors above, then run "
              "`make handin` again.", file=sys.stderr)
        return 1
    path, files, links = handin(root, user_name(a.user), a.out)
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    for l in links:
        print(f"handin: left out symbolic link {l}")
    shown = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    print(f"handin: wrote {shown} ({len(files)} files, {size // 1024} KiB)")
    print(f"handin: sha256 {digest}")
    if size > 20 << 20:
        print("handin: that is big for source code: is something large in the tree?")
    print("handin: upload this file.  `tar tzf` lists it; MANIFEST.sha256 inside has every file's hash.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
