"""The gradebook: which submission counts, totals that add up, a versioned schema, and the written answers."""

from __future__ import annotations

import csv
import sqlite3
from datetime import datetime
from pathlib import Path

from course.cli import main
from course.instructor.gradebook import SCHEMA_VERSION, Gradebook, export, reflections

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]


def _result(points: dict[str, float], text: str | None = None) -> dict:
    rows = [{"qid": q, "status": "correct" if p else "incorrect", "points": p, "max_points": 1, "message": "m"}
            for q, p in points.items()]
    if text is not None:
        rows.append({"qid": "00.4", "status": "submitted", "points": 0, "max_points": 0, "message": "saved", "text": text})
    return {"status": "graded", "reason": "", "flags": [], "results": rows}


def _table(path: Path) -> dict[str, dict[str, str]]:
    return {r["learner"]: r for r in csv.DictReader(path.read_text(encoding="utf-8").splitlines())}


def test_a_gradebook_written_by_version_one_opens_migrated_with_every_row(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    db = sqlite3.connect(path)
    db.executescript(FIXTURES.joinpath("gradebook-v1.sql").read_text(encoding="utf-8"))
    db.close()
    book = Gradebook(path)
    assert book.schema_version == SCHEMA_VERSION == 2
    rows = {r["key"]: r for r in book.submissions()}
    assert set(rows) == {"ada/00-start-here.ipynb", "ben/00-start-here.ipynb", "ben/00-start-here-1.ipynb",
                         "cleo/01-the-articles-claims.ipynb"}
    assert rows["ben/00-start-here.ipynb"]["flags"] == '["redefines check"]'
    assert book.results("ada/00-start-here.ipynb")[3]["text"].startswith("I would want to know")
    # ben handed in twice (the LMS renamed the second file ...-1): only the later one counts
    assert rows["ben/00-start-here-1.ipynb"]["counted"] and not rows["ben/00-start-here.ipynb"]["counted"]
    table = _table(export(results=tmp_path, out=tmp_path / "grades.csv"))
    assert table["ben"]["total"] == "3.0" and table["ada"]["total"] == "2.0"
    Gradebook(path)  # opening again changes nothing
    assert Gradebook(path).schema_version == 2


def test_resubmissions_count_once_and_totals_equal_the_counted_columns(tmp_path):
    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record("ada", "00", "ada/1_00-start-here.ipynb", "a", _result({"00.1": 0, "00.2": 1, "00.3": 0}),
                submitted_at="2026-11-20T10:00:00+00:00", lms={"lms": "canvas", "submission_id": "11"})
    book.record("ada", "00", "ada/2_00-start-here.ipynb", "b", _result({"00.1": 1, "00.2": 1, "00.3": 1}),
                submitted_at="2026-11-22T10:00:00+00:00", lms={"lms": "canvas", "submission_id": "12"})
    book.record("bo", "00", "bo/00-start-here.ipynb", "c", _result({"00.1": 1, "00.2": 0, "00.3": 0}),
                submitted_at="2026-11-30T10:00:00+00:00")
    plain = export(results=tmp_path, out=tmp_path / "grades.csv", deadline=datetime(2026, 11, 25, 23, 59))
    table = _table(plain)
    for learner, row in table.items():
        assert float(row["total"]) == sum(float(row[q]) for q in ("00.1", "00.2", "00.3")), learner
    assert float(table["ada"]["total"]) == 3 and "not counted" in table["ada"]["flags"]
    assert table["bo"]["late"] == "00" and table["ada"]["late"] == ""
    roster = tmp_path / "roster.csv"
    roster.write_text("learner,canvas_user_id\nada,1001\nbo,1002\n", encoding="utf-8")
    canvas = export(results=tmp_path, out=tmp_path / "c.csv", layout="canvas", roster=roster,
                    template=FIXTURES / "lms" / "canvas-gradebook-export.csv")
    by_id = {r[1]: r for r in csv.reader(canvas.read_text(encoding="utf-8-sig").splitlines())}
    assert by_id["1001"][6] == "3.00", "3 points out of 3, never 6"
    assert by_id["1002"][6] == "1.00"


def test_the_latest_handed_in_counts_whatever_the_file_names(tmp_path):
    book = Gradebook(tmp_path / "gradebook.sqlite")
    book.record("ada", "00", "ada/z_00-start-here.ipynb", "a", _result({"00.1": 1}), submitted_at="2026-11-20T10:00:00+00:00")
    book.record("ada", "00", "ada/a_00-start-here.ipynb", "b", _result({"00.1": 0}), submitted_at="2026-11-21T10:00:00+00:00")
    (counted,) = book.counted()
    assert counted["key"] == "ada/a_00-start-here.ipynb"


def test_reflections_are_readable_with_word_counts_and_the_rubric(tmp_path, capsys):
    (tmp_path / "results").mkdir()
    book = Gradebook(tmp_path / "results" / "gradebook.sqlite")
    text = "I would check who wrote it, & whether <they> name a source for the numbers they give."
    book.record("ada", "00", "ada/00-start-here.ipynb", "a", _result({"00.1": 1}, text=text))
    book.record("bo", "00", "bo/00-start-here.ipynb", "b", _result({"00.1": 1}, text="Too short."))
    page, table = reflections(results=tmp_path / "results", out=tmp_path / "r", guide=ROOT / "docs" / "instructor-guide.md")
    html = page.read_text(encoding="utf-8")
    assert "00.4" in html and "&lt;they&gt;" in html and "(17 words)" in html and "Rubric" in html
    assert "who wrote it, and why it matters" in html, "the guide's rubric for 00.4 sits beside the answers"
    rows = list(csv.DictReader(table.read_text(encoding="utf-8").splitlines()))
    assert [(r["learner"], r["words"]) for r in rows] == [("ada", "17"), ("bo", "2")]
    assert main(["reflections", str(tmp_path / "results"), "--out", str(tmp_path / "cli")]) == 0
    assert (tmp_path / "cli" / "reflections.html").is_file() and "Wrote" in capsys.readouterr().out


def test_a_newer_gradebook_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    Gradebook(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    try:
        Gradebook(path)
    except ValueError as exc:
        assert "newer version" in str(exc) and "upgrade" in str(exc)
    else:
        raise AssertionError("a gradebook from a newer version must not be opened")
