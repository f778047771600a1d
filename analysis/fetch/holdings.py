"""Download a fund's holdings file, store it, and fall back to the stored one when that fails.

Parsing and reading stored files live in :mod:`analysis.data.holdings`; this module is the
network half.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from analysis.data.errors import EmptyResponseError, MalformedDataError, OfflineError, SourceError
from analysis.data.holdings import FUND, Holdings, latest_holdings, parse_holdings, save_holdings
from analysis.data.settings import Settings
from analysis.data.store import Store
from analysis.fetch.sources import pacing, transport
from analysis.fetch.sources.retry import RetryPolicy, call_with_retries

IWM_HOLDINGS_URL = (
    "https://www.ishares.com/us/products/239710/ishares-russell-2000-etf/"
    "1467271812596.ajax?fileType=csv&fileName=IWM_holdings&dataType=fund"
)


# -- downloading ------------------------------------------------------------------------------


def fetch_iwm_holdings(
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


def get_iwm_holdings(
    settings: Settings,
    *,
    store: Store | None = None,
    session=None,
    url: str = IWM_HOLDINGS_URL,
    **fetch_options,
) -> Holdings:
    """Current members: download and store the holdings file, or fall back to the store.

    In live mode the file is downloaded and stored; if that fails, the latest stored file
    is returned with ``stale_reason`` set. In offline mode the latest stored file is used.

    Raises
    ------
    OfflineError
        Offline mode and no stored holdings.
    SourceError, MalformedDataError
        The download failed and the store keeps no holdings to fall back on.
    """
    store = store or Store(settings.data_dir, lock_timeout=settings.lock_timeout)
    if settings.offline:
        stored = latest_holdings(store)
        if stored is None:
            raise OfflineError(
                f"no {FUND} holdings file in the data store {store.root}, "
                "and offline mode fetches nothing"
            )
        return stored
    try:
        holdings = fetch_iwm_holdings(url, session=session, **fetch_options)
    except (SourceError, MalformedDataError) as exc:
        stored = latest_holdings(store)
        if stored is None:
            raise
        return replace(stored, stale_reason=f"the holdings download failed ({exc})")
    save_holdings(holdings, store)
    return holdings
