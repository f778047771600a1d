"""Returns and ranks: a series' return over a window, cumulative returns, leads, rankings.

Returns are fractions (``0.079`` is 7.9%); leads are percentage points. The conventions of
every metric are in :mod:`analysis.metrics.common`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.metrics.common import (
    InsufficientDataError,
    Observation,
    as_timestamp,
    at_or_before,
    valid_values,
)
from analysis.text import ordinal

__all__ = [
    "LevelChange",
    "RankFacts",
    "calc_change",
    "calc_lead",
    "calc_period_return",
    "calc_rank_phrase",
    "calc_session_count",
    "calc_value_at",
    "to_cumulative_returns",
    "to_ranked_returns",
    "to_start_of_year_returns",
]


@dataclass(frozen=True)
class LevelChange:
    """A series' move between two dates (see :func:`calc_change`)."""

    start_date: pd.Timestamp
    start_value: float
    end_date: pd.Timestamp
    end_value: float
    change: float
    pct_change: float


@dataclass(frozen=True)
class RankFacts:
    """Where one year's value ranks among all years (see :func:`calc_rank_phrase`).

    Attributes
    ----------
    year : int
        The year ranked.
    value : float
        Its value (e.g. the start-of-year return).
    rank : int
        1 = best. Ties share the better rank.
    rank_from_bottom : int
        1 = worst.
    count : int
        Number of years ranked (including ``year``).
    first_year, last_year : int
        The range of years ranked.
    last_better_year : int or None
        The most recent year before ``year`` whose value was at least as high;
        ``None`` when no earlier year did better.
    last_worse_year : int or None
        The most recent year before ``year`` whose value was at most as high.
    phrase : str
        Wording the numbers support, e.g. ``"the strongest start since 2021"``.
    """

    year: int
    value: float
    rank: int
    rank_from_bottom: int
    count: int
    first_year: int
    last_year: int
    last_better_year: int | None
    last_worse_year: int | None
    phrase: str


# -- returns over a window -----------------------------------------------------------------


def calc_value_at(series: pd.Series, date) -> Observation:
    """The level of a series at a date: its last non-missing value on or before ``date``.

    Raises
    ------
    InsufficientDataError
        If the series has no value on or before ``date``.
    """
    return at_or_before(series, date)


def calc_period_return(close: pd.Series, start, end) -> float:
    """Price return from the close at ``start`` to the close at ``end``.

    ``close[last session <= end] / close[last session <= start] - 1``. NaNs are skipped.

    Raises
    ------
    InsufficientDataError
        If there is no close on or before ``start`` (a return cannot start before the
        data does), or ``end`` is before ``start``.
    """
    if as_timestamp(end) < as_timestamp(start):
        raise InsufficientDataError(
            f"end {as_timestamp(end).date()} is before start {as_timestamp(start).date()}"
        )
    first = at_or_before(close, start)
    last = at_or_before(close, end)
    return last.value / first.value - 1.0


def calc_session_count(close: pd.Series, start, end) -> int:
    """Number of sessions after ``start`` up to and including ``end``.

    For the window 2025-12-31 -> 2026-01-16 this is 11 (Jan 2 to Jan 16). NaN rows do not
    count.
    """
    clean = valid_values(close)
    return int(((clean.index > as_timestamp(start)) & (clean.index <= as_timestamp(end))).sum())


def to_cumulative_returns(closes: pd.DataFrame | pd.Series, base_date) -> pd.DataFrame:
    """Cumulative returns of each column, rebased to 0 at ``base_date``.

    ``closes[t] / closes[base] - 1`` for every row from the base session on, where ``base``
    is each column's last non-missing close on or before ``base_date``. Rows before the base
    session are dropped. Missing closes stay NaN (not filled), so series on different
    calendars keep their own sessions.

    Raises
    ------
    InsufficientDataError
        If a column has no close on or before ``base_date``.
    """
    frame = closes.to_frame() if isinstance(closes, pd.Series) else closes
    base_when = as_timestamp(base_date)
    bases = {col: at_or_before(frame[col], base_when) for col in frame.columns}
    start = min(obs.date for obs in bases.values())
    out = frame.loc[start:].astype(float).copy()
    for col, obs in bases.items():
        out[col] = out[col] / obs.value - 1.0
    return out


def calc_lead(a: float, b: float) -> float:
    """How far return ``a`` is ahead of return ``b``, in percentage points.

    ``(a - b) * 100`` with ``a`` and ``b`` as fractions. NaN in, NaN out.
    """
    return (float(a) - float(b)) * 100.0


def calc_change(series: pd.Series, start, end) -> LevelChange:
    """A series' level at ``start`` and ``end`` and the move between them.

    ``change = end_value - start_value`` (in the series' unit, e.g. dollars per barrel) and
    ``pct_change = (end_value / start_value - 1) * 100``. Each level is the last
    non-missing value on or before its date.
    """
    first = at_or_before(series, start)
    last = at_or_before(series, end)
    return LevelChange(
        start_date=first.date,
        start_value=first.value,
        end_date=last.date,
        end_value=last.value,
        change=last.value - first.value,
        pct_change=(last.value / first.value - 1.0) * 100.0,
    )


def to_ranked_returns(closes_wide: pd.DataFrame, start, end) -> pd.Series:
    """Each column's return from ``start`` to ``end``, best first.

    Uses :func:`calc_period_return` per column. A column with no close on or before
    ``start`` gets NaN and sorts last, so a missing fund is visible rather than dropped.
    """
    values = {}
    for col in closes_wide.columns:
        try:
            values[col] = calc_period_return(closes_wide[col], start, end)
        except InsufficientDataError:
            values[col] = np.nan
    ranked = pd.Series(values, dtype=float, name="return")
    return ranked.sort_values(ascending=False, na_position="last", kind="stable")


# -- start-of-year ranking ----------------------------------------------------------------


def to_start_of_year_returns(close: pd.Series, sessions: int) -> pd.Series:
    """For each calendar year, the return over its first ``sessions`` sessions.

    ``close[N-th session of year Y] / close[last session of year Y-1] - 1`` with
    ``N = sessions``. Only complete years are included: the previous year must have a close
    in the data and year Y must have at least ``sessions`` sessions. NaN rows are skipped
    before counting sessions. Returns a series indexed by year (int), named ``return``.
    """
    if sessions < 1:
        raise ValueError("sessions must be at least 1")
    clean = valid_values(close)
    years = clean.index.year
    out: dict[int, float] = {}
    for year in np.unique(years):
        this_year = clean[years == year]
        previous = clean[years == year - 1]
        if previous.empty or len(this_year) < sessions:
            continue
        out[int(year)] = float(this_year.iloc[sessions - 1] / previous.iloc[-1] - 1.0)
    result = pd.Series(out, dtype=float, name="return")
    result.index.name = "year"
    return result


def calc_rank_phrase(
    returns_by_year: pd.Series,
    year: int,
    *,
    noun: str = "start",
    best: str = "strongest",
    worst: str = "weakest",
) -> RankFacts:
    """Rank one year's value among all years and word the result honestly.

    Rank 1 is the highest value; ties share the better rank. The phrase is chosen so that
    every word is true of the data:

    - best of all years: ``"the strongest start on record"`` (``count`` and ``first_year``
      say how long the record is);
    - otherwise, if at least one year lies between ``year`` and the most recent better
      year: ``"the strongest start since 2021"`` (no year in between did as well);
    - otherwise: ``"the 5th-strongest start in 39 years"``.

    Years in the bottom half are described the same way from the other end
    (``"the weakest start since 2008"``). NaN values are ignored.

    Raises
    ------
    KeyError
        If ``year`` has no value (e.g. the year is not complete yet).
    """
    values = returns_by_year.dropna()
    if year not in values.index:
        raise KeyError(f"no value for {year}; years with values: {list(values.index)}")
    value = float(values.loc[year])
    rank = int((values > value).sum()) + 1
    rank_from_bottom = int((values < value).sum()) + 1
    count = len(values)
    earlier = values[values.index < year]
    better = earlier[earlier >= value]
    worse = earlier[earlier <= value]
    last_better = int(better.index.max()) if not better.empty else None
    last_worse = int(worse.index.max()) if not worse.empty else None

    if rank <= rank_from_bottom:
        adjective, position, last_beaten = best, rank, last_better
    else:
        adjective, position, last_beaten = worst, rank_from_bottom, last_worse
    if position == 1:
        phrase = f"the {adjective} {noun} on record"
    elif last_beaten is not None and year - last_beaten >= 2:
        phrase = f"the {adjective} {noun} since {last_beaten}"
    else:
        phrase = f"the {ordinal(position)}-{adjective} {noun} in {count} years"
    return RankFacts(
        year=int(year),
        value=value,
        rank=rank,
        rank_from_bottom=rank_from_bottom,
        count=count,
        first_year=int(values.index.min()),
        last_year=int(values.index.max()),
        last_better_year=last_better,
        last_worse_year=last_worse,
        phrase=phrase,
    )
