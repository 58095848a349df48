"""Explorers for module 05 ("Hidden numbers"): what a count might hide, and two-list estimates.

Thin wiring only. Every number shown comes from :mod:`course.models.underreporting` or
:mod:`course.models.capture_recapture`; this module moves sliders, calls those functions and
updates the artists of one reused matplotlib figure. The figure is drawn with the Agg canvas
(no pyplot, no backend change) and shown as a PNG with a text alternative (``course._controls.Picture``), so a redraw
is one render and the explorer works the same in JupyterLab, in tests and in a static page: where
no widget frontend runs (nbval, the static site, a terminal), the output falls back to the PNG
of the current figure and a plain-text summary.

Examples
--------
>>> ex = undercount_explorer(1_000, p_range=(0.2, 0.5))
>>> ex.p_range.value = (0.1, 0.5)   # what a learner does with the slider
>>> ex.result.low >= 1_000           # never below what was recorded
True
>>> rx = recapture_explorer(population=1_000, p1=0.3, p2=0.3)
>>> rx.dependence.value = 0.5       # the same people turn up on both lists
>>> rx.settles < 1_000              # Lincoln–Petersen then settles below the truth
True
"""

from __future__ import annotations

import base64
import io
from html import escape
from typing import Any

import numpy as np

from course._controls import IntSlider, Live, Picture, RangeSlider, Slider
from course.explore.cascades import _details
from course.models import capture_recapture as cr
from course.models import underreporting as ur
from course.plots import PALETTE

try:  # ipywidgets is a dependency; the fallback keeps this module importable for docs tools
    import ipywidgets as _w

    _Box: Any = _w.VBox
except ImportError:  # pragma: no cover
    _Box = object

__all__ = ["RecaptureExplorer", "UndercountExplorer", "recapture_explorer", "undercount_explorer"]

_DPI = 80
_SIZE = (7.5, 4.2)
_P_GRID = np.linspace(0.01, 1.0, 200)


def _figure():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=_SIZE, dpi=_DPI)
    fig.subplots_adjust(left=0.17, right=0.97, top=0.9, bottom=0.14)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _png(canvas) -> bytes:
    from PIL import Image

    width, height = canvas.get_width_height()
    img = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    # Low compression: the PNG is shown once and replaced, so speed beats size here.
    img.save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if np.isfinite(x) else "no upper limit"


class _Explorer(_Box):
    """Shared plumbing: controls, the image, the summary line and the static fallback.

    After every change :attr:`png` holds the rendered plot (also shown by :attr:`image`),
    :attr:`text` the plain-text summary, and :attr:`redraws` / :attr:`full_redraws` count
    redraws (a full one draws the axes too, once per view; the rest only the moving artists).
    """

    def _setup(self, controls: list, note: str) -> None:
        import ipywidgets as w

        self.image = Picture()
        self.summary = Live()  # read aloud after a slider moves, so the result is heard, not only seen
        self.table = w.HTML()
        self.note = note
        self.redraws = self.full_redraws = 0
        self._backgrounds: dict[Any, Any] = {}
        for c in controls:
            c.observe(self._on_change, names="value")
        self.children = (*controls, self.image, self.summary, self.table,
                         w.HTML(f"<div style='line-height:1.45;max-width:52em'><small>{note}</small></div>"))
        self.update()

    def _on_change(self, _change=None) -> None:
        self.update()

    def update(self) -> None:
        """Recompute from the current control values and redraw (the sliders call this)."""
        view, text = self._draw()
        self.text = text
        self.summary.value = escape(text).replace("\n", "<br>")
        self.png = self._render(view)
        ax = self.ax
        self.alt = (f"Chart: {ax.get_title()}. Across: {ax.get_xlabel()}; up: {ax.get_ylabel()}. "
                    + text.replace("\n", " "))
        self.image.alt = self.alt
        self.image.value = self.png
        self.data = self._data()
        self.table.value = _details(self.data)
        self.redraws += 1

    def _render(self, view: Any) -> bytes:
        # Blitting: the static part (axes, ticks, labels, legend) is drawn once for each view
        # (here: each y-axis range) and kept; a redraw restores it and draws only the animated
        # artists, so only the first visit to a view costs a full draw.
        canvas = self.figure.canvas
        if view not in self._backgrounds:
            canvas.draw()  # skips animated artists
            self._backgrounds[view] = canvas.copy_from_bbox(self.figure.bbox)
            self.full_redraws += 1
        else:
            canvas.restore_region(self._backgrounds[view])
        for artist in self._dynamic:
            self.ax.draw_artist(artist)
        return _png(canvas)

    def _repr_mimebundle_(self, **kwargs):
        from course.plots import figure_html

        data = super()._repr_mimebundle_(**kwargs) or {}
        data["image/png"] = base64.b64encode(self.png).decode("ascii")
        data["text/html"] = figure_html(self.png, self.alt, self.data, caption=f"{self.text} {self.note}")
        data["text/plain"] = self.text
        return data


class UndercountExplorer(_Explorer):
    """What an observed count might hide, for a range of recording shares ``p``.

    Controls: ``p_range`` (the assumed share of true events that end up recorded) and
    ``observed`` (the recorded count). After each change, :attr:`result` holds the
    :class:`~course.models.underreporting.Interval` from
    :func:`~course.models.underreporting.true_count_interval` and the figure shows the naive
    inversion ``observed / p`` across ``p``, the assumed range, and the interval for the true count.
    """

    def __init__(self, observed: int = 1_000, p_range: tuple[float, float] = (0.1, 0.4), *,
                 label: str = "recorded count", max_observed: int | None = None, seed: int = 0,
                 draws: int = 20_000, level: float = 0.9) -> None:
        from matplotlib.patches import Rectangle

        super().__init__()
        self.label, self.seed, self.draws, self.level = label, seed, draws, level
        top = int(max_observed or max(50_000, 2 * int(observed)))
        self.p_range = RangeSlider(value=tuple(p_range), min=0.01, max=1.0, step=0.01, fmt=".2f",
                                   description="share recorded, p (assumed)")
        self.observed = IntSlider(value=int(observed), min=0, max=top, step=1, fmt=",d", description=label)
        self.figure, ax = _figure()
        self.ax = ax
        ax.set_yscale("log")
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of true events that end up recorded, p (an assumption)")
        ax.set_ylabel("true count (log scale)")
        ax.yaxis.set_major_formatter("{x:,.0f}")
        blend_x = ax.get_xaxis_transform()  # x in data, y in axes
        blend_y = ax.get_yaxis_transform()  # x in axes, y in data
        self._p_span = ax.add_patch(Rectangle((0, 0), 0, 1, transform=blend_x, color=PALETTE[4], alpha=0.35,
                                              lw=0, label="assumed range for p"))
        self._n_span = ax.add_patch(Rectangle((0, 1), 1, 0, transform=blend_y, color=PALETTE[1], alpha=0.3,
                                              lw=0, label=f"{level:.0%} interval for the true count"))
        (self._curve,) = ax.plot(_P_GRID, _P_GRID, color=PALETTE[0], lw=2, label="naive estimate: count / p")
        self._median = ax.axhline(1, color=PALETTE[3], ls="--", lw=1.5, label="median of the interval")
        self._floor = ax.axhline(1, color=PALETTE[7], ls=":", lw=1.5, label="recorded count (a minimum)")
        self._note = ax.text(0.98, 0.5, "", transform=ax.transAxes, ha="right", va="center", fontsize=9)
        ax.set_title(f"What a {label} might hide: an interval for the true count")
        ax.legend(loc="upper right", frameon=False, fontsize=8)
        self._dynamic = [self._p_span, self._n_span, self._curve, self._median, self._floor, self._note]
        for artist in self._dynamic:
            artist.set_animated(True)
        self._setup([self.p_range, self.observed],
                    "The model and its assumptions: every true event is recorded independently with the same "
                    "probability p, and p lies somewhere in the range you set (uniformly). Nothing here is data "
                    "except the recorded count.")

    @staticmethod
    def _ylim(k: int) -> tuple[float, float]:
        # One decade of the recorded count shares one y axis, so within a decade the curve moves
        # rather than the labels; the top leaves room for count / 0.01, the smallest p allowed.
        decade = 10.0 ** np.floor(np.log10(max(k, 1)))
        return (decade * 0.5, decade * 1_500)

    def _data(self):
        import pandas as pd

        lo, hi = self.p_range.value
        iv = self.result
        return pd.DataFrame({"quantity": ["recorded count", "share recorded, p: lowest assumed",
                                          "share recorded, p: highest assumed",
                                          f"{iv.level:.0%} interval for the true count: low", "median",
                                          f"{iv.level:.0%} interval for the true count: high"],
                             "value": [f"{int(self.observed.value):,}", f"{lo:.2f}", f"{hi:.2f}",
                                       _fmt(iv.low), _fmt(iv.median), _fmt(iv.high)]})

    def _draw(self) -> tuple[Any, str]:
        k = int(self.observed.value)
        lo, hi = (float(v) for v in self.p_range.value)
        iv = ur.true_count_interval(k, lo, hi, rng=np.random.default_rng(self.seed), draws=self.draws,
                                    level=self.level)
        self.result = iv
        ylim = self._ylim(k)
        self.ax.set_ylim(*ylim)  # the view: it changes only when the count moves to another decade
        floor = ylim[0]
        self._curve.set_ydata(ur.point_estimate(k, _P_GRID) if k else np.full_like(_P_GRID, np.nan))
        self._p_span.set_x(lo)
        self._p_span.set_width(hi - lo)
        self._n_span.set_y(max(iv.low, floor))
        self._n_span.set_height(max(iv.high, floor) - max(iv.low, floor))
        self._median.set_ydata([max(iv.median, floor)] * 2)
        self._floor.set_ydata([max(k, floor)] * 2)
        self._note.set_text(f"recorded {k:,}\n{iv.level:.0%} interval for the true count:\n"
                            f"{_fmt(iv.low)} to {_fmt(iv.high)}")
        return ylim, (
            f"Recorded: {k:,}. If between {lo:.0%} and {hi:.0%} of true events end up recorded, the model's "
            f"{iv.level:.0%} interval for the true count is {_fmt(iv.low)} to {_fmt(iv.high)} "
            f"(median {_fmt(iv.median)}).\n"
            "The range comes from the assumption about p, not from the data: change p and it moves.")


class RecaptureExplorer(_Explorer):
    """Two synthetic lists drawn from a hidden population, and where Chapman's estimate lands.

    Controls: ``p1`` and ``p2`` (the chance that one person is on each list), ``dependence``
    (how being on list 1 changes the chance of being on list 2; 0 is independence) and
    ``population`` (the synthetic truth, which real lists never reveal). Each redraw simulates
    ``replicates`` pairs of lists with :func:`~course.models.capture_recapture.simulate_lists`,
    shows the spread of :func:`~course.models.capture_recapture.chapman` estimates as multiples
    of the truth, and marks :func:`~course.models.capture_recapture.expected_lincoln_petersen`
    (where the estimate settles) as :attr:`settles`. :attr:`example` holds one pair's counts and
    :attr:`estimate`, :attr:`interval` its Chapman estimate and 95 % interval.
    """

    BINS = np.linspace(0.0, 3.0, 31)

    def __init__(self, population: int = 2_000, p1: float = 0.2, p2: float = 0.2, dependence: float = 0.0, *,
                 replicates: int = 2_000, seed: int = 0) -> None:
        super().__init__()
        self.replicates, self.seed = replicates, seed
        self.p1 = Slider(value=p1, min=0.02, max=0.8, step=0.01, fmt=".2f", description="chance on list 1")
        self.p2 = Slider(value=p2, min=0.02, max=0.8, step=0.01, fmt=".2f", description="chance on list 2")
        self.dependence = Slider(value=dependence, min=-0.9, max=0.9, step=0.05, fmt=".2f",
                                 description="dependence between lists")
        self.population = IntSlider(value=population, min=100, max=20_000, step=100, fmt=",d",
                                    description="hidden population (synthetic)", unit="people")
        self.figure, ax = _figure()
        self.ax = ax
        ax.set_xlim(self.BINS[0], self.BINS[-1])
        # A fixed height, so settings can be compared by eye: tall bars mean estimates agree.
        ax.set_ylim(0, 1)
        ax.set_xlabel("Chapman estimate ÷ true population (1 = right; values above 3 drawn at 3)")
        ax.set_ylabel("share of simulated pairs of lists")
        self._bars = ax.stairs(np.zeros(len(self.BINS) - 1), self.BINS, fill=True, color=PALETTE[0], alpha=0.7,
                               label="estimates from simulated lists")
        ax.axvline(1.0, color=PALETTE[7], lw=1.5, label="the truth (synthetic)")
        self._settle = ax.axvline(1.0, color=PALETTE[3], ls="--", lw=1.5, label="where Lincoln–Petersen settles")
        self._note = ax.text(0.98, 0.6, "", transform=ax.transAxes, ha="right", va="center", fontsize=9)
        ax.set_title("Two synthetic lists from a hidden population: where Chapman's estimate lands")
        ax.legend(loc="upper right", frameon=False, fontsize=8)
        self._dynamic = [self._bars, self._settle, self._note]
        for artist in self._dynamic:
            artist.set_animated(True)
        self._setup([self.p1, self.p2, self.dependence, self.population],
                    "Synthetic data: the population and both lists are simulated. The estimator assumes a closed "
                    "population, equal catchability and independent lists; the dependence slider breaks the last.")

    def _data(self):
        import pandas as pd

        shares = self._bars.get_data().values
        edges = self.BINS
        return pd.DataFrame({"Chapman estimate ÷ true population": [f"{a:.1f} to {b:.1f}" for a, b in zip(edges[:-1], edges[1:])],
                             "share of simulated pairs of lists": np.round(shares, 3)})

    def _draw(self) -> tuple[Any, str]:
        params = cr.ListParams(int(self.population.value), float(self.p1.value), float(self.p2.value),
                               float(self.dependence.value))
        rng = np.random.default_rng(self.seed)
        example = cr.simulate_lists(params, rng=rng)
        many = cr.simulate_lists(params, rng=rng, replicates=self.replicates)
        estimates = cr.chapman(many.n1, many.n2, many.m) / params.population
        counts, _ = np.histogram(np.clip(estimates, self.BINS[0], self.BINS[-1] - 1e-9), bins=self.BINS)
        shares = counts / max(len(estimates), 1)
        self._bars.set_data(shares, self.BINS)
        self.settles = cr.expected_lincoln_petersen(params)
        ratio = self.settles / params.population if params.population else float("nan")
        self._settle.set_xdata([min(ratio, self.BINS[-1])] * 2)
        self.example = example
        self.estimate = cr.chapman(*example)
        self.interval = cr.chapman_interval(*example)
        n1, n2, m = example
        self._note.set_text(f"hidden population (synthetic): {params.population:,}\n"
                            f"settles near {ratio:.2f} × the truth")
        return None, (f"One synthetic pair of lists: {n1:,} and {n2:,} names, {m:,} on both. Chapman's estimate: "
                f"{_fmt(self.estimate)} (95% interval {_fmt(self.interval[0])} to {_fmt(self.interval[1])}); "
                f"the truth is {params.population:,}.\n"
                f"Over {self.replicates:,} simulated pairs the estimate settles near {ratio:.2f} × the truth"
                + (" (independent lists: no bias)." if params.dependence == 0 else
                   " (dependent lists: " + ("too low)." if ratio < 1 else "too high).")))


def undercount_explorer(observed: int = 1_000, p_range: tuple[float, float] = (0.1, 0.4), **options: Any) -> UndercountExplorer:
    """Sliders for an assumed recording share ``p`` and a recorded count; a live interval plot.

    Options are passed to :class:`UndercountExplorer` (``label``, ``max_observed``, ``seed``,
    ``draws``, ``level``).

    >>> ex = undercount_explorer(500, (0.25, 0.5))
    >>> ex.observed.value = 1_000
    >>> round(ex.result.median, -2)
    2700.0
    """
    return UndercountExplorer(observed, p_range, **options)


def recapture_explorer(population: int = 2_000, p1: float = 0.2, p2: float = 0.2, dependence: float = 0.0,
                       **options: Any) -> RecaptureExplorer:
    """Sliders for two synthetic lists' catch chances and dependence; where the estimates land.

    Options are passed to :class:`RecaptureExplorer` (``replicates``, ``seed``).

    >>> rx = recapture_explorer(1_000, 0.3, 0.3)
    >>> rx.settles
    1000.0
    """
    return RecaptureExplorer(population, p1, p2, dependence, **options)
