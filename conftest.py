"""Test-session settings shared by tests/, doctests in course/ and nbval in notebooks/."""

import os

import matplotlib
import pytest

# Doctests and notebooks draw figures; no window may open during tests.
matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

collect_ignore = ["course/__main__.py", "hatch_build.py"]


@pytest.fixture(autouse=True)
def _no_figure_left_open():
    """Close the pyplot figures a test or doctest drew (the chart helpers draw through pyplot), so a
    long run never reaches matplotlib's too-many-figures warning, which the warning filter makes an error."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
