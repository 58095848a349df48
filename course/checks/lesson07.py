"""Questions for lesson 07, Write the fact-check: verdicts with evidence rows, justified, on both sides.

Verdicts are autograded only where the evidence settles them, and each is derived from the course
data by a rule written out here, never typed in as an answer key. The rules:

Where the evidence supports more than one verdict, the rule gives the *set* of defensible
verdicts (its first is the primary one) and the check accepts any of them; the instructor guide's
table of defensible verdicts lists the same sets (``tests/test_lesson07.py`` holds them together).

- **Scale, S3.4 ("potentially thousands of soldiers who have decided they've had enough")** —
  :func:`scale_verdicts`. "Thousands" (plural) means at least :data:`THOUSANDS` (2,000). If a
  national calendar-year count of Russian military court cases (``course.numbers.court_cases_by_year``:
  Art. 337 or all refusal articles, reported, not low confidence) reaches 2,000, the number is
  shown: court counts are minimums. The sentence also gives a motive ("decided they've had
  enough") that no count shows, and counts *soldiers*, which case counts only approach (people
  counts, :func:`scale_people_rows`, do better). So both *supported* (the number) and *partly
  supported* (the whole sentence) are defensible. If only a running total since mobilisation reaches
  2,000, it is *partly supported* (thousands only when years are added up). If no count reaches 2,000,
  it *cannot be checked*: a smaller minimum cannot refute it. The evidence rows are
  :func:`scale_evidence`.
- **Low pay, S2.10** — :func:`pay_verdict`. Only a row that measures what *soldiers* are paid, at
  medium or high confidence, can support or contradict "low pay". Without one the claim *cannot be
  checked*: the course's only pay row (D11) is a low-confidence copy that sets a one-off sign-up
  bonus against a civilian average salary, and a verdict either way resting on it would break the
  standard that keeps "supported" off low-confidence rows. With such a row the rule returns
  ``None``: a person must read it.
- **The vicious cycle, S3.18** — :func:`cycle_verdict`. If no row of ``load("figures")`` mentions the
  mechanism (:data:`CYCLE_TERMS` in its figure, what it counts, quote or title), the claim *cannot be
  checked*. If some row does, the rule returns ``None``: a person must read those rows.
- **Relabelled counts, the invented paragraph's P2** — :func:`label_verdict`. A number said to be
  "deserted" in a year is compared with that year's registered proceedings in Ukraine: within
  :data:`LABEL_TOLERANCE` (10%) of the desertion (Art. 408) count → *partly supported* (the right
  count, but proceedings are incidents opened by prosecutors, not soldiers who deserted); of the
  AWOL (Art. 407, SZCh) count → *misleading* (AWOL called desertion, proceedings called soldiers);
  else *unsupported*. On Russian state media's real relay of Ukraine's counts (G18) the rule gives
  *misleading*, the judgement of the distortion table (case D13, AWOL called desertion); case D10
  (G10) is the same relabelling of Russian counts by a Ukrainian outlet. G18's 2022 figure sits at
  the edge of the tolerance: 6,000 is 9.7% below the first release (6,641, E01) but 14% below the
  revised count (6,988, E04), where the rule says *unsupported*. :func:`relay_distances` shows both,
  and the notebook says so rather than hiding the knife-edge in a verdict.
- **A running total, the invented paragraph's P3** — :func:`cumulative_verdict`. "More than N
  proceedings since the invasion" is compared with every cumulative count of Ukraine's Art. 407+408
  registered proceedings since 2022 (not low confidence): all at least N → *supported*; some →
  *partly supported* (true only at some dates, or the sources disagree); none → *unsupported*.
- **A comparison across countries, the invented paragraph's P4** — :func:`comparison_verdict`.
  "More than K times the Russian figure" divides the latest Ukrainian running total above by the
  latest Russian running total of court cases for all refusal articles (not low confidence). If
  the ratio is below K the claim is *unsupported*. If it reaches K but
  :func:`course.numbers.comparison_problems` finds the two figures not comparable (different
  measures, countries, periods), the sentence is *misleading*: true arithmetic, invalid
  comparison. Only a ratio of comparable figures that reaches K is *supported*.

Each rule is tested in ``tests/test_lesson07.py`` by perturbing its input data so that the verdict
changes.

Structure and evidence (07.8, 07.12) are graded on the learner's fact-check itself: the check
re-runs :func:`course.factcheck.validate` on it (a grader rebuilds it from its plain form), so a
list of problems typed in by hand cannot pass. No problems is correct, and each kind of fault gets
its own diagnostic. The justifications are collected as text (07.6,
07.7) and read with the rubric in the instructor guide.
"""

from __future__ import annotations

import re

from course.checks._engine import Module, Question, reflection
from course.checks.checkpoint import checkpoint_questions
from course.checks._kinds import FactCheckKind
from course.checks._mistakes import contains, option, problem, subset, superset
from course.factcheck import VERDICTS, invented_claims

MODULE = Module(
    id="07",
    slug="write-the-fact-check",
    title="Write the fact-check",
    minutes=75,
    objectives={
        "O1": "Assemble a fact-check of the article's major claims: for each, a verdict from a fixed vocabulary and the evidence rows that back it.",
        "O2": "Justify each verdict in a paragraph: what the rows show, what they do not show, and how far to trust them.",
        "O3": "Apply the same method to a one-sided claim about the other side's desertions.",
    },
)

THOUSANDS = 2_000  # "thousands", plural: at least two thousand
CYCLE_TERMS = ("cycle", "vicious", "burnout", "burn-out", "burned out", "burnt out", "exhaust", "fatigue")
LABEL_TOLERANCE = 0.10
FRAMING = "mass desertion"
VERDICT_CHOICES = tuple(VERDICTS)
#: The article's major claims: its repeated framing, its scale, its causes, its claim about hidden
#: numbers and its mechanism. Exercise 07.8 asks for a verdict on each (parts such as S2.10a count).
MAJOR_CLAIMS = ("S1.2", "S2.10", "S3.4", "S3.9", "S3.18")
FACTCHECK_SIZE = {"min_verdicts": 5, "max_verdicts": 8}


def _load(name):
    from course.data import load

    return load(name)


def _claimed_number(sentence: str) -> int:
    """The first number in a sentence that is not a year."""
    for m in re.finditer(r"\d[\d,]*\d|\d", sentence):
        text = m.group()
        if "," in text or not 1900 <= int(text) <= 2100:
            return int(text.replace(",", ""))
    raise ValueError(f"No number other than a year in: {sentence!r}")


_WORD_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                 "twenty": 20}


def _invented_params():
    """The numbers the invented paragraph states, read from its sentences (never typed in)."""
    claims = invented_claims()
    year = int(re.search(r"\b(19|20)\d\d\b", claims["P2"]).group())
    ratio = re.search(r"(\w+) times", claims["P4"]).group(1).casefold()
    return {
        "p2_claimed": _claimed_number(claims["P2"]),
        "p2_year": year,
        "p3_claimed": _claimed_number(claims["P3"]),
        "p4_ratio": int(ratio) if ratio.isdigit() else _WORD_NUMBERS[ratio],
    }


# --- 07.1 the repeated framing -------------------------------------------------------------------

def framing_sentences(p=None) -> set[str]:
    """Labels of the article's sentences that use the "mass desertion(s)" framing."""
    from course.article import article

    return {s.id for s in article().sentences if FRAMING in s.text.casefold()}


def _desertion_without_mass():
    from course.article import article

    return {s.id for s in article().sentences if "desertion" in s.text.casefold()} - framing_sentences()


# --- 07.2 and 07.3 scale ----------------------------------------------------------------------------

def scale_evidence(values) -> list[str]:
    """Rows with a national calendar-year count of Russian court cases of at least :data:`THOUSANDS`."""
    from course.numbers import court_cases_by_year

    years = court_cases_by_year(values)
    keep = years[(years["value"] >= THOUSANDS) & (years["confidence"] != "low")]
    return sorted(set(keep["row_id"]))


def _running_total_rows(values) -> set[str]:
    """Rows with a Russian running total of court cases (not one calendar year's count)."""
    v = values[(values["side"] == "Russia") & (values["measure"] == "court_cases_received")
               & (values["basis"] == "cumulative")]
    return set(v["row_id"])


def scale_people_rows(values) -> list[str]:
    """Rows counting Russian *soldiers* before the courts (tried or charged), at least 2,000, not low confidence.

    Closer to "thousands of soldiers" than case counts are, though no count shows a motive.
    """
    v = values[(values["side"] == "Russia") & (values["role"] == "reported") & (values["measure"] == "people")
               & values["unit"].str.contains("tried|charged", regex=True) & (values["value"] >= THOUSANDS)
               & (values["confidence"] != "low")]
    return sorted(set(v["row_id"]))


def scale_verdicts(values) -> tuple[str, ...]:
    """The defensible verdicts on S3.4 that the court counts give, primary first (see the module docstring)."""
    from course.numbers import cumulative_court_cases

    if scale_evidence(values):
        return ("supported", "partly supported")
    totals = cumulative_court_cases(values)
    if ((totals["value"] >= THOUSANDS) & (totals["confidence"] != "low")).any():
        return ("partly supported",)
    return ("cannot be checked",)


def scale_verdict(values) -> str:
    """The primary verdict of :func:`scale_verdicts`."""
    return scale_verdicts(values)[0]


# --- 07.4 low pay ------------------------------------------------------------------------------------

def pay_rows(values) -> list[str]:
    """Rows whose figure values are a salary or a bonus."""
    keep = values["unit"].fillna("").str.contains("salary|bonus", case=False) & (values["role"] == "reported")
    return sorted(set(values.loc[keep, "row_id"]))


def soldiers_pay_rows(values) -> list[str]:
    """Rows that measure what soldiers are paid (not a one-off bonus, not a civilian salary), not low confidence."""
    unit = values["unit"].fillna("")
    keep = (values["role"] == "reported") & (values["confidence"] != "low") \
        & unit.str.contains(r"\b(?:soldiers'|servicemen's|military) (?:pay|salary|wage)", case=False, regex=True)
    return sorted(set(values.loc[keep, "row_id"]))


def pay_verdict(values) -> str | None:
    """The verdict on "low pay", or ``None`` when a row measures soldiers' pay and a person must read it.

    A bonus set against a civilian salary (D11, a low-confidence copy) does not measure soldiers'
    pay, and a verdict either way cannot rest on a low-confidence row alone: *cannot be checked*.
    """
    if soldiers_pay_rows(values):
        return None
    return "cannot be checked"


# --- 07.5 the vicious cycle --------------------------------------------------------------------------

def rows_addressing(figures, terms) -> list[str]:
    """Ids of the rows whose figure, what they count, quote or title mention any of ``terms``."""
    text = figures[["figure", "what_counts", "quote", "source_title"]].fillna("").agg(" ".join, axis=1).str.casefold()
    keep = text.apply(lambda t: any(term.casefold() in t for term in terms))
    return sorted(figures.loc[keep, "id"])


def cycle_verdict(figures) -> str | None:
    """"cannot be checked" when no row mentions the mechanism; ``None`` (read the rows) when some do."""
    return "cannot be checked" if not rows_addressing(figures, CYCLE_TERMS) else None


# --- 07.9 relabelled counts --------------------------------------------------------------------------

def label_verdict(claimed, awol, desertion):
    """Verdict on "N soldiers deserted" against one year's AWOL and desertion proceedings counts."""
    if abs(claimed - desertion) <= LABEL_TOLERANCE * desertion:
        return "partly supported"
    if abs(claimed - awol) <= LABEL_TOLERANCE * awol:
        return "misleading"
    return "unsupported"


def ukraine_yearly_proceedings(values):
    """Ukraine's registered proceedings per calendar year, by article (407 AWOL, 408 desertion), one row per source."""
    from course.numbers import calendar_year

    v = values[(values["side"] == "Ukraine") & (values["role"] == "reported")
               & (values["measure"] == "registered_proceedings") & values["article"].isin(["407", "408"])].copy()
    v["year"] = [calendar_year(s, e) for s, e in zip(v["period_start"], v["period_end"])]
    v = v[v["year"].notna()].astype({"year": int, "value": int})
    return v[["year", "article", "value", "row_id", "confidence"]].sort_values(["year", "article", "row_id"]).reset_index(drop=True)


def relay_distances(values, claimed, year):
    """How far ``claimed`` is from each source's AWOL and desertion counts for ``year``, as signed fractions.

    One row per (row_id, article). G18's 6,000 for 2022 is 9.7% below E01's 6,641 but 14% below
    E04's revised 6,988: a verdict that depends on which release is used should say so.
    """
    years = ukraine_yearly_proceedings(values)
    mine = years[years["year"] == year].copy()
    mine["distance"] = (claimed - mine["value"]) / mine["value"]
    mine["within_tolerance"] = mine["distance"].abs() <= LABEL_TOLERANCE
    return mine[["row_id", "article", "value", "distance", "within_tolerance", "confidence"]].reset_index(drop=True)


def year_counts(values, year):
    """``(awol, desertion)``: the first source's counts of Ukraine's registered proceedings for ``year``."""
    years = ukraine_yearly_proceedings(values)
    mine = years[years["year"] == year]
    return (int(mine.loc[mine["article"] == "407", "value"].iloc[0]),
            int(mine.loc[mine["article"] == "408", "value"].iloc[0]))


def _label_cases(p):
    values = _load("figure-values")
    years = ukraine_yearly_proceedings(values)
    cases = []
    for year, grp in years.groupby("year"):
        awols = grp.loc[grp["article"] == "407", "value"].tolist()
        deserts = grp.loc[grp["article"] == "408", "value"].tolist()
        if not awols or not deserts:
            continue
        awol, desertion = awols[0], deserts[0]
        relayed = values[(values["role"] == "distorted") & (values["side"] == "Ukraine")
                         & (values["measure"] == "registered_proceedings")
                         & (values["period_start"] == f"{year}-01-01")]["value"].astype(int).tolist()
        # the counts themselves, each at the edge of the tolerance, half the desertion count, other sources, relays
        edge = int(LABEL_TOLERANCE * desertion)
        for claimed in [awol, desertion, desertion + edge, desertion + edge + 2, desertion // 2, *awols[1:], *relayed]:
            cases.append((claimed, awol, desertion))
    cases.append((p["p2_claimed"], *year_counts(values, p["p2_year"])))
    return cases


# --- 07.10 a running total ---------------------------------------------------------------------------

def ukraine_cumulative_rows(values):
    """Cumulative counts of Ukraine's Art. 407+408 registered proceedings since 2022 (not low confidence)."""
    v = values[(values["side"] == "Ukraine") & (values["role"] == "reported")
               & (values["measure"] == "registered_proceedings") & (values["article"] == "407+408")
               & (values["basis"] == "cumulative") & (values["confidence"] != "low")
               & values["period_start"].fillna("").str.startswith("2022")]
    return v[["row_id", "value", "qualifier", "period_start", "period_end", "confidence"]].reset_index(drop=True)


def cumulative_verdict(values, claimed) -> str:
    """Verdict on "more than ``claimed`` proceedings since the invasion" (see the module docstring)."""
    counts = ukraine_cumulative_rows(values)["value"]
    if counts.empty:
        return "cannot be checked"
    reached = counts >= claimed
    return "supported" if reached.all() else "partly supported" if reached.any() else "unsupported"


# --- 07.11 a comparison across countries -------------------------------------------------------------

def _latest(frame):
    from course.numbers import parse_date

    ends = [parse_date(e, end=True) for e in frame["period_end"]]
    return frame.iloc[max(range(len(ends)), key=lambda i: ends[i])]


def comparison_pair(values):
    """``(ukraine, russia)``: the latest running totals the invented paragraph's P4 compares (rows of ``values``)."""
    ua = ukraine_cumulative_rows(values)
    ua_row = values[(values["row_id"] == _latest(ua)["row_id"]) & (values["article"] == "407+408")
                    & (values["basis"] == "cumulative") & (values["measure"] == "registered_proceedings")]
    ru = values[(values["side"] == "Russia") & (values["role"] == "reported") & (values["basis"] == "cumulative")
                & (values["measure"] == "court_cases_received") & (values["article"] == "all")
                & (values["confidence"] != "low") & values["period_end"].notna()]
    return ua_row.iloc[0], _latest(ru)


def comparison_verdict(values, claimed_ratio) -> str:
    """Verdict on "more than ``claimed_ratio`` times the Russian figure" (see the module docstring)."""
    from course.numbers import comparison_problems

    ua, ru = comparison_pair(values)
    if ua["value"] / ru["value"] < claimed_ratio:
        return "unsupported"
    return "misleading" if comparison_problems(ua.to_dict(), ru.to_dict()) else "supported"


# --- diagnostics for the validation questions --------------------------------------------------------

def _validation_mistakes(size_advice: str, cover_advice: str):
    """What each problem that validation still finds tells the learner to do, with its misconception tag."""
    return (
        problem("no-evidence-cited", "A verdict cites no evidence row. Every verdict, even \"cannot be checked\", names "
                "the rows you looked at: print the problems list to see which.", "cites no evidence"),
        problem("unknown-row", "A cited row id is not in load(\"figures\"): print the problems list to see which, then "
                "use an id such as \"A22\".", "which is not a row of"),
        problem("unknown-verdict", "A verdict is not in the vocabulary: use supported, partly supported, unsupported, "
                "misleading or cannot be checked.", "is not a verdict"),
        problem("unknown-claim", "A claim id is not a sentence label of the text you are checking: print the problems "
                "list to see which.", "is not one of the claims"),
        problem("claim-twice", "Two verdicts are about the same claim: check a claim once, or split a sentence into "
                "parts (S2.10a, S2.10b).", "are both about"),
        problem("short-justification", "A verdict's justification is missing or too short: write a paragraph on what "
                "the rows show and what they do not.", "justification"),
        problem("wrong-size", size_advice, "asks for at"),
        problem("claim-not-covered", cover_advice, "No verdict on"),
        problem("wrong-claims", "Check the invented paragraph's own sentences: factcheck(\"…\", verdict(\"P1\", …), …, "
                "claims=invented).", "claims=invented"),
    )


QUESTIONS = (
    Question(
        id="07.1",
        prompt="Which sentences of the article use the 'mass desertion' framing?",
        kind="set",
        objective="O1",
        expected=framing_sentences,
        mistakes=(
            subset("first-only", "That is the first one only: the framing comes back throughout the article. Search "
                   "every sentence.", size=1),
            contains("broader-match", "Some of your sentences say \"desertion(s)\" without \"mass\": keep only the "
                     "\"mass desertion\" framing.", lambda p: _desertion_without_mass()),
        ),
        hints=(
            "The sentences table (article().table()) has a text column.",
            "Keep the rows whose text contains \"mass desertion\", ignoring capitals (it also catches \"mass desertions\").",
            "set(sentences.loc[sentences[\"text\"].str.contains(\"mass desertion\", case=False), \"id\"])",
        ),
        why="A fact-check checks a repeated claim once, and says how often the text repeats it: repetition is not evidence.",
    ),
    Question(
        id="07.2",
        prompt="Which rows give a national yearly count of Russian court cases of at least 2,000, at medium or high confidence?",
        kind="set",
        objective="O1",
        expected=lambda p: scale_evidence(_load("figure-values")),
        mistakes=(
            contains("cumulative-as-annual", "Some of your rows are running totals since 2022, not one year's count: keep "
                     "calendar-year rows only.", lambda p, e: _running_total_rows(_load("figure-values")) - set(e)),
            superset("filter-too-loose", "Some of your rows are not national yearly counts of at least 2,000: keep the "
                     "rows of court_cases_by_year(values) whose value reaches 2,000."),
        ),
        hints=(
            "court_cases_by_year(values) gives one row per source and year.",
            "Keep the rows whose value is at least 2,000 and whose confidence is not low; take their row_id.",
            "set(years.loc[(years[\"value\"] >= 2000) & (years[\"confidence\"] != \"low\"), \"row_id\"])",
        ),
        why="A verdict rests on named rows a reader can open, not on 'reports suggest'.",
    ),
    Question(
        id="07.3",
        prompt="What verdict do the court counts give on S3.4, 'potentially thousands of soldiers who have decided they've had enough'?",
        kind="choice",
        objective="O1",
        choices=VERDICT_CHOICES,
        expected=lambda p: scale_verdicts(_load("figure-values")),  # any defensible verdict, primary first
        mistakes=(
            option("vague-as-misleading", "The wording is vague, but the number it gives is not too high: vague is not "
                   "the same as misleading.", "misleading"),
            option("vague-as-uncheckable", "A vague claim can still be checked from below: do documented minimums reach "
                   "the thousands?", "cannot be checked"),
        ),
        hints=(
            "Look at the largest yearly count among the rows of 07.2.",
            "Court counts are minimums: if the minimum is already in the thousands, what does that say about the number? "
            "And does any count show why soldiers left?",
        ),
        why=("A vague claim can still be checked from below: a documented minimum settles 'at least thousands'. "
             "'Supported' judges the number; 'partly supported' the whole sentence, whose motive no count shows. "
             "Either is right if the justification says which."),
    ),
    Question(
        id="07.4",
        prompt="What verdict do the pay rows give on 'low pay' (S2.10) as a cause of desertion?",
        kind="choice",
        objective="O1",
        choices=VERDICT_CHOICES,
        expected=lambda p: pay_verdict(_load("figure-values")),
        mistakes=(
            option("proxy-as-measure", "Which row measures what soldiers are paid? A sign-up bonus set against a civilian "
                   "salary does not.", "supported", "partly supported"),
            option("one-sided-standard", "The only pay row (D11) is a low-confidence copy that sets a one-off bonus against "
                   "a civilian salary: it does not measure soldiers' pay. The standard that keeps \"supported\" off a "
                   "low-confidence row keeps \"unsupported\" off it too.", "unsupported"),
            option("misleading-without-substance", "\"Misleading\" needs something real in the claim. Does any row "
                   "measure soldiers' pay?", "misleading"),
        ),
        hints=(
            "Find the rows whose unit mentions a salary or a bonus, and read what each measures and how confident it is.",
            "Is a sign-up bonus, set against an average civilian salary, a measure of soldiers' pay? "
            "Could a verdict either way rest on one low-confidence copy?",
        ),
        why=("'Cannot be checked' is the same standard for both directions: no row at medium or high confidence "
             "measures soldiers' pay. A justification cites D11 as the row looked at and says what would check the "
             "claim: what soldiers are paid, and whether it arrives."),
    ),
    Question(
        id="07.5",
        prompt="What verdict can the rows give on S3.18, the 'vicious cycle of burnout and further desertions'?",
        kind="choice",
        objective="O1",
        choices=VERDICT_CHOICES,
        expected=lambda p: cycle_verdict(_load("figures")),
        mistakes=(
            option("unsupported-for-uncheckable", "Unsupported means the rows address the claim and do not show it. Does "
                   "any row address the cycle at all?", "unsupported"),
            option("assertion-as-evidence", "Which row shows desertions putting pressure on the troops who stay? Search the "
                   "rows for the claim's words.", "supported", "partly supported"),
        ),
        hints=(
            "Search the rows' text for the words of the claim: cycle, burnout.",
            "If no row addresses a claim, no verdict for or against it can rest on the data.",
        ),
        why="'Cannot be checked' is an honest verdict: it says what evidence would be needed, not that the claim is false.",
    ),
    reflection(
        "07.6",
        "Justify your verdict on the 'mass desertions' framing (S1.2) in a paragraph.",
        objective="O2",
        min_words=60,
    ),
    reflection(
        "07.7",
        "Justify your verdict on S3.9, 'the real numbers are likely much higher than what is being officially reported'.",
        objective="O2",
        min_words=60,
    ),
    Question(
        id="07.8",
        prompt="Your fact-check of the article: 5 to 8 verdicts covering the major claims, each with evidence rows and a justification.",
        kind=FactCheckKind(),
        objective="O1",
        expected=lambda p: (),
        canonical=lambda: {**FACTCHECK_SIZE, "cover": MAJOR_CLAIMS},
        mistakes=_validation_mistakes(
            "Check 5 to 8 major claims: not every sentence, but every claim the article rests on.",
            "Give a verdict on each major claim the exercise lists (exercise(\"07.8\").cover); a part such as S2.10a counts."),
        hints=(
            "Print the problems list: each problem names the verdict and what to fix.",
            "Each verdict(...) needs a claim id such as \"S3.4\", a verdict word, a list of row ids and a paragraph.",
            "Start from the worked example above and add one verdict(...) line per claim in exercise(\"07.8\").cover.",
        ),
        why="Checking the structure before publishing catches the claims left without evidence.",
    ),
    Question(
        id="07.9",
        prompt="Write label_verdict(claimed, awol, desertion): the verdict on 'N soldiers deserted' for one year.",
        kind="function",
        objective="O3",
        expected=lambda p: label_verdict,
        cases=_label_cases,
        canonical=_invented_params,
        hidden=True,
        hints=(
            "Compare claimed with each count: is it within 10% of the desertion count? Of the AWOL count?",
            "Check desertion first (partly supported), then AWOL (misleading: AWOL called desertion), else unsupported.",
            "if abs(claimed - desertion) <= 0.10 * desertion: return \"partly supported\" … then the same for awol.",
        ),
        why=("The same rule works on anyone's numbers: Russian state media relabelled Ukraine's counts (G18), and a "
             "Ukrainian outlet's story relabelled Russia's (G10)."),
    ),
    Question(
        id="07.10",
        prompt="What verdict do the Ukrainian running totals give on P3 of the invented paragraph?",
        kind="choice",
        objective="O3",
        choices=VERDICT_CHOICES,
        expected=lambda p: cumulative_verdict(_load("figure-values"), p["p3_claimed"]),
        canonical=_invented_params,
        mistakes=(
            option("slant-as-falsehood", "A one-sided paragraph can still contain true sentences: compare P3's number with "
                   "each running total.", "misleading", "unsupported", when=lambda e, p: e == "supported"),
        ),
        hints=(
            "ukraine_totals has one row per source: compare each value with the number in P3.",
            "Do all, some or none of the running totals reach P3's number?",
        ),
        why="The method does not take sides: a paragraph with a slant can still state a sourced number correctly.",
    ),
    Question(
        id="07.11",
        prompt="What verdict does the same method give on P4, 'more than ten times the Russian figure, which proves …'?",
        kind="choice",
        objective="O3",
        choices=VERDICT_CHOICES,
        expected=lambda p: comparison_verdict(_load("figure-values"), p["p4_ratio"]),
        canonical=_invented_params,
        mistakes=(
            option("arithmetic-over-comparability", "The division is right, but are the two numbers counts of the same "
                   "thing? Run comparison_problems on them.", "supported", when=lambda e, p: e == "misleading"),
            option("comparison-as-number", "Divide the two running totals: the ratio does reach the paragraph's number. "
                   "What is wrong is the comparison.", "unsupported", when=lambda e, p: e == "misleading"),
        ),
        hints=(
            "Divide the Ukrainian running total by the Russian one: does the ratio reach the paragraph's number?",
            "Then ask whether the two figures can be compared at all: comparison_problems(ukraine, russia).",
        ),
        why="True arithmetic on incomparable numbers is the commonest misleading comparison, whichever side it is about.",
    ),
    Question(
        id="07.12",
        prompt="Your fact-check of the invented paragraph: a verdict on every sentence, with valid evidence.",
        kind=FactCheckKind(claims=invented_claims()),
        objective="O3",
        expected=lambda p: (),
        canonical=lambda: {"cover": tuple(invented_claims())},
        mistakes=_validation_mistakes(
            "Give one verdict per sentence of the invented paragraph.",
            "Give every sentence of the invented paragraph (P1 to P4) a verdict."),
        hints=(
            "Print the problems list: each problem names the verdict and what to fix.",
            "Pass claims=invented to factcheck(...) so the claim ids P1 to P4 are known.",
            "factcheck(\"…\", verdict(\"P1\", …), verdict(\"P2\", …), verdict(\"P3\", …), verdict(\"P4\", …), claims=invented)",
        ),
        why="The same standard for both sides is what makes a fact-check fair.",
    ),
    reflection(
        "07.13",
        "What did the same method say about the other side's desertions, and what did it change in how you read both?",
        objective="O3",
        min_words=60,
    ),
)

# The checkpoint, after it: unmarked, see course.checks.checkpoint.
QUESTIONS += checkpoint_questions("post", MODULE.id)
