"""Bring stored series up to date: ask sources only for what is missing, keep what we have.

This is the one place that decides *whether* to touch the network. For each symbol:

- **current**: the store already has the last closed session (or was refreshed after it
  settled): no request at all.
- **due**: request bars from ``OVERLAP`` before the last stored bar (to catch revisions),
  or the whole history for a new symbol. Yahoo symbols that share a start date go in one
  ``yf.download`` batch; FRED series are one request each.
- A failed request never loses data: the stored rows stay, the failure is recorded in the
  provenance, and the series is reported **stale**. A symbol with no stored rows is **failed**.

In offline mode nothing is requested; every series is reported as the store has it.

Why this module is long: deciding what to ask and merging every kind of answer (truncated,
shifted, with holes, re-adjusted, refused) without losing a stored bar are one set of rules
that must be read together, beside the report that says what came of them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from analysis.data.errors import (
    BudgetExhaustedError,
    CorruptedStoreError,
    DataError,
    EmptyResponseError,
    OfflineError,
    StaleDataError,
    SymbolNotFoundError,
    TransientSourceError,
)
from analysis.data.freshness import is_current, last_confirmed
from analysis.data.sessions import (
    closed_sessions_between,
    last_closed_session,
    session_on_or_before,
)
from analysis.data.settings import Settings
from analysis.data.store import Provenance, Store, utc_now_iso
from analysis.fetch.sources import fred, yahoo
from analysis.fetch.sources.retry import RetryPolicy
from analysis.fetch.sources.yahoo import UnconfirmedNotFoundError

log = logging.getLogger(__name__)

# Re-requesting a few days already stored catches late revisions of recent bars.
OVERLAP = timedelta(days=7)
# yfinance sends one chart request per symbol; batches bound memory and thread fan-out.
YAHOO_BATCH_SIZE = 100
# Relative change in a stored bar's adjusted close that means the source re-adjusted history
# (a dividend or split): the whole series is then fetched again.
ADJUSTMENT_TOLERANCE = 1e-6

CURRENT, UPDATED, UNCHANGED, STALE, FAILED, OFFLINE = (
    "current",
    "updated",
    "unchanged",
    "stale",
    "failed",
    "offline",
)
# The fetch deadline came (or the source was given up on for this build) before the symbol
# was asked: it keeps what the store holds, and it is not a failure of its source.
NOT_REACHED = "not reached"


@dataclass
class Outcome:
    """What happened to one symbol during an update."""

    symbol: str
    status: str
    provenance: Provenance | None = None
    error: str | None = None
    requested_from: date | None = None
    # The failure is worth asking again later (throttled, a refused crumb, a 404 that
    # another day has not confirmed); see analysis.fetch.member_states.
    transient: bool = False
    unknown: bool = False  # the source answered, for good, that it does not know the symbol

    @property
    def usable(self) -> bool:
        """Whether the store holds rows for the symbol after the update."""
        return self.provenance is not None


@dataclass
class UpdateReport:
    """Per-symbol outcomes of :func:`update_series`, in the order asked."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)
    now: pd.Timestamp | None = None
    # The session a complete series reaches: the last closed one, or that of ``through``.
    session: pd.Timestamp | None = None

    def with_status(self, *statuses: str) -> list[Outcome]:
        """Outcomes whose status is one of ``statuses``."""
        return [o for o in self.outcomes.values() if o.status in statuses]

    @property
    def failed(self) -> list[Outcome]:
        """Symbols the store still has no rows for, though their source was asked."""
        return [o for o in self.outcomes.values() if not o.usable and o.status != NOT_REACHED]

    @property
    def not_reached(self) -> list[Outcome]:
        """Symbols the fetch deadline (or a source given up on) left unasked this build."""
        return [o for o in self.outcomes.values() if o.status == NOT_REACHED]

    @property
    def stale(self) -> list[Outcome]:
        """Symbols served from older stored rows because the source failed or was not asked."""
        return [
            o
            for o in self.outcomes.values()
            if o.usable and o.status in (STALE, OFFLINE, NOT_REACHED)
        ]

    def raise_for_problems(
        self, max_stale_sessions: int | None, *, allow_missing: bool = False
    ) -> None:
        """Raise if a symbol has no data (unless ``allow_missing``), or is too stale.

        Raises
        ------
        DataError
            One line per failed symbol (``OfflineError`` in offline mode).
        StaleDataError
            A series lags more closed sessions than ``max_stale_sessions``.
        """
        missing = [o for o in self.outcomes.values() if not o.usable]
        if missing and not allow_missing:
            lines = [f"{o.symbol}: {o.error}" for o in missing]
            error = OfflineError if all(o.status == OFFLINE for o in missing) else DataError
            raise error("; ".join(lines))
        if max_stale_sessions is None:
            return
        too_old = [
            (o, lag)
            for o in self.stale
            if (lag := closed_sessions_between(last_confirmed(o.provenance), self.now))
            > max_stale_sessions
        ]
        if too_old:
            raise StaleDataError(
                "; ".join(
                    f"{o.symbol}: last refreshed {last_confirmed(o.provenance)} "
                    f"({lag} sessions ago, limit {max_stale_sessions})"
                    + (f"; last error: {o.error}" if o.error else "")
                    for o, lag in too_old
                )
            )


def update_series(
    symbols: Iterable[str],
    *,
    store: Store,
    settings: Settings,
    now=None,
    yahoo_session=None,
    fred_base_url: str | None = None,
    progress: bool | None = None,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
    history_start: date | None = None,
    yahoo_timezones: dict[str, str] | None = None,
    known: Iterable[str] = (),
    through: date | None = None,
) -> UpdateReport:
    """Fetch what the store is missing for ``symbols`` and record every outcome.

    Parameters
    ----------
    symbols : iterable of str
        Yahoo symbols (``^RUT``, ``IWM``, ``CL=F``) and FRED series as ``fred:<ID>``.
    store, settings
        Where to read and write, and whether the network may be used.
    now : timestamp-like, optional
        The current time (UTC); injectable for tests and benchmarks.
    yahoo_session, fred_base_url
        Test seams: a session for yfinance and a base URL for FRED.
    progress : bool, optional
        Show yfinance's progress bar (default: only on a terminal).
    retry, sleep : optional
        Retry policy and wait function for both sources (defaults: the sources' own).
    history_start : date, optional
        How far back to fetch a symbol the store does not hold yet (default: its whole
        history). Large universes that only need recent years use it to stay small.
    through : date, optional
        The last day wanted: a series stored up to that day's session is complete, and no
        bar after it is requested (a universe read as of a past date). Default: today.
    """
    now = pd.Timestamp(now if now is not None else utc_now_iso())
    now = now.tz_localize("UTC") if now.tzinfo is None else now.tz_convert("UTC")
    session = last_closed_session(now)
    if through is not None:
        session = min(session, session_on_or_before(through))
    report = UpdateReport(now=now, session=session)
    due: dict[str, date | None] = {}
    for symbol in dict.fromkeys(symbols):
        prov = _provenance_or_none(store, symbol, report)
        if prov is not None and is_current(prov, now, session=session):
            report.outcomes[symbol] = Outcome(symbol, CURRENT, prov)
        elif settings.offline:
            error = None if prov else "not in the store, and offline mode fetches nothing"
            report.outcomes[symbol] = Outcome(symbol, OFFLINE, prov, error)
        else:
            due[symbol] = (prov.last_bar_date.date() - OVERLAP) if prov else history_start
            report.outcomes.setdefault(symbol, Outcome(symbol, FAILED, prov))
    if due:
        known_through = dict.fromkeys(known)
        for symbol in due:
            prov = report.outcomes[symbol].provenance
            if prov is not None:
                known_through[symbol] = prov.last_bar_date.date()
        retrying = {k: v for k, v in (("retry", retry), ("sleep", sleep)) if v is not None}
        yahoo_options = {
            "known": known_through,
            "session": yahoo_session,
            "progress": progress,
            "cache_dir": store.root / yahoo.CACHE_SUBDIR,
            "timezones": yahoo_timezones,
            **retrying,
        }
        if through is not None:
            yahoo_options["end"] = pd.Timestamp(through).date() + timedelta(days=1)
        fred_options = {"base_url": fred_base_url, **retrying}
        _fetch_due(due, store, report, now, yahoo_options, fred_options)
    return report


def _provenance_or_none(store: Store, symbol: str, report: UpdateReport) -> Provenance | None:
    try:
        prov = store.provenance(symbol)
        if prov is not None:
            store.read_bytes(symbol)  # checks the checksum before we build on these rows
        return prov
    except CorruptedStoreError as exc:
        log.warning("%s", exc)
        report.outcomes[symbol] = Outcome(symbol, FAILED, None, str(exc))
        return None


def _fetch_due(due, store, report, now, yahoo_options, fred_options) -> None:
    fetched_at = now.replace(microsecond=0).isoformat()
    yahoo_due = {s: start for s, start in due.items() if not fred.is_fred_symbol(s)}
    refetch: dict[str, date | None] = {}
    for start, batch in _batches(yahoo_due):
        results = yahoo.fetch_yahoo(batch, start, **yahoo_options)
        for symbol in batch:
            result = _result_for(results, symbol)
            stored = _stored_rows(store, report, symbol, result)
            if _history_was_readjusted(stored, result):
                refetch[symbol] = None
                continue
            _apply(store, report, symbol, result, yahoo.YAHOO_SOURCE, fetched_at, start, stored)
    for start, batch in _batches(refetch):
        results = yahoo.fetch_yahoo(batch, start, **yahoo_options)
        for symbol in batch:
            result = _result_for(results, symbol)
            stored = _stored_rows(store, report, symbol, result)
            _apply(
                store,
                report,
                symbol,
                result,
                yahoo.YAHOO_SOURCE,
                fetched_at,
                start,
                stored,
                refetch=True,
            )
    for symbol, start in due.items():
        if not fred.is_fred_symbol(symbol):
            continue
        try:
            result = fred.fetch_fred(fred.fred_id(symbol), start, **fred_options)
        except DataError as exc:
            result = exc
        stored = _stored_rows(store, report, symbol, result)
        _apply(store, report, symbol, result, fred.FRED_SOURCE, fetched_at, start, stored)


def _result_for(results: dict, symbol: str):
    result = results.get(symbol)
    return result if result is not None else EmptyResponseError(f"{symbol}: no answer in the batch")


def _batches(due: dict[str, date | None]):
    by_start: dict[date | None, list[str]] = defaultdict(list)
    for symbol, start in due.items():
        by_start[start].append(symbol)
    for start, symbols in by_start.items():
        for i in range(0, len(symbols), YAHOO_BATCH_SIZE):
            yield start, symbols[i : i + YAHOO_BATCH_SIZE]


def _stored_rows(store: Store, report: UpdateReport, symbol: str, result) -> pd.DataFrame | None:
    """The stored rows to merge ``result`` into (None when there are none, or it failed)."""
    if isinstance(result, Exception) or report.outcomes[symbol].provenance is None:
        return None
    return store.read(symbol)


def _history_was_readjusted(stored: pd.DataFrame | None, result) -> bool:
    """True when overlapping bars' adjusted closes moved (a dividend or split went ex)."""
    if stored is None or "adj_close" not in stored:
        return False
    common = stored.index.intersection(result.index)
    if common.empty:
        return False
    old, new = stored.loc[common, "adj_close"], result.loc[common, "adj_close"]
    drift = ((new - old).abs() / old.abs()).max()
    return bool(drift > ADJUSTMENT_TOLERANCE)


def merge_answer(stored: pd.DataFrame, answer: pd.DataFrame) -> pd.DataFrame:
    """Stored rows the answer does not cover, with the answer's rows: never fewer rows.

    An answer may be truncated (Yahoo under load stops short of the newest weeks), shifted
    or have holes; a stored bar it does not mention is kept as it is. Only bars the answer
    does carry are replaced (late revisions of volume or a high).
    """
    kept = stored[~stored.index.isin(answer.index)]
    if kept.empty:
        return answer.sort_index()
    return pd.concat([kept, answer]).sort_index()


def covers(answer: pd.DataFrame, stored: pd.DataFrame) -> bool:
    """Whether ``answer`` spans all of ``stored``: what a full refetch must prove."""
    return bool(answer.index[0] <= stored.index[0] and answer.index[-1] >= stored.index[-1])


def _reaches(result: pd.DataFrame, source: str, session: pd.Timestamp | None) -> bool:
    """Whether an answer vouches for the last closed session (Yahoo; FRED publishes late)."""
    if source != yahoo.YAHOO_SOURCE or session is None:
        return True
    return bool(result.index[-1] >= session)


def _fail(store, outcome, symbol, message, fetched_at, transient=False) -> None:
    outcome.error = message
    outcome.transient = transient
    if outcome.provenance is not None:
        store.record_failure(symbol, message, attempted_at=fetched_at)
        outcome.provenance = store.provenance(symbol)
        outcome.status = STALE
    else:
        outcome.status = FAILED


def _apply(
    store, report, symbol, result, source, fetched_at, start, stored, *, refetch=False
) -> None:
    """Record one symbol's answer: merge new rows into the stored ones, or note the failure.

    No stored bar is lost: an answer that stops before the stored last bar is not written
    (the series is stale and asked again), and otherwise every stored row the answer does
    not cover is kept. Only a full refetch after a re-adjustment replaces the stored rows,
    and only when it spans them all. A series is marked checked only when the answer
    reaches the last closed session.
    """
    outcome = report.outcomes[symbol]
    outcome.requested_from = start
    outcome.transient = False
    previous = outcome.provenance
    if isinstance(result, BudgetExhaustedError):
        # Not reached: the deadline came first (or the source was given up on this build).
        outcome.status, outcome.error = NOT_REACHED, str(result)
        return
    if isinstance(result, UnconfirmedNotFoundError) and _not_found_before(previous, report.now):
        result = SymbolNotFoundError(
            f"{symbol}: {yahoo.NAME} does not know this symbol (on two different days)"
        )
    if isinstance(result, Exception):
        transient = isinstance(result, TransientSourceError)
        outcome.unknown = isinstance(result, SymbolNotFoundError) and not transient
        _fail(store, outcome, symbol, str(result), fetched_at, transient)
        return
    # The session this update expects: the last closed one, or that of ``through``.
    session = report.session
    checked = _reaches(result, source, session)
    if refetch and stored is not None:
        if not covers(result, stored):
            _fail(
                store, outcome, symbol, _short(symbol, result, stored, "re-adjusted "), fetched_at
            )
            return
        merged = result
    elif stored is not None:
        # Short of the stored last bar, or of the expected session when the store holds
        # bars past it (a read pinned to an earlier day): a throttled Yahoo's truncation.
        wanted = stored.index[-1] if session is None else min(stored.index[-1], session)
        if result.index[-1] < wanted:
            _fail(store, outcome, symbol, _short(symbol, result, stored), fetched_at, True)
            return
        merged = merge_answer(stored, result)
    else:
        merged = result
    if stored is not None and merged.equals(stored):
        if checked:
            store.record_checked(symbol, checked_at=fetched_at)
            outcome.provenance = store.provenance(symbol)
        outcome.status = UNCHANGED
        return
    if previous is not None:
        sources = "; ".join(dict.fromkeys([*previous.source.split("; "), source]))
        notes = previous.notes
    else:
        sources, notes = source, None
    outcome.provenance = store.write(
        symbol, merged, source=sources, fetched_at=fetched_at, checked=checked, notes=notes
    )
    outcome.status = UPDATED


def _not_found_before(previous: Provenance | None, now) -> bool:
    """Whether the last failure recorded was a 404 too, on an earlier day."""
    if previous is None or not previous.last_error or previous.last_attempt_at is None:
        return False
    if "does not know this symbol" not in previous.last_error or now is None:
        return False
    return pd.Timestamp(previous.last_attempt_at).date() < pd.Timestamp(now).date()


def _short(symbol, result, stored, what="") -> str:
    return (
        f"{symbol}: the {what}answer stops at {result.index[-1].date()}, before the stored "
        f"last bar {stored.index[-1].date()}; the stored rows are kept and asked again"
    )
