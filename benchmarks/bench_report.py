"""How long `course report` takes on a class of 10,000 learners × 8 modules (budget: seconds, not minutes).

The class is synthetic (course.instructor.simulate, labelled so in the gradebook and on the page):
10,000 learners with the course's real questions, variants, named mistakes and the checkpoint
before and after, written with the Gradebook class exactly as `course grade` writes a class
(one transaction per submission). Writing it takes a few minutes, once; pass a folder with
--keep to write it there and reuse it on the next run.

The baseline in the same run is reading the gradebook alone (both tables, in one pass each,
into pandas): the report's own work is the difference. Each is the median of --runs runs.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_report.py [--learners 10000] [--keep DIR] [--runs 3]
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from course.instructor.gradebook import Gradebook
from course.instructor.report import build_report
from course.instructor.simulate import Cohort, simulate


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--learners", type=int, default=10_000)
    p.add_argument("--keep", type=Path, default=None, help="write (or reuse) the synthetic class in this folder")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()

    tmp = None
    folder = args.keep
    if folder is None:
        tmp = tempfile.TemporaryDirectory(prefix="bench-report-")
        folder = Path(tmp.name)
    results = folder / "results"
    if not (results / "gradebook.sqlite").is_file():
        start = time.perf_counter()
        simulate(Cohort(learners=args.learners, seed=1, harder=(("04.3", 2, -1.5),), planted=("04.2", "inverted-ratio", 250),
                        flat=("05.4",), not_started=50), results, progress=True)
        print(f"wrote the synthetic class ({args.learners:,} learners) in {time.perf_counter() - start:.0f} s")
    book = Gradebook(results / "gradebook.sqlite")
    size = (results / "gradebook.sqlite").stat().st_size / 1e6

    read, full = [], []
    for i in range(args.runs):
        start = time.perf_counter()
        subs, res = book.frames()
        read.append(time.perf_counter() - start)
        start = time.perf_counter()
        r = build_report(results=results, out=folder / f"report-{i}", release=results / "release",
                         roster=results / "roster.csv", progress=False)
        full.append(time.perf_counter() - start)
    print(f"gradebook: {len(subs):,} submissions, {len(res):,} answers, {size:.0f} MB")
    print(f"reading the gradebook alone (baseline): {statistics.median(read):.1f} s")
    print(f"course report, the whole page and {len(r.tables)} CSV tables: {statistics.median(full):.1f} s "
          f"({statistics.median(full) / statistics.median(read):.1f}x reading alone)")
    print(f"flagged: variants {r.unfair_questions}; questions {r.flagged_questions}")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
