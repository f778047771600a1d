"""The breadth chart: share of members above their moving average, with the 50% line.

Built like every chart in :mod:`analysis.charts`: the house style applied only while the
figure is drawn, a :class:`~analysis.charts.saving.Chart` with alt text and the plotted data, and
the source line at the bottom; here with a survivorship note above it.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd

from analysis.charts.colors import SMALL_CAPS
from analysis.charts.saving import Chart
from analysis.charts.style import (
    FIGSIZE,
    add_source_line,
    freeze_style,  # tick colours must be stored before the style context closes
    house_style,
    level_line,
    new_figure,
)
from analysis.metrics.breadth import BreadthReading
from analysis.text import long_date

# Breadth of Russell 2000 members takes the Russell 2000's colour.
LINE_COLOR = SMALL_CAPS


def survivorship_note(holdings_as_of=None, *, short: bool = False, pinned: bool = False) -> str:
    """The caveat of a breadth series built from one day's members.

    ``pinned=True``: the members are those of the reading's own date (a post's window), so
    the reading itself counts the index as it stood; only the look-back before it leans on
    that day's members. Otherwise today's members are applied to the whole period.
    ``short=True`` gives the one-line version drawn on the chart.
    """
    when = ""
    if holdings_as_of is not None:
        stamp = pd.Timestamp(holdings_as_of)
        when = f" as of {long_date(stamp)}"
    if pinned:
        if short:
            return f"Members{when}; earlier readings count that day's members."
        return (
            f"Members{when}, the holdings file of the reading's date: the reading counts the "
            "index as it stood, but earlier readings count that day's members, not the "
            "companies that had left the index before it."
        )
    if short:
        return f"Members{when} applied to the whole period (survivorship bias)."
    return (
        f"Members{when} applied to the whole period: companies that left the index "
        "since (acquired, delisted, or grown out of it) are missing, so earlier readings "
        "lean toward the survivors."
    )


def plot_breadth(
    breadth: pd.DataFrame | pd.Series,
    *,
    reading: BreadthReading | None = None,
    holdings_as_of=None,
    pinned: bool = False,
    source: str | None = None,
    window: int = 200,
    start=None,
    title: str | None = None,
    figsize=FIGSIZE,
) -> Chart:
    """Breadth over time with a dashed 50% line, a reading marked, and the caveats below.

    Parameters
    ----------
    breadth : DataFrame or Series
        :func:`analysis.metrics.breadth.to_breadth` output (or its ``pct_above`` column).
    reading : BreadthReading, optional
        A reading to mark and label (:func:`analysis.metrics.breadth.calc_breadth_claim`).
    holdings_as_of : date-like, optional
        Date of the membership list, for the survivorship note.
    pinned : bool
        The members are those of the reading's own date, not today's (see
        :func:`survivorship_note`).
    source : str, optional
        The source line (:func:`analysis.charts.saving.source_line`).
    window : int
        Moving-average length, for the labels.
    start : date-like, optional
        First date shown.
    title : str, optional
        Usually left out: the post's caption names the chart.

    Returns
    -------
    Chart
        ``data`` has ``pct_above`` (percent) and, when given a frame, ``members_counted``.
    """
    data = _shape_breadth(breadth, start)
    with house_style():
        fig, ax = new_figure(figsize)
        _draw_breadth(ax, data, reading, window)
        if title:
            ax.set_title(title)
        footer = survivorship_note(holdings_as_of, short=True, pinned=pinned)
        add_source_line(fig, f"{footer}\n{source}" if source else footer)
        freeze_style(fig)
    return Chart(fig, breadth_alt_text(data, reading, window=window), data)


def _shape_breadth(breadth: pd.DataFrame | pd.Series, start) -> pd.DataFrame:
    """The readings from ``start`` on, with the members counted when given."""
    frame = breadth.to_frame("pct_above") if isinstance(breadth, pd.Series) else breadth
    keep = [c for c in ("pct_above", "members_counted") if c in frame.columns]
    data = frame.loc[pd.Timestamp(start) if start is not None else None :, keep]
    return data.dropna(subset=["pct_above"])


def _draw_breadth(ax, data: pd.DataFrame, reading: BreadthReading | None, window: int) -> None:
    """The breadth line on a 0-100% axis, the 50% line, and the reading marked and labelled."""
    ax.plot(data.index, data["pct_above"].to_numpy(), color=LINE_COLOR, linewidth=1.6)
    level_line(ax, 50, "50%", label_below=True)
    if reading is not None and reading.value is not None:
        ax.scatter([reading.date], [reading.value], color=LINE_COLOR, s=28, zorder=3)
        ax.annotate(
            f"{reading.value:.0f}% on {reading.date.day} {reading.date:%b %Y}",
            xy=(reading.date, reading.value),
            # Well above (or below) the point, so the label never sits on the line.
            xytext=(-10, 36 if reading.value < 75 else -36),
            textcoords="offset points",
            ha="right",
            va="center",
            color=LINE_COLOR,
            fontsize=9,
            fontweight="bold",
            arrowprops={"arrowstyle": "-", "color": LINE_COLOR, "linewidth": 0.8},
        )
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(lambda value, _pos: f"{value:.0f}%")
    ax.set_ylabel(f"Members above their {window}-day average")
    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))


def breadth_alt_text(
    breadth: pd.DataFrame | pd.Series, reading: BreadthReading | None = None, window: int = 200
) -> str:
    """A description of the breadth chart for ``fig-alt``."""
    series = breadth["pct_above"] if isinstance(breadth, pd.DataFrame) else breadth
    series = series.dropna()
    if series.empty:
        return f"Empty chart: no readings of members above their {window}-day average."
    first, last = series.index[0], series.index[-1]
    text = (
        f"Line chart of the percentage of members above their {window}-day average from "
        f"{long_date(first)} to {long_date(last)}, between {series.min():.0f}% "
        f"and {series.max():.0f}%, with a dashed line at 50%."
    )
    if reading is not None and reading.value is not None:
        text += (
            f" The reading of {reading.value:.0f}% on {reading.date.day} "
            f"{reading.date:%B %Y} is marked"
        )
        text += f", {reading.highest_since.phrase}." if reading.highest_since else "."
    return text
