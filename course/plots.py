"""Plotting helpers: each takes an optional ``ax``, draws one clear chart and returns the ``ax``.

Colours are the Okabe–Ito palette, which stays distinguishable with the common forms of colour
blindness. Nothing here changes matplotlib's global style.

Every chart the course shows also reaches readers who cannot see it: :func:`show` displays a
figure as an HTML ``<figure>`` whose image has a text alternative (what kind of chart, its title,
its axes and what the data do) and whose caption holds the plotted numbers as a table. The
description and the table are read from the figure itself (:func:`describe`, :func:`chart_data`),
so a plot cell adopts it with one line at its end::

    ax = barh(labels, values, title="Words per section of the article", xlabel="words")
    show(ax)

:func:`accessible_figures` does the same for every figure a notebook draws, once switched on.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
from collections.abc import Sequence
from html import escape
from typing import Any

__all__ = ["PALETTE", "Chart", "accessible_figures", "barh", "chart_data", "describe", "figure_html",
           "show", "source_note", "wrap_label"]

#: Okabe & Ito (2008) colour-blind-safe palette: blue, orange, bluish green, vermillion,
#: sky blue, reddish purple, yellow, black.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")


def _axes(ax, figsize=(7, 3.5)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def wrap_label(text: str, width: int = 28) -> str:
    """Break a long tick label between words onto several lines, never through a word.

    >>> wrap_label("5. The Crisis Within the Ranks: what it means", 20)
    '5. The Crisis Within\\nthe Ranks: what it\\nmeans'
    """
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=False)) or str(text)


def barh(labels: Sequence[str], values: Sequence[float], *, title: str, xlabel: str,
         ax=None, color: str = PALETTE[0], annotate: bool = True, wrap: int = 28):
    """Horizontal bars, first label at the top, each bar labelled with its value.

    Long labels are wrapped between words (at ``wrap`` characters), never cut, so a reader sees
    every label in full.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = barh(["a", "b"], [3, 5], title="T", xlabel="words")
    >>> ax.get_xlabel()
    'words'
    """
    labels = [wrap_label(label, wrap) for label in labels]
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    ax = _axes(ax, figsize=(7, max(3.5, 0.32 * lines * len(labels) + 1.2)))
    positions = list(range(len(labels)))[::-1]
    bars = ax.barh(positions, values, color=color)
    ax.set_yticks(positions, labels)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    if annotate:
        ax.bar_label(bars, fmt="{:,.0f}", padding=3)
        ax.margins(x=0.12)  # room for the value labels at the end of the longest bar
    return ax


def source_note(ax, text: str, width: int = 150):
    """Write a source line under a chart, small and left-aligned, and return the ``ax``.

    Lines longer than ``width`` characters are wrapped, so a long citation (with the period the
    data cover and when they were gathered) stays within the figure.
    """
    import textwrap

    lines = [part for line in text.splitlines()
             for part in (textwrap.wrap(line, width, break_on_hyphens=False) or [""])]
    ax.annotate("\n".join(lines), xy=(0, 0), xycoords="figure fraction", xytext=(4, 4), textcoords="offset points",
                fontsize=7, color="#444444", ha="left", va="bottom")
    return ax


# --- text alternatives and data tables -------------------------------------------------------------

def _figure(fig_or_ax):
    if fig_or_ax is None:
        import matplotlib.pyplot as plt

        return plt.gcf()
    if hasattr(fig_or_ax, "savefig"):
        return fig_or_ax
    if hasattr(fig_or_ax, "figure"):
        return fig_or_ax.figure
    first = next(iter(getattr(fig_or_ax, "flat", fig_or_ax)), None)  # an array or list of axes
    if first is not None and hasattr(first, "figure"):
        return first.figure
    raise TypeError(f"show() takes a matplotlib figure or axes (what plt.subplots() returns), not {type(fig_or_ax).__name__}.")


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _main_axes(fig) -> list:
    """The figure's axes that hold data, without insets (zooms repeat data already described)."""
    fig.draw_without_rendering()  # tick labels are filled in at draw time
    insets = {child for ax in fig.axes for child in getattr(ax, "child_axes", [])}
    return [ax for ax in fig.axes if ax not in insets and ax.get_visible() and ax.has_data()]


def _number(x: Any) -> Any:
    if hasattr(x, "isoformat"):  # dates and timestamps
        return x.date().isoformat() if hasattr(x, "date") and callable(x.date) else x.isoformat()
    try:
        value = float(x)
    except (TypeError, ValueError):
        return str(x)
    return int(value) if value.is_integer() else value


def _fmt(x: Any) -> str:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if isinstance(x, float) and not math.isfinite(x):
        return "no value"
    if isinstance(x, int) or float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.3g}" if abs(x) < 1 else f"{x:,.2f}".rstrip("0").rstrip(".")


_UNNAMED = ("bars", "line 1", "points", "ranges", "histogram")


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", "").replace("\u2212", "-").rstrip("%"))
    except ValueError:
        return False
    return True


class _Axis:
    """How a reader sees positions on one axis: category names where the ticks are words, else numbers."""

    def __init__(self, axis) -> None:
        labels = [(round(float(t), 6), _clean(lab.get_text())) for t, lab in zip(axis.get_ticklocs(), axis.get_ticklabels())]
        labels = [(t, text) for t, text in labels if text and "$" not in text]
        self.categorical = bool(labels) and not all(_numeric(text) for _, text in labels)
        self.labels = dict(labels)
        self.names = self.labels if self.categorical else {}
        self.grouped = any("," in text for _, text in labels)  # does the axis print 2,021 or 2021?

    def bar(self, value: float) -> Any:
        """The name under a bar: its tick's label, or the nearest tick's for grouped bars."""
        for key in (round(float(value), 6), float(round(float(value)))):
            if key in self.labels:
                return self.labels[key]
        return self.at(value)

    def at(self, value: Any) -> Any:
        number = _number(value)
        if isinstance(number, (int, float)):
            for key in (round(float(number), 6), float(round(float(number)))):
                if key in self.names:
                    return self.names[key]
            if not self.grouped and float(number).is_integer():
                return str(int(number))  # a year reads 2021, as on the axis
        return number


def _pairs(xs, ys, xaxis: _Axis, yaxis: _Axis) -> list[tuple[Any, Any]]:
    """(position, value) pairs; on a chart whose rows are categories (a dot plot) the row is the position."""
    if yaxis.categorical and not xaxis.categorical:
        return [(yaxis.at(y), _number(x)) for x, y in zip(xs, ys)]
    return [(xaxis.at(x), _number(y)) for x, y in zip(xs, ys)]


def _position_axis(xaxis: _Axis, yaxis: _Axis) -> str:
    return "y" if yaxis.categorical and not xaxis.categorical else "x"


def _series(ax) -> list[dict[str, Any]]:
    """Each data series drawn on ``ax``: kind, name and (position, value) points, from its artists."""
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.container import BarContainer
    from matplotlib.patches import StepPatch

    def public(artist) -> str:
        label = artist.get_label() or ""
        return "" if label.startswith("_") else _clean(label)

    out: list[dict[str, Any]] = []
    xaxis, yaxis = _Axis(ax.xaxis), _Axis(ax.yaxis)
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    for k, c in enumerate(bars):
        horizontal = getattr(c, "orientation", "vertical") == "horizontal"
        points = []
        for patch in c.patches:
            if horizontal:
                where, value, axis = patch.get_y() + patch.get_height() / 2, patch.get_width(), yaxis
            else:
                where, value, axis = patch.get_x() + patch.get_width() / 2, patch.get_height(), xaxis
            points.append((where, axis.bar(where), _number(value)))
        points.sort(key=lambda p: -p[0] if horizontal else p[0])  # as a reader scans: top down, left to right
        out.append({"kind": "bars", "name": public(c) or (f"bars {k + 1}" if len(bars) > 1 else "bars"),
                    "points": [(label, v) for _, label, v in points], "horizontal": horizontal,
                    "pos": "y" if horizontal else "x"})
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        name = public(line)
        if line.get_transform() is ax.get_yaxis_transform(which="grid"):
            out.append({"kind": "level", "name": name or "reference line", "axis": "y", "at": _number(line.get_ydata()[0])})
            continue
        if line.get_transform() is ax.get_xaxis_transform(which="grid"):
            out.append({"kind": "level", "name": name or "reference line", "axis": "x", "at": _number(line.get_xdata()[0])})
            continue
        xs, ys = list(line.get_xdata()), list(line.get_ydata())
        if not xs:
            continue
        out.append({"kind": "points" if line.get_linestyle() in ("None", "", " ") else "line",
                    "name": name or f"line {len(out) + 1}", "points": _pairs(xs, ys, xaxis, yaxis),
                    "pos": _position_axis(xaxis, yaxis)})
    for coll in ax.collections:
        name = public(coll)
        if isinstance(coll, LineCollection) and len(coll.get_segments()):
            points = []
            for seg in coll.get_segments():
                (x0, y0), (x1, y1) = seg[0], seg[-1]
                if y0 == y1:  # a horizontal range at one row
                    points.append((yaxis.at(y0), f"{_fmt(_number(min(x0, x1)))} to {_fmt(_number(max(x0, x1)))}"))
                else:
                    points.append((xaxis.at(x0), f"{_fmt(_number(min(y0, y1)))} to {_fmt(_number(max(y0, y1)))}"))
            across = all(seg[0][1] == seg[-1][1] for seg in coll.get_segments())
            out.append({"kind": "ranges", "name": name or "ranges", "points": points, "pos": "y" if across else "x"})
        elif isinstance(coll, PathCollection) and len(coll.get_offsets()):
            out.append({"kind": "points", "name": name or "points",
                        "points": _pairs(*zip(*coll.get_offsets()), xaxis, yaxis), "pos": _position_axis(xaxis, yaxis)})
    for patch in ax.patches:
        if isinstance(patch, StepPatch):
            values, edges = patch.get_data()[:2]
            out.append({"kind": "bars", "name": public(patch) or "histogram", "horizontal": False, "pos": "x",
                        "points": [(f"{_fmt(_number(a))} to {_fmt(_number(b))}", _number(v))
                                   for a, b, v in zip(edges[:-1], edges[1:], values)]})
    return out


def _axis_phrase(ax, which: str) -> str:
    axis = ax.xaxis if which == "x" else ax.yaxis
    seen = _Axis(axis)
    label = _clean(axis.get_label().get_text()) or (f"{len(seen.labels)} categories" if seen.categorical else "no label")
    scale = axis.get_scale()
    return f"{'horizontal' if which == 'x' else 'vertical'} axis: {label}" + (f" ({scale} scale)" if scale not in ("linear", "") and scale not in label else "")


def _series_phrase(s: dict[str, Any], ax) -> str:
    if s["kind"] == "level":
        return f"a {'horizontal' if s['axis'] == 'y' else 'vertical'} line at {_fmt(s['at'])} ({s['name']})"
    pts = s["points"]
    if s["kind"] in ("bars", "ranges") and len(pts) <= 8:
        return f"{s['name']}: " + "; ".join(f"{label} {_fmt(v)}" for label, v in pts)
    if len(pts) == 1:
        return f"{s['name']}: one point, {_fmt(pts[0][1])} at {_fmt(pts[0][0])}"
    values = [v for _, v in pts if isinstance(v, (int, float)) and math.isfinite(v)]
    if not values:
        return f"{s['name']}: {len(pts)} values"
    hi = max(range(len(pts)), key=lambda i: pts[i][1] if isinstance(pts[i][1], (int, float)) else -math.inf)
    if s["kind"] in ("line", "points"):
        (x0, y0), (x1, y1) = pts[0], pts[-1]
        return (f"{s['name']}: {len(pts)} points, from {_fmt(y0)} at {_fmt(x0)} to {_fmt(y1)} at {_fmt(x1)}, "
                f"highest {_fmt(pts[hi][1])} at {_fmt(pts[hi][0])}")
    return f"{s['name']}: {len(pts)} values from {_fmt(min(values))} to {_fmt(max(values))}, highest at {pts[hi][0]}"


def _kind(series: list[dict[str, Any]]) -> str:
    kinds = {s["kind"] for s in series if s["kind"] != "level"}
    if kinds == {"bars"}:
        horizontal = any(s.get("horizontal") for s in series)
        return "horizontal bar chart" if horizontal else "bar chart"
    if kinds <= {"line", "points"} and kinds:
        return "line chart" if "line" in kinds else "scatter plot"
    if kinds == {"ranges"} or kinds == {"ranges", "points"}:
        return "range chart"
    return "chart"


def describe(fig_or_ax=None) -> str:
    """A text alternative for a chart, read from the figure: its kind, title, axes and data.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = barh(["one", "two"], [3, 5], title="Words per section", xlabel="words")
    >>> describe(ax)
    'Horizontal bar chart: Words per section. Horizontal axis: words; vertical axis: 2 categories. bars: one 3; two 5.'
    """
    fig = _figure(fig_or_ax)
    parts = []
    suptitle = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    if suptitle:
        parts.append(_clean(suptitle) + ".")
    axes = _main_axes(fig)
    for i, ax in enumerate(axes):
        series = _series(ax)
        title = _clean(ax.get_title()) or (suptitle and f"panel {i + 1}") or "untitled"
        head = f"{_kind(series).capitalize()}: {title}."
        axes_text = f" {_axis_phrase(ax, 'x').capitalize()}; {_axis_phrase(ax, 'y')}."
        body = " " + "; ".join(_series_phrase(s, ax) for s in series[:4]) + "." if series else ""
        more = f" And {len(series) - 4} more series (see the data table)." if len(series) > 4 else ""
        parts.append(head + axes_text + body + more)
    return " ".join(parts) if parts else "An empty chart."


def chart_data(fig_or_ax=None):
    """The numbers a chart shows, as a table (one row per point, bar or range), read from the figure."""
    import pandas as pd

    fig = _figure(fig_or_ax)
    rows = []
    axes = _main_axes(fig)
    for i, ax in enumerate(axes):
        panel = _clean(ax.get_title()) or f"panel {i + 1}"
        xlabel = _clean(ax.get_xlabel()) or "x"
        ylabel = _clean(ax.get_ylabel()) or "y"
        for s in _series(ax):
            base = {"panel": panel} if len(axes) > 1 else {}
            if s["kind"] == "level":
                rows.append({**base, "series": s["name"], "at": f"{'y' if s['axis'] == 'y' else 'x'} = {_fmt(s['at'])}", "value": s["at"]})
                continue
            where, value = (ylabel, xlabel) if s["pos"] == "y" else (xlabel, ylabel)
            for x, y in s["points"]:
                rows.append({**base, "series": s["name"], "at": x, "value": y, "_where": where, "_value": value})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    where = table.pop("_where").dropna().unique() if "_where" in table else []
    value = table.pop("_value").dropna().unique() if "_value" in table else []
    names = {"at": where[0] if len(where) == 1 else "at", "value": value[0] if len(value) == 1 else "value"}
    if table["series"].nunique() == 1 and table["series"].iloc[0] in _UNNAMED:
        table = table.drop(columns="series")
    return table.rename(columns=names)


def _table_html(table, caption: str) -> str:
    head = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in table.columns)
    body = "".join(
        "<tr>" + "".join((f'<th scope="row">{escape(_fmt(v))}</th>' if j == 0 else f"<td>{escape(_fmt(v))}</td>")
                         for j, v in enumerate(row)) + "</tr>"
        for row in table.itertuples(index=False)
    )
    return (f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def figure_html(png: bytes, alt: str, table=None, *, caption: str = "", width: int | None = None) -> str:
    """An HTML ``<figure>``: the PNG with its text alternative, a caption and the data in a disclosure.

    Only plain HTML that Jupyter's sanitizer keeps (figure, img, details, table), so it shows the
    same in an untrusted notebook, in JupyterLab and in nbconvert's pages.
    """
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    size = f' width="{int(width)}"' if width else ""
    parts = [f'<figure style="margin:0"><img src="{src}" alt="{escape(alt)}"{size} style="max-width:100%;height:auto">',
             "<figcaption style=\"line-height:1.4\">"]
    if caption:
        parts.append(f"<div>{escape(caption)}</div>")
    if table is not None and len(table):
        parts.append(f"<details><summary>Data table ({len(table)} rows)</summary>"
                     f"{_table_html(table, 'The numbers in the chart above')}</details>")
    parts.append("</figcaption></figure>")
    return "".join(parts)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


class Chart:
    """A drawn chart with its text alternative and data table; shows as an accessible ``<figure>``.

    ``alt`` and ``table`` default to what :func:`describe` and :func:`chart_data` read from the
    figure; pass your own when a sentence says it better (``alt``) or the numbers are at hand.
    """

    def __init__(self, fig_or_ax=None, *, alt: str | None = None, table=None, caption: str = "") -> None:
        fig = _figure(fig_or_ax)
        self.alt = alt or describe(fig)
        self.table = chart_data(fig) if table is None else table
        self.caption = caption
        self.png = _png(fig)
        self._width = int(fig.get_figwidth() * fig.dpi)

    def _repr_html_(self) -> str:
        return figure_html(self.png, self.alt, self.table, caption=self.caption)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        return {"text/html": self._repr_html_(), "image/png": base64.b64encode(self.png).decode("ascii"),
                "text/plain": repr(self)}

    def __repr__(self) -> str:
        lines = [self.alt]
        if self.caption:
            lines.append(self.caption)
        if self.table is not None and len(self.table):
            lines.append(self.table.to_string(index=False))
        return "\n".join(lines)


def show(fig_or_ax=None, *, alt: str | None = None, table=None, caption: str = "") -> None:
    """Display a chart with a text alternative and its data table (in place of the bare image).

    One line at the end of a plot cell: ``show(ax)``. The figure is closed afterwards, so Jupyter
    does not show it a second time without them.
    """
    import sys

    chart = Chart(fig_or_ax, alt=alt, table=table, caption=caption)
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close(_figure(fig_or_ax))
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipykernel, a dependency
        print(repr(chart))
        return
    display(chart)


def accessible_figures(on: bool = True) -> None:
    """Show every matplotlib figure in this notebook with a text alternative and a data table.

    Opt-in, for one running notebook: it registers an HTML view of figures with IPython's display
    system (``on=False`` removes it). Importing ``course`` never does this by itself.
    """
    from IPython import get_ipython
    from matplotlib.figure import Figure

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("accessible_figures() works inside Jupyter or IPython; elsewhere use Chart(fig).")
    formatter = shell.display_formatter.formatters["text/html"]
    if on:
        formatter.for_type(Figure, lambda fig: Chart(fig)._repr_html_())
    else:
        formatter.type_printers.pop(Figure, None)
