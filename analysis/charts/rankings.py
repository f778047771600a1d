"""Charts that rank returns: bars best first, against a benchmark, and each year's start.

Each ``plot_*`` takes returns from :mod:`analysis.metrics` (fractions) and returns a
:class:`~analysis.charts.saving.Chart` whose data is in percent, as on the axes. Colour is
never the only cue: highlighted bars are hatched or annotated, and bold labels mark the
benchmark and the highlighted year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from analysis.charts.colors import NEUTRAL_COLOR, TEXT_COLOR, color_for, label_for
from analysis.charts.saving import Chart
from analysis.charts.style import (
    FIGSIZE,
    alt_pct,
    finish,
    house_style,
    new_figure,
    percent_axis,
    signed_pct,
    zero_line,
)
from analysis.text import ordinal

__all__ = ["plot_ranked_returns", "plot_returns_vs_benchmark", "plot_start_of_year_ranking"]


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
    data = _shape_start_of_year(returns_by_year, highlight)
    name = label_for(symbol, labels)
    color = color_for(symbol)
    span = f"first {sessions} sessions" if sessions else "start of the year"
    with house_style():
        fig, ax = new_figure(figsize)
        _draw_start_of_year(ax, data, highlight, color=color, ylabel=f"{name}, {span}")
        finish(fig, source, title)
        _emphasise_year_tick(ax, data.index, highlight, color)  # after finish: it sets all ticks
    return Chart(fig, _describe_start_of_year(data, highlight, name, sessions), data)


def _shape_start_of_year(returns_by_year: pd.Series, highlight: int) -> pd.DataFrame:
    """Every year's return in percent, best first, with its rank and the highlighted year."""
    values = returns_by_year.dropna().astype(float) * 100.0
    if highlight not in values.index:
        raise KeyError(f"{highlight} has no start-of-year return to highlight")
    ordered = values.sort_values(ascending=False, kind="stable")
    ranks = values.rank(ascending=False, method="min").astype(int)
    data = pd.DataFrame(
        {
            "return_pct": ordered,
            "rank": ranks.loc[ordered.index],
            "highlighted": ordered.index == highlight,
        }
    )
    data.index.name = "year"
    return data


def _draw_start_of_year(ax, data: pd.DataFrame, highlight: int, *, color, ylabel) -> None:
    """Grey bars, best first; the highlighted year in colour, annotated with value and rank."""
    ordered = data["return_pct"]
    positions = np.arange(len(ordered))
    colors = [color if y == highlight else NEUTRAL_COLOR for y in ordered.index]
    ax.bar(positions, ordered.to_numpy(), color=colors, width=0.75)
    ax.set_xticks(positions, [str(y) for y in ordered.index], rotation=90, fontsize=8)
    ax.set_xlim(-0.75, len(ordered) - 0.25)
    value = float(ordered.loc[highlight])
    where = int(np.flatnonzero(ordered.index == highlight)[0])
    rank_text = f"{ordinal(int(data.loc[highlight, 'rank']))} of {len(data)}"
    ax.annotate(
        f"{highlight}: {signed_pct(value)}\n{rank_text}",
        xy=(where, value),
        xytext=(0, 6 if value >= 0 else -6),
        textcoords="offset points",
        ha="left" if where < len(ordered) / 2 else "right",
        va="bottom" if value >= 0 else "top",
        color=color,
        fontsize=9,
        fontweight="bold",
    )
    ax.margins(y=0.15)
    zero_line(ax)
    percent_axis(ax)
    ax.set_ylabel(ylabel)
    ax.grid(axis="x", visible=False)


def _emphasise_year_tick(ax, years: pd.Index, highlight: int, color) -> None:
    """The highlighted year's tick label in its colour and bold."""
    for tick, year in zip(ax.get_xticklabels(), years, strict=True):
        if year == highlight:
            tick.set_color(color)
            tick.set_fontweight("bold")


def _describe_start_of_year(data: pd.DataFrame, highlight: int, name: str, sessions) -> str:
    """The span and years ranked, the highlighted year's value and rank, the best and worst."""
    ordered = data["return_pct"]
    value = float(ordered.loc[highlight])
    rank = int(data.loc[highlight, "rank"])
    best, worst = ordered.index[0], ordered.index[-1]
    span_text = f"the first {sessions} sessions" if sessions else "the start"
    return (
        f"Bar chart of the {name}'s price return over {span_text} of each year from "
        f"{data.index.min()} to {data.index.max()}, sorted from best to worst. "
        f"{highlight} ({alt_pct(value)}) is highlighted and ranks "
        f"{ordinal(rank)} of {len(data)}. The best year was {best} "
        f"({alt_pct(ordered.loc[best])}), the worst {worst} ({alt_pct(ordered.loc[worst])})."
    )


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
    data = _shape_ranked_returns(returns, benchmark, labels)
    if figsize is None:
        figsize = (FIGSIZE[0], max(3.0, min(0.38 * len(data) + 1.4, 9.0)))
    with house_style():
        fig, ax = new_figure(figsize)
        _draw_ranked_returns(ax, data, benchmark=benchmark, highlight=set(highlight))
        ax.set_xlabel(xlabel)
        finish(fig, source, title)
    missing = [s for s in returns.index if s not in data.index]
    alt = _describe_ranked_returns(data, missing, labels, period=period, intro=_alt_intro)
    return Chart(fig, alt, data)


def _shape_ranked_returns(returns: pd.Series, benchmark: str | None, labels) -> pd.DataFrame:
    """Returns in percent, best first, with reader names and the lead over the benchmark.

    Symbols without a return are left out (the description names them).
    """
    clean = returns.astype(float).dropna() * 100.0
    best_first = clean.sort_values(ascending=True, kind="stable").iloc[::-1]
    data = pd.DataFrame(
        {"label": [label_for(s, labels) for s in best_first.index]}, index=best_first.index
    )
    data["return_pct"] = best_first
    if benchmark is not None and benchmark in clean.index:
        data["vs_benchmark_pp"] = best_first - clean.loc[benchmark]
    data.index.name = "symbol"
    return data


def _draw_ranked_returns(ax, data: pd.DataFrame, *, benchmark, highlight: set[str]) -> None:
    """Bars from the bottom up (best on top), each labelled with its value.

    The benchmark's return is also a dashed line; highlighted bars are hatched, and their
    names (and the benchmark's) are bold.
    """
    ordered = data["return_pct"].iloc[::-1]
    positions = np.arange(len(ordered))
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
    ax.set_yticks(positions, data["label"].iloc[::-1].tolist())
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
    if benchmark is not None and benchmark in data.index:
        ax.axvline(
            data.loc[benchmark, "return_pct"],
            color=color_for(benchmark),
            linestyle="--",
            linewidth=1.2,
        )
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.margins(x=0.18)
    zero_line(ax, axis="x")
    percent_axis(ax, axis="x")
    ax.spines["left"].set_visible(False)


def _describe_ranked_returns(data: pd.DataFrame, missing, labels, *, period, intro) -> str:
    """Every return, best first, and the symbols without one."""
    pairs = zip(data["label"], data["return_pct"], strict=True)
    listing = "; ".join(f"{label} {alt_pct(value)}" for label, value in pairs)
    intro = intro or (
        "Horizontal bar chart of price returns"
        + (f" from {period}" if period else "")
        + ", ranked from best to worst"
    )
    alt = f"{intro}: {listing}."
    if missing:
        alt += f" No data for {', '.join(label_for(s, labels) for s in missing)}."
    return alt


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
