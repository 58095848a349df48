"""Grading at scale: what a Dask cluster costs per submission, and how fast the single-writer client records.

1. **Cluster overhead.** The 20 submissions of ``bench_grade.py`` (module 00: 10 correct, 5 partly
   wrong, 3 blank, 1 infinite loop, 1 raising), graded in the same run by
   ``course grade --workers 2`` (one process, one zygote, two lanes) and by
   ``course grade --cluster ADDRESS`` on a 2-worker ``LocalCluster`` on loopback (two worker
   processes, one thread and one zygote each), alternating, ``--rounds`` times each. The cluster is
   started before it is timed, as an instructor's cluster would already be running; its start-up
   is printed apart. Both runs are the instructor's command in a fresh process, so each includes
   the client's start, and the cluster run its connection and its workers' set-up (a zygote each).
   The overhead per submission is the difference of the medians over 20.

2. **The client's bookkeeping at scale** (no kernels): 100,000 submissions (12,500 learners x 8
   modules, small files on disk) go through the client's own path — ``stream`` reads and hashes
   each file as it is sent, and ``record_batch`` writes what came back — with an instant stand-in
   for the graders, so only the client is measured:
   - flat out: results are back as soon as sent (as from a very large cluster), so they pile up
     and share transactions; the rate is printed per 10,000 as the gradebook grows;
   - trickling in, one transaction each (the slowest the writer ever is), at an empty gradebook
     and at 100,000 rows;
   - a steady 1,000 results a second for 20 s (about 1,600 grading lanes, by part 1's rate per
     lane): does the client keep up, and how large do its batches get;
   - what a run does once per run at that size: ``digests()`` (what a resumed run skips),
     ``write_feedback`` (every learner's page) and ``export`` (the CSV).

Every timing is taken in the same run. Run: .venv/bin/python benchmarks/bench_cluster.py [--rounds 2] [--skip-cluster | --skip-bookkeeping]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _points(db: Path) -> dict[str, float]:
    with sqlite3.connect(db) as con:
        return dict(con.execute("SELECT s.learner, SUM(r.points) FROM submissions s JOIN results r ON r.key = s.key "
                                "GROUP BY s.learner"))


def overhead(rounds: int) -> None:
    from bench_grade import build
    from distributed import Client, LocalCluster

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        build(folder)
        started = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            client.wait_for_workers(2)
            up = time.perf_counter() - started
            times: dict[str, list[float]] = {"local": [], "cluster": []}
            books = {}
            for i in range(rounds):
                for how in ("local", "cluster"):
                    out = folder / f"results-{how}-{i}"
                    where = ["--workers", "2"] if how == "local" else ["--cluster", cluster.scheduler_address]
                    start = time.perf_counter()
                    subprocess.run([sys.executable, "-m", "course", "grade", str(folder / "subs"), "--out", str(out),
                                    "--cell-timeout", "5", *where], check=True, capture_output=True)
                    times[how].append(time.perf_counter() - start)
                    books[how] = _points(out / "gradebook.sqlite")
        local, remote = statistics.median(times["local"]), statistics.median(times["cluster"])
        print("1. Cluster overhead: 20 submissions of module 00 (10 correct, 5 partly wrong, 3 blank, 1 loop, 1 raising)")
        print(f"   LocalCluster start-up (2 worker processes, not counted below): {up:.1f} s")
        for how, label in (("local", "course grade --workers 2 (1 process, 1 zygote)"),
                           ("cluster", "course grade --cluster (2 workers, 1 zygote each)")):
            runs = ", ".join(f"{w:.1f} s" for w in times[how])
            print(f"   {label:<50}: {runs}")
        per = (remote - local) / 20
        print(f"   median: local {local:.1f} s, cluster {remote:.1f} s -> overhead {per * 1000:+.0f} ms per submission, "
              f"{(remote / local - 1) * 100:+.1f} % (goal <= 10 %)")
        print(f"   rate per grading lane: {20 / local / 2:.2f} submissions/s; same points awarded: {books['local'] == books['cluster']}")


def _fake_submissions(folder: Path, learners: int):
    """``learners`` x 8 modules of small notebook files, as Submission objects, and a result template per module."""
    from course.checks import modules, questions
    from course.instructor.submissions import Submission

    ids = [m.id for m in modules()]
    templates = {}
    for m in ids:
        results = [{"qid": q.id, "status": "correct" if k % 3 else "incorrect", "points": float(q.points if k % 3 else 0),
                    "max_points": float(q.points if q.graded else 0), "mistake": "" if k % 3 else "off-by-one",
                    "message": "Correct." if k % 3 else "Not quite: you counted one section too many; look again.",
                    "text": None} for k, q in enumerate(questions(m))]
        templates[m] = {"status": "graded", "reason": "", "flags": [], "results": results, "graded_as": ""}
    subs = []
    for i in range(learners):
        d = folder / f"learner-{i:05d}"
        d.mkdir(parents=True)
        for m in ids:
            path = d / f"{m}-module.ipynb"
            path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": f"answer = {i}"}], "nbformat": 4}))
            subs.append(Submission(f"learner-{i:05d}", m, path, "2026-11-20T10:00:00+00:00", {}, name=path.name))
    return subs, templates


class _Instant:
    """A stand-in for the graders: a submission sent is finished at once, or (``rate``) results come back at so many a second."""

    def __init__(self, templates, rate: float | None = None):
        self.templates, self.rate, self.ready, self.n = templates, rate, [], 0
        self.batches: list[int] = []
        self.start, self.released = time.perf_counter(), 0

    def submit(self, job):
        self.n += 1
        self.ready.append((self.n, {**self.templates[job.module], "results": list(self.templates[job.module]["results"])}))
        return self.n

    def finished(self, handles, block):
        take = len(self.ready)
        if self.rate is not None:
            while True:
                take = min(len(self.ready), int((time.perf_counter() - self.start) * self.rate) - self.released)
                if take > 0 or not block:
                    break
                time.sleep(0.0005)
        out, self.ready = self.ready[:take], self.ready[take:]
        self.released += len(out)
        self.batches.append(len(out))
        return out


def _run(book, todo, grader, window: int) -> float:
    """The client's loop of ``grade()``: send (reading each file), take what finished, record it; the rate per second."""
    from course.instructor.grade import record_batch, stream

    summary, done, start = {"graded": 0, "failed": 0}, 0, time.perf_counter()
    for batch in stream(todo, set(), window=lambda: window, submit=grader.submit, finished=grader.finished):
        record_batch(book, batch, summary, unsafe=False)
        done += len(batch)
    return done / (time.perf_counter() - start)


def bookkeeping(learners: int) -> None:
    from course.instructor.gradebook import Gradebook, export

    total = learners * 8
    print(f"2. The client's bookkeeping: {total:,} simulated results ({learners:,} learners x 8 modules), no kernels")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        made = time.perf_counter()
        subs, templates = _fake_submissions(folder / "subs", learners)
        print(f"   ({total:,} small files written in {time.perf_counter() - made:.1f} s)")
        out = folder / "results"
        out.mkdir()
        book = Gradebook(out / "gradebook.sqlite")
        flat = _Instant(templates)
        one = min(2_000, total // 4)
        last = total - one  # the last ones are recorded one at a time, below
        rates = [_run(book, subs[s:min(s + 10_000, last)], flat, window=256) for s in range(0, last, 10_000)]
        print(f"   flat out (results piling up, {statistics.mean(b for b in flat.batches if b):.0f} a transaction on "
              "average): " + ", ".join(f"{r:,.0f}/s" for r in rates) + " per successive 10,000 recorded")
        full = _run(book, subs[last:], _Instant(templates), window=1)
        empty = _run(Gradebook(folder / "empty.sqlite"), subs[:one], _Instant(templates), window=1)
        print(f"   trickling in, one transaction each (the slowest case): {empty:,.0f}/s at an empty gradebook, "
              f"{full:,.0f}/s at {total:,} rows")
        rate, seconds = 1_000, min(20, total // 1_000)
        if seconds:  # a steady rate needs enough submissions to last a while
            paced = _Instant(templates, rate=rate)
            start = time.perf_counter()
            got = _run(Gradebook(folder / "steady.sqlite"), subs[:rate * seconds], paced, window=2 * rate)
            took = time.perf_counter() - start
            sizes = [b for b in paced.batches if b]
            print(f"   a steady {rate:,} results/s for {seconds} s: {rate * seconds:,} recorded in {took:.1f} s ({got:,.0f}/s), "
                  f"{statistics.median(sizes):.0f} a transaction (median), {max(sizes)} at the most: "
                  f"{'keeps up' if took < seconds + 1 else 'falls behind'}")
        start = time.perf_counter()
        n = len(book.digests())
        print(f"   once per run at {n:,} rows: digests() (what a resumed run skips) {time.perf_counter() - start:.2f} s", end="")
        start = time.perf_counter()
        pages = book.write_feedback(out / "feedback")
        print(f"; write_feedback ({len(pages):,} pages) {time.perf_counter() - start:.1f} s", end="")
        start = time.perf_counter()
        export(results=out, out=folder / "grades.csv")
        print(f"; export (plain CSV) {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    args = argparse.ArgumentParser()
    args.add_argument("--rounds", type=int, default=2, help="timed runs of each way of grading (default 2)")
    args.add_argument("--learners", type=int, default=12_500, help="simulated learners, 8 submissions each")
    args.add_argument("--skip-cluster", action="store_true", help="only the bookkeeping part")
    args.add_argument("--skip-bookkeeping", action="store_true", help="only the cluster overhead part")
    ns = args.parse_args()
    if not ns.skip_cluster:
        overhead(ns.rounds)
    if not ns.skip_bookkeeping:
        bookkeeping(ns.learners)
