"""Explorers for module 06: a threshold cascade and a manpower stock with feedback.

``cascade_explorer()`` draws Granovetter's (1978) cascade curve for a crowd whose thresholds are
normal(mean, sd): the curve, the 45° line, the cobweb from nobody acting and the equilibrium
marker, beside one random crowd of the same size. ``manpower_explorer()`` draws the manpower
stock of :mod:`course.models.manpower` month by month for a chosen feedback strength.

Every number comes from :mod:`course.models`; the pure functions :func:`cascade_picture` and
:func:`manpower_picture` gather what a plot shows and are tested without widgets. An explorer
only wires sliders to one of them and to a matplotlib figure. Each plot is a
:class:`matplotlib.figure.Figure` drawn by the Agg canvas (no pyplot, no global state). The
axes, labels and titles are drawn once; a slider change updates the data of a few artists,
draws only those over the saved background and re-encodes the PNG, which keeps a redraw
well under 50 ms (see ``benchmarks/bench_explore_cascades.py``). Where no widget frontend runs
(nbval, nbconvert, the static site), the explorer still shows the plot for its current values
as a PNG, with the readout as text.

Everything these explorers draw is a **synthetic illustration** of how the models behave, not an
estimate of any real army.
"""

from __future__ import annotations

import base64
import io
import math
from html import escape
from typing import Any

import numpy as np

from course._controls import IntSlider, Live, Picture, Slider
from course.models import cascade, manpower
from course.plots import PALETTE

__all__ = ["CascadeExplorer", "ManpowerExplorer", "cascade_explorer", "cascade_picture", "cobweb_chart",
           "manpower_explorer", "manpower_picture"]

SYNTHETIC = "Synthetic illustration of a model, not an estimate of any real army."


# --- pure computations (no widgets) ----------------------------------------------------------------

def cascade_picture(mean: float, sd: float, n: int = 100, *, crowd: int | None = 1,
                    points: int = 201, steps: int = 60) -> dict[str, Any]:
    """What the cascade explorer draws, for thresholds normal(``mean``, ``sd``) in people.

    Returns the smooth (mean-field) cascade curve ``n * Phi((r - mean) / sd)`` on a grid of
    ``r`` from 0 to ``n``; the cobweb from nobody acting (``web_x``, ``web_y``); the equilibrium
    of the smooth curve (:func:`course.models.cascade.final_share` times ``n``); the critical
    spread for this mean (:func:`~course.models.cascade.critical_sd`, NaN where the mean has no
    low equilibrium to lose); and, unless ``crowd`` is None, one random crowd of ``n`` drawn with
    ``numpy.random.default_rng(crowd)``: its thresholds, its step curve (people whose threshold
    is at most ``r``) and its equilibrium (:func:`~course.models.cascade.equilibrium`).

    Examples
    --------
    >>> pic = cascade_picture(25, 13)
    >>> round(pic["equilibrium"]), round(pic["critical_sd"], 2)
    (100, 12.22)
    >>> pic["crowd_equilibrium"] == cascade.equilibrium(pic["thresholds"])
    True
    """
    n = int(n)
    r = np.linspace(0.0, n, int(points))

    def F(x: float) -> float:
        return n * cascade.normal_cdf(x, mean, sd)

    path = cascade.cobweb(F, 0.0, steps)
    web_x, web_y = cascade.staircase(path)
    out: dict[str, Any] = {
        "n": n, "mean": float(mean), "sd": float(sd), "r": r,
        "curve": n * cascade.normal_cdf(r, mean, sd),
        "web_x": web_x, "web_y": web_y,
        "equilibrium": cascade.final_share(mean, sd, n) * n,
        "critical_sd": cascade.critical_sd(mean, n) if 0 < mean < n / 2 else math.nan,
        "crowd": crowd,
    }
    if crowd is not None:
        t = cascade.normal_thresholds(n, mean, sd, rng=np.random.default_rng(int(crowd)))
        out["thresholds"] = t
        out["crowd_curve"] = np.searchsorted(np.sort(t), r, side="right")  # people with threshold <= r
        out["crowd_equilibrium"] = int(cascade.equilibrium(t))
    return out


def cobweb_chart(mean: float = 25.0, sds: tuple[float, ...] = (12.0, 12.5), n: int = 100, zoom: float = 12.0, *,
                 title: str = ""):
    """Cobweb diagrams side by side, one per spread in ``sds``, each with its bottom-left corner magnified.

    Each panel draws the 45° line, the cascade curve of a crowd of ``n`` whose thresholds are
    normal(``mean``, sd), the cobweb from nobody acting and the equilibrium, from
    :func:`cascade_picture`; an inset magnifies 0 to ``zoom`` people, where the two crowds differ.
    ``title`` goes above the panels. Returns the matplotlib figure, for :func:`course.plots.show`,
    with the curves' values at whole numbers of people up to ``zoom`` and every tenth of the crowd
    above it, and each panel's equilibrium, as its data table (``fig.course_table``). Synthetic,
    like the model.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = cobweb_chart(25, (12.0, 12.5))
    >>> [ax.get_title() for ax in fig.axes]
    ['mean 25, sd 12 (synthetic)', 'mean 25, sd 12.5 (synthetic)']
    >>> [line.get_label() for line in fig.axes[1].get_lines()][-1]
    'equilibrium: 100 act'
    >>> last = fig.course_table.iloc[-1]
    >>> last.iloc[0], last.iloc[1:].astype(float).tolist()
    ('equilibrium (where the cobweb stops)', [4.0, 100.0])
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    at = [float(r) for r in range(int(zoom) + 1)] + [float(r) for r in range(int(zoom) + 1, n + 1) if r % max(1, n // 10) == 0]
    table: dict[str, list] = {"r: people already acting": [f"{r:g}" for r in at] + ["equilibrium (where the cobweb stops)"]}

    fig, axes = plt.subplots(1, len(sds), figsize=(5 * len(sds), 4.4), sharey=True, squeeze=False, layout="constrained")
    for ax, sd in zip(axes[0], sds):
        pic = cascade_picture(mean, sd, n, crowd=None)
        stop = pic["equilibrium"]
        met = [round(float(n * cascade.normal_cdf(r, mean, sd)), 1) for r in at]
        table[f"people whose threshold is met, sd {sd:g}"] = met + [round(float(stop), 1)]
        for where in (ax, ax.inset_axes([0.56, 0.1, 0.4, 0.4])):  # the whole picture, then the corner magnified
            where.plot([0, n], [0, n], color=PALETTE[7], lw=1, ls="--", label="45° line")
            where.plot(pic["r"], pic["curve"], color=PALETTE[0], lw=2, label="cascade curve F(r)")
            where.plot(pic["web_x"], pic["web_y"], color=PALETTE[1], lw=1.2, label="cobweb from nobody")
        zoomed = ax.child_axes[0]
        zoomed.set(xlim=(0, zoom), ylim=(0, zoom))
        zoomed.set_title(f"zoom: 0 to {zoom:g} people", fontsize=8)
        zoomed.tick_params(labelsize=7)
        ax.plot([stop], [stop], "o", color=PALETTE[3], ms=9, clip_on=False, label=f"equilibrium: {stop:.0f} act")
        ax.set_title(f"mean {mean:g}, sd {sd:g} (synthetic)")
        ax.set_xlabel("people already acting, r (people)")
        ax.legend(loc="upper left", fontsize=8, handles=ax.lines[-1:], frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylabel("people whose threshold is met (people)")
    fig.legend(handles=axes[0][0].lines[:3], loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    fig.course_table = pd.DataFrame(table)
    return fig


def cascade_summary(pic: dict[str, Any]) -> str:
    """One or two plain sentences saying what the cascade picture shows."""
    n = pic["n"]
    text = (f"Smooth curve (a very large crowd, scaled to {n}): about {pic['equilibrium']:.0f} of {n} act "
            f"at equilibrium (mean {pic['mean']:g}, spread {pic['sd']:g} people).")
    if not math.isnan(pic["critical_sd"]):
        text += f" The smooth curve tips to nearly all above a spread of {pic['critical_sd']:.2f}."
    if pic.get("crowd") is not None:
        text += f" Random crowd #{pic['crowd']} of {n}: {pic['crowd_equilibrium']} act."
    return text


def manpower_picture(params: manpower.ManpowerParams, months: int = 120) -> dict[str, Any]:
    """What the manpower explorer draws: one run of the model, where it settles, the critical feedback.

    ``run`` is :func:`course.models.manpower.simulate` for ``months``; ``baseline`` the same
    start with no feedback; ``settles`` is :func:`~course.models.manpower.equilibrium` and
    ``critical`` is :func:`~course.models.manpower.critical_feedback`.

    Examples
    --------
    >>> pic = manpower_picture(manpower.ManpowerParams(feedback=14.0))
    >>> pic["critical"], pic["settles"], pic["regime"]
    (7.0, 500.0, 'above critical')
    """
    run = manpower.simulate(params, months)
    base = manpower.simulate(manpower.with_feedback(params, 0.0), months)
    critical = manpower.critical_feedback(params)
    if params.feedback > critical:
        regime = "above critical"
    elif params.feedback == critical:
        regime = "at critical"
    else:
        regime = "below critical"
    return {
        "params": params, "month": run["month"], "stock": run["stock"], "baseline": base["stock"],
        "departures": run["departures"], "settles": manpower.equilibrium(params),
        "critical": critical, "regime": regime, "target": params.target,
    }


def manpower_summary(pic: dict[str, Any]) -> str:
    """Plain sentences saying what the manpower picture shows."""
    p = pic["params"]
    months = int(pic["month"][-1])
    text = (f"Feedback {p.feedback:g} is {pic['regime']} (critical feedback {pic['critical']:g}). "
            f"Starting at {p.initial:,.0f} of a target {p.target:,.0f}, the stock is {pic['stock'][-1]:,.0f} "
            f"after {months} months and settles at {pic['settles']:,.0f}.")
    if len(pic["departures"]):
        text += (f" Departures: {pic['departures'][0]:.1f} a month in month 1, "
                 f"{pic['departures'][-1]:.1f} in month {months}.")
    return text


# --- the widget wiring ----------------------------------------------------------------------------

def _canvas(figsize: tuple[float, float], dpi: int):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _encode_png(canvas) -> bytes:
    """The canvas as a PNG with a 128-colour palette.

    A chart has a handful of flat colours plus their anti-aliased edges, so a palette loses
    nothing visible (a colour moves by a few levels out of 255 at most), and the encoder then has a quarter of the bytes to compress: the PNG is
    about twice as fast to make and less than half the size to send to the browser.
    """
    from PIL import Image

    width, height = canvas.get_width_height()
    rgba = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    rgba.convert("RGB").quantize(128, method=Image.Quantize.FASTOCTREE).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


try:  # the explorers are ipywidgets boxes (ipywidgets is a dependency)
    import ipywidgets as _w

    _Base: Any = _w.VBox
except ImportError:  # pragma: no cover - keeps the import honest if ipywidgets is missing
    _Base = object


class _Explorer(_Base):
    """Sliders, a plot (a Picture with a text alternative) and a readout, redrawn on every change.

    Subclasses build the figure with ``animated=True`` for every artist that changes, list them
    in ``self._moving``, and implement ``_compute`` (returns the picture) and ``_update``
    (moves the artists and returns the readout text).
    """

    _dpi = 96

    def __init__(self, controls: dict[str, Any], figsize: tuple[float, float]) -> None:
        import ipywidgets as w

        self.controls = controls
        self.figure = _canvas(figsize, self._dpi)
        self._moving: list[Any] = []
        self._build_figure()
        self.figure.canvas.draw()  # the static parts, once; the legend is static too
        self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        # Lines are drawn over the background, so the legend's pixels are put back on top of them
        # (drawing the legend itself on every change would cost more than everything else).
        legend = self.figure.axes[0].get_legend()
        self._on_top = [self.figure.canvas.copy_from_bbox(legend.get_window_extent())] if legend else []
        width, _ = self.figure.canvas.get_width_height()
        self.image = Picture(width=width)
        self.readout = Live()  # read aloud after a slider moves, so the result is heard, not only seen
        self.table = w.HTML()
        self.redraws = 0
        for control in controls.values():
            control.observe(self._on_change, names="value")
        super().__init__([w.VBox([*controls.values(), *self._notes()]), self.image, self.readout, self.table])
        self.redraw()

    def _on_change(self, _change: Any) -> None:
        self.redraw()

    @property
    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def redraw(self) -> None:
        """Recompute the picture for the current control values and redraw the moving artists."""
        self.picture = self._compute()
        self.summary = self._update(self.picture)
        canvas = self.figure.canvas
        canvas.restore_region(self._background)
        for artist in self._moving:
            artist.axes.draw_artist(artist)
        for pixels in self._on_top:
            canvas.restore_region(pixels)
        self.png = _encode_png(canvas)
        self.alt = f"{self._chart()} {self.summary} {SYNTHETIC}"
        self.image.alt = self.alt
        self.image.value = self.png
        self.readout.value = f"{escape(self.summary)}<br><i>{SYNTHETIC}</i>"
        self.data = self._data(self.picture)
        self.table.value = _details(self.data)
        self.redraws += 1

    def _chart(self) -> str:
        """What the plot is, for its text alternative: kind, title and axes."""
        ax = self.figure.axes[0]
        return f"Line chart: {ax.get_title()}. Across: {ax.get_xlabel()}; up: {ax.get_ylabel()}."

    def _notes(self) -> list:
        return []

    def __repr__(self) -> str:
        return f"{self.summary}\n{SYNTHETIC}"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        from course.plots import figure_html

        data = super()._repr_mimebundle_(**kwargs) or {}
        data["image/png"] = base64.b64encode(self.png).decode("ascii")
        data["text/html"] = figure_html(self.png, self.alt, self.data, caption=repr(self))
        data["text/plain"] = repr(self)
        return data

    def _data(self, pic: dict[str, Any]):  # pragma: no cover - abstract
        raise NotImplementedError

    def _build_figure(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _compute(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _update(self, pic: dict[str, Any]) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


def _slider(kind: str, description: str, value: float, lo: float, hi: float, step: float, fmt: str = "",
            unit: str = ""):
    cls = IntSlider if kind == "int" else Slider
    return cls(value=value, min=lo, max=hi, step=step, description=description, fmt=fmt, unit=unit)


def _details(table) -> str:
    """The numbers behind the plot as a table a screen reader can reach (closed until opened)."""
    from course.plots import _table_html

    return (f"<details style='line-height:1.45'><summary>Data table ({len(table)} rows)</summary>"
            f"{_table_html(table, 'The numbers in the plot above, for the current settings')}</details>")


class CascadeExplorer(_Explorer):
    """Sliders for the threshold distribution's mean and spread, and for which random crowd."""

    def __init__(self, *, mean: float, sd: float, n: int, crowd: int) -> None:
        self.n = int(n)
        controls = {
            "mean": _slider("float", "mean threshold (people)", mean, 0.0, self.n / 2, 0.5, ".1f", "people"),
            "sd": _slider("float", "spread, sd (people)", sd, 0.0, self.n / 4, 0.1, ".1f", "people"),
            "crowd": _slider("int", "random crowd number", crowd, 0, 99, 1),
        }
        super().__init__(controls, figsize=(7.4, 4.6))

    def _build_figure(self) -> None:
        n, ax = self.n, self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.1, right=0.97, bottom=0.17, top=0.9)
        ax.plot([0, n], [0, n], color=PALETTE[7], lw=1, ls="--", label="45° line: F(r) = r")
        self._curve, = ax.plot([], [], color=PALETTE[0], lw=2, animated=True,
                               label="smooth curve F(r) (very large crowd)")
        self._web, = ax.plot([], [], color=PALETTE[1], lw=1.2, animated=True, label="cobweb from nobody")
        self._eq, = ax.plot([], [], "o", color=PALETTE[3], ms=9, animated=True, clip_on=False,
                            label="equilibrium (smooth)")
        self._crowd, = ax.step([], [], where="post", color=PALETTE[2], lw=1.2, animated=True,
                               label="one random crowd")
        self._crowd_eq, = ax.plot([], [], "D", color=PALETTE[2], ms=7, mec="white", animated=True, clip_on=False,
                                  label="its equilibrium")
        ax.set_xlim(0, n)
        ax.set_ylim(0, n * 1.02)
        ax.set_aspect("auto")
        ax.set_title(f"Threshold cascade in a crowd of {n} (synthetic)")
        ax.set_xlabel("r: people already acting (people)")
        ax.set_ylabel("people whose threshold is met (people)")
        ax.spines[["top", "right"]].set_visible(False)
        self.figure.text(0.01, 0.01, SYNTHETIC + " Granovetter (1978) threshold model.",
                         fontsize=7, color="#444444")
        ax.legend(loc="lower right", fontsize=8, frameon=True, framealpha=1.0)
        self._moving = [self._crowd, self._curve, self._web, self._eq, self._crowd_eq]

    def _compute(self) -> dict[str, Any]:
        v = self.values
        return cascade_picture(v["mean"], v["sd"], self.n, crowd=v["crowd"])

    def _data(self, pic: dict[str, Any]):
        import pandas as pd

        every = max(1, (len(pic["r"]) - 1) // 10)  # eleven rows: r = 0, 10, ..., n for n = 100
        rows = slice(None, None, every)
        return pd.DataFrame({"r: people already acting": pic["r"][rows],
                             "smooth curve F(r): people whose threshold is met": np.round(pic["curve"][rows], 1),
                             f"random crowd #{pic['crowd']}: people whose threshold is met": pic["crowd_curve"][rows]})

    def _update(self, pic: dict[str, Any]) -> str:
        self._curve.set_data(pic["r"], pic["curve"])
        self._web.set_data(pic["web_x"], pic["web_y"])
        self._eq.set_data([pic["equilibrium"]], [pic["equilibrium"]])
        self._crowd.set_data(pic["r"], pic["crowd_curve"])
        self._crowd_eq.set_data([pic["crowd_equilibrium"]], [pic["crowd_equilibrium"]])
        return cascade_summary(pic)


class ManpowerExplorer(_Explorer):
    """Sliders for the feedback strength and the starting strength; the stock month by month."""

    def __init__(self, *, params: manpower.ManpowerParams, months: int) -> None:
        self.base_params, self.months = params, int(months)
        top = params.target
        controls = {
            "feedback": _slider("float", "feedback strength, f (no unit)", params.feedback, 0.0, 20.0, 0.5, ".1f"),
            "initial": _slider("float", "strength at month 0 (people)", params.initial, 0.5 * top, top, top / 100,
                               ",.0f", "people"),
        }
        super().__init__(controls, figsize=(7.4, 4.4))

    def _build_figure(self) -> None:
        p, ax = self.base_params, self.figure.add_subplot()
        self.figure.subplots_adjust(left=0.12, right=0.97, bottom=0.17, top=0.9)
        ax.axhline(p.target, color=PALETTE[7], lw=1, ls="--", label=f"target ({p.target:,.0f})")
        self._base, = ax.plot([], [], color="#999999", lw=1.5, animated=True, label="same start, no feedback")
        self._settle, = ax.plot([], [], color=PALETTE[3], lw=1, ls=":", animated=True, label="where it settles")
        self._stock, = ax.plot([], [], color=PALETTE[0], lw=2.2, animated=True, label="personnel present")
        ax.set_xlim(0, self.months)
        ax.set_ylim(0, p.target * 1.08)
        ax.set_title("Manpower stock with a departure feedback (synthetic)")
        ax.set_xlabel("month")
        ax.set_ylabel("personnel present (people)")
        ax.yaxis.set_major_formatter("{x:,.0f}")
        ax.spines[["top", "right"]].set_visible(False)
        self.figure.text(0.01, 0.01, SYNTHETIC + " Stock-and-flow model after Sterman (2000).",
                         fontsize=7, color="#444444")
        ax.legend(loc="lower left", fontsize=8, frameon=True, framealpha=1.0)
        self._moving = [self._base, self._settle, self._stock]

    def _compute(self) -> dict[str, Any]:
        from dataclasses import replace

        v = self.values
        params = replace(self.base_params, feedback=float(v["feedback"]), initial=float(v["initial"]))
        return manpower_picture(params, self.months)

    def _notes(self) -> list:
        import ipywidgets as w

        f_c = manpower.critical_feedback(self.base_params)
        return [w.HTML(
            "<div style='line-height:1.45;max-width:46em'><small>The feedback strength f scales departures with the "
            "share of the force that is gone: departures = normal departures × (1 + f × share gone). With f = 2 and "
            f"a tenth of the force gone, departures run 20 % above normal. Scale: 0 (no feedback) to 20; critical "
            f"here at f = {f_c:g}.</small></div>")]

    def _data(self, pic: dict[str, Any]):
        import pandas as pd

        months = np.asarray(pic["month"])
        rows = np.isin(months, np.arange(0, months[-1] + 1, 12))
        return pd.DataFrame({"month": months[rows], "personnel present (people)": np.round(pic["stock"][rows]),
                             "same start, no feedback (people)": np.round(pic["baseline"][rows])})

    def _update(self, pic: dict[str, Any]) -> str:
        self._stock.set_data(pic["month"], pic["stock"])
        self._base.set_data(pic["month"], pic["baseline"])
        self._settle.set_data([0, self.months], [pic["settles"], pic["settles"]])
        return manpower_summary(pic)


def cascade_explorer(mean: float = 25.0, sd: float = 10.0, n: int = 100, crowd: int = 1) -> CascadeExplorer:
    """Sliders for a threshold distribution, with the cascade curve, cobweb and equilibrium marker.

    Thresholds are normal(``mean``, ``sd``) in people, in a crowd of ``n``; ``crowd`` picks which
    random crowd is drawn beside the smooth curve (``numpy.random.default_rng(crowd)``, so
    ``cascade.normal_thresholds(n, mean, sd, rng=np.random.default_rng(crowd))`` reproduces it).

    Examples
    --------
    >>> ex = cascade_explorer()
    >>> ex.controls["sd"].value = 13.0     # what moving the slider does
    >>> round(ex.picture["equilibrium"])
    100
    """
    return CascadeExplorer(mean=mean, sd=sd, n=n, crowd=crowd)


def manpower_explorer(feedback: float = 2.0, initial: float = 900.0, months: int = 120,
                      params: manpower.ManpowerParams | None = None) -> ManpowerExplorer:
    """A feedback-strength slider with the manpower stock month by month (and where it settles).

    ``params`` defaults to :class:`course.models.manpower.ManpowerParams`; ``feedback`` and
    ``initial`` override its values and are the two sliders.

    Examples
    --------
    >>> ex = manpower_explorer()
    >>> ex.controls["feedback"].value = 14.0
    >>> ex.picture["settles"]
    500.0
    """
    from dataclasses import replace

    base = replace(params or manpower.ManpowerParams(), feedback=float(feedback), initial=float(initial))
    return ManpowerExplorer(params=base, months=months)
