"""Grade submissions in bulk: each in a fresh kernel of its own, graded on what it computed.

The seams, one module each:

- finding submissions: :mod:`course.instructor.submissions` (folders, learner-named files, LMS zips);
- whose numbers a submission is graded on: :mod:`course.instructor.identity` and
  :func:`course.instructor.scoring.resolve` (the notebook's records, the release record, the roster);
- instrumenting the notebook: :mod:`course.instructor.instrument` (a capture after every check call);
- the codec that carries answers out of the kernel: :mod:`course.checks._codec`;
- running kernels: :mod:`course.instructor.kernels` (a zygote per run, one fork per submission);
- scoring: :func:`course.instructor.scoring.score`, with the same ``evaluate`` as ``check()``;
- recording: :mod:`course.instructor.gradebook` (one transaction per submission).

This module runs the batch: a few worker threads take submissions one at a time, each starting a
*spare* kernel for the next submission while the current one runs; the grading process loads the
question specs and hidden tests once, and scores each submission's answers (plain data) in its
main thread, one at a time. One submission's failure is recorded with its reason, never raised.

Limits: a per-cell timeout (the cell is interrupted, the rest still runs), a per-notebook
wall-clock limit (the kernel is killed), an address-space limit set on the kernel process before
any of the submission's code reaches it, and an output-size cap.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import queue
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.instructor.kernels import _KEEP_BYTES, Kernels

__all__ = ["GradeSettings", "grade"]


@dataclass(frozen=True)
class GradeSettings:
    """Limits for running one submission."""

    cell_timeout: int = 30
    notebook_timeout: int = 120
    output_cap: int = 1_000_000
    memory_mb: int = 3000


def _read(raw: bytes) -> dict[str, Any]:
    """The submission as a notebook dict, or ValueError saying why it is not a readable one."""
    nb = json.loads(raw.decode("utf-8"))  # both errors are ValueErrors
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("no list of cells")
    if nb.get("nbformat") != 4:
        raise ValueError(f"nbformat {nb.get('nbformat')!r}, expected 4 (open and save it in JupyterLab)")
    return nb


@dataclass
class _Batch:
    """What the workers of one ``grade`` call share: the queues, the limits, the kernels and the loaded modules."""

    settings: GradeSettings
    kernels: Kernels
    record: dict[str, Any] | None
    modules: dict[str, Any] = field(default_factory=dict)  # module id -> ModuleSpec, or why it failed to load
    loaded: threading.Event = field(default_factory=threading.Event)
    jobs: queue.Queue = field(default_factory=queue.Queue)
    done: queue.Queue = field(default_factory=queue.Queue)
    stop: threading.Event = field(default_factory=threading.Event)


async def _grade_one(batch: _Batch, sub, kernel) -> dict[str, Any]:
    """Run one submission in ``kernel`` and return its run record (answers still as plain data)."""
    from course.instructor.instrument import collect, prepare
    from course.instructor.scoring import resolve

    settings = batch.settings
    module = batch.modules[sub.module]
    nb = _read(sub.path.read_bytes())
    resolution = resolve(nb, sub.learner, module, batch.record)
    qs = {q.id: q for q in module.questions}
    cases = {qid: [tuple(c) for c in q.cases(resolution.values(qid))] for qid, q in qs.items() if q.kind == "function"}
    prepared = prepare(nb, qs, cases, module.hidden, module.starters)
    kernel.prepare(resolution.learner, resolution.pinned())
    node, reason, size = await kernel.run(prepared.notebook, cell_timeout=settings.cell_timeout,
                                          notebook_timeout=settings.notebook_timeout, keep=settings.output_cap + _KEEP_BYTES)
    record = {"status": "graded", "reason": reason, "flags": list(prepared.flags) + resolution.flags,
              "resolution": resolution, "size": size}
    if node is None:
        record["status"] = "failed"
        return record
    found = collect(node.cells, prepared.nonce)
    record["answers"], audit, record["failures"] = found.answers, found.audit, found.failures
    if found.failures and not reason:  # a cell that raised is recorded, with what it was meant to define
        first = found.failures[0]
        record["reason"] = (f"cell {first['cell']} (which defines {', '.join(first['defines'][:3]) or 'nothing'}) "
                            f"stopped with {first['error']}")
    record["flags"] += found.tampering
    if not any(c.metadata.get("tags") == ["grader"] and c.get("outputs") for c in node.cells[-1:]) and not reason:
        record["flags"].append("the grader's last cell reported nothing (the kernel was stopped or rewired)")
    if audit:
        record["flags"].append(f"reads the answer key (question(...).expected) for {', '.join(sorted(set(audit)))}")
        record["key_read"] = sorted(set(audit))
    return record


async def _work(batch: _Batch) -> None:
    """One worker: take submissions until none is left, each in a fresh kernel, with a spare booting meanwhile."""
    jobs, done, stop, kernels = batch.jobs, batch.done, batch.stop, batch.kernels
    spare = None
    stopping: set[asyncio.Future] = set()

    def retire(kernel) -> None:  # killed in the background while the next submission runs
        task = asyncio.ensure_future(kernel.stop())
        stopping.add(task)
        task.add_done_callback(stopping.discard)

    try:
        if not jobs.empty():
            spare = kernels.start()  # boots while the grading process loads the questions and nbclient
        await asyncio.to_thread(batch.loaded.wait)
        while not stop.is_set():
            try:
                sub, digest = jobs.get_nowait()
            except queue.Empty:
                break
            base = {"status": "graded", "reason": "", "flags": []}
            module = batch.modules.get(sub.module)
            if isinstance(module, str):
                done.put((sub, digest, {**base, "status": "failed", "reason": module}))
                continue
            try:
                _read(sub.path.read_bytes())
            except ValueError as exc:
                done.put((sub, digest, {**base, "status": "failed", "reason": f"not a readable notebook: {exc}"}))
                continue
            except OSError as exc:
                done.put((sub, digest, {**base, "status": "failed", "reason": f"the file could not be read ({exc})"}))
                continue
            kernel = None
            try:
                for attempt in (1, 2):  # a kernel that fails to start (a port taken meanwhile) is replaced once
                    kernel, spare = spare or kernels.start(), None
                    try:
                        await kernel.ready
                        break
                    except Exception:
                        retire(kernel)
                        kernel = None
                        if attempt == 2:
                            raise
                if not jobs.empty() and not stop.is_set():
                    spare = kernels.start()  # boots while this submission runs
                record = await _grade_one(batch, sub, kernel)
            except Exception as exc:  # noqa: BLE001 - one submission's failure never stops the batch
                record = {**base, "status": "failed", "reason": f"the grader could not run it ({type(exc).__name__}: {exc})"[:300]}
            finally:
                if kernel is not None:
                    retire(kernel)
            done.put((sub, digest, record))
    finally:
        if spare is not None:
            retire(spare)
        await asyncio.gather(*list(stopping), return_exceptions=True)


def _worker_thread(batch: _Batch) -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(_work(batch))
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


def _result(module, record: dict[str, Any], settings: GradeSettings, exam: bool = False) -> dict[str, Any]:
    """The gradebook entry for one submission's run record (in an exam, an answer whose key was read earns nothing)."""
    from course.instructor.scoring import Resolution, score

    out = {"status": record["status"], "reason": record["reason"], "flags": list(record.get("flags", [])), "results": []}
    if record.get("size", 0) > settings.output_cap:
        out["flags"].append(f"output of {record['size']:,} bytes exceeds the cap of {settings.output_cap:,}")
    resolution = record.get("resolution")
    if not isinstance(module, str) and "answers" not in record and record["reason"].startswith("not a readable notebook"):
        resolution = Resolution("", {q.id: {"version": 0, "values": {}} for q in module.questions}, "")
        out["results"] = score(module, resolution, {})  # every question marked: nothing to grade
        return out
    if "answers" not in record or not isinstance(resolution, Resolution):
        return out
    try:
        out["results"] = score(module, resolution, record["answers"], record.get("failures", []))
    except Exception as exc:  # noqa: BLE001
        out.update(status="failed", reason=f"grading stopped: {type(exc).__name__}: {exc}"[:300], results=[])
    if exam:
        for r in out["results"]:
            if r["qid"] in record.get("key_read", []) and r["points"]:
                r.update(points=0, status="incorrect", mistake="answer-key-read",
                         message="This is an exam question and your notebook read its answer key; it earns no points.")
    return out


def _seal(modules: set[str], scratch: Path) -> dict[str, Path]:
    """Sealed lessons for the exam modules, to replace theirs inside the sandbox (no reference code in the kernel)."""
    from course.checks._sealed import sealed_source

    out = {}
    folder = scratch / "sealed"
    for m in sorted(modules):
        folder.mkdir(exist_ok=True)
        out[m] = folder / f"lesson{m}.py"
        out[m].write_text(sealed_source(m), encoding="utf-8")
    return out


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt("stopped by SIGTERM")


def grade(*, submissions: Path, out: Path, workers: int | None = None, settings: GradeSettings = GradeSettings(),
          progress: bool = True, release: Path | None = None, instructor_dir: Path | None = None,
          fork: bool | None = None, sandbox: bool = True) -> dict[str, Any]:
    """Grade every submission under ``submissions`` into the gradebook in ``out``; resumable and idempotent.

    ``release`` is the folder (or ``release.json``) that ``course release`` wrote: learners are then
    graded against the numbers issued to them. ``instructor_dir`` is the checkout with the hidden
    tests (default: this one). A module whose hidden tests are missing stops the run before
    anything is graded (:class:`~course.instructor.layout.InstructorMaterialMissing`).

    Every kernel runs in the sandbox (:mod:`course.instructor.sandbox`); where it cannot be had the
    run stops with :class:`~course.instructor.sandbox.SandboxUnavailable` saying why.
    ``sandbox=False`` (the CLI's ``--unsafe-no-sandbox``) runs submissions with the caller's rights,
    and every gradebook row says so.
    """
    from course.checks import modules as course_modules
    from course.instructor.assign import MANIFEST, exam_modules, read_record
    from course.instructor.gradebook import Gradebook
    from course.instructor.layout import Layout
    from course.instructor.scoring import ModuleSpec
    from course.instructor.submissions import collisions, find_submissions

    from course.instructor.sandbox import SandboxUnavailable, problem

    if sandbox and problem():
        raise SandboxUnavailable(problem())
    layout = Layout.find(instructor_dir)
    record = None
    if release is not None:
        folder = Path(release)
        folder = folder.parent if folder.name == MANIFEST else folder
        if not (folder / MANIFEST).is_file():
            raise FileNotFoundError(f"No release record at {folder / MANIFEST}: pass the folder that `course release --out` wrote.")
        record = read_record(folder)
    out.mkdir(parents=True, exist_ok=True)
    book = Gradebook(out / "gradebook.sqlite")
    known = {m.id for m in course_modules()}
    start = time.monotonic()
    summary: dict[str, Any] = {"graded": 0, "failed": 0, "skipped_unchanged": 0, "not_submissions": [], "launches": {},
                               "release_record": str(release) if release else None, "sandbox": sandbox}
    with tempfile.TemporaryDirectory(prefix="rtr-") as scratch:
        subs, skipped = find_submissions(submissions, scratch=Path(scratch))
        summary["not_submissions"] = skipped
        summary["collisions"] = [str(c) for c in collisions(subs)]
        graded = book.digests()
        for item in skipped:  # every file found gets a row, with why it was not graded
            key = f"{item.learner or '(no learner)'}/{item.name}"
            if key not in graded:
                book.record(item.learner or "(no learner)", "??", key, "", {"status": "skipped", "reason": item.reason,
                                                                             "flags": [], "results": []})
        todo = []
        for sub in subs:
            digest = hashlib.sha256(sub.path.read_bytes()).hexdigest()
            if sub.module not in known:
                book.record(sub.learner, sub.module or "??", sub.key, digest,
                            {"status": "failed", "reason": "no course module matches this file name (expected NN-name.ipynb)",
                             "flags": [], "results": []}, submitted_at=sub.submitted_at, lms=sub.lms)
                summary["failed"] += 1
            elif graded.get(sub.key) == digest:
                summary["skipped_unchanged"] += 1
            else:
                todo.append((sub, digest))
        if not todo:
            summary["seconds"] = round(time.monotonic() - start, 1)
            book.write_feedback(out / "feedback")
            return summary
        exams = exam_modules(record)
        sealed = _seal(exams & {sub.module for sub, _ in todo}, Path(scratch)) if sandbox else {}
        kernels = Kernels(Path(scratch), memory_mb=settings.memory_mb, fork=fork, sandbox=sandbox,
                          sealed=sealed)  # its zygote imports meanwhile
        try:
            specs = {m: ModuleSpec.load(m, layout) for m in sorted({sub.module for sub, _ in todo})}  # may refuse
        except BaseException:
            kernels.close()
            raise
        batch = _Batch(settings, kernels, record, modules=dict(specs))
        for item in todo:
            batch.jobs.put(item)
        workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
        count = 0
        stop_on_term = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminate) if stop_on_term else None  # `kill` stops like Ctrl-C
        threads: list[threading.Thread] = []
        try:
            try:
                kernels.warm_up()
            finally:
                threads = [threading.Thread(target=_worker_thread, args=(batch,), name=f"grade-worker-{i}", daemon=True)
                           for i in range(workers)]
                for t in threads:
                    t.start()
                batch.loaded.set()
            while count < len(todo):
                try:
                    sub, digest, run = batch.done.get(timeout=0.5)
                except queue.Empty:
                    if any(t.is_alive() for t in threads) or not batch.done.empty():
                        continue
                    raise RuntimeError("the grading workers stopped early; run the same command again to grade the rest")
                result = _result(batch.modules[sub.module], run, settings, exam=sub.module in exams)
                resolution = run.get("resolution")
                book.record(sub.learner, sub.module, sub.key, digest, result, submitted_at=sub.submitted_at,
                            graded_as=getattr(resolution, "learner", ""), lms=sub.lms, unsafe=not sandbox)
                summary["graded" if result["status"] == "graded" else "failed"] += 1
                count += 1
                if progress:
                    bar = "#" * int(30 * count / len(todo))
                    print(f"\r[{bar:<30}] {count}/{len(todo)} graded", end="", file=sys.stderr, flush=True)
        finally:
            if stop_on_term:
                signal.signal(signal.SIGTERM, previous)
            batch.stop.set()
            batch.loaded.set()
            if count < len(todo):  # stopped early (Ctrl-C, or an error): kill the kernels so the workers end now
                kernels.kill_all()
            for t in threads:
                t.join(timeout=30)
            summary["launches"] = kernels.launches
            kernels.close()
        if progress:
            print(file=sys.stderr)
    summary["seconds"] = round(time.monotonic() - start, 1)
    book.write_feedback(out / "feedback")
    return summary
