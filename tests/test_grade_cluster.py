"""Grading at scale: a Dask cluster and shards give the same gradebook as a local run.

One corpus of module 00 submissions (right, wrong, blank, raising, looping, crashing, tampering,
unreadable, not a notebook, inside an LMS zip, under a name that is not UTF-8, and one learner
with numbers of their own from a release record) is graded once locally; every other way of
grading it must write the same rows, points, messages, flags and statuses. Timestamps are left
out of the comparison: they say when, not what.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from handin import RIGHT, edit
from processes import grading_processes

from course.cli import main
from course.instructor.grade import GradeSettings, grade
from course.instructor.gradebook import Gradebook
from course.instructor.shards import (
    MergeRefused,
    Shard,
    ShardError,
    claim_folder,
    merge,
)

distributed = pytest.importorskip("distributed", reason="the cluster extra: pip install -e '.[test,cluster]'")

ROOT = Path(__file__).resolve().parents[1]
FAST = GradeSettings(cell_timeout=4, notebook_timeout=40, output_cap=200_000, memory_mb=2000)


def _put(folder: Path, learner: str, content) -> None:
    d = folder / learner
    d.mkdir(parents=True, exist_ok=True)
    (d / "00-start-here.ipynb").write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The submissions, the release record, and the gradebook of a local run."""
    tmp = tmp_path_factory.mktemp("corpus")
    roster = tmp / "roster.csv"
    roster.write_text("learner\nlearner-7\ncorrect\n", encoding="utf-8")
    assert main(["release", "00", "--out", str(tmp / "release"), "--learners", str(roster)]) == 0
    nb = json.loads((tmp / "release" / "00-start-here.ipynb").read_text(encoding="utf-8"))
    own = json.loads((tmp / "release" / "learner-7" / "00-start-here.ipynb").read_text(encoding="utf-8"))
    subs = tmp / "subs"
    _put(subs, "correct", edit(nb, RIGHT))
    _put(subs, "partly", edit(nb, {**RIGHT, "n_sentences = ...": "n_sentences = 3"}))
    _put(subs, "blank", nb)
    _put(subs, "raises", edit(nb, {**RIGHT, "longest_first = ...": "longest_first = 1 / 0"}))
    _put(subs, "loop", edit(nb, {**RIGHT, "n_sentences = ...": "while True:\n    pass"}))
    _put(subs, "os-exit", edit(nb, {**RIGHT, "longest_first = ...": "import os\nos._exit(1)"}))
    _put(subs, "redefines-check", edit(nb, {"n_sentences = ...": "def check(*args):\n    return 'Correct'\nn_sentences = 1"}))
    _put(subs, "learner-7", edit(own, RIGHT))
    _put(subs, "invalid-json", b'{"cells": [')
    _put(subs, "binary", bytes(range(256)) * 8)
    (subs / "notes.txt").write_text("not a notebook", encoding="utf-8")
    with zipfile.ZipFile(subs / "canvas.zip", "w") as z:
        z.writestr("smithjane_1234_5678_00-start-here.ipynb", json.dumps(edit(nb, {**RIGHT, "choice_00_3 = ...": "choice_00_3 = 'A'"})))
        z.writestr("../escape.ipynb", "{}")
    weird = os.fsencode(str(subs)) + b"/caf\xe9-learner"
    os.makedirs(weird, exist_ok=True)
    with open(weird + b"/00-start-here.ipynb", "wb") as f:
        f.write(json.dumps(edit(nb, RIGHT)).encode())
    local = tmp / "local"
    summary = grade(submissions=subs, out=local, workers=2, settings=FAST, release=tmp / "release", progress=False)
    assert summary["graded"] >= 9 and summary["where"] == "this computer"
    return {"tmp": tmp, "subs": subs, "release": tmp / "release", "local": local, "book": _book(local)}


def _book(out: Path) -> dict[str, dict]:
    """What a gradebook says about each submission: its row and its results, without when they were written."""
    book = Gradebook(out / "gradebook.sqlite")
    return {row["key"]: {**{k: v for k, v in row.items() if k != "graded_at"}, "results": [
        {k: v for k, v in r.items() if k != "key"} for r in book.results(row["key"])]} for row in book.submissions()}


def test_the_corpus_covers_what_matters(corpus):
    """The comparison below means something only if the corpus has rows of every kind."""
    book = corpus["book"]
    assert len(book) == 14, sorted(book)
    statuses = {row["status"] for row in book.values()}
    assert statuses == {"graded", "failed", "skipped"}
    assert book["learner-7/00-start-here.ipynb"]["graded_as"] == "learner-7"
    assert sum(r["points"] for r in book["correct/00-start-here.ipynb"]["results"]) == 3
    assert "kernel died" in book["os-exit/00-start-here.ipynb"]["reason"]
    assert "redefines check" in book["redefines-check/00-start-here.ipynb"]["flags"]
    assert any(k.startswith("smithjane/") for k in book) and any("escape" in k for k in book)


def _submits_only_bytes(monkeypatch) -> list:
    """Record what each task carries to a worker: the run's name, the file's bytes, the learner, the module, exam or not."""
    sent = []
    original = distributed.Client.submit

    def spy(self, func, *args, **kwargs):
        sent.append(args)
        return original(self, func, *args, **kwargs)

    monkeypatch.setattr(distributed.Client, "submit", spy)
    return sent


@pytest.mark.slow
def test_a_local_cluster_of_two_worker_processes_writes_the_same_gradebook(corpus, tmp_path, monkeypatch):
    sent = _submits_only_bytes(monkeypatch)
    summary = grade(submissions=corpus["subs"], out=tmp_path / "results", dask=2, workers=2, settings=FAST,
                    release=corpus["release"], progress=False)
    assert summary["where"] == "2 Dask workers here"
    assert _book(tmp_path / "results") == corpus["book"]
    assert summary["launches"].get("zygote fork", 0) >= 10, summary["launches"]
    assert len(sent) == 12, "every file that is a submission, the unreadable ones too"
    for name, raw, learner, module, exam in sent:  # bytes, never a path: workers need no shared filesystem
        assert isinstance(raw, bytes) and module == "00" and exam is False
        assert str(corpus["subs"]).encode() not in raw and str(corpus["tmp"]) not in repr((name, learner))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """An existing Dask cluster, as an instructor's would be: a scheduler and 2 worker processes on loopback.

    Its workers keep their scratch folders under this test's temporary folder: a worker killed by a test
    cannot remove its own."""
    scratch = tmp_path_factory.mktemp("workers")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, env={"TMPDIR": str(scratch)}) as c, \
            distributed.Client(c, set_as_default=False) as client:
        yield c.scheduler_address, client


def _rows(out: Path) -> int:
    try:
        with sqlite3.connect(out / "gradebook.sqlite", timeout=30) as db:
            return db.execute("SELECT COUNT(*) FROM submissions WHERE status != 'skipped'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _wait_until_gone(pids: set[int], seconds: float = 20) -> set[int]:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        left = pids & grading_processes()
        if not left:
            return left
        time.sleep(0.2)
    return pids & grading_processes()


@pytest.mark.slow
def test_a_worker_killed_mid_submission_costs_a_retry_not_the_batch(corpus, cluster, tmp_path):
    address, client = cluster
    before = grading_processes()
    out = tmp_path / "results"
    done: dict = {}
    run = threading.Thread(target=lambda: done.update(grade(submissions=corpus["subs"], out=out, cluster=address,
                                                            settings=FAST, release=corpus["release"], progress=False)))
    run.start()
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and run.is_alive() and time.monotonic() < deadline:
        if _rows(out) >= 2:  # the workers are set up and grading
            busy = client.run(lambda dask_worker: [ts.key for ts in dask_worker.state.tasks.values()
                                                   if ts.state == "executing" and str(ts.key).startswith("grade-")])
            victim = next((addr for addr, keys in busy.items() if keys), None)
            if victim is not None:
                pid = client.run(os.getpid, workers=[victim])[victim]
                os.kill(pid, signal.SIGKILL)  # mid-submission, with no warning
                killed = (victim, busy[victim])
        time.sleep(0.1)
    run.join(timeout=300)
    assert killed is not None, "no worker was caught grading"
    assert not run.is_alive() and done, "the run did not finish after a worker died"
    assert _book(out) == corpus["book"], "the submission the dead worker held was graded again elsewhere, and nothing else changed"
    client.wait_for_workers(2, timeout=60)  # its nanny restarted it
    assert not _wait_until_gone(grading_processes() - before), "a zygote or kernel outlived the run (or its dead worker)"


@pytest.mark.slow
def test_a_killed_client_resumes_like_a_local_run(corpus, cluster, tmp_path):
    """The client is killed mid-run: what it recorded stays, its plugin is removed by the next run, which grades the rest."""
    address, client = cluster
    before = grading_processes()
    out = tmp_path / "results"
    cmd = [sys.executable, "-m", "course", "grade", str(corpus["subs"]), "--out", str(out), "--cluster", address,
           "--release", str(corpus["release"]), "--cell-timeout", "4", "--timeout", "40", "--memory-mb", "2000"]
    (tmp_path / "tmp").mkdir()  # the killed client's scratch folder stays here, not in /tmp
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "TMPDIR": str(tmp_path / "tmp")})
    try:
        deadline = time.monotonic() + 120
        while _rows(out) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before it could be killed"
        proc.kill()
    finally:
        proc.wait()
    recorded = _rows(out)
    left_behind = client.run_on_scheduler(lambda dask_scheduler: [n for n in dask_scheduler.worker_plugins
                                                                   if n.startswith("reading-the-ranks-grader:")])
    assert left_behind, "a killed client cannot unregister its plugin"
    summary = grade(submissions=corpus["subs"], out=out, cluster=address, settings=FAST, release=corpus["release"],
                    progress=False)
    assert summary["skipped_unchanged"] == recorded and summary["graded"] + summary["failed"] == 12 - recorded
    assert _book(out) == corpus["book"]
    assert client.run_on_scheduler(lambda dask_scheduler: [n for n in dask_scheduler.worker_plugins
                                                           if n.startswith("reading-the-ranks-grader:")]) == []
    assert not _wait_until_gone(grading_processes() - before), "the killed run's zygotes were not stopped"


@pytest.mark.slow
def test_shards_merged_equal_the_unsharded_run(corpus, tmp_path):
    shards = []
    for i in (1, 2, 3):
        out = tmp_path / f"shard-{i}"
        summary = grade(submissions=corpus["subs"], out=out, shard=f"{i}/3", workers=2, settings=FAST,
                        release=corpus["release"], progress=False)
        assert summary["shard"] == f"{i}/3"
        assert json.loads((out / "shard.json").read_text())["shard"] == f"{i}/3"
        shards.append(out)
    parts = [set(_book(s)) for s in shards]
    assert all(parts) and sum(map(len, parts)) == len(corpus["book"]), "every file in exactly one shard"
    assert main(["gradebook", "merge", *map(str, shards), "--out", str(tmp_path / "merged")]) == 0
    assert _book(tmp_path / "merged") == corpus["book"]
    assert (tmp_path / "merged" / "feedback" / "correct.html").is_file()
    graded_at = {r["key"]: r["graded_at"] for s in shards for r in Gradebook(s / "gradebook.sqlite").submissions()}
    assert {r["key"]: r["graded_at"] for r in Gradebook(tmp_path / "merged" / "gradebook.sqlite").submissions()} == graded_at
    again = grade(submissions=corpus["subs"], out=shards[1], shard="2/3", workers=2, settings=FAST,
                  release=corpus["release"], progress=False)
    assert again["graded"] == 0 and again["skipped_unchanged"] == len([k for k in parts[1] if "escape" not in k
                                                                        and "notes" not in k]), "a shard resumes like any run"


# --- fast: the slices, the folder guard and the merge's refusals (no kernels) ----------------------------------


def test_every_key_belongs_to_exactly_one_shard_and_slices_are_even():
    keys = [f"learner-{i}/0{i % 8}-module.ipynb" for i in range(3000)] + ["caf\udce9/00-start-here.ipynb"]
    for n in (1, 2, 3, 7):
        owners = [[i for i in range(1, n + 1) if Shard(i, n).owns(k)] for k in keys]
        assert all(len(o) == 1 for o in owners)
        sizes = [sum(o == [i] for o in owners) for i in range(1, n + 1)]
        assert max(sizes) - min(sizes) < 0.1 * len(keys) / n + 20, sizes
    assert Shard.parse("2/3") == Shard(2, 3) == Shard.parse((2, 3)) and str(Shard(2, 3)) == "2/3"
    for bad, says in [("0/3", "add 1"), ("4/3", "between 1 and N"), ("two", "I/N"), ("1/0", "between 1 and N")]:
        with pytest.raises(ShardError, match=says):
            Shard.parse(bad)


def test_a_shard_folder_takes_only_its_own_shard(tmp_path):
    same = {"settings": {"cell_timeout": 30}, "record": None, "sandbox": True, "fingerprint": "abc"}
    claim_folder(tmp_path / "s1", None, **same)  # an unsharded run leaves no mark
    assert not (tmp_path / "s1" / "shard.json").exists()
    (tmp_path / "s1").mkdir()
    claim_folder(tmp_path / "s1", Shard(1, 3), **same)
    claim_folder(tmp_path / "s1", Shard(1, 3), **same)  # resuming is fine
    with pytest.raises(ShardError, match="holds shard 1/3, not 2/3"):
        claim_folder(tmp_path / "s1", Shard(2, 3), **same)
    with pytest.raises(ShardError, match="holds shard 1/3 of a sharded run"):
        claim_folder(tmp_path / "s1", None, **same)
    with pytest.raises(ShardError, match="another limits"):
        claim_folder(tmp_path / "s1", Shard(1, 3), **{**same, "settings": {"cell_timeout": 60}})
    with pytest.raises(ShardError, match="another course version"):
        claim_folder(tmp_path / "s1", Shard(1, 3), **{**same, "fingerprint": "def"})
    (tmp_path / "plain").mkdir()
    _row(Gradebook(tmp_path / "plain" / "gradebook.sqlite"), "ada", 1)
    with pytest.raises(ShardError, match="already holds an unsharded gradebook"):
        claim_folder(tmp_path / "plain", Shard(1, 3), **same)
    assert main(["grade", str(tmp_path), "--out", str(tmp_path / "x"), "--shard", "0/2"]) == 2


def _row(book: Gradebook, learner: str, points: float, sha: str = "a" * 64) -> None:
    book.record(learner, "00", f"{learner}/00-start-here.ipynb", sha,
                {"status": "graded", "reason": "", "flags": [], "results": [
                    {"qid": "00.1", "status": "correct" if points else "incorrect", "points": points, "max_points": 1,
                     "message": "m", "text": None, "mistake": ""}]}, submitted_at="2026-11-01T10:00:00+00:00")


def _shard(folder: Path, part: str, rows: dict[str, float], **changes) -> Path:
    folder.mkdir(parents=True)
    marks = {"format": 1, "shard": part, "settings": {}, "release_record": "none", "sandbox": True, "course": "x", **changes}
    (folder / "shard.json").write_text(json.dumps(marks), encoding="utf-8")
    book = Gradebook(folder / "gradebook.sqlite")
    for learner, points in rows.items():
        _row(book, learner, points)
    return folder


def test_merge_refuses_with_a_reason_and_writes_nothing(tmp_path, capsys):
    a = _shard(tmp_path / "a", "1/3", {"ada": 1, "bo": 0})
    b = _shard(tmp_path / "b", "2/3", {"cy": 1})
    c = _shard(tmp_path / "c", "3/3", {"ada": 0})  # the same file, graded differently
    with pytest.raises(MergeRefused) as refused:
        merge(results=[a, b], out=tmp_path / "out")
    assert "shard 3/3 of 3 is missing" in str(refused.value)
    with pytest.raises(MergeRefused) as refused:
        merge(results=[a, b, c], out=tmp_path / "out")
    conflict = f"ada/00-start-here.ipynb: {a} and {c} disagree: the same file graded differently (question 00.1: 1.0 and 0.0 points)"
    assert refused.value.problems == [conflict]
    assert not (tmp_path / "out" / "gradebook.sqlite").exists()
    d = _shard(tmp_path / "d", "2/3", {"dee": 1})
    with pytest.raises(MergeRefused, match="shard 2/3 is given twice"):
        merge(results=[a, b, d], out=tmp_path / "out")
    e = _shard(tmp_path / "e", "3/3", {"eve": 1}, settings={"cell_timeout": 5})
    with pytest.raises(MergeRefused, match="another limits"):
        merge(results=[a, b, e], out=tmp_path / "out")
    with pytest.raises(MergeRefused, match="one of the gradebooks to merge"):
        merge(results=[a, b], out=a)
    assert main(["gradebook", "merge", str(a), str(b), "--out", str(tmp_path / "out")]) == 2
    assert "Nothing was merged" in capsys.readouterr().err


def test_merge_keeps_identical_rows_once_and_can_be_repeated(tmp_path):
    a = _shard(tmp_path / "a", "1/2", {"ada": 1, "bo": 0})
    b = _shard(tmp_path / "b", "2/2", {"cy": 1, "bo": 0})  # bo's file seen by both, graded alike
    summary = merge(results=[a, b], out=tmp_path / "out")
    assert summary == {"submissions": 3, "shards": 2, "duplicates": 1, "out": str(tmp_path / "out")}
    assert merge(results=[a, b], out=tmp_path / "out")["submissions"] == 3  # merging again replaces its own gradebook
    assert sorted(r["learner"] for r in Gradebook(tmp_path / "out" / "gradebook.sqlite").counted()) == ["ada", "bo", "cy"]
    (tmp_path / "mine").mkdir()
    _row(Gradebook(tmp_path / "mine" / "gradebook.sqlite"), "zed", 1)
    with pytest.raises(MergeRefused, match="already holds a gradebook that no merge wrote"):
        merge(results=[a, b], out=tmp_path / "mine")
    claim_folder(tmp_path / "out", None, settings={}, record=None, sandbox=True, fingerprint="x")  # late work graded into it
    with pytest.raises(MergeRefused, match="already holds a gradebook that no merge wrote"):
        merge(results=[a, b], out=tmp_path / "out")


def test_a_worker_with_another_course_is_refused_before_anything_is_graded(cluster):
    """Every worker must grade as the instructor would: its installed course is checked when it is set up."""
    from course.instructor.cluster import ClusterUnavailable, DaskRun

    address, client = cluster
    run = DaskRun(address=address, processes=None, threads=None, specs={}, record=None, settings=FAST, sandbox=True,
                  fork=None, exams=set())
    run.plugin.fingerprint = "0" * 16  # as if the instructor's checkout had changed since the workers' wheel was built
    with pytest.raises(ClusterUnavailable, match="is not the instructor's .* Nothing was graded"), run:
        pass
    assert client.run_on_scheduler(lambda dask_scheduler: [n for n in dask_scheduler.worker_plugins
                                                           if n.startswith("reading-the-ranks-grader:")]) == []


def test_no_scheduler_at_the_address_says_so(tmp_path):
    from course.instructor.cluster import ClusterUnavailable, DaskRun

    run = DaskRun(address="tcp://127.0.0.1:9", processes=None, threads=None, specs={}, record=None, settings=FAST,
                  sandbox=True, fork=None, exams=set(), connect_timeout=2)
    with pytest.raises(ClusterUnavailable, match="No Dask scheduler answered at tcp://127.0.0.1:9"), run:
        pass


@pytest.mark.slow
def test_hidden_tests_reach_the_workers_and_only_the_workers(cluster, tmp_path, monkeypatch):
    """A function right on the public inputs but wrong on a hidden one earns nothing on the cluster, as locally:
    the hidden inputs reached the worker with its set-up, not with the submission."""
    address, _ = cluster
    source = json.loads(next((ROOT / "notebooks").glob("04-*.ipynb")).read_text(encoding="utf-8"))
    source["cells"] = [{**c, "outputs": []} if c["cell_type"] == "code" else c for c in source["cells"]
                       if "instructor" not in c.get("metadata", {}).get("tags", [])]
    right = "return count / denominator * 1000"
    assert sum(right in "".join(c["source"]) for c in source["cells"]) == 1
    subs = tmp_path / "subs"
    for learner, body in (("right", right), ("public-only", f"{right} if denominator >= 1000 else 0.0")):
        nb = json.loads(json.dumps(source))
        for c in nb["cells"]:
            c["source"] = "".join(c["source"]).replace(right, body)
        (subs / learner).mkdir(parents=True)
        (subs / learner / "04-numbers-and-denominators.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    grade(submissions=subs, out=tmp_path / "local", workers=2, settings=FAST, progress=False)
    sent = _submits_only_bytes(monkeypatch)
    grade(submissions=subs, out=tmp_path / "cluster", cluster=address, settings=FAST, progress=False)
    local, remote = _book(tmp_path / "local"), _book(tmp_path / "cluster")
    assert remote == local
    by_qid = {k.split("/")[0]: {r["qid"]: r for r in v["results"]} for k, v in remote.items()}
    assert by_qid["right"]["04.5"]["points"] == by_qid["right"]["04.5"]["max_points"] > 0
    assert by_qid["public-only"]["04.5"]["points"] == 0 and "further check" in by_qid["public-only"]["04.5"]["message"]
    hidden = ("250000", "250_000", "(7, 300)", "1200, 1000")
    assert len(sent) == 2 and not any(h in repr(args) for args in sent for h in hidden), "no hidden input in a task"
