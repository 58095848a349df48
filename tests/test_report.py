"""The class report, proven on synthetic classes whose truth is known (course.instructor.simulate).

A cohort is simulated with a known discernment, bias and gain on the checkpoint, one variant made
harder on purpose, one misconception planted in an exact number of learners, one question that
does not discriminate, learners who stop and learners who never start. The report must find each.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from course.checkpoints import score_frame
from course.instructor.report import _fairness, build_report
from course.instructor.simulate import Cohort, checkpoint_responses, simulate, truth
from course.stats import paired_change

PLANTED = ("04.2", "inverted-ratio", 17)
HARDER = ("04.3", 2, -4.0)  # about 30 learners per variant: a real but not subtle difference
FLAT = "05.4"


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted")
    cohort = Cohort(learners=160, seed=2, harder=(HARDER,), planted=PLANTED, flat=(FLAT,), not_started=3,
                    gain=0.9, bias_pre=0.1, bias_post=-0.2)
    made = simulate(cohort, folder / "results")
    report = build_report(results=folder / "results", out=folder / "report", release=made["release"],
                          roster=made["roster_file"], boot=600, permutations=4000, progress=False)
    return cohort, made, report


def test_the_report_finds_the_harder_variant_and_only_it(planted):
    _, _, report = planted
    fair = report.frames["fairness"].set_index("question")
    assert report.unfair_questions == [HARDER[0]]
    assert fair.loc[HARDER[0], "lowest_variant"] == f"variant={HARDER[1]}"
    assert fair.loc[HARDER[0], "p_holm"] <= 0.05
    per = report.frames["variants"]
    assert per[per["lowest"]].set_index("question").loc[HARDER[0], "variant"] == f"variant={HARDER[1]}"


def test_the_report_counts_the_planted_misconception_exactly(planted):
    _, made, report = planted
    m = report.frames["mistakes"]
    row = m[(m["question"] == PLANTED[0]) & (m["tag"] == PLANTED[1])].iloc[0]
    assert row["learners"] == PLANTED[2] == len(made["planted"])
    assert row["message"].startswith("Upside down")  # the message learners saw, from the question's named mistake


def test_the_question_that_does_not_discriminate_is_flagged(planted):
    _, _, report = planted
    assert FLAT in report.flagged_questions
    q = report.frames["questions"].set_index("question")
    assert q.loc[FLAT, "discrimination"] < 0.2 <= q.drop(index=FLAT)["discrimination"].median()


def test_the_report_recovers_the_checkpoint_gain_and_bias_change_within_its_intervals(planted):
    cohort, made, report = planted
    want = truth(cohort)
    d, c = report.checkpoint["dprime"], report.checkpoint["bias"]
    assert d["change_low"] <= want["dprime"] <= d["change_high"]
    assert c["change_low"] <= want["bias"] <= c["change_high"]
    assert d["change_low"] > 0 and c["change_high"] < 0.05  # a real gain, and the planted shift towards "distorted"


def test_completion_and_follow_up_match_what_was_simulated(planted):
    _, made, report = planted
    follow = report.frames["learners"].set_index("learner")
    for who in made["roster"]:
        if who.startswith("synthetic-absent"):
            assert follow.loc[who, "follow_up"].startswith("not started")
    modules = report.frames["modules"].set_index("module")
    for m in ("00", "04", "07"):
        handed = sum(1 for who, last in made["last"].items() if last >= m)
        assert modules.loc[m, "handed_in"] == handed and modules.loc[m, "learners"] == len(made["roster"])
    stopped = next(who for who, last in made["last"].items() if last == "03")
    assert "stopped after 03: not handed in 04" in follow.loc[stopped, "follow_up"]


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.links, self.srcs, self.imgs, self.tables, self.captions = [], [], [], [], 0, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if "src" in a:
            self.srcs.append(a["src"])
        if tag == "img":
            self.imgs.append(a)
        self.tables += tag == "table"
        self.captions += tag == "caption"


def test_the_page_is_self_contained_with_a_csv_beside_every_table_and_labelled_synthetic(planted):
    _, _, report = planted
    html = report.page.read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    assert all(s.startswith("data:image/png;base64,") for s in page.srcs) and page.srcs
    assert all(img.get("alt") and len(img["alt"]) > 40 for img in page.imgs)
    assert page.tables == page.captions  # every table says what it is
    local = [h for h in page.links if not h.startswith("#")]
    assert local and all(not re.match(r"^[a-z]+:", h) for h in local)  # nothing leaves the folder
    for h in local:
        assert (report.page.parent / h).is_file(), h
    data_tables = page.tables - html.count("The numbers in the chart above")  # charts carry their own data table
    assert len({h for h in local if h.endswith(".csv")}) >= data_tables
    assert "Synthetic data: every learner in this report is simulated" in html
    assert "<script" not in html.lower()


def test_answering_distorted_to_everything_is_a_change_of_bias_not_of_discernment(tmp_path):
    cohort = Cohort(learners=120, seed=4, gain=0.0, gain_sd=0.0, all_distorted_after=1.0,
                    modules=("00", "07"))
    made = simulate(cohort, tmp_path / "results")
    report = build_report(results=tmp_path / "results", out=tmp_path / "report", release=made["release"],
                          boot=600, permutations=2000, progress=False)
    d, c = report.checkpoint["dprime"], report.checkpoint["bias"]
    assert d["change_high"] <= 0  # no gain in telling the two apart (it falls to 0)
    assert c["change_high"] < -0.5  # a large move towards answering "distorted"
    caught = report.frames["checkpoint"]["by_distortion"].set_index("distortion")
    assert (caught["post"] == 1.0).all() and (caught["pre"] < 1.0).all()  # "caught every distortion"
    want = truth(cohort)
    assert d["change_low"] <= want["dprime"] <= d["change_high"]


@pytest.mark.slow
def test_the_gains_interval_holds_the_truth_in_about_95_percent_of_classes():
    covered, runs = 0, 40
    for seed in range(runs):
        cohort = Cohort(learners=90, seed=100 + seed, form_shift={"A": 0.0, "B": 0.3})
        s = score_frame(checkpoint_responses(cohort))
        pre, post = s[s["occasion"] == "pre"].set_index("learner"), s[s["occasion"] == "post"].set_index("learner")
        j = pre.merge(post, left_index=True, right_index=True, suffixes=("_pre", "_post"))
        out = paired_change(j["dprime_pre"], j["dprime_post"], rng=np.random.default_rng(seed), strata=j["form_pre"],
                            n=400)
        covered += out["change_low"] <= truth(cohort)["dprime"] <= out["change_high"]
    assert covered >= 35, f"{covered} of {runs}"  # a 95% interval: 38 expected; 34 or fewer has a chance under 5%


def _equal_variant_class(seed: int, learners: int = 120, variants: int = 4):
    """Every question with variants, each variant as hard as the others: graded rows and the release record."""
    from course.checks import questions
    from course.checks._codec import encode

    rng = np.random.default_rng(seed)
    qs = [q for q in questions() if q.variant is not None and q.graded]
    who = [f"s{i}" for i in range(learners)]
    chosen = {w: {q.id: int(rng.integers(variants)) for q in qs} for w in who}
    rows = [{"qid": q.id, "graded_as": w, "learner": w,
             "status": "correct" if rng.random() < rng.uniform(0.4, 0.9) else "incorrect"}
            for q in qs for w in who]
    record = {"releases": [{"learners": {w: {q: {"version": 1, "params": encode({"variant": k})}
                                             for q, k in chosen[w].items()} for w in who}}]}
    return pd.DataFrame(rows), record, {q.id: q for q in questions()}


@pytest.mark.slow
@pytest.mark.parametrize("runs", [200])
def test_no_question_is_flagged_when_all_variants_are_equal_in_at_least_95_percent_of_classes(runs):
    _equal_variants_rarely_flagged(runs)


def _equal_variants_rarely_flagged(runs):
    flagged = 0
    for seed in range(runs):
        graded, record, catalogue = _equal_variant_class(seed)
        table, _ = _fairness(graded, catalogue, record, rng=np.random.default_rng(seed), permutations=2000)
        flagged += bool(table["flagged"].any())
        assert len(table) == 28
    assert flagged <= 0.05 * runs, f"{flagged} of {runs} classes had a question flagged"


def test_variants_are_computed_from_graded_as_without_a_release_record():
    from course.checks import compute_params, question
    from course.checks._codec import encode
    from course.instructor.report import _variant_of

    q = question("04.6")
    variant = _variant_of(None, {q.id: q})
    got = variant("04.6", ["ada", "ben"])
    assert [json.loads(g) for g in got] == [json.loads(json.dumps(encode(compute_params(q, w)))) for w in ("ada", "ben")]
    issued = {"releases": [{"learners": {"ada": {"04.6": {"version": 1, "params": encode({"year": 1999})}}}}]}
    assert _variant_of(issued, {q.id: q})("04.6", ["ada", "ben"]) == [json.dumps(encode({"year": 1999})).replace(" ", ""),
                                                                       got[1]]


def test_the_cli_writes_the_report(planted, tmp_path, capsys):
    from course.cli import main

    _, made, _ = planted
    assert main(["report", str(made["gradebook"].parent), "--out", str(tmp_path / "r"), "--release",
                 str(made["release"])]) == 0
    out = capsys.readouterr().out
    assert "Wrote" in out and (tmp_path / "r" / "index.html").is_file() and "04.3" in out
    assert main(["report", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x")]) == 2


def test_gradebook_frames_read_everything_in_one_pass_and_keep_labels(planted):
    from course.instructor.gradebook import Gradebook

    _, made, _ = planted
    book = Gradebook(made["gradebook"])
    subs, res = book.frames()
    assert len(subs) == len(book.submissions()) and set(subs["counted"]) == {True}
    assert len(res) == sum(len(book.results(k)) for k in subs["key"].head(5)) + len(res[~res["key"].isin(subs["key"].head(5))])
    assert book.labels()["synthetic"].startswith("simulated by course.instructor.simulate")
    with pytest.raises(ValueError):
        book.label("schema_version", "9")
