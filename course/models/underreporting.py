"""Under-reporting: an observed count as a thinned true count, and how to undo the thinning.

Module 05 ("Hidden numbers") treats a court count as what survives a chain of filters: an
absence is *detected*, then *prosecuted*, then reaches a court statistic. If each true event
passes every stage independently with overall probability ``p`` (for example detection ×
prosecution), the observed count is a binomial thinning of the true count (Feller 1968, *An
Introduction to Probability Theory and Its Applications*, vol. 1, ch. VI). Going backwards is
the interesting part: with ``p`` only known to lie in a range, the true count is only known to
lie in a (much wider) range, and this module makes that width visible.

Method for the inverse (documented once, used by :func:`true_count_interval` and
:func:`sensitivity`): for a fixed ``p`` and a flat prior on the true count ``N``, the
posterior of the unrecorded events ``N - k`` given ``k`` recorded ones is exactly negative
binomial, ``NegBin(k + 1, p)`` (the number of failures before the ``k + 1``-th success:
``P(N | k)`` is proportional to ``C(N, k) p**k (1 - p)**(N - k)``, which in ``j = N - k`` is
the negative binomial mass function). Its mean is ``(k + 1) / p - 1``, close to the naive
``k / p``. Uncertainty about ``p`` is added by Monte Carlo: draw
``p`` from a (scaled) Beta distribution on ``[p_low, p_high]`` (uniform by default), then
``N = k + NegBin(k + 1, p)``; the interval is the central ``level`` quantiles of the draws.

Examples
--------
>>> import numpy as np
>>> from course.models import underreporting as U
>>> U.ReportingParams(detection=0.5, prosecution=0.4).p
0.2
>>> U.point_estimate(1_000, 0.2)
5000.0
>>> iv = U.true_count_interval(1_000, 0.1, 0.4, rng=np.random.default_rng(1))
>>> 1_000 / 0.4 < iv.median < 1_000 / 0.1  # somewhere between the two naive answers
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "Interval",
    "ReportingParams",
    "observe",
    "point_estimate",
    "sensitivity",
    "true_count_interval",
]


@dataclass(frozen=True)
class ReportingParams:
    """Probabilities that one true event survives each stage of recording.

    The overall recording probability is the product of the stages, assuming a case must
    pass every stage and the stages act independently on each event (binomial thinning
    composes by multiplication; Feller 1968, ch. VI).

    Parameters
    ----------
    detection : float
        Probability that an event is noticed and registered at all.
    prosecution : float
        Probability that a registered event becomes a case in the published statistic.

    Examples
    --------
    >>> ReportingParams(detection=0.8, prosecution=0.25).p
    0.2
    """

    detection: float = 1.0
    prosecution: float = 1.0

    def __post_init__(self) -> None:
        for name in ("detection", "prosecution"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} is a probability and must lie in [0, 1]; got {value!r}")

    @property
    def p(self) -> float:
        """Overall probability that a true event is recorded (rounded to 12 decimals)."""
        return round(self.detection * self.prosecution, 12)


class Interval(NamedTuple):
    """A Monte Carlo interval for a true count: ``low`` and ``high`` bound the central ``level``."""

    low: float
    median: float
    high: float
    level: float


def _probability(p: Any, name: str = "p", *, allow_zero: bool = True) -> np.ndarray:
    if isinstance(p, ReportingParams):
        p = p.p
    arr = np.asarray(p, dtype=float)
    lo_ok = (arr >= 0.0) if allow_zero else (arr > 0.0)
    if not np.all(lo_ok & (arr <= 1.0)):
        bound = "[0, 1]" if allow_zero else "(0, 1]"
        raise ValueError(f"{name} is a recording probability and must lie in {bound}; got {p!r}")
    return arr


def _count(x: Any, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be a finite whole number (or array of them); got {x!r}")
    if np.any(arr < 0) or np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must be a non-negative whole number; got {x!r}")
    return arr.astype(np.int64)


def _scalar(x: np.ndarray) -> Any:
    return np.asarray(x).item() if np.ndim(x) == 0 else x


def observe(true_count: Any, p: Any, *, rng: np.random.Generator) -> Any:
    """Record each of ``true_count`` events independently with probability ``p``.

    This is binomial thinning (Feller 1968, ch. VI): the recorded count is
    ``Binomial(true_count, p)``, so its mean is ``p * true_count`` and it is never larger than
    the truth. Arrays broadcast, so one call simulates many years or many replicates.

    Parameters
    ----------
    true_count : int or array of int
        The true number of events.
    p : float, array of float or ReportingParams
        Probability that one event is recorded (for stages, their product).
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    int or numpy.ndarray
        Recorded counts, with the broadcast shape of the inputs.

    Examples
    --------
    >>> import numpy as np
    >>> observe(1_000, 0.0, rng=np.random.default_rng(0))
    0
    >>> observe([1_000, 5_000], ReportingParams(0.5, 0.5), rng=np.random.default_rng(0)).shape
    (2,)
    """
    n = _count(true_count, "true_count")
    prob = _probability(p)
    return _scalar(rng.binomial(n, prob))


def point_estimate(observed: Any, p: Any) -> Any:
    """The naive inversion ``observed / p``: the true count if exactly a share ``p`` is recorded.

    It is the mean of the inverse under a known ``p`` (Horvitz & Thompson 1952, JASA
    47(260):663–685, for one stratum), and the centre learners usually reach for first.

    Examples
    --------
    >>> point_estimate(600, 0.3)
    2000.0
    """
    k = _count(observed, "observed")
    prob = _probability(p, allow_zero=False)
    return _scalar(k / prob)


def _draw_p(
    p_low: float, p_high: float, shape: tuple[float, float], draws: int, rng: np.random.Generator
) -> np.ndarray:
    a, b = shape
    if not (a > 0 and b > 0):
        raise ValueError(f"shape holds the Beta parameters (a, b) and both must be > 0; got {shape!r}")
    if p_high == p_low:
        return np.full(draws, float(p_low))
    return p_low + (p_high - p_low) * rng.beta(a, b, size=draws)


def true_count_interval(
    observed: int,
    p_low: float,
    p_high: float,
    *,
    rng: np.random.Generator,
    draws: int = 20_000,
    level: float = 0.9,
    shape: tuple[float, float] = (1.0, 1.0),
) -> Interval:
    """An interval for the true count behind ``observed`` when ``p`` lies in ``[p_low, p_high]``.

    Each draw takes ``p = p_low + (p_high - p_low) * Beta(a, b)`` (``shape=(1, 1)`` is
    uniform) and then ``N = observed + NegBin(observed + 1, p)``, the exact posterior of
    the true count for that ``p`` under a flat prior (see the module docstring). The interval
    is the central ``level`` share of the draws, so it carries both the sampling noise and, far
    larger in practice, the uncertainty about ``p``.

    Parameters
    ----------
    observed : int
        Recorded events.
    p_low, p_high : float
        Range for the recording probability, ``0 < p_low <= p_high <= 1``.
    rng : numpy.random.Generator
        The only source of randomness.
    draws : int
        Monte Carlo draws; 20,000 puts the quantiles within about 1 % of their limit.
    level : float
        Share of the draws between ``low`` and ``high``.
    shape : (float, float)
        Beta parameters for where in the range ``p`` tends to lie; ``(1, 1)`` is uniform,
        ``(4, 4)`` favours the middle, ``(1, 4)`` favours ``p_low``.

    Returns
    -------
    Interval
        ``low``, ``median``, ``high`` (whole counts) and the ``level`` used.

    Examples
    --------
    >>> import numpy as np
    >>> iv = true_count_interval(0, 0.5, 0.5, rng=np.random.default_rng(0))
    >>> (iv.low, iv.high)  # nothing recorded, half recorded: at most a few events
    (0.0, 4.0)
    >>> wide = true_count_interval(200, 0.05, 0.5, rng=np.random.default_rng(0))
    >>> wide.high / wide.low > 5  # a tenfold range for p gives a several-fold range for N
    True
    """
    k = int(_count(observed, "observed"))
    lo = float(_probability(p_low, "p_low", allow_zero=False))
    hi = float(_probability(p_high, "p_high", allow_zero=False))
    if lo > hi:
        raise ValueError(f"p_low must not exceed p_high; got p_low={p_low!r}, p_high={p_high!r}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1; got {level!r}")
    if int(draws) < 1:
        raise ValueError(f"draws must be at least 1; got {draws!r}")
    p = _draw_p(lo, hi, shape, int(draws), rng)
    # p == 1 means nothing was missed; negative_binomial needs p <= 1, which holds.
    n = k + rng.negative_binomial(k + 1, p)
    tail = (1.0 - level) / 2.0
    low, med, high = np.quantile(n, [tail, 0.5, 1.0 - tail], method="inverted_cdf")
    return Interval(float(low), float(med), float(high), float(level))


def sensitivity(
    observed: int,
    p_ranges: Sequence[tuple[float, float]] | Mapping[str, tuple[float, float]],
    *,
    rng: np.random.Generator,
    draws: int = 20_000,
    level: float = 0.9,
    shape: tuple[float, float] = (1.0, 1.0),
    as_frame: bool = False,
) -> Any:
    """Intervals for the true count under several assumptions about ``p``, one row each.

    A sensitivity table (Saltelli et al. 2008, *Global Sensitivity Analysis: The Primer*) shows a
    reader how much of a conclusion comes from the data and how much from the assumption.

    Parameters
    ----------
    observed : int
        Recorded events.
    p_ranges : sequence of (p_low, p_high), or mapping label -> (p_low, p_high)
        The assumptions to compare; a sequence is labelled by its ranges.
    rng, draws, level, shape
        As for :func:`true_count_interval` (one shared generator, used in row order).
    as_frame : bool
        Return a pandas DataFrame instead of a list of dicts (pandas is imported only then).

    Returns
    -------
    list of dict or pandas.DataFrame
        Keys ``label, p_low, p_high, low, median, high, level, multiplier``, where
        ``multiplier`` is ``median / observed`` (``nan`` when ``observed`` is 0).

    Examples
    --------
    >>> import numpy as np
    >>> rows = sensitivity(500, {"most recorded": (0.5, 0.9), "few recorded": (0.05, 0.2)},
    ...                    rng=np.random.default_rng(3))
    >>> [r["label"] for r in rows]
    ['most recorded', 'few recorded']
    >>> rows[0]["high"] < rows[1]["low"]
    True
    """
    items = list(p_ranges.items()) if isinstance(p_ranges, Mapping) else [
        (f"{lo:g}–{hi:g}", (lo, hi)) for lo, hi in p_ranges
    ]
    rows = []
    for label, (lo, hi) in items:
        iv = true_count_interval(observed, lo, hi, rng=rng, draws=draws, level=level, shape=shape)
        rows.append(
            {
                "label": label,
                "p_low": float(lo),
                "p_high": float(hi),
                "low": iv.low,
                "median": iv.median,
                "high": iv.high,
                "level": iv.level,
                "multiplier": iv.median / observed if observed else float("nan"),
            }
        )
    if as_frame:
        import pandas as pd

        return pd.DataFrame(rows)
    return rows
