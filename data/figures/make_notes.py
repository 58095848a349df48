"""Build ``row_notes.csv``: the compiler's note on each row, read from ``compiler-notes.md``.

``compiler-notes.md`` is the compiler's own write-up of the sourced figures, copied unchanged:
the same rows as ``figures.csv`` in tables, and under each table a note per row ("- **A09** – …")
with further sentences quoted from the same pages, translations and cross-references. Several
data files and lessons cite "the compiler's notes"; this script turns the notes into a table, one
row per id, so each can be looked up (``load("row-notes").set_index("row_id")``). Standard
library only; output is deterministic (order of the notes, ``\\n`` line ends, UTF-8).

Usage: ``python data/figures/make_notes.py`` (``--check`` exits 1 if the file is stale).
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTES = HERE / "compiler-notes.md"
OUT = HERE / "row_notes.csv"
NOTE = re.compile(r"^- \*\*(?P<id>[A-G]\d{2})\*\* – (?P<note>.+)$")


def render(notes: Path = NOTES) -> str:
    """The exact text of ``row_notes.csv``: one ``row_id,note`` line per note, as written."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["row_id", "note"])
    seen = set()
    for line in notes.read_text(encoding="utf-8").splitlines():
        m = NOTE.match(line)
        if m:
            if m["id"] in seen:
                raise ValueError(f"{notes.name}: two notes on {m['id']}")
            seen.add(m["id"])
            w.writerow([m["id"], m["note"]])
    return buf.getvalue()


def main(argv: list[str]) -> int:
    text = render()
    if argv == ["--check"]:
        current = OUT.read_text(encoding="utf-8") if OUT.is_file() else ""
        if current != text:
            print(f"{OUT} is stale: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {OUT.name}: {text.count(chr(10)) - 1} notes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
