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

    def finish(self, hidden: Mapping[str, str]) -> None:
        """After every cell: try each kept function on its hidden inputs, then report answer-key reads."""
        for qid, cases in hidden.items():
            fn = self._held.get(qid)
            if fn is not None:
                self._send(qid, {"hidden": [self._call(fn, args, hidden=True) for args in self._cases(cases)]})
        self._publish({self._mime: {"qid": "", "nonce": self._nonce, "audit": sorted(set(self._audit))}}, metadata={})

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
