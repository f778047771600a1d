"""What posts call to read data: the store only, never the network.

A build fetches once, before rendering (``python -m analysis fetch --for-posts``); posts
then read what the store holds and label it with its provenance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from analysis.data.errors import OfflineError
from analysis.data.freshness import is_current
from analysis.data.settings import Settings, load_settings
from analysis.data.store import Provenance, Store, utc_now_iso


def open_store(settings: Settings | None = None) -> Store:
    """The store the settings (by default, the environment) point at."""
    settings = settings or load_settings()
    return Store(settings.data_dir, lock_timeout=settings.lock_timeout)


def load_series(symbol: str, *, store: Store | None = None) -> pd.DataFrame:
    """All stored rows of one series.

    Raises
    ------
    OfflineError
        The store does not hold the symbol; the message says how to get it.
    CorruptedStoreError
        The stored file failed its checksum (and was quarantined).
    """
    store = store or open_store()
    if symbol not in store:
        raise OfflineError(
            f"{symbol} is not in the data store {store.root}: run "
            f"`python -m analysis fetch {symbol}` or import a CSV for it"
        )
    return store.read(symbol)


def load_column(
    symbols: Iterable[str], column: str = "close", *, store: Store | None = None
) -> pd.DataFrame:
    """One column of several series side by side (dates outer-joined, gaps left as NaN).

    FRED series have a single ``value`` column, which is used whatever ``column`` says.
    """
    store = store or open_store()
    return pd.DataFrame(
        {symbol: column_of(load_series(symbol, store=store), column) for symbol in symbols}
    )


def column_of(frame: pd.DataFrame, column: str) -> pd.Series:
    """``frame[column]``, or the ``value`` column of a one-column (FRED) series."""
    return frame[column] if column in frame else frame["value"]


@dataclass(frozen=True)
class SeriesStatus:
    """A stored series as a reader should see it at build time."""

    symbol: str
    provenance: Provenance
    stale: bool

    @property
    def reason(self) -> str | None:
        """Why the series is stale, in a phrase, or None when it is fresh."""
        if not self.stale:
            return None
        prov = self.provenance
        if prov.last_error:
            return f"the last fetch failed ({prov.last_error})"
        if prov.checked_at is None:
            return "imported from a file and not refreshed from a live source"
        return f"not refreshed since {max(prov.fetched_at, prov.checked_at)[:10]}"


def series_status(
    symbols: Iterable[str], *, store: Store | None = None, now=None
) -> list[SeriesStatus]:
    """Provenance and freshness of each symbol at ``now`` (default: the current time)."""
    store = store or open_store()
    now = pd.Timestamp(now if now is not None else utc_now_iso())
    statuses = []
    for symbol in dict.fromkeys(symbols):
        prov = store.provenance(symbol)
        if prov is None:
            raise OfflineError(f"{symbol} is not in the data store {store.root}")
        stale = prov.last_error is not None or not is_current(prov, now)
        statuses.append(SeriesStatus(symbol, prov, stale))
    return statuses
