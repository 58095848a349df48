"""The instructor guide's worked example is real: its lesson spec passes the lesson conventions."""

from __future__ import annotations

import re
import types
from pathlib import Path

from course.checks._engine import evaluate

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "instructor-guide.md"


def _blocks():
    return re.findall(r"```python\n(.+?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def test_worked_example_lesson_follows_the_conventions():
    spec = types.ModuleType("lesson99")
    exec(compile(_blocks()[0], "lesson99.py", "exec"), spec.__dict__)
    m, qs = spec.MODULE, spec.QUESTIONS
    assert {q.objective for q in qs} >= set(m.objectives)
    for q in qs:
        assert q.id.startswith(m.id + ".") and q.hints
        assert evaluate(q, q.expected(q.canonical_params()), q.canonical_params()).correct
        assert evaluate(q, q.expected(q.canonical_params()) + 1, q.canonical_params()).message.startswith("Did you count the headline")


def test_worked_example_notebook_cell_releases_to_a_starter():
    from course.instructor.release import student_copy

    cell = {"cell_type": "code", "id": "a", "metadata": {}, "source": _blocks()[1], "execution_count": 1, "outputs": []}
    copy = student_copy({"cells": [cell], "metadata": {}})
    assert copy["cells"][0]["source"].strip() == "n_sections = ..."


def test_guide_is_linked_from_the_readme_and_names_every_reflection():
    readme = (GUIDE.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "docs/instructor-guide.md" in readme
    from course.checks import questions

    text = GUIDE.read_text(encoding="utf-8")
    for q in questions():
        if q.kind == "text":
            assert q.id in text or f"**{q.module} —" in text, f"no rubric for reflection {q.id}"


def test_rubric_headings_are_headings():
    """Every rubric section has a real heading, "### Module NN — …", not a list item pasted into one."""
    text = GUIDE.read_text(encoding="utf-8")
    rubrics = text[text.index("## Rubrics for the written reflections"):text.index("## Known limitations")]
    headings = re.findall(r"^### (.+)$", rubrics, flags=re.M)
    assert headings, "no rubric headings"
    for h in headings:
        assert re.match(r"Module \d\d\b", h) and not h.startswith(("-", "*")), h
    modules = [re.match(r"Module (\d\d)", h).group(1) for h in headings]
    assert modules == sorted(modules) and {"02", "05", "06", "07"} <= set(modules)
