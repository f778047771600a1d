"""The NYSE trading calendar: which session last closed, and how many have closed since a time.

Uses ``exchange_calendars`` (holidays, early closes) rather than a hand-kept holiday list.
"""

from __future__ import annotations

import functools
import warnings
from datetime import timedelta

import exchange_calendars
import pandas as pd
from pandas.errors import Pandas4Warning

EXCHANGE = "XNYS"
# Yahoo's daily bar and FRED's daily values appear some time after the close; a fetch made
# this long after a session's close is taken to have seen everything that session produces.
SETTLE_TIME = pd.Timedelta(hours=2)


@functools.cache
def _calendar() -> exchange_calendars.ExchangeCalendar:
    with warnings.catch_warnings():
        # exchange_calendars trips pandas 3 deprecation notices while it builds; not ours.
        warnings.simplefilter("ignore", Pandas4Warning)
        return exchange_calendars.get_calendar(EXCHANGE)


def _utc(moment) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def last_closed_session(now) -> pd.Timestamp:
    """The most recent NYSE session whose close is at or before ``now`` (tz-naive date)."""
    now = _utc(now)
    calendar = _calendar()
    recent = calendar.sessions_in_range(
        now.normalize().tz_localize(None) - timedelta(days=14), now.normalize().tz_localize(None)
    )
    closed = [session for session in recent if calendar.session_close(session) <= now]
    return pd.Timestamp(closed[-1])


def session_close(session) -> pd.Timestamp:
    """UTC close time of a session."""
    return _calendar().session_close(pd.Timestamp(session))


def closed_sessions_between(since, now) -> int:
    """How many sessions closed after ``since`` and at or before ``now``."""
    since, now = _utc(since), _utc(now)
    if since >= now:
        return 0
    calendar = _calendar()
    sessions = calendar.sessions_in_range(
        since.normalize().tz_localize(None), now.normalize().tz_localize(None)
    )
    closes = calendar.closes.reindex(sessions)
    return int(((closes > since) & (closes <= now)).sum())
