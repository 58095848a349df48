"""The checkpoint: honest items, parallel forms drawn per learner, judgements with confidence, a learner's before/after."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from course.checkpoints import checkpoint, checkpoint_results, item_table, records_from, score_frame
from course.checks import SHARED, compute_params
from course.checks import checkpoint as spec
from course.checks._engine import INCORRECT, NOT_ATTEMPTED, SUBMITTED, evaluate
from course.checks._kinds import parse_recorded
from course.data import load

ROOT = Path(__file__).resolve().parents[1]
FIGURE_SOURCE = "figures as the course data record them"


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def _numbers(text: str) -> list[float]:
    """The numbers in a text, leaving out days of dates ("24 February 2022") and article numbers ("Art. 408")."""
    text = re.sub(rf"\b\d{{1,2}} (?=(?:{_MONTHS})\b)", "", text)
    text = re.sub(r"Art\. \d+", "", text)
    return [float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


# --- honest items ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", list(spec.ITEMS))
def test_every_block_is_verbatim_from_its_row_or_made_of_its_rows_numbers(code):
    figures = load("figures").set_index("id")
    notes = dict(zip(load("row-notes")["row_id"], load("row-notes")["note"]))
    values = load("figure-values")
    item = spec.content(code)
    for b in item["blocks"]:
        if item["synthetic"]:
            assert b["row"] == "" and "synthetic" in b["note"]
            continue
        row = b["row"]
        assert b["who"] == figures.loc[row, "source_publisher"] and b["when"] == figures.loc[row, "source_date"]
        if b["where"] in ("text", "headline or web address", "summary sentence", "text (quoted in the course data's notes)"):
            if b["note"].startswith("Translated from"):
                assert b["text"] in notes[row], (code, row)
                continue
            fields = [str(figures.loc[row, f]) for f in ("quote", "source_title", "figure")] + [notes.get(row, "")]
            for sentence in re.split(r"(?<=\.) (?=[A-Z])", b["text"]) if "notes" in b["where"] else [b["text"]]:
                assert any(sentence in f for f in fields), (code, row, sentence)
        else:  # built from the row's numbers: every number shown is one of them (or a year, or a sum of them)
            assert b["where"] in (FIGURE_SOURCE, "figure"), b["where"]
            known = set(values.loc[values["row_id"] == row, "value"].dropna())
            for x in _numbers(b["text"]):
                if 1900 < x < 2100 or x in known:
                    continue
                parts = sorted(known)
                assert any(abs(a + c - x) < 1 for a in parts for c in parts) or x in _numbers(notes.get(row, "")), \
                    (code, row, x)


def test_distorted_relays_are_documented_settled_cases_and_carry_their_label():
    cases = load("distortions").set_index("case_id")
    for code in spec.ITEMS:
        item = spec.content(code)
        if item["type"] != "relay" or item["answer"] != "distorted":
            continue
        case = cases.loc[item["case"]]
        assert case["distortion"] == item["distortion"] != "period_disputed"  # an open question is never a distortion
        source, report = item["blocks"]
        assert report["row"] == case["distorted_row"] and case["distorted_claim"] in report["text"]
        assert source["row"] == case["original_row"]
        assert item["why"] == case["explanation"]


def test_faithful_relays_are_never_the_distorted_side_of_a_case_and_their_numbers_hold():
    cases = load("distortions")
    distorted = set(zip(cases["distorted_row"], cases["distorted_field"]))
    field_of = {"text": "quote", "summary sentence": "quote", "headline or web address": "source_title"}
    faithful = [c for c in spec.ITEMS if spec.content(c)["answer"] == "faithful"]
    assert len(faithful) == 8
    for code in faithful:
        report = spec.content(code)["blocks"][1]
        assert (report["row"], field_of[report["where"]]) not in distorted, code
    v = load("figure-values")

    def val(**w):
        found = v
        for k, x in w.items():
            found = found[found[k] == x]
        assert len(found) == 1, w
        return float(found.iloc[0]["value"])

    # A02: the parts add up to the later report's total
    assert val(row_id="A21", article="337") + val(row_id="A21", article="332") + val(row_id="A21", article="338") == \
        val(row_id="A25", period_end="2024-06")
    # A03 "three times less"; B03 "almost twice"; B04 "twice" and "three times"
    assert 2.7 <= val(row_id="E01", period_start="2024-01-01") / val(row_id="E01", period_start="2023-01-01",
                                                                      period_end="2023-09-30") <= 3.3
    assert 1.7 <= val(row_id="A22", period_start="2024-01-01") / val(row_id="A22", period_start="2023-01-01") < 2
    assert 1.8 <= val(row_id="A05") / val(row_id="A09", period_start="2022-01-01") <= 2.2
    assert 2.7 <= val(row_id="A05") / val(row_id="A09", period_start="2021-01-01") <= 3.6
    # B02: more than 270,000 proceedings, about 5% to court
    total = val(row_id="E05", value=218282.0) + val(row_id="E05", value=52075.0)
    assert total > 270000 and 0.045 <= (val(row_id="E05", value=13625.0) + 696) / total <= 0.055


def test_numbers_items_keys_are_computed_from_the_data():
    from course.numbers import comparison_problems

    valid = [c for c in spec.ITEMS if spec.content(c)["answer"] == "comparable"]
    invalid = [c for c in spec.ITEMS if spec.content(c)["answer"] == "not comparable"]
    assert sorted(valid) == ["A09", "B09"] and sorted(invalid) == ["A10", "B10"]
    v = load("figure-values")
    assert comparison_problems(v[(v.row_id == "A13") & (v.period_start == "2021-01-01")].iloc[0],
                               v[(v.row_id == "A13") & (v.period_start == "2022-01-01")].iloc[0]) == []
    a12 = spec.content("A12")
    assert a12["key"] == "About 84,000" and "311,327" in a12["choices"]  # 311,327 over 3.7 years
    assert "7.8 per 1,000" in spec.content("A11")["prompt"] and "72 per 1,000" in spec.content("B11")["prompt"]
    for code in ("A11", "B11", "A12", "B12"):  # the right option is not always in the same place
        assert spec.content(code)["choices"].index(spec.content(code)["key"]) in range(4)
    assert {spec.key_letter(c) for c in ("A11", "B11", "A12", "B12")} != {"A"}


def test_transfer_items_are_synthetic_labelled_and_appear_nowhere_else_in_the_course():
    for code in ("A13", "B13"):
        item = spec.content(code)
        assert item["type"] == "transfer" and item["synthetic"] and spec.ITEMS[code].code == spec.form_items(code[0])[-1]
        assert all("Written for this checkpoint" in b["note"] and "synthetic" in b["note"] for b in item["blocks"])
    sources = ["".join(c["source"]) for p in ROOT.glob("notebooks/*.ipynb")  # what the lessons say, not the
               for c in json.loads(p.read_text(encoding="utf-8"))["cells"]]  # checkpoint's own outputs in 00 and 07
    elsewhere = "\n".join(sources + [p.read_text(encoding="utf-8") for pattern in (
        "course/checks/lesson*.py", "data/**/*.csv", "data/**/*.md", "data/**/*.txt") for p in ROOT.glob(pattern)])
    for phrase in ("food poisoning", "flood barrier", "river authority", "helpline took"):
        assert phrase not in elsewhere.lower()
    assert all(not spec.content(c)["synthetic"] for c in spec.ITEMS if c[1:] != "13")


def test_the_two_forms_are_parallel_and_share_no_text():
    for form in spec.FORMS:
        items = [spec.content(c) for c in spec.form_items(form)]
        assert len(items) == 13
        relays = [i for i in items if i["type"] == "relay"]
        assert sorted(i["answer"] for i in relays) == ["distorted"] * 4 + ["faithful"] * 4
        assert sorted(i["answer"] for i in items if i["prompt"].startswith("Can these")) == ["comparable", "not comparable"]
        assert sum("Per 1,000 of what" in i["prompt"] for i in items) == 1
        assert sum("per year" in i["prompt"] for i in items) == 1
        assert items[-1]["type"] == "transfer"
        # Ukraine's figures and Russia's both appear in each form
        text = " ".join(b["text"] for i in items for b in i["blocks"])
        assert "Ukrain" in text and "Russia" in text
        words = sum(len(" ".join([i["prompt"], *[b["text"] for b in i["blocks"]], *i["choices"]]).split()) for i in items)
        assert 900 <= words <= 1500, words  # read and judged in 10 to 15 minutes
    a = {b["text"] for c in spec.form_items("A") for b in spec.content(c)["blocks"]}
    b = {b["text"] for c in spec.form_items("B") for b in spec.content(c)["blocks"]}
    assert not a & b


# --- forms drawn per learner ---------------------------------------------------------------------------------

def test_half_the_class_takes_form_a_first_and_nobody_meets_an_item_twice():
    firsts = []
    for i in range(2000):
        who = f"learner-{i}"
        a = spec.assignment(who)
        firsts.append(a["first"])
        assert a["pre"][0][0] == a["first"] and a["post"][0][0] != a["first"]
        assert not set(a["pre"]) & set(a["post"])
        assert a["later"] == a["pre"]
        for occasion in ("pre", "post"):
            assert sorted(a[occasion]) == spec.form_items(a[occasion][0][0])
            assert a[occasion][-1].endswith("13")
    share = firsts.count("A") / len(firsts)
    assert 0.47 <= share <= 0.53
    assert spec.assignment(None) == spec.assignment(SHARED)
    assert spec.assignment(None)["pre"] == spec.form_items("A")


def test_each_question_draws_what_the_learners_assignment_says():
    qs = {o: spec.checkpoint_questions(o, m) for o, m in (("pre", "00"), ("post", "07"), ("later", "07"))}
    for who in ("ada", "ben", "chen-wei", "d.okafor", None):
        a = spec.assignment(who)
        for occasion, questions in qs.items():
            assert [compute_params(q, who)["item"] for q in questions] == a[occasion]
    orders = {tuple(spec.assignment(f"x{i}")["pre"]) for i in range(50)}
    assert len(orders) > 40  # item order varies between learners


def test_questions_are_pinned_and_named_by_occasion_and_module():
    qs = spec.checkpoint_questions("post", "07")
    assert [q.id for q in qs] == [f"07.post{i}" for i in range(1, 14)]
    assert {q.variant_key for q in qs} == {"checkpoint"} and {q.variant_version for q in qs} == {1}
    assert all(spec.is_checkpoint(q.id) for q in qs) and not spec.is_checkpoint("07.3")
    assert spec.occasion_of("00.pre12") == ("pre", 12)
    assert not any(q.graded for q in qs) and sum(q.points for q in qs) == 0
    with pytest.raises(ValueError, match="occasions"):
        spec.checkpoint_questions("during", "03")
    with pytest.raises(ValueError, match="0 or 1"):
        spec.checkpoint_questions("pre", "00", participation_points=3)


def test_questions_sharing_a_variant_key_share_one_draw():
    from course.checks import variant_seed

    q = spec.checkpoint_questions("pre", "00")[0]
    assert variant_seed("ada", "checkpoint") != variant_seed("ada", q.id)
    rng = np.random.default_rng(variant_seed("ada", "checkpoint"))
    assert compute_params(q, "ada") == q.variant(rng)


# --- judgements with confidence --------------------------------------------------------------------------------

@pytest.fixture
def q_and_params():
    q = spec.checkpoint_questions("pre", "00")[0]
    return q, compute_params(q, "ada")


@pytest.mark.parametrize("answer, status, words", [
    (("B", 70), SUBMITTED, "B, 70% sure"),
    (("distorted", 80), SUBMITTED, "80% sure"),
    (("b.", 100), SUBMITTED, "100% sure"),
    ((..., ...), NOT_ATTEMPTED, "Replace the ..."),
    (("B", ...), INCORRECT, "second ..."),
    ((..., 60), INCORRECT, "first ..."),
    ("B", INCORRECT, "Expected two things"),
    (("Q", 50), INCORRECT, "not one of the options"),
    (("A", 0.7), INCORRECT, "70 rather than 0.7"),
    (("A", 140), INCORRECT, "from 0 to 100"),
    (("A", "sure"), INCORRECT, "number from 0 to 100"),
    (("A", float("nan")), INCORRECT, "number from 0 to 100"),
    (("A", True), INCORRECT, "number from 0 to 100"),
])
def test_a_judgement_is_recorded_never_marked(q_and_params, answer, status, words):
    q, params = q_and_params
    r = evaluate(q, answer, params)
    assert r.status == status and words in r.message, r.message
    if status == SUBMITTED:  # a recorded judgement never says whether it is right
        assert not re.search(r"\b(correct|right|wrong|well done|not yet)\b", r.message.lower()), r.message


def test_the_recorded_message_reads_back_for_the_report(q_and_params):
    q, params = q_and_params
    r = evaluate(q, ("distorted", 65.5), params)
    got = parse_recorded(r.message)
    assert got == {"item": params["item"], "letter": spec.DISTORTED_LETTER if spec.content(params["item"])["type"] == "relay"
                   else got["letter"], "sure": 65.5}
    assert parse_recorded("Well done.") is None


def test_a_participation_point_is_earned_by_answering_the_last_item_in_form():
    qs = spec.checkpoint_questions("post", "07", participation_points=1)
    assert [q.points for q in qs] == [0] * 12 + [1] and [q.graded for q in qs] == [False] * 12 + [True]
    last = qs[-1]
    p = compute_params(last, "ada")
    wrong_letter = next(chr(65 + i) for i in range(5) if chr(65 + i) != spec.key_letter(p["item"]))
    for answer in ((spec.key_letter(p["item"]), 90), (wrong_letter, 90)):
        r = evaluate(last, answer, p)
        assert (r.status, r.points, r.max_points) == (SUBMITTED, 1, 1)
    r = evaluate(last, ("E", ...), p)
    assert (r.status, r.points) == (INCORRECT, 0)


# --- in a notebook: shown, recorded, and the learner's own before/after -----------------------------------------

@pytest.fixture
def hosted(monkeypatch, tmp_path):
    """Lessons 00 and 07 host the checkpoint (as the lead's notebooks will), in a fresh workspace for ``ada``."""
    from checkpoint_cells import host

    host(monkeypatch, tmp_path, "ada")
    return spec.assignment("ada")


def _answer_all(occasion, module, rule):
    from course import check

    out = []
    for slot, code in enumerate(spec.assignment("ada")[occasion], start=1):
        out.append(check(f"{module}.{occasion}{slot}", rule(code)))
    return out


def test_the_instrument_shows_this_learners_items_in_order(hosted):
    shown = checkpoint("pre")
    assert [code for _, code in shown.slots] == hosted["pre"]
    html, text = shown._repr_html_(), repr(shown)
    for code in hosted["pre"]:
        item = spec.content(code)
        assert f"(item {code})" in html and item["blocks"][0]["text"][:40] in text
    assert "00.pre1" in html and "how sure" in html.lower() and "<script" not in html
    with pytest.raises(ValueError, match="occasions"):
        checkpoint("mid")


def test_recording_saves_each_answer_and_the_results_compare_before_and_after(hosted):
    from course.checks import _progress

    key = spec.key_letter
    pre = _answer_all("pre", "00", lambda c: ("A" if spec.content(c)["type"] == "relay" else key(c), 60))
    post = _answer_all("post", "07", lambda c: (key(c), 80))
    assert {r.status for r in pre + post} == {SUBMITTED}
    saved = checkpoint("pre", pre)
    assert "13 of 13 answers saved" in repr(saved) and "<table>" in saved._repr_html_()
    kept = _progress.answers()
    assert len(kept) == 26 and kept["00.pre1"]["item"] == hosted["pre"][0]
    assert records_from(pre)[0] == {"qid": "00.pre1", "item": hosted["pre"][0], "letter": kept["00.pre1"]["letter"],
                                    "sure": 60.0}
    words = " ".join(checkpoint_results().sentences())
    assert "You caught 0 of 4 distorted reports" in words and "You caught 4 of 4" in words
    assert "better at telling faithful reports from distorted ones" in words
    html = checkpoint_results()._repr_html_()
    assert "why the right one is right" in html and ("transcription error" in html or "label drift" in html)


def test_answering_distorted_to_everything_reads_as_a_lean_not_a_better_eye(hosted):
    key = spec.key_letter
    _answer_all("pre", "00", lambda c: (key(c) if spec.content(c)["type"] != "relay" or c[2] in "1357" else
                                        ("A" if key(c) == "B" else "B"), 70))
    _answer_all("post", "07", lambda c: ("B" if spec.content(c)["type"] == "relay" else key(c), 90))
    words = " ".join(checkpoint_results().sentences())
    assert "You caught 4 of 4 distorted reports and called 4 of 4 faithful ones distorted" in words
    assert "now answer 'distorted' more readily" in words and "not a better eye" in words
    assert "better at telling" not in words


def test_results_say_what_is_missing_and_nothing_is_scored_while_grading(hosted, monkeypatch):
    assert "No checkpoint answers" in repr(checkpoint_results())
    _answer_all("pre", "00", lambda c: ("A", 50))
    assert "after the course (module 07)" in repr(checkpoint_results())
    monkeypatch.setenv("COURSE_GRADING", "1")
    assert "not while grading" in repr(checkpoint_results())


def test_without_hosting_the_instrument_says_how_a_lesson_adds_it(monkeypatch):
    with pytest.raises(LookupError, match="checkpoint_questions"):
        checkpoint("later")


# --- one scoring for a learner and for the class ------------------------------------------------------------------

def test_score_frame_counts_hits_false_alarms_and_calibration_by_hand():
    import pandas as pd

    items = item_table().set_index("item")
    rows = []
    for code in spec.form_items("A"):
        distorted = items.loc[code, "distorted"]
        letter = "B" if items.loc[code, "type"] == "relay" and (distorted or code == "A01") else items.loc[code, "key"]
        rows.append({"learner": "x", "occasion": "pre", "item": code, "letter": letter, "sure": 80})
    s = score_frame(pd.DataFrame(rows)).iloc[0]
    assert (s["hits"], s["distorted"], s["false_alarms"], s["faithful"]) == (4, 4, 1, 4)
    assert (s["numbers_right"], s["numbers"], s["transfer"], s["answered"]) == (4, 4, 1.0, 13)
    assert s["right"] == pytest.approx(12 / 13) and s["sure"] == pytest.approx(0.8)
    assert s["brier"] == pytest.approx((12 * 0.04 + 0.64) / 13) and s["over"] == pytest.approx(0.8 - 12 / 13)
    from course.stats import sdt

    d, c = sdt(4, 4, 1, 4)
    assert s["dprime"] == pytest.approx(d) and s["bias"] == pytest.approx(c) and s["form"] == "A"


def test_item_table_lists_every_item_with_its_rows_and_label():
    t = item_table()
    assert len(t) == 26 and set(t["form"]) == {"A", "B"}
    assert t.set_index("item").loc["A05", "rows"] == "A18 → G01" and t.set_index("item").loc["A09", "rows"] == "A13"
    assert t.set_index("item").loc["A05", "distortion"] == "transcription_error"
    assert json.dumps(t.to_dict("records"), default=str)  # plain data, for CSV and JSON alike


def test_an_exam_build_keeps_the_checkpoint_whole(monkeypatch):
    from course.checks import lesson07
    from course.checks._sealed import sealed_source

    if not any(spec.is_checkpoint(q.id) for q in lesson07.QUESTIONS):
        monkeypatch.setattr(lesson07, "QUESTIONS", lesson07.QUESTIONS + spec.checkpoint_questions("post", "07"))
    source = sealed_source("07")
    assert "checkpoint_questions('post', '07')" in source
    scope: dict = {}
    exec(compile(source, "lesson07_sealed.py", "exec"), scope)  # noqa: S102 - our own generated module
    sealed = {q.id: q for q in scope["QUESTIONS"]}
    assert all(sealed[q.id].sealed for q in lesson07.QUESTIONS if not spec.is_checkpoint(q.id))
    for q in spec.checkpoint_questions("post", "07"):
        assert not sealed[q.id].sealed and compute_params(sealed[q.id], "ada") == compute_params(q, "ada")


def test_each_learners_forms_are_pinned_by_the_variant_version_golden():
    """If this fails, a change gave the fixture learners other forms or orders: bump VARIANT_VERSION in
    course/checks/checkpoint.py (work handed in keeps its items) and rewrite tests/golden/checkpoint.json."""
    golden = json.loads((ROOT / "tests" / "golden" / "checkpoint.json").read_text(encoding="utf-8"))
    if golden["version"] == spec.VARIANT_VERSION:
        assert {w: spec.assignment(w) for w in golden["learners"]} == golden["learners"]


def test_hosted_checkpoint_questions_meet_every_rule_for_a_lessons_questions(hosted):
    """What the lead's notebooks will do: lessons 00 and 07 host the checkpoint; the course-wide rules still hold."""
    import test_checks

    from course.checks import questions

    assert sum(spec.is_checkpoint(q.id) for q in questions()) == 26
    test_checks.test_every_declared_question_has_unique_id_objective_and_hints_where_graded()
    test_checks.test_every_check_accepts_its_reference_answer_and_refuses_a_wrong_one()


# --- the cells the lead inserts into modules 00 and 07 -----------------------------------------------------------

def test_the_recording_cell_is_what_the_grader_reads():
    from checkpoint_cells import N_ITEMS, record

    from course.instructor.instrument import check_calls, static_flags

    for occasion, module in (("pre", "00"), ("post", "07")):
        source = record(occasion, module)
        calls = check_calls(source)
        assert [q for q, _ in calls] == [q.id for q in spec.checkpoint_questions(occasion, module)]
        assert {expr for _, expr in calls} == {"(..., ...)"} and len(calls) == N_ITEMS
        assert static_flags(source) == set()


def test_the_grader_scores_a_recorded_checkpoint_and_the_report_reads_it(tmp_path):
    """The grader's own scoring (course.instructor.scoring.score) of answers as a kernel sends them, into a gradebook,
    and the report's checkpoint section out of it; no kernel needed, the comparison is the same code."""
    from course.checks._codec import encode
    from course.checks._kinds import KINDS
    from course.instructor.gradebook import Gradebook
    from course.instructor.report import build_report
    from course.instructor.scoring import ModuleSpec, Resolution, score

    (tmp_path / "results").mkdir()
    book = Gradebook(tmp_path / "results" / "gradebook.sqlite")
    for who in ("ada", "ben", "chen-wei", "d.okafor"):
        for occasion, module in (("pre", "00"), ("post", "07")):
            qs = spec.checkpoint_questions(occasion, module)
            spec_ = ModuleSpec(module, qs, {}, {})
            params = {q.id: {"version": 1, "values": compute_params(q, who)} for q in qs}
            answers = {}
            for q in qs:
                code = params[q.id]["values"]["item"]
                letter = spec.key_letter(code) if occasion == "post" else "A"
                answers[q.id] = {"value": encode(KINDS["judgement"].portable((letter, 75)))}
            rows = score(spec_, Resolution(who, params, "test"), answers)
            assert {r["status"] for r in rows} == {SUBMITTED} and all(parse_recorded(r["message"]) for r in rows)
            book.record(who, module, f"{who}/{module}.ipynb", "0" * 64, {"status": "graded", "results": rows},
                        graded_as=who)
    report = build_report(results=tmp_path / "results", out=tmp_path / "report", boot=200, permutations=500,
                          progress=False)
    scores = report.frames["checkpoint"]["scores"].set_index(["learner", "occasion"])
    assert scores.loc[("ada", "post"), "right"] == 1.0 and scores.loc[("ada", "pre"), "hits"] == 0
    assert report.checkpoint["dprime"]["n"] == 4 and report.checkpoint["dprime"]["change"] > 1


@pytest.mark.slow
def test_the_cells_run_in_a_kernel_and_the_learner_sees_before_and_after(tmp_path):
    """The lead's cells, run in a real kernel in a learner's workspace (modules 00 and 07 hosting the checkpoint)."""
    import nbformat
    from checkpoint_cells import cells
    from nbclient import NotebookClient

    setup = ("from course.checks import lesson00, lesson07\n"
             "from course.checks.checkpoint import checkpoint_questions\n"
             "lesson00.QUESTIONS += checkpoint_questions('pre', '00')\n"
             "lesson07.QUESTIONS += checkpoint_questions('post', '07')\n"
             "from course import check, checkpoint, checkpoint_results")
    (tmp_path / ".course").mkdir()
    outputs = {}
    for occasion, module in (("pre", "00"), ("post", "07")):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(setup)]
        for kind, source in cells(occasion, module):
            if kind == "code":
                source = source.replace("(..., ...)),", '("B", 80)),' if occasion == "post" else '("A", 60)),', 3)
            nb.cells.append(nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source))
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute(
            env={"COURSE_WORKSPACE": str(tmp_path), "COURSE_LEARNER": "ada"})
        text = "\n".join(o.get("data", {}).get("text/plain", "") for c in nb.cells if c.cell_type == "code"
                         for o in c.get("outputs", []))
        assert not any(o.get("output_type") == "error" for c in nb.cells if c.cell_type == "code"
                       for o in c.get("outputs", [])), text
        outputs[occasion] = text
    assert "3 of 13 answers saved" in outputs["pre"] and "(item " in outputs["pre"]
    assert "Not answered yet: 00.pre4, 00.pre5" in outputs["pre"]
    assert "Before the course" in outputs["post"] and "After the course" in outputs["post"]
