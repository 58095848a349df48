"""The claims ledger as a table, ranked by specificity, and the agreement between two annotators.

The ledger (``load("claims")``) labels every sentence of the article; these helpers are what
module 01's exercises and checks share, so a learner's answer and the reference answer are
computed the same way.

Examples
--------
>>> from course.claims import cohen_kappa
>>> cohen_kappa(["a", "a", "b", "b"], ["a", "a", "b", "a"])
0.5
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

__all__ = ["CLAIM_TYPES", "SPECIFICITY", "cohen_kappa", "ledger", "specificity"]

#: The claim types of the annotation guide, in the order the lesson introduces them.
CLAIM_TYPES = ("factual", "causal", "predictive", "evaluative", "feeling", "none")

#: How specific a quantity is, most specific first (the guide's section 3). "" = no quantity.
SPECIFICITY = ("number", "magnitude", "vague", "")


def ledger():
    """The claims ledger, one row per sentence, indexed by sentence label (``"S3.4"``)."""
    from course.data import load

    table = load("claims").fillna("")
    return table.set_index("id", drop=False)


def specificity(precision: str) -> int:
    """Rank of a precision label: 0 for a number (most specific) up to 3 for no quantity.

    >>> [specificity(p) for p in ("vague", "number", "", "magnitude")]
    [2, 0, 3, 1]
    """
    if precision not in SPECIFICITY:
        raise ValueError(f"precision must be one of {SPECIFICITY}; got {precision!r}")
    return SPECIFICITY.index(precision)


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float:
    """Cohen's kappa: agreement between two annotators beyond what chance would give.

    kappa = (p_o - p_e) / (1 - p_e), where p_o is the share of items labelled alike and p_e the
    agreement expected if each annotator labelled at random with their own label frequencies
    (Cohen 1960, Educational and Psychological Measurement 20(1):37-46). 1 is perfect
    agreement, 0 is chance level; when chance agreement is already perfect (p_e = 1) kappa is
    defined here as 1.0 if the labels agree and 0.0 otherwise.

    >>> cohen_kappa(["x", "y"], ["x", "y"])
    1.0
    >>> round(cohen_kappa(["a", "b", "a", "b"], ["b", "a", "a", "b"]), 3)
    0.0
    """
    if len(first) != len(second):
        raise ValueError(f"the two annotations must label the same items: {len(first)} vs {len(second)} labels")
    n = len(first)
    if n == 0:
        raise ValueError("kappa needs at least one labelled item")
    observed = sum(a == b for a, b in zip(first, second)) / n
    c1, c2 = Counter(first), Counter(second)
    expected = sum(c1[label] * c2[label] for label in c1) / (n * n)
    if expected == 1:
        return 1.0 if observed == 1 else 0.0
    return (observed - expected) / (1 - expected)
