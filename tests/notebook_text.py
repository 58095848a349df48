"""What the lesson tests read from a committed notebook: its prose, its code, its printed outputs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_NUMBER = re.compile(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?(?![\w])")
_EXERCISE_ID = r"\b\d\d\.\d+\b"


def markdown(nb: dict) -> list[str]:
    """Each markdown cell's text, whitespace collapsed."""
    return [" ".join("".join(c["source"]).split()) for c in nb["cells"] if c["cell_type"] == "markdown"]


def code(nb: dict) -> list[str]:
    """Each code cell's source."""
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def outputs(nb: dict) -> Iterator[str]:
    """Each output's printed text or plain-text value."""
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            yield "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))


def prose_numbers(nb: dict, ignore: Iterable[str] = ()) -> set[float]:
    """Every number written in the prose, exercise ids (and the ``ignore`` patterns) left out."""
    found = set()
    for text in markdown(nb):
        for pattern in (_EXERCISE_ID, *ignore):
            text = re.sub(pattern, " ", text)
        for m in _NUMBER.finditer(text):
            found.add(float(m.group().rstrip(",").replace(",", "")))
    return found


_ROW_ID = re.compile(r"\b[A-G]\d\d\b")


def unlabelled_low_confidence(nb: dict, low: set[str], *, per_line: bool = False) -> list[str]:
    """Low-confidence rows (of ``low``) that an output or the prose names without saying "low".

    Outputs are judged as a whole, or line by line with ``per_line``; prose must say
    "low-confidence" or "low confidence" in the same cell.
    """
    problems = []
    for text in outputs(nb):
        for part in text.splitlines() if per_line else [text]:
            shown = set(_ROW_ID.findall(part)) & low
            if shown and "low" not in part:
                problems.append(f"low-confidence rows {sorted(shown)} shown without the label: {part[:120]}")
    for text in markdown(nb):
        if "low-confidence" not in text and "low confidence" not in text:
            problems += [f"{row} named in prose without its label" for row in sorted(set(_ROW_ID.findall(text)) & low)]
    return problems
