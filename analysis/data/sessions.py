"""The NYSE trading calendar: which session last closed, and how many have closed since a time.

Uses ``exchange_calendars`` (holidays, early closes) rather than a hand-kept holiday list.
Everything here needs only each session's close, so that table is what is kept: building
the calendar takes a tenth of a second or more (it evaluates every holiday rule), a cost
every post's kernel and every command would otherwise pay. The table is saved once a day
per library version in the data folder's ``.cache/calendar/`` and read back in
milliseconds.
"""

from __future__ import annotations

import contextlib
import functools
import io
import warnings
from datetime import date
from pathlib import Path

import exchange_calendars
import pandas as pd
from pandas.errors import Pandas4Warning

from analysis.data.settings import resolve_data_dir
from analysis.data.store import atomic_write

EXCHANGE = "XNYS"
# Beside yfinance's cache: files any process may rebuild, never data.
CACHE_FOLDER = Path(".cache", "calendar")
# Yahoo's daily bar and FRED's daily values appear some time after the close; a fetch made
# this long after a session's close is taken to have seen everything that session produces.
SETTLE_TIME = pd.Timedelta(hours=2)


def _calendar() -> exchange_calendars.ExchangeCalendar:
    with warnings.catch_warnings():
        # exchange_calendars trips pandas 3 deprecation notices while it builds; not ours.
        warnings.simplefilter("ignore", Pandas4Warning)
        return exchange_calendars.get_calendar(EXCHANGE)


def _cache_path(today: date) -> Path:
    name = f"{EXCHANGE.lower()}-closes-{exchange_calendars.__version__}-{today.isoformat()}"
    return resolve_data_dir() / CACHE_FOLDER / f"{name}.parquet"


def _read_closes(path: Path) -> pd.Series:
    closes = pd.read_parquet(path)["close"]
    index = closes.index
    if not (
        isinstance(index, pd.DatetimeIndex)
        and index.is_monotonic_increasing
        and str(closes.dtype) == "datetime64[ns, UTC]"
        and closes.is_monotonic_increasing
        and len(closes) > 1000
    ):
        raise ValueError(f"{path}: not a table of session closes")
    return closes


def _write_closes(path: Path, closes: pd.Series) -> None:
    """Save the table; a cache that cannot be written is only a slower next start."""
    buffer = io.BytesIO()
    closes.to_frame("close").to_parquet(buffer)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, buffer.getvalue())
        for old in path.parent.glob(f"{EXCHANGE.lower()}-closes-*.parquet"):
            if old != path:
                old.unlink(missing_ok=True)


@functools.cache
def _closes() -> pd.Series:
    """Each session's close (UTC), indexed by session date, from the cache or the calendar."""
    path = _cache_path(date.today())
    with contextlib.suppress(OSError, ValueError, KeyError):  # missing or unreadable: rebuild
        return _read_closes(path)
    closes = _calendar().closes.rename("close")
    closes.index.name = "session"
    _write_closes(path, closes)
    return closes


def _utc(moment) -> pd.Timestamp:
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def last_closed_session(now) -> pd.Timestamp:
    """The most recent NYSE session whose close is at or before ``now`` (tz-naive date)."""
    now = _utc(now)
    closes = _closes()
    if now.tz_localize(None).normalize() > closes.index[-1]:
        raise ValueError(f"{now} is after the calendar's last session, {closes.index[-1].date()}")
    closed = int(closes.searchsorted(now, side="right"))
    if closed == 0:
        raise ValueError(f"{now} is before the calendar's first session close")
    return pd.Timestamp(closes.index[closed - 1])


def session_on_or_before(day) -> pd.Timestamp:
    """The last NYSE session on or before ``day`` (a date: any time of that day counts)."""
    midnight = pd.Timestamp(day).normalize() + pd.Timedelta(days=1)
    return last_closed_session(midnight.tz_localize("UTC") - pd.Timedelta(microseconds=1))


def session_close(session) -> pd.Timestamp:
    """UTC close time of a session (``KeyError`` if the day is not a session)."""
    return _closes().loc[pd.Timestamp(session).normalize()]


def closed_sessions_between(since, now) -> int:
    """How many sessions closed after ``since`` and at or before ``now``.

    The calendar starts twenty years back; an earlier ``since`` counts from its start.
    """
    since, now = _utc(since), _utc(now)
    if since >= now:
        return 0
    closes = _closes()
    return int(closes.searchsorted(now, side="right") - closes.searchsorted(since, side="right"))
