"""Plain-English descriptions of values, for feedback such as "got a list of 3 strings"."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

_NAMES = {
    str: "string",
    bool: "True/False value",
    int: "whole number",
    float: "number",
    list: "list",
    tuple: "tuple",
    set: "set",
    frozenset: "set",
    dict: "dictionary",
    type(None): "None",
}


def kind_of(value: Any) -> str:
    """A short noun for a value's type, as a student would say it."""
    if value is None:
        return "None"
    if hasattr(value, "type_name") and type(value).__name__ == "Opaque":  # an object that came from a kernel
        return value.type_name
    if isinstance(value, bool):
        return "True/False value"
    if isinstance(value, numbers.Number):
        return "number"
    t = type(value)
    if t.__name__ == "DataFrame":
        return "DataFrame"
    if t.__name__ == "Series":
        return "Series"
    if t.__name__ == "ndarray":
        return "NumPy array"
    if callable(value):
        return "function"
    return _NAMES.get(t, t.__name__)


def plural(word: str, n: int) -> str:
    """``word`` pluralised for ``n`` (handles the few nouns the feedback uses)."""
    if n == 1:
        return word
    if word.endswith("y") and not word.endswith("ey"):
        return word[:-1] + "ies"
    if word in {"None", "True/False value"}:
        return "None values" if word == "None" else "True/False values"
    return word + "s"


def describe(value: Any) -> str:
    """Describe a value's shape: 'a number', 'a list of 3 strings', 'an empty list'."""
    k = kind_of(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        n = len(value)
        if n == 0:
            return f"an empty {k}"
        kinds = sorted({kind_of(v) for v in value})
        inner = plural(kinds[0], n) if len(kinds) == 1 else "mixed values"
        return f"a {k} of {n} {inner}"
    if isinstance(value, Mapping):
        return f"a dictionary with {len(value)} {plural('key', len(value))}"
    if k == "DataFrame":
        rows, cols = value.shape
        return f"a DataFrame with {rows} {plural('row', rows)} and {cols} {plural('column', cols)}"
    article = "an" if k[0].lower() in "aeiou" else "a"
    if k == "None":
        return "None"
    return f"{article} {k}"


def short(value: Any, limit: int = 60) -> str:
    """A short repr for messages, cut with an ellipsis when long."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
