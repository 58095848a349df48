"""Lesson 04 facts: variants give valid parameters, the prose's numbers match the data, labels are shown."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from course import load
from course.checks import question
from course.checks._engine import evaluate
from course.checks.lesson04 import COMPARISONS, DENOMINATOR_KINDS, MODULE, RATE_YEARS
from course.numbers import court_cases_by_year, denominators, per_thousand, rate_range
from notebook_text import markdown as _markdown, outputs as _outputs, unlabelled_low_confidence
from notebook_text import prose_numbers as _prose_numbers

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04-numbers-and-denominators.ipynb"
ARTICLES = {332, 334, 337, 338, 407, 408}


@pytest.fixture(scope="module")
def nb():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def values():
    return load("figure-values")


def _rates_2024(values):
    count = court_cases_by_year(values).query("article == 'all' and year == 2024")["value"].iloc[0]
    return rate_range(count, denominators(values, 2024)["value"])


def test_every_number_in_the_prose_comes_from_the_data(nb, values):
    v = values
    data = set(v["value"].dropna()) | set(v["value_low"].dropna()) | set(v["value_high"].dropna())
    low, high = _rates_2024(values)
    checked = {
        round(low): True,  # "between about 8 and 23 court cases per 1,000"
        round(high): True,
        30: "30 days" in v.loc[v["row_id"] == "F01", "note"].str.cat(),  # the US Army's definition of a deserter
        33: "глава 33" in load("sourced-sentences").set_index("row_id").loc["A28", "quote"],  # chapter 33
    }
    assert all(checked.values())
    allowed = data | ARTICLES | {MODULE.minutes} | set(checked)
    odd = {n for n in _prose_numbers(nb) if n not in allowed and not (n <= 10 or 1900 <= n <= 2030)}
    assert not odd, f"numbers in the prose that are not in the data: {sorted(odd)}"


def test_statements_in_the_prose_hold(values):
    yearly = court_cases_by_year(values)
    latest = yearly.drop_duplicates(["article", "year"]).set_index(["article", "year"])["value"]
    assert 1.8 <= latest["all", 2024] / latest["all", 2023] <= 2.2  # "roughly doubles"
    a25 = values[(values["row_id"] == "A25") & (values["article"] == "all") & (values["period_end"] == "2025-05")]
    assert a25["value"].iloc[0] >= 10_000  # "court cases alone reach tens of thousands"
    c01 = values[values["row_id"] == "C01"]["value"].iloc[0]
    assert c01 > a25["value"].iloc[0]  # "leaked documents list more soldiers than that"
    ukraine_2023 = values[(values["row_id"] == "E01") & (values["period_start"] == "2023-01-01")
                          & (values["period_end"] == "2023-12-31")]["value"].iloc[0]
    assert ukraine_2023 / latest["all", 2023] >= 3  # "several times larger"
    low, high = _rates_2024(values)
    year_effect = latest["all", 2024] / latest["all", 2023]
    assert high / low > year_effect  # "the denominator moves the rate more than the year does"


def test_two_of_the_six_comparisons_are_valid():
    q = question("04.9")
    valid = q.expected(q.canonical)
    assert len(valid) == 2 and len(COMPARISONS) == 6  # hint 3 says "Two of the six are valid"
    assert all("Ukraine" not in v or "Russia" not in v for v in valid)


@pytest.mark.parametrize("qid", ["04.2", "04.3", "04.4", "04.6"])
def test_variants_give_valid_parameters_and_answers(qid):
    q = question(qid)
    seen = []
    for seed in range(40):
        p = q.variant(np.random.default_rng(seed))
        answer = q.expected(p)
        assert math.isfinite(answer) and answer > 0, (qid, p)
        assert evaluate(q, answer, p).correct
        seen.append(repr(p))
    assert len(set(seen)) > 1, f"{qid}: every learner gets the same variant"


def test_rate_variants_cover_every_year_and_denominator(values):
    q = question("04.6")
    drawn = {(p["year"], p["denominator"]) for p in (q.variant(np.random.default_rng(s)) for s in range(80))}
    assert drawn == {(y, d) for y in RATE_YEARS for d in DENOMINATOR_KINDS}
    for year in RATE_YEARS:
        assert list(denominators(values, year)["denominator"]) == list(DENOMINATOR_KINDS)


def test_rate_answer_matches_a_hand_computation(values):
    p = question("04.6").canonical
    count = court_cases_by_year(values).query("article == 'all' and year == @p['year']")["value"].iloc[0]
    d = denominators(values, p["year"]).set_index("denominator").loc[p["denominator"], "value"]
    assert question("04.6").expected(p) == per_thousand(count, d)


def test_the_2023_variants_use_the_decree_in_force_that_year(values):
    q = question("04.6")
    count = court_cases_by_year(values).query("article == 'all' and year == 2023")["value"].iloc[0]
    assert q.expected({"year": 2023, "denominator": "authorised strength"}) == per_thousand(count, 1_150_628)
    assert q.expected({"year": 2024, "denominator": "authorised strength"}) == per_thousand(
        court_cases_by_year(values).query("article == 'all' and year == 2024")["value"].iloc[0], 1_320_000)


def test_low_confidence_rows_are_never_shown_without_their_label(nb):
    figures = load("figures")
    low = set(figures.loc[figures["confidence"] == "low", "id"])
    problems = unlabelled_low_confidence(nb, low)
    assert not problems, problems


def test_the_leaked_50000_is_shown_in_both_readings_and_graded_in_neither(nb, values):
    from course.checks.lesson04 import PER_YEAR_ROWS
    from course.numbers import years_between

    assert not {r["row_id"] for r in PER_YEAR_ROWS} & {"C01", "G05"}, "the disputed figure is in no learner's exercise"
    for where in PER_YEAR_ROWS:  # every total in the pool has a settled period
        row = values[(values[list(where)] == list(where.values())).all(axis=1)]
        assert len(row) == 1 and row["basis"].iloc[0] == "cumulative" and row["period_start"].notna().all()
    c01 = values[values["row_id"] == "C01"].iloc[0]
    g05 = values[values["row_id"] == "G05"].iloc[0]
    per_year = c01["value"] / years_between(c01["period_start"], c01["period_end"])
    printed = "\n".join(_outputs(nb))
    assert f"at least {int(per_year // 100 * 100):,} a year on average" in printed and per_year >= 17_500
    assert 2.5 < g05["value"] / per_year < 3.5  # "differ by a factor of about three"
    assert "Nothing in the material settles which is right" in " ".join(_markdown(nb))


def test_the_history_table_puts_each_value_under_its_own_army(nb):
    table = next(t for t in _outputs(nb) if "army" in t and "F10" in t)
    lines = [line.split() for line in table.splitlines() if " F10 " in f" {line} "]
    armies = {(parts[2], parts[3]) for parts in lines}  # index, row_id, army, value
    assert {("UK", "40.0"), ("France", "102.0"), ("US", "146.0"), ("USSR", "217000.0")} <= armies


def test_the_period_each_series_covers_is_stated_correctly(values):
    from course.numbers import cumulative_court_cases

    # "the yearly counts at 2024 and the running totals at May 2025"
    assert court_cases_by_year(values)["year"].max() == 2024
    assert cumulative_court_cases(values)["period_end"].max() == "2025-05"
