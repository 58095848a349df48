"""Plotting helpers: each takes an optional ``ax``, draws one clear chart and returns the ``ax``.

Colours are the Okabe–Ito palette, which stays distinguishable with the common forms of colour
blindness. Nothing here changes matplotlib's global style.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["PALETTE", "barh", "source_note"]

#: Okabe & Ito (2008) colour-blind-safe palette: blue, orange, bluish green, vermillion,
#: sky blue, reddish purple, yellow, black.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")


def _axes(ax, figsize=(7, 3.5)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def barh(labels: Sequence[str], values: Sequence[float], *, title: str, xlabel: str,
         ax=None, color: str = PALETTE[0], annotate: bool = True):
    """Horizontal bars, first label at the top, each bar labelled with its value.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = barh(["a", "b"], [3, 5], title="T", xlabel="words")
    >>> ax.get_xlabel()
    'words'
    """
    ax = _axes(ax)
    positions = list(range(len(labels)))[::-1]
    bars = ax.barh(positions, values, color=color)
    ax.set_yticks(positions, labels)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    if annotate:
        ax.bar_label(bars, fmt="{:,.0f}", padding=3)
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
