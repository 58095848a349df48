"""Named mistakes: what a typical wrong answer looks like, what to tell the learner, and a misconception tag.

A question lists its mistakes as data; the engine tries them, in order, on the *normalised* answer
once the comparison has found it wrong, so a choice's letter and its text get the same message.
The tag (``"whole-for-part"``, ``"inverted-ratio"``) names the misconception, so an instructor's
report can count how many learners made it.

>>> m = equals("whole-for-part", "That counts the whole article.", lambda p: 40)
>>> m.tag, m.message
('whole-for-part', 'That counts the whole article.')

Tolerances are always explicit: ``rel=`` is relative (0.01 is 1 %), ``abs=`` is absolute.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Mistake", "contains", "equals", "inverted", "offset", "option", "outputs", "problem", "reversed_order",
    "scaled", "subset", "superset", "type_is", "when",
]

_TAG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Mistake:
    """One named mistake: ``looks_like(answer, expected, params, question)`` on the normalised answer."""

    tag: str
    message: str
    looks_like: Callable[[Any, Any, Mapping[str, Any], Any], bool]
    shape: str = ""  # what kind of test this is ("equals", "option", ...), for the instructor report
    # a wrong answer that shows this mistake, f(params, expected), where one can be built (tests use it)
    example: Callable[[Mapping[str, Any], Any], Any] | None = field(default=None, compare=False)
    check_spec: Callable[[Any], None] | None = field(default=None, compare=False)  # raises if it cannot fit question q

    def __post_init__(self) -> None:
        if not _TAG.match(self.tag):
            raise ValueError(f"A mistake's tag is lower-case words joined by hyphens, like 'inverted-ratio'; got {self.tag!r}")
        if not self.message.strip():
            raise ValueError(f"Mistake {self.tag!r} needs a message for the learner")

    def matches(self, answer: Any, expected: Any, params: Mapping[str, Any], q: Any) -> bool:
        """Whether the answer shows this mistake; a test that cannot apply to this answer is simply false."""
        try:
            return bool(self.looks_like(answer, expected, params, q))
        except Exception:  # noqa: BLE001 - e.g. an arithmetic test on an answer of another type
            return False


def _value_fn(value: Any) -> Callable[[Mapping[str, Any], Any], Any]:
    """``value`` as f(params, expected): a constant, f(params) or f(params, expected)."""
    if not callable(value):
        return lambda p, e: value
    try:
        n = len([x for x in inspect.signature(value).parameters.values()
                 if x.default is inspect.Parameter.empty and x.kind in (x.POSITIONAL_ONLY, x.POSITIONAL_OR_KEYWORD)])
    except (TypeError, ValueError):
        n = 1
    return value if n >= 2 else (lambda p, e: value(p))


def _num(x: Any) -> float:
    if isinstance(x, bool):
        raise TypeError("a True/False value is not a number here")
    return float(x)


def _near(a: Any, b: Any, rel: float, abs_: float) -> bool:
    a, b = _num(a), _num(b)
    if math.isnan(a) or math.isnan(b):
        return False
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def _same(q: Any, a: Any, b: Any, rel: float, abs_: float) -> bool:
    """Equality of a normalised answer with a wrong value, in the answer's kind (numbers within rel/abs)."""
    if isinstance(a, (int, float)) and not isinstance(a, bool):
        return _near(a, b, rel, abs_)
    if q.kind.name in {"set", "list", "choices", "exact"}:
        return a == q.kind.canonical(q, b)
    return q.kind.same(q, a, b)


def equals(tag: str, message: str, value: Any, *, rel: float = 0.0, abs: float = 0.0) -> Mistake:  # noqa: A002
    """The answer is this wrong value (a constant, ``f(params)`` or ``f(params, expected)``)."""
    f = _value_fn(value)
    return Mistake(tag, message, lambda a, e, p, q: _same(q, a, f(p, e), rel, abs), "equals", f)


def scaled(tag: str, message: str, factor: Any, *, rel: float = 0.02) -> Mistake:
    """The answer is the expected value times ``factor`` (e.g. 100 for a percent given as a ratio)."""
    f = _value_fn(factor)
    return Mistake(tag, message, lambda a, e, p, q: _near(a, _num(e) * _num(f(p, e)), rel, 0.0), "scaled",
                   lambda p, e: e * f(p, e))


def inverted(tag: str, message: str, *, rel: float = 0.02) -> Mistake:
    """The answer is upside down: about 1 / the expected value."""
    return Mistake(tag, message, lambda a, e, p, q: _num(e) != 0 and _near(a, 1 / _num(e), rel, 0.0), "inverted",
                   lambda p, e: 1 / e)


def offset(tag: str, message: str, delta: float) -> Mistake:
    """The answer is the expected value plus ``delta`` (an off-by-one is ``offset(..., -1)`` or ``+1``)."""
    return Mistake(tag, message, lambda a, e, p, q: _near(a, _num(e) + delta, 0.0, 1e-9), "offset",
                   lambda p, e: e + delta)


def option(tag: str, message: str, *options: str, when: Callable[[Any, Mapping[str, Any]], bool] | None = None) -> Mistake:
    """The chosen option is one of ``options`` (texts, as in the question's choices); ``when(expected, params)`` narrows it."""
    wanted = {o.casefold() for o in options}
    if not wanted:
        raise ValueError(f"Mistake {tag!r}: name at least one option")

    def test(a, e, p, q):
        chosen = {a.casefold()} if isinstance(a, str) else {x.casefold() for x in a}
        return chosen & wanted and (when is None or when(e, p))

    def check_spec(q):
        unknown = wanted - {c.casefold() for c in q.choices}
        if unknown:
            raise ValueError(f"Question {q.id}: mistake {tag!r} names options it does not have: {sorted(unknown)}")

    return Mistake(tag, message, test, "option",
                   lambda p, e: options[0] if when is None or when(e, p) else None, check_spec)


def contains(tag: str, message: str, items: Any) -> Mistake:
    """The answer includes any of ``items`` (a collection, ``f(params)`` or ``f(params, expected)``)."""
    f = _value_fn(items)
    return Mistake(tag, message, lambda a, e, p, q: bool(set(a) & set(f(p, e))), "contains",
                   lambda p, e: [*e, *sorted(set(f(p, e)) - set(e), key=str)[:1]])


def subset(tag: str, message: str, *, size: int | None = None) -> Mistake:
    """The answer is part of the expected collection (of exactly ``size`` items when given)."""
    return Mistake(tag, message,
                   lambda a, e, p, q: set(a) < set(e) and (size is None or len(a) == size), "subset")


def superset(tag: str, message: str) -> Mistake:
    """The answer has every expected item and more."""
    return Mistake(tag, message, lambda a, e, p, q: set(a) > set(e), "superset")


def reversed_order(tag: str, message: str) -> Mistake:
    """The answer is the expected list, back to front."""
    return Mistake(tag, message, lambda a, e, p, q: tuple(a) == tuple(reversed(e)) and tuple(a) != tuple(e), "reversed",
                   lambda p, e: list(reversed(e)))


def type_is(tag: str, message: str, type_name: str) -> Mistake:
    """The answer is an object of this type (by name), e.g. the lexicon instead of what it found."""
    def test(a, e, p, q):
        return getattr(a, "type_name", type(a).__name__) == type_name
    return Mistake(tag, message, test, "type")


def outputs(tag: str, message: str, wrong: Callable[..., Any], *, rel: float = 1e-9) -> Mistake:
    """A function answer that returns what ``wrong`` returns (a known wrong formula) on every public input.

    Inputs where the wrong formula has no finite value (it raises, or gives inf or NaN) say nothing
    either way and are skipped; at least one input must be informative.
    """
    def verdict(o) -> bool | None:
        try:
            w = _num(wrong(*o.args))
        except Exception:  # noqa: BLE001 - the wrong formula is undefined here
            return None
        if not math.isfinite(w):
            return None
        return not o.raised and _near(o.value, w, rel, 0.0)

    def test(a, e, p, q):
        seen = [v for v in (verdict(o) for o in a if not o.hidden) if v is not None]
        return bool(seen) and all(seen)
    return Mistake(tag, message, test, "outputs", lambda p, e: wrong)


def problem(tag: str, message: str, phrase: str) -> Mistake:
    """A fact-check whose validation still reports a problem containing ``phrase``."""
    return Mistake(tag, message, lambda a, e, p, q: any(phrase in str(x) for x in a), "problem")


def when(tag: str, message: str, test: Callable[..., bool]) -> Mistake:
    """Any other shape: ``test(answer, params)`` or ``test(answer, expected, params)`` on the normalised answer."""
    try:
        n = len(inspect.signature(test).parameters)
    except (TypeError, ValueError):
        n = 3
    if n >= 3:
        return Mistake(tag, message, lambda a, e, p, q: test(a, e, p), "when")
    return Mistake(tag, message, lambda a, e, p, q: test(a, p), "when")


def tags(mistakes: Iterable[Mistake]) -> list[str]:
    """The tags of some mistakes, in order (for tests and the report)."""
    return [m.tag for m in mistakes]
