"""course.factcheck: validation names each fault and what to do; exports cite every row and escape text."""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from html import escape

import pytest

from course import load
from course.factcheck import (
    INVENTED_EXAMPLE,
    MIN_JUSTIFICATION_WORDS,
    VERDICTS,
    FactCheck,
    Verdict,
    claims_from_text,
    factcheck,
    invented_claims,
    preview,
    validate,
    verdict,
)

PARAGRAPH = ("Reports in several outlets say the counts rose in 2023, and the rows show the courts' numbers "
             "rising that year at medium and high confidence.")
# what a message must do besides naming the fault: tell the learner what to do next
DO = re.compile(r"\b(add|use|give|write|check|choose|list|keep|create|save|change|split|did you mean)\b", re.I)


@pytest.fixture(scope="module")
def figures():
    return load("figures").set_index("id")


def _good(*extra):
    return factcheck(
        "A fact-check",
        verdict("S3.4", "supported", ["A22", "A09"], PARAGRAPH),
        verdict("S2.10a", "unsupported", "D11", PARAGRAPH, claim="low pay"),
        verdict("S3.18", "cannot be checked", "A22, A25", PARAGRAPH),
        *extra,
    )


def _only(problems, phrase):
    hits = [p for p in problems if phrase in p]
    assert len(hits) == 1, problems
    assert DO.search(hits[0]), f"the message does not say what to do: {hits[0]!r}"
    return hits[0]


def test_a_valid_fact_check_has_no_problems():
    assert _good().validate() == []
    assert validate(_good(), min_verdicts=3, max_verdicts=3, cover=["S3.4", "S2.10", "S3.18"]) == []


def test_claim_text_is_filled_in_from_the_article_also_for_a_part_of_a_sentence():
    from course.article import article

    text = {s.id: s.text for s in article().sentences}
    fc = _good()
    assert fc.verdicts[0].claim == text["S3.4"]
    assert fc.verdicts[1].claim == "low pay"  # given explicitly
    assert factcheck("t", verdict("S2.10b", "supported", "B06", PARAGRAPH)).verdicts[0].claim == text["S2.10"]


def test_evidence_is_parsed_from_strings_and_lists_and_normalised():
    assert verdict("S3.4", "supported", "a22, A09;A25", "").evidence == ("A22", "A09", "A25")
    assert verdict("S3.4", "supported", [" a22 "], "").evidence == ("A22",)
    assert verdict("S3.4", " Supported ", None, "").evidence == ()
    assert verdict("S3.4", " Supported ", None, "").verdict == "supported"


@pytest.mark.parametrize("make, phrase", [
    (lambda: replace(_good(), title=""), "no title"),
    (lambda: _good(verdict("S3.9", "supported", [], PARAGRAPH)), "cites no evidence"),
    (lambda: _good(verdict("S3.9", "supported", ["A2"], PARAGRAPH)), "which is not a row of"),
    (lambda: _good(verdict("S3.9", "supported", ["A22", "A22"], PARAGRAPH)), "more than once"),
    (lambda: _good(verdict("S3.9", "suported", ["A22"], PARAGRAPH)), "is not a verdict"),
    (lambda: _good(verdict("S3.9", ..., ["A22"], PARAGRAPH)), "has no verdict"),
    (lambda: _good(verdict("S9.9", "supported", ["A22"], PARAGRAPH)), "is not one of the claims"),
    (lambda: _good(verdict("", "supported", ["A22"], PARAGRAPH)), "has no claim id"),
    (lambda: _good(verdict("S3.4", "supported", ["A22"], PARAGRAPH)), "are both about"),
    (lambda: _good(verdict("S3.9", "supported", ["A22"], "")), "has no justification"),
    (lambda: _good(verdict("S3.9", "supported", ["A22"], "Rows show it.")), "the justification has 3 words"),
])
def test_each_kind_of_error_is_caught_with_a_message_that_says_what_to_do(make, phrase):
    problems = make().validate()
    _only(problems, phrase)
    assert len(problems) == 1, problems  # one fault, one message: the rest of the fact-check is fine


def test_near_misses_get_a_suggestion():
    problems = _good(verdict("S3.9", "suported", ["a2"], PARAGRAPH),
                     verdict("S3.99", "supported", ["A22"], PARAGRAPH)).validate()
    assert "Did you mean “supported”?" in _only(problems, "is not a verdict")
    assert "Did you mean “S3.9”?" in _only(problems, "is not one of the claims")
    assert "Did you mean" in _only(problems, "which is not a row of")


def test_size_and_coverage_are_checked_when_asked():
    fc = _good()
    assert "at least 5" in _only(fc.validate(min_verdicts=5), "asks for at least")
    assert "at most 2" in _only(fc.validate(max_verdicts=2), "asks for at most")
    assert "S1.2" in _only(fc.validate(cover=["S1.2", "S2.10"]), "No verdict on")  # S2.10a covers S2.10


def test_the_minimum_justification_counts_words():
    just_enough = " ".join(["word"] * MIN_JUSTIFICATION_WORDS)
    assert _good(verdict("S3.9", "supported", "A22", just_enough)).validate() == []
    assert _good(verdict("S3.9", "supported", "A22", just_enough.rsplit(" ", 1)[0])).validate()


def test_validate_says_what_to_do_with_the_placeholder_and_explains_other_types():
    assert validate(...) == ["Nothing to validate yet: build your fact-check with factcheck(...) in the cell above, "
                             "then run this cell again."]
    assert validate("S3.4 supported") == ["Expected a fact-check made with factcheck(title, verdict(...), ...); got a str."]


def test_factcheck_rejects_things_that_are_not_verdicts_with_advice():
    with pytest.raises(TypeError, match="one verdict"):
        factcheck("t", "S3.4 supported")


def test_other_texts_are_checked_against_their_own_claims():
    claims = invented_claims()
    assert list(claims) == ["P1", "P2", "P3", "P4"]
    assert " ".join(claims.values()) == INVENTED_EXAMPLE
    fc = factcheck("t", verdict("P3", "supported", "E05", PARAGRAPH), claims=claims)
    assert fc.verdicts[0].claim == claims["P3"]
    assert fc.validate(cover=claims) == [m for m in fc.validate(cover=claims) if "No verdict on" in m]
    assert "S3.4" in _only(factcheck("t", verdict("S3.4", "supported", "A22", PARAGRAPH), claims=claims).validate(),
                           "is not one of the claims")
    assert claims_from_text("One. Two.", prefix="Q") == {"Q1": "One.", "Q2": "Two."}


def test_add_returns_a_new_fact_check_and_counts_follow():
    fc = _good()
    more = fc.add("S3.9", "supported", "A28", PARAGRAPH)
    assert len(fc) == 3 and len(more) == 4
    assert more.counts() == {"supported": 2, "unsupported": 1, "cannot be checked": 1}
    assert list(more.table()["claim_id"]) == ["S3.4", "S2.10a", "S3.18", "S3.9"]
    assert "4 verdicts" in repr(more)


# --- exports --------------------------------------------------------------------------------------

def _cited(fc):
    return sorted({r for v in fc for r in v.evidence})


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_exports_cite_every_row_with_publisher_date_address_and_confidence(fmt, figures, tmp_path):
    fc = _good(verdict("S3.9", "supported", ["A28", "C04", "E05"], PARAGRAPH))  # C04 is low confidence
    text = fc.save(tmp_path / f"check.{fmt}").read_text(encoding="utf-8")
    plain = text if fmt == "html" else text.replace("\\", "")
    for row in _cited(fc):
        r = figures.loc[row]
        for field in ("source_publisher", "source_date", "source_url"):
            want = escape(r[field]) if fmt == "html" else r[field]
            assert want in plain, f"{row}: {field} {r[field]!r} is missing from the {fmt} export"
        assert f"{r['confidence']} confidence" in plain
    for v in fc:
        assert v.verdict in plain and v.claim_id in plain


def test_exports_flag_low_confidence_rows(tmp_path):
    fc = _good(verdict("S3.9", "supported", ["C04"], PARAGRAPH))
    assert "**low confidence" in fc.to_markdown()
    assert "class='confidence low'" in fc.to_html()


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_a_section_g_row_is_cited_with_a_confidence_in_the_quotation_not_the_claim(fmt):
    fc = _good(verdict("S3.4", "supported", ["G01", "A22"], PARAGRAPH))  # G01: a misprint, quoted exactly
    text = fc.to_html() if fmt == "html" else fc.to_markdown().replace("\\", "")
    assert "high confidence in the quotation, not the claim" in text
    assert text.count("in the quotation, not the claim") == 1  # A22's grade is about its claim
    assert "G01–G24" in text  # the footer says what the grade means there


HOSTILE = "<script>alert('x')</script> & \"quoted\" <b>bold</b> | # _under_ [link](http://x)"


def test_html_export_escapes_every_text_and_stays_standalone():
    fc = factcheck(HOSTILE, verdict("P1", "supported", ["A22"], HOSTILE + " " + PARAGRAPH),
                   claims={"P1": HOSTILE}, subject=HOSTILE)
    page = fc.to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "<b>bold" not in page
    assert escape(HOSTILE) in page
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=", page)  # one file: nothing fetched
    assert "<script" not in fc._repr_html_()


def test_markdown_export_escapes_markup():
    fc = factcheck("t", verdict("P1", "supported", ["A22"], HOSTILE + " " + PARAGRAPH), claims={"P1": HOSTILE})
    md = fc.to_markdown()
    assert "<script>" not in md and "<b>" not in md
    assert "\\<script\\>" in md and "\\| \\#" in md
    table = [line for line in md.splitlines() if line.startswith("| P1")]
    assert len(table) == 1 and table[0].count("|") - table[0].count("\\|") == 4  # the table row keeps its 3 cells


def test_save_refuses_unknown_endings_and_missing_folders_with_advice(tmp_path):
    with pytest.raises(ValueError, match="Change the file name's ending"):
        _good().save(tmp_path / "check.pdf")
    with pytest.raises(FileNotFoundError, match="create it first"):
        _good().save(tmp_path / "nowhere" / "check.html")
    assert _good().save(tmp_path / "check.HTML").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_preview_leaves_nothing_behind_and_prints_no_paths(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    preview(_good())
    out = capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
    assert "my-fact-check.html" in out and "# A fact-check" in out
    assert str(tmp_path) not in out and not re.search(r"(^|\s)/\w", out)
    preview(...)
    assert "Nothing to save yet" in capsys.readouterr().out


def test_verdict_vocabulary_is_the_issue_s_five():
    assert list(VERDICTS) == ["supported", "partly supported", "unsupported", "misleading", "cannot be checked"]
    assert all(isinstance(v, Verdict) for v in _good()) and isinstance(_good(), FactCheck)
