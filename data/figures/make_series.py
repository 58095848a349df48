"""Build ``series.csv``: one row per number parsed from the frozen ``figures.csv`` snapshot.

Why this script exists
----------------------
The course teaches learners to trace every number to its source, so the numbers in
``series.csv`` must be exactly the numbers printed in the source rows. Nobody types a value
here. The hand-written mapping ``series_spec.csv`` says, for each value, which row it comes
from, which column (``figure`` or ``quote``) and the *literal text* it is read from, plus the
meaning a learner needs: what is measured (``measure``), under which criminal-code article,
over which period, whether it is a running total or a count for one period (``basis``) and a
note. This script then

1. checks that the literal text occurs exactly once in that row's column, so no number is
   invented and none is silently taken from the wrong place;
2. reads the value from the literal itself: the first number in it, with its scale
   ("29.8k" is 29800, "2.5 million" is 2500000, "162.5k" is 162500) and, for "A–B", a range;
3. reads the qualifier from the words in front of the number ("~", "almost", "около" ->
   ``approx``; ">", "over", "свыше" -> ``more_than``; "≥", "at least" -> ``at_least``;
   "up to" -> ``up_to``; "A–B" -> ``range``; nothing -> ``exact``) and refuses a literal that
   leaves a hedge word just outside it, so "approximately 900" can never become "900";
4. checks every controlled vocabulary, every period (a denominator, ``strength`` or
   ``recruits``, needs a start and an end) and every row cited in a note;
5. writes ``series.csv`` deterministically (spec order, ``\\n`` line ends, UTF-8), copying
   ``side`` and ``confidence`` from the source row, and ``army`` (whose forces the value is
   about) from the spec, or from ``side`` when the row is about one army only.

Any problem stops the script with a list of what is wrong and where. Standard library only.

Usage (from the repository root)::

    python data/figures/make_series.py          # rewrite series.csv
    python data/figures/make_series.py --check  # exit 1 if series.csv is stale or invalid
"""

from __future__ import annotations

import csv
import io
import re
import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIGURES = HERE / "figures.csv"
SPEC = HERE / "series_spec.csv"
SERIES = HERE / "series.csv"

MEASURES = {
    "court_cases_received",  # cases that reached (were received by, filed with, brought to) courts
    "court_cases_heard",  # cases a source says courts heard, considered or dealt with
    "sentences",  # sentences or verdicts handed down (cases, not necessarily people)
    "convictions",  # people or cases convicted, as the source words it
    "registered_proceedings",  # criminal proceedings registered or opened by prosecutors
    "people",  # persons (soldiers, deserters, people detained, people helped)
    "requests",  # requests, applications, contacts to a hotline or NGO
    "estimate",  # an organisation's estimate or projection, not a count
    "strength",  # size of a force: authorised strength or troops deployed
    "recruits",  # people mobilised or signed to contracts
    "rate",  # a share or rate (percent, per 1,000)
    "other",  # anything else (executions, courts martial, users, websites, money)
}
#: Measures that serve as denominators (course.numbers.denominators): each needs both ends of its period.
DENOMINATORS = {"strength", "recruits"}
ARTICLES = {"", "337", "338", "332", "334", "337+338", "all", "ch33", "407", "408", "407+408"}
BASES = {"cumulative", "per_period", "stock"}
ROLES = {"reported", "distorted", "correction"}
FIELDS = {"figure", "quote"}
SPEC_COLUMNS = [
    "row_id", "field", "literal", "measure", "article", "unit", "army",
    "period_start", "period_end", "basis", "role", "note",
]
OUT_COLUMNS = [
    "row_id", "value", "value_low", "value_high", "qualifier", "unit", "measure", "article",
    "period_start", "period_end", "basis", "role", "side", "army", "confidence", "field", "literal", "note",
]
#: A row's ``side`` that names more than one army ("US/UK", "Germany/US/USSR", "Both"): each value of
#: such a row must say in ``army`` which one it is about, or a table would put UK figures under "USSR".
MIXED_SIDE = re.compile(r"/|^Both$")

# Words or signs in front of a number, longest first within each qualifier.
MARKERS = {
    "approx": ["approximately", "aproximativ", "примерно", "roughly", "almost", "nearly",
               "around", "about", "почти", "около", "some", "~", "≈"],
    "more_than": ["more than", "свыше", "больше", "более", "над", "over", ">"],
    "at_least": ["по меньшей мере", "at least", "≥"],
    "up_to": ["up to"],
}
_ALL_MARKERS = sorted(
    ((m, q) for q, ms in MARKERS.items() for m in ms), key=lambda mq: -len(mq[0])
)

_NUMBER = r"(?P<{n}int>\d{{1,3}}(?:[ ,.]\d{{3}})+|\d+)(?:[.,](?P<{n}dec>\d{{1,2}})(?!\d))?" \
          r"(?:\s*(?P<{n}scale>k\b|тыс\.|тысяч|thousand|million|млн))?"
NUMBER = re.compile(_NUMBER.format(n="a"))
RANGE = re.compile(
    r"(?P<between>between\s+)?" + _NUMBER.format(n="a")
    + r"\s*(?:[–-]|(?P<and>\band\b))\s*" + _NUMBER.format(n="b")
)
# Spelled-out numbers are not parsed; a literal must not hide one in front of its digits.
NUMBER_WORDS = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|thousand|million|dozen)\b", re.IGNORECASE
)
SCALES = {None: 1, "k": 1000, "тыс.": 1000, "тысяч": 1000, "thousand": 1000,
          "million": 1_000_000, "млн": 1_000_000}
PERIOD = re.compile(r"^(\d{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
ROW_REF = re.compile(r"\b[A-G]\d{2}\b")


class SpecError(ValueError):
    """The spec and the source rows disagree; the message lists every problem."""


def _number(m: re.Match, n: str) -> Decimal:
    digits = re.sub(r"[ ,.]", "", m.group(f"{n}int"))
    dec = m.group(f"{n}dec")
    value = Decimal(digits + ("." + dec if dec else ""))
    return value * SCALES[m.group(f"{n}scale")]


def _fmt(d: Decimal | None) -> str:
    if d is None:
        return ""
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def _marker_before(text: str) -> str | None:
    """The qualifier whose marker ends ``text`` (ignoring spaces, brackets and quotes)."""
    tail = text.rstrip(" (\"“«'$").lower()
    for marker, qualifier in _ALL_MARKERS:
        if tail.endswith(marker) and (len(marker) == 1 or not tail[: -len(marker)][-1:].isalpha()):
            return qualifier
    return None


def parse_literal(literal: str) -> tuple[Decimal | None, Decimal | None, Decimal | None, str]:
    """Read ``(value, low, high, qualifier)`` from a literal such as ``"~1,000 (2022)"``.

    >>> parse_literal("~1,000 (2022)")
    (Decimal('1000'), None, None, 'approx')
    >>> parse_literal("29.8k (H1 2024")
    (Decimal('29800.0'), None, None, 'exact')
    >>> parse_literal("16,000–18,000")
    (None, Decimal('16000'), Decimal('18000'), 'range')
    >>> parse_literal("between 15,000 and 20,000 new cases")
    (None, Decimal('15000'), Decimal('20000'), 'range')
    """
    r = RANGE.search(literal)
    m = NUMBER.search(literal)
    if m is None:
        raise SpecError(f"no number in literal {literal!r}")
    if NUMBER_WORDS.search(literal[: m.start()]):
        raise SpecError(f"a spelled-out number precedes the digits in {literal!r}")
    if r is not None and r.group("and") and not r.group("between"):
        r = None  # "A and B" is two numbers; only "between A and B" is a range
    if r is not None and r.start() <= m.start() and r.group("aint") == m.group("aint"):
        low, high = _number(r, "a"), _number(r, "b")
        if r.group("ascale") is None and r.group("bscale") is not None:
            low *= SCALES[r.group("bscale")]
        return None, low, high, "range"
    qualifier = _marker_before(literal[: m.start()]) or "exact"
    return _number(m, "a"), None, None, qualifier


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def build(figures: Path = FIGURES, spec: Path = SPEC) -> list[dict[str, str]]:
    """Return the rows of ``series.csv``; raise :class:`SpecError` listing every problem."""
    rows = _read_csv(figures)
    by_id = {r["id"]: r for r in rows}
    if len(by_id) != len(rows):
        raise SpecError("figures.csv has duplicate ids")
    spec_rows = _read_csv(spec)
    problems: list[str] = []
    out: list[dict[str, str]] = []
    if spec_rows and list(spec_rows[0].keys()) != SPEC_COLUMNS:
        raise SpecError(f"series_spec.csv columns must be {SPEC_COLUMNS}")
    for i, s in enumerate(spec_rows, start=2):
        where = f"series_spec.csv line {i} ({s['row_id']} {s['literal']!r})"
        src = by_id.get(s["row_id"])
        if src is None:
            problems.append(f"{where}: no row {s['row_id']} in figures.csv")
            continue
        if s["field"] not in FIELDS:
            problems.append(f"{where}: field must be one of {sorted(FIELDS)}")
            continue
        text = src[s["field"]]
        count = text.count(s["literal"])
        if count != 1:
            problems.append(
                f"{where}: literal occurs {count} times in the row's {s['field']} (must be exactly once)"
            )
            continue
        try:
            value, low, high, qualifier = parse_literal(s["literal"])
        except SpecError as e:
            problems.append(f"{where}: {e}")
            continue
        outside = _marker_before(text[: text.index(s["literal"])])
        if outside and qualifier == "exact":
            problems.append(f"{where}: a '{outside}' word stands just before the literal; include it")
        for col, allowed in (("measure", MEASURES), ("article", ARTICLES),
                             ("basis", BASES), ("role", ROLES)):
            if s[col] not in allowed:
                problems.append(f"{where}: {col} {s[col]!r} not in {sorted(allowed)}")
        for col in ("period_start", "period_end"):
            if s[col] and not PERIOD.match(s[col]):
                problems.append(f"{where}: {col} {s[col]!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        if s["measure"] in DENOMINATORS and not (s["period_start"] and s["period_end"]):
            problems.append(f"{where}: a {s['measure']} value is a denominator: give it a period_start and a "
                            "period_end, or course.numbers.denominators() cannot tell which years it covers")
        if s["period_start"] and s["period_end"] and s["period_start"][:len(s["period_end"])] > s["period_end"]:
            problems.append(f"{where}: period_start after period_end")
        if not s["unit"]:
            problems.append(f"{where}: unit is empty")
        if "/" in s["army"] or (MIXED_SIDE.search(src["side"]) and not s["army"]):
            problems.append(f"{where}: row {s['row_id']} covers several armies ({src['side']}): name the one this "
                            "value is about in the army column")
        for ref in ROW_REF.findall(s["note"]):
            if ref not in by_id:
                problems.append(f"{where}: note cites {ref}, which is not in figures.csv")
        out.append({
            "row_id": s["row_id"], "value": _fmt(value), "value_low": _fmt(low),
            "value_high": _fmt(high), "qualifier": qualifier, "unit": s["unit"],
            "measure": s["measure"], "article": s["article"], "period_start": s["period_start"],
            "period_end": s["period_end"], "basis": s["basis"], "role": s["role"],
            "side": src["side"], "army": s["army"] or src["side"], "confidence": src["confidence"], "field": s["field"],
            "literal": s["literal"], "note": s["note"],
        })
    if problems:
        raise SpecError("series_spec.csv does not match figures.csv:\n  " + "\n  ".join(problems))
    return out


def render(rows: list[dict[str, str]]) -> str:
    """The exact text of ``series.csv`` for ``rows``."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=OUT_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def main(argv: list[str]) -> int:
    try:
        text = render(build())
    except SpecError as e:
        print(e, file=sys.stderr)
        return 1
    if argv == ["--check"]:
        current = SERIES.read_text(encoding="utf-8") if SERIES.is_file() else ""
        if current != text:
            print(f"{SERIES} is stale: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{SERIES.name} is up to date")
        return 0
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    SERIES.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {SERIES.name}: {text.count(chr(10)) - 1} values")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
