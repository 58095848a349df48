"""The sourced-figure data (data/figures/): every number traceable, every reference resolvable.

These tests read only through ``course.data`` (no path to ../shared): the frozen snapshot is
``figures``; everything else must agree with it.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

from course import data

CONFIDENCE = {"high", "medium", "low"}
FIGURE_COLUMNS = [
    "id", "figure", "unit", "what_counts", "period_start", "period_end", "side",
    "source_publisher", "source_title", "source_date", "source_url", "quote", "confidence",
]
SOURCE_TYPES = {
    "independent media", "private media", "state media", "state-funded broadcaster",
    "government or agency", "NGO", "OSINT group", "aggregator or mirror", "fact-checker",
    "academic or book",
}
DISTORTIONS = {
    "transcription_error", "requests_as_outcomes", "cumulative_as_annual", "scope_changed",
    "label_drift", "awol_as_desertion", "dropped_hedge", "inflated_or_unsourced", "state_fact_check", "period_disputed",
}
QUALIFIERS = {"exact", "approx", "at_least", "more_than", "up_to", "range"}
CLAIM_FIELDS = {"figure", "quote", "source_title"}


def _script(name: str):
    """Import a generator script that lives beside the data (it is not part of the package)."""
    path = data.path("figures").parent / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_figures_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def figures() -> pd.DataFrame:
    return data.load("figures")


@pytest.fixture(scope="module")
def rows(figures) -> dict[str, dict]:
    # Raw strings exactly as stored: the verbatim checks must not see pandas' conversions.
    return {r["id"]: r for r in _script("make_series")._read_csv(data.path("figures"))}


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    return data.load("figure-values")


# --- the snapshot ---------------------------------------------------------------------


def test_every_row_parses_with_the_expected_columns(figures, rows):
    assert list(figures.columns) == FIGURE_COLUMNS
    assert len(figures) == len(rows) == 124
    assert figures["id"].is_unique
    assert figures["id"].str.fullmatch(r"[A-G]\d{2}").all()


def test_no_row_lacks_a_source_url(figures):
    urls = figures["source_url"].fillna("")
    assert (urls.str.startswith(("http://", "https://"))).all(), figures.loc[urls == "", "id"].tolist()


def test_confidence_is_high_medium_or_low(figures, series):
    assert set(figures["confidence"]) <= CONFIDENCE
    assert set(series["confidence"]) <= CONFIDENCE


# --- the series -----------------------------------------------------------------------


def test_make_series_verification_passes_and_regenerates_identically():
    ms = _script("make_series")
    text = ms.render(ms.build(data.path("figures"), data.path("figure-series-spec")))
    assert text == data.path("figure-values").read_text(encoding="utf-8")


def test_every_value_literal_appears_in_its_source_row(series, rows):
    ms = _script("make_series")
    for r in series.itertuples():
        source = rows[r.row_id][r.field]
        assert source.count(r.literal) == 1, (r.row_id, r.literal)
        value, low, high, qualifier = ms.parse_literal(r.literal)
        assert qualifier == r.qualifier, (r.row_id, r.literal)
        if qualifier == "range":
            assert pd.isna(r.value) and float(low) == r.value_low and float(high) == r.value_high
        else:
            assert float(value) == r.value and pd.isna(r.value_low) and pd.isna(r.value_high)


def test_series_rows_exist_and_copy_side_and_confidence(series, rows):
    assert set(series["row_id"]) <= set(rows)
    for r in series.itertuples():
        assert r.confidence == rows[r.row_id]["confidence"]
        assert (r.side if isinstance(r.side, str) else "") == rows[r.row_id]["side"]


def test_series_vocabularies(series):
    ms = _script("make_series")
    assert set(series["qualifier"]) <= QUALIFIERS
    assert set(series["measure"]) <= ms.MEASURES
    assert set(series["article"].fillna("").astype(str)) <= ms.ARTICLES
    assert set(series["basis"]) <= ms.BASES
    assert set(series["role"]) <= ms.ROLES
    assert series["unit"].notna().all()


def test_distorted_values_come_only_from_section_g(series):
    assert series.loc[series["role"] != "reported", "row_id"].str.startswith("G").all()


def test_required_rows_are_covered(series):
    covered = set(series["row_id"])
    required = {
        "A09", "A10", "A12", "A18", "A19", "A22", "A23", "A25",  # court series and cumulative counts
        "E01", "E02", "E04", "E05", "E06", "E07",  # Ukrainian proceedings
        "D01", "D02", "D03", "D04", "D06", "D07", "D08", "D09",  # denominators
        "G01", "G02", "G03", "G05", "G06", "G09", "G10", "G11",  # distortions
        "C10", "C15", "C16", "C17", "C18",  # hotline and NGO requests
        "F01", "F02", "F03", "F04",  # history
    }
    assert required <= covered, sorted(required - covered)


def test_notes_only_cite_existing_rows(series, rows):
    for note in series["note"].dropna():
        assert set(re.findall(r"\b[A-G]\d{2}\b", note)) <= set(rows), note


@pytest.mark.parametrize(
    ("literal", "problem"),
    [
        ("900 criminal cases", "just before the literal"),  # drops "approximately" (A15)
        ("901 criminal cases", "occurs 0 times"),  # a number not in the row
    ],
)
def test_make_series_fails_loudly_on_a_bad_spec(tmp_path, literal, problem):
    ms = _script("make_series")
    spec = tmp_path / "spec.csv"
    spec.write_text(
        ",".join(ms.SPEC_COLUMNS) + "\n"
        f"A15,quote,{literal},court_cases_heard,ch33,criminal cases,,2022-02-24,2023-01,cumulative,reported,\n",
        encoding="utf-8",
    )
    with pytest.raises(ms.SpecError, match=problem):
        ms.build(data.path("figures"), spec)


def test_a_denominator_without_both_ends_of_its_period_is_refused(tmp_path):
    ms = _script("make_series")
    spec = tmp_path / "spec.csv"
    spec.write_text(
        ",".join(ms.SPEC_COLUMNS) + "\n"
        'D13,figure,"1,320,000 servicemen",strength,,military personnel (authorised),,2023-12-01,,stock,reported,\n',
        encoding="utf-8",
    )
    with pytest.raises(ms.SpecError, match="a strength value is a denominator"):
        ms.build(data.path("figures"), spec)


def test_a_value_of_a_row_about_several_armies_must_name_its_army(tmp_path):
    ms = _script("make_series")
    spec = tmp_path / "spec.csv"
    spec.write_text(",".join(ms.SPEC_COLUMNS) + '\nF07,figure,"~100,000 British",people,,deserters,,1939,1945,cumulative,reported,\n',
                    encoding="utf-8")
    with pytest.raises(ms.SpecError, match="name the one this value is about"):
        ms.build(data.path("figures"), spec)


def test_each_value_says_whose_army_it_is_about(series, rows):
    assert series["army"].notna().all() and not series["army"].str.contains("/").any()
    assert set(series.loc[series["row_id"] == "F10", "army"]) == {"USSR", "UK", "France", "US"}
    f10 = series[series["row_id"] == "F10"].set_index("literal")["army"]
    assert (f10["UK 40"], f10["France 102"], f10["US 146"]) == ("UK", "France", "US")
    mixed = {"F07", "F09", "F10", "F13"}  # rows whose values are about several armies (F10's side says only USSR)
    assert set(series.loc[series["army"] != series["side"], "row_id"]) <= mixed
    single = series[~series["row_id"].isin(mixed)]
    assert (single["army"] == single["side"]).all()


def test_every_denominator_value_has_a_start_and_an_end(series):
    strength = series[series["measure"].isin(["strength", "recruits"])]
    assert strength["period_start"].notna().all() and strength["period_end"].notna().all()
    decrees = strength[strength["unit"] == "military personnel (authorised)"].sort_values("period_start")
    # the decrees follow each other: 1,013,628 (2017), 1,150,628 (2023), 1,320,000 (Dec 2023), 1,500,000 (Dec 2024)
    assert list(dict.fromkeys(decrees["value"].astype(int))) == [1_013_628, 1_150_628, 1_320_000, 1_500_000]


# --- distortions, source cards, sentences --------------------------------------------


def test_every_distortion_case_references_existing_rows_verbatim(rows):
    cases = data.load("distortions")
    assert cases["case_id"].is_unique
    assert set(cases["distortion"]) <= DISTORTIONS
    assert set(cases["original_relation"]) <= {"origin", "same_row", "comparison"}
    for c in cases.itertuples():
        for side in ("distorted", "original"):
            row_id, field = getattr(c, f"{side}_row"), getattr(c, f"{side}_field")
            assert row_id in rows, (c.case_id, row_id)
            assert field in CLAIM_FIELDS
            assert getattr(c, f"{side}_claim") in rows[row_id][field], (c.case_id, side)
        assert isinstance(c.explanation, str) and c.explanation
        assert set(re.findall(r"\b[A-G]\d{2}\b", c.explanation)) <= set(rows), c.case_id


def test_every_source_card_is_backed_by_existing_rows(rows):
    cards = data.load("source-cards")
    assert 25 <= len(cards) <= 50  # one card per body, on both sides
    assert cards["source_id"].is_unique
    assert set(cards["type"]) <= SOURCE_TYPES
    for c in cards.itertuples():
        ids = c.row_ids.split(";")
        assert set(ids) <= set(rows), (c.source_id, set(ids) - set(rows))
        assert c.url in {rows[i]["source_url"] for i in ids}, c.source_id
        for col in ("name", "country", "relation_to_conflict", "how_they_count", "known_limitations"):
            assert isinstance(getattr(c, col), str) and getattr(c, col), (c.source_id, col)


def test_source_cards_cover_state_outlets_and_fact_checkers_on_both_sides():
    cards = data.load("source-cards")
    kinds = {(t, country) for t, country in zip(cards["type"], cards["country"])}
    assert {("state media", "Russia"), ("state media", "Ukraine")} <= kinds
    assert {("government or agency", "Russia"), ("government or agency", "Ukraine")} <= kinds
    assert {("fact-checker", "Russia"), ("fact-checker", "Ukraine")} <= kinds


def test_sourced_sentences_are_the_verbatim_quotes(rows):
    ms = _script("make_sentences")
    assert ms.render(data.path("figures")) == data.path("sourced-sentences").read_text(encoding="utf-8")
    sentences = data.load("sourced-sentences")
    assert len(sentences) == sum(1 for r in rows.values() if r["quote"].strip())
    with data.path("sourced-sentences").open(encoding="utf-8", newline="") as f:
        raw = {r["row_id"]: r for r in ms.csv.DictReader(f)}
    for row_id, r in raw.items():
        assert r["quote"] == rows[row_id]["quote"]
        assert r["url"] == rows[row_id]["source_url"]


def test_row_notes_are_the_compiler_s_notes_unchanged():
    mn = _script("make_notes")
    assert mn.render(data.path("figures-compiler-notes")) == data.path("row-notes").read_text(encoding="utf-8")
    notes = data.load("row-notes")
    text = data.load("figures-compiler-notes")
    assert notes["row_id"].is_unique and len(notes) > 100
    for r in notes.itertuples():
        assert f"- **{r.row_id}** – {r.note}" in text


def test_every_mention_of_the_compiler_s_notes_can_be_looked_up(rows):
    """A file that rests on "the compiler's notes" names a row whose note is shipped in row_notes.csv."""
    noted = set(data.load("row-notes")["row_id"])
    texts = [(r.row_id, r.note) for r in data.load("figure-series-spec").itertuples() if isinstance(r.note, str)]
    texts += [(c.distorted_row, c.explanation) for c in data.load("distortions").itertuples()]
    cards = data.load("source-cards")
    texts += [(ids.split(";")[0], " ".join(str(x) for x in r)) for ids, r in zip(cards["row_ids"], cards.itertuples())]
    mentions = [(row, t) for row, t in texts if "compiler's note" in t]
    assert mentions
    for row, t in mentions:
        cited = set(re.findall(r"\b[A-G]\d{2}\b", t)) | {row}
        assert cited & noted, (row, t)


def test_notes_are_listed():
    text = data.load("figures-notes")
    assert "never" in text.lower() and "minimum" in text.lower()
    assert Path(data.path("figures-notes")).suffix == ".md"
