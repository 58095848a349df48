"""Questions for lesson 02, Language and framing: lexicon densities, sourced reporting, repetition, readability.

Every expected answer is computed here with :mod:`course.text` from the article, the course's
lexicons, the claims ledger and the sourced sentences, the same functions the notebook uses, so
the lesson and its checks cannot drift apart.

*Sourced reporting* is the comparison corpus: the verbatim quotes of the sourced figures
(``load("sourced-sentences")``) outside section G (documented distortions, fact-checks and
guides), kept only where :func:`course.text.looks_english` says the quote is English, because
the lexicons are English word lists.
"""

from __future__ import annotations

import re

from course.checks._engine import Module, Question, reflection
from course.checks._mistakes import equals, type_is, when

MODULE = Module(
    id="02",
    slug="language-and-framing",
    title="Language and framing",
    minutes=60,
    objectives={
        "O1": "Measure hedges, boosters, vague quantifiers, emotive and informal words and attribution per 1,000 words, section by section, and say what a word list catches and misses.",
        "O2": "Compare the article with sourced reporting on attribution, hedges and vagueness, and say what the comparison can and cannot show.",
        "O3": "Find the article's repeated stock phrases and measure the share of its words they take up.",
        "O4": "Compute readability scores and explain what they do and do not say about quality.",
        "O5": "Rewrite a passage so that every claim is either attributed to a source or honestly hedged.",
    },
)

LEXICONS = ("attribution", "boosters", "emotive", "hedges", "informal", "intensifiers", "vague-quantifiers")
#: The three measures the lesson compares with sourced reporting.
COMPARED = ("attribution", "hedges", "vague-quantifiers")
#: Section G holds documented distortions, fact-checks and guides: examples, not reporting.
EXCLUDED_SECTIONS = ("G",)


# --- shared data ---------------------------------------------------------------------------------

def _article():
    from course.article import article

    return article()


def _lex(name):
    from course.text import lexicon

    return lexicon(name)


def _density(text, name):
    from course.text import density

    return density(text, _lex(name))


def quotes():
    """The sourced sentences with two flags: ``english`` and ``reporting`` (in the comparison corpus)."""
    from course.data import load
    from course.text import looks_english

    q = load("sourced-sentences").copy()
    q["english"] = q["quote"].map(looks_english)
    q["reporting"] = q["english"] & ~q["row_id"].str[0].isin(EXCLUDED_SECTIONS)
    return q


def reporting_text(*, english_only=True, drop_g=True):
    """The comparison corpus as one text, one quote per line (the options name common slips)."""
    q = quotes()
    keep = q["row_id"].notna()
    if english_only:
        keep = keep & q["english"]
    if drop_g:
        keep = keep & ~q["row_id"].str[0].isin(EXCLUDED_SECTIONS)
    return "\n".join(q.loc[keep, "quote"])


def _headed_text():
    """Headline, headings and body: the text a learner gets by measuring everything in the article."""
    a = _article()
    return "\n".join([a.title] + [f"{s.heading}\n{s.text}" for s in a.sections])


# --- 02.1 a density over the article ------------------------------------------------------------

def _article_density(p):
    return _density(_article().text, p["lexicon"])


# --- 02.2 write a density function ----------------------------------------------------------------

def _density_reference(p):
    from course.text import density

    def density_per_1000(text, terms):
        return density(text, terms)

    return density_per_1000


def _single_words(name):
    return sorted(t for t in _lex(name).terms if " " not in t)


def _density_cases(p):
    a = _article()
    first = a.sentences[0].text  # "Guys, ... intense!": capitals and punctuation around the words
    return [
        (a.section(p["section"]).text, _single_words("hedges")),
        (first, ["guys", "intense"]),
        (quotes().set_index("row_id").loc["A01", "quote"], ["cases", "courts", "sentences"]),
        ("May the mayor maybe go? Maybe.", ["may", "maybe"]),
        ("", ["may"]),  # no words: no density (nan), compared as nan in the notebook and at grading alike
    ]


# --- 02.3 rank the sections -----------------------------------------------------------------------

def _section_values(name, measure):
    from course.text import count, density

    f = density if measure == "density" else count
    return {s.number: f(s.text, _lex(name)) for s in _article().sections}


def _ranking(name, measure="density"):
    values = _section_values(name, measure)
    return sorted(values, key=lambda n: (-values[n], n))


def rankable_lexicons():
    """Lexicons whose six section densities are all different, so the ranking has no ties."""
    out = []
    for name in LEXICONS:
        values = list(_section_values(name, "density").values())
        if len({round(v, 9) for v in values}) == len(values):
            out.append(name)
    return tuple(out)


def _by_count(answer, expected, p):
    counts = _section_values(p["lexicon"], "count")
    got = [int(x) for x in answer]
    return sorted(got) == sorted(counts) and all(counts[a] >= counts[b] for a, b in zip(got, got[1:]))


# --- 02.4 extend a lexicon: what does it catch now? ----------------------------------------------

#: Candidate additions to the vague-quantifiers lexicon; each catches at least one ledger phrase it misses.
ADDITIONS = ("significant", "often", "growing", "more", "scale", "high number of", "fewer", "years")


def caught(lexicon, *, field="quantity_phrase"):
    """Ledger ids (quantity claims) with at least one match of ``lexicon`` in the given column."""
    from course.claims import ledger
    from course.text import count

    t = ledger()
    t = t[t["quantity"] == "yes"]
    return [i for i, text in zip(t["id"], t[field]) if count(text, lexicon) > 0]


def _newly_caught(p):
    base = _lex("vague-quantifiers")
    before = set(caught(base))
    return [i for i in caught(base.extend(p["add"])) if i not in before]


def _all_caught(p):
    return caught(_lex("vague-quantifiers").extend(p["add"]))


def _sentence_caught(answer, expected, p):
    base = _lex("vague-quantifiers")
    before = set(caught(base, field="sentence"))
    new = {i for i in caught(base.extend(p["add"]), field="sentence") if i not in before}
    return set(answer) == new and new != set(_newly_caught(p))


def _draw_additions(rng):
    picked = rng.choice(len(ADDITIONS), size=3, replace=False)
    return {"add": [ADDITIONS[int(i)] for i in sorted(picked)]}


# --- 02.5 and 02.6 sourced reporting --------------------------------------------------------------

def _reporting_density(p):
    return _density(reporting_text(), p["lexicon"])


def _mean_of_quotes(p):
    q = quotes()
    each = [_density(t, p["lexicon"]) for t in q.loc[q["reporting"], "quote"]]
    return sum(each) / len(each)


def _compare(name, sign):
    art, rep = _density(_article().text, name), _density(reporting_text(), name)
    return art < rep if sign == "<" else art > rep


def _every_section_attributes_less():
    rep = _density(reporting_text(), "attribution")
    return all(_density(s.text, "attribution") < rep for s in _article().sections)


def _any_source_named():
    from course.claims import ledger

    return bool((ledger()["source_named"] == "yes").any())


STATEMENTS = (
    ("The article uses fewer attribution markers per 1,000 words than the sourced reporting.",
     lambda: _compare("attribution", "<")),
    ("Every section of the article uses fewer attribution markers per 1,000 words than the sourced reporting.",
     _every_section_attributes_less),
    ("The article hedges less (fewer hedges per 1,000 words) than the sourced reporting.",
     lambda: _compare("hedges", "<")),
    ("The article uses more vague quantifiers per 1,000 words than the sourced reporting.",
     lambda: _compare("vague-quantifiers", ">")),
    ("The article uses more emotive words per 1,000 words than the sourced reporting.",
     lambda: _compare("emotive", ">")),
    ("At least one sentence of the article names who says so (the ledger's source_named column).",
     _any_source_named),
)


def _supported(p):
    return [text for text, holds in STATEMENTS if holds()]


# --- 02.7 and 02.8 repetition ---------------------------------------------------------------------

PHRASE_SETTINGS = ({"n": 4, "min_count": 4}, {"n": 3, "min_count": 7}, {"n": 5, "min_count": 3})


def _stock_phrases(p):
    from course.text import repeated_phrases

    return [phrase for phrase, _ in repeated_phrases(_article().text, n=p["n"], min_count=p["min_count"])]


def _more_than(p):
    from course.text import repeated_phrases

    return [ph for ph, c in repeated_phrases(_article().text, n=p["n"], min_count=p["min_count"]) if c > p["min_count"]]


def _case_only(answer, expected, p):
    return all(isinstance(a, str) for a in answer) and {a.lower() for a in answer} == set(_stock_phrases(p))


def _repeated_share(p):
    from course.text import repeated_share

    return repeated_share(_article().text, n=p["n"])


def _double_counted(p):
    from course.text import repeated_phrases, tokens

    covered = sum(c * p["n"] for _, c in repeated_phrases(_article().text, n=p["n"]))
    return covered / len(tokens(_article().text))


# --- 02.9 and 02.10 readability -------------------------------------------------------------------

def _section_ease(p):
    from course.text import flesch_reading_ease

    return flesch_reading_ease(_article().section(p["section"]).text)


def _with_heading(p):
    from course.text import flesch_reading_ease

    s = _article().section(p["section"])
    return flesch_reading_ease(f"{s.heading}\n{s.text}")


def _grade_instead(p):
    from course.text import flesch_kincaid_grade

    return flesch_kincaid_grade(_article().section(p["section"]).text)


def cut_at_first_comma(sentence):
    """Split a sentence in two at its first comma (the second part starts with a capital)."""
    return re.sub(r",\s+(\S)", lambda m: ". " + m.group(1).upper(), sentence, count=1)


def add_attribution(sentence):
    """Attribute a sentence: ', according to published court records' before its final punctuation."""
    body = sentence.rstrip(".!?”\"’' ")
    return body + ", according to published court records."


def drop_hedges(sentence):
    """Delete every match of the hedges lexicon (longest terms first), and tidy the spaces."""
    terms = sorted(_lex("hedges").terms, key=lambda t: (-len(t), t))
    pattern = r"\b(?:" + "|".join(re.escape(t).replace("'", "['’]") for t in terms) + r")\b"
    return re.sub(r"\s{2,}", " ", re.sub(pattern, "", sentence, flags=re.IGNORECASE)).strip()


def reverse_words(sentence):
    """The same words in reverse order, ending with a full stop: nonsense with the same counts."""
    from course.text import tokens

    return " ".join(reversed(tokens(sentence))) + "."


EDITS = (
    ("Cut every sentence in two at its first comma", cut_at_first_comma),
    ("Attribute every sentence: add ', according to published court records'", add_attribution),
    ("Delete every hedge (each match of the hedges lexicon)", drop_hedges),
    ("Reverse the order of the words in every sentence", reverse_words),
)


def edited(edit, sentences=None):
    """The article's sentences after one edit, one sentence per line."""
    if sentences is None:
        sentences = [s.text for s in _article().sentences]
    return "\n".join(edit(s) for s in sentences)


def edit_effects():
    """Flesch Reading Ease of the article (one sentence per line) before and after each edit."""
    from course.text import flesch_reading_ease

    before = flesch_reading_ease(edited(lambda s: s))
    return before, {text: flesch_reading_ease(edited(edit)) for text, edit in EDITS}


def _raise_ease(p):
    before, after = edit_effects()
    return [text for text, score in after.items() if score > before + 0.05]


QUESTIONS = (
    Question(
        id="02.1",
        prompt="How many matches of your lexicon does the article's body text have per 1,000 words?",
        kind="number",
        objective="O1",
        unit="matches per 1,000 words",
        abs_tol=0.05,
        expected=_article_density,
        canonical={"lexicon": "vague-quantifiers"},
        variant=lambda rng: {"lexicon": str(rng.choice(LEXICONS))},
        mistakes=(
            equals("raw-count-for-rate", "That is the raw count of matches: divide by the number of words, then "
                   "multiply by 1,000.", lambda p: _count_in(_article().text, p["lexicon"])),
            equals("headings-measured", "You measured the headline and headings too: measure the body text, "
                   "article().text.", lambda p: _density(_headed_text(), p["lexicon"]), rel=0.002),
            equals("wrong-denominator", "You divided by the number of sentences: a density here is per 1,000 words.",
                   lambda p: _count_in(_article().text, p["lexicon"]) / len(_article().sentences) * 1000, rel=0.01),
        ),
        hints=(
            "Load your lexicon with lexicon(name) and measure article().text.",
            "density(text, lexicon) gives matches per 1,000 words.",
            "density(article().text, lexicon(p.lexicon))",
        ),
        why="A rate per 1,000 words lets a long text and a short one be compared; a raw count grows with length.",
    ),
    Question(
        id="02.2",
        prompt="Write density_per_1000(text, terms): how many of the text's words are in terms, per 1,000 words.",
        kind="function",
        objective="O1",
        expected=_density_reference,
        canonical={"section": 3},
        cases=_density_cases,
        hidden=True,
        hints=(
            "Split the text into lower-case words with tokens(text, lower=True).",
            "Count the words that are in terms, divide by the number of words, multiply by 1,000.",
            "hits = sum(1 for w in words if w in terms); return hits / len(words) * 1000",
        ),
        why="Writing the measure yourself shows exactly what it counts: whole words, any case, per 1,000 words.",
    ),
    Question(
        id="02.3",
        prompt="Rank the article's sections by the density of your lexicon, highest first (a list of section numbers).",
        kind="list",
        objective="O1",
        expected=lambda p: _ranking(p["lexicon"]),
        canonical={"lexicon": "emotive"},
        variant=lambda rng: {"lexicon": str(rng.choice(rankable_lexicons()))},
        mistakes=(
            when("raw-count-for-rate", "That ranks the sections by raw counts; they differ in length, so rank by "
                 "density (matches per 1,000 words).", _by_count),
        ),
        hints=(
            "Measure each section's text: article().sections gives them, each with .number and .text.",
            "Put the densities in a pandas Series indexed by section number and sort it, highest first.",
            "list(series.sort_values(ascending=False).index)",
        ),
        why="Where a text's language changes tells you which parts argue and which parts report.",
    ),
    Question(
        id="02.4",
        prompt="Extend the vague-quantifiers lexicon with your terms: which quantity claims of the ledger does it now catch that it missed before?",
        kind="set",
        objective="O1",
        expected=_newly_caught,
        canonical={"add": ["significant", "often", "growing"]},
        variant=_draw_additions,
        mistakes=(
            type_is("object-for-result", "That is the lexicon itself: pass the list of claim ids (like \"S3.3\") that "
                    "it now catches and missed before.", "Lexicon"),
            equals("unchanged-original", "Your list is empty: extend() returns a new lexicon and leaves the old one "
                   "unchanged, so measure with the new one.", []),
            equals("old-and-new-caught", "That includes claims the original lexicon already caught: list only the ones "
                   "your additions catch.", _all_caught),
            when("sentences-for-phrases", "You matched whole sentences: match the ledger's quantity_phrase column, the "
                 "words the annotator marked.", _sentence_caught),
        ),
        hints=(
            "bigger = lexicon(\"vague-quantifiers\").extend(p.add) makes a new, larger lexicon.",
            "For each quantity claim, count(phrase, lexicon) > 0 means the lexicon catches it; do this with both lexicons.",
            "new = caught by bigger and not caught by the original: compare the two lists of ids.",
        ),
        why="A word list is only as good as what it catches against a careful reading; every addition also catches uses you did not mean.",
    ),
    Question(
        id="02.5",
        prompt="How many matches of your lexicon per 1,000 words does the sourced reporting have?",
        kind="number",
        objective="O2",
        unit="matches per 1,000 words",
        abs_tol=0.05,
        expected=_reporting_density,
        canonical={"lexicon": "attribution"},
        variant=lambda rng: {"lexicon": str(rng.choice(COMPARED))},
        mistakes=(
            equals("other-languages-kept", "You kept the quotes that are not in English: an English word list finds "
                   "nothing in them, so they only add words. Keep rows where looks_english(quote).",
                   lambda p: _density(reporting_text(english_only=False), p["lexicon"]), rel=0.002),
            equals("distortions-kept", "You kept section G (rows G01–G24): those are distortions, fact-checks and "
                   "guides, not reporting of the figures.",
                   lambda p: _density(reporting_text(drop_g=False), p["lexicon"]), rel=0.002),
            equals("no-filter", "You measured every quote: keep only English quotes (looks_english) outside section G.",
                   lambda p: _density(reporting_text(english_only=False, drop_g=False), p["lexicon"]), rel=0.002),
            equals("mean-of-rates", "That is the average of each quote's density, which gives a ten-word quote as "
                   "much weight as a sixty-word one: join the quotes and measure once.", _mean_of_quotes, rel=0.01),
        ),
        hints=(
            "Keep the rows of quotes where english is True and row_id does not start with \"G\".",
            "Join their quotes into one text with \"\\n\".join(...), then measure it.",
            "density(\"\\n\".join(reporting[\"quote\"]), lexicon(p.lexicon))",
        ),
        why="A comparison is only fair when both texts are measured the same way, in the same language.",
    ),
    Question(
        id="02.6",
        prompt="Which statements do the measurements support?",
        kind="choices",
        objective="O2",
        choices=tuple(text for text, _ in STATEMENTS),
        expected=_supported,
        hints=(
            "Compute each density for article().text and for the sourced reporting, with the same function.",
            "Not every comparison goes the way you might expect: check the hedges.",
            "For the last statement, look at ledger()[\"source_named\"].value_counts().",
        ),
        why="Measure first, then conclude: the article hedges often, but it names no one.",
    ),
    Question(
        id="02.7",
        prompt="Which phrases of n words occur at least min_count times in the article?",
        kind="set",
        objective="O3",
        expected=_stock_phrases,
        canonical=dict(PHRASE_SETTINGS[0]),
        variant=lambda rng: dict(PHRASE_SETTINGS[int(rng.integers(len(PHRASE_SETTINGS)))]),
        mistakes=(
            when("case-differs", "Right phrases, different capitals: write them in lower case, as repeated_phrases "
                 "returns them.", _case_only),
            equals("strict-inequality", "You kept phrases that occur more than min_count times: the question says at "
                   "least.", _more_than),
        ),
        hints=(
            "repeated_phrases(text, n=..., min_count=...) lists (phrase, count) pairs, most repeated first.",
            "Keep just the phrases: [phrase for phrase, count in ...].",
        ),
        why="A stock phrase repeated across sections is filler: it adds words without adding information.",
    ),
    Question(
        id="02.8",
        prompt="What share of the article's words sit inside a phrase of n words that occurs at least twice?",
        kind="number",
        objective="O3",
        unit="share of words (a fraction between 0 and 1)",
        rel_tol=0.01,
        expected=_repeated_share,
        canonical={"n": 4},
        variant=lambda rng: {"n": int(rng.choice([3, 4, 5]))},
        mistakes=(
            equals("double-counted", "You counted n words for every occurrence of every repeated phrase, so words "
                   "inside overlapping phrases count several times: count each word once.", _double_counted, rel=0.01),
        ),
        hints=(
            "repeated_share(text, n=...) does this; each word is counted once.",
            "repeated_share(article().text, n=p.n)",
        ),
        why="One number for how much of a text is repetition: compare it with other texts, not with zero.",
    ),
    Question(
        id="02.9",
        prompt="What is the Flesch Reading Ease of your section's body text?",
        kind="number",
        objective="O4",
        unit="points (higher reads more easily)",
        abs_tol=0.1,
        expected=_section_ease,
        canonical={"section": 3},
        variant=lambda rng: {"section": int(rng.integers(1, 7))},
        mistakes=(
            equals("headings-measured", "You included the section's heading: measure its body text, .text.",
                   _with_heading, abs=0.1),
            equals("grade-for-ease", "That is the Flesch–Kincaid grade level: this asks for Reading Ease.",
                   _grade_instead, abs=0.1),
        ),
        hints=(
            "article().section(p.section).text is the body text.",
            "flesch_reading_ease(text)",
        ),
        why="A readability score is a formula of sentence length and word length, nothing more.",
    ),
    Question(
        id="02.10",
        prompt="Which of these edits to the article would raise its Flesch Reading Ease (make it 'easier to read')?",
        kind="choices",
        objective="O4",
        choices=tuple(text for text, _ in EDITS),
        expected=_raise_ease,
        hints=(
            "The formula: 206.835 − 1.015 × (words per sentence) − 84.6 × (syllables per word).",
            "Ask of each edit: does it change the words per sentence? the syllables per word?",
            "Shorter sentences and shorter words raise the score; the order of the words does not enter the formula.",
        ),
        why="Readability rewards short sentences and short words: it goes up when hedges are cut and down when sources are named.",
    ),
    reflection(
        "02.11",
        "Rewrite the paragraph so that every claim is either attributed to a source or honestly hedged.",
        objective="O5",
        min_words=60,
    ),
)


def _count_in(text, name):
    from course.text import count

    return count(text, _lex(name))


#: Which questions assess each objective (tested: every objective has at least one).
OBJECTIVE_MAP = {key: tuple(q.id for q in QUESTIONS if q.objective == key) for key in MODULE.objectives}
