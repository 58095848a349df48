"""The checkpoint for learners: the items of your form, what you recorded, and your own before/after in plain words.

``checkpoint("pre")`` shows the items of the form you take before the course (your own form and
order when you have a learner id); you record each answer with ``check`` and a confidence, and
``checkpoint("pre", recorded)`` lists what was saved. ``checkpoint_results()``, at the end of the
course, compares your two occasions: how well you told faithful reports from distorted ones
(discernment, d′), whether you leaned towards one answer (bias, c), the numbers items, the new
text, and how well your confidence matched how often you were right.

The scoring here (:func:`score_frame`) is the one the instructor's report uses for the whole class.
The items themselves, and why each answer is right, live in :mod:`course.checks.checkpoint`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from course.checks import checkpoint as spec

__all__ = ["Instrument", "Results", "checkpoint", "checkpoint_results", "item_table", "score_frame"]

CONFIDENCE_HELP = ("How sure are you that your answer is right, from 0 to 100? 50 is a coin toss between two "
                   "options (20 to 25 between four or five), 100 is certain.")


def _hosted(occasion: str) -> list[Any]:
    from course.checks import questions

    found = [q for q in questions() if spec.occasion_of(q.id) and spec.occasion_of(q.id)[0] == occasion]
    if not found:
        raise LookupError(f"The checkpoint's {occasion!r} items are not part of any module in this course version: "
                          "a lesson hosts them with checkpoint_questions(...) (see course.checks.checkpoint).")
    return sorted(found, key=lambda q: spec.occasion_of(q.id)[1])


def _slots(occasion: str) -> list[tuple[Any, str]]:
    """``(question, item code)`` for each slot of this learner's ``occasion``."""
    from course.checks import _params, _progress

    learner = _progress.learner_id()
    return [(q, _params(q, learner)["item"]) for q in _hosted(occasion)]


# --- the instrument ---------------------------------------------------------------------------------------

def _block_html(b: Mapping[str, Any]) -> str:
    label = {"source": "Source", "report": "Report", "figure": "Figure"}[b["role"]]
    when = f", {escape(b['when'])}" if b.get("when") else ""
    note = f"<br><small>{escape(b['note'])}</small>" if b.get("note") and b["role"] != "report" else ""
    return (f"<div style='margin:0.3em 0'><b>{label}</b>: {escape(b['who'])}{when} <small>({escape(b['where'])})</small>"
            f"<blockquote style='margin:0.2em 1.5em;border-left:3px solid #555;padding-left:0.6em'>"
            f"{escape(b['text'])}{note}</blockquote></div>")


def _block_text(b: Mapping[str, Any]) -> str:
    label = {"source": "Source", "report": "Report", "figure": "Figure"}[b["role"]]
    when = f", {b['when']}" if b.get("when") else ""
    note = f"\n      ({b['note']})" if b.get("note") and b["role"] != "report" else ""
    return f"  {label}: {b['who']}{when} ({b['where']})\n      “{b['text']}”{note}"


class Instrument:
    """One occasion's items for this learner, in order, with how to record the answers."""

    def __init__(self, occasion: str, slots: Sequence[tuple[Any, str]]) -> None:
        self.occasion = occasion
        self.slots = list(slots)
        self.items = [spec.content(code) for _, code in self.slots]
        forms = {code[0] for _, code in self.slots}
        self.form = forms.pop() if len(forms) == 1 else "mixed"

    def _intro(self) -> str:
        return (f"Checkpoint, {spec.OCCASION_WORDS[self.occasion]}: {len(self.items)} items, about 12 minutes, form "
                f"{self.form}. It is not marked: answer as you would without help, and say how sure you are. "
                "You see how you did at the end of the course.")

    def _how(self) -> str:
        q = self.slots[0][0].id if self.slots else "00.pre1"
        return (f'Record each answer in the cell below as a letter and how sure you are, e.g. check("{q}", ("B", 70)). '
                + CONFIDENCE_HELP)

    def __repr__(self) -> str:
        lines = [self._intro(), ""]
        for (q, code), item in zip(self.slots, self.items):
            lines.append(f"{q.id} (item {code}): {item['prompt']}")
            lines += [_block_text(b) for b in item["blocks"]]
            lines += [f"    {chr(65 + i)}. {c}" for i, c in enumerate(item["choices"])]
            lines.append("")
        lines.append(self._how())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        parts = [f"<div><p><b>{escape(self._intro())}</b></p>"]
        for (q, code), item in zip(self.slots, self.items):
            options = "".join(f"<li>{escape(c)}</li>" for c in item["choices"])
            parts.append(
                f"<section style='border-top:1px solid #ccc;padding:0.4em 0'><h3 style='font-size:1.05em;margin:0.3em 0'>"
                f"{escape(q.id)} <small>(item {escape(code)})</small>: {escape(item['prompt'])}</h3>"
                + "".join(_block_html(b) for b in item["blocks"])
                + f"<ol type='A' style='margin:0.2em 0'>{options}</ol></section>")
        parts.append(f"<p>{escape(self._how())}</p></div>")
        return "".join(parts)


class Recorded:
    """What a recording cell saved: each item's status and message."""

    def __init__(self, occasion: str, results: Sequence[Any]) -> None:
        self.occasion = occasion
        self.results = list(results)

    def _counts(self) -> tuple[int, int]:
        saved = sum(r.status == "submitted" for r in self.results)
        return saved, len(self.results)

    def __repr__(self) -> str:
        saved, n = self._counts()
        lines = [f"Checkpoint {spec.OCCASION_WORDS.get(self.occasion, self.occasion)}: {saved} of {n} answers saved."]
        waiting = [r.question for r in self.results if r.status == "not attempted"]
        if waiting:
            lines.append(f"  Not answered yet: {', '.join(waiting)}.")
        lines += [f"  {r.question}: {r.message}" for r in self.results if r.status not in ("submitted", "not attempted")]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        saved, n = self._counts()
        words = {"submitted": "saved", "not attempted": "not answered yet", "incorrect": "check the form"}
        rows = "".join(f"<tr><th scope='row'>{escape(r.question)}</th><td>{escape(words.get(r.status, r.status))}</td>"
                       f"<td>{escape(r.message if r.status != 'not attempted' else '')}</td></tr>" for r in self.results)
        return (f"<table><caption style='text-align:left'><b>Checkpoint {escape(spec.OCCASION_WORDS.get(self.occasion, ''))}:"
                f" {saved} of {n} answers saved</b></caption><tr><th scope='col'>item</th><th scope='col'>status</th>"
                f"<th scope='col'>message</th></tr>{rows}</table>")


def checkpoint(occasion: str, recorded: Sequence[Any] | None = None) -> Instrument | Recorded:
    """The checkpoint's items for you (``"pre"`` before the course, ``"post"`` after it), or what you recorded.

    ``checkpoint("pre")`` shows your items in order; record each with ``check(id, ("B", 70))``.
    ``checkpoint("pre", recorded)``, given the list of those checks' results, says which were saved.

    >>> checkpoint("pre", [])
    Checkpoint before the course: 0 of 0 answers saved.
    """
    if occasion not in spec.OCCASIONS:
        raise ValueError(f"The checkpoint's occasions are {', '.join(map(repr, spec.OCCASIONS))}; got {occasion!r}.")
    if recorded is not None:
        return Recorded(occasion, recorded)
    return Instrument(occasion, _slots(occasion))


# --- scoring: one definition for a learner and for the class ---------------------------------------------------

def item_table():
    """One row per item: code, form, type (relay, numbers, transfer), the key's letter, the right answer in
    words, whether a relay is distorted, its distortion label and case, and whether the item is synthetic."""
    import pandas as pd

    rows = []
    for code in spec.ITEMS:
        c = spec.content(code)
        rows.append({"item": code, "form": c["form"], "type": c["type"], "key": spec.key_letter(code),
                     "answer": c["answer"], "distorted": c["answer"] == "distorted" if c["type"] == "relay" else None,
                     "distortion": c["distortion"], "case": c["case"], "synthetic": c["synthetic"],
                     "rows": (" → " if c["type"] == "relay" else ", ").join(
                         dict.fromkeys(b["row"] for b in c["blocks"] if b.get("row")))})
    return pd.DataFrame(rows)


def score_frame(responses):
    """Score checkpoint answers: one row per (learner, occasion) from one row per answered item.

    ``responses`` has columns ``learner``, ``occasion``, ``item`` (a code), ``letter`` and ``sure``
    (0–100). Returns, per learner and occasion: ``form``; ``answered``; for the relays ``hits``
    (distorted reports called distorted) of ``distorted``, ``false_alarms`` (faithful reports
    called distorted) of ``faithful``, then ``dprime`` and ``bias`` (:func:`course.stats.sdt`,
    log-linear corrected; NaN unless both kinds of relay were answered); ``numbers_right`` of
    ``numbers``; ``transfer`` (1 right, 0 wrong, NaN not answered); and for every answered item
    ``sure`` (mean confidence, 0–1), ``right`` (share right), ``brier`` and ``over``
    (confidence minus share right).
    """
    import numpy as np
    import pandas as pd

    from course.stats import sdt

    items = item_table().set_index("item")
    r = responses.copy()
    r = r[r["item"].isin(items.index)]
    r["type"] = r["item"].map(items["type"])
    r["correct"] = (r["letter"] == r["item"].map(items["key"])).astype(float)
    r["p"] = r["sure"].astype(float) / 100
    r["signal"] = r["item"].map(items["distorted"]).fillna(False).astype(bool)
    relay = r["type"] == "relay"
    said_distorted = r["letter"] == spec.DISTORTED_LETTER
    r["hit"] = (relay & r["signal"] & said_distorted).astype(int)
    r["fa"] = (relay & ~r["signal"] & said_distorted).astype(int)
    r["is_signal"] = (relay & r["signal"]).astype(int)
    r["is_noise"] = (relay & ~r["signal"]).astype(int)
    r["is_numbers"] = (r["type"] == "numbers").astype(int)
    r["numbers_ok"] = ((r["type"] == "numbers") & (r["correct"] == 1)).astype(int)
    r["sq"] = (r["p"] - r["correct"]) ** 2
    r["transfer_ok"] = np.where(r["type"] == "transfer", r["correct"], np.nan)
    r["form"] = r["item"].str[0]
    g = r.groupby(["learner", "occasion"], sort=True)
    out = pd.DataFrame({
        "form": g["form"].first().where(g["form"].nunique() == 1, "mixed"),
        "answered": g.size(),
        "hits": g["hit"].sum(), "distorted": g["is_signal"].sum(),
        "false_alarms": g["fa"].sum(), "faithful": g["is_noise"].sum(),
        "numbers_right": g["numbers_ok"].sum(), "numbers": g["is_numbers"].sum(),
        "transfer": g["transfer_ok"].max(),
        "sure": g["p"].mean(), "right": g["correct"].mean(), "brier": g["sq"].mean(),
    })
    out["over"] = out["sure"] - out["right"]
    d, c = sdt(out["hits"].to_numpy(), out["distorted"].to_numpy(), out["false_alarms"].to_numpy(),
               out["faithful"].to_numpy())
    both = (out["distorted"] > 0) & (out["faithful"] > 0)
    out["dprime"] = np.where(both, d, np.nan)
    out["bias"] = np.where(both, c, np.nan)
    return out.reset_index()


# --- a learner's own before/after ------------------------------------------------------------------------------

def _my_responses():
    import pandas as pd

    from course.checks import _progress

    rows = []
    for qid, kept in _progress.answers().items():
        where = spec.occasion_of(qid)
        if where and isinstance(kept, Mapping) and kept.get("item") in spec.ITEMS:
            rows.append({"learner": "you", "occasion": where[0], "item": kept["item"], "letter": kept.get("letter"),
                         "sure": float(kept.get("sure", 0)), "qid": qid})
    return pd.DataFrame(rows, columns=["learner", "occasion", "item", "letter", "sure", "qid"])


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _lean(c: float) -> str:
    if abs(c) < 0.2:
        return "no clear lean either way"
    return "a lean towards answering 'distorted'" if c < 0 else "a lean towards answering 'faithful'"


def _occasion_words(row: Mapping[str, Any]) -> list[str]:
    out = [f"You caught {row['hits']} of {row['distorted']} distorted reports and called {row['false_alarms']} of "
           f"{row['faithful']} faithful ones distorted."]
    if row["dprime"] == row["dprime"]:
        out.append(f"Discernment d′ = {row['dprime']:.2f}, bias c = {row['bias']:+.2f} ({_lean(row['bias'])}).")
    if row["numbers"]:
        out.append(f"Numbers items: {row['numbers_right']} of {row['numbers']} right.")
    if row["transfer"] == row["transfer"]:
        out.append(f"The invented text: {'right' if row['transfer'] == 1 else 'not right'}.")
    out.append(f"On average you were {_pct(row['sure'])} sure and right {_pct(row['right'])} of the time "
               f"({'over' if row['over'] > 0.05 else 'under' if row['over'] < -0.05 else 'well '}-confident; Brier score "
               f"{row['brier']:.2f}, lower is better).".replace("well -confident", "well calibrated"))
    return out


def _change_words(pre: Mapping[str, Any], post: Mapping[str, Any]) -> list[str]:
    out = []
    if pre["dprime"] == pre["dprime"] and post["dprime"] == post["dprime"]:
        dd, dc = post["dprime"] - pre["dprime"], post["bias"] - pre["bias"]
        if dd > 0.3:
            out.append(f"You got better at telling faithful reports from distorted ones (d′ up by {dd:.2f}).")
        elif dd < -0.3:
            out.append(f"You told faithful and distorted reports apart less well than before (d′ down by {-dd:.2f}).")
        else:
            out.append("Your discernment stayed about where it was.")
        if dc < -0.3:
            out.append("You now answer 'distorted' more readily. On its own that is not a better eye: calling everything "
                       "distorted catches every distortion and wrongly doubts every faithful report.")
        elif dc > 0.3:
            out.append("You now answer 'faithful' more readily than before.")
    gained = post["right"] - pre["right"]
    out.append(f"Your confidence: {_pct(pre['sure'])} sure and {_pct(pre['right'])} right before, {_pct(post['sure'])} sure "
               f"and {_pct(post['right'])} right after ({'+' if gained >= 0 else '−'}{abs(100 * gained):.0f} points right).")
    return out


class Results:
    """A learner's checkpoint results, in plain words and as a table (the HTML view)."""

    def __init__(self, scores, responses, message: str = "") -> None:
        self.scores, self.responses, self.message = scores, responses, message

    def _row(self, occasion: str) -> Mapping[str, Any] | None:
        if self.scores is None or self.scores.empty:
            return None
        found = self.scores[self.scores["occasion"] == occasion]
        return None if found.empty else found.iloc[0].to_dict()

    def sentences(self) -> list[str]:
        """The results as plain sentences."""
        if self.message:
            return [self.message]
        pre, post = self._row("pre"), self._row("post")
        out = []
        for name, row in (("Before the course", pre), ("After the course", post), ("Weeks later", self._row("later"))):
            if row is not None:
                out.append(f"{name} (form {row['form']}, {row['answered']} items): " + " ".join(_occasion_words(row)))
        if pre is None or post is None:
            missing = "before the course (module 00)" if pre is None else "after the course (module 07)"
            out.append(f"No checkpoint answers {missing} are saved in this workspace, so there is no before/after yet.")
        else:
            out += _change_words(pre, post)
            out.append("With eight reports each time, one or two answers move these numbers a lot: read them as a rough "
                       "picture, not a score.")
        return out

    def __repr__(self) -> str:
        return "\n".join(self.sentences())

    def _repr_html_(self) -> str:
        body = "".join(f"<p>{escape(s)}</p>" for s in self.sentences())
        if self.responses is not None and len(self.responses):
            rows = []
            for r in self.responses.sort_values(["occasion", "qid"]).itertuples():
                c = spec.content(r.item)
                right = spec.key_letter(r.item)
                label = f" ({c['distortion'].replace('_', ' ')})" if c["distortion"] else ""
                rows.append(f"<tr><th scope='row'>{escape(r.qid)}</th><td>{escape(r.item)}</td><td>{escape(str(r.letter))}"
                            f" ({r.sure:g}% sure)</td><td>{escape(right)}: {escape(c['answer'])}{escape(label)}</td>"
                            f"<td>{escape(c['why'])}</td></tr>")
            body += ("<details><summary>Each item: your answer and why the right one is right</summary><table>"
                     "<caption>Your checkpoint answers</caption><tr><th scope='col'>question</th><th scope='col'>item</th>"
                     "<th scope='col'>your answer</th><th scope='col'>right answer</th><th scope='col'>why</th></tr>"
                     + "".join(rows) + "</table></details>")
        return f"<div>{body}</div>"


def checkpoint_results() -> Results:
    """Your checkpoint before and after the course, in plain words (run it at the end of module 07).

    >>> checkpoint_results()
    No checkpoint answers are saved in this workspace yet: the checkpoint is in module 00 (before) and module 07 (after).
    """
    from course.checks import _progress

    if _progress.grading():  # nothing is scored in a grading kernel: that is the instructor's report
        return Results(None, None, "Your checkpoint results are shown in your own notebook, not while grading.")
    responses = _my_responses()
    if responses.empty:
        return Results(None, responses, "No checkpoint answers are saved in this workspace yet: the checkpoint is in "
                                        "module 00 (before) and module 07 (after).")
    return Results(score_frame(responses), responses)


def records_from(results: Iterable[Any]) -> list[dict[str, Any]]:
    """Plain records ``{"qid", "item", "letter", "sure"}`` from check results (their messages), for tests and tools."""
    from course.checks._kinds import parse_recorded

    out = []
    for r in results:
        got = parse_recorded(getattr(r, "message", ""))
        if got is not None:
            out.append({"qid": r.question, **got})
    return out
