"""Inside a grading kernel: send what the learner's code computed to the grader, and nothing else.

The grader inserts a capture after each ``check("ID", expr)`` call of a submission. A capture
evaluates ``expr``, makes it portable for its question's kind and encodes it with the answer
codec; a function answer is called on the notebook's public inputs right away and kept, so that
the hidden inputs can be tried once every cell of the submission has run (:meth:`Capture.finish`).
Each result is published under a private MIME type with the run's secret; the grader keeps only
what comes from its own cells. No comparison happens here: the kernel never sees an expected value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["Capture", "audit_answer_key"]


def _describe_error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class Capture:
    """The grader's recorder in one kernel; bound to its own copies of what it uses, before learner code runs."""

    def __init__(self, nonce: str, mime: str) -> None:
        from IPython.display import publish_display_data

        import json

        from course.checks._codec import decode, encode
        from course.checks._kinds import KINDS

        self._nonce, self._mime = nonce, mime
        self._publish, self._encode, self._kinds = publish_display_data, encode, dict(KINDS)
        self._cases = lambda text: [tuple(c) for c in decode(json.loads(text))]
        self._held: dict[str, Callable] = {}
        self._audit: list[str] = []

    def _send(self, qid: str, payload: dict[str, Any]) -> None:
        self._publish({self._mime: {"qid": qid, "nonce": self._nonce, "answer": payload}}, metadata={})

    def value(self, qid: str, kind: str, get: Callable[[], Any]) -> None:
        """Record the value of an answer expression (or why it could not be computed)."""
        try:
            v = get()
            payload = {"value": self._encode(self._kinds[kind].portable(v))}
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure of the learner's code is the answer
            payload = {"error": _describe_error(exc)[:500]}
        self._send(qid, payload)

    def _call(self, fn: Callable, args: tuple, *, hidden: bool) -> dict[str, Any]:
        try:
            return {"value": self._encode(fn(*args))}
        except (Exception, SystemExit) as exc:  # noqa: BLE001
            # on a hidden input only the kind of error travels: its text could quote the input
            return {"error": type(exc).__name__ if hidden else _describe_error(exc)[:500]}

    def function(self, qid: str, get: Callable[[], Any], cases: str, fallback: bool = False) -> None:
        """Record a function answer's outputs on the public inputs, and keep it for the hidden ones.

        A fallback capture (the answer name, at the end) keeps its function only if the learner's own
        check call kept none.
        """
        try:
            fn = get()
        except (Exception, SystemExit) as exc:  # noqa: BLE001
            self._send(qid, {"error": _describe_error(exc)[:500]})
            return
        if not callable(fn):
            self._send(qid, {"value": self._encode(fn)})
            return
        if not (fallback and qid in self._held):
            self._held[qid] = fn
        self._send(qid, {"calls": [self._call(fn, args, hidden=False) for args in self._cases(cases)]})

    def begin(self) -> None:
        """Before the submission's first cell: publish what the checker looks like (see :func:`fingerprint`),
        and start watching what the submission's code tries to do (:class:`Audit`)."""
        import sys

        self._publish({self._mime: {"qid": "", "nonce": self._nonce, "fingerprint": fingerprint()}}, metadata={})
        self._tried = Audit()
        sys.addaudithook(self._tried)

    def finish(self, hidden: Mapping[str, str], after: dict[str, str] | None = None) -> None:
        """After every cell: try each kept function on its hidden inputs, then report answer-key reads and
        the checker's fingerprint now (``after``, computed by the grader's fresh code in the last cell)."""
        for qid, cases in hidden.items():
            fn = self._held.get(qid)
            if fn is not None:
                self._send(qid, {"hidden": [self._call(fn, args, hidden=True) for args in self._cases(cases)]})
        tried = self._tried.report() if getattr(self, "_tried", None) is not None else []
        self._publish({self._mime: {"qid": "", "nonce": self._nonce, "audit": sorted(set(self._audit)),
                                    "fingerprint_after": after or {}, "tried": tried}}, metadata={})

    def watch_answer_key(self) -> None:
        """Record every call of a question's reference code from here on (in grading, only learner code calls it)."""
        audit_answer_key(self._audit)


def audit_answer_key(log: list[str]) -> None:
    """Wrap each question's ``expected`` so a call appends the question id to ``log`` (then computes as before)."""
    from course.checks import questions

    def watched(q):
        inner = q.expected

        def expected(params):
            log.append(q.id)
            return inner(params)
        return expected

    for q in questions():
        if q.expected is not None:
            object.__setattr__(q, "expected", watched(q))


def fingerprint() -> dict[str, str]:
    """What a grading kernel's checker looks like now: the identity of every function and class of ``course``,
    of the display machinery, of execution hooks and of a few builtins.

    The grader takes it before the submission's first cell (published at once) and again after its
    last, from fresh code, and flags every difference: the checker was changed, whatever syntax did it.
    """
    import builtins
    import sys
    import types

    out: dict[str, str] = {}
    for name, mod in list(sys.modules.items()):
        if not (name == "course" or name.startswith("course.")) or not isinstance(mod, types.ModuleType):
            continue
        for attr, value in list(vars(mod).items()):
            if isinstance(value, (types.FunctionType, type)):
                code = getattr(value, "__code__", None)
                out[f"{name}.{attr}"] = f"{id(value)}:{id(code)}"
                if isinstance(value, type) and value.__module__ == name:
                    for k, v in list(vars(value).items()):
                        if isinstance(v, (types.FunctionType, property, staticmethod, classmethod)):
                            out[f"{name}.{attr}.{k}"] = str(id(v))
    for name in ("open", "print", "exec", "eval", "__import__", "compile", "getattr", "setattr", "isinstance", "id"):
        out[f"builtins.{name}"] = str(id(getattr(builtins, name, None)))
    try:
        from IPython import get_ipython
        from IPython.core import display_functions

        shell = get_ipython()
        out["IPython.publish_display_data"] = str(id(display_functions.publish_display_data))
        if shell is not None:
            out["shell.display_pub.publish"] = str(id(type(shell.display_pub).publish))
            out["shell.run_cell"] = str(id(type(shell).run_cell))
            for event, callbacks in shell.events.callbacks.items():
                own = [c for c in callbacks if not str(getattr(c, "__module__", "") or "").startswith(
                    ("IPython", "ipykernel", "matplotlib", "matplotlib_inline", "ipywidgets", "comm"))]
                out[f"shell.events.{event}"] = str(len(own))
            out["shell.input_transformers"] = str(len(shell.input_transformers_post) + len(shell.input_transformers_cleanup))
            out["shell.ast_transformers"] = str(len(shell.ast_transformers))
    except Exception:  # noqa: BLE001 - outside IPython only the course part is compared
        pass
    out["sys.trace"] = str(sys.gettrace() is not None or sys.getprofile() is not None)
    return out


class Audit:
    """What a submission's code tried to do, seen by a Python audit hook (which no code can remove once added).

    It records attempts, whether they succeeded or not: writing outside the kernel's own folders,
    reading outside what the sandbox shows (the instructor's files, other learners'), looking at
    other processes in /proc, and using the network. Library code does none of these while a
    notebook runs, so each is a sign of an attack; :meth:`report` lists them for the grader.
    """

    _WRITE_FLAGS = 0o1 | 0o2 | 0o100 | 0o1000 | 0o2000  # O_WRONLY O_RDWR O_CREAT O_TRUNC O_APPEND

    def __init__(self) -> None:
        import os
        import sys

        home = os.path.realpath(os.path.expanduser("~"))
        own = os.path.realpath(os.path.join(os.getcwd(), os.pardir))
        self.writable = tuple({own, "/tmp", home, "/dev/null", "/dev/shm", "/dev/tty", "/dev/pts"})
        import course
        from course.data import data_dir

        package = os.path.realpath(os.path.dirname(course.__file__))
        checkout = os.path.dirname(package)  # in a checkout only course/ and data/ are the learners' part
        # what the sandbox shows read-only (it may lie under /tmp, where a clone or an environment can live)
        installed = {"/usr", "/etc", "/sys", "/proc/self", "/proc/thread-self", package, os.path.realpath(data_dir()),
                     os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
        installed |= {os.path.realpath(p) for p in sys.path if p and os.path.isabs(p) and os.path.realpath(p) != checkout}
        self.installed = tuple(installed)
        self.readable = tuple(installed | {own, "/tmp", home, "/dev"})
        self.pid = str(os.getpid())
        self.seen: dict[str, str] = {}

    @staticmethod
    def _under(path: str, roots: tuple[str, ...]) -> bool:
        return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)

    def _note(self, what: str, detail: str) -> None:
        self.seen.setdefault(what, detail[:160])

    def __call__(self, event: str, args: tuple) -> None:
        if event == "open":
            self._open(*args[:3])
        elif event == "sqlite3.connect" and args and isinstance(args[0], (str, bytes)) and args[0] not in (":memory:", ""):
            self._open(args[0], "r+")
        elif event in ("os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.symlink", "os.link", "os.chmod",
                       "os.truncate", "shutil.rmtree") and args:
            self._open(args[0], "w")
        elif event in ("os.listdir", "os.scandir") and args and str(args[0]).rstrip("/") == "/proc":
            self._note("looked for other processes in /proc", "/proc")
        elif event in ("socket.connect", "socket.bind", "socket.sendto") and len(args) > 1:
            address = args[1]
            if not isinstance(address, (str, bytes)):  # a Unix socket path is local; anything else is the network
                self._note("tried to use the network", repr(address))

    def _open(self, path, mode=None, flags=0) -> None:
        import os

        if isinstance(path, int):
            return
        try:
            p = os.path.abspath(os.fsdecode(path))
        except (TypeError, ValueError):
            return
        if p.startswith("/proc/"):
            part = p.split("/")[2]
            if part.isdigit() and part not in (self.pid, "1"):
                self._note("looked at another process in /proc", p)
            return
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool((flags or 0) & self._WRITE_FLAGS)
        installed = self._under(p, self.installed)
        if writing and (installed or not self._under(p, self.writable)):
            self._note("tried to write outside its own folder", p)
        elif not writing and not self._under(p, self.readable):
            self._note("tried to read files the sandbox does not show", p)
        elif not installed and self._under(p, self.writable) and not os.path.exists(os.path.dirname(p)):
            # in the kernel's own, private folders a path whose folder is not there was guessed (the grader's, a classmate's)
            self._note("tried to reach files the sandbox does not show", p)

    def report(self) -> list[str]:
        return [f"{what} ({detail})" for what, detail in sorted(self.seen.items())]
