"""A learner's workspace: a folder with the student notebooks and a ``.course/`` record.

Creating it again never overwrites a learner's notebooks or progress; it reports what it kept.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from course.checks._progress import LEARNER_FILE, STATE_DIR

__all__ = ["WorkspaceReport", "create_workspace", "default_location", "student_notebooks"]


def default_location() -> Path:
    """``$COURSE_WORKSPACE`` if set, else ``~/reading-the-ranks``."""
    return Path(os.environ.get("COURSE_WORKSPACE") or Path.home() / "reading-the-ranks").expanduser()


def _checkout_sources() -> Path:
    return Path(__file__).resolve().parents[2] / "notebooks"


def student_notebooks(into: Path | None = None) -> Path:
    """The folder of student copies: shipped in the wheel, or generated from a checkout's sources."""
    packaged = Path(__file__).resolve().parents[1] / "_notebooks"
    if packaged.is_dir():
        return packaged
    from course.instructor.release import release

    src = _checkout_sources()
    if not src.is_dir():
        raise FileNotFoundError(
            "No course notebooks found: reinstall the course (pip install reading-the-ranks) "
            "or run from a full checkout of the repository."
        )
    into = into or Path(tempfile.mkdtemp(prefix="course-student-"))
    release(source=src, out=into)
    return into


@dataclass
class WorkspaceReport:
    """What creating a workspace did: its folder, notebooks added and notebooks kept as they were."""

    folder: Path
    added: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    learner: str | None = None

    def __str__(self) -> str:
        lines = [f"Workspace: {self.folder}"]
        if self.added:
            lines.append(f"  added {len(self.added)} notebook(s): {', '.join(self.added)}")
        if self.kept:
            lines.append(f"  kept your existing {len(self.kept)} notebook(s) unchanged: {', '.join(self.kept)}")
        if self.learner:
            lines.append(f"  learner id: {self.learner} (your exercises use your own numbers)")
        return "\n".join(lines)


def create_workspace(*, folder: Path | None = None, learner: str | None = None) -> WorkspaceReport:
    """Create (or top up) a workspace with the student notebooks; existing files are never overwritten."""
    folder = Path(folder or default_location()).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} is a file; choose another folder with --dir.")
    state = folder / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    report = WorkspaceReport(folder)
    with tempfile.TemporaryDirectory() as tmp:
        source = student_notebooks(Path(tmp))
        for nb in sorted(source.glob("*.ipynb")):
            target = folder / nb.name
            if target.exists():
                report.kept.append(nb.name)
                continue
            target.write_bytes(nb.read_bytes())
            base = state / "base"  # what the learner received, so `course update` can tell their edits apart
            base.mkdir(exist_ok=True)
            (base / nb.name).write_bytes(nb.read_bytes())
            report.added.append(nb.name)
    if learner is not None:
        learner = learner.strip()
        if not learner or any(c in learner for c in "/\\\n"):
            raise ValueError("A learner id is a short name without slashes, e.g. --learner ada.lovelace")
        (state / LEARNER_FILE).write_text(learner + "\n", encoding="utf-8")
    saved = state / LEARNER_FILE
    report.learner = saved.read_text(encoding="utf-8").strip() if saved.is_file() else None
    return report
