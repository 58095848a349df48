"""The sandbox's view of the grader's own folders: what is on ``sys.path`` is not thereby the kernels' to read.

``python -m course grade`` puts the folder it ran from on ``sys.path`` (an instructor's home, or
the folder that holds the submissions, the results and the checkout); a Dask worker puts its
scratch space there. Only folders that install packages are shown to the sandbox.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from handin import RIGHT, edit
from processes import grading_processes

from course.instructor.grade import GradeSettings, grade
from course.instructor.release import release
from course.instructor.sandbox import _course_binds

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def outside_tmp():
    """A folder the kernels' own /tmp does not cover (as an instructor's home is not)."""
    base = "/var/tmp" if os.access("/var/tmp", os.W_OK) else None
    if base is None:
        pytest.skip("no writable folder outside /tmp")
    folder = Path(tempfile.mkdtemp(prefix="rtr-cwd-", dir=base))
    (folder / "secret.txt").write_text("the gradebook is next door", encoding="utf-8")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_folder_on_sys_path_that_installs_nothing_is_not_bound(outside_tmp, monkeypatch):
    monkeypatch.syspath_prepend(str(outside_tmp))
    _, bound = _course_binds({})
    assert str(outside_tmp) not in bound
    site = outside_tmp / "site"
    (site / "somepackage-1.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(site))
    _, bound = _course_binds({})
    assert str(site) in bound, "a site-packages added by a .pth file is still importable in the sandbox"


@pytest.mark.slow
def test_a_submission_cannot_read_the_folder_the_grader_ran_from(outside_tmp, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(outside_tmp))  # what `python -m course grade` run from that folder does
    release(source=ROOT / "notebooks", out=tmp_path / "release", modules=["00"])
    nb = json.loads((tmp_path / "release" / "00-start-here.ipynb").read_text(encoding="utf-8"))
    probe = (f"try:\n    got = open({str(outside_tmp / 'secret.txt')!r}).read()\nexcept OSError as e:\n    got = type(e).__name__\n"
             "reflection = 'READ ' + got + ' I would want to know who wrote it and where.' * 4")
    (tmp_path / "subs" / "ada").mkdir(parents=True)
    (tmp_path / "subs" / "ada" / "00-start-here.ipynb").write_text(json.dumps(edit(nb, {**RIGHT, "reflection = ...": probe})))
    summary = grade(submissions=tmp_path / "subs", out=tmp_path / "out", workers=1, progress=False,
                    settings=GradeSettings(cell_timeout=10, notebook_timeout=60, memory_mb=2000))
    assert summary["graded"] == 1
    (text,) = sqlite3.connect(tmp_path / "out" / "gradebook.sqlite").execute(
        "SELECT text FROM results WHERE qid = '00.4'").fetchone()
    assert text.startswith("READ FileNotFoundError"), text[:80]


@pytest.mark.slow
def test_a_grader_killed_outright_leaves_no_kernel_behind(tmp_path):
    """`kill -9` gives the grader no chance to tidy up: its zygote dies with it, and every kernel with the zygote."""
    release(source=ROOT / "notebooks", out=tmp_path / "release", modules=["00"])
    nb = json.loads((tmp_path / "release" / "00-start-here.ipynb").read_text(encoding="utf-8"))
    for learner in ("ada", "bo", "cy"):
        (tmp_path / "subs" / learner).mkdir(parents=True)
        (tmp_path / "subs" / learner / "00-start-here.ipynb").write_text(
            json.dumps(edit(nb, {**RIGHT, "n_sentences = ...": "import time\ntime.sleep(50)"})))
    before = grading_processes()
    (tmp_path / "tmp").mkdir()  # the killed grader's scratch folder stays here, not in /tmp
    grader = subprocess.Popen([sys.executable, "-m", "course", "grade", str(tmp_path / "subs"), "--out",
                               str(tmp_path / "out"), "--workers", "2", "--cell-timeout", "60"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "TMPDIR": str(tmp_path / "tmp")})
    try:
        deadline = time.monotonic() + 60
        while len(grading_processes() - before) < 3 and time.monotonic() < deadline:  # the zygote and kernels forked from it
            time.sleep(0.1)
        assert len(grading_processes() - before) >= 3, "no kernel was started"
        time.sleep(1)
    finally:
        grader.kill()
        grader.wait()
    deadline = time.monotonic() + 20
    while grading_processes() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not grading_processes() - before, "a zygote or kernel outlived the grader"
