"""Price levels and volume: first close above a level, highs, drawdowns, a week's volume.

Compare levels (such as "IWM above $250") on the unadjusted ``close`` column; returns of a
fund across a dividend date are better on ``adj_close``. The conventions of every metric are
in :mod:`analysis.metrics.common`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.metrics.common import (
    InsufficientDataError,
    Observation,
    as_timestamp,
    at_or_before,
    series_label,
    valid_values,
)

__all__ = [
    "Drawdown",
    "VolumeComparison",
    "calc_all_time_high",
    "calc_drawdown_from_high",
    "calc_first_close_above",
    "calc_volume_vs_average",
]


@dataclass(frozen=True)
class VolumeComparison:
    """A week's average daily volume against the sessions before it.

    ``ratio = week_average / base_average`` and ``pct_above = (ratio - 1) * 100``.
    """

    week_start: pd.Timestamp
    week_end: pd.Timestamp
    week_sessions: int
    week_average: float
    base_start: pd.Timestamp
    base_end: pd.Timestamp
    base_sessions: int
    base_average: float
    ratio: float
    pct_above: float


@dataclass(frozen=True)
class Drawdown:
    """A close against the highest close of an earlier window.

    ``drawdown = close / high - 1`` (a fraction; negative below the high).
    """

    high_date: pd.Timestamp
    high: float
    date: pd.Timestamp
    close: float
    drawdown: float


def calc_first_close_above(close: pd.Series, level: float, since=None, until=None):
    """First session whose close is strictly above ``level``, or ``None``.

    Without ``since`` this is the first close above the level in the whole series ("for the
    first time ever", as far as the data goes back); with ``since`` it is the first one on
    or after that date. ``until`` limits the search the same way at the other end.
    NaN closes are skipped. Use unadjusted closes for price levels.
    """
    clean = valid_values(close)
    if since is not None:
        clean = clean.loc[as_timestamp(since) :]
    if until is not None:
        clean = clean.loc[: as_timestamp(until)]
    above = clean[clean > level]
    return above.index[0] if not above.empty else None


def calc_all_time_high(close: pd.Series, until=None) -> Observation:
    """The highest close on or before ``until`` (default: the whole series).

    If the high was reached more than once, the first date is returned. NaNs are skipped.
    """
    clean = valid_values(close)
    if until is not None:
        clean = clean.loc[: as_timestamp(until)]
    if clean.empty:
        raise InsufficientDataError(f"{series_label(close)} has no data to take a high from")
    return Observation(clean.idxmax(), float(clean.max()))


def calc_volume_vs_average(volume: pd.Series, week_end, window: int = 20) -> VolumeComparison:
    """Average daily volume of one calendar week against the ``window`` sessions before it.

    The week is Monday to ``week_end`` of the calendar week containing ``week_end`` (so a
    holiday shortens it rather than pulling in a session of the week before). The base is
    the ``window`` sessions immediately before the week's first session; the week itself is
    not part of its own benchmark. ``pct_above = (week mean / base mean - 1) * 100``.

    Zero volumes are treated as missing: sources report 0 for index rows and intraday
    snapshots where the volume is unknown, not for days when nothing traded.

    Raises
    ------
    InsufficientDataError
        If the week has no sessions or fewer than ``window`` sessions precede it.
    """
    if window < 1:
        raise ValueError("window must be at least 1")
    clean = valid_values(volume)
    clean = clean[clean > 0]
    end = as_timestamp(week_end).normalize()
    monday = end - pd.Timedelta(days=end.weekday())
    week = clean.loc[monday:end]
    if week.empty:
        raise InsufficientDataError(f"no volume in the week {monday.date()}..{end.date()}")
    before = clean.loc[: monday - pd.Timedelta(days=1)]
    if len(before) < window:
        raise InsufficientDataError(
            f"need {window} sessions before {monday.date()}, the series has {len(before)}"
        )
    base = before.iloc[-window:]
    ratio = float(week.mean() / base.mean())
    return VolumeComparison(
        week_start=week.index[0],
        week_end=week.index[-1],
        week_sessions=len(week),
        week_average=float(week.mean()),
        base_start=base.index[0],
        base_end=base.index[-1],
        base_sessions=len(base),
        base_average=float(base.mean()),
        ratio=ratio,
        pct_above=(ratio - 1.0) * 100.0,
    )


def calc_drawdown_from_high(close: pd.Series, high_window_start, high_window_end, at) -> Drawdown:
    """The close at ``at`` against the highest close between two dates.

    ``drawdown = close[last session <= at] / max(close[high_window_start..high_window_end])
    - 1``; e.g. NVDA on 2026-01-16 against its highest December 2025 close is
    ``calc_drawdown_from_high(nvda, "2025-12-01", "2025-12-31", "2026-01-16")``.
    NaNs are skipped; the first date of a repeated high is used.
    """
    clean = valid_values(close)
    window = clean.loc[as_timestamp(high_window_start) : as_timestamp(high_window_end)]
    if window.empty:
        raise InsufficientDataError(
            f"{series_label(close)} has no data between {as_timestamp(high_window_start).date()} "
            f"and {as_timestamp(high_window_end).date()}"
        )
    now = at_or_before(close, at)
    high = float(window.max())
    return Drawdown(
        high_date=window.idxmax(),
        high=high,
        date=now.date,
        close=now.value,
        drawdown=now.value / high - 1.0,
    )
