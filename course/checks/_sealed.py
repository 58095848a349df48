"""Exam modules: a lesson's questions without their reference code, for the copy of the course learners install.

An instructor who makes a module summative builds the learners' wheel with
``COURSE_EXAM_MODULES=07 python -m build --wheel --no-isolation``: the build hook replaces
``course/checks/lesson07.py`` by a *sealed* lesson written by :func:`sealed_source`, which keeps
what a learner needs to answer (prompts, kinds, choices, units, points, the shared parameters)
and nothing that computes an answer (no ``expected``, no variants, no mistakes, no hints). Its
checks give format feedback only ("Recorded (a number)"); the reference code stays in the
instructor's checkout, where ``course grade`` runs it.
"""

from __future__ import annotations

import json
from typing import Any

from course.checks._engine import Module, Question

__all__ = ["sealed_lesson", "sealed_source"]


def _describe(q: Question) -> dict[str, Any]:
    from course.checks._codec import encode

    return {"id": q.id, "prompt": q.prompt, "kind": q.kind.name, "points": q.points, "objective": q.objective,
            "unit": q.unit, "choices": list(q.choices), "min_words": q.min_words, "rel_tol": q.rel_tol,
            "abs_tol": q.abs_tol, "canonical": encode(dict(q.canonical_params()))}


def sealed_source(module_id: str) -> str:
    """The source of a sealed ``lessonNN.py`` for ``module_id``, from the full lesson in this installation."""
    from course.checks import _lessons
    from course.checks.checkpoint import occasion_of

    lesson = _lessons()[module_id]
    m = lesson.MODULE
    # The checkpoint is not marked, so an exam build keeps it whole: each learner keeps their own form.
    hosted = sorted({occasion_of(q.id)[0] for q in lesson.QUESTIONS if q.kind.records_only and occasion_of(q.id)},
                    key=list(("pre", "post", "later")).index)
    data = {"module": {"id": m.id, "slug": m.slug, "title": m.title, "minutes": m.minutes,
                       "objectives": dict(m.objectives)},
            "questions": [_describe(q) for q in lesson.QUESTIONS if not (q.kind.records_only and occasion_of(q.id))]}
    extra = "".join(f"QUESTIONS += checkpoint_questions({o!r}, {m.id!r})\n" for o in hosted)
    imports = "from course.checks.checkpoint import checkpoint_questions\n" if hosted else ""
    return (f'"""Lesson {m.id} is an exam module in this installation: its questions only, never their answers.\n\n'
            "Checks here give format feedback only; your instructor grades your work (see course.checks._sealed).\n"
            f'"""\n\nfrom course.checks._sealed import sealed_lesson\n{imports}\n'
            f"MODULE, QUESTIONS = sealed_lesson({json.dumps(json.dumps(data, ensure_ascii=False), ensure_ascii=False)})\n"
            f"{extra}")


def sealed_lesson(data: str) -> tuple[Module, tuple[Question, ...]]:
    """Rebuild a sealed lesson's module and questions from the JSON that :func:`sealed_source` wrote."""
    from course.checks._codec import decode

    d = json.loads(data)
    module = Module(**d["module"])
    questions = tuple(
        Question(id=q["id"], prompt=q["prompt"], kind=q["kind"], expected=None, points=q["points"],
                 objective=q["objective"], unit=q["unit"], choices=tuple(q["choices"]), min_words=q["min_words"],
                 rel_tol=q["rel_tol"], abs_tol=q["abs_tol"], canonical=decode(q["canonical"]),
                 cases=(lambda p: []) if q["kind"] == "function" else None, sealed=True)
        for q in d["questions"])
    return module, questions
