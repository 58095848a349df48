"""Find learners' submissions in whatever shape an instructor collected them.

Accepted layouts (mixable in one folder):

1. **A folder per learner**: ``SUBMISSIONS/<learner id>/00-start-here.ipynb``.
2. **Notebooks named by learner**: ``SUBMISSIONS/<learner id>__00-start-here.ipynb`` (two
   underscores) or ``SUBMISSIONS/<learner id>_00-start-here.ipynb``.
3. **An LMS zip export** (``SUBMISSIONS`` is a ``.zip`` or contains one): Canvas names files
   ``<name>_<user id>_<submission id>_<file name>`` (optionally with ``late_``), Moodle puts each
   learner in a folder ``<Full Name>_<id>_assignsubmission_file_``. The learner id is the Canvas
   name or the Moodle folder name up to ``_assignsubmission``.

The module of a submission is read from the file name (``NN-…``). Files that are not ``.ipynb``
are reported, never silently skipped. Each submission carries when it was handed in (the archive
entry's time, else the file's modification time) and what the LMS says of it (Canvas user and
submission ids and its late mark, Moodle's participant number), so the gradebook can tell which of
several submissions counts.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["Submission", "find_submissions"]

_MODULE = re.compile(r"(?<![0-9])(\d\d)-[a-z0-9-]+\.ipynb$")
_CANVAS = re.compile(r"^(?P<late1>late_)?(?P<name>[^_]+)_(?P<late2>LATE_)?(?P<user>\d+)_(?P<sub>\d+)_(?P<file>.+)$")
_MOODLE = re.compile(r"^(?P<name>.+)_(?P<participant>\d+)_assignsubmission_(?:file|onlinetext)_?$")


@dataclass(frozen=True)
class Submission:
    """One file handed in: who, which module, where it is (``module`` is None when unknown)."""

    learner: str
    module: str | None
    path: Path
    submitted_at: str | None = None  # ISO 8601, UTC
    lms: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        """A stable identifier for the gradebook: learner and file name."""
        return f"{self.learner}/{self.path.name}"


def _safe(name: str) -> str:
    """A learner id made safe for file names, keeping it readable."""
    cleaned = re.sub(r"[^\w.@-]+", "-", name.encode("utf-8", "replace").decode("utf-8")).strip("-.")
    return cleaned or "unknown"


def _module_of(name: str) -> str | None:
    m = _MODULE.search(name)
    return m.group(1) if m else None


def _learner_from_file(name: str) -> tuple[str, str, dict[str, Any]]:
    m = _CANVAS.match(name)
    if m:
        lms = {"lms": "canvas", "user_id": m["user"], "submission_id": m["sub"], "late": bool(m["late1"] or m["late2"])}
        return m["name"], m["file"], lms
    for sep in ("__", "_"):
        head, found, tail = name.partition(sep)
        if found and _module_of(tail):
            return head, tail, {}
    return Path(name).stem, name, {}


def _when(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat(timespec="seconds")


def _extract(archive: Path, into: Path) -> Path:
    target = into / archive.stem
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            parts = Path(info.filename).parts
            if info.is_dir() or ".." in parts or info.filename.startswith("/"):
                continue  # never write outside the extraction folder
            dest = target.joinpath(*parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(z.read(info))
            try:  # the entry's own time is when it was handed in
                stamp = datetime(*info.date_time, tzinfo=timezone.utc).timestamp()
                os.utime(dest, (stamp, stamp))
            except (ValueError, OverflowError, OSError):
                pass
    return target


def find_submissions(root: Path, *, scratch: Path) -> tuple[list[Submission], list[tuple[str, str]]]:
    """All submissions under ``root`` (a folder or a zip), and the files that are not submissions, with why.

    Zip archives are extracted into ``scratch``.
    """
    root = Path(root)
    if not root.exists():
        raise FileNotFoundError(f"{root} does not exist: pass the folder (or .zip) of collected submissions.")
    if root.is_file():
        if zipfile.is_zipfile(root):
            root = _extract(root, scratch)
        else:
            raise ValueError(f"{root} is a file but not a zip archive: pass a folder or an LMS .zip export.")
    found: list[Submission] = []
    skipped: list[tuple[str, str]] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(p.startswith(".") for p in path.relative_to(root).parts):
            continue
        rel = path.relative_to(root)
        if path.suffix == ".zip" and zipfile.is_zipfile(path):
            inner, bad = find_submissions(path, scratch=scratch)
            found += inner
            skipped += bad
            continue
        if path.suffix != ".ipynb":
            skipped.append((str(rel), "not a notebook (.ipynb)"))
            continue
        if len(rel.parts) >= 2:
            folder = rel.parts[0]
            m = _MOODLE.match(folder)
            lms = {"lms": "moodle", "participant": m["participant"], "full_name": m["name"]} if m else {}
            learner = folder.split("_assignsubmission")[0] if "_assignsubmission" in folder else folder
            name = path.name
            if not lms:  # a Canvas-named file inside a learner folder still carries its ids
                _, plain, canvas = _learner_from_file(name)
                if canvas:
                    name, lms = plain, canvas
        else:
            learner, name, lms = _learner_from_file(path.name)
        found.append(Submission(_safe(learner), _module_of(name), path, _when(path), lms))
    return found, skipped
