"""A new instructor follows the README: release, collect, grade, export; every learner gets the grade they earned.

Shared-variant learners, roster learners who used exercise() and who typed their numbers, a
resubmission, and a notebook handed in under another learner's name, graded end to end through
``course`` commands, with the kernels launched by the grader's own provisioner even where
``python -m ipykernel install`` has written a kernel spec of its own.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from handin import RIGHT, edit

from course.checks import compute_params, question
from course.cli import main

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def _answer(copy: Path, n_sentences: str | None = None) -> dict:
    edits = dict(RIGHT)
    if n_sentences is not None:  # typed in, not computed
        edits["n_sentences = ..."] = f"n_sentences = {n_sentences}"
    return edit(json.loads(copy.read_text(encoding="utf-8")), edits)


def _hand_in(folder: Path, name: str, nb: dict, when: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(nb), encoding="utf-8")
    os.utime(path, (when, when))


@pytest.fixture(scope="module")
def course_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("readme")
    # a kernel spec named python3 written by ipykernel's own installer, found first on JUPYTER_PATH
    prefix = tmp / "prefix"
    subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", "python3"],
                   check=True, capture_output=True)
    old_path = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    try:
        roster = tmp / "roster.csv"
        roster.write_text("learner\nada\nben\n", encoding="utf-8")
        release, subs = tmp / "release", tmp / "submissions"
        assert main(["release", "00", "--out", str(release)]) == 0  # the quick start: shared copies
        assert main(["release", "00", "--out", str(release), "--learners", str(roster)]) == 0
        shared_copy = release / "00-start-here.ipynb"
        # ada used exercise(); she handed in twice, the second time with everything right
        first = _answer(release / "ada" / "00-start-here.ipynb")
        first["cells"] = [c for c in first["cells"] if "choice_00_3 =" not in c["source"]]
        _hand_in(subs / "ada", "00-start-here.ipynb", first, 1_700_000_000)
        _hand_in(subs / "ada", "00-start-here-1.ipynb", _answer(release / "ada" / "00-start-here.ipynb"), 1_700_000_600)
        # ben typed his own section's count
        ben = question("00.1").expected(compute_params(question("00.1"), "ben"))
        _hand_in(subs / "ben", "00-start-here.ipynb", _answer(release / "ben" / "00-start-here.ipynb", str(ben)), 1_700_000_000)
        # cleo is not on the roster: she worked on the shared copy and typed the shared count
        shared = question("00.1").expected(question("00.1").canonical_params())
        _hand_in(subs / "cleo", "00-start-here.ipynb", _answer(shared_copy, str(shared)), 1_700_000_000)
        # dan handed in ada's notebook
        _hand_in(subs / "dan", "00-start-here.ipynb", _answer(release / "ada" / "00-start-here.ipynb"), 1_700_000_000)
        out = tmp / "results"
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            assert main(["grade", str(subs), "--out", str(out), "--release", str(release), "--workers", "2",
                         "--timeout", "60"]) == 0
        assert main(["gradebook", "export", str(out), "--out", str(tmp / "grades.csv")]) == 0
    finally:
        if old_path is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = old_path
    return {"out": out, "grades": tmp / "grades.csv", "tmp": tmp, "printed": printed.getvalue()}


def _table(path: Path) -> dict[str, dict[str, str]]:
    return {r["learner"]: r for r in csv.DictReader(path.read_text(encoding="utf-8").splitlines())}


def test_every_learner_gets_the_grade_they_earned(course_run):
    table = _table(course_run["grades"])
    for learner in ("ada", "ben", "cleo"):
        assert float(table[learner]["total"]) == 3, (learner, table[learner])
        assert float(table[learner]["00.1"]) == 1
    assert table["cleo"]["flags"] == "" and table["ben"]["flags"] == ""


def test_a_resubmission_counts_once_and_the_total_adds_up(course_run):
    table = _table(course_run["grades"])
    assert "not counted" in table["ada"]["flags"]
    for row in table.values():
        assert float(row["total"]) == sum(float(row[q]) for q in ("00.1", "00.2", "00.3"))


def test_a_notebook_handed_in_under_another_name_is_flagged(course_run):
    table = _table(course_run["grades"])
    assert "the notebook says ada" in table["dan"]["flags"] and "handed in as dan" in table["dan"]["flags"]
    db = sqlite3.connect(course_run["out"] / "gradebook.sqlite")
    graded_as = dict(db.execute("SELECT learner, graded_as FROM submissions WHERE key NOT LIKE 'ada/%'"))
    assert graded_as == {"ben": "ben", "cleo": "shared", "dan": "ada"}


def test_kernels_came_from_the_zygote_despite_an_installed_python3_spec(course_run):
    assert (course_run["tmp"] / "prefix" / "share" / "jupyter" / "kernels" / "python3" / "kernel.json").is_file()
    printed = course_run["printed"]
    assert "by zygote fork" in printed and "new interpreter" not in printed, printed


def test_grading_logs_which_launch_path_ran(tmp_path, caplog):
    import logging

    from course.instructor.grade import GradeSettings, grade
    from course.instructor.release import release

    release(source=ROOT / "notebooks", out=tmp_path / "copies", modules=["00"])
    _hand_in(tmp_path / "subs" / "zoe", "00-start-here.ipynb", _answer(tmp_path / "copies" / "00-start-here.ipynb", "20"), 0)
    with caplog.at_level(logging.INFO, logger="course.grade"):
        summary = grade(submissions=tmp_path / "subs", out=tmp_path / "out", workers=1, progress=False,
                        settings=GradeSettings(notebook_timeout=60))
    assert summary["launches"] == {"zygote fork": 1}
    assert any("kernel launched by zygote fork" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("how", ["question(...).expected", "the lesson's own reference function"])
def test_reading_the_answer_key_is_flagged_and_earns_nothing_in_an_exam(tmp_path, how):
    """Formative: flagged. Exam: the sandbox holds the sealed lesson, so there is no key to read, and it is flagged."""
    key = {"question(...).expected": "from course.checks import question\n"
                                     "n_sentences = question('00.1').expected(exercise('00.1'))",
           "the lesson's own reference function": "from course.checks.lesson00 import _sentences_in_section\n"
                                                  "n_sentences = _sentences_in_section(exercise('00.1'))"}[how]
    for exam in (False, True):
        release = tmp_path / f"release-{exam}"
        assert main(["release", "00", "--out", str(release), *(["--exam"] if exam else [])]) == 0
        nb = edit(json.loads((release / "00-start-here.ipynb").read_text(encoding="utf-8")),
                  {**RIGHT, "n_sentences = ...": key})
        subs = tmp_path / f"subs-{exam}"
        _hand_in(subs / "ada", "00-start-here.ipynb", nb, 0)
        out = tmp_path / f"out-{exam}"
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["grade", str(subs), "--out", str(out), "--release", str(release), "--timeout", "60"]) == 0
        db = sqlite3.connect(out / "gradebook.sqlite")
        points, other = db.execute("SELECT SUM(points * (qid = '00.1')), SUM(points * (qid != '00.1')) FROM results").fetchone()
        (flags,) = db.execute("SELECT flags FROM submissions").fetchone()
        assert "reads the answer key" in flags
        assert other == 2, "the other answers are graded as usual"
        assert points == (0 if exam else 1), "formative checks are a learning aid: flagged, not zeroed"
