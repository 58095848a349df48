"""Test-session settings shared by tests/, doctests in course/ and nbval in notebooks/."""

import os

import matplotlib

# Doctests and notebooks draw figures; no window may open during tests.
matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

collect_ignore = ["course/__main__.py", "hatch_build.py"]
