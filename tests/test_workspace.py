"""The learner's workspace: created once, topped up later, never overwritten."""

from __future__ import annotations

import json

import pytest

from course.cli import main
from course.instructor.workspace import create_workspace


def test_create_then_rerun_keeps_learner_work(tmp_path, capsys):
    ws = tmp_path / "ws"
    first = create_workspace(folder=ws, learner="ada")
    assert "00-start-here.ipynb" in first.added and first.learner == "ada"
    nb = ws / "00-start-here.ipynb"
    mine = json.loads(nb.read_text())
    mine["cells"][0]["source"] = "my own notes"
    nb.write_text(json.dumps(mine))
    (ws / ".course" / "progress.json").write_text('{"questions": {"00.1": {"status": "correct", "points": 1}}}')
    again = create_workspace(folder=ws)
    assert again.added == [] and "00-start-here.ipynb" in again.kept
    assert json.loads(nb.read_text())["cells"][0]["source"] == "my own notes"
    assert "correct" in (ws / ".course" / "progress.json").read_text()
    assert again.learner == "ada"  # remembered
    assert "kept your existing" in str(again)


def test_deleted_notebook_is_restored_others_kept(tmp_path):
    ws = tmp_path / "ws"
    create_workspace(folder=ws)
    (ws / "00-start-here.ipynb").unlink()
    assert create_workspace(folder=ws).added == ["00-start-here.ipynb"]


def test_bad_learner_id_and_file_in_the_way(tmp_path):
    with pytest.raises(ValueError, match="without slashes"):
        create_workspace(folder=tmp_path / "ws", learner="../etc")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(NotADirectoryError, match="choose another folder"):
        create_workspace(folder=blocker)


def test_cli_prepare_only_and_errors(tmp_path, capsys):
    assert main(["lab", "--dir", str(tmp_path / "ws"), "--learner", "bo", "--prepare-only"]) == 0
    out = capsys.readouterr().out
    assert "Workspace:" in out and "learner id: bo" in out
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["lab", "--dir", str(blocker), "--prepare-only"]) == 2
    assert "course lab:" in capsys.readouterr().err


def test_workspace_notebooks_use_the_workspace_for_progress(tmp_path, monkeypatch):
    from course.checks import _progress

    ws = tmp_path / "ws"
    create_workspace(folder=ws)
    monkeypatch.delenv("COURSE_WORKSPACE", raising=False)
    monkeypatch.chdir(ws)
    assert _progress.workspace() == ws.resolve()
