"""Lesson 07 facts: each derived verdict rule follows the data (and changes when the data do), answers grade as intended."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import pandas as pd
import pytest

from course import load
from course.article import article
from course.checks import question, questions
from course.checks._engine import CORRECT, INCORRECT, NOT_ATTEMPTED, SUBMITTED, evaluate
from course.checks import lesson07 as L
from course.checks.checkpoint import is_checkpoint
from course.factcheck import factcheck, invented_claims, validate, verdict
from notebook_text import code as _code, outputs as _outputs

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "07-write-the-fact-check.ipynb"
PARAGRAPH = ("The rows named here were read in full; what they count, over which period and at what confidence is "
             "stated in the justification, with what they do not show.")


@pytest.fixture(scope="module")
def values():
    return load("figure-values")


@pytest.fixture(scope="module")
def figures():
    return load("figures")


@pytest.fixture(scope="module")
def nb():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def _params(qid):
    return question(qid).canonical_params()


def _grade(qid, answer):
    return evaluate(question(qid), answer, _params(qid))


# --- objectives ----------------------------------------------------------------------------------

def test_every_objective_has_questions_and_every_question_an_objective():
    mine = [q for q in questions("07") if not is_checkpoint(q.id)]  # the checkpoint it hosts is no exercise of its own
    assert [q.id for q in mine] == [f"07.{i}" for i in range(1, len(mine) + 1)]
    by_objective = {o: [q.id for q in mine if q.objective == o] for o in L.MODULE.objectives}
    assert all(by_objective.values()), by_objective
    assert {q.objective for q in mine} == set(L.MODULE.objectives)
    # O1 is autograded from the data, O2 is collected for the instructor, O3 has both
    assert all(question(i).graded for i in by_objective["O1"])
    assert by_objective["O2"] and not any(question(i).graded for i in by_objective["O2"])
    assert {question(i).graded for i in by_objective["O3"]} == {True, False}


# --- 07.1 the framing ------------------------------------------------------------------------------

def test_framing_sentences_are_exactly_those_that_say_mass_desertion():
    pattern = re.compile(r"\bmass desertions?\b", re.I)
    expected = {s.id for s in article().sentences if pattern.search(s.text)}
    assert L.framing_sentences() == expected and len(expected) > 5


# --- 07.2 and 07.3 scale ---------------------------------------------------------------------------

def _yearly_rows(values):
    from course.numbers import court_cases_by_year

    return court_cases_by_year(values)


def test_scale_evidence_is_every_yearly_count_of_thousands_not_low_confidence(values):
    years = _yearly_rows(values)
    want = set(years.loc[(years["value"] >= 2000) & (years["confidence"] != "low"), "row_id"])
    assert set(L.scale_evidence(values)) == want and want
    # the number is shown ("supported"); the motive is not ("partly supported" for the whole sentence)
    assert L.scale_verdicts(values) == ("supported", "partly supported") and L.scale_verdict(values) == "supported"
    # people counts, closer to "soldiers" than case counts: 5,593 tried in 2023, 10,085 charged to June 2024
    assert L.scale_people_rows(values) == ["A10", "A21"]


def test_scale_rule_changes_when_the_yearly_counts_change(values):
    years = _yearly_rows(values)
    yearly_rows = set(years["row_id"])
    v = values.copy()
    one_year = v["row_id"].isin(yearly_rows) & (v["basis"] == "per_period")
    # every yearly count below two thousand: only running totals reach thousands
    v.loc[one_year, "value"] = 1_500
    assert L.scale_evidence(v) == [] and L.scale_verdicts(v) == ("partly supported",)
    # and the running totals too: a smaller minimum cannot refute "thousands"
    v.loc[(v["side"] == "Russia") & (v["measure"] == "court_cases_received"), "value"] = 1_500
    assert L.scale_verdicts(v) == ("cannot be checked",)
    # the same counts at low confidence do not support the claim
    w = values.copy()
    w.loc[w["row_id"].isin(L.scale_evidence(values)), "confidence"] = "low"
    assert L.scale_evidence(w) == [] and L.scale_verdict(w) != "supported"


# --- 07.4 pay ----------------------------------------------------------------------------------------

def test_pay_rule_holds_both_directions_to_one_standard(values):
    rows = L.pay_rows(values)
    assert rows == ["D11"] and values.loc[values["row_id"] == "D11", "confidence"].eq("low").all()
    # a one-off bonus against a civilian salary, in a low-confidence copy, measures no soldier's pay
    assert L.soldiers_pay_rows(values) == [] and L.pay_verdict(values) == "cannot be checked"
    # whichever way the bonus points, the verdict is the same: the row cannot carry one either way
    swapped = values.copy()
    swapped.loc[swapped["unit"].fillna("").str.contains("bonus"), "value"] = 1
    assert L.pay_verdict(swapped) == "cannot be checked"
    # a row that measures soldiers' pay, at medium confidence, must be read by a person; at low, it cannot carry one
    extra = values[values["row_id"] == "D11"].iloc[[0]].assign(unit="US dollars per month (soldiers' pay)",
                                                              confidence="medium")
    with_pay = pd.concat([values, extra], ignore_index=True)
    assert L.soldiers_pay_rows(with_pay) == ["D11"] and L.pay_verdict(with_pay) is None
    assert L.pay_verdict(pd.concat([values, extra.assign(confidence="low")], ignore_index=True)) == "cannot be checked"


# --- 07.5 the cycle ---------------------------------------------------------------------------------

def test_cycle_rule_follows_the_rows_text(figures):
    assert L.rows_addressing(figures, L.CYCLE_TERMS) == []
    assert L.cycle_verdict(figures) == "cannot be checked"
    f = figures.copy()
    f.loc[f["id"] == "C02", "quote"] = "Those who stay face more pressure: a vicious cycle, he said."
    assert L.rows_addressing(f, L.CYCLE_TERMS) == ["C02"]
    assert L.cycle_verdict(f) is None


# --- the invented paragraph ---------------------------------------------------------------------------

def test_the_invented_paragraph_s_numbers_are_read_from_its_sentences():
    claims = invented_claims()
    p = L._invented_params()
    assert f"{p['p2_claimed']:,}" in claims["P2"] and str(p["p2_year"]) in claims["P2"]
    assert p["p2_claimed"] != p["p2_year"]  # a year is not the claimed number
    assert f"{p['p3_claimed']:,}" in claims["P3"]
    assert p["p4_ratio"] == 10 and "ten times" in claims["P4"]


def test_p2_is_the_awol_count_relabelled(values):
    p = L._invented_params()
    awol, desertion = L.year_counts(values, p["p2_year"])
    assert p["p2_claimed"] == awol != desertion
    assert L.label_verdict(p["p2_claimed"], awol, desertion) == "misleading"


def test_label_rule_gives_the_distortion_table_s_judgement_on_the_real_relay(values):
    relay = values[(values["row_id"] == "G18") & (values["role"] == "distorted")]
    assert len(relay) == 2
    for _, r in relay.iterrows():
        awol, desertion = L.year_counts(values, int(r["period_start"][:4]))
        assert L.label_verdict(r["value"], awol, desertion) == "misleading"
    d = load("distortions").set_index("distorted_row")
    assert d.loc["G18", "distortion"] == d.loc["G10", "distortion"] == "awol_as_desertion"


def test_the_relay_s_2022_figure_sits_on_the_edge_of_the_tolerance(values):
    d = L.relay_distances(values, 6_000, 2022).set_index(["row_id", "article"])
    assert round(d.loc[("E01", "407"), "distance"], 3) == -0.097 and d.loc[("E01", "407"), "within_tolerance"]
    assert round(d.loc[("E04", "407"), "distance"], 2) == -0.14 and not d.loc[("E04", "407"), "within_tolerance"]
    assert L.label_verdict(6_000, 6_641, 3_442) == "misleading" and L.label_verdict(6_000, 6_988, 3_442) == "unsupported"
    assert d.loc[("E02", "408"), "distance"] > 0.5  # far from the desertion count whichever release is used
    assert abs(L.relay_distances(values, 16_000, 2023).set_index("row_id").loc["E01", "distance"]) > 0.09


def test_label_rule_changes_with_its_inputs():
    assert L.label_verdict(7_883, 17_658, 7_883) == "partly supported"
    assert L.label_verdict(7_883 + 788, 17_658, 7_883) == "partly supported"  # at the edge of the tolerance
    assert L.label_verdict(7_883 * 1.11, 17_658, 7_883) == "unsupported"
    assert L.label_verdict(17_658 * 0.9, 17_658, 7_883) == "misleading"
    assert L.label_verdict(40_000, 17_658, 7_883) == "unsupported"
    assert L.label_verdict(5_000, 5_000, 5_000) == "partly supported"  # desertion is checked first


def test_label_cases_cover_every_verdict_and_the_hidden_cases_add_new_ones():
    cases = L._label_cases(_params("07.9"))
    assert {L.label_verdict(*c) for c in cases} == {"partly supported", "misleading", "unsupported"}
    hidden = runpy.run_path(str(ROOT / "notebooks" / "hidden" / "lesson07.py"))["HIDDEN_CASES"]["07.9"]
    assert not set(map(tuple, hidden)) & set(cases)
    assert {L.label_verdict(*c) for c in hidden} == {"partly supported", "misleading", "unsupported"}


def test_running_total_rule_follows_the_counts(values):
    totals = L.ukraine_cumulative_rows(values)
    claimed = _params("07.10")["p3_claimed"]
    assert len(totals) >= 2 and (totals["confidence"] != "low").all()
    assert (totals["value"] >= claimed).all() and L.cumulative_verdict(values, claimed) == "supported"
    v = values.copy()
    first = (v["row_id"] == totals["row_id"].iloc[0]) & (v["article"] == "407+408") & (v["basis"] == "cumulative")
    v.loc[first, "value"] = claimed - 1
    assert L.cumulative_verdict(v, claimed) == "partly supported"
    assert L.cumulative_verdict(values, totals["value"].max() + 1) == "unsupported"
    assert L.cumulative_verdict(values[values["side"] != "Ukraine"], claimed) == "cannot be checked"


def test_comparison_rule_follows_the_figures(values):
    from course.numbers import comparison_problems

    ratio = _params("07.11")["p4_ratio"]
    ua, ru = L.comparison_pair(values)
    assert ua["side"] == "Ukraine" and ru["side"] == "Russia"
    assert ua["value"] / ru["value"] >= ratio and comparison_problems(ua.to_dict(), ru.to_dict())
    assert L.comparison_verdict(values, ratio) == "misleading"
    assert L.comparison_verdict(values, ua["value"] / ru["value"] * 1.1) == "unsupported"
    # fewer Ukrainian proceedings: the arithmetic itself fails
    v = values.copy()
    v.loc[(v["row_id"] == ua["row_id"]) & (v["article"] == "407+408"), "value"] = ru["value"] * (ratio - 1)
    assert L.comparison_verdict(v, ratio) == "unsupported"


def test_comparison_rule_is_supported_only_for_comparable_figures(values, monkeypatch):
    import course.numbers

    monkeypatch.setattr(course.numbers, "comparison_problems", lambda a, b, **k: [])
    assert L.comparison_verdict(values, _params("07.11")["p4_ratio"]) == "supported"


# --- grading: reference answers pass, typical wrong answers get the intended message -----------------

def _reference_article_check(values):
    v = lambda cid, word, rows: verdict(cid, word, rows, PARAGRAPH)  # noqa: E731
    return factcheck(
        "Reference",
        v("S1.2", "partly supported", ["A25", "C01"]),
        v("S2.10a", L.pay_verdict(values), L.pay_rows(values)),
        v("S2.10b", "partly supported", ["B06"]),
        v("S3.4", L.scale_verdict(values), L.scale_evidence(values)),
        v("S3.9", "partly supported", ["A28", "A29"]),
        v("S3.18", L.cycle_verdict(load("figures")), ["A22"]),
    )


def _reference_other_side(values):
    p = _params("07.10")
    v = lambda cid, word, rows: verdict(cid, word, rows, PARAGRAPH)  # noqa: E731
    return factcheck(
        "Reference",
        v("P1", "partly supported", ["E09", "E06"]),
        v("P2", L.label_verdict(p["p2_claimed"], *L.year_counts(values, p["p2_year"])), ["E01", "E02"]),
        v("P3", L.cumulative_verdict(values, p["p3_claimed"]), list(L.ukraine_cumulative_rows(values)["row_id"])),
        v("P4", L.comparison_verdict(values, p["p4_ratio"]), ["E10", "A25"]),
        claims=invented_claims(),
    )


def test_reference_answers_pass(values):
    answers = {
        "07.1": L.framing_sentences(),
        "07.2": L.scale_evidence(values),
        "07.3": "supported", "07.4": "cannot be checked", "07.5": "cannot be checked",
        "07.8": _reference_article_check(values),
        "07.9": L.label_verdict,
        "07.10": "supported", "07.11": "misleading",
        "07.12": _reference_other_side(values),
    }
    for qid, answer in answers.items():
        r = _grade(qid, answer)
        assert r.status == CORRECT, f"{qid}: {r.message}"
    # the choice answers above are what the rules give: letters work too, and every defensible verdict passes
    assert _grade("07.3", "A").correct
    for word in L.scale_verdicts(values):
        assert _grade("07.3", word).correct and _grade("07.3", "ABCDE"[L.VERDICT_CHOICES.index(word)]).correct
    for qid in ("07.6", "07.7", "07.13"):
        assert _grade(qid, " ".join(["word"] * 60)).status == SUBMITTED
        assert _grade(qid, "too short").status == INCORRECT
        assert _grade(qid, ...).status == NOT_ATTEMPTED


@pytest.mark.parametrize("qid, answer, phrase", [
    ("07.1", {"S1.2"}, "first one only"),
    ("07.1", L.framing_sentences() | {"S3.3"}, "without \"mass\""),
    ("07.2", ["A09", "A20", "A22", "A25"], "running totals"),
    ("07.2", ["A22"], "missing"),
    ("07.3", "misleading", "vague is not"),
    ("07.3", "cannot be checked", "from below"),
    ("07.4", "supported", "what soldiers are paid"),
    ("07.4", "unsupported", 'keeps "unsupported" off'),
    ("07.5", "unsupported", "address the claim"),
    ("07.5", "partly supported", "Search the rows"),
    ("07.9", lambda c, a, d: L.label_verdict(c, d, a), "expected"),
    ("07.10", "misleading", "true sentences"),
    ("07.11", "supported", "same thing"),
    ("07.11", "unsupported", "ratio does reach"),
])
def test_typical_wrong_answers_get_the_intended_diagnostic(qid, answer, phrase):
    r = _grade(qid, answer)
    assert r.status == INCORRECT and phrase in r.message, r.message


@pytest.mark.parametrize("fault, phrase", [
    (lambda fc: fc.add("S5.2", "supported", [], PARAGRAPH), "cites no evidence"),
    (lambda fc: fc.add("S5.2", "supported", ["Z99"], PARAGRAPH), "is not in load"),
    (lambda fc: fc.add("S5.2", "true", ["A22"], PARAGRAPH), "not in the vocabulary"),
    (lambda fc: fc.add("S3.4", "supported", ["A22"], PARAGRAPH), "same claim"),
    (lambda fc: fc.add("S5.2", "supported", ["A22"], "Yes."), "justification"),
    (lambda fc: factcheck("t", *fc.verdicts[1:]), "major claim"),
    (lambda fc: fc.add("S5.2", "supported", ["A22"], PARAGRAPH).add("S5.3", "supported", ["A22"], PARAGRAPH)
     .add("S5.4", "supported", ["A22"], PARAGRAPH), "5 to 8 major claims"),
    (lambda fc: "S3.4 supported", "Pass your fact-check itself"),
    (lambda fc: [], "Pass your fact-check itself"),  # an empty problems list typed in by hand
    (lambda fc: validate(fc, **_params("07.8")), "Pass your fact-check itself"),
    (lambda fc: {"factcheck": {"title": "t"}}, "Not a fact-check in plain form"),
])
def test_each_fault_in_the_article_fact_check_gets_its_diagnostic(values, fault, phrase):
    r = _grade("07.8", fault(_reference_article_check(values)))
    assert r.status == INCORRECT and phrase in r.message, r.message


def test_the_fact_check_is_graded_from_its_plain_form_as_a_grader_receives_it(values):
    import json

    ref = _reference_article_check(values)
    assert _grade("07.8", json.loads(json.dumps(ref.to_plain()))).correct
    broken = ref.add("S5.2", "supported", [], PARAGRAPH)
    assert "cites no evidence" in _grade("07.8", json.loads(json.dumps(broken.to_plain()))).message
    other = _reference_other_side(values)
    assert _grade("07.12", json.loads(json.dumps(other.to_plain()))).correct


def test_the_other_side_fact_check_must_use_its_own_claims(values):
    ref = _reference_other_side(values)
    assert "P1 to P4" in _grade("07.12", factcheck("t", *ref.verdicts[:3], claims=invented_claims())).message
    assert "sentence label" in _grade("07.12", factcheck("t", *ref.verdicts)).message
    made_up = factcheck("t", *ref.verdicts, claims={k: "…" for k in invented_claims()})
    assert "claims=invented" in _grade("07.12", made_up).message


# --- the notebook ----------------------------------------------------------------------------------------

def test_the_notebook_saves_nothing_next_to_itself(nb):
    for src in _code(nb):
        assert ".save(" not in src and "open(" not in src and "write_text" not in src, src
    assert any("preview(my_check)" in src for src in _code(nb))


def test_the_invented_paragraph_is_labelled_synthetic_wherever_it_is_shown(nb):
    texts = [" ".join("".join(c["source"]).split()) for c in nb["cells"] if c["cell_type"] == "markdown"]
    texts += list(_outputs(nb))
    shown = [t for t in texts if "melting away" in t]
    assert shown
    for t in shown:
        for line in t.splitlines():
            if "melting away" in line:
                assert "synthetic" in line or "invented" in line.casefold(), line


def test_every_exercise_is_checked_right_below_it(nb):
    ids = [q.id for q in questions("07") if not is_checkpoint(q.id)]  # the hosted checkpoint: tests/test_checkpoint.py
    checked = [m for src in _code(nb) for m in re.findall(r'^check\("(07\.\d+)"', src.replace("# NBVAL_CHECK_OUTPUT\n", ""), re.M)]
    assert sorted(set(checked), key=ids.index) == ids


def test_the_yearly_counts_quoted_in_the_prose_hold(values):
    years = _yearly_rows(values).drop_duplicates(["article", "year"])
    above = years[years["value"] >= 2000]
    assert above["year"].min() == 2023  # "every count from 2023 on is above the line"
    assert (years[years["year"] < 2023]["value"] < 2000).all()
    e05 = values[(values["row_id"] == "E05") & (values["measure"] == "rate")]["value"].iloc[0]
    assert e05 == 5  # "only about 5% reach a court"


def test_every_number_in_the_prose_comes_from_the_data_or_the_exercise(nb, values):
    data = set(values["value"].dropna()) | set(values["value_low"].dropna()) | set(values["value_high"].dropna())
    p = _params("07.10")
    edge = L.relay_distances(values, 6_000, 2022).set_index("row_id").loc["E04", "distance"]
    exercise = {L.THOUSANDS, L.LABEL_TOLERANCE * 100, L.MODULE.minutes, question("07.6").min_words,
                *L.FACTCHECK_SIZE.values(), p["p2_claimed"], p["p3_claimed"], p["p4_ratio"], 332, 337, 338, 407, 408,
                round(-edge * 100)}  # "outside it, by 14%": G18's 2022 figure against E04's revised count
    found = set()
    for c in nb["cells"]:
        if c["cell_type"] != "markdown":
            continue
        text = re.sub(r"\b\d\d\.\d+\b|\b[A-G]\d\d\b|\bS\d\.\d+[ab]?\b", " ", "".join(c["source"]))  # ids
        found |= {float(m.replace(",", "")) for m in re.findall(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?(?![\w])", text)}
    odd = {n for n in found if n not in data | exercise and not (n <= 10 or 1900 <= n <= 2030)}
    assert not odd, f"numbers in the prose that are not in the data: {sorted(odd)}"


# --- the guide's table, the notebook's model answers and the autograded verdict sets agree ----------------

GUIDE = ROOT / "docs" / "instructor-guide.md"


def _guide_table():
    """claim id -> (defensible verdicts, model answer, how it is graded), from the guide's table."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("#### Defensible verdicts"):text.index("Why, where it is not obvious")]
    table = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        m = re.match(r"(S\d\.\d+[ab]?|P\d)\b", cells[0]) if len(cells) == 4 else None
        if m:
            table[m.group(1)] = ({v.strip() for v in cells[1].split(";")}, cells[2], cells[3])
    return table


def _model_answers(nb):
    """claim id -> the verdict the instructor notebook's fact-checks give it (solution variables resolved)."""
    code = "\n".join(_code(nb))
    names = dict(re.findall(r'^(\w+) = "([a-z ]+)"$', code, flags=re.M))
    found = {}
    for claim, word in re.findall(r'verdict\(\s*"((?:S\d\.\d+[ab]?)|P\d)",\s*("[a-z ]+"|\w+)', code):
        found[claim] = word.strip('"') if word.startswith('"') else names[word]
    return found


def test_guide_notebook_and_checks_agree_on_every_verdict(nb, values, figures):
    table = _guide_table()
    assert set(table) == {"S1.2", "S2.10a", "S2.10b", "S3.4", "S3.9", "S3.18", "P1", "P2", "P3", "P4"}
    for claim, (defensible, model, _) in table.items():
        assert defensible <= set(L.VERDICT_CHOICES) and model in defensible, claim
    # the instructor notebook's model answers are the guide's
    models = _model_answers(nb)
    assert {c: models[c] for c in table} == {c: m for c, (_, m, _) in table.items()}
    # the autograded sets are the rules' sets, and the checks accept exactly them
    p = _params("07.10")
    rules = {
        "S2.10a": ("07.4", {L.pay_verdict(values)}),
        "S3.4": ("07.3", set(L.scale_verdicts(values))),
        "S3.18": ("07.5", {L.cycle_verdict(figures)}),
        "P2": ("07.9", {L.label_verdict(p["p2_claimed"], *L.year_counts(values, p["p2_year"]))}),
        "P3": ("07.10", {L.cumulative_verdict(values, p["p3_claimed"])}),
        "P4": ("07.11", {L.comparison_verdict(values, p["p4_ratio"])}),
    }
    for claim, (qid, accepted) in rules.items():
        defensible, _, graded = table[claim]
        assert graded.startswith("autograded") and qid in graded, (claim, graded)
        assert accepted == defensible, (claim, accepted, defensible)
        if question(qid).kind == "choice":
            assert {w for w in L.VERDICT_CHOICES if _grade(qid, w).correct} == defensible, claim
    assert {c for c, (_, _, g) in table.items() if g.startswith("autograded")} == set(rules)
    # this file's reference fact-checks use defensible verdicts too
    for fc in (_reference_article_check(values), _reference_other_side(values)):
        for v in fc:
            base = v.claim_id if v.claim_id in table else v.claim_id.rstrip("ab")
            assert v.verdict in table.get(v.claim_id, table.get(base, ({v.verdict},)))[0], v.claim_id


def test_model_answers_keep_the_sources_hedges_and_make_no_invalid_comparison(nb):
    code = " ".join("\n".join(_code(nb)).split())
    assert "nobody could leave the army" not in code and '"essentially became indefinite"' in code
    assert "more than twice the court count" not in code
    leave = re.search(r'leave = verdict\((.+?)claim="lack of leave"', code).group(1)
    assert "not about leave" in leave and "C14" in leave


def test_no_cell_shows_a_bare_placeholder_or_a_dataclass_dump(nb):
    from course.factcheck import Verdict

    code = _code(nb)
    assert not [c for c in code if c.strip() in {"my_check", "other_side", "problems", "problems_other_side"}
                and "show(" not in c and "validate(" not in c]
    assert "show(my_check)" in code and "show(other_side)" in code
    v = Verdict("S3.4", "", "supported", "A22", "Court counts reach thousands.")
    assert not repr(v).startswith("Verdict(") and "supported" in repr(v) and "A22" in repr(v)
    for text in _outputs(nb):
        assert "Verdict(" not in text and text.strip() != "Ellipsis"
