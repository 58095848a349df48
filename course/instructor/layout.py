"""Where the course's files live: the one module that knows the instructor's sources, hidden tests and guide.

An instructor works from a checkout of the course (``notebooks/`` with the solutions, the hidden
tests in ``notebooks/hidden/``, the guide in ``docs/``). An installed wheel (a JupyterHub image)
carries only the package, the data and the generated student copies, never the instructor
material. :class:`Layout` finds which is which, so ``lab``, ``release``, ``update``, ``grade``
and ``site`` agree, and a command that needs instructor material says exactly what is missing.

The instructor's checkout is, in order: the ``--instructor-dir`` given to a command,
``$COURSE_INSTRUCTOR_DIR``, or the checkout this package runs from (an editable install).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["INSTRUCTOR_DIR_ENV", "InstructorMaterialMissing", "Layout"]

INSTRUCTOR_DIR_ENV = "COURSE_INSTRUCTOR_DIR"
_PACKAGE = Path(__file__).resolve().parents[1]


class InstructorMaterialMissing(LookupError):
    """Instructor-only material (sources, hidden tests, guide) that this installation does not have."""


@dataclass(frozen=True)
class Layout:
    """The folders of one course installation; ``root`` is the instructor's checkout, or None."""

    root: Path | None

    @classmethod
    def find(cls, instructor_dir: Path | str | None = None) -> Layout:
        """The layout for a command: an explicit folder, ``$COURSE_INSTRUCTOR_DIR``, or this checkout."""
        given = instructor_dir or os.environ.get(INSTRUCTOR_DIR_ENV)
        if given:
            root = Path(given).expanduser().resolve()
            if (root / "notebooks").is_dir():
                return cls(root)
            if root.name == "notebooks" and root.is_dir():
                return cls(root.parent)
            raise InstructorMaterialMissing(
                f"{root} is not a course checkout: it has no notebooks/ folder with the instructor notebooks.")
        checkout = _PACKAGE.parent
        return cls(checkout if (checkout / "notebooks").is_dir() and (checkout / "pyproject.toml").is_file() else None)

    # --- instructor material (a checkout only) ---------------------------------------------------

    @property
    def sources(self) -> Path | None:
        """The instructor notebooks (with solutions), or None in an installed wheel."""
        return None if self.root is None else self.root / "notebooks"

    @property
    def hidden(self) -> Path | None:
        """The hidden tests (``lessonNN.py`` files with ``HIDDEN_CASES``), or None where there are none."""
        folder = None if self.sources is None else self.sources / "hidden"
        return folder if folder is not None and folder.is_dir() else None

    @property
    def guide(self) -> Path | None:
        """The instructor guide (rubrics for the written reflections), or None."""
        path = None if self.root is None else self.root / "docs" / "instructor-guide.md"
        return path if path is not None and path.is_file() else None

    def require_sources(self, what: str) -> Path:
        """The instructor notebooks, or a clear error saying that ``what`` needs them and where to get them."""
        if self.sources is None:
            raise InstructorMaterialMissing(
                f"{what} needs the instructor notebooks, which an installed course never carries. Run it from a "
                f"checkout of the course repository, or pass --instructor-dir (or set {INSTRUCTOR_DIR_ENV}).")
        return self.sources

    def hidden_file(self, module: str) -> Path | None:
        """``lessonNN.py`` of the hidden tests for ``module``, if present."""
        path = None if self.hidden is None else self.hidden / f"lesson{module}.py"
        return path if path is not None and path.is_file() else None

    # --- learner material (everywhere) --------------------------------------------------------------

    @property
    def packaged_notebooks(self) -> Path | None:
        """Student copies shipped inside a wheel (``course/_notebooks``), or None in a checkout."""
        folder = _PACKAGE / "_notebooks"
        return folder if folder.is_dir() else None

    def student_notebooks(self, into: Path | None = None, modules: list[str] | None = None) -> Path:
        """A folder of student copies: the shipped ones, or generated from the sources into ``into``."""
        if self.packaged_notebooks is not None and self.root is None:
            return self.packaged_notebooks
        if self.sources is None:
            if self.packaged_notebooks is not None:
                return self.packaged_notebooks
            raise FileNotFoundError(
                "No course notebooks found: reinstall the course (pip install reading-the-ranks) "
                "or run from a full checkout of the repository.")
        from course.instructor.release import release

        into = Path(into) if into is not None else Path(tempfile.mkdtemp(prefix="course-student-"))
        release(source=self.sources, out=into, modules=modules)
        return into
