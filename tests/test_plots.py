"""course.plots: charts with a text alternative and a data table, and labels never cut."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

from course.plots import Chart, PALETTE, barh, chart_data, describe  # noqa: E402


def test_barh_wraps_long_labels_between_words_and_keeps_them_whole():
    heading = "5. The Crisis Within the Ranks: Why Soldiers Flee the Front"
    ax = barh([heading, "6. Conclusion"], [420, 80], title="Words per section", xlabel="words")
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert shown[0].replace("\n", " ") == heading and "\n" in shown[0]
    assert all(len(line) <= 28 for line in shown[0].splitlines())


def test_a_chart_describes_its_kind_title_axes_and_data():
    import pandas as pd

    wide = pd.DataFrame({"AWOL (art. 337)": [190, 1000, 5000]}, index=[2021, 2022, 2023])
    ax = wide.plot(marker="o", color=[PALETTE[0]])
    ax.set(title="Cases per year", xlabel="calendar year", ylabel="court cases per year")
    alt = describe(ax)
    assert alt.startswith("Line chart: Cases per year.")
    assert "calendar year" in alt and "court cases per year" in alt
    assert "from 190 at 2021 to 5,000 at 2023" in alt
    table = chart_data(ax)
    assert list(table.columns) == ["series", "calendar year", "court cases per year"]
    assert table["court cases per year"].tolist() == [190, 1000, 5000]


def test_chart_renders_a_figure_with_alt_text_a_data_table_a_png_and_plain_text():
    ax = barh(["one", "two"], [3, 5], title="Words per section", xlabel="words")
    bundle = Chart(ax)._repr_mimebundle_()
    html = bundle["text/html"]
    assert html.startswith("<figure") and 'alt="Horizontal bar chart: Words per section.' in html
    assert "<details><summary>Data table (2 rows)</summary><table><caption>" in html
    assert '<th scope="col">words</th>' in html and '<th scope="row">one</th><td>3</td>' in html
    assert bundle["image/png"] and "one" in bundle["text/plain"]
    custom = Chart(ax, alt="Section two is longest.")
    assert 'alt="Section two is longest."' in custom._repr_html_()


def test_importing_course_and_plots_changes_nothing_global():
    code = (
        "import matplotlib, sys; rc = dict(matplotlib.rcParams)\n"
        "import IPython; from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance(); before = dict(shell.display_formatter.formatters['text/html'].type_printers)\n"
        "import course, course.plots, course.widgets, course._controls\n"
        "assert dict(matplotlib.rcParams) == rc and 'matplotlib.pyplot' not in sys.modules\n"
        "assert dict(shell.display_formatter.formatters['text/html'].type_printers) == before\n"
        "course.plots.accessible_figures()  # opt-in: only now is there an HTML view of figures\n"
        "from matplotlib.figure import Figure\n"
        "assert Figure in shell.display_formatter.formatters['text/html'].type_printers\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)
