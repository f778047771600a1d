"""The universe part of a build's fetch: per (fund, date), the union of what the posts read.

Posts name the universes they read (``universes: [IWM]``) and, through their ``window``, the
date they read them at (:mod:`analysis.data.universe_reads`). For each (fund, date):

- a **pinned** read (a past ``as-of``) gets the holdings file of that day, or the latest
  earlier one iShares publishes, and its members' bars up to that day and no further.
  Once every member is stored up to the day (or recorded as no longer served), the read
  is *settled*: the build sends nothing for it, ever again;
- a **live** read (no window) gets today's holdings file and its members' latest bars.

Live reads go first, so a member both kinds read is requested once (up to today, which
covers the pinned day). A member the source answers as unknown while the store holds no
rows of it is recorded as no longer served (:mod:`analysis.data.unserved`) and not asked
again for a month.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analysis.data.errors import DataError
from analysis.data.frontmatter import Post
from analysis.data.holdings import Holdings
from analysis.data.settings import Settings
from analysis.data.store import Store
from analysis.data.universe_reads import MemberState, UniverseRead, member_state, universe_reads
from analysis.data.unserved import record_unserved
from analysis.fetch.holdings import get_holdings
from analysis.fetch.universe import UniverseReport, update_universe


@dataclass
class ReadOutcome:
    """What the fetch did for one (fund, date) read."""

    read: UniverseRead
    summary: str
    holdings: Holdings | None = None
    report: UniverseReport | None = None
    newly_unserved: tuple[str, ...] = ()

    @property
    def requested(self) -> bool:
        """Whether anything was asked of a source for this read."""
        return self.report is not None


def status_key(read: UniverseRead) -> str:
    """The read's name in ``fetch-status.json``: ``IWM`` (live) or ``IWM 2026-01-16``."""
    return f"{read.fund} {read.as_of.date()}" if read.pinned else read.fund


def plan_universes(posts: list[Post], store: Store, *, now=None) -> list[MemberState]:
    """What each read's members look like in the store, and what the next build fetches."""
    return [member_state(store, read, now=now) for read in universe_reads(posts)]


def next_fetch(state: MemberState) -> str:
    """What the next build fetches for a read, in words."""
    if state.settled:
        return "nothing: every member is stored up to its date"
    parts = []
    if state.read.pinned and not state.holdings_final:
        parts.append(f"the {state.read.fund} holdings file of {state.read.as_of.date()}")
    elif not state.read.pinned:
        parts.append(f"today's {state.read.fund} holdings file")
    if state.holdings is None:
        parts.append("then its members")
    elif state.due:
        rechecks = sum(1 for symbol in state.due if symbol in state.unserved)
        through = f"up to {state.read.as_of.date()}" if state.read.pinned else "latest bars"
        if len(state.due) > rechecks:
            parts.append(f"{len(state.due) - rechecks:,} members ({through})")
        if rechecks:
            parts.append(f"{rechecks:,} no longer served, asked again after a month")
    return ", ".join(parts) or "nothing"


def fetch_universes(
    posts: list[Post],
    settings: Settings,
    store: Store,
    *,
    now=None,
    started: float | None = None,
    holdings_session=None,
    yahoo_session=None,
    budget: float | None = None,
    failing: Callable[[str], dict] | None = None,
) -> dict[str, ReadOutcome]:
    """Fetch what each read needs, live reads first; keyed by :func:`status_key`.

    ``budget`` is the members' share of the fetch step (default: the settings' budget);
    ``failing`` gives, by read key, the last build's record of members that keep failing,
    which rest for days (:mod:`analysis.fetch.member_states`). Nothing is raised for a
    read: a failure is its summary ("not refreshed: ...").
    """
    outcomes: dict[str, ReadOutcome] = {}
    for read in universe_reads(posts):
        options = {"budget": budget, "failing": failing(status_key(read)) if failing else None}
        try:
            outcomes[status_key(read)] = _fetch_read(
                read, settings, store, now, started, holdings_session, yahoo_session, options
            )
        except DataError as exc:
            outcomes[status_key(read)] = ReadOutcome(read, f"not refreshed: {exc}")
    return outcomes


def _fetch_read(read, settings, store, now, started, holdings_session, yahoo_session, options):
    state = member_state(store, read, now=now)
    if state.settled:
        return ReadOutcome(read, _describe(state, "nothing to fetch"), state.holdings)
    holdings = get_holdings(
        settings, fund=read.fund, as_of=read.as_of, store=store, session=holdings_session
    )
    state = member_state(store, read, now=now)
    report = update_universe(
        holdings,
        store,
        settings,
        yahoo_session,
        now=now,
        started=started,
        through=read.as_of,
        skip=[symbol for symbol in state.unserved if symbol not in state.due],
        **options,
    )
    unknown = {
        symbol: outcome.error or "unknown to the source"
        for symbol, outcome in report.outcomes.items()
        if outcome.unknown and outcome.provenance is None
    }
    record_unserved(store, unknown, at=_stamp(now))
    state = member_state(store, read, now=now)
    stale = f" (stale: {holdings.stale_reason})" if holdings.stale_reason else ""
    return ReadOutcome(
        read,
        _describe(state, report.summary()) + stale,
        holdings,
        report,
        tuple(unknown),
    )


def _describe(state: MemberState, fetched: str) -> str:
    """``holdings of 2026-01-16 (read at 2026-01-16): ...; 23 no longer served``."""
    text = f"holdings of {state.holdings.as_of.date()}" if state.holdings else "no holdings"
    if state.read.pinned:
        text += f" (read at {state.read.as_of.date()})"
    text += f": {fetched}"
    if state.unserved:
        text += f"; {len(state.unserved):,} no longer served by Yahoo"
    return text


def _stamp(now) -> str | None:
    """``now`` as the store's ISO time (UTC), or ``None`` for the current time."""
    if now is None:
        return None
    now = pd.Timestamp(now)
    now = now.tz_localize("UTC") if now.tzinfo is None else now.tz_convert("UTC")
    return now.replace(microsecond=0).isoformat()
