"""Release modules to a class: student copies, a release manifest, and one folder per learner on a roster.

``course release`` calls :func:`assign`. The manifest (``release.json`` beside the copies) records
what was released, so an instructor can later tell which version of which questions a class got:
the course version and, per module, its title, question ids and points, and the sha256 of the
instructor source and of the student copy. It never lists hidden tests or expected answers.

With a roster, each learner also gets ``<out>/<learner id>/``: the same copies plus
``.course/learner.txt``, so the folder opens as that learner's workspace with their own numbers.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

from course.instructor.release import ReleaseError, release, sources

MANIFEST = "release.json"
_ROSTER_COLUMNS = ("learner", "learner_id", "id", "student", "username")


def read_roster(path: Path) -> list[str]:
    """Learner ids from a CSV: the ``learner`` (or ``id``, ``username``…) column, else the first column.

    A header row is expected. Ids must be non-empty, unique and usable as folder names; the error
    lists every offending row so the file can be fixed in one go.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ReleaseError(f"No roster at {path}: give a CSV file with a header and one learner id per row "
                           "(a column named 'learner').") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReleaseError(f"Cannot read the roster {path} ({exc}): save it as a UTF-8 CSV file.") from None
    rows = list(csv.reader(text.splitlines()))
    if len(rows) < 2:
        raise ReleaseError(f"The roster {path} has no learners: put a header row, then one learner id per row.")
    header = [h.strip().lower() for h in rows[0]]
    col = next((header.index(c) for c in _ROSTER_COLUMNS if c in header), 0)
    ids, problems, seen = [], [], {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        learner = row[col].strip() if col < len(row) else ""
        if not learner:
            problems.append(f"row {n}: no learner id in column '{rows[0][col] if col < len(rows[0]) else col + 1}'")
        elif learner.startswith(".") or any(c in learner for c in '/\\:*?"<>|\n\t'):
            problems.append(f"row {n}: {learner!r} cannot be a folder name (no / \\ : * ? \" < > | or leading dot)")
        elif learner in seen:
            problems.append(f"row {n}: {learner!r} repeats row {seen[learner]}")
        else:
            seen[learner] = n
            ids.append(learner)
    if problems:
        raise ReleaseError(f"Fix the roster {path}: " + "; ".join(problems) + ".")
    return ids


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _module_record(nb_path: Path, copy_sha256: str, catalogue: dict[str, Any]) -> dict[str, Any]:
    from course.checks import questions

    module = nb_path.name[:2]
    m = catalogue.get(module)
    qs = questions(module) if m else []
    return {
        "module": module,
        "notebook": nb_path.name,
        "title": m.title if m else None,
        "minutes": m.minutes if m else None,
        "questions": [{"id": q.id, "points": q.points if q.graded else 0, "kind": q.kind.name} for q in qs],
        "points": sum(q.points for q in qs if q.graded),
        "source_sha256": _digest(nb_path),
        "copy_sha256": copy_sha256,
    }


def assign(*, source: Path, out: Path, modules: list[str] | None = None, roster: Path | None = None) -> dict[str, Any]:
    """Write student copies of ``modules`` (all by default) to ``out``, a ``release.json`` manifest,
    and, with a ``roster``, a workspace folder per learner. Returns the manifest."""
    from course import __version__
    from course.checks import modules as lessons

    learners = read_roster(roster) if roster is not None else []  # a bad roster fails before anything is written
    written = release(source=source, out=out, modules=modules)
    by_name = {p.name: p for p in sources(source)}
    catalogue = {m.id: m for m in lessons()}
    for learner in learners:
        folder = Path(out) / learner
        release(source=source, out=folder, modules=modules)
        (folder / ".course").mkdir(exist_ok=True)
        (folder / ".course" / "learner.txt").write_text(learner + "\n", encoding="utf-8")
    manifest = {
        "course": "Reading the Ranks",
        "course_version": __version__,
        "modules": [_module_record(by_name[name], digest, catalogue) for name, digest in written.items()],
        "learners": learners,
    }
    (Path(out) / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest
