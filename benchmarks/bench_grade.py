"""Bulk grading speed: `course grade` against plain nbclient (the floor) and nbgrader, in one run.

Builds 20 submissions of module 00 (10 correct, 5 partly wrong, 3 blank, 1 infinite loop,
1 raising), then times:
- `course grade` with 2 workers (cell limit 5 s), sandboxed (the default) and with
  `--unsafe-no-sandbox` (the sandbox's cost);
- the same notebooks with plain nbclient, one fresh kernel each, serially and with 2 workers
  (no grading at all: the floor any grader pays to run the code);
- nbgrader's `autograde` on the same notebooks as an nbgrader assignment (course folder with
  source/, submitted/, autograded/ and a gradebook db; `generate_assignment`, then `autograde`),
  each check cell made an autograder test cell (`assert check(...)`, 1 point). nbgrader is
  installed from PyPI into a private venv under /tmp only (never a dependency of this project).

Every timing is taken in the same run, so the ratios hold even when other work loads the CPU.

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
    "choice_00_3 = ...": 'choice_00_3 = "E"',
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


def _cpu() -> float:
    """CPU seconds used so far by this process and every finished descendant (kernels included)."""
    import resource

    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                   resource.getrusage(resource.RUSAGE_CHILDREN)))


def nbclient_floor(paths: list[Path], workers: int) -> tuple[float, float]:
    import nbformat
    from nbclient import NotebookClient

    def run(p: Path) -> None:
        nb = nbformat.read(p, as_version=4)
        NotebookClient(nb, timeout=5, allow_errors=True, interrupt_on_timeout=True, kernel_name="python3",
                       resources={"metadata": {"path": str(p.parent)}}).execute(stdout=subprocess.DEVNULL,
                                                                                stderr=subprocess.DEVNULL)

    cpu, start = _cpu(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(run, paths))
    return time.perf_counter() - start, _cpu() - cpu


def course_grade(folder: Path, *, sandbox: bool = True) -> tuple[float, float]:
    cpu, start = _cpu(), time.perf_counter()
    out = folder / ("results" if sandbox else "results-unsafe")
    subprocess.run([sys.executable, "-m", "course", "grade", str(folder / "subs"), "--out", str(out),
                    "--workers", "2", "--cell-timeout", "5", *([] if sandbox else ["--unsafe-no-sandbox"])],
                   check=True, capture_output=True)
    return time.perf_counter() - start, _cpu() - cpu


def _nbgrader_copy(nb: dict) -> dict:
    """The notebook as nbgrader wants it: each check cell of a question with points an autograder test
    (`assert check(...)`, 1 point); the unmarked checkpoint's recording cell stays an ordinary cell."""
    import re

    from course.checks import question

    nb = json.loads(json.dumps(nb))
    for j, cell in enumerate(nb["cells"]):
        ids = re.findall(r'^check\("([^"]+)"', cell["source"], flags=re.M) if cell["cell_type"] == "code" else []
        if ids and all(question(q).points > 0 for q in ids):
            cell["source"] = "\n".join("assert " + line if line.startswith("check(") else line
                                       for line in cell["source"].splitlines())
            cell["metadata"]["nbgrader"] = {"grade": True, "grade_id": f"check-{j}", "locked": True, "points": 1,
                                            "schema_version": 3, "solution": False, "task": False}
    return nb


def nbgrader(folder: Path, paths: list[Path]) -> tuple[tuple[float, float] | None, str]:
    """Time `nbgrader autograde` on the same submissions: ((seconds, CPU seconds), note), or (None, why not).

    nbgrader lives only in a private venv under /tmp. Its commands run with that venv's bin/ first on
    PATH: nbgrader calls `alembic` by name to create its gradebook, and without it on PATH
    `generate_assignment` fails and `autograde` then finds no assignment.
    """
    import os

    venv = Path(tempfile.gettempdir()) / "rtr-bench-nbgrader"
    py, nbg = venv / "bin" / "python", venv / "bin" / "nbgrader"
    if not nbg.exists():
        if not py.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        ok = subprocess.run([str(py), "-m", "pip", "install", "-q", "nbgrader", "pandas", "matplotlib", "ipywidgets"],
                            capture_output=True, text=True)
        if ok.returncode or not nbg.exists():
            return None, "nbgrader could not be installed into its private venv: " + (ok.stderr.strip().splitlines() or ["?"])[-1]
        ok = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "-e", str(ROOT)], capture_output=True, text=True)
        if ok.returncode:
            return None, "the course could not be installed into nbgrader's venv: " + (ok.stderr.strip().splitlines() or ["?"])[-1]
    env = dict(os.environ, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("PYTHONPATH", None)
    course_dir = folder / "nbgrader"
    starter = json.loads((folder / "release" / "00-start-here.ipynb").read_text(encoding="utf-8"))
    source = course_dir / "source" / "ps1"
    source.mkdir(parents=True)
    (source / "00-start-here.ipynb").write_text(json.dumps(_nbgrader_copy(starter)), encoding="utf-8")
    for i, p in enumerate(paths):
        d = course_dir / "submitted" / f"s{i:02d}" / "ps1"
        d.mkdir(parents=True)
        (d / "00-start-here.ipynb").write_text(json.dumps(_nbgrader_copy(json.loads(p.read_text(encoding="utf-8")))),
                                               encoding="utf-8")
    (course_dir / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course_dir)!r}\n"
        "c.CourseDirectory.course_id = 'bench'\n"
        "c.Execute.timeout = 5\n"
        "c.Execute.interrupt_on_timeout = True\n", encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(nbg), *args], cwd=course_dir, env=env, capture_output=True, text=True)

    (course_dir / "students.csv").write_text("id\n" + "".join(f"s{i:02d}\n" for i in range(len(paths))), encoding="utf-8")
    run("db", "student", "import", "students.csv")
    gen = run("generate_assignment", "ps1", "--force")
    if gen.returncode:
        return None, "nbgrader generate_assignment failed: " + _last_error(gen.stderr)
    cpu, start = _cpu(), time.perf_counter()
    auto = run("autograde", "ps1", "--force")
    took = time.perf_counter() - start, _cpu() - cpu
    if auto.returncode:
        return None, "nbgrader autograde failed: " + _last_error(auto.stderr)
    graded = len(list((course_dir / "autograded").glob("*/ps1/00-start-here.ipynb")))
    if graded != len(paths):
        return None, f"nbgrader autograde graded {graded} of {len(paths)} submissions"
    return took, f"{_points(course_dir / 'gradebook.db', 'SELECT sum(auto_score) FROM grade'):g} points awarded"


def _points(db: Path, query: str) -> float:
    import sqlite3

    with sqlite3.connect(db) as con:
        return con.execute(query).fetchone()[0] or 0


def _last_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if "ERROR" in line or "Error" in line]
    return (lines or stderr.strip().splitlines() or ["no message"])[-1][:300]


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = build(folder)
        (serial, serial_cpu) = nbclient_floor(paths, 1)
        (floor, floor_cpu) = nbclient_floor(paths, 2)
        (ours, ours_cpu) = course_grade(folder)
        (bare, bare_cpu) = course_grade(folder, sandbox=False)
        measured, note = (None, "skipped (--no-nbgrader)") if "--no-nbgrader" in sys.argv else nbgrader(folder, paths)
        print("20 submissions of module 00 (10 correct, 5 partly wrong, 3 blank, 1 loop, 1 raising); "
              "wall-clock seconds, and CPU seconds of all processes involved (kernels included)")
        print(f"nbclient, serial (1 kernel at a time)     : {serial:6.1f} s  (CPU {serial_cpu:6.1f} s)")
        print(f"nbclient, 2 workers (the floor)           : {floor:6.1f} s  (CPU {floor_cpu:6.1f} s)")
        # CPU time of kernels that live in the sandbox's namespaces does not all reach this process's rusage,
        # so the sandboxed run is compared by wall-clock time only.
        print(f"course grade, 2 workers, sandboxed        : {ours:6.1f} s  (CPU not measurable)   "
              f"course grade / floor = {ours / floor:4.2f}x (goal <= 1.3x)")
        print(f"course grade, 2 workers, --unsafe-no-sandbox: {bare:6.1f} s  (CPU {bare_cpu:6.1f} s)   "
              f"sandbox cost = {ours / bare:4.2f}x wall")
        ours_points = _points(folder / "results" / "gradebook.sqlite", "SELECT sum(points) FROM results")
        if measured is not None:
            theirs, theirs_cpu = measured
            print(f"nbgrader autograde (serial, its only mode): {theirs:6.1f} s  (CPU {theirs_cpu:6.1f} s)   "
                  f"nbgrader / course grade = {theirs / ours:4.2f}x (goal >= 3x)")
            print(f"  unsandboxed: nbgrader / course grade = {theirs / bare:4.2f}x wall, {theirs_cpu / bare_cpu:4.2f}x CPU; "
                  f"nbgrader / nbclient serial = {theirs / serial:4.2f}x wall, {theirs_cpu / serial_cpu:4.2f}x CPU")
            print(f"points awarded: course grade {ours_points:g}, nbgrader {note.split()[0]}")
        else:
            print(f"nbgrader autograde: not measured: {note}")
