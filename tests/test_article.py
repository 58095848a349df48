"""The article as structured data; counts verified by hand against the text."""

from course import article
from course.article import parse, split_sentences, words


def test_title_and_sections():
    a = article()
    assert a.title == "Russian Army Desertions: Why Troops Are Rejecting Putin’s War"
    assert [s.heading for s in a.sections] == [
        "Introduction: The Crisis Within the Ranks",
        "The Reasons Behind the Exodus: Why Soldiers Are Fleeing",
        "The Scale of the Problem: How Many Are Deserting?",
        "The Impact on the War: What Does This Mean for Russia's Military?",
        "What’s Next? The Future of the Conflict and the Russian Military",
        "Conclusion: The Unraveling?",
    ]


def test_sentence_counts_verified_by_hand():
    # Hand count: sentence-final . ! ? marks per paragraph (20, 23, 20, 26, 24, 17), less the
    # "!" inside “No way!” in section 1, which ends no sentence.
    a = article()
    per_section = [sum(1 for s in a.sentences if s.section == n) for n in range(1, 7)]
    assert per_section == [19, 23, 20, 26, 24, 17]
    assert len(a.sentences) == 129


def test_quoted_exclamation_stays_inside_its_sentence():
    s = article().sentence("S1.3")
    assert s.text.startswith("This isn't just a few isolated incidents") and s.text.endswith("“No way!” to the conflict.")


def test_sentence_labels_and_positions():
    a = article()
    assert a.sentence("S2.1").text == "Okay, so why are these guys bailing?"
    assert [s.index for s in a.sentences] == list(range(129))
    assert a.sentences[-1].id == "S6.17"


def test_words_keep_curly_and_straight_apostrophes_as_one_word():
    assert words("It’s what’s next, isn't it? Deep-seated.") == ["It's", "what's", "next", "isn't", "it", "Deep-seated"]
    assert "Putin's" in words(article().title)


def test_a_word_is_the_same_thing_in_the_article_and_in_the_language_measures():
    """Numbers with separators and words in any alphabet: one definition of a word (course.text.tokens)."""
    text = "About 1,000 soldiers, around 2.5 per cent — «около тысячи солдат» — left, officials’ data say."
    by_hand = ["About", "1,000", "soldiers", "around", "2.5", "per", "cent", "около", "тысячи", "солдат", "left",
               "officials", "data", "say"]
    assert words(text) == by_hand
    from course.text import density, tokens

    assert tokens(text) == by_hand and density(text, ["около"]) == 1000 / len(by_hand)


def test_word_counts_verified_by_hand():
    a = article()
    t = a.table()
    assert list(t.columns) == ["id", "section", "position", "heading", "text", "words"]
    # Hand count of S2.1, "Okay, so why are these guys bailing?": 7 words.
    assert t.set_index("id").loc["S2.1", "words"] == 7
    assert len(t) == 129 and t["words"].sum() == len(a.words), "no text falls between sentences"


def test_split_sentences_edge_cases():
    assert split_sentences("") == []
    assert split_sentences("  ") == []
    assert split_sentences("No end") == ["No end"]
    assert split_sentences("One. Two! “Three?” Four.") == ["One.", "Two!", "“Three?”", "Four."]


def test_parse_treats_unpunctuated_lines_as_headings():
    a = parse("Headline\nFirst heading\nBody one. Body two.\nSecond heading?\nMore body.\n")
    assert a.title == "Headline"
    assert [s.heading for s in a.sections] == ["First heading", "Second heading?"]
    assert [s.id for s in a.sentences] == ["S1.1", "S1.2", "S2.1"]


def test_bad_inputs_get_clear_messages():
    import pytest

    with pytest.raises(TypeError, match="takes text"):
        words(5)
    with pytest.raises(ValueError, match="numbered 1 to 6"):
        article().section(7)
    with pytest.raises(KeyError, match="labels look like"):
        article().sentence("3.12")
