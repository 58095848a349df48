"""Quiz widgets, tested headless: build, set a value, press Check, read the feedback."""

import ipywidgets

from course import quiz


def test_single_choice_quiz_grades_with_the_engine(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_WORKSPACE", str(tmp_path))
    (tmp_path / ".course").mkdir()
    q = quiz("00.3")
    assert isinstance(q, ipywidgets.VBox)
    assert q.submit().status == "not attempted"  # nothing chosen yet
    q.inputs[0].value = "A"
    q.button.click()
    assert "Not yet" in q.feedback.value and not q.result.correct
    q.inputs[0].value = "E"
    q.button.click()
    assert "Correct" in q.feedback.value and q.result.correct


def test_without_a_widget_frontend_the_quiz_explains_check():
    bundle = quiz("00.3")._repr_mimebundle_()
    text = bundle["text/plain"]
    assert 'check("00.3", letter)' in text and "E. None of these" in text
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_checkbox_quiz_is_a_labelled_group_with_every_option_in_full(monkeypatch, tmp_path):
    from course._controls import Choices
    from course.checks import question

    monkeypatch.setenv("COURSE_WORKSPACE", str(tmp_path))
    (tmp_path / ".course").mkdir()
    q = quiz("04.9")
    group = q.children[0]
    assert isinstance(group, Choices) and group.multiple and group.qid == "04.9"
    assert group.prompt == question("04.9").prompt  # the group's legend names the question
    assert group.options == [f"{chr(65 + i)}. {c}" for i, c in enumerate(question("04.9").choices)]
    for box, letter in zip(q.inputs, "ABCDEF"):
        box.value = letter in "AD"
    assert group.selected == ["A", "D"]
    q.button.click()
    assert q.result.correct and "Correct" in q.feedback.value


def test_radio_quiz_value_is_one_letter_or_none():
    group = quiz("00.3").inputs[0]
    assert group.value is None and not group.multiple
    group.value = "C"
    assert group.value == "C" and group.selected == ["C"]
