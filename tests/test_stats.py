"""course.stats against values worked out by hand or published, and against their own distributions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course import stats


def test_normal_quantile_and_distribution_match_the_tables():
    assert stats.norm_ppf(0.975) == pytest.approx(1.959964, abs=1e-6)
    assert stats.norm_ppf(0.5) == pytest.approx(0.0, abs=1e-12)
    assert stats.norm_ppf(0.9) == pytest.approx(1.281552, abs=1e-6)
    assert stats.norm_cdf(1.959964) == pytest.approx(0.975, abs=1e-6)
    assert list(stats.norm_ppf([0.1, 0.9])) == pytest.approx([-1.281552, 1.281552], abs=1e-6)


def test_normal_distribution_function_is_accurate_everywhere():
    xs = np.linspace(-8, 8, 3201)
    exact = np.array([0.5 * (1 + math.erf(x / math.sqrt(2))) for x in xs])
    assert np.max(np.abs(stats.norm_cdf(xs) - exact)) < 2e-7
    assert stats.norm_cdf(0.0) == pytest.approx(0.5, abs=1e-9)


def test_loglinear_correction_adds_half_a_count_and_one_trial():
    assert stats.loglinear_rates(0, 4, 4, 4) == (0.1, 0.9)
    h, f = stats.loglinear_rates(np.array([3, 4]), 4, np.array([1, 0]), 4)
    assert list(h) == pytest.approx([0.7, 0.9]) and list(f) == pytest.approx([0.3, 0.1])


def test_dprime_and_criterion_follow_macmillan_and_creelman():
    # every hit, no false alarm: H = 0.9, F = 0.1 after the correction, so d' = 2 z(0.9) and no lean
    d, c = stats.sdt(4, 4, 0, 4)
    assert d == pytest.approx(2 * 1.281552, abs=1e-5) and c == pytest.approx(0, abs=1e-12)
    # H = 0.7, F = 0.3: d' = 2 z(0.7) = 1.0488
    d, c = stats.sdt(3, 4, 1, 4)
    assert d == pytest.approx(1.048801, abs=1e-5)
    # a lean towards "distorted" is a negative c, towards "faithful" a positive one; d' does not change
    d1, c1 = stats.sdt(4, 4, 2, 4)
    d2, c2 = stats.sdt(2, 4, 0, 4)
    assert d1 == pytest.approx(d2) and c1 < 0 < c2 and c1 == pytest.approx(-c2)


def test_saying_distorted_to_everything_is_all_bias_and_no_discernment():
    d, c = stats.sdt(4, 4, 4, 4)
    assert d == pytest.approx(0) and c == pytest.approx(-1.281552, abs=1e-5)
    d, c = stats.sdt(0, 4, 0, 4)  # and "faithful" to everything
    assert d == pytest.approx(0) and c == pytest.approx(1.281552, abs=1e-5)


def test_brier_and_overconfidence():
    assert stats.brier([1, 0], [1, 0]) == 0
    assert stats.brier([0.8], [1]) == pytest.approx(0.04)
    assert stats.brier([0.5] * 10, [1, 0] * 5) == pytest.approx(0.25)
    assert stats.overconfidence([0.6, 0.6], [1, 1]) == pytest.approx(-0.4)
    assert math.isnan(stats.brier([], []))


def test_holm_matches_r_p_adjust():
    # R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm") -> 0.05 0.08 0.09 0.09 0.09
    assert stats.holm([0.01, 0.02, 0.03, 0.04, 0.05]) == pytest.approx([0.05, 0.08, 0.09, 0.09, 0.09])
    assert stats.holm([0.5, 0.001]) == pytest.approx([0.5, 0.002])
    assert stats.holm([0.9, 0.8]) == pytest.approx([1.0, 1.0])  # R: 1 1
    assert stats.holm([]) == []


def test_pearson_chi2_by_hand_and_for_many_tables_at_once():
    # 2 x 2: N (ad - bc)^2 / (row and column totals) = 100 * 1000^2 / (50 * 50 * 40 * 60)
    assert stats.pearson_chi2([30, 10], [50, 50]) == pytest.approx(100 * 1000 ** 2 / (50 * 50 * 40 * 60))
    many = stats.pearson_chi2(np.array([[30, 10], [20, 20]]), np.array([[50, 50], [50, 50]]))
    assert list(many) == pytest.approx([16.6667, 0.0], abs=1e-4)
    assert stats.pearson_chi2([5, 5], [5, 5]) == 0  # everyone right: no variance, nothing to test


def test_permutation_p_value_agrees_with_the_chi_square_distribution_in_large_samples():
    rng = np.random.default_rng(1)
    # two groups of 2,000, chi2 about 3.84: the chi-square(1) tail is erfc(sqrt(x / 2))
    chi2, p = stats.homogeneity([1000, 938], [2000, 2000], rng=rng, n=20000)
    assert p == pytest.approx(math.erfc(math.sqrt(chi2 / 2)), abs=0.01)
    # three groups: the chi-square(2) tail is exp(-x / 2)
    chi2, p = stats.homogeneity([700, 660, 640], [1000, 1000, 1000], rng=rng, n=20000)
    assert p == pytest.approx(math.exp(-chi2 / 2), abs=0.01)


def test_permutation_p_values_are_uniform_when_the_groups_do_not_differ():
    rng = np.random.default_rng(7)
    ps = []
    for _ in range(400):
        sizes = rng.integers(4, 15, size=4)
        right = rng.binomial(sizes, 0.7)
        ps.append(stats.homogeneity(right, sizes, rng=rng, n=999)[1])
    ps = np.array(ps)
    assert (ps <= 0.05).mean() <= 0.07
    assert (ps <= 0.5).mean() == pytest.approx(0.5, abs=0.1)
    assert ps.min() > 0


def test_permutation_test_finds_a_group_that_is_clearly_harder():
    chi2, p = stats.homogeneity([18, 19, 6, 18], [20, 20, 20, 20], rng=np.random.default_rng(0), n=9999)
    assert p < 0.001 and chi2 > 20


def test_item_rest_correlation_by_hand():
    x = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1], [1, 1, 1], [0, 0, 0]], dtype=float)
    r = stats.item_rest_correlation(x)
    for j in range(3):
        rest = x.sum(axis=1) - x[:, j]
        assert r[j] == pytest.approx(np.corrcoef(x[:, j], rest)[0, 1])
    x[:, 2] = 1  # everyone right: no discrimination to measure
    assert math.isnan(stats.item_rest_correlation(x)[2])
    present = np.array([True, True, True, False, False])
    assert stats.item_rest_correlation(x, present).shape == (3,)


def test_balanced_mean_weighs_each_stratum_the_same():
    assert stats.balanced_mean([1, 1, 1, 4], ["AB", "AB", "AB", "BA"]) == 2.5
    assert stats.balanced_mean([1, 1, 1, 4]) == 1.75
    assert stats.balanced_mean([2, 4], np.array([1, 0])) == 3.0


def test_paired_change_effect_size_by_hand():
    out = stats.paired_change([0, 0, 0], [1, 2, 3], rng=np.random.default_rng(0), n=500)
    assert out["change"] == pytest.approx(2) and out["dz"] == pytest.approx(2.0)
    assert out["change_low"] <= 2 <= out["change_high"] and out["n"] == 3


def test_bootstrap_interval_covers_the_truth_about_95_percent_of_the_time():
    rng = np.random.default_rng(11)
    covered = 0
    for _ in range(200):
        sample = rng.normal(1.0, 2.0, size=60)
        _, lo, hi = stats.bootstrap(lambda x: x.mean(), sample, rng=rng, n=800)
        covered += lo <= 1.0 <= hi
    assert 0.88 <= covered / 200 <= 0.99


def test_stratified_bootstrap_keeps_each_stratum_whole():
    seen = []

    def stat(x, strata):
        seen.append(np.bincount(strata).tolist())
        return x.mean()

    stats.bootstrap(stat, np.arange(10.0), rng=np.random.default_rng(0), n=20,
                    strata=["a"] * 3 + ["b"] * 7)
    assert all(counts == [3, 7] for counts in seen)
