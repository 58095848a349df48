"""Scoring one submission: whose numbers it is graded on, and each answer compared by the notebook's own check.

:func:`resolve` decides the learner id and the parameters of every variant from what the notebook
recorded (:mod:`course.instructor.identity`), the release record and the roster, and says why in
flags when they disagree; nothing is regraded silently. :func:`score` then turns the answers a
kernel sent (plain data, see :mod:`course.checks._codec`) into results with
:func:`course.checks._engine.evaluate` — the very comparison ``check()`` runs in a notebook.
"""

from __future__ import annotations

import re
import runpy
from dataclasses import dataclass, field
from typing import Any

from course.checks import SHARED, compute_params
from course.checks._codec import decode, encode
from course.checks._describe import short
from course.checks._engine import INCORRECT, evaluate
from course.checks._kinds import Outcome, Outcomes
from course.instructor.identity import claims, distinct
from course.instructor.layout import InstructorMaterialMissing, Layout

__all__ = ["ModuleSpec", "Resolution", "resolve", "score"]


def hidden_cases(module: str, layout: Layout) -> dict[str, list[tuple]]:
    """Extra inputs for function questions, from the instructor's ``notebooks/hidden/lessonNN.py``."""
    path = layout.hidden_file(module)
    if path is None:
        return {}
    found = runpy.run_path(str(path)).get("HIDDEN_CASES", {})
    return {qid: [tuple(c) for c in cases] for qid, cases in found.items()}


@dataclass(frozen=True)
class ModuleSpec:
    """What grading one module needs, loaded once per run in the grading process."""

    id: str
    questions: tuple
    hidden: dict[str, list[tuple]]
    starters: dict[str, str]
    defined_in: dict[str, int] = field(default_factory=dict)  # name -> the student copy's code cell that defines it

    @classmethod
    def load(cls, module: str, layout: Layout) -> ModuleSpec:
        """Load a module's questions, hidden tests and answer names; refuse if a question's hidden tests are missing."""
        from course.checks import questions
        from course.instructor.instrument import copy_facts

        qs = tuple(questions(module))
        sealed = [q.id for q in qs if q.sealed]
        if sealed:
            raise InstructorMaterialMissing(
                f"Module {module} is an exam module in this installation: the reference code of {', '.join(sealed)} "
                "is not here. Grade from the instructor's checkout (--instructor-dir).")
        hidden = hidden_cases(module, layout)
        lacking = [q.id for q in qs if q.hidden and not hidden.get(q.id)]
        if lacking:
            where = layout.hidden_file(module) or (layout.sources / "hidden" / f"lesson{module}.py" if layout.sources
                                                   else f"notebooks/hidden/lesson{module}.py in the instructor's checkout")
            raise InstructorMaterialMissing(
                f"Module {module}'s {'question' if len(lacking) == 1 else 'questions'} {', '.join(lacking)} "
                f"{'has' if len(lacking) == 1 else 'have'} hidden tests, and this grader does not have them ({where}). "
                "An installed course never carries hidden tests: grade from the instructor's checkout, or pass "
                "--instructor-dir. Nothing was graded.")
        starters, defined_in = copy_facts(module, layout)
        return cls(module, qs, hidden, starters, defined_in)


@dataclass
class Resolution:
    """Whose numbers a submission is graded on: the learner id, each question's parameters, and any flags."""

    learner: str
    params: dict[str, dict[str, Any]]
    how: str
    flags: list[str] = field(default_factory=list)

    def pinned(self) -> dict[str, dict[str, Any]]:
        """The parameters as a workspace's ``variants.json`` holds them (for the grading kernel)."""
        return {qid: {"version": v["version"], "params": encode(v["values"])} for qid, v in self.params.items()}

    def values(self, qid: str) -> dict[str, Any]:
        return self.params[qid]["values"]


def _roster(record: dict[str, Any] | None, module: str) -> set[str]:
    if not record:
        return set()
    return {learner for rel in record.get("releases", []) if any(m.get("module") == module for m in rel.get("modules", []))
            for learner in rel.get("learners", {})}


def _released(record: dict[str, Any] | None, module: str) -> bool:
    return bool(record) and any(m.get("module") == module for rel in record.get("releases", []) for m in rel.get("modules", []))


def resolve(nb: dict[str, Any], folder_learner: str, module: ModuleSpec, record: dict[str, Any] | None) -> Resolution:
    """Whose numbers this notebook is graded on, reconciled with the release record; disagreements become flags."""
    from course.instructor.assign import issued_variants_for

    c = claims(nb)
    flags: list[str] = []
    issued_to = folder_learner if folder_learner in _roster(record, module.id) else (
        SHARED if _released(record, module.id) else None)
    seen = distinct(c.learners)
    if len(seen) > 1:
        flags.append(f"identity: the checks ran as {' then '.join(seen)}; graded as {seen[-1]}, the last")
    worked = c.worked_as
    if worked is None:
        learner = issued_to or SHARED
        how = "the release record" if issued_to else "no learner id in the notebook: the shared variant"
    else:
        learner = worked
        how = "the notebook's checks" if c.learners else "the notebook's release stamp"
        expected = {issued_to} if issued_to else {folder_learner, SHARED}
        if learner not in expected:
            if issued_to is None:
                told = f"it was handed in as {folder_learner}"
            elif issued_to == SHARED:
                told = f"it was handed in as {folder_learner}, who was issued the shared variant"
            else:
                told = f"the roster issued it to {issued_to}"
            flags.append(f"identity: the notebook says {learner}, but {told}; graded on {learner}'s numbers, as "
                         "the notebook recorded them: check who did this work")
    params: dict[str, dict[str, Any]] = {}
    for q in module.questions:
        current = compute_params(q, learner if q.variant is not None else None)
        whose = learner if q.variant is not None else SHARED
        issued = issued_variants_for(record, whose, q.id) if record else None
        rec = c.records.get(q.id)
        if rec is not None and rec.get("learner") != learner:
            rec = None  # a record made under another id is covered by the identity flag
        stamp = c.stamped_variants.get(q.id) if c.stamped == learner else None
        claim = rec if rec is not None else stamp
        chosen, version = current, q.variant_version
        if issued is not None:
            chosen, version = decode(issued[1]["params"]), issued[1]["version"]
            if claim is not None and _decoded(claim) != chosen:
                flags.append(f"{q.id}: the notebook used {_show(_decoded(claim))}, not the numbers issued to {whose} "
                             f"({_show(chosen)}); graded on the issued ones")
        elif claim is not None:
            got, claimed_version = _decoded(claim), claim.get("version")
            if claimed_version == q.variant_version and got != current:
                flags.append(f"{q.id}: the notebook used {_show(got)}, which this course version never issued to "
                             f"{whose}; graded on {_show(current)}")
            elif claimed_version != q.variant_version:
                chosen, version = got, claimed_version
                flags.append(f"{q.id}: worked on variant version {claimed_version}, which this course version no longer "
                             f"draws; graded on the numbers the notebook recorded ({_show(got)})")
        params[q.id] = {"version": version, "values": dict(chosen)}
    return Resolution(learner, params, how, flags)


def _decoded(entry: dict[str, Any]) -> Any:
    try:
        return decode(entry.get("params"))
    except (ValueError, TypeError, KeyError, AttributeError):
        return {"unreadable": True}


def _show(params: Any) -> str:
    if isinstance(params, dict):
        return short(", ".join(f"{k}={v!r}" for k, v in params.items()) or "no parameters", 80)
    return short(params, 80)


def _outcomes(q, params, payload: dict[str, Any], hidden: list[tuple]) -> Outcomes | None:
    """The kernel's calls of a function answer as :class:`Outcomes` (None when the hidden ones never ran)."""
    out = []
    for args, call in zip(q.cases(params), payload.get("calls", [])):
        out.append(Outcome(tuple(args), value=_value(call), error=call.get("error")))
    ran = payload.get("hidden")
    if hidden and not isinstance(ran, list):
        return None
    for args, call in zip(hidden, ran or []):
        out.append(Outcome(tuple(args), value=_value(call), error=call.get("error"), hidden=True))
    return Outcomes(out)


def _value(call: dict[str, Any]) -> Any:
    return decode(call["value"]) if "value" in call else None


_UNDEFINED = re.compile(r"name '(\w+)' is not defined")


def explain_failure(error: str, failures: list[dict[str, Any]], module: ModuleSpec) -> str:
    """What made an answer uncomputable, traced to the first cell that failed and what it was meant to define."""
    m = _UNDEFINED.search(error)
    missing = m.group(1) if m else None
    for f in failures:
        if missing in f["defines"] or (missing is None and f is failures[0]):
            more = explain_failure(f["error"], [g for g in failures if g is not f], module) if f["error"] != error else ""
            return (f" Cell {f['cell']} of your notebook, which defines {', '.join(f['defines'][:3]) or 'nothing'}, "
                    f"stopped with {f['error']}: fix that cell first.{more}")
    if missing is not None and missing in module.defined_in:
        defined = {n for f in failures for n in f["defines"]}
        if missing not in defined:
            return (f" No cell of your notebook defines {missing} any more (in the course's copy it is defined in "
                    f"code cell {module.defined_in[missing]}): restore that cell and run every cell from the top.")
    return ""


def score(module: ModuleSpec, resolution: Resolution, answers: dict[str, Any],
          failures: list[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """One result per question of the module, compared in this process by ``evaluate`` (as ``check()`` does).

    ``failures`` are the learner's cells that stopped with an error; an answer that could not be
    computed is traced back to the first of them (or to a cell that is gone).
    """
    failures = list(failures)
    results = []
    for q in module.questions:
        params = resolution.values(q.id)
        max_points = q.points if q.graded else 0
        payload = answers.get(q.id)
        base = {"qid": q.id, "points": 0, "max_points": max_points, "text": None, "mistake": ""}
        if payload is None:
            results.append({**base, "status": INCORRECT, "mistake": "no-answer",
                            "message": "No answer found: the check call and the answer's name are missing or never ran."})
            continue
        if "error" in payload:
            why = explain_failure(payload["error"], failures, module)
            results.append({**base, "status": INCORRECT, "mistake": "answer-raised",
                            "message": (f"Your answer could not be computed: {payload['error'][:200]}." + why)[:600]})
            continue
        try:
            if "calls" in payload:
                answer = _outcomes(q, params, payload, module.hidden.get(q.id, []))
                if answer is None:
                    results.append({**base, "status": INCORRECT, "mistake": "hidden-not-run",
                                    "message": "The notebook stopped before the checks on further inputs could run: "
                                               "make every cell run without stopping, then hand it in again."})
                    continue
            else:
                answer = decode(payload.get("value"))
        except (ValueError, TypeError, KeyError) as exc:
            results.append({**base, "status": INCORRECT, "mistake": "format",
                            "message": f"Your answer arrived in a form the grader cannot read ({exc})."[:300]})
            continue
        r = evaluate(q, answer, params)
        results.append({**base, "status": r.status, "points": r.points, "max_points": r.max_points,
                        "message": r.message, "mistake": r.mistake,
                        "text": answer if q.kind == "text" and isinstance(answer, str) else None})
    return results
