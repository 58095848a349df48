"""Grade submissions in bulk: each in its own process and fresh kernel, graded on what it computed.

How an answer is found, whatever the learner did to the cells: before running a submission, the
grader parses every code cell and, after each cell that calls ``check("ID", expr)`` (whatever
``check`` is bound to), inserts a capture cell that evaluates ``expr`` and publishes it under a
one-time secret name and a private MIME type. For a question whose check call is gone, the
expression from the instructor's own notebook is evaluated at the end instead. Function answers
are called in the kernel on the inputs the grader chose, and only their outputs travel back.
Everything is then compared in the grader's process with the instructor's question specs for
that learner's variant — nothing the kernel can patch takes part in grading.

Limits: a per-cell timeout, a per-notebook wall-clock limit (the worker process is killed), an
address-space limit inherited by the kernel, and an output-size cap.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["GradeSettings", "grade"]

ANSWER_MIME = "application/x-reading-the-ranks-answer+json"
_TAMPER_NAMES = {"check", "course", "hint", "progress", "exercise"}


@dataclass(frozen=True)
class GradeSettings:
    """Limits for running one submission."""

    cell_timeout: int = 30
    notebook_timeout: int = 120
    output_cap: int = 1_000_000
    memory_mb: int = 3000


def _check_calls(source: str) -> list[tuple[str, str]]:
    """``(question id, answer expression)`` for each ``check("ID", expr)`` call in a cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    calls = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "check"
                and len(node.args) == 2 and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            calls.append((node.args[0].value, ast.unparse(node.args[1])))
    return calls


def _flags(source: str) -> set[str]:
    """Signs of tampering in a cell: redefining course names, touching internals, reading hidden tests."""
    found = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return found
    aliases = {"course"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.startswith("course")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course"):
            aliases |= {a.asname or a.name for a in node.names}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in _TAMPER_NAMES:
            found.add(f"redefines {node.name}")
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in _TAMPER_NAMES:
            found.add(f"assigns to {node.id}")
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            root = node
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in aliases:
                found.add("patches course internals")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
            if node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in aliases:
                found.add("patches course internals")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if any("_engine" in n or "_progress" in n or "instructor" in n for n in names):
                found.add("imports course internals")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if "hidden" in text and ("notebooks" in text or text.endswith(".py")):
                found.add("refers to hidden tests")
            if "progress.json" in text or "gradebook" in text:
                found.add("refers to result files")
            if "../" in text:
                found.add("refers to files outside its folder")
    return found


_PREAMBLE = '''
def {name}(qid, get, cases=None):
    import inspect as _i, json as _j
    from IPython.display import publish_display_data as _p
    def _plain(v):
        if v is Ellipsis:
            return {{"ellipsis": True}}
        if type(v).__name__ == "DataFrame":
            return {{"frame": v.to_json(orient="split")}}
        return {{"value": _j.loads(_j.dumps(v, default=lambda o: o.item() if hasattr(o, "item") else (o.tolist() if hasattr(o, "tolist") else list(o) if isinstance(o, (set, frozenset, tuple)) else repr(o))))}}
    try:
        v = get()
        if cases is not None and callable(v):
            calls = []
            for args in cases:
                try:
                    calls.append(_plain(v(*args)))
                except Exception as e:
                    calls.append({{"error": type(e).__name__ + ": " + str(e)}})
            payload = {{"calls": calls}}
        else:
            payload = _plain(v)
    except BaseException as e:
        payload = {{"error": type(e).__name__ + ": " + str(e)}}
    _p({{"{mime}": {{"qid": qid, "nonce": "{nonce}", "answer": payload}}}}, metadata={{}})
'''


def _starter_expressions(module: str) -> dict[str, str]:
    """The answer name each question is checked with in the student copy (names only, never literals)."""
    from course.instructor.workspace import student_notebooks

    with tempfile.TemporaryDirectory() as tmp:
        for nb_path in student_notebooks(Path(tmp)).glob(f"{module}-*.ipynb"):
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
            exprs: dict[str, str] = {}
            for cell in nb["cells"]:
                if cell["cell_type"] == "code":
                    for qid, expr in _check_calls("".join(cell["source"])):
                        if expr.isidentifier():
                            exprs.setdefault(qid, expr)
            return exprs
    return {}


def hidden_cases(module: str) -> dict[str, list[tuple]]:
    """Extra inputs for function questions, from the instructor's ``notebooks/hidden/lessonNN.py``."""
    import runpy

    from course.instructor.workspace import _checkout_sources

    path = _checkout_sources() / "hidden" / f"lesson{module}.py"
    if not path.is_file():
        return {}
    return {qid: [tuple(c) for c in cases] for qid, cases in runpy.run_path(str(path)).get("HIDDEN_CASES", {}).items()}


def _all_cases(q, params, hidden: dict[str, list[tuple]]) -> list[tuple]:
    return [tuple(c) for c in q.cases(params)] + hidden.get(q.id, [])


def _prepare(nb: dict[str, Any], module: str, learner: str) -> tuple[dict[str, Any], str, list[str]]:
    """Insert the capture cells; returns the notebook to run, the nonce, and tampering flags."""
    from course.checks import _params, questions

    nonce = secrets.token_hex(16)
    name = f"_grade_{nonce[:12]}"
    qs = {q.id: q for q in questions(module)}
    hidden = hidden_cases(module)

    def capture(qid: str, expr: str, tag: str) -> dict[str, Any]:
        q = qs.get(qid)
        cases = None
        if q is not None and q.kind == "function":
            cases = json.dumps([list(c) for c in _all_cases(q, _params(q, learner), hidden)])
        arg = f", cases={cases}" if cases else ""
        return {"cell_type": "code", "metadata": {"tags": [tag]}, "execution_count": None, "outputs": [],
                "source": f"{name}({qid!r}, lambda: ({expr}){arg})"}

    cells = [{"cell_type": "code", "metadata": {"tags": ["grader"]}, "execution_count": None, "outputs": [],
              "source": _PREAMBLE.format(name=name, mime=ANSWER_MIME, nonce=nonce)}]
    flags: set[str] = set()
    for cell in nb.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        flags |= _flags(src)
        cells.append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": src})
        for qid, expr in _check_calls(src):
            if qid in qs:
                cells.append(capture(qid, expr, "grader"))
    for qid, expr in _starter_expressions(module).items():
        if qid in qs:
            cells.append(capture(qid, expr, "grader-fallback"))
    run = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
           "nbformat": 4, "nbformat_minor": 4}
    return run, nonce, sorted(flags)


def _decode(payload: dict[str, Any]) -> Any:
    if "ellipsis" in payload:
        return ...
    if "frame" in payload:
        import io

        import pandas as pd

        return pd.read_json(io.StringIO(payload["frame"]), orient="split")
    return payload["value"]


class _Recorded:
    """Stands in for a learner's function: replays the outputs it gave in the kernel, in order."""

    def __init__(self, calls: list[dict[str, Any]]):
        self.calls, self.i, self.__name__ = calls, 0, "your function"

    def __call__(self, *args):
        call = self.calls[self.i] if self.i < len(self.calls) else {"error": "RuntimeError: no output recorded"}
        self.i += 1
        if "error" in call:
            raise RuntimeError(call["error"])
        return _decode(call)


def _passes_hidden(q, params, calls: list[dict[str, Any]], cases: list[tuple]) -> bool:
    """Whether the learner's recorded outputs match the reference on the hidden inputs."""
    import math

    reference = q.expected(params)
    if len(calls) != len(cases):
        return False
    for call, args in zip(calls, cases):
        if "error" in call:
            return False
        got, want = _decode(call), reference(*args)
        if isinstance(want, float) or isinstance(got, float):
            if not isinstance(got, (int, float)) or not math.isclose(got, want, rel_tol=q.rel_tol or 1e-9, abs_tol=q.abs_tol):
                return False
        elif got != want:
            return False
    return True


def _worker(path: str, module: str, learner: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Run and grade one submission (called in a child process)."""
    import resource

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from course.checks import _params, questions
    from course.checks._engine import Result, evaluate

    hidden = hidden_cases(module) if module else {}
    limit = settings["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    raw = Path(path).read_bytes()
    out: dict[str, Any] = {"status": "graded", "reason": "", "flags": [], "results": []}
    try:
        nb = json.loads(raw.decode("utf-8"))
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            raise ValueError("no list of cells")
        if nb.get("nbformat") != 4:
            raise ValueError(f"nbformat {nb.get('nbformat')!r}, expected 4 (open and save it in JupyterLab)")
    except (UnicodeDecodeError, ValueError) as exc:
        out.update(status="failed", reason=f"not a readable notebook: {exc}")
        nb = None
    answers: dict[str, Any] = {}
    if nb is not None:
        run, nonce, flags = _prepare(nb, module, learner)
        out["flags"] = flags
        work = tempfile.mkdtemp(prefix="grade-")
        node = nbformat.from_dict(run)
        client = NotebookClient(node, timeout=settings["cell_timeout"], allow_errors=True, kernel_name="python3",
                                interrupt_on_timeout=True, resources={"metadata": {"path": work}})
        env = dict(os.environ, COURSE_LEARNER=learner, COURSE_WORKSPACE=work, MPLBACKEND="Agg")
        try:
            client.execute(env=env)
        except CellTimeoutError:
            out["reason"] = f"a cell ran past {settings['cell_timeout']} s and was stopped"
        except DeadKernelError:
            out["reason"] = "the kernel died (exit, crash or memory); graded on what ran before"
        except Exception as exc:  # noqa: BLE001 - any failure of one submission is recorded, never raised
            out["reason"] = f"execution stopped: {type(exc).__name__}: {exc}"[:300]
        size = 0
        primary: dict[str, Any] = {}
        fallback: dict[str, Any] = {}
        for cell in node.cells:
            tags = cell.metadata.get("tags", [])
            for o in cell.get("outputs", []):
                size += len(json.dumps(o))
                item = o.get("data", {}).get(ANSWER_MIME)
                if not item or not tags or item.get("nonce") != nonce:
                    continue  # only the grader's own cells, with this run's secret, count
                (primary if "grader" in tags else fallback)[item["qid"]] = item["answer"]
        interrupted = any(o.get("ename") == "KeyboardInterrupt" for c in node.cells for o in c.get("outputs", []))
        if interrupted and not out["reason"]:
            out["reason"] = f"a cell ran past {settings['cell_timeout']} s and was interrupted; the rest still ran"
        answers = dict(fallback)
        for qid, answer in primary.items():  # the learner's own check call wins unless it failed
            if "error" not in answer or qid not in fallback:
                answers[qid] = answer
        if size > settings["output_cap"]:
            out["flags"].append(f"output of {size:,} bytes exceeds the cap of {settings['output_cap']:,}")
    for q in questions(module):
        params = _params(q, learner)
        payload = answers.get(q.id)
        if payload is None:
            out["results"].append({"qid": q.id, "status": "incorrect", "points": 0, "max_points": q.points if q.graded else 0,
                                   "message": "No answer found: the check call and the answer's name are missing or never ran."})
            continue
        if "error" in payload:
            message = f"Your answer could not be computed: {payload['error']}"[:300]
            out["results"].append({"qid": q.id, "status": "incorrect", "points": 0,
                                   "max_points": q.points if q.graded else 0, "message": message})
            continue
        answer = _Recorded(payload["calls"]) if "calls" in payload else _decode(payload)
        if q.kind in {"set", "choices"} and isinstance(answer, list):
            answer = [tuple(a) if isinstance(a, list) else a for a in answer]
        r = evaluate(q, answer, params)
        extra = hidden.get(q.id, []) if "calls" in payload else []
        if r.correct and extra and not _passes_hidden(q, params, payload["calls"][len(q.cases(params)):], extra):
            r = Result(q.id, "incorrect", "Right on the notebook's inputs, but a further check at grading found a wrong "
                       "result on another input (not shown, so the check stays fair). Test your function on edge cases.",
                       0, q.points)
        out["results"].append({"qid": q.id, "status": r.status, "points": r.points, "max_points": r.max_points,
                               "message": r.message, "text": answer if q.kind == "text" and isinstance(answer, str) else None})
    return out


def _run_one(sub, settings: GradeSettings) -> dict[str, Any]:
    """Run the worker for one submission in a child process, killed at the notebook limit."""
    spec = json.dumps({"path": str(sub.path), "module": sub.module, "learner": sub.learner, "settings": settings.__dict__})
    try:
        proc = subprocess.run([sys.executable, "-m", "course.instructor.grade", spec], capture_output=True, text=True,
                              timeout=settings.notebook_timeout, start_new_session=True)
    except subprocess.TimeoutExpired:
        return {"status": "failed", "reason": f"the notebook ran past {settings.notebook_timeout} s and was stopped",
                "flags": [], "results": []}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no message"])[-1][:200]
        return {"status": "failed", "reason": f"the grader's worker stopped ({tail})", "flags": [], "results": []}
    return json.loads(lines[-1])


def grade(*, submissions: Path, out: Path, workers: int | None = None, settings: GradeSettings = GradeSettings(),
          progress: bool = True) -> dict[str, Any]:
    """Grade every submission under ``submissions`` into the gradebook in ``out``; resumable and idempotent."""
    from course.checks import modules
    from course.instructor.gradebook import Gradebook
    from course.instructor.submissions import find_submissions

    out.mkdir(parents=True, exist_ok=True)
    book = Gradebook(out / "gradebook.sqlite")
    known = {m.id for m in modules()}
    start = time.monotonic()
    summary = {"graded": 0, "failed": 0, "skipped_unchanged": 0, "not_submissions": []}
    with tempfile.TemporaryDirectory() as scratch:
        subs, skipped = find_submissions(submissions, scratch=Path(scratch))
        summary["not_submissions"] = skipped
        todo = []
        for sub in subs:
            digest = hashlib.sha256(sub.path.read_bytes()).hexdigest()
            if sub.module not in known:
                book.record(sub.learner, sub.module or "??", sub.key, digest,
                            {"status": "failed", "reason": "no course module matches this file name (expected NN-name.ipynb)",
                             "flags": [], "results": []})
                summary["failed"] += 1
            elif book.has(sub.key, digest):
                summary["skipped_unchanged"] += 1
            else:
                todo.append((sub, digest))
        workers = workers or max(1, os.cpu_count() or 1)
        done = 0
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_run_one, sub, settings): (sub, digest) for sub, digest in todo}
            for fut in as_completed(futures):
                sub, digest = futures[fut]
                result = fut.result()
                book.record(sub.learner, sub.module, sub.key, digest, result)
                summary["graded" if result["status"] == "graded" else "failed"] += 1
                done += 1
                if progress:
                    bar = "#" * int(30 * done / len(todo))
                    print(f"\r[{bar:<30}] {done}/{len(todo)} graded", end="", file=sys.stderr, flush=True)
        if progress and todo:
            print(file=sys.stderr)
    summary["seconds"] = round(time.monotonic() - start, 1)
    book.write_feedback(out / "feedback")
    return summary


if __name__ == "__main__":  # the worker entry point: one submission, JSON in argv, JSON out
    spec = json.loads(sys.argv[1])
    print(json.dumps(_worker(spec["path"], spec["module"], spec["learner"], spec["settings"])))
