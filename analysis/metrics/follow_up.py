"""Follow a post's trade after publication: returns from its as-of date to the latest data.

A post about a past period keeps its window fixed; this is the part that moves with every
build. The end is the latest date *every* series has a close for, so no line is compared
with another that stopped earlier.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.metrics.returns import calc_lead, calc_period_return, to_cumulative_returns

__all__ = ["FollowUp", "calc_follow_up"]


@dataclass(frozen=True)
class FollowUp:
    """What happened after the as-of date.

    Attributes
    ----------
    leader : str
        The series whose lead is followed (e.g. ``^RUT``).
    start : Timestamp
        The as-of session the follow-up is measured from.
    end : Timestamp
        The latest date every series has a close for (``start`` when none has a later one).
    last_bars : dict of str to Timestamp
        Each series' own last close date.
    returns : Series
        Return of each series from ``start`` to ``end`` (fractions).
    cumulative : DataFrame
        Cumulative returns rebased to 0 at ``start``, up to ``end``.
    lead_at_start, lead_at_end : Series
        ``leader``'s lead over each other series from the base date, in percentage points,
        at ``start`` and at ``end`` (:func:`analysis.metrics.calc_lead`).
    """

    leader: str
    start: pd.Timestamp
    end: pd.Timestamp
    last_bars: dict[str, pd.Timestamp]
    returns: pd.Series
    cumulative: pd.DataFrame
    lead_at_start: pd.Series
    lead_at_end: pd.Series

    @property
    def has_data(self) -> bool:
        """Whether every series has at least one close after ``start``."""
        return self.end > self.start

    @property
    def sessions(self) -> int:
        """Sessions after ``start`` up to ``end`` in the leader's data."""
        index = self.cumulative[self.leader].dropna().index
        return int(((index > self.start) & (index <= self.end)).sum())

    @property
    def lead_change(self) -> pd.Series:
        """How much the lead over each other series grew (+) or shrank (-), in pp."""
        return self.lead_at_end - self.lead_at_start


def calc_follow_up(closes: pd.DataFrame, base, as_of, leader: str) -> FollowUp:
    """Returns from ``as_of`` to the latest common date, and how ``leader``'s lead moved.

    ``returns[s] = close_s[end] / close_s[as_of] - 1`` where ``end`` is the earliest of
    the series' last non-missing dates; ``lead_at_X[s] = (r_leader(base, X) - r_s(base,
    X)) * 100``. Each close is the last one on or before its date (see
    :mod:`analysis.metrics.returns`). NaNs are skipped.

    Raises
    ------
    InsufficientDataError
        A series has no close on or before ``base``.
    KeyError
        ``leader`` is not a column of ``closes``.
    """
    if leader not in closes.columns:
        raise KeyError(f"{leader} is not among the series {list(closes.columns)}")
    start = pd.Timestamp(as_of)
    last_bars = {col: closes[col].dropna().index.max() for col in closes.columns}
    end = max(min(last_bars.values()), start)
    returns = pd.Series(
        {col: calc_period_return(closes[col], start, end) for col in closes.columns},
        name="return",
    )
    cumulative = to_cumulative_returns(closes.loc[:end], start)
    others = [col for col in closes.columns if col != leader]

    def leads(at) -> pd.Series:
        ahead = calc_period_return(closes[leader], base, at)
        return pd.Series(
            {col: calc_lead(ahead, calc_period_return(closes[col], base, at)) for col in others},
            name="lead_pp",
            dtype=float,
        )

    return FollowUp(
        leader=leader,
        start=start,
        end=end,
        last_bars=last_bars,
        returns=returns,
        cumulative=cumulative,
        lead_at_start=leads(start),
        lead_at_end=leads(end),
    )
