"""Lesson 00 facts: what the prose says about the article's shape holds, and every instruction matches the cell it describes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course.article import article, words
from course.instructor.release import student_copy
from notebook_text import markdown as _markdown

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "00-start-here.ipynb"


@pytest.fixture(scope="module")
def nb():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def _words_per_section():
    return {s.number: len(words(s.text)) for s in article().sections}


def test_the_shape_the_prose_describes_holds():
    sizes = _words_per_section()
    assert max(sizes, key=sizes.get) == 3  # "the longest of all is section 3"
    assert 1.8 <= (sizes[4] + sizes[5]) / sizes[3] < 2  # "together almost twice as long"
    body = [sizes[n] for n in range(2, 6)] + [sizes[1]]
    assert max(body) / min(body) < 1.3  # "the five body sections are of similar length"
    assert len(article().sentences) == 129


def test_each_instruction_describes_the_cell_it_points_at(nb):
    cells = nb["cells"]
    for i, c in enumerate(cells):
        text = "".join(c["source"])
        if c["cell_type"] == "markdown" and "next cell" in text:
            following = "".join(cells[i + 1]["source"])
            assert "draws" in text and "barh(" in following, "the next cell draws a chart; it counts nothing"
    prose = " ".join(_markdown(nb))
    assert "counts the digits" not in prose and "between the triple quotes" not in prose
    starter = next("".join(c["source"]) for c in student_copy(nb)["cells"] if "reflection" in "".join(c["source"])
                   and c["cell_type"] == "code")
    assert starter.strip() == "reflection = ..." and "Replace the `...` after `reflection =`" in prose


def test_the_summary_does_not_contradict_the_chart(nb):
    summary = next(t for t in _markdown(nb) if t.startswith("## Summary"))
    assert "longest section asks how many are deserting" in summary
    assert "more words on what desertions would mean than on how many" not in summary
