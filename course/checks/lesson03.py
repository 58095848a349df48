"""Questions for lesson 03, Sources and evidence: lateral reading, source types, tracing, distortions.

Every expected answer is read from the course data (``article-metadata``, ``source-cards``,
``figures``, ``figure-values``, ``distortions``) by the functions below, never typed in.
"""

from __future__ import annotations

from course.checks._engine import Module, Question, reflection
from course.checks._mistakes import contains, reversed_order, type_is, when

MODULE = Module(
    id="03",
    slug="sources-and-evidence",
    title="Sources and evidence",
    minutes=60,
    objectives={
        "O1": "Apply lateral reading and SIFT to the article: say what can be known about who wrote it and why that matters.",
        "O2": "Classify sources by type and by their relation to the war, and say what that implies for their numbers.",
        "O3": "Trace a number upstream to the earliest source available, and match re-reported claims to their origins.",
        "O4": "Name common distortions: miscopied numbers, requests reported as outcomes, a period or place changed, AWOL called desertion, dropped hedges; and tell a known distortion from a disputed one.",
        "O5": "Judge a fact-check by who runs it and what evidence its verdict rests on, on both sides of the war.",
    },
)

PARTIES = ("Russia", "Ukraine")
STATE_TYPES = ("state media", "government or agency")


def _load(name):
    from course.data import load

    return load(name)


# --- 03.1 SIFT -----------------------------------------------------------------------------------

SIFT_CHOICES = (
    "Stop: notice your reaction before reading on",
    "Investigate the source: find out who wrote and published it",
    "Find better coverage: look for other reports of the same facts",
    "Trace claims to the original context",
    "None: every move works on this article",
)


def _impossible_move(p):
    meta = _load("article-metadata")
    unknown = [f for f in ("author", "outlet") if meta[f] in ("none given", "", None)]
    return SIFT_CHOICES[1] if len(unknown) == 2 else SIFT_CHOICES[-1]


# --- 03.2 and 03.7 source cards ------------------------------------------------------------------

def _party_state_sources(p):
    cards = _load("source-cards")
    keep = cards["type"].isin(STATE_TYPES) & cards["country"].isin(PARTIES)
    return set(cards.loc[keep, "source_id"])


def _state_funded_others(answer):
    cards = _load("source-cards").set_index("source_id")
    return any(cards.loc[a, "type"] == "state-funded broadcaster" for a in answer if a in cards.index)


def _one_side_only(answer, expected):
    cards = _load("source-cards").set_index("source_id")
    sides = {cards.loc[a, "country"] for a in answer if a in cards.index}
    return len(sides & set(PARTIES)) == 1 and set(answer) < set(expected)


SOURCE_TYPES = (
    "independent media", "private media", "state media", "state-funded broadcaster", "government or agency",
    "NGO", "OSINT group", "aggregator or mirror", "fact-checker", "academic or book",
)


def _card_type(p):
    cards = _load("source-cards").set_index("source_id")
    return cards.loc[p["source"], "type"]


# --- 03.3 trace a number -------------------------------------------------------------------------

def _trace_chain(p):
    values = _load("figure-values")
    figures = _load("figures").set_index("id")
    found = values[(values["period_start"] == p["period"]) & (values["measure"] == p["measure"])
                   & (values["article"] == p["article"])]
    misprinted = set(found.loc[found["role"] == "distorted", "row_id"])
    ids = list(dict.fromkeys(found["row_id"]))
    return sorted(ids, key=lambda r: (figures.loc[r, "source_date"], r in misprinted))


# --- 03.4 match claims to origins ----------------------------------------------------------------

def _origins(p):
    d = _load("distortions")
    d = d[(d["original_relation"] == "origin") & (d["distorted_row"] != d["original_row"])]
    return {(a, b) for a, b in zip(d["distorted_row"], d["original_row"])}


# --- 03.5 distortion types -----------------------------------------------------------------------

#: One pool per label the exercise teaches; every case in a pool is a settled distortion. The
#: leaked 50,000 (case D06) is left out on purpose: its relays disagree on the period and the
#: original is not available, so no learner is graded on calling one reading the distortion.
DISTORTION_POOLS = {
    "transcription_error": ("D01",),
    "requests_as_outcomes": ("D02", "D03", "D04"),
    "scope_changed": ("D07",),
    "awol_as_desertion": ("D10", "D11", "D12"),
    "dropped_hedge": ("D14",),
}


def _distortion_variant(rng):
    cases = [str(rng.choice(pool)) for pool in DISTORTION_POOLS.values()]
    return {"cases": [cases[i] for i in rng.permutation(len(cases))]}


def _distortion_types(p):
    d = _load("distortions").set_index("case_id")
    return [d.loc[c, "distortion"] for c in p["cases"]]


# --- 03.6 whose fact-check -----------------------------------------------------------------------

FACT_CHECK_ROWS = ("G13", "G14", "G15", "G17", "G20", "G22")


def _state_fact_checks(p):
    d = _load("distortions")
    rows = set(d.loc[d["distortion"] == "state_fact_check", "distorted_row"])
    return rows & set(p["rows"])


def _checker_countries(answer):
    """Countries (parties to the war only) of the organisations whose cards list the answered rows."""
    cards = _load("source-cards")
    found = set()
    for row in answer:
        listed = cards["row_ids"].fillna("").str.split(";").apply(lambda ids, r=row: r in ids)
        found |= set(cards.loc[listed & cards["country"].isin(PARTIES), "country"])
    return found


QUESTIONS = (
    Question(
        id="03.1",
        prompt="Which SIFT move cannot be made on the article itself?",
        kind="choice",
        objective="O1",
        choices=SIFT_CHOICES,
        expected=_impossible_move,
        hints=(
            "Look at what the article's metadata record gives: load(\"article-metadata\").",
            "Each move needs something to work on. Which one needs a name to look up?",
        ),
        why="When the source cannot be investigated, the only way forward is to leave the page and find better coverage.",
    ),
    Question(
        id="03.2",
        prompt="Which source cards are state media or a government body of a party to the war?",
        kind="set",
        objective="O2",
        expected=_party_state_sources,
        mistakes=(
            when("category-stretched", "A state-funded broadcaster of a country that is not fighting (type 'state-funded "
                 "broadcaster') is a different category: keep to the two types named.", lambda a, p: _state_funded_others(a)),
            contains("category-stretched", "GFCN's card type is 'fact-checker'; keep to the type column here (exercise "
                     "03.7 asks who runs a fact-checker).", {"gfcn"}),
            when("one-side-only", "You have one side only: both parties to the war have state media and government "
                 "bodies in the cards.", lambda a, e, p: _one_side_only(a, e)),
        ),
        hints=(
            "Use the cards' type and country columns.",
            "Keep rows whose type is 'state media' or 'government or agency' AND whose country is Russia or Ukraine.",
            "set(cards.loc[cards[\"type\"].isin([...]) & cards[\"country\"].isin([...]), \"source_id\"])",
        ),
        why="A party's own agencies and state outlets may be right, but their numbers are claims until someone independent can check them.",
    ),
    Question(
        id="03.3",
        prompt="What type of source is the 'I Want to Live' project?",
        kind="choice",
        objective="O2",
        choices=SOURCE_TYPES,
        expected=_card_type,
        canonical={"source": "i-want-to-live"},
        hints=(
            "Find its card: cards[cards[\"source_id\"] == \"i-want-to-live\"].",
            "Read the type and relation_to_conflict columns.",
        ),
        why="A friendly project name can hide an official body; its request counts are one party's figures.",
    ),
    Question(
        id="03.4",
        prompt="List the rows that carry the March 2024 sentence count, from the original to the misprint.",
        kind="list",
        objective="O3",
        expected=_trace_chain,
        canonical={"period": "2024-03-01", "measure": "sentences", "article": "337"},
        mistakes=(
            reversed_order("reversed-chain", "Reversed: start with the row published first, the one the others relay."),
        ),
        hints=(
            "Filter the figure values to your exercise's period_start, measure and article.",
            "Take the unique row ids, look up each row's source_date in load(\"figures\"), and sort by it.",
            "Two rows share a date: the one that printed the misprint comes after the one that relayed the number correctly.",
        ),
        why="A number copied through three hands can lose a digit; only the original tells you which copy is right.",
    ),
    Question(
        id="03.5",
        prompt="Match each re-reported claim to its origin, as (claim row, origin row) pairs.",
        kind="set",
        objective="O3",
        expected=_origins,
        mistakes=(
            type_is("dict-for-pairs", "Turn your dictionary into pairs with list(your_dict.items()).", "dict"),
            contains("relay-for-origin", "C20 repeats the number; it is not where it started. Look for the row that "
                     "published it first.", {("G01", "C20")}),
        ),
        hints=(
            "For each claim, find a candidate with a number of the same size and a similar subject.",
            "Prefer the source that published first and counts the thing itself; a relay of a relay is not the origin.",
            "Answer as a list of tuples such as [(\"G01\", \"A18\"), ...]: one pair per claim.",
        ),
        why="Matching a claim to its origin shows what the number really counted before it was re-labelled.",
    ),
    Question(
        id="03.6",
        prompt="Name the distortion in each of your cases, in order.",
        kind="list",
        objective="O4",
        expected=_distortion_types,
        canonical={"cases": ["D02", "D14", "D01", "D11", "D07"]},
        variant=_distortion_variant,
        variant_version=2,  # 2: the leaked 50,000's case (D06) left the pool, scope_changed (D07) joined it
        mistakes=(
            contains("family-for-case", "'label_drift' is the general family; the case where AWOL (art. 337) becomes "
                     "'desertion' has its own, more specific label.", {"label_drift"}),
        ),
        hints=(
            "Compare what the original counts or says with what the re-report says. What changed: the number, the thing counted, the period, or the certainty?",
            "Use the five labels in the table above, each once.",
            "One case changes the number, one the thing counted (requests), one the place and period, one the offence, one the certainty.",
        ),
        why="Naming a distortion turns a vague doubt into a precise question you can check.",
    ),
    Question(
        id="03.7",
        prompt="Which of these fact-checks is run by, or rests only on the word of, a government or state outlet of a party to the war?",
        kind="set",
        objective="O5",
        expected=_state_fact_checks,
        canonical={"rows": list(FACT_CHECK_ROWS)},
        mistakes=(
            when("one-side-only", "You found state-linked checks on one side only; look again at who runs each checker "
                 "on the other side.", lambda a, e, p: set(a) < set(e) and len(_checker_countries(a)) == 1),
            contains("category-stretched", "Polygraph.info is funded by the US government, which is not a party to the "
                     "war; note the funding, but it is not the category asked for.", {"G13"}),
        ),
        hints=(
            "For each row, ask: who publishes this, and whose word does the verdict rest on?",
            "Look up the publishers in the source cards: type and relation_to_conflict.",
            "Three rows qualify, and they are not all on the same side.",
        ),
        why="A verdict is only as independent as the evidence it rests on; ask who runs the checker before you trust it.",
    ),
    reflection(
        "03.8",
        "Apply SIFT to the article: what would you do first, and what would change how far you trust it?",
        objective="O1",
        min_words=40,
    ),
)
