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

__all__ = ["ARTICLES", "PALETTE", "Chart", "accessible_figures", "barh", "bars", "chart_data", "court_cases_chart",
           "describe", "figure_html", "lines", "ranges", "running_totals_chart", "show", "source_note", "wrap_label"]

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

    A line break already in the label stays, so a part that belongs together can start a line.

    >>> wrap_label("5. The Crisis Within the Ranks: what it means", 20)
    '5. The Crisis Within\\nthe Ranks: what it\\nmeans'
    >>> wrap_label("most absences reach a court\\n(p 0.5–0.9)", 20)
    'most absences reach\\na court\\n(p 0.5–0.9)'
    """
    lines = [part for line in str(text).splitlines()
             for part in (textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False) or [""])]
    return "\n".join(lines) or str(text)


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
    lines = sum(label.count("\n") + 1 for label in labels)
    ax = _axes(ax, figsize=(7, max(3.5, 0.17 * lines + 0.3 * len(labels) + 1.0)))
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
    data cover and when they were gathered) stays readable. The note sits below everything the
    figure draws (axes, their labels, a figure legend), whatever the layout, so it never covers an
    axis label; and :func:`show` repeats it as text in the figure's caption, where a screen reader
    can reach it.
    """
    from matplotlib.text import Annotation

    fig = ax.figure
    lines = [part for line in text.splitlines()
             for part in (textwrap.wrap(line, width, break_on_hyphens=False) or [""])]
    note = Annotation("\n".join(lines), xy=(0, 0), xycoords=("figure fraction", lambda renderer: _drawn(fig, renderer)),
                      xytext=(4, -8), textcoords="offset points", fontsize=7, color="#444444", ha="left", va="top")
    note.course_source = " ".join(text.split())
    fig.add_artist(note)
    return ax


def _drawn(fig, renderer):
    """The box around everything a figure draws except its source notes."""
    from matplotlib.transforms import Bbox

    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes if ax.get_visible()]
    boxes += [legend.get_window_extent(renderer) for legend in fig.legends]
    boxes += [t.get_window_extent(renderer) for t in fig.texts if t.get_text()]
    label = getattr(fig, "_supxlabel", None)
    if label is not None and label.get_text():
        boxes.append(label.get_window_extent(renderer))
    boxes = [b for b in boxes if b is not None and b.width and b.height]
    return Bbox.union(boxes) if boxes else fig.bbox


def _notes(fig) -> str:
    """The text of the figure's source notes (see :func:`source_note`)."""
    return " ".join(a.course_source for a in fig.artists if hasattr(a, "course_source"))


# --- charts in one call ----------------------------------------------------------------------------

def _frame(table):
    import pandas as pd

    return table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)


def _finish(ax, *, title: str, xlabel: str, ylabel: str):
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def _legend(ax, title: str | None = None, *, inside: str | None = None) -> None:
    handles, names = ax.get_legend_handles_labels()
    if names and inside:  # a corner the data leave empty (series that rise to the right leave the top left)
        ax.legend(handles, names, title=title, frameon=False, fontsize=9, loc=inside)
    elif names:  # beside the plot, where it can never cover a bar or a point
        ax.legend(handles, names, title=title, frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1))


def bars(table, *, title: str, xlabel: str = "", ylabel: str = "", horizontal: bool = False,
         stacked: bool = False, legend: str | None = None, line: tuple[float, str] | None = None,
         values: str | None = None, colors: Sequence[str] | None = None, ax=None, wrap: int = 28):
    """Bars for each column of a table, one group (or one stack) per row; returns the ``ax``.

    ``table`` is a DataFrame or a dict of columns (each a list, or a Series indexed like the others).
    Its index names the groups, read top to bottom when ``horizontal`` and left to right otherwise;
    its columns are the series, coloured from :data:`PALETTE` and named in a legend titled ``legend``
    beside the plot. ``stacked`` piles the series up instead of setting them side by side.
    ``line=(value, "label")`` draws a dashed reference line across the bars at ``value``;
    ``values="{:,.0f}"`` writes each bar's value at its end. Long group names wrap between words.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rates = {"2023": {"troops": 9, "recruits": 12}, "2024": {"troops": 15, "recruits": 23}}
    >>> ax = bars(rates, title="Rates", xlabel="per 1,000", horizontal=True, legend="year")
    >>> describe(ax)
    'Horizontal bar chart: Rates. Horizontal axis: per 1,000; vertical axis: 2 categories. 2023: troops 9; recruits 12; 2024: troops 15; recruits 23.'
    >>> ax.get_legend().get_title().get_text()
    'year'
    """
    import numpy as np

    frame = _frame(table)
    rows, cols = frame.shape
    colors = list(colors or PALETTE[:cols])
    wide = 7.5 + (1.0 if cols > 1 else 0.0)  # room for the legend beside the plot
    ax = _axes(ax, (wide, max(3.2, 0.42 * rows * (1 if stacked else max(1, cols * 0.6)) + 1.4)) if horizontal else (wide, 4.2))
    where = np.arange(rows)[::-1] if horizontal else np.arange(rows)  # the first row at the top, or on the left
    width = 0.8 if stacked else 0.8 / cols
    base = np.zeros(rows)
    for j, (name, column) in enumerate(frame.items()):
        heights = column.to_numpy(dtype=float)
        shift = 0.0 if stacked else (j - (cols - 1) / 2) * width
        kwargs = {"color": colors[j % len(colors)], "label": str(name)}
        if horizontal:  # the first series at the top of its group too
            drawn = ax.barh(where - shift, heights, width, left=base if stacked else None, **kwargs)
        else:
            drawn = ax.bar(where + shift, heights, width, bottom=base if stacked else None, **kwargs)
        if stacked:
            base = base + np.nan_to_num(heights)
        elif values:
            ax.bar_label(drawn, labels=[values.format(h) if np.isfinite(h) else "" for h in heights], padding=2, fontsize=8)
    names = [wrap_label(name, wrap) for name in frame.index]
    (ax.set_yticks if horizontal else ax.set_xticks)(where, names)
    if line is not None:
        at, label = line
        (ax.axvline if horizontal else ax.axhline)(at, color=PALETTE[3], linestyle="--", label=label)
    if values and not stacked:
        ax.margins(**{"x" if horizontal else "y": 0.1})
    _legend(ax, legend)
    return _finish(ax, title=title, xlabel=xlabel, ylabel=ylabel)


def lines(series, *, title: str, xlabel: str, ylabel: str, vline: tuple[float, str] | None = None,
          hline: tuple[float, str] | None = None, colors: Sequence[str] | None = None, legend: str | None = None, ax=None):
    """Line chart of named series, each ``{"name": (xs, ys)}``; returns the ``ax``.

    A series of 30 points or fewer is drawn with a dot at each point (it was measured or simulated
    there); a longer one is drawn as a smooth line. ``vline=(x, "label")`` and ``hline=(y, "label")``
    draw dotted reference lines. The legend sits beside the plot, or inside it at ``legend`` (a
    matplotlib location such as ``"center right"``) where the data leave room.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = lines({"share": ([1, 2, 3], [0.1, 0.5, 0.9])}, title="T", xlabel="sd (people)", ylabel="share (0 to 1)")
    >>> ax.get_lines()[0].get_marker()
    'o'
    """
    ax = _axes(ax, (7.5, 4.0))
    colors = list(colors or PALETTE)
    for k, (name, (xs, ys)) in enumerate(series.items()):
        xs, ys = list(xs), list(ys)
        ax.plot(xs, ys, marker="o" if len(xs) <= 30 else None, color=colors[k % len(colors)], lw=2 if len(xs) > 30 else 1.5,
                label=name)
    for ref, draw in ((vline, ax.axvline), (hline, ax.axhline)):
        if ref is not None:
            draw(ref[0], color=PALETTE[3], linestyle=":", lw=1.5, label=ref[1])
    _legend(ax, inside=legend)
    return _finish(ax, title=title, xlabel=xlabel, ylabel=ylabel)


def ranges(labels: Sequence[str], low: Sequence[float], high: Sequence[float], *, title: str, xlabel: str,
           middle: Sequence[float] | None = None, floor: tuple[float, str] | None = None, log: bool = False,
           color: str | Sequence[str] = PALETTE[1], range_label: str | None = None, middle_label: str = "median",
           ylabel: str = "", ax=None, wrap: int = 34):
    """One horizontal range per row, from ``low`` to ``high``, the first row at the top; returns the ``ax``.

    ``middle`` marks a point in each range (a median, say). ``floor=(value, "label")`` draws a dotted
    line at a value no range can honestly go below (a recorded count) and fades the part of any
    range below it, labelled "ruled out". ``color`` is one colour or one per row; ``log`` uses a
    logarithmic horizontal axis, for ranges that span a multiple; ``ylabel`` says what the rows are.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = ranges(["a", "b"], [5, 20], [40, 30], floor=(10, "count"), title="T", xlabel="people")
    >>> [c.get_label() for c in ax.collections]
    ['ranges', 'ruled out: below the count']
    """
    n = len(labels)
    low, high = [float(x) for x in low], [float(x) for x in high]
    rows = list(range(n))[::-1]
    colors = [color] * n if isinstance(color, str) else list(color)
    ax = _axes(ax, (7.5, max(2.6, 0.75 * n + 1.4)))
    start = [max(a, floor[0]) if floor else a for a in low]
    ax.hlines(rows, start, high, colors=colors, lw=8, label=range_label or "ranges")
    if floor is not None:
        value, label = floor
        cut = [(y, a, min(b, value), c) for y, a, b, c in zip(rows, low, high, colors) if a < value]
        if cut:
            ys, lo, hi, cs = zip(*cut)
            ax.hlines(ys, lo, hi, colors=cs, lw=8, alpha=0.3, label=f"ruled out: below the {label}")
        ax.axvline(value, color=PALETTE[7], linestyle=":", label=label)
    if middle is not None:
        ax.plot([float(m) for m in middle], rows, "o", color=PALETTE[3], label=middle_label)
    ax.set_yticks(rows, [wrap_label(label, wrap) for label in labels])
    ax.set_ylim(-0.6, n - 0.4)
    if log:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter("{x:,.0f}")
    handles, names = ax.get_legend_handles_labels()
    keep = [(h, t) for h, t in zip(handles, names) if t != "ranges"]  # unnamed ranges are named by their rows
    if keep:
        ax.legend(*zip(*keep), frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1))
    return _finish(ax, title=title, xlabel=xlabel, ylabel=ylabel)


# --- the course's court counts ----------------------------------------------------------------------

#: How the charts name the articles in :func:`course.numbers.court_cases_by_year` and friends.
ARTICLES = {"337": "AWOL (art. 337)", "all": "all refusal articles (337, 332, 338)"}


def court_cases_chart(yearly, *, title: str, as_bars: bool = False, line: tuple[float, str] | None = None, ax=None):
    """The yearly court counts of :func:`course.numbers.court_cases_by_year`, one series per article.

    The newest count for each year is drawn as a line with its value written beside each point;
    an earlier count for the same year (a second source) is an open circle. ``as_bars`` draws the
    newest counts as bars instead, and ``line=(2000, "label")`` adds a reference line.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from course import load
    >>> from course.numbers import court_cases_by_year
    >>> ax = court_cases_chart(court_cases_by_year(load("figure-values")), title="Court cases")
    >>> [line.get_label() for line in ax.get_lines()]
    ['AWOL (art. 337)', 'all refusal articles (337, 332, 338)', 'earlier count, same year']
    """
    latest = yearly.drop_duplicates(["article", "year"])
    earlier = yearly[yearly.duplicated(["article", "year"])]
    wide = latest.pivot(index="year", columns="article", values="value")
    codes = list(wide.columns)
    wide.columns = [ARTICLES.get(c, c) for c in codes]
    if as_bars:
        ax = bars(wide, title=title, xlabel="calendar year", ylabel="court cases per year", line=line, ax=ax)
        ax.yaxis.set_major_formatter("{x:,.0f}")
        return ax
    ax = _axes(ax, (7.5, 4.2))
    colour = dict(zip(ARTICLES, PALETTE))
    for article, name in zip(codes, wide.columns):
        column = wide[name].dropna()
        ax.plot(list(column.index), list(column.values), marker="o", color=colour.get(article, PALETTE[2]), label=name)
    if len(earlier):
        ax.plot(list(earlier["year"]), list(earlier["value"]), "o", mfc="none", ms=9,
                mec=colour.get(earlier["article"].iloc[0], PALETTE[2]), label="earlier count, same year")
    if line is not None:
        ax.axhline(line[0], color=PALETTE[3], linestyle="--", label=line[1])
    top = float(latest["value"].max())
    for year, group in latest.groupby("year"):
        for k, value in enumerate(sorted(group["value"], reverse=True)):
            above = k == 0 or value < 0.08 * top  # the highest point of a year, or one near the axis, is labelled above
            ax.annotate(f"{value:,}", (year, value), textcoords="offset points", fontsize=8,
                        xytext=(0, 7) if above else (7, -5), ha="center" if above else "left", va="bottom" if above else "top")
    ax.set_xticks(list(wide.index))
    ax.set_ylim(0, top * 1.15)
    ax.yaxis.set_major_formatter("{x:,.0f}")
    _legend(ax, inside="upper left")
    return _finish(ax, title=title, xlabel="calendar year", ylabel="court cases per year")


def running_totals_chart(cumulative, *, title: str, ax=None):
    """The running totals of :func:`course.numbers.cumulative_court_cases`, one line per article, by date.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from course import load
    >>> from course.numbers import cumulative_court_cases
    >>> ax = running_totals_chart(cumulative_court_cases(load("figure-values")), title="Running totals")
    >>> ax.get_ylabel()
    'court cases since September 2022'
    """
    ax = _axes(ax, (7.5, 4.2))
    for colour, (article, name) in zip(PALETTE, ARTICLES.items()):
        part = cumulative[cumulative["article"] == article]
        if len(part):
            ax.plot(list(part["date"]), list(part["value"]), marker="o", color=colour, label=name)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter("{x:,.0f}")
    _legend(ax, inside="upper left")
    return _finish(ax, title=title, xlabel="date of the count", ylabel="court cases since September 2022")


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
    figure; pass your own when a sentence says it better (``alt``) or the numbers are at hand
    (``table``: a DataFrame, or a dict of columns). A helper that draws a figure can attach the
    numbers it drew as ``fig.course_table``, which is then the default table. ``caption`` defaults
    to the figure's source notes (:func:`source_note`).
    """

    def __init__(self, fig_or_ax=None, *, alt: str | None = None, table=None, caption: str = "") -> None:
        fig = _figure(fig_or_ax)
        self.alt = alt or describe(fig)
        if table is None:
            table = getattr(fig, "course_table", None)
        self.table = chart_data(fig) if table is None else _frame(table)
        self.caption = caption or _notes(fig)
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
