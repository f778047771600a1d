"""Which universes the posts read, at which date, and how complete the store is for each.

A post that declares ``universes: [IWM]`` reads that fund's members. With a ``window`` it
reads them as of the window's ``as-of`` (a *pinned* read): the members of the holdings file
dated on or before that day, and their bars up to it. Without one it reads today's members
and their latest bars (a *live* read). The build fetches per (fund, date), the union of
what the posts need; the fingerprint, ``status`` and the page use the same answers, so
what is fetched, what decides re-execution and what is shown agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.data.errors import CorruptedStoreError
from analysis.data.freshness import is_current
from analysis.data.frontmatter import Post
from analysis.data.holdings import Holdings, holdings_on, latest_holdings, unpublished_dates
from analysis.data.sessions import last_closed_session, session_on_or_before
from analysis.data.store import Store
from analysis.data.unserved import due_for_recheck, read_unserved

WINDOW_KEY = "window"
AS_OF_KEY = "as-of"


@dataclass(frozen=True, order=True)
class UniverseRead:
    """A fund's members read at a date (``as_of``), or live (``as_of`` is ``None``)."""

    fund: str
    as_of: pd.Timestamp | None = None

    @property
    def pinned(self) -> bool:
        """Read at a fixed past date: fetched once, then never again."""
        return self.as_of is not None

    def describe(self) -> str:
        """``IWM as of 2026-01-16`` or ``IWM, live``."""
        return f"{self.fund} as of {self.as_of.date()}" if self.pinned else f"{self.fund}, live"


def read_date(post: Post) -> pd.Timestamp | None:
    """The date a post reads its universes at: its window's as-of, or ``None`` (live)."""
    window = post.front_matter.get(WINDOW_KEY)
    if not isinstance(window, dict) or window.get(AS_OF_KEY) is None:
        return None
    return pd.Timestamp(window[AS_OF_KEY]).normalize()


def universe_reads(posts: list[Post]) -> dict[UniverseRead, list[Post]]:
    """Every (fund, date) the posts read, with the posts reading it; live reads first.

    A member a live read and a pinned read share is then fetched once: the live read brings
    it up to today, which covers the pinned read's day.
    """
    reads: dict[UniverseRead, list[Post]] = {}
    for post in posts:
        for fund in post.universes:
            reads.setdefault(UniverseRead(fund, read_date(post)), []).append(post)
    return dict(
        sorted(reads.items(), key=lambda item: (item[0].pinned, item[0].fund, item[0].as_of or 0))
    )


def holdings_for(store: Store, read: UniverseRead) -> Holdings | None:
    """The stored holdings file a read uses (``None`` if the store has none yet)."""
    if read.pinned:
        return holdings_on(store, read.as_of, fund=read.fund)
    return latest_holdings(store, fund=read.fund)


def holdings_settled(store: Store, read: UniverseRead, holdings: Holdings | None) -> bool:
    """Whether a pinned read's holdings file is final: its own day's, or that day is unpublished.

    A live read's file is never final: each build asks for today's.
    """
    if not read.pinned or holdings is None:
        return False
    if holdings.as_of.normalize() == read.as_of:
        return True
    return read.as_of in unpublished_dates(store, fund=read.fund)


@dataclass
class MemberState:
    """How far the store has come with one read's members.

    Attributes
    ----------
    read : UniverseRead
    holdings : Holdings or None
        The stored file the read uses.
    complete : list of str
        Members stored up to the read's date (live: current for the last closed session).
    stored : list of str
        Members the store holds rows for (complete or not).
    unserved : dict of str to str
        Members recorded as no longer served by the source, with the reason.
    due : list of str
        Members the next build would request (among them, members no longer served whose
        month without a request is over).
    holdings_final : bool
        A pinned read's file is its own day's, or iShares publishes none for that day.
    """

    read: UniverseRead
    holdings: Holdings | None
    complete: list[str] = field(default_factory=list)
    stored: list[str] = field(default_factory=list)
    unserved: dict[str, str] = field(default_factory=dict)
    due: list[str] = field(default_factory=list)
    holdings_final: bool = False

    @property
    def members(self) -> list[str]:
        """Every member of the holdings file."""
        return self.holdings.symbols if self.holdings is not None else []

    @property
    def settled(self) -> bool:
        """A pinned read with nothing left to fetch: the next build sends it no request."""
        return self.read.pinned and self.holdings_final and not self.due


def member_state(store: Store, read: UniverseRead, *, now=None) -> MemberState:
    """Stored, complete, unserved and due members of one read (reads the store only).

    For a live read "complete" means current for the last closed session at ``now``.
    """
    holdings = holdings_for(store, read)
    state = MemberState(read, holdings)
    if holdings is None:
        return state
    unserved = read_unserved(store)
    now = pd.Timestamp(now if now is not None else pd.Timestamp.now(tz="UTC"))
    now = now.tz_localize("UTC") if now.tzinfo is None else now
    # The session a complete member reaches: its date's for a pinned read (or the source was
    # asked after it settled and had nothing newer: a halted member), else the last closed.
    session = session_on_or_before(read.as_of) if read.pinned else last_closed_session(now)
    for symbol in holdings.symbols:
        try:
            prov = store.provenance(symbol)
        except CorruptedStoreError:
            prov = None
        if prov is not None:
            state.stored.append(symbol)
        if prov is not None and is_current(prov, now, session=session):
            state.complete.append(symbol)
        elif prov is None and symbol in unserved:
            state.unserved[symbol] = unserved[symbol].get("reason", "")
            if due_for_recheck(unserved[symbol], now):  # a month on: asked once more
                state.due.append(symbol)
        else:
            state.due.append(symbol)
    state.holdings_final = holdings_settled(store, read, holdings)
    return state
