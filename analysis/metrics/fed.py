"""The fed funds target: its history, its changes, runs of cuts, easing-cycle starts.

The history joins FRED's two regimes (a single target until 2008, a range since).
Rates are in percent and changes in percentage points. The conventions of every metric are
in :mod:`analysis.metrics.common`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.metrics.common import as_timestamp, valid_values

__all__ = [
    "CutRun",
    "calc_consecutive_cuts",
    "to_easing_cycle_starts",
    "to_fed_target_history",
    "to_rate_changes",
    "to_target_range",
]


@dataclass(frozen=True)
class CutRun:
    """A run of consecutive rate cuts (see :func:`calc_consecutive_cuts`).

    Attributes
    ----------
    count : int
        Number of cuts in the run (0 if the last change on or before ``as_of`` was a hike,
        or there was none).
    dates : tuple of Timestamp
        Dates of the cuts, oldest first.
    changes : tuple of float
        Size of each cut in percentage points (negative).
    total : float
        Sum of ``changes``.
    level_before, level_after : float
        The target before the first cut and after the last one (NaN if ``count`` is 0).
    """

    count: int
    dates: tuple[pd.Timestamp, ...]
    changes: tuple[float, ...]
    total: float
    level_before: float
    level_after: float


def to_target_range(upper: pd.Series, lower: pd.Series) -> pd.DataFrame:
    """The target range as one frame: ``lower``, ``upper`` and ``midpoint`` (percent).

    Only dates where both bounds are present are kept; ``midpoint = (lower + upper) / 2``.
    """
    frame = pd.concat(
        {"lower": lower.astype(float), "upper": upper.astype(float)}, axis=1, join="inner"
    ).dropna()
    frame = frame.sort_index()
    frame["midpoint"] = (frame["lower"] + frame["upper"]) / 2.0
    frame.index.name = "date"
    return frame


def to_fed_target_history(
    dfedtar: pd.Series | None, upper: pd.Series, lower: pd.Series
) -> pd.DataFrame:
    """One history of the fed funds target from FRED's two regimes.

    FRED's ``DFEDTAR`` (a single target rate) ends on 2008-12-15; ``DFEDTARU`` and
    ``DFEDTARL`` (the target range) start on 2008-12-16. Before the range starts, ``lower``,
    ``upper`` and ``midpoint`` all equal ``DFEDTAR``; from the first range date on they come
    from the range (a ``DFEDTAR`` value on those dates is ignored). ``dfedtar`` may be
    ``None``, giving the range alone.
    """
    target_range = to_target_range(upper, lower)
    if dfedtar is None or target_range.empty:
        return target_range
    first_range = target_range.index.min()
    single = dfedtar.astype(float).dropna().sort_index()
    single = single[single.index < first_range]
    before = pd.DataFrame({"lower": single, "upper": single, "midpoint": single})
    history = pd.concat([before, target_range])
    history.index.name = "date"
    return history


def to_rate_changes(target: pd.Series) -> pd.DataFrame:
    """Every change in a target rate series: when, from what, to what, by how much.

    Returns a frame indexed by the date the new value first appears (FRED's effective date,
    which since 2008 is usually the day after the FOMC announcement) with columns
    ``before``, ``after``, ``change`` (percentage points) and ``kind`` ("cut" or "hike").
    NaNs are skipped, so a gap in the series is not a change. Pass the ``upper`` bound (or
    the single target) rather than a mix of bounds.
    """
    clean = valid_values(target.astype(float))
    previous = clean.shift(1)
    delta = clean - previous
    mask = delta.notna() & (delta.abs() > 1e-9)
    changes = pd.DataFrame(
        {
            "before": previous[mask],
            "after": clean[mask],
            "change": delta[mask],
        }
    )
    changes["kind"] = np.where(changes["change"] < 0, "cut", "hike")
    changes.index.name = "date"
    return changes


def calc_consecutive_cuts(changes: pd.DataFrame, as_of, max_gap_days: int = 70) -> CutRun:
    """The run of consecutive cuts that ends with the last change on or before ``as_of``.

    Starting from the last change on or before ``as_of`` and walking back, cuts belong to
    the run while each is within ``max_gap_days`` of the next one. The FOMC meets about
    every six to eight weeks, so a gap longer than 70 days means at least one meeting
    passed without a cut and the run is broken; a hike also breaks it. If the last change
    is a hike, the run is empty (``count`` 0).

    ``changes`` is the output of :func:`to_rate_changes`.
    """
    upto = changes.loc[: as_timestamp(as_of)]
    dates: list[pd.Timestamp] = []
    for when, row in upto.iloc[::-1].iterrows():
        if row["change"] >= 0:
            break
        if dates and (dates[-1] - when).days > max_gap_days:
            break
        dates.append(when)
    if not dates:
        return CutRun(0, (), (), 0.0, math.nan, math.nan)
    dates.reverse()
    run = upto.loc[dates]
    return CutRun(
        count=len(dates),
        dates=tuple(dates),
        changes=tuple(float(x) for x in run["change"]),
        total=float(run["change"].sum()),
        level_before=float(run["before"].iloc[0]),
        level_after=float(run["after"].iloc[-1]),
    )


def to_easing_cycle_starts(
    target: pd.Series, since="1990-01-01", pause_months: int = 12
) -> pd.DataFrame:
    """First cuts of easing cycles, derived from a target rate series.

    A cut starts an easing cycle if the change before it was a hike, or if at least
    ``pause_months`` months passed since the previous cut. The first change in the data
    cannot be classified and is never a start. The whole series is used to classify; only
    starts on or after ``since`` are returned.

    With FRED's history (``DFEDTAR`` then ``DFEDTARU``) and the defaults this gives
    1995-07-06, 1998-09-29, 2001-01-03, 2007-09-18, 2019-08-01 and 2024-09-19. The cycle in
    progress in 1990 began on 1989-06-06 (pass ``since="1989-01-01"`` to include it). A
    shorter pause turns resumptions into new cycles: with ``pause_months=6`` the cuts of
    1990-07-13, 2002-11-06, 2003-06-25 and 2025-09-18 count as starts too.

    Returns a frame indexed by date with ``before``, ``after``, ``change`` and ``reason``
    (``"after a hike"`` or ``"after N months without a cut"``).
    """
    changes = to_rate_changes(target)
    rows = []
    previous_cut = None
    for i, (when, row) in enumerate(changes.iterrows()):
        if row["kind"] == "cut":
            reason = None
            if i > 0 and changes["kind"].iloc[i - 1] == "hike":
                reason = "after a hike"
            elif previous_cut is not None and when >= previous_cut + pd.DateOffset(
                months=pause_months
            ):
                months = (when.year - previous_cut.year) * 12 + when.month - previous_cut.month
                reason = f"after {months} months without a cut"
            if reason is not None:
                rows.append((when, row["before"], row["after"], row["change"], reason))
            previous_cut = when
    starts = pd.DataFrame(rows, columns=["date", "before", "after", "change", "reason"])
    starts = starts.set_index("date")
    starts.index = pd.DatetimeIndex(starts.index, name="date")
    return starts.loc[as_timestamp(since) :]
