"""Named mistakes: every one a lesson declares is recognised on a wrong answer that shows it, by its tag."""

from __future__ import annotations

import pytest

from course.checks import compute_params, questions
from course.checks._engine import CORRECT, evaluate
from course.checks._mistakes import equals, option

LEARNERS = (None, "ada", "ben", "chen-wei")


def _declared():
    return [(x, m) for x in questions() for m in x.mistakes if m.example is not None]


@pytest.mark.parametrize("x, m", _declared(), ids=lambda v: v.id if hasattr(v, "id") else v.tag)
def test_each_declared_mistake_is_recognised_on_its_own_example(x, m):
    """Built from the mistake's own description, the wrong answer gets the mistake's tag for some variant.

    A mistake that is never reached (an earlier one always catches its answers first, or its test
    can never be true) fails here.
    """
    reached = []
    for learner in LEARNERS:
        params = compute_params(x, learner)
        expected = x.kind.reference(x, params)
        answer = m.example(params, expected)
        if answer is None:
            continue
        r = evaluate(x, answer, params)
        if r.status == CORRECT:
            continue  # in this variant the wrong formula happens to give the right answer
        reached.append(r.mistake)
    assert reached, f"{x.id}: {m.tag} had no variant where its example is a wrong answer"
    assert m.tag in reached, f"{x.id}: the example of {m.tag!r} got {reached}"


def test_every_graded_question_tags_its_mistakes_with_plain_words():
    for x in questions():
        for m in x.mistakes:
            assert m.tag != "untagged", f"{x.id} still has an untagged diagnostic: {m.message[:60]}"


def test_tags_and_options_are_checked_when_declared_or_first_used():
    with pytest.raises(ValueError, match="lower-case words joined by hyphens"):
        equals("Off By One", "x", 1)
    with pytest.raises(ValueError, match="needs a message"):
        equals("off-by-one", " ", 1)
    from course.checks._engine import Question

    with pytest.raises(ValueError, match="names options it does not have"):
        Question(id="99.1", prompt="p", kind="choice", expected=lambda p: "Alpha", choices=("Alpha", "Beta"),
                 mistakes=(option("no-such-option", "x", "Delta"),))


def test_the_typical_mistakes_a_new_learner_makes_get_their_own_message():
    """Issue 13: a section's words for its sentences, a growth ratio upside down (as a learner rounds it)."""
    from course.checks import question
    from course.checks._engine import evaluate
    from course.checks._kinds import kind

    q00 = question("00.1")
    p = q00.canonical_params()
    from course.article import article, words

    section_words = len(words(article().section(p["section"]).text))
    assert evaluate(q00, section_words, p).mistake == "words-for-sentences"
    q04 = question("04.2")
    p4 = q04.canonical_params()
    ratio = q04.expected(p4)
    assert evaluate(q04, round(1 / ratio, 2), p4).mistake == "inverted-ratio"
    assert kind("choice") == "choice"
