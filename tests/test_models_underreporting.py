"""course.models.underreporting: binomial thinning and its Monte Carlo inverse."""

from __future__ import annotations

import numpy as np
import pytest

from course.models import underreporting as U


def test_reporting_params_multiply_stages():
    assert U.ReportingParams(0.5, 0.4).p == 0.2
    assert U.ReportingParams().p == 1.0
    with pytest.raises(ValueError, match="detection"):
        U.ReportingParams(detection=1.5)


def test_observe_is_binomial_thinning():
    rng = np.random.default_rng(11)
    draws = U.observe(np.full(50_000, 1_000), 0.3, rng=rng)
    assert draws.shape == (50_000,)
    assert draws.max() <= 1_000
    # Binomial(1000, 0.3): mean 300, variance 1000 * 0.3 * 0.7 = 210
    assert draws.mean() == pytest.approx(300, abs=0.5)
    assert draws.var() == pytest.approx(210, rel=0.05)


def test_observe_edge_probabilities_and_stages():
    rng = np.random.default_rng(0)
    assert U.observe(123, 1.0, rng=rng) == 123
    assert U.observe(123, 0.0, rng=rng) == 0
    staged = U.observe(np.full(20_000, 400), U.ReportingParams(0.5, 0.5), rng=rng)
    assert staged.mean() == pytest.approx(100, abs=0.5)


@pytest.mark.parametrize("bad", [-1, 2.5, float("nan"), "ten"])
def test_observe_rejects_bad_counts(bad):
    with pytest.raises(ValueError, match="true_count"):
        U.observe(bad, 0.5, rng=np.random.default_rng(0))


def test_observe_rejects_bad_probability():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        U.observe(10, 1.2, rng=np.random.default_rng(0))


def test_point_estimate_known_answer():
    assert U.point_estimate(600, 0.3) == pytest.approx(2000.0)
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        U.point_estimate(600, 0.0)


def test_interval_with_known_p_matches_negative_binomial_posterior():
    # For fixed p the posterior of N - k is NegBin(k + 1, p): mean (k + 1)(1 - p) / p.
    # k = 400, p = 0.25: mean N = 400 + 401 * 3 = 1603; sd = sqrt(401 * 0.75) / 0.25 = 69.4.
    iv = U.true_count_interval(400, 0.25, 0.25, rng=np.random.default_rng(5), draws=40_000)
    assert iv.median == pytest.approx(1603, abs=5)
    assert iv.high - iv.low == pytest.approx(2 * 1.645 * 69.4, rel=0.05)


def test_interval_everything_recorded_is_exact():
    iv = U.true_count_interval(250, 1.0, 1.0, rng=np.random.default_rng(0))
    assert (iv.low, iv.median, iv.high) == (250.0, 250.0, 250.0)


def test_interval_covers_the_naive_range_and_widens_with_uncertainty():
    rng = np.random.default_rng(7)
    narrow = U.true_count_interval(1_000, 0.2, 0.25, rng=rng)
    wide = U.true_count_interval(1_000, 0.1, 0.4, rng=rng)
    assert narrow.low < 1_000 / 0.225 < narrow.high
    assert wide.low < narrow.low and wide.high > narrow.high
    assert wide.low >= 1_000  # never below what was recorded


def test_interval_is_monotone_in_p():
    """Higher recording probability means a lower interval: endpoints fall as p rises."""
    rows = U.sensitivity(
        800, [(0.05, 0.1), (0.1, 0.2), (0.2, 0.4), (0.4, 0.8), (0.8, 1.0)], rng=np.random.default_rng(3)
    )
    for key in ("low", "median", "high"):
        values = [r[key] for r in rows]
        assert values == sorted(values, reverse=True), key
    assert rows[-1]["low"] >= 800


def test_beta_shape_moves_the_interval_toward_the_favoured_end():
    rng = np.random.default_rng(9)
    low_p = U.true_count_interval(500, 0.1, 0.5, rng=rng, shape=(1.0, 5.0))
    high_p = U.true_count_interval(500, 0.1, 0.5, rng=rng, shape=(5.0, 1.0))
    assert low_p.median > high_p.median


def test_sensitivity_table_keys_and_frame():
    rows = U.sensitivity(100, {"a": (0.5, 0.5)}, rng=np.random.default_rng(0), draws=2_000)
    assert list(rows[0]) == ["label", "p_low", "p_high", "low", "median", "high", "level", "multiplier"]
    frame = U.sensitivity(100, [(0.5, 0.5)], rng=np.random.default_rng(0), draws=2_000, as_frame=True)
    assert list(frame["label"]) == ["0.5–0.5"]
    assert frame.loc[0, "median"] == rows[0]["median"]


def test_interval_rejects_bad_inputs():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="p_low must not exceed p_high"):
        U.true_count_interval(10, 0.5, 0.2, rng=rng)
    with pytest.raises(ValueError, match="level"):
        U.true_count_interval(10, 0.2, 0.5, rng=rng, level=1.0)
    with pytest.raises(ValueError, match="Beta"):
        U.true_count_interval(10, 0.2, 0.5, rng=rng, shape=(0.0, 1.0))
    with pytest.raises(ValueError, match="observed"):
        U.true_count_interval(-3, 0.2, 0.5, rng=rng)


def test_seeded_runs_repeat():
    a = U.true_count_interval(300, 0.1, 0.3, rng=np.random.default_rng(42))
    b = U.true_count_interval(300, 0.1, 0.3, rng=np.random.default_rng(42))
    assert a == b
