"""The notebook cells that host the checkpoint, exactly as they go into modules 00 and 07.

Kept here so that tests run these very sources (tests/test_checkpoint.py): the recording cell is
what the grader reads, and the cells run in a real kernel. A lesson that hosts an occasion also
adds ``QUESTIONS += checkpoint_questions("<occasion>", MODULE.id)`` to its spec file, and its
setup cell imports ``checkpoint`` (and, in module 07, ``checkpoint_results``) from ``course``.
"""

from __future__ import annotations

N_ITEMS = 13


def intro(occasion: str) -> str:
    """The Markdown cell that opens the checkpoint."""
    if occasion == "pre":
        return (
            "## Checkpoint: before the course (about 12 minutes)\n"
            "\n"
            "Before module 01, take the checkpoint: 13 short items. In eight of them a sourced original stands "
            "beside a report of it: does the report keep to what the source says, or does it change it? Four "
            "are about numbers, and the last is a short text written for the checkpoint.\n"
            "\n"
            "It is **not marked**. Answer as you would on your own, without looking anything up, and say how "
            "sure you are that each answer is right: 50 is a coin toss between two options, 100 is certain. "
            "At the end of module 07 you take the other form and see, in plain words, how you did before and after."
        )
    return (
        "## Checkpoint: after the course (about twelve minutes)\n"
        "\n"
        "The same kinds of items as in module 00, but none of the same ones. As before, it is **not marked**: "
        "answer on your own, without looking anything up, and say how sure you are that each answer is right."
    )


def show(occasion: str) -> str:
    """The code cell that shows the learner's items."""
    return f'checkpoint("{occasion}")'


def record(occasion: str, module: str) -> str:
    """The code cell where the learner records each answer: one check per item, the grader reads each."""
    lines = ['# Replace each (..., ...) with a letter and how sure you are, from 0 to 100, e.g. ("B", 70).',
             "recorded = ["]
    lines += [f'    check("{module}.{occasion}{k}", (..., ...)),' for k in range(1, N_ITEMS + 1)]
    lines += ["]", f'checkpoint("{occasion}", recorded)']
    return "\n".join(lines)


RESULTS_INTRO = (
    "### Your checkpoint, before and after\n"
    "\n"
    "How well did you tell faithful reports from distorted ones before the course, and after it? Whether you "
    "leaned towards one answer, how you did on the numbers and on the invented text, and how well your "
    "confidence matched how often you were right. Open the table underneath to see each item, your answer "
    "and why the right one is right."
)

RESULTS = "checkpoint_results()"

#: Optional, tagged ``instructor`` (dropped from student copies): every item's key and source rows.
INSTRUCTOR_KEY = (
    "# Instructor: every item of both forms, its key and its source rows (this cell is dropped from student copies)\n"
    "from course.checkpoints import item_table\n"
    "\n"
    "item_table()"
)


def cells(occasion: str, module: str) -> list[tuple[str, str]]:
    """``(cell type, source)`` of the cells to insert for one occasion, in order (module 07 adds the results)."""
    out = [("markdown", intro(occasion)), ("code", show(occasion)), ("code", record(occasion, module))]
    if occasion == "post":
        out += [("markdown", RESULTS_INTRO), ("code", RESULTS)]
    return out


def host(monkeypatch, workspace, learner: str = "ada") -> None:
    """For a test: lessons 00 and 07 host the checkpoint (as the notebooks will), in ``workspace`` for ``learner``."""
    from course.checks import checkpoint as spec
    from course.checks import lesson00, lesson07

    for lesson, occasion in ((lesson00, "pre"), (lesson07, "post")):
        if not any(spec.is_checkpoint(q.id) for q in lesson.QUESTIONS):  # the lessons may host it already
            monkeypatch.setattr(lesson, "QUESTIONS", lesson.QUESTIONS + spec.checkpoint_questions(occasion, lesson.MODULE.id))
    (workspace / ".course").mkdir()
    monkeypatch.setenv("COURSE_WORKSPACE", str(workspace))
    monkeypatch.setenv("COURSE_LEARNER", learner)
