"""Module 05 explorers, tested headless as ipywidgets tests its own widgets: build, set controls, read outputs."""

from __future__ import annotations

import base64

import ipywidgets
import matplotlib
import numpy as np
import pytest

from course import explore
from course.explore import recapture_explorer, undercount_explorer
from course.explore.hidden_numbers import _P_GRID
from course.models import capture_recapture as cr
from course.models import underreporting as ur

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def under():
    return undercount_explorer(1_000, (0.2, 0.5), seed=3)


@pytest.fixture(scope="module")
def recap():
    return recapture_explorer(population=1_500, p1=0.25, p2=0.2, dependence=0.0, seed=4)


def test_names_come_through_the_lazy_explore_package():
    assert explore.undercount_explorer is undercount_explorer
    assert explore.recapture_explorer is recapture_explorer


def test_undercount_default_view_is_a_box_with_a_drawn_plot(under):
    assert isinstance(under, ipywidgets.VBox)
    assert under.png.startswith(PNG)
    assert under.redraws == 1 and under.full_redraws == 1
    assert under.ax.get_title() and under.ax.get_xlabel() and "log scale" in under.ax.get_ylabel()


def test_undercount_result_is_the_models_interval(under):
    under.p_range.value = (0.1, 0.4)
    under.observed.value = 2_500
    want = ur.true_count_interval(2_500, 0.1, 0.4, rng=np.random.default_rng(3))
    assert under.result == want
    assert f"{want.low:,.0f} to {want.high:,.0f}" in under.text
    assert f"{want.low:,.0f} to {want.high:,.0f}" in under.summary.value


def test_undercount_artists_follow_the_controls(under):
    under.observed.value = 4_000
    under.p_range.value = (0.15, 0.35)
    iv = under.result
    assert under._p_span.get_x() == pytest.approx(0.15) and under._p_span.get_width() == pytest.approx(0.2)
    assert under._n_span.get_y() == pytest.approx(iv.low)
    assert under._n_span.get_y() + under._n_span.get_height() == pytest.approx(iv.high)
    assert under._median.get_ydata()[0] == iv.median
    np.testing.assert_allclose(under._curve.get_ydata(), ur.point_estimate(4_000, _P_GRID))


def test_undercount_redraws_on_every_change_and_draws_axes_once_per_decade(under):
    under.observed.value = 3_000
    before_full, before, image = under.full_redraws, under.redraws, under.image.value
    under.p_range.value = (0.05, 0.35)
    assert under.redraws == before + 1 and under.full_redraws == before_full  # blitted
    assert under.png != image and bytes(under.image.value) == under.png  # the widget shows the new plot
    under.observed.value = 30_000  # another decade: new y axis, drawn in full once
    assert under.full_redraws == before_full + 1
    low, high = under.ax.get_ylim()
    assert low < 30_000 and high > 30_000 / 0.01
    under.observed.value = 3_500  # back to a decade already drawn: its axes are reused
    assert under.full_redraws == before_full + 1
    assert under.ax.get_ylim()[1] < 30_000 / 0.01


def test_undercount_wider_p_range_gives_a_wider_interval(under):
    under.observed.value = 1_000
    under.p_range.value = (0.3, 0.4)
    narrow = under.result
    under.p_range.value = (0.05, 0.4)
    wide = under.result
    assert wide.high - wide.low > 3 * (narrow.high - narrow.low)
    assert wide.low >= 1_000 and narrow.low >= 1_000


def test_undercount_handles_a_zero_count():
    ex = undercount_explorer(0, (0.5, 0.5))
    assert ex.result.low == 0 and ex.png.startswith(PNG)


def test_without_a_frontend_the_output_is_the_plot_and_a_summary(under):
    bundle = under._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]).startswith(PNG)
    assert bundle["text/plain"] == under.text and "Recorded:" in bundle["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_recapture_default_is_unbiased_and_matches_the_model(recap):
    assert recap.png.startswith(PNG)
    params = cr.ListParams(1_500, 0.25, 0.2)
    assert recap.settles == cr.expected_lincoln_petersen(params) == 1_500
    example = cr.simulate_lists(params, rng=np.random.default_rng(4))
    assert tuple(recap.example) == tuple(example)
    assert recap.estimate == cr.chapman(*example)
    assert recap.interval == cr.chapman_interval(*example)
    assert "synthetic" in recap.text.lower() or "truth" in recap.text


def test_recapture_dependence_moves_the_estimates_the_documented_way(recap):
    recap.dependence.value = 0.5
    assert recap.settles < 1_500 and "too low" in recap.text
    heights = recap._bars.get_data().values
    edges = recap._bars.get_data().edges
    assert heights.sum() == pytest.approx(1.0)
    centre = (heights * (edges[:-1] + edges[1:]) / 2).sum()
    assert centre < 0.9  # the cloud of estimates has moved below the truth
    assert recap._settle.get_xdata()[0] == pytest.approx(recap.settles / 1_500)
    recap.dependence.value = -0.5
    assert recap.settles > 1_500 and "too high" in recap.text
    recap.dependence.value = 0.0


def test_recapture_more_listing_tightens_the_estimates(recap):
    def spread():
        h = recap._bars.get_data().values
        return h.max()

    recap.p1.value, recap.p2.value = 0.1, 0.1
    loose = spread()
    recap.p1.value, recap.p2.value = 0.6, 0.6
    assert spread() > loose  # a taller, narrower peak
    recap.population.value = 5_000
    assert "5,000" in recap.text


def test_explorers_change_nothing_global():
    import matplotlib.pyplot as plt

    before = dict(matplotlib.rcParams)
    figs = plt.get_fignums()
    undercount_explorer(100)
    recapture_explorer()
    assert plt.get_fignums() == figs  # no pyplot figures: nothing pops up twice in a notebook
    assert dict(matplotlib.rcParams) == before
