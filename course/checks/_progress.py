"""Where a learner's progress is kept: a small JSON file in the workspace, written atomically.

The workspace is ``$COURSE_WORKSPACE`` if set, else the nearest folder at or above the current
one that holds a ``.course/`` folder (``course lab`` creates it). With neither — an instructor
running the sources, or CI — progress lives in memory only, so running a notebook never writes
into a checkout.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STATE_DIR = ".course"
PROGRESS_FILE = "progress.json"
LEARNER_FILE = "learner.txt"
GRADING_ENV = "COURSE_GRADING"  # set to "1" in a grading kernel: checks record, they do not compare
VARIANTS_FILE = "variants.json"  # parameters pinned when the workspace was made: {learner: {qid: {version, params}}}

_memory: dict[str, Any] = {"questions": {}}


def workspace() -> Path | None:
    """The learner's workspace folder, or None when there is none (progress kept in memory)."""
    env = os.environ.get("COURSE_WORKSPACE")
    if env:
        return Path(env).expanduser()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / STATE_DIR).is_dir():
            return folder
    return None


def grading() -> bool:
    """True inside a grading kernel, where the grader compares answers and ``check()`` only records them."""
    return os.environ.get(GRADING_ENV) == "1"


def learner_id() -> str | None:
    """The learner id that picks per-learner variants: ``$COURSE_LEARNER``, else the workspace's record."""
    env = os.environ.get("COURSE_LEARNER", "").strip()
    if env:
        return env
    ws = workspace()
    if ws is not None:
        f = ws / STATE_DIR / LEARNER_FILE
        try:
            text = f.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return text or None
    return None


def pinned_params(qid: str, learner: str, version: int) -> dict[str, Any] | None:
    """The parameters pinned in this workspace for ``learner`` and question ``qid`` at ``version``, if any.

    A release (or ``course lab``) writes them, so a later course version with refreshed data never
    changes the numbers a learner has already been given.
    """
    ws = workspace()
    if ws is None:
        return None
    try:
        data = json.loads((ws / STATE_DIR / VARIANTS_FILE).read_text(encoding="utf-8"))
        entry = data[learner][qid]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(entry, dict) or entry.get("version") != version:
        return None
    from course.checks._codec import decode

    try:
        params = decode(entry["params"])
    except (KeyError, ValueError, TypeError):
        return None
    return params if isinstance(params, dict) else None


def _file() -> Path | None:
    ws = workspace()
    return None if ws is None else ws / STATE_DIR / PROGRESS_FILE


def load() -> dict[str, Any]:
    """Read progress; a corrupt file is moved aside (never deleted) and a fresh record started."""
    f = _file()
    if f is None:
        return _memory
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("questions"), dict):
            raise ValueError("unexpected layout")
        return data
    except FileNotFoundError:
        return {"questions": {}}
    except (OSError, ValueError) as exc:
        backup = f.with_name(f"{f.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            os.replace(f, backup)
            where = f"it was moved to {backup.name} in {f.parent}"
        except OSError:
            where = "it could not be moved, so it was left as it is"
        print(
            f"Warning: your progress file could not be read ({exc}); {where}. "
            "A fresh progress record starts now; your notebooks are untouched. "
            "Show the backup to your instructor if you need the old record.",
            file=sys.stderr,
        )
        return {"questions": {}}


def save(data: dict[str, Any]) -> None:
    """Write progress atomically (temporary file, then rename), so a crash never leaves half a file."""
    f = _file()
    if f is None:
        if data is not _memory:
            _memory.clear()
            _memory.update(data)
        return
    f.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".progress-", dir=f.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, sort_keys=True)
        os.replace(tmp, f)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        print(f"Warning: progress could not be saved ({exc}); your answer was still checked.", file=sys.stderr)


def record(qid: str, status: str, points: float, max_points: int) -> None:
    """Remember the best outcome of a question (a later wrong answer never loses a correct one)."""
    data = load()
    entry = data["questions"].setdefault(qid, {"status": status, "points": 0, "attempts": 0})
    entry["attempts"] = entry.get("attempts", 0) + 1
    entry["max_points"] = max_points
    order = ["not attempted", "incorrect", "submitted", "correct"]
    if order.index(status) >= order.index(entry.get("status", "not attempted")) or status == "submitted":
        entry["status"] = status
        entry["points"] = max(points, entry.get("points", 0))
    save(data)


def hints_seen(qid: str) -> int:
    """How many hint levels of a question the learner has already opened."""
    return int(load()["questions"].get(qid, {}).get("hints", 0))


def record_hint(qid: str, level: int) -> None:
    """Remember that hint level ``level`` was shown."""
    data = load()
    entry = data["questions"].setdefault(qid, {"status": "not attempted", "points": 0, "attempts": 0})
    entry["hints"] = max(level, int(entry.get("hints", 0)))
    save(data)


def record_answer(qid: str, answer: Any) -> None:
    """Keep the answer itself (plain data) for a question whose kind keeps answers, e.g. a checkpoint judgement.

    The latest answer is kept, so the learner's own before/after (``course.checkpoint``) shows
    what they last recorded, as the grader does.
    """
    data = load()
    data.setdefault("answers", {})[qid] = answer
    save(data)


def answers() -> dict[str, Any]:
    """Every kept answer, by question id."""
    found = load().get("answers", {})
    return dict(found) if isinstance(found, dict) else {}
