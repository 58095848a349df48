"""Small arithmetic for reading counts: rates per 1,000, ranges, growth, periods and comparability.

Lessons 03 and 04 use these pure functions, and so do their checks, so a notebook and the
reference answer never compute the same thing two different ways. Dates are ISO strings only
as precise as the source (``"2024"``, ``"2024-06"``, ``"2024-06-15"``): a period's start is read
as the first day it could mean and its end as the last.

Examples
--------
>>> per_thousand(10, 2_000)
5.0
>>> rate_range(10, [2_000, 5_000])
(2.0, 5.0)
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

__all__ = [
    "calendar_year",
    "comparison_problems",
    "court_cases_by_year",
    "cumulative_court_cases",
    "denominators",
    "growth_ratio",
    "one_row",
    "parse_date",
    "per_thousand",
    "per_year",
    "rate_range",
    "round_sig",
    "years_between",
]

DAYS_PER_YEAR = 365.25


def per_thousand(count: float, denominator: float) -> float:
    """A count as a rate per 1,000 of a denominator (count ÷ denominator × 1,000).

    >>> per_thousand(45, 9_000)
    5.0
    """
    if denominator <= 0:
        raise ValueError(f"A denominator must be positive; got {denominator!r}.")
    return count / denominator * 1000


def rate_range(count: float, denominators: Iterable[float]) -> tuple[float, float]:
    """The lowest and highest rate per 1,000 of one count over several candidate denominators.

    A count with no agreed denominator has no single rate; the honest report is the range.

    >>> rate_range(300, [100_000, 60_000, 30_000])
    (3.0, 10.0)
    """
    rates = [per_thousand(count, d) for d in denominators]
    if not rates:
        raise ValueError("rate_range needs at least one denominator.")
    return (min(rates), max(rates))


def growth_ratio(new: float, old: float) -> float:
    """How many times larger ``new`` is than ``old`` (2.0 means it doubled).

    >>> growth_ratio(300, 150)
    2.0
    """
    if old == 0:
        raise ValueError("Growth from zero has no ratio.")
    return new / old


def round_sig(x: float, digits: int = 2) -> float:
    """``x`` rounded to ``digits`` significant figures, to avoid false precision.

    >>> round_sig(14.7257, 2)
    15.0
    >>> round_sig(17_508.6, 2)
    18000.0
    """
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def parse_date(text: Any, *, end: bool = False) -> date | None:
    """An ISO date as precise as its source; ``end=True`` reads "2024-06" as 30 June, else 1 June.

    Empty or unreadable text (e.g. "not shown") gives ``None``.

    >>> parse_date("2024-06", end=True)
    datetime.date(2024, 6, 30)
    >>> parse_date("2023")
    datetime.date(2023, 1, 1)
    >>> parse_date(float("nan")) is None
    True
    """
    if not isinstance(text, str):
        return None
    parts = text.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        return None
    if len(numbers) == 3:
        return date(*numbers)
    if len(numbers) == 2:
        y, m = numbers
        return date(y, m, calendar.monthrange(y, m)[1] if end else 1)
    if len(numbers) == 1:
        return date(numbers[0], 12, 31) if end else date(numbers[0], 1, 1)
    return None


def years_between(start: str, end: str) -> float:
    """Length of a period in years, counting both its first and its last day.

    >>> round(years_between("2022-02-24", "2024-12-31"), 3)
    2.853
    """
    a, b = parse_date(start), parse_date(end, end=True)
    if a is None or b is None:
        raise ValueError(f"Both ends of the period must be dates; got {start!r} to {end!r}.")
    return ((b - a).days + 1) / DAYS_PER_YEAR


def per_year(total: float, start: str, end: str) -> float:
    """The average per year implied by a total over a period (a cumulative figure made annual).

    >>> round(per_year(1_000, "2022-01-01", "2023-12-31"))
    500
    """
    return total / years_between(start, end)


def calendar_year(start: Any, end: Any, *, slack_days: int = 5) -> int | None:
    """The year a period covers if it is one calendar year (ending up to ``slack_days`` early), else None.

    Counts "to 29 December" are published before the year ends; they still describe that year.

    >>> calendar_year("2023-01-01", "2023-12-29")
    2023
    >>> calendar_year("2024-01-01", "2024-08-12") is None
    True
    """
    a, b = parse_date(start), parse_date(end, end=True)
    if a is None or b is None or a != date(a.year, 1, 1) or b.year != a.year:
        return None
    return a.year if (date(a.year, 12, 31) - b).days <= slack_days else None


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or (isinstance(x, str) and not x.strip())


def one_row(values, **where: Any) -> Any:
    """The one row of a table (e.g. ``load("figure-values")``) whose columns equal ``where``; an error if not exactly one.

    >>> from course import load
    >>> int(one_row(load("figure-values"), row_id="A22", period_start="2024-01-01")["value"])
    10308
    """
    mask = True
    for key, value in where.items():
        mask = mask & (values[key] == value)
    found = values[mask]
    if len(found) != 1:
        raise LookupError(f"{where} matches {len(found)} rows, not one")
    return found.iloc[0]


def comparison_problems(a: Mapping[str, Any], b: Mapping[str, Any], *, tolerance: float = 0.1) -> list[str]:
    """Why two tidy figures (rows of ``load("figure-values")``) cannot be compared directly.

    An empty list means the two count the same thing, the same way, over periods of similar
    length. Each reason names the difference: measure, basis, country, article, period length,
    and a low-confidence figure (which may be shown, with its label, but not built on).

    >>> a = {"measure": "court_cases_received", "basis": "per_period", "side": "Russia",
    ...      "article": "337", "period_start": "2022-01-01", "period_end": "2022-12-31", "confidence": "medium"}
    >>> comparison_problems(a, dict(a, period_start="2023-01-01", period_end="2023-12-31"))
    []
    >>> comparison_problems(a, dict(a, measure="registered_proceedings", side="Ukraine"))
    ['different measures (court_cases_received vs registered_proceedings)', 'different countries and counting systems (Russia vs Ukraine)']
    """
    found = []
    for key, words in (("measure", "different measures"), ("basis", "different bases"),
                       ("side", "different countries and counting systems")):
        if a.get(key) != b.get(key):
            found.append(f"{words} ({a.get(key)} vs {b.get(key)})")
    art_a, art_b = a.get("article"), b.get("article")
    if not _missing(art_a) and not _missing(art_b) and str(art_a) != str(art_b):
        found.append(f"different articles of the criminal code ({art_a} vs {art_b})")
    elif _missing(art_a) != _missing(art_b):
        found.append("only one of the two says which offence it counts")
    try:
        la = years_between(a.get("period_start"), a.get("period_end"))
        lb = years_between(b.get("period_start"), b.get("period_end"))
    except (ValueError, TypeError):
        found.append("a period is not fully stated")
    else:
        if abs(la - lb) > tolerance * max(la, lb):
            found.append(f"periods of different length ({la:.1f} vs {lb:.1f} years)")
    if "low" in (a.get("confidence"), b.get("confidence")):
        found.append("at least one figure is low confidence")
    return found


def court_cases_by_year(values) -> Any:
    """Russian military courts' national yearly counts of cases received (Art. 337 AWOL and all refusal articles).

    ``values`` is ``load("figure-values")``. Keeps reported (not distorted) rows for Russia whose
    measure is ``court_cases_received`` over one calendar year, for article ``337`` or ``all``,
    and drops single-court counts. Where two sources give a year, both rows stay, newest first:
    the disagreement is part of the data. Columns: year, article, value, row_id, period_end,
    confidence, note.
    """
    v = values[
        (values["side"] == "Russia")
        & (values["role"] == "reported")
        & (values["measure"] == "court_cases_received")
        & (values["basis"] == "per_period")
        & (values["article"].isin(["337", "all"]))
        & ~values["note"].fillna("").str.startswith("One court only")
    ].copy()
    v["year"] = [calendar_year(s, e) for s, e in zip(v["period_start"], v["period_end"])]
    v = v[v["year"].notna()].astype({"year": int, "value": int})
    v = v.sort_values(["article", "year", "period_end"], ascending=[True, True, False])
    return v[["year", "article", "value", "row_id", "period_end", "confidence", "note"]].reset_index(drop=True)


def cumulative_court_cases(values) -> Any:
    """Russian military courts' running totals of cases received since mobilisation (September 2022).

    ``values`` is ``load("figure-values")``. Keeps reported cumulative ``court_cases_received``
    rows for Russia that start in September 2022 and have an end date, for article ``337`` or
    ``all``. A total repeated by a later report (same article, date and value) is kept once,
    under the earlier row. Columns: period_end, date (last day the end can mean), article, value,
    row_id, confidence.
    """
    v = values[
        (values["side"] == "Russia")
        & (values["role"] == "reported")
        & (values["measure"] == "court_cases_received")
        & (values["basis"] == "cumulative")
        & (values["article"].isin(["337", "all"]))
        & values["period_start"].fillna("").str.startswith("2022-09")
        & values["period_end"].notna()
    ].copy()
    v = v.drop_duplicates(["article", "period_end", "value"], keep="first")
    v["date"] = [parse_date(e, end=True) for e in v["period_end"]]
    v = v.astype({"value": int}).sort_values(["article", "date"], ascending=[True, True])
    return v[["period_end", "date", "article", "value", "row_id", "confidence"]].reset_index(drop=True)


def _period(row: Any) -> tuple[date, date]:
    """A denominator row's first and last day; a row without both ends is refused, never read as "always"."""
    a, b = parse_date(row["period_start"]), parse_date(row["period_end"], end=True)
    if a is None or b is None:
        missing = "start" if a is None else "end"
        raise ValueError(
            f"Row {row['row_id']} ({row['unit']}, {row['value']:,.0f}) has no period {missing}: a denominator needs "
            "both, or it would be used for every year. Give it a period_start and a period_end in "
            "data/figures/series_spec.csv."
        )
    return a, b


def _overlap_days(row: Any, year: int) -> int:
    """Days of ``year`` that a denominator row's period covers."""
    a, b = _period(row)
    lo, hi = max(a, date(year, 1, 1)), min(b, date(year, 12, 31))
    return max((hi - lo).days + 1, 0)


def _longest_in(rows, year: int):
    """The row whose period covers most of ``year`` (the first such row where two tie)."""
    days = [_overlap_days(r, year) for _, r in rows.iterrows()]
    return rows.iloc[max(range(len(days)), key=days.__getitem__)]


def denominators(values, year: int) -> Any:
    """Three candidate denominators for a year's Russian court counts, one row each, with their sources.

    ``values`` is ``load("figure-values")``. For ``year``:

    - *authorised strength*: the military personnel set by the decree in force for most of the year;
    - *troops deployed (claimed)*: the officials' figure for troops in the war zone stated that year;
    - *contract recruitment*: the claimed recruits over the longest period reported within the year.

    None is the number of soldiers who could go absent: each answers a different question,
    which is why a rate is reported as a range over all three. Every candidate row must state
    when its period starts and ends; an open-ended row raises ``ValueError`` rather than being
    read as "always". Columns: denominator, value, qualifier, row_id, period_start, period_end,
    confidence, note.

    >>> from course import load
    >>> d = denominators(load("figure-values"), 2023).set_index("denominator")
    >>> int(d.loc["authorised strength", "value"]), d.loc["authorised strength", "row_id"]
    (1150628, 'D12')
    """
    rows = []
    auth = values[(values["measure"] == "strength") & values["unit"].str.contains("military personnel")]
    claimed = values[(values["measure"] == "strength") & (values["unit"] == "troops in the war zone (claimed)")]
    recruits = values[(values["measure"] == "recruits") & values["unit"].str.contains("contract|recruits", regex=True)
                      & ~values["unit"].str.contains("mobilised")]
    for candidates in (auth, claimed, recruits):
        for _, r in candidates.iterrows():
            _period(r)  # every candidate states its period, whichever year is asked for
    if len(auth):
        rows.append(("authorised strength", _longest_in(auth, year)))
    claimed = claimed[[str(e).startswith(str(year)) for e in claimed["period_end"]]]
    if len(claimed):
        rows.append(("troops deployed (claimed)", claimed.iloc[-1]))
    recruits = recruits[recruits["period_start"].fillna("").str.startswith(f"{year}-01")]
    if len(recruits):
        rows.append(("contract recruitment", _longest_in(recruits, year)))
    import pandas as pd

    table = pd.DataFrame([{"denominator": name, **r[["value", "qualifier", "row_id", "period_start", "period_end",
                                                      "confidence", "note"]].to_dict()} for name, r in rows])
    return table.astype({"value": int})
