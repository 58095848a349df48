"""Grades and feedback go back into Canvas and Moodle: their own files, filled, and read back as they read them.

The templates in ``fixtures/lms/`` are shaped from each LMS's source (see its README); the
submissions downloads are built here with each LMS's file names. ``canvas_import`` and
``moodle_import`` below re-implement, from the LMS sources, how each reads an uploaded file, so
the round trip is checked against the LMS's rules, not against our own writer.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from course.checks import questions
from course.cli import main
from course.instructor.gradebook import Gradebook, export
from course.instructor.lms import fill, read_roster
from course.instructor.submissions import find_submissions

LMS = Path(__file__).parent / "fixtures" / "lms"
CANVAS = LMS / "canvas-gradebook-export.csv"
CANVAS_SEMI = LMS / "canvas-gradebook-export-semicolon.csv"
MOODLE = LMS / "Grades-RTR-Reading the Ranks 00 Start here-42.csv"
FILES = {"00": "00-start-here.ipynb", "01": "01-the-articles-claims.ipynb"}


# --- how each LMS reads an uploaded file (from its source; see fixtures/lms/README.md) ------------------


def _canvas_rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8")  # Ruby's CSV keeps a BOM in the first cell; "Student" still matches
    counts = {}
    for sep in (";", ","):  # GradebookImporter#identify_delimiter
        sizes = {len(next(csv.reader([line], delimiter=sep))) for line in text.split("\n")[:3]}
        counts[sep] = sizes.pop() if len(sizes) == 1 else 0
    sep = ";" if counts[";"] > counts[","] else ","
    lines = [line for line in text.split("\n") if line and not re.fullmatch(r"[;, ]+", line)]  # skip_lines
    return list(csv.reader(lines, delimiter=sep))


def canvas_import(path: Path, custom: tuple[str, ...] = ()) -> dict:
    """What Canvas's GradebookImporter makes of a file: points possible and grades by (user id, assignment id)."""
    rows = _canvas_rows(path)
    header = rows[0]
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1], "Invalid header row"
    columns = 3
    if re.search(r"SIS\s+Login\s+ID", header[columns - 1]):
        columns += 1
    elif re.search(r"SIS\s+User\s+ID", header[columns - 1]) and re.search(r"SIS\s+Login\s+ID", header[columns]):
        columns += 2
    columns += len(custom)
    assert "Section" in header[columns - (1 + len(custom))], "Invalid header row"
    totals = re.compile("Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade|Override")
    assignments = {}
    for name in header[columns:]:
        if name in custom or totals.search(name):
            continue
        m = re.fullmatch(r"(.*)\s\((\d+)\)", name)
        assert m, f"{name!r} would be created as a new assignment"
        assignments[m[2]] = header.index(name)

    def number(cell: str) -> str:  # the decimal_comma_to_period converter
        if re.fullmatch(r"-?[0-9.,]+%?", cell):
            *whole, last = re.split(r"[,.]", cell)
            return ".".join(["".join(whole), last]) if whole else last
        return cell

    out = {"points_possible": {}, "grades": {}}
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            out["points_possible"] = {a: number(row[i]) for a, i in assignments.items()}
        elif all(re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", c, flags=re.I) for c in row if c):
            continue
        else:
            for a, i in assignments.items():
                out["grades"][(row[1], a)] = number(row[i].strip())
    return out


def moodle_import(path: Path, feedback: str = "Feedback comments") -> dict:
    """What Moodle's offline grading worksheet upload makes of a file: (grade, feedback) by participant, and what it skips."""
    content = path.read_bytes().decode("utf-8")
    content = content.removeprefix("\ufeff")  # core_text::trim_utf8_bom
    content = re.sub(r"\r\n?", "\n", content).strip()
    rows = [r for r in csv.reader(io.StringIO(content), delimiter=",") if r != []]
    header = rows[0]
    assert all(len(r) == len(header) for r in rows), "csvweirdcolumns"
    grade, ident, modified = header.index("Grade"), header.index("Identifier"), header.index("Last modified (grade)")
    fb = header.index(feedback) if feedback in header else None
    maximum = header.index("Maximum Grade")
    out = {}
    for row in rows[1:]:
        participant = row[ident][len("Participant "):]
        value = float(row[grade]) if row[grade] != "" else None  # unformat_float, English locale
        skipped = value is None or value < 0 or value > float(row[maximum])
        out[participant] = {"grade": value, "skipped": skipped, "modified": row[modified],
                            "feedback": row[fb] if fb is not None else None}
    return out


def canvas_reupload(name: str) -> tuple[str, str]:
    """The user id and file id Canvas reads from a re-uploaded file's name (infer_comment_context_from_filename)."""
    user_id, attachment_id = [p for p in Path(name).name.split("_") if re.fullmatch(r"\d+", p)][:2]
    return user_id, attachment_id


def moodle_feedback_upload(name: str) -> tuple[str, str, str, str]:
    """Participant, plugin type, plugin name and the file name Moodle reads from a feedback zip entry."""
    parts = name.split("/")
    while parts:
        info = parts.pop(0).split("_", 4)
        if len(info) < 4 or not info[1].isdigit():
            continue
        return info[1], info[2], info[3], "/".join([info[4] if len(info) == 5 else "", *parts]).lstrip("/")
    raise AssertionError(f"Moodle finds no participant in {name!r}")


# --- a gradebook as `course grade` leaves it, from an LMS download -----------------------------------


def _result(module: str, correct: int, reason: str = "") -> dict:
    rows = []
    for q in questions(module):
        if not q.graded:
            rows.append({"qid": q.id, "status": "submitted", "points": 0, "max_points": 0, "message": "saved", "text": "…"})
            continue
        ok = correct > 0
        correct -= ok
        rows.append({"qid": q.id, "status": "correct" if ok else "incorrect", "points": q.points if ok else 0,
                     "max_points": q.points, "message": "Well done." if ok else "Count the sentences again <b>&</b>."})
    return {"status": "graded", "reason": reason, "flags": [], "results": rows}


def _graded(tmp: Path, archives: dict[str, list[tuple[str, int]]]) -> Path:
    """Grade-as-if: each archive holds (file name, questions right), handed in a day apart, in order."""
    subs = tmp / "downloads"
    subs.mkdir()
    day = 1
    for archive, entries in archives.items():
        with zipfile.ZipFile(subs / archive, "w") as z:
            for name, _ in entries:
                z.writestr(zipfile.ZipInfo(name, (2025, 12, day, 9, 0, 0)), "{}")
                day += 1
    found, skipped = find_submissions(subs, scratch=tmp / "scratch")
    assert not skipped
    right = {name: n for entries in archives.values() for name, n in entries}
    results = tmp / "results"
    results.mkdir()
    book = Gradebook(results / "gradebook.sqlite")
    for sub in found:
        shown = f"{sub.path.parent.name}/{sub.name}" if sub.lms.get("lms") == "moodle" else sub.name
        book.record(sub.learner, sub.module, sub.key, sub.key, _result(sub.module, right[shown]),
                    submitted_at=sub.submitted_at, lms=sub.lms)
    return results


def _rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    sep = ";" if text.split("\n")[0].count(";") > text.split("\n")[0].count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))


def _changed(before: Path, after: Path) -> dict[tuple[int, int], tuple[str, str]]:
    a, b = _rows(before), _rows(after)
    assert len(a) == len(b) and [len(r) for r in a] == [len(r) for r in b], "rows or columns added or lost"
    return {(i, j): (x, y) for i, (ra, rb) in enumerate(zip(a, b)) for j, (x, y) in enumerate(zip(ra, rb)) if x != y}


CANVAS_DOWNLOAD = {
    "rtr-reading-the-ranks-00-start-here submissions.zip": [
        ("lovelaceada_1001_70001_00-start-here.ipynb", 3),  # handed in first: a later resubmission counts
        ("lovelaceada_1001_70021_00-start-here-1.ipynb", 2),
        ("núñezjosé_1002_70002_00-start-here.ipynb", 3),
        ("obrienseánshaun_LATE_1003_70003_00-start-here.ipynb", 1),
        ("nakamurakenji_1005_70005_00-start-here.ipynb", 3),  # excused in Canvas
        ("ghostgary_1999_70099_00-start-here.ipynb", 2),  # dropped the course: no row in the gradebook
    ],
    "rtr-reading-the-ranks-01-the-articles-claims submissions.zip": [
        ("lovelaceada_1001_70011_01-the-articles-claims.ipynb", 7),
    ],
}


def test_canvas_gradebook_filled_keeps_every_other_cell_and_imports_as_canvas_reads_it(tmp_path):
    results = _graded(tmp_path, CANVAS_DOWNLOAD)
    out = tmp_path / "canvas-import.csv"
    report = fill(lms="canvas", results=results, template=CANVAS, out=out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" not in out.read_bytes(), "BOM and line ends kept"
    lines = zip(CANVAS.read_bytes().split(b"\n"), out.read_bytes().split(b"\n"))
    assert [n for n, (a, b) in enumerate(lines) if a != b] == [3, 5, 6], "every other line byte for byte"
    assert _rows(out)[0] == _rows(CANVAS)[0], "headers untouched"
    # only these grade cells change (rows: 0 header, 1 Manual Posting, 2 Points Possible, 3 Ada, 4 Kenji, 5 José, 6 Seán)
    assert _changed(CANVAS, out) == {(3, 6): ("1.00", "2.00"), (3, 7): ("", "14.00"), (5, 6): ("", "3.00"),
                                     (6, 6): ("", "1.00")}
    canvas = canvas_import(out, custom=("Notes",))
    assert canvas["points_possible"] == {"5501": "3.00", "5502": "20.00", "5510": "10.00"}
    before = canvas_import(CANVAS, custom=("Notes",))["grades"]
    after = canvas["grades"]
    assert after[("1001", "5501")] == "2.00", "the counted (latest) submission, out of 3, never 3 + 2"
    assert after[("1001", "5502")] == "14.00", "7 of module 01's 10 points, scaled to its 20 points possible"
    assert after[("1002", "5501")] == "3.00" and after[("1003", "5501")] == "1.00"
    assert after[("1005", "5501")] == "EX" and after[("1005", "5502")] == "N/A", "excused and unassigned stay so"
    assert {k: v for k, v in after.items() if k[1] == "5510"} == {k: v for k, v in before.items() if k[1] == "5510"}
    assert report.written == 4
    text = str(report)
    assert any("Zhou, Wei (ID 1004): no submission of module 00" in s for s in report.no_submission)
    assert any("Student, Test (ID 1099)" in s for s in report.no_submission)
    assert any(s.startswith("ghostgary (ghostgary_1999_70099_00-start-here.ipynb), module 00") and "ID 1999" in s
               for s in report.no_row), report.no_row
    assert any("Nakamura, Kenji (ID 1005), module 00" in s and "excused" in s for s in report.unchanged)
    assert "module 01 → column \"Reading the Ranks 01: The article's claims (5502)\"" in text
    assert "scaled to its 20 points possible" in text


def test_canvas_semicolon_export_with_decimal_commas_round_trips(tmp_path):
    results = _graded(tmp_path, {"a.zip": [("lovelaceada_1001_70001_00-start-here.ipynb", 2),
                                           ("núñezjosé_1002_70002_00-start-here.ipynb", 3)]})
    out = tmp_path / "import.csv"
    report = fill(lms="canvas", results=results, template=CANVAS_SEMI, out=out)
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.decode().splitlines()[0] == CANVAS_SEMI.read_text().splitlines()[0]
    assert _changed(CANVAS_SEMI, out) == {(2, 4): ("", "2,00"), (3, 4): ("2,50", "3,00")}
    grades = canvas_import(out)["grades"]
    assert grades[("1001", "6601")] == "2.00" and grades[("1002", "6601")] == "3.00" and grades[("1004", "6601")] == ""
    assert [s for s in report.no_submission] == ["Zhou, Wei (ID 1004): no submission of module 00"]


def test_canvas_feedback_zip_is_named_for_re_upload_and_holds_a_notebook(tmp_path):
    results = _graded(tmp_path, CANVAS_DOWNLOAD)
    report = fill(lms="canvas", results=results, template=CANVAS, out=tmp_path / "c.csv",
                  feedback_zip=tmp_path / "feedback.zip")
    assert report.feedback == [tmp_path / "feedback-00.zip", tmp_path / "feedback-01.zip"], "one zip per assignment"
    with zipfile.ZipFile(tmp_path / "feedback-00.zip") as z:
        names = z.namelist()
        targets = {canvas_reupload(n) for n in names}
        # the counted file of each learner whose grade was written (Ada's resubmission, 70021)
        assert targets == {("1001", "70021"), ("1002", "70002"), ("1003", "70003")}
        ada = json.loads(z.read(next(n for n in names if canvas_reupload(n)[0] == "1001")))
    assert ada["nbformat"] == 4 and ada["cells"][0]["cell_type"] == "markdown"
    source = ada["cells"][0]["source"]
    assert "2 of 3 points" in source and "| 00.1 | correct | 1/1 |" in source
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in source, "messages are escaped, never raw HTML"
    with zipfile.ZipFile(tmp_path / "feedback-01.zip") as z:
        assert [canvas_reupload(n) for n in z.namelist()] == [("1001", "70011")]


MOODLE_DOWNLOAD = {
    "RTR-Reading the Ranks 00 Start here-42.zip": [
        ("Ada Lovelace_17_assignsubmission_file/00-start-here.ipynb", 2),  # Moodle 4.1 and later
        ("José Núñez_18_assignsubmission_file_/00-start-here.ipynb", 3),  # earlier versions: a trailing _
        ("Seán Shaun OBrien_19_assignsubmission_file/00-start-here.ipynb", 1),
        ("Kenji Nakamura_21_assignsubmission_file/00-start-here.ipynb", 3),  # locked in Moodle's gradebook
        ("Gary Ghost_99_assignsubmission_file/00-start-here.ipynb", 2),  # no longer a participant
    ],
}


def test_moodle_worksheet_filled_with_grades_and_one_line_feedback_imports_as_moodle_reads_it(tmp_path):
    results = _graded(tmp_path, MOODLE_DOWNLOAD)
    out = tmp_path / "worksheet.csv"
    report = fill(lms="moodle", results=results, template=MOODLE, out=out, feedback_zip=tmp_path / "fb.zip")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    lines = zip(MOODLE.read_bytes().split(b"\n"), out.read_bytes().split(b"\n"))
    assert [n for n, (a, b) in enumerate(lines) if a != b] == [1, 2, 3], "every other line byte for byte, quoted as Moodle does"
    changed = _changed(MOODLE, out)
    assert set(changed) == {(1, 4), (1, 9), (2, 4), (2, 9), (3, 4), (3, 9)}, "only Grade and Feedback comments"
    moodle = moodle_import(out)
    assert moodle["17"]["grade"] == 66.67 and moodle["18"]["grade"] == 100 and moodle["19"]["grade"] == 33.33
    assert not any(moodle[p]["skipped"] for p in ("17", "18", "19")), "within Maximum Grade, so Moodle takes them"
    assert moodle["20"]["grade"] is None and moodle["21"]["grade"] == 55 and moodle["21"]["feedback"].startswith("Graded by hand")
    assert {p: m["modified"] for p, m in moodle.items()} == {p: m["modified"] for p, m in moodle_import(MOODLE).items()}
    ada = moodle["17"]["feedback"]
    assert "\n" not in ada and ada.startswith("Module 00 (Start here): 2 of 3 points (66.67 of 100)")
    assert "feedback-00.html" in ada
    assert any("Wei Zhou (Participant 20): no submission of module 00" in s for s in report.no_submission)
    assert any("Gary Ghost_99" in s and "participant 99" in s for s in report.no_row)
    assert any("Kenji Nakamura (Participant 21)" in s and "Grade can be changed: No" in s for s in report.unchanged)
    with zipfile.ZipFile(tmp_path / "fb.zip") as z:
        entries = {moodle_feedback_upload(n) for n in z.namelist()}
        page = z.read(next(n for n in z.namelist() if n.startswith("Ada Lovelace_17_"))).decode()
    assert entries == {(p, "assignsubmission", "file", "feedback-00.html") for p in ("17", "18", "19")}
    assert "<h1>Feedback on module 00: Start here</h1>" in page and "Count the sentences again &lt;b&gt;" in page


def test_a_roster_matches_learners_collected_outside_the_lms(tmp_path):
    subs = tmp_path / "subs"
    for learner in ("ada", "jose", "nobody"):
        (subs / learner).mkdir(parents=True)
        (subs / learner / "00-start-here.ipynb").write_text("{}")
    found, _ = find_submissions(subs, scratch=tmp_path / "s")
    results = tmp_path / "results"
    results.mkdir()
    book = Gradebook(results / "gradebook.sqlite")
    for sub in found:
        book.record(sub.learner, sub.module, sub.key, sub.key, _result("00", {"ada": 3, "jose": 1, "nobody": 2}[sub.learner]),
                    submitted_at=sub.submitted_at)
    roster = tmp_path / "roster.csv"
    roster.write_text("Learner,Canvas User ID,SIS Login ID,Moodle Participant,Email\n"
                      "ada,,ada@uni.example,17,\njose,1002,,,JOSE@uni.example\n", encoding="utf-8")
    assert read_roster(roster)["jose"] == {"canvas_user_id": "1002", "email": "JOSE@uni.example"}
    canvas = canvas_import(fill(lms="canvas", results=results, template=CANVAS, out=tmp_path / "c.csv", roster=roster).out,
                           custom=("Notes",))["grades"]
    assert canvas[("1001", "5501")] == "3.00" and canvas[("1002", "5501")] == "1.00"
    report = fill(lms="moodle", results=results, template=MOODLE, out=tmp_path / "m.csv", roster=roster, module="00")
    moodle = moodle_import(report.out)
    assert moodle["17"]["grade"] == 100 and moodle["18"]["grade"] == 33.33, "by participant number, and by email"
    assert any(s.startswith("nobody (00-start-here.ipynb), module 00: no LMS id") for s in report.no_row)


def test_two_submissions_on_one_row_the_later_counts_and_both_are_named(tmp_path):
    results = _graded(tmp_path, {"a.zip": [("lovelaceada_1001_70001_00-start-here.ipynb", 1)]})
    book = Gradebook(results / "gradebook.sqlite")
    book.record("ada", "00", "ada/00-start-here.ipynb", "h", _result("00", 3), submitted_at="2025-12-05T09:00:00+00:00")
    roster = tmp_path / "roster.csv"
    roster.write_text("learner,canvas_user_id\nada,1001\n", encoding="utf-8")
    report = fill(lms="canvas", results=results, template=CANVAS, out=tmp_path / "c.csv", roster=roster)
    assert canvas_import(report.out, custom=("Notes",))["grades"][("1001", "5501")] == "3.00", "handed in on 5 December"
    assert any("both lovelaceada" in n and "ada (00-start-here.ipynb)" in n and "the later" in n for n in report.notes)


@pytest.mark.parametrize("lms", ["canvas", "moodle"])
def test_without_a_template_or_with_the_wrong_file_the_message_says_what_to_download(tmp_path, lms, capsys):
    results = _graded(tmp_path, {"a.zip": [("lovelaceada_1001_70001_00-start-here.ipynb", 2)]})
    where = {"canvas": "Export Entire Gradebook", "moodle": "Download grading worksheet"}[lms]
    with pytest.raises(ValueError, match=where):
        fill(lms=lms, results=results, template=None, out=tmp_path / "x.csv")
    wrong = {"canvas": MOODLE, "moodle": CANVAS}[lms]
    with pytest.raises(ValueError, match=f"looks like a .*use --layout {'moodle' if lms == 'canvas' else 'canvas'}.*{where}"):
        fill(lms=lms, results=results, template=wrong, out=tmp_path / "x.csv")
    plain = export(results=results, out=tmp_path / "plain.csv")
    with pytest.raises(ValueError, match=where):
        fill(lms=lms, results=results, template=plain, out=tmp_path / "x.csv")
    assert main(["gradebook", "export", str(results), "--layout", lms, "--out", str(tmp_path / "y.csv")]) == 2
    assert where in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "y.csv").exists()


def test_a_worksheet_missing_a_column_moodle_needs_is_refused_by_name(tmp_path):
    results = _graded(tmp_path, MOODLE_DOWNLOAD)
    broken = tmp_path / "Grades-RTR-Reading the Ranks 00-42.csv"
    broken.write_bytes(MOODLE.read_bytes().replace(b'"Last modified (grade)"', b'"Last modified"'))
    with pytest.raises(ValueError, match=r"no 'Last modified \(grade\)' column.*Download grading worksheet"):
        fill(lms="moodle", results=results, template=broken, out=tmp_path / "x.csv")
    with pytest.raises(ValueError, match="the template itself"):
        fill(lms="moodle", results=results, template=MOODLE, out=MOODLE)


def test_a_module_whose_column_cannot_be_told_is_listed_and_can_be_named(tmp_path):
    results = _graded(tmp_path, {"a.zip": [("lovelaceada_1001_70001_00-start-here.ipynb", 2)]})
    renamed = tmp_path / "export.csv"
    renamed.write_bytes(CANVAS.read_bytes().replace(b"Reading the Ranks 00: Start here (5501)", b"Homework A (5501)"))
    report = fill(lms="canvas", results=results, template=renamed, out=tmp_path / "a.csv")
    assert report.written == 0 and any("module 00: no assignment column" in n and "--column 00=" in n for n in report.notes)
    assert (tmp_path / "a.csv").read_bytes() == renamed.read_bytes(), "nothing to write: the very same bytes"
    assert main(["gradebook", "export", str(results), "--layout", "canvas", "--template", str(renamed),
                 "--column", "00=5501", "--out", str(tmp_path / "b.csv")]) == 0
    assert canvas_import(tmp_path / "b.csv", custom=("Notes",))["grades"][("1001", "5501")] == "2.00"
    with pytest.raises(ValueError, match="assignment columns are: Homework A"):
        fill(lms="canvas", results=results, template=renamed, out=tmp_path / "c.csv", columns={"00": "9999"})


def test_cli_prints_the_summary_an_instructor_acts_on(tmp_path, capsys):
    results = _graded(tmp_path, CANVAS_DOWNLOAD)
    assert main(["gradebook", "export", str(results), "--layout", "canvas", "--template", str(CANVAS),
                 "--out", str(tmp_path / "up.csv"), "--feedback-zip", str(tmp_path / "fb.zip")]) == 0
    out = capsys.readouterr().out
    assert "Canvas: wrote 4 grade(s)" in out and "In the file, with no submission" in out
    assert "Submissions with no row in the file" in out and "ghostgary" in out
    assert f"Feedback for upload: {tmp_path / 'fb-00.zip'}" in out


def test_a_failed_submission_is_never_written_as_a_zero(tmp_path):
    results = _graded(tmp_path, {"a.zip": [("lovelaceada_1001_70001_00-start-here.ipynb", 2)]})
    book = Gradebook(results / "gradebook.sqlite")
    (sub,) = book.submissions()
    book.record(sub["learner"], "00", sub["key"], "x", {"status": "failed", "reason": "the notebook ran past 60 s",
                                                        "flags": [], "results": []},
                submitted_at=sub["submitted_at"], lms=json.loads(sub["lms"]))
    report = fill(lms="canvas", results=results, template=CANVAS, out=tmp_path / "a.csv")
    assert _changed(CANVAS, tmp_path / "a.csv") == {}
    assert any("Lovelace, Ada (ID 1001)" in s and "ran past 60 s" in s for s in report.unchanged)


@pytest.mark.slow
def test_from_lms_downloads_through_the_grader_to_the_lms_files(tmp_path):
    """Done when: a downloaded submissions archive plus the LMS's own file goes in, an importable file comes out."""
    from handin import RIGHT, edit

    from course.instructor.grade import GradeSettings, grade
    from course.instructor.release import release

    release(source=Path(__file__).resolve().parents[1] / "notebooks", out=tmp_path / "release", modules=["00"])
    nb = json.loads((tmp_path / "release" / "00-start-here.ipynb").read_text(encoding="utf-8"))
    right = json.dumps(edit(nb, RIGHT))
    partly = json.dumps(edit(nb, {**RIGHT, "n_sentences = ...": "n_sentences = 3"}))
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with zipfile.ZipFile(downloads / "rtr-reading-the-ranks-00 submissions.zip", "w") as z:
        z.writestr("lovelaceada_1001_70001_00-start-here.ipynb", right)
        z.writestr("núñezjosé_1002_70002_00-start-here.ipynb", partly)
    with zipfile.ZipFile(downloads / "RTR-Reading the Ranks 00-42.zip", "w") as z:
        z.writestr("Ada Lovelace_17_assignsubmission_file/00-start-here.ipynb", right)
        z.writestr("José Núñez_18_assignsubmission_file_/00-start-here.ipynb", partly)
    settings = GradeSettings(cell_timeout=30, notebook_timeout=120, output_cap=200_000, memory_mb=2000)
    summary = grade(submissions=downloads, out=tmp_path / "results", workers=2, settings=settings, progress=False)
    assert summary["graded"] == 4
    canvas = fill(lms="canvas", results=tmp_path / "results", template=CANVAS, out=tmp_path / "canvas.csv",
                  feedback_zip=tmp_path / "canvas-feedback.zip")
    grades = canvas_import(canvas.out, custom=("Notes",))["grades"]
    assert (grades[("1001", "5501")], grades[("1002", "5501")]) == ("3.00", "2.00")
    with zipfile.ZipFile(tmp_path / "canvas-feedback.zip") as z:
        assert sorted(canvas_reupload(n) for n in z.namelist()) == [("1001", "70001"), ("1002", "70002")]
    moodle = fill(lms="moodle", results=tmp_path / "results", template=MOODLE, out=tmp_path / "moodle.csv",
                  feedback_zip=tmp_path / "moodle-feedback.zip")
    taken = moodle_import(moodle.out)
    assert (taken["17"]["grade"], taken["18"]["grade"]) == (100, 66.67)
    assert "too low" in zipfile.ZipFile(tmp_path / "moodle-feedback.zip").read(
        "José Núñez_18_assignsubmission_file/feedback-00.html").decode()


def test_the_commands_in_the_guide_and_readme_are_ones_the_cli_takes():
    import shlex

    from course.cli import build_parser

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "instructor-guide.md").read_text(encoding="utf-8") + (root / "README.md").read_text(encoding="utf-8")
    commands = [" ".join(c.replace("\\\n", " ").split()) for c in re.findall(r"^\s*(course gradebook export (?:.*\\\n)*.*)$", text, flags=re.M)]
    lms = [c for c in commands if "--layout" in c]
    assert {c.split("--layout ")[1].split()[0] for c in lms} == {"canvas", "moodle"}, commands
    for command in commands:
        args = build_parser().parse_args(shlex.split(command.split("#")[0])[1:])
        assert args.layout == "plain" or args.template is not None, command
