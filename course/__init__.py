"""Reading the Ranks: a course in reading claims, sources and numbers, one article at a time.

The names here are all a learner needs; everything else lives in submodules.

>>> from course import check
>>> check("00.2", [3, 2, 1])
✘ 00.2 Not yet (0/1 points)
  3 items are missing. Try hint("00.2").
"""

from __future__ import annotations

__version__ = "0.1.0"

# Eager on purpose: importing the submodule course.article would otherwise rebind the name
# `course.article` to the module, shadowing the function learners call. It is small (re only).
from course.article import article  # noqa: E402

__all__ = [
    "article",
    "check",
    "checkpoint",
    "checkpoint_results",
    "exercise",
    "hint",
    "info",
    "load",
    "progress",
    "quiz",
]


def __getattr__(name: str):
    # Lazy: `import course` stays fast and changes nothing global until a name is used.
    if name in {"check", "exercise", "hint", "progress"}:
        from course import checks

        return getattr(checks, name)
    if name in {"checkpoint", "checkpoint_results"}:
        from course import checkpoints

        return getattr(checkpoints, name)
    if name in {"load", "info"}:
        from course import data

        return getattr(data, name)
    if name == "quiz":
        from course.widgets import quiz

        return quiz
    raise AttributeError(f"module 'course' has no attribute {name!r}")


def __dir__():
    return sorted(__all__ + ["__version__"])
