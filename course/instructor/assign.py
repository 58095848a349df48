"""Release modules to a class: student copies, a release record that accumulates, and a workspace per learner.

``course release`` calls :func:`assign`. The record (``release.json`` beside the copies) keeps
every release ever made from that folder: its number, date, course version, modules (title,
question ids, points, kinds, the sha256 of the instructor source and of the student copy) and,
for each learner, the parameters of every variant they were issued (the shared variant's too).
It never lists hidden tests or expected answers. The grader reads it to grade each learner
against the numbers they were given (``course grade --release``), however the course changes later.

With a roster, each learner also gets ``<out>/<learner id>/``: a workspace made by the same
function as ``course lab`` (their id, their pinned numbers, their stamped copies).
"""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from course.instructor.release import ReleaseError, dumps, release, sources, student_copy

MANIFEST = "release.json"
FORMAT = 2
_ROSTER_COLUMNS = ("learner", "learner_id", "id", "student", "username")

__all__ = ["MANIFEST", "assign", "check_release", "exam_modules", "issued_variants_for", "read_record", "read_roster"]


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
        elif learner == "shared":
            problems.append(f"row {n}: 'shared' names the shared variant; choose another learner id")
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
        "questions": [{"id": q.id, "points": q.points if q.graded else 0, "kind": q.kind.name,
                       "variant_version": q.variant_version} for q in qs],
        "points": sum(q.points for q in qs if q.graded),
        "source_sha256": _digest(nb_path),
        "copy_sha256": copy_sha256,
    }


def read_record(out: Path) -> dict[str, Any]:
    """The release record in ``out`` (every release so far), or an empty one; an older single manifest is kept as release 1."""
    path = Path(out) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"course": "Reading the Ranks", "format": FORMAT, "releases": []}
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"{path} cannot be read ({exc}); it is the record of what this class was given, so "
                           "restore it from a backup rather than deleting it.") from None
    if isinstance(data, dict) and isinstance(data.get("releases"), list):
        return data
    if isinstance(data, dict) and "modules" in data:  # the first format: one manifest, overwritten by each release
        old = {"number": 1, "date": None, "course_version": data.get("course_version"), "modules": data["modules"],
               "learners": {learner: {} for learner in data.get("learners", [])}, "shared": {}}
        return {"course": data.get("course", "Reading the Ranks"), "format": FORMAT, "releases": [old]}
    raise ReleaseError(f"{path} is not a release record.")


def issued_variants_for(record: dict[str, Any], learner: str | None, qid: str) -> tuple[str, dict[str, Any]] | None:
    """``(whose, {"version", "params"})``: the variant of ``qid`` last issued to ``learner`` (or shared), if any."""
    for rel in reversed(record.get("releases", [])):
        if learner and qid in rel.get("learners", {}).get(learner, {}):
            return learner, rel["learners"][learner][qid]
    for rel in reversed(record.get("releases", [])):
        if qid in rel.get("shared", {}):
            return "shared", rel["shared"][qid]
    return None


def exam_modules(record: dict[str, Any] | None) -> set[str]:
    """The modules a release record marks as exams (in their latest release)."""
    latest: dict[str, bool] = {}
    for rel in (record or {}).get("releases", []):
        for m in rel.get("modules", []):
            latest[m.get("module")] = bool(m.get("exam"))
    return {m for m, exam in latest.items() if exam}


def _stamper(learner: str | None, variants: dict[str, dict[str, Any]]):
    from course.instructor.identity import stamp

    def transform(copy: dict[str, Any], name: str) -> dict[str, Any]:
        return stamp(copy, learner, {q: v for q, v in variants.items() if q.startswith(name[:2] + ".")})
    return transform


def assign(*, source: Path, out: Path, modules: list[str] | None = None, roster: Path | None = None,
           exam: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """Write student copies of ``modules`` (all by default) to ``out``, add this release to ``release.json``,
    and, with a ``roster``, make a workspace per learner. Returns this release's entry.

    ``exam=True`` records the modules as exam modules: the grader then gives no points for an answer
    whose question's reference code the submission called (learners' own installation should be
    an exam build, see :mod:`course.checks._sealed`)."""
    from course import __version__
    from course.checks import modules as lessons
    from course.instructor.identity import issued_variants
    from course.instructor.workspace import create_workspace

    learners = read_roster(roster) if roster is not None else []  # a bad roster fails before anything is written
    out = Path(out)
    record = read_record(out)  # an unreadable record fails before anything is written, too
    chosen = [p for p in sources(source) if modules is None or p.name[:2] in modules]
    ids = [p.name[:2] for p in chosen]
    shared = {q: v for m in ids for q, v in issued_variants(m, None).items()}
    written = release(source=source, out=out, modules=modules, transform=_stamper(None, shared))
    by_name = {p.name: p for p in sources(source)}
    catalogue = {m.id: m for m in lessons()}
    issued: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp)
        release(source=source, out=plain, modules=modules)
        for learner in learners:
            issued[learner] = {q: v for m in ids for q, v in issued_variants(m, learner).items()}
            create_workspace(folder=out / learner, learner=learner, notebooks=plain, variants=issued[learner])
    entry = {
        "number": len(record["releases"]) + 1,
        "date": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "course_version": __version__,
        "modules": [{**_module_record(by_name[name], digest, catalogue), "exam": exam} for name, digest in written.items()],
        "shared": shared,
        "learners": issued,
    }
    record["releases"].append(entry)
    (out / MANIFEST).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return entry


def check_release(*, source: Path, out: Path, modules: list[str] | None = None) -> dict[str, str]:
    """``{notebook: "up to date" | "out of date" | "never released"}`` for the chosen modules; writes nothing.

    "Never released" means no release in ``out``'s record includes the module; "out of date" means
    it was released but its student copy is missing or would now differ.
    """
    from course.instructor.identity import issued_variants

    record = read_record(out)
    released = {m["module"] for rel in record["releases"] for m in rel.get("modules", [])}
    status: dict[str, str] = {}
    for nb_path in sources(source):
        module = nb_path.name[:2]
        if modules is not None and module not in modules:
            continue
        if module not in released:
            status[nb_path.name] = "never released"
            continue
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        text = dumps(_stamper(None, issued_variants(module, None))(student_copy(nb, nb_path.name), nb_path.name))
        target = Path(out) / nb_path.name
        same = target.is_file() and target.read_text(encoding="utf-8") == text
        status[nb_path.name] = "up to date" if same else "out of date"
    if modules:
        unknown = sorted(set(modules) - {p.name[:2] for p in sources(source)})
        if unknown:
            raise ReleaseError(f"No notebook for module(s) {', '.join(unknown)}; available: "
                               f"{', '.join(p.name[:2] for p in sources(source))}.")
    return status
