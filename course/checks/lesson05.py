"""Questions for lesson 05, Hidden numbers: under-reporting, capture–recapture, Fermi ranges, honest claims.

Every expected answer is computed by the course's models (:mod:`course.models.underreporting`,
:mod:`course.models.capture_recapture`) from the learner's own parameters and the court counts in
``figure-values`` (through :mod:`course.numbers`, as in lesson 04). The two-list example is
synthetic and says so wherever it is shown. Each question names the objective it assesses; the
map from objectives to questions is :func:`objective_map`.
"""

from __future__ import annotations

import math

from course.checks._engine import Module, Question, reflection
from course.checks._mistakes import equals, inverted, outputs, when

MODULE = Module(
    id="05",
    slug="hidden-numbers",
    title="Hidden numbers",
    minutes=60,
    objectives={
        "O1": "Treat a court count as what survives a chain of filters, and turn it into a range for the true number under a stated assumption about the share recorded.",
        "O2": "Vary that assumption and show how much of the range comes from it rather than from the data.",
        "O3": "Estimate a hidden population from two overlapping lists (capture–recapture) on a labelled synthetic example, name the method's assumptions, and say which way dependent lists bias it.",
        "O4": "Make a Fermi estimate with an explicit range for every factor, and check it against the documented count.",
        "O5": "Say what 'likely much higher' can and cannot honestly mean.",
    },
)

#: Assumed shares of absences that end up as a court case (assumptions, not data; the notebook
#: shows which documented ratios they are anchored to).
RECORDED_SHARES = (0.1, 0.2, 0.25, 0.4, 0.5)
P_RANGES = ((0.05, 0.2), (0.05, 0.3), (0.1, 0.3), (0.1, 0.4), (0.2, 0.5))
#: Assumed yearly shares of soldiers who go absent at least once (low, high), for the Fermi estimate.
ABSENCE_SHARES = ((0.005, 0.03), (0.007, 0.05), (0.01, 0.04), (0.004, 0.06))
FERMI_YEARS = (2023, 2024)
DEPENDENCES = (-0.5, -0.3, 0.3, 0.5)
DRAWS = 20_000


def _values():
    from course.data import load

    return load("figure-values")


def _latest_counts():
    """The newest count for each (article, year) of the yearly court series, as in lesson 04."""
    from course.numbers import court_cases_by_year

    y = court_cases_by_year(_values()).drop_duplicates(["article", "year"])
    return {(str(a), int(yr)): int(v) for a, yr, v in zip(y["article"], y["year"], y["value"])}


def court_count(article: str, year: int) -> int:
    """The documented court count the exercises start from (newest row for that article and year)."""
    return _latest_counts()[(str(article), int(year))]


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def _count_variant(rng):
    article, year = _pick(rng, sorted(_latest_counts()))
    return {"article": article, "year": year}


def _rng(seed):
    import numpy as np

    return np.random.default_rng(seed)


# --- 05.1 the naive inversion ------------------------------------------------------------------

def _naive(p):
    from course.models.underreporting import point_estimate

    return point_estimate(court_count(p["article"], p["year"]), p["p"])


# --- 05.2 and 05.3 an interval, and how much of it is the assumption ----------------------------

def _interval(p, lo=None, hi=None):
    from course.models.underreporting import true_count_interval

    lo = p["p_low"] if lo is None else lo
    hi = p["p_high"] if hi is None else hi
    return true_count_interval(court_count(p["article"], p["year"]), lo, hi, rng=_rng(p["seed"]), draws=DRAWS)


def _upper(p):
    return _interval(p).high


def _known_p(p):
    mid = (p["p_low"] + p["p_high"]) / 2
    return _interval(p, mid, mid)


def _widening(p):
    wide, known = _interval(p), _known_p(p)
    return (wide.high - wide.low) / (known.high - known.low)


def _interval_variant(rng):
    lo, hi = _pick(rng, P_RANGES)
    return {**_count_variant(rng), "p_low": lo, "p_high": hi, "seed": int(rng.integers(1, 1000))}


# --- 05.4 and 05.5 capture–recapture ------------------------------------------------------------

def _chapman_reference(p):
    from course.models.capture_recapture import chapman

    return chapman


def _lincoln_petersen(n1, n2, m):
    from course.models.capture_recapture import lincoln_petersen

    return lincoln_petersen(n1, n2, m)


def _chapman_without_minus_one(n1, n2, m):
    from course.models.capture_recapture import chapman

    return chapman(n1, n2, m) + 1


def _chapman_cases(p):
    return [(p["n1"], p["n2"], p["m"]), (200, 150, 30), (50, 40, 0), (25, 25, 25), (1, 1, 0)]


def _chapman_variant(rng):
    n1, n2 = (int(x) for x in rng.integers(80, 600, size=2))
    return {"n1": n1, "n2": n2, "m": int(rng.integers(3, min(n1, n2) // 2))}


def synthetic_lists(params):
    """The learner's two synthetic lists as boolean arrays over the hidden population (05.5)."""
    from course.models.capture_recapture import ListParams, draw_lists

    return draw_lists(ListParams(params["population"], params["p1"], params["p2"]), rng=_rng(params["seed"]))


def _list_counts(p):
    on1, on2 = synthetic_lists(p)
    return int(on1.sum()), int(on2.sum()), int((on1 & on2).sum())


def _two_list_estimate(p):
    from course.models.capture_recapture import chapman

    return chapman(*_list_counts(p))


def _lists_variant(rng):
    return {
        "population": int(rng.integers(8, 31)) * 100,
        "p1": round(float(rng.uniform(0.1, 0.3)), 2),
        "p2": round(float(rng.uniform(0.1, 0.3)), 2),
        "seed": int(rng.integers(1, 1000)),
    }


# --- 05.6 dependent lists ------------------------------------------------------------------------

BIAS_CHOICES = (
    "Too low: it settles below the hidden population",
    "Too high: it settles above the hidden population",
    "About right: dependence between the lists does not matter on average",
)


def _bias(p):
    from course.models.capture_recapture import ListParams, expected_lincoln_petersen

    params = ListParams(p["population"], p["p1"], p["p2"], dependence=p["dependence"])
    settles = expected_lincoln_petersen(params)
    if math.isclose(settles, params.population, rel_tol=0.01):
        return BIAS_CHOICES[2]
    return BIAS_CHOICES[0] if settles < params.population else BIAS_CHOICES[1]


# --- 05.7 and 05.8 a Fermi estimate with ranges --------------------------------------------------

def force_range(year: int) -> tuple[int, int]:
    """Low and high ends for the number of soldiers: troops deployed (claimed) and authorised strength."""
    from course.numbers import denominators

    d = denominators(_values(), year).set_index("denominator")["value"]
    return int(d["troops deployed (claimed)"]), int(d["authorised strength"])


def fermi_range(p) -> tuple[float, float]:
    """(low, high): the product of the low ends and the product of the high ends of the factors."""
    low_force, high_force = force_range(p["year"])
    return low_force * p["share_low"], high_force * p["share_high"]


def _fermi_high(p):
    return fermi_range(p)[1]


def _fermi_mid(p):
    low, high = fermi_range(p)
    return math.sqrt(low * high)


def _fermi_canonical():
    v = _values()
    us = v[v["row_id"] == "F01"]
    per_1000 = us[us["unit"].str.contains("per 1,000", na=False)]["value"]
    peak = v[v["row_id"].isin(["F02", "F03"])]["value"]
    return {"year": 2024, "share_low": float(per_1000.min()) / 1000, "share_high": float(peak.max()) / 100}


def _fermi_variant(rng):
    lo, hi = _pick(rng, ABSENCE_SHARES)
    return {"year": int(_pick(rng, FERMI_YEARS)), "share_low": lo, "share_high": hi}


def _mixed_ends(a, p):
    (lf, hf), lo, hi = force_range(p["year"]), p["share_low"], p["share_high"]
    return any(math.isclose(a, x, rel_tol=0.01) for x in (lf * hi, hf * lo))


# --- 05.9 what "likely much higher" can mean ------------------------------------------------------

HONEST_CHOICES = (
    "The documented count is a floor; the true number is probably higher, by a multiple that depends on what you assume about the share recorded",
    "The true number is about ten times the documented count",
    "Because court counts are minimums, any larger figure, such as '20% of the army', is supported",
    "Nothing: without the true number, no statement beyond the documented count is honest",
)

def ukraine_court_share() -> float:
    """Share of Ukraine's registered AWOL and desertion proceedings sent to court (E05; an upper bound)."""
    v = _values()
    e05 = v[v["row_id"] == "E05"]
    sent = e05[e05["measure"] == "court_cases_received"]["value"].sum()
    registered = e05[(e05["measure"] == "registered_proceedings") & (e05["article"] == "407+408")]["value"].iloc[0]
    return float(sent / registered)


def leaked_list_ratios() -> dict[str, float]:
    """Russian court cases per soldier who fled by leaked Defence Ministry documents, under each relay's period.

    The relays disagree (module 03, case D06): at least 50,000 since the invasion (C01), set against
    the court cases since the invasion (A23); or about 50,000 during 2024 (G05), set against 2024's
    court cases (the yearly series). Neither reading is settled, so both are kept.
    """
    v = _values()
    since = v[(v["row_id"] == "A23") & (v["article"] == "all") & (v["measure"] == "court_cases_received")]["value"].iloc[0]
    c01 = v[v["row_id"] == "C01"]["value"].iloc[0]
    g05 = v[v["row_id"] == "G05"]["value"].iloc[0]
    return {"since the invasion": float(since / c01), "during 2024": float(court_count("all", 2024) / g05)}


def leaked_list_ratio() -> float:
    """The larger of :func:`leaked_list_ratios`: an upper limit on the share reaching a court whichever reading is right."""
    return max(leaked_list_ratios().values())


def assumptions() -> dict[str, tuple[float, float]]:
    """The stated assumptions of the notebook's sensitivity table: ranges for p, from the two documented ratios.

    >>> list(assumptions())[0]
    "as low as Ukraine's share reaching court"
    """
    ukr, leak = round(ukraine_court_share(), 2), round(leaked_list_ratio(), 2)
    return {
        "as low as Ukraine's share reaching court": (ukr, 2 * ukr),
        "between the two documented ratios": (ukr, leak),
        "up to the leaked-list ratio": (round(leak / 2, 2), leak),
        "most absences reach a court": (0.5, 0.9),
    }


def _honest(p):
    from course.models.underreporting import sensitivity

    count = court_count(p["article"], p["year"])
    rows = sensitivity(count, assumptions(), rng=_rng(0), draws=DRAWS)
    floor = all(r["low"] >= count for r in rows)
    medians = [r["median"] for r in rows]
    if not floor:
        return HONEST_CHOICES[3]
    return HONEST_CHOICES[0] if max(medians) / min(medians) > 2 else HONEST_CHOICES[1]


QUESTIONS = (
    Question(
        id="05.1",
        prompt="If only a share p of absences end up as court cases, how many absences does your year's court count imply?",
        kind="number",
        objective="O1",
        unit="absences",
        rel_tol=0.01,
        expected=_naive,
        canonical={"article": "all", "year": 2024, "p": 0.25},
        variant=lambda rng: {**_count_variant(rng), "p": float(_pick(rng, RECORDED_SHARES))},
        mistakes=(
            equals("multiplied-for-divided", "You multiplied by p: a share p of the true number was recorded, so divide "
                   "the count by p.", lambda p: court_count(p["article"], p["year"]) * p["p"], rel=0.02),
            equals("share-missed", "That is the count times the share missed; the true number is the count divided by p.",
                   lambda p: court_count(p["article"], p["year"]) * (1 - p["p"]), rel=0.02),
        ),
        hints=(
            "If a quarter of absences are recorded, the count is a quarter of the true number.",
            "count = p × true number, so true number = count / p.",
            "point_estimate(count, p.p) — or count / p.p",
        ),
        why="One division turns a floor into an estimate, but the answer is only as good as the p you assumed.",
    ),
    Question(
        id="05.2",
        prompt="With p only known to lie in your range, what is the upper end of the model's 90% interval for the true number?",
        kind="number",
        objective="O1",
        unit="absences",
        rel_tol=0.02,
        expected=_upper,
        canonical={"article": "all", "year": 2024, "p_low": 0.1, "p_high": 0.4, "seed": 5},
        variant=_interval_variant,
        mistakes=(
            equals("naive-bound", "That is count / p_low, the naive top. The model's interval leaves out the least "
                   "likely 5% at each end: use true_count_interval(...).high.",
                   lambda p: court_count(p["article"], p["year"]) / p["p_low"], rel=0.005),
            equals("wrong-end", "That is the lower end of the interval; the question asks for the upper end (.high).",
                   lambda p: _interval(p).low, rel=0.02),
            equals("wrong-end", "That is the median; the question asks for the upper end (.high).",
                   lambda p: _interval(p).median, rel=0.02),
        ),
        hints=(
            "The smaller p is, the more is hidden: the upper end comes from the low end of your range.",
            "true_count_interval(count, p.p_low, p.p_high, rng=np.random.default_rng(p.seed)) returns low, median and high.",
            "interval = true_count_interval(...); upper = interval.high",
        ),
        why="A range for p gives a range for the true number; its upper end is set by the most pessimistic p you allow.",
    ),
    Question(
        id="05.3",
        prompt="How many times wider is the interval when p is only known to lie in your range than when p is known exactly (the middle of the range)?",
        kind="number",
        objective="O2",
        unit="times (a ratio of widths)",
        rel_tol=0.05,
        expected=_widening,
        canonical={"article": "all", "year": 2024, "p_low": 0.1, "p_high": 0.4, "seed": 5},
        variant=_interval_variant,
        mistakes=(
            equals("ends-for-widths", "That compares the upper ends; compare the widths (high − low) of the two "
                   "intervals.", lambda p: _interval(p).high / _known_p(p).high, rel=0.05),
            inverted("inverted-ratio", "Upside down: divide the wider interval's width by the narrower one's.", rel=0.05),
        ),
        hints=(
            "Make two intervals: one with p_low and p_high from your range, one with both set to the middle of the range.",
            "The width of an interval is high − low.",
            "(wide.high - wide.low) / (known.high - known.low)",
        ),
        why="Counting noise alone gives a narrow interval; almost all of the width comes from not knowing p.",
    ),
    Question(
        id="05.4",
        prompt="Write chapman_estimate(n1, n2, m): Chapman's estimate of a population from two lists of sizes n1 and n2 with m on both.",
        kind="function",
        objective="O3",
        expected=_chapman_reference,
        cases=_chapman_cases,
        canonical={"n1": 200, "n2": 150, "m": 30},
        variant=_chapman_variant,
        hidden=True,
        mistakes=(
            outputs("lincoln-petersen-for-chapman", "That is Lincoln–Petersen (n1 × n2 / m). Chapman adds one to each "
                    "count and subtracts one at the end.", _lincoln_petersen),
            outputs("forgot-minus-one", "Nearly: Chapman's formula subtracts 1 at the end.", _chapman_without_minus_one),
        ),
        hints=(
            "Lincoln–Petersen is n1 × n2 / m; Chapman's version cannot divide by zero.",
            "Add one to n1, to n2 and to m; multiply, divide, then subtract one.",
            "return (n1 + 1) * (n2 + 1) / (m + 1) - 1",
        ),
        why="Chapman's small corrections keep the estimate finite when the lists never overlap and remove most of the bias.",
    ),
    Question(
        id="05.5",
        prompt="From your two synthetic lists, what is Chapman's estimate of the hidden population?",
        kind="number",
        objective="O3",
        unit="people (synthetic)",
        rel_tol=0.001,
        expected=_two_list_estimate,
        canonical={"population": 2000, "p1": 0.2, "p2": 0.15, "seed": 7},
        variant=_lists_variant,
        mistakes=(
            equals("seen-for-all", "That is how many different people the two lists name, n1 + n2 − m: everyone seen, "
                   "not everyone there.", lambda p: sum(_list_counts(p)[:2]) - _list_counts(p)[2], rel=0.001),
            equals("overlap-counted-twice", "Adding the two lists counts the overlap twice, and still misses everyone "
                   "on neither list.", lambda p: sum(_list_counts(p)[:2]), rel=0.001),
            equals("lincoln-petersen-for-chapman", "That is Lincoln–Petersen; this question asks for Chapman's estimate "
                   "(your chapman_estimate).", lambda p: _lincoln_petersen(*_list_counts(p)), rel=0.001),
        ),
        hints=(
            "Count each list, then count the names that appear on both (a set intersection).",
            "n1 = len(list1); n2 = len(list2); m = len(set(list1) & set(list2))",
            "chapman_estimate(n1, n2, m)",
        ),
        why="Two incomplete lists, and how much they overlap, say something about the people on neither.",
    ),
    Question(
        id="05.6",
        prompt="Your two lists are dependent, as exercise(\"05.6\") says. Where does the two-list estimate settle?",
        kind="choice",
        objective="O3",
        choices=BIAS_CHOICES,
        expected=_bias,
        canonical={"population": 2000, "p1": 0.2, "p2": 0.2, "dependence": 0.5},
        variant=lambda rng: {"population": 2000, "p1": 0.2, "p2": 0.2, "dependence": float(_pick(rng, DEPENDENCES))},
        hints=(
            "Positive dependence: people on list 1 are more likely than others to be on list 2. Negative: less likely.",
            "More overlap than independence would give makes n1 × n2 / m smaller; less overlap makes it larger.",
            "Try it in the two-list explorer: set the dependence slider to your value.",
        ),
        why="Real lists are rarely independent: the same visible people turn up in every source, so the estimate is usually too low.",
    ),
    Question(
        id="05.7",
        prompt="Fermi estimate: soldiers × share absent in a year. What is the high end of your range?",
        kind="number",
        objective="O4",
        unit="absences in a year",
        rel_tol=0.01,
        expected=_fermi_high,
        canonical=_fermi_canonical,
        variant=_fermi_variant,
        mistakes=(
            equals("wrong-end", "That is the low end: multiply the high ends of both factors for the high end.",
                   lambda p: fermi_range(p)[0], rel=0.01),
            when("mixed-ends", "You mixed the ends: the high end multiplies the larger number of soldiers by the larger "
                 "share.", _mixed_ends),
        ),
        hints=(
            "Each factor has a low and a high end; the range's ends multiply like ends.",
            "The soldiers' range runs from the troops deployed (claimed) to the authorised strength for your year; the share's range is in your exercise parameters.",
            "high = soldiers[\"authorised strength\"] * p.share_high",
        ),
        why="Carrying a range through every factor shows how uncertain the answer really is.",
    ),
    Question(
        id="05.8",
        prompt="What is the geometric midpoint of your Fermi range, the one number you would quote as its centre?",
        kind="number",
        objective="O4",
        unit="absences in a year",
        rel_tol=0.01,
        expected=_fermi_mid,
        canonical=_fermi_canonical,
        variant=_fermi_variant,
        mistakes=(
            equals("arithmetic-for-geometric-mean", "That is the arithmetic mean, pulled up by the high end. A Fermi "
                   "range spans a multiple, so take the geometric midpoint: the square root of low × high.",
                   lambda p: sum(fermi_range(p)) / 2, rel=0.01),
        ),
        hints=(
            "When the high end is many times the low end, the middle is a ratio away from each, not a distance.",
            "The geometric midpoint of a and b is the square root of a × b.",
            "math.sqrt(low * high) — or (low * high) ** 0.5",
        ),
        why="The geometric midpoint is the same number of times above the low end as it is below the high end.",
    ),
    Question(
        id="05.9",
        prompt="Under the assumptions in the sensitivity table, what can 'the true number is likely much higher' honestly mean?",
        kind="choice",
        objective="O5",
        choices=HONEST_CHOICES,
        expected=_honest,
        canonical={"article": "all", "year": 2024},
        hints=(
            "Look at the low ends of the intervals: can any of them fall below the count?",
            "Now compare the medians across the assumptions: does the data fix the multiple, or does the assumption?",
        ),
        why="'Much higher' is honest only with its assumption attached: how much higher is a statement about p, not about the data.",
    ),
    reflection(
        "05.10",
        "Rewrite 'the true number is likely much higher' as an honest sentence: the count, the assumption, the range, and what would narrow it.",
        objective="O5",
        min_words=40,
    ),
)


def objective_map() -> dict[str, list[str]]:
    """Each objective of the module and the questions that assess it.

    >>> objective_map()["O3"]
    ['05.4', '05.5', '05.6']
    """
    return {key: [q.id for q in QUESTIONS if q.objective == key] for key in MODULE.objectives}
