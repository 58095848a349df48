"""The checkpoint: a short instrument taken before the course and again after it, in two parallel forms.

Each form has 13 items (about 12 minutes): eight **relays**, where a sourced original stands beside
a report of it that is either faithful or distorted in one of the ways the course data record
(``distortions.csv``, section G); four **numbers** items (is this comparison valid as it stands?
per 1,000 of what? what does a running total mean per year?); and one **transfer** item, a short
invented specimen written for the checkpoint (labelled synthetic) in a field the course never
touches. Every judgement carries a confidence rating.

Nothing here is typed in that the data can say: every quote is read from ``figures`` (its
``quote``, ``figure`` or ``source_title``) or from the compiler's ``row-notes`` and must occur there
verbatim; every distorted report is a documented case of ``distortions`` and carries its label;
every number is read from ``figure-values`` and every key of a numbers item is computed by
:mod:`course.numbers`. ``tests/test_checkpoint.py`` holds each item to that.

A learner's forms are drawn with the variant engine: every checkpoint question shares one
``variant_key``, so one seeded draw per learner (:func:`assignment`) decides which form they take
first (half the class A, half B, by a hash of their id) and the order of the items, and the
occasions agree: the form taken *after* the course is always the other one, so no item a learner
saw before comes back. A delayed retention test, if an instructor adds one, re-uses the form of the
pre-test weeks later. Without a learner id everyone shares the canonical variant (form A first).

A lesson hosts an occasion by adding its questions (``checkpoint_questions``), and its notebook
shows the items with ``checkpoint("pre")`` (:mod:`course.checkpoint`) and records them with one
``check`` call per item. The items carry no points unless the instructor sets
:data:`PARTICIPATION_POINTS` to 1: then the last item of each occasion earns one point for an
answer in the right form, whatever it says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

from course.checks._engine import Question
from course.checks._kinds import Judgement

__all__ = [
    "DISTORTED_LETTER", "FORMS", "ITEMS", "OCCASIONS", "PARTICIPATION_POINTS", "Item", "assignment", "checkpoint_questions", "content",
    "is_checkpoint", "key_letter", "occasion_of",
]

#: The instructor's choice: 0 (the checkpoint carries no points) or 1 (a participation point per
#: occasion, earned by answering its last item in the right form).
PARTICIPATION_POINTS = 0

#: When the checkpoint is taken, and the form each occasion uses ("first" is the learner's first form).
OCCASIONS = {"pre": "first", "post": "second", "later": "first"}
OCCASION_WORDS = {"pre": "before the course", "post": "after the course", "later": "weeks later"}
FORMS = ("A", "B")
VARIANT_KEY = "checkpoint"
VARIANT_VERSION = 1
_ID = re.compile(r"^(?P<module>\d\d)\.(?P<occasion>pre|post|later)(?P<slot>\d+)$")

RELAY_CHOICES = (
    "Faithful: the report keeps to what the source says",
    "Distorted: the report changes what the source says (the number, what is counted, the period or place, "
    "or how certain it is)",
)
#: The letter of "Distorted" among the relays' options (a "yes" in signal-detection terms).
DISTORTED_LETTER = chr(ord("A") + next(i for i, c in enumerate(RELAY_CHOICES) if c.startswith("Distorted")))
COMPARE_CHOICES = (
    "Yes: they count the same thing, the same way, over periods of similar length",
    "No: they count different things, or count in different ways, or over periods of different length",
)
TRANSFER_CHOICES = (
    "Nothing: the summary keeps to the report",
    "The number",
    "What is counted",
    "The period or place",
    "How certain it is",
)


@dataclass(frozen=True)
class Item:
    """One checkpoint item: its code (``A05``), form, type and how its content is built from the data."""

    code: str
    form: str
    type: str  # "relay", "numbers" or "transfer"
    build: Any = field(repr=False, compare=False)


# --- reading the data, verbatim ----------------------------------------------------------------------

def _load(name: str):
    from course.data import load

    return load(name)


@lru_cache(maxsize=1)
def _rows() -> Any:
    return _load("figures").set_index("id")


@lru_cache(maxsize=1)
def _notes() -> dict[str, str]:
    notes = _load("row-notes")
    return dict(zip(notes["row_id"], notes["note"]))


@lru_cache(maxsize=1)
def _cases() -> Any:
    return _load("distortions").set_index("case_id")


def _verbatim(row: str, field: str, literal: str | None = None) -> str:
    """A row's ``field`` (``quote``, ``figure``, ``source_title``; ``note`` for the compiler's note),
    or the ``literal`` part of it, which must occur there exactly."""
    text = _notes()[row] if field == "note" else str(_rows().loc[row, field])
    if literal is None:
        return text
    if literal not in text:
        raise LookupError(f"Checkpoint: {literal!r} is not in row {row}'s {field}; the data changed, so the item must.")
    return literal


def _who(row: str) -> dict[str, str]:
    r = _rows().loc[row]
    return {"row": row, "who": str(r["source_publisher"]), "when": str(r["source_date"])}


def _block(role: str, row: str, text: str, where: str, *, note: str = "") -> dict[str, Any]:
    return {"role": role, **_who(row), "where": where, "text": text, "note": note}


def _value(**where: Any) -> Any:
    from course.numbers import pick

    return pick(_load("figure-values"), **where)


def _n(x: float) -> str:
    return f"{x:,.0f}"


def _shuffled(code: str, options: list[str]) -> tuple[str, ...]:
    """Options in an order fixed per item but unrelated to which is right (so the key is not always first)."""
    import hashlib

    return tuple(sorted(options, key=lambda o: hashlib.sha256(f"{code}|{o}".encode()).hexdigest()))


# --- relays: a sourced original and a report of it -------------------------------------------------------

def _faithful(source: dict[str, Any], report: dict[str, Any], why: str) -> dict[str, Any]:
    return {"type": "relay", "blocks": [source, report], "choices": RELAY_CHOICES, "key": RELAY_CHOICES[0],
            "answer": "faithful", "distortion": "", "case": "", "why": why, "synthetic": False,
            "prompt": "Does the report keep to what the source says?"}


_WHERE = {"quote": "text", "source_title": "headline or web address", "figure": "figures as the course data record them"}


def _distorted(case_id: str, *, source_text: str | None = None, source_note: str = "", source_where: str | None = None) -> dict[str, Any]:
    """A documented distortion (a case of ``distortions.csv``): the whole quote or headline on each side, which
    must contain the case's verbatim claim; a figure column is given as ``source_text`` built from its numbers."""
    c = _cases().loc[case_id]

    def whole(row: str, fld: str, claim: str) -> str:
        text = _verbatim(row, fld)
        if claim not in text:
            raise LookupError(f"Checkpoint: case {case_id}'s claim {claim!r} is not in row {row}'s {fld}.")
        return text

    src = source_text or whole(c["original_row"], c["original_field"], str(c["original_claim"]))
    rep = whole(c["distorted_row"], c["distorted_field"], str(c["distorted_claim"]))
    return {"type": "relay", "choices": RELAY_CHOICES, "key": RELAY_CHOICES[1], "answer": "distorted",
            "distortion": str(c["distortion"]), "case": case_id, "why": str(c["explanation"]), "synthetic": False,
            "prompt": "Does the report keep to what the source says?",
            "blocks": [_block("source", c["original_row"], src, source_where or _WHERE[c["original_field"]],
                              note=source_note),
                       _block("report", c["distorted_row"], rep, _WHERE[c["distorted_field"]])]}


def _a01():  # the hedge kept: the same sentence of the UK update, with its "probably"
    return _faithful(_block("source", "C21", _verbatim("C21", "quote"), "text"),
                     _block("report", "G12", _verbatim("G12", "quote"), "text"),
                     "The report's text quotes the update with its hedge, 'probably' (its headline, case D14, does not).")


def _a02():  # the parts add up to the total the later report gives
    return _faithful(_block("source", "A21", _verbatim("A21", "quote"), "text"),
                     _block("report", "A25", _verbatim("A25", "quote"), "text"),
                     "9,059 + 627 + 339 = 10,025 cases, reported in June 2024: the later report keeps the number, what it "
                     "counts (cases) and its date.")


def _a03():  # "three times less": the ratio of the two counts is 3.0
    a, b = _value(row_id="E01", period_start="2024-01-01"), _value(row_id="E01", period_start="2023-01-01",
                                                                   period_end="2023-09-30")
    src = (f"Ukraine's Prosecutor General's figures (as the course data record them): {_n(a['value'])} criminal "
           f"proceedings for leaving a unit without permission (AWOL) registered in January–September 2024, and "
           f"{_n(b['value'])} in January–September 2023.")
    return _faithful(_block("source", "E01", src, "figures as the course data record them"),
                     _block("report", "E01", _verbatim("E01", "quote", "From January to September 2024, 35 307 criminal "
                            "proceedings were registered on AWOL, while from January to September 2023, there were "
                            "three times less such cases — 11 625."), "text"),
                     f"{_n(a['value'])} ÷ {_n(b['value'])} = {a['value'] / b['value']:.2f}: 'three times' is right, "
                     "for the same months of each year.")


def _a04():  # two reports of one date agree
    return _faithful(_block("source", "B03", _verbatim("B03", "quote"), "text"),
                     _block("report", "B02", _verbatim("B02", "quote", "The amendments were adopted on September 20 — "
                                                       "one day before mobilization was announced in Russia."), "text"),
                     "Both say the amendments were adopted on 20 September 2022, the day before mobilisation.")


def _b01():  # "many ... suspended sentences ... back to the front"
    return _faithful(
        _block("source", "A29", _verbatim("A29", "note", "Many service members—over a third of the known sentences under "
                                          "the AWOL article—receive suspended sentences, which allows them to be sent "
                                          "back to the front."), "text (quoted in the course data's notes)"),
        _block("report", "C20", _verbatim("C20", "quote", "Many of the soldiers who have been tracked down and appear in "
                                          "military court are given suspended sentences, returned to their units and to "
                                          "the frontlines."), "text"),
        "Both say many of those sentenced get suspended sentences and go back to the front; the report claims no more.")


def _b02():  # the summary sentence of a report matches its own figures
    awol, desertion = _value(row_id="E05", value=218282.0), _value(row_id="E05", value=52075.0)
    court = _value(row_id="E05", value=13625.0)["value"] + _value(row_id="E05", value=696.0)["value"]
    total = awol["value"] + desertion["value"]
    src = (f"The figures in the same report, from the Prosecutor General's reply (January 2022 to August 2025): "
           f"{_n(awol['value'])} proceedings for leaving a unit without permission and {_n(desertion['value'])} for "
           f"desertion; {_n(court)} of them sent to court.")
    return _faithful(_block("source", "E05", src, "figures as the course data record them"),
                     _block("report", "E05", _verbatim("E05", "quote"), "summary sentence"),
                     f"{_n(awol['value'])} + {_n(desertion['value'])} = {_n(total)}, more than 270,000; {_n(court)} ÷ "
                     f"{_n(total)} = {court / total:.1%}, about 5%.")


def _b03():  # "almost twice": 10,308 / 5,517 = 1.87
    new, old = _value(row_id="A22", period_start="2024-01-01"), _value(row_id="A22", period_start="2023-01-01")
    src = (f"Mediazona's counts (as the course data record them): {_n(new['value'])} cases of refusal to serve "
           f"handled by Russian military courts in 2024, and {_n(old['value'])} in 2023.")
    return _faithful(_block("source", "A22", src, "figures as the course data record them"),
                     _block("report", "A22", _verbatim("A22", "quote"), "text"),
                     f"{_n(new['value'])} ÷ {_n(old['value'])} = {new['value'] / old['value']:.2f}: 'almost twice' is right.")


def _b04():  # "twice" and "three times" against the yearly counts
    return _faithful(
        _block("source", "A09", _verbatim("A09", "quote", "That compares with 1,001 cases received by the courts in 2022 "
                                          "and 615 in 2021, the news site said."), "text"),
        _block("report", "A05", _verbatim("A05", "quote"), "text"),
        f"2,076 ÷ 1,001 = {2076 / 1001:.1f} and 2,076 ÷ 615 = {2076 / 615:.1f}: 'twice' and 'three times' hold for "
        "the same kind of count (AWOL cases received by the courts).")


def _a05():
    return _distorted("D01")


def _a06():
    return _distorted("D02")


def _a07():
    translation = _verbatim("C08", "note", "In the nine months from November 2024 to July 2025, over 25,000 soldiers and "
                            "officers of Russia's Central Military District voluntarily left their units, Ukraine's Main "
                            "Intelligence Directorate (HUR) reported.")
    return _distorted("D07", source_text=translation, source_where="text",
                      source_note="Translated from Bulgarian (the compiler's translation in the course data).")


def _a08():
    return _distorted("D10")


def _b05():
    return _distorted("D03")


def _b06():
    return _distorted("D05")


def _b07():
    text = " ".join([_verbatim("A25", "note", "Of these, 18,159 were cases of soldiers going AWOL, 1,369 cases of failure "
                                              "to comply with an order, and 1,010 cases of desertion."),
                     _verbatim("A25", "note", "According to Mediazona, 17,721 of the accused have already been sentenced.")])
    return _distorted("D09", source_text=text, source_where="text (quoted in the course data's notes)")


def _b08():
    awol = _value(row_id="E06", period_start="2025-01-01", article="407", measure="registered_proceedings")
    desertion = _value(row_id="E06", period_start="2025-01-01", article="408")
    text = (f"Ukraine's Prosecutor General's figures, reported by NV: {_n(awol['value'])} proceedings for leaving a "
            f"unit without permission (AWOL) and about {_n(desertion['value'])} for desertion, registered in "
            "January–October 2025.")
    return _distorted("D18", source_text=text, source_where="figures as the course data record them")


# --- numbers: comparisons, rates and running totals --------------------------------------------------------

def _describe(row: Any, what: str) -> str:
    r = _rows().loc[row["row_id"]]
    return f"{r['source_publisher']} ({r['source_date']}): {what}"


def _compare(a: Any, b: Any, what_a: str, what_b: str) -> dict[str, Any]:
    from course.numbers import comparison_problems

    problems = comparison_problems(a, b)
    return {"type": "numbers", "prompt": "Can these two numbers be compared directly, as they stand?",
            "blocks": [_figure(a["row_id"], what_a), _figure(b["row_id"], what_b)],
            "choices": COMPARE_CHOICES, "key": COMPARE_CHOICES[1] if problems else COMPARE_CHOICES[0],
            "answer": "not comparable" if problems else "comparable", "distortion": "", "case": "",
            "why": "; ".join(problems) or "Same measure, same basis, same country and article, periods of the same length.",
            "synthetic": False}


def _a09():
    a = _value(row_id="A13", period_start="2021-01-01")
    b = _value(row_id="A13", period_start="2022-01-01")
    return _compare(a, b, f"Russian military courts considered about {_n(a['value'])} cases of leaving a unit without "
                          "permission (AWOL, Art. 337) in 2021, from the Supreme Court's Judicial Department data.",
                    f"The same source: about {_n(b['value'])} such cases considered in 2022.")


def _a10():
    a = _value(row_id="A22", period_start="2024-01-01")
    b = _value(row_id="E04", period_start="2024-01-01")
    return _compare(a, b, f"Russian military courts handled {_n(a['value'])} cases of refusal to serve in 2024 "
                          "(Mediazona's count).",
                    f"Ukraine registered {_n(b['value'])} criminal proceedings for leaving a unit without permission "
                    "(Art. 407) in 2024 (the Prosecutor General's figures).")


def _b09():
    a = _value(row_id="E02", period_start="2022-01-01", period_end="2022-12-31")
    b = _value(row_id="E02", period_start="2023-01-01", period_end="2023-12-31")
    return _compare(a, b, f"Ukraine registered {_n(a['value'])} criminal proceedings for desertion (Art. 408) in 2022 "
                          "(the Prosecutor General's figures).",
                    f"The same source: {_n(b['value'])} desertion proceedings registered in 2023.")


def _b10():
    a = _value(row_id="C03")
    b = _value(row_id="A23", article="all")
    return _compare(a, b, f"At least {_n(a['value'])} Russian servicemen were put on wanted lists on suspicion of "
                          "desertion or AWOL during the war (IStories' check of two leaked lists, to December 2024).",
                    f"Russian military courts received almost {_n(b['value'])} criminal cases for refusal to serve "
                    "from the full-scale invasion to 27 December 2024 (Mediazona's count).")


_PER_1000 = {
    "court_cases_received": "Court cases",
    "registered_proceedings": "Criminal proceedings registered",
    "people": "Soldiers who left",
    "sentences": "Sentences",
}


def _per_1000(code: str, count_row: Any, denominator: float, denominator_words: str, rate_words: str, *,
              blocks: list[dict[str, Any]]) -> dict[str, Any]:
    from course.numbers import per_thousand

    rate = per_thousand(count_row["value"], denominator)
    numerator = _PER_1000[count_row["measure"]]
    options = [f"{numerator} per 1,000 {denominator_words}",
               f"Soldiers who left per 1,000 {denominator_words}" if numerator != _PER_1000["people"]
               else f"Court cases per 1,000 {denominator_words}",
               f"{numerator} per 1,000 soldiers deployed in the war zone",
               f"Sentences per 1,000 {denominator_words}" if numerator != _PER_1000["sentences"]
               else f"Convictions per 1,000 {denominator_words}"]
    return {"type": "numbers", "prompt": f"{rate_words.format(rate=rate)} Per 1,000 of what?", "blocks": blocks,
            "choices": _shuffled(code, options), "key": options[0], "answer": options[0], "distortion": "", "case": "",
            "why": f"The count is of {count_row['measure'].replace('_', ' ')}, not of people who left; the denominator "
                   f"is {denominator_words}.", "synthetic": False}


def _figure(row: str, text: str) -> dict[str, Any]:
    return {"role": "figure", **_who(row), "where": "figure", "text": text, "note": ""}


def _a11():
    from course.numbers import denominators

    count = _value(row_id="A22", period_start="2024-01-01")
    d = denominators(_load("figure-values"), 2024).set_index("denominator").loc["authorised strength"]
    return _per_1000("A11", count, d["value"], "servicemen Russia's decree authorises",
                     f"Suppose someone divides Mediazona's {_n(count['value'])} court cases for 2024 by {_n(d['value'])}, "
                     "the number of servicemen the decree in force for most of 2024 authorises, and writes 'about "
                     "{rate:.1f} per 1,000'.",
                     blocks=[_figure("A22", f"{_n(count['value'])} cases of refusal to serve handled by Russian military "
                                            "courts in 2024."),
                             _figure(d["row_id"], f"The Russian armed forces' authorised strength under the decree in "
                                                  f"force for most of 2024: {_n(d['value'])} servicemen.")])


def _b11():
    count = _value(row_id="E03", basis="cumulative")
    troops_text = _verbatim("E03", "note", "880 thousand")
    troops = float(re.sub(r"\D", "", troops_text)) * 1000
    return _per_1000("B11", count, troops, "servicemen in the army's announced strength",
                     f"Deutsche Welle divided the {_n(count['value'])} criminal cases Ukraine registered for leaving "
                     "the army (January 2022 to June 2024) by the 880,000 servicemen President Zelensky announced, and "
                     "wrote that 'almost every 14th serviceman fled from the army': about {rate:.0f} per 1,000.",
                     blocks=[_figure("E03", f"{_n(count['value'])} criminal proceedings registered from January 2022 to "
                                            f"June 2024; the army's strength, as President Zelensky announced it: "
                                            f"{troops_text} servicemen.")])


def _per_year_item(code: str, row: Any, what: str) -> dict[str, Any]:
    from course.numbers import per_year, round_sig

    right = round_sig(per_year(row["value"], row["period_start"], row["period_end"]), 2)
    whole_years = int(str(row["period_end"])[:4]) - int(str(row["period_start"])[:4])
    calendar = round_sig(row["value"] / whole_years, 2)
    options = [f"About {_n(right)}", f"About {_n(calendar)}", f"{_n(row['value'])}"]
    return {"type": "numbers", "prompt": "About how many is that per year, on average?",
            "blocks": [_figure(row["row_id"], what)],
            "choices": _shuffled(code, options), "key": options[0], "answer": options[0], "distortion": "", "case": "",
            "why": f"The total covers {row['period_start']} to {row['period_end']}: divide by the length of that period "
                   f"in years, not by the difference of the years' numbers ({whole_years}), and not by one.",
            "synthetic": False}


def _a12():
    row = _value(row_id="E06", basis="cumulative", article="407+408")
    return _per_year_item("A12", row, f"Ukraine's Prosecutor General registered {_n(row['value'])} criminal proceedings for "
                               "leaving a unit without permission and for desertion from 24 February 2022 to 31 October "
                               "2025 (a running total).")


def _b12():
    row = _value(row_id="E04", basis="cumulative")
    return _per_year_item("B12", row, f"Ukraine registered {_n(row['value'])} criminal proceedings for leaving a unit without "
                               "permission (Art. 407) from January 2022 to July 2025 (a running total).")


# --- transfer: a specimen written for the checkpoint -------------------------------------------------------

def _transfer(report: str, summary: str, key: str, why: str) -> dict[str, Any]:
    label = "Written for this checkpoint: an invented report and summary (synthetic), not real reporting."
    return {"type": "transfer", "prompt": "What, if anything, changed between the report and the summary?",
            "blocks": [{"role": "source", "row": "", "who": "An invented report", "when": "", "where": "text",
                        "text": report, "note": label},
                       {"role": "report", "row": "", "who": "An invented summary of it", "when": "", "where": "headline",
                        "text": summary, "note": label}],
            "choices": TRANSFER_CHOICES, "key": key, "answer": key, "distortion": "", "case": "", "why": why,
            "synthetic": True}


def _a13():
    return _transfer(
        "In the twelve months to June, the regional health office's helpline took 4,800 calls from people who thought "
        "they might have food poisoning. Laboratory tests confirmed 310 cases.",
        "4,800 people got food poisoning in the past year, says the regional health office.",
        "What is counted",
        "Calls to a helpline became people who got food poisoning: requests reported as outcomes (310 were confirmed).")


def _b13():
    return _transfer(
        "The river authority said the new flood barrier had probably reduced damage in the old town during the March "
        "floods.",
        "New flood barrier reduced damage in the old town during the March floods, river authority says.",
        "How certain it is",
        "The authority's 'probably' is gone: the summary states as fact what the report gave as likely (a dropped hedge).")


_BUILD = {
    "A01": ("relay", _a01), "A02": ("relay", _a02), "A03": ("relay", _a03), "A04": ("relay", _a04),
    "A05": ("relay", _a05), "A06": ("relay", _a06), "A07": ("relay", _a07), "A08": ("relay", _a08),
    "A09": ("numbers", _a09), "A10": ("numbers", _a10), "A11": ("numbers", _a11), "A12": ("numbers", _a12),
    "A13": ("transfer", _a13),
    "B01": ("relay", _b01), "B02": ("relay", _b02), "B03": ("relay", _b03), "B04": ("relay", _b04),
    "B05": ("relay", _b05), "B06": ("relay", _b06), "B07": ("relay", _b07), "B08": ("relay", _b08),
    "B09": ("numbers", _b09), "B10": ("numbers", _b10), "B11": ("numbers", _b11), "B12": ("numbers", _b12),
    "B13": ("transfer", _b13),
}

#: Every item, by code; the last item of each form is its transfer item.
ITEMS: dict[str, Item] = {code: Item(code, code[0], kind, build) for code, (kind, build) in _BUILD.items()}


@lru_cache(maxsize=None)
def content(code: str) -> dict[str, Any]:
    """An item's content, built from the data: prompt, blocks (source and report, each with who and when),
    choices, the key (the right option), ``answer`` in words, the distortion label and case where there is one,
    ``why`` (for the instructor and the learner's results), and whether it is synthetic."""
    try:
        item = ITEMS[code]
    except KeyError:
        raise LookupError(f"There is no checkpoint item {code!r}; items are {', '.join(ITEMS)}.") from None
    return {"code": code, "form": item.form, **item.build()}


def key_letter(code: str) -> str:
    """The letter of an item's right option, as learners see the options."""
    c = content(code)
    return chr(ord("A") + list(c["choices"]).index(c["key"]))


def form_items(form: str) -> list[str]:
    """The codes of one form's items, in their canonical order (the transfer item last)."""
    return [code for code in ITEMS if code[0] == form]


# --- who takes which form, in which order ------------------------------------------------------------------

def _draw(rng) -> dict[str, Any]:
    """One learner's draw: which form comes first and each form's item order (transfer last)."""
    first = FORMS[int(rng.integers(len(FORMS)))]
    orders = {}
    for form in FORMS:
        codes = form_items(form)
        movable, last = codes[:-1], codes[-1]
        orders[form] = [movable[i] for i in rng.permutation(len(movable))] + [last]
    return {"first": first, "orders": orders}


def _form_for(occasion: str, first: str) -> str:
    return first if OCCASIONS[occasion] == "first" else next(f for f in FORMS if f != first)


def assignment(learner: str | None) -> dict[str, Any]:
    """A learner's checkpoint: ``{"first": "A" or "B", occasion: [item codes in order], ...}``.

    The same draw :func:`checkpoint_questions` gives each question, made once (one seed per learner).
    """
    from course.checks import SHARED, variant_seed

    if learner in (None, SHARED):
        draw = {"first": FORMS[0], "orders": {f: form_items(f) for f in FORMS}}
    else:
        import numpy as np

        draw = _draw(np.random.default_rng(variant_seed(learner, VARIANT_KEY, VARIANT_VERSION)))
    return {"first": draw["first"], **{o: list(draw["orders"][_form_for(o, draw["first"])]) for o in OCCASIONS}}


def _variant(occasion: str, slot: int, rng) -> dict[str, str]:
    draw = _draw(rng)
    return {"item": draw["orders"][_form_for(occasion, draw["first"])][slot - 1]}


def _canonical(occasion: str, slot: int) -> dict[str, str]:
    return {"item": form_items(_form_for(occasion, FORMS[0]))[slot - 1]}


def _options(params: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(content(params["item"])["choices"])


def _key(params: Mapping[str, Any]) -> str:
    return content(params["item"])["key"]


def checkpoint_questions(occasion: str, module: str, *, participation_points: int | None = None) -> tuple[Question, ...]:
    """The questions of one occasion (``"pre"``, ``"post"`` or ``"later"``) hosted by lesson ``module``.

    A lesson adds them to its ``QUESTIONS``; their ids are ``<module>.<occasion><n>`` (``00.pre1`` …
    ``00.pre13``) and each records a judgement with its confidence (:class:`~course.checks._kinds.Judgement`).
    """
    if occasion not in OCCASIONS:
        raise ValueError(f"The checkpoint's occasions are {', '.join(OCCASIONS)}; got {occasion!r}.")
    points = PARTICIPATION_POINTS if participation_points is None else participation_points
    if points not in (0, 1):
        raise ValueError(f"The checkpoint's participation points are 0 or 1; got {points!r}.")
    n = len(form_items(FORMS[0]))
    out = []
    for slot in range(1, n + 1):
        last = slot == n
        out.append(Question(
            id=f"{module}.{occasion}{slot}",
            prompt=f"Checkpoint ({OCCASION_WORDS[occasion]}), item {slot} of {n}",
            kind=Judgement(options=_options, participation=bool(points) and last),
            expected=_key,
            points=points if last else 0,
            canonical=partial(_canonical, occasion, slot),
            variant=partial(_variant, occasion, slot),
            variant_key=VARIANT_KEY,
            variant_version=VARIANT_VERSION,
            why="The checkpoint measures where you start and how far you come; it is not marked.",
        ))
    return tuple(out)


def is_checkpoint(qid: str) -> bool:
    """Whether a question id is a checkpoint item (``00.pre3``, ``07.post12``)."""
    return bool(_ID.match(qid))


def occasion_of(qid: str) -> tuple[str, int] | None:
    """``(occasion, slot)`` of a checkpoint question id, or None."""
    m = _ID.match(qid)
    return (m.group("occasion"), int(m.group("slot"))) if m else None
