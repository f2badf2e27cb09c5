"""Signed verdicts: the grader's half of user/include/verdict.h.

The console of a graded boot is written by the student's kernel, and so is
the exit status QEMU reports: a kernel can print "ok" where the test said
"not ok", or make init see status 0.  So the grader does not believe them.
For every boot it makes a fresh random key and nonce and writes them into
/etc/verdict of that boot's own copy of the disk image (never the kernel
command line, which the kernel hands around).  The pristine test program
reads the key, and its C library ends the run with one line

    # verdict 12 ......F..... exit 1 hmac <64 hex digits>

an HMAC-SHA256 over the nonce, the program's argv, one letter per check
('.' passed, 'F' failed, '?' never reported) and its exit status; init
signs the status it got and its leak-check counts the same way:

    init: verdict exit 0 leak 64650 64650 2 2 1 1 hmac <64 hex digits>

The grader recomputes both with the key only it and the pristine programs
know.  A missing line, one signed under another boot's key (a replayed
console) or one changed in any byte fails the test, and a console line that
disagrees with the signed letters loses to them.

What this does not stop: a kernel written to find the key in a process's
memory or on the disk can sign what it likes.  That takes deliberate code
in the kernel, which the diff report of batch grading names
(docs/INSTRUCTORS.md, "What the grader defends against").
"""

import dataclasses
import hashlib
import hmac
import os
import re
import secrets
import threading

SLOT_MAGIC = b"aqua6 verdict slot v1"     # the Makefile's $(B)/verdict.slot
SLOT_SIZE = 256
BLOCK = 1024                              # BSIZE, include/aqua/fsformat.h
PATH = "/etc/verdict"                     # VERDICT_PATH, user/include/verdict.h

_TAP_RE = re.compile(r"^# verdict (\d+) ([.F?]*) exit (\d+) hmac ([0-9a-f]{64})\s*$", re.M)
_INIT_RE = re.compile(r"^init: verdict exit (-?\d+) leak (none|\d+ \d+ -?\d+ -?\d+ -?\d+ -?\d+)"
                      r" hmac ([0-9a-f]{64})\s*$", re.M)
# Any line that claims to be one, well formed or not: to tell "missing"
# from "altered".
_ANY_TAP_RE = re.compile(r"^# verdict .*$", re.M)
_ANY_INIT_RE = re.compile(r"^init: verdict .*$", re.M)

_slot_cache = {}
_slot_lock = threading.Lock()


class SlotError(Exception):
    """The image has no (or more than one) verdict slot: a build problem."""


@dataclasses.dataclass(frozen=True)
class Key:
    key: bytes              # 32 random bytes
    nonce: str              # 32 hex digits

    @classmethod
    def fresh(cls):
        return cls(secrets.token_bytes(32), secrets.token_hex(16))

    def file_text(self):
        """/etc/verdict as user/lib/verdict.c reads it, padded to the slot."""
        text = f"aqua6 verdict key v1\nkey {self.key.hex()}\nnonce {self.nonce}\n".encode()
        return text + b"\n" * (SLOT_SIZE - len(text))


def slot_offset(image):
    """The byte offset of /etc/verdict's data in image (cached per build)."""
    st = os.stat(image)
    ident = (os.path.abspath(image), st.st_mtime_ns, st.st_size)
    with _slot_lock:
        if ident in _slot_cache:
            return _slot_cache[ident]
    with open(image, "rb") as f:
        data = f.read()
    found = []
    i = data.find(SLOT_MAGIC)
    while i >= 0:
        if i % BLOCK == 0:
            found.append(i)
        i = data.find(SLOT_MAGIC, i + 1)
    if len(found) != 1:
        raise SlotError(f"{image}: {len(found)} verdict slots, want 1 "
                        "(the Makefile puts $(B)/verdict.slot at /etc/verdict; rebuild with make)")
    with _slot_lock:
        _slot_cache[ident] = found[0]
    return found[0]


CHUNK = 64 << 10


def keyed_image(image, key, dest):
    """Copy image to dest with key written into its verdict slot.

    Every graded boot makes one, so the copy is sparse: an image is mostly
    free blocks (84% of build/x86_64/fs.img is zero), and writing them out
    would cost 32 MiB of disk and, on Gradescope, of the memory cgroup's
    page cache per boot.  Blocks that are all zero are left as holes,
    which read back as zeros."""
    off = slot_offset(image)
    zero = bytes(CHUNK)
    with open(image, "rb") as src, open(dest, "wb") as out:
        while chunk := src.read(CHUNK):
            if chunk == zero[:len(chunk)]:
                out.seek(len(chunk), os.SEEK_CUR)
            else:
                out.write(chunk)
        out.truncate()
        out.seek(off)
        out.write(key.file_text())
    return dest


def split_args(program):
    """The argv init gives `run=<program>` (user/bin/init.c, split())."""
    argv, i, n = [], 0, len(program)
    while True:
        while i < n and program[i] in " \t\n":
            i += 1
        if i >= n:
            return argv
        word = []
        while i < n and program[i] not in " \t\n":
            c = program[i]
            if c in "'\"":
                i += 1
                while i < n and program[i] != c:
                    word.append(program[i])
                    i += 1
                if i < n:
                    i += 1
            else:
                word.append(c)
                i += 1
        argv.append("".join(word))
        if i < n:
            i += 1


def message(key, kind, argv, summary):
    """The bytes that are signed (user/lib/verdict.c, message())."""
    m = f"aqua6 verdict v1\nkind {kind}\nnonce {key.nonce}\nargc {len(argv)}\n"
    for a in argv:
        m += f"{len(a.encode())} {a}\n"
    m += f"summary {summary}\n"
    return m.encode()


def sign(key, kind, argv, summary):
    return hmac.new(key.key, message(key, kind, argv, summary), hashlib.sha256).hexdigest()


@dataclasses.dataclass
class TapVerdict:
    checks: int
    letters: str            # '.' passed, 'F' failed, '?' not reported
    exit: int

    def passed(self, number):
        return 1 <= number <= len(self.letters) and self.letters[number - 1] == "."

    def failed_numbers(self):
        return [i + 1 for i, c in enumerate(self.letters) if c != "."]


@dataclasses.dataclass
class InitVerdict:
    exit: int
    leak: tuple | None      # (pages before, after, procs before, after, files before, after)


@dataclasses.dataclass
class Found:
    """What the console held: the verdict if one line verified, else why not."""
    verdict: object = None
    problem: str = ""


def _pick(console, strict_re, any_re, key, kind, argv, summary_of, build, what):
    good, bad = [], 0
    for m in strict_re.finditer(console):
        summary, mac = summary_of(m), m.group(m.lastindex)
        if hmac.compare_digest(mac, sign(key, kind, argv, summary)):
            good.append(build(m))
        else:
            bad += 1
    claims = len(any_re.findall(console))
    if len({repr(g) for g in good}) > 1:
        return Found(problem=f"{len(good)} different signed {what} lines (two runs in one boot?)")
    if good:
        return Found(verdict=good[0])
    if claims == 0:
        return Found(problem=f"no signed {what} line: the program did not finish, or could not "
                     f"read its key from {PATH}, or its line never reached the console")
    return Found(problem=f"the signed {what} line does not verify ({claims} seen): it was "
                 "changed on its way to the console, or it is from another boot (a replayed "
                 "console); this boot's key signed none of them")


def find_tap(console, key, program):
    """The test program's signed verdict in console (a Found)."""
    return _pick(console, _TAP_RE, _ANY_TAP_RE, key, "tap", split_args(program),
                 lambda m: f"{m.group(1)} {m.group(2)} exit {m.group(3)}",
                 lambda m: TapVerdict(int(m.group(1)), m.group(2), int(m.group(3))),
                 "verdict ('# verdict ...')")


def find_init(console, key, program):
    """init's signed exit status and leak counts in console (a Found)."""
    def build(m):
        leak = None if m.group(2) == "none" else tuple(int(x) for x in m.group(2).split())
        return InitVerdict(int(m.group(1)), leak)
    return _pick(console, _INIT_RE, _ANY_INIT_RE, key, "init", split_args(program),
                 lambda m: f"exit {m.group(1)} leak {m.group(2)}", build,
                 "init ('init: verdict ...')")


def is_verdict_line(line):
    """Lines the grader reads itself and need not show as program output."""
    s = line.strip()
    return s.startswith("# verdict ") or s.startswith("init: verdict ")

