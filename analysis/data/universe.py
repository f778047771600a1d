"""An index's members as one universe: their closes side by side, and how much of it is stored.

Members come from a holdings file (:mod:`analysis.data.holdings`); each member's prices are an
ordinary series in the store. Fetching them is :mod:`analysis.fetch.universe`.

Reading is the cheap path :meth:`Store.read_column` (each member's file is still verified
against its checksum): about 0.35 s for 2,000 members x 300 days (see
``benchmarks/breadth.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.data.errors import CorruptedStoreError
from analysis.data.fetch_status import read_fetch_status
from analysis.data.holdings import FUND, Holdings, holdings_on, latest_holdings
from analysis.data.store import Provenance, Store
from analysis.data.unserved import read_unserved

# Dividend- and split-adjusted: a split or a special dividend must not read as a collapse
# below the moving average.
DEFAULT_COLUMN = "adj_close"


@dataclass
class Universe:
    """Members' closes side by side, and who is missing.

    Attributes
    ----------
    members : list of str
        Every member asked for (Yahoo symbols), in holdings order.
    closes : DataFrame
        One column per member with data, indexed by trading date; NaN where a member has
        no bar.
    missing : dict of str to str
        Members without usable data, and why (not in the store, corrupted file).
    column : str
        The stored column the closes come from.
    holdings_as_of : Timestamp or None
        Date of the holdings file the members come from, if any.
    reason : str or None
        Why there are no members at all (no holdings file), if so.
    filling : bool
        The last fetch left members without data or behind the last session: the rest
        arrive over the next builds.
    behind : int
        Members with data that the last fetch left short of the last closed session.
    unserved : dict of str to str
        Members the price source no longer serves (acquired or delisted since the holdings
        date), with the reason; also listed in ``missing``, and counted among ``members``.
    as_of : Timestamp or None
        The date the universe is read at (closes stop there), or ``None`` for a live read.
    """

    members: list[str]
    closes: pd.DataFrame
    missing: dict[str, str] = field(default_factory=dict)
    column: str = DEFAULT_COLUMN
    holdings_as_of: pd.Timestamp | None = None
    reason: str | None = None
    filling: bool = False
    behind: int = 0
    unserved: dict[str, str] = field(default_factory=dict)
    as_of: pd.Timestamp | None = None

    def unserved_note(self, source: str = "Yahoo") -> str:
        """``"23 of 1,967 members are no longer served by Yahoo and are left out"`` (or "")."""
        if not self.unserved:
            return ""
        count = len(self.unserved)
        verb = "is" if count == 1 else "are"
        return (
            f"{count:,} of {len(self.members):,} members {verb} no longer served by {source} "
            f"and {verb} left out"
        )

    @property
    def with_data(self) -> list[str]:
        """Members that have at least one close."""
        return list(self.closes.columns)

    def coverage(self, as_of) -> Coverage:
        """How much of the universe the store covers on ``as_of`` (see :class:`Coverage`)."""
        days = self.closes.index[self.closes.index <= pd.Timestamp(as_of)]
        day = days[-1] if len(days) else None
        closing = int(self.closes.loc[day].notna().sum()) if day is not None else 0
        return Coverage(
            len(self.members), len(self.with_data), closing, day, self.filling, self.behind
        )


@dataclass(frozen=True)
class Coverage:
    """Members expected, stored and closing on a day, and whether more are on their way.

    Attributes
    ----------
    expected : int
        Members in the holdings file.
    stored : int
        Members the store holds closes for.
    closing : int
        Members with a close on ``day``.
    day : Timestamp or None
        The last day of the data at or before the date asked about.
    filling : bool
        The last fetch left members without data, or behind the last session.
    behind : int
        Members with data that are a session or more behind the last closed session.
    """

    expected: int
    stored: int
    closing: int
    day: pd.Timestamp | None
    filling: bool
    behind: int = 0

    @property
    def share(self) -> float:
        """Members closing on ``day`` as a share of those expected (0 without members)."""
        return self.closing / self.expected if self.expected else 0.0

    def describe(self) -> str:
        """``"1,204 of 1,918 members so far; the rest arrive over the next builds"``.

        Members with data but a session or more behind are said too: "all have data"
        never hides them.
        """
        text = f"{self.stored:,} of {self.expected:,} members"
        if self.filling and self.stored < self.expected:
            text = f"{text} so far; the rest arrive over the next builds"
            if self.behind:
                text += f" ({self.behind:,} with data are not yet updated to the last session)"
            return text
        if self.behind:
            return (
                f"{text} with data, {self.behind:,} of them not yet updated to the last "
                "session (the next builds bring them up to date)"
            )
        return f"{text} with data"


def member_symbols(members: Holdings | Iterable[str]) -> list[str]:
    """Yahoo symbols of ``members`` (a holdings file or symbols), without repeats."""
    symbols = members.symbols if isinstance(members, Holdings) else list(members)
    return list(dict.fromkeys(symbols))


# -- reading -------------------------------------------------------------------------------


def load_universe(
    store: Store,
    members: Holdings | Iterable[str] | None = None,
    *,
    column: str = DEFAULT_COLUMN,
    fund: str = FUND,
    as_of=None,
) -> Universe:
    """Members' closes from the store, side by side; never touches the network.

    Parameters
    ----------
    store : Store
        The data store.
    members : Holdings or iterable of str, optional
        Whose closes; by default the members of ``fund``'s holdings file: the latest one,
        or with ``as_of`` the latest dated on or before it. With no holdings file, the
        universe is empty and ``reason`` says so.
    column : str
        Stored column to use (``adj_close`` by default, or ``close``).
    fund : str
        The fund whose holdings list the members (``IWM``, ``IJR``, ...).
    as_of : date-like, optional
        Read the universe as of this day (a post's window): its members, and closes up
        to it and no later.

    Returns
    -------
    Universe
        Members without usable data are listed in ``missing`` rather than raised; those
        recorded as no longer served by the source also in ``unserved``.
    """
    holdings_as_of = None
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else None
    if members is None:
        try:
            members = (
                holdings_on(store, as_of, fund=fund)
                if as_of is not None
                else latest_holdings(store, fund=fund)
            )
        except CorruptedStoreError as exc:
            return Universe([], _empty(), column=column, reason=str(exc), as_of=as_of)
        if members is None:
            when = f" dated on or before {as_of.date()}" if as_of is not None else ""
            return Universe(
                [],
                _empty(),
                column=column,
                reason=f"the data store {store.root} keeps no {fund} holdings file{when}",
                as_of=as_of,
            )
    if isinstance(members, Holdings):
        holdings_as_of = members.as_of
    symbols = member_symbols(members)
    closes, missing = read_closes(store, symbols, column=column)
    if as_of is not None:
        closes = closes.loc[:as_of]
    recorded = read_unserved(store)
    unserved = {s: recorded[s].get("reason", "") for s in symbols if s in recorded and s in missing}
    for symbol in unserved:
        missing[symbol] = "no longer served by the source"
    status = read_fetch_status(store.root) or {}
    key = f"{fund} {as_of.date()}" if as_of is not None else fund
    reached = status.get("universes", {}).get(key, {})
    filling = bool(reached.get("not_reached")) and any(
        reason == "not in the data store" for reason in missing.values()
    )
    # Members with data the last fetch left behind the last session ("no data" ones are
    # the missing above).
    behind_by = reached.get("behind_by") or {}
    behind = sum(n for lag, n in behind_by.items() if lag != "no data" and isinstance(n, int))
    filling = filling or behind > 0
    return Universe(
        symbols,
        closes,
        missing,
        column=column,
        holdings_as_of=holdings_as_of,
        filling=filling,
        behind=behind,
        unserved=unserved,
        as_of=as_of,
    )


def read_closes(
    store: Store, symbols: list[str], *, column: str = DEFAULT_COLUMN
) -> tuple[pd.DataFrame, dict[str, str]]:
    """One column per symbol with data, and the reason for each symbol without.

    Every value comes from a member file whose checksum matches its provenance; a file
    that does not is quarantined (as :meth:`Store.read` does) and its member listed.
    """
    missing: dict[str, str] = {}
    provs: dict[str, Provenance] = {}
    for symbol in symbols:
        try:
            prov = store.provenance(symbol)
        except CorruptedStoreError as exc:
            missing[symbol] = str(exc)
            continue
        if prov is None:
            missing[symbol] = "not in the data store"
        else:
            provs[symbol] = prov
    columns: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for symbol in provs:
        try:
            dates, values = store.read_column(symbol, column)
        except (CorruptedStoreError, KeyError) as exc:
            missing[symbol] = exc.args[0] if isinstance(exc, KeyError) else str(exc)
            continue
        columns[symbol] = (dates, values)
    ordered = [s for s in symbols if s in columns and len(columns[s][0])]
    for symbol in symbols:
        if symbol in columns and symbol not in ordered:
            missing[symbol] = f"no {column} values in the stored series"
    closes = _assemble({s: columns[s] for s in ordered})
    return closes, {s: missing[s] for s in symbols if s in missing}


def _assemble(columns: dict[str, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """Outer-join members' (dates, values) into one frame, NaN where a member has no bar."""
    if not columns:
        return _empty()
    all_dates = np.unique(np.concatenate([dates for dates, _ in columns.values()]))
    out = np.full((len(all_dates), len(columns)), np.nan)
    for j, (dates, values) in enumerate(columns.values()):
        out[np.searchsorted(all_dates, dates), j] = values
    index = pd.DatetimeIndex(all_dates, name="date")
    return pd.DataFrame(out, index=index, columns=pd.Index(list(columns)))


def _empty() -> pd.DataFrame:
    return pd.DataFrame(index=pd.DatetimeIndex([], name="date"), dtype="float64")
