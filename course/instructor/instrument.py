"""Instrument a submission for grading: the learner's cells, with a capture after every check call.

Before a submission runs, every code cell is parsed; after each cell that calls
``check("ID", expr)`` (whatever ``check`` is bound to) the grader inserts a capture cell that
evaluates ``expr`` with :class:`course.checks._capture.Capture`. For a question whose check call
is gone, the answer name of the student copy is captured at the end instead. A last cell tries
kept function answers on the hidden inputs and reports reads of the answer key. Only cells the
grader inserted, carrying this run's secret, count.
"""

from __future__ import annotations

import ast
import json
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ANSWER_MIME", "Prepared", "check_calls", "prepare", "starter_expressions", "static_flags"]

ANSWER_MIME = "application/x-reading-the-ranks-answer+json"
_TAMPER_NAMES = {"check", "course", "hint", "progress", "exercise"}


def check_calls(source: str) -> list[tuple[str, str]]:
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


def static_flags(source: str) -> set[str]:
    """Signs of tampering in a cell's source: redefining course names, touching internals, reading hidden tests."""
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
            if any("_engine" in n or "_progress" in n or "_capture" in n or "instructor" in n for n in names):
                found.add("imports course internals")
            if any(n.startswith("course.checks.lesson") or (node_module(node) == "course.checks" and n.startswith("lesson"))
                   for n in names):
                found.add("reads the answer key")
        elif isinstance(node, ast.Attribute) and node.attr in {"expected", "canonical_params"}:
            found.add("reads the answer key")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if "hidden" in text and ("notebooks" in text or text.endswith(".py")):
                found.add("refers to hidden tests")
            if "progress.json" in text or "gradebook" in text:
                found.add("refers to result files")
            if "../" in text:
                found.add("refers to files outside its folder")
    return found


def node_module(node: ast.AST) -> str:
    return getattr(node, "module", None) or ""


def defines(source: str) -> set[str]:
    """The names a cell's code assigns, defines or imports (what a later cell may need from it)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.col_offset == 0:
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
    return names


def copy_facts(module: str, layout) -> tuple[dict[str, str], dict[str, int]]:
    """From the module's student copy: the answer name each question is checked with (names only, never
    literals), and the code cell (numbered from 1) that first defines each name."""
    with tempfile.TemporaryDirectory() as tmp:
        if layout.sources is None and layout.packaged_notebooks is None:
            return {}, {}
        if layout.sources is not None and not any(p.name[:2] == module for p in layout.sources.glob("*.ipynb")):
            return {}, {}
        folder = layout.student_notebooks(Path(tmp), modules=[module])
        for nb_path in folder.glob(f"{module}-*.ipynb"):
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
            exprs: dict[str, str] = {}
            where: dict[str, int] = {}
            code = [c for c in nb["cells"] if c["cell_type"] == "code"]
            for number, cell in enumerate(code, start=1):
                source = "".join(cell["source"])
                for qid, expr in check_calls(source):
                    if expr.isidentifier():
                        exprs.setdefault(qid, expr)
                for name in defines(source):
                    where.setdefault(name, number)
            return exprs, where
    return {}, {}


def starter_expressions(module: str, layout) -> dict[str, str]:
    """The answer name each question is checked with in the student copy (names only, never literals)."""
    return copy_facts(module, layout)[0]


@dataclass(frozen=True)
class Prepared:
    """A submission ready to run: the notebook, this run's secret, the static flags, and the hidden cases by question."""

    notebook: dict[str, Any]
    nonce: str
    flags: list[str]


_PREAMBLE = """\
from course.checks._capture import Capture as _Capture
{name} = _Capture({nonce!r}, {mime!r})
{name}.begin()
{name}.watch_answer_key()
del _Capture
"""


def _final(name: str, hidden: dict[str, str]) -> str:
    """The last cell: the fingerprint function's code, fresh from the grader, then the hidden inputs and the report."""
    import inspect
    import textwrap

    from course.checks._capture import fingerprint

    fresh = textwrap.dedent(inspect.getsource(fingerprint)).replace("def fingerprint(", f"def {name}_fp(", 1)
    return f"{fresh}\n{name}.finish({hidden!r}, after={name}_fp())\n"


def _encoded(cases: list[tuple]) -> str:
    """Inputs as codec JSON in a string: the kernel rebuilds them exactly (tuples stay tuples, NaN stays NaN)."""
    from course.checks._codec import encode

    return json.dumps(encode([tuple(c) for c in cases]))


def _code(source: str, tag: str) -> dict[str, Any]:
    return {"cell_type": "code", "metadata": {"tags": [tag]}, "execution_count": None, "outputs": [], "source": source}


def prepare(nb: dict[str, Any], questions: dict[str, Any], cases: dict[str, list[tuple]],
            hidden: dict[str, list[tuple]], starters: dict[str, str]) -> Prepared:
    """The notebook to run for one submission.

    ``questions`` maps ids to Question objects; ``cases`` gives each function question's public
    inputs for this learner's variant, ``hidden`` its hidden ones (tried in the last cell only).
    """
    nonce = secrets.token_hex(16)
    name = f"_grade_{nonce[:12]}"

    def captures(calls: list[tuple[str, str]], tag: str) -> list[dict[str, Any]]:
        """The capture cells for some check calls: every value in one cell (one round trip to the kernel), each
        function in a cell of its own, so a function that never returns cannot stop the others."""
        values, functions = [], []
        for qid, expr in calls:
            if qid not in questions:
                continue
            q = questions[qid]
            if q.kind.name == "function":
                fallback = ", fallback=True" if tag == "grader-fallback" else ""
                functions.append(_code(f"{name}.function({qid!r}, lambda: ({expr}), {_encoded(cases[qid])!r}{fallback})",
                                       tag))
            else:
                values.append(f"{name}.value({qid!r}, {q.kind.name!r}, lambda: ({expr}))")
        return ([_code("\n".join(values), tag)] if values else []) + functions

    cells = [_code(_PREAMBLE.format(name=name, nonce=nonce, mime=ANSWER_MIME), "grader")]
    flags: set[str] = set()
    for cell in nb.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        flags |= static_flags(src)
        cells.append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": src})
        cells += captures(check_calls(src), "grader")
    cells += captures(list(starters.items()), "grader-fallback")
    last = {qid: _encoded(found) for qid, found in hidden.items() if qid in questions and found}
    cells.append(_code(_final(name, last), "grader"))
    run = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
           "nbformat": 4, "nbformat_minor": 4}
    return Prepared(run, nonce, sorted(flags))


@dataclass
class Collected:
    """What a run's grader cells reported: answers by question, answer-key reads, signs of tampering, and the
    learner's cells that stopped with an error (numbered among the submission's code cells, with what each defines)."""

    answers: dict[str, Any]
    audit: list[str]
    tampering: list[str]
    failures: list[dict[str, Any]] = field(default_factory=list)


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Names whose identity differs between two fingerprints (modules imported later are not a change)."""
    return sorted(k for k in before if k in after and before[k] != after[k])


def collect(cells: list[Any], nonce: str) -> Collected:
    """The answers the grader's own cells published (a learner's check call wins over the fallback,
    unless it failed), the answer-key reads reported at the end, and what was tampered with: the
    checker's fingerprint before and after, grader outputs faked from the learner's own cells, and
    a last cell that never reported."""
    primary: dict[str, Any] = {}
    fallback: dict[str, Any] = {}
    hidden: dict[str, Any] = {}
    audit: list[str] = []
    tampering: list[str] = []
    failures: list[dict[str, Any]] = []
    before: dict[str, str] | None = None
    after: dict[str, str] | None = None
    number = 0
    for cell in cells:
        tags = cell.metadata.get("tags", [])
        if not tags:  # only the grader's own cells count; a grader output in a learner's cell is a forgery
            number += 1
            if any(ANSWER_MIME in o.get("data", {}) for o in cell.get("outputs", [])):
                tampering.append("published a grader output from its own cell")
            for o in cell.get("outputs", []):
                if o.get("output_type") == "error":
                    failures.append({"cell": number, "defines": sorted(defines(cell.get("source", ""))),
                                     "error": f"{o.get('ename')}: {o.get('evalue')}"[:200]})
                    break
            continue
        for o in cell.get("outputs", []):
            item = o.get("data", {}).get(ANSWER_MIME)
            if not isinstance(item, dict) or item.get("nonce") != nonce:
                if isinstance(item, dict):
                    tampering.append("published a grader output without the run's secret")
                continue
            if isinstance(item.get("fingerprint"), dict) and before is None:
                before = item["fingerprint"]
                continue
            if isinstance(item.get("audit"), list):
                audit = [str(x) for x in item["audit"]]
                if isinstance(item.get("fingerprint_after"), dict):
                    after = item["fingerprint_after"]
                tampering += [str(t) for t in item.get("tried", []) if isinstance(t, str)]
                continue
            answer = item.get("answer")
            if not isinstance(answer, dict):
                continue
            if "hidden" in answer:
                hidden[item.get("qid")] = answer["hidden"]
            else:
                (primary if "grader" in tags else fallback)[item.get("qid")] = answer
    answers = dict(fallback)
    for qid, answer in primary.items():
        if "error" not in answer or qid not in fallback:
            answers[qid] = answer
    for qid, calls in hidden.items():
        if qid in answers and "calls" in answers[qid]:
            answers[qid] = {**answers[qid], "hidden": calls}
    if before is not None and after is not None:
        changed = _changed(before, after)
        if changed:
            more = f" and {len(changed) - 4} more" if len(changed) > 4 else ""
            tampering.append(f"changed the checker while it ran: {', '.join(changed[:4])}{more}")
    return Collected(answers, audit, sorted(set(tampering)), failures)
