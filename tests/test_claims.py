"""The claims ledger and the helpers module 01 rests on."""

import pytest

from course import article
from course.claims import CLAIM_TYPES, SPECIFICITY, cohen_kappa, ledger, specificity


def test_ledger_covers_every_sentence_verbatim():
    table = ledger()
    a = article()
    assert list(table["id"]) == [s.id for s in a.sentences]
    for s in a.sentences:
        row = table.loc[s.id]
        assert row["sentence"] == s.text and (row["section"], row["position"]) == (s.section, s.position)


def test_ledger_labels_follow_the_guide():
    table = ledger()
    assert set(table["claim_type"]) <= set(CLAIM_TYPES)
    assert set(table["precision"]) <= set(SPECIFICITY)
    for _, row in table.iterrows():
        assert (row["quantity"] == "yes") == bool(row["precision"]) == bool(row["quantity_phrase"])
        assert row["quantity_phrase"] in row["sentence"]
        assert row["evidence_needed"] and row["theme"]
    assert set(table["source_named"]) == {"no"}, "the article names no source"
    assert (table.loc["S3.4", "precision"], table.loc["S3.4", "quantity_phrase"]) == ("magnitude", "potentially thousands of soldiers")


def test_kappa_against_hand_computed_values():
    # 10 items, 8 agree (items 6 and 10 differ) -> p_o = 0.8; 'a' is 6 of 10 in both, 'b' 4 of 10
    # p_e = 0.6*0.6 + 0.4*0.4 = 0.52 -> kappa = (0.8 - 0.52) / (1 - 0.52) = 0.28 / 0.48 = 0.58333
    first = list("aaaaaabbbb")
    second = list("aaaaabbbba")
    assert cohen_kappa(first, second) == pytest.approx(0.28 / 0.48)
    assert cohen_kappa(["a"] * 3, ["a"] * 3) == 1.0
    with pytest.raises(ValueError, match="same items"):
        cohen_kappa(["a"], [])
    with pytest.raises(ValueError, match="at least one"):
        cohen_kappa([], [])


def test_specificity_order_and_errors():
    assert sorted(["vague", "", "number", "magnitude"], key=specificity) == ["number", "magnitude", "vague", ""]
    with pytest.raises(ValueError, match="precision must be one of"):
        specificity("exact")
