"""Grades and feedback back into the LMS the instructor already uses: Canvas and Moodle.

The instructor downloads the LMS's own file and passes it in as a template; :func:`fill` writes a
copy in which only grade cells (and, for Moodle, the feedback comment cell) change. Every other
column, row, header and identifier stays as downloaded, in the file's own encoding, byte-order
mark, separator and line endings, so the LMS imports it as its own.

**Canvas** (Grades → Export → Export Entire Gradebook) writes ``Student, ID, [SIS User ID,]
SIS Login ID, Section``, any custom columns, one column per assignment titled ``Title (assignment
id)``, then read-only totals; a ``Points Possible`` row (and sometimes a ``Manual Posting`` row)
comes before the students. Canvas's import matches a row by its ``ID`` (the Canvas user id), else
by SIS ids, and reads an assignment column by the id in its title. Its submissions download names
each file ``name[_LATE]_<user id>_<file id>_<file name>``; its "Re-Upload Submissions" takes a zip
of files named the same way and attaches each to that learner's submission as a comment (under the
name of the learner's own file, so our feedback there is a notebook).

**Moodle** (the assignment's Grading action → Download grading worksheet) writes one row per
participant: ``Identifier`` (``Participant N``), ``Full name``, …, ``Grade``, ``Maximum Grade``,
``Grade can be changed``, …, ``Last modified (grade)`` and one column per feedback plugin with
text (``Feedback comments``). The upload matches rows by ``Identifier``, skips grades above the
maximum and rows whose grade changed in Moodle after ``Last modified (grade)``. Its submissions
download puts each learner in a folder ``Full Name_N_assignsubmission_file[_]``; "Upload multiple
feedback files in a zip" reads the participant number from folder names shaped the same way.

Learners are matched by the identity the LMS put in the submission download (Canvas user id,
Moodle participant number), or by a roster CSV with a ``learner`` column and any of
``canvas_user_id``, ``sis_user_id``, ``sis_login_id``, ``moodle_participant``, ``email``. Points
come from the submission that counts (the latest), out of the module's points, scaled to the
LMS's points possible (Canvas ``Points Possible``, Moodle ``Maximum Grade``) when the file gives
one. Nothing is dropped silently: the :class:`LmsReport` lists everyone in the file with no
submission, every submission with no row, and every cell left as it was, with why.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

__all__ = ["DOWNLOAD", "LmsReport", "fill", "read_roster"]

#: What to download, and from where, for each LMS (said whenever a template is missing or wrong).
DOWNLOAD = {
    "canvas": ("download the gradebook from Canvas: open the course's Grades, then Export → Export Entire Gradebook "
               "(older Canvas: Actions → Export), and pass the CSV it saves, unchanged, with --template"),
    "moodle": ("download the assignment's grading worksheet from Moodle: open the assignment, then Submissions "
               "(older Moodle: View all submissions) → Grading action (or Actions) → Download grading worksheet, and "
               "pass the CSV it saves, unchanged, with --template (the item appears once 'Offline grading worksheet' "
               "is ticked under Feedback types in the assignment's settings)"),
}
_NAMES = {"canvas": "Canvas", "moodle": "Moodle"}
_ROSTER_IDS = ("canvas_user_id", "sis_user_id", "sis_login_id", "moodle_participant", "email")
# Canvas: read-only totals, never assignment columns (GradebookImporter's NON_ASSIGNMENT_COLUMN_HEADERS).
_CANVAS_TOTALS = re.compile(r"Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade|"
                            r"Override Score|Override Grade|Override Status")
_CANVAS_ASSIGNMENT = re.compile(r"\A(.*)\s\((\d+)\)\Z")  # Assignment.title_and_id
_MOODLE_PREFIX = "Participant "  # get_string('hiddenuser', 'assign')


@dataclass
class LmsReport:
    """What :func:`fill` wrote and everything it could not place, each with why."""

    lms: str
    template: Path
    out: Path
    columns: list[str] = field(default_factory=list)  # "module 00 → column …, out of …"
    written: int = 0
    no_submission: list[str] = field(default_factory=list)  # rows in the file that no submission filled
    no_row: list[str] = field(default_factory=list)  # submissions that found no row
    unchanged: list[str] = field(default_factory=list)  # matched, but the cell was left as it was, and why
    notes: list[str] = field(default_factory=list)
    feedback: list[Path] = field(default_factory=list)
    feedback_entries: int = 0
    feedback_missing: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        name = _NAMES[self.lms]
        lines = [f"{name}: wrote {self.written} grade(s) into {self.out} (a copy of {self.template.name}; every other "
                 "cell as downloaded)"]
        lines += [f"  {c}" for c in self.columns]
        sections = [("In the file, with no submission (their cells are left as they were)", self.no_submission),
                    ("Submissions with no row in the file (NOT in the LMS file: add them by hand or via --roster)", self.no_row),
                    ("Matched, but the cell was left as it was", self.unchanged), ("Notes", self.notes)]
        for title, items in sections:
            if items:
                lines.append(f"{title} ({len(items)}):")
                lines += [f"  - {item}" for item in items]
        for path in self.feedback:
            lines.append(f"Feedback for upload: {path}")
        if self.feedback:
            lines.append(f"  {self.feedback_entries} feedback file(s) in all")
        if self.feedback_missing:
            lines.append(f"Not in the feedback zip ({len(self.feedback_missing)}):")
            lines += [f"  - {item}" for item in self.feedback_missing]
        return "\n".join(lines)


# --- reading and writing the LMS's CSV as it is ----------------------------------------------------


@dataclass
class _Csv:
    rows: list[list[str]]
    bom: bool
    delimiter: str
    newline: str
    quote: str  # the characters that make the file's writer quote a field
    final: bool  # whether the last row ends with a newline


# Which characters make each LMS's CSV writer quote a field: Ruby's CSV (Canvas) only for the separator, a quote
# or a line break; PHP's fputcsv (Moodle) also for a space, a tab or a backslash.
_QUOTING = ('"\r\n', '"\r\n \t\\')


def _line(row: list[str], delimiter: str, quote: str) -> str:
    return delimiter.join('"' + c.replace('"', '""') + '"' if any(ch in c for ch in quote + delimiter) else c
                          for c in row)


def _delimiter(text: str) -> str:
    """',' or ';', as Canvas's importer tells them: the one that splits the first lines into the same, larger count."""
    lines = text.splitlines()[:3]
    counts = {}
    for sep in (",", ";"):
        try:
            sizes = {len(next(csv.reader([line], delimiter=sep), [])) for line in lines}
        except csv.Error:
            sizes = {0, 1}
        counts[sep] = sizes.pop() if len(sizes) == 1 else 0
    return ";" if counts[";"] > counts[","] else ","


def _read(path: Path, lms: str) -> _Csv:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: {DOWNLOAD[lms]}.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text, as {_NAMES[lms]} writes it (was it saved again by a spreadsheet "
                         f"program?): {DOWNLOAD[lms]}.") from None
    delimiter = _delimiter(text)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows:
        raise ValueError(f"{path} is empty: {DOWNLOAD[lms]}.")
    newline = "\r\n" if "\r\n" in text else "\n"
    final = text.endswith(("\n", "\r"))
    # Write it back as the LMS wrote it: the quoting that gives back the very same text, else the least quoting.
    quote = next((q for q in _QUOTING
                  if newline.join(_line(r, delimiter, q) for r in rows) + (newline if final else "") == text), _QUOTING[0])
    return _Csv(rows, raw.startswith(codecs.BOM_UTF8), delimiter, newline, quote, final)


def _write(table: _Csv, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    text = table.newline.join(_line(r, table.delimiter, table.quote) for r in table.rows)
    out.write_bytes((codecs.BOM_UTF8 if table.bom else b"") + (text + (table.newline if table.final else "")).encode())


def _number(text: str) -> float | None:
    """A number as an LMS writes it (``3.00``, ``2,50``): the last separator is the decimal point, as Canvas reads it."""
    text = text.strip()
    if not re.fullmatch(r"-?[0-9.,]*[0-9][0-9.,]*", text):
        return None
    *whole, last = re.split(r"[.,]", text)
    try:
        return float(f"{''.join(whole)}.{last}" if whole else last)
    except ValueError:
        return None


def _decimal_comma(cells: list[str]) -> bool:
    """Whether the file writes decimals with a comma (``3,00``), so ours match its own."""
    return any(re.fullmatch(r"-?\d+,\d\d", c.strip()) for c in cells)


def _fmt(value: float, comma: bool) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if comma else text


def _cell(row: list[str], col: int, value: str) -> None:
    while len(row) <= col:
        row.append("")
    row[col] = value


# --- what the gradebook holds: the counted submission of each learner and module --------------------


@dataclass
class _Counted:
    learner: str
    module: str
    key: str
    status: str
    reason: str
    lms: dict[str, Any]
    order: tuple
    results: list[dict[str, Any]]
    flags: list[str] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(r["points"] for r in self.results)

    @property
    def max_points(self) -> float:
        return sum(r["max_points"] for r in self.results)

    @property
    def file(self) -> str:
        return Path(self.key).name

    def label(self) -> str:
        return f"{self.learner} ({self.file})"


def _counted(results: Path) -> tuple[list[_Counted], list[str]]:
    """Every counted submission, and a line for each file that has no module to put it in."""
    from course.instructor.gradebook import Gradebook, _order

    path = Path(results) / "gradebook.sqlite"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: pass the results folder given to `course grade --out`.")
    book = Gradebook(path)
    found, stray = [], []
    for sub in book.submissions():
        if sub["module"] == "??":
            stray.append(f"{sub['learner']}: {Path(sub['key']).name} was not graded ({sub['reason']})")
        elif sub["counted"]:
            found.append(_Counted(sub["learner"], sub["module"], sub["key"], sub["status"], sub["reason"],
                                  json.loads(sub["lms"] or "{}"), _order(sub), book.results(sub["key"]),
                                  json.loads(sub["flags"] or "[]") + (["graded without the sandbox"] if sub["unsafe"] else [])))
    return found, stray


def _module_points(module: str) -> int:
    from course.checks import questions

    return sum(q.points for q in questions(module) if q.graded)


def _module_title(module: str) -> str:
    from course.checks import modules

    return next((m.title for m in modules() if m.id == module), "")


def read_roster(path: Path) -> dict[str, dict[str, str]]:
    """A roster CSV: a ``learner`` column (the learner ids of the gradebook) and LMS ids, by learner.

    LMS id columns (any of them; names are case-insensitive, spaces or underscores): ``canvas_user_id``
    (Canvas's ``ID``), ``sis_user_id``, ``sis_login_id``, ``moodle_participant`` (the ``N`` of
    Moodle's ``Participant N``) and ``email`` (Moodle's ``Email address``).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: a roster is a CSV with a 'learner' column and LMS ids "
                                f"({', '.join(_ROSTER_IDS)}).")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text: save it as CSV (UTF-8).") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = [re.sub(r"[\s_-]+", "_", h.strip().casefold()) for h in next(reader, [])]
    if "learner" not in header:
        raise ValueError(f"{path} has no 'learner' column (columns: {', '.join(header) or 'none'}).")
    ids = [h for h in header if h in _ROSTER_IDS]
    if not ids:
        raise ValueError(f"{path} has no LMS id column: add one of {', '.join(_ROSTER_IDS)}.")
    roster: dict[str, dict[str, str]] = {}
    for n, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        cells = dict(zip(header, (c.strip() for c in row)))
        learner = cells.get("learner", "")
        if not learner:
            raise ValueError(f"{path}, row {n}: no learner id.")
        if learner in roster:
            raise ValueError(f"{path}, row {n}: learner {learner!r} is listed twice.")
        roster[learner] = {k: cells[k] for k in ids if cells.get(k)}
    return roster


# --- matching submissions to the file's rows --------------------------------------------------------


def _match(subs: list[_Counted], index: dict[tuple[str, str], int], keys, report: LmsReport, describe
           ) -> dict[tuple[int, str], _Counted]:
    """Each submission's row (by the LMS's own id first, then the roster); the latest wins when two land on one."""
    placed: dict[tuple[int, str], _Counted] = {}
    for sub in sorted(subs, key=lambda s: s.order):
        tried = keys(sub)
        rows = [(kind, value, index[(kind, value)]) for kind, value, _ in tried if (kind, value) in index]
        if not rows:
            why = "; ".join(f"{src} gives {kind} {value}, which no row has" for kind, value, src in tried)
            report.no_row.append(f"{sub.label()}, module {sub.module}: "
                                 f"{why or 'no LMS id in its download and not in the roster (--roster)'}")
            continue
        row = rows[0][2]
        if any(r != row for _, _, r in rows):
            report.notes.append(f"{sub.label()}: its ids point at different rows ("
                                + ", ".join(f"{k} {v} → {describe(r)}" for k, v, r in rows)
                                + f"); used {describe(row)}, the first")
        if (row, sub.module) in placed:
            earlier = placed[(row, sub.module)]
            report.notes.append(f"{describe(row)}, module {sub.module}: both {earlier.label()} and {sub.label()} "
                                f"match; the later, {sub.label()}, counts")
        placed[(row, sub.module)] = sub
    return placed


def _scaled(sub: _Counted, possible: float | None) -> float:
    """The points of the submission, out of the module's points, scaled to the LMS's points possible when it gives one."""
    out_of = _module_points(sub.module) or sub.max_points
    if possible is None or possible <= 0 or not out_of:
        return sub.points
    return round(sub.points / out_of * possible, 2)


def _summary(sub: _Counted, out_of: float, value: float, possible: float | None, page: str) -> str:
    """The one line a learner reads beside their grade."""
    graded = [r for r in sub.results if r["max_points"]]
    count = {s: sum(r["status"] == s for r in graded) for s in ("correct", "incorrect", "not attempted")}
    written = sum(r["status"] == "submitted" for r in sub.results)
    title = _module_title(sub.module)
    text = (f"Module {sub.module}{' (' + title + ')' if title else ''}: {sub.points:g} of {out_of:g} points"
            + (f" ({value:g} of {possible:g})" if possible and value != sub.points else "")
            + f"; {count['correct']} correct, {count['incorrect']} incorrect, {count['not attempted']} not attempted")
    if written:
        text += f"; {written} written answer(s) recorded for your instructor"
    return text + (f". Question by question: {page}" if page else ".")


def _written(sub: _Counted, where: str, report: LmsReport) -> None:
    report.written += 1
    if sub.flags:
        report.notes.append(f"{where}, module {sub.module}: grade written from {sub.file}, which is flagged "
                            f"({'; '.join(sub.flags)}); check it before you upload")


def _leftover(subs: list[_Counted], modules: set[str], lms: str, report: LmsReport) -> None:
    others = sorted({s.module for s in subs if s.module not in modules})
    if others:
        n = sum(s.module not in modules for s in subs)
        report.notes.append(f"{n} counted submission(s) of module(s) {', '.join(others)} have no place in this file"
                            + (" (one Moodle worksheet per assignment: fill each module's own)" if lms == "moodle"
                               else " (no column mapped: see above)"))


def _ungradable(sub: _Counted) -> str | None:
    if sub.status != "graded":
        return f"not graded ({sub.reason or sub.status}); no grade written"
    if not sub.results:
        return "graded with no results; no grade written"
    return None


# --- Canvas ------------------------------------------------------------------------------------------


def _canvas(table: _Csv, path: Path) -> dict[str, Any]:
    """The shape of a Canvas export, read as Canvas's importer reads it (GradebookImporter#update_column_count)."""
    header = table.rows[0]
    if _moodle_columns(header):
        raise ValueError(f"{path} looks like a Moodle grading worksheet, not a Canvas gradebook export: use "
                         "--layout moodle for it, or " + DOWNLOAD["canvas"] + ".")
    lastfirst = len(header) > 4 and header[0] == "LastName" and header[1] == "FirstName" and "ID" in header[2]
    if not (lastfirst or (len(header) > 3 and "Student" in header[0] and "ID" in header[1])):
        raise ValueError(f"{path} is not a Canvas gradebook export (its first columns are "
                         f"{', '.join(header[:3]) or 'empty'}; Canvas writes Student, ID, …): {DOWNLOAD['canvas']}.")
    at = 4 if lastfirst else 3  # name column(s), ID, Section
    sis: dict[str, int] = {}
    if re.search(r"SIS\s+Login\s+ID", header[at - 1]):
        sis["SIS Login ID"], at = at - 1, at + 1
    elif re.search(r"SIS\s+User\s+ID", header[at - 1]) and at < len(header) and re.search(r"SIS\s+Login\s+ID", header[at]):
        sis["SIS User ID"], sis["SIS Login ID"] = at - 1, at
        extra = 1 if at + 1 < len(header) and re.search(r"Integration\s+ID", header[at + 1]) else 0
        at += 2 + extra
        if at < len(header) and re.search(r"Root\s+Account", header[at]):
            at += 1
    if at > len(header) or "Section" not in header[at - 1]:
        raise ValueError(f"{path} has no Section column where Canvas's import looks for it (column {at}): "
                         f"{DOWNLOAD['canvas']}.")
    assignments = {}
    for i, h in enumerate(header[at:], start=at):
        m = _CANVAS_ASSIGNMENT.match(h)
        if m and not _CANVAS_TOTALS.search(h):
            assignments[i] = (m[1], m[2])
    if not assignments:
        raise ValueError(f"{path} has no assignment columns (Canvas titles them 'Title (assignment id)'): "
                         f"{DOWNLOAD['canvas']}.")
    points_row, students = None, []
    for n, row in enumerate(table.rows[1:], start=1):
        if row and "Points Possible" in row[0]:
            points_row = n
        elif all(re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", c, flags=re.I) for c in row):
            continue  # the "Manual Posting" row, or a blank one
        else:
            students.append(n)
    return {"header": header, "id": 2 if lastfirst else 1, "sis": sis, "lastfirst": lastfirst,
            "assignments": assignments, "points_row": points_row, "students": students}


def _canvas_columns(info: dict[str, Any], modules: set[str], columns: dict[str, str], path: Path,
                    report: LmsReport) -> dict[str, int]:
    """Which assignment column holds each module: as given by ``columns``, else by the module's title in it."""
    by_id = {aid: i for i, (_, aid) in info["assignments"].items()}
    listing = "; ".join(info["header"][i] for i in info["assignments"])
    chosen = {}
    for module, wanted in sorted(columns.items()):
        if not re.fullmatch(r"\d\d", module):
            raise ValueError(f"--column {module}={wanted}: the module is two digits, as in 00=5501.")
        wanted = wanted.strip()
        hits = ([by_id[wanted]] if wanted in by_id else
                [i for i in info["assignments"] if wanted in (info["header"][i], info["assignments"][i][0])])
        if len(hits) != 1:
            raise ValueError(f"--column {module}={wanted}: {path.name} has {'no' if not hits else 'more than one'} "
                             f"such assignment column; its assignment columns are: {listing}.")
        chosen[module] = hits[0]
    for module in sorted(modules - set(chosen)):
        title = _module_title(module).casefold()
        hits = [i for i, (t, _) in info["assignments"].items()
                if (title and title in t.casefold()) or re.search(rf"reading the ranks\W*{module}(?!\d)", t, flags=re.I)]
        if len(hits) == 1:
            chosen[module] = hits[0]
        else:
            report.notes.append(f"module {module}: {'several' if hits else 'no'} assignment column(s) name it"
                                f"{' (' + '; '.join(info['header'][i] for i in hits) + ')' if hits else ''}; "
                                f"its grades are not written: pass --column {module}=<assignment id>")
    return chosen


def _fill_canvas(table: _Csv, path: Path, subs: list[_Counted], roster: dict[str, dict[str, str]],
                 columns: dict[str, str], report: LmsReport) -> dict[str, list[tuple[_Counted, int, float, float | None]]]:
    info = _canvas(table, path)
    rows = table.rows
    modules = {s.module for s in subs}
    chosen = _canvas_columns(info, modules, columns, path, report)
    index: dict[tuple[str, str], int] = {}
    for n in info["students"]:
        for kind, col in (("ID", info["id"]), *info["sis"].items()):
            value = rows[n][col].strip() if col < len(rows[n]) else ""
            if value:
                index.setdefault((kind, value), n)

    def keys(sub: _Counted) -> list[tuple[str, str, str]]:
        out = []
        if sub.lms.get("lms") == "canvas" and sub.lms.get("user_id"):
            out.append(("ID", str(sub.lms["user_id"]), "the Canvas download"))
        for kind, key in (("ID", "canvas_user_id"), ("SIS User ID", "sis_user_id"), ("SIS Login ID", "sis_login_id")):
            if roster.get(sub.learner, {}).get(key):
                out.append((kind, roster[sub.learner][key], "the roster"))
        return out

    def describe(n: int) -> str:
        row = rows[n]
        name = " ".join(row[1:2] + row[0:1]) if info["lastfirst"] else row[0]
        return f"{name} (ID {row[info['id']] if info['id'] < len(row) else '?'})"

    placed = _match([s for s in subs if s.module in chosen], index, keys, report, describe)
    comma = _decimal_comma([c for n in [info["points_row"]] if n is not None for c in rows[n]])
    done: dict[str, list[tuple[_Counted, int, float, float | None]]] = {}
    for module, col in sorted(chosen.items()):
        pp_row = info["points_row"]
        possible = _number(rows[pp_row][col]) if pp_row is not None and col < len(rows[pp_row]) else None
        out_of = _module_points(module)
        report.columns.append(f"module {module} → column {info['header'][col]!r}: points out of {out_of:g}"
                              + (f", scaled to its {possible:g} points possible" if possible and possible != out_of
                                 else " (as its points possible)" if possible else
                                 " (the file gives no points possible: written as they are)"))
        for n in info["students"]:
            sub = placed.get((n, module))
            if sub is None:
                report.no_submission.append(f"{describe(n)}: no submission of module {module}")
                continue
            current = rows[n][col].strip() if col < len(rows[n]) else ""
            why = _ungradable(sub)
            if current == "N/A":
                why = "Canvas shows N/A: the assignment is not assigned to them there; no grade written"
            elif current.upper() == "EX":
                why = "excused in Canvas (EX); left excused"
            if why:
                report.unchanged.append(f"{describe(n)}, module {module}, {sub.file}: {why}")
                continue
            value = _scaled(sub, possible)
            _cell(rows[n], col, _fmt(value, comma))
            _written(sub, describe(n), report)
            done.setdefault(module, []).append((sub, n, value, possible))
    _leftover(subs, set(chosen), "canvas", report)
    return done


def _canvas_zip(done, report: LmsReport, target: Path) -> None:
    """Per module, a zip for Canvas's Re-Upload Submissions: ``name_<user id>_<file id>_feedback-NN.ipynb``."""
    for module, entries in sorted(done.items()):
        path = target if len(done) == 1 else target.with_name(f"{target.stem}-{module}{target.suffix}")
        written = 0
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for sub, _, value, possible in sorted(entries, key=lambda e: e[0].learner):
                if sub.lms.get("lms") != "canvas" or not str(sub.lms.get("submission_id", "")).isdigit():
                    report.feedback_missing.append(
                        f"{sub.label()}, module {module}: Canvas attaches re-uploaded feedback to a file the learner "
                        "handed in, named by its file id, which only a Canvas submissions download gives")
                    continue
                # Canvas reads the first two all-digit parts between underscores as user id and file id, so the
                # name part keeps letters only (as Canvas's own download does).
                name = re.sub(r"[\W_]+", "", sub.learner) or "learner"
                name = name if not name.isdigit() else f"learner{name}"
                z.writestr(f"{name}_{sub.lms['user_id']}_{sub.lms['submission_id']}_feedback-{module}.ipynb",
                           json.dumps(_feedback_notebook(sub, value, possible), indent=1, ensure_ascii=False))
                written += 1
        report.feedback.append(path)
        report.feedback_entries += written


def _feedback_notebook(sub: _Counted, value: float, possible: float | None) -> dict[str, Any]:
    """The feedback as a notebook: Canvas shows a re-uploaded file under the name of the learner's own notebook."""
    def cell(text: str) -> str:
        return escape(str(text)).replace("|", "\\|").replace("\n", "<br>")

    out_of = _module_points(sub.module) or sub.max_points
    rows = "\n".join(f"| {cell(r['qid'])} | {cell(r['status'])} | {r['points']:g}/{r['max_points']:g} | "
                     f"{cell(r['message'])} |" for r in sub.results)
    text = (f"# Feedback: module {sub.module} {escape(_module_title(sub.module))}\n\n"
            f"{escape(_summary(sub, out_of, value, possible, ''))}\n\n"
            f"This is feedback on `{escape(sub.file)}`, the notebook you handed in; it holds no answers.\n\n"
            "| question | outcome | points | feedback |\n|---|---|---|---|\n" + rows + "\n")
    return {"cells": [{"cell_type": "markdown", "id": "feedback", "metadata": {}, "source": text}],
            "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}


# --- Moodle ------------------------------------------------------------------------------------------


def _moodle_columns(header: list[str]) -> bool:
    return "Identifier" in header and "Last modified (grade)" in header


def _fill_moodle(table: _Csv, path: Path, subs: list[_Counted], roster: dict[str, dict[str, str]],
                 module: str | None, page_name, report: LmsReport) -> tuple[list[tuple[_Counted, int]], str]:
    header = table.rows[0]  # Moodle compares column names exactly
    if header and "Student" in header[0] and len(header) > 1 and "ID" in header[1]:
        raise ValueError(f"{path} looks like a Canvas gradebook export, not a Moodle grading worksheet: use "
                         "--layout canvas for it, or " + DOWNLOAD["moodle"] + ".")
    cols = {h: i for i, h in enumerate(header)}
    missing = [h for h in ("Identifier", "Grade", "Last modified (grade)") if h not in cols]
    if missing:
        raise ValueError(f"{path} is not a Moodle grading worksheet with English column names (no "
                         f"{', '.join(repr(m) for m in missing)} column; Moodle's upload needs them): "
                         f"{DOWNLOAD['moodle']}. If Moodle shows another language, switch your own language to "
                         "English before downloading.")
    if "Scale" in cols and "Maximum Grade" not in cols:
        raise ValueError(f"{path} is for an assignment graded with a scale; set the assignment's grade type to "
                         "Point (Settings → Grade) and download the worksheet again.")
    module = module or _moodle_module(path, subs)
    if not re.fullmatch(r"\d\d", module):
        raise ValueError(f"--module {module}: a module id is two digits, as in 00.")
    feedback = cols.get("Feedback comments")
    if feedback is None:
        report.notes.append("the worksheet has no 'Feedback comments' column: tick Feedback comments under Feedback "
                            "types in the assignment's settings and download it again to get the one-line summaries")
    rows = table.rows
    index: dict[tuple[str, str], int] = {}
    for n, row in enumerate(rows[1:], start=1):
        ident = row[cols["Identifier"]].strip() if cols["Identifier"] < len(row) else ""
        if ident.startswith(_MOODLE_PREFIX.strip()):
            index.setdefault(("participant", ident[len(_MOODLE_PREFIX.strip()):].strip()), n)
        email = row[cols["Email address"]].strip().casefold() if "Email address" in cols and cols["Email address"] < len(row) else ""
        if email:
            index.setdefault(("email", email), n)
    students = sorted({n for n in index.values()})

    def keys(sub: _Counted) -> list[tuple[str, str, str]]:
        out = []
        if sub.lms.get("lms") == "moodle" and sub.lms.get("participant"):
            out.append(("participant", str(sub.lms["participant"]), "the Moodle download"))
        mine = roster.get(sub.learner, {})
        if mine.get("moodle_participant"):
            out.append(("participant", mine["moodle_participant"], "the roster"))
        if mine.get("email"):
            out.append(("email", mine["email"].casefold(), "the roster"))
        return out

    def describe(n: int) -> str:
        row = rows[n]
        name = row[cols["Full name"]] if "Full name" in cols and cols["Full name"] < len(row) else ""
        return f"{name} ({row[cols['Identifier']]})" if name else row[cols["Identifier"]]

    placed = _match([s for s in subs if s.module == module], index, keys, report, describe)
    maxcol = cols.get("Maximum Grade")
    comma = _decimal_comma([rows[n][maxcol] for n in students if maxcol is not None and maxcol < len(rows[n])])
    out_of = _module_points(module)
    maxima = {_number(rows[n][maxcol]) for n in students if maxcol is not None and maxcol < len(rows[n])}
    report.columns.append(f"module {module} → this worksheet's Grade column: points out of {out_of:g}"
                          + (f", scaled to its Maximum Grade {', '.join(f'{m:g}' for m in sorted(maxima, key=float) if m is not None)}"
                             if maxima - {None} and maxima != {out_of} else " (as its Maximum Grade)" if maxima - {None}
                             else " (no Maximum Grade column: written as they are)"))
    done = []
    for n in students:
        sub = placed.get((n, module))
        if sub is None:
            report.no_submission.append(f"{describe(n)}: no submission of module {module}")
            continue
        row = rows[n]
        why = _ungradable(sub)
        if "Grade can be changed" in cols and row[cols["Grade can be changed"]].strip().casefold() == "no":
            why = "Moodle says 'Grade can be changed: No' (locked or overridden in the gradebook); left as it was"
        if why:
            report.unchanged.append(f"{describe(n)}, {sub.file}: {why}")
            continue
        possible = _number(row[maxcol]) if maxcol is not None and maxcol < len(row) else None
        value = _scaled(sub, possible)
        _cell(row, cols["Grade"], _fmt(value, comma))
        if feedback is not None:
            _cell(row, feedback, _summary(sub, out_of or sub.max_points, value, possible, page_name(module)))
        _written(sub, describe(n), report)
        done.append((sub, n))
    _leftover(subs, {module}, "moodle", report)
    return done, module


def _moodle_module(path: Path, subs: list[_Counted]) -> str:
    """The module a worksheet is for: named in its file name (Moodle names it after the assignment), else the only one."""
    hits = {m for m in {s.module for s in subs}
            if re.search(rf"reading the ranks\W*{m}(?!\d)", path.name, flags=re.I)
            or (_module_title(m) and _module_title(m).casefold() in path.name.casefold())}
    moodle = {s.module for s in subs if s.lms.get("lms") == "moodle"}
    if len(hits) == 1:
        return hits.pop()
    if not hits and len(moodle) == 1:
        return next(iter(moodle))
    if not hits and len({s.module for s in subs}) == 1:
        return subs[0].module
    raise ValueError(f"which module is {path.name} for? Pass --module NN (the gradebook holds modules "
                     f"{', '.join(sorted({s.module for s in subs})) or 'none'}).")


def _moodle_zip(done: list[tuple[_Counted, int]], table: _Csv, module: str, report: LmsReport, target: Path) -> None:
    """A zip for Moodle's "Upload multiple feedback files in a zip": ``Full Name_N_assignsubmission_file/feedback-NN.html``."""
    from course.instructor.gradebook import feedback_page, feedback_table

    cols = {h: i for i, h in enumerate(table.rows[0])}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for sub, n in sorted(done, key=lambda d: d[0].learner):
            row = table.rows[n]
            participant = row[cols["Identifier"]].strip()[len(_MOODLE_PREFIX.strip()):].strip()
            name = sub.lms.get("full_name") if sub.lms.get("lms") == "moodle" else None
            name = name or (row[cols["Full name"]] if "Full name" in cols else "") or "Participant"
            # Moodle splits each folder name at '_' into name, participant, plugin type and plugin name.
            name = re.sub(r"[\x00-\x1f\"'&<>`|:\\/*?]+", "", name.replace("_", " ")).strip() or "Participant"
            title = f"Feedback on module {sub.module}" + (f": {_module_title(sub.module)}" if _module_title(sub.module) else "")
            note = f"<p><b>Note:</b> {escape(sub.reason)}</p>" if sub.reason else ""
            body = (f"<p>{escape(sub.file)}, the submission that counts.</p>{note}{feedback_table(sub.results)}")
            z.writestr(f"{name}_{participant}_assignsubmission_file/{_page_name(module)}",
                       feedback_page(title, body).encode("utf-8"))
            report.feedback_entries += 1
    report.feedback.append(target)


def _page_name(module: str) -> str:
    return f"feedback-{module}.html"


# --- the one entry point -----------------------------------------------------------------------------


def fill(*, lms: str, results: Path, template: Path | None, out: Path, roster: Path | None = None,
         columns: dict[str, str] | None = None, module: str | None = None,
         feedback_zip: Path | None = None) -> LmsReport:
    """Fill the LMS's own file (``template``) with the course's grades, write it to ``out``, and say what happened.

    ``lms`` is ``"canvas"`` (a gradebook export; ``columns`` maps a module to its assignment column,
    ``{"00": "5501"}``, when its title does not name the module) or ``"moodle"`` (one assignment's
    grading worksheet; ``module`` says which module it is for when its file name does not).
    ``feedback_zip``: also write the feedback for the LMS's bulk upload (for Canvas, one zip per
    module, ``NAME-NN.zip``, when several modules are filled).
    """
    if lms not in DOWNLOAD:
        raise ValueError(f"lms must be canvas or moodle; got {lms!r}")
    if template is None:
        raise ValueError(f"--layout {lms} fills the LMS's own file, so it needs one: {DOWNLOAD[lms]}.")
    template, out = Path(template), Path(out)
    if out.resolve() == template.resolve():
        raise ValueError(f"--out {out} is the template itself: write the filled copy to another file, so the "
                         "download stays as it was.")
    table = _read(template, lms)
    subs, stray = _counted(results)
    people = read_roster(roster) if roster is not None else {}
    report = LmsReport(lms, template, out)
    report.notes += stray
    if people:
        unknown = sorted(set(people) - {s.learner for s in subs})
        if unknown:
            report.notes.append(f"roster learners with no counted submission in the gradebook: {', '.join(unknown)}")
    if lms == "canvas":
        done = _fill_canvas(table, template, subs, people, dict(columns or {}), report)
        _write(table, out)
        if feedback_zip is not None:
            _canvas_zip(done, report, Path(feedback_zip))
    else:
        done_m, module = _fill_moodle(table, template, subs, people, module,
                                      _page_name if feedback_zip is not None else (lambda m: ""), report)
        _write(table, out)
        if feedback_zip is not None:
            _moodle_zip(done_m, table, module, report, Path(feedback_zip))
    return report
