"""Kernel panics in console output, and their backtraces made readable.

The kernel's panic() prints "panic: <message>", then registers and a
backtrace whose frames look like

    #0 0xffffffff80012345
    #1 0xffffffff80010abc  [anything after the address is kept as is]

and powers QEMU off with a failure status.  The grader stops waiting as
soon as it sees "panic: ", and turns each frame address into a function
and file:line with the host's addr2line against build/<arch>/kernel.

The frames are return addresses: the instruction after a call.  We look
up address-1, which lies inside the call instruction, so the line shown
is the line of the call and not the line after it.
"""

import dataclasses
import os
import re
import shutil
import subprocess

import ports

# A panic line: the kernel prints it at the start of a line, perhaps after
# a shell prompt that was on screen ("$ panic: ...").  Words before it
# ("no panic: ...") mean it is not the kernel's.
PANIC_RE = re.compile(r"^[^A-Za-z0-9\n]{0,4}(panic: .*)$", re.MULTILINE)
FRAME_RE = re.compile(r"^\s*#(\d+)\s+(?:0x)?([0-9a-fA-F]{6,16})\b(.*)$")
# Register dumps: the faulting pc is worth symbolizing too (exactly, not -1).
PC_RE = re.compile(r"\b(rip|sepc|epc|pc)\s*[=:]?\s*(0x[0-9a-fA-F]{6,16})\b")
# The race checker's panic names a variable by address (kern/racecheck.c).
VAR_RE = re.compile(r"\bvariable at (0x[0-9a-fA-F]{6,16})\b")



@dataclasses.dataclass
class Frame:
    index: int
    addr: int
    rest: str = ""
    function: str = "??"
    location: str = "??:0"
    inlined: list = dataclasses.field(default_factory=list)  # (function, location)

    def render(self):
        s = f"#{self.index:<2} 0x{self.addr:016x} in {self.function} at {self.location}"
        for fn, loc in self.inlined:
            s += f"\n      (inlined into {fn} at {loc})"
        return s


@dataclasses.dataclass
class Panic:
    message: str                        # "panic: ..." line
    lines: list                         # the panic line and everything after it
    frames: list                        # Frame
    pcs: list = dataclasses.field(default_factory=list)   # (register name, Frame)
    variable: tuple = None              # (address, "name+offset") of a data race

    def render(self, max_lines=40, before=()):
        """The report: message, symbolized pcs and frames, then the console
        before the panic (what was running) and after it (registers...)."""
        out = [f"KERNEL PANIC: {self.message}"]
        if self.variable is not None and self.variable[1]:
            out.append(f"  the variable at 0x{self.variable[0]:x} is {self.variable[1]}")
        if self.pcs:
            for reg, fr in self.pcs:
                out.append(f"  {reg} = 0x{fr.addr:x} is in {fr.function} at {fr.location}")
        if self.frames:
            out.append("backtrace (return addresses, symbolized on the host):")
            for fr in self.frames:
                out.extend("  " + l for l in fr.render().splitlines())
        else:
            out.append("(no '#N 0x...' backtrace lines followed the panic)")
        if before:
            out.append(f"console before the panic (last {len(before)} lines):")
            out.extend("  | " + l for l in before)
        out.append("console from the panic on:")
        out.extend("  | " + l for l in self.lines[:max_lines])
        if len(self.lines) > max_lines:
            out.append(f"  | ... {len(self.lines) - max_lines} more lines in the log")
        return "\n".join(out)


def lines_before_panic(text, n=12):
    """The last n console lines before the panic line (what was running)."""
    m = PANIC_RE.search(text)
    if m is None:
        return []
    return text[:m.start(1)].replace("\r", "").splitlines()[-n:]


def find_panic(text):
    """Return the index in text just after the first panic line, or -1."""
    m = PANIC_RE.search(text)
    return -1 if m is None else m.start(1)


def parse_panic(text):
    """Find the first panic in console text; return Panic (unsymbolized) or None."""
    m = PANIC_RE.search(text)
    if m is None:
        return None
    after = text[m.start(1):].replace("\r", "").splitlines()
    message = after[0].strip()
    frames = []
    pcs = []
    for line in after[1:]:
        f = FRAME_RE.match(line)
        if f:
            frames.append(Frame(int(f.group(1)), int(f.group(2), 16), f.group(3).strip()))
            continue
        for reg, val in PC_RE.findall(line):
            if not any(r == reg for r, _ in pcs):
                pcs.append((reg, Frame(-1, int(val, 16))))
    # The panic message itself may say "... pc 0x..." (e.g. a kernel trap).
    for reg, val in PC_RE.findall(message):
        if not any(r == reg for r, _ in pcs):
            pcs.insert(0, (reg, Frame(-1, int(val, 16))))
    v = VAR_RE.search(message)
    return Panic(message, after, frames, pcs, (int(v.group(1), 16), "") if v else None)


def data_symbol(kernel, addr):
    """'name' or 'name+0x8' for a kernel address, from the kernel.sym the
    build writes beside the kernel (nm -n), or '' when there is none."""
    try:
        with open(os.path.join(os.path.dirname(kernel), "kernel.sym")) as f:
            best = None
            for line in f:
                parts = line.split()
                if len(parts) != 3 or parts[1] not in "bBdDrRgGsS":
                    continue
                a = int(parts[0], 16)
                if a <= addr and (best is None or a >= best[0]):
                    best = (a, parts[2])
    except (OSError, ValueError):
        return ""
    if best is None:
        return ""
    return best[1] if best[0] == addr else f"{best[1]}+0x{addr - best[0]:x}"


def addr2line_names(arch):
    """The addr2line programs that read arch's kernel, in the order to try
    them (arch/<arch>/port.toml, [tools]); the host's own for no port."""
    try:
        return list(ports.get(arch).addr2line)
    except ports.PortError:
        return ["addr2line"]


def find_addr2line(arch):
    for name in addr2line_names(arch):
        path = shutil.which(name)
        if path:
            return path
    return None


def _relative(path, root):
    if root and path.startswith(root.rstrip("/") + "/"):
        return path[len(root.rstrip("/")) + 1:]
    return path


def addr2line(arch, kernel, addrs, root=None):
    """Map addresses to [(function, location, [(inl_fn, inl_loc)...])...].

    Returns None when addr2line or the kernel is missing.
    """
    tool = find_addr2line(arch)
    if tool is None or not os.path.exists(kernel) or not addrs:
        return None
    cmd = [tool, "-e", kernel, "-f", "-i", "-C", "-a"] + [f"0x{a:x}" for a in addrs]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    # Output: for each address, a line "0x...", then pairs of lines
    # function / file:line, more than one pair when inlined.
    results = []
    cur = None
    lines = out.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.fullmatch(r"0x[0-9a-fA-F]+", line.strip()):
            cur = []
            results.append(cur)
            i += 1
            continue
        if cur is None:
            i += 1
            continue
        fn = line.strip()
        loc = lines[i + 1].strip() if i + 1 < len(lines) else "??:0"
        loc = re.sub(r" \(discriminator \d+\)$", "", loc)
        cur.append((fn, _relative(loc, root)))
        i += 2
    out_list = []
    for pairs in results:
        if not pairs:
            out_list.append(("??", "??:0", []))
            continue
        # addr2line -i prints the innermost (inlined) function first.
        fn, loc = pairs[0]
        out_list.append((fn, loc, pairs[1:]))
    if len(out_list) != len(addrs):
        return None
    return out_list


def symbolize(panic, arch, kernel, root=None):
    """Fill in function/location of each frame and pc of a Panic, in place."""
    if panic is None:
        return panic
    if panic.variable is not None:
        panic.variable = (panic.variable[0], data_symbol(kernel, panic.variable[0]))
    frames = panic.frames
    pcs = [fr for _, fr in panic.pcs]
    addrs = [max(fr.addr - 1, 0) for fr in frames] + [fr.addr for fr in pcs]
    syms = addr2line(arch, kernel, addrs, root)
    if syms is None:
        return panic
    for fr, (fn, loc, inl) in zip(frames + pcs, syms):
        fr.function, fr.location, fr.inlined = fn, loc, inl
    return panic
