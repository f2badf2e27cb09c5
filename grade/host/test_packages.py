"""One package list: tools/packages.txt, read through `tools/deps.sh list` by
make deps, .ci/run, the Gradescope image's setup.sh and the Docker image.

A second list anywhere (a package name typed into an apt-get line) is how
the four drifted apart before: CI installed a package the container lacked.
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "grade"))


def listed(host_arch="amd64"):
    env = dict(os.environ, AQUA_HOST_ARCH=host_arch)
    out = subprocess.run(["sh", os.path.join(ROOT, "tools", "deps.sh"), "list"],
                         capture_output=True, text=True, env=env, check=True).stdout
    return out.split()


def read(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return f.read()


def test_the_list_is_not_empty_and_names_the_toolchain():
    pkgs = listed()
    for p in ("make", "qemu-system-x86", "qemu-system-misc", "python3-pytest"):
        assert p in pkgs, f"{p} is not in tools/packages.txt: {pkgs}"
    assert len(pkgs) == len(set(pkgs)), f"a package is listed twice: {pkgs}"


# MAINTAINER BEGIN: .ci/ is not in handouts
def test_ci_installs_the_list():
    ci = read(".ci/run")
    assert "tools/deps.sh list" in ci, ".ci/run does not read tools/packages.txt"
    # .ci/run must install before anything that needs make or python.
    assert ci.index("pkgs=$(sh tools/deps.sh list)") < ci.rindex("make test")
# MAINTAINER END


def test_docker_image_installs_the_list():
    df = read("Dockerfile")
    assert re.search(r"^COPY .*tools/packages\.txt", df, re.M), df
    assert "deps.sh list" in df
    dc = read(".devcontainer/devcontainer.json")
    assert '"dockerfile": "../Dockerfile"' in dc, "the dev container builds another image"


# MAINTAINER BEGIN: grade/gradescope.py is not in handouts
def test_gradescope_setup_installs_the_list():
    import gradescope
    assert gradescope.packages() == listed("amd64")
# MAINTAINER END


def test_no_other_file_names_packages_in_an_apt_get_line():
    """Every `apt-get install` in the tree installs from the list (or a tool
    that is not aqua6's own dependency: debootstrap for the fresh check,
    make inside the fresh chroot, matplotlib for the optional plot)."""
    allowed = {"debootstrap", "make", "python3-matplotlib", "-y", "-q"}
    out = subprocess.run(["git", "-C", ROOT, "ls-files", "--cached", "--others",
                          "--exclude-standard"], capture_output=True, text=True).stdout
    bad = []
    for rel in out.split():
        if rel.startswith(("build/", "grade/host/")) or not os.path.isfile(os.path.join(ROOT, rel)):
            continue
        try:
            text = read(rel)
        except UnicodeDecodeError:
            continue
        for line in text.splitlines():
            m = re.search(r"apt-get\s+install\s+(.*)", line)
            if not m:
                continue
            words = [w for w in re.split(r"[\s'\")]+", m.group(1)) if w]
            names = [w for w in words if re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", w)]
            extra = [w for w in names if w not in allowed and w in listed()]
            if extra:
                bad.append(f"{rel}: {line.strip()}")
    assert not bad, "package names typed outside tools/packages.txt:\n" + "\n".join(bad)
