"""Wheel build hook: put student copies of the notebooks (never the instructor sources) in the wheel."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class StudentNotebooksHook(BuildHookInterface):
    """Generate student copies from notebooks/ and ship them as course/_notebooks/."""

    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        if version == "editable":  # an editable install reads notebooks/ from the checkout
            return
        root = Path(self.root)
        spec = importlib.util.spec_from_file_location("_release", root / "course" / "instructor" / "release.py")
        release = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(release)
        self._tmp = tempfile.TemporaryDirectory()
        out = Path(self._tmp.name) / "notebooks"
        release.release(source=root / "notebooks", out=out)
        build_data["force_include"][str(out)] = "course/_notebooks"

    def finalize(self, version, build_data, artifact_path):
        if getattr(self, "_tmp", None) is not None:
            self._tmp.cleanup()
