"""Event studies: a series' return over fixed horizons after each event date.

The easing-cycle study (:mod:`analysis.metrics.cycle_study`) uses these with the first cut
of each cycle as the events; any list of dates works. The conventions of every metric are
in :mod:`analysis.metrics.common`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.metrics.common import as_timestamp, valid_values

__all__ = ["to_relative_returns_after", "to_returns_after"]


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
    clean = valid_values(close)
    last = clean.index.max() if not clean.empty else None
    event_index = pd.DatetimeIndex([as_timestamp(e) for e in events], name="event")
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
