"""Bring a universe's members up to date: fetch order, the budget, timezones, what was reached.

The reading half (members' closes side by side, coverage) is :mod:`analysis.data.universe`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from analysis.data.clock import Clock, default_clock
from analysis.data.errors import CorruptedStoreError
from analysis.data.holdings import Holdings
from analysis.data.sessions import session_on_or_before
from analysis.data.settings import Settings
from analysis.data.store import Store
from analysis.data.universe import member_symbols
from analysis.fetch.holdings import get_iwm_holdings
from analysis.fetch.member_states import (
    BACKING_OFF,
    confirm_not_found,
    describe,
    remember_failures,
    resting,
    tally,
)
from analysis.fetch.sources.pacing import YAHOO, pacer_for, set_deadline

log = logging.getLogger(__name__)

# Members per update_series call: one yf.download each, one chart request per member. The
# fetch budget is checked between batches, so this also bounds how far a build can run past
# it (25 requests: 25 s at the default pace).
BATCH_SIZE = 25
# Outcome of a member the build's fetch budget did not reach: it keeps what the store holds
# and comes first in the next build.
NOT_REACHED = "not reached"
# Exchanges in the holdings file whose listings trade on New York time. Seeding yfinance's
# timezone cache with them saves a timezone request per member.
_NEW_YORK_EXCHANGES = ("NASDAQ", "NEW YORK STOCK EXCHANGE", "NYSE", "CBOE")
NEW_YORK = "America/New_York"
# Years of bars a new member gets: a breadth reading needs 200 sessions before it, and a
# "highest since" phrase looks back further still (two years before a post's date).
HISTORY_YEARS = 5


@dataclass
class UniverseReport:
    """What :func:`update_universe` did, member by member.

    Attributes
    ----------
    members : list of str
        Members asked for.
    outcomes : dict of str to Outcome
        :class:`analysis.fetch.update.Outcome` per member (``current``, ``updated``,
        ``unchanged``, ``stale``, ``failed``, ``offline``).
    """

    members: list[str]
    outcomes: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    failing: dict = field(default_factory=dict)
    gave_up: str | None = None

    def with_status(self, *statuses: str) -> list[str]:
        """Members whose outcome has one of ``statuses``."""
        return [s for s, o in self.outcomes.items() if o.status in statuses]

    @property
    def failed(self) -> dict[str, str]:
        """Members the store has no rows for after the update, with the error.

        A member this build did not get an answer for (the deadline, or a transient
        failure such as a throttled answer) is not failed: see :attr:`not_reached`.
        """
        return {
            s: o.error or o.status
            for s, o in self.outcomes.items()
            if not o.usable and o.status != NOT_REACHED and not o.transient
        }

    @property
    def not_reached(self) -> list[str]:
        """Members this build got no answer for: the deadline, or a transient failure."""
        return [s for s, o in self.outcomes.items() if o.status == NOT_REACHED or o.transient]

    @property
    def stale(self) -> dict[str, str]:
        """Members served from older rows because their update failed."""
        return {
            s: o.error or o.status
            for s, o in self.outcomes.items()
            if o.usable and o.status == "stale"
        }

    @property
    def with_data(self) -> list[str]:
        """Members the store holds rows for after the update."""
        return [s for s, o in self.outcomes.items() if o.usable]

    def summary(self) -> str:
        """One line: complete, behind by N sessions, not reached, failing (and why)."""
        if self.counts:
            text = describe(len(self.members), self.counts)
            return f"{text}; {self.gave_up}" if self.gave_up else text
        parts = [f"{len(self.with_data):,} of {len(self.members):,} members have data"]
        if self.failed:
            parts.append(f"{len(self.failed):,} failed")
        if self.stale:
            parts.append(f"{len(self.stale):,} stale")
        if self.not_reached:
            parts.append(
                f"{len(self.not_reached):,} not reached within the fetch budget "
                "(the next build fetches them first)"
            )
        return "; ".join(parts)


def member_timezones(holdings: Holdings) -> dict[str, str]:
    """Exchange timezone of each member whose exchange the holdings file names.

    Every listing on NASDAQ, the NYSE (and NYSE American, NYSE Arca) or Cboe trades on New
    York time; other exchanges are left to yfinance to look up.
    """
    exchanges = holdings.members.get("exchange")
    if exchanges is None:
        return {}
    return {
        symbol: NEW_YORK
        for symbol, exchange in exchanges.items()
        if any(name in str(exchange).upper() for name in _NEW_YORK_EXCHANGES)
    }


def fetch_order(store: Store, symbols: list[str]) -> list[str]:
    """``symbols``, most behind first: members not in the store, then oldest last bar first.

    Ties keep the holdings order (largest weight first). A member whose stored file is
    unreadable counts as not stored.
    """

    def behind(item: tuple[int, str]):
        position, symbol = item
        try:
            prov = store.provenance(symbol)
        except CorruptedStoreError:
            prov = None
        return (0, "", position) if prov is None else (1, prov.last_bar, position)

    return [symbol for _, symbol in sorted(enumerate(symbols), key=behind)]


def update_universe(
    members: Holdings | Iterable[str],
    store: Store,
    settings: Settings,
    session=None,
    *,
    batch_size: int = BATCH_SIZE,
    now=None,
    progress: bool = False,
    history_years: int = HISTORY_YEARS,
    budget: float | None = None,
    started: float | None = None,
    clock: Clock | None = None,
    failing: dict | None = None,
    through=None,
    skip: Iterable[str] = (),
) -> UniverseReport:
    """Bring members' prices up to date, most behind first, until the fetch budget runs out.

    Each batch goes through :func:`analysis.fetch.update.update_series`, so the usual rules hold:
    only bars after the last stored one are requested, members already complete for the
    last closed session are not requested at all, transient failures are retried with
    backoff, and a failed member keeps its stored rows (stale) or is listed as failed.
    Each member is stored as soon as its batch arrives, so a build killed part way keeps
    every member stored before. A batch starts only if, at the Yahoo pacer's current rate, it
    should end within ``budget`` seconds of ``started`` (or by the deadline the caller set
    for the whole fetch step, if earlier), and no request leaves after that (the pacers'
    deadline); members not fetched are reported ``"not reached"``, keep what the store
    holds, and come first in the next build. Members that failed transiently (throttled, a
    refused crumb, a 404 for a listed member) are asked once more after all the others.
    Members that keep failing (``failing``) rest for days and go last. Nothing is raised
    for individual members; see :attr:`UniverseReport.failed`,
    :attr:`UniverseReport.not_reached` and :meth:`UniverseReport.summary`.

    Parameters
    ----------
    members : Holdings or iterable of str
        The members (Yahoo symbols). A holdings file also gives their exchanges, which
        saves yfinance a timezone request per member.
    store, settings
        Where prices live; offline settings make no request. ``settings.fetch_budget`` is
        the default budget.
    session : curl_cffi.requests.Session, optional
        Session for yfinance (tests pass a fake one).
    batch_size : int
        Members per download.
    now : timestamp-like, optional
        The current time, for tests and benchmarks.
    progress : bool
        Show a progress bar over batches (on a terminal).
    history_years : int
        Years of history to fetch for a member the store does not hold yet: breadth needs
        200 sessions before its first reading, not decades.
    budget : float, optional
        Seconds of fetching allowed (default ``settings.fetch_budget``; ``math.inf`` for none).
    started : float, optional
        When the build's fetch started, on ``clock`` (default: now), so time spent on the
        posts' own series counts against the budget.
    clock : Clock, optional
        The clock the budget is measured on (default: the process clock).
    failing : dict, optional
        The last build's record of members that keep failing (``report.failing``, kept in
        the fetch status): they rest for days (:mod:`analysis.fetch.member_states`) and are
        asked after the others.
    through : date-like, optional
        Read as of this day (a pinned universe): members stored up to its session are
        complete, no bar after it is requested, and a new member's history runs
        ``history_years`` back from it. Default: today.
    skip : iterable of str
        Members not to request (recorded as no longer served by the source).
    """
    # Imported here: posts that only read the universe should not pay for yfinance.
    from analysis.data.freshness import is_current
    from analysis.fetch.update import CURRENT, Outcome

    clock = clock or default_clock()
    started = clock.now() if started is None else started
    budget = settings.fetch_budget if budget is None else budget
    skipped = set(skip)
    symbols = [s for s in member_symbols(members) if s not in skipped]
    timezones = member_timezones(members) if isinstance(members, Holdings) else {}

    stamp = pd.Timestamp(now if now is not None else pd.Timestamp.now(tz="UTC"))
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    today = stamp.date()
    # A new member's history runs back from the day read at (a pinned read's as-of, or today).
    end = today if through is None else min(today, pd.Timestamp(through).date())
    history_start = end.replace(year=end.year - history_years, day=min(end.day, 28))
    last_session = None if through is None else session_on_or_before(through)

    report = UniverseReport(members=symbols)
    failing = dict(failing or {})
    due, last = [], []
    for symbol in fetch_order(store, symbols):
        try:
            prov = store.provenance(symbol)
        except CorruptedStoreError:
            prov = None
        if (
            prov is not None
            and not settings.offline
            and is_current(prov, stamp, session=last_session)
        ):
            report.outcomes[symbol] = Outcome(symbol, CURRENT, prov)
        elif resting(failing.get(symbol), today) and not settings.offline:
            entry = failing[symbol]
            report.outcomes[symbol] = Outcome(
                symbol, BACKING_OFF, prov, f"{entry.get('reason')} (failing since {entry['since']})"
            )
        elif symbol in failing:
            last.append(symbol)  # a member that keeps failing goes after the others
        else:
            due.append(symbol)
    due += last
    batches = _chunks(due, batch_size)
    if progress and batches:
        from tqdm import tqdm

        batches = tqdm(batches, unit="batch", desc="members")
    pacer = pacer_for(YAHOO)
    # One deadline for the whole fetch step: the caller's (posts' phase included), or ours.
    previous_deadline = pacer.deadline
    deadline = None if settings.offline else started + budget
    if deadline is not None and previous_deadline is not None:
        deadline = min(deadline, previous_deadline)
    set_deadline(deadline)
    options = {
        "history_start": history_start,
        "timezones": timezones,
        # A live read's members are listed today, so a 404 for one is an incident until
        # another day repeats it. A past holdings file does not vouch that Yahoo still
        # serves a member: without stored rows, its 404 is taken as it is (no longer served).
        "known": symbols if through is None else (),
        "through": None if through is None else pd.Timestamp(through).date(),
    }
    try:
        _fetch_batches(batches, report, store, settings, session, now, pacer, clock, options)
        # Later in the same build: what failed transiently (throttled, a refused crumb, a
        # 404 for a listed member) is asked once more, after everything else.
        again = [s for s in due if s in report.outcomes and report.outcomes[s].transient]
        if again and not settings.offline:
            later = _chunks(again, batch_size)
            _fetch_batches(later, report, store, settings, session, now, pacer, clock, options)
    finally:
        set_deadline(previous_deadline)
    _defer(store, report, [s for s in due if s not in report.outcomes], Outcome)
    for symbol, entry in failing.items():
        if symbol in report.outcomes:
            confirm_not_found(report.outcomes[symbol], entry, stamp)
    report.outcomes = {s: report.outcomes[s] for s in symbols if s in report.outcomes}
    report.failing = remember_failures(failing, report.outcomes, stamp)
    report.counts = tally(report.outcomes, stamp, last_session)
    report.gave_up = pacer.gave_up
    if report.failed:
        log.warning("%s", report.summary())
    return report


def _fetch_batches(batches, report, store, settings, session, now, pacer, clock, options):
    """Fetch batch after batch while the deadline allows (checked before each batch too)."""
    from analysis.fetch.update import NOT_REACHED as CUT_OFF
    from analysis.fetch.update import update_series

    for batch in batches:
        # A batch starts only if, at the current pace, it should end before the deadline.
        expected = len(batch) * 60.0 / pacer.rate
        if not settings.offline and (
            pacer.gave_up is not None
            or (pacer.deadline is not None and clock.now() + expected > pacer.deadline)
        ):
            break
        batch_report = update_series(
            batch,
            store=store,
            settings=settings,
            now=now,
            yahoo_session=session,
            progress=False,
            history_start=options["history_start"],
            yahoo_timezones=options["timezones"],
            known=options["known"],
            through=options["through"],
        )
        for symbol, outcome in batch_report.outcomes.items():
            # Cut off by the deadline: not a failure of the member's source (and a member
            # asked again late keeps what its first attempt found).
            if outcome.status != CUT_OFF:
                report.outcomes[symbol] = outcome


def _chunks(symbols: list[str], size: int) -> list[list[str]]:
    """``symbols`` in batches of ``size`` (at least one each)."""
    return [symbols[i : i + size] for i in range(0, len(symbols), max(1, size))]


def _defer(store: Store, report: UniverseReport, symbols: list[str], outcome) -> None:
    for symbol in symbols:
        try:
            prov = store.provenance(symbol)
        except CorruptedStoreError:
            prov = None
        report.outcomes[symbol] = outcome(symbol, NOT_REACHED, prov)


def refresh_iwm_universe(
    settings: Settings,
    *,
    store: Store | None = None,
    holdings_session=None,
    yahoo_session=None,
    now=None,
    progress: bool = False,
    **update_options,
) -> tuple[Holdings, UniverseReport]:
    """Get the current IWM members (download or stored) and bring their prices up to date.

    The one call a build needs before rendering posts that show breadth. In offline mode
    it uses the stored holdings and requests nothing.

    Raises
    ------
    OfflineError, SourceError, MalformedDataError
        No holdings file could be downloaded and none is stored (see
        :func:`analysis.data.holdings.get_iwm_holdings`). Failures of individual members are
        reported, not raised.
    """
    store = store or Store(settings.data_dir, lock_timeout=settings.lock_timeout)
    holdings = get_iwm_holdings(settings, store=store, session=holdings_session)
    report = update_universe(
        holdings, store, settings, yahoo_session, now=now, progress=progress, **update_options
    )
    return holdings, report
