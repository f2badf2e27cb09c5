"""Which compiler each port's arch.mk picks, with PATH limited to fake ones.

A temporary directory holds shell scripts named like the cross compilers
(x86_64-elf-gcc, riscv64-elf-gcc, ...) and links to the few real programs
make itself needs (make, sh, uname, ...).  With PATH set to that directory
alone, `make print-toolchain` must name the first compiler of the documented
order, TOOLPREFIX must override it, and nothing found must stop make with a
message that names what it tried and points at make doctor.
"""

import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# What the Makefile runs while it reads itself, apart from the compiler.
REAL = ("make", "sh", "uname", "nproc", "expr", "id", "env", "sed", "cat")

X86 = ["x86_64-elf-", "x86_64-linux-gnu-"]
RV = ["riscv64-unknown-elf-", "riscv64-elf-", "riscv64-none-elf-", "riscv64-linux-gnu-"]


def shimdir(tmp_path, prefixes, fake_uname=None):
    d = tmp_path / "bin"
    d.mkdir(parents=True)
    for prog in REAL:
        real = shutil.which(prog)
        assert real, f"{prog} is not on this machine's PATH"
        os.symlink(real, d / prog)
    if fake_uname:                      # a host of another kind
        (d / "uname").unlink()
        (d / "uname").write_text(f"#!/bin/sh\necho {fake_uname}\n")
        (d / "uname").chmod(0o755)
    for p in prefixes:
        for tool in ("gcc", "ld", "ar", "objdump", "nm"):
            f = d / (p + tool)
            # -print-file-name is what the Makefile asks the compiler.
            f.write_text("#!/bin/sh\necho /fake/include\n")
            f.chmod(0o755)
    return d


def toolchain(d, arch, *args):
    """make print-toolchain with PATH = d alone: (exit status, {VAR: value}, stderr)."""
    env = {"PATH": str(d), "HOME": os.environ.get("HOME", "/tmp")}
    r = subprocess.run(["make", "-s", "--no-print-directory", "-C", ROOT, f"ARCH={arch}",
                        *args, "print-toolchain"], env=env, capture_output=True, text=True,
                       timeout=60)
    vals = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    return r.returncode, vals, r.stderr


@pytest.mark.parametrize("port,order", [("x86_64", X86), ("riscv", RV)])
def test_prefixes_found_in_documented_order(tmp_path, port, order):
    """With the prefixes from the i-th on, the i-th is chosen."""
    for i, want in enumerate(order):
        d = shimdir(tmp_path / str(i), order[i:], fake_uname="aarch64")
        rc, vals, err = toolchain(d, port)
        assert rc == 0, err
        assert vals["TOOLPREFIX"] == want, f"{port} with {order[i:]}: chose {vals}"
        for var, tool in (("CC", "gcc"), ("LD", "ld"), ("OBJDUMP", "objdump"), ("NM", "nm")):
            assert vals[var] == want + tool


def test_x86_host_gcc_last_and_only_on_x86_64_linux(tmp_path):
    """The plain gcc is the x86_64 port's last resort, and only on an x86_64
    Linux host: on arm64 it would make arm64 code, on macOS it is clang."""
    d = shimdir(tmp_path / "x86host", [""], fake_uname="Linux x86_64")
    rc, vals, err = toolchain(d, "x86_64")
    assert rc == 0, err
    assert vals["TOOLPREFIX"] == "" and vals["CC"] == "gcc"
    # A prefixed compiler still comes first on such a host.
    d = shimdir(tmp_path / "both", ["", "x86_64-linux-gnu-"], fake_uname="Linux x86_64")
    assert toolchain(d, "x86_64")[1]["CC"] == "x86_64-linux-gnu-gcc"
    for host in ("Linux aarch64", "Darwin x86_64"):
        d = shimdir(tmp_path / host.replace(" ", "-"), [""], fake_uname=host)
        rc, vals, err = toolchain(d, "x86_64")
        assert rc != 0, f"{host}: plain gcc was taken for the x86_64 port: {vals}"


def test_toolprefix_overrides(tmp_path):
    d = shimdir(tmp_path, X86 + RV, fake_uname="Linux x86_64")
    rc, vals, err = toolchain(d, "riscv", "TOOLPREFIX=riscv64-linux-gnu-")
    assert rc == 0 and vals["CC"] == "riscv64-linux-gnu-gcc", err
    # TOOLPREFIX_<arch> is for one port only; TOOLPREFIX beats it.
    assert toolchain(d, "riscv", "TOOLPREFIX_riscv=riscv64-none-elf-")[1]["CC"] == \
        "riscv64-none-elf-gcc"
    assert toolchain(d, "x86_64", "TOOLPREFIX_riscv=riscv64-none-elf-")[1]["CC"] == \
        "x86_64-elf-gcc"
    # An explicit empty prefix is the host's own gcc, not "look for one".
    (d / "gcc").write_text("#!/bin/sh\necho /fake/include\n")
    (d / "gcc").chmod(0o755)
    assert toolchain(d, "x86_64", "TOOLPREFIX=")[1]["CC"] == "gcc"
    # A prefix whose gcc is not there is an error, not a silent fallback.
    rc, vals, err = toolchain(d, "riscv", "TOOLPREFIX=riscv64-bogus-")
    assert rc != 0 and "riscv64-bogus-gcc is not on PATH" in err


@pytest.mark.parametrize("port,order", [("x86_64", X86), ("riscv", RV)])
def test_nothing_found_is_a_clear_error(tmp_path, port, order):
    d = shimdir(tmp_path, [], fake_uname="Linux x86_64")
    rc, vals, err = toolchain(d, port)
    assert rc != 0
    assert f"no compiler for ARCH={port}" in err and "make doctor" in err
    for p in order:
        assert p + "gcc" in err, f"the message does not name {p}gcc: {err}"
    # make clean (and doctor, deps, test-host) must still work without one.
    r = subprocess.run(["make", "-n", "-C", ROOT, f"ARCH={port}", "clean"],
                       env={"PATH": str(d)}, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_deps_list_applies_host_qualifiers():
    """tools/deps.sh list: the [!amd64] x86_64 cross compiler only off amd64."""
    def pkgs(host):
        return subprocess.run(["sh", os.path.join(ROOT, "tools", "deps.sh"), "list"],
                              env=dict(os.environ, AQUA_HOST_ARCH=host),
                              capture_output=True, text=True, check=True).stdout.split()
    amd, arm = pkgs("amd64"), pkgs("arm64")
    assert "gcc-x86-64-linux-gnu" not in amd and "gcc-x86-64-linux-gnu" in arm
    assert "make" in amd and "qemu-system-misc" in arm
    assert not any(p.startswith(("[", "#")) for p in amd + arm)


def fake_apt(tmp_path):
    """A PATH with make, sh, ... and an apt-get that logs what it is asked,
    and no compiler, no QEMU, no gdb: a fresh machine, as far as deps.sh sees."""
    d = shimdir(tmp_path, [], fake_uname="Linux x86_64")
    for prog in ("dirname", "basename", "tr", "head", "grep", "cut", "printf"):
        real = shutil.which(prog)
        if real and not (d / prog).exists():
            os.symlink(real, d / prog)
    log = tmp_path / "apt.log"
    (d / "apt-get").write_text(f"#!/bin/sh\necho \"$@\" >> {log}\n")
    (d / "apt-get").chmod(0o755)
    (d / "dpkg").write_text("#!/bin/sh\n[ \"$1\" = --print-architecture ] && echo amd64\n"
                            "exit 1\n")
    (d / "dpkg").chmod(0o755)
    (d / "sudo").write_text('#!/bin/sh\nexec "$@"\n')      # for a run that is not root
    (d / "sudo").chmod(0o755)
    return d, log


def test_check_installs_missing_with_one_notice(tmp_path):
    """deps.sh check on a machine that lacks packages: one line saying what
    and why (words apart), then apt-get install of exactly those; since the
    fake apt-get installs nothing, it then fails saying what is still missing."""
    d, log = fake_apt(tmp_path)
    env = {"PATH": str(d), "HOME": str(tmp_path), "PYTHON": "nopython"}
    r = subprocess.run(["sh", os.path.join(ROOT, "tools", "deps.sh"), "check", "x86_64",
                        "PYTHON=nopython"], env=env, capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode != 0
    first = [ln for ln in out.splitlines() if ln.startswith("aqua6: installing")]
    assert len(first) == 1, out
    assert "missing packages (" in first[0]
    assert "qemu-system-x86" in first[0].split("(", 1)[1].split(")")[0].split(), first[0]
    assert first[0].endswith("): needed to build and boot every port"), first[0]
    asked = log.read_text().split()
    assert asked[:2] == ["install", "-y"] or "install" in asked
    for p in ("qemu-system-x86", "gcc-riscv64-linux-gnu", "python3-pytest", "gdb-multiarch"):
        assert p in asked
    assert "make" not in asked, "make is there, yet deps.sh installs it"
    assert "still missing" in out


def test_no_auto_install_only_reports(tmp_path):
    d, log = fake_apt(tmp_path)
    env = {"PATH": str(d), "HOME": str(tmp_path), "AQUA_NO_AUTO_INSTALL": "1"}
    r = subprocess.run(["sh", os.path.join(ROOT, "tools", "deps.sh"), "check",
                        "PYTHON=nopython"], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert not log.exists(), "AQUA_NO_AUTO_INSTALL=1 ran apt-get"
    assert "missing packages:" not in r.stdout          # the old run-together message
    assert "apt-get install qemu-system-x86" in r.stdout or \
        " qemu-system-x86" in r.stdout, r.stdout
