"""Grading on a Dask cluster: every worker grades by the same path as a local run; the client keeps the gradebook.

``course grade SUBMISSIONS --out RESULTS --cluster tcp://scheduler:8786`` (or ``--dask N``, a
:class:`distributed.LocalCluster` of N worker processes on loopback) runs
:func:`course.instructor.grade.grade` with a :class:`DaskRun` in place of the local grader.
Dask distributed does the scheduling; nothing here decides which worker grades what.

1. The client registers a :class:`GradingPlugin` (a :class:`distributed.WorkerPlugin`). It
   carries the instructor-only material — each module's hidden test inputs and answer names, the
   release record — and the limits, so the scheduler sends it **once to each worker**, and to every
   worker that joins or restarts later; never with each submission, and never into a kernel. On a
   worker, its ``setup`` checks the sandbox and that the worker's installed course is the
   instructor's (:func:`~course.instructor.grade.grader_fingerprint`: the same sources and data),
   then starts a :class:`~course.instructor.grade.Grader`: one zygote per worker process, one lane
   per worker thread, exactly as a local run.
2. Each submission travels **as bytes** in a task (no shared filesystem is assumed), a couple per
   worker thread ahead of need; on the worker, :func:`~course.instructor.grade.grade_one` grades it
   and the gradebook entry comes back. The client records each result as it arrives (results
   that arrive together share a transaction), shows progress, and — since it only writes what has
   come back — resumes after a kill exactly as a local run does.
3. A worker that dies mid-submission costs a retry of that submission: the scheduler gives it to
   another worker (``distributed.scheduler.allowed-failures``, 3 by default). A submission whose
   workers die every time gets a failed row saying so, with no content hash, so the next run
   tries it again. A worker closed while it grades hands its submission back
   (:class:`distributed.Reschedule`) rather than a result cut short.
4. At the end the plugin is unregistered, which stops every worker's zygote and kernels. A client
   killed before that leaves its plugin behind; the next run removes plugins whose client is gone.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

from distributed import (
    Client,
    KilledWorker,
    LocalCluster,
    Reschedule,
    WorkerPlugin,
    as_completed,
    get_worker,
)

from course.instructor.grade import (
    Grader,
    GradeSettings,
    GradingStopped,
    Job,
    grader_fingerprint,
    stream,
)

__all__ = ["PLUGIN_PREFIX", "ClusterUnavailable", "DaskRun", "GradingPlugin"]

PLUGIN_PREFIX = "reading-the-ranks-grader:"


class ClusterUnavailable(RuntimeError):
    """The Dask cluster cannot grade this run (no scheduler, no worker, or a worker that cannot grade); says why."""


def _spec(module: str, material: dict[str, Any]):
    """A module's spec on a worker: its questions from the installed course, hidden inputs and answer names as sent."""
    from course.checks import questions
    from course.instructor.scoring import ModuleSpec

    qs = tuple(questions(module))
    sealed = [q.id for q in qs if q.sealed]
    if sealed:
        return (f"module {module} is sealed in this worker's installation (an exam build): install the instructor's "
                "wheel (python -m build --wheel, without COURSE_EXAM_MODULES) on the workers")
    return ModuleSpec(module, qs, {qid: [tuple(c) for c in cases] for qid, cases in material["hidden"].items()},
                      dict(material["starters"]), dict(material.get("defined_in", {})))


class GradingPlugin(WorkerPlugin):
    """A grading run's per-worker setup: the instructor's material (sent once per worker) and the worker's Grader."""

    idempotent = False

    def __init__(self, *, material: dict[str, dict[str, Any]], record: dict[str, Any] | None, settings: GradeSettings,
                 sandbox: bool, fork: bool | None, exams: set[str], fingerprint: str):
        self.material, self.record, self.settings = material, record, settings
        self.sandbox, self.fork, self.exams, self.fingerprint = sandbox, fork, set(exams), fingerprint
        self.grader: Grader | None = None
        self.error = ""
        self.scratch = ""

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "grader": None, "error": "", "scratch": ""}

    async def setup(self, worker) -> None:
        try:
            await asyncio.to_thread(self._start, worker.state.nthreads)
        except Exception as exc:  # noqa: BLE001 - any reason a worker cannot grade is told to the instructor
            self.error = f"{type(exc).__name__}: {exc}"
            raise RuntimeError(f"worker {worker.address} cannot grade: {exc}") from None

    def _start(self, lanes: int) -> None:
        from course.instructor.sandbox import problem

        if self.sandbox and problem():
            raise RuntimeError(problem())
        here = grader_fingerprint()
        if here != self.fingerprint:
            raise RuntimeError(f"its installed course ({here}) is not the instructor's ({self.fingerprint}): another "
                               "version, an exam build or a changed checkout. Install the wheel built from the instructor's "
                               "checkout (python -m build --wheel) on every worker.")
        specs = {m: _spec(m, material) for m, material in self.material.items()}
        self.scratch = tempfile.mkdtemp(prefix="rtr-worker-")
        try:
            self.grader = Grader(Path(self.scratch), settings=self.settings, record=self.record, sandbox=self.sandbox,
                                 fork=self.fork, sealed=self.exams & set(specs))
            self.grader.start(specs, lanes)
        except BaseException:
            self._stop()
            raise

    def _stop(self) -> None:
        grader, self.grader = self.grader, None
        try:
            if grader is not None:
                grader.close(now=True)
        finally:
            if self.scratch:
                shutil.rmtree(self.scratch, ignore_errors=True)

    async def teardown(self, worker) -> None:
        await asyncio.to_thread(self._stop)


def _grade_task(name: str, raw: bytes, learner: str, module: str, exam: bool) -> dict[str, Any]:
    """A Dask task: grade one submission on this worker's Grader (see :func:`course.instructor.grade.grade_one`)."""
    worker = get_worker()
    plugin = worker.plugins.get(name)
    if not isinstance(plugin, GradingPlugin):
        raise ClusterUnavailable(f"worker {worker.address} has no grader for this run (its plugin {name} is missing)")
    grader = plugin.grader
    if grader is None:
        raise ClusterUnavailable(f"worker {worker.address} cannot grade: {plugin.error or 'its grader stopped'}")
    try:
        return grader.submit(Job(raw, learner, module, exam)).result()
    except GradingStopped:
        raise Reschedule() from None  # the worker is closing: another one grades it


def _launches(name: str, dask_worker=None) -> dict[str, int]:
    plugin = dask_worker.plugins.get(name)
    grader = getattr(plugin, "grader", None)
    return grader.launches if grader is not None else {}


def _stale_runs(dask_scheduler=None) -> list[str]:
    """Grading plugins whose client has gone (killed before it could unregister them)."""
    live = set(dask_scheduler.clients)
    return [name for name in dask_scheduler.worker_plugins
            if name.startswith(PLUGIN_PREFIX) and name[len(PLUGIN_PREFIX):].split("/")[0] not in live]


class DaskRun:
    """One grading run's use of a Dask cluster: connect, set the workers up, send submissions, tidy up.

    ``address`` is a scheduler's address; without it, ``processes`` worker processes are started
    here (a :class:`distributed.LocalCluster` on loopback) with ``threads`` submissions at a time
    in all (default: one per core).
    """

    def __init__(self, *, address: str | None, processes: int | None, threads: int | None, specs: dict[str, Any],
                 record: dict[str, Any] | None, settings: GradeSettings, sandbox: bool, fork: bool | None,
                 exams: set[str], connect_timeout: float = 30, workers_timeout: float = 120):
        self.address, self.processes, self.threads = address, processes, threads
        material = {m: {"hidden": spec.hidden, "starters": spec.starters, "defined_in": spec.defined_in}
                    for m, spec in specs.items()}
        self.plugin = GradingPlugin(material=material, record=record, settings=settings, sandbox=sandbox, fork=fork,
                                    exams=exams, fingerprint=grader_fingerprint())
        self.connect_timeout, self.workers_timeout = connect_timeout, workers_timeout
        self.client: Client | None = None
        self.cluster: LocalCluster | None = None
        self.name = ""
        self.token = secrets.token_hex(6)
        self.where = "a Dask cluster"
        self._launches: dict[str, int] = {}
        self._sent, self._size, self._sized = 0, 2, -1e9

    def __enter__(self) -> Self:
        try:
            self._connect()
            self._register()
        except BaseException:
            self._close()
            raise
        return self

    def _connect(self) -> None:
        if self.address is None:
            n = max(1, int(self.processes or 1))
            per = max(1, (self.threads or os.cpu_count() or 1) // n)
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=per, processes=True, host="127.0.0.1",
                                        dashboard_address=None)
            self.client = Client(self.cluster, set_as_default=False)
            where = "here"
        else:
            try:
                self.client = Client(self.address, timeout=self.connect_timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ClusterUnavailable(f"No Dask scheduler answered at {self.address} ({exc}). Start one (`dask scheduler`) "
                                         "or check the address (tcp://HOST:8786), then grade again.") from None
            where = f"at {self.address}"
        try:
            self.client.wait_for_workers(1, timeout=self.workers_timeout)
        except TimeoutError:
            raise ClusterUnavailable(f"No Dask worker joined the scheduler {where} within {self.workers_timeout:g} s: start "
                                     f"workers (`dask worker {self.address or 'ADDRESS'}`), then grade again.") from None
        n = len(self.client.nthreads())
        self.where = f"{n} Dask worker{'s' if n != 1 else ''} {where}"

    def _register(self) -> None:
        for stale in self.client.run_on_scheduler(_stale_runs):
            self.client.unregister_worker_plugin(stale)
        self.name = f"{PLUGIN_PREFIX}{self.client.id}/{self.token}"
        try:
            self.client.register_plugin(self.plugin, name=self.name)
        except Exception as exc:  # noqa: BLE001 - a worker's setup failed: its reason, as raised there
            raise ClusterUnavailable(f"{exc}. Nothing was graded.") from None

    def results(self, todo: list, exams: set[str]) -> Iterator[list[tuple[Any, str, dict[str, Any]]]]:
        """Batches of ``(submission, sha256, gradebook entry)``, as the workers finish them."""
        self._finished = as_completed([], loop=self.client.loop, with_results=True, raise_errors=False)
        self._names: dict[str, str] = {}
        try:
            yield from stream(todo, exams, window=self._window, submit=self._submit, finished=self._done)
        finally:
            if self._finished.futures:  # stopped early: the cluster forgets what nobody will record
                self.client.cancel(list(self._finished.futures))

    def _window(self) -> int:
        """How many submissions to keep on their way: two per worker thread (one running, one ready to start)."""
        if time.monotonic() - self._sized > 5:  # workers come and go (adaptive clusters)
            self._size, self._sized = max(2, 2 * sum(self.client.nthreads().values())), time.monotonic()
        return self._size

    def _submit(self, job: Job) -> str:
        self._sent += 1
        future = self.client.submit(_grade_task, self.name, job.raw, job.learner, job.module, job.exam,
                                    key=f"grade-{self.token}-{self._sent}", pure=False)
        self._finished.add(future)
        return future.key

    def _done(self, keys: set, block: bool) -> list[tuple[str, dict[str, Any]]]:
        out = []
        for future, value in self._finished.next_batch(block=block):
            out.append((future.key, self._entry(future, value)))
            future.release()
        return out

    def _entry(self, future, value) -> dict[str, Any]:
        if future.status == "finished":
            return value
        exc = value[1] if isinstance(value, tuple) else value
        if isinstance(exc, KilledWorker):
            return {"status": "failed", "flags": [], "results": [], "graded_as": "", "sha256": "",
                    "reason": f"the Dask workers grading it died {exc.allowed_failures + 1} times (a crash, a lost "
                              "machine, or this submission); not graded: run the same command again to retry it"}
        raise ClusterUnavailable(f"grading a submission on the cluster failed ({type(exc).__name__}: {exc}). What was "
                                 "graded is recorded; fix the workers and run the same command again to grade the rest.")

    @property
    def launches(self) -> dict[str, int]:
        return dict(self._launches)

    def __exit__(self, kind, exc, tb) -> None:
        self._close()

    def _close(self) -> None:
        client, cluster, self.client, self.cluster = self.client, self.cluster, None, None
        try:
            if client is not None and self.name:
                try:
                    for counts in client.run(_launches, self.name).values():
                        for path, n in counts.items():
                            self._launches[path] = self._launches.get(path, 0) + n
                except Exception:  # noqa: BLE001, S110 - a count for the summary only
                    pass
                try:
                    client.unregister_worker_plugin(self.name)  # stops every worker's zygote and kernels
                except Exception:  # noqa: BLE001, S110 - the next run removes it if this one could not
                    pass
        finally:
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()
