"""Question kinds: each one owns how an answer is normalised, compared, shown as a widget and explained.

A kind turns whatever the learner passed into one normal form (a choice's letter and its text
become the same option; a list of ids becomes a set), or rejects it with a message that says what
to type. The comparison, and every :class:`~course.checks._mistakes.Mistake` a question declares,
then work on that normal form. ``check()`` in a notebook and the grader call the same code: the
grader hands over the value the kernel computed (see :mod:`course.checks._codec`), or for a
function the :class:`Outcomes` of its calls.

A kind compares equal to its name, so a spec or a test may write ``q.kind == "number"``.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from course.checks._describe import describe, kind_of, plural, short

__all__ = [
    "KINDS", "Accepted", "Choice", "Choices", "Exact", "FactCheckKind", "Frame", "Function", "Judgement", "Kind",
    "ListKind", "Number", "Outcome", "Outcomes", "Problem", "RECORDED_PATTERN", "Reject", "SetKind", "Text", "kind",
    "parse_recorded",
]


class Problem(str):
    """A comparison's message together with the misconception tag it shows (empty when untagged)."""

    def __new__(cls, message: str, tag: str = "") -> Problem:
        self = super().__new__(cls, message)
        self.tag = tag
        return self


class Reject(ValueError):
    """An answer in a form the kind cannot read; the message tells the learner what to type instead."""


class Kind:
    """How one kind of answer is read, compared and explained. Subclasses override what differs."""

    name = ""
    widget: str | None = None  # "radio", "checkboxes" or "number" for a clickable quiz
    graded = True
    records_only = False  # True: check() records the answer and says so, never whether it is right
    keeps_answer = False  # True: the learner's progress keeps the answer itself (see :meth:`kept`)

    def check_spec(self, q: Any) -> None:
        """Raise ValueError when a question of this kind lacks what it needs."""

    def normalise(self, q: Any, answer: Any, params: Mapping[str, Any]) -> Any:
        """The answer in this kind's normal form, or :class:`Reject` with what to type instead."""
        return answer

    def reference(self, q: Any, params: Mapping[str, Any]) -> Any:
        """The expected answer in normal form (computed by the question's reference code)."""
        return self.canonical(q, q.expected(params))

    def canonical(self, q: Any, value: Any) -> Any:
        """A reference value (the expected answer, or a known wrong one) in this kind's normal form."""
        return value

    def compare(self, q: Any, given: Any, expected: Any, params: Mapping[str, Any]) -> str | None:
        """None when ``given`` is right; otherwise what is wrong with it, in a sentence."""
        return None if self.same(q, given, expected) else f"{short(given)} is not it."

    def same(self, q: Any, a: Any, b: Any) -> bool:
        """Whether two normalised answers count as the same (what a mistake's ``equals`` uses too)."""
        return a == b

    def describe_format(self, q: Any) -> str:
        """What an answer of this kind looks like, for prompts and format-only feedback."""
        return "an answer"

    def is_starter(self, q: Any, answer: Any, params: Mapping[str, Any]) -> bool:
        """Whether the answer is still the starter code (besides the ``...`` placeholder)."""
        return False

    def portable(self, answer: Any) -> Any:
        """The answer as the kernel sends it to the grader (then encoded by :mod:`._codec`)."""
        return answer

    def recorded_message(self, q: Any, given: Any, params: Mapping[str, Any]) -> str:
        """What a records-only kind tells the learner once a normalised answer is recorded."""
        return "Recorded."

    def kept(self, q: Any, given: Any, params: Mapping[str, Any]) -> Any:
        """The normalised answer as plain data for the learner's progress file (kinds that keep answers)."""
        return None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return other == self.name
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"<kind {self.name}>"


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    if type(value).__module__.split(".")[0] == "numpy" and getattr(value, "shape", None) == ():
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    return None


def _close(q: Any, a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=q.rel_tol, abs_tol=q.abs_tol)


class Number(Kind):
    """A single number, compared within the question's tolerance (exactly when it gives none)."""

    name = "number"
    widget = "number"

    def normalise(self, q, answer, params):
        if isinstance(answer, str):
            try:
                float(answer.replace(",", "").strip())
            except ValueError:
                raise Reject(f"Expected a number{_unit(q)}, got a string {short(answer)}.") from None
            raise Reject(f"Expected a number, got the string {answer!r}: remove the quotes so Python sees a number.")
        value = _as_number(answer)
        if value is None:
            if isinstance(answer, (list, tuple)) and len(answer) == 1 and _as_number(answer[0]) is not None:
                raise Reject(f"Expected one number, got a {kind_of(answer)} holding it: take it out, e.g. answer[0].")
            raise Reject(f"Expected a number{_unit(q)}, got {describe(answer)}.")
        return value

    def canonical(self, q, value):
        return float(value)

    def same(self, q, a, b):
        return _as_number(a) is not None and _as_number(b) is not None and _close(q, float(a), float(b))

    def compare(self, q, given, expected, params):
        if self.same(q, given, expected):
            return None
        if math.isnan(given):
            return "Your answer is NaN (not a number): check for a division by zero or an empty selection."
        if math.isinf(given):
            return "Your answer is infinite: check for a division by zero."
        if math.isnan(expected) or math.isinf(expected):
            return f"{given:g} is not it: this one has no finite answer."
        if expected:
            ratio = given / expected
            for factor in (100, 0.01, 10, 0.1, 1000, 0.001):
                if math.isclose(ratio, factor, rel_tol=0.02):
                    return Problem(f"Your answer is {factor:g}× the expected value: {_scale_advice(q, factor)}",
                                   f"scale-{factor:g}x".replace(".", "-"))
            if math.isclose(ratio, -1, rel_tol=1e-9):
                return Problem("Right size, wrong sign: check the order of the subtraction.", "wrong-sign")
            whole = float(expected).is_integer() and not q.rel_tol and not q.abs_tol
            if 0.9 <= ratio <= 1.1 and not whole:
                return (f"Close: {given:g} is within 10% but outside the tolerance ({_tolerance_text(q)}). "
                        "Check rounding and which rows you included.")
            if 0.9 <= ratio <= 1.1:
                direction = "high" if given > expected else "low"
                return (f"{given:g} is a little too {direction}: a count is exact, so check which items you "
                        "included and whether you counted from 0 or from 1.")
        direction = "high" if given > expected else "low"
        return f"{given:g} is too {direction}."

    def describe_format(self, q):
        return f"a number{_unit(q)}"


def _unit(q: Any) -> str:
    return f" ({q.unit})" if getattr(q, "unit", "") else ""


def _tolerance_text(q: Any) -> str:
    parts = []
    if q.abs_tol:
        parts.append(f"±{q.abs_tol:g}")
    if q.rel_tol:
        parts.append(f"±{q.rel_tol:.0%}")
    return " or ".join(parts) if parts else "exactly"


def _scale_advice(q: Any, factor: float) -> str:
    unit = q.unit.lower()
    if factor in (100, 0.01) and ("percent" in unit or "fraction" in unit or "share" in unit):
        wanted = "a percent (e.g. 12.5)" if "percent" in unit else "a fraction between 0 and 1 (e.g. 0.125)"
        return f"this question wants {wanted}."
    if factor in (10, 0.1) and "per" in unit:
        return f"check the denominator: the question asks for a rate {q.unit}, not per 100 or per 10,000."
    if factor in (1000, 0.001) and "per" in unit:
        return f"check the denominator: the question asks for a rate {q.unit}."
    return f"check the scale{_unit(q)}: a missing or extra multiplication or division?"


def _letters(n: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(n)]


_LETTER = re.compile(r"^\(?([A-Za-z])[.)]?(?:\s+(.*))?$", re.S)


def _option(value: Any, choices: Sequence[str]) -> str | None:
    """The option a string names: its letter ("B", "b", "B.", "(B)"), its text, or both ("B. start of text")."""
    if not isinstance(value, str):
        return None
    v = " ".join(value.split())
    for c in choices:
        if v.casefold() == c.casefold():
            return c
    m = _LETTER.match(v)
    if m:
        letters = _letters(len(choices))
        letter, rest = m.group(1).upper(), (m.group(2) or "").strip()
        if letter in letters:
            chosen = choices[letters.index(letter)]
            stem = rest.rstrip(" .…").casefold()
            if not stem or chosen.casefold().startswith(stem):  # "E", "E." or "E. None of these"
                return chosen
    return None


def _how_to_choose(q: Any, many: bool) -> str:
    example = '["A", "C"]' if many else '"A"'
    return (f"Type {'the letters' if many else 'one letter'} in quotes, such as {example}, "
            "or the option's full text.")


class Accepted(tuple):
    """Several options that are each a right answer (a defensible verdict either way), primary first."""


class Choice(Kind):
    """One option of several; its letter and its text are the same answer.

    A question's ``expected`` may return one option or several (each is right, the first is primary).
    """

    name = "choice"
    widget = "radio"

    def check_spec(self, q):
        if not q.choices:
            raise ValueError(f"Question {q.id}: a choice question needs choices")

    def normalise(self, q, answer, params):
        if isinstance(answer, (list, tuple, set, frozenset)):
            raise Reject(f"Choose one option only; got {describe(answer)}. {_how_to_choose(q, False)}")
        chosen = _option(answer, q.choices)
        if chosen is None:
            what = f"{short(answer)} is not one of the options." if isinstance(answer, str) else \
                f"Expected one option, got {describe(answer)}."
            raise Reject(f"{what} {_how_to_choose(q, False)}")
        return chosen

    def canonical(self, q, value):
        if isinstance(value, (list, tuple, set, frozenset)):
            return Accepted(_option(e, q.choices) or e for e in value)
        return _option(value, q.choices) or value

    def compare(self, q, given, expected, params):
        right = given in expected if isinstance(expected, Accepted) else given == expected
        return None if right else f"“{given}” is not the best answer."

    def describe_format(self, q):
        return "one option (a letter such as \"A\")"


class Choices(Kind):
    """Every option that applies; letters and texts in any order, each once."""

    name = "choices"
    widget = "checkboxes"

    def check_spec(self, q):
        if not q.choices:
            raise ValueError(f"Question {q.id}: a choices question needs choices")

    def normalise(self, q, answer, params):
        if isinstance(answer, str):
            parts = [p for p in re.split(r"[,;\s]+", answer.strip()) if p]
            single = _option(answer, q.choices)
            answer = [answer] if single is not None or not parts else parts
        if not isinstance(answer, (list, tuple, set, frozenset)):
            raise Reject(f"Expected a list of options, got {describe(answer)}. {_how_to_choose(q, True)}")
        chosen = [_option(a, q.choices) for a in answer]
        bad = [a for a, c in zip(answer, chosen) if c is None]
        if bad:
            raise Reject(f"{short(bad[0])} is not one of the options. {_how_to_choose(q, True)}")
        if len(set(chosen)) != len(chosen):
            raise Reject("Your list names one option twice: list each once.")
        return frozenset(chosen)

    def canonical(self, q, value):
        return frozenset(_option(e, q.choices) or e for e in value)

    def compare(self, q, given, expected, params):
        return _set_problem(given, expected, "option")

    def describe_format(self, q):
        return "a list of options (letters such as [\"A\", \"C\"])"


def _item(value: Any) -> Any:
    """A list element in a form that hashes and compares by value (numbers as numbers, lists as tuples)."""
    if isinstance(value, list):
        return tuple(_item(v) for v in value)
    if isinstance(value, tuple):
        return tuple(_item(v) for v in value)
    n = _as_number(value)
    if n is not None and not isinstance(value, str):
        return int(n) if n.is_integer() else n
    return value


_BUILTIN_ITERABLES = (list, tuple, set, frozenset, range, type({}.keys()), type({}.values()), type({}.items()),
                      type(iter([])), type(x for x in ()), map, filter, zip, reversed)


def _collection(answer: Any) -> bool:
    """Whether an answer is a plain collection of items (not a string, a mapping or some object that iterates)."""
    if isinstance(answer, _BUILTIN_ITERABLES):
        return True
    return kind_of(answer) in {"Series", "NumPy array"} or type(answer).__name__ == "Index"


def _iterable(answer: Any, noun: str) -> list[Any]:
    if not _collection(answer):
        raise Reject(f"Expected a list of {noun}s, got {describe(answer)}.")
    items = [_item(a) for a in answer]
    try:
        set(items)
    except TypeError:
        raise Reject(f"Expected a list of simple values (numbers or strings), got {describe(answer)}.") from None
    return items


def _set_problem(given: frozenset, expected: frozenset, noun: str) -> str | None:
    missing, extra = expected - given, given - expected
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


class SetKind(Kind):
    """A collection whose order does not matter; each item once."""

    name = "set"
    container: type = frozenset

    def portable(self, answer):
        return list(answer) if isinstance(answer, _BUILTIN_ITERABLES[6:]) else answer

    def normalise(self, q, answer, params):
        items = _iterable(answer, "item")
        if len(set(items)) != len(items):
            raise Reject("Your list repeats an item: list each one once.")
        return self.container(items)

    def canonical(self, q, value):
        return self.container(_item(e) for e in value)

    def compare(self, q, given, expected, params):
        return _set_problem(given, expected, "item")

    def describe_format(self, q):
        return "a list of items (order does not matter)"


class ListKind(SetKind):
    """A collection in a given order."""

    name = "list"
    container = tuple

    def compare(self, q, given, expected, params):
        problem = _set_problem(frozenset(given), frozenset(expected), "item")
        if problem:
            return problem
        if given == expected:
            return None
        if given == tuple(reversed(expected)):
            return "Right items, reversed order: check the direction of the sort."
        first = next(i for i, (a, b) in enumerate(zip(given, expected)) if a != b)
        return f"Right items, wrong order: the first difference is at position {first + 1}."

    def describe_format(self, q):
        return "a list of items in order"


class Exact(Kind):
    """One value that must match exactly (a string ignoring case and outer spaces)."""

    name = "exact"

    def normalise(self, q, answer, params):
        return " ".join(answer.split()).casefold() if isinstance(answer, str) else answer

    def canonical(self, q, value):
        return " ".join(value.split()).casefold() if isinstance(value, str) else value

    def compare(self, q, given, expected, params):
        if isinstance(expected, str) and not isinstance(given, str):
            return f"Expected a string, got {describe(given)}."
        if not isinstance(expected, str) and kind_of(given) != kind_of(expected):
            return f"Expected {describe(expected)}, got {describe(given)}."
        return None if given == expected else f"{short(given)} is not it."

    def describe_format(self, q):
        return "one value"


class Frame(Kind):
    """A table (pandas DataFrame) with the expected columns, rows and values."""

    name = "frame"

    def normalise(self, q, answer, params):
        if kind_of(answer) != "DataFrame":
            raise Reject(f"Expected a DataFrame, got {describe(answer)}.")
        return answer

    def compare(self, q, given, expected, params):
        want_cols, got_cols = list(expected.columns), list(given.columns)
        missing = [c for c in want_cols if c not in got_cols]
        if missing:
            return f"Your table lacks {len(missing)} column(s): {', '.join(map(str, missing))}."
        if len(given) != len(expected):
            return (f"Your table has {len(given)} {plural('row', len(given))}; the question expects "
                    f"{len(expected)}. Check your filter.")
        a = given[want_cols].reset_index(drop=True)
        e = expected.reset_index(drop=True)
        for col in want_cols:
            x, y = a[col].tolist(), e[col].tolist()
            if all(_same_value(i, j, q) for i, j in zip(x, y)):
                continue
            if sorted(map(str, x)) == sorted(map(str, y)):
                return f"Right rows, different order (column {col!r}): sort as the question asks."
            return f"Column {col!r} differs from the expected values."
        return None

    def same(self, q, a, b):
        return kind_of(a) == "DataFrame" and self.compare(q, a, b, {}) is None

    def describe_format(self, q):
        return "a table (a pandas DataFrame)"


def _same_value(got: Any, want: Any, q: Any) -> bool:
    """One comparison of two plain values, used wherever a function's output or a cell is compared.

    Numbers compare within the question's tolerance (a relative 1e-9 when it gives none), NaN equals
    NaN, infinities equal themselves; everything else compares with ``==`` after normalising
    containers (a tuple and a list with the same items are the same output).
    """
    g, w = _as_number(got), _as_number(want)
    if w is not None and not isinstance(want, bool):
        if g is None or isinstance(got, bool):
            return False
        if math.isnan(g) or math.isnan(w):
            return math.isnan(g) and math.isnan(w)
        return math.isclose(g, w, rel_tol=q.rel_tol or 1e-9, abs_tol=q.abs_tol)
    if isinstance(want, (list, tuple)) and isinstance(got, (list, tuple)):
        return len(got) == len(want) and all(_same_value(a, b, q) for a, b in zip(got, want))
    if isinstance(want, (set, frozenset)) and isinstance(got, (set, frozenset)):
        return {_item(x) for x in got} == {_item(x) for x in want}
    if isinstance(want, Mapping) and isinstance(got, Mapping):
        return set(got) == set(want) and all(_same_value(got[k], want[k], q) for k in want)
    if kind_of(want) in {"DataFrame", "Series", "NumPy array"}:
        try:
            import pandas as pd

            if kind_of(want) == "NumPy array":
                import numpy as np

                return bool(np.array_equal(np.asarray(got), want, equal_nan=want.dtype.kind in "fc"))
            (pd.testing.assert_frame_equal if kind_of(want) == "DataFrame" else pd.testing.assert_series_equal)(
                got, want, check_dtype=False, rtol=q.rel_tol or 1e-9, atol=q.abs_tol)
            return True
        except (AssertionError, TypeError, ValueError):
            return False
    try:
        return bool(got == want)
    except Exception:  # noqa: BLE001 - a learner's object whose == raises is not the expected value
        return False


@dataclass(frozen=True)
class Outcome:
    """What one call of a learner's function did: its arguments, and the value returned or the error raised."""

    args: tuple
    value: Any = None
    error: str | None = None  # "TypeError: message" when the call raised
    hidden: bool = False  # an input checked only at grading (never named in feedback)

    @property
    def raised(self) -> bool:
        return self.error is not None


class Outcomes(tuple):
    """Every call of a function answer, in case order: what the comparison of a function works on."""

    @classmethod
    def run(cls, fn: Callable, cases: Iterable[tuple], hidden: Iterable[tuple] = ()) -> Outcomes:
        """Call ``fn`` on each case (the learner's code may raise anything: it is recorded, never re-raised)."""
        out = []
        for args, is_hidden in [(tuple(c), False) for c in cases] + [(tuple(c), True) for c in hidden]:
            try:
                out.append(Outcome(args, value=fn(*args), hidden=is_hidden))
            except Exception as exc:  # noqa: BLE001
                out.append(Outcome(args, error=f"{type(exc).__name__}: {exc}", hidden=is_hidden))
        return cls(out)


class Function(Kind):
    """A function the learner writes, judged on what it returns for the question's inputs.

    In a notebook the function is called on each case; at grading the kernel's outputs arrive as
    :class:`Outcomes`, with the hidden cases (marked ``hidden``) after the public ones. Both are
    compared by :meth:`compare` with one rule for every output (:func:`_same_value`).
    """

    name = "function"

    def check_spec(self, q):
        if q.cases is None:
            raise ValueError(f"Question {q.id}: a function question needs cases")

    def normalise(self, q, answer, params, hidden: Iterable[tuple] = ()):
        if isinstance(answer, Outcomes):
            return answer
        if not callable(answer):
            raise Reject("Expected a function (define it with def and pass its name, without brackets), "
                         f"got {describe(answer)}.")
        outcomes = Outcomes.run(answer, q.cases(params), hidden)
        name = getattr(answer, "__name__", None)
        return Outcomes(outcomes) if name is None else _Named(outcomes, name)

    def is_starter(self, q, answer, params):
        if isinstance(answer, Outcomes):
            return bool(answer) and not answer[0].raised and answer[0].value is Ellipsis
        if not callable(answer):
            return False
        try:
            return answer(*q.cases(params)[0]) is Ellipsis
        except Exception:  # noqa: BLE001 - a function that raises is judged by the comparison instead
            return False

    def compare(self, q, given, reference, params):
        name = getattr(given, "name", "your function")
        for o in given:
            call = f"{name}({', '.join(short(a, 30) for a in o.args)})"
            if o.hidden:
                if o.raised:
                    kind = o.error.split(":", 1)[0]
                    return (f"Right on the notebook's inputs, but on another input checked at grading your function "
                            f"raised {kind}. Test it on edge cases (empty input, zeros, one item).")
                if not _same_value(o.value, reference(*o.args), q):
                    return ("Right on the notebook's inputs, but a further check at grading found a wrong result on "
                            "another input (not shown, so the check stays fair). Test your function on edge cases.")
                continue
            if o.raised:
                return f"{call} raised {o.error.rstrip('.')}."
            if o.value is Ellipsis:
                return f"{call} returned ... : replace the placeholder with your code."
            want = reference(*o.args)
            if not _same_value(o.value, want, q):
                if _as_number(want) is not None and not isinstance(want, bool):
                    if _as_number(o.value) is None or isinstance(o.value, bool):
                        return f"{call} returned {describe(o.value)}; it should return a number."
                    return f"{call} returned {_as_number(o.value):g}; expected {_as_number(want):g}."
                return f"{call} returned {short(o.value)}; expected {short(want)}."
        return None

    def same(self, q, a, b):
        return False

    def describe_format(self, q):
        return "a function (pass its name, without brackets)"


class _Named(Outcomes):
    """Outcomes that remember the function's name, for messages such as ``density('') raised …``."""

    def __new__(cls, items, name):
        self = super().__new__(cls, items)
        self.name = name
        return self


class Text(Kind):
    """Written prose, saved for the instructor and never autograded."""

    name = "text"
    graded = False

    def normalise(self, q, answer, params):
        if not isinstance(answer, str):
            raise Reject(f"Expected your writing as a string in quotes, got {describe(answer)}.")
        return answer

    def describe_format(self, q):
        return f"your writing, at least {q.min_words} words, in quotes"


class FactCheckKind(Kind):
    """A fact-check (``course.factcheck``), re-validated here: correct when it has no problems left.

    The learner passes the fact-check itself, never a list of problems they computed, so an empty
    list typed in by hand cannot pass. ``claims`` fixes which text it must be about.
    """

    name = "factcheck"

    def __init__(self, claims: Mapping[str, str] | None = None):
        self.claims = None if claims is None else dict(claims)

    def normalise(self, q, answer, params):
        from course.factcheck import FactCheck

        if isinstance(answer, dict) and "factcheck" in answer:
            try:
                answer = FactCheck.from_plain(answer)
            except ValueError as exc:
                raise Reject(str(exc)) from None
        if not isinstance(answer, FactCheck):
            raise Reject(f"Pass your fact-check itself, like check(\"{q.id}\", my_check), not what validate() "
                         f"returns; got {describe(answer)}.")
        kwargs = {k: params[k] for k in ("min_verdicts", "max_verdicts", "cover") if k in params}
        problems = answer.validate(**kwargs)
        if self.claims is not None and dict(answer.claims or {}) != self.claims:
            problems.append("This fact-check is not about the invented paragraph: pass claims=invented to factcheck(...).")
        return tuple(problems)

    def reference(self, q, params):
        return ()

    def compare(self, q, given, expected, params):
        if not given:
            return None
        more = f" ({len(given) - 1} more after this one: print validate(...) to see them all.)" if len(given) > 1 else ""
        return f"{given[0]}{more}"

    def describe_format(self, q):
        return "a fact-check made with factcheck(...)"


def _first_word(value: Any, choices: Sequence[str]) -> str | None:
    """The one option whose text starts with the word typed ("distorted" for "Distorted: the report ...")."""
    if not isinstance(value, str) or not value.strip():
        return None
    word = value.strip().rstrip(".:").casefold()
    found = [c for c in choices if re.split(r"[:.,;\s]", c.strip(), maxsplit=1)[0].casefold() == word]
    return found[0] if len(found) == 1 else None


#: What :meth:`Judgement.recorded_message` writes, as a regular expression (named groups item, letter, sure).
RECORDED_PATTERN = r"^Recorded(?: for item (?P<item>[\w.-]+))?: (?P<letter>[A-Z]), (?P<sure>\d+(?:\.\d+)?)% sure\."
_RECORDED = re.compile(RECORDED_PATTERN)


def parse_recorded(message: str) -> dict[str, Any] | None:
    """Read back what :meth:`Judgement.recorded_message` wrote: ``{"item", "letter", "sure"}``, or None.

    The instructor's report reads a learner's judgement from the gradebook's message this way;
    the two functions live side by side so they cannot drift apart.

    >>> parse_recorded("Recorded for item A05: B, 70% sure. It is not marked now.")
    {'item': 'A05', 'letter': 'B', 'sure': 70.0}
    """
    m = _RECORDED.match(message or "")
    if m is None:
        return None
    return {"item": m.group("item"), "letter": m.group("letter"), "sure": float(m.group("sure"))}


class Judgement(Kind):
    """One option of several and how sure the learner is that it is right (0–100 %), recorded without a mark.

    The learner passes a pair, ``("B", 70)``: the option (its letter, its text, or the first word of
    its text such as ``"distorted"``) and a confidence in percent. ``check()`` records it and says
    so, never whether it is right — a pre-test that marks its items teaches them — and the
    learner's progress keeps it, so the learner's own before/after can be shown later. The
    instructor's report scores it against :meth:`reference`. ``options(params)`` gives the options
    where they depend on the learner's variant (each learner sees their own items); otherwise the
    question's ``choices`` are used. ``participation=True`` makes the question earn its points
    for an answer in the right form, whatever it says.
    """

    name = "judgement"
    records_only = True
    keeps_answer = True

    def __init__(self, options: Callable[[Mapping[str, Any]], Sequence[str]] | None = None,
                 participation: bool = False):
        self.options = options
        self.participation = participation

    @property
    def graded(self) -> bool:  # type: ignore[override]
        return self.participation

    def choices(self, q: Any, params: Mapping[str, Any]) -> tuple[str, ...]:
        """The options this learner is shown."""
        return tuple(self.options(params)) if self.options is not None else tuple(q.choices)

    def check_spec(self, q):
        if not q.choices and self.options is None:
            raise ValueError(f"Question {q.id}: a judgement needs choices, or options(params)")

    def is_starter(self, q, answer, params):
        return isinstance(answer, (tuple, list)) and len(answer) == 2 and all(a is Ellipsis for a in answer)

    def normalise(self, q, answer, params):
        how = 'Give a letter and how sure you are that it is right (0 to 100), in brackets: ("B", 70).'
        if not isinstance(answer, (tuple, list)) or len(answer) != 2:
            raise Reject(f"Expected two things, got {describe(answer)}. {how}")
        option, sure = answer
        choices = self.choices(q, params)
        if option is Ellipsis:
            raise Reject(f"Replace the first ... with your answer. {how}")
        chosen = _option(option, choices) or _first_word(option, choices)
        if chosen is None:
            what = f"{short(option)} is not one of the options." if isinstance(option, str) else \
                f"Expected an option, got {describe(option)}."
            raise Reject(f"{what} {_how_to_choose(q, False)}")
        if sure is Ellipsis:
            raise Reject("Replace the second ... with how sure you are that your answer is right, from 0 to 100 "
                         "(50 is a coin toss between two options, 100 is certain).")
        n = _as_number(sure)
        if n is None or math.isnan(n):
            raise Reject(f"How sure you are is a number from 0 to 100, such as 70; got {describe(sure)}.")
        if not 0 <= n <= 100:
            raise Reject(f"How sure you are is a percent, from 0 to 100; got {n:g}.")
        if 0 < n < 1:
            raise Reject(f"Write how sure you are in percent: {n * 100:g} rather than {n:g}.")
        return (chosen, float(n))

    def reference(self, q, params):
        expected = q.expected(params)
        return _option(expected, self.choices(q, params)) or expected

    def compare(self, q, given, expected, params):
        return None if given[0] == expected else f"“{given[0]}” is not the best answer."

    def same(self, q, a, b):
        return a == b

    def letter(self, q: Any, option: str, params: Mapping[str, Any]) -> str:
        """The letter of an option, as the learner saw it."""
        choices = self.choices(q, params)
        return _letters(len(choices))[choices.index(option)]

    def recorded_message(self, q, given, params):
        item = params.get("item") if isinstance(params, Mapping) else None
        where = f" for item {item}" if item else ""
        return f"Recorded{where}: {self.letter(q, given[0], params)}, {given[1]:g}% sure. It is not marked now."

    def kept(self, q, given, params):
        item = params.get("item") if isinstance(params, Mapping) else None
        return {"item": item, "letter": self.letter(q, given[0], params), "sure": given[1]}

    def describe_format(self, q):
        return 'a letter and how sure you are, from 0 to 100, such as ("B", 70)'


KINDS: dict[str, Kind] = {k.name: k for k in (Number(), Choice(), Choices(), SetKind(), ListKind(), Exact(), Frame(),
                                             Function(), Text(), FactCheckKind(), Judgement())}


def kind(value: str | Kind) -> Kind:
    """The kind object for a name such as ``"number"`` (or the kind object itself)."""
    if isinstance(value, Kind):
        return value
    try:
        return KINDS[value]
    except KeyError:
        raise ValueError(f"kind must be one of {tuple(KINDS)}, not {value!r}") from None
