"""The real client: JupyterLab on loopback, driven in headless Chromium by Playwright.

Needs Debian's ``chromium`` (``apt-get install chromium``; ``.ci/run`` installs it) and the
``playwright`` Python package; never ``playwright install``. Screenshots go to
``test-artifacts/browser/``. Select with ``-m browser``, skip with ``-m "not browser"``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium: apt-get install chromium"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    from course.instructor.workspace import create_workspace

    ws = tmp_path_factory.mktemp("workspace")
    create_workspace(folder=ws)
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, COURSE_WORKSPACE=str(ws), JUPYTER_CONFIG_DIR=str(ws / ".jupyter-config"))
    env.pop("COURSE_LEARNER", None)
    log = open(tmp_path_factory.mktemp("log") / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ws}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.close()
                raise RuntimeError(f"JupyterLab did not start; see {log.name}")
            time.sleep(0.3)
    yield {"base": base, "token": token, "workspace": ws}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


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


def test_module_00_in_a_real_jupyterlab(lab, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _open(page, lab, "00-start-here.ipynb")
    _run_all(page)
    _shot(page, "00-after-run-all")
    errors = page.locator(f"{ACTIVE} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.first.inner_text()
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

    radio = page.locator(".widget-radio-box label").filter(has_text="None of these")
    radio.first.click()
    page.get_by_role("button", name="Check").first.click()
    feedback = page.locator(".widget-html").filter(has_text="00.3")
    feedback.last.wait_for(timeout=10_000)
    page.wait_for_function("() => document.body.innerText.includes('00.3 Correct')", timeout=10_000)
    _shot(page, "00-quiz")

    table = _cell_with(page, 'progress("00")')
    table.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_timeout(500)
    shown = table.locator(".jp-OutputArea-output").first.inner_text()
    assert "00.1" in shown and "correct" in shown
    _shot(page, "00-progress")
    saved = json.loads((lab["workspace"] / ".course" / "progress.json").read_text())
    assert saved["questions"]["00.1"]["status"] == "correct"
    assert saved["questions"]["00.3"]["status"] == "correct"
    page.close()


_SRC_CHANGED = """([img, before]) => img.getAttribute('src') && img.getAttribute('src') !== before"""


def test_module_06_explorer_slider_redraws(lab, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _open(page, lab, "06-cascades-and-feedback.ipynb")
    _run_all(page)
    errors = page.locator(f"{ACTIVE} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 0, errors.first.inner_text()

    explorer = _cell_with(page, "cascade_explorer()").locator(".jp-OutputArea-output").first
    explorer.scroll_into_view_if_needed()
    plot = explorer.locator("img").first
    plot.wait_for(timeout=30_000)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=plot.element_handle(), timeout=30_000)
    readout = explorer.locator(".widget-html").last
    assert "spread 10 people" in readout.inner_text()
    before, before_pixels = plot.get_attribute("src"), plot.screenshot()
    _shot(page, "06-explorer-before")

    spread = explorer.locator(".widget-slider").filter(has_text="spread").locator(".noUi-handle").first
    spread.focus()
    for _ in range(15):  # 15 steps of 0.1: sd 10 -> 11.5
        page.keyboard.press("ArrowRight")
    page.wait_for_function(_SRC_CHANGED, arg=[plot.element_handle(), before], timeout=20_000)
    page.wait_for_function("el => el.innerText.includes('spread 11.5 people')", arg=readout.element_handle(),
                           timeout=20_000)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=plot.element_handle(), timeout=20_000)
    _shot(page, "06-explorer-after")
    assert plot.get_attribute("src") != before, "moving the spread slider must redraw the plot"
    assert plot.screenshot() != before_pixels, "the redrawn plot must look different"
    page.close()
