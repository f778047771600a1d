"""Charts of returns: cumulative lines, ranked bars, and the start of each year ranked.

Each ``plot_*`` takes frames from :mod:`analysis.metrics` (fractions) and returns a
:class:`~analysis.charts.saving.Chart` whose data is in percent, as on the axes. Colour is
never the only cue: lines are labelled at their ends, highlighted bars are hatched or
annotated, and bold labels mark the benchmark.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.charts.colors import NEUTRAL_COLOR, TEXT_COLOR, color_for, label_for
from analysis.charts.saving import Chart
from analysis.charts.style import (
    FIGSIZE,
    alt_date,
    alt_pct,
    date_axis,
    finish,
    house_style,
    new_figure,
    percent_axis,
    signed_pct,
    spread_labels,
    zero_line,
)
from analysis.text import ordinal

__all__ = [
    "plot_cumulative_returns",
    "plot_ranked_returns",
    "plot_returns_vs_benchmark",
    "plot_since_publication",
    "plot_start_of_year_ranking",
]


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
        fig, ax = new_figure(figsize)
        finals = {}
        for col in data.columns:
            series = data[col].dropna()
            if series.empty:
                continue
            ax.plot(
                series.index, series.to_numpy(), color=color_for(col), label=label_for(col, labels)
            )
            finals[col] = (series.index[-1], float(series.iloc[-1]))
        zero_line(ax)
        percent_axis(ax, decimals=0)
        date_axis(ax)
        ax.set_ylabel(ylabel)
        if finals:
            low = min(float(np.nanmin(data.to_numpy())), 0.0)
            high = max(float(np.nanmax(data.to_numpy())), 0.0)
            gap = max(high - low, 1e-9) * 0.07
            positions = spread_labels([v for _, v in finals.values()], gap)
            for (col, (when, value)), y in zip(finals.items(), positions, strict=True):
                ax.annotate(
                    f"{label_for(col, labels)} {signed_pct(value)}",
                    xy=(when, y),
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    ha="left",
                    color=color_for(col),
                    fontsize=9,
                    fontweight="bold",
                )
        finish(fig, source, title)

    start, end = data.index.min(), data.index.max()
    ordered = sorted(finals.items(), key=lambda item: -item[1][1])
    listing = ", ".join(f"{label_for(c, labels)} {alt_pct(v)}" for c, (_, v) in ordered)
    intro = _alt_intro or (
        f"Line chart of cumulative price returns from {alt_date(start)} to {alt_date(end)}."
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
        fig, ax = new_figure(figsize)
        positions = np.arange(len(ordered))
        colors = [highlight_color if y == highlight else NEUTRAL_COLOR for y in ordered.index]
        ax.bar(positions, ordered.to_numpy(), color=colors, width=0.75)
        ax.set_xticks(positions, [str(y) for y in ordered.index], rotation=90, fontsize=8)
        ax.set_xlim(-0.75, len(ordered) - 0.25)
        value = float(values.loc[highlight])
        where = int(np.flatnonzero(ordered.index == highlight)[0])
        rank_text = f"{ordinal(int(ranks.loc[highlight]))} of {len(values)}"
        ax.annotate(
            f"{highlight}: {signed_pct(value)}\n{rank_text}",
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
        zero_line(ax)
        percent_axis(ax)
        span = f"first {sessions} sessions" if sessions else "start of the year"
        ax.set_ylabel(f"{name}, {span}")
        ax.grid(axis="x", visible=False)
        finish(fig, source, title)
        # After finish, which sets every tick label to the text colour.
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
        f"{highlight} ({alt_pct(value)}) is highlighted and ranks "
        f"{ordinal(int(ranks.loc[highlight]))} of {len(values)}. The best year was {best} "
        f"({alt_pct(ordered.loc[best])}), the worst {worst} ({alt_pct(ordered.loc[worst])})."
    )
    return Chart(fig, alt, data)


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
        fig, ax = new_figure(figsize)
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
                signed_pct(value),
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
        zero_line(ax, axis="x")
        percent_axis(ax, axis="x")
        ax.set_xlabel(xlabel)
        ax.spines["left"].set_visible(False)
        finish(fig, source, title)

    best_first = ordered.iloc[::-1]
    data = pd.DataFrame(
        {"label": [label_for(s, labels) for s in best_first.index]}, index=best_first.index
    )
    data["return_pct"] = best_first
    if benchmark is not None and benchmark in clean.index:
        data["vs_benchmark_pp"] = best_first - clean.loc[benchmark]
    data.index.name = "symbol"
    listing = "; ".join(f"{label_for(s, labels)} {alt_pct(v)}" for s, v in best_first.items())
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
        + f", with the {name} ({alt_pct(value)}) as a dashed line; {behind} of "
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
