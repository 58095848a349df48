"""course.numbers: rates, ranges, periods and comparability, on toy inputs and on the course data."""

from __future__ import annotations

import math
from datetime import date

import pytest

from course import load
from course.numbers import (
    calendar_year,
    comparison_problems,
    court_cases_by_year,
    cumulative_court_cases,
    denominators,
    growth_ratio,
    is_calendar_year,
    parse_date,
    per_thousand,
    per_year,
    pick,
    rate_range,
    round_sig,
    years_between,
)


@pytest.fixture(scope="module")
def values():
    return load("figure-values")


def test_rates_and_ranges():
    assert per_thousand(7, 1000) == 7
    assert math.isclose(per_thousand(1, 3), 1000 / 3)
    assert rate_range(50, [10_000, 5_000, 25_000]) == (2.0, 10.0)


def test_per_thousand_takes_a_whole_column_of_denominators_and_refuses_a_bad_one():
    import pandas as pd

    rates = per_thousand(50, pd.Series({"small": 5_000, "large": 25_000}))
    assert rates.to_dict() == {"small": 10.0, "large": 2.0}  # one rate per denominator, labelled like it
    with pytest.raises(ValueError, match="must be positive"):
        per_thousand(50, pd.Series([5_000, 0]))
    with pytest.raises(ValueError, match="must be positive"):
        per_thousand(50, -1)


def test_pick_finds_exactly_one_row_and_says_how_many_matched_otherwise(values):
    row = pick(values, row_id="C01")
    assert row["row_id"] == "C01" and row["value"] == 50_000
    assert pick(values, {"row_id": "C01"}).equals(row)  # a dictionary, as exercises give it, works the same
    a25 = pick(values, row_id="A25", article="all", measure="court_cases_received", period_end="2025-05")
    assert a25["value"] == 20_538
    either = pick(values, row_id=["E01", "E02"], article="408", period_start="2022-01-01")  # a list: any of these
    assert either["row_id"] == "E02"
    with pytest.raises(LookupError, match="matches 5 rows, not one: add a column"):
        pick(values, row_id="A25", period_end="2025-05")
    with pytest.raises(LookupError, match="matches 0 rows, not one: check the values"):
        pick(values, row_id="Z99")
    with pytest.raises(KeyError, match="no column 'rowid'"):
        pick(values, rowid="C01")


def test_is_calendar_year_keeps_yearly_counts_and_nothing_else(values):
    yearly = values[is_calendar_year(values)]
    assert len(yearly) and all(calendar_year(s, e) for s, e in zip(yearly["period_start"], yearly["period_end"]))
    others = values[~is_calendar_year(values)]
    assert not any(calendar_year(s, e) for s, e in zip(others["period_start"], others["period_end"]))
    assert is_calendar_year(values).index.equals(values.index)  # a column to filter the same table with
    # it finds every row the notebooks' old pattern (1 January to 27-31 December) found, and beyond
    # those only periods given as a bare year ("2024" to "2024"), which are calendar years too
    old = values["period_start"].str.endswith("-01-01").fillna(False) & values["period_end"].str.fullmatch(
        r"\d{4}-12-(2[7-9]|3[01])").fillna(False)
    assert set(values[old].index) <= set(yearly.index)
    extra = yearly.loc[yearly.index.difference(values[old].index)]
    assert len(extra) and all(s == e and len(s) == 4 for s, e in zip(extra["period_start"], extra["period_end"]))
    with pytest.raises(ValueError, match="positive"):
        per_thousand(1, 0)
    with pytest.raises(ValueError, match="at least one"):
        rate_range(1, [])


def test_growth_and_rounding():
    assert growth_ratio(30, 10) == 3
    with pytest.raises(ValueError):
        growth_ratio(3, 0)
    assert round_sig(0.012345, 2) == 0.012
    assert round_sig(98_765, 1) == 100_000
    assert round_sig(0) == 0


@pytest.mark.parametrize("text, end, expected", [
    ("2024-02", True, date(2024, 2, 29)),
    ("2023-02", True, date(2023, 2, 28)),
    ("2024-02", False, date(2024, 2, 1)),
    ("1971", True, date(1971, 12, 31)),
    ("2022-09-21", False, date(2022, 9, 21)),
    ("not shown (2025)", False, None),
    (None, False, None),
])
def test_parse_date_reads_dates_only_as_precise_as_given(text, end, expected):
    assert parse_date(text, end=end) == expected


def test_periods():
    assert math.isclose(years_between("2023", "2023"), 365 / 365.25)
    assert math.isclose(years_between("2024-01-01", "2024-12-31"), 366 / 365.25)
    assert math.isclose(per_year(730.5, "2022-01-01", "2023-12-31"), 365.25, rel_tol=0.002)
    with pytest.raises(ValueError, match="dates"):
        years_between("not shown", "2024")
    assert calendar_year("2022-01-01", "2022-12-31") == 2022
    assert calendar_year("2024-01-01", "2024-12-27") == 2024
    assert calendar_year("2024-01-01", "2024-12-20") is None
    assert calendar_year("2022-02-24", "2022-12-31") is None
    assert calendar_year("2023-01-01", "2024-12-31") is None


def test_comparison_problems_names_each_difference():
    base = {"measure": "court_cases_received", "basis": "per_period", "side": "Russia", "article": "337",
            "period_start": "2023-01-01", "period_end": "2023-12-31", "confidence": "high"}
    assert comparison_problems(base, dict(base)) == []
    assert comparison_problems(base, dict(base, basis="cumulative")) == ["different bases (per_period vs cumulative)"]
    assert "different articles" in comparison_problems(base, dict(base, article="338"))[0]
    assert "only one of the two" in comparison_problems(base, dict(base, article=float("nan")))[0]
    assert "different length" in comparison_problems(base, dict(base, period_end="2023-06-30"))[0]
    assert comparison_problems(base, dict(base, period_end=None)) == ["a period is not fully stated"]
    assert comparison_problems(base, dict(base, confidence="low")) == ["at least one figure is low confidence"]


def test_yearly_series_keeps_both_counts_of_a_disputed_year_newest_first(values):
    yearly = court_cases_by_year(values)
    y2023 = yearly[(yearly["article"] == "337") & (yearly["year"] == 2023)]
    assert list(y2023["row_id"]) == ["A20", "A09"]
    assert y2023["value"].iloc[0] > y2023["value"].iloc[1]
    assert set(yearly["article"]) == {"337", "all"}
    assert not yearly["note"].fillna("").str.startswith("One court only").any()
    for _, r in yearly.iterrows():  # every value is a reported number, unchanged
        assert r["value"] in set(values.loc[(values["row_id"] == r["row_id"]) & (values["role"] == "reported"), "value"])


def test_cumulative_series_rises_and_repeats_are_dropped(values):
    cum = cumulative_court_cases(values)
    for _, part in cum.groupby("article"):
        assert part["value"].is_monotonic_increasing and part["date"].is_monotonic_increasing
    assert not cum.duplicated(["article", "period_end", "value"]).any()
    assert (cum["date"] >= date(2022, 9, 21)).all()


@pytest.mark.parametrize("year", [2023, 2024])
def test_denominators_are_one_per_kind_from_the_right_year(values, year):
    d = denominators(values, year)
    assert list(d["denominator"]) == ["authorised strength", "troops deployed (claimed)", "contract recruitment"]
    assert (d["value"] > 100_000).all()
    claimed = d.set_index("denominator").loc["troops deployed (claimed)"]
    assert str(claimed["period_end"]).startswith(str(year))
    recruits = d.set_index("denominator").loc["contract recruitment"]
    assert str(recruits["period_start"]).startswith(str(year))


def test_2023_uses_the_decree_in_force_for_eleven_of_its_months(values):
    d = denominators(values, 2023).set_index("denominator").loc["authorised strength"]
    assert (d["value"], d["row_id"], d["period_start"], d["period_end"]) == (1_150_628, "D12", "2023-01-01", "2023-11-30")
    assert denominators(values, 2024).set_index("denominator").loc["authorised strength", "value"] == 1_320_000
    assert denominators(values, 2022).set_index("denominator").loc["authorised strength", "value"] == 1_013_628
    assert denominators(values, 2025).set_index("denominator").loc["authorised strength", "value"] == 1_500_000


def test_the_2023_rates_per_1000_follow_the_corrected_denominator(values):
    count = court_cases_by_year(values).query("article == 'all' and year == 2023")["value"].iloc[0]
    d = denominators(values, 2023).set_index("denominator")["value"]
    assert count == 5_517
    assert round(per_thousand(count, d["authorised strength"]), 2) == 4.79  # not 4.18, as under 1,320,000
    assert [round(x, 1) for x in rate_range(count, d)] == [4.8, 12.2]


def test_an_open_ended_denominator_is_refused_not_read_as_always(values):
    v = values.copy()
    v.loc[(v["row_id"] == "D12") & (v["value"] == 1_150_628), "period_end"] = None
    with pytest.raises(ValueError, match=r"Row D12 .* has no period end"):
        denominators(v, 2023)
    v = values.copy()
    v.loc[(v["row_id"] == "D09") & (v["value"] == 422_704), "period_start"] = None
    with pytest.raises(ValueError, match=r"Row D09 .* has no period start"):
        denominators(v, 2025)
