"""The gradebook: an SQLite file (standard library) that records every graded submission, and which one counts.

Each submission is one transaction: its row, its per-question results and its flags are written
together or not at all, so a killed run never leaves half a grade. A submission is identified by
its learner, file and content hash: unchanged files are not graded again.

Several submissions of one module by one learner (a resubmission, a Canvas "-1" copy) are all
kept; the one that **counts** is the latest handed in (its time from the LMS archive or the file,
then the LMS submission id, then the file name). Totals and exports use counted submissions only,
so nothing is counted twice. The schema is versioned (``meta.schema_version``); opening an older
gradebook migrates it in place, keeping every row.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA_VERSION", "Gradebook", "export", "reflections"]

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
  key TEXT PRIMARY KEY, learner TEXT NOT NULL, module TEXT NOT NULL, sha256 TEXT NOT NULL,
  status TEXT NOT NULL, reason TEXT NOT NULL, flags TEXT NOT NULL,
  submitted_at TEXT, graded_at TEXT, graded_as TEXT NOT NULL DEFAULT '', lms TEXT NOT NULL DEFAULT '{}',
  unsafe INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS results (
  key TEXT NOT NULL, qid TEXT NOT NULL, status TEXT NOT NULL, points REAL NOT NULL,
  max_points REAL NOT NULL, message TEXT NOT NULL, text TEXT, mistake TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (key, qid));
"""

# Each step takes a gradebook from version n to n + 1, in place.
_MIGRATIONS = {
    1: """
ALTER TABLE submissions ADD COLUMN submitted_at TEXT;
ALTER TABLE submissions ADD COLUMN graded_at TEXT;
ALTER TABLE submissions ADD COLUMN graded_as TEXT NOT NULL DEFAULT '';
ALTER TABLE submissions ADD COLUMN lms TEXT NOT NULL DEFAULT '{}';
ALTER TABLE submissions ADD COLUMN unsafe INTEGER NOT NULL DEFAULT 0;
ALTER TABLE results ADD COLUMN mistake TEXT NOT NULL DEFAULT '';
""",
}


def _qid_key(qid: str) -> list[int]:
    return [int(x) if x.isdigit() else 0 for x in qid.split(".")]


class Gradebook:
    """Read and write the gradebook file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        with self._connect() as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "submissions" in tables and "meta" not in tables:  # written before the schema had a version
                version = 1
            elif "meta" in tables:
                row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                version = int(row[0]) if row else SCHEMA_VERSION
            else:
                version = SCHEMA_VERSION
            if version > SCHEMA_VERSION:
                raise ValueError(f"{self.path} was written by a newer version of the course (gradebook schema "
                                 f"{version}); upgrade the course to read it.")
            fresh = "meta" not in tables or version < SCHEMA_VERSION
            while version < SCHEMA_VERSION:
                db.executescript(_MIGRATIONS[version])
                version += 1
            if fresh:  # written only when needed: opening a gradebook to read it leaves the file as it was
                db.executescript(_SCHEMA)
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    @property
    def schema_version(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])

    def digests(self) -> dict[str, str]:
        """The content hash of every graded file, by key (one query, however many submissions)."""
        with self._connect() as db:
            return dict(db.execute("SELECT key, sha256 FROM submissions"))

    def record(self, learner: str, module: str, key: str, sha256: str, result: dict[str, Any], *,
               submitted_at: str | None = None, graded_as: str = "", lms: dict[str, Any] | None = None,
               unsafe: bool = False, graded_at: str | None = None) -> None:
        """Replace this submission's record with ``result``, in one transaction (``graded_at``: now, unless given)."""
        self.record_many([{"learner": learner, "module": module, "key": key, "sha256": sha256, "result": result,
                           "submitted_at": submitted_at, "graded_as": graded_as, "lms": lms, "unsafe": unsafe,
                           "graded_at": graded_at}])

    def record_many(self, entries: list[dict[str, Any]]) -> None:
        """Several submissions' records in one transaction; each entry holds :meth:`record`'s arguments by name.

        Each submission is still written whole or not at all; a grader that receives results faster
        than one commit each writes those that arrived together at once (see ``benchmarks/bench_cluster.py``).
        """
        now = datetime.now().astimezone().isoformat(timespec="seconds")
        with self._connect() as db:
            for e in entries:
                key, result = e["key"], e["result"]
                db.execute("DELETE FROM results WHERE key = ?", (key,))
                db.execute("INSERT OR REPLACE INTO submissions (key, learner, module, sha256, status, reason, flags, "
                           "submitted_at, graded_at, graded_as, lms, unsafe) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (key, e["learner"], e["module"], e["sha256"], result["status"], result.get("reason", ""),
                            json.dumps(sorted(result.get("flags", []))), e.get("submitted_at"), e.get("graded_at") or now,
                            e.get("graded_as", ""), json.dumps(e.get("lms") or {}, sort_keys=True), int(e.get("unsafe", False))))
                db.executemany("INSERT INTO results (key, qid, status, points, max_points, message, text, mistake) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               [(key, r["qid"], r["status"], r["points"], r["max_points"], r["message"], r.get("text"),
                                 r.get("mistake", "")) for r in result.get("results", [])])

    def submissions(self) -> list[dict[str, Any]]:
        """Every submission's row, sorted by learner and file, each with ``counted`` (True for the one that counts)."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = [dict(r) for r in db.execute("SELECT * FROM submissions ORDER BY learner, key")]
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:
            row["counted"] = False
            slot = (row["learner"], row["module"])
            if slot not in latest or _order(row) > _order(latest[slot]):
                latest[slot] = row
        for row in latest.values():
            row["counted"] = True
        return rows

    def counted(self) -> list[dict[str, Any]]:
        """The submission that counts for each learner and module (the latest handed in)."""
        return [r for r in self.submissions() if r["counted"]]

    def results(self, key: str) -> list[dict[str, Any]]:
        """One submission's per-question results, in question order."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = [dict(r) for r in db.execute("SELECT * FROM results WHERE key = ?", (key,))]
        return sorted(rows, key=lambda r: _qid_key(r["qid"]))

    def frames(self):
        """``(submissions, results)`` as two pandas DataFrames, each read in one pass: for a report over a whole
        class (``results()`` reads one submission at a time). ``submissions`` has the ``counted`` column."""
        import pandas as pd

        subs = pd.DataFrame(self.submissions(), columns=["key", "learner", "module", "sha256", "status", "reason", "flags",
                                                         "submitted_at", "graded_at", "graded_as", "lms", "unsafe",
                                                         "counted"])
        with self._connect() as db:
            res = pd.read_sql_query("SELECT key, qid, status, points, max_points, message, text, mistake FROM results", db)
        return subs, res

    def labels(self) -> dict[str, str]:
        """Labels kept with the gradebook besides its schema version (e.g. ``synthetic`` for a simulated class)."""
        with self._connect() as db:
            return {k: v for k, v in db.execute("SELECT key, value FROM meta") if k != "schema_version"}

    def label(self, key: str, value: str) -> None:
        """Keep a label with the gradebook (``synthetic``: what simulated it), shown by whatever reads it."""
        if key == "schema_version":
            raise ValueError("schema_version is the gradebook's own; choose another label")
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def write_feedback(self, folder: Path) -> list[Path]:
        """One HTML page per learner: each question's outcome and message, never a hidden test or answer."""
        folder.mkdir(parents=True, exist_ok=True)
        pages: dict[str, list[str]] = {}
        for sub in self.submissions():
            note = f"<p><b>Note:</b> {escape(sub['reason'])}</p>" if sub["reason"] else ""
            which = "this is the submission that counts" if sub["counted"] else "a later submission counts instead"
            pages.setdefault(sub["learner"], []).append(
                f"<h2>Module {escape(sub['module'])}: {escape(Path(sub['key']).name)}</h2>"
                f"<p>Handed in {escape(sub['submitted_at'] or 'at an unknown time')}; {which}.</p>{note}"
                f"{feedback_table(self.results(sub['key']))}"
            )
        written = []
        for learner, sections in sorted(pages.items()):
            page = folder / f"{_file_name(learner)}.html"
            page.write_text(feedback_page(f"Feedback for {learner}", "".join(sections)), encoding="utf-8")
            written.append(page)
        return written


def feedback_table(results: list[dict[str, Any]]) -> str:
    """One submission's results as an HTML table: each question's outcome, points and message (never an answer)."""
    rows = "".join(
        f"<tr><th scope='row'>{escape(r['qid'])}</th><td>{escape(r['status'])}</td>"
        f"<td>{r['points']:g}/{r['max_points']:g}</td><td>{escape(r['message'])}</td></tr>"
        for r in results
    )
    return ("<table><caption>Each question's outcome and feedback</caption>"
            "<tr><th scope='col'>question</th><th scope='col'>outcome</th><th scope='col'>points</th>"
            f"<th scope='col'>feedback</th></tr>{rows}</table>")


def feedback_page(title: str, body: str) -> str:
    """A whole feedback page: ``title`` as its heading, ``body`` (HTML, already escaped) below it."""
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title><style>body{{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto}}"
            "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}table{border-collapse:collapse}"
            "caption{text-align:left;font-weight:bold}</style>"
            f"</head><body><main><h1>{escape(title)}</h1>{body}</main></body></html>\n")


def _order(row: dict[str, Any]) -> tuple:
    """Which of one learner's submissions of a module is the latest handed in."""
    lms = json.loads(row.get("lms") or "{}")
    sub_id = int(lms["submission_id"]) if str(lms.get("submission_id", "")).isdigit() else -1
    return (row.get("submitted_at") or "", sub_id, _attempt(row["key"]), row["key"])


def _attempt(key: str) -> int:
    """The number an LMS appends to a re-uploaded file (``…-here-1.ipynb`` is attempt 1; none is 0)."""
    m = re.search(r"-(\d+)\.ipynb$", key)
    return int(m.group(1)) if m else 0


def _file_name(learner: str) -> str:
    cleaned = re.sub(r"[^\w.@-]+", "-", learner).strip("-.")
    return cleaned or "learner"


def _late(row: dict[str, Any], deadline: datetime | None) -> bool:
    lms = json.loads(row.get("lms") or "{}")
    if lms.get("late"):
        return True
    if deadline is None or not row.get("submitted_at"):
        return False
    when, limit = datetime.fromisoformat(row["submitted_at"]), deadline
    # a time without a zone is local time (what an instructor types for a deadline)
    return (when if when.tzinfo else when.astimezone()) > (limit if limit.tzinfo else limit.astimezone())


def export(*, results: Path, out: Path, layout: str = "plain", deadline: datetime | None = None,
           template: Path | None = None, roster: Path | None = None, columns: dict[str, str] | None = None,
           module: str | None = None, feedback_zip: Path | None = None) -> Path:
    """Write the gradebook as CSV, one row per learner, from the submission that counts for each module.

    ``layout="plain"``: learner, then ``<question id>`` columns, total (the sum of those columns),
    late modules, flags. ``layout="canvas"`` or ``"moodle"``: the LMS's own file, ``template`` (a
    Canvas gradebook export, a Moodle grading worksheet), filled with each module's points; see
    :func:`course.instructor.lms.fill` (which also returns the summary of what it could not place)
    for ``roster``, ``columns``, ``module`` and ``feedback_zip``.
    """
    if layout in ("canvas", "moodle"):
        from course.instructor.lms import fill

        return fill(lms=layout, results=results, template=template, out=out, roster=roster, columns=columns,
                    module=module, feedback_zip=feedback_zip).out
    if layout != "plain":
        raise ValueError(f"layout must be plain, canvas or moodle; got {layout!r}")
    from course.checks import questions

    book = Gradebook(Path(results) / "gradebook.sqlite")
    learners: dict[str, dict[str, Any]] = {}
    for sub in book.submissions():
        row = learners.setdefault(sub["learner"], {"flags": set(), "points": {}, "late": set()})
        if not sub["counted"]:
            row["flags"].add(f"{Path(sub['key']).name}: not counted (a later submission of module {sub['module']} counts)")
            continue
        row["flags"] |= set(json.loads(sub["flags"]))
        if sub["unsafe"]:
            row["flags"].add(f"{Path(sub['key']).name}: graded without the sandbox")
        if sub["status"] != "graded":
            row["flags"].add(f"{Path(sub['key']).name}: {sub['reason']}")
        if _late(sub, deadline):
            row["late"].add(sub["module"])
        for r in book.results(sub["key"]):
            row["points"][r["qid"]] = r["points"]
    qids = [q.id for q in questions() if q.graded and any(q.id in r["points"] for r in learners.values())]
    out = Path(out)
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["learner", *qids, "total", "late", "flags"])
        for learner, r in sorted(learners.items()):
            points = [r["points"].get(q, 0) for q in qids]
            w.writerow([learner, *points, sum(points), " ".join(sorted(r["late"])), "; ".join(sorted(r["flags"]))])
    return out


# --- the written reflections ---------------------------------------------------------------------


def rubric(qid: str, guide: str) -> str:
    """What the instructor guide says about marking reflection ``qid``: its bullet, and any detailed section naming it."""
    module = qid.split(".")[0]
    blocks = [b.strip() for b in re.split(r"\n(?=- \*\*)|\n\s*\n", guide) if b.strip()]
    exact = [b for b in blocks if re.search(rf"(?<![\d.]){re.escape(qid)}(?![\d])", b)]
    if exact:
        return "\n\n".join(exact)
    by_module = [b for b in blocks if b.startswith(f"- **{module} ")]
    return "\n\n".join(by_module)


def reflections(*, results: Path, out: Path, guide: Path | None = None) -> tuple[Path, Path]:
    """Every written answer (from the submissions that count), per question and learner, with word counts:
    ``reflections.html`` (with each question's rubric from the instructor guide beside it) and ``reflections.csv``."""
    from course.checks import questions

    book = Gradebook(Path(results) / "gradebook.sqlite")
    prompts = {q.id: q for q in questions() if not q.graded}
    guide_text = guide.read_text(encoding="utf-8") if guide is not None and Path(guide).is_file() else ""
    found: dict[str, list[dict[str, Any]]] = {}
    for sub in book.counted():
        for r in book.results(sub["key"]):
            if r["qid"] in prompts:
                text = r["text"] or ""
                found.setdefault(r["qid"], []).append({"learner": sub["learner"], "status": r["status"],
                                                       "words": len(text.split()), "text": text})
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = out / "reflections.csv"
    with table.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["question", "learner", "words", "status", "text"])
        for qid in sorted(found, key=_qid_key):
            for a in sorted(found[qid], key=lambda a: a["learner"]):
                w.writerow([qid, a["learner"], a["words"], a["status"], a["text"]])
    sections = []
    for qid in sorted(found, key=_qid_key):
        q = prompts[qid]
        marks = rubric(qid, guide_text) if guide_text else ""
        rubric_html = (f"<aside aria-label='Rubric for {escape(qid)}'><h3>Rubric</h3><pre>{escape(marks)}</pre></aside>"
                       if marks else "<aside><h3>Rubric</h3><p>See the instructor guide (not found here).</p></aside>")
        answers = "".join(
            f"<article><h3>{escape(a['learner'])} <small>({a['words']} words{'' if a['status'] == 'submitted' else ', ' + escape(a['status'])})</small></h3>"
            f"<p>{escape(a['text']) or '<i>no answer</i>'}</p></article>"
            for a in sorted(found[qid], key=lambda a: a["learner"]))
        sections.append(f"<section><h2>{escape(qid)}: {escape(q.prompt)}</h2><p>At least {q.min_words} words asked.</p>"
                        f"<div class='pair'>{rubric_html}<div>{answers}</div></div></section>")
    page = out / "reflections.html"
    page.write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Written reflections</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:75em}.pair{display:grid;"
        "grid-template-columns:minmax(16em,1fr) 2fr;gap:1.5em}aside{background:#f6f6f6;padding:0 1em}"
        "pre{white-space:pre-wrap;font-family:inherit}article{border-bottom:1px solid #ddd}</style></head>"
        f"<body><main><h1>Written reflections</h1><p>{sum(len(v) for v in found.values())} answers to {len(found)} "
        "questions, from the submission that counts for each learner. Also in reflections.csv.</p>"
        f"{''.join(sections) or '<p>No written answers yet.</p>'}</main></body></html>\n", encoding="utf-8")
    return page, table
