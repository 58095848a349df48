"""Quiz widgets: answer by clicking, graded by the same engine as ``check``.

``quiz("00.3")`` shows radio buttons (single choice), tick boxes (several choices) or a number
box, with a Check button and the feedback beside it. The options are a labelled group that works
by keyboard alone and shows every option's full text (see :mod:`course._controls`). Where no widget frontend is running (a
terminal, a static page), the quiz shows a plain-text prompt explaining how to answer with
``check`` instead.
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["Quiz", "quiz"]


def _letter(i: int) -> str:
    return chr(ord("A") + i)


def quiz(qid: str) -> "Quiz":
    """A clickable quiz for a choice or number question; the feedback appears under the Check button."""
    from course.checks import question

    q = question(qid)
    if q.kind.widget is None:  # each kind says whether it has a clickable form (course.checks._kinds)
        raise ValueError(
            f"Question {q.id} is answered in code, not in a quiz: use check(\"{q.id}\", your_answer)."
        )
    return Quiz(q.id)


def _build(qid: str):
    """The control for one question, chosen by its kind: what the learner clicks, how it is read.

    Returns the question, the control, a function that reads the answer, and ``inputs`` (for one
    answer the control itself, whose ``value`` is a letter; for several, one object per option
    whose ``value`` is True when ticked), which tests and instructor cells set.
    """
    import ipywidgets as w

    from course._controls import Choices
    from course.checks import question

    q = question(qid)
    if q.kind.widget in {"radio", "checkboxes"}:
        many = q.kind.widget == "checkboxes"
        letters = [_letter(i) for i in range(len(q.choices))]
        control = Choices(qid=q.id, prompt=q.prompt, letters=letters, multiple=many,
                          options=[f"{letter}. {c}" for letter, c in zip(letters, q.choices)])
        read = lambda: control.value  # noqa: E731
        inputs = control.inputs if many else [control]
        return q, [control], read, inputs
    control = w.FloatText(value=None, description="Answer" + (f" ({q.unit})" if q.unit else ""),
                          style={"description_width": "initial"})
    prompt = w.HTML(f"<div style='line-height:1.45'><b>{escape(q.id)}</b> {escape(q.prompt)}</div>")
    return q, [prompt, control], lambda: control.value, [control]


try:  # the quiz is an ipywidgets box when ipywidgets is importable (it is a dependency)
    import ipywidgets as _w

    _Base: Any = _w.VBox
except ImportError:  # pragma: no cover - ipywidgets is a dependency; this keeps the import honest
    _Base = object


class Quiz(_Base):
    """The quiz widget: a prompt, the control, a Check button and a feedback area."""

    def __init__(self, qid: str) -> None:
        import ipywidgets as w

        from course._controls import Live

        q, shown, read, inputs = _build(qid)
        self.question = q
        self._read = read
        self.inputs = inputs
        self.button = w.Button(description="Check", button_style="primary", icon="check",
                               tooltip=f"Check your answer to {q.id}")
        self.feedback = Live()  # read aloud by screen readers when it changes; icon and word, never colour alone
        self.result = None
        self.button.on_click(lambda _b: self.submit())
        super().__init__([*shown, self.button, self.feedback])

    def submit(self):
        """Grade the current selection (what the Check button does) and show the result."""
        from course.checks import check

        value = self._read()
        answer = ... if value in (None, []) else value
        self.result = check(self.question.id, answer)
        self.feedback.value = self.result._repr_html_()
        return self.result

    def _text_prompt(self) -> str:
        q = self.question
        lines = [f"{q.id} {q.prompt}"]
        if q.kind in {"choice", "choices"}:
            lines += [f"  {_letter(i)}. {c}" for i, c in enumerate(q.choices)]
            example = "letter" if q.kind == "choice" else "[letter, letter, ...]"
        else:
            example = "number"
        lines.append(
            f"(The clickable quiz needs Jupyter's widgets. Answer in code instead: check(\"{q.id}\", {example}),"
            + (" with each letter in quotes, such as \"A\".)" if q.kind != "number" else " with your number.)")
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self._text_prompt()

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = self._text_prompt()
        return data
