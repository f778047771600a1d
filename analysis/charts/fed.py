"""Charts of the fed funds target: the target range over time, and the easing-cycle study.

Each ``plot_*`` takes frames from :mod:`analysis.metrics` and returns a
:class:`~analysis.charts.saving.Chart` with alt text and the plotted data. Cuts are marked
with triangles and a legend, and the study's horizons differ in hue and hatch, so colour is
never the only cue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from analysis.charts.colors import CUT_COLOR, FED, TEXT_COLOR, label_for
from analysis.charts.saving import Chart
from analysis.charts.style import (
    FIGSIZE,
    alt_date,
    alt_pp,
    date_axis,
    finish,
    house_style,
    new_figure,
    zero_line,
)
from analysis.metrics.fed import to_rate_changes

__all__ = ["HORIZON_STYLES", "plot_cycle_study", "plot_fed_target"]

# The cutting-cycle study's horizons: distinct hues and distinct line hatches (a dotted
# hatch costs thousands of SVG paths).
HORIZON_STYLES = ((FED, ""), ("#1A9A8A", "///"), ("#B8860B", "\\\\\\"))


class _FedTarget(NamedTuple):
    """The target range shaped for the chart."""

    shown: pd.DataFrame  # lower and upper bounds over the period shown
    steps: pd.DataFrame  # only the days the range changed, and the last day
    cuts: pd.DataFrame  # rate changes below zero in the period
    hikes: pd.DataFrame  # rate changes above zero in the period
    data: pd.DataFrame  # the plotted numbers: bounds and the day's change


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
    target = _shape_fed_target(history, changes, start, end)
    with house_style():
        fig, ax = new_figure(figsize)
        _draw_fed_target(ax, target, mark_hikes=mark_hikes)
        finish(fig, source, title)
    return Chart(fig, _describe_fed_target(target), target.data)


def _shape_fed_target(history: pd.DataFrame, changes, start, end) -> _FedTarget:
    """The bounds and the changes inside ``start``..``end``, and the steps to draw."""
    if changes is None:
        changes = to_rate_changes(history["upper"])
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    shown = history.loc[lo:hi, ["lower", "upper"]].astype(float)
    marks = changes.loc[lo:hi]
    # A step band needs only the days the range changed, and the last day: the same
    # picture from a few dozen points instead of every day (a far smaller SVG). Days
    # without a value are left out first, so the band runs on at the last known range.
    observed = shown.dropna()
    changed = observed.ne(observed.shift()).any(axis=1).to_numpy(copy=True)
    changed[-1:] = True
    data = shown.copy()
    data["change"] = marks["change"].reindex(data.index)
    data.index.name = "date"
    return _FedTarget(
        shown=shown,
        steps=observed[changed],
        cuts=marks[marks["change"] < 0],
        hikes=marks[marks["change"] > 0],
        data=data,
    )


def _draw_fed_target(ax, target: _FedTarget, *, mark_hikes: bool) -> None:
    """The range as a shaded step band, cuts (and hikes) as triangles, the last range named."""
    steps, cuts, hikes = target.steps, target.cuts, target.hikes
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
    last = target.shown.iloc[-1]
    ax.annotate(
        f"{last['lower']:.2f}–{last['upper']:.2f}%",
        xy=(target.shown.index[-1], last["lower"]),
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
    ax.figure.legend(handles=handles, loc="outside upper right", ncols=len(handles))
    date_axis(ax)


def _describe_fed_target(target: _FedTarget) -> str:
    """The period, the range it ends at, and how many cuts are marked (the latest three)."""
    shown, cuts = target.shown, target.cuts
    last = shown.iloc[-1]
    recent = ", ".join(alt_date(d) for d in cuts.index[-3:])
    return (
        f"Step chart of the federal funds target from {alt_date(shown.index[0])} to "
        f"{alt_date(shown.index[-1])}, ending at {last['lower']:.2f}–{last['upper']:.2f}%. "
        f"{len(cuts)} cuts are marked with downward triangles"
        + (f"; the latest on {recent}." if recent else ".")
    )


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
    data = _shape_cycle_study(relative)
    name_a, name_b = label_for(a, labels), label_for(b, labels)
    with house_style():
        fig, ax = new_figure(figsize)
        _draw_cycle_study(ax, data, ylabel=f"{name_a} minus {name_b}, pp")
        finish(fig, source, title)
    return Chart(fig, _describe_cycle_study(data, name_a, name_b), data)


def _shape_cycle_study(relative: pd.DataFrame) -> pd.DataFrame:
    """The relative returns in percentage points, one row per cycle start."""
    data = relative.astype(float) * 100.0
    data.index = pd.DatetimeIndex(data.index, name="event")
    return data


def _draw_cycle_study(ax, data: pd.DataFrame, *, ylabel: str) -> None:
    """One group of bars per cycle, one bar per horizon; "n/a" where a horizon is not over."""
    n_events, n_horizons = data.shape
    width = 0.8 / max(n_horizons, 1)
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
    ax.set_ylabel(ylabel)
    ax.set_xlabel("First cut of the easing cycle")
    ax.figure.legend(loc="outside upper right", ncols=n_horizons)


def _describe_cycle_study(data: pd.DataFrame, name_a: str, name_b: str) -> str:
    """Each cycle's leads over every horizon, then how often ``a`` led over the longest."""
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
    if len(data.columns):
        longest = data.columns[-1]
        complete = data[longest].dropna()
        alt += (
            f" The {name_a} led over {_horizon_name(longest)} after {int((complete > 0).sum())} "
            f"of {len(complete)} completed cycles."
        )
    return alt


def _horizon_name(column: str) -> str:
    """'3m' -> '3 months'."""
    text = str(column)
    if text.endswith("m") and text[:-1].isdigit():
        return f"{text[:-1]} months"
    return text
