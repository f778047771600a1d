"""The house chart style: colours, labels, the source line, saving, and shared plot parts.

:mod:`analysis.charts.plots` draws the site's charts from these pieces; a post that needs a chart
of its own builds it the same way (``new_figure`` inside ``house_style()``, then ``finish``)
and saves it with :func:`save_chart`.

Conventions
-----------
- One style, ``house.mplstyle``, applied only while a chart is built (:func:`house_style`);
  importing this module or building a chart never changes global matplotlib settings.
- Figures are transparent and all ink is mid-tone, so one image reads on the light and the
  dark page theme: text is ``#808080`` (contrast about 4:1 on white and on ``#1e1e1e``) and
  every series colour has a contrast of at least 3:1 against both.
- A series keeps its colour on every chart (:data:`SERIES_COLORS`, :func:`color_for`);
  symbols without an assigned colour get one from a fixed palette by a stable hash.
- Figures are built with :class:`matplotlib.figure.Figure`, not ``pyplot``, so they are
  shown only when a cell returns or displays them.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
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
from matplotlib.textpath import TextToPath

from analysis.text import MarkdownText, long_date

__all__ = [
    "FALLBACK_COLORS",
    "FIGSIZE",
    "LABELS",
    "SERIES_COLORS",
    "STYLE_PATH",
    "TEXT_COLOR",
    "Chart",
    "add_source_line",
    "alt_date",
    "alt_pct",
    "alt_pp",
    "color_for",
    "column_bars",
    "contrast_ratio",
    "date_axis",
    "end_label",
    "finish",
    "freeze_style",
    "house_style",
    "label_for",
    "level_line",
    "new_figure",
    "percent_axis",
    "save_chart",
    "save_plotted_csv",
    "save_preview",
    "signed_pct",
    "source_line",
    "spread_labels",
    "zero_line",
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


def new_figure(figsize=FIGSIZE, **subplots) -> tuple[Figure, object]:
    """A figure in the house size with constrained layout, and its axes (call in the style)."""
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(**subplots)
    return fig, axes


def freeze_style(fig: Figure) -> None:
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
        Objects with ``source`` and ``last_bar`` (``analysis.data.store.Provenance``); ``None``
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


def add_source_line(fig: Figure, text: str) -> None:
    """Write the source line at the bottom left of the figure, below everything else.

    Lines wider than the figure (many sources, many series behind the as-of date) break
    between words: images keep the figure's size, so text past the edge would be cut off.
    """
    font = FontProperties(size="small")
    # Points from x = 0.01, leaving 5% spare: hinted raster text (the PNG preview) and
    # fallback fonts can measure a little wider than the outlines measured here.
    width = fig.get_figwidth() * 72 * 0.94
    lines = [_wrap_to_width(line, font, width) for line in text.split("\n")]
    # A figure-level x label takes part in the constrained layout, so the line never
    # overlaps tick labels whatever the chart's shape.
    fig.supxlabel("\n".join(lines), x=0.01, ha="left", fontproperties=font, color=TEXT_COLOR)


def _wrap_to_width(line: str, font: FontProperties, width: float) -> str:
    """Break a line between words so each piece measures at most ``width`` points."""
    outlines = TextToPath()

    def measure(text: str) -> float:
        return outlines.get_text_width_height_descent(text, font, ismath=False)[0]

    if measure(line) <= width:
        return line
    pieces, piece = [], ""
    for word in line.split(" "):
        longer = f"{piece} {word}" if piece else word
        if piece and measure(longer) > width:
            pieces.append(piece)
            piece = word
        else:
            piece = longer
    return "\n".join([*pieces, piece])


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


def save_preview(chart: Chart, path: str | Path = "preview.png", *, dpi: int = 96) -> None:
    """Save the chart as the post's picture (``image: preview.png`` in its front matter).

    Listings and link previews (Open Graph, Twitter cards) need a raster image; at 96 dpi
    the house figure is 768 x 432 pixels. Returns None on purpose: a cell that ends with
    this call then shows nothing (a returned path would print as ``PosixPath(...)`` on the
    page).
    """
    _save_figure(chart.figure, Path(path), fmt="png", dpi=dpi)


# -- formatting helpers -------------------------------------------------------------------


def signed_pct(value: float, decimals: int = 1) -> str:
    """+7.9% / −6.0% (typographic minus, as on the axes)."""
    if value is None or not np.isfinite(value):
        return "n/a"
    if round(value, decimals) == 0:
        return f"{0:.{decimals}f}%"
    return f"{value:+.{decimals}f}%".replace("-", "\u2212")


def alt_pct(value: float, decimals: int = 1) -> str:
    """A percentage for alt text: ASCII minus, "not available" for a missing value."""
    if value is None or not np.isfinite(value):
        return "not available"
    if round(value, decimals) == 0:
        return f"{0:.{decimals}f}%"
    return f"{value:+.{decimals}f}%"


def alt_pp(value: float) -> str:
    """Percentage points for alt text; a missing value is a horizon "not yet complete"."""
    if value is None or not np.isfinite(value):
        return "not yet complete"
    return "0.0" if round(value, 1) == 0 else f"{value:+.1f}"


def alt_date(when) -> str:
    """16 January 2026."""
    return long_date(pd.Timestamp(when))


def percent_axis(ax, axis: str = "y", decimals: int = 0) -> None:
    """Tick labels as signed percentages (+5%, 0%, \u22125%) on one axis."""
    formatter = mticker.FuncFormatter(
        lambda v, _pos: "0%" if abs(v) < 1e-12 else signed_pct(v, decimals)
    )
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def date_axis(ax) -> None:
    """Four to eight date ticks, labelled concisely (Jan, 05, 09 ... 2026)."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))


def level_line(ax, value: float, label: str, *, label_below: bool = False) -> None:
    """A dashed line at a level (a price mark, 50%), labelled in bold at the left edge."""
    ax.axhline(value, color=TEXT_COLOR, linestyle="--", linewidth=1.2)
    ax.annotate(
        label,
        xy=(0, value),
        xycoords=("axes fraction", "data"),
        xytext=(2, -3 if label_below else 3),
        textcoords="offset points",
        va="top" if label_below else "bottom",
        ha="left",
        color=TEXT_COLOR,
        fontsize=9,
        fontweight="bold",
    )


def zero_line(ax, axis: str = "y") -> None:
    """A thin line at zero, under the data."""
    line = ax.axhline if axis == "y" else ax.axvline
    line(0, color=TEXT_COLOR, linewidth=0.8, alpha=0.8, zorder=1)


def end_label(name: str, value: float, last, chart_end) -> str:
    """The label at a line's end: ``Russell 2000 +7.9%``, with ``(to 16 Feb)`` if it stops early.

    Every end label sits at the chart's right edge, so one whose line stops before the
    others would otherwise read as the value at that edge: the date says where it stops.
    """
    text = f"{name} {signed_pct(value)}"
    last, chart_end = pd.Timestamp(last), pd.Timestamp(chart_end)
    if last >= chart_end:
        return text
    day = f"{last.day} {last:%b}" + (f" {last.year}" if last.year != chart_end.year else "")
    return f"{text} (to {day})"


def spread_labels(values: list[float], min_gap: float) -> list[float]:
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


def column_bars(ax, dates: pd.DatetimeIndex, heights, *, width: float = 0.8, **style):
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
    bars.sticky_edges.y.append(0)  # as with ax.bar: the axis starts at zero, no margin below
    ax.add_collection(bars)
    ax.xaxis_date()
    ax.autoscale_view()
    return bars


def finish(fig: Figure, source: str | None, title: str | None = None) -> None:
    """Add the title and source line, and fix the tick style before the style context ends."""
    if title:
        fig.axes[0].set_title(title)
    if source:
        add_source_line(fig, source)
    freeze_style(fig)
