"""Student copies: solutions become starters, instructor cells vanish, outputs are cleared."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course.instructor.release import ReleaseError, release, sources, student_copy

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def nb(*cells):
    return {"cells": list(cells), "metadata": {"kernelspec": {"name": "other"}, "widgets": {}}, "nbformat": 4, "nbformat_minor": 5}


def code(src, tags=(), outputs=()):
    return {"cell_type": "code", "id": "x", "metadata": {"tags": list(tags), "scrolled": True},
            "source": src, "execution_count": 3, "outputs": list(outputs)}


def test_solution_regions_become_starters():
    src = (
        "from course import check\n"
        "### BEGIN SOLUTION\n"
        "total = sum(values)\n"
        "a, b = 1, 2\n"
        "def density(text, per=1000):\n"
        "    \"\"\"Matches per word.\"\"\"\n"
        "    return len(text) / per\n"
        "### END SOLUTION\n"
        "check(\"00.1\", total)"
    )
    out = student_copy(nb(code(src)))["cells"][0]["source"]
    assert out == (
        "from course import check\n"
        "total = ...\n"
        "a, b = ...\n"
        "def density(text, per=1000):\n"
        "    \"\"\"Matches per word.\"\"\"\n"
        "    return ...  # your code here\n"
        "check(\"00.1\", total)"
    )


def test_indented_region_inside_a_function():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    y = x * 2\n    return y\n    ### END SOLUTION"
    out = student_copy(nb(code(src)))["cells"][0]["source"]
    assert out == "def f(x):\n    y = ...\n    return ...  # your code here"


def test_instructor_cells_dropped_outputs_cleared_metadata_clean():
    copy = student_copy(nb(code("x = 1", outputs=[{"output_type": "stream", "text": "1"}]),
                           code("assert x == 1", tags=["instructor"])))
    assert len(copy["cells"]) == 1
    cell = copy["cells"][0]
    assert cell["outputs"] == [] and cell["execution_count"] is None and cell["metadata"] == {"tags": []}
    assert "widgets" not in copy["metadata"] and copy["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("src, message", [
    ("### BEGIN SOLUTION\nx = 1", "no matching"),
    ("x = 1\n### END SOLUTION", "without a"),
    ("### BEGIN SOLUTION\nfor i in range(3):\n    pass\n### END SOLUTION", "line 1 is a For"),
    ("### BEGIN SOLUTION\nx = (\n### END SOLUTION", "does not parse"),
])
def test_broken_markers_name_the_cell(src, message):
    with pytest.raises(ReleaseError, match=message) as err:
        student_copy(nb(code("pass"), code(src)), "demo.ipynb")
    assert "demo.ipynb, cell 2" in str(err.value)


def test_committed_notebooks_release_deterministically(tmp_path):
    first = release(source=NOTEBOOKS, out=tmp_path / "a")
    second = release(source=NOTEBOOKS, out=tmp_path / "b")
    assert first == second and set(first) == {p.name for p in sources(NOTEBOOKS)}
    release(source=NOTEBOOKS, out=tmp_path / "a", check=True)  # unchanged: passes


def test_student_copies_hold_no_solutions_or_instructor_cells(tmp_path):
    release(source=NOTEBOOKS, out=tmp_path)
    for path in tmp_path.glob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        copy = json.loads(text)
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path.name
        assert all("instructor" not in c["metadata"].get("tags", []) for c in copy["cells"]), path.name
        assert all(c.get("outputs", []) == [] for c in copy["cells"]), path.name


def test_check_mode_fails_on_stale_copies(tmp_path):
    release(source=NOTEBOOKS, out=tmp_path)
    victim = next(tmp_path.glob("*.ipynb"))
    victim.write_text(victim.read_text(encoding="utf-8").replace("Exercise", "Exercice"), encoding="utf-8")
    with pytest.raises(ReleaseError, match=victim.name):
        release(source=NOTEBOOKS, out=tmp_path, check=True)


def test_unknown_module_lists_available(tmp_path):
    with pytest.raises(ReleaseError, match="available: 00"):
        release(source=NOTEBOOKS, out=tmp_path, modules=["42"])


def test_nbval_markers_are_dropped_from_student_copies():
    copy = student_copy(nb(code("# NBVAL_CHECK_OUTPUT\ncheck(\"00.1\", x)")))
    assert copy["cells"][0]["source"] == 'check("00.1", x)'


def test_exercise_cells_are_tagged_with_their_question_id():
    copy = student_copy(nb(code("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), code('check("03.2", x)'),
                           code("### BEGIN SOLUTION\ny = 2\n### END SOLUTION\ncheck('03.4', y)")))
    assert [c["metadata"].get("tags") for c in copy["cells"]] == [["answer:03.2"], [], ["answer:03.4"]]


def test_course_release_writes_a_record_and_a_workspace_per_learner(tmp_path, monkeypatch, capsys):
    import hashlib

    from course.checks import _progress, compute_params, modules, question, questions
    from course.checks._codec import decode
    from course.cli import main

    roster = tmp_path / "roster.csv"
    roster.write_text("name,learner\nAda Lovelace,ada\n\nBo Li,bo\n", encoding="utf-8")
    out = tmp_path / "class"
    assert main(["release", "00", "07", "--out", str(out), "--learners", str(roster)]) == 0
    assert "release 1 added to the record" in capsys.readouterr().out
    (entry,) = json.loads((out / "release.json").read_text(encoding="utf-8"))["releases"]
    assert [m["module"] for m in entry["modules"]] == ["00", "07"] and sorted(entry["learners"]) == ["ada", "bo"]
    catalogue = {m.id: m for m in modules()}
    for record in entry["modules"]:
        qs = questions(record["module"])
        assert [q["id"] for q in record["questions"]] == [q.id for q in qs]
        assert record["points"] == sum(q.points for q in qs if q.graded)
        assert record["title"] == catalogue[record["module"]].title
        copy = out / record["notebook"]
        assert record["copy_sha256"] == hashlib.sha256(copy.read_bytes()).hexdigest()
        assert record["source_sha256"] == hashlib.sha256((NOTEBOOKS / record["notebook"]).read_bytes()).hexdigest()
        shared_cells = json.loads(copy.read_text(encoding="utf-8"))["cells"]
        for learner in ("ada", "bo"):
            mine = json.loads((out / learner / record["notebook"]).read_text(encoding="utf-8"))
            assert mine["cells"] == shared_cells and mine["metadata"]["reading_the_ranks"]["learner"] == learner
    # every learner's numbers are in the record, as the course computes them today
    for learner in ("ada", "bo"):
        issued = entry["learners"][learner]["00.1"]
        assert decode(issued["params"]) == compute_params(question("00.1"), learner) and issued["version"] == 1
    assert decode(entry["shared"]["00.1"]["params"]) == question("00.1").canonical_params()
    assert "expected" not in json.dumps(entry) and "hidden" not in json.dumps(entry)
    monkeypatch.delenv("COURSE_LEARNER", raising=False)
    monkeypatch.setenv("COURSE_WORKSPACE", str(out / "bo"))
    assert _progress.learner_id() == "bo"


def test_release_records_accumulate_and_check_tells_never_released_from_out_of_date(tmp_path, capsys):
    from course.cli import main
    from course.instructor.assign import check_release

    out = tmp_path / "release"
    assert main(["release", "00", "--out", str(out)]) == 0
    assert main(["release", "01", "--out", str(out)]) == 0
    record = json.loads((out / "release.json").read_text(encoding="utf-8"))
    assert [[m["module"] for m in r["modules"]] for r in record["releases"]] == [["00"], ["01"]], "the first is kept"
    assert [r["number"] for r in record["releases"]] == [1, 2] and all(r["date"] for r in record["releases"])
    status = check_release(source=NOTEBOOKS, out=out, modules=["00", "01", "02"])
    assert status == {"00-start-here.ipynb": "up to date", "01-the-articles-claims.ipynb": "up to date",
                      "02-language-and-framing.ipynb": "never released"}
    (out / "00-start-here.ipynb").write_text("{}", encoding="utf-8")
    assert check_release(source=NOTEBOOKS, out=out, modules=["00"]) == {"00-start-here.ipynb": "out of date"}
    capsys.readouterr()
    assert main(["release", "00", "02", "--out", str(out), "--check"]) == 1
    printed = capsys.readouterr()
    assert "00-start-here.ipynb  out of date" in printed.out and "02-language-and-framing.ipynb  never released" in printed.out


def test_a_record_written_in_the_first_format_is_kept_as_release_one(tmp_path):
    from course.instructor.assign import assign, read_record

    out = tmp_path / "release"
    out.mkdir()
    (out / "release.json").write_text(json.dumps({"course": "Reading the Ranks", "course_version": "0.1.0",
                                                  "modules": [{"module": "00"}], "learners": ["ada"]}), encoding="utf-8")
    assign(source=NOTEBOOKS, out=out, modules=["01"])
    releases = read_record(out)["releases"]
    assert [r["number"] for r in releases] == [1, 2] and releases[0]["modules"] == [{"module": "00"}]
    assert releases[0]["learners"] == {"ada": {}}


@pytest.mark.parametrize("text, message", [
    (None, "No roster at"),
    ("learner\n", "has no learners"),
    ("learner\nada\nada\n", "'ada' repeats row 2"),
    ("learner\n../x\n", "cannot be a folder name"),
    ("learner,name\n,Ada\n", "row 2: no learner id"),
])
def test_a_bad_roster_says_what_to_fix_and_writes_nothing(tmp_path, text, message):
    from course.instructor.assign import assign

    roster = tmp_path / "roster.csv"
    if text is not None:
        roster.write_text(text, encoding="utf-8")
    with pytest.raises(ReleaseError, match=re.escape(message)):
        assign(source=NOTEBOOKS, out=tmp_path / "out", modules=["00"], roster=roster)
    assert not (tmp_path / "out").exists()
