"""The site's charts, each with its alt text and the data it plots.

Every ``plot_*`` function takes frames computed by :mod:`analysis.metrics.core` and returns a
:class:`~analysis.charts.style.Chart` ``(figure, alt_text, data)``: the matplotlib figure, a
description of what it shows for ``fig-alt``, and the plotted numbers (in the units on the
axes) for :func:`save_chart`. Nothing here reads the store or the network.

The style, colours and saving live in :mod:`analysis.charts.style`; the names a post uses
from there are importable from this module too. Colour is never the only cue: lines are
labelled at their ends, the highlighted bar is annotated, marked bars are hatched and
markers have a legend.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from analysis.charts.style import (
    CUT_COLOR,
    FED,
    FIGSIZE,
    NEUTRAL_COLOR,
    TEXT_COLOR,
    Chart,
    alt_date,
    alt_pct,
    alt_pp,
    color_for,
    column_bars,
    date_axis,
    end_label,
    finish,
    house_style,
    label_for,
    level_line,
    new_figure,
    percent_axis,
    signed_pct,
    spread_labels,
    zero_line,
)
from analysis.text import ordinal

__all__ = [
    "HORIZON_STYLES",
    "plot_cumulative_returns",
    "plot_cycle_study",
    "plot_fed_target",
    "plot_price_with_level",
    "plot_ranked_returns",
    "plot_returns_vs_benchmark",
    "plot_since_publication",
    "plot_start_of_year_ranking",
]

# The cutting-cycle study's horizons: distinct hues and distinct line hatches (a dotted
# hatch costs thousands of SVG paths).
HORIZON_STYLES = ((FED, ""), ("#1A9A8A", "///"), ("#B8860B", "\\\\\\"))


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
            chart_end = data.index.max()
            for (col, (when, value)), y in zip(finals.items(), positions, strict=True):
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
        finish(fig, source, title)

    start, end = data.index.min(), data.index.max()
    ordered = sorted(finals.items(), key=lambda item: -item[1][1])
    listing = ", ".join(
        f"{label_for(c, labels)} {alt_pct(v)}" + (f" (to {alt_date(w)})" if w < end else "")
        for c, (w, v) in ordered
    )
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
        fig, (ax, vax) = new_figure(
            figsize, nrows=2, sharex=True, gridspec_kw={"height_ratios": [3, 1]}
        )
        ax.plot(frame.index, frame["close"].to_numpy(), color=color, label=f"{name} close")
        level_line(ax, level, level_text)
        ax.yaxis.set_major_formatter(mticker.StrMethodFormatter("${x:,.0f}"))
        ax.set_ylabel(f"{name} close")
        ax.margins(y=0.12)
        column_bars(vax, frame.index, frame["volume"].to_numpy() / 1e6, color=color, alpha=0.6)
        vax.plot(
            frame.index,
            frame["volume_avg"].to_numpy() / 1e6,
            color=TEXT_COLOR,
            linewidth=1.5,
            label=f"{volume_window}-day average",
        )
        vax.set_ylabel("Volume (m)")
        vax.legend(loc="upper left", fontsize=8)
        date_axis(vax)
        finish(fig, source, title)

    above = frame["close"] > level
    first_above = frame.index[above.to_numpy()][0] if above.any() else None
    last = frame.iloc[-1]
    alt = (
        f"Two-panel chart. Top: {name} closing price from {alt_date(frame.index[0])} to "
        f"{alt_date(frame.index[-1])} with a dashed line at {level_text}; it closed above "
        f"{level_text} on {int(above.sum())} of {len(frame)} sessions"
        + (f", first on {alt_date(first_above)}" if first_above is not None else "")
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
        from analysis.metrics.core import to_rate_changes  # local: keeps charts importable alone

        changes = to_rate_changes(history["upper"])
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    shown = history.loc[lo:hi, ["lower", "upper"]].astype(float)
    marks = changes.loc[lo:hi]
    cuts = marks[marks["change"] < 0]
    hikes = marks[marks["change"] > 0]
    # A step band needs only the days the range changed, and the last day: the same
    # picture from a few dozen points instead of every day (a far smaller SVG). Days
    # without a value are left out first, so the band runs on at the last known range.
    observed = shown.dropna()
    changed = observed.ne(observed.shift()).any(axis=1).to_numpy(copy=True)
    changed[-1:] = True
    steps = observed[changed]
    with house_style():
        fig, ax = new_figure(figsize)
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
        date_axis(ax)
        finish(fig, source, title)

    data = shown.copy()
    data["change"] = marks["change"].reindex(data.index)
    data.index.name = "date"
    recent = ", ".join(alt_date(d) for d in cuts.index[-3:])
    alt = (
        f"Step chart of the federal funds target from {alt_date(shown.index[0])} to "
        f"{alt_date(shown.index[-1])}, ending at {last['lower']:.2f}–{last['upper']:.2f}%. "
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
        fig, ax = new_figure(figsize)
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
        zero_line(ax)
        ax.yaxis.set_major_formatter(
            mticker.FuncFormatter(
                lambda v, _p: "0" if abs(v) < 1e-12 else f"{v:+.0f}".replace("-", "\u2212")
            )
        )
        ax.set_ylabel(f"{name_a} minus {name_b}, pp")
        ax.set_xlabel("First cut of the easing cycle")
        fig.legend(loc="outside upper right", ncols=n_horizons)
        finish(fig, source, title)

    parts = []
    for when, row in data.iterrows():
        values = "/".join(alt_pp(v) for v in row.to_numpy())
        parts.append(f"{alt_date(when)}: {values}")
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
