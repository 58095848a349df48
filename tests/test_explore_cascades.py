"""Module 06 explorers, tested headless: pure pictures first, then build, move a slider, read the outputs."""

from __future__ import annotations

import base64
import io
import math

import ipywidgets
import numpy as np
import pytest

from course.explore.cascades import (
    SYNTHETIC,
    cascade_picture,
    cascade_summary,
    manpower_picture,
    manpower_summary,
)
from course.models import cascade, manpower
from course.plots import PALETTE


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


# --- the pure pictures ---------------------------------------------------------------------------

def test_cascade_picture_is_the_models_numbers():
    pic = cascade_picture(25, 12.0, 100, crowd=7)
    assert pic["equilibrium"] == pytest.approx(cascade.final_share(25, 12.0, 100) * 100)
    assert pic["critical_sd"] == pytest.approx(cascade.critical_sd(25, 100))
    assert np.allclose(pic["curve"], 100 * cascade.normal_cdf(pic["r"], 25, 12.0))
    same = cascade.normal_thresholds(100, 25, 12.0, rng=np.random.default_rng(7))
    assert np.array_equal(pic["thresholds"], same), "crowd k is normal_thresholds with default_rng(k)"
    assert pic["crowd_equilibrium"] == cascade.equilibrium(same)
    # the step curve counts people whose threshold is at most r
    for i in (0, 30, 100, 200):
        assert pic["crowd_curve"][i] == np.count_nonzero(same <= pic["r"][i])
    assert pic["web_x"][0] == 0 and pic["web_y"][0] == 0
    assert pic["web_y"][1] == pytest.approx(100 * cascade.normal_cdf(0.0, 25, 12.0))


def test_cascade_picture_flips_at_the_critical_spread_and_has_no_critical_value_for_high_means():
    crit = cascade.critical_sd(25, 100)
    assert cascade_picture(25, crit - 0.05)["equilibrium"] < 10
    assert cascade_picture(25, crit + 0.05)["equilibrium"] > 99
    assert math.isnan(cascade_picture(60, 10)["critical_sd"])
    assert "crowd_curve" not in cascade_picture(25, 10, crowd=None)


def test_cascade_summary_says_the_numbers():
    text = cascade_summary(cascade_picture(25, 13, 100, crowd=3))
    assert "about 100 of 100 act" in text and "12.22" in text and "Random crowd #3" in text


@pytest.mark.parametrize("feedback", [0.0, 2.0, 7.0, 9.0, 14.0, 20.0])
def test_manpower_picture_is_the_models_numbers(feedback):
    params = manpower.ManpowerParams(feedback=feedback)
    pic = manpower_picture(params, 60)
    assert np.array_equal(pic["stock"], manpower.simulate(params, 60)["stock"])
    assert np.array_equal(pic["baseline"], manpower.simulate(manpower.with_feedback(params, 0), 60)["stock"])
    assert pic["settles"] == manpower.equilibrium(params)
    assert pic["critical"] == manpower.critical_feedback(params) == 7.0
    assert pic["regime"] == ("above critical" if feedback > 7 else "at critical" if feedback == 7 else "below critical")
    assert pic["settles"] > 0, "the model levels off; it never collapses to zero"


def test_manpower_summary_says_where_it_settles():
    text = manpower_summary(manpower_picture(manpower.ManpowerParams(feedback=14.0)))
    assert "above critical" in text and "settles at 500" in text and "critical feedback 7" in text


# --- the widgets, headless -----------------------------------------------------------------------

def test_cascade_explorer_redraws_when_a_slider_moves():
    from course.explore import cascade_explorer

    ex = cascade_explorer()
    assert isinstance(ex, ipywidgets.VBox)
    assert set(ex.controls) == {"mean", "sd", "crowd"}
    before, count = ex.png, ex.redraws
    assert ex.picture["equilibrium"] < 5 and "about 1 of 100" in ex.readout.value
    ex.controls["sd"].value = 13.0
    assert ex.redraws == count + 1
    assert ex.picture["sd"] == 13.0 and ex.picture["equilibrium"] > 99
    assert "about 100 of 100" in ex.readout.value and SYNTHETIC in ex.readout.value
    assert ex.png != before and ex.image.value == ex.png
    # the artists hold the new picture
    assert np.allclose(ex._curve.get_ydata(), ex.picture["curve"])
    assert ex._eq.get_xdata()[0] == pytest.approx(ex.picture["equilibrium"])


def test_cascade_explorer_crowd_and_mean_sliders():
    from course.explore import cascade_explorer

    ex = cascade_explorer(sd=13.0)
    seen = set()
    for k in range(12):
        ex.controls["crowd"].value = k
        assert ex.picture["crowd_equilibrium"] == cascade.equilibrium(
            cascade.normal_thresholds(100, 25, 13.0, rng=np.random.default_rng(k)))
        seen.add(ex.picture["crowd_equilibrium"] >= 90)
    assert seen == {True, False}, "near the tipping point some random crowds cascade and some do not"
    ex.controls["mean"].value = 20.0
    assert ex.picture["critical_sd"] == pytest.approx(cascade.critical_sd(20, 100))


def test_manpower_explorer_redraws_when_feedback_moves():
    from course.explore import manpower_explorer

    ex = manpower_explorer()
    assert set(ex.controls) == {"feedback", "initial"}
    before = ex.png
    assert ex.picture["settles"] == 1000.0 and "below critical" in ex.readout.value
    ex.controls["feedback"].value = 14.0
    assert ex.picture["settles"] == 500.0 and "above critical" in ex.readout.value
    assert ex.png != before
    assert np.array_equal(ex._stock.get_ydata(), ex.picture["stock"])
    assert list(ex._settle.get_ydata()) == [500.0, 500.0]
    ex.controls["initial"].value = 700.0
    assert ex.picture["stock"][0] == 700.0 and ex.picture["settles"] == 500.0  # the lower level attracts from below too


def test_a_redraw_reuses_the_figure_and_draws_only_what_moves(monkeypatch):
    from course.explore import cascade_explorer

    ex = cascade_explorer()
    fig = ex.figure
    full_draws = []
    monkeypatch.setattr(fig.canvas, "draw", lambda *a, **k: full_draws.append(1))
    ex.controls["sd"].value = 12.5
    ex.controls["mean"].value = 22.0
    assert ex.figure is fig and full_draws == [], "a slider change must not re-render the whole figure"


@pytest.mark.parametrize("which", ["cascade", "manpower"])
def test_blitted_redraw_matches_a_fresh_plot(which):
    """Updating artists over the saved background gives the same pixels as drawing from scratch."""
    from course.explore import cascade_explorer, manpower_explorer

    if which == "cascade":
        moved = cascade_explorer()
        moved.controls["sd"].value = 13.0
        fresh = cascade_explorer(sd=13.0)
    else:
        moved = manpower_explorer()
        moved.controls["feedback"].value = 9.0
        fresh = manpower_explorer(feedback=9.0)
    assert np.array_equal(_pixels(moved.png), _pixels(fresh.png))


def test_without_a_frontend_the_explorer_shows_its_plot_and_readout():
    from course.explore import cascade_explorer, manpower_explorer

    for ex in (cascade_explorer(), manpower_explorer()):
        bundle = ex._repr_mimebundle_()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        png = base64.b64decode(bundle["image/png"])
        assert png.startswith(b"\x89PNG") and _pixels(png).shape[1] > 500
        assert SYNTHETIC in bundle["text/plain"] and SYNTHETIC in repr(ex)


def test_plots_are_labelled_with_units_and_palette_colours():
    from course.explore import cascade_explorer, manpower_explorer

    for ex in (cascade_explorer(), manpower_explorer()):
        ax = ex.figure.axes[0]
        assert "synthetic" in ax.get_title()
        assert ax.get_xlabel() and "(people)" in ax.get_ylabel()
        colours = {line.get_color() for line in ax.get_lines()}
        assert colours <= set(PALETTE) | {"#999999"}
        notes = " ".join(t.get_text() for t in ex.figure.texts)
        assert SYNTHETIC in notes


def test_importing_the_explorers_changes_no_global_matplotlib_state():
    import subprocess
    import sys

    code = (
        "import matplotlib; backend = matplotlib.get_backend(); rc = dict(matplotlib.rcParams)\n"
        "from course.explore import cascade_explorer; ex = cascade_explorer(); ex.controls['sd'].value = 12.0\n"
        "import sys; assert 'matplotlib.pyplot' not in sys.modules\n"
        "assert dict(matplotlib.rcParams) == rc\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)


def test_cobweb_chart_draws_the_models_numbers_with_the_corner_magnified_and_its_data_table():
    import matplotlib

    matplotlib.use("Agg")
    from course.explore import cobweb_chart
    from course.plots import Chart, describe

    fig = cobweb_chart(25, (12.0, 12.5), 100, title="Half a person of spread")
    left, right = fig.axes
    for ax, sd in ((left, 12.0), (right, 12.5)):
        stop = cascade.final_share(25, sd, 100) * 100
        assert ax.get_lines()[-1].get_label() == f"equilibrium: {stop:.0f} act"
        (zoom,) = ax.child_axes
        assert zoom.get_xlim() == (0, 12) and zoom.get_ylim() == (0, 12)
        curve = ax.get_lines()[1]
        assert np.allclose(curve.get_ydata(), 100 * cascade.normal_cdf(np.asarray(curve.get_xdata()), 25, sd))
    table = fig.course_table
    assert table.columns.tolist() == ["r: people already acting", "people whose threshold is met, sd 12",
                                      "people whose threshold is met, sd 12.5"]
    assert table.iloc[3, 1] == round(100 * cascade.normal_cdf(3.0, 25, 12.0), 1)
    assert table.iloc[-1, 1:].astype(float).round().tolist() == [4.0, 100.0]
    chart = Chart(fig)
    assert chart.table is table, "show() offers the compact table, not every point of every curve"
    assert describe(fig).startswith("Half a person of spread. Line chart: mean 25, sd 12 (synthetic).")
