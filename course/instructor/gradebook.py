"""The gradebook: an SQLite file (standard library) that records every graded submission.

Each submission is one transaction: its row, its per-question results and its flags are written
together or not at all, so a killed run never leaves half a grade. A submission is identified by
its learner, file and content hash: unchanged files are not graded again.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from html import escape
from pathlib import Path
from typing import Any

__all__ = ["Gradebook", "export"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
  key TEXT PRIMARY KEY, learner TEXT NOT NULL, module TEXT NOT NULL, sha256 TEXT NOT NULL,
  status TEXT NOT NULL, reason TEXT NOT NULL, flags TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS results (
  key TEXT NOT NULL, qid TEXT NOT NULL, status TEXT NOT NULL, points REAL NOT NULL,
  max_points REAL NOT NULL, message TEXT NOT NULL, text TEXT,
  PRIMARY KEY (key, qid));
"""


class Gradebook:
    """Read and write the gradebook file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def has(self, key: str, sha256: str) -> bool:
        """True when this exact file was already graded."""
        with self._connect() as db:
            row = db.execute("SELECT sha256 FROM submissions WHERE key = ?", (key,)).fetchone()
        return row is not None and row[0] == sha256

    def digests(self) -> dict[str, str]:
        """The content hash of every graded file, by key (one query, however many submissions)."""
        with self._connect() as db:
            return dict(db.execute("SELECT key, sha256 FROM submissions"))

    def record(self, learner: str, module: str, key: str, sha256: str, result: dict[str, Any]) -> None:
        """Replace this submission's record with ``result``, in one transaction."""
        with self._connect() as db:
            db.execute("DELETE FROM results WHERE key = ?", (key,))
            db.execute("INSERT OR REPLACE INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (key, learner, module, sha256, result["status"], result.get("reason", ""),
                        json.dumps(sorted(result.get("flags", [])))))
            db.executemany("INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [(key, r["qid"], r["status"], r["points"], r["max_points"], r["message"], r.get("text"))
                            for r in result.get("results", [])])

    def submissions(self) -> list[dict[str, Any]]:
        """Every submission's row, sorted by learner and file."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM submissions ORDER BY learner, key")]

    def results(self, key: str) -> list[dict[str, Any]]:
        """One submission's per-question results, in question order."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = [dict(r) for r in db.execute("SELECT * FROM results WHERE key = ?", (key,))]
        return sorted(rows, key=lambda r: [int(x) for x in r["qid"].split(".")])

    def write_feedback(self, folder: Path) -> list[Path]:
        """One HTML page per learner: each question's outcome and message, never a hidden test or answer."""
        folder.mkdir(parents=True, exist_ok=True)
        pages: dict[str, list[str]] = {}
        for sub in self.submissions():
            rows = "".join(
                f"<tr><td>{escape(r['qid'])}</td><td>{escape(r['status'])}</td><td>{r['points']:g}/{r['max_points']:g}</td>"
                f"<td>{escape(r['message'])}</td></tr>" for r in self.results(sub["key"])
            )
            note = f"<p><b>Note:</b> {escape(sub['reason'])}</p>" if sub["reason"] else ""
            pages.setdefault(sub["learner"], []).append(
                f"<h2>Module {escape(sub['module'])}: {escape(Path(sub['key']).name)}</h2>{note}"
                f"<table><tr><th>question</th><th>outcome</th><th>points</th><th>feedback</th></tr>{rows}</table>"
            )
        written = []
        for learner, sections in sorted(pages.items()):
            page = folder / f"{learner}.html"
            page.write_text(
                "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                f"<title>Feedback for {escape(learner)}</title><style>body{{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto}}"
                "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}table{border-collapse:collapse}</style>"
                f"</head><body><h1>Feedback for {escape(learner)}</h1>{''.join(sections)}</body></html>\n",
                encoding="utf-8")
            written.append(page)
        return written


def export(*, results: Path, out: Path, layout: str = "plain") -> Path:
    """Write the gradebook as CSV, one row per learner: per-question points and the total.

    ``layout="plain"``: learner, then ``<question id>`` columns, total, flags.
    ``layout="canvas"``: Canvas's gradebook import (Student, ID, then one column per module as
    ``Reading the Ranks NN`` with the module's points). ``layout="moodle"``: Moodle's grade import
    (an ``Identifier`` column matched to the user's ID number, one column per module).
    """
    from course.checks import questions

    book = Gradebook(Path(results) / "gradebook.sqlite")
    learners: dict[str, dict[str, Any]] = {}
    for sub in book.submissions():
        row = learners.setdefault(sub["learner"], {"flags": set(), "modules": {}})
        row["flags"] |= set(json.loads(sub["flags"]))
        if sub["status"] != "graded":
            row["flags"].add(f"{Path(sub['key']).name}: {sub['reason']}")
        for r in book.results(sub["key"]):
            row[r["qid"]] = r["points"]
            row["modules"][sub["module"]] = row["modules"].get(sub["module"], 0) + r["points"]
    qids = [q.id for q in questions() if q.graded and any(q.id in r for r in learners.values())]
    modules = sorted({m for r in learners.values() for m in r["modules"]})
    out = Path(out)
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        if layout == "plain":
            w.writerow(["learner", *qids, "total", "flags"])
            for learner, r in sorted(learners.items()):
                w.writerow([learner, *[r.get(q, 0) for q in qids], sum(r["modules"].values()), "; ".join(sorted(r["flags"]))])
        elif layout == "canvas":
            w.writerow(["Student", "ID", *[f"Reading the Ranks {m}" for m in modules]])
            for learner, r in sorted(learners.items()):
                w.writerow([learner, learner, *[r["modules"].get(m, 0) for m in modules]])
        elif layout == "moodle":
            w.writerow(["Identifier", *[f"Reading the Ranks {m}" for m in modules]])
            for learner, r in sorted(learners.items()):
                w.writerow([learner, *[r["modules"].get(m, 0) for m in modules]])
        else:
            raise ValueError(f"layout must be plain, canvas or moodle; got {layout!r}")
    return out
