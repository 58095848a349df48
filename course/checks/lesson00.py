"""Questions for lesson 00, Start here: the article's shape and what it leaves out."""

from __future__ import annotations

from course.checks._engine import Module, Question, reflection
from course.checks.checkpoint import checkpoint_questions
from course.checks._mistakes import equals, offset

MODULE = Module(
    id="00",
    slug="start-here",
    title="Start here",
    minutes=32,
    objectives={
        "O1": "Run cells and use check, hint and progress to get feedback on an exercise.",
        "O2": "Describe the article's shape: its sections, their length and their sentences.",
        "O3": "Notice what the article leaves out: byline, date, outlet and sources.",
    },
)


def _article():
    from course.article import article

    return article()


def _sentences_in_section(p):
    return sum(1 for s in _article().sentences if s.section == p["section"])


def _words_in_section(p):
    from course.article import words

    return len(words(next(s for s in _article().sections if s.number == p["section"]).text))


def _sections_by_length(p):
    from course.article import words

    a = _article()
    sizes = {s.number: len(words(s.text)) for s in a.sections}
    return sorted(sizes, key=lambda n: (-sizes[n], n))


MISSING_CHOICES = (
    "The author's name",
    "The date it was published",
    "The outlet that published it",
    "A named source for its figures",
    "None of these: it gives none of them",
)
_FIELDS = ("author", "date", "outlet", "sources_cited")


def _what_it_gives(p):
    from course.data import load

    meta = load("article-metadata")
    given = [c for c, f in zip(MISSING_CHOICES, _FIELDS) if meta[f] not in ("none given", [], "")]
    return given[0] if len(given) == 1 else MISSING_CHOICES[-1]


QUESTIONS = (
    Question(
        id="00.1",
        prompt="How many sentences are in the given section?",
        kind="number",
        objective="O1",
        expected=_sentences_in_section,
        canonical={"section": 3},
        variant=lambda rng: {"section": int(rng.integers(1, 7))},
        mistakes=(
            equals("whole-for-part", "That is the whole article's count: keep only this section's sentences.",
                   lambda p: len(_article().sentences)),
            equals("words-for-sentences", "That counts the section's words; the question asks for its sentences.",
                   _words_in_section),
            offset("off-by-one", "One short: positions start at 1, so the last position is the count.", -1),
        ),
        hints=(
            "Each sentence knows its section: look at s.section for s in a.sentences.",
            "Count the sentences whose section equals exercise(\"00.1\").section.",
            "sum(1 for s in a.sentences if s.section == exercise(\"00.1\").section)",
        ),
        why="Counting precisely what a text contains is the first habit of a careful reader.",
    ),
    Question(
        id="00.2",
        prompt="List the section numbers from the most words to the fewest.",
        kind="list",
        objective="O2",
        expected=_sections_by_length,
        hints=(
            "The table words_per_section has one row per section.",
            "Sort it by the words column, largest first, and take the section column.",
            "words_per_section.sort_values(\"words\", ascending=False)[\"section\"].tolist()",
        ),
        why="Where an article spends its words shows what it wants you to dwell on.",
    ),
    Question(
        id="00.3",
        prompt="Which of these does the article give its reader?",
        kind="choice",
        objective="O3",
        choices=MISSING_CHOICES,
        expected=_what_it_gives,
        hints=(
            "Look at the metadata record: load(\"article-metadata\").",
            "A field that says 'none given' is missing.",
        ),
        why="Without a byline, date, outlet or source, a reader cannot check who says so, when, or how they know.",
    ),
    reflection(
        "00.4",
        "What would you want to know about who wrote this article, and why?",
        objective="O3",
        min_words=20,
    ),
)

# The checkpoint, before the course (taken before module 01): unmarked, see course.checks.checkpoint.
QUESTIONS += checkpoint_questions("pre", MODULE.id)
