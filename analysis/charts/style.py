"""The house chart style: the style file, the figure, the source line and the axis helpers.

Every chart is built the same way, the site's and a post's own: ``new_figure()`` inside
``house_style()``, draw on the axes, then :func:`finish` (title, source line, tick style).
The colours and names of series are in :mod:`analysis.charts.colors`; saving a chart is in
:mod:`analysis.charts.saving`.

Conventions
-----------
- One style, ``house.mplstyle``, applied only while a chart is built (:func:`house_style`);
  importing this module or building a chart never changes global matplotlib settings.
- Figures are built with :class:`matplotlib.figure.Figure`, not ``pyplot``, so they are
  shown only when a cell returns or displays them.
- Numbers on a chart use a typographic minus (:func:`signed_pct`); numbers in alt text an
  ASCII one, and say "not available" rather than print NaN (:func:`alt_pct`, :func:`alt_pp`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

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

from analysis.charts.colors import TEXT_COLOR
from analysis.text import long_date

__all__ = [
    "FIGSIZE",
    "STYLE_PATH",
    "add_source_line",
    "alt_date",
    "alt_pct",
    "alt_pp",
    "column_bars",
    "date_axis",
    "end_label",
    "finish",
    "freeze_style",
    "house_style",
    "level_line",
    "new_figure",
    "percent_axis",
    "signed_pct",
    "spread_labels",
    "zero_line",
]

STYLE_PATH = Path(__file__).with_name("house.mplstyle")
FIGSIZE = (8.0, 4.5)


# -- the style and the figure --------------------------------------------------------------


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


def finish(fig: Figure, source: str | None, title: str | None = None) -> None:
    """Add the title and source line, and fix the tick style before the style context ends."""
    if title:
        fig.axes[0].set_title(title)
    if source:
        add_source_line(fig, source)
    freeze_style(fig)


# -- the source line ------------------------------------------------------------------------


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


# -- numbers on charts and in alt text; axis helpers --------------------------------------


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
