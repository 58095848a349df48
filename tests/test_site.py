"""`course site`: a static edition with every module page, working links and no error output."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import pytest

from course.checks import modules


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


@pytest.mark.slow
def test_every_module_has_a_page_and_the_index_lists_it(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for m in modules():
        page = site / m.notebook.replace(".ipynb", ".html")
        assert page.is_file(), page.name
        assert page.name in index and escape(m.title) in index


@pytest.mark.slow
def test_local_links_resolve(site):
    for page in site.glob("*.html"):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        local = [h for h in parser.hrefs if not re.match(r"^(https?:|mailto:|#)", h)]
        assert local, f"{page.name} has no navigation links"
        for href in local:
            assert (site / href.split("#")[0]).is_file(), f"{page.name} links to missing {href}"


@pytest.mark.slow
def test_no_page_shows_an_error_or_a_solution(site):
    for page in site.glob("*.html"):
        text = re.sub(r"<(style|script)\b.*?</\1>", "", page.read_text(encoding="utf-8"), flags=re.S)
        for bad in ("Traceback", 'data-mime-type="application/vnd.jupyter.stderr"'):
            at = text.find(bad)
            assert at < 0, f"{page.name}: {bad} near …{re.sub('<[^>]+>', '', text[at - 800:at + 300])}…"
        assert "BEGIN SOLUTION" not in text, page.name
        assert not re.search(r"[✔✘] \d\d\.\d", text), f"{page.name}: a check shows an outcome in the read-only edition"



@pytest.mark.slow
def test_widgets_show_their_static_fallback_and_nothing_loads_from_a_cdn(site):
    for page in site.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "application/vnd.jupyter.widget-view+json" not in html, page.name
        assert "unpkg.com" not in html and "cdn.jsdelivr.net/npm/@jupyter-widgets" not in html, page.name
    explorer = (site / "05-hidden-numbers.html").read_text(encoding="utf-8")
    assert explorer.count("<img") >= 3, "module 05's two explorers and its plot should show their images"
    # the student copy draws one plot before the exercises (the Fermi chart waits for the learner's range)
    figures = re.findall(r"<figure.*?</figure>", explorer, flags=re.S)
    assert len(figures) == 3, "each explorer's static view, and the plot, is a figure"
    assert sum('alt="Chart: ' in f for f in figures) == 2, "two of them are the explorers' static views"
    assert all("<details><summary>Data table" in f for f in figures), "each with a data table"


class Sources(HTMLParser):
    """Every address a page would load by itself (not the links a reader may follow)."""

    def __init__(self):
        super().__init__()
        self.loads = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"script", "img", "iframe", "audio", "video", "source", "embed"} and attrs.get("src"):
            self.loads.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.loads.append(attrs["href"])


@pytest.mark.slow
def test_pages_load_nothing_from_outside_the_site(site):
    for page in site.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        parser = Sources()
        parser.feed(html)
        outside = [u for u in parser.loads if not u.startswith("data:") and not (site / u.split("#")[0]).is_file()]
        assert outside == [], f"{page.name} loads {outside[:3]}"
        assert "<script" not in html, f"{page.name} has a script (require.js, MathJax, a widget renderer?)"
        css_urls = [u for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", html) if not u.startswith("data:")]
        assert css_urls == [], f"{page.name} styles load {css_urls[:3]}"


@pytest.mark.slow
def test_site_prints_one_progress_line_per_page_and_nothing_else(site_build):
    _, run = site_build
    lines = run.stderr.splitlines()
    assert lines == [f"[{i}/{len(modules())}] rendering {m.notebook} …" for i, m in enumerate(modules(), 1)], run.stderr
    assert "Wrote" in run.stdout and "without encryption" not in run.stdout
