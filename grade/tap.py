"""TAP (Test Anything Protocol) parsing for aqua6 test programs.

A user test program prints, on the console,

    1..N                      the plan: N checks will follow (first or last)
    ok 3 - pipe round trip    check 3 passed
    not ok 4 - fork limit     check 4 failed
    # got 12, want 13         a diagnostic, attached to the check before it
    Bail out! reason          the program gave up

The console also carries the kernel's own lines (boot banner, "init: ..."),
so only lines that look like TAP count; the rest is ignored.  Each check
becomes one reported result, so a failure names the exact check.  Checks
that the plan promised but that never appeared (the program died, the
kernel hung) are failures too, and the first missing one is named.

Directives ("# SKIP", "# TODO") are recognised but never count as a
pass: in TAP 13 a TODO check may fail and a SKIP was not run, but the
console is written by the student's kernel, and none of aqua6's test
programs prints either, so a directive here can only hide a failure (a
kernel that appends "# TODO" to every "not ok" would score full marks).
"""

import dataclasses
import re

import explain
import verdict

_PLAN = re.compile(r"^\s*1\.\.(\d+)\s*(?:#.*)?$")
_CHECK = re.compile(r"^\s*(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*?)\s*$")
_DIRECTIVE = re.compile(r"\s#\s*(SKIP|TODO)\S*\s*(.*)$", re.IGNORECASE)
_DIAG = re.compile(r"^\s*#\s?(.*)$")
_BAIL = re.compile(r"^\s*Bail out!\s*(.*)$")
CONTEXT = 6                 # console lines kept around each check


@dataclasses.dataclass
class Check:
    """One TAP check as the program reported it (or as it failed to)."""
    number: int
    name: str
    ok: bool                    # the line said "ok" (before directives)
    directive: str = ""         # "SKIP", "TODO" or ""
    reason: str = ""            # text after the directive
    diag: list = dataclasses.field(default_factory=list)     # "# ..." lines after it
    line: str = ""              # the console line it came from
    before: list = dataclasses.field(default_factory=list)   # console lines since the
    after: list = dataclasses.field(default_factory=list)    # previous check / up to the next
    missing: bool = False       # promised by the plan but never printed
    signed: str = ""            # the program's signed letter: '.', 'F', '?' ('' = not known)

    @property
    def signed_fail(self):
        """The program's signed verdict says this check did not pass."""
        return self.signed not in ("", ".")

    @property
    def passed(self):
        if self.missing or self.signed_fail:
            return False
        return self.ok and not self.directive

    @property
    def forged(self):
        """The console says ok but the signed verdict does not."""
        return self.ok and not self.missing and self.signed_fail

    def label(self):
        """'3 - pipe round trip', the way students see it in the output."""
        return f"{self.number} - {self.name}" if self.name else str(self.number)

    def status_line(self):
        if self.missing:
            return f"missing {self.label()}"
        return self.line.strip() or ("ok " if self.ok else "not ok ") + self.label()


@dataclasses.dataclass
class TapResult:
    planned: int | None                 # N from "1..N", or None without a plan
    checks: list                        # Check, in number order, missing ones included
    problems: list                      # protocol errors (duplicates, bail out, no plan)
    bailed_out: str | None = None

    @property
    def failed(self):
        return [c for c in self.checks if not c.passed]

    @property
    def first_missing(self):
        for c in self.checks:
            if c.missing:
                return c
        return None

    @property
    def ok(self):
        """True when the run is complete and every check passed."""
        return not self.problems and not self.failed and self.planned is not None

    def summary(self):
        n = len(self.checks)
        good = n - len(self.failed)
        s = f"{good}/{n} checks passed"
        if self.planned is None:
            s += " (no plan line '1..N')"
        return s


def parse(text):
    """Parse the TAP lines in console text and return a TapResult."""
    planned = None
    seen = {}               # number -> Check
    order = []
    problems = []
    bailed = None
    last = prev = None
    between = []            # console lines since the last check
    next_number = 1
    lines = text.splitlines()
    # The firmware's banner (OpenSBI's table on RISC-V) is not the
    # program's: as context it would push the real lines out of a check's
    # "got:" (check 1 showed "Boot HART PMP Address Bits: 54").
    firmware = explain.firmware_mask(lines)
    for raw, fw in zip(lines, firmware):
        if fw:
            continue
        line = raw.rstrip("\r")
        m = _PLAN.match(line)
        if m:
            if planned is not None and planned != int(m.group(1)):
                problems.append(f"two plans: 1..{planned} and 1..{m.group(1)}")
            planned = int(m.group(1))
            last = None
            continue
        m = _BAIL.match(line)
        if m:
            bailed = m.group(1).strip() or "(no reason given)"
            problems.append(f"the program bailed out: {bailed}")
            break
        m = _CHECK.match(line)
        if m:
            ok = m.group(1) == "ok"
            number = int(m.group(2)) if m.group(2) else next_number
            rest = m.group(3)
            directive = reason = ""
            d = _DIRECTIVE.search(" " + rest)
            if d:
                directive = d.group(1).upper()
                reason = d.group(2).strip()
                rest = (" " + rest)[:d.start()].strip()
            chk = Check(number, rest, ok, directive, reason, line=line,
                        before=between[-CONTEXT:])
            between = []
            if number in seen:
                problems.append(f"check {number} reported twice")
                if seen[number].passed and not chk.passed:
                    seen[number] = chk
            else:
                seen[number] = chk
                order.append(number)
            next_number = number + 1
            last = prev = chk
            continue
        # Diagnostics and other lines (kernel messages, program chatter) are
        # kept as the context of the checks around them: programs print
        # their "# why" lines before or after the "not ok".  The signed
        # verdict lines are the grader's business, not a check's context.
        if not line.strip() or verdict.is_verdict_line(line):
            continue
        between.append(line)
        if prev is not None and len(prev.after) < CONTEXT:
            prev.after.append(line)
        m = _DIAG.match(line)
        if m and last is not None:
            last.diag.append(m.group(1))
            continue
        # A non-diagnostic line ends the diagnostics of the check before it.
        last = None

    checks = []
    if planned is None:
        problems.append("no TAP plan line ('1..N'): the program printed no plan "
                        "(did it start at all?)")
        checks = [seen[n] for n in sorted(seen)]
    else:
        for n in range(1, planned + 1):
            if n in seen:
                checks.append(seen[n])
            else:
                checks.append(Check(n, "", False, missing=True))
        extra = sorted(n for n in seen if n < 1 or n > planned)
        for n in extra:
            problems.append(f"check {n} is outside the plan 1..{planned}")
            checks.append(seen[n])
    return TapResult(planned, checks, problems, bailed)


def _context(c):
    """The console lines that explain a check: its diagnostics.  Programs
    print their '# why' lines before the 'not ok' or (TAP style) after it;
    use the lines before when there are any, else the ones after."""
    before = [l.rstrip() for l in c.before]
    after = [l.rstrip() for l in c.after]
    if any(l.lstrip().startswith("#") for l in before) or not after:
        return before + [c.line.strip()]
    return [c.line.strip()] + after


def describe_failures(result, limit=5):
    """Human-readable lines naming each failed check: used in failure text."""
    out = []
    failed = [c for c in result.failed if not c.missing]
    for c in failed[:limit]:
        out.append(f"FAILED check {c.label()}")
        out.append(f"    expected: ok {c.label()}")
        got = _context(c)
        out.append(f"    got:      {got[0]}")
        out.extend(f"              {l}" for l in got[1:])
        if c.directive:
            out.append(f"    why:      a '# {c.directive}' directive does not count as a pass "
                       "(aqua6's test programs never print one)")
        if c.forged:
            said = "failed" if c.signed == "F" else "was never reported"
            out.append(f"    why:      the console says ok, but the program's signed verdict "
                       f"says check {c.number} {said} (the line was altered on its way out)")
    if len(failed) > limit:
        out.append("also failed: " + ", ".join(c.label() for c in failed[limit:]))
    miss = result.first_missing
    if miss is not None:
        nmiss = sum(1 for c in result.checks if c.missing)
        seen = [c for c in result.checks if not c.missing]
        last = f"; the last check printed was {seen[-1].label()}" if seen else ""
        out.append(f"MISSING check {miss.number}"
                   + (f" and {nmiss - 1} more" if nmiss > 1 else "")
                   + f": the plan promised {result.planned} checks but the output stops"
                   + last + " (did the program die or hang there?)")
    for p in result.problems:
        out.append(f"TAP problem: {p}")
    return out
