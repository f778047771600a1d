import re
import subprocess
import sys

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from conftest import make_provenance
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex, to_rgba

from analysis import charts as ch
from analysis import metrics as m
from analysis.charts.style import STYLE_PATH

BACKGROUNDS = ("#ffffff", "#222222", "#1e1e1e")


def provenance(symbol, source, last_bar):
    return make_provenance(symbol, last_bar, source=source)


def rc_snapshot():
    # Reading rcParams["backend"] would resolve the backend and import pyplot.
    return {key: mpl.rcParams[key] for key in mpl.rcParams if key != "backend"}


def draw(fig):
    """Render outside house_style, as Jupyter does after the cell returns."""
    FigureCanvasAgg(fig).draw()


@pytest.fixture()
def window_closes():
    index = pd.bdate_range("2025-12-31", "2026-01-16", name="date")
    n = len(index)
    return pd.DataFrame(
        {
            "^RUT": np.linspace(2481.91, 2677.74, n),
            "^GSPC": np.linspace(6845.5, 6940.01, n),
            "^IXIC": np.linspace(23241.99, 23515.39, n),
        },
        index=index,
    )


# -- style --------------------------------------------------------------------------------


def test_house_style_applies_inside_and_restores_outside():
    before = rc_snapshot()
    with ch.house_style():
        assert mpl.rcParams["text.color"] == "#808080"
        assert mpl.rcParams["figure.facecolor"] == "none"
    assert rc_snapshot() == before


def test_importing_the_package_changes_no_global_settings():
    code = (
        "import sys, matplotlib as mpl\n"
        "snap = lambda: {k: mpl.rcParams[k] for k in mpl.rcParams if k != 'backend'}\n"
        "before = snap()\n"
        "import analysis, analysis.charts, analysis.claims, analysis.metrics\n"
        "assert snap() == before, 'rcParams changed'\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_style_file_is_next_to_the_module():
    assert STYLE_PATH.name == "house.mplstyle"
    assert STYLE_PATH.is_file()


def test_contrast_ratio_known_answers():
    assert ch.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert ch.contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert ch.contrast_ratio("#808080", "#808080") == pytest.approx(1.0)
    assert ch.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_every_ink_reads_on_light_and_dark_pages():
    inks = {ch.TEXT_COLOR, ch.NEUTRAL_COLOR, ch.CUT_COLOR, *ch.SERIES_COLORS.values()}
    inks |= set(ch.FALLBACK_COLORS) | {color for color, _ in ch.HORIZON_STYLES}
    for ink in inks:
        for page in BACKGROUNDS:
            assert ch.contrast_ratio(ink, page) >= 3.0, (ink, page)
    for page in BACKGROUNDS:  # text is held to a higher bar than lines and bars
        assert ch.contrast_ratio(ch.TEXT_COLOR, page) >= 3.9


def test_colours_are_fixed_per_series():
    assert ch.color_for("^RUT") == ch.color_for("IWM") == "#E0571F"
    assert ch.color_for("^GSPC") == "#3C7FC9"
    assert len({ch.color_for(s) for s in ("^RUT", "^GSPC", "^IXIC")}) == 3
    mega = ["AAPL", "MSFT", "AMZN", "META", "NVDA", "GOOGL", "TSLA"]
    assert len({ch.color_for(s) for s in [*mega, "^GSPC", "^RUT"]}) == 9


def test_fallback_colour_is_stable_across_processes():
    here = ch.color_for("ZZZZ")
    assert here in ch.FALLBACK_COLORS
    code = "from analysis.charts.colors import color_for; print(color_for('ZZZZ'))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert other.stdout.strip() == here


def test_labels():
    assert ch.label_for("^RUT") == "Russell 2000"
    assert ch.label_for("PSCF") == "Financials (PSCF)"
    assert ch.label_for("XYZ") == "XYZ"
    assert ch.label_for("^RUT", {"^RUT": "R2K"}) == "R2K"


# -- source line --------------------------------------------------------------------------


def test_source_line_from_provenance():
    provs = [
        provenance("^RUT", "Yahoo Finance via yfinance", "2026-01-16"),
        provenance("^GSPC", "Yahoo Finance via yfinance", "2026-01-16"),
        provenance("fred:DFEDTARU", "FRED", "2026-01-18"),
        None,
    ]
    assert ch.source_line(provs, as_of="2026-01-16") == (
        "Source: Yahoo Finance via yfinance; FRED; data as of 2026-01-16"
    )


def test_source_line_default_date_and_lagging_series():
    provs = [
        provenance("^RUT", "imported from RUT.csv; Yahoo Finance via yfinance", "2026-01-16"),
        provenance("fred:DCOILWTICO", "FRED", "2026-01-12"),
    ]
    assert ch.source_line(provs) == (
        "Source: imported from RUT.csv; Yahoo Finance via yfinance; FRED; data as of 2026-01-12"
    )
    assert ch.source_line(provs, as_of="2026-01-16").endswith(
        "data as of 2026-01-16 (fred:DCOILWTICO through 2026-01-12)"
    )


# -- charts -------------------------------------------------------------------------------


def test_cumulative_returns_chart(window_closes):
    cumulative = m.to_cumulative_returns(window_closes, "2025-12-31")
    original = cumulative.copy()
    chart = ch.plot_cumulative_returns(cumulative, source="Source: test; data as of 2026-01-16")
    pd.testing.assert_frame_equal(cumulative, original)
    ax = chart.figure.axes[0]
    colours = [to_hex(line.get_color()).upper() for line in ax.get_lines()[:3]]
    assert colours == ["#E0571F", "#3C7FC9", "#2F9E7E"]
    assert chart.data.loc["2026-01-16", "^RUT"] == pytest.approx(7.890, abs=1e-3)
    assert chart.alt_text == (
        "Line chart of cumulative price returns from 31 December 2025 to 16 January 2026. "
        "At the end: Russell 2000 +7.9%, S&P 500 +1.4%, Nasdaq Composite +1.2%."
    )
    labels = [t.get_text() for t in ax.texts]
    assert "Russell 2000 +7.9%" in labels
    assert chart.figure._supxlabel.get_text() == "Source: test; data as of 2026-01-16"


def test_end_labels_do_not_overlap(window_closes):
    close_pair = window_closes.copy()
    close_pair["^IXIC"] = close_pair["^GSPC"] * 1.0001  # nearly the same path
    chart = ch.plot_cumulative_returns(m.to_cumulative_returns(close_pair, "2025-12-31"))
    positions = sorted(t.xy[1] for t in chart.figure.axes[0].texts)
    assert min(np.diff(positions)) > 0.3  # percent units, on a ~8-point axis


def test_a_line_that_ends_early_is_labelled_at_the_edge_with_its_end_date():
    """^RUT stops on 16 February, the others run to 14 August (like the reference data)."""
    index = pd.bdate_range("2026-01-02", "2026-08-14", name="date")
    closes = pd.DataFrame(
        {
            "^RUT": np.linspace(100.0, 110.0, len(index)),
            "^GSPC": np.linspace(100.0, 104.0, len(index)),
            "^IXIC": np.linspace(100.0, 103.0, len(index)),
        },
        index=index,
    )
    closes.loc["2026-02-17":, "^RUT"] = np.nan
    rut_end = float(closes["^RUT"].dropna().iloc[-1]) - 100.0  # percent: base is 100
    chart = ch.plot_cumulative_returns(m.to_cumulative_returns(closes, "2026-01-02"))
    ax = chart.figure.axes[0]
    texts = {t.get_text(): t for t in ax.texts}
    assert set(texts) == {
        f"Russell 2000 +{rut_end:.1f}% (to 16 Feb)",
        "S&P 500 +4.0%",
        "Nasdaq Composite +3.0%",
    }
    # Every label sits at the right edge, after all the lines, not mid-plot over them.
    edge = mdates.date2num(pd.Timestamp("2026-08-14"))
    assert {mdates.date2num(t.xy[0]) for t in ax.texts} == {edge}
    # A dot marks where the early line stops.
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert len(dots) == 1
    assert mdates.date2num(dots[0].get_xdata()[0]) == mdates.date2num(pd.Timestamp("2026-02-16"))
    assert dots[0].get_ydata()[0] == pytest.approx(rut_end)
    assert chart.alt_text.endswith(
        f"At the end: S&P 500 +4.0%, Nasdaq Composite +3.0%, Russell 2000 +{rut_end:.1f}% "
        "(to 16 February 2026)."
    )


@pytest.mark.parametrize(
    ("last", "end", "text"),
    [
        ("2026-08-14", "2026-08-14", "Russell 2000 +7.9%"),
        ("2026-02-16", "2026-08-14", "Russell 2000 +7.9% (to 16 Feb)"),
        ("2025-12-31", "2026-08-14", "Russell 2000 +7.9% (to 31 Dec 2025)"),
    ],
)
def test_end_label_dates_an_early_end(last, end, text):
    assert ch.style.end_label("Russell 2000", 7.9, last, end) == text


def test_chart_is_transparent_and_keeps_its_style_when_drawn_later(window_closes):
    chart = ch.plot_cumulative_returns(m.to_cumulative_returns(window_closes, "2025-12-31"))
    draw(chart.figure)  # outside house_style
    assert to_rgba(chart.figure.get_facecolor())[3] == 0
    tick = chart.figure.axes[0].get_yticklabels()[0]
    assert to_hex(tick.get_color()) == ch.TEXT_COLOR


def test_since_publication_chart_alt_text(window_closes):
    cumulative = m.to_cumulative_returns(window_closes, "2026-01-09")
    chart = ch.plot_since_publication(cumulative, "2026-01-09")
    assert chart.alt_text.startswith(
        "Line chart of price returns since publication, from the close of 9 January 2026 "
        "to the latest data on 16 January 2026."
    )


def test_start_of_year_ranking_chart():
    by_year = pd.Series({2019: 0.0787, 2021: 0.0893, 2025: 0.02, 2026: 0.0789, 2016: -0.124})
    chart = ch.plot_start_of_year_ranking(by_year, 2026, sessions=11)
    ax = chart.figure.axes[0]
    heights = [round(p.get_height(), 2) for p in ax.patches]
    assert heights == [8.93, 7.89, 7.87, 2.0, -12.4]  # best first
    colours = [to_hex(p.get_facecolor()).upper() for p in ax.patches]
    assert colours[1] == "#E0571F"
    assert set(colours[:1] + colours[2:]) == {ch.NEUTRAL_COLOR}
    draw(chart.figure)
    highlighted = ax.get_xticklabels()[1]
    assert highlighted.get_text() == "2026"
    assert to_hex(highlighted.get_color()).upper() == "#E0571F"
    assert chart.data.loc[2026, "rank"] == 2 and bool(chart.data.loc[2026, "highlighted"])
    assert "2026 (+7.9%) is highlighted and ranks 2nd of 5" in chart.alt_text
    assert "The best year was 2021 (+8.9%), the worst 2016 (-12.4%)." in chart.alt_text
    with pytest.raises(KeyError, match="2030 has no start-of-year return to highlight"):
        ch.plot_start_of_year_ranking(by_year, 2030)


def test_price_with_level_chart():
    index = pd.bdate_range("2025-11-03", "2026-01-16", name="date")
    close = pd.Series(np.linspace(240, 266, len(index)), index=index)
    volume = pd.Series(100.0, index=index)
    volume.iloc[-1] = 150.0
    volume.iloc[5] = 0.0  # unreported: missing, not zero
    chart = ch.plot_price_with_level(close, volume, 250, start="2025-12-01")
    assert chart.data.index[0] == pd.Timestamp("2025-12-01")
    assert chart.data["volume_avg"].iloc[-1] == pytest.approx((19 * 100 + 150) / 20)
    # The unreported day is missing, so no full 20-day window covers it.
    assert np.isnan(chart.data.loc["2025-12-01", "volume_avg"])
    assert (chart.data["level"] == 250).all()
    top, bottom = chart.figure.axes
    assert any(line.get_linestyle() == "--" and line.get_ydata()[0] == 250 for line in top.lines)
    bars = bottom.collections[0].get_paths()
    assert bottom.get_ylim()[0] == 0  # volume bars stand on the axis, as bars do
    assert len(bars) == len(chart.data)  # one volume bar per session, as one artist
    left, top = bars[-1].vertices[1]
    assert top == pytest.approx(150 / 1e6)
    assert left == pytest.approx(mdates.date2num(pd.Timestamp("2026-01-16")) - 0.4)
    whole = ch.plot_price_with_level(close, volume, 250)  # includes the unreported day
    assert len(whole.figure.axes[1].collections[0].get_paths()) == len(whole.data) - 1
    assert bottom.get_legend().get_texts()[0].get_text() == "20-day average"
    above = int((chart.data["close"] > 250).sum())
    assert f"closed above $250 on {above} of {len(chart.data)} sessions" in chart.alt_text
    assert "last closed at $266.00" in chart.alt_text
    assert "volume was 46% above the average" in chart.alt_text


def test_ranked_returns_chart_and_missing_symbols():
    returns = pd.Series({"PSCF": 0.05, "PSCH": -0.01, "PSCI": 0.08, "KRE": 0.065, "PSCE": np.nan})
    chart = ch.plot_ranked_returns(returns, highlight=["KRE"], period="31 December to 16 January")
    ax = chart.figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Health care (PSCH)",
        "Financials (PSCF)",
        "Regional banks (KRE)",
        "Industrials (PSCI)",
    ]  # best at the top of a horizontal bar chart
    hatched = [p.get_hatch() for p in ax.patches]
    assert hatched == [None, None, "///", None]
    assert chart.data.index.tolist() == ["PSCI", "KRE", "PSCF", "PSCH"]
    assert chart.alt_text.endswith("Health care (PSCH) -1.0%. No data for Energy (PSCE).")
    assert "from 31 December to 16 January" in chart.alt_text


def test_returns_vs_benchmark_chart():
    returns = pd.Series({"AAPL": -0.060, "AMZN": 0.036, "NVDA": -0.001, "^GSPC": 0.0138})
    chart = ch.plot_returns_vs_benchmark(returns, "^GSPC")
    assert chart.data.loc["AAPL", "vs_benchmark_pp"] == pytest.approx(-7.38)
    assert "with the S&P 500 (+1.4%) as a dashed line; 2 of 3 trail it" in chart.alt_text
    ax = chart.figure.axes[0]
    assert any(line.get_linestyle() == "--" for line in ax.lines)
    with pytest.raises(KeyError, match=r"the benchmark \^GSPC has no return in the data"):
        ch.plot_returns_vs_benchmark(returns.drop("^GSPC"), "^GSPC")


def test_fed_target_chart_marks_cuts():
    steps = [("2024-01-01", 5.5), ("2024-09-19", 5.0), ("2024-11-08", 4.75), ("2025-03-01", 5.0)]
    index = pd.date_range("2024-01-01", "2025-06-30", freq="D", name="date")
    upper = pd.Series(np.nan, index=index)
    for when, value in steps:
        upper.loc[when:] = value
    history = m.to_target_range(upper, upper - 0.25)
    chart = ch.plot_fed_target(history, start="2024-06-01")
    cut_markers = chart.figure.axes[0].collections[-1]
    assert len(cut_markers.get_offsets()) == 2
    assert chart.data["change"].dropna().tolist() == [-0.5, -0.25, 0.25]
    assert chart.alt_text == (
        "Step chart of the federal funds target from 1 June 2024 to 30 June 2025, ending at "
        "4.75–5.00%. 2 cuts are marked with downward triangles; the latest on 19 September "
        "2024, 8 November 2024."
    )
    gappy = history.copy()
    gappy.loc["2024-10-01":"2024-10-05"] = np.nan  # days without a value
    band = ch.plot_fed_target(gappy, start="2024-06-01").figure.axes[0].collections[0]
    corners = band.get_paths()[0].vertices
    assert len(band.get_paths()) == 1  # one band, not broken at the gap
    assert corners[:, 0].max() == mdates.date2num(pd.Timestamp("2025-06-30"))
    # Drawn from the change points only, the steps still give every day's value.
    upper_line, lower_line = chart.figure.axes[0].lines[:2]
    assert len(upper_line.get_xdata()) == 5  # 1 June, two cuts, a hike, and the last day
    for line, column in ((upper_line, "upper"), (lower_line, "lower")):
        drawn = pd.Series(line.get_ydata(), index=pd.DatetimeIndex(line.get_xdata()))
        every_day = drawn.reindex(chart.data.index, method="ffill")
        pd.testing.assert_series_equal(every_day, chart.data[column], check_names=False)


def test_cycle_study_chart_marks_incomplete_horizons():
    relative = pd.DataFrame(
        {"3m": [0.06, -0.005], "6m": [0.11, np.nan], "12m": [0.158, np.nan]},
        index=pd.to_datetime(["2001-01-03", "2025-09-18"]),
    )
    chart = ch.plot_cycle_study(relative)
    ax = chart.figure.axes[0]
    assert len(ax.patches) == 6
    assert [t.get_text() for t in ax.texts] == ["n/a", "n/a"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan 2001", "Sep 2025"]
    assert "3 January 2001: +6.0/+11.0/+15.8" in chart.alt_text
    assert "18 September 2025: -0.5/not yet complete/not yet complete" in chart.alt_text
    assert chart.alt_text.endswith("led over 12 months after 1 of 1 completed cycles.")
    assert chart.data.loc["2001-01-03", "12m"] == pytest.approx(15.8)


# -- output -------------------------------------------------------------------------------


def test_save_plotted_csv_round_trip(tmp_path, window_closes):
    path = ch.save_plotted_csv(window_closes, tmp_path / "sub" / "closes.csv")
    back = pd.read_csv(path, index_col="date", parse_dates=True)
    pd.testing.assert_frame_equal(back, window_closes, check_freq=False, rtol=1e-9)


def test_save_chart_writes_image_and_data(tmp_path, window_closes):
    chart = ch.plot_cumulative_returns(m.to_cumulative_returns(window_closes, "2025-12-31"))
    stem = tmp_path / "returns"
    markdown = ch.save_chart(chart, stem, "Returns", label="fig-returns", fmt="png")
    assert (tmp_path / "returns.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "returns.csv").is_file()
    assert markdown.startswith("![Returns [Download the data (CSV)](")
    assert '{#fig-returns fig-alt="Line chart of cumulative price returns' in markdown
    assert markdown._repr_markdown_() == str(markdown)


def test_a_chart_displays_itself_as_png(window_closes):
    chart = ch.plot_cumulative_returns(m.to_cumulative_returns(window_closes, "2025-12-31"))
    png = chart._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width == 8 * 144  # the figure's 8 in at 144 dpi: every chart at one text scale
    figure, alt_text, data = chart  # unpacks like a tuple
    assert figure is chart.figure and alt_text == chart.alt_text and data is chart.data


def _one_of_each_chart(window_closes) -> list:
    source_line = ch.source_line
    cumulative = m.to_cumulative_returns(window_closes, "2025-12-31")
    index = pd.date_range("2019-01-01", "2026-01-16", freq="D")
    upper = pd.Series(2.5, index=index).where(index < "2020-03-03", 1.75)
    long_names = pd.Series({"PSCU": 0.01, "PSCD": -0.02, "PSCT": 0.03, "KRE": 0.04})
    source = source_line(
        [provenance(f"SYMBOL{i}", "Yahoo Finance via yfinance", "2026-01-09") for i in range(9)]
        + [provenance("^RUT", "FRED", "2026-01-16")],
        as_of="2026-01-16",
    )
    assert len(source) > 250  # wider than the figure on one line
    return [
        ch.plot_cumulative_returns(cumulative, source=source),
        ch.plot_ranked_returns(long_names, highlight=["KRE"], source=source),
        ch.plot_fed_target(m.to_target_range(upper, upper - 0.25), source=source),
        ch.plot_price_with_level(
            window_closes["^RUT"], window_closes["^RUT"] * 1e4, 2600, source=source
        ),
    ]


def _counted(function, calls: dict, key: str):
    def call(*args, **kwargs):
        calls[key] += 1
        return function(*args, **kwargs)

    return call


def test_saving_lays_out_and_draws_once_and_keeps_the_layout_engine(tmp_path, window_closes):
    for number, chart in enumerate(_one_of_each_chart(window_closes)):
        fig = chart.figure
        engine = fig.get_layout_engine()
        calls = {"layout": 0, "draw": 0}

        engine.execute = _counted(engine.execute, calls, "layout")
        fig.draw = _counted(fig.draw, calls, "draw")
        ch.save_chart(chart, tmp_path / f"chart{number}", "Caption")
        assert calls == {"layout": 1, "draw": 1}
        assert fig.get_layout_engine() is engine


def test_saved_images_hold_every_label(window_closes):
    # No tight bounding box crops the image: the layout must fit all ink inside the figure.
    for chart in _one_of_each_chart(window_closes):
        fig = chart.figure
        fig.get_layout_engine().execute(fig)
        ink = fig.get_tightbbox(FigureCanvasAgg(fig).get_renderer())  # inches
        page = fig.bbox_inches
        assert ink.x0 >= page.x0 and ink.y0 >= page.y0, ink
        assert ink.x1 <= page.x1 and ink.y1 <= page.y1, ink
        assert ink.width > 0.9 * page.width  # and uses the width it has


def test_identical_charts_give_identical_svg_files(tmp_path, window_closes):
    first = ch.plot_cumulative_returns(m.to_cumulative_returns(window_closes, "2025-12-31"))
    second = ch.plot_cumulative_returns(m.to_cumulative_returns(window_closes, "2025-12-31"))
    ch.save_chart(first, tmp_path / "a", "A")
    ch.save_chart(second, tmp_path / "b", "B")
    svg = (tmp_path / "a.svg").read_text()
    assert svg == (tmp_path / "b.svg").read_text()
    assert "Russell 2000 +7.9%</text>" in svg  # text stays text


def test_preview_is_a_png_of_the_whole_figure(tmp_path, window_closes):
    chart = ch.plot_cumulative_returns(m.to_cumulative_returns(window_closes, "2025-12-31"))
    path = tmp_path / "preview.png"
    # None, so a cell ending with the call shows nothing (a path would print its repr).
    assert ch.save_preview(chart, path) is None
    png = path.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    size = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert size == (768, 432)  # 8 x 4.5 in at 96 dpi


def test_the_docs_name_every_chart_function_and_only_real_ones():
    from analysis.charts import breadth as breadth_chart
    from analysis.data.settings import PROJECT_ROOT

    readme = (PROJECT_ROOT / "docs" / "writing-a-post.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(?:analysis\.charts\.)?(plot_\w+)`", readme))
    public = {name for name in ch.__all__ if name.startswith("plot_")} | {"plot_breadth"}
    assert named == public
    assert callable(breadth_chart.plot_breadth)
    for name in ("save_chart", "save_preview", "source_line", "SERIES_COLORS"):
        assert re.search(rf"\b{name}\(|`{name}`", readme) and name in ch.__all__


def test_a_chart_of_your_own_as_the_docs_describe(tmp_path, window_closes):
    from analysis.charts import Chart, finish, house_style, new_figure

    with house_style():
        fig, ax = new_figure()
        ax.plot(window_closes.index, window_closes["^RUT"], color=ch.color_for("^RUT"))
        finish(fig, "Source: test; data as of 2026-01-16", title="Russell 2000")
    chart = Chart(fig, "Line chart of the Russell 2000.", window_closes[["^RUT"]])
    markdown = ch.save_chart(chart, tmp_path / "own", "My chart")
    assert (tmp_path / "own.svg").is_file() and (tmp_path / "own.csv").is_file()
    assert 'fig-alt="Line chart of the Russell 2000."' in markdown
    draw(fig)  # after the style closed: ticks keep the house colour
    assert to_hex(ax.get_yticklabels()[0].get_color()) == ch.TEXT_COLOR
    assert fig.get_supxlabel() == "Source: test; data as of 2026-01-16"


def test_svg_text_names_the_house_font_stack(tmp_path, window_closes):
    chart = ch.plot_cumulative_returns(m.to_cumulative_returns(window_closes, "2025-12-31"))
    ch.save_chart(chart, tmp_path / "returns", "Returns")
    families = set(re.findall(r"font-family: ([^;\"]+)", (tmp_path / "returns.svg").read_text()))
    assert families == {
        "'DejaVu Sans', 'Bitstream Vera Sans', 'Verdana', 'Arial', 'Helvetica', "
        "'Liberation Sans', sans-serif"
    }


def test_a_long_source_line_breaks_between_words_to_fit_the_figure(window_closes):
    words = ["IMPORTED_FROM_RUSSELL_2000_MEMBERS_2026Q1.CSV"] * 6 + ["WWW"] * 30
    source = "Source: " + " ".join(words)
    chart = ch.plot_cumulative_returns(
        m.to_cumulative_returns(window_closes, "2025-12-31"), source=source
    )
    fig = chart.figure
    shown = fig.get_supxlabel()
    assert shown.replace("\n", " ") == source  # every word kept, in order
    assert shown.count("\n") >= 3
    fig.get_layout_engine().execute(fig)
    ink = fig._supxlabel.get_window_extent(FigureCanvasAgg(fig).get_renderer())
    assert ink.x1 <= fig.bbox.x1
