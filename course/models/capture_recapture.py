"""Capture–recapture: estimating a hidden population from two overlapping lists.

Module 05 ("Hidden numbers") asks how many people a count never saw. If two independent
lists (two sources, two surveys, two registers) name ``n1`` and ``n2`` people and ``m`` are on
both, the share of list 2 already on list 1 estimates the share of everyone that list 1
caught, so ``N ≈ n1 * n2 / m`` (Petersen 1896; Lincoln 1930, USDA Circular 118). Chapman
(1951, University of California Publications in Statistics 1:131–160) adds one to each count,
which removes almost all of the bias and keeps the estimate finite when ``m = 0``; its
variance is from Seber (1970) and Wittes (1972, Biometrics 28:592–597); see Seber (1982,
*The Estimation of Animal Abundance*, 2nd ed., ch. 3).

Everything rests on assumptions learners should be able to name: a closed population,
every person equally likely to be listed, and **independent** lists. :class:`ListParams` and
:func:`simulate_lists` break the last one on purpose (``dependence``), so the estimator can be
watched failing in a known direction.

Examples
--------
>>> lincoln_petersen(10, 15, 5)  # 10 marked, 15 caught later, 5 of them marked
30.0
>>> round(chapman(10, 15, 5), 2)
28.33
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "ListParams",
    "Lists",
    "chapman",
    "chapman_interval",
    "chapman_variance",
    "draw_lists",
    "expected_lincoln_petersen",
    "lincoln_petersen",
    "simulate_lists",
]


def _scalar(x: np.ndarray) -> Any:
    return np.asarray(x).item() if np.ndim(x) == 0 else x


def _counts(n1: Any, n2: Any, m: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arrays = []
    for name, value in (("n1", n1), ("n2", n2), ("m", m)):
        arr = np.asarray(value)
        if arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be a finite count (a whole number >= 0); got {value!r}")
        if np.any(arr < 0):
            raise ValueError(f"{name} is a count and cannot be negative; got {value!r}")
        arrays.append(arr.astype(float))
    a1, a2, am = arrays
    if np.any(am > a1) or np.any(am > a2):
        raise ValueError(
            f"m (people on both lists) cannot exceed n1 or n2 (the list sizes); got n1={n1!r}, n2={n2!r}, m={m!r}"
        )
    return a1, a2, am


def lincoln_petersen(n1: Any, n2: Any, m: Any) -> Any:
    """The Lincoln–Petersen estimate ``n1 * n2 / m`` of the whole population.

    With ``m = 0`` (no one on both lists) the formula divides by zero; this returns ``inf``
    rather than raising, because "the lists never overlapped" genuinely means "the data put no
    upper limit on the population" — use :func:`chapman` for a finite number. Inputs broadcast.

    Parameters
    ----------
    n1, n2 : int or array
        Sizes of list 1 and list 2.
    m : int or array
        People on both lists (``0 <= m <= min(n1, n2)``).

    Returns
    -------
    float or numpy.ndarray

    Raises
    ------
    ValueError
        For negative counts or ``m`` larger than either list.

    Examples
    --------
    >>> lincoln_petersen(200, 150, 30)
    1000.0
    >>> lincoln_petersen(50, 40, 0)
    inf
    """
    a1, a2, am = _counts(n1, n2, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = np.where(am > 0, a1 * a2 / np.where(am > 0, am, 1.0), np.inf)
    return _scalar(est)


def chapman(n1: Any, n2: Any, m: Any) -> Any:
    """Chapman's estimate ``(n1 + 1)(n2 + 1) / (m + 1) - 1``: Lincoln–Petersen, nearly unbiased.

    Chapman (1951) showed that under hypergeometric sampling this is exactly unbiased when
    ``n1 + n2 >= N`` and nearly so otherwise, and it is finite at ``m = 0``.

    Examples
    --------
    >>> chapman(200, 150, 30)
    978.0645161290323
    >>> chapman(50, 40, 0)
    2090.0
    """
    a1, a2, am = _counts(n1, n2, m)
    return _scalar((a1 + 1) * (a2 + 1) / (am + 1) - 1)


def chapman_variance(n1: Any, n2: Any, m: Any) -> Any:
    """Approximately unbiased variance of :func:`chapman` (Seber 1970; Wittes 1972).

    ``(n1 + 1)(n2 + 1)(n1 - m)(n2 - m) / ((m + 1)**2 (m + 2))``.

    Examples
    --------
    >>> round(chapman_variance(10, 15, 5), 2)
    34.92
    """
    a1, a2, am = _counts(n1, n2, m)
    return _scalar((a1 + 1) * (a2 + 1) * (a1 - am) * (a2 - am) / ((am + 1) ** 2 * (am + 2)))


def chapman_interval(n1: Any, n2: Any, m: Any, level: float = 0.95) -> tuple[Any, Any]:
    """Approximate normal interval ``chapman ± z * sqrt(variance)`` for the population.

    The lower end is raised to ``n1 + n2 - m``, the number of different people actually seen,
    because the population cannot be smaller. The normal approximation is poor when ``m`` is
    small (below about 10; Seber 1982, ch. 3): the true sampling distribution is skewed
    upwards, so treat the upper end as optimistic there.

    Parameters
    ----------
    n1, n2, m : int or array
        As for :func:`chapman`.
    level : float
        Coverage, strictly between 0 and 1.

    Returns
    -------
    (low, high)
        Floats, or arrays if the counts are arrays.

    Examples
    --------
    >>> low, high = chapman_interval(200, 150, 30)
    >>> round(low), round(high)
    (700, 1256)
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1; got {level!r}")
    a1, a2, am = _counts(n1, n2, m)
    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    est = (a1 + 1) * (a2 + 1) / (am + 1) - 1
    se = np.sqrt((a1 + 1) * (a2 + 1) * (a1 - am) * (a2 - am) / ((am + 1) ** 2 * (am + 2)))
    low = np.maximum(est - z * se, a1 + a2 - am)
    return _scalar(low), _scalar(est + z * se)


@dataclass(frozen=True)
class ListParams:
    """A hidden population and two lists that each catch part of it.

    ``dependence`` in ``[-1, 1]`` says how being on list 1 changes the chance of being on list
    2. For people on list 1 that chance is ``p2 + dependence * (1 - p2)`` when dependence is
    positive (the same visible people turn up on both lists) and ``p2 * (1 + dependence)``
    when negative (a list-1 name avoids list 2); people not on list 1 keep ``p2``. ``0`` is
    the independence that Lincoln–Petersen assumes; ``1`` means everyone on list 1 is on list 2.

    Examples
    --------
    >>> ListParams(1_000, 0.2, 0.3, dependence=0.5).p2_given_list1
    0.65
    """

    population: int
    p1: float
    p2: float
    dependence: float = 0.0

    def __post_init__(self) -> None:
        if int(self.population) != self.population or self.population < 0:
            raise ValueError(f"population must be a whole number >= 0; got {self.population!r}")
        for name in ("p1", "p2"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} is a probability and must lie in [0, 1]; got {value!r}")
        if not -1.0 <= self.dependence <= 1.0:
            raise ValueError(f"dependence must lie in [-1, 1]; got {self.dependence!r}")

    @property
    def p2_given_list1(self) -> float:
        """Chance that someone on list 1 is also on list 2 (rounded to 12 decimals)."""
        d, p2 = self.dependence, self.p2
        q = p2 + d * (1.0 - p2) if d >= 0 else p2 * (1.0 + d)
        return round(q, 12)

    def cell_probabilities(self) -> np.ndarray:
        """Probabilities of (both lists, list 1 only, list 2 only, neither) for one person."""
        q = self.p2_given_list1
        p1, p2 = self.p1, self.p2
        cells = np.array([p1 * q, p1 * (1 - q), (1 - p1) * p2, (1 - p1) * (1 - p2)])
        return cells / cells.sum()


class Lists(NamedTuple):
    """Counts from two lists: sizes ``n1`` and ``n2`` and overlap ``m`` (ints or arrays)."""

    n1: Any
    n2: Any
    m: Any


def simulate_lists(params: ListParams, *, rng: np.random.Generator, replicates: int | None = None) -> Lists:
    """Draw the two lists' sizes and overlap from the hidden population.

    Each person independently falls into one of four cells (both, list 1 only, list 2 only,
    neither) with :meth:`ListParams.cell_probabilities`, so the cell counts are multinomial;
    that makes thousands of replicates one vectorised call.

    Parameters
    ----------
    params : ListParams
    rng : numpy.random.Generator
    replicates : int, optional
        If given, return arrays of this length (one entry per independent pair of lists).

    Returns
    -------
    Lists
        ``(n1, n2, m)``.

    Examples
    --------
    >>> import numpy as np
    >>> lists = simulate_lists(ListParams(1_000, 0.3, 0.3), rng=np.random.default_rng(0))
    >>> lists.m <= min(lists.n1, lists.n2)
    True
    >>> simulate_lists(ListParams(1_000, 0.3, 0.3), rng=np.random.default_rng(0), replicates=5).m.shape
    (5,)
    """
    size = None if replicates is None else int(replicates)
    cells = rng.multinomial(int(params.population), params.cell_probabilities(), size=size)
    both, only1, only2 = cells[..., 0], cells[..., 1], cells[..., 2]
    return Lists(_scalar(both + only1), _scalar(both + only2), _scalar(both))


def draw_lists(params: ListParams, *, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Who is on each list: two boolean arrays, one entry per member of the hidden population.

    The same model as :func:`simulate_lists`, person by person, for pictures and for learners
    who want to count the overlap themselves.

    Examples
    --------
    >>> import numpy as np
    >>> on1, on2 = draw_lists(ListParams(500, 0.2, 0.2, dependence=1.0), rng=np.random.default_rng(0))
    >>> bool(np.all(on2[on1]))  # full positive dependence: everyone on list 1 is on list 2
    True
    """
    n = int(params.population)
    on1 = rng.random(n) < params.p1
    q = np.where(on1, params.p2_given_list1, params.p2)
    on2 = rng.random(n) < q
    return on1, on2


def expected_lincoln_petersen(params: ListParams) -> float:
    """Where Lincoln–Petersen settles for a large population under ``params``.

    Replacing each count by its expectation gives
    ``N * (p1 * q + (1 - p1) * p2) / q`` with ``q`` = :attr:`ListParams.p2_given_list1`:
    exactly ``N`` under independence, below ``N`` when lists are positively dependent and above
    it when negatively dependent (Seber 1982, ch. 3, on unequal catchability).

    Examples
    --------
    >>> expected_lincoln_petersen(ListParams(1_000, 0.2, 0.3))
    1000.0
    >>> expected_lincoln_petersen(ListParams(1_000, 0.2, 0.3, dependence=0.5)) < 1_000
    True
    """
    q = params.p2_given_list1
    if q == 0.0:
        return math.inf
    return round(params.population * (params.p1 * q + (1 - params.p1) * params.p2) / q, 9)
