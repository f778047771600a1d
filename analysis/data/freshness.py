"""Whether a stored series is complete for the last closed session (posts and fetch alike)."""

from __future__ import annotations

import pandas as pd

from analysis.data.sessions import SETTLE_TIME, last_closed_session, session_close
from analysis.data.store import Provenance


def last_confirmed(prov: Provenance) -> str:
    """When the rows were last obtained from, or confirmed by, their source."""
    return max(filter(None, (prov.fetched_at, prov.checked_at)), key=pd.Timestamp)


def is_current(prov: Provenance, now, *, session: pd.Timestamp | None = None) -> bool:
    """Whether a stored series already holds everything up to the last closed session.

    True when its last bar is that session, or when a live source was asked after that
    session's close had settled and had nothing newer (sources that publish with a lag,
    symbols that did not trade). Imported rows are vouched for by no source. ``session``
    (the last closed session at ``now``) may be passed in when checking many series.
    """
    session = last_closed_session(pd.Timestamp(now)) if session is None else session
    if prov.last_bar_date >= session:
        return True
    if prov.checked_at is None:
        return False
    return pd.Timestamp(prov.checked_at) >= session_close(session) + SETTLE_TIME
