"""The second annotation pass: its sample, its labels, and the agreement figures the guide and notebook 01 show."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest

from course import article, check, load
from course.checks import question
from course.claims import CLAIM_TYPES, SPECIFICITY, cohen_kappa, ledger
from course.data import info

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01-the-articles-claims.ipynb"
COLUMNS = ["id", "sentence", "claim_type", "quantity", "precision", "source_named", "evidence", "note"]


def _second():
    return load("claims-second-pass").fillna("")


def _aligned(field):
    """Both passes' labels for ``field`` on the 30 sampled sentences; 'claim-bearing' is derived from the type."""
    second = _second()
    first = ledger().loc[second["id"]]
    if field == "claim-bearing":
        return list(first["claim_type"] != "none"), list(second["claim_type"] != "none")
    return list(first[field]), list(second[field])


def _figures(field):
    one, two = _aligned(field)
    n = len(one)
    agree = sum(a == b for a, b in zip(one, two))
    c1, c2 = Counter(one), Counter(two)
    chance = sum(c1[k] * c2[k] for k in c1) / n**2
    return agree, agree / n, chance, (cohen_kappa(one, two) if chance < 1 else None)


FIELDS = ["claim_type", "claim-bearing", "quantity", "precision", "source_named"]


def test_second_pass_is_the_seeded_sample_in_article_order_verbatim():
    sentences = article().sentences
    sample = set(random.Random(2026).sample([s.id for s in sentences], 30))
    second = _second()
    assert list(second.columns) == COLUMNS
    assert list(second["id"]) == [s.id for s in sentences if s.id in sample]
    for _, row in second.iterrows():
        assert row["sentence"] == article().sentence(row["id"]).text


def test_second_pass_labels_are_in_the_guides_vocabularies():
    second = _second()
    assert set(second["claim_type"]) <= set(CLAIM_TYPES)
    assert set(second["quantity"]) <= {"yes", "no"}
    assert set(second["precision"]) <= set(SPECIFICITY)
    assert set(second["source_named"]) <= {"yes", "no"}
    for _, row in second.iterrows():
        assert (row["quantity"] == "yes") == bool(row["precision"]), row["id"]
        assert row["evidence"] and row["note"], row["id"]


def test_manifest_describes_the_second_pass_like_the_ledger():
    mine, ledgers = info("claims-second-pass"), info("claims")
    assert "second annotator" in mine.description and "had not seen the first pass" in mine.description
    assert mine.licence == ledgers.licence


def _guide_table():
    text = load("claims-guide")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.fullmatch(r"`([\w-]+)`.*", cells[0]) if len(cells) == 5 else None
        if m:
            rows[m.group(1)] = cells[1:]
    return rows


def test_guide_reports_the_agreement_cohen_kappa_computes_from_the_two_files():
    rows = _guide_table()
    assert list(rows) == FIELDS
    for field in FIELDS:
        agree, raw, chance, kappa = _figures(field)
        shown_agree, shown_raw, shown_chance, shown_kappa = rows[field]
        assert shown_agree == f"{agree} of 30", field
        assert float(shown_raw) == pytest.approx(raw, abs=0.005), field
        assert float(shown_chance) == pytest.approx(chance, abs=0.005), field
        if kappa is None:
            assert shown_kappa == "undefined", field
        else:
            assert float(shown_kappa) == pytest.approx(kappa, abs=0.005), field


def test_guide_names_every_claim_type_disagreement_with_both_labels():
    text = " ".join(load("claims-guide").split())
    named = {m.group(1): (m.group(2), m.group(3)) for m in re.finditer(r"(S\d\.\d+) \(ledger (\w+), second pass (\w+)\)", text)}
    second = _second()
    first = ledger().loc[second["id"]]
    differ = {i: (first.loc[i, "claim_type"], t) for i, t in zip(second["id"], second["claim_type"]) if first.loc[i, "claim_type"] != t}
    assert named == differ


def _output(cell):
    return "".join("".join(o.get("data", {}).get("text/plain", o.get("text", ""))) for o in cell["outputs"])


def test_notebook_shows_the_agreement_cohen_kappa_computes():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code" and "agreement = pd.DataFrame" in "".join(c["source"]))
    shown = {}
    for line in _output(cell).splitlines()[1:]:
        name, *values = line.split()
        shown[name] = values
    assert list(shown) == FIELDS
    for field in FIELDS:
        agree, raw, chance, kappa = _figures(field)
        a, r, c, k = shown[field]
        assert (int(a), float(r), float(c)) == (agree, pytest.approx(raw, abs=0.005), pytest.approx(chance, abs=0.005))
        assert k == "NaN" if kappa is None else float(k) == pytest.approx(kappa, abs=0.005)


def test_question_01_11_is_cohen_kappa_on_the_aligned_passes_and_names_common_mistakes():
    q = question("01.11")
    field = q.canonical_params()["field"]
    one, two = _aligned(field)
    assert q.expected(q.canonical_params()) == pytest.approx(cohen_kappa(one, two))
    assert check("01.11", round(cohen_kappa(one, two), 2)).correct
    raw = sum(a == b for a, b in zip(one, two)) / len(one)
    assert "raw agreement" in check("01.11", raw).message
    misaligned = cohen_kappa(list(ledger()[field].head(len(two))), two)
    assert "same sentences" in check("01.11", misaligned).message
    assert not check("01.11", 1.0).correct
