"""Synthetic classes with a known truth, written as a real gradebook: what the report's tests and benchmark run on.

Every learner here is simulated (ids ``synthetic-0001``…) and the gradebook is labelled
``synthetic``, so the report says so on its first line. A class is drawn from a
:class:`Cohort`: each learner has an ability that drives the course's questions (so a question
discriminates, unless it is listed as ``flat``), a chance of stopping after each module, and for
the checkpoint a discernment d′ and a bias c before the course and after it (a known gain), as in
equal-variance signal detection: a relay's evidence is normal with mean +d′/2 when it is distorted
and −d′/2 when faithful, and the learner says "distorted" when it exceeds c. Confidence ratings are
the chance of being right plus a known over-confidence. One variant of a question can be made
harder on purpose (``harder``) and one misconception planted (``planted``, an exact number of
learners), so that tests can ask whether the report finds what was put there.

The variants are synthetic too: each question with per-learner variants gets a few numbered
variants, drawn per learner, and the release record written beside the gradebook holds them in
the real format (:mod:`course.instructor.assign`), which is where the report reads them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

__all__ = ["Cohort", "checkpoint_responses", "expected_sdt", "simulate", "truth"]


@dataclass(frozen=True)
class Cohort:
    """What to simulate. Every default is a plausible class; tests change one thing at a time."""

    learners: int = 60
    seed: int = 0
    modules: tuple[str, ...] = ("00", "01", "02", "03", "04", "05", "06", "07")
    hosts: Mapping[str, str] = field(default_factory=lambda: {"pre": "00", "post": "07"})
    # questions
    ability_sd: float = 1.5
    easiness_mean: float = 1.0
    easiness_sd: float = 0.8
    flat: tuple[str, ...] = ()  # questions answered right at random, whatever the learner's ability
    variants: int = 4  # synthetic variants per question that has per-learner variants
    harder: tuple[tuple[str, int, float], ...] = ()  # (question, variant number, logit penalty)
    planted: tuple[str, str, int] | None = None  # (question, misconception tag, how many learners show it)
    stop_after: float = 0.05  # chance of stopping after each module
    not_started: int = 0  # learners on the roster who hand in nothing
    # the checkpoint
    dprime: float = 0.8
    dprime_sd: float = 0.4
    gain: float = 0.8
    gain_sd: float = 0.3
    bias_pre: float = 0.0
    bias_post: float = 0.0
    bias_sd: float = 0.3
    form_shift: Mapping[str, float] = field(default_factory=lambda: {"A": 0.0, "B": 0.0})
    all_distorted_after: float = 0.0  # share of learners who answer "distorted" to every relay after the course
    numbers: tuple[float, float] = (0.55, 0.75)  # chance of a numbers item right, before and after
    transfer: tuple[float, float] = (0.4, 0.7)
    over: tuple[float, float] = (0.15, 0.05)  # mean confidence minus chance of being right, before and after


def _norm_cdf(x):
    import numpy as np

    from course.stats import norm_cdf

    return np.asarray(norm_cdf(x), dtype=float)


def expected_sdt(dprime: Any, bias: Any, n_signal: int = 4, n_noise: int = 4) -> tuple[Any, Any]:
    """The expected *estimated* d′ and c (log-linear corrected, as the report computes them) for learners with true
    ``dprime`` and ``bias`` answering ``n_signal`` distorted and ``n_noise`` faithful relays, summed exactly over
    every possible count of hits and false alarms. With four of each the estimate is pulled towards 0; this is the
    value the report's average converges to, so it is the truth a test holds the report's interval to."""
    import numpy as np
    from math import comb

    from course.stats import sdt

    d, c = np.asarray(dprime, dtype=float), np.asarray(bias, dtype=float)
    hit = _norm_cdf(d / 2 - c)
    fa = _norm_cdf(-d / 2 - c)
    ed, ec = np.zeros_like(d), np.zeros_like(d)
    for h, f in product(range(n_signal + 1), range(n_noise + 1)):
        p = comb(n_signal, h) * hit ** h * (1 - hit) ** (n_signal - h) * comb(n_noise, f) * fa ** f * (1 - fa) ** (n_noise - f)
        dh, ch = sdt(h, n_signal, f, n_noise)
        ed = ed + p * dh
        ec = ec + p * ch
    return ed, ec


def _learner_truth(c: Cohort, rng, n: int) -> dict[str, Any]:
    import numpy as np

    d_pre = rng.normal(c.dprime, c.dprime_sd, n)
    gain = rng.normal(c.gain, c.gain_sd, n)
    return {"d_pre": d_pre, "d_post": d_pre + gain, "c_pre": rng.normal(c.bias_pre, c.bias_sd, n),
            "c_post": rng.normal(c.bias_post, c.bias_sd, n), "all_distorted": rng.random(n) < c.all_distorted_after,
            "first": np.where(rng.random(n) < 0.5, "A", "B")}


def truth(c: Cohort, n: int = 50_000) -> dict[str, float]:
    """The population values the report estimates for cohort ``c``, from ``n`` simulated learner parameters and the
    exact expectation of each learner's estimate: the order-balanced mean change in estimated d′ and in c."""
    import numpy as np

    rng = np.random.default_rng(10_000 + c.seed)
    t = _learner_truth(c, rng, n)
    out = {}
    for first in ("A", "B"):
        second = "B" if first == "A" else "A"
        d0, c0 = expected_sdt(t["d_pre"] + c.form_shift[first], t["c_pre"])
        d1, c1 = expected_sdt(t["d_post"] + c.form_shift[second], t["c_post"])
        # "distorted" to every relay: four hits, four false alarms, whatever d' is
        from course.stats import sdt

        dall, call = sdt(4, 4, 4, 4)
        d1 = np.where(t["all_distorted"], dall, d1)
        c1 = np.where(t["all_distorted"], call, c1)
        out[first] = {"dprime": float(np.mean(d1 - d0)), "bias": float(np.mean(c1 - c0)),
                      "dprime_pre": float(np.mean(d0)), "dprime_post": float(np.mean(d1))}
    return {k: (out["A"][k] + out["B"][k]) / 2 for k in out["A"]}


def checkpoint_responses(c: Cohort):
    """Only the checkpoint, in memory: one row per judgement (``learner``, ``occasion``, ``item``, ``letter``,
    ``sure``), as the report reads them from a gradebook, for every learner taking both occasions. Fast enough to
    draw many classes, to see how often the report's intervals hold the truth."""
    import numpy as np
    import pandas as pd

    from course.checks.checkpoint import assignment, checkpoint_questions, content, key_letter
    from course.checks._kinds import parse_recorded

    rng = np.random.default_rng(c.seed)
    t = _learner_truth(c, rng, c.learners)
    ids = [f"synthetic-{i:04d}" for i in range(1, c.learners + 1)]
    over = {"pre": c.over[0], "post": c.over[1]}
    qs = {o: checkpoint_questions(o, "00") for o in ("pre", "post")}
    rows = []
    for i, who in enumerate(ids):
        assigned = assignment(who)
        for occasion in ("pre", "post"):
            for r in _checkpoint_rows(c, rng, t, i, occasion, assigned[occasion], qs[occasion], over[occasion],
                                      content, key_letter):
                rows.append({"learner": who, "occasion": occasion, **parse_recorded(r["message"])})
    return pd.DataFrame(rows)


def _release_record(learners: Sequence[str], chosen: Mapping[str, Mapping[str, int]], versions: Mapping[str, int],
                    modules: Sequence[str]) -> dict[str, Any]:
    from course.checks._codec import encode

    return {"course": "Reading the Ranks", "format": 2, "synthetic": True, "releases": [{
        "number": 1, "date": "2026-09-01T09:00:00+00:00", "course_version": "synthetic",
        "modules": [{"module": m} for m in modules], "shared": {},
        "learners": {who: {q: {"version": versions[q], "params": encode({"variant": k})}
                           for q, k in chosen[who].items()} for who in learners}}]}


def simulate(c: Cohort, out: Path, *, progress: bool = False) -> dict[str, Any]:
    """Write ``out/gradebook.sqlite`` (and ``out/release/release.json``, ``out/roster.csv``) for cohort ``c``.

    Returns what was put there: each learner's true parameters, form order and variants, the planted
    learners, and the truth of the checkpoint (:func:`truth`).
    """
    import numpy as np

    from course.checks import modules as lessons
    from course.checks import questions
    from course.checks.checkpoint import assignment, checkpoint_questions, content, is_checkpoint, key_letter
    from course.instructor.gradebook import Gradebook

    rng = np.random.default_rng(c.seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    book = Gradebook(out / "gradebook.sqlite")
    book.label("synthetic", f"simulated by course.instructor.simulate (seed {c.seed}, {c.learners} learners)")
    n = c.learners
    ids = [f"synthetic-{i:04d}" for i in range(1, n + 1)]
    roster = ids + [f"synthetic-absent-{i:03d}" for i in range(1, c.not_started + 1)]
    (out / "roster.csv").write_text("learner\n" + "\n".join(roster) + "\n", encoding="utf-8")
    slugs = {m.id: m.notebook for m in lessons()}
    # the course's own questions; the checkpoint (whether or not a lesson hosts it here) comes from ``hosts``
    qs = {m: [q for q in questions(m) if not is_checkpoint(q.id)] for m in c.modules}
    easiness = {q.id: rng.normal(c.easiness_mean, c.easiness_sd) for m in c.modules for q in qs[m]}
    ability = rng.normal(0, c.ability_sd, n)
    t = _learner_truth(c, rng, n)
    # each learner's first form follows the real variant engine's draw for their id
    firsts = [assignment(who)["first"] for who in ids]
    t["first"] = np.array(firsts)
    varying = [q for m in c.modules for q in qs[m] if q.variant is not None and q.graded]
    chosen = {who: {q.id: int(rng.integers(c.variants)) + 1 for q in varying} for who in ids}
    versions = {q.id: q.variant_version for q in varying}
    release = out / "release"
    release.mkdir(exist_ok=True)
    (release / "release.json").write_text(json.dumps(_release_record(ids, chosen, versions, c.modules), indent=1) + "\n",
                                          encoding="utf-8")
    last = [c.modules[min(int(rng.geometric(c.stop_after)) - 1, len(c.modules) - 1)] if c.stop_after > 0 else c.modules[-1]
            for _ in range(n)]
    planted_who: set[str] = set()
    if c.planted:
        qid, tag, k = c.planted
        module = qid.split(".")[0]
        eligible = [i for i in range(n) if c.modules.index(last[i]) >= c.modules.index(module)]
        planted_who = {ids[i] for i in rng.choice(eligible, size=min(k, len(eligible)), replace=False)}
    penalty = {(q, v): p for q, v, p in c.harder}
    hosted = {o: (m, checkpoint_questions(o, m)) for o, m in c.hosts.items()}
    over = {"pre": c.over[0], "post": c.over[1], "later": c.over[1]}
    for i, who in enumerate(ids):
        if progress and i % 500 == 0:
            print(f"  simulating learner {i + 1} of {n}", flush=True)
        assigned = assignment(who)
        for step, m in enumerate(c.modules):
            if c.modules.index(m) > c.modules.index(last[i]):
                break
            rows = []
            for q in qs[m]:
                base = {"qid": q.id, "max_points": q.points if q.graded else 0, "text": None, "mistake": ""}
                if not q.graded:
                    rows.append({**base, "status": "submitted", "points": 0, "message": "40 words saved.",
                                 "text": "A synthetic reflection. " * 10})
                    continue
                if who in planted_who and q.id == c.planted[0]:
                    message = next((mm.message for mm in q.mistakes if mm.tag == c.planted[1]), "A planted mistake.")
                    rows.append({**base, "status": "incorrect", "points": 0, "message": message, "mistake": c.planted[1]})
                    continue
                logit = 0.0 if q.id in c.flat else ability[i] + easiness[q.id]
                logit += penalty.get((q.id, chosen[who].get(q.id)), 0.0)
                if rng.random() < 1 / (1 + np.exp(-logit)):
                    rows.append({**base, "status": "correct", "points": q.points, "message": "Well done."})
                    continue
                tags = [mm for mm in q.mistakes if not (c.planted and q.id == c.planted[0] and mm.tag == c.planted[1])]
                if tags and rng.random() < 0.6:
                    mm = tags[int(rng.integers(len(tags)))]
                    rows.append({**base, "status": "incorrect", "points": 0, "message": mm.message, "mistake": mm.tag})
                else:
                    rows.append({**base, "status": "incorrect", "points": 0, "message": "Not it yet (synthetic).",
                                 "mistake": ""})
            for occasion, (host, cps) in hosted.items():
                if host != m:
                    continue
                rows += _checkpoint_rows(c, rng, t, i, occasion, assigned[occasion], cps, over[occasion], content,
                                         key_letter)
            key = f"{who}/{slugs[m]}"
            book.record(who, m, key, f"{i:032x}{step:032x}", {"status": "graded", "results": rows},
                        submitted_at=f"2026-{9 + step // 4:02d}-{1 + 7 * (step % 4):02d}T10:00:00", graded_as=who)
    return {"learners": ids, "roster": roster, "truth": t, "first": dict(zip(ids, firsts)), "variants": chosen,
            "planted": sorted(planted_who), "last": dict(zip(ids, last)), "checkpoint": truth(c),
            "gradebook": out / "gradebook.sqlite", "release": release, "roster_file": out / "roster.csv"}


def _checkpoint_rows(c: Cohort, rng, t: Mapping[str, Any], i: int, occasion: str, codes: Sequence[str], cps, over: float,
                     content, key_letter) -> list[dict[str, Any]]:
    """One occasion's judgements for learner ``i``, recorded as the grader records them."""
    from math import erf, sqrt

    from course.checks.checkpoint import DISTORTED_LETTER, RELAY_CHOICES

    def phi(x: float) -> float:
        return 0.5 * (1 + erf(x / sqrt(2)))

    after = occasion == "post"
    d = (t["d_post"] if after else t["d_pre"])[i] + c.form_shift[codes[0][0]]
    bias = (t["c_post"] if after else t["c_pre"])[i]
    rows = []
    for q, code in zip(cps, codes):
        item = content(code)
        options = list(item["choices"])
        key = key_letter(code)
        if item["type"] == "relay":
            distorted = item["answer"] == "distorted"
            p_dist = 1.0 if (after and t["all_distorted"][i]) else phi((d / 2 if distorted else -d / 2) - bias)
            says_distorted = rng.random() < p_dist
            letter = DISTORTED_LETTER if says_distorted else next(chr(65 + k) for k in range(len(RELAY_CHOICES))
                                                                  if chr(65 + k) != DISTORTED_LETTER)
            p_right = p_dist if distorted else 1 - p_dist
        else:
            p_right = (c.transfer if item["type"] == "transfer" else c.numbers)[1 if after else 0]
            if rng.random() < p_right:
                letter = key
            else:
                wrong = [chr(65 + k) for k in range(len(options)) if chr(65 + k) != key]
                letter = wrong[int(rng.integers(len(wrong)))]
        chance = 1 / len(options)
        sure = float(min(100, max(0, 5 * round(20 * (max(p_right, chance) + over + rng.normal(0, 0.08))))))
        option = options[ord(letter) - 65]
        message = q.kind.recorded_message(q, (option, sure), {"item": code})
        rows.append({"qid": q.id, "status": "submitted", "points": 0, "max_points": 0, "message": message, "text": None,
                     "mistake": ""})
    return rows
