"""Turning raw console output into sentences a student can act on.

Three things every failure report needs, kept here so that harness.py
(the reports) and tap.py (the per-check context) agree:

  * which console lines are the firmware's (OpenSBI on RISC-V, SeaBIOS or
    iPXE on x86_64): they come before the kernel's banner and say nothing
    about the student's code, so reports leave them out.  The log file
    keeps them (qemu.write_log never calls this);
  * what an exit status means: 128+n is "killed by signal n" (init's
    convention, user/bin/init.c), 127/126 are exec failures (init's and
    sh's); the signal names come from include/aqua/signal.h, read at run
    time, so the kernel's header stays the one table;
  * why a program printed no TAP at all: did it start, did it die by a
    signal, did init's forked child die before it could even exec?
"""

import functools
import os
import re

import ports

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIGNAL_H = os.path.join(ROOT, "include", "aqua", "signal.h")

# The kernel's first line (kern/main.c): "aqua6: riscv64, 2 CPUs, 253 MiB".
# Other early kernel messages also start with "aqua6: " ("aqua6: no PVH
# start info"), so the banner is the one that counts CPUs.
BANNER_RE = re.compile(r"^aqua6: .*\b\d+ CPUs?\b")

# Lines that only firmware prints, from every port's description
# (arch/<arch>/port.toml, [console]): single lines, and blocks (a first
# line, then the lines that belong to it).  Matched before the kernel
# banner only: after it, the console is the kernel's and nothing is dropped.
@functools.lru_cache(maxsize=None)
def _firmware():
    singles = [p for port in ports.load().values() for p in port.firmware]
    line = re.compile("^(?:%s)" % "|".join(singles)) if singles else None
    blocks = [(re.compile(port.firmware_block), [re.compile(p) for p in port.firmware_block_lines])
              for port in ports.load().values() if port.firmware_block]
    return line, blocks


def banner_index(lines):
    """Index of the kernel's boot banner in lines, or None."""
    for i, line in enumerate(lines):
        if BANNER_RE.match(line.strip()):
            return i
    return None


def firmware_mask(lines):
    """For each line, True if it is known firmware output before the banner.

    Only lines we recognize are marked, never "everything before the
    banner": a kernel that panics before its banner prints lines that
    must stay in the report.
    """
    lines = [l.rstrip("\r") for l in lines]
    end = banner_index(lines)
    if end is None:
        end = len(lines)
    mask = [False] * len(lines)
    line_re, blocks = _firmware()
    block = None                    # the lines of the block we are in
    for i in range(end):
        s = lines[i].rstrip()
        start = next((b for b in blocks if b[0].match(s)), None)
        if start is not None:
            block = start[1]
            mask[i] = True
            continue
        if block is not None:
            if not s.strip() or any(r.match(s) for r in block):
                mask[i] = True
                continue
            block = None            # something else: the firmware's block is over
        if line_re is not None and line_re.match(s.strip()):
            mask[i] = True
        elif not s.strip() and (i == 0 or mask[i - 1]):
            mask[i] = True          # blank lines around the firmware's
    return mask


def strip_firmware(lines):
    """lines without the firmware's (see firmware_mask)."""
    lines = list(lines)
    return [l for l, fw in zip(lines, firmware_mask(lines)) if not fw]


# ---- exit statuses ------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def signal_names(path=SIGNAL_H):
    """{number: "SIGSEGV", ...} from the kernel's <aqua/signal.h>."""
    names = {}
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return names
    # "#define SIGSEGV 11": SIG_DFL, SIG_BLOCK... have an underscore and
    # are not signal numbers; NSIG does not start with SIG.
    for m in re.finditer(r"(?m)^#define\s+(SIG[A-Z0-9]+)\s+(\d+)\b", text):
        names.setdefault(int(m.group(2)), m.group(1))
    return names


def describe_status(status):
    """What an exit status as init reports it means, in words, or "".

    init (user/bin/init.c) prints 128 + n for a process killed by signal
    n, and 127 when fork or exec failed; sh (user/bin/sh.c) exits 127 for
    "not found" and 126 for a program it found but could not exec.
    """
    try:
        status = int(status)
    except (TypeError, ValueError):
        return ""
    names = signal_names()
    if status == 127:
        return "exec failed: program not found or not runnable, or fork failed"
    if status == 126:
        return "sh found the program but could not exec it"
    if status > 128 and status - 128 in names:
        return f"killed by {names[status - 128]}, signal {status - 128}"
    if 128 < status < 128 + 64:
        return f"killed by signal {status - 128}"
    return ""


def status_text(status):
    """'139 (killed by SIGSEGV, signal 11)', or just '0'."""
    why = describe_status(status)
    return f"{status} ({why})" if why else f"{status}"


# init's line, with nothing after the number yet (so annotating is idempotent).
_INIT_EXIT_LINE = re.compile(r"(init: \S+ exited with status )(-?\d+)\s*$")


# init's died-before-exec line gives the signal's number only: init has no
# table of names, and a second table in C would be one more to keep right.
_BY_SIGNAL = re.compile(r"(\(killed by )signal (\d+)\)\s*$")


def annotate_line(line):
    """init's 'exited with status 139' line with what 139 means added, and
    its 'killed by signal 11' with the signal's name."""
    m = _INIT_EXIT_LINE.search(line)
    if m is not None and describe_status(m.group(2)):
        return line[:m.start()] + m.group(1) + status_text(int(m.group(2)))
    m = _BY_SIGNAL.search(line)
    if m is not None and line.lstrip(" |").startswith("init: ") and \
            int(m.group(2)) in signal_names():
        n = int(m.group(2))
        return line[:m.start()] + f"{m.group(1)}{signal_names()[n]}, signal {n})"
    return line


# ---- why a program printed nothing ------------------------------------------

# init's message when its child never reached exec (user/bin/init.c).
DIED_BEFORE_EXEC_RE = re.compile(
    r"init: the child \(pid (\d+)\) forked to run (\S+) died before exec "
    r"\((?:killed by signal (\d+)|exit status (-?\d+))\)")
EXEC_FAILED_RE = re.compile(r"init: exec (\S+): (.*)$", re.MULTILINE)
INIT_EXIT_RE = re.compile(r"init: (\S+) exited with status (-?\d+)")
# The kernel's line for a user process it killed (kern/trap.c and the ports).
KILLED_RE = re.compile(r"^pid (\d+) \(([^)]*)\): (.*?) -- killed\s*$", re.MULTILINE)


def died_before_exec(text):
    """(pid, program, why) from init's died-before-exec line, or None."""
    m = DIED_BEFORE_EXEC_RE.search(text)
    if m is None:
        return None
    if m.group(3) is not None:
        sig = int(m.group(3))
        why = "killed by " + signal_names().get(sig, "signal")
        why += f", signal {sig}"
    else:
        why = f"exit status {m.group(4)}"
    return int(m.group(1)), m.group(2), why


def died_before_exec_hint(text, said=False):
    """The sentences for a child of init that never reached exec, or [].

    said: the report's first line already says the child died before
    exec; then only what to look at follows.
    """
    d = died_before_exec(text)
    if d is None:
        return []
    pid, prog, why = d
    cause = ("fork1 or the return to user space of a new process is broken (the child "
             "died as soon as it first ran in user space)")
    out = ["likely cause: " + cause if said else
           f"init's child for {prog} died before it could exec ({why}): {cause}"]
    for k in KILLED_RE.finditer(text):
        if int(k.group(1)) == pid:
            out.append(f"the kernel's line `{k.group(0).strip()}` is that child: it is "
                       f"called {k.group(2)!r} because it had not exec'd yet")
            break
    else:
        out.append(f"pid {pid} is that child; it still has init's name, as it had not "
                   "exec'd yet")
    return out


def why_no_output(text, program, panic=None, returncode=None):
    """One sentence on why `program` printed no TAP at all."""
    prog = program.split()[0] if program.split() else program
    d = died_before_exec(text)
    if d is not None:
        return (f"init's child for {d[1]} died before it could exec ({d[2]}), "
                f"so {prog} never started")
    if panic is not None:
        return f"the kernel panicked ({panic.message})"
    ex = None
    for ex in INIT_EXIT_RE.finditer(text):
        pass
    if ex is not None:
        status = int(ex.group(2))
        if status == 127:
            e = EXEC_FAILED_RE.search(text)
            return (f"{prog} never started: init could not exec it"
                    + (f" ({e.group(2).strip()})" if e else "") + ", status 127")
        why = describe_status(status)
        if why.startswith("killed by"):
            k = None
            for k in KILLED_RE.finditer(text):
                pass
            if k is not None and k.group(2) == "init" and k.group(1) != "1":
                # An init that does not print the died-before-exec line
                # (an older tree): a process other than pid 1 still called
                # "init" can only be init's child before its exec.
                return (f"init's child for {prog} (pid {k.group(1)}, still called 'init') "
                        f"was {why} before it could exec, so {prog} never started; "
                        "fork1 or the return to user space of a new process is broken")
            return (f"{prog} was {why} before it printed anything"
                    + (f"; the kernel said: {k.group(0).strip()}" if k else ""))
        return (f"{prog} started and exited with status {status} without printing "
                "a TAP plan line")
    if banner_index(text.splitlines()) is None:
        return "the kernel never printed its boot banner ('aqua6: ...'): it died very early"
    return ("init never reported the end of the program (no 'init: ... exited with "
            "status N' line)" + (f"; QEMU exit status {returncode}"
                                 if returncode is not None else ""))
