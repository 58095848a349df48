"""Interactive explorers: sliders that re-run a course model and redraw its plot as you move them.

Each explorer is one short line in a notebook and returns a widget box. ``cobweb_chart`` draws the
cascade explorer's picture for several spreads side by side, as a still figure. All computation lives in
``course.models``; an explorer only wires controls to a model function and a plot, so its output
is tested headless by setting control values. Imports stay lazy: ipywidgets and matplotlib load
only when an explorer is built.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "undercount_explorer": "course.explore.hidden_numbers",
    "recapture_explorer": "course.explore.hidden_numbers",
    "cascade_explorer": "course.explore.cascades",
    "cobweb_chart": "course.explore.cascades",
    "manpower_explorer": "course.explore.cascades",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"course.explore has no {name!r}; explorers are {', '.join(__all__)}.")


def __dir__() -> list[str]:
    return __all__
