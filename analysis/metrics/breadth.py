"""Market breadth: the share of an index's members trading above their own moving average.

Pure functions over a wide frame of closes (one column per member, one row per trading
day). Loading the members' prices from the store lives in :mod:`analysis.data.universe`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.text import long_date

# Within this many days a "highest since" date is stated to the day; further back, to the
# month ("since 9 January 2026" reads better than "since January 2026" in January 2026).
_DAY_PRECISION_DAYS = 62


def to_breadth(closes: pd.DataFrame, window: int = 200) -> pd.DataFrame:
    """Per day, the percentage of members whose close is above their own simple moving average.

    For member ``i`` on day ``t`` with close ``c[i, t]``, ``SMA[i, t]`` is the mean of the
    member's last ``window`` valid closes up to and including ``t``. Then::

        counted[t]   = #{i : c[i, t] is valid and SMA[i, t] is defined}
        above[t]     = #{i counted on t : c[i, t] > SMA[i, t]}
        pct_above[t] = 100 * above[t] / counted[t]     (NaN when counted[t] == 0)

    NaN policy: a NaN (or infinite) close means the member has no bar that day (not yet
    listed, halted, delisted, or its data is missing). Such days are skipped, not filled:
    the average runs over the last ``window`` *valid* bars, a member counts only once it
    has ``window`` valid bars, and it does not count on a day without a close. A close
    equal to its average is not above it.

    Parameters
    ----------
    closes : DataFrame
        Closes, one column per member, indexed by increasing, unique trading dates.
        Not modified.
    window : int
        Length of the simple moving average in bars (200 for the usual breadth measure).

    Returns
    -------
    DataFrame
        Indexed like ``closes``, with columns ``pct_above`` (float, 0 to 100),
        ``members_above`` and ``members_counted`` (int).
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    index = pd.Index(closes.index)
    if not index.is_unique or not index.is_monotonic_increasing:
        raise ValueError("closes must be indexed by unique, increasing dates")
    values = closes.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    valid = np.isfinite(values)
    values[~valid] = np.nan
    sma = _sma_over_valid_bars(values, valid, window)
    counted = valid & ~np.isnan(sma)
    # NaN compares False, so uncounted cells can never be "above".
    above = counted & (values > sma)
    n_counted = counted.sum(axis=1)
    n_above = above.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(n_counted > 0, 100.0 * n_above / n_counted, np.nan)
    return pd.DataFrame(
        {"pct_above": pct, "members_above": n_above, "members_counted": n_counted},
        index=closes.index,
    )


def _sma_over_valid_bars(values: np.ndarray, valid: np.ndarray, window: int) -> np.ndarray:
    """Average each column's last ``window`` valid values; NaN where undefined."""
    # Move every column's valid values to the top (stable, so their order is kept), take
    # an ordinary rolling mean down the compacted columns, then put the results back in
    # place. This is the "skip missing bars" average for the whole universe at once,
    # with no Python loop over members.
    order = np.argsort(~valid, axis=0, kind="stable")
    compact = np.take_along_axis(values, order, axis=0)
    # pandas' rolling mean is exact for a run of equal values, so a flat price is never
    # "above" its own average by a rounding error.
    rolled = pd.DataFrame(compact).rolling(window, min_periods=window).mean().to_numpy()
    sma = np.empty_like(values)
    np.put_along_axis(sma, order, rolled, axis=0)
    sma[~valid] = np.nan
    return sma


@dataclass(frozen=True)
class HighestSince:
    """How a reading compares with the history before it.

    Attributes
    ----------
    date : Timestamp
        The day of the reading.
    value : float
        The reading.
    since : Timestamp or None
        The last earlier day with a reading at least as high; ``None`` if there is none.
    history_start : Timestamp
        The first day with a reading, which bounds what "record" can mean.
    phrase : str
        ``"the highest since March 2024"``, or ``"the highest on record"`` when no earlier
        reading was as high.
    """

    date: pd.Timestamp
    value: float
    since: pd.Timestamp | None
    history_start: pd.Timestamp
    phrase: str

    @property
    def record(self) -> bool:
        """Whether no earlier reading was as high."""
        return self.since is None

    def __str__(self) -> str:
        return self.phrase


def calc_highest_since(breadth: pd.Series | pd.DataFrame, date) -> HighestSince:
    """Find the last earlier day whose reading was at least as high as the one on ``date``.

    ``since = max{s < t : x[s] >= x[t]}`` where ``t`` is the last day at or before ``date``
    with a reading. The phrase names ``since`` to the month ("the highest since March
    2024"), or to the day when it is within about two months of ``t``; with no such day it
    is "the highest on record", meaning within the series (see ``history_start``).

    Parameters
    ----------
    breadth : Series or DataFrame
        Readings indexed by date; a frame from :func:`to_breadth` uses its ``pct_above``.
        NaN readings are ignored.
    date : date-like
        The day to describe; the last reading at or before it is used.

    Raises
    ------
    ValueError
        No reading at or before ``date``.
    """
    series = breadth["pct_above"] if isinstance(breadth, pd.DataFrame) else breadth
    series = series.dropna()
    when = pd.Timestamp(date)
    upto = series.loc[series.index <= when]
    if upto.empty:
        raise ValueError(f"no breadth reading at or before {when.date()}")
    day, value = upto.index[-1], float(upto.iloc[-1])
    earlier = upto.iloc[:-1]
    at_least = earlier.index[earlier.to_numpy() >= value]
    if len(at_least) == 0:
        since, phrase = None, "the highest on record"
    else:
        since = at_least[-1]
        phrase = f"the highest since {_describe_since(since, day)}"
    return HighestSince(
        date=day, value=value, since=since, history_start=series.index[0], phrase=phrase
    )


def _describe_since(since: pd.Timestamp, day: pd.Timestamp) -> str:
    if (day - since).days <= _DAY_PRECISION_DAYS:
        return long_date(since)
    return f"{since:%B %Y}"


# Share of the index's members that must have a close on the as-of day before breadth is
# computed at all: below it, a figure over whichever members happen to be stored (a universe
# still filling, a source that failed for many) would pass for the whole index.
COVERAGE_THRESHOLD = 0.95


@dataclass(frozen=True)
class BreadthReading:
    """A breadth figure ready for prose, or the reason there is none.

    ``value is None`` means the figure cannot be computed from the data at hand (for a
    claims check: "cannot be checked"), and ``reason`` says why.

    Attributes
    ----------
    value : float or None
        Percentage of counted members above their moving average.
    date : Timestamp or None
        The day of the reading.
    members_counted : int
        Members with a close that day and enough history for the average.
    members_with_data : int
        Members with at least one close in the data.
    members_total : int
        Members in the membership list (with or without data).
    window : int
        Moving-average length in bars.
    highest_since : HighestSince or None
        How the reading compares with the earlier ones.
    reason : str or None
        Why ``value`` is ``None``.
    """

    value: float | None
    date: pd.Timestamp | None
    members_counted: int
    members_with_data: int
    members_total: int
    window: int
    highest_since: HighestSince | None = None
    reason: str | None = None

    @property
    def checkable(self) -> bool:
        """Whether there is a figure at all."""
        return self.value is not None

    def describe(self) -> str:
        """``"68% of 1,912 members with data"``, or the reason there is no figure."""
        if self.value is None:
            return f"cannot be computed: {self.reason}"
        return f"{self.value:.0f}% of {self.members_counted:,} members with data"


def calc_breadth_claim(
    closes: pd.DataFrame | None,
    date,
    *,
    members_total: int | None = None,
    window: int = 200,
    peak_from=None,
    min_coverage: float = 0.5,
    min_closing: float = COVERAGE_THRESHOLD,
) -> BreadthReading:
    """Breadth on ``date`` (or its peak over a span) with the context a claim needs.

    The value is ``to_breadth(closes, window)["pct_above"]`` on the last day at or before
    ``date``; with ``peak_from``, the highest reading from ``peak_from`` to ``date`` ("hit
    68% last week"), on the first day it was reached. It comes with the member counts and
    :func:`calc_highest_since`.

    Never raises for missing data: when the figure cannot be computed (no closes at all,
    fewer than ``min_closing`` of ``members_total`` with a close on the as-of day, no
    member with ``window`` bars by ``date``, or fewer than ``min_coverage`` of
    ``members_total`` counted) the reading's ``value`` is ``None`` and ``reason`` says why.

    Parameters
    ----------
    closes : DataFrame or None
        Members' closes, one column per member (see :func:`to_breadth`); ``None`` or an
        empty frame when the store holds no member prices.
    date : date-like
        The as-of day.
    members_total : int, optional
        Members in the membership list; defaults to the number of columns.
    window : int
        Moving-average length in bars.
    peak_from : date-like, optional
        Start of a span whose highest reading is wanted.
    min_coverage : float
        Smallest acceptable share of ``members_total`` counted on the day, so a handful of
        members with data never passes for the whole index.
    min_closing : float
        Smallest acceptable share of ``members_total`` with a close on the as-of day (the
        last day of the data at or before ``date``): :data:`COVERAGE_THRESHOLD`, 95%.
    """
    width = 0 if closes is None else closes.shape[1]
    total = width if members_total is None else int(members_total)
    when = pd.Timestamp(date)

    def unavailable(reason: str, with_data: int = 0) -> BreadthReading:
        return BreadthReading(
            value=None,
            date=None,
            members_counted=0,
            members_with_data=with_data,
            members_total=total,
            window=window,
            reason=reason,
        )

    if closes is None or width == 0 or closes.empty:
        of = f" for any of the {total:,} members" if total else ""
        return unavailable(f"the data store holds no daily closes{of}")
    with_data = int(closes.notna().any(axis=0).sum())
    on_or_before = closes.index[closes.index <= when]
    if total and len(on_or_before):
        closing = int(closes.loc[on_or_before[-1]].notna().sum())
        if closing < min_closing * total:
            return unavailable(
                f"only {closing:,} of {total:,} members have a close on "
                f"{on_or_before[-1].date()} (fewer than {min_closing:.0%})",
                with_data=with_data,
            )
    breadth = to_breadth(closes, window=window)
    span = breadth.loc[breadth.index <= when].dropna(subset=["pct_above"])
    if span.empty:
        return unavailable(
            f"no member has {window} daily closes by {when.date()}", with_data=with_data
        )
    if peak_from is not None:
        span = span.loc[span.index >= pd.Timestamp(peak_from)]
        if span.empty:
            return unavailable(
                f"no breadth reading from {pd.Timestamp(peak_from).date()} to {when.date()} "
                f"(the data end on {breadth.index[-1].date()})",
                with_data=with_data,
            )
    else:
        span = span.iloc[-1:]
    day = span["pct_above"].idxmax()
    row = breadth.loc[day]
    counted = int(row["members_counted"])
    if total and counted < min_coverage * total:
        return unavailable(
            f"only {counted:,} of {total:,} members have {window} daily closes by "
            f"{day.date()} (fewer than {min_coverage:.0%})",
            with_data=with_data,
        )
    return BreadthReading(
        value=float(row["pct_above"]),
        date=day,
        members_counted=counted,
        members_with_data=with_data,
        members_total=total,
        window=window,
        highest_since=calc_highest_since(breadth, day),
    )
