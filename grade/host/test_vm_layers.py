"""The VM's layers stay layers (issue 19).

kern/vm/vm.c and kern/vm/fault.c are the core: address spaces, regions,
page faults.  vmap(2) (kern/vm/vmap.c) and shareable pages
(kern/vm/share.c) are clients: they call the core, and the core reaches
them only through a region's pager (struct vm_pagerops, kern/include/vm.h)
and the pager list in kern/vm/pager.c.  Every walk over an address
space's regions uses VM_REGION_FOREACH; only vm_region_add() looks at a
free slot.  A change that calls a client from the core, or writes one
more hand-made loop over vm_regions[], fails here and says where.
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = [ROOT / "kern" / "vm" / "vm.c", ROOT / "kern" / "vm" / "fault.c"]
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
# What the clients define: vmap_*, vshare_* (kern/vm/vmap.c, share.c, share.h).
_CLIENT = re.compile(r"\b(vmap_\w+|vshare_\w+)\b")


def code(path):
    return _COMMENT.sub("", path.read_text())


def kernel_sources():
    for sub in ("kern", "arch"):
        yield from sorted((ROOT / sub).rglob("*.c"))
        yield from sorted((ROOT / sub).rglob("*.h"))


def test_core_names_no_client():
    for path in CORE:
        text = code(path)
        assert '#include "share.h"' not in text, f"{path.relative_to(ROOT)} includes share.h"
        names = sorted(set(_CLIENT.findall(text)))
        assert not names, (
            f"{path.relative_to(ROOT)} calls the vmap/sharing layer directly ({', '.join(names)}): "
            "the core reaches it only through r->r_pgops (struct vm_pagerops) and vm_pager_vmfree()")


def test_regions_walked_with_the_iterator():
    """vm_regions[] is indexed in vm.c's vm_region_add and vm.h's iterator only."""
    allowed = {
        ROOT / "kern" / "include" / "vm.h",	# the struct, vm_region_next
        ROOT / "kern" / "vm" / "vm.c",		# vm_region_add (free slots), vmspace_copy (memcpy)
    }
    offenders = []
    for path in kernel_sources():
        if path in allowed:
            continue
        for n, line in enumerate(code(path).splitlines(), 1):
            if "vm_regions" in line:
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, ("walk regions with VM_REGION_FOREACH(vm, r) (kern/include/vm.h), "
                           "not by hand:\n" + "\n".join(offenders))
    vm_c = code(ROOT / "kern" / "vm" / "vm.c")
    uses = [line.strip() for line in vm_c.splitlines() if "vm_regions" in line]
    assert len(uses) <= 3, "vm.c indexes vm_regions[] outside vm_region_add and vmspace_copy:\n" + \
        "\n".join(uses)


def test_every_pager_is_listed():
    """A struct vm_pagerops defined anywhere is in kern/vm/pager.c's vm_pagers[]."""
    defined = set()
    for path in kernel_sources():
        defined |= set(re.findall(r"^const struct vm_pagerops (\w+) =", code(path), re.M))
    assert defined, "no struct vm_pagerops found: has vmap_pagerops moved?"
    pager_c = code(ROOT / "kern" / "vm" / "pager.c")
    table = pager_c[pager_c.index("vm_pagers[]"):]
    table = table[:table.index("};")]
    missing = sorted(p for p in defined if f"&{p}" not in table)
    assert not missing, (f"pagers not in vm_pagers[] (kern/vm/pager.c): {', '.join(missing)}; "
                         "vmspace_free() would not tell them an address space is gone")
