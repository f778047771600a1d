"""Charts in the site's house style, each with its alt text and the data it plots.

Every ``plot_*`` function takes frames computed by :mod:`analysis.metrics` and returns a
:class:`Chart` ``(figure, alt_text, data)``: the matplotlib figure, a description of what it
shows for ``fig-alt``, and the plotted numbers (in the units on the axes) for
:func:`save_plotted_csv`. Nothing here reads the store or the network.

Conventions
-----------
- One style, ``house.mplstyle``, applied only while a chart is built (:func:`house_style`);
  importing this module or building a chart never changes global matplotlib settings.
- Figures are transparent and all ink is mid-tone, so one image reads on the light and the
  dark page theme: text is ``#808080`` (contrast about 4:1 on white and on ``#1e1e1e``) and
  every series colour has a contrast of at least 3:1 against both.
- A series keeps its colour on every chart (:data:`SERIES_COLORS`, :func:`color_for`);
  symbols without an assigned colour get one from a fixed palette by a stable hash.
- Colour is never the only cue: lines are labelled at their ends, the highlighted bar is
  annotated, marked bars are hatched and markers have a legend.
- Figures are built with :class:`matplotlib.figure.Figure`, not ``pyplot``, so they are
  shown only when a cell returns or displays them.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.style
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch

from analysis.claims import MarkdownText
from analysis.metrics import ordinal

__all__ = [
    "FALLBACK_COLORS",
    "LABELS",
    "SERIES_COLORS",
    "STYLE_PATH",
    "TEXT_COLOR",
    "Chart",
    "add_source_line",
    "color_for",
    "contrast_ratio",
    "house_style",
    "label_for",
    "plot_cumulative_returns",
    "plot_cycle_study",
    "plot_fed_target",
    "plot_price_with_level",
    "plot_ranked_returns",
    "plot_returns_vs_benchmark",
    "plot_since_publication",
    "plot_start_of_year_ranking",
    "save_chart",
    "save_plotted_csv",
    "save_preview",
    "source_line",
]

STYLE_PATH = Path(__file__).with_name("house.mplstyle")
FIGSIZE = (8.0, 4.5)
PNG_DPI = 144

# -- colours ------------------------------------------------------------------------------
# All colours have a relative luminance between 0.15 and 0.30, the band in which a colour
# keeps a 3:1 contrast against both a white and a near-black (#1e1e1e) page.
TEXT_COLOR = "#808080"
NEUTRAL_COLOR = "#8C8C8C"
CUT_COLOR = "#D0454C"
SMALL_CAPS = "#E0571F"
LARGE_CAPS = "#3C7FC9"
NASDAQ = "#8F6CC2"
FED = "#6B7FA8"

SERIES_COLORS: dict[str, str] = {
    # Benchmarks, and the funds and futures that track them, share a colour.
    "^RUT": SMALL_CAPS,
    "IWM": SMALL_CAPS,
    "RTY=F": SMALL_CAPS,
    "^GSPC": LARGE_CAPS,
    "SPY": LARGE_CAPS,
    "ES=F": LARGE_CAPS,
    "fred:SP500": LARGE_CAPS,
    "^IXIC": NASDAQ,
    "QQQ": NASDAQ,
    "NQ=F": NASDAQ,
    "fred:NASDAQCOM": NASDAQ,
    # Mega caps.
    "AAPL": "#1A9A8A",
    "MSFT": "#B8860B",
    "AMZN": "#A0703C",
    "META": "#C8508A",
    "NVDA": "#4C9A2A",
    "GOOGL": "#1F93B5",
    "GOOG": "#1F93B5",
    "TSLA": "#8A8F1F",
    # Invesco S&P SmallCap sector funds and regional banks.
    "PSCF": "#1F93B5",
    "PSCI": FED,
    "PSCH": "#C8508A",
    "PSCE": "#A0703C",
    "PSCT": NASDAQ,
    "PSCD": CUT_COLOR,
    "PSCC": "#4C9A2A",
    "PSCM": "#B8860B",
    "PSCU": "#1A9A8A",
    "KRE": LARGE_CAPS,
    # Rates and commodities.
    "fred:DFEDTAR": FED,
    "fred:DFEDTARU": FED,
    "fred:DFEDTARL": FED,
    "fred:EFFR": "#1A9A8A",
    "fred:DCOILWTICO": "#A0703C",
    "CL=F": "#A0703C",
    "USO": "#A0703C",
    "NG=F": "#1F93B5",
    "fred:DHHNGSP": "#1F93B5",
    "UNG": "#1F93B5",
}

FALLBACK_COLORS: tuple[str, ...] = (
    "#1A9A8A",
    "#B8860B",
    "#C8508A",
    "#4C9A2A",
    "#A0703C",
    "#1F93B5",
    CUT_COLOR,
    "#8A8F1F",
    FED,
)

# Three horizons of the cutting-cycle study: distinct hues and distinct hatches.
# Line hatches: a dotted hatch costs thousands of SVG paths.
HORIZON_STYLES = ((FED, ""), ("#1A9A8A", "///"), ("#B8860B", "\\\\\\"))

LABELS: dict[str, str] = {
    "^RUT": "Russell 2000",
    "^GSPC": "S&P 500",
    "^IXIC": "Nasdaq Composite",
    "RTY=F": "Russell 2000 futures",
    "ES=F": "S&P 500 futures",
    "NQ=F": "Nasdaq-100 futures",
    "AAPL": "Apple",
    "MSFT": "Microsoft",
    "AMZN": "Amazon",
    "META": "Meta",
    "NVDA": "Nvidia",
    "GOOGL": "Alphabet",
    "GOOG": "Alphabet",
    "TSLA": "Tesla",
    "PSCF": "Financials (PSCF)",
    "PSCI": "Industrials (PSCI)",
    "PSCH": "Health care (PSCH)",
    "PSCE": "Energy (PSCE)",
    "PSCT": "Information technology (PSCT)",
    "PSCD": "Consumer discretionary (PSCD)",
    "PSCC": "Consumer staples (PSCC)",
    "PSCM": "Materials (PSCM)",
    "PSCU": "Utilities & communication (PSCU)",
    "KRE": "Regional banks (KRE)",
    "fred:DCOILWTICO": "WTI crude",
    "CL=F": "WTI crude futures",
    "NG=F": "Natural gas futures",
    "fred:DHHNGSP": "Henry Hub natural gas",
    "fred:DFEDTARU": "Fed funds target, upper bound",
    "fred:DFEDTARL": "Fed funds target, lower bound",
    "fred:DFEDTAR": "Fed funds target",
}


def color_for(symbol: str) -> str:
    """The fixed colour of a series; unknown symbols get a stable palette colour."""
    if symbol in SERIES_COLORS:
        return SERIES_COLORS[symbol]
    # md5, not hash(): Python salts str hashes per process, and colours must not change
    # from one build to the next.
    digest = hashlib.md5(str(symbol).encode("utf-8"), usedforsecurity=False).digest()
    return FALLBACK_COLORS[digest[0] % len(FALLBACK_COLORS)]


def label_for(symbol: str, labels: Mapping[str, str] | None = None) -> str:
    """A reader's name for a series: ``labels`` first, then :data:`LABELS`, else the symbol."""
    if labels and symbol in labels:
        return labels[symbol]
    return LABELS.get(symbol, str(symbol))


def _relative_luminance(color: str) -> float:
    red, green, blue = mpl.colors.to_rgb(color)

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    lighter, darker = sorted(
        (_relative_luminance(foreground), _relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


# -- style, source line, output -----------------------------------------------------------


class Chart(NamedTuple):
    """A chart: the figure, its alt text, and the data as plotted (axis units).

    A cell that ends with a ``Chart`` shows it as a transparent PNG at 144 dpi, whether or
    not the kernel has matplotlib's inline backend set up (a bare ``Figure`` built without
    ``pyplot`` is only shown as an image when it has).
    """

    figure: Figure
    alt_text: str
    data: pd.DataFrame

    def to_png(self, dpi: int = PNG_DPI) -> bytes:
        """The chart as PNG bytes (transparent background)."""
        buffer = io.BytesIO()
        _save_figure(self.figure, buffer, fmt="png", dpi=dpi)
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.to_png()


@contextlib.contextmanager
def house_style():
    """Apply ``house.mplstyle`` inside a ``with`` block; settings are restored on exit."""
    with matplotlib.style.context(str(STYLE_PATH)):
        yield


def _new_figure(figsize=FIGSIZE, **subplots) -> tuple[Figure, object]:
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(**subplots)
    return fig, axes


def _freeze_style(fig: Figure) -> None:
    """Store the style's tick settings on each axis.

    Matplotlib creates tick labels lazily, at draw time, from the global rcParams; a figure
    drawn after :func:`house_style` exits would otherwise get default (black) ticks.
    """
    rc = mpl.rcParams
    for ax in fig.axes:
        for axis in ("x", "y"):
            ax.tick_params(
                axis=axis,
                which="both",
                colors=rc[f"{axis}tick.color"],
                labelcolor=rc[f"{axis}tick.labelcolor"],
                labelsize=rc[f"{axis}tick.labelsize"],
            )
            ax.tick_params(axis=axis, which="major", length=rc[f"{axis}tick.major.size"])


def source_line(provenances: Iterable, as_of=None) -> str:
    """``"Source: Yahoo Finance via yfinance; FRED; data as of 2026-01-16"`` from provenance.

    Parameters
    ----------
    provenances : iterable of Provenance
        Objects with ``source`` and ``last_bar`` (``analysis.store.Provenance``); ``None``
        items are skipped. A source made of several parts joined by ``"; "`` is split, and
        each source is named once, in order of first appearance.
    as_of : date-like, optional
        The date the chart's data ends. Default: the earliest ``last_bar``, the last date
        for which every series has data. Series whose last bar is before ``as_of`` are
        named, e.g. ``"(fred:DCOILWTICO through 2026-01-12)"``.
    """
    items = [p for p in provenances if p is not None]
    sources = list(
        dict.fromkeys(
            part.strip() for p in items for part in str(p.source).split("; ") if part.strip()
        )
    )
    text = "Source: " + "; ".join(sources) if sources else "Source: not recorded"
    last_bars = {getattr(p, "symbol", p.source): pd.Timestamp(p.last_bar) for p in items}
    if as_of is None and last_bars:
        as_of = min(last_bars.values())
    if as_of is not None:
        as_of = pd.Timestamp(as_of)
        text += f"; data as of {as_of.date()}"
        behind = [f"{name} through {bar.date()}" for name, bar in last_bars.items() if bar < as_of]
        if behind:
            text += f" ({', '.join(behind)})"
    return text


# A generous average glyph width of DejaVu Sans, in ems: lines wrapped at this many
# characters per figure width never run past the edge of the image.
_GLYPH_WIDTH_EM = 0.62


def add_source_line(fig: Figure, text: str) -> None:
    """Write the source line at the bottom left of the figure, below everything else.

    Long lines (many sources, many series behind the as-of date) wrap to the figure's
    width: images keep the figure's size, so text past the edge would be cut off.
    """
    size = FontProperties(size="small").get_size_in_points()
    width = max(int(fig.get_figwidth() * 72 / (_GLYPH_WIDTH_EM * size)), 20)
    lines = [textwrap.fill(line, width, break_on_hyphens=False) for line in text.split("\n")]
    # A figure-level x label takes part in the constrained layout, so the line never
    # overlaps tick labels whatever the chart's shape.
    fig.supxlabel("\n".join(lines), x=0.01, ha="left", fontsize=size, color=TEXT_COLOR)


def save_plotted_csv(frame: pd.DataFrame | pd.Series, path: str | Path) -> Path:
    """Write the plotted data as CSV (creating folders) and return the path.

    Ten significant digits: enough for any price or volume, without float noise.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, float_format="%.10g")
    return path


def _save_figure(fig: Figure, target, *, fmt: str, dpi: int) -> None:
    """Write a figure with the house style's output settings.

    Every image keeps the figure's size (constrained layout already fits everything inside
    it), so all charts show text at one scale on the page. SVG text stays text: smaller
    files, selectable words. Identical figures give identical files: no timestamp, and
    element ids from a fixed salt.

    The layout is computed once, before saving: ``savefig`` on a figure with a layout
    engine draws it twice (a dry run, then the real one) and lays it out each time, which
    is about a fifth of a chart's drawing time. The engine is restored afterwards.
    """
    metadata = {"Date": None} if fmt in ("svg", "pdf") else None
    with house_style():
        engine = fig.get_layout_engine()
        if engine is not None:
            engine.execute(fig)
            # With no engine (not the "none" placeholder), savefig draws only once; the
            # rc settings would otherwise hand the figure a new constrained engine.
            with mpl.rc_context(
                {"figure.constrained_layout.use": False, "figure.autolayout": False}
            ):
                fig.set_layout_engine(None)
        try:
            fig.savefig(target, format=fmt, dpi=dpi, transparent=True, metadata=metadata)
        finally:
            if engine is not None:
                fig.set_layout_engine(engine)


# Where posts' generated chart images and CSVs go, relative to the post folder.
FIGURES_DIR = Path("figures")


def save_chart(
    chart: Chart,
    stem: str | Path,
    caption: str,
    *,
    label: str | None = None,
    fmt: str = "svg",
    dpi: int = PNG_DPI,
) -> MarkdownText:
    """Save the image and its CSV; return Markdown for a figure with alt text and a data link.

    Quarto reads ``fig-alt`` only from cell options, which cannot hold computed text. A cell
    with ``#| output: asis`` that prints this Markdown gives the figure its computed alt
    text, a caption ending in a "Download the data (CSV)" link, and a cross-reference label
    (``label="fig-returns"`` -> ``@fig-returns``).

    Files go in the post's ``figures/`` folder (``stem`` is relative to it): they are made
    by every build and never committed.
    """
    stem = FIGURES_DIR / Path(stem)
    image = stem.with_suffix(f".{fmt}")
    image.parent.mkdir(parents=True, exist_ok=True)
    _save_figure(chart.figure, image, fmt=fmt, dpi=dpi)
    csv = save_plotted_csv(chart.data, stem.with_suffix(".csv"))
    alt = html.escape(chart.alt_text, quote=True)
    ident = f"#{label} " if label else ""
    return MarkdownText(
        f"![{caption} [Download the data (CSV)]({csv.as_posix()})]({image.as_posix()})"
        f'{{{ident}fig-alt="{alt}"}}\n'
    )


def save_preview(chart: Chart, path: str | Path = "preview.png", *, dpi: int = 96) -> Path:
    """Save the chart as the post's picture (``image: preview.png`` in its front matter).

    Listings and link previews (Open Graph, Twitter cards) need a raster image; at 96 dpi
    the house figure is 768 x 432 pixels.
    """
    path = Path(path)
    _save_figure(chart.figure, path, fmt="png", dpi=dpi)
    return path


# -- formatting helpers -------------------------------------------------------------------


def _signed_pct(value: float, decimals: int = 1) -> str:
    """+7.9% / −6.0% (typographic minus, as on the axes)."""
    if value is None or not np.isfinite(value):
        return "n/a"
    if round(value, decimals) == 0:
        return f"{0:.{decimals}f}%"
    return f"{value:+.{decimals}f}%".replace("-", "\u2212")


def _alt_pct(value: float, decimals: int = 1) -> str:
    if value is None or not np.isfinite(value):
        return "not available"
    if round(value, decimals) == 0:
        return f"{0:.{decimals}f}%"
    return f"{value:+.{decimals}f}%"


def _alt_pp(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "not yet complete"
    return "0.0" if round(value, 1) == 0 else f"{value:+.1f}"


def _alt_date(when) -> str:
    when = pd.Timestamp(when)
    return f"{when.day} {when:%B %Y}"


def _percent_axis(ax, axis: str = "y", decimals: int = 0) -> None:
    formatter = mticker.FuncFormatter(
        lambda v, _pos: "0%" if abs(v) < 1e-12 else _signed_pct(v, decimals)
    )
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def _date_axis(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))


def _zero_line(ax, axis: str = "y") -> None:
    line = ax.axhline if axis == "y" else ax.axvline
    line(0, color=TEXT_COLOR, linewidth=0.8, alpha=0.8, zorder=1)


def _spread(values: list[float], min_gap: float) -> list[float]:
    """Move label positions apart to at least ``min_gap``, keeping their order and centre."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, kind="stable")
    placed = values[order].copy()
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + min_gap)
    placed += (values[order] - placed).mean()
    out = np.empty_like(placed)
    out[order] = placed
    return out.tolist()


def _column_bars(ax, dates: pd.DatetimeIndex, heights, *, width: float = 0.8, **style):
    """Daily bars as one collection, not one patch per day.

    Months of daily volume make hundreds of bars; as a single artist they cost a fraction
    to build, draw and store in SVG. Days with no value get no bar.
    """
    centres = mdates.date2num(dates)
    heights = np.asarray(heights, dtype=float)
    keep = np.isfinite(heights)
    left, right = centres[keep] - width / 2, centres[keep] + width / 2
    tops, zeros = heights[keep], np.zeros(keep.sum())
    corners = np.stack([(left, zeros), (left, tops), (right, tops), (right, zeros)], axis=1)
    bars = PolyCollection(corners.transpose(2, 1, 0), linewidth=0, **style)
    ax.add_collection(bars)
    ax.xaxis_date()
    ax.autoscale_view()
    return bars


def _finish(fig: Figure, source: str | None, title: str | None = None) -> None:
    if title:
        fig.axes[0].set_title(title)
    if source:
        add_source_line(fig, source)
    _freeze_style(fig)


# -- charts -------------------------------------------------------------------------------


def plot_cumulative_returns(
    cumulative: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    source: str | None = None,
    title: str | None = None,
    ylabel: str = "Cumulative price return",
    figsize=FIGSIZE,
    _alt_intro: str | None = None,
) -> Chart:
    """Lines of cumulative returns, one per column, labelled at their ends.

    Parameters
    ----------
    cumulative : DataFrame
        :func:`analysis.metrics.to_cumulative_returns` output (fractions), columns named by
        symbol.
    labels : mapping, optional
        Reader names overriding :data:`LABELS`.
    source : str, optional
        The source line (:func:`source_line`).
    title : str, optional
        Usually left out: the post's caption names the chart.

    Returns
    -------
    Chart
        ``data`` is the plotted frame in percent.
    """
    data = cumulative.astype(float) * 100.0
    with house_style():
        fig, ax = _new_figure(figsize)
        finals = {}
        for col in data.columns:
            series = data[col].dropna()
            if series.empty:
                continue
            ax.plot(
                series.index, series.to_numpy(), color=color_for(col), label=label_for(col, labels)
            )
            finals[col] = (series.index[-1], float(series.iloc[-1]))
        _zero_line(ax)
        _percent_axis(ax, decimals=0)
        _date_axis(ax)
        ax.set_ylabel(ylabel)
        if finals:
            low = min(float(np.nanmin(data.to_numpy())), 0.0)
            high = max(float(np.nanmax(data.to_numpy())), 0.0)
            gap = max(high - low, 1e-9) * 0.07
            positions = _spread([v for _, v in finals.values()], gap)
            for (col, (when, value)), y in zip(finals.items(), positions, strict=True):
                ax.annotate(
                    f"{label_for(col, labels)} {_signed_pct(value)}",
                    xy=(when, y),
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    ha="left",
                    color=color_for(col),
                    fontsize=9,
                    fontweight="bold",
                )
        _finish(fig, source, title)

    start, end = data.index.min(), data.index.max()
    ordered = sorted(finals.items(), key=lambda item: -item[1][1])
    listing = ", ".join(f"{label_for(c, labels)} {_alt_pct(v)}" for c, (_, v) in ordered)
    intro = _alt_intro or (
        f"Line chart of cumulative price returns from {_alt_date(start)} to {_alt_date(end)}."
    )
    alt = f"{intro} At the end: {listing}."
    return Chart(fig, alt, data)


def plot_since_publication(
    cumulative: pd.DataFrame,
    published,
    *,
    labels: Mapping[str, str] | None = None,
    source: str | None = None,
    title: str | None = None,
    figsize=FIGSIZE,
) -> Chart:
    """Cumulative returns from the publication (as-of) date to the latest bar.

    ``cumulative`` is :func:`analysis.metrics.to_cumulative_returns` rebased at
    ``published``; the alt text names both dates.
    """
    end = cumulative.index.max()
    intro = (
        f"Line chart of price returns since publication, from the close of "
        f"{_alt_date(published)} to the latest data on {_alt_date(end)}."
    )
    return plot_cumulative_returns(
        cumulative,
        labels=labels,
        source=source,
        title=title,
        ylabel="Price return since publication",
        figsize=figsize,
        _alt_intro=intro,
    )


def plot_start_of_year_ranking(
    returns_by_year: pd.Series,
    highlight: int,
    *,
    symbol: str = "^RUT",
    sessions: int | None = None,
    labels: Mapping[str, str] | None = None,
    source: str | None = None,
    title: str | None = None,
    figsize=FIGSIZE,
) -> Chart:
    """Start-of-year returns of every year, best first, with one year highlighted.

    ``returns_by_year`` is :func:`analysis.metrics.to_start_of_year_returns` output
    (fractions, indexed by year). The highlighted bar takes the series' colour, the others
    are grey, and the highlighted bar is annotated with its value and rank.
    """
    values = returns_by_year.dropna().astype(float) * 100.0
    if highlight not in values.index:
        raise KeyError(f"{highlight} has no start-of-year return to highlight")
    ordered = values.sort_values(ascending=False, kind="stable")
    ranks = values.rank(ascending=False, method="min").astype(int)
    name = label_for(symbol, labels)
    highlight_color = color_for(symbol)
    with house_style():
        fig, ax = _new_figure(figsize)
        positions = np.arange(len(ordered))
        colors = [highlight_color if y == highlight else NEUTRAL_COLOR for y in ordered.index]
        ax.bar(positions, ordered.to_numpy(), color=colors, width=0.75)
        ax.set_xticks(positions, [str(y) for y in ordered.index], rotation=90, fontsize=8)
        ax.set_xlim(-0.75, len(ordered) - 0.25)
        value = float(values.loc[highlight])
        where = int(np.flatnonzero(ordered.index == highlight)[0])
        rank_text = f"{ordinal(int(ranks.loc[highlight]))} of {len(values)}"
        ax.annotate(
            f"{highlight}: {_signed_pct(value)}\n{rank_text}",
            xy=(where, value),
            xytext=(0, 6 if value >= 0 else -6),
            textcoords="offset points",
            ha="left" if where < len(ordered) / 2 else "right",
            va="bottom" if value >= 0 else "top",
            color=highlight_color,
            fontsize=9,
            fontweight="bold",
        )
        ax.margins(y=0.15)
        _zero_line(ax)
        _percent_axis(ax)
        span = f"first {sessions} sessions" if sessions else "start of the year"
        ax.set_ylabel(f"{name}, {span}")
        ax.grid(axis="x", visible=False)
        _finish(fig, source, title)
        # After _finish, which sets every tick label to the text colour.
        for tick, year in zip(ax.get_xticklabels(), ordered.index, strict=True):
            if year == highlight:
                tick.set_color(highlight_color)
                tick.set_fontweight("bold")

    data = pd.DataFrame(
        {
            "return_pct": ordered,
            "rank": ranks.loc[ordered.index],
            "highlighted": ordered.index == highlight,
        }
    )
    data.index.name = "year"
    best, worst = ordered.index[0], ordered.index[-1]
    span_text = f"the first {sessions} sessions" if sessions else "the start"
    alt = (
        f"Bar chart of the {name}'s price return over {span_text} of each year from "
        f"{values.index.min()} to {values.index.max()}, sorted from best to worst. "
        f"{highlight} ({_alt_pct(value)}) is highlighted and ranks "
        f"{ordinal(int(ranks.loc[highlight]))} of {len(values)}. The best year was {best} "
        f"({_alt_pct(ordered.loc[best])}), the worst {worst} ({_alt_pct(ordered.loc[worst])})."
    )
    return Chart(fig, alt, data)


def plot_price_with_level(
    close: pd.Series,
    volume: pd.Series,
    level: float,
    *,
    symbol: str = "IWM",
    start=None,
    end=None,
    volume_window: int = 20,
    level_label: str | None = None,
    labels: Mapping[str, str] | None = None,
    source: str | None = None,
    title: str | None = None,
    figsize=FIGSIZE,
) -> Chart:
    """Closing price with a horizontal level, over daily volume and its moving average.

    The average is computed on the whole ``volume`` series before cutting to
    ``start``..``end``, so the first days shown already have a full window; zero volumes
    count as missing. ``level_label`` defaults to ``"$250"`` style.
    """
    vol = volume.astype(float).where(volume > 0)
    average = vol.rolling(volume_window, min_periods=volume_window).mean()
    frame = pd.DataFrame({"close": close.astype(float), "volume": vol, "volume_avg": average})
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    frame = frame.loc[lo:hi]
    frame = frame.dropna(subset=["close"])
    frame["level"] = float(level)
    name = label_for(symbol, labels)
    level_text = level_label or f"${level:,.0f}"
    color = color_for(symbol)
    with house_style():
        fig, (ax, vax) = _new_figure(
            figsize, nrows=2, sharex=True, gridspec_kw={"height_ratios": [3, 1]}
        )
        ax.plot(frame.index, frame["close"].to_numpy(), color=color, label=f"{name} close")
        ax.axhline(level, color=TEXT_COLOR, linestyle="--", linewidth=1.2)
        ax.annotate(
            level_text,
            xy=(0, level),
            xycoords=("axes fraction", "data"),
            xytext=(2, 3),
            textcoords="offset points",
            va="bottom",
            ha="left",
            color=TEXT_COLOR,
            fontsize=9,
            fontweight="bold",
        )
        ax.yaxis.set_major_formatter(mticker.StrMethodFormatter("${x:,.0f}"))
        ax.set_ylabel(f"{name} close")
        ax.margins(y=0.12)
        _column_bars(vax, frame.index, frame["volume"].to_numpy() / 1e6, color=color, alpha=0.6)
        vax.plot(
            frame.index,
            frame["volume_avg"].to_numpy() / 1e6,
            color=TEXT_COLOR,
            linewidth=1.5,
            label=f"{volume_window}-day average",
        )
        vax.set_ylabel("Volume (m)")
        vax.legend(loc="upper left", fontsize=8)
        _date_axis(vax)
        _finish(fig, source, title)

    above = frame["close"] > level
    first_above = frame.index[above.to_numpy()][0] if above.any() else None
    last = frame.iloc[-1]
    alt = (
        f"Two-panel chart. Top: {name} closing price from {_alt_date(frame.index[0])} to "
        f"{_alt_date(frame.index[-1])} with a dashed line at {level_text}; it closed above "
        f"{level_text} on {int(above.sum())} of {len(frame)} sessions"
        + (f", first on {_alt_date(first_above)}" if first_above is not None else "")
        + f", and last closed at ${last['close']:,.2f}. Bottom: daily volume with its "
        f"{volume_window}-day average."
    )
    if np.isfinite(last["volume"]) and np.isfinite(last["volume_avg"]):
        pct = (last["volume"] / last["volume_avg"] - 1) * 100
        direction = "above" if pct >= 0 else "below"
        alt += f" The last session's volume was {abs(pct):.0f}% {direction} the average."
    return Chart(fig, alt, frame)


def plot_ranked_returns(
    returns: pd.Series,
    *,
    benchmark: str | None = None,
    highlight: Iterable[str] = (),
    period: str | None = None,
    labels: Mapping[str, str] | None = None,
    source: str | None = None,
    title: str | None = None,
    xlabel: str = "Price return",
    figsize=None,
    _alt_intro: str | None = None,
) -> Chart:
    """Horizontal bars of returns, best at the top, each in its series' colour.

    Parameters
    ----------
    returns : Series
        Fractions indexed by symbol, e.g. :func:`analysis.metrics.to_ranked_returns`.
        Symbols with NaN are left out of the bars and named in the alt text.
    benchmark : str, optional
        A symbol in ``returns`` to draw as a dashed reference line as well as a bar.
    highlight : iterable of str
        Symbols to emphasise (hatched bar, bold label), e.g. ``["KRE"]``.
    period : str, optional
        For the alt text, e.g. ``"31 December 2025 to 16 January 2026"``.
    """
    clean = returns.astype(float).dropna() * 100.0
    missing = [s for s in returns.index if s not in clean.index]
    ordered = clean.sort_values(ascending=True, kind="stable")
    highlight = set(highlight)
    n = len(ordered)
    if figsize is None:
        figsize = (FIGSIZE[0], max(3.0, min(0.38 * n + 1.4, 9.0)))
    with house_style():
        fig, ax = _new_figure(figsize)
        positions = np.arange(n)
        bars = ax.barh(
            positions,
            ordered.to_numpy(),
            color=[color_for(s) for s in ordered.index],
            height=0.68,
        )
        for bar, symbol in zip(bars, ordered.index, strict=True):
            if symbol in highlight:
                bar.set_hatch("///")
                bar.set_edgecolor(TEXT_COLOR)
        ax.set_yticks(positions, [label_for(s, labels) for s in ordered.index])
        for tick, symbol in zip(ax.get_yticklabels(), ordered.index, strict=True):
            if symbol in highlight or symbol == benchmark:
                tick.set_fontweight("bold")
        for y, value in zip(positions, ordered.to_numpy(), strict=True):
            ax.annotate(
                _signed_pct(value),
                xy=(value, y),
                xytext=(4 if value >= 0 else -4, 0),
                textcoords="offset points",
                ha="left" if value >= 0 else "right",
                va="center",
                color=TEXT_COLOR,
                fontsize=8,
            )
        if benchmark is not None and benchmark in clean.index:
            ax.axvline(
                clean.loc[benchmark], color=color_for(benchmark), linestyle="--", linewidth=1.2
            )
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.margins(x=0.18)
        _zero_line(ax, axis="x")
        _percent_axis(ax, axis="x")
        ax.set_xlabel(xlabel)
        ax.spines["left"].set_visible(False)
        _finish(fig, source, title)

    best_first = ordered.iloc[::-1]
    data = pd.DataFrame(
        {"label": [label_for(s, labels) for s in best_first.index]}, index=best_first.index
    )
    data["return_pct"] = best_first
    if benchmark is not None and benchmark in clean.index:
        data["vs_benchmark_pp"] = best_first - clean.loc[benchmark]
    data.index.name = "symbol"
    listing = "; ".join(f"{label_for(s, labels)} {_alt_pct(v)}" for s, v in best_first.items())
    intro = _alt_intro or (
        "Horizontal bar chart of price returns"
        + (f" from {period}" if period else "")
        + ", ranked from best to worst"
    )
    alt = f"{intro}: {listing}."
    if missing:
        alt += f" No data for {', '.join(label_for(s, labels) for s in missing)}."
    return Chart(fig, alt, data)


def plot_returns_vs_benchmark(
    returns: pd.Series,
    benchmark: str,
    *,
    period: str | None = None,
    labels: Mapping[str, str] | None = None,
    source: str | None = None,
    title: str | None = None,
    figsize=None,
) -> Chart:
    """Ranked returns (e.g. mega caps) with the benchmark's return as a bar and a line.

    ``returns`` must include ``benchmark``. The alt text counts how many trail it.
    """
    if benchmark not in returns.dropna().index:
        raise KeyError(f"the benchmark {benchmark} has no return in the data")
    value = float(returns[benchmark]) * 100.0
    others = returns.drop(benchmark).dropna() * 100.0
    behind = int((others < value).sum())
    name = label_for(benchmark, labels)
    intro = (
        "Horizontal bar chart of price returns"
        + (f" from {period}" if period else "")
        + f", with the {name} ({_alt_pct(value)}) as a dashed line; {behind} of "
        f"{len(others)} trail it"
    )
    return plot_ranked_returns(
        returns,
        benchmark=benchmark,
        period=period,
        labels=labels,
        source=source,
        title=title,
        figsize=figsize,
        _alt_intro=intro,
    )


def plot_fed_target(
    history: pd.DataFrame,
    *,
    changes: pd.DataFrame | None = None,
    start=None,
    end=None,
    mark_hikes: bool = False,
    source: str | None = None,
    title: str | None = None,
    figsize=FIGSIZE,
) -> Chart:
    """The fed funds target range as a step band, with cuts marked.

    Parameters
    ----------
    history : DataFrame
        ``lower`` and ``upper`` columns, from :func:`analysis.metrics.to_fed_target_history`
        or :func:`analysis.metrics.to_target_range`.
    changes : DataFrame, optional
        :func:`analysis.metrics.to_rate_changes` output; computed from ``upper`` if omitted.
    start, end : date-like, optional
        The period shown.
    mark_hikes : bool
        Also mark hikes (upward triangles).
    """
    if changes is None:
        from analysis.metrics import to_rate_changes  # local: keeps charts importable alone

        changes = to_rate_changes(history["upper"])
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    shown = history.loc[lo:hi, ["lower", "upper"]].astype(float)
    marks = changes.loc[lo:hi]
    cuts = marks[marks["change"] < 0]
    hikes = marks[marks["change"] > 0]
    # A step band needs only the days the range changed, and the last day: the same
    # picture from a few dozen points instead of every day (a far smaller SVG).
    changed = shown.ne(shown.shift()).any(axis=1).to_numpy(copy=True)
    changed[-1:] = True
    steps = shown[changed]
    with house_style():
        fig, ax = _new_figure(figsize)
        ax.fill_between(
            steps.index,
            steps["lower"].to_numpy(),
            steps["upper"].to_numpy(),
            step="post",
            color=FED,
            alpha=0.35,
            linewidth=0,
        )
        ax.step(steps.index, steps["upper"].to_numpy(), where="post", color=FED, linewidth=1.5)
        ax.step(steps.index, steps["lower"].to_numpy(), where="post", color=FED, linewidth=1.0)
        handles = [Patch(facecolor=FED, alpha=0.6, label="Target range")]
        if not cuts.empty:
            handles.append(
                ax.scatter(
                    cuts.index,
                    cuts["before"].to_numpy() + 0.15,
                    marker="v",
                    color=CUT_COLOR,
                    s=28,
                    zorder=3,
                    label="Cut",
                )
            )
        if mark_hikes and not hikes.empty:
            handles.append(
                ax.scatter(
                    hikes.index,
                    hikes["after"].to_numpy() + 0.15,
                    marker="^",
                    color=TEXT_COLOR,
                    s=22,
                    zorder=3,
                    label="Hike",
                )
            )
        last = shown.iloc[-1]
        ax.annotate(
            f"{last['lower']:.2f}–{last['upper']:.2f}%",
            xy=(shown.index[-1], last["lower"]),
            xytext=(0, -6),
            textcoords="offset points",
            ha="right",
            va="top",
            color=FED,
            fontsize=9,
            fontweight="bold",
        )
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _p: f"{v:g}%"))
        ax.set_ylabel("Fed funds target")
        ax.set_ylim(bottom=0)
        ax.margins(y=0.1)
        # Above the plot: a step chart leaves no corner reliably free of data.
        fig.legend(handles=handles, loc="outside upper right", ncols=len(handles))
        _date_axis(ax)
        _finish(fig, source, title)

    data = shown.copy()
    data["change"] = marks["change"].reindex(data.index)
    data.index.name = "date"
    recent = ", ".join(_alt_date(d) for d in cuts.index[-3:])
    alt = (
        f"Step chart of the federal funds target from {_alt_date(shown.index[0])} to "
        f"{_alt_date(shown.index[-1])}, ending at {last['lower']:.2f}–{last['upper']:.2f}%. "
        f"{len(cuts)} cuts are marked with downward triangles"
        + (f"; the latest on {recent}." if recent else ".")
    )
    return Chart(fig, alt, data)


def plot_cycle_study(
    relative: pd.DataFrame,
    *,
    a: str = "^RUT",
    b: str = "^GSPC",
    labels: Mapping[str, str] | None = None,
    source: str | None = None,
    title: str | None = None,
    figsize=FIGSIZE,
) -> Chart:
    """Grouped bars: ``a``'s return minus ``b``'s after each easing-cycle start.

    ``relative`` is :func:`analysis.metrics.to_relative_returns_after` output (fractions,
    one row per event, columns ``"3m"``, ``"6m"``, ...). Horizons not complete yet are
    marked "n/a" rather than drawn as zero.
    """
    data = relative.astype(float) * 100.0
    data.index = pd.DatetimeIndex(data.index, name="event")
    name_a, name_b = label_for(a, labels), label_for(b, labels)
    n_events, n_horizons = data.shape
    width = 0.8 / max(n_horizons, 1)
    with house_style():
        fig, ax = _new_figure(figsize)
        centres = np.arange(n_events)
        for j, column in enumerate(data.columns):
            color, hatch = HORIZON_STYLES[j % len(HORIZON_STYLES)]
            offsets = centres - 0.4 + width * (j + 0.5)
            values = data[column].to_numpy()
            ax.bar(
                offsets,
                np.nan_to_num(values, nan=0.0),
                width=width * 0.92,
                color=color,
                hatch=hatch,
                edgecolor=TEXT_COLOR if hatch else "none",
                linewidth=0,
                label=_horizon_name(column),
            )
            for x, value in zip(offsets, values, strict=True):
                if not np.isfinite(value):
                    ax.annotate(
                        "n/a",
                        xy=(x, 0),
                        xytext=(0, 3),
                        textcoords="offset points",
                        ha="center",
                        va="bottom",
                        rotation=90,
                        color=TEXT_COLOR,
                        fontsize=7,
                    )
        ax.set_xticks(centres, [f"{d:%b %Y}" for d in data.index])
        ax.grid(axis="x", visible=False)
        _zero_line(ax)
        ax.yaxis.set_major_formatter(
            mticker.FuncFormatter(
                lambda v, _p: "0" if abs(v) < 1e-12 else f"{v:+.0f}".replace("-", "\u2212")
            )
        )
        ax.set_ylabel(f"{name_a} minus {name_b}, pp")
        ax.set_xlabel("First cut of the easing cycle")
        fig.legend(loc="outside upper right", ncols=n_horizons)
        _finish(fig, source, title)

    parts = []
    for when, row in data.iterrows():
        values = "/".join(_alt_pp(v) for v in row.to_numpy())
        parts.append(f"{_alt_date(when)}: {values}")
    horizons = ", ".join(_horizon_name(c) for c in data.columns)
    alt = (
        f"Grouped bar chart of the {name_a}'s price return minus the {name_b}'s, in "
        f"percentage points, over {horizons} after the first cut of each easing cycle. "
        + "; ".join(parts)
        + "."
    )
    if n_horizons:
        longest = data.columns[-1]
        complete = data[longest].dropna()
        alt += (
            f" The {name_a} led over {_horizon_name(longest)} after {int((complete > 0).sum())} "
            f"of {len(complete)} completed cycles."
        )
    return Chart(fig, alt, data)


def _horizon_name(column: str) -> str:
    """'3m' -> '3 months'."""
    text = str(column)
    if text.endswith("m") and text[:-1].isdigit():
        return f"{text[:-1]} months"
    return text
