"""The real client: JupyterLab on loopback, driven in headless Chromium by Playwright.

Needs Debian's ``chromium`` (``apt-get install chromium``; ``.ci/run`` installs it) and the
``playwright`` Python package; never ``playwright install``. JupyterLab is started the way a
learner starts it (``course lab --no-browser``), once for every module. Accessibility is checked
with axe-core (bundled in ``axe-playwright-python``; nothing is downloaded) on every module after
Run All, on a learner's feedback page and on every page of ``course site``. Screenshots go to
``test-artifacts/browser/``. Select with ``-m browser``, skip with ``-m "not browser"``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from lab_server import start_lab, stop

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"
MODULES = ["00-start-here", "01-the-articles-claims", "02-language-and-framing", "03-sources-and-evidence",
           "04-numbers-and-denominators", "05-hidden-numbers", "06-cascades-and-feedback", "07-write-the-fact-check"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium: apt-get install chromium"),
]

# --- accessibility: what axe reports, and what is JupyterLab's rather than the course's -----------------

#: Serious or critical axe findings that come from JupyterLab's own interface (4.6), not from the
#: course: (rule id, a CSS selector the element matches, why it is JupyterLab's). Everything else
#: that axe reports as serious or critical fails the tests below.
JUPYTERLAB = [
    ("aria-allowed-attr", "jp-button",
     "JupyterLab's toolbar buttons (a toolkit web component) carry aria-pressed without a toggle role"),
    ("aria-input-field-name", ".cm-content",
     "every cell's CodeMirror editor is a role=textbox without a name"),
    ("scrollable-region-focusable", ".cm-scroller",
     "a cell editor's scroller is focusable only through the editor inside it"),
    ("aria-required-children", ".jp-WindowedPanel-viewport",
     "the notebook's role=feed holds cells that are not role=article"),
    ("button-name", ".jp-collapseHeadingButton",
     "the collapse button beside each markdown heading has no text"),
]

_CLASSIFY = """([violations, allowed]) => violations.flatMap(v => v.nodes.map(n => {
    const sel = n.target[n.target.length - 1];
    const el = typeof sel === "string" ? document.querySelector(sel) : null;
    const jupyterlab = allowed.find(([rule, css]) => rule === v.id && el && el.closest(css));
    return {rule: v.id, impact: v.impact, html: n.html.slice(0, 200), target: JSON.stringify(n.target),
            plot: v.id === "image-alt" && !!el && !!el.closest(".jp-RenderedImage"),
            jupyterlab: jupyterlab ? jupyterlab[2] : null};
}))"""


def _axe(page) -> list[dict]:
    """Serious and critical axe findings on the page, each marked as JupyterLab's or a bare notebook plot."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]})
    found = page.evaluate(_CLASSIFY, [results.response["violations"], [list(a) for a in JUPYTERLAB]])
    return [f for f in found if f["impact"] in ("serious", "critical")]


def _report(found: list[dict]) -> str:
    return "\n".join(f"{f['rule']} ({f['impact']}) at {f['target']}: {f['html']}" for f in found[:10])


# --- the server and the browser -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    # Every cell rendered, not only those near the viewport: axe skips content that the browser
    # skips (JupyterLab's default windowing), and would then miss most of a notebook.
    settings = tmp / "jupyter-config" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"))
    for name in ("COURSE_LEARNER", "COURSE_WORKSPACE", "MPLBACKEND"):  # as on a learner's machine (conftest sets Agg)
        env.pop(name, None)
    proc, url = start_lab(tmp / "workspace", tmp / "lab.log", env)
    base, token = url.split("/lab/")[0], url.split("token=")[1]
    yield {"base": base, "token": token, "workspace": tmp / "workspace", "url": url}
    stop(proc)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (test extra)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


# JupyterLab restores earlier tabs into a new page: look only inside the notebook on show
ACTIVE = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def _shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def _open(page, lab, notebook):
    # a workspace of its own per notebook, so JupyterLab restores no tab from an earlier page
    workspace = notebook.split("-")[0]
    page.goto(f"{lab['base']}/lab/workspaces/t{workspace}/tree/{notebook}?token={lab['token']}")
    page.wait_for_selector(f"{ACTIVE} .jp-Notebook .jp-Cell", timeout=60_000)
    _wait_for_kernel(page)


def _wait_for_kernel(page):
    """Wait until the notebook's kernel is attached and idle; on a busy machine the execution
    indicator can say idle before the kernel is there, and JupyterLab may ask which kernel to use."""
    ready = "() => /Python 3 \\(ipykernel\\) \\| Idle/.test(document.body.innerText)"
    either = "() => /Python 3 \\(ipykernel\\) \\| Idle/.test(document.body.innerText) || !!document.querySelector('.jp-Dialog')"
    page.wait_for_function(either, timeout=90_000)
    dialog = page.locator(".jp-Dialog")
    if dialog.count() and "Select Kernel" in dialog.first.inner_text():
        dialog.get_by_role("button", name="Select").click()
    page.wait_for_function(ready, timeout=90_000)


_ALL_RAN = """() => {
    const prompts = [...document.querySelectorAll('%s .jp-CodeCell .jp-InputArea-prompt')];
    return prompts.length > 0 && /\\[\\d+\\]/.test(prompts[0].textContent)
        && prompts.every(p => !p.textContent.includes('*'));
}""" % ACTIVE


def _run_all(page):
    """Run All Cells, and again if the kernel was not yet listening (the first cell never ran)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.wait_for_function(_ALL_RAN, timeout=120_000 if attempt == 2 else 45_000)
            return
        except PlaywrightTimeout:
            _wait_for_kernel(page)
    raise AssertionError("Run All Cells never ran the first cell; see the screenshots")


@pytest.fixture(scope="module")
def module_page(lab, browser):
    """Each module opened in JupyterLab and run top to bottom, once; later tests reuse the page."""
    pages = {}

    def get(name: str):
        if name not in pages:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            _open(page, lab, f"{name}.ipynb")
            _run_all(page)
            page.wait_for_timeout(500)  # the last widget views attach
            errors = page.locator(f"{ACTIVE} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            assert errors.count() == 0, errors.first.inner_text()
            if name[:2] in {"00", "04", "06", "07"}:
                _shot(page, f"{name[:2]}-after-run-all")
            pages[name] = {"page": page, "axe": _axe(page)}
        return pages[name]

    yield get
    for entry in pages.values():
        entry["page"].close()


def _cell_with(page, text):
    return page.locator(f"{ACTIVE} .jp-CodeCell").filter(has_text=text).first


def _replace_and_run(page, cell, code):
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(code)
    page.keyboard.press("Shift+Enter")


def _output_of_check(page, qid):
    cell = _cell_with(page, f'check("{qid}"')
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_timeout(300)
    out = cell.locator(".jp-OutputArea-output")
    out.first.wait_for(timeout=20_000)
    return out.first.inner_text()


# --- every module, after Run All -------------------------------------------------------------------

@pytest.mark.parametrize("name", MODULES)
def test_module_content_has_no_serious_accessibility_violations(module_page, name):
    found = module_page(name)["axe"]
    course = [f for f in found if not f["jupyterlab"] and not f["plot"]]
    assert course == [], f"{name}: from the course's own content or unlisted JupyterLab parts:\n{_report(course)}"


@pytest.mark.parametrize("name", MODULES)
def test_module_plots_have_text_alternatives(module_page, name):
    plots = [f for f in module_page(name)["axe"] if f["plot"]]
    assert plots == [], f"{name}: plots without a text alternative:\n{_report(plots)}"


def test_a_plot_shows_its_description_and_opens_its_data_table_by_keyboard(module_page):
    page = module_page("04-numbers-and-denominators")["page"]
    figure = page.locator(f"{ACTIVE} .jp-OutputArea-output figure").first
    figure.scroll_into_view_if_needed()
    alt = figure.locator("img").get_attribute("alt")
    assert alt.startswith("Line chart: Cases received by Russian military courts, per year.")
    assert "AWOL (art. 337): 3 points, from 615 at 2021" in alt
    assert "Data: Mediazona counts" in figure.locator("figcaption").inner_text()  # the source note, as text
    table = figure.locator("details table")
    assert not table.is_visible()
    figure.locator("summary").focus()
    page.keyboard.press("Enter")
    table.wait_for(state="visible", timeout=5_000)
    assert table.locator("tbody tr").count() == 6 and "5,096" in table.inner_text()
    figure.scroll_into_view_if_needed()
    _shot(page, "04-plot-with-data-table")


def test_run_all_in_module_00_spends_no_hint(module_page, lab):
    module_page("00-start-here")  # run top to bottom, hint demonstration included
    path = lab["workspace"] / ".course" / "progress.json"
    saved = json.loads(path.read_text())["questions"] if path.exists() else {}
    assert not {qid: v["hints"] for qid, v in saved.items() if v.get("hints")}, "a hint the learner never asked for"


def test_learners_get_no_jupyterlab_news_prompt(module_page):
    page = module_page("00-start-here")["page"]
    page.wait_for_timeout(1_000)
    assert "official Jupyter news" not in page.inner_text("body")


# --- module 00: answers typed and a radio quiz answered by keyboard ----------------------------------

def test_module_00_in_a_real_jupyterlab(module_page, lab):
    page = module_page("00-start-here")["page"]
    assert "Not attempted" in _output_of_check(page, "00.1")

    starter = _cell_with(page, "n_sentences = ...")
    _replace_and_run(page, starter, "n_sentences = 1")
    wrong = _output_of_check(page, "00.1")
    assert "Not yet" in wrong and "too low" in wrong
    _shot(page, "00-wrong-answer")

    starter = _cell_with(page, "n_sentences = 1")
    _replace_and_run(page, starter, 'n_sentences = sum(1 for s in a.sentences if s.section == exercise("00.1").section)')
    right = _output_of_check(page, "00.1")
    assert "Correct" in right
    _shot(page, "00-right-answer")

    table = _cell_with(page, 'progress("00")')
    table.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_timeout(500)
    shown = table.locator(".jp-OutputArea-output").first.inner_text()
    assert "00.1" in shown and "correct" in shown
    _shot(page, "00-progress")
    saved = json.loads((lab["workspace"] / ".course" / "progress.json").read_text())
    assert saved["questions"]["00.1"]["status"] == "correct"


def test_a_radio_quiz_by_keyboard_alone(module_page, lab):
    page = module_page("00-start-here")["page"]
    group = page.get_by_role("group", name=re.compile(r"^00\.3 Which of these"))
    radios = group.get_by_role("radio")
    assert radios.count() == 5 and radios.nth(4).get_attribute("name") == radios.nth(0).get_attribute("name")
    radios.first.focus()  # where Tab lands in the group
    page.keyboard.press("Space")
    for _ in range(4):
        page.keyboard.press("ArrowDown")  # arrow keys move the choice within the group
    assert radios.nth(4).is_checked() and not radios.nth(0).is_checked()
    assert "None of these" in page.evaluate("() => document.activeElement.parentElement.innerText")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.innerText.trim()") == "Check"
    page.keyboard.press("Enter")
    status = group.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][1]").locator(".course-live")
    status.filter(has_text="Correct").wait_for(timeout=10_000)
    assert status.get_attribute("role") == "status" and "✔" in status.inner_text()  # an icon and a word, never colour alone
    _shot(page, "00-quiz")

    saved = json.loads((lab["workspace"] / ".course" / "progress.json").read_text())
    assert saved["questions"]["00.3"]["status"] == "correct"


# --- module 04: a checkbox quiz with long options ----------------------------------------------------

def test_a_checkbox_quiz_shows_every_option_in_full_and_works_by_keyboard(module_page):
    from course.checks import question

    page = module_page("04-numbers-and-denominators")["page"]
    q = question("04.9")
    group = page.get_by_role("group", name=re.compile(r"^04\.9 "))
    group.scroll_into_view_if_needed()
    boxes = group.get_by_role("checkbox")
    assert boxes.count() == len(q.choices)
    labels = group.locator("label")
    for i, text in enumerate(q.choices):
        label = labels.nth(i)
        label.scroll_into_view_if_needed()
        assert label.text_content().strip() == f"{chr(65 + i)}. {text}"
        fits = label.evaluate("""el => { const span = el.querySelector('span'); const box = el.closest('.jp-OutputArea-output');
            const r = span.getBoundingClientRect(), b = box.getBoundingClientRect();
            return span.scrollWidth <= span.clientWidth + 1 && r.right <= b.right + 1 && r.left >= b.left; }""")
        assert fits, f"04.9 option {chr(65 + i)} is clipped"
    assert max(len(c) for c in q.choices) > 100  # the long options this test is about
    _shot(page, "04-checkbox-quiz")

    boxes.first.focus()
    for i in range(len(q.choices)):  # tick A and D, Tab between the boxes
        if chr(65 + i) in "AD":
            page.keyboard.press("Space")
        page.keyboard.press("Tab")
    assert [boxes.nth(i).is_checked() for i in range(len(q.choices))] == [c in "AD" for c in "ABCDEF"[:len(q.choices)]]
    assert page.evaluate("() => document.activeElement.innerText.trim()") == "Check"
    page.keyboard.press("Space")
    status = group.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][1]").locator(".course-live")
    status.filter(has_text="Correct").wait_for(timeout=10_000)


# --- module 06: an explorer moved by keyboard --------------------------------------------------------

_SRC_CHANGED = """([img, before]) => img.getAttribute('src') && img.getAttribute('src') !== before"""


def test_module_06_explorer_slider_by_keyboard_redraws_and_describes_the_plot(module_page):
    page = module_page("06-cascades-and-feedback")["page"]
    explorer = _cell_with(page, "cascade_explorer()").locator(".jp-OutputArea-output").first
    explorer.scroll_into_view_if_needed()
    plot = explorer.locator("img").first
    plot.wait_for(timeout=30_000)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=plot.element_handle(), timeout=30_000)
    readout = explorer.locator(".course-live")
    assert "spread 10 people" in readout.inner_text()
    alt = plot.get_attribute("alt")
    assert alt.startswith("Line chart: Threshold cascade") and "spread 10 people" in alt
    before, before_pixels = plot.get_attribute("src"), plot.screenshot()
    _shot(page, "06-explorer-before")

    spread = explorer.get_by_role("slider", name="spread, sd (people)")
    spread.focus()
    for _ in range(15):  # 15 steps of 0.1: sd 10 -> 11.5
        page.keyboard.press("ArrowRight")
    assert spread.get_attribute("aria-valuetext") == "11.5 people"
    page.wait_for_function(_SRC_CHANGED, arg=[plot.element_handle(), before], timeout=20_000)
    page.wait_for_function("el => el.innerText.includes('spread 11.5 people')", arg=readout.element_handle(),
                           timeout=20_000)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=plot.element_handle(), timeout=20_000)
    _shot(page, "06-explorer-after")
    assert "spread 11.5 people" in plot.get_attribute("alt")
    assert plot.screenshot() != before_pixels, "the redrawn plot must look different"
    table = explorer.locator("details table")
    assert table.locator("tbody tr").count() == 11


# --- a learner's feedback page -----------------------------------------------------------------------

def test_feedback_page_has_no_serious_accessibility_violations(browser, tmp_path):
    from course.instructor.gradebook import Gradebook

    book = Gradebook(tmp_path / "gradebook.sqlite")
    results = [
        {"qid": "00.1", "status": "correct", "points": 1, "max_points": 1, "message": "✔ 00.1 Correct"},
        {"qid": "00.2", "status": "incorrect", "points": 0, "max_points": 1,
         "message": "3 items are missing. Try hint(\"00.2\")."},
        {"qid": "00.3", "status": "not attempted", "points": 0, "max_points": 1, "message": "Not attempted yet."},
    ]
    book.record("ada", "00", "ada/00-start-here.ipynb", "0" * 64, {"status": "graded", "results": results})
    book.record("ada", "01", "ada/01-the-articles-claims.ipynb", "1" * 64,
                {"status": "failed", "reason": "the notebook is not valid JSON", "results": []})
    (page_path,) = book.write_feedback(tmp_path / "feedback")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(page_path.as_uri())
    _shot(page, "feedback-page")
    found = _axe(page)
    page.close()
    assert found == [], _report(found)


# --- every page of the static site -------------------------------------------------------------------

@pytest.fixture(scope="module")
def site_pages(browser, site):
    """Every page of ``course site`` opened from disk: the requests it made and its axe findings."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    seen = {}
    for html in sorted(site.glob("*.html")):
        requests.clear()
        page.goto(html.as_uri(), wait_until="networkidle")
        if html.name == "index.html":
            _shot(page, "site-index")
        seen[html.name] = {"requests": list(requests), "axe": _axe(page)}
    page.close()
    assert len(seen) == len(MODULES) + 1
    return seen


def test_site_pages_load_nothing_from_outside_their_folder(site_pages, site):
    root = site.resolve().as_uri() + "/"
    for name, seen in site_pages.items():
        outside = [u for u in seen["requests"] if not u.startswith((root, "data:", "blob:", "about:"))]
        assert outside == [], f"{name} requested {outside[:5]}"
        assert any(u.startswith(root) for u in seen["requests"]), f"{name}: the network log saw nothing"


def test_site_pages_have_no_serious_accessibility_violations(site_pages):
    problems = {name: _report([f for f in seen["axe"] if not f["plot"]])
                for name, seen in site_pages.items()}
    problems = {name: text for name, text in problems.items() if text}
    assert problems == {}, "\n".join(f"{name}:\n{text}" for name, text in problems.items())


#: What nbconvert writes as alt text for an image output that has none: axe accepts it, a reader learns nothing.
NO_DESCRIPTION = "No description has been provided for this image"


def test_site_plots_have_text_alternatives(site):
    bare = {page.name: page.read_text(encoding="utf-8").count(f'alt="{NO_DESCRIPTION}"') for page in site.glob("*.html")}
    assert not any(bare.values()), f"plots without a text alternative, by page: {bare}"


def test_site_explorers_have_text_alternatives(site):
    html = (site / "06-cascades-and-feedback.html").read_text(encoding="utf-8")
    assert 'alt="Line chart: Threshold cascade' in html and 'alt="Line chart: Manpower stock' in html


# --- the class report (course report) and the checkpoint's own views ----------------------------------------------

@pytest.fixture(scope="module")
def class_report(tmp_path_factory):
    """A small synthetic class's report (every learner simulated, as the page says), written as `course report` does."""
    from course.instructor.report import build_report
    from course.instructor.simulate import Cohort, simulate

    tmp = tmp_path_factory.mktemp("class-report")
    made = simulate(Cohort(learners=40, seed=7, modules=("00", "03", "04", "07"), harder=(("04.3", 2, -4.0),),
                           not_started=2), tmp / "results")
    return build_report(results=tmp / "results", out=tmp / "report", release=made["release"],
                        roster=made["roster_file"], boot=300, permutations=2000, progress=False).page


def test_class_report_has_no_serious_accessibility_violations_and_loads_nothing_from_outside(browser, class_report):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(class_report.as_uri(), wait_until="networkidle")
    _shot(page, "class-report")
    found = _axe(page)
    page.close()
    root = class_report.parent.resolve().as_uri() + "/"
    assert [u for u in requests if not u.startswith((root, "data:", "blob:", "about:"))] == []
    assert found == [], _report(found)


def test_checkpoint_instrument_and_results_have_no_serious_accessibility_violations(browser, tmp_path, monkeypatch):
    from checkpoint_cells import host

    from course import check
    from course.checkpoints import checkpoint, checkpoint_results

    host(monkeypatch, tmp_path, "ada")
    parts = [checkpoint("pre")._repr_html_()]
    for occasion, module in (("pre", "00"), ("post", "07")):
        recorded = [check(f"{module}.{occasion}{k}", ("A", 60)) for k in range(1, 14)]
    parts.append(checkpoint("post", recorded)._repr_html_())
    parts.append(checkpoint_results()._repr_html_())
    html = tmp_path / "checkpoint.html"
    html.write_text("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Checkpoint</title></head><body>"
                    "<main><h1>Checkpoint</h1><h2>The items, what was recorded, the results</h2>"
                    + "".join(parts) + "</main></body></html>", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(html.as_uri())
    page.locator("details summary").first.click()  # the per-item table, opened
    _shot(page, "checkpoint-views")
    found = _axe(page)
    page.close()
    assert found == [], _report(found)
