"""The universe part of a post's fingerprint: the holdings file it reads and its members' data.

A live post (no ``window``) reads the latest holdings file and its members' whole series, so
its part is that file's checksum and every member's stored checksum. A post pinned to its
window's as-of reads the file dated on or before that day and its members' closes up to that
day and no later, so its part hashes exactly that: a member's bar after the window changes
nothing, a revised bar inside it does. Members no longer served by the source are marked as
such. Used by :class:`analysis.site.fingerprint.FingerprintInputs`.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from analysis.data.errors import DataError
from analysis.data.holdings import holdings_on, latest_holdings
from analysis.data.store import Store, checksum
from analysis.data.universe import DEFAULT_COLUMN
from analysis.data.unserved import read_unserved


def universe_part(store: Store, name: str, as_of: pd.Timestamp | None) -> dict:
    """The holdings file a post reads and its members' data, live or up to ``as_of``."""
    try:
        holdings = (
            latest_holdings(store, fund=name)
            if as_of is None
            else holdings_on(store, as_of, fund=name)
        )
    except DataError as exc:
        return {"error": str(exc)}
    if holdings is None:
        return {"holdings": None, "members": {}}
    unserved = read_unserved(store)
    members = {}
    for symbol in sorted(holdings.symbols):
        prov = store.provenance(symbol)
        if prov is None:
            members[symbol] = "no longer served" if symbol in unserved else None
        elif as_of is None:
            members[symbol] = prov.checksum
        else:
            members[symbol] = member_through(store, symbol, as_of)
    part = {
        "holdings": {
            "as_of": holdings.as_of.date().isoformat(),
            "checksum": checksum(holdings.raw),
        },
        "members": members,
    }
    if as_of is not None:
        part["read_at"] = as_of.date().isoformat()
    return part


def member_through(store: Store, symbol: str, as_of: pd.Timestamp) -> str:
    """A hash of what a pinned post reads of a member: its adjusted closes up to ``as_of``.

    The stored series may run past the day (a live post reads it too); the bars after the
    window must not move the fingerprint, and a member stored up to the day and one extended
    later must hash alike, so the closes themselves are hashed (reading one column per
    member: about 0.35 s for 2,000, see ``benchmarks/breadth.py``).
    """
    try:
        dates, values = store.read_column(symbol, DEFAULT_COLUMN)
    except (DataError, KeyError) as exc:
        return f"error: {exc}"
    keep = dates <= np.datetime64(as_of.to_datetime64())
    return hashlib.sha256(dates[keep].tobytes() + values[keep].tobytes()).hexdigest()
