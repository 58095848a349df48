"""Questions for lesson 04, Numbers and denominators: court series, conversions, rates and comparability.

Expected answers are computed from ``figure-values`` with the helpers in :mod:`course.numbers`,
which the notebook uses too, so the lesson and its checks cannot drift apart.
"""

from __future__ import annotations

from course.checks._engine import Module, Question, reflection
from course.checks._mistakes import equals, inverted, when

MODULE = Module(
    id="04",
    slug="numbers-and-denominators",
    title="Numbers and denominators",
    minutes=60,
    objectives={
        "O1": "Read the Russian military-court series: say what each measure counts and why every court count is a minimum.",
        "O2": "Compute growth ratios and convert between cumulative and per-period figures.",
        "O3": "Compute rates per 1,000 under several denominators and report them as a range, not a false precise number.",
        "O4": "Judge when two numbers can be compared, including Russia's court cases and Ukraine's registered proceedings, and historical figures with their confidence labels.",
    },
)


def _values():
    from course.data import load

    return load("figure-values")


def _yearly():
    from course.numbers import court_cases_by_year

    return court_cases_by_year(_values())


def _year_value(article, year):
    """The latest count for one year (the first row: newest period end first)."""
    y = _yearly()
    return int(y[(y["article"] == article) & (y["year"] == year)].iloc[0]["value"])


def _series_row(**where):
    v = _values()
    mask = True
    for k, val in where.items():
        mask = mask & (v[k] == val)
    found = v[mask]
    if len(found) != 1:
        raise LookupError(f"{where} matches {len(found)} rows of figure-values, not one")
    return found.iloc[0]


# --- 04.1 two counts for one year ----------------------------------------------------------------

WHY_TWO_CHOICES = (
    "The later count includes court records that appeared after the first was published",
    "One counts people, the other counts cases",
    "One counts AWOL (art. 337), the other desertion (art. 338)",
    "One of them is a misprint",
)


def _why_two(p):
    from course.data import load

    y = _yearly()
    rows = y[(y["article"] == p["article"]) & (y["year"] == p["year"])]
    full = _values()
    a, b = (full[(full["row_id"] == r) & (full["value"] == v)].iloc[0] for r, v in zip(rows["row_id"], rows["value"]))
    if a["measure"] != b["measure"]:
        return WHY_TWO_CHOICES[1]
    if a["article"] != b["article"]:
        return WHY_TWO_CHOICES[2]
    dates = load("figures").set_index("id")["source_date"]
    newer, older = (a, b) if dates[a["row_id"]] >= dates[b["row_id"]] else (b, a)
    if newer["period_end"] >= older["period_end"] and newer["value"] >= older["value"]:
        return WHY_TWO_CHOICES[0]
    return WHY_TWO_CHOICES[3]


# --- 04.2 growth ratio ---------------------------------------------------------------------------

def _growth_pairs():
    y = _yearly()
    pairs = []
    for article, years in y.groupby("article")["year"]:
        ys = sorted(set(years))
        pairs += [{"article": article, "old": int(a), "new": int(b)} for a, b in zip(ys, ys[1:])]
    return pairs


def _growth(p):
    from course.numbers import growth_ratio

    return growth_ratio(_year_value(p["article"], p["new"]), _year_value(p["article"], p["old"]))


def _used_earlier_count(answer, p):
    y = _yearly()
    for year in (p["old"], p["new"]):
        rows = y[(y["article"] == p["article"]) & (y["year"] == year)]
        if len(rows) > 1:
            new = rows.iloc[-1]["value"] if year == p["new"] else _year_value(p["article"], p["new"])
            old = rows.iloc[-1]["value"] if year == p["old"] else _year_value(p["article"], p["old"])
            if abs(answer - new / old) < 0.005 * new / old:
                return True
    return False


# --- 04.3 cumulative to per-period ---------------------------------------------------------------

def _cumulative():
    from course.numbers import cumulative_court_cases

    return cumulative_court_cases(_values())


def _cumulative_pairs():
    c = _cumulative()
    pairs = []
    for article, group in c.groupby("article"):
        ends = list(group["period_end"])
        pairs += [{"article": article, "earlier": a, "later": b} for a, b in zip(ends, ends[1:])]
    return pairs


def _total_at(article, end):
    c = _cumulative()
    return int(c[(c["article"] == article) & (c["period_end"] == end)].iloc[0]["value"])


def _added(p):
    return _total_at(p["article"], p["later"]) - _total_at(p["article"], p["earlier"])


# --- 04.4 a total over a period, per year --------------------------------------------------------

#: Running totals whose period is settled by their own rows: Russia's court cases and Ukraine's
#: registered proceedings. The leaked 50,000 (C01) is not among them: its relays disagree about
#: whether it covers the war or 2024 alone, and the notebook shows both readings instead.
PER_YEAR_ROWS = (
    {"row_id": "A25", "measure": "court_cases_received", "article": "all", "period_end": "2025-05"},
    {"row_id": "A23", "measure": "court_cases_received", "article": "all"},
    {"row_id": "A21", "measure": "court_cases_received", "article": "all"},
    {"row_id": "E05", "measure": "registered_proceedings", "article": "407+408"},
)


def _per_year(p):
    from course.numbers import per_year

    r = _series_row(**p["row"])
    return per_year(r["value"], r["period_start"], r["period_end"])


def _whole_years_only(answer, p):
    r = _series_row(**p["row"])
    span = int(str(r["period_end"])[:4]) - int(str(r["period_start"])[:4])
    return span > 0 and abs(answer - r["value"] / span) < 1


# --- 04.5 and 04.6 rates per 1,000 ---------------------------------------------------------------

DENOMINATOR_KINDS = ("authorised strength", "troops deployed (claimed)", "contract recruitment")
RATE_YEARS = (2023, 2024)


def _denominators(year):
    from course.numbers import denominators

    return denominators(_values(), year).set_index("denominator")["value"]


def _rate(p):
    from course.numbers import per_thousand

    return per_thousand(_year_value("all", p["year"]), _denominators(p["year"])[p["denominator"]])


def _other_denominator(answer, p):
    from course.numbers import per_thousand

    count = _year_value("all", p["year"])
    for name, d in _denominators(p["year"]).items():
        if name != p["denominator"] and abs(answer - per_thousand(count, d)) < 0.01 * per_thousand(count, d):
            return True
    return False


def _spread(p):
    from course.numbers import rate_range

    low, high = rate_range(_year_value("all", p["year"]), _denominators(p["year"]))
    return high / low


def _per_1000_reference(p):
    from course.numbers import per_thousand

    return per_thousand


def _per_1000_cases(p):
    cases = [(_year_value("all", y), d) for y in RATE_YEARS for d in _denominators(y)]
    return cases + [(0, 1000), (1, 1000)]


# --- 04.8 the measure behind a headline ---------------------------------------------------------

HEADLINE_CHOICES = (
    ("Mediazona's yearly counts of cases for 2023 and 2024 (A22)", ("A22",)),
    ("Mediazona's running totals since mobilisation, to June 2024 and to May 2025 (A21, A25)", ("A21", "A25")),
    ("Ukraine's registered AWOL proceedings for 2023 and 2024 (E01, E04)", ("E01", "E04")),
    ("The names on two leaked wanted lists (C03)", ("C03",)),
)


def _supports_headline(rows, years=(2023, 2024)):
    from course.numbers import calendar_year

    v = _values()
    v = v[v["row_id"].isin(rows) & (v["side"] == "Russia") & (v["measure"] == "court_cases_received")
          & (v["basis"] == "per_period") & (v["role"] == "reported")]
    covered = {calendar_year(s, e) for s, e in zip(v["period_start"], v["period_end"])}
    return set(years) <= covered


def _headline_measure(p):
    fits = [text for text, rows in HEADLINE_CHOICES if _supports_headline(rows)]
    return fits[0] if len(fits) == 1 else None


# --- 04.9 valid comparisons ----------------------------------------------------------------------

COMPARISONS = (
    ("Russia's AWOL cases received in 2022 (A09) with those in 2023 (A20)",
     {"row_id": "A09", "period_start": "2022-01-01"}, {"row_id": "A20", "period_start": "2023-01-01"}),
    ("Russia's cases received in 2023 (A22) with Ukraine's registered AWOL proceedings in 2023 (E01)",
     {"row_id": "A22", "period_start": "2023-01-01"}, {"row_id": "E01", "period_start": "2023-01-01", "period_end": "2023-12-31"}),
    ("Russia's cases handled in 2024 (A22) with the running total since mobilisation to June 2024 (A21)",
     {"row_id": "A22", "period_start": "2024-01-01"}, {"row_id": "A21", "article": "all", "measure": "court_cases_received"}),
    ("Ukraine's registered AWOL proceedings in 2022 with those in 2023 (both E04)",
     {"row_id": "E04", "period_start": "2022-01-01", "period_end": "2022-12-31"}, {"row_id": "E04", "period_start": "2023-01-01"}),
    ("Mediazona's running total of cases to May 2025 (A25) with 'at least 50,000 soldiers fled' from leaked documents (C01)",
     {"row_id": "A25", "article": "all", "period_end": "2025-05", "measure": "court_cases_received"}, {"row_id": "C01"}),
    ("The Vietnam-era US desertion peak (F03) with the share of Russian troops said to desert (C04), both low confidence",
     {"row_id": "F03"}, {"row_id": "C04", "measure": "rate"}),
)


def _valid_comparisons(p):
    from course.numbers import comparison_problems

    texts = [text for text, _, _ in COMPARISONS]
    return [text for text, (a, b) in zip(texts, p["pairs"]) if not comparison_problems(_series_row(**a), _series_row(**b))]


QUESTIONS = (
    Question(
        id="04.1",
        prompt="Two numbers are given for the AWOL cases received in one year. Why do they differ?",
        kind="choice",
        objective="O1",
        choices=WHY_TWO_CHOICES,
        expected=_why_two,
        canonical={"article": "337", "year": 2023},
        hints=(
            "Compare the two rows' measure, article, period end and publication date.",
            "Which row was published later, and does its period end later?",
        ),
        why="Court counts grow as late records appear: cite a count with its date, and expect later versions to be higher.",
    ),
    Question(
        id="04.2",
        prompt="How many times larger is the later year's count than the earlier year's?",
        kind="number",
        objective="O2",
        unit="times (a ratio)",
        rel_tol=0.01,
        expected=_growth,
        canonical={"article": "337", "old": 2022, "new": 2023},
        variant=lambda rng: _growth_pairs()[int(rng.integers(len(_growth_pairs())))],
        mistakes=(
            inverted("inverted-ratio", "Upside down: growth is the later count divided by the earlier one.", rel=0.05),
            equals("percent-for-ratio", "That is a percent change; the question asks for a ratio (2 means doubled).",
                   lambda p, e: (e - 1) * 100, abs=0.5),
            when("superseded-count", "You used the earlier count for a year that has two: take the later, full-year "
                 "count (the first row of that year in the table).", lambda a, p: _used_earlier_count(a, p)),
        ),
        hints=(
            "Find your two years in the yearly table, for your article.",
            "Where a year has two rows, use the first (the newest, full-year count).",
            "ratio = count in the later year / count in the earlier year",
        ),
        why="A ratio says how fast something grew without hiding behind a big absolute number.",
    ),
    Question(
        id="04.3",
        prompt="How many cases were added between the two running totals?",
        kind="number",
        objective="O2",
        unit="court cases",
        expected=_added,
        canonical={"article": "all", "earlier": "2024-06", "later": "2025-05"},
        variant=lambda rng: _cumulative_pairs()[int(rng.integers(len(_cumulative_pairs())))],
        mistakes=(
            equals("running-total-as-period", "That is the later running total itself; subtract the earlier total to "
                   "get the cases added in between.", lambda p: _total_at(p["article"], p["later"])),
            equals("totals-added", "Adding two running totals counts the early cases twice: subtract instead.",
                   lambda p: _total_at(p["article"], p["later"]) + _total_at(p["article"], p["earlier"])),
        ),
        hints=(
            "A running total (cumulative) includes everything before it.",
            "Find your two dates in the cumulative table, for your article.",
            "added = later total - earlier total",
        ),
        why="Differences of running totals give counts per period, the only kind you can compare month with month.",
    ),
    Question(
        id="04.4",
        prompt="What average per year does the total imply over its whole period?",
        kind="number",
        objective="O2",
        unit="per year",
        rel_tol=0.03,
        expected=_per_year,
        canonical={"row": dict(PER_YEAR_ROWS[0])},
        variant=lambda rng: {"row": dict(PER_YEAR_ROWS[int(rng.integers(len(PER_YEAR_ROWS)))])},
        variant_version=2,  # 2: C01 (the leaked 50,000, period disputed) left the pool; A21 and E05 joined it
        mistakes=(
            equals("cumulative-as-annual", "That is the total for the whole period, not a yearly figure: divide it by "
                   "the period's length in years.", lambda p: _series_row(**p["row"])["value"]),
            when("calendar-years-only", "Subtracting the years' numbers ignores the months: measure the period from its "
                 "start date to its end date.", lambda a, p: _whole_years_only(a, p)),
        ),
        hints=(
            "Look at the row's period_start and period_end: how long is the period?",
            "years_between(start, end) gives the length in years; divide the total by it.",
            "per_year(value, period_start, period_end)",
        ),
        why="A total since the invasion is not a yearly figure; dividing by the period's length puts it on a yearly footing.",
    ),
    Question(
        id="04.5",
        prompt="Write per_1000(count, denominator): the count per 1,000 of the denominator.",
        kind="function",
        objective="O3",
        expected=_per_1000_reference,
        cases=_per_1000_cases,
        hidden=True,
        hints=(
            "A rate per 1,000 is the share of the denominator, times 1,000.",
            "count / denominator gives a fraction; multiply it by 1,000.",
            "return count / denominator * 1000",
        ),
        why="Writing the rate once as a function means every later rate is computed the same way.",
    ),
    Question(
        id="04.6",
        prompt="What is the year's rate of court cases per 1,000 under your denominator?",
        kind="number",
        objective="O3",
        unit="cases per 1,000",
        rel_tol=0.01,
        expected=_rate,
        canonical={"year": 2024, "denominator": "troops deployed (claimed)"},
        variant=lambda rng: {"year": int(rng.choice(RATE_YEARS)), "denominator": str(rng.choice(DENOMINATOR_KINDS))},
        mistakes=(
            when("other-denominator", "That is the rate under another denominator: use the row your exercise names.",
                 lambda a, p: _other_denominator(a, p)),
        ),
        hints=(
            "The count is the year's all-articles row in the yearly table; the denominator is in the year's denominator table.",
            "Use your per_1000 function (or count / denominator * 1000).",
            "per_1000(count, denominators.loc[your denominator, \"value\"])",
        ),
        why="The same count gives different rates under different denominators; say which one you used.",
    ),
    Question(
        id="04.7",
        prompt="Across the three denominators, how many times larger is the highest rate than the lowest?",
        kind="number",
        objective="O3",
        unit="times (a ratio)",
        rel_tol=0.01,
        expected=_spread,
        canonical={"year": 2024},
        mistakes=(
            when("difference-for-ratio", "That looks like a difference, not a ratio: divide the highest rate by the "
                 "lowest.", lambda a, e, p: a > 3 * e),
        ),
        hints=(
            "Compute the rate under each of the year's three denominators.",
            "The highest rate comes from the smallest denominator.",
            "highest / lowest (or largest denominator / smallest denominator: the count cancels)",
        ),
        why="When the choice of denominator changes a rate this much, one precise figure would be false precision.",
    ),
    Question(
        id="04.8",
        prompt="Which figures support the headline 'Cases against soldiers who refuse to serve nearly doubled in 2024'?",
        kind="choice",
        objective="O1",
        choices=tuple(text for text, _ in HEADLINE_CHOICES),
        expected=_headline_measure,
        hints=(
            "The headline compares two calendar years in one country's courts.",
            "Running totals overlap and other countries count other things.",
        ),
        why="A headline about a change between years needs two per-year counts of the same thing.",
    ),
    Question(
        id="04.9",
        prompt="Which of these comparisons are valid as they stand?",
        kind="choices",
        objective="O4",
        choices=tuple(text for text, _, _ in COMPARISONS),
        expected=_valid_comparisons,
        canonical={"pairs": [(a, b) for _, a, b in COMPARISONS]},
        hints=(
            "For each pair ask: same measure? same basis (per period or cumulative)? same country's counting rules? periods of similar length?",
            "A registered proceeding is not a court case, and a case is not a soldier.",
            "Two of the six are valid.",
        ),
        why="Most misleading comparisons put side by side two numbers that count different things.",
    ),
    reflection(
        "04.10",
        "Someone posts that one army has far more deserters than the other, comparing Russia's court cases with Ukraine's registered proceedings. What would you reply?",
        objective="O4",
        min_words=40,
    ),
)
