"""The check engine: questions declared in code, answers compared by kind, results in three outcomes.

A :class:`Question` says how its expected answer is computed (``expected(params)``, reference
code, never a pasted literal), what kind of answer it takes (a :mod:`~course.checks._kinds` object
that normalises and compares), and which typical wrong answers deserve their own message
(``mistakes``, see :mod:`~course.checks._mistakes`). :func:`evaluate` turns an answer into a
:class:`Result`: *not attempted* (the ``...`` placeholder is still there), *incorrect* with a
specific reason, or *correct*. A wrong answer never raises. The notebook's ``check()`` and the
grader both call :func:`evaluate`, so the same answer gets the same verdict in both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from course.checks._kinds import KINDS as _KIND_OBJECTS
from course.checks._kinds import Kind, Reject, kind
from course.checks._mistakes import Mistake

NOT_ATTEMPTED = "not attempted"
INCORRECT = "incorrect"
CORRECT = "correct"
SUBMITTED = "submitted"
RECORD_KEY = "reading_the_ranks"  # the key of the variant record in an output's metadata

KINDS = tuple(_KIND_OBJECTS)


@dataclass(frozen=True)
class Module:
    """A lesson: its id ('00'), notebook slug, title, minutes and objectives (id → sentence)."""

    id: str
    slug: str
    title: str
    minutes: int
    objectives: Mapping[str, str]

    @property
    def notebook(self) -> str:
        """The notebook's file name, e.g. ``00-start-here.ipynb``."""
        return f"{self.id}-{self.slug}.ipynb"


@dataclass(frozen=True)
class Question:
    """One autograded (or collected) exercise.

    ``expected(params)`` computes the answer from the exercise's parameters; ``variant(rng)``
    draws a learner's own parameters and ``canonical`` are the ones the committed notebooks use;
    questions with the same ``variant_key`` draw from the same seed for a learner, so several
    questions can share one draw (the checkpoint's form and item order).
    ``variant_version`` pins the variants: bump it whenever a change (to the code or to the data
    it draws from) would give a learner other numbers than before, so answers handed in against
    the old numbers are still graded against them. For ``kind="function"``, ``expected`` returns
    the reference function and ``cases(params)`` the inputs (tuples of arguments) it is tested on.
    A question whose reference code is not in this installation (an exam module, see
    :mod:`course.checks`) is ``sealed``: its check gives format feedback only.
    """

    id: str
    prompt: str
    kind: Kind | str
    expected: Callable[[Mapping[str, Any]], Any] | None
    points: int = 1
    objective: str = ""
    hints: tuple[str, ...] = ()
    why: str = ""
    mistakes: tuple[Mistake, ...] = ()
    rel_tol: float = 0.0
    abs_tol: float = 0.0
    unit: str = ""
    choices: tuple[str, ...] = ()
    canonical: Mapping[str, Any] | Callable[[], Mapping[str, Any]] = field(default_factory=dict)
    variant: Callable[[Any], Mapping[str, Any]] | None = None
    variant_version: int = 1
    variant_key: str = ""  # questions sharing a key draw from one seed, so one learner's draws agree (default: the id)
    cases: Callable[[Mapping[str, Any]], list[tuple]] | None = None
    min_words: int = 0
    hidden: bool = False  # more checks run at grading (their inputs live with the instructor sources)
    sealed: bool = False

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", kind(self.kind))
        except ValueError as exc:
            raise ValueError(f"Question {self.id}: {exc}") from None
        self.kind.check_spec(self)
        for m in self.mistakes:
            if m.check_spec is not None:
                m.check_spec(self)
        if self.expected is None and not self.sealed and self.kind.graded:
            raise ValueError(f"Question {self.id}: give its reference code as expected=")

    def canonical_params(self) -> Mapping[str, Any]:
        """The shared variant's parameters (``canonical`` may be a function, so data loads lazily)."""
        return self.canonical() if callable(self.canonical) else self.canonical

    @property
    def module(self) -> str:
        """The lesson id this question belongs to ('05' for '05.2')."""
        return self.id.split(".")[0]

    @property
    def graded(self) -> bool:
        """Whether the question earns points automatically (reflections are collected instead)."""
        return self.kind.graded


def reflection(id: str, prompt: str, *, objective: str, min_words: int) -> Question:
    """A written answer of at least ``min_words`` words, saved for the instructor and never autograded."""
    return Question(id=id, prompt=prompt, kind="text", objective=objective, min_words=min_words,
                    expected=None, points=0)


@dataclass(frozen=True)
class Result:
    """The outcome of one check: status, a specific message, points, and an optional 'why'."""

    question: str
    status: str
    message: str
    points: float
    max_points: int
    why: str = ""
    mistake: str = ""  # the misconception tag of a named mistake, "format" for an unreadable answer
    record: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)  # the variant this was checked on

    @property
    def correct(self) -> bool:
        """True only for a correct answer."""
        return self.status == CORRECT

    def __bool__(self) -> bool:
        return self.correct

    _ICONS = {CORRECT: "✔", INCORRECT: "✘", NOT_ATTEMPTED: "○", SUBMITTED: "✎"}
    # Okabe–Ito colours for the border; the icon and the word carry the meaning, colour only supports it.
    _COLOURS = {CORRECT: "#0072B2", INCORRECT: "#D55E00", NOT_ATTEMPTED: "#777777", SUBMITTED: "#009E73"}
    # The headline's text in darker shades of the same hues: at least 4.5:1 against white (WCAG AA).
    _TEXT = {CORRECT: "#0072B2", INCORRECT: "#B34700", NOT_ATTEMPTED: "#6B6B6B", SUBMITTED: "#007A5A"}

    def _headline(self) -> str:
        label = {
            CORRECT: "Correct",
            INCORRECT: "Not yet",
            NOT_ATTEMPTED: "Not attempted",
            SUBMITTED: "Saved for your instructor",
        }[self.status]
        pts = f" ({self.points:g}/{self.max_points} points)" if self.max_points else ""
        return f"{self._ICONS[self.status]} {self.question} {label}{pts}"

    def __repr__(self) -> str:
        lines = [self._headline(), f"  {self.message}"]
        if self.why and self.status == CORRECT:
            lines.append(f"  Why it matters: {self.why}")
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Text and HTML, with the variant the answer was checked on in the output's metadata.

        Saved with the notebook, that record tells the grader which numbers the learner saw.
        """
        data = {"text/plain": repr(self), "text/html": self._repr_html_()}
        return (data, {RECORD_KEY: dict(self.record)}) if self.record else data

    def _repr_html_(self) -> str:
        colour = self._COLOURS[self.status]
        why = ""
        if self.why and self.status == CORRECT:
            why = f"<div><i>Why it matters:</i> {escape(self.why)}</div>"
        return (
            f"<div style='border-left:4px solid {colour};padding:4px 8px;margin:2px 0'>"
            f"<b style='color:{self._TEXT[self.status]}'>{escape(self._headline())}</b>"
            f"<div>{escape(self.message)}</div>{why}</div>"
        )


def is_placeholder(answer: Any) -> bool:
    """True when the starter ``...`` is still in place (alone or as the only content)."""
    if answer is Ellipsis:
        return True
    if isinstance(answer, (list, tuple, set)) and len(answer) == 1:
        return next(iter(answer)) is Ellipsis
    if callable(answer) and getattr(answer, "__course_starter__", False):
        return True
    return False


def _hint_suffix(q: Question) -> str:
    return f" Try hint(\"{q.id}\")." if q.hints else ""


def evaluate(q: Question, answer: Any, params: Mapping[str, Any], *, hidden: Iterable[tuple] = ()) -> Result:
    """Compare ``answer`` with the question's reference answer for ``params``. Never raises.

    ``hidden`` are extra inputs for a function question, checked only at grading.
    """
    k = q.kind
    max_points = q.points if q.graded else 0
    if is_placeholder(answer) or k.is_starter(q, answer, params):
        hint = f" Type hint(\"{q.id}\") if you are stuck." if q.hints else ""
        return Result(q.id, NOT_ATTEMPTED, "Replace the ... with your answer, then run this cell again." + hint,
                      0, max_points)
    try:
        given = k.normalise(q, answer, params, hidden) if k.name == "function" else k.normalise(q, answer, params)
    except Reject as r:
        for m in q.mistakes:  # a mistake about the answer's type is judged on the answer as given
            if m.shape == "type" and m.matches(answer, None, params, q):
                return Result(q.id, INCORRECT, m.message + _hint_suffix(q), 0, max_points, mistake=m.tag)
        return Result(q.id, INCORRECT, str(r), 0, max_points, mistake="format")
    if k.name == "text":
        n = len(given.split())
        if n < max(q.min_words, 1):
            return Result(q.id, INCORRECT, f"You wrote {n} word{'s' if n != 1 else ''}; write at least {q.min_words}.",
                          0, 0, mistake="too-short")
        return Result(q.id, SUBMITTED, f"{n} words saved. Your instructor reads this; it is not autograded.", 0, 0)
    if k.records_only:  # recorded, never marked here: the instructor's report scores it
        return Result(q.id, SUBMITTED, k.recorded_message(q, given, params), q.points if q.graded else 0, max_points)
    if q.sealed:
        return Result(q.id, SUBMITTED, f"Recorded ({k.describe_format(q)}). This question is graded by your "
                      "instructor, so it gives no further feedback here.", 0, max_points)
    expected = k.reference(q, params)
    problem = k.compare(q, given, expected, params)
    if problem is None:
        more = " More checks run when your work is graded." if q.hidden else ""
        return Result(q.id, CORRECT, "Well done." + more, q.points, q.points, q.why)
    tag = getattr(problem, "tag", "")
    for m in q.mistakes:
        if m.matches(given, expected, params, q):
            problem, tag = m.message, m.tag
            break
    return Result(q.id, INCORRECT, str(problem) + _hint_suffix(q), 0, max_points, mistake=tag)
