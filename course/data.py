"""Where the course's data lives, and where each file came from.

This is the only module that knows the location of ``data/``. Every file there is listed in
``data/manifest.json`` with its source and checksum; :func:`load` reads a file by its short
name and :func:`info` returns its provenance, so a number in a notebook can always be traced.

Examples
--------
>>> from course import info
>>> info("article").publisher
'none given'
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["Provenance", "available", "data_dir", "info", "load", "path"]

MANIFEST = "manifest.json"


def data_dir() -> Path:
    """Return the data folder: the copy inside an installed wheel, else the checkout's ``data/``."""
    override = os.environ.get("COURSE_DATA_DIR")
    if override:
        return Path(override)
    here = Path(__file__).resolve().parent
    packaged = here / "_data"
    if (packaged / MANIFEST).is_file():
        return packaged
    return here.parent / "data"


@dataclass(frozen=True)
class Provenance:
    """Where a data file came from: what it is, who published it, when, where, and under what licence."""

    name: str
    path: str
    description: str
    publisher: str
    title: str
    date: str
    url: str
    licence: str
    sha256: str
    generated_by: str | None = None
    synthetic: bool = False
    period: str = ""
    gathered: str = ""

    def as_of(self) -> str:
        """What time the data cover and when they were gathered: a number is only as current as this."""
        return f"period: {self.period}; gathered: {self.gathered}"

    def citation(self) -> str:
        """One line a learner can paste under a chart or a claim, with the period covered and when it was gathered."""
        parts = [self.publisher, f"“{self.title}”", self.date]
        if self.url:
            parts.append(self.url)
        text = ", ".join(p for p in parts if p)
        if self.period or self.gathered:
            text += f"; {self.as_of()}"
        return f"{text} [synthetic]" if self.synthetic else text

    def __str__(self) -> str:
        lines = [
            f"{self.name}: {self.description}",
            f"  source:   {self.citation()}",
            f"  period:   {self.period}",
            f"  gathered: {self.gathered}",
            f"  licence:  {self.licence}",
            f"  file:     data/{self.path}",
        ]
        if self.generated_by:
            lines.append(f"  made by:  {self.generated_by}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from html import escape

        rows = [
            ("what", self.description),
            ("source", self.citation()),
            ("period", self.period),
            ("gathered", self.gathered),
            ("licence", self.licence),
            ("file", f"data/{self.path}"),
        ]
        if self.generated_by:
            rows.append(("made by", self.generated_by))
        body = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>{escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table><caption style='text-align:left'><b>{escape(self.name)}</b></caption>{body}</table>"


@lru_cache(maxsize=4)
def _manifest(folder: str) -> dict[str, dict[str, Any]]:
    manifest = Path(folder) / MANIFEST
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except FileNotFoundError:
        raise FileNotFoundError(
            f"The course data manifest is missing ({manifest}). Reinstall the course "
            "(pip install reading-the-ranks) or restore data/ from the repository."
        ) from None
    return {entry["name"]: entry for entry in entries}


def _entry(name: str) -> dict[str, Any]:
    if not isinstance(name, str):
        raise TypeError(f"A data name is a string such as 'article'; got {type(name).__name__}.")
    entries = _manifest(str(data_dir()))
    if name not in entries:
        close = difflib.get_close_matches(name, entries, n=3)
        suggestion = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(
            f"There is no data file called {name!r}.{suggestion} "
            f"Available: {', '.join(sorted(entries))}."
        )
    return entries[name]


def available() -> list[str]:
    """Names of every data file, sorted, as :func:`load` accepts them."""
    return sorted(_manifest(str(data_dir())))


def path(name: str) -> Path:
    """The file behind ``name``; for tools that need a path, not for notebooks."""
    return data_dir() / _entry(name)["path"]


def info(name: str) -> Provenance:
    """Provenance of the data file ``name``: description, source, licence, checksum."""
    e = _entry(name)
    src = e.get("source", {})
    return Provenance(
        name=e["name"],
        path=e["path"],
        description=e["description"],
        publisher=src.get("publisher", ""),
        title=src.get("title", ""),
        date=src.get("date", ""),
        url=src.get("url", ""),
        licence=e.get("licence", ""),
        sha256=e.get("sha256", ""),
        generated_by=e.get("generated_by"),
        synthetic=bool(e.get("synthetic", False)),
        period=e.get("period", ""),
        gathered=e.get("gathered", ""),
    )


@lru_cache(maxsize=64)
def _parsed(p: str, mtime_ns: int, size: int) -> Any:
    """A data file parsed once per version of it (the key changes when the file does)."""
    suffix = Path(p).suffix.lower()
    if suffix == ".csv":
        import pandas as pd

        return pd.read_csv(p, keep_default_na=False, na_values=[""])
    text = Path(p).read_text(encoding="utf-8")
    return json.loads(text) if suffix == ".json" else text


def load(name: str) -> Any:
    """Read the data file ``name``: text as ``str``, CSV as a DataFrame, JSON as Python objects.

    Each call returns a fresh object, so a learner who edits a table cannot corrupt anyone
    else's copy (or their own next load). Files are parsed once and copied after that, so code
    that loads a table inside a loop stays fast.
    """
    p = path(name)
    try:
        st = p.stat()
    except FileNotFoundError:
        st = None
    if st is None or not p.is_file():
        raise FileNotFoundError(
            f"The data file for {name!r} is listed but missing at {p}. "
            "Restore it with `git checkout -- data/` or reinstall the course."
        )
    value = _parsed(str(p), st.st_mtime_ns, st.st_size)
    if isinstance(value, str):
        return value
    if hasattr(value, "copy") and not isinstance(value, (dict, list)):
        return value.copy(deep=True)
    return copy.deepcopy(value)


def sha256(p: Path) -> str:
    """Hex SHA-256 of a file's bytes, as the manifest records it."""
    return hashlib.sha256(p.read_bytes()).hexdigest()


def problems(folder: Path | None = None) -> list[str]:
    """Every way ``data/`` disagrees with its manifest: unlisted, missing or changed files."""
    folder = folder or data_dir()
    entries = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    found = []
    listed = set()
    names = set()
    required = ("name", "path", "description", "source", "period", "gathered", "licence", "sha256")
    for e in entries:
        missing = [k for k in required if not e.get(k)]
        if missing:
            found.append(f"{e.get('path', e)}: manifest entry lacks {', '.join(missing)}")
            continue
        if e["name"] in names:
            found.append(f"{e['path']}: duplicate name {e['name']!r}")
        names.add(e["name"])
        src = e["source"]
        for k in ("publisher", "title", "date", "url"):
            if k not in src:
                found.append(f"{e['path']}: source lacks {k!r} (write 'none given' if there is none)")
        listed.add(e["path"])
        f = folder / e["path"]
        if not f.is_file():
            found.append(f"{e['path']}: listed in the manifest but missing")
        elif sha256(f) != e["sha256"]:
            found.append(f"{e['path']}: checksum differs from the manifest (refresh it in a dedicated commit)")
    exempt = {MANIFEST, "README.md"}
    for f in sorted(folder.rglob("*")):
        rel = f.relative_to(folder).as_posix()
        if f.is_file() and rel not in listed and rel not in exempt and "__pycache__" not in rel:
            if not rel.endswith(".py"):
                found.append(f"{rel}: not listed in the manifest")
    return found


def _rehash(folder: Path) -> None:
    """Maintainer tool: rewrite the sha256 of every listed file (``python -m course.data rehash``)."""
    m = folder / MANIFEST
    doc = json.loads(m.read_text(encoding="utf-8"))
    for e in doc["files"]:
        f = folder / e["path"]
        if f.is_file():
            e["sha256"] = sha256(f)
    doc["files"].sort(key=lambda e: e["path"])
    m.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _manifest.cache_clear()


if __name__ == "__main__":  # pragma: no cover - maintainer entry point
    folder = data_dir()
    if sys.argv[1:] == ["rehash"]:
        _rehash(folder)
    issues = problems(folder)
    print("\n".join(issues) or "data/ matches its manifest")
    sys.exit(1 if issues else 0)
