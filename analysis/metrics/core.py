"""Pure computations on price, volume and policy-rate series.

Every function takes pandas objects and returns new ones; none reads the store, touches the
network or mutates its inputs. Names follow one rule: ``to_*`` returns a series or frame,
``calc_*`` returns a scalar or a small record.

Conventions
-----------
- Series have a tz-naive ``DatetimeIndex`` (as the store returns them). Dates may be given as
  anything :class:`pandas.Timestamp` accepts (``"2026-01-16"``).
- "The close at a date" means the last non-missing value on or before that date, so a
  weekend or holiday resolves to the previous session. The record types below say which
  session was actually used.
- Returns are fractions (``0.079`` is 7.9%). Fields ending in ``_pct`` are percent and
  leads are percentage points, as their names say.
- Missing values (NaN) are skipped unless a docstring says otherwise; a computation that
  needs data that is not there raises :class:`InsufficientDataError` instead of returning
  a made-up number.
- Compare levels (such as "IWM above $250") on the unadjusted ``close`` column; returns of
  a fund across a dividend date are better on ``adj_close``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data.errors import DataError
from analysis.text import ordinal

__all__ = [
    "CutRun",
    "Drawdown",
    "InsufficientDataError",
    "LevelChange",
    "Observation",
    "RankFacts",
    "VolumeComparison",
    "calc_all_time_high",
    "calc_change",
    "calc_consecutive_cuts",
    "calc_drawdown_from_high",
    "calc_first_close_above",
    "calc_lead",
    "calc_period_return",
    "calc_rank_phrase",
    "calc_session_count",
    "calc_value_at",
    "calc_volume_vs_average",
    "to_cumulative_returns",
    "to_easing_cycle_starts",
    "to_fed_target_history",
    "to_ranked_returns",
    "to_rate_changes",
    "to_relative_returns_after",
    "to_returns_after",
    "to_start_of_year_returns",
    "to_target_range",
]


class InsufficientDataError(DataError, ValueError):
    """A computation needs observations the series does not have."""


# -- records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    """One value of a series and the date it was observed."""

    date: pd.Timestamp
    value: float


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


# -- helpers ------------------------------------------------------------------------------


def _ts(value) -> pd.Timestamp:
    """A tz-naive timestamp from anything :class:`pandas.Timestamp` accepts."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp


def _clean(series: pd.Series) -> pd.Series:
    """Non-missing values in date order (a copy)."""
    if not isinstance(series.index, pd.DatetimeIndex):
        raise TypeError("expected a series with a DatetimeIndex")
    return series.dropna().sort_index()


def _name(series: pd.Series) -> str:
    """The series' name for an error message."""
    return f"'{series.name}'" if series.name is not None else "the series"


def _at_or_before(series: pd.Series, date) -> Observation:
    """The last non-missing observation on or before ``date``."""
    when = _ts(date)
    clean = _clean(series).loc[:when]
    if clean.empty:
        raise InsufficientDataError(
            f"{_name(series)} has no data on or before {when.date()}"
            + (f" (it starts {series.dropna().index.min().date()})" if series.notna().any() else "")
        )
    return Observation(clean.index[-1], float(clean.iloc[-1]))


# -- levels and returns -------------------------------------------------------------------


def calc_value_at(series: pd.Series, date) -> Observation:
    """The level of a series at a date: its last non-missing value on or before ``date``.

    Raises
    ------
    InsufficientDataError
        If the series has no value on or before ``date``.
    """
    return _at_or_before(series, date)


def calc_period_return(close: pd.Series, start, end) -> float:
    """Price return from the close at ``start`` to the close at ``end``.

    ``close[last session <= end] / close[last session <= start] - 1``. NaNs are skipped.

    Raises
    ------
    InsufficientDataError
        If there is no close on or before ``start`` (a return cannot start before the
        data does), or ``end`` is before ``start``.
    """
    if _ts(end) < _ts(start):
        raise InsufficientDataError(f"end {_ts(end).date()} is before start {_ts(start).date()}")
    first = _at_or_before(close, start)
    last = _at_or_before(close, end)
    return last.value / first.value - 1.0


def calc_session_count(close: pd.Series, start, end) -> int:
    """Number of sessions after ``start`` up to and including ``end``.

    For the window 2025-12-31 -> 2026-01-16 this is 11 (Jan 2 to Jan 16). NaN rows do not
    count.
    """
    clean = _clean(close)
    return int(((clean.index > _ts(start)) & (clean.index <= _ts(end))).sum())


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
    base_when = _ts(base_date)
    bases = {col: _at_or_before(frame[col], base_when) for col in frame.columns}
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
    first = _at_or_before(series, start)
    last = _at_or_before(series, end)
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
    clean = _clean(close)
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


# -- levels, highs, volume ----------------------------------------------------------------


def calc_first_close_above(close: pd.Series, level: float, since=None, until=None):
    """First session whose close is strictly above ``level``, or ``None``.

    Without ``since`` this is the first close above the level in the whole series ("for the
    first time ever", as far as the data goes back); with ``since`` it is the first one on
    or after that date. ``until`` limits the search the same way at the other end.
    NaN closes are skipped. Use unadjusted closes for price levels.
    """
    clean = _clean(close)
    if since is not None:
        clean = clean.loc[_ts(since) :]
    if until is not None:
        clean = clean.loc[: _ts(until)]
    above = clean[clean > level]
    return above.index[0] if not above.empty else None


def calc_all_time_high(close: pd.Series, until=None) -> Observation:
    """The highest close on or before ``until`` (default: the whole series).

    If the high was reached more than once, the first date is returned. NaNs are skipped.
    """
    clean = _clean(close)
    if until is not None:
        clean = clean.loc[: _ts(until)]
    if clean.empty:
        raise InsufficientDataError(f"{_name(close)} has no data to take a high from")
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
    clean = _clean(volume)
    clean = clean[clean > 0]
    end = _ts(week_end).normalize()
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
    clean = _clean(close)
    window = clean.loc[_ts(high_window_start) : _ts(high_window_end)]
    if window.empty:
        raise InsufficientDataError(
            f"{_name(close)} has no data between {_ts(high_window_start).date()} "
            f"and {_ts(high_window_end).date()}"
        )
    now = _at_or_before(close, at)
    high = float(window.max())
    return Drawdown(
        high_date=window.idxmax(),
        high=high,
        date=now.date,
        close=now.value,
        drawdown=now.value / high - 1.0,
    )


# -- the fed funds target -----------------------------------------------------------------


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
    clean = _clean(target.astype(float))
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
    upto = changes.loc[: _ts(as_of)]
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
    return starts.loc[_ts(since) :]


# -- event studies ------------------------------------------------------------------------


def _horizon_label(months: int) -> str:
    return f"{months}m"


def to_returns_after(events: Iterable, close: pd.Series, horizons=(3, 6, 12)) -> pd.DataFrame:
    """A series' return over fixed horizons after each event date.

    For event ``e`` and horizon ``h`` months: ``close[last session <= e + h months] /
    close[last session <= e] - 1``. The base is the close on the event date itself, which
    already reflects an announcement made that day. The result is NaN when the horizon is
    not complete yet (``e + h months`` is after the last close) or the series starts after
    ``e``. Columns are labelled ``"3m"``, ``"6m"``, ...; the index is the event dates.
    """
    clean = _clean(close)
    last = clean.index.max() if not clean.empty else None
    event_index = pd.DatetimeIndex([_ts(e) for e in events], name="event")
    out = pd.DataFrame(
        index=event_index, columns=[_horizon_label(h) for h in horizons], dtype=float
    )
    for when in event_index:
        base = clean.loc[:when]
        if base.empty:
            continue
        for h in horizons:
            target = when + pd.DateOffset(months=h)
            if last is None or target > last:
                continue
            end = clean.loc[:target].iloc[-1]
            out.loc[when, _horizon_label(h)] = end / base.iloc[-1] - 1.0
    return out


def to_relative_returns_after(
    events: Iterable, a_close: pd.Series, b_close: pd.Series, horizons=(3, 6, 12)
) -> pd.DataFrame:
    """Return of ``a`` minus return of ``b`` over fixed horizons after each event.

    Both legs come from :func:`to_returns_after` (fractions; multiply by 100 for percentage
    points). NaN where either leg is NaN, i.e. where the horizon is not complete yet.
    """
    events = list(events)
    return to_returns_after(events, a_close, horizons) - to_returns_after(events, b_close, horizons)
