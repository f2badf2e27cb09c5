"""Signed verdicts (grade/verdict.py, user/lib/verdict.c): the grader
believes the signed lines, not the console text around them.

Every graded boot already checks the C side against this one (a program
whose HMAC differed from Python's would fail every test); these tests
check the grader's decisions on consoles built by hand.
"""

import os
import subprocess
import sys

import pytest

GRADE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(GRADE)
if GRADE not in sys.path:
    sys.path.insert(0, GRADE)

import qemu  # noqa: E402
import tap  # noqa: E402
import verdict  # noqa: E402

from test_reports import _harness, _report, sign_console  # noqa: E402

TAP_OK = "1..3\nok 1 - a\nok 2 - b\nok 3 - c\n"
INIT_OK = ("init: leak check: pages 10 -> 10, procs 2 -> 2, files 1 -> 1\n"
           "init: /bin/t exited with status 0\n")


def _signed(console, key, program="/bin/t"):
    return qemu.BootResult("x86_64", [], output=sign_console(console, key, program),
                           returncode=0, key=key, program=program)


def test_signed_console_passes():
    key = verdict.Key.fresh()
    res = _signed(TAP_OK + INIT_OK, key)
    h = _harness()
    h.arch = "x86_64"
    t = h.check_tap(res, "/bin/t")
    assert t.ok
    h.expect_exit(res, "/bin/t", 0)


def test_console_that_drops_not_loses_to_the_signature():
    """The forger of issue 18: the kernel drops 'not ' at line starts."""
    key = verdict.Key.fresh()
    honest = sign_console("1..3\nok 1 - a\nnot ok 2 - b\nok 3 - c\n" + INIT_OK, key, "/bin/t")
    forged = honest.replace("not ok 2", "ok 2")
    res = qemu.BootResult("x86_64", [], output=forged, returncode=0, key=key, program="/bin/t")
    rep = _report(_harness().check_tap, res, "/bin/t")
    assert "check 2 - b" in rep and "signed verdict says check 2 failed" in rep, rep


def test_replayed_console_fails():
    """A console recorded under another boot's key does not verify."""
    old = _signed(TAP_OK + INIT_OK, verdict.Key.fresh())
    res = qemu.BootResult("x86_64", [], output=old.output, returncode=0,
                          key=verdict.Key.fresh(), program="/bin/t")
    rep = _report(_harness().check_tap, res, "/bin/t")
    assert "does not verify" in rep and "another boot" in rep, rep


def test_printed_lines_without_signature_fail():
    """A kernel that prints every expected line itself, with a made-up hmac."""
    fake = TAP_OK + "# verdict 3 ... exit 0 hmac " + "0" * 64 + "\n" + INIT_OK
    res = qemu.BootResult("x86_64", [], output=fake, returncode=0,
                          key=verdict.Key.fresh(), program="/bin/t")
    rep = _report(_harness().check_tap, res, "/bin/t")
    assert "no valid signed verdict" in rep, rep
    rep = _report(_harness().expect_exit, res, "/bin/t", 0)
    assert "init's signed verdict is missing" in rep, rep


def test_signature_covers_the_arguments():
    """The verdict of `systest quick` is not one of `systest`."""
    key = verdict.Key.fresh()
    text = sign_console(TAP_OK + INIT_OK, key, "/bin/t only-one-check")
    res = qemu.BootResult("x86_64", [], output=text, returncode=0, key=key, program="/bin/t")
    rep = _report(_harness().check_tap, res, "/bin/t")
    assert "no valid signed verdict" in rep, rep


def test_altered_exit_status_is_caught():
    """wait() made to say 0: init's printed line and signed line agree (init
    believed it), but the program signed its own status 1."""
    key = verdict.Key.fresh()
    prog = sign_console("1..1\nnot ok 1 - a\ninit: /bin/t exited with status 1\n",
                                key, "/bin/t").splitlines()
    program_line = [l for l in prog if l.startswith("# verdict")][0]
    init = sign_console("init: leak check: pages 1 -> 1, procs 2 -> 2, files 1 -> 1\n"
                                "init: /bin/t exited with status 0\n", key, "/bin/t")
    console = "1..1\nok 1 - a\n" + program_line + "\n" + init
    res = qemu.BootResult("x86_64", [], output=console, returncode=0, key=key, program="/bin/t")
    h = _harness()
    h.arch = "x86_64"
    rep = _report(h.check_tap, res, "/bin/t")
    assert "check 1 - a" in rep, rep
    res.tap_verdict = verdict.find_tap(console, key, "/bin/t").verdict
    rep = _report(h.expect_exit, res, "/bin/t", 0)
    assert "signed exit status 1, but init was told" in rep, rep


def test_init_line_edited_after_signing_is_caught():
    key = verdict.Key.fresh()
    text = sign_console(TAP_OK + INIT_OK.replace("10 -> 10", "10 -> 9"), key, "/bin/t")
    text = text.replace("pages 10 -> 9", "pages 10 -> 10")
    res = qemu.BootResult("x86_64", [], output=text, returncode=0, key=key, program="/bin/t")
    res.leak_check = True
    h = _harness()
    h.arch = "x86_64"
    rep = _report(h.expect_exit, res, "/bin/t", 0)
    assert "disagree" in rep, rep


def test_todo_and_skip_are_not_passes():
    t = tap.parse("1..2\nok 1 - a # TODO later\nok 2 - b # SKIP no disk\n")
    assert not t.checks[0].passed and not t.checks[1].passed


@pytest.mark.parametrize("program, argv", [
    ("/bin/systest", ["/bin/systest"]),
    ("/bin/fuzz 1 20000", ["/bin/fuzz", "1", "20000"]),
    ("/bin/sh -c 'echo hi; exit 3'", ["/bin/sh", "-c", "echo hi; exit 3"]),
    ('  /bin/x  "a b"c  ', ["/bin/x", "a bc"]),
])
def test_split_args_is_inits(program, argv):
    assert verdict.split_args(program) == argv


def test_image_has_one_slot_and_the_key_lands_in_it(tmp_path):
    """mkfs puts the Makefile's slot block at /etc/verdict; keyed_image
    overwrites exactly that block in a copy, and fsck still passes."""
    mkfs = os.path.join(ROOT, "build", "host", "mkfs")
    fsck = os.path.join(ROOT, "build", "host", "fsck")
    slot = tmp_path / "slot"
    slot.write_bytes(b"%-255s\n" % b"aqua6 verdict slot v1: a graded boot finds its key here")
    decoy = tmp_path / "decoy"
    decoy.write_bytes(b"xx" + verdict.SLOT_MAGIC)       # not at a block start
    img = tmp_path / "fs.img"
    subprocess.run([mkfs, str(img), "--file", f"bin/decoy={decoy}",
                    "--file", f"etc/verdict={slot}"], check=True, capture_output=True)
    key = verdict.Key.fresh()
    out = tmp_path / "keyed.img"
    verdict.keyed_image(str(img), key, str(out))
    data = out.read_bytes()
    off = verdict.slot_offset(str(img))
    assert data[off:off + verdict.SLOT_SIZE] == key.file_text()
    assert len(key.file_text()) == verdict.SLOT_SIZE
    assert img.read_bytes()[off:off + 21] == verdict.SLOT_MAGIC     # the original is untouched
    orig = img.read_bytes()                                         # and the copy is it, but the slot
    assert len(data) == len(orig)
    assert data[:off] == orig[:off] and data[off + verdict.SLOT_SIZE:] == orig[off + verdict.SLOT_SIZE:]
    subprocess.run([fsck, str(out)], check=True, capture_output=True)


def test_image_without_slot_is_a_clear_error(tmp_path):
    mkfs = os.path.join(ROOT, "build", "host", "mkfs")
    img = tmp_path / "fs.img"
    subprocess.run([mkfs, str(img)], check=True, capture_output=True)
    with pytest.raises(verdict.SlotError, match="0 verdict slots"):
        verdict.slot_offset(str(img))
