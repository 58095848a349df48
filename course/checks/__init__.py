"""Student-facing checks: ``check``, ``hint``, ``progress`` and ``exercise``, over every lesson's questions.

Each lesson declares its questions in ``course/checks/lessonNN.py`` (a ``MODULE`` and a
``QUESTIONS`` tuple); this module finds them, picks the learner's variant and records progress.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import importlib
import pkgutil
import re
from collections.abc import Mapping
from functools import lru_cache
from html import escape
from typing import Any

from course.checks import _progress
from course.checks._engine import (
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    RECORD_KEY,
    SUBMITTED,
    Module,
    Question,
    Result,
    evaluate,
)

__all__ = [
    "Module", "Question", "Result", "Params", "SHARED", "check", "compute_params", "exercise", "hint",
    "modules", "progress", "question", "questions", "variant_seed",
]


@lru_cache(maxsize=1)
def _lessons() -> dict[str, Any]:
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("lesson"):
            mod = importlib.import_module(f"{__name__}.{info.name}")
            found[mod.MODULE.id] = mod
    return found


def modules() -> list[Module]:
    """Every lesson, in order."""
    return [m.MODULE for m in _lessons().values()]


def questions(module: str | None = None) -> list[Question]:
    """Every question, or one lesson's, in order."""
    out = []
    for mid, mod in _lessons().items():
        if module is None or mid == module:
            out.extend(mod.QUESTIONS)
    return out


class UnknownQuestion(LookupError):
    """A question id that no lesson declares."""


def question(qid: Any) -> Question:
    """The question with id ``qid`` (e.g. ``"00.1"``); a clear error suggests the nearest ids."""
    if not isinstance(qid, str):
        raise TypeError(
            f"Question ids are strings in quotes, like \"00.1\"; got {qid!r} ({type(qid).__name__})."
        )
    table = {q.id: q for q in questions()}
    if qid in table:
        return table[qid]
    wanted = qid.strip()
    padded = re.sub(r"^(\d)(?=\.)", r"0\1", wanted)  # "0.1" and "3.2" are common slips for "00.1", "03.2"
    near = [padded] if padded in table else []
    near += [n for n in difflib.get_close_matches(wanted, table, n=3, cutoff=0.5) if n not in near]
    suggestion = f" Did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
    raise UnknownQuestion(
        f"There is no question {qid!r}.{suggestion} Each exercise shows its id in its check cell."
    )


class Params(Mapping):
    """An exercise's parameters, readable as ``p["n"]`` or ``p.n``; shown with whose variant it is."""

    def __init__(self, qid: str, values: Mapping[str, Any], learner: str | None, version: int = 1,
                 varies: bool = True) -> None:
        self._qid, self._values, self._version, self._varies = qid, dict(values), version, varies
        self._who = learner  # the learner id in use, even where this question has one variant for all
        self._learner = learner if varies else None

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(
                f"Exercise {self._qid} has no parameter {key!r}; it has {', '.join(self._values)}."
            ) from None

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        who = f"learner {self._learner}" if self._learner else "the shared (canonical) variant"
        body = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Exercise {self._qid} for {who}: {body}"

    def record(self) -> dict[str, Any]:
        """What the grader needs to know of this variant: question, learner ("shared"), version and parameters."""
        from course.checks._codec import encode

        return {"qid": self._qid, "learner": self._who or SHARED, "varies": self._varies,
                "version": self._version, "params": encode(self._values)}

    def _repr_mimebundle_(self, include=None, exclude=None):
        # The record in the output's metadata is saved with the notebook: the grader reads the variant there.
        return {"text/plain": repr(self)}, {RECORD_KEY: self.record()}


SHARED = "shared"  # the learner id of the shared variant, as recorded in notebooks and release records


def variant_seed(learner: str, qid: str, version: int = 1) -> int:
    """The random seed of one learner's variant of one question (version 1 keeps the original seeds)."""
    text = f"{learner}|{qid}" if version == 1 else f"{learner}|{qid}|v{version}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def compute_params(q: Question, learner: str | None) -> dict[str, Any]:
    """A question's parameters for ``learner`` (None or "shared": the canonical ones), computed by this version."""
    if learner in (None, SHARED) or q.variant is None:
        return dict(q.canonical_params())
    import numpy as np

    return dict(q.variant(np.random.default_rng(variant_seed(learner, q.variant_key or q.id, q.variant_version))))


def _params(q: Question, learner: str | None) -> Params:
    """The parameters this learner works with: pinned in their workspace at release, else computed."""
    pinned = _progress.pinned_params(q.id, learner if learner and q.variant else SHARED, q.variant_version)
    values = pinned if pinned is not None else compute_params(q, learner)
    return Params(q.id, values, learner, version=q.variant_version, varies=q.variant is not None)


def exercise(qid: str) -> Params:
    """The parameters of exercise ``qid`` for this learner (everyone shares them without a learner id).

    >>> exercise("00.1")
    Exercise 00.1 for the shared (canonical) variant: section=3
    """
    q = question(qid)
    return _params(q, _progress.learner_id())


def check(qid: str, answer: Any) -> Result:
    """Check your answer to exercise ``qid``; the result says what to fix, and progress is saved.

    >>> check("00.1", ...)
    ○ 00.1 Not attempted (0/1 points)
      Replace the ... with your answer, then run this cell again. Type hint("00.1") if you are stuck.
    """
    q = question(qid)
    params = _params(q, _progress.learner_id())
    if _progress.grading():  # the grader compares in its own process; here nothing reads the answer key
        return Result(q.id, SUBMITTED, "Recorded for grading.", 0, q.points if q.graded else 0, record=params.record())
    result = evaluate(q, answer, params)
    if result.status != NOT_ATTEMPTED:
        _progress.record(q.id, result.status, result.points, result.max_points)
    if result.status == SUBMITTED and q.kind.keeps_answer:  # e.g. the checkpoint: shown back to the learner later
        _progress.record_answer(q.id, q.kind.kept(q, q.kind.normalise(q, answer, params), params))
    return dataclasses.replace(result, record=params.record())


class Hint:
    """One hint level of a question, shown as text or HTML."""

    def __init__(self, qid: str, level: int, total: int, text: str, recorded: bool = True) -> None:
        self.qid, self.level, self.total, self.text, self.recorded = qid, level, total, text, recorded

    def _more(self) -> str:
        if not self.recorded:
            return (f"This example is not counted as a hint you asked for; hint(\"{self.qid}\") asks for one "
                    "and shows the next level each time you run it.")
        if self.level < self.total:
            return f"Run hint(\"{self.qid}\") again for hint {self.level + 1} of {self.total}."
        return "That was the last hint."

    def __repr__(self) -> str:
        return f"Hint {self.level}/{self.total} for {self.qid}: {self.text}\n  {self._more()}"

    def _repr_html_(self) -> str:
        return (
            f"<div style='border-left:4px solid #E69F00;padding:4px 8px'><b>Hint {self.level}/{self.total}"
            f" for {escape(self.qid)}</b><div>{escape(self.text)}</div><small>{escape(self._more())}</small></div>"
        )


def hint(qid: str, level: int | None = None, *, record: bool = True) -> Hint:
    """The next hint for ``qid`` (a nudge, then a method, then nearly the answer), or a chosen level.

    Each hint shown is remembered, so the next call shows the next level. ``record=False`` shows
    the hint without remembering it: a notebook demonstrating ``hint`` uses it, so running every
    cell spends no hint the learner did not ask for.

    >>> hint("00.1", record=False)  # doctest: +ELLIPSIS
    Hint 1/3 for 00.1: ...
      This example is not counted as a hint you asked for; hint("00.1") asks for one and shows the next level each time you run it.
    """
    q = question(qid)
    if not q.hints:
        return Hint(q.id, 0, 0, "This question has no hints; reread the prose above it.")
    if _progress.grading():
        return Hint(q.id, 0, len(q.hints), "Hints are not shown while grading.")
    if level is None:
        level = min(_progress.hints_seen(q.id) + 1, len(q.hints))
    elif not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= len(q.hints):
        raise ValueError(f"{q.id} has hint levels 1 to {len(q.hints)}; got {level!r}.")
    if record:
        _progress.record_hint(q.id, level)
    return Hint(q.id, level, len(q.hints), q.hints[level - 1], recorded=record)


class Progress:
    """A table of questions with their status and points, as text or HTML."""

    def __init__(self, rows: list[dict[str, Any]], scope: str) -> None:
        self.rows, self.scope = rows, scope

    @property
    def points(self) -> tuple[float, int]:
        """Points earned and points available."""
        return (sum(r["points"] for r in self.rows), sum(r["max_points"] for r in self.rows))

    def _summary(self) -> str:
        got, out_of = self.points
        done = sum(r["status"] in (CORRECT, SUBMITTED) for r in self.rows)
        return f"Progress ({self.scope}): {done}/{len(self.rows)} questions done, {got:g}/{out_of} points"

    def __repr__(self) -> str:
        lines = [self._summary()]
        for r in self.rows:
            lines.append(f"  {r['id']:<6} {r['status']:<14} {r['points']:g}/{r['max_points']}  {r['prompt']}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        icon = {CORRECT: "✔", INCORRECT: "✘", NOT_ATTEMPTED: "○", SUBMITTED: "✎"}
        body = "".join(
            f"<tr><td>{escape(r['id'])}</td><td style='text-align:left'>{icon[r['status']]} {escape(r['status'])}</td>"
            f"<td>{r['points']:g}/{r['max_points']}</td><td style='text-align:left'>{escape(r['prompt'])}</td></tr>"
            for r in self.rows
        )
        return (
            f"<table><caption style='text-align:left'><b>{escape(self._summary())}</b></caption>"
            f"<tr><th>question</th><th>status</th><th>points</th><th>about</th></tr>{body}</table>"
        )


def progress(module: str | None = None) -> Progress:
    """Your progress: every question of one lesson (``progress("00")``) or of the whole course."""
    if module is not None:
        if not isinstance(module, str):
            raise TypeError(f"Pass a lesson id as a string, like progress(\"00\"); got {module!r}.")
        known = [m.id for m in modules()]
        if module not in known:
            raise ValueError(f"There is no lesson {module!r}; lessons are {', '.join(known)}.")
    saved = _progress.load()["questions"]
    rows = []
    for q in questions(module):
        s = saved.get(q.id, {})
        rows.append({
            "id": q.id,
            "status": s.get("status", NOT_ATTEMPTED),
            "points": s.get("points", 0),
            "max_points": q.points if q.graded else 0,
            "prompt": q.prompt,
        })
    return Progress(rows, f"lesson {module}" if module else "whole course")


__all__ += ["CORRECT", "INCORRECT", "NOT_ATTEMPTED", "SUBMITTED", "UnknownQuestion"]
