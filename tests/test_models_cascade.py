"""course.models.cascade: Granovetter's threshold model, discrete and mean-field."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course.models import cascade as K


def naive_equilibrium(thresholds):
    """The iteration exactly as Granovetter states it, one recount per step."""
    t = np.asarray(thresholds, dtype=float)
    r = 0
    while True:
        nxt = int(np.count_nonzero(t <= r))
        if nxt == r:
            return r
        r = nxt


def test_granovetter_canonical_example():
    # Granovetter (1978): thresholds 0, 1, ..., 99 give a riot of all 100;
    # raise the threshold-1 person to 2 and only the instigator acts.
    assert K.equilibrium(np.arange(100)) == 100
    changed = np.arange(100)
    changed[1] = 2
    assert K.equilibrium(changed) == 1


def test_order_does_not_matter_and_fraction_unit_agrees():
    rng = np.random.default_rng(0)
    t = rng.permutation(np.arange(100))
    assert K.equilibrium(t) == 100
    assert K.equilibrium(np.arange(100) / 100, unit="fraction") == 100
    shifted = np.arange(100) / 100
    shifted[1] = 0.02
    assert K.equilibrium(shifted, unit="fraction") == 1


def test_matches_naive_iteration_on_random_crowds():
    rng = np.random.default_rng(1)
    for _ in range(200):
        n = int(rng.integers(1, 60))
        t = rng.normal(rng.uniform(0, n), rng.uniform(0.5, n), size=n).round()
        assert K.equilibrium(t) == naive_equilibrium(t)


def test_two_dimensional_input_is_one_crowd_per_row():
    rng = np.random.default_rng(2)
    crowds = np.maximum(rng.normal(25, 14, size=(50, 100)), 0)
    assert K.equilibrium(crowds).tolist() == [naive_equilibrium(row) for row in crowds]


def test_equilibrium_monotone_in_threshold_shift():
    """Raising every threshold can only shrink the cascade."""
    rng = np.random.default_rng(3)
    base = np.maximum(rng.normal(25, 13, size=(200, 100)), 0)
    previous = K.equilibrium(base)
    for shift in (0.5, 1, 2, 5, 10):
        current = K.equilibrium(base + shift)
        assert np.all(current <= previous)
        previous = current


def test_bad_inputs():
    with pytest.raises(ValueError, match="non-empty"):
        K.equilibrium([])
    with pytest.raises(ValueError, match="NaN"):
        K.equilibrium([0, float("nan")])
    with pytest.raises(ValueError, match="unit"):
        K.equilibrium([0, 1], unit="percent")
    with pytest.raises(ValueError, match="sd"):
        K.CascadeParams(sd=-1)


def test_hundred_thousand_agents_staircase_at_full_scale():
    """The canonical example at 100,000 agents, which step-by-step iteration needs 100,000 rounds
    for; its speed (budget 50 ms) is measured in benchmarks/bench_models.py, not here."""
    stairs = np.arange(100_000)
    assert K.equilibrium(stairs) == 100_000
    stairs[1] = 2
    assert K.equilibrium(stairs) == 1


def test_normal_thresholds_clipped():
    t = K.normal_thresholds(10_000, 5, 10, rng=np.random.default_rng(5))
    assert t.min() == 0.0
    assert np.mean(t == 0) == pytest.approx(0.5 * (1 + math.erf(-0.5 / math.sqrt(2))), abs=0.02)


def test_equilibrium_from_cdf_and_cobweb():
    F = lambda r: 0.1 + 0.5 * r  # noqa: E731 - fixed point r = 0.2
    assert K.equilibrium_from_cdf(F) == pytest.approx(0.2)
    path = K.cobweb(F, 0.0, 40)
    assert path[0] == 0.0 and path[-1] == pytest.approx(0.2)
    assert np.all(np.diff(path) >= 0)
    x, y = K.staircase(path[:3])
    assert len(x) == len(y) == 5
    with pytest.raises(RuntimeError, match="no fixed point"):
        K.equilibrium_from_cdf(lambda r: 1 - r, 0.3, max_steps=50)  # oscillates 0.3, 0.7, 0.3, ...


def test_mean_field_agrees_with_iterating_the_cdf():
    for sd in (5, 10, 12, 13, 20):
        F = lambda r, sd=sd: K.normal_cdf(r * 100, 25, sd)  # noqa: E731 - share scale
        assert K.final_share(25, sd) == pytest.approx(K.equilibrium_from_cdf(F), abs=1e-6)


def test_granovetter_critical_spread():
    # Granovetter (1978) reports the jump near sd = 12.2 for n = 100, mean = 25.
    sd_c = K.critical_sd(25, n=100)
    assert sd_c == pytest.approx(12.2, abs=0.05)
    # At the jump the low equilibrium is the tangency: phi(z) = sd / n, r = mean + sd * z (~6.2).
    z = -math.sqrt(-2 * math.log(sd_c * math.sqrt(2 * math.pi) / 100))
    assert 25 + sd_c * z == pytest.approx(6.2, abs=0.05)
    assert 100 * K.final_share(25, sd_c - 1e-4) == pytest.approx(6.2, abs=0.1)
    assert K.final_share(25, sd_c - 0.05) < 0.07
    assert K.final_share(25, sd_c + 0.05) > 0.99


def test_final_share_monotone_below_the_jump_and_random_version():
    shares = [K.final_share(25, sd) for sd in np.linspace(1, 12.2, 30)]
    assert shares == sorted(shares) and shares[-1] < 0.07
    rng = np.random.default_rng(6)
    assert K.final_share(25, 30, 1_000, rng=rng) > 0.9
    assert K.final_share(25, 3, 1_000, rng=rng) == 0.0


def test_random_crowds_jump_more_often_as_spread_grows():
    rng = np.random.default_rng(7)
    cascaded = [np.mean(K.simulate(K.CascadeParams(100, 25, sd), rng=rng, replicates=2_000) > 50) for sd in (8, 12, 16)]
    assert cascaded[0] < cascaded[1] < cascaded[2]
    assert cascaded[0] < 0.05 and cascaded[2] > 0.8
