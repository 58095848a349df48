"""A static HTML edition of the course, publishable without a server.

Each module's student copy is executed fresh (so every plot and table is real and every check
shows *not attempted*: no solutions leak), rendered with nbconvert's ``lab`` template, and given a
navigation bar; ``index.html`` holds the module table. nbconvert is already installed with
JupyterLab, renders outputs exactly as Jupyter does, and needs no build toolchain.

Pages are self-contained: the ``lab`` template's script tags (require.js, MathJax and mermaid from a
CDN, the widget renderer) are left out, since a page has no kernel, no widget views (see
:func:`_static_widgets`), no JavaScript outputs, diagrams or mathematics. A published page therefore
makes no request outside its own folder and works offline.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from html import escape
from pathlib import Path

__all__ = ["build_site"]

_NAV_STYLE = (
    "<style>.course-nav{font-family:system-ui,sans-serif;background:#f4f4f4;border-bottom:1px solid #ccc;"
    "padding:8px 16px;display:flex;gap:16px;flex-wrap:wrap}.course-nav a{color:#0072B2}"
    ".course-nav .here{font-weight:bold;color:#000}"
    # The lab theme's prompt and syntax colours fall below 4.5:1 on the code background (WCAG AA);
    # these darker shades of the same hues pass.
    ":root{--jp-cell-inprompt-font-color:#1f5f99;--jp-cell-outprompt-font-color:#9c4428;"
    "--jp-mirror-editor-operator-color:#7a1fd1;--jp-mirror-editor-meta-color:#7a1fd1;"
    "--jp-mirror-editor-number-color:#006b00;--jp-mirror-editor-comment-color:#2f6363;"
    "--jp-mirror-editor-atom-color:#4040d0;--jp-mirror-editor-bracket-color:#6b6b52;"
    "--jp-mirror-editor-quote-color:#007000;--jp-cell-prompt-not-active-opacity:1}</style>"
)


# The lab template without its <script> tags: everything else (CSS, outputs) is inlined already.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block html_head_js %}{% endblock html_head_js %}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{% block html_head_js_mathjax %}{% endblock html_head_js_mathjax %}
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
"""


def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", extra_loaders=[DictLoader({"course-site.html.j2": _TEMPLATE})],
                        template_file="course-site.html.j2")


def _nav(pages: list[tuple[str, str]], current: str | None) -> str:
    links = ['<a href="index.html">Contents</a>']
    for href, label in pages:
        here = ' class="here" aria-current="page"' if href == current else ""
        links.append(f'<a href="{href}"{here}>{escape(label)}</a>')
    return f'<nav class="course-nav" aria-label="Modules">{"".join(links)}</nav>'


def _prev_next(pages: list[tuple[str, str]], i: int) -> str:
    parts = []
    if i > 0:
        parts.append(f'<a href="{pages[i - 1][0]}">← {escape(pages[i - 1][1])}</a>')
    if i < len(pages) - 1:
        parts.append(f'<a href="{pages[i + 1][0]}">{escape(pages[i + 1][1])} →</a>')
    return f'<nav class="course-nav" aria-label="Previous and next module">{" · ".join(parts)}</nav>'


def _execute(nb, folder: Path, timeout: int) -> None:
    """Run a notebook in a fresh kernel that talks over local sockets (IPC), not TCP.

    Over TCP every kernel warns that its traffic is unencrypted; a socket file in a private
    temporary folder is both quieter and closed to other machines.
    """
    from nbclient import NotebookClient
    from traitlets.config import Config

    with tempfile.TemporaryDirectory(prefix="course-kernel-") as sockets:
        ipc = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets) / "kernel")}})
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", config=ipc,
                                resources={"metadata": {"path": str(folder)}})
        # Jupyter's own plot display, whatever MPLBACKEND says (Agg, set by test runners, shows no plots)
        client.execute(env=dict(os.environ, COURSE_WORKSPACE=str(folder),
                                MPLBACKEND="module://matplotlib_inline.backend_inline"))


def _static_widgets(nb) -> None:
    """Show each widget's static fallback (its plot image or text) instead of a live widget view.

    A published page has no kernel: a slider would move but nothing would redraw, and the widget
    renderer would load scripts from a CDN. The explorers and quizzes put a PNG or a text fallback
    beside the view, and that is what a reader of the static edition sees.
    """
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data and "application/vnd.jupyter.widget-view+json" in data and len(data) > 1:
                del data["application/vnd.jupyter.widget-view+json"]


def build_site(*, out: Path, modules: list[str] | None = None, timeout: int = 120) -> list[Path]:
    """Execute the student copies and write ``out/index.html``, one page per module, and each module's
    executed student notebook in ``out/notebooks/`` (linked from its page, to download and run)."""
    import nbformat

    from course.checks import modules as catalogue
    from course.checks import questions
    from course.instructor.release import release
    from course.instructor.layout import Layout

    chosen = [m for m in catalogue() if modules is None or m.id in modules]
    out.mkdir(parents=True, exist_ok=True)
    pages = [(m.notebook.replace(".ipynb", ".html"), f"{m.id} {m.title}") for m in chosen]
    exporter = _exporter()
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        (ws / ".course").mkdir()
        release(source=Layout.find().require_sources("course site"), out=ws, modules=[m.id for m in chosen])
        for i, m in enumerate(chosen):
            print(f"[{i + 1}/{len(chosen)}] rendering {m.notebook} …", file=sys.stderr, flush=True)
            nb = nbformat.read(ws / m.notebook, as_version=4)
            _execute(nb, ws, timeout)
            (out / "notebooks").mkdir(exist_ok=True)
            nbformat.write(nb, out / "notebooks" / m.notebook)  # as executed, before widget views give way to images
            _static_widgets(nb)
            body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": f"{m.id} · {m.title}"}})
            body = re.sub(r"(<body[^>]*>)", lambda b: b.group(1) + _NAV_STYLE + _nav(pages, pages[i][0]), body, count=1)
            download = (f'<p class="course-nav"><a href="notebooks/{m.notebook}" download>Download this module\'s '
                        "notebook (.ipynb)</a> to run it in your own JupyterLab.</p>")
            body = body.replace("</body>", download + _prev_next(pages, i) + "</body>", 1)
            page = out / pages[i][0]
            page.write_text(body, encoding="utf-8")
            written.append(page)
    rows = "".join(
        f"<tr><td>{m.id}</td><td><a href=\"{href}\">{escape(m.title)}</a></td><td>{m.minutes}</td>"
        f"<td><ul>{''.join(f'<li>{escape(t)}</li>' for t in m.objectives.values())}</ul></td>"
        f"<td>{len(questions(m.id))}</td></tr>"
        for m, (href, _) in zip(chosen, pages)
    )
    index = out / "index.html"
    index.write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Reading the Ranks</title>"
        f"{_NAV_STYLE}<style>body{{font-family:system-ui,sans-serif;margin:0}}main{{padding:16px 24px;max-width:60em}}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}</style></head>"
        f"<body>{_nav(pages, None)}<main><h1>Reading the Ranks</h1>"
        "<p>A course in reading claims, sources and numbers, built around one unsourced article on "
        "Russian army desertions. This is the read-only edition: to do the exercises, install the "
        "course and run <code>course lab</code>.</p>"
        "<table><tr><th>#</th><th>Module</th><th>Minutes</th><th>You will be able to…</th><th>Questions</th></tr>"
        f"{rows}</table></main></body></html>\n",
        encoding="utf-8",
    )
    return [index, *written]
