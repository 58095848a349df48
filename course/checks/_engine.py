"""The check engine: questions declared in code, answers compared by kind, results in three outcomes.

A :class:`Question` says how its expected answer is computed (``expected(params)``, reference
code, never a pasted literal), how an answer is compared (``kind``), and what to say about common
mistakes (``diagnostics``). :func:`evaluate` turns an answer into a :class:`Result`: *not
attempted* (the ``...`` placeholder is still there), *incorrect* with a specific reason, or
*correct*. A wrong answer never raises.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from course.checks._describe import describe, kind_of, plural, short

NOT_ATTEMPTED = "not attempted"
INCORRECT = "incorrect"
CORRECT = "correct"
SUBMITTED = "submitted"

KINDS = ("number", "exact", "choice", "choices", "set", "list", "frame", "function", "text")


@dataclass(frozen=True)
class Diagnostic:
    """A common mistake: ``test(answer, expected, params)`` is true when the answer shows it."""

    test: Callable[[Any, Any, Mapping[str, Any]], bool]
    message: str


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
    draws a learner's own parameters and ``canonical`` are the ones the committed notebooks use.
    For ``kind="function"``, ``expected`` returns the reference function and ``cases(params)``
    the inputs (tuples of arguments) it is tested on.
    """

    id: str
    prompt: str
    kind: str
    expected: Callable[[Mapping[str, Any]], Any]
    points: int = 1
    objective: str = ""
    hints: tuple[str, ...] = ()
    why: str = ""
    diagnostics: tuple[Diagnostic, ...] = ()
    rel_tol: float = 0.0
    abs_tol: float = 0.0
    unit: str = ""
    choices: tuple[str, ...] = ()
    canonical: Mapping[str, Any] | Callable[[], Mapping[str, Any]] = field(default_factory=dict)
    variant: Callable[[Any], Mapping[str, Any]] | None = None
    cases: Callable[[Mapping[str, Any]], list[tuple]] | None = None
    min_words: int = 0
    hidden: bool = False  # more checks run at grading (their inputs live with the instructor sources)
    # turns the answer into what is compared (e.g. a fact-check into its problems), so the check
    # recomputes a summary instead of trusting one; a TypeError or ValueError it raises is the message
    prepare: Callable[[Any, Mapping[str, Any]], Any] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Question {self.id}: kind must be one of {KINDS}, not {self.kind!r}")
        if self.kind in {"choice", "choices"} and not self.choices:
            raise ValueError(f"Question {self.id}: a {self.kind} question needs choices")
        if self.kind == "function" and self.cases is None:
            raise ValueError(f"Question {self.id}: a function question needs cases")

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
        return self.kind != "text"


def reflection(id: str, prompt: str, *, objective: str, min_words: int) -> Question:
    """A written answer of at least ``min_words`` words, saved for the instructor and never autograded."""
    return Question(id=id, prompt=prompt, kind="text", objective=objective, min_words=min_words,
                    expected=lambda p: None, points=0)


@dataclass(frozen=True)
class Result:
    """The outcome of one check: status, a specific message, points, and an optional 'why'."""

    question: str
    status: str
    message: str
    points: float
    max_points: int
    why: str = ""

    @property
    def correct(self) -> bool:
        """True only for a correct answer."""
        return self.status == CORRECT

    def __bool__(self) -> bool:
        return self.correct

    _ICONS = {CORRECT: "✔", INCORRECT: "✘", NOT_ATTEMPTED: "○", SUBMITTED: "✎"}
    # Okabe–Ito colours; the icon and the word carry the meaning, colour only supports it.
    _COLOURS = {CORRECT: "#0072B2", INCORRECT: "#D55E00", NOT_ATTEMPTED: "#777777", SUBMITTED: "#009E73"}

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

    def _repr_html_(self) -> str:
        colour = self._COLOURS[self.status]
        why = ""
        if self.why and self.status == CORRECT:
            why = f"<div><i>Why it matters:</i> {escape(self.why)}</div>"
        return (
            f"<div style='border-left:4px solid {colour};padding:4px 8px;margin:2px 0'>"
            f"<b style='color:{colour}'>{escape(self._headline())}</b>"
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


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if type(value).__name__ in {"int64", "float64", "int32", "float32"}:
            return float(value)
        return None
    return float(value)


def _close(a: float, b: float, q: Question) -> bool:
    return math.isclose(a, b, rel_tol=q.rel_tol, abs_tol=q.abs_tol)


def _tolerance_text(q: Question, expected: float) -> str:
    parts = []
    if q.abs_tol:
        parts.append(f"±{q.abs_tol:g}")
    if q.rel_tol:
        parts.append(f"±{q.rel_tol:.0%}")
    return " or ".join(parts) if parts else "exactly"


def _compare_number(q: Question, answer: Any, expected: float) -> str | None:
    if isinstance(answer, str):
        try:
            float(answer.replace(",", ""))
        except ValueError:
            return f"Expected a number{_unit(q)}, got a string {short(answer)}."
        return f"Expected a number, got the string {answer!r}: remove the quotes so Python sees a number."
    value = _number(answer)
    if value is None:
        return f"Expected a number{_unit(q)}, got {describe(answer)}."
    if math.isnan(value):
        return "Your answer is NaN (not a number): check for a division by zero or an empty selection."
    if _close(value, expected, q):
        return None
    if expected:
        ratio = value / expected
        for factor in (100, 0.01, 10, 0.1, 1000, 0.001):
            if math.isclose(ratio, factor, rel_tol=0.02):
                return f"Your answer is {factor:g}× the expected value: {_scale_advice(q, factor)}"
        if math.isclose(ratio, -1, rel_tol=1e-9):
            return "Right size, wrong sign: check the order of the subtraction."
        if 0.9 <= ratio <= 1.1:
            return (f"Close: {value:g} is within 10% but outside the tolerance ({_tolerance_text(q, expected)}). "
                    "Check rounding and which rows you included.")
    direction = "high" if value > expected else "low"
    return f"{value:g} is too {direction}."


def _scale_advice(q: Question, factor: float) -> str:
    unit = q.unit.lower()
    if factor in (100, 0.01) and ("percent" in unit or "fraction" in unit or "share" in unit):
        wanted = "a percent (e.g. 12.5)" if "percent" in unit else "a fraction between 0 and 1 (e.g. 0.125)"
        return f"this question wants {wanted}."
    if factor in (10, 0.1) and "per" in unit:
        return f"check the denominator: the question asks for a rate {q.unit}, not per 100 or per 10,000."
    if factor in (1000, 0.001) and "per" in unit:
        return f"check the denominator: the question asks for a rate {q.unit}."
    return f"check the scale{_unit(q)}: a missing or extra multiplication or division?"


def _unit(q: Question) -> str:
    return f" ({q.unit})" if q.unit else ""


def _normalise_choice(value: Any, choices: tuple[str, ...]) -> str | None:
    if not isinstance(value, str):
        return None
    v = value.strip()
    letters = [chr(ord("A") + i) for i in range(len(choices))]
    if v.upper() in letters:
        return choices[letters.index(v.upper())]
    for c in choices:
        if v.casefold() == c.casefold():
            return c
    return None


def _choice_help(q: Question) -> str:
    letters = ", ".join(f"{chr(ord('A') + i)}" for i in range(len(q.choices)))
    return f"Answer with one of the letters {letters} (as a string, e.g. \"A\") or the option's text."


def _compare_choice(q: Question, answer: Any, expected: str) -> str | None:
    chosen = _normalise_choice(answer, q.choices)
    if chosen is None:
        return f"Expected one option, got {describe(answer)}. {_choice_help(q)}"
    return None if chosen == expected else f"“{chosen}” is not the best answer."


def _compare_choices(q: Question, answer: Any, expected: Iterable[str]) -> str | None:
    if isinstance(answer, str):
        answer = [answer]
    if not isinstance(answer, (list, tuple, set, frozenset)):
        return f"Expected a list of options, got {describe(answer)}. {_choice_help(q)}"
    chosen = [_normalise_choice(a, q.choices) for a in answer]
    if None in chosen:
        bad = [a for a, c in zip(answer, chosen) if c is None]
        return f"{short(bad[0])} is not one of the options. {_choice_help(q)}"
    return _compare_set(q, chosen, expected, noun="option")


def _hashable(items: Iterable[Any]) -> list[Any]:
    out = []
    for item in items:
        n = _number(item)
        out.append(n if n is not None and not isinstance(item, str) else item)
    return out


def _compare_set(q: Question, answer: Any, expected: Iterable[Any], noun: str = "item") -> str | None:
    if isinstance(answer, (str, bytes)) or not isinstance(answer, Iterable) or isinstance(answer, Mapping):
        return f"Expected a list of {noun}s, got {describe(answer)}."
    given = _hashable(answer)
    try:
        got, want = set(given), set(_hashable(expected))
    except TypeError:
        return f"Expected a list of simple values (numbers or strings), got {describe(answer)}."
    if len(given) != len(got):
        return "Your list repeats an item: list each one once."
    missing, extra = want - got, got - want
    if not missing and not extra:
        return None
    msg = []
    if extra:
        shown = ", ".join(short(x, 40) for x in sorted(extra, key=str)[:3])
        msg.append(f"{len(extra)} {noun}{'s' if len(extra) > 1 else ''} should not be there ({shown})")
    if missing:
        msg.append(f"{len(missing)} {noun}{'s are' if len(missing) > 1 else ' is'} missing")
    text = "; ".join(msg)
    return text[0].upper() + text[1:] + "."


def _compare_list(q: Question, answer: Any, expected: list[Any]) -> str | None:
    problem = _compare_set(q, answer, expected)
    if problem:
        return problem
    given = _hashable(answer)
    want = _hashable(expected)
    if given == want:
        return None
    if given == list(reversed(want)):
        return "Right items, reversed order: check the direction of the sort."
    first = next(i for i, (a, b) in enumerate(zip(given, want)) if a != b)
    return f"Right items, wrong order: the first difference is at position {first + 1}."


def _compare_exact(q: Question, answer: Any, expected: Any) -> str | None:
    if isinstance(expected, str):
        if not isinstance(answer, str):
            return f"Expected a string, got {describe(answer)}."
        return None if answer.strip().casefold() == expected.casefold() else f"{short(answer)} is not it."
    if kind_of(answer) != kind_of(expected):
        return f"Expected {describe(expected)}, got {describe(answer)}."
    return None if answer == expected else f"{short(answer)} is not it."


def _compare_frame(q: Question, answer: Any, expected: Any) -> str | None:
    if kind_of(answer) != "DataFrame":
        return f"Expected a DataFrame, got {describe(answer)}."
    want_cols, got_cols = list(expected.columns), list(answer.columns)
    missing = [c for c in want_cols if c not in got_cols]
    if missing:
        return f"Your table lacks {len(missing)} column(s): {', '.join(map(str, missing))}."
    if len(answer) != len(expected):
        return (f"Your table has {len(answer)} {plural('row', len(answer))}; the question expects "
                f"{len(expected)}. Check your filter.")
    a = answer[want_cols].reset_index(drop=True)
    e = expected.reset_index(drop=True)
    for col in want_cols:
        x, y = a[col].tolist(), e[col].tolist()
        if x == y:
            continue
        if sorted(map(str, x)) == sorted(map(str, y)):
            return f"Right rows, different order (column {col!r}): sort as the question asks."
        nums = [(_number(i), _number(j)) for i, j in zip(x, y)]
        if all(i is not None and j is not None for i, j in nums) and all(
            math.isclose(i, j, rel_tol=q.rel_tol or 1e-9, abs_tol=q.abs_tol) for i, j in nums
        ):
            continue
        return f"Column {col!r} differs from the expected values."
    return None


def _compare_function(q: Question, answer: Any, reference: Callable, params: Mapping[str, Any]) -> str | None:
    if not callable(answer):
        return f"Expected a function (define it with def and pass its name, without brackets), got {describe(answer)}."
    for args in q.cases(params):
        call = f"{getattr(answer, '__name__', 'your function')}({', '.join(short(a, 30) for a in args)})"
        try:
            got = answer(*args)
        except Exception as exc:  # the learner's code may raise anything; report it, never re-raise
            return f"{call} raised {type(exc).__name__}: {exc}"
        if got is Ellipsis:
            return f"{call} returned ... : replace the placeholder with your code."
        want = reference(*args)
        if isinstance(want, numbers.Real) and not isinstance(want, bool):
            value = _number(got)
            if value is None:
                return f"{call} returned {describe(got)}; it should return a number."
            if not (math.isclose(value, want, rel_tol=q.rel_tol or 1e-9, abs_tol=q.abs_tol)
                    or (math.isnan(value) and math.isnan(want))):
                return f"{call} returned {value:g}; expected {want:g}."
        elif got != want:
            return f"{call} returned {short(got)}; expected {short(want)}."
    return None


def _starter_function(q: Question, answer: Any, params: Mapping[str, Any]) -> bool:
    """True when a function answer is still the starter (it returns ``...``)."""
    if q.kind != "function" or not callable(answer):
        return False
    try:
        return answer(*q.cases(params)[0]) is Ellipsis
    except Exception:  # a learner's function that raises is judged by the comparison instead
        return False


def evaluate(q: Question, answer: Any, params: Mapping[str, Any]) -> Result:
    """Compare ``answer`` with the question's reference answer for ``params``. Never raises."""
    if is_placeholder(answer) or _starter_function(q, answer, params):
        hint = " Type `hint(\"%s\")` if you are stuck." % q.id if q.hints else ""
        return Result(q.id, NOT_ATTEMPTED, "Replace the ... with your answer, then run this cell again." + hint,
                      0, q.points if q.graded else 0)
    if q.kind == "text":
        if not isinstance(answer, str):
            return Result(q.id, INCORRECT, f"Expected your writing as a string in quotes, got {describe(answer)}.", 0, 0)
        n = len(answer.split())
        if n < max(q.min_words, 1):
            return Result(q.id, INCORRECT, f"You wrote {n} word{'s' if n != 1 else ''}; write at least {q.min_words}.", 0, 0)
        return Result(q.id, SUBMITTED, f"{n} words saved. Your instructor reads this; it is not autograded.", 0, 0)
    if q.prepare is not None:
        try:
            answer = q.prepare(answer, params)
        except (TypeError, ValueError) as e:
            return Result(q.id, INCORRECT, str(e), 0, q.points)
    expected = q.expected(params)
    if q.kind == "function":
        problem = _compare_function(q, answer, expected, params)
    else:
        compare = {
            "number": _compare_number,
            "exact": _compare_exact,
            "choice": _compare_choice,
            "choices": _compare_choices,
            "set": _compare_set,
            "list": _compare_list,
            "frame": _compare_frame,
        }[q.kind]
        problem = compare(q, answer, expected)
    if problem is None:
        more = " More checks run when your work is graded." if q.hidden else ""
        return Result(q.id, CORRECT, "Well done." + more, q.points, q.points, q.why)
    for d in q.diagnostics:
        try:
            if d.test(answer, expected, params):
                problem = d.message
                break
        except Exception:  # a diagnostic that cannot apply to this answer's type is skipped
            continue
    if q.hints:
        problem += f" Try hint(\"{q.id}\")."
    return Result(q.id, INCORRECT, problem, 0, q.points)
