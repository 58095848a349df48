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
are reported, never silently skipped.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Submission", "find_submissions"]

_MODULE = re.compile(r"(?<![0-9])(\d\d)-[a-z0-9-]+\.ipynb$")
_CANVAS = re.compile(r"^(?:late_)?([^_]+)_(?:LATE_)?\d+_\d+_(.+)$")


@dataclass(frozen=True)
class Submission:
    """One file handed in: who, which module, where it is (``module`` is None when unknown)."""

    learner: str
    module: str | None
    path: Path

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


def _learner_from_file(name: str) -> tuple[str, str]:
    m = _CANVAS.match(name)
    if m:
        return m.group(1), m.group(2)
    for sep in ("__", "_"):
        head, found, tail = name.partition(sep)
        if found and _module_of(tail):
            return head, tail
    return Path(name).stem, name


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
            learner = folder.split("_assignsubmission")[0] if "_assignsubmission" in folder else folder
            name = path.name
        else:
            learner, name = _learner_from_file(path.name)
        found.append(Submission(_safe(learner), _module_of(name), path))
    return found, skipped
