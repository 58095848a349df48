"""Whose numbers a notebook carries: the learner id and the variant parameters, pinned when issued.

A notebook records its identity twice. Its metadata (``metadata.reading_the_ranks``) is stamped
when it is issued — by ``course release --learners`` for a roster, and by ``course lab`` for a
workspace — with the learner id ("shared" without one) and the parameters of every variant. And
each ``check()`` or ``exercise()`` output carries the variant it actually used in its own
metadata (see :data:`course.checks.RECORD_KEY`). The grader reads both (:func:`claims`) and
reconciles them with the release record; the parameters issued are also pinned in the
workspace (``.course/variants.json``) so a later course version never changes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from course.checks import RECORD_KEY, SHARED

__all__ = ["Claims", "claims", "issued_variants", "stamp"]


def issued_variants(module: str, learner: str | None) -> dict[str, dict[str, Any]]:
    """``{qid: {"version", "params"}}`` for every question of ``module`` that has parameters, as issued now."""
    from course.checks import compute_params, questions
    from course.checks._codec import encode

    out = {}
    for q in questions(module):
        params = compute_params(q, learner if q.variant is not None else None)
        if params:
            out[q.id] = {"version": q.variant_version, "params": encode(params)}
    return out


def stamp(nb: dict[str, Any], learner: str | None, variants: Mapping[str, Any]) -> dict[str, Any]:
    """Write the learner id ("shared" without one) and the issued variants into a notebook's metadata."""
    nb.setdefault("metadata", {})[RECORD_KEY] = {"learner": learner or SHARED, "variants": dict(sorted(variants.items()))}
    return nb


@dataclass
class Claims:
    """What a submitted notebook says about whose numbers it used."""

    stamped: str | None = None  # the learner id stamped in the metadata when issued
    stamped_variants: dict[str, Any] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # qid -> the last check/exercise record
    learners: list[str] = field(default_factory=list)  # learner ids seen in check/exercise outputs, in run order

    @property
    def worked_as(self) -> str | None:
        """The learner id the checks ran as (the last one seen), else the stamped id, else None."""
        return self.learners[-1] if self.learners else self.stamped


def _order(cell_index: int, cell: Mapping[str, Any]) -> tuple[int, int]:
    count = cell.get("execution_count")
    return (count if isinstance(count, int) else -1, cell_index)


def claims(nb: Mapping[str, Any]) -> Claims:
    """Read a notebook's identity: the stamp in its metadata and the variant records in its outputs."""
    out = Claims()
    meta = nb.get("metadata")
    stamp_ = meta.get(RECORD_KEY) if isinstance(meta, Mapping) else None
    if isinstance(stamp_, Mapping):
        learner = stamp_.get("learner")
        out.stamped = learner if isinstance(learner, str) and learner else None
        variants = stamp_.get("variants")
        out.stamped_variants = dict(variants) if isinstance(variants, Mapping) else {}
    found: list[tuple[tuple[int, int], dict[str, Any]]] = []
    cells = nb.get("cells")
    for i, cell in enumerate(cells if isinstance(cells, list) else []):
        if not isinstance(cell, Mapping) or cell.get("cell_type") != "code":
            continue
        for o in cell.get("outputs") or []:
            rec = o.get("metadata", {}).get(RECORD_KEY) if isinstance(o, Mapping) and isinstance(o.get("metadata"), Mapping) else None
            if isinstance(rec, Mapping) and isinstance(rec.get("qid"), str) and isinstance(rec.get("learner"), str):
                found.append((_order(i, cell), dict(rec)))
    found.sort(key=lambda item: item[0])
    for _, rec in found:
        out.records[rec["qid"]] = rec
        if not out.learners or out.learners[-1] != rec["learner"]:
            out.learners.append(rec["learner"])
    return out


def distinct(ids: Iterable[str]) -> list[str]:
    """The ids in first-seen order, each once."""
    return list(dict.fromkeys(ids))
