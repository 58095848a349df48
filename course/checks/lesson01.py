"""Questions for lesson 01, The article's claims: a ledger of what it asserts and what would check it."""

from __future__ import annotations

from course.checks._engine import Module, Question, reflection
from course.checks._mistakes import equals

MODULE = Module(
    id="01",
    slug="the-articles-claims",
    title="The article's claims",
    minutes=60,
    objectives={
        "O1": "Separate factual, causal, predictive and evaluative claims, and appeals to feeling.",
        "O2": "Build and query a claims ledger with pandas: filter, group and count.",
        "O3": "Rank quantitative claims by how specific they are.",
        "O4": "Say which claims are checkable and what evidence would check them.",
        "O5": "Measure how far two annotators agree with Cohen's kappa, and say what their disagreements show.",
    },
)

TYPE_CHOICES = ("factual", "causal", "predictive", "evaluative", "feeling (an appeal to feeling)", "none (not a claim)")


def _ledger():
    from course.claims import ledger

    return ledger()


def _claims():
    t = _ledger()
    return t[t["claim_type"] != "none"]


def _n_claims(p):
    return len(_claims())


def _count_type_in_section(p):
    c = _claims()
    return int(((c["section"] == p["section"]) & (c["claim_type"] == p["claim_type"])).sum())


def _draw_type_in_section(rng):
    kinds = ("factual", "causal", "predictive", "evaluative")
    return {"section": int(rng.integers(1, 7)), "claim_type": str(kinds[int(rng.integers(0, len(kinds)))])}


def _type_of(sentence_id):
    def expected(p):
        label = _ledger().loc[sentence_id, "claim_type"]
        return next(c for c in TYPE_CHOICES if c.split(" ")[0] == label)

    return expected


def _most_specific(p):
    from course.claims import specificity

    q = _ledger()
    q = q[q["quantity"] == "yes"]
    best = min(specificity(x) for x in q["precision"])
    winners = q[q["precision"].map(specificity) == best]["id"].tolist()
    return winners[0] if len(winners) == 1 else winners


def _order_by_specificity(p):
    from course.claims import specificity

    return [i for i, _ in sorted(p["entries"].items(), key=lambda kv: specificity(kv[1]["precision"]))]


def _draw_ordering(rng):
    t = _ledger()
    claims = t[t["claim_type"] != "none"]
    vague = claims[claims["precision"] == "vague"]["id"].tolist()
    plain = claims[(claims["quantity"] == "no") & ~claims["evidence_needed"].str.startswith("not checkable")]["id"].tolist()
    return _ordering_params(vague[int(rng.integers(0, len(vague)))], plain[int(rng.integers(0, len(plain)))],
                            ("A09", "A22", "A23")[int(rng.integers(0, 3))])


def _ordering_params(vague_id, plain_id, row_id):
    """The four items of exercise 01.5: a sourced figure row, S3.4, a vague claim and a claim with no quantity."""
    from course.data import load

    t = _ledger()
    fig = load("figures").set_index("id").loc[row_id]
    items = {
        row_id: {"text": f"{fig['figure']} ({fig['source_publisher']}, {fig['source_date']})", "precision": "number"},
        "S3.4": {"text": t.loc["S3.4", "quantity_phrase"], "precision": "magnitude"},
        vague_id: {"text": t.loc[vague_id, "quantity_phrase"], "precision": "vague"},
        plain_id: {"text": t.loc[plain_id, "sentence"], "precision": ""},
    }
    ordered = sorted(items)  # shown in id order, not in the order of the answer
    return {"entries": {k: items[k] for k in ordered}}


def _sourced_share(p):
    c = _claims()
    return float((c["source_named"] == "yes").mean())


def _checkable(p):
    c = _claims()
    return int((~c["evidence_needed"].str.startswith("not checkable")).sum())


def _widespread_themes(p):
    c = _claims()
    spread = c.groupby("theme")["section"].nunique()
    return set(spread[spread >= p["sections"]].index)


def _passes(field):
    """The ledger's and the second pass's labels for ``field``, on the second pass's 30 sentences, aligned."""
    from course.data import load

    second = load("claims-second-pass").fillna("")
    first = _ledger().loc[second["id"]]
    return list(first[field]), list(second[field])


def _kappa_of_field(p):
    from course.claims import cohen_kappa

    return cohen_kappa(*_passes(p["field"]))


def _raw_agreement(p):
    first, second = _passes(p["field"])
    return sum(a == b for a, b in zip(first, second)) / len(first)


def _chance_agreement(p):
    from collections import Counter

    first, second = _passes(p["field"])
    c1, c2 = Counter(first), Counter(second)
    return sum(c1[k] * c2[k] for k in c1) / len(first) ** 2


def _kappa_misaligned(p):
    """The mistake of comparing the ledger's first 30 rows with the second pass's 30 sentences."""
    from course.claims import cohen_kappa
    from course.data import load

    second = load("claims-second-pass").fillna("")
    return cohen_kappa(list(_ledger()[p["field"]].head(len(second))), list(second[p["field"]]))


QUESTIONS = (
    Question(
        id="01.1",
        prompt="How many sentences of the article are claim-bearing?",
        kind="number",
        objective="O2",
        expected=_n_claims,
        mistakes=(
            equals("all-sentences-as-claims", "That counts every sentence: leave out the rows whose claim_type is 'none'.",
                   lambda p: len(_ledger())),
            equals("complement-counted", "That is the number of sentences that are not claims.",
                   lambda p, e: len(_ledger()) - e),
        ),
        hints=(
            "Rows whose claim_type is 'none' are not claims.",
            "Filter with ledger[ledger[\"claim_type\"] != \"none\"] and count the rows.",
            "len(ledger[ledger[\"claim_type\"] != \"none\"])",
        ),
        why="Nearly every sentence asks you to accept something: a ledger makes that visible.",
    ),
    Question(
        id="01.2",
        prompt="How many claims of the given type are in the given section?",
        kind="number",
        objective="O2",
        expected=_count_type_in_section,
        canonical={"section": 3, "claim_type": "causal"},
        variant=_draw_type_in_section,
        mistakes=(
            equals("one-filter-only", "That is the count for the whole article: also filter on the section.",
                   lambda p: int((_claims()["claim_type"] == p["claim_type"]).sum())),
            equals("one-filter-only", "That counts every claim in the section: also filter on the claim type.",
                   lambda p: int((_claims()["section"] == p["section"]).sum())),
        ),
        hints=(
            "Combine two conditions with &, each in brackets.",
            "ledger[(ledger[\"section\"] == p.section) & (ledger[\"claim_type\"] == p.claim_type)]",
            "Count the rows of that selection with len(...).",
        ),
        why="Filtering and counting is how you turn an impression ('lots of causes') into a number.",
    ),
    Question(
        id="01.3",
        prompt="What type of claim is S3.18 (the 'vicious cycle' sentence)?",
        kind="choice",
        objective="O1",
        choices=TYPE_CHOICES,
        expected=_type_of("S3.18"),
        hints=(
            "Does the sentence say what is, what causes what, what will happen, or what is good or bad?",
            "'creating a vicious cycle' asserts a mechanism: one thing producing another.",
        ),
        why="A causal claim needs more than a count to check: it needs evidence of the mechanism.",
    ),
    Question(
        id="01.4",
        prompt="What type of claim is S5.12 ('The war is likely to drag on…')?",
        kind="choice",
        objective="O1",
        choices=TYPE_CHOICES,
        expected=_type_of("S5.12"),
        hints=(
            "Is the sentence about the past, the present or the future?",
            "A claim about what will happen cannot be checked today, only later.",
        ),
        why="Predictions cannot be checked yet; notice how often an article leans on them.",
    ),
    Question(
        id="01.5",
        prompt="Order the four items from most to least specific quantity.",
        kind="list",
        objective="O3",
        expected=_order_by_specificity,
        canonical=lambda: _ordering_params("S1.3", "S2.10", "A22"),
        variant=_draw_ordering,
        hints=(
            "A number beats an order of magnitude ('thousands'), which beats a vague word ('growing'), which beats no quantity.",
            "Look up each sentence's precision with claims_table.loc[label, \"precision\"]; the sourced figure is a number.",
            "Sort the labels with key=lambda label: specificity(grade[label]), where grade maps each label to its precision.",
        ),
        why="The more specific a quantity, the more checkable it is: vague words cannot be wrong.",
    ),
    Question(
        id="01.6",
        prompt="Which sentence holds the article's most specific quantitative claim? (its label)",
        kind="exact",
        objective="O3",
        expected=_most_specific,
        hints=(
            "Keep the rows with quantity == 'yes' and look at their precision.",
            "There are no numbers in the article; look for an order of magnitude.",
        ),
        why="The article's most specific figure is 'potentially thousands': everything else is vaguer.",
    ),
    Question(
        id="01.7",
        prompt="What share of the claims name a source (a fraction between 0 and 1)?",
        kind="number",
        objective="O4",
        unit="fraction",
        abs_tol=1e-9,
        expected=_sourced_share,
        hints=(
            "The source_named column says yes or no for each claim.",
            "(claims[\"source_named\"] == \"yes\").mean() gives the share.",
        ),
        why="Asserted is not evidenced: not one claim tells you where it comes from.",
    ),
    Question(
        id="01.8",
        prompt="How many claims are checkable in principle (evidence_needed does not start with 'not checkable')?",
        kind="number",
        objective="O4",
        expected=_checkable,
        mistakes=(
            equals("complement-counted", "That counts the claims that are not checkable.",
                   lambda p, e: _n_claims(p) - e),
            equals("all-sentences-as-claims", "Leave out the sentences that are not claims (claim_type 'none').",
                   lambda p: int((~_ledger()["evidence_needed"].str.startswith("not checkable")).sum())),
        ),
        hints=(
            "Start from the claims only (claim_type != 'none').",
            "claims[\"evidence_needed\"].str.startswith(\"not checkable\") marks the uncheckable ones; negate it with ~.",
        ),
        why="Most of the article could be checked; it just never shows you how.",
    ),
    Question(
        id="01.9",
        prompt="Which themes appear in at least the given number of sections? (a list of theme names)",
        kind="set",
        objective="O2",
        expected=_widespread_themes,
        canonical={"sections": 5},
        hints=(
            "Group the claims by theme and count the distinct sections in each group.",
            "claims.groupby(\"theme\")[\"section\"].nunique() gives one number per theme.",
            "Keep the themes whose count is at least exercise(\"01.9\").sections.",
        ),
        why="Repetition across sections makes a claim feel established; it adds no evidence.",
    ),
    reflection(
        "01.10",
        "Which three claims would you check first, and why?",
        objective="O4",
        min_words=40,
    ),
    Question(
        id="01.11",
        prompt="What is Cohen's kappa between the ledger and the second pass for the given field?",
        kind="number",
        objective="O5",
        abs_tol=0.005,
        expected=_kappa_of_field,
        canonical={"field": "quantity"},
        mistakes=(
            equals("raw-agreement-for-kappa", "That is the raw agreement, the share of sentences labelled alike: kappa "
                   "also subtracts the agreement chance alone would give.", _raw_agreement, abs=0.005),
            equals("chance-agreement-for-kappa", "That is the chance agreement p_e: kappa = (p_o - p_e) / (1 - p_e).",
                   _chance_agreement, abs=0.005),
            equals("misaligned-rows", "Compare the same sentences: take the ledger's rows for the second pass's ids, "
                   "claims_table.loc[second[\"id\"]], before comparing.", _kappa_misaligned, abs=0.005),
        ),
        hints=(
            "Compare the two passes sentence by sentence: the ledger has 129 rows, the second pass 30.",
            "first = claims_table.loc[second[\"id\"]] lines the ledger up with the second pass.",
            "cohen_kappa(list(first[p11.field]), list(second[p11.field]))",
        ),
        why="High raw agreement can hide little agreement beyond chance when one label dominates.",
    ),
)
