"""Download a fund's holdings file, store it, and fall back to the stored one when that fails.

Today's file for a live read; for a read pinned to a past date, the file of that day where
iShares publishes one (``asOfDate=YYYYMMDD``), otherwise the latest earlier month end it
does publish. Parsing and reading stored files live in :mod:`analysis.data.holdings`; this
module is the network half.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from analysis.data.errors import (
    EmptyResponseError,
    MalformedDataError,
    NotPublishedError,
    OfflineError,
    SourceError,
)
from analysis.data.funds import BUILT_IN, Fund, fund_for
from analysis.data.holdings import (
    FUND,
    Holdings,
    holdings_on,
    latest_holdings,
    parse_holdings,
    record_unpublished,
    save_holdings,
    unpublished_dates,
)
from analysis.data.sessions import session_on_or_before
from analysis.data.settings import Settings
from analysis.data.store import Store
from analysis.fetch.sources import pacing, transport
from analysis.fetch.sources.retry import RetryPolicy, call_with_retries

IWM_HOLDINGS_URL = Fund(FUND, BUILT_IN[FUND]).holdings_url()
# How many month ends before a pinned date are tried when iShares has no file of that day.
MONTH_ENDS_TRIED = 3
# A day's file can appear a few days late; only an older day without one is recorded as
# unpublished (and never asked for again).
PUBLISHING_LAG = pd.Timedelta(days=7)


# -- downloading ------------------------------------------------------------------------------


def fetch_holdings(
    url: str = IWM_HOLDINGS_URL,
    *,
    session=None,
    timeout: float = 30.0,
    retry: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Holdings:
    """Download and parse the fund's current holdings file.

    Parameters
    ----------
    url : str
        The CSV download link on the fund's page.
    session : object, optional
        Anything with ``get(url, timeout=...)`` returning a response with ``status_code``
        and ``content`` (``curl_cffi`` or ``requests`` sessions). The default is a
        ``curl_cffi`` session that presents itself as a browser, since the site turns away
        obvious scripts.
    timeout : float
        Seconds per request.
    retry, sleep
        Backoff for rate limits, server errors and timeouts (``sleep`` defaults to the
        process clock's). Each request waits its turn with the iShares pacer.

    Raises
    ------
    NotPublishedError
        An ``asOfDate`` the fund publishes no file for (iShares answers with an empty one).
    SourceError
        The site refused or failed (after retries for transient failures).
    EmptyResponseError
        The site answered with nothing.
    MalformedDataError
        The answer is not a holdings CSV (an HTML page, for example).
    """
    if session is None:
        from curl_cffi import requests as curl_requests  # the network layer, only when used

        session = curl_requests.Session(impersonate="chrome")

    pacer = pacing.pacer_for(pacing.ISHARES)
    where = {"subject": "the holdings download", "source": url}

    def attempt() -> bytes:
        try:
            with pacer.turn():
                response = session.get(url, timeout=timeout)
        except OSError as exc:  # curl_cffi, requests and urllib errors all derive from it
            raise transport.error_for_exception(exc, **where) from None
        status = int(response.status_code)
        headers = getattr(response, "headers", None)
        pacer.observe(status, headers)
        # A 404 here is a moved download link, not an unknown symbol.
        error = transport.error_for_status(status, headers=headers, not_found=frozenset(), **where)
        if error is not None:
            raise error
        return bytes(response.content)

    payload = call_with_retries(attempt, retry or RetryPolicy(), sleep=sleep)
    if not payload.strip():
        raise EmptyResponseError(f"the holdings download answered with nothing: {url}")
    return parse_holdings(payload, source=url)


fetch_iwm_holdings = fetch_holdings  # the name from before funds other than IWM


def get_holdings(
    settings: Settings,
    *,
    fund: str = FUND,
    as_of=None,
    store: Store | None = None,
    session=None,
    url: str | None = None,
    **fetch_options,
) -> Holdings:
    """A fund's members: today's (``as_of=None``) or those of ``as_of``; stored, then kept.

    Live: the file is downloaded and stored; if that fails, the latest stored file is
    returned with ``stale_reason`` set. Pinned: a stored file of that day, or one dated
    before it once iShares has said it has none for the day, is used without a request;
    otherwise the day is asked for (``asOfDate``), then up to :data:`MONTH_ENDS_TRIED`
    earlier month ends, and the first file found is stored under its own date. Days more
    than :data:`PUBLISHING_LAG` old that iShares answers with no file are recorded and not
    asked again (a recent one is asked again by the next build, in case its file is only
    late). Offline mode uses the stored files only.

    Raises
    ------
    OfflineError
        Offline mode and no stored holdings for the read.
    NotPublishedError
        Pinned, and no file on or before the date is published or stored.
    SourceError, MalformedDataError
        The download failed and the store keeps no holdings to fall back on.
    """
    store = store or Store(settings.data_dir, lock_timeout=settings.lock_timeout)
    if as_of is not None:
        return _pinned_holdings(
            settings, fund, pd.Timestamp(as_of).normalize(), store, session=session, **fetch_options
        )
    if settings.offline:
        stored = latest_holdings(store, fund=fund)
        if stored is None:
            raise OfflineError(
                f"no {fund} holdings file in the data store {store.root}, "
                "and offline mode fetches nothing"
            )
        return stored
    url = url or fund_for(fund).holdings_url()
    try:
        holdings = fetch_holdings(url, session=session, **fetch_options)
    except (SourceError, MalformedDataError) as exc:
        stored = latest_holdings(store, fund=fund)
        if stored is None:
            raise
        return replace(stored, stale_reason=f"the holdings download failed ({exc})")
    save_holdings(holdings, store, fund=fund)
    return holdings


def get_iwm_holdings(settings: Settings, **options) -> Holdings:
    """Today's IWM members (see :func:`get_holdings`)."""
    return get_holdings(settings, fund=FUND, **options)


def candidate_dates(as_of: pd.Timestamp, months: int = MONTH_ENDS_TRIED) -> list[pd.Timestamp]:
    """The day itself, then the last sessions of the ``months`` months before it."""
    dates = [as_of]
    month_end = as_of.replace(day=1) - pd.Timedelta(days=1)
    for _ in range(months):
        dates.append(session_on_or_before(month_end))
        month_end = month_end.replace(day=1) - pd.Timedelta(days=1)
    return list(dict.fromkeys(dates))


def _pinned_holdings(settings, fund, as_of, store, *, session=None, **fetch_options) -> Holdings:
    stored = holdings_on(store, as_of, fund=fund)
    unpublished = set(unpublished_dates(store, fund=fund))
    if stored is not None and (stored.as_of.normalize() == as_of or as_of in unpublished):
        return stored
    if settings.offline:
        if stored is None:
            raise OfflineError(
                f"no {fund} holdings file on or before {as_of.date()} in the data store "
                f"{store.root}, and offline mode fetches nothing"
            )
        return stored
    source = fund_for(fund)
    later = None
    for day in candidate_dates(as_of):
        if stored is not None and day <= stored.as_of.normalize():
            return stored
        if day in unpublished:
            continue
        try:
            holdings = fetch_holdings(source.holdings_url(day), session=session, **fetch_options)
        except NotPublishedError:
            if day < pd.Timestamp.now().normalize() - PUBLISHING_LAG:
                record_unpublished(store, day, fund=fund)
            continue
        except (SourceError, MalformedDataError) as exc:
            if stored is None:
                raise
            return replace(stored, stale_reason=f"the holdings download failed ({exc})")
        save_holdings(holdings, store, fund=fund)
        if holdings.as_of.normalize() > day:
            # The download ignored asOfDate and sent a later file: kept under its own date,
            # never used as this day's members; asking other days would bring it again.
            later = holdings.as_of.date()
            break
        return holdings
    if stored is not None:
        return stored
    if later is not None:
        raise NotPublishedError(
            f"no {fund} holdings file on {as_of.date()} or before it: asked for "
            f"{day.date()}, the download sent the file of {later}, which is kept but not "
            "used for an earlier day"
        )
    raise NotPublishedError(
        f"iShares publishes no {fund} holdings file on {as_of.date()} or at the "
        f"{MONTH_ENDS_TRIED} month ends before it, and the store keeps none"
    )
