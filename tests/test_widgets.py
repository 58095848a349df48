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
