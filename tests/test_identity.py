"""Whose numbers a submission is graded on: recorded in the notebook, pinned at release, reconciled with the roster.

These tests run the grader's reasoning without kernels (:func:`course.instructor.scoring.resolve`);
tests/test_grade_identity.py runs the same situations end to end.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from course.checks import compute_params, question, questions
from course.checks._codec import decode, encode
from course.instructor.identity import claims, issued_variants, stamp
from course.instructor.layout import Layout
from course.instructor.scoring import ModuleSpec, resolve

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden" / "variants.json"
FIXTURE_LEARNERS = ("ada", "ben", "chen-wei", "d.okafor")


def _golden_now() -> dict:
    return {q.id: {"version": q.variant_version,
                   "learners": {who: encode(compute_params(q, who)) for who in FIXTURE_LEARNERS}}
            for q in questions() if q.variant is not None}


def test_variants_are_pinned_by_version_golden():
    """Every learner's numbers stay what they were for the same variant version.

    If this fails, a change (to a variant function or to the data it draws from) gave the fixture
    learners other numbers. Bump that question's ``variant_version`` so work handed in against the
    old numbers is still graded against them, then regenerate this file:
    ``python -m tests.test_identity`` (it writes tests/golden/variants.json).
    """
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    now = _golden_now()
    changed = [qid for qid in golden if qid in now and now[qid]["version"] == golden[qid]["version"]
               and now[qid]["learners"] != golden[qid]["learners"]]
    assert not changed, f"variants changed without a version bump: {changed}"
    assert set(now) <= set(golden), f"new variant questions missing from the golden file: {sorted(set(now) - set(golden))}"


def _nb(module: str, *records: dict, stamped: str | None = None) -> dict:
    """A minimal submission: one code cell per check record, as a saved notebook keeps them."""
    cells = [{"cell_type": "code", "execution_count": i + 1, "metadata": {}, "source": "check(...)",
              "outputs": [{"output_type": "execute_result", "execution_count": i + 1, "data": {"text/plain": "…"},
                           "metadata": {"reading_the_ranks": r}}]} for i, r in enumerate(records)]
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return stamp(nb, stamped, issued_variants(module, stamped)) if stamped else nb


def _record(qid: str, learner: str, params: dict | None = None, version: int = 1) -> dict:
    q = question(qid)
    values = compute_params(q, learner if q.variant else None) if params is None else params
    return {"qid": qid, "learner": learner, "varies": q.variant is not None, "version": version, "params": encode(values)}


@pytest.fixture(scope="module")
def m04():
    return ModuleSpec.load("04", Layout.find())


@pytest.fixture(scope="module")
def m00():
    return ModuleSpec.load("00", Layout.find())


def _release(tmp_path, modules, roster=()):
    from course.instructor.assign import assign, read_record

    path = None
    if roster:
        path = tmp_path / "roster.csv"
        path.write_text("learner\n" + "\n".join(roster) + "\n", encoding="utf-8")
    assign(source=ROOT / "notebooks", out=tmp_path / "release", modules=modules, roster=path)
    return read_record(tmp_path / "release")


def test_a_shared_notebook_handed_in_under_a_name_is_graded_on_the_shared_variant(m00):
    """The README's quick start: no roster; ben hands in submissions/ben/00-start-here.ipynb."""
    r = resolve(_nb("00", _record("00.1", "shared"), stamped=None), "ben", m00, None)
    assert r.learner == "shared" and r.values("00.1") == question("00.1").canonical_params() and not r.flags
    stamped_only = resolve(_nb("00", stamped="shared"), "ben", m00, None)
    assert stamped_only.learner == "shared" and not stamped_only.flags


def test_a_roster_learner_is_graded_on_the_numbers_issued_to_them(tmp_path, m04):
    record = _release(tmp_path, ["04"], roster=("ada", "ben"))
    mine = resolve(_nb("04", _record("04.2", "ada"), stamped="ada"), "ada", m04, record)
    assert mine.learner == "ada" and not mine.flags
    assert mine.values("04.2") == compute_params(question("04.2"), "ada")
    typed = resolve(_nb("04", stamped="ada"), "ada", m04, record)  # typed numbers, never ran exercise() or check()
    assert typed.values("04.2") == compute_params(question("04.2"), "ada") and not typed.flags
    nothing = resolve(_nb("04"), "ada", m04, record)  # outputs cleared and stamp removed: the roster decides
    assert nothing.learner == "ada" and nothing.how == "the release record"


def test_folder_and_notebook_disagreeing_is_a_flag_not_a_silent_regrade(tmp_path, m04):
    record = _release(tmp_path, ["04"], roster=("ada", "ben"))
    r = resolve(_nb("04", _record("04.2", "ben"), stamped="ben"), "ada", m04, record)
    assert r.learner == "ben", "graded on the numbers the notebook worked with"
    assert any("the notebook says ben" in f and "issued it to ada" in f for f in r.flags)
    several = resolve(_nb("04", _record("04.2", "ada"), _record("04.3", "ben")), "ada", m04, record)
    assert any("ran as ada then ben" in f for f in several.flags)


def test_a_variant_that_was_never_issued_is_flagged_and_graded_on_the_issued_one(tmp_path, m04):
    record = _release(tmp_path, ["04"], roster=("ada",))
    issued = compute_params(question("04.2"), "ada")
    other = next(compute_params(question("04.2"), w) for w in ("ben", "chen-wei", "x1", "x2", "x3")
                 if compute_params(question("04.2"), w) != issued)
    forged = resolve(_nb("04", _record("04.2", "ada", other), stamped="ada"), "ada", m04, record)
    assert forged.values("04.2") == issued and any(f.startswith("04.2: the notebook used") for f in forged.flags)
    unrecorded = resolve(_nb("04", _record("04.2", "ada", other), stamped="ada"), "ada", m04, None)
    assert unrecorded.values("04.2") == issued and any("never issued" in f for f in unrecorded.flags)


def test_a_data_refresh_never_changes_the_numbers_of_a_release_already_handed_out(tmp_path, m04, monkeypatch):
    """After release, the course's variant drawing changes (as a data refresh would): the record still decides."""
    record = _release(tmp_path, ["04"], roster=("ada", "ben"))
    before = {who: compute_params(question("04.2"), who) for who in ("ada", "ben")}
    q = question("04.2")
    refreshed = dataclasses.replace(q, variant=lambda rng: {**q.variant(rng), "old": 1990}, variant_version=2)
    spec = dataclasses.replace(m04, questions=tuple(refreshed if x.id == "04.2" else x for x in m04.questions))
    for who in ("ada", "ben"):
        r = resolve(_nb("04", _record("04.2", who), stamped=who), who, spec, record)
        assert r.values("04.2") == before[who] and not r.flags
    # without the record, a notebook worked on the old version is graded on what it recorded, and says so
    old = resolve(_nb("04", _record("04.2", "ada")), "ada", spec, None)
    assert old.values("04.2") == before["ada"] and any("variant version 1" in f for f in old.flags)


def test_a_workspace_pins_what_it_was_given(tmp_path, monkeypatch):
    from course.checks import _progress, exercise
    from course.instructor.workspace import create_workspace

    ws = tmp_path / "ws"
    create_workspace(folder=ws, learner="ada")
    pinned = json.loads((ws / ".course" / "variants.json").read_text(encoding="utf-8"))["ada"]
    assert decode(pinned["04.2"]["params"]) == compute_params(question("04.2"), "ada")
    monkeypatch.setenv("COURSE_WORKSPACE", str(ws))
    monkeypatch.delenv("COURSE_LEARNER", raising=False)
    forced = {"article": "337", "old": 2022, "new": 2023}
    pinned["04.2"]["params"] = encode(forced)
    (ws / ".course" / "variants.json").write_text(json.dumps({"ada": pinned}), encoding="utf-8")
    assert dict(exercise("04.2")) == forced, "exercise() returns the pinned numbers, not a fresh draw"
    assert _progress.pinned_params("04.2", "ada", 2) is None, "a pin of another variant version is not used"


def test_claims_take_the_last_record_of_each_question_in_run_order():
    nb = _nb("00", _record("00.1", "ada", {"section": 2}), _record("00.1", "ada", {"section": 5}))
    nb["cells"][0]["execution_count"] = 9  # the first cell was run last
    c = claims(nb)
    assert decode(c.records["00.1"]["params"]) == {"section": 2} and c.worked_as == "ada"


if __name__ == "__main__":  # regenerate the golden file after a deliberate variant version bump
    GOLDEN.write_text(json.dumps(_golden_now(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
