"""Build ``sourced_sentences.csv``: every non-empty verbatim quote in ``figures.csv``, one per row.

Module 02 contrasts the unsourced article's language with attributed reporting. This script
copies each quote unchanged with who published it, when, where and how sure the compiler was,
so the comparison corpus can always be regenerated from the frozen snapshot. Standard library
only; output is deterministic (row order of ``figures.csv``, ``\\n`` line ends, UTF-8).

Usage: ``python data/figures/make_sentences.py`` (``--check`` exits 1 if the file is stale).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIGURES = HERE / "figures.csv"
OUT = HERE / "sourced_sentences.csv"
COLUMNS = ["row_id", "publisher", "date", "url", "confidence", "quote"]


def render(figures: Path = FIGURES) -> str:
    """The exact text of ``sourced_sentences.csv``."""
    with figures.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        if r["quote"].strip():
            w.writerow([r["id"], r["source_publisher"], r["source_date"], r["source_url"],
                        r["confidence"], r["quote"]])
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
    print(f"wrote {OUT.name}: {text.count(chr(10)) - 1} quotes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
