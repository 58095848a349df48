"""Notebooks: committed clean, every question used, and every student copy runs without error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course.checks import modules, questions
from course.instructor.notebooks import assign_ids, clean, problems, save, text_form, twin
from course.instructor.release import positional_id, release, sources, student_copy

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sources(ROOT / "notebooks")


def _text(nb, kind=None):
    return "\n".join("".join(c["source"]) for c in nb["cells"] if kind is None or c["cell_type"] == kind)


def test_every_lesson_has_its_notebook_and_back():
    assert [p.name for p in NOTEBOOKS] == [m.notebook for m in modules()]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_is_clean(path):
    assert problems(path) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_the_house_conventions(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    module = next(m for m in modules() if m.notebook == path.name)
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith(f"# {module.id} · {module.title}"), "title first"
    assert f"{module.minutes} minutes" in first, "estimated minutes in the opening cell"
    for key, objective in module.objectives.items():
        assert f"({key})" in first, f"objective {key} listed at the top"
    code = _text(nb, "code")
    for q in questions(module.id):
        assert re.search(rf'(check|quiz)\("{re.escape(q.id)}"', code), f"{q.id} is never checked in the notebook"
    assert "## Summary" in _text(nb, "markdown")
    assert "../" not in code and "data/" not in code, "load data through course.data, not paths"


def _printed(nb) -> str:
    return "\n".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                     for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_module_that_shows_data_says_what_time_it_covers_and_when_it_was_gathered(path):
    from course.data import info

    nb = json.loads(path.read_text(encoding="utf-8"))
    # a file the notebook loads or describes (naming its title in a chart note is not showing its data)
    names = set(re.findall(r"""\b(?:load|info)\(["']([a-z0-9-]+)["']\)(?!\.title)""", _text(nb, "code")))
    printed = _printed(nb)
    # files gathered together share one gathering date: the notebook prints it, with one of their periods
    by_gathering: dict[str, set[str]] = {}
    for name in names:
        by_gathering.setdefault(info(name).gathered, set()).add(info(name).period)
    for gathered, periods in by_gathering.items():
        assert gathered in printed, f"{path.name} shows data gathered '{gathered}' without saying so"
        assert any(p in printed for p in periods), f"{path.name} does not say what time its data cover: {periods}"


def test_problems_catches_unclean_notebooks(tmp_path):
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    codes = [c for c in nb["cells"] if c["cell_type"] == "code"]
    codes[1]["execution_count"] = 99
    codes[2]["execution_count"] = None
    codes[3]["outputs"].append({"output_type": "error", "ename": "NameError", "evalue": "x", "traceback": []})
    codes[4]["outputs"].append({"output_type": "stream", "name": "stdout", "text": "/home/ada/secret\n"})
    codes[5]["metadata"]["execution"] = {"iopub.status.busy": "2026-01-01"}
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    bad = tmp_path / NOTEBOOKS[0].name
    bad.write_text(json.dumps(nb), encoding="utf-8")
    found = "\n".join(problems(bad))
    for words in ("out of order", "not executed", "error output", "absolute path", "volatile cell metadata", "widget state"):
        assert words in found
    bad.write_text(json.dumps(clean(nb)), encoding="utf-8")
    assert "widget state" not in "\n".join(problems(bad))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cell_ids_are_stable_unique_and_reach_the_student_copy(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    ids = [c["id"] for c in nb["cells"]]
    assert len(set(ids)) == len(ids) and not any(positional_id(i) for i in ids)
    kept = {c["id"] for c in nb["cells"] if "instructor" not in c["metadata"].get("tags", [])}
    assert [c["id"] for c in student_copy(nb)["cells"]] == [i for i in ids if i in kept]


def test_ids_survive_inserting_cells_and_positional_ones_are_refused(tmp_path):
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    before = [c["id"] for c in nb["cells"]]
    nb["cells"][2:2] = [{"cell_type": "markdown", "metadata": {}, "source": "A new paragraph."}]
    nb["cells"].append({"cell_type": "markdown", "id": before[5], "metadata": {}, "source": "A copy with its id."})
    after = [c["id"] for c in clean(nb)["cells"]]
    assert after[:2] + after[3:-1] == before, "inserting cells renames no other cell"
    assert len(set(after)) == len(after) and after[2] and after[-1] != before[5]
    assert clean(json.loads(json.dumps(nb)))["cells"] == nb["cells"], "cleaning twice changes nothing"
    nb["cells"][0]["id"] = "start-01"
    del nb["cells"][1]["id"]
    bad = tmp_path / NOTEBOOKS[0].name
    bad.write_text(json.dumps(nb), encoding="utf-8")
    found = "\n".join(problems(bad))
    assert "numbers the cell's position" in found and "no valid cell id" in found
    bad.write_text(json.dumps(assign_ids(nb)), encoding="utf-8")
    assert not [p for p in problems(bad) if " id " in p or "cell id" in p]


def test_unreadable_notebook_is_reported_not_raised(tmp_path):
    broken = tmp_path / "00-broken.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    assert "not a readable notebook" in problems(broken)[0]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_fresh_student_copy_runs_and_everything_is_not_attempted(path, site):
    """Each student copy, run top to bottom in a fresh workspace (the site build's run: each notebook runs once)."""
    import nbformat

    nb = nbformat.read(site / "notebooks" / path.name, as_version=4)
    assert "BEGIN SOLUTION" not in json.dumps(nb), "a student copy, not the instructor's source"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs, "it was executed"
    assert not [o for o in outputs if o.output_type == "error"]
    shown = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "○" in shown, "checks report 'not attempted'"
    assert not re.search(r"^[✔✘✎] \d\d\.\d", shown, flags=re.M), "no check is correct or wrong in a fresh copy"
    records = [o["metadata"]["reading_the_ranks"] for o in outputs if "reading_the_ranks" in o.get("metadata", {})]
    assert records and {r["learner"] for r in records} == {"shared"}, "check outputs record the shared variant"



@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_image_a_notebook_shows_has_a_text_alternative_and_a_data_table(path):
    """Issue 13: no bare PNG output; each plot and explorer image is an HTML figure a screen reader can read."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    images = 0
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if not any(kind.startswith("image/") for kind in data):
                continue
            images += 1
            html = "".join(data.get("text/html", ""))
            where = f"{path.name}, cell {cell['id']}"
            assert html.startswith("<figure"), f"{where}: a bare image (end the cell with show(ax))"
            alt = re.search(r'<img [^>]*alt="([^"]*)"', html)
            assert alt and len(alt.group(1).split()) >= 8, f"{where}: the image needs a text alternative that says what it shows"
            assert not alt.group(1).lower().startswith(("figure", "chart.", "an empty chart")), f"{where}: {alt.group(1)!r}"
            assert "<details><summary>Data table" in html and "<table>" in html, f"{where}: no data table"
    assert images, f"{path.name} shows no chart at all"  # every module has one; the test must not pass vacuously


def test_a_notebook_that_demonstrates_hint_records_no_hint():
    """A learner's Run All must not spend hints: a hint shown by the notebook itself is an example."""
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code" or "instructor" in cell.get("metadata", {}).get("tags", []):
                continue
            for call in re.findall(r"\bhint\([^)]*\)", "".join(cell["source"])):
                assert "record=False" in call, f"{path.name}: {call} would record a hint on Run All"


def test_no_lesson_says_what_no_row_shows_about_ukraine_s_proceedings():
    """'Repeat and short absences' rests on no row (only on the compiler's summary): lessons, guide and cards hedge it."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in NOTEBOOKS}
    texts["instructor-guide.md"] = (ROOT / "docs" / "instructor-guide.md").read_text(encoding="utf-8")
    for name in ("sources.csv", "distortions.csv", "series_spec.csv"):
        texts[name] = (ROOT / "data" / "figures" / name).read_text(encoding="utf-8")
    for name, text in texts.items():
        assert not re.search(r"repeat (and short )?absences", text), name



@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_has_a_text_twin_in_step_with_it(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    md = twin(path)
    assert md.is_file(), f"{md.name} is missing: run `course notebooks --fix`"
    assert md.read_text(encoding="utf-8") == text_form(nb)
    text = md.read_text(encoding="utf-8")
    assert "format_name: myst" in text and "jupytext_version:" not in text  # no churn when jupytext is upgraded
    assert text.count("```{code-cell}") == sum(c["cell_type"] == "code" for c in nb["cells"])


def test_the_twin_ignores_outputs_counts_and_ids_but_not_prose_code_or_tags():
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    bare = json.loads(json.dumps(nb))
    for i, c in enumerate(bare["cells"]):
        c["id"] = f"other-{i}x"
        if c["cell_type"] == "code":
            c["outputs"], c["execution_count"] = [], None
    assert text_form(bare) == text_form(nb)
    for change in ("prose", "code", "tags"):
        edited = json.loads(json.dumps(nb))
        cell = next(c for c in edited["cells"] if c["cell_type"] == ("markdown" if change == "prose" else "code"))
        if change == "tags":
            cell["metadata"]["tags"] = ["instructor"]
        else:
            cell["source"] = "".join(cell["source"]) + "\nedited"
        assert text_form(edited) != text_form(nb), change


def test_a_twin_out_of_step_is_reported_and_fix_rewrites_it(tmp_path):
    path = tmp_path / NOTEBOOKS[0].name
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    save(path, nb)
    assert problems(path) == []
    twin(path).write_text(twin(path).read_text(encoding="utf-8").replace("Start here", "Begin here"), encoding="utf-8")
    assert any("out of step" in p for p in problems(path))
    twin(path).unlink()
    assert any("is missing" in p for p in problems(path))
    save(path, json.loads(path.read_text(encoding="utf-8")))
    assert problems(path) == []


def test_release_and_sources_ignore_the_text_twins(tmp_path):
    assert all(p.suffix == ".ipynb" for p in NOTEBOOKS) and all(twin(p).is_file() for p in NOTEBOOKS)
    written = release(source=ROOT / "notebooks", out=tmp_path / "out")
    assert sorted(written) == [p.name for p in NOTEBOOKS]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [p.name for p in NOTEBOOKS]
