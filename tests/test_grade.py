"""Bulk grading: every submission ends with a row and a reason, nothing breaks the batch, tampering never pays.

The fixture submissions are built from the real student copy of module 00, edited the way
learners (and accidents) edit notebooks.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest
from handin import RIGHT
from handin import edit as _edit

from course.checks.checkpoint import is_checkpoint
from course.cli import main
from course.instructor.grade import GradeSettings, grade
from course.instructor.gradebook import export
from course.instructor.instrument import static_flags as _flags
from course.instructor.release import release
from course.instructor.submissions import find_submissions

ROOT = Path(__file__).resolve().parents[1]
FAST = GradeSettings(cell_timeout=4, notebook_timeout=40, output_cap=200_000, memory_mb=2000)
# What a kernel had seen before this submission's own code ran: anything left by another submission (a
# global, an environment variable, a file in its folder besides its own progress, input history) would
# show in the recorded reflection.
WITNESS = ("import builtins, os, uuid\nfrom course.checks._progress import learner_id\n"
           "seen = (getattr(builtins, 'graded_before', None), learner_id(),\n"
           "        sorted(set(os.listdir('.')) - {'.course'}), len(list(get_ipython().history_manager.search('*graded_before*'))))\n"
           "me = uuid.uuid4().hex\nbuiltins.graded_before = me\n"
           "open('mine.txt', 'w').write('x')\n"
           "reflection = f'kernel {me} pid {os.getpid()} saw {seen!r}. ' + 'I would want to know who wrote it and where. ' * 4")


def _student_copy(tmp_path) -> dict:
    release(source=ROOT / "notebooks", out=tmp_path / "release", modules=["00"])
    return json.loads((tmp_path / "release" / "00-start-here.ipynb").read_text(encoding="utf-8"))


def _stamped(nb: dict, learner: str) -> dict:
    from course.instructor.identity import issued_variants, stamp

    return stamp(json.loads(json.dumps(nb)), learner, issued_variants("00", learner))


def _put(folder: Path, learner: str, content) -> None:
    d = folder / learner
    d.mkdir(parents=True, exist_ok=True)
    data = content if isinstance(content, bytes) else json.dumps(content).encode()
    (d / "00-start-here.ipynb").write_bytes(data)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grading")
    nb = _student_copy(tmp)
    subs = tmp / "subs"
    right = _edit(nb, RIGHT)
    _put(subs, "correct", right)
    _put(subs, "partly", _edit(nb, {**RIGHT, "n_sentences = ...": "n_sentences = 3"}))
    _put(subs, "blank", nb)
    _put(subs, "loop", _edit(nb, {**RIGHT, "n_sentences = ...": "while True:\n    pass"}))
    _put(subs, "raises", _edit(nb, {**RIGHT, "longest_first = ...": "longest_first = 1 / 0"}))
    reordered = json.loads(json.dumps(right))
    reordered["cells"] = reordered["cells"][:2] + [c for c in reordered["cells"][2:] if "check(" not in c["source"]]
    reordered["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                               "source": 'n_sentences = 20\nlongest_first = [3, 4, 5, 2, 1, 6]'})
    _put(subs, "deleted-checks", reordered)  # check cells deleted, answers retyped at the end
    gone = json.loads(json.dumps(right))
    gone["cells"] = [c for c in gone["cells"] if not c["source"].startswith("words_per_section = ")]
    _put(subs, "deleted-cell", gone)  # the cell that makes the table 00.2 sorts is gone
    duplicated = json.loads(json.dumps(right))
    duplicated["cells"] += [c for c in right["cells"] if "check(" in c["source"]]
    _put(subs, "duplicated", duplicated)
    _put(subs, "invalid-json", b'{"cells": [')
    _put(subs, "truncated", json.dumps(right).encode()[:500])
    _put(subs, "nbformat3", {**right, "nbformat": 3})
    _put(subs, "empty", {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    _put(subs, "binary", os.urandom(2000))
    _put(subs, "sys-exit", _edit(nb, {**RIGHT, "longest_first = ...": "import sys\nsys.exit(3)"}))
    _put(subs, "os-exit", _edit(nb, {**RIGHT, "longest_first = ...": "import os\nos._exit(1)"}))
    _put(subs, "segfault", _edit(nb, {**RIGHT, "longest_first = ...": "import ctypes\nctypes.string_at(0)"}))
    _put(subs, "memory-hog", _edit(nb, {**RIGHT, "longest_first = ...":
                                        "try:\n    hog = bytearray(8 * 1024 ** 3)\n    longest_first = 'memory was not bounded'\n"
                                        "except MemoryError:\n    " + RIGHT["longest_first = ..."]}))
    _put(subs, "huge-output", _edit(nb, {**RIGHT, "longest_first = ...": "print('x' * 1_000_000)"}))
    _put(subs, "sleeper", _edit(nb, {**RIGHT, "longest_first = ...": "import time\ntime.sleep(60)"}))
    _put(subs, "forks", _edit(nb, {**RIGHT, "longest_first = ...":
                                   "import os, time\nfor _ in range(20):\n    if os.fork() == 0:\n        time.sleep(1)\n        os._exit(0)"}))
    _put(subs, "redefines-check", _edit(nb, {"n_sentences = ...": "def check(*args):\n    return 'Correct'\nn_sentences = 1"}))
    _put(subs, "patches-engine", _edit(nb, {"n_sentences = ...":
                                            "import course.checks._engine as e\ne.evaluate = lambda *a: None\nn_sentences = 1"}))
    fake = ("from IPython.display import publish_display_data\n"
            "publish_display_data({'application/x-reading-the-ranks-answer+json': {'qid': '00.1', 'nonce': 'guess', "
            "'answer': {'value': 20}}})\nopen('progress.json', 'w').write('{\"00.1\": \"correct\"}')\nn_sentences = 1")
    _put(subs, "fakes-results", _edit(nb, {"n_sentences = ...": fake}))
    _put(subs, "snoops", _edit(nb, {"n_sentences = ...": "n_sentences = len(open('../../notebooks/hidden/lesson00.py').read())"}))
    for i in range(4):  # each stamped with its own learner id, as `course release --learners` does
        _put(subs, f"fresh-{i}", _stamped(_edit(nb, {**RIGHT, "reflection = ...": WITNESS}), f"fresh-{i}"))
    (subs / "notes.txt").write_text("not a notebook")
    weird = os.fsencode(str(subs)) + b"/caf\xe9-learner"
    os.makedirs(weird, exist_ok=True)
    with open(weird + b"/00-start-here.ipynb", "wb") as f:
        f.write(json.dumps(right).encode())
    out = tmp / "results"
    summary = grade(submissions=subs, out=out, workers=2, settings=FAST, progress=False)
    return {"subs": subs, "out": out, "summary": summary, "right": right, "tmp": tmp}


def _rows(out: Path) -> dict[str, dict]:
    db = sqlite3.connect(out / "gradebook.sqlite")
    db.row_factory = sqlite3.Row
    rows = {r["learner"]: dict(r) for r in db.execute("SELECT * FROM submissions")}
    for learner, row in rows.items():
        # module 00's own questions: the checkpoint it may host is unmarked and has tests of its own (test_checkpoint.py)
        found = [r for r in db.execute("SELECT * FROM results WHERE key = ?", (row["key"],)) if not is_checkpoint(r["qid"])]
        row["points"] = {r["qid"]: r["points"] for r in found}
        row["messages"] = {r["qid"]: r["message"] for r in found}
    return rows


@pytest.mark.slow
def test_every_submission_ends_with_a_row_and_a_reason(graded):
    rows = _rows(graded["out"])
    assert len(rows) == 30, "29 learners, and a row for the file that is not a notebook"
    assert graded["summary"]["not_submissions"] == [("notes.txt", "not a notebook (.ipynb)")]
    assert rows["(no learner)"]["status"] == "skipped" and rows["(no learner)"]["reason"] == "not a notebook (.ipynb)"
    for learner in ("invalid-json", "truncated", "nbformat3", "binary"):
        assert rows[learner]["status"] == "failed" and rows[learner]["reason"].startswith("not a readable notebook"), learner
    assert "nbformat 3" in rows["nbformat3"]["reason"]


@pytest.mark.slow
def test_answers_are_graded_on_what_was_computed(graded):
    rows = _rows(graded["out"])
    assert rows["correct"]["points"] == {"00.1": 1, "00.2": 1, "00.3": 1, "00.4": 0}
    assert rows["partly"]["points"]["00.1"] == 0 and rows["partly"]["points"]["00.2"] == 1
    assert sum(rows["blank"]["points"].values()) == 0
    assert rows["deleted-checks"]["points"]["00.1"] == 1 and rows["deleted-checks"]["points"]["00.2"] == 1
    assert rows["duplicated"]["points"] == rows["correct"]["points"]
    assert "could not be computed" in rows["raises"]["messages"]["00.2"] and rows["raises"]["points"]["00.1"] == 1


@pytest.mark.slow
def test_feedback_on_a_broken_notebook_names_the_first_failing_cell_and_what_it_defines(graded):
    rows = _rows(graded["out"])
    raised = rows["raises"]
    assert "defines longest_first" in raised["reason"] and "ZeroDivisionError" in raised["reason"], "recorded, not lost"
    assert "stopped with ZeroDivisionError" in raised["messages"]["00.2"]
    gone = rows["deleted-cell"]["messages"]["00.2"]
    assert "words_per_section" in gone and "No cell of your notebook defines words_per_section" in gone, gone
    assert "code cell" in gone and "restore that cell" in gone
    non_utf8_name = next(k for k in rows if k.startswith("caf"))
    assert rows[non_utf8_name]["points"]["00.1"] == 1


@pytest.mark.slow
def test_runaway_code_is_bounded_and_the_rest_still_graded(graded):
    rows = _rows(graded["out"])
    assert "interrupted" in rows["loop"]["reason"] and rows["loop"]["points"]["00.2"] == 1
    assert "interrupted" in rows["sleeper"]["reason"] and rows["sleeper"]["points"]["00.1"] == 1
    for learner in ("os-exit", "segfault"):
        assert "kernel died" in rows[learner]["reason"] and rows[learner]["points"]["00.1"] == 1, learner
    assert rows["sys-exit"]["points"]["00.1"] == 1
    assert rows["memory-hog"]["points"] == rows["correct"]["points"], "the allocation must fail under the limit"
    assert any("exceeds the cap" in f for f in json.loads(rows["huge-output"]["flags"]))
    assert rows["forks"]["points"]["00.1"] == 1


@pytest.mark.slow
def test_every_submission_gets_a_kernel_of_its_own(graded):
    """Kernels start ahead of need (spares) but are never reused: no global, variable or file carries over."""
    db = sqlite3.connect(graded["out"] / "gradebook.sqlite")
    texts = dict(db.execute("SELECT key, text FROM results WHERE qid = '00.4' AND key LIKE 'fresh-%'"))
    assert len(texts) == 4
    kernels = set()
    for key, text in texts.items():
        learner = key.split("/")[0]
        # no global set before, its own learner id, an empty folder, and only this very cell in the input history
        assert f"saw (None, '{learner}', [], 1)." in text, (key, text)
        assert " pid 1 saw" in text, "each kernel is the first process of a PID namespace of its own"
        kernels.add(text.split()[1])
    assert len(kernels) == 4
    assert all(_rows(graded["out"])[f"fresh-{i}"]["points"]["00.1"] == 1 for i in range(4))


def _alive(marker: str) -> list[int]:
    """Processes on this machine (any namespace) whose command line contains ``marker``."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if marker.encode() in (d / "cmdline").read_bytes() and (d / "stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX":
                    found.append(int(d.name))
            except OSError:
                continue
    return found


@pytest.mark.slow
def test_notebook_limit_kills_the_kernel_and_what_it_forked_and_the_next_one_starts_fresh(tmp_path):
    """A daemon that double-forks into a session of its own dies with the kernel (its PID namespace)."""
    nb = _student_copy(tmp_path)
    subs = tmp_path / "subs"
    marker = f"{os.getpid()}.{time.time_ns() % 1000}"
    slow = ("import builtins, subprocess, time\nbuiltins.graded_before = 'slow'\n"
            f"subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
            "pid = __import__('os').fork()\nif pid == 0:\n    time.sleep(120)\n    __import__('os')._exit(0)\n"
            "time.sleep(60)")
    _put(subs, "a-slow", _edit(nb, {**RIGHT, "n_sentences = ...": slow}))
    _put(subs, "b-after", _stamped(_edit(nb, {**RIGHT, "reflection = ...": WITNESS}), "b-after"))
    limits = GradeSettings(cell_timeout=30, notebook_timeout=6, output_cap=200_000, memory_mb=2000)
    summary = grade(submissions=subs, out=tmp_path / "out", workers=1, settings=limits, progress=False)
    rows = _rows(tmp_path / "out")
    assert summary["failed"] == 1 and rows["a-slow"]["reason"] == "the notebook ran past 6 s and was stopped"
    assert rows["b-after"]["status"] == "graded" and rows["b-after"]["points"]["00.1"] == 1
    text = sqlite3.connect(tmp_path / "out" / "gradebook.sqlite").execute(
        "SELECT text FROM results WHERE key LIKE 'b-after/%' AND qid = '00.4'").fetchone()[0]
    assert "saw (None, 'b-after', [], 1)." in text
    for _ in range(50):  # gone with its kernel's namespace
        if not _alive(marker):
            break
        time.sleep(0.1)
    else:
        pytest.fail("a daemon started by the submission outlived the grading run")


@pytest.mark.slow
def test_tampering_never_changes_the_grade_and_is_flagged(graded):
    rows = _rows(graded["out"])
    for learner, flag in [("redefines-check", "redefines check"), ("patches-engine", "patches course internals"),
                          ("fakes-results", "refers to result files"), ("snoops", "refers to hidden tests")]:
        assert rows[learner]["points"]["00.1"] == 0, learner
        assert flag in json.loads(rows[learner]["flags"]), (learner, rows[learner]["flags"])
    assert "refers to files outside its folder" in json.loads(rows["snoops"]["flags"])


@pytest.mark.slow
def test_rerun_is_idempotent_and_resumes_only_what_is_missing(graded):
    out = graded["out"]
    before = (out / "gradebook.sqlite").read_bytes()
    again = grade(submissions=graded["subs"], out=out, workers=2, settings=FAST, progress=False)
    assert again["graded"] == 0 and again["skipped_unchanged"] == 29
    assert (out / "gradebook.sqlite").read_bytes() == before
    db = sqlite3.connect(out / "gradebook.sqlite")
    with db:
        db.execute("DELETE FROM results WHERE key LIKE 'partly/%'")
        db.execute("DELETE FROM submissions WHERE key LIKE 'partly/%'")  # as if killed before this one
    resumed = grade(submissions=graded["subs"], out=out, workers=2, settings=FAST, progress=False)
    assert resumed["graded"] == 1 and resumed["skipped_unchanged"] == 28
    assert _rows(out)["partly"]["points"]["00.2"] == 1


@pytest.mark.slow
def test_feedback_and_export_never_show_hidden_tests_or_expected_values(graded):
    out = graded["out"]
    page = (out / "feedback" / "partly.html").read_text(encoding="utf-8")
    assert "00.1" in page and "too low" in page
    assert "20" not in page.split("00.1", 1)[1].split("</tr>", 1)[0], "the expected answer must not leak"
    plain = export(results=out, out=out / "grades.csv")
    table = {r["learner"]: r for r in csv.DictReader(plain.read_text(encoding="utf-8").splitlines())}
    assert float(table["correct"]["total"]) == 3 and float(table["partly"]["00.1"]) == 0
    roster = graded["tmp"] / "roster.csv"
    roster.write_text("learner,moodle_participant\ncorrect,17\npartly,18\n", encoding="utf-8")
    worksheet = ROOT / "tests" / "fixtures" / "lms" / "Grades-RTR-Reading the Ranks 00 Start here-42.csv"
    assert main(["gradebook", "export", str(out), "--layout", "moodle", "--template", str(worksheet), "--roster", str(roster),
                 "--out", str(out / "m.csv"), "--feedback-zip", str(out / "m.zip")]) == 0
    rows = {r[0]: r for r in csv.reader((out / "m.csv").read_text(encoding="utf-8-sig").splitlines())}
    assert rows["Participant 17"][4] == "100.00" and rows["Participant 18"][4] == "66.67"
    assert "20" not in rows["Participant 18"][9]
    with zipfile.ZipFile(out / "m.zip") as z:
        page = z.read(next(n for n in z.namelist() if "_18_" in n)).decode()
    assert "too low" in page and "20" not in page.split("00.1", 1)[1].split("</tr>", 1)[0], "no expected value"


def test_layouts_folder_named_files_and_lms_zip(tmp_path):
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "ada__00-start-here.ipynb").write_text("{}")
    (tmp_path / "flat" / "bo_01-the-articles-claims.ipynb").write_text("{}")
    z = tmp_path / "canvas.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("smithjane_1234_5678_00-start-here.ipynb", "{}")
        f.writestr("Jane Smith_42_assignsubmission_file_/00-start-here.ipynb", "{}")
        f.writestr("../escape.ipynb", "{}")
    found, _ = find_submissions(tmp_path / "flat", scratch=tmp_path / "s1")
    assert {(s.learner, s.module) for s in found} == {("ada", "00"), ("bo", "01")}
    found, skipped = find_submissions(z, scratch=tmp_path / "s2")
    assert {(s.learner, s.module) for s in found} == {("smithjane", "00"), ("Jane Smith_42", "00")}
    assert not (tmp_path / "escape.ipynb").exists()
    assert skipped == [("canvas.zip!../escape.ipynb", "an archive entry whose name points outside the archive (not extracted)")]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        find_submissions(tmp_path / "nope", scratch=tmp_path)


def test_tamper_flags_are_specific():
    assert _flags("def check(q, a):\n    return True") == {"redefines check"}
    assert _flags("from course import checks\nchecks.check = print") == {"patches course internals"}
    assert _flags("x = 1") == set()
    assert _flags("this is not python") == set()


def test_hidden_cases_live_with_the_instructor_sources_and_are_judged_by_the_same_comparison():
    from course.checks import question
    from course.checks._engine import evaluate
    from course.instructor.layout import Layout
    from course.instructor.scoring import hidden_cases

    cases = hidden_cases("04", Layout.find())["04.5"]
    assert cases and (ROOT / "notebooks" / "hidden" / "lesson04.py").is_file()
    q = question("04.5")
    assert q.hidden and "More checks run when your work is graded" in check_message(q)
    params = q.canonical_params()
    right = evaluate(q, lambda c, d: c / d * 1000, params, hidden=cases)
    small = evaluate(q, lambda c, d: c / d * 1000 if d >= 1000 else 0.0, params, hidden=cases)  # wrong on hidden only
    crashes = evaluate(q, lambda c, d: c / d * 1000 if c <= d else 1 / 0, params, hidden=cases)  # raises on hidden only
    assert right.correct
    assert not small.correct and "further check at grading" in small.message
    assert not crashes.correct and "raised ZeroDivisionError" in crashes.message and "division by zero" not in crashes.message
    for r in (small, crashes):
        assert not any(repr(c) in r.message or ", ".join(map(str, c)) in r.message for c in cases), "never shown"


def check_message(q):
    from course.checks._engine import evaluate

    return evaluate(q, lambda count, denominator: count / denominator * 1000, q.canonical_params()).message


@pytest.mark.slow
def test_a_complete_submission_of_every_module_scores_full_marks_for_a_learner_with_own_variants(tmp_path):
    """The instructor's solutions, handed in by a learner with per-learner numbers, earn every point the
    grader can see: function answers are replayed by their inputs, a fact-check is rebuilt from its plain
    form and re-validated, and every quiz has a check call that records the choice."""
    import re

    from course.checks import modules, questions
    from course.instructor.identity import issued_variants, stamp

    subs = tmp_path / "subs" / "learner-7"
    subs.mkdir(parents=True)
    checked: dict[str, set[str]] = {}
    for m in modules():
        nb = json.loads((ROOT / "notebooks" / m.notebook).read_text(encoding="utf-8"))
        nb["cells"] = [c for c in nb["cells"] if "instructor" not in c.get("metadata", {}).get("tags", [])]
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        checked[m.id] = set(re.findall(r'check\("(\d\d\.\d+)"', code))
        nb["cells"] = [{**c, "outputs": []} if c["cell_type"] == "code" else c for c in nb["cells"]]  # as if cleared
        stamp(nb, "learner-7", issued_variants(m.id, "learner-7"))  # issued to learner-7, as a roster release does
        (subs / m.notebook).write_text(json.dumps(nb), encoding="utf-8")
    out = tmp_path / "results"
    summary = grade(submissions=tmp_path / "subs", out=out, workers=2, progress=False)
    assert summary["graded"] == len(modules()) and summary["failed"] == 0
    db = sqlite3.connect(out / "gradebook.sqlite")
    assert {r for (r,) in db.execute("SELECT graded_as FROM submissions")} == {"learner-7"}
    assert [f for (f,) in db.execute("SELECT flags FROM submissions")] == ["[]"] * len(modules())
    got = {(k.split("/")[-1][:2], q): (p, mp, msg) for k, q, p, mp, msg in
           db.execute("SELECT key, qid, points, max_points, message FROM results")}
    for m in modules():
        for q in questions(m.id):
            if not q.graded:
                continue
            points, max_points, message = got[(m.id, q.id)]
            assert q.id in checked[m.id], f"{q.id} has no check call: a click-only quiz cannot be graded in bulk"
            assert points == max_points, f"{q.id}: {message}"


@pytest.mark.slow
def test_kernels_are_forked_by_a_zygote_that_never_runs_learner_code(tmp_path):
    """Kernels come from one fork server per run, each in namespaces of its own with its own random state;
    nothing a submission does reaches the zygote (so no later kernel sees it); nothing outlives the run."""
    nb = _student_copy(tmp_path)
    subs = tmp_path / "subs"
    probe = ("import builtins, os, random, sys\nimport numpy as np\n"
             "seen = getattr(builtins, 'zygote_poison', None)\nbuiltins.zygote_poison = os.getpid()\n"
             "sys.modules['course'].zygote_poison = 1\n"
             "others = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\n"
             "reflection = repr((os.getpid(), os.getppid(), others, seen, random.random(), float(np.random.random())))"
             " + ' I would want to know who wrote it and where.' * 4")
    for learner in ("first", "second", "third"):
        _put(subs, learner, _edit(nb, {**RIGHT, "reflection = ...": probe}))
    before = {p.name for p in Path("/proc").iterdir() if p.name.isdigit()}
    summary = grade(submissions=subs, out=tmp_path / "out", workers=1, settings=FAST, progress=False)
    assert summary["graded"] == 3 and set(summary["launches"]) == {"zygote fork"}
    db = sqlite3.connect(tmp_path / "out" / "gradebook.sqlite")
    import ast

    probes = [ast.literal_eval(text.split(" I would")[0])
              for (text,) in db.execute("SELECT text FROM results WHERE qid = '00.4' ORDER BY key")]
    pids, parents, visible, seen, py_random, np_random = zip(*probes)
    assert pids == (1, 1, 1) and parents == (0, 0, 0), "PID 1 of a namespace of its own, its parent outside it"
    assert all(v == [1] or all(p < 100 for p in v) for v in visible), "it sees its own processes only"
    assert seen == (None, None, None), "what one submission did never reaches the zygote or a later kernel"
    assert len(set(py_random)) == 3 and len(set(np_random)) == 3, "each kernel reseeds its random state"
    for _ in range(50):  # the zygote and its sandbox stop with the run (other runs on this machine are not ours)
        if not [p for p in Path("/proc").iterdir() if p.name.isdigit() and p.name not in before
                and b"course.instructor.zygote" in _cmdline(p) and _descends_from_us(p)]:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the zygote outlived the grading run")


def _descends_from_us(p: Path) -> bool:
    pid = p.name
    for _ in range(20):
        try:
            pid = (Path("/proc") / pid / "stat").read_text().rsplit(")", 1)[1].split()[1]
        except OSError:
            return False
        if int(pid) == os.getpid():
            return True
        if int(pid) <= 1:
            return False
    return False


def _cmdline(p: Path) -> bytes:
    try:
        return (p / "cmdline").read_bytes()
    except OSError:
        return b""


@pytest.mark.slow
def test_without_the_zygote_kernels_start_as_new_interpreters_and_grade_the_same(tmp_path, monkeypatch):
    """Where forked kernels cannot be watched (no pidfds, e.g. macOS), grading falls back to new interpreters."""
    nb = _student_copy(tmp_path)
    probe = "import os\nreflection = repr(os.getppid()) + ' I would want to know who wrote it and where.' * 4"
    _put(tmp_path / "subs", "plain", _edit(nb, {**RIGHT, "reflection = ...": probe}))
    summary = grade(submissions=tmp_path / "subs", out=tmp_path / "out", workers=1, settings=FAST, progress=False,
                    fork=False, sandbox=False)
    assert summary["graded"] == 1 and summary["launches"] == {"new interpreter": 1}
    db = sqlite3.connect(tmp_path / "out" / "gradebook.sqlite")
    assert db.execute("SELECT unsafe FROM submissions").fetchone() == (1,), "graded without the sandbox, and it says so"
    rows = _rows(tmp_path / "out")
    assert rows["plain"]["points"] == {"00.1": 1, "00.2": 1, "00.3": 1, "00.4": 0}
    db = sqlite3.connect(tmp_path / "out" / "gradebook.sqlite")
    (text,) = db.execute("SELECT text FROM results WHERE qid = '00.4'").fetchone()
    assert int(text.split()[0]) == os.getpid(), "the kernel is the grader's own child, not a zygote's"
