"""Daily OHLCV bars from Yahoo Finance through ``yfinance``, one batch per call.

``yf.download`` does not raise when Yahoo rate-limits it, does not know a symbol, or the
network is down: it logs, and hands back empty or all-NaN columns. This module turns that
into one result per symbol, either a clean frame or an error saying what went wrong:

- A symbol has data only if some row has a close; rows without a close (padding from other
  symbols' dates, trailing placeholder rows) are dropped, never returned.
- When a symbol has no rows, the reason is read from the HTTP exchange itself: the session
  is observed during the download, and the last chart request for the symbol is classified
  (HTTP 429, 5xx and timeouts are transient; a refused connection is the network being
  down; 404 "Not Found" is an unknown symbol; a body that is not chart JSON is malformed;
  a valid answer without rows is empty). yfinance's own record cannot tell these apart:
  1.7 keeps it in a private per-call context (``yfinance.shared._ERRORS`` is no longer
  filled), and words a server error and an unknown symbol alike ("possibly delisted").
- Every request (cookie, crumb, timezone, chart) waits its turn with the process's Yahoo
  pacer (:mod:`analysis.fetch.sources.pacing`), which also retries a 429 in place after its
  pause. Failures that remain transient are retried with backoff
  (:mod:`analysis.fetch.sources.retry`), each retry one ``yf.download`` for just the symbols
  that failed that way. HTTP statuses and transport errors mean what
  :mod:`analysis.fetch.sources.transport` says.
- A symbol whose exchange timezone is known (``timezones``, from the holdings file) is
  written into yfinance's timezone cache first, so yfinance skips its one-bar timezone probe:
  one request per symbol instead of two.

yfinance keeps process-wide state: one session (``YfData`` is a singleton), a cookie and
crumb, a timezone/cookie cache on disk and an in-memory response cache. Calls here are
serialised and reset that state where it would leak from one call into the next.

Why this module is long: ``yf.download`` logs its failures instead of raising them, so
watching the session's answers, classifying each symbol's outcome and resetting yfinance's
process-wide state are one job, kept beside the one call they watch.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd

from analysis.data.errors import (
    BudgetExhaustedError,
    DataError,
    EmptyResponseError,
    MalformedDataError,
    RateLimitedError,
    SourceError,
    SymbolNotFoundError,
    TransientSourceError,
)
from analysis.data.settings import load_settings
from analysis.data.store import OHLCV_COLUMNS
from analysis.fetch.sources import pacing, transport
from analysis.fetch.sources.retry import RetryPolicy, call_with_retries

__all__ = ["YAHOO_SOURCE", "fetch_yahoo"]

YAHOO_SOURCE = "Yahoo Finance via yfinance"
NAME = "Yahoo Finance"
DEFAULT_RETRY = RetryPolicy()
# Where, under the data directory, yfinance keeps its timezone and cookie cache. Kept with
# the store (which is never committed) so later runs skip a timezone probe per symbol.
CACHE_SUBDIR = Path(".cache") / "yfinance"

_YF_COLUMNS = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Adj Close": "adj_close",
    "Volume": "volume",
}

log = logging.getLogger(__name__)
# yfinance's session, caches and config are process-wide: one download at a time.
_LOCK = threading.Lock()


class _State:
    """What this process has configured yfinance with, to notice when a call changes it."""

    cache_dir: Path | None = None
    crumb_rejected = False
    default_session = None
    temp_dir: Path | None = None


def fetch_yahoo(
    symbols: Sequence[str],
    start: datetime.date | None,
    *,
    end: datetime.date | None = None,
    session=None,
    progress: bool | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] | None = None,
    cache_dir: Path | str | None = None,
    timeout: float = 10.0,
    timezones: Mapping[str, str] | None = None,
    known: Mapping[str, datetime.date | None] | None = None,
) -> dict[str, pd.DataFrame | DataError]:
    """Download daily bars for ``symbols`` in one batch, with a result per symbol.

    Parameters
    ----------
    symbols : sequence of str
        Yahoo symbols: indices (``^RUT``), ETFs and stocks (``IWM``), futures (``CL=F``).
    start : date or None
        First trading date wanted (inclusive); ``None`` asks for the full history.
    end : date or None
        First trading date not wanted (exclusive); ``None`` means up to the latest bar.
    session : curl_cffi.requests.Session, optional
        Session for yfinance to use (tests pass a fake one); a shared default otherwise.
    progress : bool, optional
        Show yfinance's progress bar; by default only when stderr is a terminal.
    retry : RetryPolicy
        How many download attempts, and how much waiting, transient failures may cost.
    sleep : callable, optional
        Waits between attempts; by default the process clock's (:mod:`analysis.data.clock`).
    cache_dir : path, optional
        Folder for yfinance's timezone and cookie cache. Default: ``.cache/yfinance`` under
        the data directory, or a temporary folder if that is not writable.
    timeout : float
        Seconds yfinance waits for each HTTP answer.
    timezones : mapping of str to str, optional
        Exchange timezone (IANA name) of symbols whose exchange is known; yfinance then
        does not ask Yahoo for it.
    known : mapping of str to date or None, optional
        Symbols known to exist (stored history, or listed by another source), with the
        stored last bar where there is one. Yahoo under load lies about them, and these
        lies are read as throttling (transient, and the pacer slows down): a 404, a 200
        without rows or with a body that is not chart data when rows are stored in the
        window, or an answer that stops before the stored last bar. A 401 or 403 (the
        cookie or crumb refused) is transient for every symbol; the crumb is fetched
        anew before the next attempt.

    Returns
    -------
    dict of str to DataFrame or DataError
        Keyed by the symbols as given. A frame has columns ``open, high, low, close,
        adj_close, volume`` (float64; ``close`` is the raw close, ``adj_close`` the
        dividend- and split-adjusted one) and a tz-naive, sorted, unique ``DatetimeIndex``
        named ``date`` holding the exchange's trading dates; every row has a close. An
        error is a :class:`~analysis.data.errors.SymbolNotFoundError`,
        :class:`~analysis.data.errors.EmptyResponseError`,
        :class:`~analysis.data.errors.MalformedDataError`,
        :class:`~analysis.data.errors.TransientSourceError` (rate limit, server error, timeout;
        still failing after the retries) or :class:`~analysis.data.errors.NetworkDownError`,
        whose message is one line starting with the symbol.
    """
    wanted = list(dict.fromkeys(symbols))
    for symbol in wanted:
        if not isinstance(symbol, str) or not symbol.strip():
            raise ValueError(f"not a Yahoo symbol: {symbol!r}")
    if start is not None and end is not None and _as_date(start) >= _as_date(end):
        raise ValueError(f"start {start} must be before end {end} (end is exclusive)")
    if not wanted:
        return {}
    show_progress = sys.stderr.isatty() if progress is None else progress
    window = _Window(_as_date(start) if start else None, _as_date(end) if end else None)

    results: dict[str, pd.DataFrame | DataError] = {}
    pending = wanted
    attempts = 0
    known = dict(known or {})
    pacer = pacing.pacer_for(pacing.YAHOO)

    def attempt() -> None:
        nonlocal pending, attempts
        attempts += 1
        fresh_crumb = attempts > 1 and any(
            isinstance(results[s], CrumbRejectedError) for s in pending
        )
        answers = _download(
            pending, window, session, show_progress, cache_dir, timeout, timezones, fresh_crumb
        )
        signs = [_throttle_sign(s, answers[s], known, window) for s in pending]
        if any(signs):
            # Once per download: one throttled batch is one episode, not 25.
            pacer.rate_limited(sign=next(sign for sign in signs if sign))
        for symbol, sign in zip(pending, signs, strict=True):
            answer = answers[symbol]
            if sign:
                answer = RateLimitedError(f"{symbol}: {NAME} {sign}; asked again later")
            elif isinstance(answer, SymbolNotFoundError) and symbol in known:
                answer = UnconfirmedNotFoundError(
                    f"{answer}, though the symbol is known (stored history or another "
                    "source); transient until it repeats on another day"
                )
            results[symbol] = answer
        pending = [s for s in pending if _retryable(results[s])]
        if pending:
            raise TransientSourceError(f"{len(pending)} symbol(s) failed transiently")

    try:
        call_with_retries(attempt, retry, sleep=sleep, deadline=pacer.deadline)
    except TransientSourceError:
        for symbol in pending:
            results[symbol] = _gave_up(results[symbol], attempts)
    return {symbol: results[symbol] for symbol in wanted}


class CrumbRejectedError(TransientSourceError):
    """Yahoo refused the cookie or crumb (HTTP 401 or 403): a new crumb, and ask again."""


class UnconfirmedNotFoundError(TransientSourceError):
    """Yahoo said 404 for a symbol known to exist: an incident until it repeats another day."""


def _retryable(result) -> bool:
    """Worth another download in this call.

    Not the deadline, and not an incident (a 401, an unconfirmed 404) that a few seconds
    will not end: those wait for the build's last pass.
    """
    return isinstance(result, TransientSourceError) and not isinstance(
        result, BudgetExhaustedError | UnconfirmedNotFoundError | CrumbRejectedError
    )


def _throttle_sign(symbol, answer, known, window) -> str | None:
    """What in an answer for a symbol with stored rows says Yahoo is throttling, if anything.

    Requests start a week before the stored last bar, so a real answer has rows and reaches
    that bar; a 200 without rows, with a body that is not chart data, or that stops short
    of the stored last bar is Yahoo under load ("possibly delisted" for AAPL).
    """
    last = known.get(symbol)
    if last is None or (window.start is not None and window.start > last):
        return None
    if isinstance(answer, EmptyResponseError | MalformedDataError):
        return "answered 200 without price rows for a symbol that has data"
    if isinstance(answer, pd.DataFrame) and answer.index[-1].date() < last:
        return (
            f"answered 200 with rows only up to {answer.index[-1].date()}, before the "
            f"stored last bar {last}"
        )
    return None


class _Lies:
    """Tells, as each chart answer arrives, whether it is throttling in disguise.

    For a symbol with stored rows (``known`` gives its last stored bar) the request starts
    before that bar, so a 200 without rows, with a body that is not chart JSON, or whose
    last row is before that bar is Yahoo under load: the pacer then slows down and asks
    again, as for a 429.
    """

    def __init__(self, known: Mapping[str, datetime.date | None], window) -> None:
        self.known = {s.upper(): d for s, d in known.items() if d is not None}
        self.window = window

    def __call__(self, url: str, response) -> str | None:
        path = urlsplit(url).path
        if "/v8/finance/chart/" not in path or int(response.status_code) != 200:
            return None
        last = self.known.get(unquote(path.rsplit("/", 1)[-1]).upper())
        if last is None or "range=1d" in url:
            return None
        if self.window.start is not None and self.window.start > last:
            return None
        try:
            result = json.loads(bytes(response.content or b""))["chart"]["result"][0]
        except (ValueError, KeyError, IndexError, TypeError):
            return "answered 200 with a body that is not chart data"
        stamps = result.get("timestamp") or []
        if not stamps:
            return "answered 200 without price rows for a symbol that has data"
        offset = (result.get("meta") or {}).get("gmtoffset") or 0
        ends = datetime.datetime.fromtimestamp(stamps[-1] + offset, datetime.UTC).date()
        if ends < last:
            return f"answered 200 with rows only up to {ends}, before the stored last bar {last}"
        return None


class _Window:
    """The requested date range, and how to say it in a message."""

    def __init__(self, start: datetime.date | None, end: datetime.date | None) -> None:
        self.start, self.end = start, end

    def describe(self) -> str:
        if self.start is None and self.end is None:
            return "over its full history"
        if self.end is None:
            return f"from {self.start}"
        if self.start is None:
            return f"before {self.end}"
        return f"from {self.start} to before {self.end}"


def _download(
    symbols,
    window,
    session,
    progress,
    cache_dir,
    timeout,
    timezones=None,
    fresh_crumb=False,
    known=None,
) -> dict:
    """One ``yf.download`` for ``symbols``; a frame or an error for each."""
    import yfinance as yf  # imported here: importing the package must stay cheap
    from yfinance.config import YfConfig

    tickers = list(dict.fromkeys(s.upper() for s in symbols))  # yfinance upper-cases them
    if session is None:
        session = _default_session()
    dates = {"start": window.start.isoformat()} if window.start else {"period": "max"}
    if window.end:
        dates["end"] = window.end.isoformat()
    pacer = pacing.pacer_for(pacing.YAHOO)
    # The pacer sees every request and retries 429s; the observer sees what came of them.
    lies = _Lies(known or {}, window)
    paced = pacing.paced(session, pacer, lies=lies)
    with _LOCK, _quiet_yfinance(), paced, _observe(session) as seen:
        _use_cache_dir(cache_dir)
        _seed_timezones(tickers, timezones)
        _bind_session(session, fresh_crumb=fresh_crumb)
        # yfinance's own retry sleeps on the wall clock, outside the deadline: ours only.
        YfConfig.network.retries = 0
        raw = yf.download(
            tickers,
            **dates,
            interval="1d",
            auto_adjust=False,
            actions=False,
            repair=False,
            keepna=False,
            group_by="ticker",
            multi_level_index=True,
            threads=pacer.policy.max_concurrency if pacer.policy.max_concurrency > 1 else False,
            progress=progress,
            timeout=timeout,
            session=session,
        )
    out = {}
    for symbol in symbols:
        frame, nan_only = _frame_for(raw, symbol.upper())
        if frame is not None:
            out[symbol] = frame
        else:
            out[symbol] = _classify(symbol, seen, window, nan_only)
    return out


def _frame_for(raw: pd.DataFrame, ticker: str) -> tuple[pd.DataFrame | None, bool]:
    """The ticker's rows that have a close, in our shape; also whether rows came without one."""
    if not isinstance(raw.columns, pd.MultiIndex) or ticker not in raw.columns.get_level_values(0):
        return None, False
    part = raw[ticker]
    if not {"Close", "Adj Close"} <= set(part.columns):
        return None, False
    frame = part.rename(columns=_YF_COLUMNS).reindex(columns=list(OHLCV_COLUMNS))
    frame = frame.astype("float64")
    closeless_rows = bool(frame.notna().any(axis=1).any())
    # A row without a close is not a bar: yf.download pads every symbol to the union of the
    # batch's dates, and Yahoo sometimes sends placeholder rows with null prices.
    frame = frame[frame["close"].notna()]
    if frame.empty:
        return None, closeless_rows
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    # Microseconds: pandas' own default resolution, so frames compare equal to stored ones.
    frame.index = index.normalize().as_unit("us").rename("date")
    frame = frame.sort_index()
    frame = frame[~frame.index.duplicated(keep="last")]
    frame.columns.name = None
    return frame, False


class _Seen:
    """What the session saw during one download: the last chart outcome per symbol."""

    def __init__(self) -> None:
        self.chart: dict[str, object] = {}
        self.other_error: BaseException | None = None
        self._lock = threading.Lock()

    def record(self, url: str, outcome: object) -> None:
        path = urlsplit(url).path
        with self._lock:
            if "/v8/finance/chart/" in path:
                self.chart[unquote(path.rsplit("/", 1)[-1]).upper()] = outcome
            elif isinstance(outcome, BaseException):
                self.other_error = outcome


@contextlib.contextmanager
def _observe(session) -> Iterator[_Seen]:
    """Record every response or exception the session produces while yfinance uses it.

    yfinance keeps the HTTP status to itself (a 500 and an unknown symbol both end as
    "possibly delisted"), so the outcome is taken where it happens: the session's
    ``request``, shadowed on this instance for the duration of the call.
    """
    seen = _Seen()
    own = "request" in vars(session)
    original = session.request

    def request(method, url, *args, **kwargs):
        try:
            response = original(method, url, *args, **kwargs)
        except Exception as exc:
            seen.record(url, exc)
            raise
        outcome = (response.status_code, bytes(response.content or b""), response.headers)
        seen.record(url, outcome)
        return response

    session.request = request
    try:
        yield seen
    finally:
        if own:
            session.request = original
        else:
            del session.request


def _classify(symbol: str, seen: _Seen, window: _Window, nan_only: bool) -> DataError:
    """Name the failure of a symbol that came back without a single usable row."""
    outcome = seen.chart.get(symbol.upper())
    if outcome is None:
        outcome = seen.other_error
    if outcome is None:
        # yfinance's threaded download occasionally drops a symbol without asking Yahoo
        # for it (its threads share mutable config); asking again is the remedy.
        return TransientSourceError(
            f"{symbol}: yfinance returned no data without requesting it from {NAME}"
        )
    if isinstance(outcome, BudgetExhaustedError):  # the deadline, or a source given up on
        return type(outcome)(f"{symbol}: {outcome}")
    if isinstance(outcome, BaseException):
        error = transport.error_for_exception(outcome, subject=symbol, source=NAME)
        error.__cause__ = outcome
        return error
    status, body, headers = outcome
    if status == 429 or status >= 500:
        return transport.error_for_status(status, subject=symbol, source=NAME, headers=headers)
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    chart = doc.get("chart") if isinstance(doc, dict) else None
    error = chart.get("error") if isinstance(chart, dict) else None
    if status == 404 or (isinstance(error, dict) and error.get("code") == "Not Found"):
        return SymbolNotFoundError(f"{symbol}: {NAME} does not know this symbol")
    if status in (401, 403):
        return CrumbRejectedError(
            f"{symbol}: {NAME} refused the cookie or crumb (HTTP {status}); asked again "
            "with a new one"
        )
    if status >= 400:
        return transport.error_for_status(status, subject=symbol, source=NAME, headers=headers)
    if error:
        reason = error.get("description") if isinstance(error, dict) else error
        return SourceError(f"{symbol}: {NAME} reported an error: {reason}")
    if not isinstance(chart, dict) or not isinstance(chart.get("result"), list):
        return MalformedDataError(f"{symbol}: {NAME} sent a response that is not chart data")
    if nan_only:
        return EmptyResponseError(
            f"{symbol}: {NAME} returned only rows without a close {window.describe()}"
        )
    return EmptyResponseError(f"{symbol}: {NAME} returned no price rows {window.describe()}")


def _gave_up(error: DataError, attempts: int) -> DataError:
    """The same error, saying how many attempts it survived."""
    if attempts < 2:
        return error
    final = type(error)(f"{error} (gave up after {attempts} attempts)")
    final.__cause__ = error.__cause__ or error
    return final


def _as_date(value) -> datetime.date:
    return pd.Timestamp(value).date()


def _default_session():
    """One browser-like session for the process, so cookies and connections are reused."""
    if _State.default_session is None:
        from curl_cffi import requests as curl_requests

        _State.default_session = curl_requests.Session(impersonate="chrome")
    return _State.default_session


def _bind_session(session, *, fresh_crumb: bool = False) -> None:
    """Make ``session`` yfinance's session, with a cookie and crumb of its own.

    ``YfData`` is a singleton: constructing it with a session swaps the session but keeps
    the cookie and crumb obtained through the previous one, which do not belong to the new
    session's cookie jar. Forget them, so the new session does its own handshake.
    """
    from yfinance.data import YfData

    data = YfData()
    if data._session is not session or fresh_crumb:
        with data._cookie_lock:
            data._cookie = None
            data._crumb = None
            data._cookie_strategy = "basic"
    YfData(session=session)
    # Answers to past date ranges are memoised per URL in the singleton; a retry must not
    # get the failed answer back, nor one session another session's answer.
    YfData.cache_get.cache_clear()


def _seed_timezones(tickers: list[str], timezones: Mapping[str, str] | None) -> None:
    """Write known exchange timezones into yfinance's timezone cache, where it has none.

    yfinance looks a ticker's timezone up in this cache (``yfinance.cache.get_tz_cache``,
    the cache ``set_tz_cache_location`` moves) before it spends a request on it; a value
    stored here is what its own probe would have stored.
    """
    if not timezones:
        return
    from yfinance import cache

    known = {symbol.upper(): tz for symbol, tz in timezones.items() if tz}
    tz_cache = cache.get_tz_cache()
    for ticker in tickers:
        if ticker in known and tz_cache.lookup(ticker) is None:
            tz_cache.store(ticker, known[ticker])


def _use_cache_dir(cache_dir) -> None:
    """Point yfinance's timezone and cookie cache at ``cache_dir`` (see :func:`fetch_yahoo`)."""
    import yfinance as yf
    from yfinance import cache

    path = Path(cache_dir) if cache_dir is not None else _default_cache_dir()
    path = path.expanduser().resolve()
    if path == _State.cache_dir:
        return
    path.mkdir(parents=True, exist_ok=True)
    yf.set_tz_cache_location(str(path))
    # set_tz_cache_location only takes effect before first use: the cache objects keep the
    # database they opened. Dropping them makes the next lookup open the new location.
    cache._TzCacheManager._tz_cache = None
    cache._CookieCacheManager._Cookie_cache = None
    cache._ISINCacheManager._isin_cache = None
    _State.cache_dir = path


def _default_cache_dir() -> Path:
    path = load_settings().data_dir / CACHE_SUBDIR
    with contextlib.suppress(OSError):
        path.mkdir(parents=True, exist_ok=True)
        if os.access(path, os.W_OK):
            return path
    if _State.temp_dir is None:
        _State.temp_dir = Path(tempfile.mkdtemp(prefix="analysis-yfinance-"))
        atexit.register(shutil.rmtree, _State.temp_dir, ignore_errors=True)
    return _State.temp_dir


class _QuietFilter(logging.Filter):
    """Keep yfinance's per-symbol error lines off the console: we report them ourselves."""

    def filter(self, record: logging.LogRecord) -> bool:
        log.debug("yfinance: %s", record.getMessage())
        return False


@contextlib.contextmanager
def _quiet_yfinance() -> Iterator[None]:
    yf_logger = logging.getLogger("yfinance")
    quiet = _QuietFilter()
    yf_logger.addFilter(quiet)
    try:
        with warnings.catch_warnings():
            # pandas deprecation notices raised inside yfinance are not the reader's concern.
            warnings.filterwarnings("ignore", module=r"yfinance(\.|$)")
            yield
    finally:
        yf_logger.removeFilter(quiet)
