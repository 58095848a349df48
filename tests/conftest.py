"""Fixtures shared by test modules: one static site build per test session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def site_build(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """``course site`` run as an instructor runs it: its folder and what it printed."""
    out = tmp_path_factory.mktemp("site")
    run = subprocess.run([sys.executable, "-m", "course", "site", "--out", str(out)],
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    return out, run


@pytest.fixture(scope="session")
def site(site_build) -> Path:
    return site_build[0]
