"""A fork server for grading kernels: import the kernel machinery and the notebooks' libraries once, fork per kernel.

One zygote per ``course grade`` run. It imports ipykernel and what the course notebooks import at
the top (numpy, pandas, matplotlib with the Agg backend, the ``course`` package) — imports only: no
zmq context, no socket, no thread, no data loaded — and then waits for requests from the grader on
its stdin. It never runs a line of a submission. For each kernel it forks a child that puts itself
in a new session (its own process group), sets the address-space limit, the environment and the
folder the grader asked for, reseeds the per-process random state it inherited, and then starts
the kernel exactly as ``python -m ipykernel_launcher -f <connection file> ...`` would.

Children are reaped only when the grader says so (after it has killed their process group), so a
kernel's process id, and so its group id, cannot be reused while the grader may still signal it.

In a sandboxed run the zygote itself runs inside bubblewrap, and each child enters namespaces of its
own before it becomes a kernel (``"sandbox"`` in the request; see :mod:`course.instructor.sandbox`).

Protocol (one JSON object a line): ``{"spawn": {"argv": [...], "env": {...}, "cwd": ..., "limit": n, "sandbox": {...}}}``
is answered with ``{"pid": n}`` (or ``{"error": ...}``); ``{"reap": pid}`` gets no answer.
End of input: every child still alive is killed with its group, reaped, and the zygote exits.
"""

from __future__ import annotations

import json
import os
import signal
import sys


def _preload() -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # no native thread pools in the process that forks
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import ipykernel.zmqshell  # noqa: F401
    import matplotlib  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    import course  # noqa: F401
    import course.checks
    import course.checks._capture  # noqa: F401
    import course.claims  # noqa: F401
    import course.numbers  # noqa: F401
    import course.plots  # noqa: F401
    import course.instructor.sandbox  # noqa: F401
    import course.text  # noqa: F401

    course.checks.questions()  # every lesson's specs, which a grading kernel's capture watches


def _child(req: dict, ready: int) -> None:
    """In the forked child: become a fresh kernel process. Never returns."""
    code = 1
    try:
        os.setsid()  # its own session and process group, as jupyter_client's launcher does
        os.write(ready, b"1")
        os.close(ready)
        limit = int(req.get("limit") or 0)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # also closes the zygote's request and answer pipes in this process
            os.dup2(null, fd)
        os.close(null)
        if req.get("sandbox"):  # namespaces of its own; returns in the kernel (see course.instructor.sandbox)
            from course.instructor.sandbox import Limits, enter

            box = req["sandbox"]
            enter(box["own"], box["scratch"], Limits(memory=limit, **box.get("limits", {})))
        elif limit:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        os.chdir(req["cwd"])
        env = dict(req["env"])
        if not req.get("sandbox"):  # a sandboxed kernel dies with its supervisor instead (PID 1, parent-death signal)
            env["JPY_PARENT_PID"] = str(os.getppid())  # the kernel exits if the zygote goes away
        os.environ.clear()
        os.environ.update(env)
        import random

        import numpy

        random.seed()  # from os.urandom: a forked child would otherwise share its siblings' sequence
        numpy.random.seed()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        import ipykernel_launcher

        sys.argv = [ipykernel_launcher.__file__, *req["argv"]]
        if sys.path and sys.path[0] in ("", os.getcwd()):
            del sys.path[0]  # as ipykernel_launcher does; the shell's init_path adds "" back
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001
        code = 1
    finally:
        os._exit(code)


def serve() -> None:
    """The zygote's main loop (run as ``python -c "from course.instructor.zygote import serve; serve()"``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader stops it by closing its input
    _preload()
    import threading

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    if threading.active_count() != 1:  # forking with threads alive would copy locks held by them
        out.write(json.dumps({"error": "threads alive after imports"}).encode() + b"\n")
        out.flush()
        return
    out.write(b'{"ready": true}\n')
    out.flush()
    children: set[int] = set()
    to_reap: set[int] = set()

    def reap() -> None:
        for pid in list(to_reap):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                to_reap.discard(pid)
                children.discard(pid)

    for line in inp:
        try:
            req = json.loads(line)
        except ValueError:
            continue
        if "reap" in req:
            to_reap.add(int(req["reap"]))
            reap()
            continue
        if "spawn" not in req:
            continue
        reply: dict
        try:
            r, w = os.pipe()
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                os.close(r)
                _child(req["spawn"], w)
            os.close(w)
            os.read(r, 1)  # the child is its own group leader before the grader hears of it
            os.close(r)
            children.add(pid)
            reply = {"pid": pid}
        except Exception as exc:  # noqa: BLE001
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(reply).encode() + b"\n")
        out.flush()
        reap()
    for pid in children:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
