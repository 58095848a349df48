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
    parse_date,
    per_thousand,
    per_year,
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
