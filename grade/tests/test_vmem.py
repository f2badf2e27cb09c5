"""vmap(2), vunmap(2), vctl(2) and shared-page ownership (core), and the
stages `share-vmem` (MAKECXT_SHARE_VMEM) and `copy-shared`
(MAKECXT_COPY_SHARED) of the `contexts` assignment.

Each test boots once and runs one group of /bin/vmaptest (TAP, one check
per test of the group; user/tests/vmaptest.c says what each does).  A
group uses only its own stage, earlier stages and core.

    core          test_vmap_core
    share-vmem    test_vmem_share_vmem
    copy-shared   test_vmem_copy_shared
"""


def run_group(aqua, group, cpus=2):
    cmd = f"/bin/vmaptest {group}"
    res = aqua.boot(cmd, cpus=cpus)
    aqua.check_tap(res, cmd)
    aqua.expect_exit(res, cmd, 0)
    return res


# ---- core -----------------------------------------------------------------------


def test_vmap_core(aqua):
    """vmap gives zeroed pages at a hint or a fixed address (EEXIST over a
    mapping), vunmap unmaps whole pages of vmap memory only; the bad input
    of the man pages gets its errno (EINVAL, EFAULT, ENOMEM, EPERM) and
    leaks nothing; vctl reads and sets statuses, the convention and
    terminate; the child of fork is a partner of a shared page (same page,
    shared_prot & prot, a fault not a copy when it may not write, EPERM
    for the convention) and gets copies of private and locally shared
    pages; when the maker exits the second owner owns the page, when that
    one exits nobody does, and the page lives on for its partner; four
    partners fork 64 partners while the maker queries and maps (the lists,
    records and references stay right); two rounds of all that give every
    page back."""
    run_group(aqua, "core")


# ---- stage share-vmem ------------------------------------------------------------


def test_vmem_share_vmem(aqua):
    """MAKECXT_SHARE_VMEM: the man page's family -- maker, sibling, second
    owner, partner -- with owners {maker, sibling} -> {sibling} (the
    maker's exit(2) does not end the sibling) -> {second owner} -> {};
    the sibling shares even memory mapped after it was made and is a
    first-place owner, and its exit(2) ends none of our threads; a process
    made from a range holding a shared page is a partner of that very page
    (read-only for it when shared_prot or its region says so); no page
    leaks."""
    run_group(aqua, "share-vmem")


# ---- stage copy-shared -----------------------------------------------------------


def test_vmem_copy_shared(aqua):
    """MAKECXT_COPY_SHARED: in the whole-space and the range forms the new
    process gets its own copy of each shareable page (VSTAT_SHARED or
    VSTAT_LOCAL, also the page a range ends in), locally shared and owned
    by it, and is nobody's partner; with MAKECXT_SHARE_VMEM the flag is
    ignored; no page leaks."""
    run_group(aqua, "copy-shared")
