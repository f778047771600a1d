"""Charts of returns over time: cumulative lines, over the window or since publication.

Each ``plot_*`` takes :func:`analysis.metrics.to_cumulative_returns` output (fractions) and
returns a :class:`~analysis.charts.saving.Chart` whose data is in percent, as on the axes.
Colour is never the only cue: every line is labelled at its end with its name and value.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.charts.colors import color_for, label_for
from analysis.charts.saving import Chart
from analysis.charts.style import (
    FIGSIZE,
    alt_date,
    alt_pct,
    date_axis,
    end_label,
    finish,
    house_style,
    new_figure,
    percent_axis,
    spread_labels,
    zero_line,
)

__all__ = ["plot_cumulative_returns", "plot_since_publication"]


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
    ends = _line_ends(data)
    with house_style():
        fig, ax = new_figure(figsize)
        _draw_cumulative_returns(ax, data, ends, labels=labels, ylabel=ylabel)
        finish(fig, source, title)
    return Chart(fig, _describe_cumulative_returns(data, ends, labels, _alt_intro), data)


def _line_ends(data: pd.DataFrame) -> dict[str, tuple[pd.Timestamp, float]]:
    """Each line's last point, for its end label; a column without values has none."""
    ends = {}
    for col in data.columns:
        series = data[col].dropna()
        if not series.empty:
            ends[col] = (series.index[-1], float(series.iloc[-1]))
    return ends


def _draw_cumulative_returns(ax, data: pd.DataFrame, ends, *, labels, ylabel: str) -> None:
    """One line per series, its end labelled with its name and value, spread apart."""
    for col in ends:
        series = data[col].dropna()
        ax.plot(series.index, series.to_numpy(), color=color_for(col), label=label_for(col, labels))
    zero_line(ax)
    percent_axis(ax, decimals=0)
    date_axis(ax)
    ax.set_ylabel(ylabel)
    if ends:
        low = min(float(np.nanmin(data.to_numpy())), 0.0)
        high = max(float(np.nanmax(data.to_numpy())), 0.0)
        gap = max(high - low, 1e-9) * 0.07
        positions = spread_labels([v for _, v in ends.values()], gap)
        chart_end = data.index.max()
        for (col, (when, value)), y in zip(ends.items(), positions, strict=True):
            if when < chart_end:  # a line that stops early: a dot where it stops
                ax.plot([when], [value], marker="o", markersize=4, color=color_for(col))
            # Every label at the right edge, clear of the lines; an early end is dated.
            ax.annotate(
                end_label(label_for(col, labels), value, when, chart_end),
                xy=(chart_end, y),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                color=color_for(col),
                fontsize=9,
                fontweight="bold",
            )


def _describe_cumulative_returns(data: pd.DataFrame, ends, labels, intro: str | None) -> str:
    """The period, then each series' final return, best first."""
    start, end = data.index.min(), data.index.max()
    ordered = sorted(ends.items(), key=lambda item: -item[1][1])
    listing = ", ".join(
        f"{label_for(c, labels)} {alt_pct(v)}" + (f" (to {alt_date(w)})" if w < end else "")
        for c, (w, v) in ordered
    )
    intro = intro or (
        f"Line chart of cumulative price returns from {alt_date(start)} to {alt_date(end)}."
    )
    return f"{intro} At the end: {listing}."


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
        f"{alt_date(published)} to the latest data on {alt_date(end)}."
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
