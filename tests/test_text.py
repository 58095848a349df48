"""Tests for course.text: words, lexicon counts, repetition, syllables and readability."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import subprocess
import sys
from collections import Counter

import pytest

from course import article
from course import data as course_data
from course.text import (
    Lexicon,
    count,
    density,
    flesch_kincaid_grade,
    flesch_reading_ease,
    jaccard,
    lexicon,
    matches,
    near_duplicates,
    ngrams,
    repeated_phrases,
    repeated_share,
    sentences,
    shingles,
    syllables,
    tokens,
)

LEXICONS = ["attribution", "boosters", "emotive", "hedges", "informal", "intensifiers", "vague-quantifiers"]


@pytest.fixture(scope="module")
def body() -> str:
    return article().text


# ------------------------------------------------------------------------------------ tokens


def test_tokens_keep_apostrophes_hyphens_and_numbers_inside_words():
    assert tokens("It's a deep-seated issue, isn't it? 1,000 or 3.5 of them.") == [
        "It's", "a", "deep-seated", "issue", "isn't", "it", "1,000", "or", "3.5", "of", "them",
    ]


def test_curly_and_straight_apostrophes_give_the_same_token():
    assert tokens("it’s") == tokens("it's") == ["it's"]
    assert tokens("‘it’s’ and “no way”", lower=True) == ["it's", "and", "no", "way"]


def test_tokens_lower_and_non_ascii_letters():
    assert tokens("The Façade CRACKS", lower=True) == ["the", "façade", "cracks"]
    assert tokens("The Façade") == ["The", "Façade"]


@pytest.mark.parametrize("text", ["", "   ", "...", "?! – — “” ‘’ ,;:"])
def test_tokens_of_empty_or_punctuation_only_text(text):
    assert tokens(text) == []


@pytest.mark.parametrize("bad", [42, None, ["a", "list"], 3.5])
def test_tokens_wrong_type_says_what_to_pass(bad):
    with pytest.raises(TypeError, match=r"takes text \(a str\)"):
        tokens(bad)


def test_bytes_are_refused_with_a_decode_hint():
    with pytest.raises(TypeError, match="decode"):
        tokens(b"bytes")


# ------------------------------------------------------------------------------------ sentences


def test_sentences_split_lines_and_punctuation():
    assert sentences("Heading\nOne. Two? “Three!” they said. Four") == [
        "Heading", "One.", "Two?", "“Three!” they said.", "Four",
    ]
    assert sentences("") == [] and sentences("\n\n") == []


def test_sentences_of_the_body_match_the_hand_count(body):
    # Hand count (see tests/test_article.py): 19, 23, 20, 26, 24 and 17 sentences in sections 1 to 6.
    assert len(sentences(body)) == 129
    assert sentences(body)[2].endswith("“No way!” to the conflict.")


def test_sentences_wrong_type():
    with pytest.raises(TypeError, match="sentences"):
        sentences(7)


# ------------------------------------------------------------------------------------ matching


def test_count_multiword_whole_word_case_insensitive():
    text = "According to officials, the Mayor may resign. ACCORDING TO others, he may not."
    assert count(text, ["according to", "may"]) == 4
    assert matches(text, ["according to", "may"]) == ["according to", "may", "according to", "may"]


def test_whole_words_only():
    assert count("The mayor said maybe; dismay.", ["may"]) == 0
    assert count("Accordingly, to be fair.", ["according to"]) == 0


def test_apostrophe_insensitive_both_ways():
    assert count("let’s be real; let's be real", ["let's be real"]) == 2
    assert count("let's be real", ["let’s be real"]) == 1
    assert matches("It’s ok", ["it’s"]) == ["it's"]


def test_phrases_do_not_run_across_punctuation():
    assert count("what the heck", ["what the heck"]) == 1
    assert count("So what? The heck with it.", ["what the heck"]) == 0
    assert count("according, to nobody", ["according to"]) == 0


def test_overlapping_terms_match_leftmost_longest_once():
    lex = ["more", "more and more", "and"]
    assert matches("more and more troops, and more", lex) == ["more and more", "and", "more"]


def test_count_and_density_of_empty_or_punctuation_only_text():
    for text in ["", "!!! ... ?"]:
        assert count(text, ["may"]) == 0
        assert matches(text, ["may"]) == []
        assert math.isnan(density(text, ["may"]))


def test_lexicon_argument_may_be_any_iterable_of_strings():
    text = "It may, it might."
    for lex in (["may", "might"], ("may", "might"), {"may", "might"}, frozenset(["may", "might"]),
                (t for t in ["may", "might"]), Lexicon("x", ["may", "might"])):
        assert count(text, lex) == 2


def test_a_single_string_is_not_a_lexicon():
    with pytest.raises(TypeError, match=r"for a single term \['may'\]"):
        count("It may rain.", "may")
    with pytest.raises(TypeError, match=r"lexicon\('hedges'\)"):
        density("It may rain.", "hedges")


@pytest.mark.parametrize("bad", [5, None])
def test_lexicon_argument_wrong_type(bad):
    with pytest.raises(TypeError, match="takes a lexicon"):
        count("text", bad)


def test_non_string_and_empty_terms_are_refused():
    with pytest.raises(TypeError, match="every lexicon term is a str"):
        count("text", ["may", 3])
    with pytest.raises(ValueError, match="contains no words"):
        count("text", ["may", "!!"])


def test_text_wrong_type_in_count():
    with pytest.raises(TypeError, match=r"count\(\) takes text"):
        count(12, ["may"])


# ------------------------------------------------------------------------------------ density


def test_density_per_thousand_and_per_other():
    text = "It may or may not."  # 2 matches, 5 words
    assert density(text, ["may"]) == pytest.approx(400.0)
    assert density(text, ["may"], per=100) == pytest.approx(40.0)
    assert density(text, ["never"]) == 0.0


def test_density_uses_the_tokens_word_count(body):
    hedges = lexicon("hedges")
    assert density(body, hedges) == pytest.approx(count(body, hedges) / len(tokens(body)) * 1000)


def test_density_per_must_be_positive_number():
    with pytest.raises(ValueError, match="positive"):
        density("a b", ["a"], per=0)
    with pytest.raises(TypeError, match="per is a number"):
        density("a b", ["a"], per="1000")


# ------------------------------------------------------------------------------------ lexicons


@pytest.mark.parametrize("name", LEXICONS)
def test_shipped_lexicons_are_documented_and_well_formed(name):
    lex = lexicon(name)
    assert isinstance(lex, Lexicon) and lex.name == name
    assert lex.description and lex.source
    assert 20 <= len(lex) <= 80
    raw = json.loads(course_data.path(f"lexicon-{name}").read_text(encoding="utf-8"))
    assert set(raw) == {"name", "description", "source", "terms"}
    # Terms are stored already normalised: lower case, straight apostrophes, one per entry.
    assert raw["terms"] == sorted(set(raw["terms"]))
    assert set(raw["terms"]) == set(lex.terms)
    info = course_data.info(f"lexicon-{name}")
    assert info.publisher == "Reading the Ranks course authors" and info.licence == "CC BY 4.0"


@pytest.mark.parametrize("name", LEXICONS)
def test_each_category_occurs_in_the_article(body, name):
    assert count(body, lexicon(name)) > 0


def test_hedges_and_boosters_cite_hyland():
    assert "Hyland" in lexicon("hedges").source and "1998" in lexicon("hedges").source
    assert "Hyland" in lexicon("boosters").source and "2005" in lexicon("boosters").source


def test_lexicons_contain_the_categories_named_in_the_brief():
    informal = lexicon("informal")
    for term in ["guys", "what the heck", "okay", "alright", "buckle up", "let’s be real"]:
        assert term in informal
    attribution = lexicon("attribution")
    for term in ["according to", "said", "says", "reported", "data collected by", "told", "cited", "estimated by"]:
        assert term in attribution


def test_lexicon_name_forms_and_errors():
    assert lexicon("lexicon-hedges") == lexicon("Hedges") == lexicon("hedges")
    with pytest.raises(KeyError, match="Did you mean 'hedges'"):
        lexicon("hedge")
    with pytest.raises(KeyError, match="Available: attribution, boosters"):
        lexicon("nonsense-words")
    with pytest.raises(TypeError, match="lexicon name"):
        lexicon(3)


def test_extending_a_lexicon_changes_the_count_and_leaves_the_original(body):
    hedges = lexicon("hedges")
    before = count(body, hedges)
    assert "remains to be seen" in hedges and "difficult to ascertain" not in hedges
    bigger = hedges.extend("difficult to ascertain", "tough to say")
    assert count(body, bigger) == before + 2
    assert count(body, hedges) == before
    assert len(bigger) == len(hedges) + 2
    assert bigger.name == "hedges" and "extended with 'difficult to ascertain', 'tough to say'" in bigger.source
    # A list works as well as separate arguments, and adding nothing new returns the same lexicon.
    assert hedges.extend(["difficult to ascertain", "tough to say"]) == bigger
    assert hedges.extend("MAY", "might") is hedges


def test_lexicon_is_immutable_normalised_and_iterable():
    lex = Lexicon("mine", ["It’s", "  According   TO ", "may"])
    assert lex.terms == frozenset({"it's", "according to", "may"})
    assert list(lex) == ["according to", "it's", "may"]
    assert "IT’S" in lex and "according to" in lex and 5 not in lex
    assert repr(lex) == "Lexicon('mine', 3 terms)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        lex.terms = frozenset()  # type: ignore[misc]
    with pytest.raises(TypeError, match="list of words or phrases"):
        Lexicon("bad", "may")


# ------------------------------------------------------------------------------------ repetition


def test_ngrams():
    words = ["a", "b", "c", "d"]
    assert ngrams(words, 2) == [("a", "b"), ("b", "c"), ("c", "d")]
    assert ngrams(words, 4) == [tuple(words)]
    assert ngrams(words, 5) == [] and ngrams([], 1) == []
    with pytest.raises(TypeError, match="list of words"):
        ngrams("a b c", 2)
    with pytest.raises(ValueError, match="at least 1"):
        ngrams(words, 0)
    with pytest.raises(TypeError, match="whole number"):
        ngrams(words, True)


def test_repeated_phrases_sorted_and_within_sentences():
    text = "The war drags on. The war drags on! The war drags. On the war."
    assert repeated_phrases(text, n=3) == [("the war drags", 3), ("war drags on", 2)]
    # "drags on the" would exist only across a sentence boundary.
    assert all(p != "drags on the" for p, _ in repeated_phrases(text, n=3, min_count=2))
    assert repeated_phrases(text, n=2, min_count=3) == [("the war", 4), ("war drags", 3)]
    assert repeated_phrases("It’s late. it's LATE.", n=2) == [("it's late", 2)]
    with pytest.raises(ValueError, match="at least 2"):
        repeated_phrases(text, min_count=1)


def test_repeated_phrases_in_the_article(body):
    top = dict(repeated_phrases(body, n=3))
    assert top["the mass desertions"] == 9
    assert top["the human cost"] == 6


def test_repeated_share():
    # 8 words; "the human cost" twice covers 6 of them.
    assert repeated_share("The human cost. The human cost. Nothing else.") == pytest.approx(6 / 8)
    assert repeated_share("No phrase here repeats at all.") == 0.0
    assert repeated_share("a b c. a b c.") == 1.0
    assert math.isnan(repeated_share("")) and math.isnan(repeated_share("—!"))


def test_shingles_and_jaccard():
    assert shingles("The war drags on", k=3) == frozenset({"the war drags", "war drags on"})
    assert shingles("Hi there", k=3) == frozenset({"hi there"})
    assert shingles("...") == frozenset()
    assert jaccard({"a", "b", "c"}, {"b", "c", "d"}) == 0.5
    assert jaccard(["a", "a"], ["a"]) == 1.0
    assert jaccard({"a"}, set()) == 0.0
    assert math.isnan(jaccard(set(), set()))
    with pytest.raises(TypeError, match=r"shingles\(text1\)"):
        jaccard("one text", "another")


def test_near_duplicates_small():
    sents = ["The war will drag on.", "Nobody knows.", "The war will drag on for years.", "The war will drag on."]
    assert near_duplicates(sents) == [(0, 3, 1.0), (0, 2, 0.6), (2, 3, 0.6)]
    assert near_duplicates(sents, threshold=0.9) == [(0, 3, 1.0)]
    assert near_duplicates([]) == [] and near_duplicates(["", "..."]) == []


def test_near_duplicates_agrees_with_all_pairs(body):
    sents = sentences(body)
    sets = [shingles(s) for s in sents]
    brute = sorted(
        ((i, j, jaccard(sets[i], sets[j])) for i, j in itertools.combinations(range(len(sents)), 2)
         if sets[i] and sets[j] and jaccard(sets[i], sets[j]) >= 0.2),
        key=lambda r: (-r[2], r[0], r[1]),
    )
    assert near_duplicates(sents, threshold=0.2) == brute
    assert len(brute) > 3


def test_near_duplicates_argument_errors():
    with pytest.raises(TypeError, match="list of sentences"):
        near_duplicates("One. Two.")
    with pytest.raises(TypeError, match="each a str"):
        near_duplicates(["One.", 2])
    with pytest.raises(ValueError, match="above 0"):
        near_duplicates(["a"], threshold=0)
    with pytest.raises(ValueError, match="at most 1"):
        near_duplicates(["a"], threshold=1.5)


# ------------------------------------------------------------------------------------ syllables

# Counted by hand (a dictionary's syllable breaks, e.g. "dis-il-lu-sion-ment").
HAND_COUNTED = {
    "a": 1, "cat": 1, "the": 1, "war": 1, "make": 1, "grave": 1, "whale": 1, "whole": 1, "are": 1,
    "were": 1, "knows": 1, "times": 1, "makes": 1, "jumped": 1, "seemed": 1, "played": 1, "queue": 1,
    "people": 2, "table": 2, "little": 2, "wanted": 2, "needed": 2, "agreed": 2, "agree": 2,
    "boxes": 2, "places": 2, "changes": 2, "churches": 2, "issues": 2, "troubles": 2, "hundred": 2,
    "likely": 2, "statement": 2, "soldiers": 2, "Russia": 2, "Ukraine": 2, "Kremlin": 2, "courage": 2,
    "offense": 2, "leaving": 2, "many": 2, "army": 2, "any": 2,
    "desertion": 3, "completely": 3, "everyone": 3, "reported": 3, "decided": 3, "courageous": 3,
    "cowardice": 3, "battlefield": 3, "nobody": 3,
    "military": 4, "propaganda": 4, "ultimately": 4, "disillusionment": 5, "unprecedented": 5,
    # apostrophes (straight and curly), hyphens, accents
    "isn't": 2, "doesn't": 2, "couldn't": 2, "don't": 1, "aren't": 1, "they're": 1, "it’s": 1,
    "deep-seated": 3, "flat-out": 2, "façade": 2,
}

# The heuristic's documented errors: asserted so a change in behaviour is noticed (true count in
# the comment).
KNOWN_ERRORS = {
    "idea": 2,  # 3: i-de-a
    "area": 2,  # 3
    "violence": 2,  # 3
    "humanitarian": 5,  # 6
    "lifetime": 3,  # 2: silent e inside a compound
    "haven't": 1,  # 2
    "element": 2,  # 3
    "recipe": 2,  # 3
    "rhythm": 1,  # 2
    "business": 3,  # 2
    "2023": 1,  # 5 when read aloud: numbers count one
}


@pytest.mark.parametrize(("word", "expected"), sorted(HAND_COUNTED.items()))
def test_syllables_hand_counted(word, expected):
    assert syllables(word) == expected


@pytest.mark.parametrize(("word", "expected"), sorted(KNOWN_ERRORS.items()))
def test_syllables_known_errors_are_as_documented(word, expected):
    assert syllables(word) == expected


def test_syllables_edge_cases():
    assert syllables("") == 0 and syllables("...") == 0
    assert syllables("hmm") == 1  # no vowel: minimum one
    assert syllables("WANTED") == syllables("wanted")
    with pytest.raises(ValueError, match="one word"):
        syllables("two words")
    with pytest.raises(TypeError, match="syllables"):
        syllables(3)


# ------------------------------------------------------------------------------------ readability

# Worked by hand with the syllable counts above.
#
# "The cat sat on the mat."  words 6, sentences 1, syllables 6 (all one-syllable words)
#   FRE  = 206.835 - 1.015*(6/1) - 84.6*(6/6) = 206.835 - 6.09 - 84.6       = 116.145
#   FKGL = 0.39*(6/1) + 11.8*(6/6) - 15.59    = 2.34 + 11.8 - 15.59        = -1.45
#
# "Soldiers are leaving. Nobody knows how many."  words 7, sentences 2,
#   syllables sol-diers 2 + are 1 + leav-ing 2 + no-bod-y 3 + knows 1 + how 1 + man-y 2 = 12
#   FRE  = 206.835 - 1.015*(7/2) - 84.6*(12/7) = 206.835 - 3.5525 - 145.0285714 = 58.2539286
#   FKGL = 0.39*(7/2) + 11.8*(12/7) - 15.59    = 1.365 + 20.2285714 - 15.59     = 6.0035714
#
# "Desertion is a grave offense in any army."  words 8, sentences 1,
#   syllables de-ser-tion 3 + is 1 + a 1 + grave 1 + of-fense 2 + in 1 + an-y 2 + ar-my 2 = 13
#   FRE  = 206.835 - 1.015*8 - 84.6*(13/8) = 206.835 - 8.12 - 137.475 = 61.24
#   FKGL = 0.39*8 + 11.8*(13/8) - 15.59    = 3.12 + 19.175 - 15.59    = 6.705
BY_HAND = [
    ("The cat sat on the mat.", 116.145, -1.45),
    ("Soldiers are leaving. Nobody knows how many.", 58.2539286, 6.0035714),
    ("Desertion is a grave offense in any army.", 61.24, 6.705),
]


@pytest.mark.parametrize(("text", "fre", "fkgl"), BY_HAND)
def test_readability_against_hand_computation(text, fre, fkgl):
    assert flesch_reading_ease(text) == pytest.approx(fre, abs=1e-6)
    assert flesch_kincaid_grade(text) == pytest.approx(fkgl, abs=1e-6)


@pytest.mark.parametrize("text", ["", "   ", "?!", "… — “”"])
def test_readability_of_wordless_text_is_nan(text):
    assert math.isnan(flesch_reading_ease(text))
    assert math.isnan(flesch_kincaid_grade(text))


def test_punctuation_only_sentences_are_not_counted():
    # "..." is split off as a sentence but has no words, so the text is 1 sentence of 6 words.
    assert flesch_reading_ease("The cat sat on the mat. ...") == pytest.approx(116.145)


def test_longer_sentences_and_words_read_harder():
    easy = "The war goes on. Men leave. Few come back."
    hard = (
        "The unprecedented disillusionment of military personnel, compounded by inadequate "
        "equipment, is undermining operational effectiveness."
    )
    assert flesch_reading_ease(easy) > flesch_reading_ease(hard)
    assert flesch_kincaid_grade(easy) < flesch_kincaid_grade(hard)


def test_article_readability_is_in_the_hard_band(body):
    assert 30 < flesch_reading_ease(body) < 60
    assert 9 < flesch_kincaid_grade(body) < 16


def test_readability_wrong_type():
    with pytest.raises(TypeError, match="flesch_reading_ease"):
        flesch_reading_ease(["a", "list"])
    with pytest.raises(TypeError, match="flesch_kincaid_grade"):
        flesch_kincaid_grade(None)


# ------------------------------------------------------------------------------------ long input


def test_the_article_ten_times_over(body):
    long = "\n\n".join([body] * 10)
    assert len(tokens(long)) == 10 * len(tokens(body))
    assert len(sentences(long)) == 10 * len(sentences(body))
    for name in LEXICONS:
        lex = lexicon(name)
        assert count(long, lex) == 10 * count(body, lex)
        assert Counter(matches(long, lex)) == Counter({t: 10 * c for t, c in Counter(matches(body, lex)).items()})
        assert density(long, lex) == pytest.approx(density(body, lex))
    assert flesch_reading_ease(long) == pytest.approx(flesch_reading_ease(body))
    assert flesch_kincaid_grade(long) == pytest.approx(flesch_kincaid_grade(body))
    single = dict(repeated_phrases(body, n=4))
    ten = dict(repeated_phrases(long, n=4, min_count=10))
    assert all(ten[p] == 10 * c for p, c in single.items())
    assert repeated_share(long, n=1, min_count=10) == 1.0  # every word now occurs 10 times or more
    assert repeated_share(long, n=3) > repeated_share(body, n=3)
    # Each of the 129 sentences has 9 identical copies: 129 * C(10, 2) pairs at similarity 1.
    sents = sentences(long)
    pairs = near_duplicates(sents, threshold=1.0)
    distinct = len({frozenset(shingles(s)) for s in sentences(body)})
    assert len(pairs) >= distinct * 45
    assert all(sents[i] == sents[j] or shingles(sents[i]) == shingles(sents[j]) for i, j, _ in pairs)


# ------------------------------------------------------------------------------------ import


def test_import_is_light():
    code = "import sys, course.text; print(sorted(m for m in ('pandas', 'numpy', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------------- which language


def test_english_share_counts_common_function_words():
    from course.text import english_share

    assert english_share("The video was most likely edited.") == pytest.approx(2 / 6)
    assert english_share("Верховный суд России удалил данные.") == 0
    assert math.isnan(english_share("..."))
    with pytest.raises(TypeError, match="takes text"):
        english_share(3)


def test_looks_english_is_right_on_every_sourced_quote():
    """The rule against a hand check: every quote in a non-Latin script, and the four Latin-script
    quotes read as Italian (D12), Spanish (E13), Romanian (G05) and French (G18), are not English; the rest are."""
    import re

    from course.text import looks_english

    quotes = course_data.load("sourced-sentences")
    latin_not_english = {"D12", "E13", "G05", "G18"}
    for row, quote in zip(quotes["row_id"], quotes["quote"]):
        other_script = bool(re.search(r"[\u0400-\u04FF\u0600-\u06FF]", quote))
        english = not other_script and row not in latin_not_english
        assert looks_english(quote) is english, (row, quote[:60])


def test_looks_english_margin_and_arguments():
    from course.text import english_share, looks_english

    quotes = course_data.load("sourced-sentences")["quote"]
    shares = sorted(english_share(q) for q in quotes)
    kept = [s for s in shares if s >= 0.1]
    dropped = [s for s in shares if s < 0.1]
    assert min(kept) >= 0.14 and max(dropped) <= 0.02, "the threshold sits in a wide gap, not on an edge"
    assert looks_english("") is False
    assert looks_english("la casa", threshold=0) is True
    with pytest.raises(TypeError, match="threshold"):
        looks_english("The end.", threshold="0.1")
