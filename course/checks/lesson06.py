"""Questions for lesson 06, Cascades and feedback: thresholds, tipping points and a manpower stock.

Expected answers are computed with :mod:`course.models.cascade` and :mod:`course.models.manpower`,
the models the notebook and its explorers use, so the lesson and its checks cannot drift apart.
All the numbers are synthetic: they describe the models, not any real army.
"""

from __future__ import annotations

from course.checks._engine import Module, Question, reflection
from course.checks._mistakes import equals, offset, when

MODULE = Module(
    id="06",
    slug="cascades-and-feedback",
    title="Cascades and feedback",
    minutes=60,
    objectives={
        "O1": "Simulate a threshold cascade and find where it stops (its equilibrium), by iterating and on the cobweb picture.",
        "O2": "Find a tipping point (the critical spread of thresholds) and show how a small change in the distribution of willingness flips the outcome, for a smooth curve and for random crowds.",
        "O3": "Model the article's 'vicious cycle' as a stock with flows and a feedback loop: find the critical feedback strength and where the force settles.",
        "O4": "Explain why such models cannot predict without data, and name observations that would support or refute the article's cycle claim.",
    },
)


def _cascade():
    from course.models import cascade

    return cascade


def _manpower():
    from course.models import manpower

    return manpower


# --- 06.1 a small crowd's equilibrium ------------------------------------------------------------

CROWD_SIZE = 10


def _small_crowd(rng):
    """Ten thresholds 0..9 in random order; usually one person's is raised, which may stop the chain."""
    t = [int(x) for x in rng.permutation(CROWD_SIZE)]
    if rng.random() < 0.8:
        person = t.index(int(rng.integers(2, CROWD_SIZE - 1)))
        t[person] += int(rng.integers(1, 3))
    return {"thresholds": t}


def _small_equilibrium(p):
    return int(_cascade().equilibrium(p["thresholds"]))


# --- 06.2 the learner's own cascade function ----------------------------------------------------

def _cascade_size_reference(p):
    def cascade_size(thresholds):
        return int(_cascade().equilibrium(list(thresholds)))

    return cascade_size


def _cascade_size_cases(p):
    return [
        (list(range(10)),),
        ([0, 2, 2, 3, 4, 5, 6, 7, 8, 9],),
        ([1, 1, 1],),
        ([0, 0, 0],),
        ([0, 1, 1, 5],),
        ([3, 0, 6, 1, 5, 2, 9, 6, 8, 7],),
    ]


# --- 06.3 predict, then run: Granovetter's one changed threshold --------------------------------

RIOT_CHOICES = (
    ("All 100, as before", 100),
    ("99: everyone except the person whose threshold changed", 99),
    ("About half of them", 50),
    ("Just 1: the person with threshold 0", 1),
)


def _riot_crowd(p):
    t = list(range(p["n"]))
    t[1] = 2
    return t


def _riot(p):
    acting = _cascade().equilibrium(_riot_crowd(p))
    matches = [text for text, value in RIOT_CHOICES if value == acting]
    return matches[0] if matches else None


# --- 06.4 the critical spread -------------------------------------------------------------------

CRITICAL_MEANS = tuple(range(12, 40, 2))  # mean thresholds, in people of 100


def _critical_spread(p):
    return _cascade().critical_sd(p["mean"], p["n"])


def _used_random_crowds(answer, p):
    c = _critical_spread(p)
    return c + 0.15 < answer < c + 8


# --- 06.5 random crowds near the tipping point --------------------------------------------------

RANDOM_SPREADS = (12.5, 13.0, 13.5, 14.0)


def _random_sizes(p):
    import numpy as np

    cascade = _cascade()
    params = cascade.CascadeParams(n=p["n"], mean=p["mean"], sd=p["sd"])
    return cascade.simulate(params, rng=np.random.default_rng(p["seed"]), replicates=p["crowds"])


def _share_cascading(p):
    return float((_random_sizes(p) >= p["at_least"]).mean())


def _smooth_answer(p):
    return _cascade().final_share(p["mean"], p["sd"], p["n"])


# --- 06.6 the critical feedback ------------------------------------------------------------------

REPLACEMENT_RATES = (0.01, 0.02, 0.03, 0.05)
CASUALTY_RATES = (0.005, 0.01, 0.02)
BASE_DEPARTURES = (0.005, 0.01)


def _rates(rng):
    return {
        "replacement_rate": float(rng.choice(REPLACEMENT_RATES)),
        "casualty_rate": float(rng.choice(CASUALTY_RATES)),
        "base_departure": float(rng.choice(BASE_DEPARTURES)),
    }


def _params(p):
    return _manpower().ManpowerParams(**p)


def _critical_feedback(p):
    return _manpower().critical_feedback(_params(p))


def _ratio(p, *names):
    return sum(p[n] for n in names) / p["base_departure"]


# --- 06.7 where a force above critical settles --------------------------------------------------

def _settle_variant(rng):
    p = _rates(rng)
    critical = _manpower().critical_feedback(_manpower().ManpowerParams(**p))
    p["feedback"] = round(critical * float(rng.uniform(1.3, 2.5)), 1)
    p["initial"] = float(rng.choice((900.0, 950.0)))
    return p


def _settles(p):
    return _manpower().equilibrium(_params(p))


def _after_ten_years(p):
    return _manpower().simulate(_params(p), 120)["stock"][-1]


# --- 06.8 predict, then run: do departures rise after a shock in both models? ---------------------

WEAK, STRONG = 2.0, 10.0
DEPARTURE_CHOICES = (
    f"Only in the strong-feedback model (feedback {STRONG:g})",
    f"Only in the weak-feedback model (feedback {WEAK:g})",
    "In both",
    "In neither",
)


def _first_month_rises(feedback, p):
    manpower = _manpower()
    params = manpower.ManpowerParams(initial=p["initial"], feedback=feedback)
    usual = params.base_departure * params.target  # departures a month at full strength
    return bool(manpower.simulate(params, 1)["departures"][0] > usual)


def _which_rise(p):
    weak, strong = _first_month_rises(WEAK, p), _first_month_rises(STRONG, p)
    return DEPARTURE_CHOICES[{(False, True): 0, (True, False): 1, (True, True): 2, (False, False): 3}[(weak, strong)]]


# --- 06.9 which observations tell the two regimes apart? ----------------------------------------

def _gap_grows(run, target):
    return bool(target - run["stock"][12] > target - run["stock"][0])


OBSERVATIONS = (
    ("Departures in the month after a shock are above their usual level",
     lambda run, target, usual: bool(run["departures"][0] > usual)),
    ("The shortfall a year after a shock is larger than right after it",
     lambda run, target, usual: _gap_grows(run, target)),
    ("Monthly departures are higher a year after a shock than in the month after it",
     lambda run, target, usual: bool(run["departures"][12] > run["departures"][0])),
    ("Some soldiers leave every month",
     lambda run, target, usual: bool((run["departures"] > 0).all())),
    ("More than 50 soldiers of 1,000 leave during the year after a shock",
     lambda run, target, usual: bool(run["departures"][:12].sum() > 50)),
)


def _telling(p):
    manpower = _manpower()
    runs = []
    for feedback in (WEAK, STRONG):
        params = manpower.ManpowerParams(initial=p["initial"], feedback=feedback)
        runs.append((manpower.simulate(params, 24), params.target, params.base_departure * params.target))
    return [text for text, seen in OBSERVATIONS if seen(*runs[0]) != seen(*runs[1])]


QUESTIONS = (
    Question(
        id="06.1",
        prompt="Your crowd of ten starts with nobody acting. How many act when the cascade stops?",
        kind="number",
        objective="O1",
        unit="people",
        expected=_small_equilibrium,
        canonical={"thresholds": [3, 0, 6, 1, 5, 2, 9, 6, 8, 7]},
        variant=_small_crowd,
        mistakes=(
            equals("first-round-only", "That is only the first round: the people with threshold 0. Now count again with "
                   "that many acting, and repeat until the count stops changing.",
                   lambda p: sum(t <= 0 for t in p["thresholds"])),
            equals("everyone-joins", "Not everyone joins: sort the thresholds and look for the first person whose "
                   "threshold is more than the number already acting.", lambda p: len(p["thresholds"])),
            *(offset("off-by-one", "Off by one: a person joins once the number already acting is at least their "
                     "threshold (r >= threshold), and the count includes everyone acting, the first person too.", d)
              for d in (-1, 1)),
        ),
        hints=(
            "Round 1: who acts when nobody else does? Round 2: who acts when that many do?",
            "r = 0; repeat r = (number of thresholds <= r) until r stops changing.",
            "Sort the thresholds: the cascade stops at the first position k (counting from 0) whose threshold is above k.",
        ),
        why="The end of a cascade depends on every link of the chain: one missing link stops it.",
    ),
    Question(
        id="06.2",
        prompt="Write cascade_size(thresholds): how many act when the cascade that starts from nobody stops.",
        kind="function",
        objective="O1",
        expected=_cascade_size_reference,
        cases=_cascade_size_cases,
        hidden=True,
        hints=(
            "Start with r = 0 people acting and count who would act given r.",
            "Loop: new = number of thresholds t with t <= r; stop when new == r; otherwise r = new.",
            "r = 0\nwhile True:\n    new = sum(1 for t in thresholds if t <= r)\n    if new == r: return r\n    r = new",
        ),
        why="Writing the rule down as code makes the model's assumptions explicit: each person counts others, once, and never leaves.",
    ),
    Question(
        id="06.3",
        prompt="Predict, then run: Granovetter's crowd has thresholds 0, 1, 2, ..., 99. If the person with threshold 1 had threshold 2 instead, how many would act?",
        kind="choice",
        objective="O2",
        choices=tuple(text for text, _ in RIOT_CHOICES),
        expected=_riot,
        canonical={"n": 100},
        hints=(
            "Follow the first two rounds: who acts when nobody does, and who acts when one person does?",
            "With one person acting, is anyone's threshold now 1 or less?",
        ),
        why="Two crowds that differ in one person's threshold can end at 1 and at 100: the outcome says little about the crowd's average mood.",
    ),
    Question(
        id="06.4",
        prompt="For thresholds normal(mean, sd) in a crowd of n, at what spread sd does the smooth curve tip to nearly everyone acting?",
        kind="number",
        objective="O2",
        unit="people (the sd of the thresholds)",
        abs_tol=0.15,
        expected=_critical_spread,
        canonical={"mean": 25, "n": 100},
        variant=lambda rng: {"mean": int(rng.choice(CRITICAL_MEANS)), "n": 100},
        mistakes=(
            when("random-for-smooth", "Too high. If you used random crowds (an rng), they tip at scattered spreads: use "
                 "the smooth curve, final_share(mean, sd, n) without rng, and look for the first sd where it jumps.",
                 _used_random_crowds),
        ),
        hints=(
            "Move the spread slider in the explorer and watch the red equilibrium marker: where does it jump?",
            "Sweep sd in steps of 0.1 and compute final_share(p.mean, sd, p.n) for each; find the first sd where it is above 0.5.",
            "[sd for sd in sds if final_share(p.mean, sd, p.n) > 0.5][0], with sds = [x / 10 for x in range(1, 400)]",
        ),
        why="Near the critical spread, a change far too small for any survey to detect flips the outcome from few to nearly all.",
    ),
    Question(
        id="06.5",
        prompt="Predict, then run: of many random crowds of 100 with your mean and spread, what share end with at least 90 acting?",
        kind="number",
        objective="O2",
        unit="share (a fraction between 0 and 1)",
        abs_tol=0.05,
        expected=_share_cascading,
        canonical={"n": 100, "mean": 25, "sd": 12.5, "crowds": 1000, "at_least": 90, "seed": 6},
        variant=lambda rng: {"n": 100, "mean": 25, "sd": float(rng.choice(RANDOM_SPREADS)), "crowds": 1000,
                             "at_least": 90, "seed": int(rng.integers(1, 10_000))},
        mistakes=(
            equals("smooth-for-random", "That is the smooth curve's answer (a very large crowd). Simulate the random "
                   "crowds and count the share that reach at least 90.", _smooth_answer, abs=0.01),
        ),
        hints=(
            "simulate(CascadeParams(n=p.n, mean=p.mean, sd=p.sd), rng=np.random.default_rng(p.seed), replicates=p.crowds) gives one final size per crowd.",
            "Compare each size with p.at_least; the share is the mean of that True/False array.",
            "(sizes >= p.at_least).mean()",
        ),
        why="The smooth curve's sharp jump is a property of an infinite crowd: real, finite crowds tip by chance, so the same distribution gives different outcomes.",
    ),
    Question(
        id="06.6",
        prompt="For your rates, above what feedback strength does a shortfall grow instead of healing?",
        kind="number",
        objective="O3",
        unit="feedback strength (no unit)",
        abs_tol=0.15,
        expected=_critical_feedback,
        canonical={"replacement_rate": 0.02, "casualty_rate": 0.01, "base_departure": 0.005},
        variant=_rates,
        mistakes=(
            equals("balancing-loop-left-out", "You left out replacements, the balancing loop that refills the gap: it "
                   "pushes the critical strength up.", lambda p: _ratio(p, "base_departure", "casualty_rate"), abs=0.05),
            equals("only-one-loop", "You kept only replacements: casualties and the usual departures also shrink as the "
                   "force shrinks, which helps it heal.", lambda p: _ratio(p, "replacement_rate"), abs=0.05),
            equals("inverted-ratio", "Upside down: the critical strength is (replacement + casualty + base departure "
                   "rates) / base departure rate.", lambda p, e: 1 / e, abs=0.01),
        ),
        hints=(
            "Sweep the feedback strength and ask, for each value, whether a force starting just below target returns to it.",
            "manpower.equilibrium(with_feedback(mine, f)) with mine = ManpowerParams(**p, initial=990) is 1,000 (the target) until f passes the critical value.",
            "Or reason at the margin: a shortfall d changes the net flow by -(a + b + c) d through refills and smaller losses, and by + b f d through feedback.",
        ),
        why="Whether a loss heals or feeds on itself depends on a ratio of rates that no one has measured, which is why the article's cycle is an assertion, not a finding.",
    ),
    Question(
        id="06.7",
        prompt="With your rates and feedback (above critical), where does the force settle?",
        kind="number",
        objective="O3",
        unit="personnel",
        rel_tol=0.01,
        expected=_settles,
        canonical={"replacement_rate": 0.02, "casualty_rate": 0.01, "base_departure": 0.005, "feedback": 10.5,
                   "initial": 950.0},
        variant=_settle_variant,
        mistakes=(
            when("collapse-assumed", "It does not collapse to zero in this model: as the gap grows, replacements grow "
                 "too, until they balance the extra departures.", lambda a, p: a < 1),
            equals("target-holds", "Above the critical feedback the target does not hold: any shortfall grows. Run the "
                   "model until the stock stops changing.", lambda p: _manpower().ManpowerParams().target, abs=1),
            equals("not-run-to-equilibrium", "That is the stock after ten years, still moving: simulate much longer (say "
                   "3,000 months) or find where the net flow is zero.", _after_ten_years, rel=0.005),
        ),
        hints=(
            "Simulate a long time, e.g. simulate(ManpowerParams(**p), 3000), and read the last stock.",
            "The stock stops where the net flow is zero below target: net_flow(params, stock) == 0.",
            "In this model that level is target × critical feedback / feedback.",
        ),
        why="A reinforcing loop in a model is not a collapse: where it ends depends on every other flow, which is another reason to ask for data.",
    ),
    Question(
        id="06.8",
        prompt="Predict, then run: after the same 10% shock, in which model are departures in the first month above their usual (full-strength) level?",
        kind="choice",
        objective="O4",
        choices=DEPARTURE_CHOICES,
        expected=_which_rise,
        canonical={"initial": 900.0},
        hints=(
            "In the model the departure hazard is base_departure × (1 + feedback × share gone): what happens to it when share gone rises above 0?",
            "Compare run['departures'][0] with base_departure × target for each model.",
        ),
        why="More people leaving after a loss is what both a self-healing force and a runaway one show, so 'departures are rising' cannot show a vicious cycle.",
    ),
    Question(
        id="06.9",
        prompt="Which observations, after a shock, would tell a self-healing force (weak feedback) from a runaway one (strong feedback)?",
        kind="choices",
        objective="O4",
        choices=tuple(text for text, _ in OBSERVATIONS),
        expected=_telling,
        canonical={"initial": 900.0},
        hints=(
            "For each observation, is it true in the weak-feedback run? In the strong-feedback run?",
            "An observation tells them apart only if it is true in one run and false in the other.",
            "Look at the whole path of the gap and of departures, not at the first month.",
        ),
        why="Evidence for a feedback loop is a trend over time in comparable units, not a single headline number.",
    ),
    reflection(
        "06.10",
        "What observation would support the article's 'vicious cycle' claim, and what would refute it?",
        objective="O4",
        min_words=40,
    ),
)
