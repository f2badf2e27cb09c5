"""Host checks of the top-level Makefile's user-facing behaviour."""

import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_plain_make_builds_kernel_and_image():
    """`make` with no target must build the kernel and fs.img, not just the
    first rule of the file (once it was the system-call generator's, and a
    fresh `make` built three generated headers and stopped)."""
    out = subprocess.run(["make", "-pn", "-C", ROOT, "ARCH=x86_64"],
                         capture_output=True, text=True, timeout=120).stdout
    goal = re.search(r"^\.DEFAULT_GOAL := (\S+)$", out, re.M)
    assert goal and goal.group(1) == "all", \
        f"make's default goal is {goal.group(1) if goal else None!r}, not 'all'"
    dry = subprocess.run(["make", "-n", "-C", ROOT, "ARCH=x86_64", "-W", "kern/main.c"],
                         capture_output=True, text=True, timeout=120).stdout
    assert "build/x86_64/kernel" in dry, "a dry-run `make` does not link the kernel"
