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


# --- charts in one call: what a notebook cell used to spell out in 10 to 25 lines ------------------

def _drawn(ax):
    ax.figure.canvas.draw()
    return ax.figure.canvas.get_renderer()


def test_bars_reads_top_down_and_left_to_right_with_a_legend_values_and_a_reference_line():
    from course.plots import bars

    rates = {"2023": {"authorised strength": 4.8, "contract recruitment": 12.2},
             "2024": {"authorised strength": 7.8, "contract recruitment": 22.9}}
    ax = bars(rates, horizontal=True, title="Rates", xlabel="court cases per 1,000", ylabel="denominator",
              legend="year", values="{:.1f}")
    assert describe(ax).startswith("Horizontal bar chart: Rates.")
    assert "2023: authorised strength 4.8; contract recruitment 12.2; 2024: authorised strength 7.8" in describe(ax)
    top = max(ax.get_yticks())
    assert dict(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]))[top] == "authorised strength"
    first, second = ax.containers
    assert first.patches[0].get_y() > second.patches[0].get_y(), "the first series sits at the top of its group"
    assert ax.get_legend().get_title().get_text() == "year"
    assert [t.get_text() for t in ax.texts] == ["4.8", "12.2", "7.8", "22.9"]
    assert ax.get_xlabel() == "court cases per 1,000" and ax.get_ylabel() == "denominator"


def test_bars_stack_columns_draw_a_reference_line_and_leave_missing_values_out():
    import pandas as pd

    from course.plots import bars

    table = pd.DataFrame({"AWOL": [615, 5096, None], "all articles": [None, 5517, 10308]}, index=[2021, 2023, 2024])
    ax = bars(table, title="Cases", xlabel="calendar year", ylabel="court cases", line=(2000, "2,000: thousands"),
              values="{:,.0f}")
    assert "a horizontal line at 2,000 (2,000: thousands)" in describe(ax)
    assert [t.get_text() for t in ax.texts] == ["615", "5,096", "", "", "5,517", "10,308"]
    stacked = bars(table.fillna(0), stacked=True, title="Cases", xlabel="calendar year", ylabel="court cases")
    awol, everything = stacked.containers
    assert everything.patches[1].get_y() == 5096, "a stacked series starts where the one below it ends"


def test_lines_mark_measured_points_and_draw_reference_lines_and_the_legend_where_asked():
    from course.plots import lines

    ax = lines({"random crowds": ([9, 10, 11], [0.0, 0.2, 0.6]), "smooth curve": (list(range(40)), [0.5] * 40)},
               vline=(12.2, "critical spread"), title="Crowds", xlabel="sd (people)", ylabel="share (0 to 1)",
               legend="lower right")
    crowds, smooth, critical = ax.get_lines()
    assert crowds.get_marker() == "o" and smooth.get_marker() in ("None", None, "")
    assert "a vertical line at 12.2 (critical spread)" in describe(ax)
    assert ax.get_legend()._loc == 4  # "lower right", inside the axes
    assert chart_data(ax)["share (0 to 1)"].tolist()[:3] == [0.0, 0.2, 0.6]


def test_ranges_fade_what_the_floor_rules_out_and_name_only_what_the_rows_do_not():
    from course.plots import ranges

    ax = ranges(["bottom-up", "top-down: Fermi"], [33_000, 4_900], [160_000, 66_000], floor=(10_308, "recorded count"),
                middle=[56_000, 18_000], log=True, title="Two estimates", xlabel="absences (log scale)", ylabel="estimate")
    kept, ruled_out = ax.collections[:2]
    (x0, _), (x1, _) = kept.get_segments()[1]
    assert (x0, x1) == (10_308, 66_000), "the part above the floor is drawn in full colour"
    (r0, _), (r1, _) = ruled_out.get_segments()[0]
    assert (r0, r1) == (4_900, 10_308) and ruled_out.get_alpha() == 0.3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ruled out: below the recorded count", "recorded count", "median"]
    alt = describe(ax)
    assert alt.startswith("Range chart: Two estimates.") and "top-down: Fermi 10,308 to 66,000" in alt
    assert dict(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]))[1] == "bottom-up"  # first row on top
    assert ax.get_xscale() == "log"


def test_court_cases_chart_labels_every_newest_count_above_the_axis_and_circles_the_earlier_one():
    from course import load
    from course.numbers import court_cases_by_year
    from course.plots import court_cases_chart

    yearly = court_cases_by_year(load("figure-values"))
    ax = court_cases_chart(yearly, title="Court cases per year")
    latest = yearly.drop_duplicates(["article", "year"])
    assert sorted(t.get_text() for t in ax.texts) == sorted(f"{v:,}" for v in latest["value"])
    renderer = _drawn(ax)
    axis_bottom = ax.get_window_extent(renderer).y0
    for label in ax.texts:  # issue 13: the smallest count's label sat on the x axis
        assert label.get_window_extent(renderer).y0 > axis_bottom + 2, f"{label.get_text()} sits on the axis"
    earlier = ax.get_lines()[-1]
    assert earlier.get_label() == "earlier count, same year" and earlier.get_markerfacecolor() == "none"
    assert list(earlier.get_ydata()) == list(yearly[yearly.duplicated(["article", "year"])]["value"])
    assert describe(ax).startswith("Line chart: Court cases per year. Horizontal axis: calendar year; vertical axis: court cases per year.")
    as_bars = court_cases_chart(yearly, title="Court cases", as_bars=True, line=(2000, "2,000"))
    assert describe(as_bars).startswith("Bar chart:") and "a horizontal line at 2,000" in describe(as_bars)


def test_running_totals_chart_draws_one_line_per_article_by_date():
    from course import load
    from course.numbers import cumulative_court_cases
    from course.plots import ARTICLES, running_totals_chart

    cumulative = cumulative_court_cases(load("figure-values"))
    ax = running_totals_chart(cumulative, title="Running totals")
    assert [line.get_label() for line in ax.get_lines()] == list(ARTICLES.values())
    table = chart_data(ax)
    assert table["date of the count"].iloc[0] == "2023-04-03"  # dates read as dates, not day numbers
    assert table["court cases since September 2022"].max() == cumulative["value"].max()


def test_a_source_note_sits_below_everything_and_is_repeated_as_text_in_the_caption():
    from course.plots import bars, source_note

    ax = bars({"cards": {"NGO": 2, "state media": 4}}, horizontal=True, title="Cards", xlabel="number of cards")
    source_note(ax, "Source: the course's source cards, 2026-11.")
    renderer = _drawn(ax)
    note = next(a for a in ax.figure.artists if hasattr(a, "course_source"))
    assert note.get_window_extent(renderer).y1 < ax.get_tightbbox(renderer).y0, "the note never covers the axis label"
    chart = Chart(ax)
    assert chart.caption == "Source: the course's source cards, 2026-11."
    assert "<div>Source: the course&#x27;s source cards, 2026-11.</div>" in chart._repr_html_()
    assert Chart(ax, caption="Mine.").caption == "Mine."


def test_chart_takes_a_table_as_a_dict_or_from_the_figure_that_drew_it():
    import pandas as pd

    ax = barh(["one", "two"], [3, 5], title="Words", xlabel="words")
    chart = Chart(ax, table={"section": ["one", "two"], "words": [3, 5]})
    assert list(chart.table.columns) == ["section", "words"]
    ax.figure.course_table = pd.DataFrame({"kept": [1]})
    assert Chart(ax).table.equals(pd.DataFrame({"kept": [1]}))


def test_wrap_label_keeps_a_line_break_it_is_given():
    from course.plots import wrap_label

    assert wrap_label("most absences reach a court\n(p 0.5–0.9)", 40) == "most absences reach a court\n(p 0.5–0.9)"
