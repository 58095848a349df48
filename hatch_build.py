"""Wheel build hook: put student copies of the notebooks (never the instructor sources) in the wheel.

With ``COURSE_EXAM_MODULES`` set (module ids such as ``07`` or ``05,07``), those lessons ship
sealed: ``course/checks/lessonNN.py`` is replaced by its questions without reference code (see
``course.checks._sealed``). Sealing imports the course, so build such a wheel with
``--no-isolation`` in an environment where the course's dependencies are installed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

EXAM_ENV = "COURSE_EXAM_MODULES"


class StudentNotebooksHook(BuildHookInterface):
    """Generate student copies from notebooks/ and ship them as course/_notebooks/; seal exam modules."""

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
        for module in re.findall(r"\d\d", os.environ.get(EXAM_ENV, "")):
            sealed = Path(self._tmp.name) / f"lesson{module}.py"
            code = ("import sys; from course.checks._sealed import sealed_source; "
                    "sys.stdout.write(sealed_source(sys.argv[1]))")
            try:  # in a child, from the checkout, so the build's own imports stay untouched
                text = subprocess.run([sys.executable, "-c", code, module], cwd=root, check=True, capture_output=True,
                                      text=True, env={**os.environ, "PYTHONPATH": str(root)}).stdout
            except subprocess.CalledProcessError as exc:
                raise RuntimeError(f"Could not seal exam module {module}: {exc.stderr.strip().splitlines()[-1:]}. "
                                   "Build with --no-isolation where the course's dependencies are installed.") from None
            sealed.write_text(text, encoding="utf-8")
            build_data["force_include"][str(sealed)] = f"course/checks/lesson{module}.py"

    def finalize(self, version, build_data, artifact_path):
        if getattr(self, "_tmp", None) is not None:
            self._tmp.cleanup()
