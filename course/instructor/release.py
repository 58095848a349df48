"""Student copies of the instructor notebooks: solutions replaced by ``...``, instructor cells dropped.

Standard library only, so the wheel's build hook can use it before anything is installed.
The markers are public forever: a solution region is the lines between ``### BEGIN SOLUTION``
and ``### END SOLUTION``; a cell tagged ``instructor`` is dropped whole.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import textwrap
from pathlib import Path
from typing import Any

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
INSTRUCTOR_TAG = "instructor"
_NBVAL_MARK = re.compile(r"# NBVAL_[A-Z_]+")  # CI markers for the instructor sources; noise for learners

__all__ = ["BEGIN", "END", "INSTRUCTOR_TAG", "ReleaseError", "release", "sources", "stable_id", "student_copy"]

_POSITIONAL_ID = re.compile(r"^[A-Za-z_]+-\d+$")  # "numbers-07", "cell-3": ids that number a position


def positional_id(cell_id: Any) -> bool:
    """True for an id that only numbers a cell's position (``numbers-07``): inserting a cell would renumber it."""
    return isinstance(cell_id, str) and bool(_POSITIONAL_ID.fullmatch(cell_id))


def stable_id(source: str, prefix: str = "cell", taken: set[str] | frozenset[str] = frozenset()) -> str:
    """An id for a cell that does not depend on where it sits: ``prefix`` and a hash of its text.

    Assigned once and then kept, so inserting, moving or editing cells never renames the others.

    >>> stable_id("x = 1", "numbers")
    'numbers-6f694076'
    """
    salt = 0
    while True:
        digest = hashlib.sha256(f"{salt}:{source}".encode()).hexdigest()[:8]
        candidate = f"{prefix}-{digest}"
        if candidate not in taken and not positional_id(candidate):
            return candidate
        salt += 1


class ReleaseError(ValueError):
    """An instructor notebook that cannot be turned into a student copy (says which cell and why)."""


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _target(node: ast.expr) -> str:
    if isinstance(node, ast.Tuple):
        return ", ".join(ast.unparse(e) for e in node.elts)
    return ast.unparse(node)


def _starter(code: str, where: str) -> list[str]:
    """The starter lines that replace a solution region's code."""
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise ReleaseError(f"{where}: the solution does not parse ({exc.msg}, line {exc.lineno}).") from None
    out: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign):
            out.append(" = ".join(_target(t) for t in node.targets) + " = ...")
        elif isinstance(node, ast.AnnAssign):
            out.append(f"{ast.unparse(node.target)}: {ast.unparse(node.annotation)} = ...")
        elif isinstance(node, ast.FunctionDef):
            out.append(f"def {node.name}({ast.unparse(node.args)}):")
            doc = ast.get_docstring(node, clean=False)
            if doc is not None:
                out.append(textwrap.indent(f'"""{doc}"""', "    "))
            out.append("    return ...  # your code here")
        elif isinstance(node, ast.Return):
            out.append("return ...  # your code here")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            out.append(ast.unparse(node))
        else:
            raise ReleaseError(
                f"{where}: a solution region may hold assignments, functions, returns and imports; "
                f"line {node.lineno} is a {type(node).__name__}. Move it outside the markers."
            )
    return out or ["..."]


def _strip_solutions(code: str, where: str) -> str:
    lines = code.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip() == BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            try:
                j = next(k for k in range(i + 1, len(lines)) if lines[k].strip() == END)
            except StopIteration:
                raise ReleaseError(f"{where}: {BEGIN!r} has no matching {END!r}.") from None
            region = textwrap.dedent("\n".join(lines[i + 1 : j]))
            out.extend(indent + s if s else s for s in "\n".join(_starter(region, where)).splitlines())
            i = j + 1
            continue
        if line.strip() == END:
            raise ReleaseError(f"{where}: {END!r} without a {BEGIN!r} before it.")
        out.append(line)
        i += 1
    return "\n".join(out)


_QUESTION_CALL = re.compile(r"""\b(?:check|quiz)\(\s*["'](\d\d\.\d+)["']""")
ANSWER_TAG = "answer:"  # + question id, on each exercise cell of a student copy (used by `course update`)


def _answer_tags(cells: list[dict[str, Any]]) -> dict[int, str]:
    """Question id of each exercise cell: the first check/quiz call in it or in a later cell."""
    tags = {}
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code" or BEGIN not in _source(cell):
            continue
        for later in cells[i:]:
            m = _QUESTION_CALL.search(_source(later)) if later["cell_type"] == "code" else None
            if m:
                tags[i] = m.group(1)
                break
    return tags


def student_copy(nb: dict[str, Any], name: str = "notebook") -> dict[str, Any]:
    """Turn an instructor notebook (as JSON) into its student copy: deterministic, outputs cleared."""
    answers = _answer_tags(nb.get("cells", []))
    cells = []
    for index, cell in enumerate(nb.get("cells", [])):
        tags = cell.get("metadata", {}).get("tags", [])
        if INSTRUCTOR_TAG in tags:
            continue
        new = {"cell_type": cell["cell_type"], "id": cell.get("id") or stable_id(_source(cell)),
               "metadata": {k: v for k, v in cell.get("metadata", {}).items() if k == "tags"},
               "source": _source(cell)}
        if index in answers:
            tags = [t for t in new["metadata"].get("tags", []) if not t.startswith(ANSWER_TAG)]
            new["metadata"]["tags"] = tags + [ANSWER_TAG + answers[index]]
        if cell["cell_type"] == "code":
            new["source"] = _strip_solutions(new["source"], f"{name}, cell {index + 1}")
            new["source"] = "\n".join(
                line for line in new["source"].split("\n") if not _NBVAL_MARK.fullmatch(line.strip())
            )
            new["execution_count"] = None
            new["outputs"] = []
        elif BEGIN in new["source"]:
            raise ReleaseError(f"{name}, cell {index + 1}: solution markers belong in code cells.")
        cells.append(new)
    meta = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return {"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}


def dumps(nb: dict[str, Any]) -> str:
    """Serialise a notebook the way Jupyter does (indent 1, UTF-8, trailing newline)."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def sources(folder: Path) -> list[Path]:
    """The instructor notebooks in ``folder``, named ``NN-slug.ipynb``, in order."""
    return sorted(p for p in folder.glob("[0-9][0-9]-*.ipynb") if p.is_file())


def release(*, source: Path, out: Path, modules: list[str] | None = None, check: bool = False,
            transform=None) -> dict[str, str]:
    """Write student copies of the chosen modules (all by default) into ``out``.

    Returns ``{file name: sha256}``. With ``check=True`` nothing is written and a
    :class:`ReleaseError` lists every copy that is missing or would change. ``transform(copy, name)``,
    when given, may edit each student copy before it is written (``course release`` stamps them).
    """
    chosen = [p for p in sources(source) if modules is None or p.name[:2] in modules]
    if modules:
        unknown = sorted(set(modules) - {p.name[:2] for p in chosen})
        if unknown:
            known = ", ".join(p.name[:2] for p in sources(source))
            raise ReleaseError(f"No notebook for module(s) {', '.join(unknown)}; available: {known}.")
    written: dict[str, str] = {}
    stale = []
    for nb_path in chosen:
        try:
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ReleaseError(f"{nb_path.name}: not a readable notebook ({exc}).") from None
        copy = student_copy(nb, nb_path.name)
        text = dumps(transform(copy, nb_path.name) if transform is not None else copy)
        target = out / nb_path.name
        written[nb_path.name] = hashlib.sha256(text.encode()).hexdigest()
        if check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(nb_path.name)
            continue
        out.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if stale:
        raise ReleaseError(f"Student copies out of date in {out}: {', '.join(stale)}. Run `course release`.")
    return written
