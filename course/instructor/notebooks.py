"""Hygiene for the committed instructor notebooks: executed in order, no errors, nothing volatile.

``problems(path)`` lists what is wrong with one notebook; ``clean(nb)`` removes volatile metadata
and widget blobs and gives every cell a stable id; ``execute(path)`` runs a notebook top to
bottom in a fresh kernel and saves it clean, which is how notebooks are committed.

Cell ids are stable: each cell keeps the id it was given, whatever is inserted or moved around
it, so diffs, reviews and ``course update``'s matching never see a cell renamed. An id that only
numbers a position (``numbers-07``) is refused; ``clean`` replaces it, once, with one made from
the cell's text (:func:`course.instructor.release.stable_id`).

Each notebook has a text twin beside it, ``NN-slug.md`` in MyST Markdown (written by jupytext):
the prose, code and tags without outputs, execution counts or ids, so a change to a lesson reads
as a diff of prose. ``save`` writes both; ``problems`` reports a twin that is missing or out of
step with what jupytext makes of the notebook.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from course.instructor.release import dumps, positional_id, stable_id

__all__ = ["assign_ids", "clean", "execute", "problems", "save", "text_form", "twin"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_ABSOLUTE = re.compile(r"(/home/|/root/|/Users/|/tmp/|/private/var/|[A-Z]:\\\\Users)")
_ADDRESS = re.compile(r"\bat 0x[0-9a-f]{6,}\b")
_VALID_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # nbformat 4.5
TEXT_FORMAT = "md:myst"
NB_META = {
    # pairs each notebook with its text twin, so JupyterLab with jupytext keeps both in step; the
    # jupytext version is left out of the twin's header so upgrading jupytext changes no file
    "jupytext": {"formats": f"ipynb,{TEXT_FORMAT}",
                 "notebook_metadata_filter": "-jupytext.text_representation.jupytext_version"},
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
_VERSION_LINE = re.compile(r"^ *jupytext_version: .*\n", re.M)


def _prefix(nb: dict[str, Any]) -> str:
    """The word the notebook's cell ids start with (``numbers`` for ``numbers-1a2b3c4d``), else ``cell``."""
    words = Counter(str(c.get("id", "")).split("-")[0] for c in nb.get("cells", []) if "-" in str(c.get("id", "")))
    return words.most_common(1)[0][0] if words else "cell"


def assign_ids(nb: dict[str, Any]) -> dict[str, Any]:
    """Give a stable id to every cell that has none, a duplicate, an invalid or a positional one; keep the rest."""
    prefix = _prefix(nb)
    taken: set[str] = set()
    for cell in nb["cells"]:
        cid = cell.get("id")
        if not isinstance(cid, str) or not _VALID_ID.fullmatch(cid) or positional_id(cid) or cid in taken:
            src = cell.get("source", "")
            cid = stable_id("".join(src) if isinstance(src, list) else src, prefix, taken)
            cell["id"] = cid
        taken.add(cid)
    if nb.get("nbformat") == 4 and nb.get("nbformat_minor", 0) < 5:
        nb["nbformat_minor"] = 5  # cell ids need nbformat 4.5
    return nb


def clean(nb: dict[str, Any]) -> dict[str, Any]:
    """Drop volatile metadata, execution timings and widget state; keep tags and outputs; give every cell a stable id."""
    nb["metadata"] = json.loads(json.dumps(NB_META))
    assign_ids(nb)
    for cell in nb["cells"]:
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k == "tags"}
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data:
                data.pop(WIDGET_VIEW, None)
            out.get("metadata", {}).pop(WIDGET_VIEW, None)
    return nb


def twin(path: Path) -> Path:
    """The text twin of a notebook: the same name, ``.md``."""
    return path.with_suffix(".md")


def text_form(nb: dict[str, Any]) -> str:
    """The notebook as MyST Markdown, as jupytext writes it: prose, code and tags, no outputs or ids."""
    try:
        import jupytext
        import nbformat
    except ImportError:
        raise RuntimeError("the text twins are written by jupytext, which is not installed: "
                           "pip install -e \".[test]\"") from None
    return _VERSION_LINE.sub("", jupytext.writes(nbformat.reads(json.dumps(nb), as_version=4), fmt=TEXT_FORMAT))


def save(path: Path, nb: dict[str, Any]) -> None:
    """Write a notebook and its text twin (the notebook is cleaned first)."""
    nb = clean(nb)
    path.write_text(dumps(nb), encoding="utf-8")
    twin(path).write_text(text_form(nb), encoding="utf-8")


def _twin_problems(path: Path, nb: dict[str, Any]) -> list[str]:
    name, md = path.name, twin(path)
    if not md.is_file():
        return [f"{name}: its text twin {md.name} is missing (run `course notebooks --fix {path}`)"]
    try:
        expected = text_form(nb)
    except RuntimeError as exc:
        return [f"{name}: cannot check its text twin: {exc}"]
    if _VERSION_LINE.sub("", md.read_text(encoding="utf-8")) != expected:
        return [f"{name}: its text twin {md.name} is out of step with the notebook (after editing the notebook, run "
                f"`course notebooks --fix {path}`; after editing the twin, `jupytext --sync {md}` and then "
                f"`course notebooks --execute {path}`)"]
    return []


def problems(path: Path) -> list[str]:
    """Everything that makes a committed notebook unclean, each naming the cell."""
    name = path.name
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{name}: not a readable notebook ({exc})"]
    found = []
    if set(nb.get("metadata", {})) - set(NB_META) or nb.get("metadata", {}).get("kernelspec") != NB_META["kernelspec"]:
        found.append(f"{name}: notebook metadata has volatile or unexpected keys (run `course notebooks --fix`)")
    if "widgets" in nb.get("metadata", {}):
        found.append(f"{name}: widget state is saved in the metadata")
    expected = 1
    seen: set[str] = set()
    for i, cell in enumerate(nb.get("cells", []), start=1):
        cid = cell.get("id")
        if not isinstance(cid, str) or not _VALID_ID.fullmatch(cid):
            found.append(f"{name} cell {i}: no valid cell id (run `course notebooks --fix` to give it a stable one)")
        elif positional_id(cid):
            found.append(f"{name} cell {i}: id {cid!r} numbers the cell's position, so inserting a cell renames "
                         "the ones after it (run `course notebooks --fix` to give it a stable id)")
        elif cid in seen:
            found.append(f"{name} cell {i}: id {cid!r} is used twice (run `course notebooks --fix`)")
        seen.add(cid)
        extra = set(cell.get("metadata", {})) - {"tags"}
        if extra:
            found.append(f"{name} cell {i}: volatile cell metadata {sorted(extra)}")
        if cell.get("cell_type") != "code":
            continue
        if not "".join(cell.get("source", "")).strip():
            found.append(f"{name} cell {i}: empty code cell")
            continue
        count = cell.get("execution_count")
        if count is None:
            found.append(f"{name} cell {i}: not executed")
        elif count != expected:
            found.append(f"{name} cell {i}: executed out of order (count {count}, expected {expected})")
        expected = (count or expected) + 1
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"{name} cell {i}: has an error output ({out.get('ename')})")
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                found.append(f"{name} cell {i}: has stderr output (warnings belong fixed, not committed)")
            blob = json.dumps(out.get("data", {})) + "".join(out.get("text", ""))
            if WIDGET_VIEW in blob or WIDGET_STATE in blob:
                found.append(f"{name} cell {i}: widget model reference in outputs")
            text = json.dumps({k: v for k, v in out.get("data", {}).items() if not k.startswith("image/")})
            text += "".join(out.get("text", ""))
            if _ABSOLUTE.search(text):
                found.append(f"{name} cell {i}: output contains an absolute path")
            if _ADDRESS.search(text):
                found.append(f"{name} cell {i}: output contains a memory address")
    found += _twin_problems(path, nb)
    return found


def execute(path: Path, *, timeout: int = 120) -> None:
    """Run a notebook top to bottom in a fresh kernel in its own folder, then save it cleaned, with its twin."""
    import nbformat
    from nbclient import NotebookClient

    # new cells get their stable ids before nbformat reads them (it would invent random ones)
    nb = nbformat.reads(json.dumps(assign_ids(json.loads(path.read_text(encoding="utf-8")))), as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    save(path, json.loads(nbformat.writes(nb)))
