"""Bring a learner's workspace up to a new course version without losing a single answer.

Before anything changes, the whole workspace is copied to ``.course/backups/NNN/``. Then, for
each notebook of the new version:

- a notebook the learner does not have is added;
- a notebook the learner never changed is replaced by the new version;
- otherwise the two are merged: the new version's prose and starter cells arrive, and the
  learner's exercise cells (tagged ``answer:<question id>``) replace the new starters for the same
  question id, wherever the new version moved them. Every other cell the learner wrote or
  changed is kept side by side, under a note, next to where it was. Nothing is dropped.

What the learner originally received is kept in ``.course/base/`` so that "changed by the
learner" can be told from "changed by the course".
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.checks._progress import LEARNER_FILE, STATE_DIR
from course.instructor.release import ANSWER_TAG, dumps
from course.instructor.workspace import BASE_DIR

__all__ = ["UpdateReport", "merge", "update_workspace"]

BACKUP_DIR = "backups"
KEPT_NOTE = (
    "**Kept from your previous version of this notebook.** The course was updated and the cell "
    "below did not match the new version, so it is kept here, unchanged, beside the new material. "
    "Delete it once you have moved what you need."
)


@dataclass
class UpdateReport:
    """What an update did, notebook by notebook, and where the backup is."""

    backup: Path | None = None
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    merged: dict[str, int] = field(default_factory=dict)  # notebook -> answers carried over
    kept_aside: dict[str, int] = field(default_factory=dict)  # notebook -> cells kept side by side
    unreadable: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"Backup of your previous workspace: {self.backup}"]
        if self.added:
            lines.append(f"  new notebooks: {', '.join(self.added)}")
        if self.replaced:
            lines.append(f"  updated (you had not changed them): {', '.join(self.replaced)}")
        for name, n in self.merged.items():
            aside = self.kept_aside.get(name, 0)
            extra = f"; {aside} other cell(s) of yours kept beside the new material" if aside else ""
            lines.append(f"  merged {name}: {n} answer(s) carried over{extra}")
        for name in self.unreadable:
            lines.append(f"  {name} could not be read, so it was left as it is; the new version is beside it")
        return "\n".join(lines)


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _qid(cell: dict[str, Any]) -> str | None:
    for tag in cell.get("metadata", {}).get("tags", []):
        if tag.startswith(ANSWER_TAG):
            return tag[len(ANSWER_TAG):]
    return None


def _note(i: int) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": f"kept-note-{i}", "metadata": {"tags": ["kept-from-previous"]},
            "source": KEPT_NOTE}


def merge(learner: dict[str, Any], base: dict[str, Any] | None, new: dict[str, Any]) -> tuple[dict[str, Any], int, int]:
    """Merge a learner's notebook into the new version; returns (notebook, answers carried, cells kept aside)."""
    course_sources = {_source(c) for c in (base or {}).get("cells", [])} | {_source(c) for c in new["cells"]}
    new_ids = {c.get("id") for c in new["cells"]}
    new_qids = {_qid(c) for c in new["cells"]} - {None}
    answers: dict[str, dict[str, Any]] = {}
    aside: list[tuple[int | None, dict[str, Any]]] = []  # (anchor: index in new, cell)
    anchor: int | None = None
    new_index_by_source = {_source(c): i for i, c in enumerate(new["cells"])}
    new_index_by_id = {c.get("id"): i for i, c in enumerate(new["cells"])}
    new_index_by_qid = {_qid(c): i for i, c in enumerate(new["cells"]) if _qid(c)}
    for cell in learner.get("cells", []):
        qid, src = _qid(cell), _source(cell)
        if qid in new_qids and qid not in answers:
            answers[qid] = cell
            anchor = new_index_by_qid[qid]
            continue
        if src in course_sources:
            # cell ids are stable (course notebooks --check), so an id names the same cell in every
            # version; the source is the fallback for workspaces made before ids were stable
            anchor = new_index_by_id.get(cell.get("id"), new_index_by_source.get(src, anchor))
            continue
        if not src.strip():
            continue
        aside.append((anchor, cell))
    merged: list[dict[str, Any]] = []
    carried = 0

    def emit_aside(at: int | None) -> None:
        for n, (where, cell) in enumerate(aside):
            if where == at:
                merged.append(_note(len(merged)))
                kept = copy.deepcopy(cell)
                if kept.get("id") in new_ids:
                    kept["id"] = f"kept-{kept['id']}"[:64]
                merged.append(kept)

    emit_aside(None)
    for i, cell in enumerate(new["cells"]):
        qid = _qid(cell)
        if qid in answers:
            mine = copy.deepcopy(answers[qid])
            mine["id"], mine["metadata"] = cell.get("id"), copy.deepcopy(cell.get("metadata", {}))
            merged.append(mine)
            carried += 1
        else:
            merged.append(copy.deepcopy(cell))
        emit_aside(i)
    out = copy.deepcopy(new)
    out["cells"] = merged
    return out, carried, len(aside)


def _next_backup(state: Path) -> Path:
    root = state / BACKUP_DIR
    root.mkdir(parents=True, exist_ok=True)
    taken = [int(p.name) for p in root.iterdir() if p.name.isdigit()]
    return root / f"{max(taken, default=0) + 1:03d}"


def update_workspace(*, folder: Path, source: Path | None = None) -> UpdateReport:
    """Update the workspace in ``folder`` to the student notebooks in ``source`` (default: this install's).

    Works the same on any workspace (``course lab``'s or a roster folder from ``course release``):
    every notebook written is stamped with the workspace's learner id and its pinned variants.
    """
    from course.instructor.identity import stamp
    from course.instructor.workspace import add_notebook, pin, student_notebooks

    folder = Path(folder).expanduser().resolve()
    state = folder / STATE_DIR
    if not state.is_dir():
        raise FileNotFoundError(f"{folder} is not a course workspace (no {STATE_DIR}/ folder); run `course lab` first.")
    report = UpdateReport(backup=_next_backup(state))
    shutil.copytree(folder, report.backup, ignore=shutil.ignore_patterns(BACKUP_DIR))
    base_dir = state / BASE_DIR
    base_dir.mkdir(exist_ok=True)
    saved = state / LEARNER_FILE
    learner = (saved.read_text(encoding="utf-8").strip() or None) if saved.is_file() else None

    def stamped(nb: dict[str, Any], name: str) -> str:
        return dumps(stamp(nb, learner, pin(folder, learner, name[:2])))

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(source) if source else student_notebooks(Path(tmp))
        for new_path in sorted(src.glob("*.ipynb")):
            name = new_path.name
            new = json.loads(new_path.read_text(encoding="utf-8"))
            target = folder / name
            if not target.exists():
                add_notebook(folder, new_path, learner=learner)
                report.added.append(name)
                continue
            try:
                mine = json.loads(target.read_text(encoding="utf-8"))
                mine["cells"]
            except (OSError, ValueError, KeyError, TypeError):
                (folder / f"{target.stem} (new version).ipynb").write_text(stamped(new, name), encoding="utf-8")
                report.unreadable.append(name)
                continue
            base_file = base_dir / name
            base = json.loads(base_file.read_text(encoding="utf-8")) if base_file.is_file() else None
            if base is not None and [_source(c) for c in mine["cells"]] == [_source(c) for c in base["cells"]]:
                target.write_text(stamped(new, name), encoding="utf-8")
                report.replaced.append(name)
            else:
                merged, carried, aside = merge(mine, base, new)
                target.write_text(stamped(merged, name), encoding="utf-8")
                report.merged[name] = carried
                if aside:
                    report.kept_aside[name] = aside
            (base_dir / name).write_text(dumps(new), encoding="utf-8")
    return report
