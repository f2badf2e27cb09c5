"""The machine interface and its documentation agree (issue 19).

kern/include/md.h is the only header through which kern/ sees a port;
docs/ARCHITECTURE.md documents it function by function.  A function
declared in md.h but missing from the document, or a function the
document's interface tables name that md.h does not declare, is a
student reading about code that is not there.
"""
import os
import re

import pytest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MD_H = ROOT / "kern" / "include" / "md.h"
DOC = ROOT / "docs" / "ARCHITECTURE.md"

_DECL = re.compile(r"^[A-Za-z_][\w \t\*]*?\b([a-z_][a-z0-9_]*)\s*\(", re.M)
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
# What <machine/md.h> defines inline (the tf_* accessors, curcpu, intr_*),
# listed in md.h's comments one a line: " *\t<type> name(...);".
_INLINE = re.compile(r"^\s\*\t[\w \t\*]+?\b([a-z_][a-z0-9_]*)\(", re.M)
_ATTR = re.compile(r"__attribute__\(\(.*?\)\)\s*")


def md_functions():
    text = MD_H.read_text()
    code = _ATTR.sub("", _COMMENT.sub("", text))
    names = {m.group(1) for m in _DECL.finditer(code)}
    names |= {m.group(1) for m in _INLINE.finditer(text)}
    return names


def interface_section():
    doc = DOC.read_text()
    start = doc.index("## The interface, function by function")
    end = doc.index("\n## ", start + 1)
    return doc[start:end]


def documented_in_tables():
    """Every `name(...)` or `name` in the first column of the interface tables."""
    names = set()
    for line in interface_section().splitlines():
        if not line.startswith("| `"):
            continue
        first = line.split("|")[1]
        for tick in re.findall(r"`([^`]+)`", first):
            for part in tick.split("/"):
                m = re.match(r"\s*([a-z_][a-z0-9_]*)\s*(\(|$)", part)
                if m:
                    names.add(m.group(1))
    return names


def test_md_h_is_parsed():
    names = md_functions()
    # A few that must be there: the parser is not silently empty.
    for n in ("pmap_enter", "cpu_switchto", "sendsig", "tf_pc", "trap_user_fault"):
        assert n in names, f"{n} not found in md.h by the parser"


def test_every_md_function_is_documented():
    section = interface_section()
    missing = sorted(n for n in md_functions()
                     if not re.search(r"`[^`]*\b" + n + r"\b[^`]*`", section))
    assert not missing, ("declared in kern/include/md.h but not documented in "
                         f"docs/ARCHITECTURE.md: {', '.join(missing)}")


def test_nothing_documented_that_md_h_lacks():
    extra = sorted(documented_in_tables() - md_functions())
    assert not extra, ("docs/ARCHITECTURE.md's interface tables name functions that "
                       f"kern/include/md.h does not declare: {', '.join(extra)}")


# ---- each md function in a file of the same name on both ports ------------

ARCH_DIR = ROOT / "arch"


def ports():
    return sorted(d.name for d in ARCH_DIR.iterdir() if (d / "port.toml").exists())


def defining_files(port, name):
    """The files of arch/<port>/ that define `name` (C, inline, or assembly)."""
    base = ARCH_DIR / port
    found = set()
    c_def = re.compile(r"^(?:static inline [^\n]*?\b|[^\n]*\n)" + re.escape(name) + r"\(", re.M)
    asm_def = re.compile(r"^" + re.escape(name) + r":", re.M)
    for f in list(base.glob("*.c")) + list(base.glob("*.S")) + list(base.glob("include/machine/*.h")):
        text = _COMMENT.sub("", f.read_text())
        if (f.suffix == ".S" and asm_def.search(text)) or (f.suffix != ".S" and c_def.search(text)):
            found.add(str(f.relative_to(base)))
    return found


def test_each_md_function_lives_in_the_same_file_on_every_port():
    """A student diffs the ports file by file: sendsig is in sig_machdep.c on
    both, cpu_switchto in vm_machdep.c on both, and so on."""
    differ = []
    for name in sorted(md_functions()):
        where = {p: defining_files(p, name) for p in ports()}
        if not any(where.values()):
            continue                # kern/'s side of the interface (kern_main, ...)
        if len({frozenset(w) for w in where.values()}) != 1 or any(len(w) != 1 for w in where.values()):
            differ.append(f"{name}: " + "; ".join(f"{p} {sorted(w) or 'nowhere'}"
                                                 for p, w in where.items()))
    assert not differ, "md.h functions defined in differently named files:\n  " + "\n  ".join(differ)


def _defines(path):
    """The #define NAME value lines of a header, values as Python ints where they are literals."""
    out = {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"#define\s+(\w+)\s+\(?\s*(0x[0-9a-fA-F]+|\d+)UL?\s*(?:<<\s*(\d+))?\s*\)?", line)
        if m:
            out[m.group(1)] = int(m.group(2), 0) << int(m.group(3) or 0)
    return out


@pytest.mark.parametrize("port", sorted(os.listdir(os.path.join(ROOT, "arch"))))
def test_user_vmparam_matches_kernel(port):
    """user/arch/<port>/machine/vmparam.h repeats two kernel numbers for the
    tests (the kernel's headers are not the user's): user space's end
    (USER_TOP) and the span of a last-level page table (PMAP_TABLE_SPAN,
    which cowtest tables and cowpage lay their pages out by).  They must
    stay equal."""
    kern = _defines(os.path.join(ROOT, "arch", port, "include", "machine", "types.h"))
    user = _defines(os.path.join(ROOT, "user", "arch", port, "machine", "vmparam.h"))
    assert user["VM_MAXUSER_ADDRESS"] == kern["USER_TOP"]
    assert user["VM_TABLE_SPAN"] == kern["PMAP_TABLE_SPAN"]
