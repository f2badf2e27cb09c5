"""The lab-marker policy (tools/markers.py, docs/labs/README.md): the
reference tree keeps it, and each rule rejects a tree that breaks it."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import handout  # noqa: E402
import markers  # noqa: E402

ORDER = ["early", "late"]
# The examples' fence lines are written with "@" for the marker word, so
# that this file holds no marker line itself (handout.py reads it too).


def fenced(src):
    return src.replace("@", "SOLUTION")


def test_the_reference_tree_keeps_the_policy():
    broken = handout.policy_violations()
    assert not broken, "marker policy broken:\n  " + "\n  ".join(broken)


def test_two_fences_of_one_stage_in_a_function_are_refused():
    src = """int
f(int x)
{
	/* @ BEGIN early: one */
	x++;
	/* @ END early */
	x *= 2;
	/* @ BEGIN early: two */
	x++;
	/* @ END early */
	return x;
}
"""
    bad = markers.check({"k.c": fenced(src)}, ORDER)
    assert len(bad) == 1 and "f() holds a second early fence" in bad[0], bad


def test_fences_of_two_stages_in_a_function_are_fine():
    src = """int
f(int x)
{
	/* @ BEGIN early: one */
	x++;
	/* @ END early */
	/* @ BEGIN late: two */
	x++;
	/* @ END late */
	return x;
}
"""
    assert markers.check({"k.c": fenced(src)}, ORDER) == []


def test_a_helper_inside_a_fence_used_outside_is_refused():
    src = """/* @ BEGIN late: a helper */
static int
helper(int x)
{
	return x + 1;
}
/* @ END late */

int
g(int x)
{
	return helper(x);	/* outside every fence: the starter tree loses helper() */
}
"""
    bad = markers.check({"k.c": fenced(src)}, ORDER)
    assert len(bad) == 1 and "helper() is defined inside a late fence" in bad[0], bad


def test_a_helper_used_by_a_later_stage_fence_is_fine():
    src = """/* @ BEGIN early: a helper */
static int
helper(int x)
{
	return x + 1;
}
/* @ END early */

int
g(int x)
{
	/* @ BEGIN late: uses it */
	return helper(x);
	/* @ ELSE late */
	//> return x;
	/* @ END late */
}
"""
    assert markers.check({"k.c": fenced(src)}, ORDER) == []


def test_a_long_starter_is_refused():
    starter = "".join(f"\t//> line {i};\n" for i in range(markers.STARTER_MAX + 1))
    src = ("void\nh(void)\n{\n\t/* @ BEGIN early: x */\n\tdo_it();\n"
           "\t/* @ ELSE early */\n" + starter + "\t/* @ END early */\n}\n")
    bad = markers.check({"k.c": fenced(src)}, ORDER)
    assert len(bad) == 1 and "starter text is" in bad[0], bad
