"""`course update`: new prose and questions arrive; not one learner answer is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course.cli import main
from course.instructor.notebooks import assign_ids
from course.instructor.release import ANSWER_TAG, dumps, release
from course.instructor.update import merge
from course.instructor.update import KEPT_NOTE, update_workspace
from course.instructor.workspace import create_workspace

ROOT = Path(__file__).resolve().parents[1]


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _src(cell):
    return "".join(cell["source"])


@pytest.fixture
def workspace_with_answers(tmp_path):
    """A workspace where the learner answered every exercise of every module and wrote a note."""
    ws = tmp_path / "ws"
    create_workspace(folder=ws)
    answers = {}
    for nb_path in sorted(ws.glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            qid = next((t[len(ANSWER_TAG):] for t in cell["metadata"].get("tags", []) if t.startswith(ANSWER_TAG)), None)
            if qid:
                cell["source"] = f"# my answer to {qid}\n" + _src(cell).replace("...", f"'learner answer {qid}'")
                answers[qid] = cell["source"]
        nb["cells"].insert(3, {"cell_type": "markdown", "id": "my-own-note", "metadata": {}, "source": f"My note on {nb_path.stem}"})
        nb_path.write_text(dumps(nb), encoding="utf-8")
    assert answers, "the course has exercises to answer"
    return ws, answers


def _new_version(tmp_path):
    """Student copies of a new course version: edited prose, a new question, a renamed cell, reordered cells."""
    out = tmp_path / "v2"
    release(source=ROOT / "notebooks", out=out)
    for nb_path in sorted(out.glob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        cells = nb["cells"]
        cells[0]["source"] = _src(cells[0]) + "\n\n*Updated for version 2.*"  # edited prose
        cells[1]["id"] = "renamed-cell"  # renamed cell
        exercise = next(i for i, c in enumerate(cells) if any(t.startswith(ANSWER_TAG) for t in c["metadata"].get("tags", [])))
        moved = cells.pop(exercise)
        cells.insert(2, moved)  # reordered
        cells.append({"cell_type": "code", "id": "new-q", "metadata": {"tags": [ANSWER_TAG + "99.1"]},
                      "source": "new_answer = ...", "execution_count": None, "outputs": []})  # added question
        nb_path.write_text(dumps(nb), encoding="utf-8")
    return out


def test_update_keeps_every_answer_and_brings_the_new_version(workspace_with_answers, tmp_path):
    ws, answers = workspace_with_answers
    report = update_workspace(folder=ws, source=_new_version(tmp_path))
    everything = "\n".join(_src(c) for p in ws.glob("*.ipynb") for c in _cells(p))
    for qid, answer in answers.items():
        assert answer in everything, f"answer to {qid} lost"
    for p in ws.glob("*.ipynb"):
        cells = _cells(p)
        assert "Updated for version 2." in _src(cells[0])
        assert any(c["id"] == "new-q" for c in cells)
        assert any(_src(c).startswith("My note on") for c in cells), "the learner's own cell is kept"
        assert any(_src(c) == KEPT_NOTE for c in cells)
        answered = [c for c in cells if _src(c).startswith("# my answer to")]
        assert all(any(t.startswith(ANSWER_TAG) for t in c["metadata"]["tags"]) for c in answered)
    assert report.backup.is_dir() and any(report.backup.glob("*.ipynb"))
    backed_up = "\n".join(_src(c) for p in report.backup.glob("*.ipynb") for c in _cells(p))
    assert all(a in backed_up for a in answers.values())
    assert sum(report.merged.values()) == len(answers)


def test_untouched_notebooks_are_replaced_and_new_ones_added(tmp_path):
    ws = tmp_path / "ws"
    create_workspace(folder=ws)
    new = _new_version(tmp_path)
    (new / "99-extra.ipynb").write_text((new / "00-start-here.ipynb").read_text(encoding="utf-8"), encoding="utf-8")
    report = update_workspace(folder=ws, source=new)
    assert "00-start-here.ipynb" in report.replaced and report.added == ["99-extra.ipynb"]
    now, shipped = (json.loads((p / "00-start-here.ipynb").read_text(encoding="utf-8")) for p in (ws, new))
    assert now["cells"] == shipped["cells"], "replaced by the new version, cell for cell"
    assert now["metadata"]["reading_the_ranks"]["learner"] == "shared", "and stamped with whose numbers it carries"


def test_a_roster_workspace_keeps_its_learner_and_pinned_numbers_through_an_update(tmp_path, monkeypatch):
    """course update treats a workspace made by `course release --learners` like a `course lab` one."""
    from course.instructor.assign import assign

    roster = tmp_path / "roster.csv"
    roster.write_text("learner\nada\n", encoding="utf-8")
    assign(source=ROOT / "notebooks", out=tmp_path / "release", modules=["00"], roster=roster)
    ws = tmp_path / "release" / "ada"
    pinned = json.loads((ws / ".course" / "variants.json").read_text(encoding="utf-8"))["ada"]["00.1"]
    report = update_workspace(folder=ws, source=_new_version(tmp_path))
    assert report.replaced == ["00-start-here.ipynb"], "a roster folder has its base copy, so it is not a merge"
    meta = json.loads((ws / "00-start-here.ipynb").read_text(encoding="utf-8"))["metadata"]["reading_the_ranks"]
    assert meta["learner"] == "ada" and meta["variants"]["00.1"] == pinned


def test_backups_accumulate_and_unreadable_notebooks_are_left_alone(tmp_path):
    ws = tmp_path / "ws"
    create_workspace(folder=ws)
    (ws / "00-start-here.ipynb").write_text("{ half a notebook", encoding="utf-8")
    first = update_workspace(folder=ws, source=_new_version(tmp_path))
    second = update_workspace(folder=ws, source=tmp_path / "v2")
    assert first.backup.name == "001" and second.backup.name == "002"
    assert (ws / "00-start-here.ipynb").read_text(encoding="utf-8") == "{ half a notebook"
    assert (ws / "00-start-here (new version).ipynb").is_file()
    assert "could not be read" in str(first)


def test_cli_update_and_not_a_workspace(tmp_path, capsys):
    assert main(["update", "--dir", str(tmp_path)]) == 2
    assert "not a course workspace" in capsys.readouterr().err
    create_workspace(folder=tmp_path / "ws")
    assert main(["update", "--dir", str(tmp_path / "ws")]) == 0
    assert "Backup of your previous workspace" in capsys.readouterr().out


def _md(cid, text):
    return {"cell_type": "markdown", "id": cid, "metadata": {}, "source": text}


def _book(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def test_a_learner_cell_stays_beside_its_course_cell_when_cells_are_inserted_before_it():
    base = assign_ids(_book(_md(None, "Intro"), _md(None, "Read the table."), _md(None, "Summary")))
    ids = [c["id"] for c in base["cells"]]
    learner = json.loads(json.dumps(base))
    learner["cells"].insert(2, _md("my-note", "My note on the table"))
    # the new version inserts two cells and edits the prose the learner wrote beside
    new = json.loads(json.dumps(base))
    new["cells"][1]["source"] = "Read the table, row by row."
    new["cells"][1:1] = [_md(None, "A new paragraph."), _md(None, "Another one.")]
    assign_ids(new)
    new_ids = [c["id"] for c in new["cells"]]
    assert [new_ids[0], new_ids[3], new_ids[4]] == ids and len(set(new_ids)) == 5, "the old cells kept their ids"
    merged, _, aside = merge(learner, base, new)
    texts = [c["source"] for c in merged["cells"]]
    assert aside == 1 and texts.index("My note on the table") == texts.index("Read the table, row by row.") + 2  # after the kept-note


def test_identical_course_cells_are_told_apart_by_their_ids():
    base = _book(_md("a", "p"), _md("b", "Between"), _md("c", "p"), _md("d", "End"))
    learner = json.loads(json.dumps(base))
    learner["cells"].insert(1, _md("mine", "About the first p"))
    merged, _, _ = merge(learner, base, json.loads(json.dumps(base)))
    texts = [c["source"] for c in merged["cells"]]
    assert texts.index("About the first p") < texts.index("Between")
