"""Threshold cascades: how many join when each person joins once enough others have.

Module 06 ("Cascades and feedback") uses Granovetter's model (1978, "Threshold models of
collective behavior", American Journal of Sociology 83(6):1420–1443): person ``i`` acts once
at least ``threshold_i`` others act. Starting from nobody, the number acting evolves as
``r[t+1] = #{i : threshold_i <= r[t]}`` until it stops changing. Tiny changes to one
person's threshold can move the end point from everyone to almost no one, which is why a
crowd's outcome says little about its members' dispositions, and why the article's "cascade"
story cannot be checked without knowing the thresholds.

Units: thresholds are **numbers of other people acting** (Granovetter's own unit), so an
agent with threshold 0 acts unconditionally; pass ``unit="fraction"`` to give thresholds as
shares of the population instead (the agent acts when ``r / n >= threshold``). Negative
thresholds count as 0. The mean-field functions (:func:`equilibrium_from_cdf`,
:func:`cobweb`) work on the fraction scale ``r in [0, 1]`` with a distribution function ``F``.

Examples
--------
>>> import numpy as np
>>> equilibrium(np.arange(100))          # thresholds 0, 1, ..., 99: everyone joins
100
>>> equilibrium([0, 2, *range(2, 100)])  # the threshold-1 person now needs 2: one joins
1
>>> round(critical_sd(25, n=100), 1)     # Granovetter's normal example
12.2
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "CascadeParams",
    "cobweb",
    "critical_sd",
    "equilibrium",
    "equilibrium_from_cdf",
    "final_share",
    "normal_cdf",
    "normal_thresholds",
    "simulate",
    "staircase",
]


@dataclass(frozen=True)
class CascadeParams:
    """A crowd of ``n`` people whose thresholds are normal(``mean``, ``sd``), clipped at 0.

    ``mean`` and ``sd`` are in numbers of people (Granovetter's 1978 normal example uses
    ``n=100, mean=25``).

    Examples
    --------
    >>> CascadeParams(n=100, mean=25, sd=10)
    CascadeParams(n=100, mean=25, sd=10)
    """

    n: int = 100
    mean: float = 25.0
    sd: float = 10.0

    def __post_init__(self) -> None:
        if int(self.n) != self.n or self.n < 1:
            raise ValueError(f"n must be a whole number >= 1; got {self.n!r}")
        if not self.sd >= 0:
            raise ValueError(f"sd must be >= 0; got {self.sd!r}")


def equilibrium(thresholds: Any, *, unit: str = "count") -> Any:
    """Number acting at the end of the cascade that starts from nobody.

    Sorting replaces iteration: with thresholds sorted ascending ``t[0] <= t[1] <= ...``,
    ``k`` people acting bring in person ``k`` exactly when ``t[k] <= k``, so the cascade stops
    at the first ``k`` with ``t[k] > k`` (or at ``n``). That is the least fixed point of the
    monotone map ``r -> #{i : t_i <= r}``, which the iteration from 0 reaches (Granovetter
    1978; Tarski's fixed-point theorem). Cost: one sort, ``O(n log n)``.

    Parameters
    ----------
    thresholds : array_like
        One threshold per person; a 2-D array is many crowds, one per row.
    unit : {"count", "fraction"}
        ``"count"`` (default): others acting needed. ``"fraction"``: share of the crowd needed.

    Returns
    -------
    int or numpy.ndarray
        People acting at equilibrium (one per row for 2-D input).

    Examples
    --------
    >>> equilibrium([0, 1, 1, 5])
    3
    >>> equilibrium([0.0, 0.25, 0.5, 0.75], unit="fraction")
    4
    >>> equilibrium([[0, 1, 2], [1, 1, 1]]).tolist()
    [3, 0]
    """
    t = np.asarray(thresholds, dtype=float)
    if t.ndim == 0 or t.shape[-1] == 0:
        raise ValueError("thresholds must be a non-empty list or array, one threshold per person")
    if np.isnan(t).any():
        raise ValueError("thresholds contain NaN; give every person a number")
    n = t.shape[-1]
    k = np.arange(n, dtype=float)
    if unit == "fraction":
        k = k / n
    elif unit != "count":
        raise ValueError(f'unit must be "count" or "fraction"; got {unit!r}')
    blocked = np.sort(t, axis=-1) > k
    stops = blocked.any(axis=-1)
    result = np.where(stops, blocked.argmax(axis=-1), n)
    return result.item() if result.ndim == 0 else result


def normal_thresholds(n: int, mean: float, sd: float, *, rng: np.random.Generator) -> np.ndarray:
    """``n`` thresholds drawn from normal(``mean``, ``sd``) and clipped at 0 (in people).

    Clipping only relabels negative draws as "acts unconditionally", so for ``r >= 0`` the
    share with threshold ``<= r`` is still the normal CDF, as in Granovetter (1978).

    Examples
    --------
    >>> import numpy as np
    >>> t = normal_thresholds(1_000, 25, 10, rng=np.random.default_rng(0))
    >>> t.shape, bool(t.min() >= 0)
    ((1000,), True)
    """
    if sd < 0:
        raise ValueError(f"sd must be >= 0; got {sd!r}")
    return np.maximum(rng.normal(mean, sd, size=int(n)), 0.0)


def simulate(params: CascadeParams, *, rng: np.random.Generator, replicates: int | None = None) -> Any:
    """Draw a crowd from ``params`` and return how many act at equilibrium.

    With ``replicates`` the result is an array of equilibria for that many independent crowds.

    Examples
    --------
    >>> import numpy as np
    >>> simulate(CascadeParams(100, 25, 20), rng=np.random.default_rng(0)) > 90
    True
    """
    shape = (int(params.n),) if replicates is None else (int(replicates), int(params.n))
    t = np.maximum(rng.normal(params.mean, params.sd, size=shape), 0.0)
    return equilibrium(t)


def normal_cdf(r: Any, mean: float, sd: float) -> Any:
    """``Phi((r - mean) / sd)``, the share with threshold ``<= r`` (via ``math.erf``).

    ``sd = 0`` gives a step at ``mean``. Works on scalars and arrays.

    Examples
    --------
    >>> normal_cdf(25, 25, 10)
    0.5
    """
    if sd < 0:
        raise ValueError(f"sd must be >= 0; got {sd!r}")
    x = np.asarray(r, dtype=float)
    if sd == 0:
        out = (x >= mean).astype(float)
    else:
        z = (x - mean) / (sd * math.sqrt(2.0))
        out = 0.5 * (1.0 + np.vectorize(math.erf, otypes=[float])(z))
    return out.item() if out.ndim == 0 else out


def equilibrium_from_cdf(
    F: Callable[[float], float], r0: float = 0.0, *, tol: float = 1e-12, max_steps: int = 100_000
) -> float:
    """Iterate ``r[t+1] = F(r[t])`` on the fraction scale from ``r0`` to a fixed point.

    ``F(r)`` is the share of the crowd whose threshold is at most a share ``r`` acting
    (Granovetter 1978: the equilibrium is where ``F`` meets the 45° line). From
    ``r0 = 0`` and non-decreasing ``F`` this is the smallest fixed point.

    Raises
    ------
    RuntimeError
        If ``max_steps`` pass without the change falling below ``tol`` (near a tangency the
        approach is very slow).

    Examples
    --------
    >>> equilibrium_from_cdf(lambda r: 0.1 + 0.5 * r)   # fixed point 0.2
    0.2
    >>> round(equilibrium_from_cdf(lambda r: normal_cdf(r, 0.25, 0.05)), 6)  # almost nobody
    0.0
    """
    r = float(r0)
    for _ in range(int(max_steps)):
        nxt = float(F(r))
        if abs(nxt - r) <= tol:
            return round(nxt, 10)
        r = nxt
    raise RuntimeError(f"no fixed point within {max_steps} steps (last r = {r!r}); raise max_steps or tol")


def cobweb(F: Callable[[float], float], r0: float, steps: int) -> np.ndarray:
    """The path ``r0, F(r0), F(F(r0)), ...`` (``steps + 1`` values) for a cobweb plot.

    Pair it with :func:`staircase` to draw the zig-zag between ``F`` and the 45° line.

    Examples
    --------
    >>> cobweb(lambda r: 0.1 + 0.5 * r, 0.0, 3).round(3).tolist()
    [0.0, 0.1, 0.15, 0.175]
    """
    path = np.empty(int(steps) + 1)
    path[0] = r0
    for t in range(int(steps)):
        path[t + 1] = F(path[t])
    return path


def staircase(path: Any) -> tuple[np.ndarray, np.ndarray]:
    """Corner points ``(x, y)`` of the cobweb drawn from a :func:`cobweb` path.

    The line goes up from ``(r_t, r_t)`` to the curve at ``(r_t, r_{t+1})`` and across to the
    diagonal at ``(r_{t+1}, r_{t+1})``.

    Examples
    --------
    >>> x, y = staircase([0.0, 0.1, 0.15])
    >>> x.tolist(), y.tolist()
    ([0.0, 0.0, 0.1, 0.1, 0.15], [0.0, 0.1, 0.1, 0.15, 0.15])
    """
    p = np.asarray(path, dtype=float)
    x = np.repeat(p, 2)[:-1]
    y = np.repeat(p, 2)[1:]
    return x, y


def _smallest_fixed_point(mean: float, sd: float, n: float) -> float:
    """Smallest root of ``n * Phi((r - mean) / sd) = r`` on ``[0, n]`` (people units)."""

    def g(r: float) -> float:
        if sd == 0:
            return (n if r >= mean else 0.0) - r
        return n * 0.5 * (1.0 + math.erf((r - mean) / (sd * math.sqrt(2.0)))) - r

    if sd == 0:
        return float(n) if mean <= 0 else 0.0
    # g(0) > 0; g(n) <= 0. Scan finely, then bisect the first sign change.
    grid = np.linspace(0.0, n, 4097)
    values = n * normal_cdf(grid, mean, sd) - grid
    below = np.nonzero(values <= 0)[0]
    hi_i = int(below[0])
    if hi_i == 0:
        return 0.0
    lo, hi = float(grid[hi_i - 1]), float(grid[hi_i])
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if g(mid) > 0:
            lo = mid
        else:
            hi = mid
    return hi


def final_share(mean: float, sd: float, n: int = 100, *, rng: np.random.Generator | None = None) -> float:
    """Share of a crowd of ``n`` acting at equilibrium, thresholds normal(``mean``, ``sd``) in people.

    With ``rng``, one crowd is drawn (:func:`normal_thresholds`) and run to its equilibrium,
    so the answer varies from draw to draw. Without it, the answer is deterministic: the
    smallest fixed point of the mean-field map ``r -> n * Phi((r - mean) / sd)`` (Granovetter
    1978), divided by ``n``.

    Examples
    --------
    >>> round(final_share(25, 12.2), 3), round(final_share(25, 12.3), 3)
    (0.055, 1.0)
    """
    if rng is not None:
        return equilibrium(normal_thresholds(n, mean, sd, rng=rng)) / int(n)
    if sd < 0:
        raise ValueError(f"sd must be >= 0; got {sd!r}")
    return _smallest_fixed_point(float(mean), float(sd), float(n)) / float(n)


def critical_sd(mean: float, n: int = 100, *, tol: float = 1e-10) -> float:
    """The threshold spread at which the mean-field outcome jumps from few to nearly all.

    For ``mean < n / 2`` the low equilibrium sits where the convex lower tail of
    ``g(r) = n * Phi((r - mean) / sd) - r`` dips below zero. Its minimum on ``[0, mean]`` is at
    ``phi(z) = sd / n`` with ``z = (r - mean) / sd < 0``, i.e. ``z = -sqrt(-2 ln(sd sqrt(2 pi) / n))``;
    the jump happens at the ``sd`` where that minimum touches zero (a saddle-node:
    the low fixed point meets the unstable one and both vanish). That one equation in ``sd``
    is solved by bisection. Granovetter (1978) reports about 12.2 for
    ``n = 100, mean = 25``; this gives 12.222: just below it about 6 people act (the
    tangency sits at ``r`` = 6.2), just above it all 100 (to within 0.01).
    Random crowds (:func:`simulate`) do not jump at one value: with ``n = 100`` about one
    crowd in five cascades at ``sd = 12.2`` and about half by ``sd`` of roughly 13.5, because
    a few low draws decide whether the chain starts.

    Parameters
    ----------
    mean : float
        Mean threshold, in people; must satisfy ``0 < mean < n / 2``.
    n : int
        Crowd size.

    Examples
    --------
    >>> round(critical_sd(25, 100), 3)
    12.222
    """
    if not 0 < mean < n / 2:
        raise ValueError(f"critical_sd needs 0 < mean < n / 2 (a low equilibrium to lose); got mean={mean!r}, n={n!r}")

    def gap(sd: float) -> float:
        # min of g on [0, mean]: negative means a low fixed point still exists
        ratio = sd * math.sqrt(2.0 * math.pi) / n
        if ratio >= 1.0:
            return n * 0.5 * (1.0 + math.erf(-mean / (sd * math.sqrt(2.0))))  # g(0) > 0
        z = -math.sqrt(-2.0 * math.log(ratio))
        r = max(0.0, mean + sd * z)
        return n * 0.5 * (1.0 + math.erf((r - mean) / (sd * math.sqrt(2.0)))) - r

    lo, hi = 1e-9, float(n)
    if gap(lo) > 0:
        return 0.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if gap(mid) > 0:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)
