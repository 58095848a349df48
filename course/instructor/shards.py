"""Shards for batch systems: each job grades a deterministic slice into its own folder; the gradebooks merge after.

``course grade SUBMISSIONS --out results/shard-2 --shard 2/3`` grades the files whose gradebook
key (learner and file name) falls in slice 2 of 3 — by a hash of the key, so a slice never
depends on which machine looks, on the order files are listed, or on files added later — and
writes a normal results folder with a ``shard.json`` saying which slice, with which limits,
release record and course (:func:`~course.instructor.grade.grader_fingerprint`) it was graded.
A Slurm array job, a Kubernetes Indexed Job or a CI matrix runs one such command per index;
a shard that is killed resumes like any run.

``course gradebook merge results/shard-* --out results`` (:func:`merge`) combines the shards'
gradebooks into one, through :class:`~course.instructor.gradebook.Gradebook`'s public methods. It
refuses — writing nothing, and saying why for each — shards from different runs (another slice
count, limits, release record or course), a slice given twice or missing, and rows that conflict
(one file graded differently in two gradebooks). Identical rows in two gradebooks are kept once.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MergeRefused", "Shard", "ShardError", "claim_folder", "merge"]

SHARD_FILE = "shard.json"
MERGE_FILE = "merged.json"
_SAME_RUN = {"settings": "limits (--cell-timeout, --timeout, --output-cap, --memory-mb)",
             "release_record": "release record (--release)", "sandbox": "sandbox (--unsafe-no-sandbox)",
             "course": "course version (its sources and data)"}


class ShardError(ValueError):
    """A shard cannot be graded into this folder, or ``--shard`` is malformed; the message says what to do."""


class MergeRefused(ValueError):
    """The gradebooks cannot be merged as given; ``problems`` lists every reason, and nothing was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        super().__init__("Nothing was merged:\n  " + "\n  ".join(shown))


@dataclass(frozen=True)
class Shard:
    """Slice ``index`` (1-based) of ``count``: the files whose gradebook key hashes to it."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str | tuple[int, int]) -> Shard:
        """``"2/3"`` (or ``(2, 3)``) as a Shard; a clear error for anything else.

        >>> Shard.parse("2/3")
        Shard(index=2, count=3)
        """
        try:
            i, n = text if isinstance(text, tuple) else str(text).split("/")
            shard = cls(int(i), int(n))
        except (TypeError, ValueError):
            raise ShardError(f"--shard takes I/N, such as 2/3 (the second of three slices); got {text!r}") from None
        if not 1 <= shard.index <= shard.count:
            raise ShardError(f"--shard {text}: I must be between 1 and N (slices are numbered from 1: 1/{shard.count} "
                             f"to {shard.count}/{shard.count}). With an array index that starts at 0, add 1.")
        return shard

    def owns(self, key: str) -> bool:
        """Whether the file with this gradebook key is graded by this shard (every key has exactly one shard)."""
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def _record_digest(record: dict[str, Any] | None) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:16] if record else "none"


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ShardError(f"{path} cannot be read ({exc}): it is written by `course grade --shard`; remove it only if "
                         "this folder holds no shard's results.") from None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def claim_folder(out: Path, part: Shard | None, *, settings: dict[str, Any], record: dict[str, Any] | None,
                 sandbox: bool, fingerprint: str) -> None:
    """Check that ``out`` may receive this run's rows (a shard's folder only its own shard's), and mark a shard's folder.

    A folder holding one shard's results refuses another shard, an unsharded run, or the same
    shard graded another way (other limits, release record, sandbox or course): their rows would
    mix in one gradebook, and the merge could not tell them apart.
    """
    out = Path(out)
    marked = _read_json(out / SHARD_FILE)
    if part is None:
        if marked is not None:
            raise ShardError(f"{out} holds shard {marked.get('shard')} of a sharded run ({out / SHARD_FILE}). Grade "
                             f"everything into another --out, or pass --shard {marked.get('shard')} to resume that shard.")
        # Grading more into a merged folder (late work, say) is fine, but a later merge must not replace those rows.
        (out / MERGE_FILE).unlink(missing_ok=True)
        return
    if _read_json(out / MERGE_FILE) is not None:
        raise ShardError(f"{out} holds merged shards ({out / MERGE_FILE}): give each shard a folder of its own, such as "
                         f"--out {out / f'shard-{part.index}'}.")
    mine = {"shard": str(part), "settings": settings, "release_record": _record_digest(record), "sandbox": sandbox,
            "course": fingerprint}
    if marked is None:
        book = out / "gradebook.sqlite"
        if book.is_file():
            from course.instructor.gradebook import Gradebook

            if Gradebook(book).digests():
                raise ShardError(f"{out} already holds an unsharded gradebook: give shard {part} a folder of its own, "
                                 f"such as --out {out / f'shard-{part.index}'}.")
        _write_json(out / SHARD_FILE, {"format": 1, **mine})
        return
    if marked.get("shard") != str(part):
        raise ShardError(f"{out} holds shard {marked.get('shard')}, not {part}: give each shard a folder of its own, "
                         f"such as --out {out.parent / f'shard-{part.index}'}.")
    differ = [label for k, label in _SAME_RUN.items() if marked.get(k) != mine[k]]
    if differ:
        raise ShardError(f"{out} holds shard {part} graded with another {', '.join(differ)}. Resume it with the same "
                         "options and course as the rest of its run, or grade it again into a new --out.")


def _what_matters(row: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    """What a gradebook row says about a submission, without when it was graded."""
    return {"learner": row["learner"], "module": row["module"], "sha256": row["sha256"], "status": row["status"],
            "reason": row["reason"], "flags": row["flags"], "submitted_at": row["submitted_at"],
            "graded_as": row["graded_as"], "lms": row["lms"], "unsafe": row["unsafe"],
            "results": [(r["qid"], r["status"], r["points"], r["max_points"], r["message"], r["text"], r["mistake"])
                        for r in results]}


def _difference(a: dict[str, Any], b: dict[str, Any]) -> str:
    if a["sha256"] != b["sha256"]:
        return (f"two different files (sha256 {a['sha256'][:12] or 'none'}… and {b['sha256'][:12] or 'none'}…): the "
                "submissions changed between the shards' runs; grade those shards again from the same submissions")
    for field in ("status", "reason", "flags", "graded_as", "submitted_at", "lms", "unsafe", "learner", "module"):
        if a[field] != b[field]:
            return f"the same file graded differently ({field}: {a[field]!r} and {b[field]!r})"
    left, right = {r[0]: r for r in a["results"]}, {r[0]: r for r in b["results"]}
    for qid in sorted(set(left) | set(right)):
        if left.get(qid) != right.get(qid):
            la, rb = left.get(qid), right.get(qid)
            return (f"the same file graded differently (question {qid}: "
                    f"{la[2] if la else 'no result'} and {rb[2] if rb else 'no result'} points)")
    return "the same file graded differently"


def _check_shards(folders: list[Path]) -> list[str]:
    marks = {f: _read_json(f / SHARD_FILE) for f in folders}
    sharded = [f for f, m in marks.items() if m is not None]
    if not sharded:
        return []
    problems = [f"{f} is not a shard (no {SHARD_FILE}): merge shards of one run, or gradebooks of no shard"
                for f in folders if marks[f] is None]
    first = marks[sharded[0]]
    count = int(str(first.get("shard", "0/0")).split("/")[1])
    seen: dict[int, Path] = {}
    for f in sharded:
        m = marks[f]
        try:
            part = Shard.parse(m.get("shard", ""))
        except ShardError:
            problems.append(f"{f / SHARD_FILE} names no shard ({m.get('shard')!r})")
            continue
        if part.count != count:
            problems.append(f"{f} is shard {part} but {sharded[0]} is shard {first.get('shard')}: shards of different runs")
        for key, label in _SAME_RUN.items():
            if m.get(key) != first.get(key):
                problems.append(f"{f} was graded with another {label} than {sharded[0]}")
        if part.index in seen:
            problems.append(f"shard {part} is given twice: {seen[part.index]} and {f}")
        seen.setdefault(part.index, f)
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in seen]
    if missing and not problems:
        problems.append(f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} of {count} "
                        f"{'are' if len(missing) > 1 else 'is'} missing: every file of the run belongs to exactly one "
                        "shard, so a merge without it would silently lack grades. Grade it, then merge all of them.")
    return problems


def merge(*, results: list[Path], out: Path, progress: bool = False) -> dict[str, Any]:
    """Combine the gradebooks of ``results`` folders (the shards of one run) into ``out``; refuse conflicts.

    Returns a summary (``submissions``, ``shards``, ``duplicates``: identical rows found in more than
    one gradebook). On any problem raises :class:`MergeRefused` listing every one, and writes nothing.
    ``out`` may be merged into again (its gradebook is replaced); it must not be one of the inputs,
    nor a folder with a gradebook that no merge wrote.
    """
    import sys

    from course.instructor.gradebook import Gradebook

    folders = [Path(r) for r in results]
    out = Path(out)
    problems = []
    if not folders:
        problems.append("no results folders given: pass each shard's --out folder")
    for f in folders:
        if not (f / "gradebook.sqlite").is_file():
            problems.append(f"{f} has no gradebook.sqlite: pass the folders that `course grade --out` wrote")
    if out.resolve() in {f.resolve() for f in folders}:
        problems.append(f"{out} is one of the gradebooks to merge: merge into a folder of its own")
    if (out / "gradebook.sqlite").is_file() and _read_json(out / MERGE_FILE) is None:
        problems.append(f"{out} already holds a gradebook that no merge wrote: merge into an empty folder, or move it aside")
    if (out / SHARD_FILE).is_file():
        problems.append(f"{out} holds a shard's results: merge into a folder of its own")
    if problems:
        raise MergeRefused(problems)
    problems = _check_shards(folders)
    if problems:
        raise MergeRefused(problems)
    merged: dict[str, tuple[Path, dict[str, Any], dict[str, Any], list[dict[str, Any]]]] = {}
    duplicates = 0
    conflicts = []
    for f in folders:
        book = Gradebook(f / "gradebook.sqlite")
        for row in book.submissions():
            results_ = book.results(row["key"])
            seen = _what_matters(row, results_)
            if row["key"] in merged:
                where, first, _, _ = merged[row["key"]]
                if first == seen:
                    duplicates += 1
                else:
                    conflicts.append(f"{row['key']}: {where} and {f} disagree: {_difference(first, seen)}")
                continue
            merged[row["key"]] = (f, seen, row, results_)
        if progress:
            print(f"read {f}: {len(merged)} submissions so far", file=sys.stderr)
    if conflicts:
        raise MergeRefused(conflicts)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "gradebook.sqlite.merging"
    target.unlink(missing_ok=True)
    book = Gradebook(target)
    entries = []
    for key in sorted(merged):
        _, _, row, results_ = merged[key]
        entries.append({"learner": row["learner"], "module": row["module"], "key": key, "sha256": row["sha256"],
                        "result": {"status": row["status"], "reason": row["reason"], "flags": json.loads(row["flags"]),
                                   "results": results_},
                        "submitted_at": row["submitted_at"], "graded_as": row["graded_as"],
                        "lms": json.loads(row["lms"] or "{}"), "unsafe": bool(row["unsafe"]), "graded_at": row["graded_at"]})
        if len(entries) == 1000:
            book.record_many(entries)
            entries = []
    book.record_many(entries)
    os.replace(target, out / "gradebook.sqlite")
    _write_json(out / MERGE_FILE, {"format": 1, "merged": sorted(str(f.resolve()) for f in folders),
                                   "submissions": len(merged)})
    Gradebook(out / "gradebook.sqlite").write_feedback(out / "feedback")
    return {"submissions": len(merged), "shards": len(folders), "duplicates": duplicates, "out": str(out)}
