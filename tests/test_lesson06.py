"""Lesson 06 facts: variants give valid answers, the notebook's methods reach them, the prose matches the models."""

from __future__ import annotations

import importlib.util
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from course.checks import question, questions
from course.checks._engine import evaluate
from course.checks.lesson06 import (
    CRITICAL_MEANS,
    DEPARTURE_CHOICES,
    MODULE,
    OBSERVATIONS,
    RANDOM_SPREADS,
    RIOT_CHOICES,
    STRONG,
    WEAK,
)
from course.models import cascade, manpower

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "06-cascades-and-feedback.ipynb"
SEEDS = range(40)


@pytest.fixture(scope="module")
def nb():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def _markdown(nb):
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def _variants(qid):
    q = question(qid)
    return [q.variant(np.random.default_rng(s)) for s in SEEDS]


def _loop(thresholds):
    """Granovetter's iteration, written independently of the model."""
    r = 0
    while True:
        new = sum(1 for t in thresholds if t <= r)
        if new == r:
            return r
        r = new


# --- the objective -> question map -------------------------------------------------------------

def test_every_objective_is_assessed_by_an_autograded_question():
    qs = questions("06")
    by_objective = {key: [q.id for q in qs if q.objective == key] for key in MODULE.objectives}
    assert by_objective == {
        "O1": ["06.1", "06.2"],
        "O2": ["06.3", "06.4", "06.5"],
        "O3": ["06.6", "06.7"],
        "O4": ["06.8", "06.9", "06.10"],
    }
    for key, ids in by_objective.items():
        assert any(question(i).graded for i in ids), f"{key} has no autograded question"
    assert sum(q.graded for q in qs) >= 6
    reflection = question("06.10")
    assert reflection.kind == "text" and "refute" in reflection.prompt


# --- per-learner variants -----------------------------------------------------------------------

@pytest.mark.parametrize("qid", ["06.1", "06.4", "06.5", "06.6", "06.7"])
def test_variants_give_valid_parameters_and_answers(qid):
    q = question(qid)
    seen = set()
    for p in _variants(qid):
        answer = q.expected(p)
        assert math.isfinite(answer) and answer > 0, (qid, p)
        assert evaluate(q, answer, p).correct
        seen.add(repr(p))
    assert len(seen) > 5, f"{qid}: too few different variants"
    assert q.expected(q.canonical_params()) == q.expected(dict(q.canonical_params()))


def test_small_crowds_stop_at_different_places_and_the_loop_agrees():
    q = question("06.1")
    answers = []
    for p in _variants("06.1") + [q.canonical_params()]:
        assert sorted(p["thresholds"])[0] == 0, "someone starts the chain"
        answers.append(q.expected(p))
        assert q.expected(p) == _loop(p["thresholds"])
    assert len(set(answers)) >= 4 and 10 in answers


def test_small_crowd_diagnostics():
    q = question("06.1")
    p = q.canonical_params()
    assert q.expected(p) == 4
    assert "first round" in evaluate(q, 1, p).message
    assert "Not everyone" in evaluate(q, 10, p).message
    assert "Off by one" in evaluate(q, 5, p).message


def test_cascade_size_reference_and_hidden_cases():
    spec = importlib.util.spec_from_file_location("hidden06", ROOT / "notebooks" / "hidden" / "lesson06.py")
    hidden = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hidden)
    q = question("06.2")
    ref = q.expected({})
    cases = q.cases({}) + hidden.HIDDEN_CASES["06.2"]
    for (ts,) in cases:
        assert ref(ts) == _loop(ts), ts
    # a function that only counts the first round passes none of the chains that need several rounds
    assert not evaluate(q, lambda ts: sum(1 for t in ts if t <= 0), {}).correct
    assert evaluate(q, _loop, {}).correct
    # the hidden cases catch a function that assumes whole-number thresholds
    def whole_numbers_only(ts):
        return _loop([int(t) for t in ts])
    assert any(whole_numbers_only(ts) != ref(ts) for (ts,) in hidden.HIDDEN_CASES["06.2"])


def test_one_changed_threshold_leaves_one_person_acting():
    q = question("06.3")
    assert q.expected(q.canonical_params()) == RIOT_CHOICES[3][0]
    assert cascade.equilibrium(list(range(100))) == 100


@pytest.mark.parametrize("mean", CRITICAL_MEANS)
def test_the_notebooks_sweep_finds_the_critical_spread(mean):
    q = question("06.4")
    p = {"mean": mean, "n": 100}
    spreads = [x / 10 for x in range(1, 400)]
    found = next(sd for sd in spreads if cascade.final_share(mean, sd, 100) > 0.5)
    assert evaluate(q, found, p).correct
    assert evaluate(q, q.expected(p) - 0.1, p).correct  # the last spread below the jump is accepted too
    assert "random crowds" in evaluate(q, q.expected(p) + 1.5, p).message


def test_random_crowds_tip_by_chance_above_the_critical_spread():
    q = question("06.5")
    for p in _variants("06.5") + [q.canonical_params()]:
        assert p["sd"] > cascade.critical_sd(p["mean"], p["n"])
        assert cascade.final_share(p["mean"], p["sd"], p["n"]) > 0.99  # the smooth curve says everyone
        share = q.expected(p)
        assert 0.15 < share < 0.8, p  # random crowds: far from everyone
        assert "smooth curve" in evaluate(q, 1.0, p).message
    assert set(RANDOM_SPREADS) == {p["sd"] for p in _variants("06.5")}


def test_the_notebooks_sweep_finds_the_critical_feedback():
    q = question("06.6")
    for p in _variants("06.6") + [q.canonical_params()]:
        mine = manpower.ManpowerParams(**p, initial=990.0)
        strengths = [x / 20 for x in range(0, 1000)]
        found = next(f for f in strengths if manpower.equilibrium(manpower.with_feedback(mine, f)) < mine.target - 0.5)
        assert evaluate(q, found, p).correct, p
        a, b, c = p["replacement_rate"], p["base_departure"], p["casualty_rate"]
        assert q.expected(p) == pytest.approx((a + b + c) / b)
        assert not evaluate(q, (b + c) / b, p).correct and not evaluate(q, a / b, p).correct


def test_where_it_settles_long_simulation_and_diagnostics():
    q = question("06.7")
    for p in _variants("06.7") + [q.canonical_params()]:
        params = manpower.ManpowerParams(**p)
        assert p["feedback"] > manpower.critical_feedback(params)
        settles = q.expected(p)
        assert 0 < settles < p["initial"] < params.target
        assert settles == pytest.approx(params.target * manpower.critical_feedback(params) / p["feedback"], rel=1e-6)
        assert evaluate(q, manpower.simulate(params, 3000)["stock"][-1], p).correct
        assert "zero" in evaluate(q, 0, p).message
    p = q.canonical_params()
    ten_years = manpower.simulate(manpower.ManpowerParams(**p), 120)["stock"][-1]
    assert "ten years" in evaluate(q, ten_years, p).message


def test_departures_rise_after_a_shock_whatever_the_feedback():
    q = question("06.8")
    assert q.expected(q.canonical_params()) == DEPARTURE_CHOICES[2]
    default = manpower.ManpowerParams()
    assert WEAK < manpower.critical_feedback(default) == 7.0 < STRONG  # "2, below the critical value of 7"
    assert default.base_departure * default.target == 5.0  # "both lose 5 people a month"


def test_only_the_path_over_time_tells_the_regimes_apart():
    q = question("06.9")
    telling = q.expected(q.canonical_params())
    letters = sorted("ABCDE"[[t for t, _ in OBSERVATIONS].index(x)] for x in telling)
    assert letters == ["B", "C"]
    weak = manpower.simulate(manpower.ManpowerParams(initial=900.0, feedback=WEAK), 24)
    strong = manpower.simulate(manpower.ManpowerParams(initial=900.0, feedback=STRONG), 24)
    assert 1000 - weak["stock"][12] < 100 < 1000 - strong["stock"][12]  # heals / slides


# --- the notebook's prose -----------------------------------------------------------------------

@pytest.mark.parametrize("qid, choices", [
    ("06.3", [t for t, _ in RIOT_CHOICES]),
    ("06.8", list(DEPARTURE_CHOICES)),
    ("06.9", [t for t, _ in OBSERVATIONS]),
])
def test_choices_listed_in_the_prose_match_the_question(nb, qid, choices):
    md = _markdown(nb)
    section = md[md.index(f"Exercise {qid}"):]
    for letter, text in zip("ABCDE", choices):
        assert f"- {letter}. {text}" in section, f"{qid}: option {letter} in the prose differs from the question"
    assert list(question(qid).choices) == choices


def test_statements_in_the_prose_hold(nb):
    md = " ".join(_markdown(nb).split())
    # "their average thresholds differ by 0.01 of a person"
    changed = list(range(100))
    changed[1] = 2
    assert sum(changed) / 100 - sum(range(100)) / 100 == pytest.approx(0.01)
    assert "0.01 of a person" in md
    # "about 12.2" (Granovetter's value) and "a spread half a person wider turns a handful into everyone"
    assert round(cascade.critical_sd(25, 100), 1) == 12.2 and "about 12.2" in md
    assert cascade.final_share(25, 12.0) * 100 < 10 and cascade.final_share(25, 12.5) == pytest.approx(1.0)
    # "random crowds ... some cascade well below it, many fail well above it" (400 crowds, as plotted)
    rng = np.random.default_rng(2024)
    below = (cascade.simulate(cascade.CascadeParams(100, 25, 11.0), rng=rng, replicates=400) >= 90).mean()
    above = (cascade.simulate(cascade.CascadeParams(100, 25, 14.0), rng=rng, replicates=400) >= 90).mean()
    assert below > 0.01 and above < 0.75
    # "It levels off at a lower strength instead, lower the stronger the feedback ... never slides to zero"
    levels = [manpower.equilibrium(manpower.ManpowerParams(feedback=f)) for f in np.arange(7.5, 20.01, 0.5)]
    assert all(x > 0 for x in levels) and all(a > b for a, b in zip(levels, levels[1:]))
    assert "never slides to zero" in md and "lower the stronger the feedback" in md


def test_recovery_slows_near_the_critical_feedback():
    """The prose: "near one value the recovery becomes very slow"."""
    def months_to_halve_gap(f):
        stock = manpower.simulate(manpower.ManpowerParams(feedback=f), 2000)["stock"]
        return int(np.argmax(stock >= 950))

    times = [months_to_halve_gap(f) for f in (0.0, 2.0, 5.0, 6.5)]
    assert times == sorted(times) and times[-1] > 4 * times[0]


def test_every_plot_in_the_notebook_is_labelled_synthetic(nb):
    for c in nb["cells"]:
        src = "".join(c["source"])
        if c["cell_type"] == "code" and "plt.subplots" in src:
            assert "synthetic" in src and "set_xlabel" in src and "PALETTE" in src
    md = _markdown(nb)
    assert "synthetic" in md.split("## 1")[0].lower()
    assert not re.search(r"\bestimate(s)? of (the|Russia's) army\b", md)


def test_the_explorer_prose_holds():
    """'the random crowd's diamond jumps too, but not at the same spread, and a different crowd number
    jumps somewhere else; and lowering the mean moves the jump to a smaller spread'."""
    def jump(crowd):
        for sd in np.arange(10.0, 25.01, 0.1):
            t = cascade.normal_thresholds(100, 25, sd, rng=np.random.default_rng(crowd))
            if cascade.equilibrium(t) >= 90:
                return round(float(sd), 1)
        return None

    critical = cascade.critical_sd(25, 100)
    first, second = jump(1), jump(2)  # crowd 1 is the explorer's default
    assert first is not None and abs(first - critical) > 0.3 and second != first
    crits = [cascade.critical_sd(m, 100) for m in CRITICAL_MEANS]
    assert crits == sorted(crits)


def test_the_manpower_prose_holds():
    """Above critical: from 990 the stock slides down; from 900 with feedback just above critical it
    climbs part of the way back; it never reaches zero (feedback up to the slider's 20)."""
    f_c = manpower.critical_feedback(manpower.ManpowerParams())
    near = manpower.ManpowerParams(initial=900.0, feedback=f_c + 0.5)
    assert 900 < manpower.equilibrium(near) < 1000
    for f in (f_c + 0.5, 10.0, 20.0):
        run = manpower.simulate(manpower.ManpowerParams(initial=990.0, feedback=f), 3000)["stock"]
        assert run[-1] < 990 and run[-1] == pytest.approx(1000 * f_c / f, rel=1e-3) and run.min() > 0
