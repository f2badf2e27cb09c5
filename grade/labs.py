"""The lab manifest (grade/manifest.toml): loading, checking, LAB= selection.

The manifest is the one list of stages, in teaching order.  Each stage has
a name, the assignment it belongs to, its points, its handout and the
grader tests that decide it.  A stage marked `planned = true` is recorded
(so the order is known) but not graded yet.
"""

import dataclasses
import os
import tomllib

import ports

# The ports, from arch/*/port.toml (grade/ports.py): a new port is graded
# with no edit here.
ARCHES = ports.names()
HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "manifest.toml")


class ManifestError(Exception):
    pass


class SelectionError(Exception):
    pass


@dataclasses.dataclass
class Stage:
    name: str
    assignment: str
    points: int
    handout: str | None
    tests: list
    arches: tuple = ARCHES
    planned: bool = False
    description: str = ""
    # Hidden tests (grade/batch.py, docs/INSTRUCTORS.md): graded like `tests`
    # but only where every file of hidden_files exists.  Handouts omit those
    # files (tools/handout.py), and batch grading lays them over the student's
    # tree, so students never see them and the batch always runs them.
    hidden_tests: list = dataclasses.field(default_factory=list)
    hidden_files: list = dataclasses.field(default_factory=list)
    # The files the student edits for this stage: the files that hold its
    # SOLUTION markers.  Batch grading diffs a submission against its
    # lab's starter and names every change outside these files, which is
    # where a forged verdict (a console filter, a doctored wait) would hide.
    files: list = dataclasses.field(default_factory=list)

    def matches(self, func_name, file_name=None):
        """Is the test function func_name (in file_name) one of this stage's?

        A manifest entry is either a bare test function name ("test_pipes")
        or "file.py::test_pipes".
        """
        for t in self.tests:
            if "::" in t:
                f, _, fn = t.partition("::")
                if fn == func_name and (file_name is None or os.path.basename(f) == file_name):
                    return True
            elif t == func_name:
                return True
        return False


@dataclasses.dataclass
class Manifest:
    stages: list            # Stage, in order

    def stage(self, name):
        for s in self.stages:
            if s.name == name:
                return s
        return None

    @property
    def assignments(self):
        seen = []
        for s in self.stages:
            if s.assignment not in seen:
                seen.append(s.assignment)
        return seen

    @property
    def active(self):
        return [s for s in self.stages if not s.planned]

    def valid_names(self):
        return ([s.name for s in self.active],
                [a for a in self.assignments
                 if any(s.assignment == a for s in self.active)])

    def select(self, lab=None):
        """Stages that LAB= names: a stage, an assignment, or all (None/'all').

        Raises SelectionError with a message listing the valid names.
        """
        if lab in (None, "", "all"):
            return list(self.active)
        stages = []
        for name in lab.split(","):
            name = name.strip()
            st = self.stage(name)
            if st is not None:
                if st.planned:
                    raise SelectionError(
                        f"stage '{name}' is planned but not graded yet (it has no tests).\n"
                        + self.help_text())
                if st not in stages:
                    stages.append(st)
                continue
            group = [s for s in self.stages if s.assignment == name]
            if group:
                act = [s for s in group if not s.planned]
                if not act:
                    raise SelectionError(
                        f"assignment '{name}' has no graded stages yet "
                        f"(planned: {', '.join(s.name for s in group)}).\n" + self.help_text())
                stages.extend(s for s in act if s not in stages)
                continue
            raise SelectionError(f"unknown LAB '{name}'.\n" + self.help_text())
        # Keep manifest order whatever order LAB listed them in.
        return [s for s in self.stages if s in stages]

    def help_text(self):
        stages, assignments = self.valid_names()
        planned = [s.name for s in self.stages if s.planned]
        lines = ["Valid LAB values:",
                 "  stages:      " + " ".join(stages),
                 "  assignments: " + " ".join(assignments),
                 "  all          (every graded stage; the default)"]
        if planned:
            lines.append("  (planned, not graded yet: " + " ".join(planned) + ")")
        return "\n".join(lines)

    def stages_for_test(self, func_name, file_name=None, arch=None, stages=None):
        """The stages (from `stages`, default all active) that own a test."""
        pool = self.active if stages is None else stages
        return [s for s in pool if s.matches(func_name, file_name)
                and (arch is None or arch in s.arches)]


def parse(text, source="manifest.toml"):
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ManifestError(f"{source}: {e}") from None
    raw = data.get("stage")
    if not isinstance(raw, list) or not raw:
        raise ManifestError(f"{source}: no [[stage]] tables")
    known = {"name", "assignment", "points", "handout", "tests", "arches",
             "planned", "description", "hidden_tests", "hidden_files", "files"}
    stages = []
    names = set()
    for i, t in enumerate(raw):
        where = f"{source}: stage #{i + 1}"
        unknown = set(t) - known
        if unknown:
            raise ManifestError(f"{where}: unknown keys {sorted(unknown)}")
        name = t.get("name")
        if not isinstance(name, str) or not name:
            raise ManifestError(f"{where}: 'name' missing")
        where = f"{source}: stage '{name}'"
        if name in names:
            raise ManifestError(f"{where}: duplicate stage name")
        names.add(name)
        if name == "all":
            raise ManifestError(f"{where}: 'all' is reserved")
        assignment = t.get("assignment")
        if not isinstance(assignment, str) or not assignment:
            raise ManifestError(f"{where}: 'assignment' missing")
        points = t.get("points")
        if not isinstance(points, int) or isinstance(points, bool) or points < 0:
            raise ManifestError(f"{where}: 'points' must be a whole number >= 0")
        tests = t.get("tests", [])
        if not isinstance(tests, list) or not all(isinstance(x, str) and x for x in tests):
            raise ManifestError(f"{where}: 'tests' must be a list of test names")
        planned = bool(t.get("planned", False))
        if not planned and not tests:
            raise ManifestError(f"{where}: a graded stage needs tests (or planned = true)")
        arches = t.get("arches", list(ARCHES))
        if not isinstance(arches, list) or not arches or any(a not in ARCHES for a in arches):
            raise ManifestError(f"{where}: 'arches' must be a list from {list(ARCHES)}")
        handout = t.get("handout")
        if handout is not None and not isinstance(handout, str):
            raise ManifestError(f"{where}: 'handout' must be a path")
        hidden_tests = t.get("hidden_tests", [])
        hidden_files = t.get("hidden_files", [])
        for key, val in (("hidden_tests", hidden_tests), ("hidden_files", hidden_files)):
            if not isinstance(val, list) or not all(isinstance(x, str) and x for x in val):
                raise ManifestError(f"{where}: '{key}' must be a list of names")
        if bool(hidden_tests) != bool(hidden_files):
            raise ManifestError(f"{where}: 'hidden_tests' and 'hidden_files' go together "
                                "(the tests, and the files that hold them)")
        for f in hidden_files:
            if (not f.startswith(("grade/tests/", "user/tests/")) or ".." in f.split("/")
                    or f.endswith("/")):
                raise ManifestError(f"{where}: hidden file '{f}' must be a file under "
                                    "grade/tests/ or user/tests/")
        files = t.get("files", [])
        if not isinstance(files, list) or not all(isinstance(x, str) and x for x in files):
            raise ManifestError(f"{where}: 'files' must be a list of paths")
        for f in files:
            if f.startswith("/") or ".." in f.split("/") or f.endswith("/"):
                raise ManifestError(f"{where}: 'files' entry '{f}' must be a path relative "
                                    "to the top of the tree")
        stages.append(Stage(name, assignment, points, handout, list(tests),
                            tuple(a for a in ARCHES if a in arches), planned,
                            t.get("description", ""), list(hidden_tests), list(hidden_files),
                            list(files)))
    # A stage and an assignment may share a name only when that assignment is
    # that one stage (LAB=name would otherwise be ambiguous).
    for s in stages:
        group = [x for x in stages if x.assignment == s.name]
        if group and group != [s]:
            raise ManifestError(f"{source}: '{s.name}' is both a stage and an assignment "
                                "of other stages: LAB= would be ambiguous")
    return Manifest(stages)


def load(path=MANIFEST):
    with open(path, encoding="utf-8") as f:
        m = parse(f.read(), os.path.relpath(path))
    # A stage's hidden tests count where their files are: in the instructor's
    # tree and in a batch-graded tree (pristine files laid over), not in a
    # handout.  The tree is the one that holds this manifest (grade/..).
    top = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    for s in m.stages:
        if s.hidden_tests and all(os.path.isfile(os.path.join(top, f)) for f in s.hidden_files):
            s.tests = s.tests + [t for t in s.hidden_tests if t not in s.tests]
    return m


def parse_arches(arch):
    """A port's name, 'all' or a comma list -> tuple of arches."""
    if arch in (None, "", "all"):
        return ARCHES
    out = []
    for a in arch.split(","):
        a = a.strip()
        if a not in ARCHES:
            raise SelectionError(f"unknown ARCH '{a}': use {', '.join(ARCHES)} or all")
        if a not in out:
            out.append(a)
    return tuple(out)
