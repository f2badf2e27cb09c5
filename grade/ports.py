"""The ports: every directory arch/<name>/ that holds a port.toml.

Nothing in the grader or the tools names a port.  They ask this module,
which reads each port's description (arch/<name>/port.toml, documented
there and in docs/ARCHITECTURE.md, "How to add a port"): its banner, how
QEMU's exit status carries the guest's poweroff(n), the host programs
that read its kernel, its firmware's console lines.  make finds the same
directories (the Makefile's PORTS).

The order is the Makefile's default port first (DEFAULT_ARCH, what `make`
builds without ARCH=), then the others by name: ARCH=all grades them in
that order.
"""

import dataclasses
import functools
import os
import re
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DESCRIPTION = "port.toml"


class PortError(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class Port:
    name: str
    banner: str                 # regex for the port's name in the kernel's banner
    exit_shift: int             # poweroff(n) -> QEMU exits (n << shift) | set
    exit_set: int
    exit_zero: int              # ... and poweroff(0) -> zero
    zero_hint: str              # what an unexplained exit status 0 means here
    addr2line: tuple
    nm: tuple
    monitor_pc: str             # the pc in the QEMU monitor's `info registers`
    firmware: tuple = ()        # firmware lines before the banner (regexes)
    firmware_block: str = ""    # a firmware block's first line (regex) ...
    firmware_block_lines: tuple = ()    # ... and the lines that go on it
    silent_firmware: tuple = () # firmware text that must never be on the console
    timer_hz: int = 0           # the rate of the timer behind the kernel's ticks, in QEMU

    def encode_exit(self, status):
        """The QEMU exit status a guest poweroff(status) produces."""
        if status == 0:
            return self.exit_zero
        return ((status << self.exit_shift) | self.exit_set) & 0xff

    def decode_exit(self, rc):
        """QEMU's exit status -> the guest's poweroff() status, or None
        when no poweroff gives rc (QEMU itself failed, or was killed)."""
        if rc is None or rc < 0:
            return None
        if rc == self.exit_zero:
            return 0
        if rc & ((1 << self.exit_shift) - 1) != self.exit_set:
            return None
        n = rc >> self.exit_shift
        return n if n != 0 else None     # poweroff(0) gives exit_zero, never this


def _load(path, dirname):
    with open(path, "rb") as f:
        try:
            d = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise PortError(f"{os.path.relpath(path, ROOT)}: {e}") from None
    where = os.path.relpath(path, ROOT)
    if d.get("name") != dirname:
        raise PortError(f"{where}: name = {d.get('name')!r}, but the port's directory "
                        f"is arch/{dirname}/ (ARCH= names the directory)")
    try:
        con, ex, tools = d["console"], d["exit"], d["tools"]
        return Port(dirname, con["banner"], int(ex["shift"]), int(ex["set"]),
                    int(ex.get("zero", 0)), ex.get("zero_hint", ""),
                    tuple(tools["addr2line"]), tuple(tools["nm"]), tools["monitor_pc"],
                    tuple(con.get("firmware", ())), con.get("firmware_block", ""),
                    tuple(con.get("firmware_block_lines", ())),
                    tuple(con.get("silent_firmware", ())),
                    int(d.get("clock", {}).get("timer_hz", 0)))
    except KeyError as e:
        raise PortError(f"{where}: no {e.args[0]} (see arch/*/port.toml)") from None


def default_arch(root=ROOT):
    """The Makefile's DEFAULT_ARCH (None when it has none)."""
    try:
        with open(os.path.join(root, "Makefile"), encoding="utf-8") as f:
            m = re.search(r"^DEFAULT_ARCH\s*:?=\s*(\S+)\s*$", f.read(), re.M)
    except OSError:
        return None
    return m.group(1) if m else None


@functools.lru_cache(maxsize=None)
def load(root=ROOT):
    """{name: Port} for every arch/<name>/port.toml under root, in order."""
    base = os.path.join(root, "arch")
    found = {}
    for d in sorted(os.listdir(base)) if os.path.isdir(base) else ():
        path = os.path.join(base, d, DESCRIPTION)
        if os.path.isfile(path):
            found[d] = _load(path, d)
    first = default_arch(root)
    order = ([first] if first in found else []) + [n for n in found if n != first]
    return {n: found[n] for n in order}


def names(root=ROOT):
    return tuple(load(root))


def get(name, root=ROOT):
    try:
        return load(root)[name]
    except KeyError:
        raise PortError(f"no port {name!r}: the ports are {', '.join(names(root))} "
                        "(directories arch/<name>/ with a port.toml)") from None
