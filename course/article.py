"""The article as structured data: headline, sections, sentences and words.

Every lesson reads the article through :func:`article`, so sentence numbers mean the same thing
in every notebook, in the claims ledger and in the checks.

Examples
--------
>>> from course import article
>>> a = article()
>>> a.title
'Russian Army Desertions: Why Troops Are Rejecting Putin’s War'
>>> len(a.sections)
6
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from course.text import split_sentences, tokens

__all__ = ["Article", "Section", "Sentence", "article", "split_sentences", "words"]


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text, its section (1-based), its position in the section and overall."""

    text: str
    section: int
    position: int
    index: int

    @property
    def id(self) -> str:
        """A stable label such as ``S3.12`` (section 3, sentence 12)."""
        return f"S{self.section}.{self.position}"


@dataclass(frozen=True)
class Section:
    """A section: its number (1-based), heading and body text."""

    number: int
    heading: str
    text: str


@dataclass(frozen=True)
class Article:
    """The whole article: title, sections and sentences (headings are not sentences)."""

    title: str
    sections: tuple[Section, ...]
    sentences: tuple[Sentence, ...]

    @property
    def text(self) -> str:
        """The body text of every section, joined by blank lines (no headline or headings)."""
        return "\n\n".join(s.text for s in self.sections)

    @property
    def words(self) -> list[str]:
        """Every word of the body text, in order (see :func:`words`)."""
        return words(self.text)

    def section(self, number: int) -> Section:
        """The section with this 1-based number."""
        if not isinstance(number, int) or not 1 <= number <= len(self.sections):
            raise ValueError(f"Sections are numbered 1 to {len(self.sections)}; got {number!r}.")
        return self.sections[number - 1]

    def sentence(self, label: str) -> Sentence:
        """The sentence with a label such as ``'S3.12'``."""
        for s in self.sentences:
            if s.id == label:
                return s
        raise KeyError(f"No sentence {label!r}; labels look like 'S3.12' (section 3, sentence 12).")

    def table(self):
        """One row per sentence (a pandas DataFrame): id, section, position, heading, text, words."""
        import pandas as pd

        return pd.DataFrame(
            {
                "id": [s.id for s in self.sentences],
                "section": [s.section for s in self.sentences],
                "position": [s.position for s in self.sentences],
                "heading": [self.sections[s.section - 1].heading for s in self.sentences],
                "text": [s.text for s in self.sentences],
                "words": [len(words(s.text)) for s in self.sentences],
            }
        )

    def __repr__(self) -> str:
        return (
            f"Article({self.title!r}: {len(self.sections)} sections, "
            f"{len(self.sentences)} sentences, {len(self.words)} words)"
        )


def words(text: str) -> list[str]:
    """Split text into words: the course's one definition of a word, :func:`course.text.tokens`.

    Apostrophes and hyphens stay inside a word (curly apostrophes come out straight), a number
    such as 1,000 is one word, and words in any alphabet count.

    >>> words("It’s a deep-seated issue, isn't it? About 1,000.")
    ["It's", 'a', 'deep-seated', 'issue', "isn't", 'it', 'About', '1,000']
    """
    if not isinstance(text, str):
        raise TypeError(f"words() takes text (a str); got {type(text).__name__}.")
    return tokens(text)


def parse(raw: str) -> Article:
    """Build an :class:`Article` from the supplied text: headline, then heading/paragraph pairs.

    A heading is a line with no sentence-final punctuation; the lines after it, up to the next
    heading, are its body.
    """
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if not lines:
        raise ValueError("The article text is empty.")
    title, rest = lines[0], lines[1:]
    sections: list[Section] = []
    heading, body = None, []
    for line in rest:
        is_heading = not re.search(r"[.!]['’”\"]?$", line) and len(line) < 120
        if is_heading:
            if heading is not None:
                sections.append(Section(len(sections) + 1, heading, " ".join(body)))
            heading, body = line, []
        else:
            body.append(line)
    if heading is not None:
        sections.append(Section(len(sections) + 1, heading, " ".join(body)))
    sentences = []
    for sec in sections:
        for pos, text in enumerate(split_sentences(sec.text), start=1):
            sentences.append(Sentence(text, sec.number, pos, len(sentences)))
    return Article(title, tuple(sections), tuple(sentences))


@lru_cache(maxsize=1)
def article() -> Article:
    """The course article, parsed once and shared (it is immutable)."""
    from course.data import load

    return parse(load("article"))
