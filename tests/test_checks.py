"""The check engine: three outcomes, specific reasons, variants, hints and saved progress."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from course.checks import _progress, check, exercise, hint, progress, question, questions
from course.checks._engine import (
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    SUBMITTED,
    Question,
    evaluate,
)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Every test gets its own workspace and no learner id."""
    (tmp_path / ".course").mkdir()
    monkeypatch.setenv("COURSE_WORKSPACE", str(tmp_path))
    monkeypatch.delenv("COURSE_LEARNER", raising=False)
    return tmp_path


def q(kind="number", expected=lambda p: 12.0, **kw):
    return Question(id="99.1", prompt="test", kind=kind, expected=expected, **kw)


# --- three outcomes ---------------------------------------------------------------------------

def test_placeholder_is_not_attempted():
    r = evaluate(q(), ..., {})
    assert r.status == NOT_ATTEMPTED and r.points == 0 and "Replace the ..." in r.message


def test_correct_number_earns_points_and_why():
    r = evaluate(q(why="because", points=2), 12, {})
    assert r.status == CORRECT and r.points == 2 and r.correct
    assert "Why it matters: because" in repr(r)


@pytest.mark.parametrize(
    "answer, words",
    [
        (["a", "b", "c"], "got a list of 3 strings"),
        ("12", "remove the quotes"),
        ("twelve", "got a string"),
        (True, "True/False value"),
        (None, "got None"),
        ({"a": 1}, "dictionary with 1 key"),
    ],
)
def test_wrong_type_is_named(answer, words):
    r = evaluate(q(), answer, {})
    assert r.status == INCORRECT and words in r.message


def test_wrong_answers_never_raise_even_for_odd_objects():
    class Weird:
        def __eq__(self, other):
            raise RuntimeError("boom")

    for kind, expected in [("number", lambda p: 1), ("set", lambda p: {1}), ("list", lambda p: [1]),
                           ("exact", lambda p: "x"), ("frame", lambda p: pd.DataFrame({"a": [1]}))]:
        r = evaluate(q(kind=kind, expected=expected), Weird(), {})
        assert r.status == INCORRECT


def test_scale_mistakes_are_named_by_unit():
    per_1000 = q(expected=lambda p: 2.5, unit="per 1,000 soldiers", rel_tol=0.01)
    assert "denominator" in evaluate(per_1000, 0.25, {}).message
    share = q(expected=lambda p: 0.125, unit="fraction", rel_tol=0.01)
    assert "fraction between 0 and 1" in evaluate(share, 12.5, {}).message
    plain = q(expected=lambda p: 20)
    assert "check the scale" in evaluate(plain, 2000, {}).message


def test_close_but_outside_tolerance_says_so():
    r = evaluate(q(expected=lambda p: 100.0, abs_tol=0.5), 104, {})
    assert "within 10%" in r.message and "±0.5" in r.message
    assert evaluate(q(expected=lambda p: 100.0, abs_tol=0.5), 100.4, {}).correct


def test_far_off_says_direction():
    assert "too high" in evaluate(q(), 50, {}).message
    assert "too low" in evaluate(q(), 3, {}).message


def test_nan_is_explained():
    assert "NaN" in evaluate(q(), float("nan"), {}).message


def test_set_reports_missing_and_extra_without_revealing_missing():
    s = q(kind="set", expected=lambda p: {"A01", "A02", "A03"})
    r = evaluate(s, ["A01", "B07"], {})
    assert "1 item should not be there ('B07')" in r.message and "2 items are missing" in r.message
    assert "A02" not in r.message
    assert evaluate(s, ("A03", "A01", "A02"), {}).correct
    assert "repeats" in evaluate(s, ["A01", "A01", "A02", "A03"], {}).message
    assert "list of items" in evaluate(s, "A01", {}).message


def test_ordered_list_reports_order():
    lst = q(kind="list", expected=lambda p: [3, 1, 2])
    assert evaluate(lst, [3, 1, 2], {}).correct
    assert "reversed" in evaluate(lst, [2, 1, 3], {}).message
    assert "position 2" in evaluate(lst, [3, 2, 1], {}).message


def test_numbers_compare_across_numpy_and_python_types():
    import numpy as np

    assert evaluate(q(expected=lambda p: 12), np.int64(12), {}).correct
    assert evaluate(q(kind="list", expected=lambda p: [1, 2]), list(np.array([1, 2])), {}).correct


def test_choice_accepts_letter_or_text():
    c = q(kind="choice", expected=lambda p: "Beta", choices=("Alpha", "Beta"))
    assert evaluate(c, "b", {}).correct and evaluate(c, " beta ", {}).correct
    assert "not the best answer" in evaluate(c, "A", {}).message
    assert 'one letter in quotes, such as "A"' in evaluate(c, 2, {}).message
    assert evaluate(c, "B. Beta", {}).correct and evaluate(c, "(b)", {}).correct and evaluate(c, "B.", {}).correct
    mixed = evaluate(c, "A. Beta", {}).message
    assert "not one of the options" in mixed and "Expected one option" not in mixed
    many = q(kind="choices", expected=lambda p: ["Alpha", "Gamma"], choices=("Alpha", "Beta", "Gamma"))
    assert evaluate(many, ["a", "C"], {}).correct
    assert "missing" in evaluate(many, ["A"], {}).message
    assert "not one of the options" in evaluate(many, ["A", "Z"], {}).message


def test_frame_comparison_names_the_problem():
    want = pd.DataFrame({"section": [1, 2], "words": [10, 20]})
    f = q(kind="frame", expected=lambda p: want)
    assert evaluate(f, want.copy(), {}).correct
    assert "lacks 1 column" in evaluate(f, want[["section"]], {}).message
    short_table = evaluate(f, want.iloc[:1], {}).message
    assert "has 1 row;" in short_table and "expects 2" in short_table and "filter" in short_table
    assert "order" in evaluate(f, want.iloc[::-1], {}).message
    assert "got a list" in evaluate(f, [1, 2], {}).message


def test_function_question_tests_several_inputs_and_reports_the_first_failure():
    ref = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
    fq = q(kind="function", expected=lambda p: ref, cases=lambda p: [([1, 2, 3],), ([],), ([5],)])

    def good(xs):
        return sum(xs) / len(xs) if xs else 0.0

    def crashes_on_empty(xs):
        return sum(xs) / len(xs)

    def starter(xs):
        return ...

    assert evaluate(fq, good, {}).correct
    r = evaluate(fq, crashes_on_empty, {})
    assert "crashes_on_empty([])" in r.message and "ZeroDivisionError" in r.message
    assert evaluate(fq, starter, {}).status == NOT_ATTEMPTED
    assert "Expected a function" in evaluate(fq, 3, {}).message


def test_named_mistakes_override_the_generic_message_and_carry_their_tag():
    from course.checks._mistakes import offset

    d = q(expected=lambda p: 10, mistakes=(offset("off-by-one", "Off by one.", 1),))
    r = evaluate(d, 11, {})
    assert r.message.startswith("Off by one.") and r.mistake == "off-by-one"
    generic = evaluate(d, 15, {})
    assert "too high" in generic.message and generic.mistake == ""
    assert evaluate(d, "11", {}).mistake == "format"


def test_a_choice_mistake_is_judged_on_the_option_so_letter_and_text_get_one_message():
    from course.checks._mistakes import option

    c = q(kind="choice", expected=lambda p: "Alpha", choices=("Alpha", "Beta", "Gamma"),
          mistakes=(option("beta-trap", "Beta is tempting because…", "Beta"),))
    by_letter, by_text = evaluate(c, "B", {}), evaluate(c, " beta", {})
    assert by_letter.message == by_text.message and by_letter.mistake == by_text.mistake == "beta-trap"
    assert evaluate(c, "C", {}).mistake == ""


def test_whole_number_counts_are_not_told_to_check_rounding():
    count = q(expected=lambda p: 20)
    msg = evaluate(count, 21, {}).message
    assert "rounding" not in msg and "tolerance" not in msg and "too high" in msg


def test_text_reflection_is_collected_not_graded():
    t = q(kind="text", expected=lambda p: None, min_words=5, points=0)
    r = evaluate(t, "one two three four five six", {})
    assert r.status == SUBMITTED and r.max_points == 0
    assert "at least 5" in evaluate(t, "too short", {}).message
    assert "string in quotes" in evaluate(t, 42, {}).message


def test_html_and_text_carry_the_same_information():
    r = evaluate(q(), ["x"], {})
    html, text = r._repr_html_(), repr(r)
    for piece in ("99.1", "Not yet", "got a list of 1 string"):
        assert piece in html and piece in text


def test_bad_question_declarations_fail_early():
    with pytest.raises(ValueError, match="kind must be"):
        q(kind="essay")
    with pytest.raises(ValueError, match="needs choices"):
        q(kind="choice")
    with pytest.raises(ValueError, match="needs cases"):
        q(kind="function")


# --- the public calls ---------------------------------------------------------------------------

def test_unknown_question_suggests_nearest_ids():
    with pytest.raises(LookupError, match=r"Did you mean '00\.1'"):
        check("0.1", 3)
    with pytest.raises(TypeError, match="strings in quotes"):
        check(1, 3)


def test_every_declared_question_has_unique_id_objective_and_hints_where_graded():
    from course.checks import modules
    from course.checks.checkpoint import is_checkpoint

    ids = [x.id for x in questions()]
    assert len(ids) == len(set(ids))
    for m in modules():
        mine = questions(m.id)
        assert mine, f"lesson {m.id} declares no questions"
        covered = {x.objective for x in mine}
        assert set(m.objectives) <= covered, f"lesson {m.id}: objectives without an exercise: {set(m.objectives) - covered}"
        for x in mine:
            assert x.id.startswith(m.id + "."), x.id
            if x.kind.records_only:  # the checkpoint a lesson hosts measures the course, it teaches no objective
                assert is_checkpoint(x.id) and not x.hints, x.id
                continue
            assert x.objective in m.objectives, f"{x.id} maps to unknown objective {x.objective}"
            if x.graded:
                assert x.hints, f"{x.id} has no hints"


def _wrong_answer(x, reference):
    """An answer of the right form that is not the reference (so a check that accepts it is broken)."""
    kind = x.kind.name
    if kind == "number":
        return reference * 1.37 + 1
    if kind == "choice":
        right = {str(r).casefold() for r in x.expected(x.canonical_params())} if isinstance(
            x.expected(x.canonical_params()), tuple) else {str(reference).casefold()}
        return next(c for c in x.choices if c.casefold() not in right)
    if kind == "choices":
        return sorted(set(reference) ^ {x.choices[0]})
    if kind == "set":
        items = sorted(reference, key=str)
        return items[1:] if items else ["not-an-item"]
    if kind == "list":
        items = list(reference)
        return items[::-1] if len(items) > 1 and items != items[::-1] else items + ["not-an-item"]
    if kind == "exact":
        return f"{reference}x"
    if kind == "function":
        return lambda *args: "not the answer"
    if kind == "frame":
        return reference.iloc[:-1]
    raise AssertionError(f"no wrong answer for kind {kind}")


def test_every_check_accepts_its_reference_answer_and_refuses_a_wrong_one():
    """No check is impossible to satisfy, and none accepts an answer of the right form that is wrong."""
    for x in questions():
        if not x.graded or x.kind == "factcheck":  # a fact-check's reference is "no problems": lesson 07's tests build real ones
            continue
        if x.kind.records_only:  # recorded, never marked (the checkpoint): tests/test_checkpoint.py scores its keys
            continue
        params = x.canonical_params()
        reference = x.expected(params)
        if x.kind == "choice" and isinstance(reference, tuple):  # several defensible options: each one passes
            assert all(evaluate(x, r, params).correct for r in reference), x.id
            reference = reference[0]
        assert evaluate(x, reference, params).correct, (x.id, evaluate(x, reference, params).message)
        wrong = evaluate(x, _wrong_answer(x, reference), params)
        assert wrong.status == INCORRECT, (x.id, wrong.message)


def test_variants_are_per_learner_and_deterministic(monkeypatch):
    assert exercise("00.1")["section"] == 3  # canonical without a learner id
    seen = set()
    for learner in ["ada", "bo", "cy", "di", "ed", "flo", "gus", "hal"]:
        monkeypatch.setenv("COURSE_LEARNER", learner)
        first, again = exercise("00.1").section, exercise("00.1").section
        assert first == again and 1 <= first <= 6
        seen.add(first)
        expected = question("00.1").expected({"section": first})
        assert check("00.1", expected).correct
    assert len(seen) > 1, "different learners should not all get the same variant"


def test_learner_id_can_come_from_the_workspace(isolated):
    (isolated / ".course" / "learner.txt").write_text("zoe\n")
    assert "learner zoe" in repr(exercise("00.1"))


def test_params_give_clear_errors():
    p = exercise("00.1")
    with pytest.raises(AttributeError, match="has no parameter 'sectoin'; it has section"):
        p.sectoin


def test_hints_reveal_one_level_at_a_time_and_are_remembered():
    first, second = hint("00.1"), hint("00.1")
    assert (first.level, second.level) == (1, 2)
    assert hint("00.1", level=1).level == 1
    assert hint("00.1").level == 3 and hint("00.1").level == 3
    assert "last hint" in repr(hint("00.1"))
    with pytest.raises(ValueError, match="levels 1 to 3"):
        hint("00.1", level=9)


def test_a_hint_shown_as_an_example_is_not_recorded_and_says_so(isolated):
    from course.checks import _progress

    example = hint("00.1", record=False)
    assert example.level == 1 and not example.recorded
    assert "not counted" in repr(example) and "not counted" in example._repr_html_()
    assert _progress.hints_seen("00.1") == 0  # running the demonstration spent nothing
    assert hint("00.1", record=False).level == 1  # and showing it again does not move on
    assert hint("00.1").level == 1 and _progress.hints_seen("00.1") == 1  # the learner's own first hint counts
    assert hint("00.1", record=False).level == 2 and _progress.hints_seen("00.1") == 1


def test_progress_is_saved_and_best_outcome_kept(isolated):
    check("00.1", question("00.1").expected({"section": 3}))
    check("00.1", -5)  # a later wrong answer does not lose the correct one
    saved = json.loads((isolated / ".course" / "progress.json").read_text())
    assert saved["questions"]["00.1"]["status"] == CORRECT and saved["questions"]["00.1"]["attempts"] == 2
    table = progress("00")
    row = next(r for r in table.rows if r["id"] == "00.1")
    assert row["status"] == CORRECT and table.points[0] == 1
    assert "00.1" in table._repr_html_() and "00.1" in repr(table)
    with pytest.raises(ValueError, match="lessons are"):
        progress("42")
    with pytest.raises(TypeError):
        progress(0)


def test_not_attempted_is_not_recorded(isolated):
    check("00.1", ...)
    assert not (isolated / ".course" / "progress.json").exists()


def test_corrupt_progress_is_backed_up_not_lost(isolated, capsys):
    f = isolated / ".course" / "progress.json"
    f.write_text('{"questions": {"00.1": {"status": "correct"')  # truncated
    check("00.2", [1])
    backups = list(f.parent.glob("progress.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_text().startswith('{"questions"')
    assert "could not be read" in capsys.readouterr().err
    assert json.loads(f.read_text())["questions"]["00.2"]["status"] == INCORRECT


def test_progress_write_is_atomic(isolated, monkeypatch):
    f = isolated / ".course" / "progress.json"
    check("00.1", 1)
    before = f.read_text()

    def fail(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(_progress.os, "replace", fail)
    check("00.2", [1])
    assert f.read_text() == before  # the old file is intact
    assert not list(f.parent.glob(".progress-*"))  # no temporary left behind


def test_without_a_workspace_progress_stays_in_memory(tmp_path_factory, monkeypatch):
    elsewhere = tmp_path_factory.mktemp("no-workspace")
    monkeypatch.delenv("COURSE_WORKSPACE")
    monkeypatch.chdir(elsewhere)
    assert _progress.workspace() is None
    check("00.1", 1)
    assert not any(elsewhere.rglob("progress.json"))


def test_a_fact_check_is_revalidated_and_its_problems_are_the_message():
    from course.checks._kinds import FactCheckKind
    from course.factcheck import factcheck, verdict

    fq = q(kind=FactCheckKind(), expected=lambda p: (), hints=("h",))
    good = factcheck("T", verdict("S3.4", "supported", ["A22"], "The court rows count thousands of cases a year, "
                                  "and court counts are minimums, so the claim holds from below."))
    assert evaluate(fq, good, {}).correct
    assert evaluate(fq, good.to_plain(), {}).correct, "the grader passes the plain form"
    bad = evaluate(fq, factcheck("T", verdict("S3.4", "supported", [], "too short")), {})
    assert not bad.correct and "cites no evidence" in bad.message
    typed = evaluate(fq, [], {})
    assert not typed.correct and "Pass your fact-check itself" in typed.message and typed.mistake == "format"


def _contrast(hex_colour: str) -> float:
    """WCAG contrast ratio of a colour against white."""
    def channel(x: float) -> float:
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(hex_colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_every_result_headline_is_readable_against_white():
    from course.checks._engine import Result

    for status, colour in Result._TEXT.items():
        assert _contrast(colour) >= 4.5, (status, colour, round(_contrast(colour), 2))
    assert set(Result._TEXT) == set(Result._COLOURS)
