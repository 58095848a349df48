"""Running grading kernels: one fresh kernel process per submission, forked from a zygote where possible.

The grader owns a kernel spec of its own (``reading-the-ranks-grader``, written by ipykernel's own
spec writer into the run's scratch folder) whose metadata names :class:`ZygoteProvisioner`, a
jupyter_client kernel provisioner registered through the ``jupyter_client.kernel_provisioners``
entry point. The provisioner launches each kernel as a child of the run's *zygote*
(:mod:`course.instructor.zygote`: a process that has imported ipykernel and the notebooks'
libraries and never runs learner code), or, where forked kernels cannot be watched (no pidfds,
as on macOS) or the zygote is unavailable, as a new interpreter through a shim that sets the
memory limit first. Which path launched each kernel is logged (logger ``course.grade``) and
counted in the run's summary.

Each kernel runs in a folder of its own, is used for one submission, and is killed with its
whole process group afterwards. Output past a hard bound is not even kept, and zmq drops any
single kernel message above :data:`_MAX_MESSAGE`, so no submission can exhaust the grader's memory.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Unicode

__all__ = ["KERNEL_NAME", "PROVISIONER_NAME", "Kernels", "ZygoteProvisioner", "can_fork_kernels"]

log = logging.getLogger("course.grade")

KERNEL_NAME = "reading-the-ranks-grader"
PROVISIONER_NAME = "reading-the-ranks-zygote"
ZYGOTE, INTERPRETER = "zygote fork", "new interpreter"

# Output past the cap is still counted (for the flag) but kept only up to this bound, answers apart,
# and zmq drops any single kernel message larger than _MAX_MESSAGE: a flood cannot fill the grader's memory.
_KEEP_BYTES = 64 * 1024 * 1024
_MAX_MESSAGE = 256 * 1024 * 1024

# Runs first in a new interpreter's process: sets the address-space limit, then becomes the kernel (same
# process, so the kernel and anything it forks inherit the limit before a line of it, or of the submission, runs).
_LIMIT_SHIM = ("import os, resource, sys; n = int(sys.argv[1]); resource.setrlimit(resource.RLIMIT_AS, (n, n)); "
               "os.execv(sys.argv[2], sys.argv[2:])")


@dataclass
class _Run:
    """What the provisioner of one grading run needs: its zygote, the memory limit, the sandbox, and a log of launch paths."""

    zygote: _Zygote | None
    memory_limit: int
    sandbox: dict[str, Any] | None = None  # where the sandboxed kernels live, and their limits
    launches: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def launched(self, path: str, why: str = "") -> None:
        with self.lock:
            self.launches[path] += 1
        log.info("kernel launched by %s%s", path, f" ({why})" if why else "")


_RUNS: dict[str, _Run] = {}


class ZygoteProvisioner(LocalProvisioner):
    """Launches a grading kernel as a fork of the run's zygote, else as a new interpreter with the memory limit set.

    Named in the grader's own kernel spec; ``run`` (from the spec's provisioner config) says which
    grading run's zygote and limits apply.
    """

    run = Unicode("", config=True, help="the grading run this kernel belongs to")

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        run = _RUNS.get(self.run)
        limit = run.memory_limit if run is not None else 0
        why = "no zygote in this run" if run is None or run.zygote is None else ""
        if not why and not _forkable(cmd):
            why = f"the kernel command is not this interpreter's ipykernel_launcher: {cmd[:3]}"
        if not why and run.sandbox is not None:
            from course.instructor.sandbox import share

            share(Path(run.sandbox["scratch"]), Path(str(kwargs.get("cwd") or os.getcwd())).parent)
        if not why:
            try:
                pid = await asyncio.to_thread(run.zygote.spawn, cmd[3:], dict(kwargs.get("env") or {}),
                                              str(kwargs.get("cwd") or os.getcwd()), limit, run.sandbox)
            except Exception as exc:  # noqa: BLE001 - no zygote after all: a new interpreter, as without one
                why = f"the zygote could not fork: {exc}"
            else:
                self.process = _Forked(pid, run.zygote)
                self.pid = self.pgid = pid
                self.cwd = kwargs.get("cwd", Path.cwd())
                run.launched(ZYGOTE)
                return self.connection_info
        if run is not None and run.sandbox is not None:  # never a kernel outside the sandbox when one was asked for
            raise RuntimeError(f"a sandboxed kernel could not be started ({why})")
        if run is not None:
            run.launched(INTERPRETER, why)
        executable = shutil.which(cmd[0]) or cmd[0]
        shimmed = [sys.executable, "-S", "-c", _LIMIT_SHIM, str(limit), executable, *cmd[1:]] if limit else cmd
        return await super().launch_kernel(shimmed, **kwargs)


def _forkable(cmd: list[str]) -> bool:
    """Whether a kernel command is ``<this python> -m ipykernel_launcher …``, which a fork of the zygote can carry out."""
    return (len(cmd) >= 3 and cmd[1:3] == ["-m", "ipykernel_launcher"]
            and os.path.realpath(shutil.which(cmd[0]) or cmd[0]) == os.path.realpath(sys.executable))


def write_kernel_spec(folder: Path, run: str) -> Path:
    """The grader's own kernel spec, written by ipykernel's spec writer, naming :class:`ZygoteProvisioner`."""
    from ipykernel.kernelspec import get_kernel_dict, write_kernel_spec as ipykernel_writes

    spec = get_kernel_dict(extra_arguments=["--HistoryManager.hist_file=:memory:"])
    spec["display_name"] = "Reading the Ranks grader"
    spec["metadata"] = {**spec.get("metadata", {}), "debugger": False,
                        "kernel_provisioner": {"provisioner_name": PROVISIONER_NAME, "config": {"run": run}}}
    return Path(ipykernel_writes(folder / KERNEL_NAME, overrides=spec))


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


def can_fork_kernels() -> bool:
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

    def __init__(self, scratch: Path, env: dict[str, str], sandboxed: dict[str, Any] | None = None):
        command = [sys.executable, "-c", "from course.instructor.zygote import serve; serve()"]
        if sandboxed is not None:
            from course.instructor.sandbox import outer_command

            command = outer_command(command, scratch=scratch, env=env, sealed=sandboxed.get("sealed"))
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
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

    def spawn(self, argv: list[str], env: dict[str, str], cwd: str, limit: int, sandbox: dict[str, Any] | None = None) -> int:
        request = {"argv": argv, "env": env, "cwd": cwd, "limit": limit}
        if sandbox is not None:  # the kernel keeps the folder holding its working folder and its sockets
            request["sandbox"] = {"scratch": sandbox["scratch"], "own": str(Path(cwd).parent),
                                  "limits": sandbox.get("limits", {})}
        reply = self._ask({"spawn": request}, answer=True)
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


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


@functools.cache
def _client_class():
    """nbclient's NotebookClient, counting every output's bytes and keeping them only up to a bound."""
    from nbclient import NotebookClient

    from course.instructor.instrument import ANSWER_MIME

    class _Client(NotebookClient):
        def __init__(self, *args: Any, keep: int, **kw: Any):
            super().__init__(*args, **kw)
            self.keep, self.produced, self.kept = keep, 0, {False: 0, True: 0}

        def output(self, outs, msg, display_id, cell_index):
            out = super().output(outs, msg, display_id, cell_index)
            if out is not None:
                n = len(json.dumps(out))
                answer = isinstance(out.get("data"), dict) and ANSWER_MIME in out["data"]
                ours = answer and bool(self.nb.cells[cell_index].metadata.get("tags"))
                if not ours:  # the grader's own reports do not count against the submission's output cap
                    self.produced += n
                if self.kept[answer] + n > self.keep and outs and outs[-1] is out:
                    outs.pop()  # counted for the cap, not kept
                else:
                    self.kept[answer] += n
            return out

    return _Client


def _allowed_env(home: str) -> dict[str, str]:
    """The environment a grading process gets: an allow-list, nothing of the instructor's own."""
    env = {"PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
           "HOME": home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "dumb", "MPLBACKEND": "Agg",
           "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    if os.environ.get("COURSE_DATA_DIR"):
        env["COURSE_DATA_DIR"] = os.environ["COURSE_DATA_DIR"]
    return env


def _seed_matplotlib_cache(folder: Path) -> None:
    """Copy matplotlib's font list into the run's config folder, so the zygote does not rebuild it."""
    folder.mkdir(parents=True, exist_ok=True)
    cache = Path(os.environ.get("MPLCONFIGDIR") or Path.home() / ".cache" / "matplotlib")
    for f in cache.glob("fontlist-*.json"):
        try:
            shutil.copy(f, folder / f.name)
        except OSError:
            pass


class Kernels:
    """The kernels of one grading run: the kernel spec, the zygote, the limits, and every kernel still alive.

    With ``sandbox=True`` the zygote runs inside bubblewrap and every kernel in namespaces of its
    own (:mod:`course.instructor.sandbox`), talking to the grader over Unix sockets in its own
    folder; a kernel that cannot be started that way is an error, never an unsandboxed kernel.
    ``sealed`` maps exam modules to sealed lessons that replace theirs inside the sandbox.
    """

    def __init__(self, scratch: Path, *, memory_mb: int, fork: bool | None = None, sandbox: bool = False,
                 sealed: dict[str, Path] | None = None):
        self.scratch = scratch
        self.sandboxed = sandbox
        self.run = secrets.token_hex(8)
        specs = scratch / "kernels"
        write_kernel_spec(specs, self.run)
        from jupyter_client.kernelspec import KernelSpecManager

        self.specs = KernelSpecManager(kernel_dirs=[str(specs)])
        fork = (can_fork_kernels() if fork is None else fork) or sandbox
        mpl = scratch / "matplotlib"
        _seed_matplotlib_cache(mpl)
        zygote_home = scratch / "zygote-home"
        zygote_home.mkdir(exist_ok=True)
        zenv = {**_allowed_env(str(zygote_home)), "MPLCONFIGDIR": str(mpl)}
        box = {"scratch": str(scratch), "sealed": sealed or {}} if sandbox else None
        self.zygote = _Zygote(scratch, zenv, box) if fork else None  # imports while the grader does
        self.state = _RUNS[self.run] = _Run(self.zygote, memory_mb * 1024 * 1024, box)
        self.live: dict[int, int] = {}  # id(kernel) -> process group, until it is killed
        self.lock = threading.Lock()

    def kernel_env(self, work: str) -> dict[str, str]:
        """A kernel's environment: the allow-list, its own home, its workspace, and grading mode."""
        from course.checks._progress import GRADING_ENV
        from course.instructor.sandbox import HOME

        home = HOME if self.sandboxed else work
        return {**_allowed_env(home), "MPLCONFIGDIR": f"{home}/.matplotlib", "COURSE_WORKSPACE": work, GRADING_ENV: "1"}

    def warm_up(self) -> None:
        """Import and look up what starting a kernel needs, once, here: two threads importing one package can clash."""
        import zmq  # noqa: F401
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_client.provisioning import KernelProvisionerFactory

        factory = KernelProvisionerFactory.instance()
        spec = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=self.specs).kernel_spec
        if not factory.is_provisioner_available(spec):
            raise RuntimeError(f"the kernel provisioner {PROVISIONER_NAME!r} is not registered: reinstall the course "
                               "(pip install -e . in a checkout) so its entry point is known to jupyter_client")
        _client_class()

    def start(self) -> Kernel:
        """A new kernel, booting in the background (``await kernel.ready``)."""
        return Kernel(self)

    def kill_all(self) -> None:
        """Kill every kernel still alive (a run stopped early): none outlives the run."""
        with self.lock:
            for pgid in self.live.values():
                _killpg(pgid)

    def close(self) -> None:
        self.kill_all()
        if self.zygote is not None:
            self.zygote.close()
        _RUNS.pop(self.run, None)

    @property
    def launches(self) -> dict[str, int]:
        """How many kernels each launch path started so far."""
        return dict(self.state.launches)


class Kernel:
    """A kernel process for exactly one submission: started, limited, connected, used once, killed.

    Created inside a worker's event loop; ``ready`` is a task that completes once the kernel
    answers, so a spare kernel boots while the worker's current submission runs. ``prepare(files)``
    puts a submission's files (its pinned numbers) into the kernel's folder before its code runs.
    """

    def __init__(self, kernels: Kernels):
        self.kernels = kernels
        self.root = tempfile.mkdtemp(prefix="k-", dir=kernels.scratch)  # its sockets, and work/: where its code runs
        self.work = os.path.join(self.root, "work")
        os.mkdir(self.work)
        self.km: Any = None
        self.kc: Any = None
        self.env_extra: dict[str, str] = {}
        self.ready = asyncio.ensure_future(self._start())

    async def _start(self):
        import zmq
        from jupyter_client.manager import AsyncKernelManager

        env = self.kernels.kernel_env(self.work)
        if self.kernels.sandboxed:  # no network in the sandbox: the kernel's sockets are files in its own folder
            self.km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=self.kernels.specs,
                                         transport="ipc", ip=f"{self.root}/ipc",
                                         connection_file=f"{self.root}/connection.json")
        else:
            self.km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=self.kernels.specs)
        # The kernel's own stdout/stderr (not the notebook's outputs) would clutter the instructor's terminal.
        await self.km.start_kernel(env=env, cwd=self.work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with self.kernels.lock:
            self.kernels.live[id(self)] = self.km.provisioner.pgid or self.km.provisioner.pid
        kc = self.km.client()
        kc.context.setsockopt(zmq.MAXMSGSIZE, _MAX_MESSAGE)
        kc.start_channels()
        self.kc = kc
        await kc.wait_for_ready(timeout=60)
        kc.allow_stdin = False
        return kc

    def prepare(self, learner: str | None, variants: dict[str, Any]) -> None:
        """Give the kernel's folder the submission's learner id and pinned variants, so ``exercise()`` there
        returns exactly the numbers the submission is graded on."""
        from course.checks import SHARED
        from course.checks._progress import LEARNER_FILE, STATE_DIR, VARIANTS_FILE

        state = Path(self.work) / STATE_DIR
        state.mkdir(exist_ok=True)
        if learner and learner != SHARED:
            (state / LEARNER_FILE).write_text(learner + "\n", encoding="utf-8")
        (state / VARIANTS_FILE).write_text(json.dumps({learner or SHARED: variants}), encoding="utf-8")

    async def stop(self) -> None:
        """Kill the kernel and everything it forked (its process group), and remove its folder."""
        if not self.ready.done():
            self.ready.cancel()
        await asyncio.gather(self.ready, return_exceptions=True)
        with self.kernels.lock:
            pgid = self.kernels.live.pop(id(self), None)
            if pgid:  # the whole group, forked children included, while the kernel is unreaped (its id not reusable)
                _killpg(pgid)
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km is not None:
                await self.km.shutdown_kernel(now=True)  # reaps it, removes its connection file
        except Exception:  # noqa: BLE001 - it is killed already; this only tidies up
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    async def run(self, notebook: dict[str, Any], *, cell_timeout: int, notebook_timeout: int, keep: int):
        """Run a prepared notebook; returns (the executed notebook, or None when stopped at the time limit, the
        reason the run ended early or "", the bytes of output it produced)."""
        import nbformat
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        kc = await self.ready
        node = nbformat.from_dict(notebook)
        client = _client_class()(node, km=self.km, timeout=cell_timeout, allow_errors=True, kernel_name=KERNEL_NAME,
                                 interrupt_on_timeout=True, resources={"metadata": {"path": self.work}}, keep=keep)
        client.kc = kc  # already connected and ready: nbclient neither starts nor stops this kernel
        task = asyncio.ensure_future(client.async_execute())
        finished, _ = await asyncio.wait({task}, timeout=notebook_timeout)
        if task not in finished:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            return None, f"the notebook ran past {notebook_timeout} s and was stopped", client.produced
        exc = task.exception()
        reason = ""
        if isinstance(exc, CellTimeoutError):
            reason = f"a cell ran past {cell_timeout} s and was stopped"
        elif isinstance(exc, DeadKernelError):
            reason = "the kernel died (exit, crash or memory); graded on what ran before"
        elif exc is not None:  # any failure of one submission is recorded, never raised
            reason = f"execution stopped: {type(exc).__name__}: {exc}"[:300]
        interrupted = any(o.get("ename") == "KeyboardInterrupt" for c in node.cells for o in c.get("outputs", []))
        if interrupted and not reason:
            reason = f"a cell ran past {cell_timeout} s and was interrupted; the rest still ran"
        return node, reason, client.produced
