"""The class report: one self-contained HTML page (and a CSV beside every table) from the gradebook.

``course report results/ --out report/`` reads the submissions that count (see
:mod:`course.instructor.gradebook`) and answers, for an instructor:

- **Completion and scores** per module and per question.
- **Which questions work**: each question's difficulty (share right) and discrimination (the
  corrected item-total correlation: do learners who do well on the rest of the module get this
  one right?), flagged below :data:`course.stats.DISCRIMINATION_FLOOR`.
- **Where the class stumbles**: the commonest wrong answers per question, by the misconception
  tag of the named mistake the grader recognised, with the message learners saw.
- **Variant fairness**: for every question with per-learner variants, whether some variants were
  answered right less often than chance allows (a permutation test of the chi-square statistic,
  Holm-corrected over the questions tested), and each variant's share right.
- **The checkpoint**: discernment d′ and bias c before and after the course, their paired changes
  with effect sizes and bootstrap intervals (balanced over the two form orders), numbers items,
  calibration (Brier score, over- and under-confidence), the transfer item on its own, and each
  item's share right.
- **Follow-up**: one row per learner (who has not started, who stopped, who scored low where).

Every number's reading, and what this instrument can and cannot claim, is in the instructor guide
(``docs/instructor-guide.md``, "The class report"). The page loads nothing from outside its folder:
charts are embedded images with text alternatives and data tables (:func:`course.plots.figure_html`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

__all__ = ["ReportResult", "build_report"]

SHARED = "shared"
LOW_SCORE = 0.5  # a module score under half its points is worth a follow-up
MIN_LEARNERS_FOR_ITEMS = 10  # fewer than this and item statistics are noise


@dataclass
class ReportResult:
    """What :func:`build_report` wrote, and the headline numbers (for the CLI and tests)."""

    page: Path
    tables: dict[str, Path]
    seconds: float
    learners: int
    flagged_questions: list[str] = field(default_factory=list)
    unfair_questions: list[str] = field(default_factory=list)
    checkpoint: dict[str, dict[str, float]] = field(default_factory=dict)
    frames: dict[str, Any] = field(default_factory=dict, repr=False)


# --- reading -------------------------------------------------------------------------------------------------

def _catalogue() -> dict[str, Any]:
    from course.checks import questions

    return {q.id: q for q in questions()}


def _module_titles() -> dict[str, str]:
    from course.checks import modules

    return {m.id: m.title for m in modules()}


def _read(results: Path):
    from course.instructor.gradebook import Gradebook

    path = Path(results) / "gradebook.sqlite"
    if not path.is_file():
        raise FileNotFoundError(f"No gradebook at {path}: give the folder that `course grade --out` wrote.")
    book = Gradebook(path)
    subs, res = book.frames()
    counted = subs[subs["counted"]].copy()
    res = res.merge(counted[["key", "learner", "module", "graded_as", "submitted_at"]], on="key", how="inner")
    return book, subs, counted, res


def _roster(path: Path | None) -> list[str]:
    if path is None:
        return []
    from course.instructor.assign import read_roster

    return read_roster(Path(path))


# --- completion and questions ----------------------------------------------------------------------------------

def _scores(graded):
    """Per learner and module: points, max points and the share (from graded questions only)."""
    g = graded.groupby(["learner", "module"], sort=True)[["points", "max_points"]].sum()
    g["score"] = g["points"] / g["max_points"].where(g["max_points"] > 0)
    return g.reset_index()


def _completion(counted, scores, learners: list[str], titles: dict[str, str]):
    import pandas as pd

    rows = []
    n = len(learners)
    for m in sorted(set(counted["module"]) | set(titles)):
        if m not in titles and m not in set(counted["module"]):
            continue
        subs = counted[counted["module"] == m]
        s = scores[scores["module"] == m]["score"].dropna()
        rows.append({"module": m, "title": titles.get(m, "(not in this course version)"),
                     "handed_in": int(subs["learner"].nunique()), "learners": n,
                     "completion": subs["learner"].nunique() / n if n else float("nan"),
                     "failed_to_grade": int((subs["status"] != "graded").sum()),
                     "mean_score": float(s.mean()) if len(s) else float("nan"),
                     "median_score": float(s.median()) if len(s) else float("nan"),
                     "q1_score": float(s.quantile(0.25)) if len(s) else float("nan"),
                     "q3_score": float(s.quantile(0.75)) if len(s) else float("nan")})
    return pd.DataFrame(rows)


def _questions(graded, catalogue: dict[str, Any]):
    """Per graded question: answered, share right, difficulty and discrimination, and a flag."""
    import numpy as np
    import pandas as pd

    from course.stats import DISCRIMINATION_FLOOR, item_rest_correlation

    rows = []
    for module, g in graded.groupby("module", sort=True):
        g = g.assign(score=g["points"] / g["max_points"])
        wide = g.drop_duplicates(["learner", "qid"]).pivot(index="learner", columns="qid", values="score").fillna(0.0)
        qids = sorted(wide.columns, key=_qid_key)
        wide = wide[qids]
        r = item_rest_correlation(wide.to_numpy())
        answered_by = g[(g["mistake"] != "no-answer") & (g["status"] != "not attempted")].groupby("qid").size()
        for j, qid in enumerate(qids):
            answered = int(answered_by.get(qid, 0))
            p = float(wide[qid].mean())
            n = len(wide)
            if n < MIN_LEARNERS_FOR_ITEMS:
                flag = f"too few learners ({n}) to judge"
            elif not np.isfinite(r[j]):
                flag = ("does not discriminate: everyone scored the same" if wide[qid].std() == 0
                        else "does not discriminate: the rest of the module does not vary")
            elif r[j] < DISCRIMINATION_FLOOR:
                flag = f"does not discriminate (r = {r[j]:.2f} < {DISCRIMINATION_FLOOR})"
            else:
                flag = ""
            q = catalogue.get(qid)
            lo, hi = _fisher_interval(r[j], n)
            rows.append({"module": module, "question": qid, "prompt": q.prompt if q else "(not in this course version)",
                         "learners": n, "answered": answered, "share_right": p, "difficulty": p,
                         "discrimination": float(r[j]), "r_low": lo, "r_high": hi, "flag": flag})
    return pd.DataFrame(rows, columns=["module", "question", "prompt", "learners", "answered", "share_right",
                                       "difficulty", "discrimination", "r_low", "r_high", "flag"])


def _fisher_interval(r: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """A 95% interval for a correlation (Fisher's z transformation): how uncertain r is with n learners."""
    import math

    if not (r == r) or n < 4 or abs(r) >= 1:
        return float("nan"), float("nan")
    centre, half = math.atanh(r), z / math.sqrt(n - 3)
    return math.tanh(centre - half), math.tanh(centre + half)


def _qid_key(qid: str) -> list[Any]:
    return [(0, int(x), "") if x.isdigit() else (1, 0, x) for x in qid.split(".")]


def _mistakes(graded, catalogue: dict[str, Any]):
    import pandas as pd

    wrong = graded[graded["status"] == "incorrect"]
    if wrong.empty:
        return pd.DataFrame(columns=["question", "tag", "learners", "share_of_wrong", "message", "prompt"])
    totals = wrong.groupby("qid").size()
    out = []
    for (qid, tag), g in wrong.groupby(["qid", "mistake"], sort=False):
        message = g["message"].value_counts().index[0]
        q = catalogue.get(qid)
        out.append({"question": qid, "tag": tag or "(no named mistake)", "learners": int(g["learner"].nunique()),
                    "share_of_wrong": len(g) / totals[qid], "message": message,
                    "prompt": q.prompt if q else ""})
    df = pd.DataFrame(out)
    df["_k"] = df["question"].map(lambda q: tuple(_qid_key(q)))
    return df.sort_values(["_k", "learners"], ascending=[True, False]).drop(columns="_k").reset_index(drop=True)


# --- variant fairness ----------------------------------------------------------------------------------------

def _variant_of(record: dict[str, Any] | None, catalogue: dict[str, Any]):
    """A function (qid, learners) -> each learner's variant of ``qid``, as a text that names its parameters: read
    from the release record, else computed from the learner's id (the release's latest issue wins)."""
    from course.checks import compute_params
    from course.checks._codec import encode

    issued: dict[str, dict[str, Any]] = {}
    if record:
        for rel in record.get("releases", []):
            for learner, qs in rel.get("learners", {}).items():
                issued.setdefault(learner, {}).update(qs)

    def labels(qid: str, learners) -> list[str]:
        out, seen = [], {}
        for who in learners:
            entry = issued.get(who, {}).get(qid)
            params = entry["params"] if entry is not None else encode(compute_params(catalogue[qid], who))
            quick = repr(params)  # a few variants, many learners: canonical JSON once per distinct value
            if quick not in seen:
                seen[quick] = json.dumps(params, sort_keys=True, separators=(",", ":"))
            out.append(seen[quick])
        return out
    return labels


def _describe_variant(text: str) -> str:
    from course.checks._codec import decode

    try:
        params = decode(json.loads(text))
    except (ValueError, TypeError, KeyError):
        return text
    if isinstance(params, dict):
        return ", ".join(f"{k}={v!r}" if not isinstance(v, (list, dict)) else f"{k}=…" for k, v in params.items())
    return str(params)


def _fairness(graded, catalogue: dict[str, Any], record, *, rng, permutations: int, level: float = 0.05):
    """Per question with variants: the test, Holm-adjusted; and per variant: learners and share right."""
    import numpy as np
    import pandas as pd

    from course.stats import holm, homogeneity

    variant = _variant_of(record, catalogue)
    tested, per_variant = [], []
    own = graded[(graded["graded_as"] != SHARED) & (graded["graded_as"] != "")]
    for qid, rows in sorted(own.groupby("qid", sort=False), key=lambda kv: _qid_key(kv[0])):
        q = catalogue.get(qid)
        if q is None or q.variant is None:
            continue
        labels, codes = np.unique(variant(qid, rows["graded_as"].tolist()), return_inverse=True)
        right = (rows["status"] == "correct").to_numpy()
        successes = np.bincount(codes, weights=right, minlength=len(labels)).astype(int)
        totals = np.bincount(codes, minlength=len(labels))
        chi2, p = homogeneity(successes, totals, rng=rng, n=permutations)
        share = successes / totals
        low = int(np.argmin(share))
        tested.append({"question": qid, "variants": len(labels), "learners": int(totals.sum()), "chi2": chi2, "p": p,
                       "lowest_variant": _describe_variant(labels[low]), "lowest_share": float(share[low]),
                       "highest_share": float(share.max())})
        for k, label in enumerate(labels):
            per_variant.append({"question": qid, "variant": _describe_variant(label), "learners": int(totals[k]),
                                "right": int(successes[k]), "share_right": float(share[k]), "lowest": k == low})
    table = pd.DataFrame(tested, columns=["question", "variants", "learners", "chi2", "p", "lowest_variant",
                                          "lowest_share", "highest_share"])
    table["p_holm"] = holm(table["p"].tolist()) if len(table) else []
    table["flagged"] = table["p_holm"] <= level
    return table, pd.DataFrame(per_variant, columns=["question", "variant", "learners", "right", "share_right", "lowest"])


# --- the checkpoint -------------------------------------------------------------------------------------------

def _responses(res):
    import pandas as pd

    from course.checks._kinds import RECORDED_PATTERN
    from course.checks.checkpoint import _ID

    cp = res[_is_checkpoint(res["qid"])]
    if cp.empty:
        return pd.DataFrame(columns=["learner", "occasion", "item", "letter", "sure", "qid"])
    # a class repeats a few thousand distinct messages: each is parsed once
    distinct = pd.Series(cp["message"].unique())
    parsed = distinct.str.extract(RECORDED_PATTERN).set_index(distinct)
    parsed = parsed.reindex(cp["message"].to_numpy())
    occasion = cp["qid"].map({q: _ID.match(q).group("occasion") for q in cp["qid"].unique()})
    out = pd.DataFrame({"learner": cp["learner"].to_numpy(), "occasion": occasion.to_numpy(),
                        "item": parsed["item"].to_numpy(), "letter": parsed["letter"].to_numpy(),
                        "sure": pd.to_numeric(parsed["sure"]).to_numpy(), "qid": cp["qid"].to_numpy()})
    return out.dropna(subset=["item", "letter"])


def _is_checkpoint(qids):
    """Which question ids are checkpoint items, judged once per distinct id."""
    from course.checks.checkpoint import is_checkpoint

    return qids.isin([q for q in qids.unique() if is_checkpoint(q)])


CHECKPOINT_MEASURES = (
    ("dprime", "Discernment d′ (telling faithful from distorted reports)", "higher is better"),
    ("bias", "Bias c (negative: leans to 'distorted'; positive: to 'faithful')", "0 is no lean"),
    ("numbers_share", "Numbers items right (share)", "higher is better"),
    ("right", "All items right (share)", "higher is better"),
    ("sure", "Mean confidence (0–1)", ""),
    ("over", "Over-confidence (confidence minus share right)", "0 is well calibrated"),
    ("brier", "Brier score (confidence against outcome)", "lower is better"),
)


def _checkpoint(res, *, rng, boot: int):
    import numpy as np
    import pandas as pd

    from course.checkpoints import item_table, score_frame
    from course.stats import paired_change

    responses = _responses(res)
    if responses.empty:
        return None
    scores = score_frame(responses)
    scores["numbers_share"] = scores["numbers_right"] / scores["numbers"].where(scores["numbers"] > 0)
    pre = scores[scores["occasion"] == "pre"].set_index("learner")
    post = scores[scores["occasion"] == "post"].set_index("learner")
    paired = pre.merge(post, left_index=True, right_index=True, suffixes=("_pre", "_post"), how="inner")
    order = paired["form_pre"].map(lambda f: f"form {f} first")
    summary = []
    for col, label, better in CHECKPOINT_MEASURES:
        a, b = paired[f"{col}_pre"].to_numpy(float), paired[f"{col}_post"].to_numpy(float)
        ok = np.isfinite(a) & np.isfinite(b)
        if ok.sum() < 2:
            continue
        s = paired_change(a[ok], b[ok], rng=rng, strata=order.to_numpy()[ok], n=boot)
        summary.append({"measure": col, "label": label, "reading": better, **s})
    summary = pd.DataFrame(summary)
    # the transfer item, on its own
    tp, tq = paired["transfer_pre"], paired["transfer_post"]
    both = tp.notna() & tq.notna()
    nan = float("nan")
    transfer = pd.DataFrame([{
        "learners": int(both.sum()),
        "right_before": float(tp[both].mean()) if both.any() else float("nan"),
        "right_after": float(tq[both].mean()) if both.any() else float("nan"),
        "wrong_to_wrong": int(((tp == 0) & (tq == 0)).sum()), "wrong_to_right": int(((tp == 0) & (tq == 1)).sum()),
        "right_to_wrong": int(((tp == 1) & (tq == 0)).sum()), "right_to_right": int(((tp == 1) & (tq == 1)).sum()),
        "change": nan, "change_low": nan, "change_high": nan,
    }])
    if both.sum() >= 2:
        t = paired_change(tp[both].to_numpy(float), tq[both].to_numpy(float), rng=rng,
                          strata=order[both].to_numpy(), n=boot)
        transfer["change"], transfer["change_low"], transfer["change_high"] = t["change"], t["change_low"], t["change_high"]
    # forms: each form's mean d' when taken before the course (learners were split between forms at random)
    forms = pre.groupby("form").agg(learners=("dprime", "size"), dprime=("dprime", "mean"), bias=("bias", "mean"),
                                    right=("right", "mean")).reset_index()
    forms.insert(0, "occasion", "before")
    forms_after = post.groupby("form").agg(learners=("dprime", "size"), dprime=("dprime", "mean"),
                                           bias=("bias", "mean"), right=("right", "mean")).reset_index()
    forms_after.insert(0, "occasion", "after")
    forms = pd.concat([forms, forms_after], ignore_index=True)
    # each item
    items = item_table()
    key = dict(zip(items["item"], items["key"]))
    r = responses.assign(right=(responses["letter"] == responses["item"].map(key)).astype(float))
    per_item = r.pivot_table(index="item", columns="occasion", values="right", aggfunc=["mean", "size"])
    per_item.columns = [f"{'share_right' if a == 'mean' else 'answered'}_{b}" for a, b in per_item.columns]
    items = items.merge(per_item.reset_index(), on="item", how="left")
    # calibration: share right by confidence band
    bands = pd.cut(r["sure"], [-0.1, 50, 60, 70, 80, 90, 100], labels=["0–50", "51–60", "61–70", "71–80", "81–90", "91–100"])
    calib = r.assign(band=bands).groupby(["occasion", "band"], observed=True).agg(
        answers=("right", "size"), mean_confidence=("sure", "mean"), share_right=("right", "mean")).reset_index()
    calib["mean_confidence"] = calib["mean_confidence"] / 100
    # what distorted relays were missed, by distortion label
    rel = r[r["item"].map(dict(zip(item_table()["item"], item_table()["distortion"]))).fillna("") != ""]
    rel = rel.assign(distortion=rel["item"].map(dict(zip(item_table()["item"], item_table()["distortion"]))))
    by_label = rel.pivot_table(index="distortion", columns="occasion", values="right", aggfunc="mean").reset_index()
    took_both = pre.index.isin(post.index)
    selection = pd.DataFrame([
        {"group": "took both", "learners": int(took_both.sum()), "dprime": float(pre["dprime"][took_both].mean()),
         "right": float(pre["right"][took_both].mean())},
        {"group": "took only the first", "learners": int((~took_both).sum()),
         "dprime": float(pre["dprime"][~took_both].mean()) if (~took_both).any() else float("nan"),
         "right": float(pre["right"][~took_both].mean()) if (~took_both).any() else float("nan")}])
    counts = {"with_pre": int(len(pre)), "with_post": int(len(post)), "paired": int(len(paired)),
              "form_a_first": int((paired["form_pre"] == "A").sum()), "form_b_first": int((paired["form_pre"] == "B").sum())}
    return {"summary": summary, "transfer": transfer, "forms": forms, "items": items, "calibration": calib,
            "by_distortion": by_label, "scores": scores, "counts": counts, "selection": selection}


# --- follow-up --------------------------------------------------------------------------------------------------

def _followup(learners: list[str], counted, scores, checkpoint_scores, modules: list[str]):
    import pandas as pd

    handed: dict[str, list[str]] = {}
    flags: dict[str, set[str]] = {}
    failed: dict[str, list[str]] = {}
    for who, module, status, raised in zip(counted["learner"], counted["module"], counted["status"], counted["flags"]):
        handed.setdefault(who, []).append(module)
        if raised and raised != "[]":
            flags.setdefault(who, set()).update(json.loads(raised))
        if status != "graded":
            failed.setdefault(who, []).append(module)
    handed = {who: sorted(set(ms)) for who, ms in handed.items()}
    flags = {who: sorted(fs) for who, fs in flags.items()}
    failed = {who: sorted(ms) for who, ms in failed.items()}
    share = counted.groupby("module")["learner"].nunique() / max(len(learners), 1)
    expected = [m for m in modules if share.get(m, 0) >= 0.5]  # modules most of the class has handed in
    by_learner = scores.set_index(["learner", "module"])["score"].to_dict()
    occasions: dict[str, list[str]] = {}
    if checkpoint_scores is not None:
        for who, occasion in zip(checkpoint_scores["learner"], checkpoint_scores["occasion"]):
            occasions.setdefault(who, []).append(occasion)
    rows = []
    for who in learners:
        mine = handed.get(who, [])
        missing = [m for m in expected if m not in mine]
        low = [(m, by_learner.get((who, m))) for m in mine]
        low = [(m, s) for m, s in low if s is not None and s == s and s < LOW_SCORE]
        notes, urgency = [], 4
        if not mine:
            notes.append("not started: nothing handed in")
            urgency = 0
        else:
            if missing:
                later = [m for m in missing if m > mine[-1]]
                gaps = [m for m in missing if m < mine[-1]]
                if gaps:
                    notes.append(f"skipped {', '.join(gaps)} (handed in later modules)")
                if later:
                    notes.append(f"stopped after {mine[-1]}: not handed in {', '.join(later)}")
                urgency = 1
            if failed.get(who):
                notes.append(f"could not be graded: {', '.join(failed[who])}")
                urgency = min(urgency, 1)
            if low:
                notes.append("under half the points in " + ", ".join(f"{m} ({s:.0%})" for m, s in low))
                urgency = min(urgency, 2)
            if flags.get(who):
                notes.append(f"{len(flags[who])} flag(s) on their submissions")
                urgency = min(urgency, 3)
        cps = occasions.get(who, [])
        rows.append({"learner": who, "follow_up": "; ".join(notes) or "on track", "urgency": urgency,
                     "handed_in": " ".join(mine), "last_module": mine[-1] if mine else "",
                     "checkpoint": " ".join(cps) or "none", "flags": "; ".join(flags.get(who, []))})
    df = pd.DataFrame(rows, columns=["learner", "follow_up", "urgency", "handed_in", "last_module", "checkpoint", "flags"])
    return df.sort_values(["urgency", "learner"]).reset_index(drop=True)


# --- charts --------------------------------------------------------------------------------------------------

def _fig(width=7.0, height=3.6):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _chart(fig, alt: str | None = None, table=None, caption: str = "") -> str:
    from course.plots import Chart

    return Chart(fig, alt=alt, table=table, caption=caption)._repr_html_()


def _completion_chart(completion) -> str:
    from course.plots import PALETTE, barh

    fig = _fig(7, 0.45 * len(completion) + 1.4)
    ax = fig.add_subplot()
    labels = [f"{m} {t}" for m, t in zip(completion["module"], completion["title"])]
    barh(labels, list(100 * completion["completion"].fillna(0)), title="Learners who handed in each module",
         xlabel="share of the class (%)", ax=ax, color=PALETTE[0])
    ax.set_xlim(0, 110)
    alt = "Horizontal bar chart: learners who handed in each module, as a share of the class. " + "; ".join(
        f"{lab} {v:.0%}" for lab, v in zip(labels, completion["completion"].fillna(0)))
    return _chart(fig, alt=alt)


def _scores_chart(completion) -> str:
    from course.plots import PALETTE

    fig = _fig(7, 3.4)
    ax = fig.add_subplot()
    c = completion.dropna(subset=["median_score"])
    x = list(range(len(c)))
    ax.bar(x, 100 * c["median_score"], color=PALETTE[2], label="median")
    lo, hi = 100 * (c["median_score"] - c["q1_score"]), 100 * (c["q3_score"] - c["median_score"])
    ax.errorbar(x, 100 * c["median_score"], yerr=[lo, hi], fmt="none", ecolor="#000000", capsize=4,
                label="middle half of learners")
    ax.set_xticks(x, list(c["module"]))
    ax.set_ylim(0, 125)
    ax.set_yticks([0, 20, 40, 60, 80, 100])
    ax.set_title("Module scores: median and middle half of learners")
    ax.set_xlabel("module")
    ax.set_ylabel("share of the module's points (%)")
    ax.legend(loc="upper center", ncol=2, frameon=False)
    alt = "Bar chart: median module score, with the middle half of learners as a range. " + "; ".join(
        f"module {m}: median {md:.0%} (middle half {a:.0%} to {b:.0%})"
        for m, md, a, b in zip(c["module"], c["median_score"], c["q1_score"], c["q3_score"]))
    return _chart(fig, alt=alt, table=c[["module", "median_score", "q1_score", "q3_score"]].round(3))


def _items_chart(qtable) -> str:
    from course.plots import PALETTE
    from course.stats import DISCRIMINATION_FLOOR

    fig = _fig(7, 4)
    ax = fig.add_subplot()
    ok = qtable[qtable["flag"] == ""]
    bad = qtable[qtable["flag"] != ""]
    ax.scatter(ok["difficulty"], ok["discrimination"].fillna(0), color=PALETTE[0], label="discriminates", marker="o")
    ax.scatter(bad["difficulty"], bad["discrimination"].fillna(0), color=PALETTE[3], label="flagged", marker="x")
    ax.axhline(DISCRIMINATION_FLOOR, color="#555555", linestyle="--", label=f"r = {DISCRIMINATION_FLOOR}")
    ax.set_xlim(-0.02, 1.02)
    ax.set_title("Each question: share right against discrimination")
    ax.set_xlabel("share of learners right (difficulty; 1 = everyone)")
    ax.set_ylabel("corrected item-total correlation r")
    ax.legend(loc="lower left", frameon=False)
    alt = (f"Scatter plot of {len(qtable)} questions: share of learners right (horizontal) against corrected "
           f"item-total correlation (vertical), with a dashed line at r = {DISCRIMINATION_FLOOR}. {len(bad)} question(s) "
           f"flagged" + (": " + ", ".join(bad["question"]) if len(bad) else "") + ".")
    return _chart(fig, alt=alt, table=qtable[["question", "difficulty", "discrimination", "flag"]].round(3))


def _checkpoint_chart(summary) -> str:
    from course.plots import PALETTE

    fig = _fig(7, 3.6)
    axes = fig.subplots(1, 2)
    alt = []
    for ax, measure, title in zip(axes, ("dprime", "bias"), ("Discernment d′", "Bias c")):
        row = summary[summary["measure"] == measure]
        if row.empty:
            continue
        r = row.iloc[0]
        ax.plot([0, 1], [r["before"], r["after"]], color=PALETTE[0], marker="o", label="class mean")
        ax.set_xticks([0, 1], ["before", "after"])
        ax.set_xlim(-0.4, 1.4)
        ax.axhline(0, color="#555555", linewidth=0.8)
        values = [r["before"], r["after"]]
        if measure == "bias":  # a lean is read against 0, on a scale wide enough not to magnify small moves
            span = max(0.6, max(abs(v) for v in values) + 0.2)
            ax.set_ylim(-span, span)
        else:
            ax.set_ylim(min(0.0, min(values) - 0.2), max(1.5, max(values) + 0.3))
        ax.set_title(title)
        ax.set_ylabel(f"{title} (signal-detection units)")
        ax.set_xlabel("occasion")
        alt.append(f"{title}: {r['before']:.2f} before, {r['after']:.2f} after; change {r['change']:+.2f} "
                   f"(95% interval {r['change_low']:+.2f} to {r['change_high']:+.2f})")
    fig.suptitle("The checkpoint before and after the course (learners who took both)")
    return _chart(fig, alt="Two line charts. " + "; ".join(alt) + ".")


def _calibration_chart(calib) -> str:
    from course.plots import PALETTE

    fig = _fig(6, 4)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="#555555", linestyle="--", label="well calibrated")
    alt = []
    for occasion, colour, marker in (("pre", PALETTE[1], "s"), ("post", PALETTE[0], "o"), ("later", PALETTE[2], "^")):
        c = calib[calib["occasion"] == occasion]
        if c.empty:
            continue
        word = {"pre": "before", "post": "after", "later": "weeks later"}[occasion]
        ax.plot(c["mean_confidence"], c["share_right"], color=colour, marker=marker, label=word)
        alt.append(f"{word}: " + ", ".join(f"{a:.0%} sure → {b:.0%} right" for a, b in zip(c["mean_confidence"],
                                                                                          c["share_right"])))
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title("Calibration: how often answers were right at each confidence")
    ax.set_xlabel("mean confidence in the band (0–1)")
    ax.set_ylabel("share of answers right (0–1)")
    ax.legend(loc="upper left", frameon=False)
    return _chart(fig, alt="Line chart: confidence against share right, with a dashed diagonal for perfect calibration. "
                      + "; ".join(alt) + ".", table=calib.round(3))


def _fairness_chart(per_variant, flagged: list[str]) -> str:
    from course.plots import PALETTE

    rows = per_variant[per_variant["question"].isin(flagged)]
    if rows.empty:
        return ""
    fig = _fig(7, 0.4 * len(rows) + 1.5)
    ax = fig.add_subplot()
    labels = [f"{q}: {v}" for q, v in zip(rows["question"], rows["variant"])]
    colours = [PALETTE[3] if low else PALETTE[0] for low in rows["lowest"]]
    pos = list(range(len(rows)))[::-1]
    ax.barh(pos, 100 * rows["share_right"], color=colours)
    ax.set_yticks(pos, labels)
    ax.set_xlim(0, 100)
    ax.set_title("Flagged questions: share right by variant")
    ax.set_xlabel("share of learners right (%)")
    alt = "Horizontal bar chart of flagged questions, share right by variant: " + "; ".join(
        f"{lab} {s:.0%} of {n}" for lab, s, n in zip(labels, rows["share_right"], rows["learners"]))
    return _chart(fig, alt=alt, table=rows[["question", "variant", "learners", "share_right"]].round(3))


# --- the page ---------------------------------------------------------------------------------------------------

def _fmt(v: Any, kind: str = "") -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "–"
    if kind == "%":
        return f"{100 * float(v):.0f}%"
    if kind == "+":
        return f"{float(v):+.2f}"
    import numbers

    if isinstance(v, (bool, np_bool())):
        return "yes" if v else ""
    if isinstance(v, numbers.Integral):
        return f"{int(v):,}"
    if isinstance(v, numbers.Real):
        return f"{float(v):.2f}" if abs(float(v)) < 1000 else f"{float(v):,.0f}"
    return str(v)


def np_bool():
    import numpy as np

    return np.bool_


def _table(df, caption: str, csv_name: str, columns: dict[str, tuple[str, str]], *, limit: int | None = None,
           note: str = "") -> str:
    """An HTML table (first column as row headers) with its caption and a link to the CSV beside it."""
    shown = df if limit is None else df.head(limit)
    head = "".join(f"<th scope='col'>{escape(label)}</th>" for label, _ in columns.values())
    body = []
    for r in shown[list(columns)].itertuples(index=False):  # itertuples keeps each column's type (counts stay whole)
        cells = []
        for j, (v, (_, kind)) in enumerate(zip(r, columns.values())):
            text = escape(_fmt(v, kind))
            cells.append(f"<th scope='row'>{text}</th>" if j == 0 else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if limit is not None and len(df) > limit:
        more = f" The first {limit} of {len(df):,} rows are shown;"
    return (f"<div class='table'><table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table><p class='csv'>{escape(note)}{more} All rows: "
            f"<a href='{escape(csv_name)}'>{escape(csv_name)}</a> (CSV).</p></div>")


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.45;color:#1a1a1a;background:#fff;margin:0}
main{max-width:72em;margin:0 auto;padding:1em 1.5em 3em}
h1{font-size:1.7em}h2{border-top:2px solid #0072B2;padding-top:0.6em;margin-top:2em}h3{margin-top:1.4em}
table{border-collapse:collapse;margin:0.5em 0;font-size:0.92em}
caption{text-align:left;font-weight:bold;padding:0.3em 0}
th,td{border:1px solid #bbb;padding:0.25em 0.55em;text-align:left;vertical-align:top}
thead th{background:#eef3f8}
.csv{font-size:0.9em;color:#333;margin-top:0}
a{color:#005a8c}
.banner{background:#fff4d6;border:2px solid #8a6100;padding:0.6em 1em;font-weight:bold}
.flag{color:#9c3c00;font-weight:bold}
figure{margin:1em 0}
nav ol{columns:2}
"""


def _page(sections: list[tuple[str, str, str]], banner: str, intro: str) -> str:
    nav = "".join(f"<li><a href='#{sid}'>{escape(title)}</a></li>" for sid, title, _ in sections)
    body = "".join(f"<section id='{sid}' aria-labelledby='{sid}-h'><h2 id='{sid}-h'>{escape(title)}</h2>{html}</section>"
                   for sid, title, html in sections)
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>Class report: Reading the Ranks</title><style>{_STYLE}</style></head><body><main>"
            f"<h1>Class report: Reading the Ranks</h1>{banner}{intro}"
            f"<nav aria-label='Contents'><h2 id='contents'>Contents</h2><ol>{nav}</ol></nav>{body}</main></body></html>\n")


def build_report(*, results: Path, out: Path, release: Path | None = None, roster: Path | None = None, seed: int = 0,
                 boot: int = 2000, permutations: int = 10000, progress: bool = True) -> ReportResult:
    """Write ``out/index.html`` and a CSV beside every table, from ``results/gradebook.sqlite``.

    ``release`` is the folder ``course release --out`` wrote: each learner's variants are read from
    its record (fast), otherwise computed from each submission's ``graded_as`` id. ``roster`` (a CSV
    with a ``learner`` column) adds learners who have handed in nothing. ``seed`` makes the
    bootstrap intervals and permutation p-values repeatable; ``boot`` and ``permutations`` set how
    many resamples they use.
    """
    import numpy as np

    from course.instructor.assign import read_record

    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    book, subs, counted, res = _read(results)
    labels = book.labels()
    catalogue = _catalogue()
    titles = _module_titles()
    learners = sorted(set(_roster(roster)) | set(subs["learner"]))
    record = read_record(Path(release)) if release is not None else None
    if progress:
        print(f"{len(learners):,} learners, {len(counted):,} counted submissions, {len(res):,} answers", flush=True)

    is_cp = _is_checkpoint(res["qid"])
    graded = res[~is_cp & (res["max_points"] > 0)]
    scores = _scores(graded)
    completion = _completion(counted, scores, learners, titles)
    qtable = _questions(graded, catalogue)
    mistakes = _mistakes(graded, catalogue)
    if progress:
        print("variant fairness …", flush=True)
    fairness, per_variant = _fairness(graded, catalogue, record, rng=rng, permutations=permutations)
    if progress:
        print("checkpoint …", flush=True)
    cp = _checkpoint(res[is_cp], rng=rng, boot=boot)
    follow = _followup(learners, counted, scores, cp["scores"] if cp else None,
                       sorted(set(titles) | set(counted["module"])))

    tables: dict[str, Path] = {}

    def csv(df, name: str) -> str:
        path = out / name
        df.to_csv(path, index=False)
        tables[name] = path
        return name

    banner = ""
    if "synthetic" in labels:
        banner = (f"<p class='banner'>Synthetic data: every learner in this report is simulated "
                  f"({escape(labels['synthetic'])}). Nothing here describes real learners.</p>")
    newest = subs["graded_at"].dropna().max() if len(subs) else None
    intro = (f"<p>From <code>{escape(Path(results).name)}/gradebook.sqlite</code>: {len(learners):,} learners, "
             f"{len(counted):,} submissions that count (the latest per learner and module), last graded "
             f"{escape(str(newest or 'never'))}. How to read each number, and what the checkpoint can and cannot "
             "claim, is in the instructor guide, section “The class report”.</p>")
    sections = []

    # completion and scores
    html = _completion_chart(completion) + _scores_chart(completion) + _table(
        completion, "Completion and scores per module", csv(completion, "modules.csv"),
        {"module": ("module", ""), "title": ("title", ""), "handed_in": ("handed in", ""), "learners": ("learners", ""),
         "completion": ("completion", "%"), "failed_to_grade": ("could not be graded", ""),
         "median_score": ("median score", "%"), "q1_score": ("lower quartile", "%"), "q3_score": ("upper quartile", "%")})
    sections.append(("completion", "Completion and scores", html))

    # questions
    flagged = qtable[qtable["flag"].str.startswith("does not")]
    html = ("<p>Difficulty is the share of learners right (1 = everyone). Discrimination is the corrected item-total "
            "correlation r: whether learners who do well on the rest of the module also get this question right. A "
            "question is flagged when r is under 0.2 or cannot be computed; read its prompt and its commonest wrong "
            "answers below before changing it.</p>" + _items_chart(qtable) + _table(
                qtable, "Each question: difficulty and discrimination", csv(qtable, "questions.csv"),
                {"question": ("question", ""), "prompt": ("prompt", ""), "learners": ("learners", ""),
                 "answered": ("answered", ""), "share_right": ("share right", "%"),
                 "discrimination": ("discrimination r", ""), "r_low": ("95% from", ""), "r_high": ("95% to", ""),
                 "flag": ("flag", "")}))
    sections.append(("questions", "Questions: difficulty and discrimination", html))

    # mistakes
    top = mistakes.groupby("question", sort=False).head(3)
    html = ("<p>The commonest wrong answers per question, by the misconception tag of the named mistake the grader "
            "recognised, with the message learners saw. “No named mistake” is a wrong answer no named mistake "
            "describes; <code>no-answer</code> means the check never ran. Three per question here; every tag in the "
            "CSV.</p>" + _table(top, "Commonest mistakes per question", csv(mistakes, "mistakes.csv"),
                                {"question": ("question", ""), "tag": ("misconception tag", ""),
                                 "learners": ("learners", ""), "share_of_wrong": ("share of wrong answers", "%"),
                                 "message": ("message learners saw", "")}))
    sections.append(("mistakes", "Where the class stumbles", html))

    # fairness
    unfair = fairness[fairness["flagged"]]["question"].tolist()
    html = ("<p>Learners with their own numbers get one of several variants of some questions. For each such question, "
            "a permutation test asks whether the variants' shares right differ more than chance allows (Pearson's "
            "chi-square, its p-value from 10,000 random reallocations of the right answers), and Holm's correction "
            "keeps the chance of flagging any question when all variants are equally hard under 5%. "
            + (f"<span class='flag'>Flagged: {', '.join(unfair)}.</span> Look at the lowest variant's numbers: a "
               "variant that is harder (larger numbers, a less familiar row) can be replaced or its scores adjusted."
               if unfair else "No question is flagged.") + "</p>"
            + _fairness_chart(per_variant, unfair)
            + _table(fairness, "Variant fairness per question", csv(fairness, "variant-fairness.csv"),
                     {"question": ("question", ""), "variants": ("variants", ""), "learners": ("learners", ""),
                      "lowest_share": ("lowest share right", "%"), "highest_share": ("highest share right", "%"),
                      "lowest_variant": ("lowest variant", ""), "p": ("p", ""), "p_holm": ("p (Holm)", ""),
                      "flagged": ("flagged", "")})
            + f"<p class='csv'>Each variant's learners and share right: <a href='{csv(per_variant, 'variants.csv')}'>"
              "variants.csv</a> (CSV).</p>")
    sections.append(("fairness", "Variant fairness", html))

    # the checkpoint
    cp_summary: dict[str, dict[str, float]] = {}
    if cp is None:
        html = ("<p>No checkpoint answers in this gradebook: the checkpoint items are recorded by modules that host "
                "them (see the guide).</p>")
    else:
        c = cp["counts"]
        s = cp["summary"]
        cp_summary = {r["measure"]: {k: r[k] for k in ("before", "after", "change", "change_low", "change_high", "dz",
                                                       "dz_low", "dz_high", "n")} for _, r in s.iterrows()}
        html = (f"<p>{c['with_pre']:,} learners took the checkpoint before the course, {c['with_post']:,} after; "
                f"{c['paired']:,} took both ({c['form_a_first']:,} with form A first, {c['form_b_first']:,} with form B "
                "first). Changes are for learners who took both: the mean change within each order group, averaged over "
                "the two groups (which cancels any difference between the forms), with a 95% bootstrap interval; "
                "d<sub>z</sub> is the mean change over the standard deviation of the changes. A rise in d′ means learners "
                "told faithful reports from distorted ones better; a fall in c alone means they answered 'distorted' "
                "more readily, which is not the same thing. There is no control group: the change is what happened "
                "over the course, not what the course caused.</p>"
                + _checkpoint_chart(s)
                + _table(s, "The checkpoint before and after (learners who took both)", csv(s, "checkpoint.csv"),
                         {"label": ("measure", ""), "before": ("before", ""), "after": ("after", ""),
                          "change": ("change", "+"), "change_low": ("95% from", "+"), "change_high": ("95% to", "+"),
                          "dz": ("d_z", ""), "n": ("learners", ""), "reading": ("reading", "")})
                + "<h3>The transfer item (an invented text, in a field the course never touches)</h3>"
                + _table(cp["transfer"], "The transfer item before and after", csv(cp["transfer"], "checkpoint-transfer.csv"),
                         {"learners": ("learners", ""), "right_before": ("right before", "%"),
                          "right_after": ("right after", "%"), "change": ("change", "+"),
                          "change_low": ("95% from", "+"), "change_high": ("95% to", "+"),
                          "wrong_to_right": ("wrong → right", ""),
                          "right_to_wrong": ("right → wrong", ""), "right_to_right": ("right both times", ""),
                          "wrong_to_wrong": ("wrong both times", "")})
                + "<h3>Calibration</h3>" + _calibration_chart(cp["calibration"])
                + "<h3>Who took the second checkpoint</h3>"
                + _table(cp["selection"], "Before the course: learners who took both occasions and those who took only "
                         "the first", csv(cp["selection"], "checkpoint-selection.csv"),
                         {"group": ("group", ""), "learners": ("learners", ""), "dprime": ("mean d′ before", ""),
                          "right": ("share right before", "%")},
                         note="If those who left differ from those who stayed, the before/after describes the stayers. ")
                + "<h3>The two forms</h3>"
                + _table(cp["forms"], "Each form's mean scores (learners were split between the forms at random)",
                         csv(cp["forms"], "checkpoint-forms.csv"),
                         {"occasion": ("occasion", ""), "form": ("form", ""), "learners": ("learners", ""),
                          "dprime": ("mean d′", ""), "bias": ("mean c", ""), "right": ("share right", "%")})
                + "<h3>Each item</h3>"
                + _table(cp["items"], "Each checkpoint item: share right before and after",
                         csv(cp["items"], "checkpoint-items.csv"),
                         {"item": ("item", ""), "form": ("form", ""), "type": ("type", ""), "answer": ("right answer", ""),
                          "distortion": ("distortion", ""), "rows": ("rows", ""),
                          "share_right_pre": ("right before", "%"), "share_right_post": ("right after", "%")})
                + _table(cp["by_distortion"], "Distorted reports caught, by the distortion in them",
                         csv(cp["by_distortion"], "checkpoint-distortions.csv"),
                         {"distortion": ("distortion", ""), **{o: (f"caught {w}", "%") for o, w in
                                                              (("pre", "before"), ("post", "after"), ("later", "weeks later"))
                                                              if o in cp["by_distortion"].columns}}))
        csv(cp["scores"], "checkpoint-learners.csv")
        html += ("<p class='csv'>Every learner's scores on each occasion: <a href='checkpoint-learners.csv'>"
                 "checkpoint-learners.csv</a> (CSV).</p>")
    sections.append(("checkpoint", "The checkpoint: before and after", html))

    # follow-up
    need = follow[follow["urgency"] < 4]
    html = (f"<p>{len(need):,} of {len(follow):,} learners may need a follow-up: not started, stuck (a module most of the "
            "class handed in is missing), a submission that could not be graded, under half the points in a module, or "
            "flags on their submissions.</p>"
            + _table(need, "Learners to follow up", csv(follow, "learners.csv"),
                     {"learner": ("learner", ""), "follow_up": ("follow up", ""), "handed_in": ("handed in", ""),
                      "checkpoint": ("checkpoint", "")}, limit=300, note="Every learner, with those on track, is in the CSV."))
    sections.append(("learners", "Learners to follow up", html))

    page = out / "index.html"
    page.write_text(_page(sections, banner, intro), encoding="utf-8")
    return ReportResult(page=page, tables=tables, seconds=time.perf_counter() - start, learners=len(learners),
                        flagged_questions=flagged["question"].tolist(), unfair_questions=unfair,
                        checkpoint=cp_summary,
                        frames={"modules": completion, "questions": qtable, "mistakes": mistakes, "fairness": fairness,
                                "variants": per_variant, "checkpoint": cp, "learners": follow})
