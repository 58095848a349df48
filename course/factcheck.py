"""Write a fact-check: one verdict per claim, each backed by rows of the course's sourced figures.

A :class:`FactCheck` is a title and a list of :class:`Verdict` objects. Each verdict names a
claim (a sentence label of the article such as ``"S3.4"``, or a part of one such as
``"S2.10a"``), gives a verdict from :data:`VERDICTS`, cites the evidence rows it rests on (ids of
``load("figures")``) and justifies itself in a paragraph. :func:`validate` lists what is still
wrong, in words that say what to do next; :meth:`FactCheck.save` writes a standalone web page or
a Markdown file that cites every evidence row with its publisher, date, address and confidence.
:func:`preview` does both in a temporary folder and shows the result, leaving nothing behind.
:data:`INVENTED_EXAMPLE` is a synthetic one-sided paragraph about Ukraine's desertions for
practising the same method on the other side's figures.

A learner writes one short line per verdict:

>>> fc = factcheck(
...     "What the sources say",
...     verdict("S2.10b", "partly supported", ["B06", "C14"],
...             "B06 says contracts 'essentially became indefinite' in September 2022: that is about discharge, "
...             "not leave. C14, a low-confidence copy, quotes an activist saying leave is very hard to get. "
...             "No row counts leave refused, so 'lack of leave' is only partly shown.",
...             claim="lack of leave"),
... )
>>> fc
FactCheck('What the sources say': 1 verdict — 1 partly supported)
>>> fc.validate()
[]
>>> validate(fc, min_verdicts=5)[0]
'The fact-check has 1 verdict; this exercise asks for at least 5: add verdicts for more of the major claims.'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path
from typing import Any

__all__ = [
    "CONFIDENCE",
    "MIN_JUSTIFICATION_WORDS",
    "QUOTATION_SECTION",
    "VERDICTS",
    "INVENTED_EXAMPLE",
    "FactCheck",
    "Verdict",
    "claims_from_text",
    "confidence_label",
    "invented_claims",
    "factcheck",
    "show",
    "validate",
    "verdict",
]

#: What a cell prints when the fact-check it needs is still the starter ``...``.
NOT_STARTED = ("Nothing to validate yet: build your fact-check with factcheck(...) in the cell above, "
               "then run this cell again.")

#: The verdict vocabulary and what each verdict means. Every verdict, even "cannot be checked",
#: cites the rows that were looked at.
VERDICTS: Mapping[str, str] = {
    "supported": "Rows of at least medium confidence show what the claim says.",
    "partly supported": "Rows show part of the claim, or show it only for some times or places, or only at low confidence.",
    "unsupported": "The rows that address the claim do not show it, or show the opposite.",
    "misleading": "Something in the claim is real, but the wording leads a reader to a wrong conclusion "
                  "(a count relabelled, periods or countries compared that cannot be compared).",
    "cannot be checked": "No row addresses the claim, or it is a judgement that no data can settle.",
}

#: What the compiler's confidence grades mean (see the figures' notes, ``load("figures-notes")``).
CONFIDENCE: Mapping[str, str] = {
    "high": "read on the producer's own page",
    "medium": "a secondary report",
    "low": "a copy, mirror, aggregator or snippet",
}

#: The section of the sourced figures (rows G01–G24: distortions, fact-checks, guides) where a
#: confidence grade says how sure the compiler is of the *quotation*, not whether the claim is true.
QUOTATION_SECTION = "G"


def confidence_label(row_id: str, grade: str) -> str:
    """A row's confidence grade in words, saying for section G rows that it grades the quotation, not the claim.

    A distortion read on its own page is "high confidence" because the quote is certain, which must
    never read as the claim being reliable.

    >>> confidence_label("A22", "high")
    'high confidence'
    >>> confidence_label("G01", "high")
    'high confidence in the quotation, not the claim'
    """
    label = f"{grade or 'unknown'} confidence"
    return f"{label} in the quotation, not the claim" if str(row_id).startswith(QUOTATION_SECTION) else label

#: An invented, one-sided paragraph about the other side's desertions (synthetic: no outlet published
#: it), for practising the same method on Ukraine's figures. It imitates the form of real relays
#: (compare rows G18 and E11 of ``load("figures")``): a rhetorical opener, a relabelled yearly count,
#: a running total and a comparison across countries.
INVENTED_EXAMPLE = (
    "Ukraine's army is melting away. In 2023 alone, 17,658 Ukrainian soldiers deserted. "
    "Ukraine's prosecutors have registered more than 250,000 desertion and AWOL proceedings since the "
    "full-scale invasion. That is more than ten times the Russian figure, which proves that desertion is "
    "a far bigger problem for Kyiv than for Moscow."
)

#: A justification is a paragraph: what the rows show, what they do not, how far to trust them.
MIN_JUSTIFICATION_WORDS = 15

_PART = re.compile(r"^(?P<base>.+?)(?P<part>[a-z])?$")
_ROW_SPLIT = re.compile(r"[\s,;]+")
_COLOURS = {  # Okabe–Ito; the verdict word carries the meaning, colour only supports it
    "supported": "#0072B2",
    "partly supported": "#56B4E9",
    "unsupported": "#D55E00",
    "misleading": "#E69F00",
    "cannot be checked": "#777777",
}


def _rows(evidence: Any) -> tuple[str, ...]:
    if evidence is None:
        return ()
    if isinstance(evidence, str):
        return tuple(r.upper() for r in _ROW_SPLIT.split(evidence.strip()) if r)
    if isinstance(evidence, Iterable):
        return tuple(str(r).strip().upper() for r in evidence)
    return (str(evidence).strip().upper(),)


@dataclass(frozen=True)
class Verdict:
    """One claim's verdict: the claim, the verdict word, the evidence rows and a justification.

    ``evidence`` may be a list of row ids or one string such as ``"A09, A22"``; it is stored as a
    tuple of upper-case ids (``"a09"`` is row ``"A09"``). Nothing is rejected here: :meth:`FactCheck.validate` says what to fix.

    >>> v = Verdict("S3.4", "potentially thousands of soldiers", "supported", ["A22"], "…")
    >>> v.evidence
    ('A22',)
    """

    claim_id: str
    claim: str
    verdict: str
    evidence: tuple[str, ...] = ()
    justification: str = ""

    def __post_init__(self) -> None:
        for name in ("claim_id", "claim", "verdict", "evidence", "justification"):
            if getattr(self, name) is Ellipsis:  # a starter placeholder left in place counts as missing
                object.__setattr__(self, name, None)
        object.__setattr__(self, "claim_id", "" if self.claim_id is None else str(self.claim_id).strip())
        object.__setattr__(self, "claim", "" if self.claim is None else str(self.claim).strip())
        object.__setattr__(self, "verdict", self.verdict.strip().lower() if isinstance(self.verdict, str) else self.verdict)
        object.__setattr__(self, "evidence", _rows(self.evidence))
        object.__setattr__(self, "justification", "" if self.justification is None else str(self.justification).strip())

    def __repr__(self) -> str:
        """The verdict as a reader sees it: claim, verdict, evidence rows, then the justification.

        >>> Verdict("S3.4", "", "supported", "A22", "Court counts reach thousands.")
        S3.4 — supported — evidence: A22
          Court counts reach thousands.
        """
        head = " — ".join(x for x in (self.claim_id, self.verdict or "no verdict",
                                       f"evidence: {', '.join(self.evidence) or 'none'}") if x)
        lines = [head] + ([f"  claim: {self.claim}"] if self.claim else [])
        lines += [f"  {line}" for line in _wrap(self.justification or "(no justification yet)")]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        claim = f"<blockquote>{escape(self.claim)}</blockquote>" if self.claim else ""
        return (f"<div><b>{escape(self.claim_id)}</b> {_badge(self.verdict or 'no verdict')} "
                f"<small>evidence: {escape(', '.join(self.evidence) or 'none')}</small>{claim}"
                f"<p>{escape(self.justification) or '<i>(no justification yet)</i>'}</p></div>")


def verdict(claim_id: str, verdict: str, evidence: Any, justification: str = "", *, claim: str | None = None) -> Verdict:
    """One verdict in one short line; the claim's text is filled in from its sentence when omitted.

    >>> verdict("S3.18", "cannot be checked", "B06 A29", "…").evidence
    ('B06', 'A29')
    """
    return Verdict(claim_id, claim or "", verdict, evidence, justification)


def _article_claims() -> dict[str, str]:
    from course.article import article

    return {s.id: s.text for s in article().sentences}


def _figures():
    from course.data import load

    return load("figures").set_index("id")


def claims_from_text(text: str, prefix: str = "P") -> dict[str, str]:
    """Label each sentence of a paragraph ``P1``, ``P2``… so a fact-check can cite it.

    >>> claims_from_text("It rose. It fell.")
    {'P1': 'It rose.', 'P2': 'It fell.'}
    """
    from course.article import split_sentences

    return {f"{prefix}{i}": s for i, s in enumerate(split_sentences(text), start=1)}


def invented_claims() -> dict[str, str]:
    """The sentences of :data:`INVENTED_EXAMPLE` (synthetic), labelled P1, P2, …

    >>> list(invented_claims())
    ['P1', 'P2', 'P3', 'P4']
    """
    return claims_from_text(INVENTED_EXAMPLE)


@dataclass(frozen=True)
class FactCheck:
    """A titled list of verdicts about a set of claims (by default, the course article's sentences).

    ``claims`` maps claim ids to their text; leave it out to fact-check the article, whose
    sentences are labelled ``S<section>.<position>``. ``subject`` says what is being checked.
    """

    title: str
    verdicts: tuple[Verdict, ...] = ()
    claims: Mapping[str, str] | None = field(default=None, repr=False)
    subject: str = ""

    def __post_init__(self) -> None:
        items = tuple(v if isinstance(v, Verdict) else verdict(*v) for v in self.verdicts)
        known = self.claim_texts()
        filled = []
        for v in items:
            if not v.claim:
                base = _base(v.claim_id, known)
                if base in known:
                    v = replace(v, claim=known[base])
            filled.append(v)
        object.__setattr__(self, "verdicts", tuple(filled))
        if not self.subject:
            object.__setattr__(self, "subject", self._default_subject())

    # --- the claims being checked ------------------------------------------------------------------

    def claim_texts(self) -> dict[str, str]:
        """Claim id → text: the ``claims`` given, or every sentence of the article."""
        return dict(self.claims) if self.claims is not None else _article_claims()

    def _default_subject(self) -> str:
        if self.claims is not None:
            return "the claims listed with it"
        from course.article import article

        return f"the article “{article().title}” (no author, date, outlet or source given)"

    def add(self, claim_id: str, verdict: str, evidence: Any, justification: str = "", *,
            claim: str | None = None) -> FactCheck:
        """A new fact-check with one more verdict (this one is left unchanged)."""
        new = Verdict(claim_id, claim or "", verdict, evidence, justification)
        return replace(self, verdicts=self.verdicts + (new,))

    def __iter__(self):
        return iter(self.verdicts)

    def __len__(self) -> int:
        return len(self.verdicts)

    # --- validation ----------------------------------------------------------------------------------

    def validate(self, *, min_verdicts: int = 1, max_verdicts: int | None = None,
                 cover: Iterable[str] = ()) -> list[str]:
        """Every problem with this fact-check, each saying which verdict and what to do; ``[]`` if none.

        Checks: a title; between ``min_verdicts`` and ``max_verdicts`` verdicts; a verdict from
        :data:`VERDICTS`; claim ids that exist (an optional letter marks part of a sentence:
        ``S2.10a``) and are checked once; at least one evidence row per verdict, each a row id of
        ``load("figures")``; a justification of at least :data:`MIN_JUSTIFICATION_WORDS` words;
        and a verdict on every claim id in ``cover``.
        """
        found: list[str] = []
        if not isinstance(self.title, str) or not self.title.strip():
            found.append("The fact-check has no title: give factcheck(...) a title as its first argument.")
        n = len(self.verdicts)
        if n < min_verdicts:
            found.append(f"The fact-check has {n} verdict{'s' if n != 1 else ''}; this exercise asks for at least "
                         f"{min_verdicts}: add verdicts for more of the major claims.")
        if max_verdicts is not None and n > max_verdicts:
            found.append(f"The fact-check has {n} verdicts; this exercise asks for at most {max_verdicts}: keep the "
                         "major claims and check a repeated claim once.")
        known = self.claim_texts()
        rows = _figures()
        seen: dict[str, int] = {}
        for i, v in enumerate(self.verdicts, start=1):
            where = f"Verdict {i} ({v.claim_id or 'no claim id'})"
            found.extend(self._claim_problems(i, v, known, seen, article=self.claims is None))
            if not v.verdict:
                found.append(f"{where} has no verdict: choose one of {', '.join(VERDICTS)}.")
            elif v.verdict not in VERDICTS:
                close = difflib.get_close_matches(str(v.verdict), VERDICTS, n=1, cutoff=0.5)
                hint = f" Did you mean “{close[0]}”?" if close else ""
                found.append(f"{where}: “{v.verdict}” is not a verdict.{hint} Use one of: {', '.join(VERDICTS)}.")
            if not v.evidence:
                found.append(f"{where} cites no evidence: add at least one row id of load(\"figures\"), the rows you "
                             "looked at. Every verdict needs one, even “cannot be checked”.")
            for row in sorted({r for r in v.evidence if v.evidence.count(r) > 1}):
                found.append(f"{where} cites “{row}” more than once: list each row once.")
            for row in dict.fromkeys(v.evidence):
                if row not in rows.index:
                    close = difflib.get_close_matches(row.upper(), list(rows.index), n=1, cutoff=0.6)
                    hint = f" Did you mean “{close[0]}”?" if close else ""
                    found.append(f"{where} cites “{row}”, which is not a row of load(\"figures\").{hint} "
                                 "Row ids look like “A09”.")
            words = len(v.justification.split())
            if words == 0:
                found.append(f"{where} has no justification: write a paragraph on what the rows show, what they do "
                             "not show and how far to trust them.")
            elif words < MIN_JUSTIFICATION_WORDS:
                found.append(f"{where}: the justification has {words} words; write at least "
                             f"{MIN_JUSTIFICATION_WORDS}: what the rows show, what they do not, and how far to trust them.")
        for claim_id in cover:
            if claim_id not in seen and not any(_base(c, known) == claim_id for c in seen):
                found.append(f"No verdict on {claim_id}: add a verdict(\"{claim_id}\", ...) for it (a part such as "
                             f"{claim_id}a counts).")
        return found

    @staticmethod
    def _claim_problems(i: int, v: Verdict, known: Mapping[str, str], seen: dict[str, int], *,
                        article: bool) -> list[str]:
        found = []
        if not v.claim_id:
            return [f"Verdict {i} has no claim id: use a sentence label such as “S3.4”."]
        if _base(v.claim_id, known) not in known:
            close = difflib.get_close_matches(v.claim_id, known, n=1, cutoff=0.6)
            hint = f" Did you mean “{close[0]}”?" if close else ""
            sample = ", ".join(list(known)[:3])
            where = ("use a sentence label of the article: article().table() lists them" if article else
                     "use one of the labels passed as claims=..., or leave claims out to check the article")
            found.append(f"Verdict {i}: “{v.claim_id}” is not one of the claims being checked ({sample}, …).{hint} "
                         f"{where[0].upper()}{where[1:]}.")
        if v.claim_id in seen:
            found.append(f"Verdicts {seen[v.claim_id]} and {i} are both about {v.claim_id}: check each claim once, or "
                         f"split a sentence into parts such as {v.claim_id}a and {v.claim_id}b.")
        else:
            seen[v.claim_id] = i
        return found

    # --- plain form (what the grader reads back) -----------------------------------------------------

    def to_plain(self) -> dict[str, Any]:
        """The fact-check as plain JSON-ready data, so a grader can rebuild and re-validate it.

        >>> fc = factcheck("T", verdict("S3.4", "supported", "A22", "…"))
        >>> FactCheck.from_plain(fc.to_plain()) == fc
        True
        """
        return {"factcheck": {
            "title": self.title,
            "subject": self.subject,
            "claims": None if self.claims is None else dict(self.claims),
            "verdicts": [{"claim_id": v.claim_id, "claim": v.claim, "verdict": v.verdict,
                          "evidence": list(v.evidence), "justification": v.justification} for v in self.verdicts],
        }}

    @classmethod
    def from_plain(cls, plain: Mapping[str, Any]) -> FactCheck:
        """Rebuild a fact-check from :meth:`to_plain`'s output; a ``ValueError`` says what is malformed."""
        try:
            body = plain["factcheck"]
            verdicts = tuple(Verdict(v["claim_id"], v.get("claim", ""), v["verdict"], v.get("evidence", ()),
                                     v.get("justification", "")) for v in body["verdicts"])
            return cls(body["title"], verdicts, claims=body.get("claims"), subject=body.get("subject", ""))
        except (KeyError, TypeError, AttributeError) as e:
            raise ValueError(f"Not a fact-check in plain form ({type(e).__name__}: {e}).") from None

    # --- output --------------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """How many verdicts of each kind, in the vocabulary's order."""
        return {k: n for k in VERDICTS if (n := sum(v.verdict == k for v in self.verdicts))}

    def table(self):
        """One row per verdict (a pandas DataFrame): claim_id, verdict, evidence, claim."""
        import pandas as pd

        return pd.DataFrame({
            "claim_id": [v.claim_id for v in self.verdicts],
            "verdict": [v.verdict for v in self.verdicts],
            "evidence": [", ".join(v.evidence) for v in self.verdicts],
            "claim": [v.claim for v in self.verdicts],
        })

    def _evidence(self) -> dict[str, dict[str, str]]:
        rows = _figures()
        wanted = {r for v in self.verdicts for r in v.evidence}
        return {r: {k: "" if _missing(rows.at[r, k]) else str(rows.at[r, k]) for k in rows.columns}
                for r in wanted if r in rows.index}

    def to_markdown(self) -> str:
        """The fact-check as Markdown: a summary table, then each claim with its justification and sources."""
        ev = self._evidence()
        out = [f"# {_md(self.title)}", "", f"A fact-check of {_md(self.subject)}.", ""]
        out += ["| Claim | Verdict | Evidence |", "|---|---|---|"]
        for v in self.verdicts:
            out.append(f"| {_cell(v.claim_id)} | {_cell(v.verdict)} | {_cell(', '.join(v.evidence))} |")
        for v in self.verdicts:
            out += ["", f"## {_md(v.claim_id)} — {_md(v.verdict)}", ""]
            if v.claim:
                out += [f"> {_md(v.claim)}", ""]
            out += [_md(v.justification) or "*(no justification yet)*", "", "**Evidence**", ""]
            for r in v.evidence:
                out.append(f"- {_md_source(r, ev.get(r))}")
        out += ["", "---", "", _md(_footer()), ""]
        return "\n".join(out)

    def to_html(self) -> str:
        """The fact-check as a standalone web page (one file, no scripts, every text escaped)."""
        ev = self._evidence()
        rows = "".join(
            f"<tr><td><a href='#{_anchor(v.claim_id)}'>{escape(v.claim_id)}</a></td><td>{_badge(v.verdict)}</td>"
            f"<td>{escape(', '.join(v.evidence))}</td></tr>"
            for v in self.verdicts
        )
        sections = []
        for v in self.verdicts:
            sources = "".join(f"<li>{_html_source(r, ev.get(r))}</li>" for r in v.evidence)
            claim = f"<blockquote>{escape(v.claim)}</blockquote>" if v.claim else ""
            just = escape(v.justification) or "<i>(no justification yet)</i>"
            sections.append(
                f"<section id='{_anchor(v.claim_id)}'><h2>{escape(v.claim_id)} {_badge(v.verdict)}</h2>{claim}"
                f"<p>{just}</p><h3>Evidence</h3><ul>{sources}</ul></section>"
            )
        return (
            "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
            f"<title>{escape(self.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"<h1>{escape(self.title)}</h1>\n<p>A fact-check of {escape(self.subject)}.</p>\n"
            f"<table><tr><th>Claim</th><th>Verdict</th><th>Evidence</th></tr>{rows}</table>\n"
            + "\n".join(sections)
            + f"\n<footer><p>{escape(_footer())}</p></footer>\n</body>\n</html>\n"
        )

    def save(self, path: str | Path) -> Path:
        """Write the fact-check to ``path``: ``.html`` for a web page, ``.md`` for Markdown. Returns the path."""
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix in {".html", ".htm"}:
            text = self.to_html()
        elif suffix in {".md", ".markdown"}:
            text = self.to_markdown()
        else:
            raise ValueError(f"Save a fact-check as .html (a web page) or .md (Markdown); “{p.name}” ends in "
                             f"“{suffix or 'nothing'}”. Change the file name's ending.")
        if not p.parent.exists():
            raise FileNotFoundError(f"The folder {p.parent} does not exist: create it first, or save somewhere else.")
        p.write_text(text, encoding="utf-8")
        return p

    def __repr__(self) -> str:
        n = len(self.verdicts)
        tally = ", ".join(f"{c} {k}" for k, c in self.counts().items())
        return f"FactCheck({self.title!r}: {n} verdict{'s' if n != 1 else ''}{' — ' + tally if tally else ''})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{escape(v.claim_id)}</td><td>{_badge(v.verdict)}</td><td>{escape(', '.join(v.evidence))}</td>"
            f"<td style='text-align:left'>{escape(v.claim)}</td></tr>"
            for v in self.verdicts
        )
        return (f"<table><caption style='text-align:left'><b>{escape(self.title)}</b></caption>"
                f"<tr><th>claim</th><th>verdict</th><th>evidence</th><th>claim text</th></tr>{rows}</table>")


def factcheck(title: str, *verdicts: Verdict | tuple, claims: Mapping[str, str] | None = None,
              subject: str = "") -> FactCheck:
    """A fact-check from a title and verdicts (made with :func:`verdict`, or tuples of its arguments in its order).

    Pass ``claims`` (for example from :func:`claims_from_text`) to check a text other than the article.

    >>> text = claims_from_text("Desertion rose in 2023.")
    >>> fc = factcheck("A check", ("P1", "supported", ["E01"], "…"), claims=text)
    >>> fc.verdicts[0].claim
    'Desertion rose in 2023.'
    """
    if len(verdicts) == 1 and isinstance(verdicts[0], list):
        verdicts = tuple(verdicts[0])
    for v in verdicts:
        if not isinstance(v, (Verdict, tuple)):
            raise TypeError(f"factcheck() takes verdicts made with verdict(...); got {type(v).__name__}. "
                            "Write one verdict(claim_id, verdict, evidence, justification) per claim.")
    return FactCheck(title, tuple(verdicts), claims=claims, subject=subject)


def validate(fact_check: Any, *, min_verdicts: int = 1, max_verdicts: int | None = None,
             cover: Iterable[str] = ()) -> Any:
    """The problems with ``fact_check`` (see :meth:`FactCheck.validate`); ``[]`` when there are none.

    While the fact-check is still the starter ``...``, the one problem says so (a cell never shows
    a bare ``Ellipsis``); anything that is not a fact-check comes back as one problem saying how to
    make one.

    >>> validate(...)
    ['Nothing to validate yet: build your fact-check with factcheck(...) in the cell above, then run this cell again.']
    >>> validate(["S3.4", "supported"])
    ['Expected a fact-check made with factcheck(title, verdict(...), ...); got a list.']
    """
    if fact_check is Ellipsis:
        return [NOT_STARTED]
    if not isinstance(fact_check, FactCheck):
        return [f"Expected a fact-check made with factcheck(title, verdict(...), ...); got a {type(fact_check).__name__}."]
    return fact_check.validate(min_verdicts=min_verdicts, max_verdicts=max_verdicts, cover=cover)


def show(fact_check: Any) -> Any:
    """Show a fact-check as its table, or say what to do while it is still the starter ``...``.

    >>> show(...)
    Nothing to show yet: build your fact-check with factcheck(...) above, then run this cell again.
    """
    if fact_check is Ellipsis:
        print("Nothing to show yet: build your fact-check with factcheck(...) above, then run this cell again.")
        return None
    return fact_check


def preview(fact_check: Any, lines: int = 13) -> None:
    """Save ``fact_check`` as a web page and as Markdown in a temporary folder, and print what was written.

    Nothing is left on disk; to keep the files, use ``fact_check.save("my-fact-check.html")``.
    Prints only file names and sizes, never where the temporary folder was.

    >>> preview(...)
    Nothing to save yet: build the fact-check with factcheck(...) first, then run this cell again.
    """
    if fact_check is Ellipsis:
        print("Nothing to save yet: build the fact-check with factcheck(...) first, then run this cell again.")
        return
    if not isinstance(fact_check, FactCheck):
        print(f"Expected a fact-check made with factcheck(title, verdict(...), ...); got a {type(fact_check).__name__}.")
        return
    from tempfile import TemporaryDirectory

    with TemporaryDirectory() as folder:
        page = fact_check.save(Path(folder) / "my-fact-check.html")
        notes = fact_check.save(Path(folder) / "my-fact-check.md")
        for f in (page, notes):
            print(f"{f.name}: {len(f.read_text(encoding='utf-8')):,} characters")
        markdown = notes.read_text(encoding="utf-8")
    print(f"\nThe first {lines} lines of {notes.name}:\n")
    print("\n".join(markdown.splitlines()[:lines]))


# --- helpers --------------------------------------------------------------------------------------------

def _base(claim_id: str, known: Mapping[str, str]) -> str:
    """The claim id without a part letter (``S2.10a`` → ``S2.10``) when that makes it a known claim."""
    if claim_id in known:
        return claim_id
    m = _PART.match(claim_id)
    return m.group("base") if m and m.group("part") else claim_id


def _wrap(text: str, width: int = 96) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and x != x)


def _anchor(claim_id: str) -> str:
    return "claim-" + re.sub(r"[^A-Za-z0-9_-]", "-", claim_id)


def _badge(word: str) -> str:
    colour = _COLOURS.get(word, "#000000")
    return f"<span class='verdict' style='border-color:{colour}'>{escape(str(word))}</span>"


def _confidence(c: str, row: str = "") -> str:
    meaning = CONFIDENCE.get(c, "")
    label = confidence_label(row, c)
    return f"{label} ({meaning})" if meaning else label


def _is_web(url: str) -> bool:
    return url.startswith(("https://", "http://"))


def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", str(text))


def _cell(text: str) -> str:
    return _md(text).replace("\n", " ")


def _md_source(row: str, r: dict[str, str] | None) -> str:
    if r is None:
        return f"**{_md(row)}**: not a row of the course's sourced figures"
    conf = _confidence(r["confidence"], row)
    if r["confidence"] == "low":
        conf = f"**{conf}**"
    url = f"<{r['source_url']}>" if _is_web(r["source_url"]) else _md(r["source_url"] or "no address")
    return (f"**{_md(row)}** · {_md(r['source_publisher'])} · {_md(r['source_date'] or 'no date')} · {url} · "
            f"{conf} — {_md(r['what_counts'])}")


def _html_source(row: str, r: dict[str, str] | None) -> str:
    if r is None:
        return f"<b>{escape(row)}</b>: not a row of the course's sourced figures"
    cls = "low" if r["confidence"] == "low" else ""
    url = r["source_url"]
    link = (f"<a href='{escape(url)}' rel='noopener noreferrer'>{escape(url)}</a>" if _is_web(url)
            else escape(url or "no address"))
    return (f"<b>{escape(row)}</b> · {escape(r['source_publisher'])} · {escape(r['source_date'] or 'no date')} · "
            f"{link} · <span class='confidence {cls}'>{escape(_confidence(r['confidence'], row))}</span>"
            f"<br><small>{escape(r['what_counts'])}</small>")


def _footer() -> str:
    from course.data import info

    return ("Evidence rows come from the course's sourced figures: " + info("figures").citation()
            + ". Confidence is the compiler's: high = read on the producer's own page; medium = a secondary report; "
              "low = a copy, mirror, aggregator or snippet. For rows G01–G24 (distortions, fact-checks, guides) it "
              "grades the quotation, not the claim. Court counts are minimums; registered proceedings are not people.")


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#111}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}"
    "blockquote{margin:0 0 .5rem 0;padding-left:.75rem;border-left:3px solid #999;color:#333}"
    ".verdict{border:2px solid;border-radius:.3rem;padding:0 .3rem;font-size:.9em;white-space:nowrap}"
    ".confidence.low{font-weight:bold;background:#F0E442;padding:0 .2rem}"
    "footer{margin-top:2rem;font-size:.85em;color:#444}"
)
