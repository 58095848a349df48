"""Lesson 03 facts: variants are valid, the chain and the cases agree with the data, labels are shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from course import load
from course.checks import question
from course.checks._engine import evaluate
from course.checks.lesson03 import DISTORTION_POOLS, MODULE, PARTIES, _checker_countries
from notebook_text import markdown as _markdown, outputs as _outputs, unlabelled_low_confidence

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03-sources-and-evidence.ipynb"
ARTICLES = {332, 334, 337, 338, 407, 408}


@pytest.fixture(scope="module")
def nb():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def prose_numbers(nb):
    """Numbers written in the notebook's prose (not row ids like A25 or exercise ids like 03.4)."""
    found = set()
    for text in _markdown(nb):
        text = re.sub(r"\b\d\d\.\d+\b", " ", text)  # exercise ids
        for m in re.finditer(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?(?![\w])", text):
            found.add(float(m.group().rstrip(",").replace(",", "")))
    return found


def data_numbers():
    v = load("figure-values")
    return set(v["value"].dropna()) | set(v["value_low"].dropna()) | set(v["value_high"].dropna())


def test_every_number_in_the_prose_comes_from_the_data(nb):
    allowed = data_numbers() | ARTICLES | {MODULE.minutes}
    odd = {n for n in prose_numbers(nb) if n not in allowed and not (n <= 10 or 1900 <= n <= 2030)}
    assert not odd, f"numbers in the prose that are not in the data: {sorted(odd)}"


def test_low_confidence_rows_are_never_shown_without_their_label(nb):
    figures = load("figures")
    # In this lesson "Dnn" names a distortion case, never a denominator row (those appear in lesson 04).
    low = {r for r in figures.loc[figures["confidence"] == "low", "id"] if not r.startswith("D")}
    problems = unlabelled_low_confidence(nb, low)
    assert not problems, problems


def test_distortion_variants_give_one_case_of_each_kind():
    q = question("03.6")
    cases = load("distortions").set_index("case_id")
    for seed in range(30):
        p = q.variant(np.random.default_rng(seed))
        assert len(p["cases"]) == len(set(p["cases"])) == len(DISTORTION_POOLS)
        assert {cases.loc[c, "distortion"] for c in p["cases"]} == set(DISTORTION_POOLS)
        assert evaluate(q, q.expected(p), p).correct
    for kind, pool in DISTORTION_POOLS.items():
        assert all(cases.loc[c, "distortion"] == kind for c in pool)


def test_the_traced_chain_runs_from_the_origin_to_the_misprint():
    chain = question("03.4").expected(question("03.4").canonical)
    d01 = load("distortions").set_index("case_id").loc["D01"]
    assert chain[0] == d01["original_row"] and chain[-1] == d01["distorted_row"] and len(chain) == 3


def test_state_linked_sources_and_fact_checks_come_from_both_sides():
    cards = load("source-cards").set_index("source_id")
    state = question("03.2").expected({})
    assert {cards.loc[s, "country"] for s in state} == set(PARTIES)
    checks = question("03.7").expected(question("03.7").canonical)
    assert _checker_countries(checks) == set(PARTIES)


def test_the_impossible_move_follows_the_metadata():
    meta = load("article-metadata")
    assert meta["author"] == meta["outlet"] == "none given"
    assert question("03.1").expected({}).startswith("Investigate")
