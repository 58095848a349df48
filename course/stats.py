"""The few statistics the checkpoint and the instructor report need, written out so each can be read and tested.

Everything here is a small pure function over NumPy arrays; randomness comes in as a
``numpy.random.Generator``. References, where a method is not textbook arithmetic:

- Signal detection (d′ and c): Macmillan, N. A. & Creelman, C. D. (2005). *Detection Theory: A
  User's Guide* (2nd ed.). Lawrence Erlbaum. Chapter 2.
- The log-linear correction for hit and false-alarm rates of 0 or 1: Hautus, M. J. (1995).
  Corrections for extreme proportions and their biasing effects on estimated values of d′.
  *Behavior Research Methods, Instruments, & Computers* 27(1):46–51.
- Why discernment and bias must be scored apart: Modirrousta-Galian, A. & Higham, P. A. (2023).
  Gamified inoculation interventions do not improve discrimination between true and fake news.
  *Journal of Experimental Psychology: General* 152(9):2411–2437.
- Brier score: Brier, G. W. (1950). Verification of forecasts expressed in terms of probability.
  *Monthly Weather Review* 78(1):1–3.
- Paired effect size d_z: Lakens, D. (2013). Calculating and reporting effect sizes to facilitate
  cumulative science. *Frontiers in Psychology* 4:863.
- Percentile bootstrap: Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
  Chapman & Hall. Chapter 13.
- Holm's step-down correction: Holm, S. (1979). A simple sequentially rejective multiple test
  procedure. *Scandinavian Journal of Statistics* 6(2):65–70.
- Monte Carlo p-values that never reach 0: Phipson, B. & Smyth, G. K. (2010). Permutation
  p-values should never be zero. *Statistical Applications in Genetics and Molecular Biology* 9(1).
- Corrected item-total correlation (item discrimination): Nunnally, J. C. & Bernstein, I. H.
  (1994). *Psychometric Theory* (3rd ed.). McGraw-Hill; the 0.2 rule of thumb for a question that
  barely discriminates: Ebel, R. L. & Frisbie, D. A. (1991). *Essentials of Educational
  Measurement* (5th ed.). Prentice Hall.

>>> d, c = sdt(hits=3, n_signal=4, false_alarms=2, n_noise=4)
>>> round(float(d), 2), round(float(c), 2)
(0.52, -0.26)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from statistics import NormalDist
from typing import Any

__all__ = [
    "DISCRIMINATION_FLOOR", "balanced_mean", "bootstrap", "brier", "holm", "homogeneity", "item_rest_correlation",
    "loglinear_rates", "norm_cdf", "norm_ppf", "overconfidence", "paired_change", "pearson_chi2", "sdt",
]

#: A corrected item-total correlation below this is flagged: the question barely separates stronger
#: from weaker learners (Ebel & Frisbie 1991 call items under 0.20 poor).
DISCRIMINATION_FLOOR = 0.2

_N = NormalDist()


def _np():
    import numpy as np

    return np


def norm_ppf(p: Any) -> Any:
    """The standard normal quantile z(p), element by element (``p`` strictly between 0 and 1).

    >>> round(float(norm_ppf(0.975)), 3)
    1.96
    """
    np = _np()
    arr = np.asarray(p, dtype=float)
    out = np.vectorize(_N.inv_cdf, otypes=[float])(arr) if arr.size else arr.copy()
    return out if out.ndim else float(out)


def norm_cdf(x: Any) -> Any:
    """The standard normal distribution function Φ(x), element by element, vectorised.

    Uses Abramowitz & Stegun's (1964) formula 7.1.26 for the error function (absolute error under
    1.5e-7), so that drawing a class of 100,000 simulated learners takes milliseconds.

    >>> round(float(norm_cdf(1.959964)), 4)
    0.975
    """
    np = _np()
    z = np.asarray(x, dtype=float) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * np.abs(z))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(z) * (1.0 - poly * np.exp(-z * z))
    out = 0.5 * (1.0 + erf)
    return out if out.ndim else float(out)


def loglinear_rates(hits: Any, n_signal: Any, false_alarms: Any, n_noise: Any) -> tuple[Any, Any]:
    """Hit and false-alarm rates with Hautus's (1995) log-linear correction: add 0.5 to each count and 1 to each total.

    The correction is applied to every learner, not only to rates of 0 or 1, so that all learners'
    d′ are on one scale (Hautus shows it biases d′ less than replacing only the extreme rates).

    >>> loglinear_rates(4, 4, 0, 4)
    (0.9, 0.1)
    """
    np = _np()
    h = (np.asarray(hits, dtype=float) + 0.5) / (np.asarray(n_signal, dtype=float) + 1)
    f = (np.asarray(false_alarms, dtype=float) + 0.5) / (np.asarray(n_noise, dtype=float) + 1)
    return (float(h), float(f)) if h.ndim == 0 else (h, f)


def sdt(hits: Any, n_signal: Any, false_alarms: Any, n_noise: Any) -> tuple[Any, Any]:
    """Discernment d′ = z(H) − z(F) and bias c = −(z(H) + z(F)) / 2 from counts, log-linear corrected.

    Here a *signal* is a distorted relay and a *hit* is calling it distorted; a *false alarm* is
    calling a faithful relay distorted. d′ is 0 for a learner who cannot tell the two apart and
    grows as they separate them. c is 0 for a learner with no lean, negative for one who leans
    towards "distorted" and positive for one who leans towards "faithful". A learner who answers
    "distorted" to everything has a hit rate and a false-alarm rate of 1: d′ 0 and a strongly
    negative c, however many distortions they "caught".

    >>> d, c = sdt(4, 4, 4, 4)   # "distorted" to everything
    >>> round(float(d), 2), round(float(c), 2)
    (0.0, -1.28)
    """
    h, f = loglinear_rates(hits, n_signal, false_alarms, n_noise)
    zh, zf = norm_ppf(h), norm_ppf(f)
    return zh - zf, -(zh + zf) / 2


def brier(confidence: Any, correct: Any) -> float:
    """The Brier score of confidences (probabilities, 0–1) against outcomes (1 right, 0 wrong): lower is better.

    0 is perfect; always saying 50 % scores 0.25 whatever happens.

    >>> brier([0.5, 0.5], [1, 0])
    0.25
    """
    np = _np()
    p, y = np.asarray(confidence, dtype=float), np.asarray(correct, dtype=float)
    return float(np.mean((p - y) ** 2)) if p.size else float("nan")


def overconfidence(confidence: Any, correct: Any) -> float:
    """Mean confidence minus the share right: positive is over-confident, negative under-confident (in 0–1 units).

    >>> round(overconfidence([0.9, 0.9, 0.9, 0.9], [1, 1, 0, 0]), 2)
    0.4
    """
    np = _np()
    p, y = np.asarray(confidence, dtype=float), np.asarray(correct, dtype=float)
    return float(p.mean() - y.mean()) if p.size else float("nan")


def _codes(strata: Any) -> Any:
    """Strata as integer codes 0..k-1 (integers are used as they are)."""
    np = _np()
    s = np.asarray(strata)
    if s.dtype.kind in "iu" and (s.size == 0 or s.min() >= 0):
        return s
    return np.unique(s, return_inverse=True)[1].reshape(s.shape)


def balanced_mean(values: Any, strata: Any | None = None) -> float:
    """The mean of ``values``, or with ``strata`` the mean of the strata's means (each stratum weighs the same).

    With a counterbalanced design (half the class takes form A first), the mean of the two order
    groups' mean changes cancels any difference in difficulty between the forms, even when the
    groups are not exactly the same size.

    >>> balanced_mean([1, 1, 1, 4], ["AB", "AB", "AB", "BA"])
    2.5
    """
    np = _np()
    v = np.asarray(values, dtype=float)
    if not v.size:
        return float("nan")
    if strata is None:
        return float(v.mean())
    codes = _codes(strata)
    counts = np.bincount(codes)
    sums = np.bincount(codes, weights=v)
    return float(np.mean(sums[counts > 0] / counts[counts > 0]))


def bootstrap(statistic: Callable[..., float], *arrays: Any, rng, n: int = 2000, strata: Any | None = None,
              level: float = 0.95) -> tuple[float, float, float]:
    """``(estimate, low, high)``: the statistic and its percentile bootstrap interval, resampling rows with replacement.

    ``arrays`` are resampled together (one row per learner); with ``strata`` each stratum is
    resampled within itself, so each keeps its size, and the statistic receives the strata as a
    keyword ``strata=``.
    """
    est, lows, highs = _bootstrap(lambda *a, **k: (statistic(*a, **k),), *arrays, rng=rng, n=n, strata=strata,
                                  level=level)
    return est[0], lows[0], highs[0]


def _bootstrap(statistic: Callable[..., tuple[float, ...]], *arrays: Any, rng, n: int, strata: Any | None,
               level: float) -> tuple[list[float], list[float], list[float]]:
    """The percentile bootstrap of a statistic that returns several numbers, from one set of resamples."""
    np = _np()
    arrays = [np.asarray(a) for a in arrays]
    size = len(arrays[0])
    codes = None if strata is None else _codes(strata)
    kw = {} if codes is None else {"strata": codes}
    estimate = [float(x) for x in statistic(*arrays, **kw)]
    nan = [float("nan")] * len(estimate)
    if size < 2:
        return estimate, nan, nan
    groups = None if codes is None else [np.flatnonzero(codes == k) for k in np.unique(codes)]
    draws = np.empty((n, len(estimate)))
    for b in range(n):  # one resample at a time: memory stays one row per learner, however many learners
        if groups is None:
            i = rng.integers(0, size, size=size)
        else:
            i = np.concatenate([g[rng.integers(0, len(g), size=len(g))] for g in groups])
        draws[b] = statistic(*(a[i] for a in arrays), **({} if codes is None else {"strata": codes[i]}))
    alpha = (1 - level) / 2
    lows, highs = [], []
    for j in range(len(estimate)):
        col = draws[:, j][np.isfinite(draws[:, j])]
        lo, hi = np.quantile(col, [alpha, 1 - alpha]) if col.size else (float("nan"), float("nan"))
        lows.append(float(lo))
        highs.append(float(hi))
    return estimate, lows, highs


def _pooled_sd(values: Any, strata: Any | None) -> float:
    np = _np()
    v = np.asarray(values, dtype=float)
    if strata is None:
        return float(v.std(ddof=1)) if v.size > 1 else float("nan")
    codes = _codes(strata)
    counts = np.bincount(codes)
    means = np.bincount(codes, weights=v) / np.maximum(counts, 1)
    dof = v.size - int(np.count_nonzero(counts))
    return float(np.sqrt(((v - means[codes]) ** 2).sum() / dof)) if dof > 0 else float("nan")


def paired_change(before: Any, after: Any, *, rng, strata: Any | None = None, n: int = 2000,
                  level: float = 0.95) -> dict[str, float]:
    """Before/after on the same learners: mean change and the paired effect size d_z, each with a bootstrap interval.

    ``change`` is the (stratum-balanced) mean of after − before; ``dz`` divides it by the standard
    deviation of the changes (pooled within strata), Lakens's (2013) d_z for paired designs.
    Returns ``n`` (learners), ``before``, ``after``, ``change``, ``change_low``, ``change_high``,
    ``dz``, ``dz_low``, ``dz_high``.
    """
    np = _np()
    b, a = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    diff = a - b
    codes = np.zeros(diff.size, dtype=int) if strata is None else _codes(strata)
    change, d = _mean_and_dz(diff[None, :], [np.flatnonzero(codes == k) for k in np.unique(codes)])
    if diff.size < 2:
        nan = float("nan")
        return {"n": int(diff.size), "before": balanced_mean(b, strata), "after": balanced_mean(a, strata),
                "change": float(change[0]), "change_low": nan, "change_high": nan, "dz": float(d[0]), "dz_low": nan,
                "dz_high": nan}
    groups = [np.flatnonzero(codes == k) for k in np.unique(codes)]
    means, dzs = [], []
    for start in range(0, n, 250):  # resamples in chunks: fast, and memory stays small for any class size
        size = min(250, n - start)
        idx = np.concatenate([g[rng.integers(0, len(g), size=(size, len(g)))] for g in groups], axis=1)
        m, z = _mean_and_dz(diff[idx], [np.arange(lo, lo + len(g)) for lo, g in zip(np.cumsum([0, *map(len, groups)]), groups)])
        means.append(m)
        dzs.append(z)
    alpha = (1 - level) / 2

    def interval(draws):
        draws = draws[np.isfinite(draws)]
        return tuple(float(x) for x in np.quantile(draws, [alpha, 1 - alpha])) if draws.size else (float("nan"),) * 2

    lo, hi = interval(np.concatenate(means))
    dlo, dhi = interval(np.concatenate(dzs))
    return {"n": int(diff.size), "before": balanced_mean(b, strata), "after": balanced_mean(a, strata),
            "change": float(change[0]), "change_low": lo, "change_high": hi, "dz": float(d[0]), "dz_low": dlo,
            "dz_high": dhi}


def _mean_and_dz(rows: Any, groups: list[Any]) -> tuple[Any, Any]:
    """For each row of resampled changes: the mean of the groups' means, and that over the SD pooled within groups."""
    np = _np()
    means = np.stack([rows[:, g].mean(axis=1) for g in groups], axis=1)
    ss = sum(((rows[:, g] - means[:, [k]]) ** 2).sum(axis=1) for k, g in enumerate(groups))
    dof = rows.shape[1] - len(groups)
    balanced = means.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(ss / dof) if dof > 0 else np.full(rows.shape[0], np.nan)
        dz = np.where(sd > 0, balanced / sd, np.nan)
    return balanced, dz


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm's (1979) step-down adjusted p-values: reject where the adjusted value is at or below the level.

    Controls the chance of flagging *anything* when nothing is wrong (the family-wise error) at the
    level chosen, for any number of questions, without assuming the tests are independent.

    >>> [round(p, 3) for p in holm([0.01, 0.04, 0.03, 0.005])]
    [0.03, 0.06, 0.06, 0.02]
    """
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    out = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        out[i] = running
    return out


def pearson_chi2(successes: Any, totals: Any) -> Any:
    """Pearson's chi-square statistic for "the share of successes is the same in every group" (a k × 2 table).

    Works on one table (1-d arrays) or on many at once (the last axis holds the groups).

    >>> round(float(pearson_chi2([30, 10], [50, 50])), 3)
    16.667
    """
    np = _np()
    s = np.asarray(successes, dtype=float)
    t = np.asarray(totals, dtype=float)
    p = s.sum(axis=-1, keepdims=True) / t.sum(axis=-1, keepdims=True)
    expected = t * p
    spread = expected * (1 - p)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(spread > 0, (s - expected) ** 2 / np.where(spread > 0, spread, 1), 0.0)
    return terms.sum(axis=-1)


def homogeneity(successes: Sequence[int], totals: Sequence[int], *, rng, n: int = 10000) -> tuple[float, float]:
    """``(chi2, p)``: do the groups (variants) differ in their share of correct answers beyond chance?

    The p-value is a Monte Carlo permutation test of Pearson's statistic conditional on the
    margins: under "every variant is as hard as the others" the correct answers are spread over
    the groups at random, so the groups' counts follow a multivariate hypergeometric distribution,
    drawn ``n`` times. Exact in the limit, valid for small groups where the chi-square
    approximation is not, and never 0 (Phipson & Smyth 2010).
    """
    np = _np()
    s = np.asarray(successes, dtype=np.int64)
    t = np.asarray(totals, dtype=np.int64)
    keep = t > 0
    s, t = s[keep], t[keep]
    if len(t) < 2 or s.sum() in (0, t.sum()):
        return 0.0, 1.0
    observed = float(pearson_chi2(s, t))
    draws = rng.multivariate_hypergeometric(t, int(s.sum()), size=n)
    null = pearson_chi2(draws, np.broadcast_to(t, draws.shape))
    exceed = int(np.count_nonzero(null >= observed - 1e-9))
    return observed, (exceed + 1) / (n + 1)


def item_rest_correlation(scores: Any, present: Any | None = None) -> Any:
    """Each item's corrected item-total correlation: Pearson's r between the item and the sum of the *other* items.

    ``scores`` is learners × items (each 0–1, e.g. points / max points); ``present`` marks the
    learners who took the test (others are ignored). An item that everyone gets right (or wrong)
    has no variance and gets NaN: it cannot discriminate.
    """
    np = _np()
    x = np.asarray(scores, dtype=float)
    if present is not None:
        x = x[np.asarray(present, dtype=bool)]
    out = np.full(x.shape[1], np.nan)
    if x.shape[0] < 3:
        return out
    total = x.sum(axis=1)
    for j in range(x.shape[1]):
        item, rest = x[:, j], total - x[:, j]
        if item.std() > 0 and rest.std() > 0:
            out[j] = float(np.corrcoef(item, rest)[0, 1])
    return out
