"""course.models.capture_recapture: Lincoln–Petersen, Chapman, and lists that break independence."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course.models import capture_recapture as C


def test_lincoln_petersen_textbook_example():
    # The common textbook example (e.g. Wikipedia, "Mark and recapture"): 10 turtles marked,
    # 15 caught on the second visit, 5 of them marked: N = 10 * 15 / 5 = 30.
    assert C.lincoln_petersen(10, 15, 5) == 30.0
    assert C.lincoln_petersen(200, 150, 30) == 1000.0


def test_chapman_and_variance_by_hand():
    # Chapman: (10 + 1)(15 + 1) / (5 + 1) - 1 = 176 / 6 - 1 = 28.333...
    assert C.chapman(10, 15, 5) == pytest.approx(176 / 6 - 1)
    # Seber variance: 11 * 16 * (10 - 5) * (15 - 5) / (6**2 * 7) = 8800 / 252 = 34.921...
    assert C.chapman_variance(10, 15, 5) == pytest.approx(8800 / 252)
    # 201 * 151 / 31 - 1 = 978.0645...; variance 201*151*170*120 / (31**2 * 32) = 20134.0...
    assert C.chapman(200, 150, 30) == pytest.approx(30351 / 31 - 1)
    assert C.chapman_variance(200, 150, 30) == pytest.approx(619_160_400 / 30_752)


def test_chapman_interval_is_normal_approximation():
    low, high = C.chapman_interval(200, 150, 30, level=0.95)
    est, se = 30351 / 31 - 1, math.sqrt(619_160_400 / 30_752)
    assert low == pytest.approx(est - 1.959964 * se, rel=1e-6)
    assert high == pytest.approx(est + 1.959964 * se, rel=1e-6)
    narrow = C.chapman_interval(200, 150, 30, level=0.5)
    assert low < narrow[0] < narrow[1] < high


def test_chapman_interval_never_below_people_seen():
    low, _ = C.chapman_interval(40, 40, 2)
    assert low >= 40 + 40 - 2


def test_zero_overlap_is_infinite_not_an_error():
    assert C.lincoln_petersen(50, 40, 0) == math.inf
    assert C.chapman(50, 40, 0) == 51 * 41 - 1
    out = C.lincoln_petersen([50, 50], [40, 40], [0, 10])
    assert out[0] == math.inf and out[1] == 200.0


@pytest.mark.parametrize(
    ("args", "message"),
    [((10, 15, 11), "cannot exceed"), ((10, 5, 6), "cannot exceed"), ((-1, 5, 0), "negative"),
     ((10, 5, -2), "negative"), ((10, "x", 2), "finite count")],
)
def test_wrong_inputs_raise_clear_errors(args, message):
    for fn in (C.lincoln_petersen, C.chapman, C.chapman_variance, C.chapman_interval):
        with pytest.raises(ValueError, match=message):
            fn(*args)


def test_list_params_validation_and_dependence():
    assert C.ListParams(1000, 0.2, 0.3).p2_given_list1 == 0.3
    assert C.ListParams(1000, 0.2, 0.3, dependence=1.0).p2_given_list1 == 1.0
    assert C.ListParams(1000, 0.2, 0.3, dependence=-1.0).p2_given_list1 == 0.0
    assert C.ListParams(1000, 0.2, 0.4, dependence=-0.5).p2_given_list1 == 0.2
    assert C.ListParams(1000, 0.2, 0.3).cell_probabilities().sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="dependence"):
        C.ListParams(1000, 0.2, 0.3, dependence=1.5)
    with pytest.raises(ValueError, match="p1"):
        C.ListParams(1000, -0.2, 0.3)


def test_simulated_lists_are_consistent():
    lists = C.simulate_lists(C.ListParams(5_000, 0.3, 0.2), rng=np.random.default_rng(1), replicates=1_000)
    assert lists.n1.shape == (1_000,)
    assert np.all(lists.m <= np.minimum(lists.n1, lists.n2))
    assert lists.n1.mean() == pytest.approx(1_500, rel=0.01)
    assert lists.m.mean() == pytest.approx(300, rel=0.02)


def test_draw_lists_agrees_with_simulate_lists():
    params = C.ListParams(20_000, 0.25, 0.4, dependence=0.3)
    on1, on2 = C.draw_lists(params, rng=np.random.default_rng(2))
    lists = C.simulate_lists(params, rng=np.random.default_rng(3), replicates=200)
    assert on1.sum() == pytest.approx(lists.n1.mean(), rel=0.03)
    assert (on1 & on2).sum() == pytest.approx(lists.m.mean(), rel=0.05)


def test_chapman_nearly_unbiased_under_independence():
    params = C.ListParams(1_000, 0.2, 0.2)  # expected overlap 40
    lists = C.simulate_lists(params, rng=np.random.default_rng(2024), replicates=20_000)
    chap = C.chapman(lists.n1, lists.n2, lists.m)
    lp = C.lincoln_petersen(lists.n1, lists.n2, lists.m)
    assert chap.mean() == pytest.approx(1_000, rel=0.01)
    # Lincoln–Petersen is biased upwards by roughly N / E[m] (Chapman 1951): about +25 here.
    assert lp.mean() > chap.mean() + 10


def test_chapman_interval_coverage_near_nominal():
    lists = C.simulate_lists(C.ListParams(2_000, 0.25, 0.25), rng=np.random.default_rng(8), replicates=4_000)
    low, high = C.chapman_interval(lists.n1, lists.n2, lists.m, level=0.9)
    coverage = np.mean((low <= 2_000) & (2_000 <= high))
    assert 0.86 <= coverage <= 0.94


@pytest.mark.parametrize("dependence", [-0.5, -0.2, 0.2, 0.5])
def test_dependence_biases_lincoln_petersen_in_the_expected_direction(dependence):
    params = C.ListParams(10_000, 0.2, 0.2, dependence=dependence)
    lists = C.simulate_lists(params, rng=np.random.default_rng(17), replicates=2_000)
    median_lp = float(np.median(C.lincoln_petersen(lists.n1, lists.n2, lists.m)))
    expected = C.expected_lincoln_petersen(params)
    assert median_lp == pytest.approx(expected, rel=0.03)
    if dependence > 0:  # the same people on both lists: overlap too big, N underestimated
        assert median_lp < 0.9 * params.population
    else:  # list 1 names avoid list 2: overlap too small, N overestimated
        assert median_lp > 1.1 * params.population


def test_expected_lincoln_petersen_closed_form():
    # p1 = 0.2, p2 = 0.3, dependence 0.5: q = 0.3 + 0.5 * 0.7 = 0.65;
    # N * (0.2 * 0.65 + 0.8 * 0.3) / 0.65 = 1000 * 0.37 / 0.65 = 569.23...
    assert C.expected_lincoln_petersen(C.ListParams(1_000, 0.2, 0.3, dependence=0.5)) == pytest.approx(370 / 0.65)
    assert C.expected_lincoln_petersen(C.ListParams(1_000, 0.2, 0.3, dependence=-1.0)) == math.inf
