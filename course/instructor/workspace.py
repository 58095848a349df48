"""A learner's workspace: a folder with the student notebooks and a ``.course/`` record.

One function, :func:`create_workspace`, makes every workspace (``course lab``, a roster's
folders from ``course release --learners``), so ``course update`` treats them all alike.
Creating it again never overwrites a learner's notebooks or progress; it reports what it kept.
Each notebook added is stamped with the learner's id and variants, and the variants are pinned
in ``.course/variants.json``, so a later course version never changes the numbers a learner has
been given (see :mod:`course.instructor.identity`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.checks import SHARED
from course.checks._progress import LEARNER_FILE, STATE_DIR, VARIANTS_FILE

__all__ = ["WorkspaceReport", "add_notebook", "create_workspace", "default_location", "student_notebooks"]

BASE_DIR = "base"  # what the learner received, so `course update` can tell their edits apart


def default_location() -> Path:
    """``$COURSE_WORKSPACE`` if set, else ``~/reading-the-ranks``."""
    return Path(os.environ.get("COURSE_WORKSPACE") or Path.home() / "reading-the-ranks").expanduser()


def student_notebooks(into: Path | None = None) -> Path:
    """The folder of student copies: shipped in the wheel, or generated from a checkout's sources."""
    from course.instructor.layout import Layout

    return Layout.find().student_notebooks(into)


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


def _valid_learner(learner: str | None) -> str | None:
    if learner is None:
        return None
    learner = learner.strip()
    if not learner or any(c in learner for c in "/\\\n") or learner == SHARED:
        raise ValueError("A learner id is a short name without slashes, e.g. --learner ada.lovelace")
    return learner


def _pinned(state: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((state / VARIANTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: Any) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True, ensure_ascii=False)
    os.replace(tmp, path)


def pin(folder: Path, learner: str | None, module: str, variants: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Pin ``module``'s variants for ``learner`` in the workspace (entries already there are kept).

    Returns the variants now pinned for that module. ``variants`` are the ones issued (a release
    record's); without them the installed course computes them.
    """
    from course.instructor.identity import issued_variants

    state = Path(folder) / STATE_DIR
    data = _pinned(state)
    mine = data.setdefault(learner or SHARED, {})
    fresh = dict(variants) if variants is not None else issued_variants(module, learner)
    for qid, entry in fresh.items():
        mine.setdefault(qid, entry)
    _write_json(state / VARIANTS_FILE, data)
    return {qid: mine[qid] for qid in fresh}


def add_notebook(folder: Path, nb_path: Path, *, learner: str | None,
                 variants: Mapping[str, Any] | None = None) -> None:
    """Put one student notebook into a workspace: stamped with whose numbers it carries, its variants pinned."""
    from course.instructor.identity import stamp
    from course.instructor.release import dumps

    folder = Path(folder)
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    module = nb_path.name[:2]
    pinned = pin(folder, learner, module, variants)
    (folder / nb_path.name).write_text(dumps(stamp(nb, learner, pinned)), encoding="utf-8")
    base = folder / STATE_DIR / BASE_DIR
    base.mkdir(parents=True, exist_ok=True)
    (base / nb_path.name).write_bytes(nb_path.read_bytes())


def create_workspace(*, folder: Path | None = None, learner: str | None = None, notebooks: Path | None = None,
                     variants: Mapping[str, Mapping[str, Any]] | None = None) -> WorkspaceReport:
    """Create (or top up) a workspace with the student notebooks; existing files are never overwritten.

    ``notebooks`` is the folder of student copies to add (default: this installation's);
    ``variants`` maps each question id to the variant issued to this learner (a release record's).
    """
    folder = Path(folder or default_location()).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} is a file; choose another folder with --dir.")
    learner = _valid_learner(learner)
    state = folder / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    if learner is not None:
        (state / LEARNER_FILE).write_text(learner + "\n", encoding="utf-8")
    saved = state / LEARNER_FILE
    known = saved.read_text(encoding="utf-8").strip() if saved.is_file() else None
    report = WorkspaceReport(folder, learner=known or None)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(notebooks) if notebooks is not None else student_notebooks(Path(tmp))
        for nb in sorted(source.glob("[0-9][0-9]-*.ipynb")):
            mine = None if variants is None else {q: v for q, v in variants.items() if q.startswith(nb.name[:2] + ".")}
            if (folder / nb.name).exists():
                report.kept.append(nb.name)
                if known:  # a learner id given later: their own numbers are pinned from now on
                    pin(folder, known, nb.name[:2], mine)
                continue
            add_notebook(folder, nb, learner=known, variants=mine)
            report.added.append(nb.name)
    return report
