"""Grade submissions in bulk: each in a fresh kernel of its own, graded on what it computed.

The seams, one module each:

- finding submissions: :mod:`course.instructor.submissions` (folders, learner-named files, LMS zips);
- whose numbers a submission is graded on: :mod:`course.instructor.identity` and
  :func:`course.instructor.scoring.resolve` (the notebook's records, the release record, the roster);
- instrumenting the notebook: :mod:`course.instructor.instrument` (a capture after every check call);
- the codec that carries answers out of the kernel: :mod:`course.checks._codec`;
- running kernels: :mod:`course.instructor.kernels` (a zygote per grading process, one fork per submission);
- scoring: :func:`course.instructor.scoring.score`, with the same ``evaluate`` as ``check()``;
- recording: :mod:`course.instructor.gradebook` (one transaction per submission, or per batch of them);
- running on a Dask cluster: :mod:`course.instructor.cluster`; shards: :mod:`course.instructor.shards`.

Three layers here:

1. :func:`grade_one` is **the** path from a submission's bytes (with its learner, its module's
   specs and the release record) to its gradebook entry: read, resolve whose numbers, instrument,
   run in a fresh kernel, collect, score. A local run and every cluster worker call it; nothing
   else grades.
2. :class:`Grader` is one process's grading engine: a zygote (with the sandbox), the module
   specs loaded once, and a few *lanes* — threads, each with an event loop, taking submissions
   one at a time and starting a *spare* kernel for the next while the current one runs. A local
   run has one; each Dask worker process has one per run.
3. :func:`grade` is the client: it finds the submissions, keeps the single-writer gradebook,
   sends the ones not yet graded to a local :class:`Grader` or to a Dask cluster, records each
   result as it arrives (with progress), and writes the feedback pages. One submission's failure is
   recorded with its reason, never raised; a killed run started again grades only what is missing.

Limits: a per-cell timeout (the cell is interrupted, the rest still runs), a per-notebook
wall-clock limit (the kernel is killed), an address-space limit set on the kernel process before
any of the submission's code reaches it, and an output-size cap.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import os
import queue
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Self

from course.instructor.kernels import _KEEP_BYTES, Kernels

__all__ = ["GradeSettings", "Grader", "GradingStopped", "Job", "grade", "grade_one", "grader_fingerprint", "record_batch", "stream"]


@dataclass(frozen=True)
class GradeSettings:
    """Limits for running one submission."""

    cell_timeout: int = 30
    notebook_timeout: int = 120
    output_cap: int = 1_000_000
    memory_mb: int = 3000


@dataclass(frozen=True)
class Job:
    """One submission to grade, as it travels to a grading process: its bytes, whose, which module, exam or not."""

    raw: bytes
    learner: str
    module: str
    exam: bool = False


class GradingStopped(RuntimeError):
    """The grading process stopped before this submission's result could be trusted (it is graded again elsewhere)."""


def _read(raw: bytes) -> dict[str, Any]:
    """The submission as a notebook dict, or ValueError saying why it is not a readable one."""
    nb = json.loads(raw.decode("utf-8"))  # both errors are ValueErrors
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("no list of cells")
    if nb.get("nbformat") != 4:
        raise ValueError(f"nbformat {nb.get('nbformat')!r}, expected 4 (open and save it in JupyterLab)")
    return nb


async def _run(nb: dict[str, Any], learner: str, module, record: dict[str, Any] | None, settings: GradeSettings,
               kernel) -> dict[str, Any]:
    """Run one submission in ``kernel`` and return its run record (answers still as plain data)."""
    from course.instructor.instrument import collect, prepare
    from course.instructor.scoring import resolve

    resolution = resolve(nb, learner, module, record)
    qs = {q.id: q for q in module.questions}
    cases = {qid: [tuple(c) for c in q.cases(resolution.values(qid))] for qid, q in qs.items() if q.kind == "function"}
    prepared = prepare(nb, qs, cases, module.hidden, module.starters)
    kernel.prepare(resolution.learner, resolution.pinned())
    node, reason, size = await kernel.run(prepared.notebook, cell_timeout=settings.cell_timeout,
                                          notebook_timeout=settings.notebook_timeout, keep=settings.output_cap + _KEEP_BYTES)
    run = {"status": "graded", "reason": reason, "flags": list(prepared.flags) + resolution.flags,
           "resolution": resolution, "size": size}
    if node is None:
        run["status"] = "failed"
        return run
    found = collect(node.cells, prepared.nonce)
    run["answers"], audit, run["failures"] = found.answers, found.audit, found.failures
    if found.failures and not reason:  # a cell that raised is recorded, with what it was meant to define
        first = found.failures[0]
        run["reason"] = (f"cell {first['cell']} (which defines {', '.join(first['defines'][:3]) or 'nothing'}) "
                         f"stopped with {first['error']}")
    run["flags"] += found.tampering
    if not any(c.metadata.get("tags") == ["grader"] and c.get("outputs") for c in node.cells[-1:]) and not reason:
        run["flags"].append("the grader's last cell reported nothing (the kernel was stopped or rewired)")
    if audit:
        run["flags"].append(f"reads the answer key (question(...).expected) for {', '.join(sorted(set(audit)))}")
        run["key_read"] = sorted(set(audit))
    return run


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


class _Lane:
    """One event loop's kernels: the one for the current submission, and a spare booting for the next."""

    def __init__(self, kernels: Kernels, more: Callable[[], bool]):
        self.kernels, self.more = kernels, more
        self.spare = None
        self.stopping: set[asyncio.Future] = set()

    def warm(self) -> None:
        """Start a spare kernel if more submissions are expected (it boots while this one runs)."""
        if self.spare is None and self.more():
            self.spare = self.kernels.start()

    async def kernel(self):
        """A ready kernel: the spare if there is one; a kernel that fails to start (a port taken) is replaced once."""
        for attempt in (1, 2):
            kernel, self.spare = self.spare or self.kernels.start(), None
            try:
                await kernel.ready
                break
            except Exception:
                self.retire(kernel)
                if attempt == 2:
                    raise
        self.warm()
        return kernel

    def retire(self, kernel) -> None:
        """Kill a used kernel in the background while the next submission runs."""
        task = asyncio.ensure_future(kernel.stop())
        self.stopping.add(task)
        task.add_done_callback(self.stopping.discard)

    async def close(self) -> None:
        if self.spare is not None:
            self.retire(self.spare)
            self.spare = None
        await asyncio.gather(*list(self.stopping), return_exceptions=True)


async def grade_one(job: Job, *, module, record: dict[str, Any] | None, settings: GradeSettings, lane: _Lane,
                    scoring: threading.Lock) -> dict[str, Any]:
    """Grade one submission from its bytes: the gradebook entry, with ``graded_as`` (whose numbers it was graded on).

    ``module`` is the :class:`~course.instructor.scoring.ModuleSpec` of ``job.module`` (or why it could
    not be loaded), ``record`` the release record, ``lane`` where its kernel comes from; scoring
    holds ``scoring`` (answers are compared one at a time in a grading process). The one path a
    local run and every cluster worker share. Never raises for anything a submission does.
    """
    base = {"status": "graded", "reason": "", "flags": []}
    if isinstance(module, str):
        run = {**base, "status": "failed", "reason": module}
    else:
        try:
            nb = _read(job.raw)
        except ValueError as exc:
            run = {**base, "status": "failed", "reason": f"not a readable notebook: {exc}"}
        else:
            kernel = None
            try:
                kernel = await lane.kernel()
                run = await _run(nb, job.learner, module, record, settings, kernel)
            except Exception as exc:  # noqa: BLE001 - one submission's failure never stops the batch
                run = {**base, "status": "failed", "reason": f"the grader could not run it ({type(exc).__name__}: {exc})"[:300]}
            finally:
                if kernel is not None:
                    lane.retire(kernel)
    with scoring:
        result = _result(module, run, settings, exam=job.exam)
    result["graded_as"] = getattr(run.get("resolution"), "learner", "")
    return result


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


class Grader:
    """One process's grading engine: a zygote (in the sandbox), the module specs, and ``lanes`` grading threads.

    ``expected`` is how many submissions will come (a local run: spare kernels stop at the last),
    or None for as many as are sent (a cluster worker: a spare is always ready). Create it early
    (its zygote imports meanwhile), then :meth:`start` with the loaded specs; :meth:`submit` a
    :class:`Job` and get a future of its gradebook entry; :meth:`close` at the end.
    """

    def __init__(self, scratch: Path, *, settings: GradeSettings, record: dict[str, Any] | None = None,
                 sandbox: bool = True, fork: bool | None = None, sealed: set[str] = frozenset(),
                 expected: int | None = None):
        self.settings, self.record, self.expected = settings, record, expected
        files = _seal(set(sealed), Path(scratch)) if sandbox else {}
        self.kernels = Kernels(Path(scratch), memory_mb=settings.memory_mb, fork=fork, sandbox=sandbox, sealed=files)
        self.modules: dict[str, Any] = {}
        self.jobs: queue.Queue = queue.Queue()
        self.scoring = threading.Lock()
        self.lock = threading.Lock()
        self.taken = 0
        self.stop = threading.Event()
        self.abandon = threading.Event()  # stopped early: results still being computed are not to be trusted
        self.threads: list[threading.Thread] = []

    def start(self, modules: dict[str, Any], lanes: int) -> None:
        """Begin grading with these module specs (id -> ModuleSpec, or why it could not be loaded) on ``lanes`` threads."""
        self.modules = dict(modules)
        self.kernels.warm_up()
        self.threads = [threading.Thread(target=self._thread, name=f"grade-lane-{i}", daemon=True)
                        for i in range(max(1, lanes))]
        for t in self.threads:
            t.start()

    def submit(self, job: Job) -> concurrent.futures.Future:
        """Queue a submission; the future holds its gradebook entry (see :func:`grade_one`)."""
        future: concurrent.futures.Future = concurrent.futures.Future()
        self.jobs.put((job, future))
        return future

    def alive(self) -> bool:
        return any(t.is_alive() for t in self.threads)

    @property
    def launches(self) -> dict[str, int]:
        return self.kernels.launches

    def _more(self) -> bool:
        with self.lock:
            return not self.stop.is_set() and (self.expected is None or self.taken < self.expected)

    def _thread(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._lane())
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    async def _lane(self) -> None:
        lane = _Lane(self.kernels, self._more)
        try:
            lane.warm()  # boots while the first submission is on its way
            while not self.stop.is_set():
                try:
                    item = await asyncio.to_thread(self.jobs.get, True, 0.25)
                except queue.Empty:
                    continue
                if item is None:
                    break
                job, future = item
                with self.lock:
                    self.taken += 1
                if not future.set_running_or_notify_cancel():
                    continue
                missing = f"module {job.module}'s questions were not loaded in this grading process"
                try:
                    result = await grade_one(job, module=self.modules.get(job.module, missing), record=self.record,
                                             settings=self.settings, lane=lane, scoring=self.scoring)
                except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for it
                    future.set_exception(exc)
                    continue
                if self.abandon.is_set():
                    future.set_exception(GradingStopped("grading stopped while this submission ran"))
                else:
                    future.set_result(result)
        finally:
            await lane.close()

    def close(self, *, now: bool = False) -> None:
        """Stop: finish the lanes (``now``: kill the kernels running first), then the zygote; none outlives it."""
        self.stop.set()
        if now:
            self.abandon.set()
            self.kernels.kill_all()
        for _ in self.threads:
            self.jobs.put(None)
        for t in self.threads:
            t.join(timeout=30)
        while True:  # whatever was still queued will not be graded here
            try:
                item = self.jobs.get_nowait()
            except queue.Empty:
                break
            if item is not None and not item[1].done():
                item[1].set_exception(GradingStopped("grading stopped before this submission ran"))
        self.kernels.close()


def grader_fingerprint() -> str:
    """A digest of what decides a grade here: every source file of the installed ``course`` and the data manifest.

    Two grading processes with the same fingerprint grade alike; a cluster worker or a shard whose
    fingerprint differs from the instructor's runs another course version (or an exam build).
    """
    import course
    from course.data import data_dir

    package = Path(course.__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts and p.parts[len(package.parts)]
                       not in ("_notebooks", "_data")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    manifest = data_dir() / "manifest.json"
    h.update(manifest.read_bytes() if manifest.is_file() else b"no data manifest")
    return h.hexdigest()[:16]


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt("stopped by SIGTERM")


def _load(sub) -> tuple[bytes | None, str, dict[str, Any] | None]:
    """A submission's bytes and their sha256, or a failed entry when the file cannot be read."""
    try:
        raw = sub.path.read_bytes()
    except OSError as exc:
        return None, "", {"status": "failed", "reason": f"the file could not be read ({exc}); check its permissions",
                          "flags": [], "results": [], "graded_as": ""}
    return raw, hashlib.sha256(raw).hexdigest(), None


def stream(todo: list, exams: set[str], *, window: Callable[[], int], submit: Callable[[Job], Any],
           finished: Callable[[set, bool], list[tuple[Any, dict[str, Any]]]]) -> Iterator[list[tuple[Any, str, dict[str, Any]]]]:
    """Send submissions to graders ``window()`` at a time, each read as it is sent; yield batches of finished ones.

    ``submit(job)`` returns a handle; ``finished(handles, block)`` returns ``(handle, gradebook entry)``
    for those done (waiting for one if ``block``). An entry's ``"sha256"``, when present, replaces the
    file's hash in the gradebook ("" asks the next run to grade it again). Batches are
    ``(submission, sha256, entry)``; a file that cannot be read is a failed entry, never sent.
    Shared by a local run and a cluster run, so both read, send and record alike.
    """
    pending = iter(todo)
    inflight: dict[Any, tuple[Any, str]] = {}
    while True:
        ready = []
        limit = window()
        while len(inflight) < limit:
            sub = next(pending, None)
            if sub is None:
                break
            raw, digest, failed = _load(sub)
            if failed is not None:
                ready.append((sub, digest, failed))
                continue
            inflight[submit(Job(raw, sub.learner, sub.module, sub.module in exams))] = (sub, digest)
        if not inflight and not ready:
            return
        if inflight:
            for handle, entry in finished(set(inflight), not ready):
                sub, digest = inflight.pop(handle)
                ready.append((sub, entry.pop("sha256", digest), entry))
        if ready:
            yield ready


class _Local:
    """Grading in this process: one :class:`Grader`, fed a few submissions ahead of its lanes."""

    where = "this computer"

    def __init__(self, grader: Grader, lanes: int):
        self.grader, self.lanes = grader, lanes

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.grader.close(now=kind is not None)  # stopped early (Ctrl-C, an error): its kernels die now

    @property
    def launches(self) -> dict[str, int]:
        return self.grader.launches

    def results(self, todo: list, exams: set[str]) -> Iterator[list[tuple[Any, str, dict[str, Any]]]]:
        """Batches of ``(submission, sha256, gradebook entry)``, as they finish."""
        return stream(todo, exams, window=lambda: 2 * self.lanes, submit=self.grader.submit, finished=self._finished)

    def _finished(self, futures: set, block: bool) -> list[tuple[Any, dict[str, Any]]]:
        done: set = set()
        while not done:
            done, _ = concurrent.futures.wait(futures, timeout=0.5 if block else 0,
                                              return_when=concurrent.futures.FIRST_COMPLETED)
            if not block:
                break
            if not done and not self.grader.alive():
                raise RuntimeError("the grading workers stopped early; run the same command again to grade the rest")
        return [(f, f.result()) for f in done]


def record_batch(book, batch: list[tuple[Any, str, dict[str, Any]]], summary: dict[str, Any], *, unsafe: bool) -> None:
    """Record results that arrived together, in one transaction (one submission's alone when they trickle in),
    and count them in the run's summary: the single writer's whole job (``benchmarks/bench_cluster.py`` times it)."""
    book.record_many([{"learner": sub.learner, "module": sub.module, "key": sub.key, "sha256": digest,
                       "result": {k: v for k, v in result.items() if k != "graded_as"}, "submitted_at": sub.submitted_at,
                       "graded_as": result.get("graded_as", ""), "lms": sub.lms, "unsafe": unsafe}
                      for sub, digest, result in batch])
    for _, _, result in batch:
        summary["graded" if result["status"] == "graded" else "failed"] += 1


def _show_progress(count: int, total: int, where: str) -> None:
    bar = "#" * int(30 * count / total)
    print(f"\r[{bar:<30}] {count}/{total} graded{where}", end="", file=sys.stderr, flush=True)


def grade(*, submissions: Path, out: Path, workers: int | None = None, settings: GradeSettings = GradeSettings(),
          progress: bool = True, release: Path | None = None, instructor_dir: Path | None = None,
          fork: bool | None = None, sandbox: bool = True, cluster: str | None = None, dask: int | None = None,
          shard: str | tuple[int, int] | None = None) -> dict[str, Any]:
    """Grade every submission under ``submissions`` into the gradebook in ``out``; resumable and idempotent.

    ``release`` is the folder (or ``release.json``) that ``course release`` wrote: learners are then
    graded against the numbers issued to them. ``instructor_dir`` is the checkout with the hidden
    tests (default: this one). A module whose hidden tests are missing stops the run before
    anything is graded (:class:`~course.instructor.layout.InstructorMaterialMissing`).

    Every kernel runs in the sandbox (:mod:`course.instructor.sandbox`); where it cannot be had the
    run stops with :class:`~course.instructor.sandbox.SandboxUnavailable` saying why.
    ``sandbox=False`` (the CLI's ``--unsafe-no-sandbox``) runs submissions with the caller's rights,
    and every gradebook row says so.

    ``cluster`` (a Dask scheduler's address) or ``dask`` (a number of local worker processes)
    grades on Dask workers instead of here (:mod:`course.instructor.cluster`); the gradebook is
    kept here either way. ``shard="I/N"`` grades only the I-th of N deterministic slices (by each
    file's gradebook key), for a batch system's array job; each shard needs its own ``out``, and
    ``course gradebook merge`` combines them (:mod:`course.instructor.shards`).
    """
    from course.checks import modules as course_modules
    from course.instructor.assign import MANIFEST, exam_modules, read_record
    from course.instructor.gradebook import Gradebook
    from course.instructor.layout import Layout
    from course.instructor.sandbox import SandboxUnavailable, problem
    from course.instructor.scoring import ModuleSpec
    from course.instructor.shards import Shard, claim_folder
    from course.instructor.submissions import collisions, find_submissions

    remote = cluster is not None or dask is not None
    if cluster is not None and dask is not None:
        raise ValueError("Give either cluster= (an existing Dask scheduler) or dask= (local worker processes), not both.")
    if cluster is not None and workers is not None:
        raise ValueError("workers= sets how many submissions run at once here; a cluster's workers each run as many as "
                         "their threads (dask worker --nthreads). Leave it out with cluster=.")
    if sandbox and not remote and problem():  # on a cluster, each worker checks its own sandbox
        raise SandboxUnavailable(problem())
    part = Shard.parse(shard) if shard is not None else None
    layout = Layout.find(instructor_dir)
    record = None
    if release is not None:
        folder = Path(release)
        folder = folder.parent if folder.name == MANIFEST else folder
        if not (folder / MANIFEST).is_file():
            raise FileNotFoundError(f"No release record at {folder / MANIFEST}: pass the folder that `course release --out` wrote.")
        record = read_record(folder)
    out.mkdir(parents=True, exist_ok=True)
    claim_folder(out, part, settings=asdict(settings), record=record, sandbox=sandbox, fingerprint=grader_fingerprint())
    book = Gradebook(out / "gradebook.sqlite")
    known = {m.id for m in course_modules()}
    start = time.monotonic()
    summary: dict[str, Any] = {"graded": 0, "failed": 0, "skipped_unchanged": 0, "not_submissions": [], "launches": {},
                               "release_record": str(release) if release else None, "sandbox": sandbox,
                               "shard": str(part) if part else None, "where": "this computer"}
    with tempfile.TemporaryDirectory(prefix="rtr-") as scratch:
        subs, skipped = find_submissions(submissions, scratch=Path(scratch))
        if part is not None:  # every file found belongs to exactly one shard, by its gradebook key
            subs = [s for s in subs if part.owns(s.key)]
            skipped = [s for s in skipped if part.owns(_skipped_key(s))]
        summary["not_submissions"] = skipped
        summary["collisions"] = [str(c) for c in collisions(subs)]
        graded = book.digests()
        for item in skipped:  # every file found gets a row, with why it was not graded
            key = _skipped_key(item)
            if key not in graded:
                book.record(item.learner or "(no learner)", "??", key, "", {"status": "skipped", "reason": item.reason,
                                                                             "flags": [], "results": []})
        todo = []
        for sub in subs:
            try:
                digest = hashlib.sha256(sub.path.read_bytes()).hexdigest()
            except OSError:
                digest = ""  # graded (and failed with the reason) below
            if sub.module not in known:
                book.record(sub.learner, sub.module or "??", sub.key, digest,
                            {"status": "failed", "reason": "no course module matches this file name (expected NN-name.ipynb)",
                             "flags": [], "results": []}, submitted_at=sub.submitted_at, lms=sub.lms)
                summary["failed"] += 1
            elif digest and graded.get(sub.key) == digest:
                summary["skipped_unchanged"] += 1
            else:
                todo.append(sub)
        if not todo:
            summary["seconds"] = round(time.monotonic() - start, 1)
            book.write_feedback(out / "feedback")
            return summary
        exams = exam_modules(record)
        wanted = sorted({sub.module for sub in todo})
        if remote:
            try:
                from course.instructor.cluster import DaskRun
            except ImportError as exc:
                raise RuntimeError(f"Grading on a Dask cluster needs the cluster extra ({exc}): "
                                   "pip install 'reading-the-ranks[cluster]'") from None

            specs = {m: ModuleSpec.load(m, layout) for m in wanted}  # may refuse
            runner = DaskRun(address=cluster, processes=dask, threads=workers, specs=specs, record=record,
                             settings=settings, sandbox=sandbox, fork=fork, exams=exams & set(wanted))
        else:
            lanes = max(1, min(workers or os.cpu_count() or 1, len(todo)))
            grader = Grader(Path(scratch), settings=settings, record=record, sandbox=sandbox, fork=fork,
                            sealed=exams & set(wanted), expected=len(todo))  # its zygote imports meanwhile
            try:
                specs = {m: ModuleSpec.load(m, layout) for m in wanted}  # may refuse
                grader.start(specs, lanes)
            except BaseException:
                grader.close(now=True)
                raise
            runner = _Local(grader, lanes)
        count = 0
        stop_on_term = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminate) if stop_on_term else None  # `kill` stops like Ctrl-C
        try:
            with runner:
                summary["where"] = runner.where
                for batch in runner.results(todo, exams):
                    record_batch(book, batch, summary, unsafe=not sandbox)
                    count += len(batch)
                    if progress:
                        _show_progress(count, len(todo), "" if runner.where == "this computer" else f" on {runner.where}")
        finally:
            if stop_on_term:
                signal.signal(signal.SIGTERM, previous)
        summary["launches"] = runner.launches
        if progress:
            print(file=sys.stderr)
    summary["seconds"] = round(time.monotonic() - start, 1)
    book.write_feedback(out / "feedback")
    return summary


def _skipped_key(item) -> str:
    return f"{item.learner or '(no learner)'}/{item.name}"
