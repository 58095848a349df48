"""Grade submissions in bulk: each in a fresh kernel of its own, graded on what it computed.

How an answer is found, whatever the learner did to the cells: before running a submission, the
grader parses every code cell and, after each cell that calls ``check("ID", expr)`` (whatever
``check`` is bound to), inserts a capture cell that evaluates ``expr`` and publishes it under a
one-time secret name and a private MIME type. For a question whose check call is gone, the
expression from the instructor's own notebook is evaluated at the end instead. Function answers
are called in the kernel on the inputs the grader chose, and only their outputs travel back.
Everything is then compared in the grader's process with the instructor's question specs for
that learner's variant — nothing the kernel can patch takes part in grading.

How a batch runs: a few worker threads of the grading process take submissions one at a time.
Each submission runs in a kernel process started for it alone, in an empty folder of its own,
and killed with everything it forked once its notebook has run: a kernel is never reused. While
a worker runs one submission it already starts a *spare* kernel for whichever submission it
takes next, so kernel start-up overlaps execution. Kernel processes are forked by a *zygote*
(``course.instructor.zygote``): one process per run that has imported ipykernel and the libraries
the notebooks import, and never runs a submission's code; each fork gets its own process group,
limit, environment, folder and random state, and is then managed like any kernel process (if the
zygote is unavailable, kernels start as new interpreters instead). The grading process imports the course, the
question specs and the hidden tests once, and grades each submission's answers (plain data) in
its main thread, one submission at a time.

Limits: a per-cell timeout (the cell is interrupted, the rest still runs), a per-notebook
wall-clock limit (the kernel is killed), an address-space limit set on the kernel process before
any of the submission's code reaches it, and an output-size cap (output past a hard bound is not
even kept, so no submission can exhaust the grader's memory).
"""

from __future__ import annotations

import ast
import asyncio
import functools
import hashlib
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
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
import os as _os
_os.environ["COURSE_LEARNER"] = {learner!r}
del _os

def {name}(qid, get, cases=None):
    import inspect as _i, json as _j
    from IPython.display import publish_display_data as _p
    def _plain(v):
        if v is Ellipsis:
            return {{"ellipsis": True}}
        if type(v).__name__ == "DataFrame":
            return {{"frame": v.to_json(orient="split")}}
        return {{"value": _j.loads(_j.dumps(v, default=lambda o: o.to_plain() if hasattr(o, "to_plain") else o.item() if hasattr(o, "item") else (o.tolist() if hasattr(o, "tolist") else list(o) if isinstance(o, (set, frozenset, tuple)) else repr(o))))}}
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
    from course.instructor.release import release
    from course.instructor.workspace import _checkout_sources

    packaged = Path(__file__).resolve().parents[1] / "_notebooks"
    with tempfile.TemporaryDirectory() as tmp:
        folder = packaged
        if not packaged.is_dir():  # a checkout: release this module only (another one may be half-written)
            folder = Path(tmp)
            if any(p.name[:2] == module for p in _checkout_sources().glob("*.ipynb")):
                release(source=_checkout_sources(), out=folder, modules=[module])
        for nb_path in folder.glob(f"{module}-*.ipynb"):
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


@dataclass(frozen=True)
class _Module:
    """What grading one module needs, loaded once per run in the grading process."""

    id: str
    questions: tuple
    hidden: dict[str, list[tuple]]
    starters: dict[str, str]

    @classmethod
    def load(cls, module: str) -> _Module:
        from course.checks import questions

        return cls(module, tuple(questions(module)), hidden_cases(module), _starter_expressions(module))


def _prepare(nb: dict[str, Any], module: _Module, learner: str) -> tuple[dict[str, Any], str, list[str]]:
    """Insert the capture cells; returns the notebook to run, the nonce, and tampering flags."""
    from course.checks import _params

    nonce = secrets.token_hex(16)
    name = f"_grade_{nonce[:12]}"
    qs = {q.id: q for q in module.questions}

    def capture(qid: str, expr: str, tag: str) -> dict[str, Any]:
        q = qs.get(qid)
        cases = None
        if q is not None and q.kind == "function":
            cases = json.dumps([list(c) for c in _all_cases(q, _params(q, learner), module.hidden)])
        arg = f", cases={cases}" if cases else ""
        return {"cell_type": "code", "metadata": {"tags": [tag]}, "execution_count": None, "outputs": [],
                "source": f"{name}({qid!r}, lambda: ({expr}){arg})"}

    cells = [{"cell_type": "code", "metadata": {"tags": ["grader"]}, "execution_count": None, "outputs": [],
              "source": _PREAMBLE.format(name=name, mime=ANSWER_MIME, nonce=nonce, learner=learner)}]
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
    for qid, expr in module.starters.items():
        if qid in qs:
            cells.append(capture(qid, expr, "grader-fallback"))
    run = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
           "nbformat": 4, "nbformat_minor": 4}
    return run, nonce, sorted(flags)


def _read(raw: bytes) -> dict[str, Any]:
    """The submission as a notebook dict, or ValueError saying why it is not a readable one."""
    nb = json.loads(raw.decode("utf-8"))  # both errors are ValueErrors
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ValueError("no list of cells")
    if nb.get("nbformat") != 4:
        raise ValueError(f"nbformat {nb.get('nbformat')!r}, expected 4 (open and save it in JupyterLab)")
    return nb
def _decode(payload: dict[str, Any]) -> Any:
    if "ellipsis" in payload:
        return ...
    if "frame" in payload:
        import io

        import pandas as pd

        return pd.read_json(io.StringIO(payload["frame"]), orient="split")
    return payload["value"]


class _Recorded:
    """Stands in for a learner's function: replays the output it gave in the kernel for the same inputs.

    Outputs are looked up by their inputs, not by call order, so a check that calls the function
    once more (to see whether it is still the starter) or in another order still sees the right one.
    """

    def __init__(self, calls: list[dict[str, Any]], cases: list[tuple]):
        self.__name__ = "your function"
        self.outputs = {_case_key(args): call for args, call in zip(cases, calls)}

    def __call__(self, *args):
        call = self.outputs.get(_case_key(args), {"error": "RuntimeError: no output recorded for these inputs"})
        if "error" in call:
            raise RuntimeError(call["error"])
        return _decode(call)


def _case_key(args) -> str:
    return json.dumps(list(args), default=repr)  # tuples and lists key alike, as after the trip through JSON


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


def _grade_answers(module: _Module, learner: str, answers: dict[str, Any], out: dict[str, Any]) -> dict[str, Any]:
    """Compare the answers a kernel computed with the instructor's specs (in the grading process, on data only)."""
    from course.checks import _params
    from course.checks._engine import Result, evaluate

    for q in module.questions:
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
        if "calls" in payload:
            answer = _Recorded(payload["calls"], _all_cases(q, params, module.hidden) if q.kind == "function" else [])
        else:
            answer = _decode(payload)
        if q.kind in {"set", "choices"} and isinstance(answer, list):
            answer = [tuple(a) if isinstance(a, list) else a for a in answer]
        r = evaluate(q, answer, params)
        extra = module.hidden.get(q.id, []) if "calls" in payload else []
        if r.correct and extra and not _passes_hidden(q, params, payload["calls"][len(q.cases(params)):], extra):
            r = Result(q.id, "incorrect", "Right on the notebook's inputs, but a further check at grading found a wrong "
                       "result on another input (not shown, so the check stays fair). Test your function on edge cases.",
                       0, q.points)
        out["results"].append({"qid": q.id, "status": r.status, "points": r.points, "max_points": r.max_points,
                               "message": r.message, "text": answer if q.kind == "text" and isinstance(answer, str) else None})
    return out


# Output past the cap is still counted (for the flag) but kept only up to this bound, answers apart,
# and zmq drops any single kernel message larger than _MAX_MESSAGE: a flood cannot fill the grader's memory.
_KEEP_BYTES = 64 * 1024 * 1024
_MAX_MESSAGE = 256 * 1024 * 1024


@dataclass
class _Batch:
    """What the workers of one ``grade`` call share: the queues, the limits, and the kernels alive."""

    settings: GradeSettings
    scratch: Path
    modules: dict[str, _Module | str] = field(default_factory=dict)  # filled while the first kernels boot
    loaded: threading.Event = field(default_factory=threading.Event)
    jobs: queue.Queue = field(default_factory=queue.Queue)
    done: queue.Queue = field(default_factory=queue.Queue)
    stop: threading.Event = field(default_factory=threading.Event)
    live: dict[int, int] = field(default_factory=dict)  # id(kernel) -> process group, until it is killed
    zygote: _Zygote | None = None  # forks the kernels, when started
    lock: threading.Lock = field(default_factory=threading.Lock)

    def kill_all(self) -> None:
        """Kill every kernel still alive (a run stopped early): none outlives ``grade``."""
        with self.lock:
            for pgid in self.live.values():
                _killpg(pgid)


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


# Runs first in the kernel's process: sets the address-space limit, then becomes the kernel (same process,
# so the kernel and anything it forks inherit the limit before a line of it, or of the submission, runs).
_LIMIT_SHIM = "import os, resource, sys; n = int(sys.argv[1]); resource.setrlimit(resource.RLIMIT_AS, (n, n)); os.execv(sys.argv[2], sys.argv[2:])"


@functools.cache
def _manager_class():
    """jupyter_client's AsyncKernelManager, launching the kernel through the memory-limit shim.

    With a zygote (a fork server, see ``course.instructor.zygote``), the same command is carried
    out by a child forked from the zygote instead of a new interpreter: same limit, environment,
    folder, arguments and process group; the manager signals, polls and kills it as before.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner

    class _Manager(AsyncKernelManager):
        memory_limit = 0
        zygote: _Zygote | None = None

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            cmd = super().format_kernel_cmd(extra_arguments)
            executable = shutil.which(cmd[0]) or cmd[0]
            return [sys.executable, "-S", "-c", _LIMIT_SHIM, str(self.memory_limit), executable, *cmd[1:]]

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            if self.zygote is not None and type(self.provisioner) is LocalProvisioner:
                self.provisioner.__class__ = _Provisioner
                self.provisioner.zygote = self.zygote
            await super()._async_launch_kernel(kernel_cmd, **kw)

    class _Provisioner(LocalProvisioner):
        zygote: _Zygote | None = None

        async def launch_kernel(self, cmd: list[str], **kwargs: Any):
            z = self.zygote
            if (z is None or len(cmd) < 8 or cmd[3] != _LIMIT_SHIM or cmd[6:8] != ["-m", "ipykernel_launcher"]
                    or os.path.abspath(cmd[5]) != os.path.abspath(sys.executable)):
                return await super().launch_kernel(cmd, **kwargs)
            try:
                pid = await asyncio.to_thread(z.spawn, cmd[8:], dict(kwargs.get("env") or os.environ),
                                              str(kwargs.get("cwd") or os.getcwd()), int(cmd[4]))
            except Exception:  # noqa: BLE001 - no zygote: a new interpreter, as without one
                return await super().launch_kernel(cmd, **kwargs)
            self.process = _Forked(pid, z)
            self.pid = self.pgid = pid
            self.cwd = kwargs.get("cwd", Path.cwd())
            return self.connection_info

    return _Manager


class _Forked:
    """A kernel forked by the zygote, as a ``Popen``-like handle (signalled and polled through a pidfd).

    Not the grader's child: its exit is seen through the pidfd, and the zygote reaps it only once the
    kernel is shut down (its group killed), so its id cannot be reused while the grader may signal it.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, zygote: _Zygote):
        self.pid, self.zygote, self.returncode = pid, zygote, None
        self.fd: int | None = os.pidfd_open(pid)

    def poll(self) -> int | None:
        import select

        if self.returncode is None and self.fd is not None and select.select([self.fd], [], [], 0)[0]:
            self.returncode = 1  # exited (its status goes to the zygote, its parent)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for it to exit, then let the zygote reap it (called when the kernel is shut down)."""
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.01)
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
            self.zygote.reap(self.pid)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.fd is None:
            raise ProcessLookupError(3, "the kernel has exited")
        signal.pidfd_send_signal(self.fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _can_fork_kernels() -> bool:
    """Whether forked kernels can be watched here: pidfds (Linux 5.3+); elsewhere kernels start the usual way."""
    if not (hasattr(os, "pidfd_open") and hasattr(signal, "pidfd_send_signal")):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


class _Zygote:
    """The grader's end of the fork server: started once per run, asked for one kernel process at a time."""

    def __init__(self, scratch: Path):
        env = {k: v for k, v in os.environ.items() if k != "COURSE_LEARNER"}
        env["MPLBACKEND"] = "Agg"
        self.proc = subprocess.Popen([sys.executable, "-c", "from course.instructor.zygote import serve; serve()"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env=env, cwd=scratch, start_new_session=True)
        self.lock = threading.Lock()
        self.ready: bool | None = None

    def _ask(self, request: dict[str, Any], answer: bool) -> dict[str, Any]:
        with self.lock:
            if self.ready is None:  # its imports done, and no thread alive in it
                try:
                    self.ready = bool(json.loads(self.proc.stdout.readline() or b"{}").get("ready"))
                except ValueError:
                    self.ready = False
            if not self.ready:
                raise RuntimeError("the kernel zygote is not available")
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
            return json.loads(self.proc.stdout.readline() or b"{}") if answer else {}

    def spawn(self, argv: list[str], env: dict[str, str], cwd: str, limit: int) -> int:
        reply = self._ask({"spawn": {"argv": argv, "env": env, "cwd": cwd, "limit": limit}}, answer=True)
        if "pid" not in reply:
            raise RuntimeError(f"the kernel zygote could not fork: {reply.get('error', 'no answer')}")
        return int(reply["pid"])

    def reap(self, pid: int) -> None:
        try:
            self._ask({"reap": pid}, answer=False)
        except Exception:  # noqa: BLE001 - it reaps every child when it stops anyway
            pass

    def close(self) -> None:
        """Stop it: it kills and reaps any kernel of its still alive, then exits."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


@functools.cache
def _client_class():
    """nbclient's NotebookClient, counting every output's bytes and keeping them only up to a bound."""
    from nbclient import NotebookClient

    class _Client(NotebookClient):
        def __init__(self, *args: Any, keep: int, **kw: Any):
            super().__init__(*args, **kw)
            self.keep, self.produced, self.kept = keep, 0, {False: 0, True: 0}

        def output(self, outs, msg, display_id, cell_index):
            out = super().output(outs, msg, display_id, cell_index)
            if out is not None:
                n = len(json.dumps(out))
                self.produced += n
                answer = isinstance(out.get("data"), dict) and ANSWER_MIME in out["data"]
                if self.kept[answer] + n > self.keep and outs and outs[-1] is out:
                    outs.pop()  # counted for the cap, not kept
                else:
                    self.kept[answer] += n
            return out

    return _Client


class _Kernel:
    """A kernel process for exactly one submission: started, limited, connected, used once, killed.

    Created inside a worker's event loop; ``ready`` is a task that completes once the kernel
    answers, so a spare kernel boots while the worker's current submission runs.
    """

    def __init__(self, batch: _Batch):
        self.batch = batch
        self.work = tempfile.mkdtemp(prefix="grade-", dir=batch.scratch)
        self.km: Any = None
        self.kc: Any = None
        self.ready = asyncio.ensure_future(self._start(batch.settings))

    async def _start(self, settings: GradeSettings):
        import zmq

        env = {k: v for k, v in os.environ.items() if k != "COURSE_LEARNER"}  # set per submission by the preamble
        env.update(COURSE_WORKSPACE=self.work, MPLBACKEND="Agg")
        self.km = _manager_class()(kernel_name="python3")
        self.km.memory_limit = settings.memory_mb * 1024 * 1024
        self.km.zygote = self.batch.zygote
        # History in memory, as nbclient does: the shared history file would show one submission's cells to the next.
        # The kernel's own stdout/stderr (not the notebook's outputs) would clutter the instructor's terminal.
        await self.km.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"], env=env, cwd=self.work,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with self.batch.lock:
            self.batch.live[id(self)] = self.km.provisioner.pgid or self.km.provisioner.pid
        kc = self.km.client()
        kc.context.setsockopt(zmq.MAXMSGSIZE, _MAX_MESSAGE)
        kc.start_channels()
        self.kc = kc
        await kc.wait_for_ready(timeout=60)
        kc.allow_stdin = False
        return kc

    async def stop(self) -> None:
        """Kill the kernel and everything it forked (its process group), and remove its folder."""
        if not self.ready.done():
            self.ready.cancel()
        await asyncio.gather(self.ready, return_exceptions=True)
        with self.batch.lock:
            pgid = self.batch.live.pop(id(self), None)
            if pgid:  # the whole group, forked children included, while the kernel is unreaped (its id not reusable)
                _killpg(pgid)
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None:
                await self.km.shutdown_kernel(now=True)  # reaps it, removes its connection file
        except Exception:  # noqa: BLE001 - it is killed already; this only tidies up
            pass
        shutil.rmtree(self.work, ignore_errors=True)


async def _execute(kernel: _Kernel, kc: Any, run: dict[str, Any], nonce: str, settings: GradeSettings) -> dict[str, Any]:
    """Run one prepared notebook in its kernel; returns status, reason, output size and the captured answers."""
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    node = nbformat.from_dict(run)
    client = _client_class()(node, km=kernel.km, timeout=settings.cell_timeout, allow_errors=True, kernel_name="python3",
                             interrupt_on_timeout=True, resources={"metadata": {"path": kernel.work}},
                             keep=settings.output_cap + _KEEP_BYTES)
    client.kc = kc  # already connected and ready: nbclient neither starts nor stops this kernel
    out: dict[str, Any] = {"status": "graded", "reason": ""}
    task = asyncio.ensure_future(client.async_execute())
    finished, _ = await asyncio.wait({task}, timeout=settings.notebook_timeout)
    if task not in finished:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return {"status": "failed", "reason": f"the notebook ran past {settings.notebook_timeout} s and was stopped"}
    exc = task.exception()
    if isinstance(exc, CellTimeoutError):
        out["reason"] = f"a cell ran past {settings.cell_timeout} s and was stopped"
    elif isinstance(exc, DeadKernelError):
        out["reason"] = "the kernel died (exit, crash or memory); graded on what ran before"
    elif exc is not None:  # any failure of one submission is recorded, never raised
        out["reason"] = f"execution stopped: {type(exc).__name__}: {exc}"[:300]
    primary: dict[str, Any] = {}
    fallback: dict[str, Any] = {}
    for cell in node.cells:
        tags = cell.metadata.get("tags", [])
        for o in cell.get("outputs", []):
            item = o.get("data", {}).get(ANSWER_MIME)
            if not tags or not isinstance(item, dict) or item.get("nonce") != nonce or not isinstance(item.get("answer"), dict):
                continue  # only the grader's own cells, with this run's secret, count
            (primary if "grader" in tags else fallback)[item.get("qid")] = item.get("answer")
    interrupted = any(o.get("ename") == "KeyboardInterrupt" for c in node.cells for o in c.get("outputs", []))
    if interrupted and not out["reason"]:
        out["reason"] = f"a cell ran past {settings.cell_timeout} s and was interrupted; the rest still ran"
    answers = dict(fallback)
    for qid, answer in primary.items():  # the learner's own check call wins unless it failed
        if "error" not in answer or qid not in fallback:
            answers[qid] = answer
    out["answers"] = answers
    out["size"] = client.produced
    return out


async def _work(batch: _Batch) -> None:
    """One worker: take submissions until none is left, each in a fresh kernel, with a spare booting meanwhile."""
    jobs, done, stop, settings = batch.jobs, batch.done, batch.stop, batch.settings
    spare: _Kernel | None = None
    stopping: set[asyncio.Future] = set()

    def retire(kernel: _Kernel) -> None:  # killed in the background while the next submission runs
        task = asyncio.ensure_future(kernel.stop())
        stopping.add(task)
        task.add_done_callback(stopping.discard)

    try:
        if not jobs.empty():
            spare = _Kernel(batch)  # boots while the grading process loads the questions and nbclient
        await asyncio.to_thread(batch.loaded.wait)
        while not stop.is_set():
            try:
                sub, digest = jobs.get_nowait()
            except queue.Empty:
                break
            record: dict[str, Any] = {"status": "graded", "reason": "", "flags": []}
            try:
                module = batch.modules[sub.module]
                if isinstance(module, str):
                    raise RuntimeError(module)
                nb = _read(sub.path.read_bytes())
            except ValueError as exc:
                done.put((sub, digest, {**record, "status": "failed", "reason": f"not a readable notebook: {exc}"}))
                continue
            except Exception as exc:  # noqa: BLE001
                done.put((sub, digest, {**record, "status": "failed", "reason": f"the grader could not load it ({exc})"[:300]}))
                continue
            kernel = None
            try:
                run, nonce, record["flags"] = _prepare(nb, module, sub.learner)
                for attempt in (1, 2):  # a kernel that fails to start (a port taken meanwhile) is replaced once
                    kernel, spare = spare or _Kernel(batch), None
                    try:
                        kc = await kernel.ready
                        break
                    except Exception:
                        retire(kernel)
                        kernel = None
                        if attempt == 2:
                            raise
                if not jobs.empty() and not stop.is_set():
                    spare = _Kernel(batch)  # boots while this submission runs
                record.update(await _execute(kernel, kc, run, nonce, settings))
            except Exception as exc:  # noqa: BLE001 - one submission's failure never stops the batch
                record.update(status="failed", reason=f"the grader could not run it ({type(exc).__name__}: {exc})"[:300])
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


def _result(module: _Module | str, learner: str, record: dict[str, Any], settings: GradeSettings) -> dict[str, Any]:
    """The gradebook entry for one submission's run record."""
    out = {"status": record["status"], "reason": record["reason"], "flags": list(record.get("flags", [])), "results": []}
    if record["status"] == "failed" and "answers" not in record:
        if record["reason"].startswith("not a readable notebook") and isinstance(module, _Module):
            return _grade_answers(module, learner, {}, out)  # every question marked: nothing to grade
        out["flags"] = []
        return out
    if record.get("size", 0) > settings.output_cap:
        out["flags"].append(f"output of {record['size']:,} bytes exceeds the cap of {settings.output_cap:,}")
    try:
        return _grade_answers(module, learner, record["answers"], out)
    except Exception as exc:  # noqa: BLE001
        return {"status": "failed", "reason": f"grading stopped: {type(exc).__name__}: {exc}"[:300], "flags": out["flags"],
                "results": []}


def _warm_up() -> None:
    """Import and look up what starting a kernel needs, once, here: two threads importing one package can clash."""
    import zmq  # noqa: F401
    from jupyter_client.provisioning import KernelProvisionerFactory

    KernelProvisionerFactory.instance()
    _manager_class()(kernel_name="python3").kernel_spec  # noqa: B018 - finds the kernel spec (imports ipykernel's)


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt("stopped by SIGTERM")


def grade(*, submissions: Path, out: Path, workers: int | None = None, settings: GradeSettings = GradeSettings(),
          progress: bool = True) -> dict[str, Any]:
    """Grade every submission under ``submissions`` into the gradebook in ``out``; resumable and idempotent."""
    from course.checks import modules as course_modules
    from course.instructor.gradebook import Gradebook
    from course.instructor.submissions import find_submissions

    out.mkdir(parents=True, exist_ok=True)
    book = Gradebook(out / "gradebook.sqlite")
    known = {m.id for m in course_modules()}
    start = time.monotonic()
    summary = {"graded": 0, "failed": 0, "skipped_unchanged": 0, "not_submissions": []}
    with tempfile.TemporaryDirectory() as scratch:
        subs, skipped = find_submissions(submissions, scratch=Path(scratch))
        summary["not_submissions"] = skipped
        todo = []
        graded = book.digests()
        for sub in subs:
            digest = hashlib.sha256(sub.path.read_bytes()).hexdigest()
            if sub.module not in known:
                book.record(sub.learner, sub.module or "??", sub.key, digest,
                            {"status": "failed", "reason": "no course module matches this file name (expected NN-name.ipynb)",
                             "flags": [], "results": []})
                summary["failed"] += 1
            elif graded.get(sub.key) == digest:
                summary["skipped_unchanged"] += 1
            else:
                todo.append((sub, digest))
        batch = _Batch(settings, Path(scratch))
        for item in todo:
            batch.jobs.put(item)
        workers = max(1, min(workers or os.cpu_count() or 1, len(todo)))
        if todo:
            batch.zygote = _Zygote(Path(scratch)) if _can_fork_kernels() else None  # imports while this process does
            _warm_up()
        threads = [threading.Thread(target=_worker_thread, args=(batch,), name=f"grade-worker-{i}", daemon=True)
                   for i in range(workers if todo else 0)]
        for t in threads:
            t.start()  # each starts its first kernel, then waits for what follows
        count = 0
        stop_on_term = threading.current_thread() is threading.main_thread()
        if stop_on_term:  # `kill` (SIGTERM) stops the run like Ctrl-C: through the cleanup below
            previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            try:
                for module in sorted({sub.module for sub, _ in todo}):
                    try:  # loaded once, here, while the first kernels boot
                        batch.modules[module] = _Module.load(module)
                    except Exception as exc:  # noqa: BLE001 - that module's submissions fail with the reason
                        batch.modules[module] = f"module {module}'s questions could not be loaded: {type(exc).__name__}: {exc}"
                if todo:
                    _client_class()  # imports nbclient and nbformat once, here, rather than in a worker holding a ready kernel
            finally:
                batch.loaded.set()
            while count < len(todo):
                try:
                    sub, digest, record = batch.done.get(timeout=0.5)
                except queue.Empty:
                    if any(t.is_alive() for t in threads) or not batch.done.empty():
                        continue
                    raise RuntimeError("the grading workers stopped early; run the same command again to grade the rest")
                result = _result(batch.modules[sub.module], sub.learner, record, settings)
                book.record(sub.learner, sub.module, sub.key, digest, result)
                summary["graded" if result["status"] == "graded" else "failed"] += 1
                count += 1
                if progress:
                    bar = "#" * int(30 * count / len(todo))
                    print(f"\r[{bar:<30}] {count}/{len(todo)} graded", end="", file=sys.stderr, flush=True)
        finally:
            if stop_on_term:
                signal.signal(signal.SIGTERM, previous)
            batch.stop.set()
            if count < len(todo):  # stopped early (Ctrl-C, or an error): kill the kernels so the workers end now
                batch.kill_all()
            for t in threads:
                t.join(timeout=30)
            batch.kill_all()
            if batch.zygote is not None:
                batch.zygote.close()
        if progress and todo:
            print(file=sys.stderr)
    summary["seconds"] = round(time.monotonic() - start, 1)
    book.write_feedback(out / "feedback")
    return summary
