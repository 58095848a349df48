"""The student-facing surface: small, fast to import, and clear when misused."""

from __future__ import annotations

import subprocess
import sys

import pytest

import course


def test_public_surface_is_small_and_explicit():
    assert set(course.__all__) == {"article", "check", "checkpoint", "checkpoint_results", "exercise", "hint", "info",
                                   "load", "progress", "quiz"}
    for name in course.__all__:
        assert callable(getattr(course, name)), name
    with pytest.raises(AttributeError):
        course.nonexistent


def test_import_changes_nothing_global_and_stays_light():
    code = (
        "import sys, warnings; before = list(warnings.filters)\n"
        "import course\n"
        "heavy = [m for m in ('pandas', 'matplotlib', 'ipywidgets', 'numpy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert warnings.filters == before\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("call, error, words", [
    (lambda: course.check(1, 2), TypeError, "strings in quotes"),
    (lambda: course.check("zz", 2), LookupError, "no question 'zz'"),
    (lambda: course.hint("00.9"), LookupError, "Did you mean"),
    (lambda: course.hint("00.1", level="two"), ValueError, "hint levels 1 to"),
    (lambda: course.progress(0), TypeError, "as a string"),
    (lambda: course.exercise(None), TypeError, "strings in quotes"),
    (lambda: course.load(3), TypeError, "string such as"),
    (lambda: course.info("nope"), KeyError, "Available"),
    (lambda: course.quiz("00.4"), ValueError, "answered in code"),
])
def test_misuse_gets_a_clear_message(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_wrong_answers_never_raise():
    for qid in ("00.1", "00.2", "00.3", "00.4"):
        for answer in (None, 3, "x", [1, "a"], {"a": 1}, object(), lambda: 1, float("inf")):
            result = course.check(qid, answer)
            assert result.status in {"incorrect", "submitted", "correct"}
