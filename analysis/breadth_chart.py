"""The breadth chart: share of members above their 200-day average, with the 50% line.

Self-contained styling set on the figure itself, so importing this module or drawing the
chart never changes matplotlib's global settings.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from analysis.breadth import BreadthReading

LINE_COLOUR = "#3b6fb6"  # a mid blue that reads on light and dark page backgrounds
REFERENCE_COLOUR = "#8c8c8c"
MARK_COLOUR = "#d0612b"


def survivorship_note(holdings_as_of=None) -> str:
    """The caveat every breadth chart built from today's members carries."""
    when = f" as of {pd.Timestamp(holdings_as_of):%-d %B %Y}" if holdings_as_of else ""
    return (
        f"Members{when} applied to the whole period: companies that left the index "
        "(acquired, delisted, or grown out of it) are missing, so earlier readings lean "
        "toward the survivors."
    )


def plot_breadth(
    breadth: pd.DataFrame | pd.Series,
    *,
    reading: BreadthReading | None = None,
    holdings_as_of=None,
    source: str | None = None,
    window: int = 200,
    title: str | None = None,
):
    """Draw the breadth series with the 50% line, the reading marked and the caveats below.

    Parameters
    ----------
    breadth : DataFrame or Series
        :func:`analysis.breadth.to_breadth` output (or its ``pct_above`` column).
    reading : BreadthReading, optional
        A reading to mark and label, e.g. from :func:`analysis.breadth.calc_breadth_claim`.
    holdings_as_of : date-like, optional
        Date of the membership list, for the survivorship note.
    source : str, optional
        The source line, e.g. ``"Source: Yahoo Finance via yfinance; data as of 2026-01-16"``.
    window : int
        Moving-average length, for the axis label.
    title : str, optional
        A title drawn on the figure (posts usually give a caption instead).

    Returns
    -------
    matplotlib.figure.Figure
    """
    series = breadth["pct_above"] if isinstance(breadth, pd.DataFrame) else breadth
    series = series.dropna()
    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    ax.plot(series.index, series.to_numpy(), color=LINE_COLOUR, linewidth=1.4)
    ax.axhline(50, color=REFERENCE_COLOUR, linewidth=1, linestyle="--")
    if len(series):
        ax.annotate(
            "50%",
            xy=(series.index[0], 50),
            xytext=(0, -11),
            textcoords="offset points",
            color=REFERENCE_COLOUR,
            fontsize=8,
        )
    if reading is not None and reading.value is not None:
        ax.scatter([reading.date], [reading.value], color=MARK_COLOUR, zorder=3, s=24)
        ax.annotate(
            f"{reading.value:.0f}% on {reading.date:%-d %b %Y}",
            xy=(reading.date, reading.value),
            xytext=(-4, 14),
            textcoords="offset points",
            ha="right",
            bbox={
                "boxstyle": "round,pad=0.2",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.8,
            },
            color=MARK_COLOUR,
            fontsize=9,
        )
    ax.set_ylim(0, 100)
    ax.set_ylabel(f"% of members above their {window}-day average")
    ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0f}%")
    ax.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title, loc="left")
    footer = survivorship_note(holdings_as_of)
    if source:
        footer = f"{footer}\n{source}"
    fig.text(0.01, -0.01, footer, ha="left", va="top", fontsize=7.5, wrap=True)
    return fig


def breadth_alt_text(
    breadth: pd.DataFrame | pd.Series, reading: BreadthReading | None = None, window: int = 200
) -> str:
    """A sentence describing the chart for screen readers."""
    series = breadth["pct_above"] if isinstance(breadth, pd.DataFrame) else breadth
    series = series.dropna()
    if series.empty:
        return f"Empty chart: no breadth readings ({window}-day average) are available."
    text = (
        f"Line chart of the share of members above their {window}-day average from "
        f"{series.index[0]:%B %Y} to {series.index[-1]:%B %Y}, ranging between "
        f"{series.min():.0f}% and {series.max():.0f}%, with a dashed line at 50%."
    )
    if reading is not None and reading.value is not None:
        text += f" The reading of {reading.value:.0f}% on {reading.date:%-d %B %Y} is marked"
        text += f", {reading.highest_since.phrase}." if reading.highest_since else "."
    return text
