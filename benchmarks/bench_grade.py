"""Bulk grading speed: `course grade` against plain nbclient (the floor) and nbgrader, in one run.

Builds 20 submissions of module 00 (10 correct, 5 partly wrong, 3 blank, 1 infinite loop,
1 raising), then times:
- `course grade` with 2 workers (cell limit 5 s);
- the same notebooks with plain nbclient, one fresh kernel each, serially and with 2 workers
  (no grading at all: the floor any grader pays to run the code);
- nbgrader's `autograde` on an equivalent nbgrader assignment, if nbgrader can be installed into
  a private venv under /tmp (it is never a dependency of this project).

Run: .venv/bin/python benchmarks/bench_grade.py [--no-nbgrader]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RIGHT = {
    "n_sentences = ...": 'n_sentences = sum(1 for s in a.sentences if s.section == exercise("00.1").section)',
    "longest_first = ...": 'longest_first = words_per_section.sort_values("words", ascending=False)["section"].tolist()',
}


def build(folder: Path) -> list[Path]:
    from course.instructor.release import release

    release(source=ROOT / "notebooks", out=folder / "release", modules=["00"])
    base = json.loads((folder / "release" / "00-start-here.ipynb").read_text(encoding="utf-8"))
    kinds = ["correct"] * 10 + ["partly"] * 5 + ["blank"] * 3 + ["loop", "raises"]
    paths = []
    for i, kind in enumerate(kinds):
        edits = {"correct": RIGHT, "partly": {**RIGHT, "n_sentences = ...": "n_sentences = 3"}, "blank": {},
                 "loop": {**RIGHT, "n_sentences = ...": "while True:\n    pass"},
                 "raises": {**RIGHT, "longest_first = ...": "longest_first = 1 / 0"}}[kind]
        nb = json.loads(json.dumps(base))
        for cell in nb["cells"]:
            for old, new in edits.items():
                cell["source"] = cell["source"].replace(old, new)
        d = folder / "subs" / f"learner{i:02d}-{kind}"
        d.mkdir(parents=True)
        (d / "00-start-here.ipynb").write_text(json.dumps(nb), encoding="utf-8")
        paths.append(d / "00-start-here.ipynb")
    return paths


def nbclient_floor(paths: list[Path], workers: int) -> float:
    import nbformat
    from nbclient import NotebookClient

    def run(p: Path) -> None:
        nb = nbformat.read(p, as_version=4)
        NotebookClient(nb, timeout=5, allow_errors=True, interrupt_on_timeout=True, kernel_name="python3",
                       resources={"metadata": {"path": str(p.parent)}}).execute()

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(run, paths))
    return time.perf_counter() - start


def course_grade(folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "course", "grade", str(folder / "subs"), "--out", str(folder / "results"),
                    "--workers", "2", "--cell-timeout", "5"], check=True, capture_output=True)
    return time.perf_counter() - start


def nbgrader(folder: Path, paths: list[Path]) -> float | None:
    venv = Path(tempfile.gettempdir()) / "rtr-bench-nbgrader"
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        ok = subprocess.run([str(py), "-m", "pip", "install", "-q", "nbgrader", "pandas", "matplotlib", "ipywidgets"],
                            capture_output=True)
        if ok.returncode:
            print("nbgrader could not be installed into its private venv; skipped")
            return None
        subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "-e", str(ROOT)], check=True)
    course_dir = folder / "nbgrader"
    for i, p in enumerate(paths):
        d = course_dir / "submitted" / f"s{i:02d}" / "ps1"
        d.mkdir(parents=True)
        nb = json.loads(p.read_text(encoding="utf-8"))
        for j, cell in enumerate(nb["cells"]):  # nbgrader needs its own metadata on graded cells
            if "check(" in cell["source"] and cell["cell_type"] == "code":
                cell["metadata"]["nbgrader"] = {"grade": True, "grade_id": f"c{j}", "locked": False, "points": 1,
                                                "schema_version": 3, "solution": False, "task": False}
        (d / "00-start-here.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    source = course_dir / "source" / "ps1"
    source.mkdir(parents=True)
    (source / "00-start-here.ipynb").write_text((course_dir / "submitted" / "s00" / "ps1" / "00-start-here.ipynb").read_text())
    (course_dir / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.root = %r\nc.ExecutePreprocessor.timeout = 5\n"
        "c.CourseDirectory.db_assignments = [dict(name='ps1')]\n"
        "c.CourseDirectory.db_students = [%s]\n" % (str(course_dir), ", ".join(f"dict(id='s{i:02d}')" for i in range(len(paths)))))
    nbg = venv / "bin" / "nbgrader"
    subprocess.run([str(nbg), "generate_assignment", "ps1", "--force"], cwd=course_dir, capture_output=True)
    start = time.perf_counter()
    run = subprocess.run([str(nbg), "autograde", "ps1", "--force"], cwd=course_dir, capture_output=True, text=True)
    took = time.perf_counter() - start
    if run.returncode:
        print("nbgrader autograde failed:", (run.stderr.strip().splitlines() or ["?"])[-1])
    return took


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = build(folder)
        serial = nbclient_floor(paths, 1)
        floor = nbclient_floor(paths, 2)
        ours = course_grade(folder)
        theirs = None if "--no-nbgrader" in sys.argv else nbgrader(folder, paths)
        print(f"20 submissions of module 00 (10 correct, 5 partly wrong, 3 blank, 1 loop, 1 raising)")
        print(f"nbclient, serial (1 kernel at a time)  : {serial:6.1f} s")
        print(f"nbclient, 2 workers (the floor)        : {floor:6.1f} s")
        print(f"course grade, 2 workers                : {ours:6.1f} s   ratio to floor {ours / floor:4.2f}x (goal <= 1.3x)")
        if theirs is not None:
            print(f"nbgrader autograde (serial)            : {theirs:6.1f} s   nbgrader / course grade = {theirs / ours:4.2f}x (goal >= 3x)")
