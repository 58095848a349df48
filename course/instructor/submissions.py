"""Find learners' submissions in whatever shape an instructor collected them, whatever the files are.

Accepted layouts (mixable in one folder):

1. **A folder per learner**: ``SUBMISSIONS/<learner id>/00-start-here.ipynb``.
2. **Notebooks named by learner**: ``SUBMISSIONS/<learner id>__00-start-here.ipynb`` (two
   underscores) or ``SUBMISSIONS/<learner id>_00-start-here.ipynb``.
3. **An LMS zip export** (``SUBMISSIONS`` is a ``.zip`` or contains one): Canvas names files
   ``<name>_<user id>_<submission id>_<file name>`` (optionally with ``late_``), Moodle puts each
   learner in a folder ``<Full Name>_<id>_assignsubmission_file_``. The learner id is the Canvas
   name or the Moodle folder name up to ``_assignsubmission``.

The module of a submission is read from the file name (``NN-…``). Each submission carries when it
was handed in (the archive entry's time, else the file's modification time) and what the LMS says
of it (Canvas user and submission ids and its late mark, Moodle's participant number), so the
gradebook can tell which of several submissions counts.

Nothing stops the batch and nothing is dropped: every file found, in a folder or an archive,
becomes a :class:`Submission` or a :class:`Skipped` with the reason — a file that is not a
notebook, an archive entry whose name points outside the archive, an archive nested too deep,
too large or with too many entries, a file name that is not valid UTF-8 (kept, and shown with
its undecodable bytes replaced and a tag that keeps it apart). Learner ids are never merged:
two names that differ only in case, spaces, hyphens or Unicode form are reported as a
:data:`look-alike <Collision>` pair and graded apart.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["Collision", "Limits", "Skipped", "Submission", "find_submissions"]

_MODULE = re.compile(r"(?<![0-9])(\d\d)-[a-z0-9-]+\.ipynb$")
_CANVAS = re.compile(r"^(?P<late1>late_)?(?P<name>[^_]+)_(?P<late2>LATE_)?(?P<user>\d+)_(?P<sub>\d+)_(?P<file>.+)$")
_MOODLE = re.compile(r"^(?P<name>.+)_(?P<participant>\d+)_assignsubmission_(?:file|onlinetext)_?$")


@dataclass(frozen=True)
class Limits:
    """Bounds on what is read from archives: nesting, entries, bytes per entry and in all."""

    depth: int = 3
    entries: int = 20_000
    entry_bytes: int = 64 * 1024 * 1024
    total_bytes: int = 2 * 1024 * 1024 * 1024


@dataclass(frozen=True)
class Submission:
    """One file handed in: who, which module, where it is (``module`` is None when unknown)."""

    learner: str
    module: str | None
    path: Path
    submitted_at: str | None = None  # ISO 8601, UTC
    lms: dict[str, Any] = field(default_factory=dict, compare=False)
    name: str = ""  # the file name as shown (undecodable bytes replaced); defaults to the path's

    @property
    def key(self) -> str:
        """A stable identifier for the gradebook: learner and file name."""
        return f"{self.learner}/{self.name or _shown(self.path.name)}"


@dataclass(frozen=True)
class Skipped:
    """A file found but not graded, and why (its name as shown, relative to what was given)."""

    name: str
    reason: str
    learner: str = ""

    def __iter__(self):  # unpacks as (name, reason), as callers of the first version expect
        return iter((self.name, self.reason))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, tuple):
            return (self.name, self.reason) == other
        return isinstance(other, Skipped) and (self.name, self.reason, self.learner) == (other.name, other.reason, other.learner)

    def __hash__(self) -> int:
        return hash((self.name, self.reason))


@dataclass(frozen=True)
class Collision:
    """Two learner names that look alike (case, spaces, hyphens, Unicode form) but are not the same: graded apart."""

    first: str
    second: str

    def __str__(self) -> str:
        return (f"learner names {self.first!r} and {self.second!r} look alike; they are graded as two learners — "
                "check whether they are one person")


def _shown(name: str) -> str:
    """A file or folder name as text: itself if it is valid UTF-8, else with its bad bytes replaced and a tag."""
    raw = os.fsencode(name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace") + "~" + hashlib.sha256(raw).hexdigest()[:6]


def _learner_id(name: str) -> str:
    """A learner id as given (trimmed), made valid text; never merged with another."""
    shown = _shown(name).strip()
    return shown or "unknown"


def _lookalike(learner: str) -> str:
    return re.sub(r"[\s_\-.]+", "", unicodedata.normalize("NFKC", learner).casefold())


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


class _Reader:
    """One pass over what was handed in, with the archive bounds and everything it could not use."""

    def __init__(self, scratch: Path, limits: Limits):
        self.scratch, self.limits = scratch, limits
        self.found: list[Submission] = []
        self.skipped: list[Skipped] = []
        self.extracted = 0
        self.archives = 0

    def extract(self, archive: Path, shown: str, depth: int) -> Path | None:
        """Unpack an archive into the scratch folder (bounded); None if it cannot be used at all."""
        if depth > self.limits.depth:
            self.skipped.append(Skipped(shown, f"an archive nested more than {self.limits.depth} deep (not opened)"))
            return None
        self.archives += 1
        target = self.scratch / f"archive-{self.archives}"
        try:
            with zipfile.ZipFile(archive) as z:
                infos = z.infolist()
                if len(infos) > self.limits.entries:
                    self.skipped.append(Skipped(shown, f"an archive of {len(infos):,} entries, more than "
                                                       f"{self.limits.entries:,} (not opened)"))
                    return None
                for info in infos:
                    self._entry(z, info, target, shown)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError) as exc:
            self.skipped.append(Skipped(shown, f"a damaged or unreadable archive ({type(exc).__name__}: {exc})"[:300]))
            return None
        return target

    def _entry(self, z: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, shown: str) -> None:
        name = info.filename
        where = f"{shown}!{name}"
        if info.is_dir():
            return
        parts = [p for p in re.split(r"[\\/]+", name) if p not in ("", ".")]
        if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name) or not parts:
            self.skipped.append(Skipped(where, "an archive entry whose name points outside the archive (not extracted)"))
            return
        if info.file_size > self.limits.entry_bytes:
            self.skipped.append(Skipped(where, f"{info.file_size:,} bytes, more than {self.limits.entry_bytes:,} "
                                               "(not extracted)"))
            return
        if self.extracted + info.file_size > self.limits.total_bytes:
            self.skipped.append(Skipped(where, f"the archives hold more than {self.limits.total_bytes:,} bytes in all "
                                               "(not extracted)"))
            return
        dest = target.joinpath(*parts)
        dest.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with z.open(info) as src, open(dest, "wb") as out:  # the declared size may lie: count what really comes out
            while chunk := src.read(1 << 20):
                written += len(chunk)
                if written > self.limits.entry_bytes:
                    break
                out.write(chunk)
        if written > self.limits.entry_bytes:
            dest.unlink()
            self.skipped.append(Skipped(where, f"expands past {self.limits.entry_bytes:,} bytes (not extracted)"))
            return
        self.extracted += written
        try:  # the entry's own time is when it was handed in
            stamp = datetime(*info.date_time, tzinfo=timezone.utc).timestamp()
            os.utime(dest, (stamp, stamp))
        except (ValueError, OverflowError, OSError):
            pass

    def walk(self, root: Path, prefix: str, depth: int) -> None:
        for path in sorted(root.rglob("*"), key=lambda p: os.fsencode(str(p))):
            rel = path.relative_to(root)
            shown = prefix + "/".join(_shown(p) for p in rel.parts)
            owner = _learner_id(rel.parts[0]) if len(rel.parts) > 1 else ""
            if path.is_symlink():
                self.skipped.append(Skipped(shown, "a link, not a file (not followed)", owner))
                continue
            if not path.is_file():
                continue
            if any(p.startswith(".") or p == "__MACOSX" for p in rel.parts):
                self.skipped.append(Skipped(shown, "a hidden or system file (its name starts with '.'); not graded", owner))
                continue
            if path.suffix.lower() == ".zip":
                inner = self.extract(path, shown, depth + 1) if zipfile.is_zipfile(path) else None
                if inner is not None:
                    self.walk(inner, shown + "!", depth + 1)
                elif not zipfile.is_zipfile(path):
                    self.skipped.append(Skipped(shown, "named .zip but not a zip archive"))
                continue
            if path.suffix != ".ipynb":
                self.skipped.append(Skipped(shown, "not a notebook (.ipynb)", owner))
                continue
            self.add(path, rel)

    def add(self, path: Path, rel: Path) -> None:
        if len(rel.parts) >= 2:
            folder = rel.parts[0]
            m = _MOODLE.match(_shown(folder))
            lms = {"lms": "moodle", "participant": m["participant"], "full_name": m["name"]} if m else {}
            learner = _shown(folder).split("_assignsubmission")[0] if "_assignsubmission" in _shown(folder) else folder
            name = _shown(path.name)
            if not lms:  # a Canvas-named file inside a learner folder still carries its ids
                _, plain, canvas = _learner_from_file(name)
                if canvas:
                    name, lms = plain, canvas
        else:
            learner, name, lms = _learner_from_file(_shown(path.name))
        self.found.append(Submission(_learner_id(learner), _module_of(name), path, _when(path), lms, name=_shown(path.name)))


def find_submissions(root: Path, *, scratch: Path, limits: Limits = Limits()) -> tuple[list[Submission], list[Skipped]]:
    """All submissions under ``root`` (a folder or a zip), and everything else found there, each with why.

    Zip archives are extracted into ``scratch``, within ``limits``. :func:`collisions` lists learner
    names that look alike.
    """
    root = Path(root)
    if not root.exists():
        raise FileNotFoundError(f"{root} does not exist: pass the folder (or .zip) of collected submissions.")
    reader = _Reader(Path(scratch), limits)
    if root.is_file():
        if not zipfile.is_zipfile(root):
            raise ValueError(f"{root} is a file but not a zip archive: pass a folder or an LMS .zip export.")
        inner = reader.extract(root, _shown(root.name), 1)
        if inner is not None:
            reader.walk(inner, "", 1)
    else:
        reader.walk(root, "", 0)
    keys: dict[str, Submission] = {}
    unique: list[Submission] = []
    for sub in reader.found:  # the same learner and file name twice (two archives, say): both kept, told apart
        if sub.key in keys:
            tag = hashlib.sha256(os.fsencode(str(sub.path))).hexdigest()[:6]
            sub = Submission(sub.learner, sub.module, sub.path, sub.submitted_at, sub.lms, name=f"{sub.name}~{tag}")
        keys[sub.key] = sub
        unique.append(sub)
    return unique, reader.skipped


def collisions(submissions: list[Submission]) -> list[Collision]:
    """Pairs of learner ids that differ only in case, spacing, hyphens or Unicode form (graded apart, reported)."""
    seen: dict[str, str] = {}
    out: list[Collision] = []
    for learner in sorted({s.learner for s in submissions}):
        key = _lookalike(learner)
        if key in seen and seen[key] != learner:
            out.append(Collision(seen[key], learner))
        seen.setdefault(key, learner)
    return out
