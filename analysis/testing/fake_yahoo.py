"""A ``curl_cffi`` session that answers yfinance's requests like Yahoo Finance, offline.

yfinance talks HTTP through ``curl_cffi``, which response-mocking libraries cannot
intercept, but it accepts ``session=``. :class:`FakeYahooSession` is a real
``curl_cffi.requests.Session`` whose ``request`` builds the response itself, so everything
above the transport (yfinance's cookie and crumb handling, its chart parsing, timezone
lookup and NaN cleanup) is the real code::

    frame = make_ohlcv("2025-01-02", 5)  # five NYSE sessions, 2 to 8 January 2025
    session = FakeYahooSession({"IWM": frame}, faults={"^FOO": "unknown"})
    results = fetch_yahoo(["IWM", "^FOO"], date(2025, 1, 3), end=date(2025, 1, 8), session=session)
    assert results["IWM"]["close"].tolist() == [100.5, 101.0, 101.5]
    assert session.chart_requests == [ChartRequest("IWM", date(2025, 1, 3), date(2025, 1, 8))]

What it answers
---------------
``/v8/finance/chart/<SYMBOL>``
    Yahoo's chart JSON for the rows of ``series[SYMBOL]`` inside the requested window:
    ``period1 <= timestamp < period2``, or everything for a ``range`` such as ``max``.
    yfinance first asks for ``range=1d`` (answered with the last row) only to learn the
    exchange's timezone; those probes are counted in ``tz_requests``, the price requests in
    ``chart_requests``. (yfinance sends even a full-history request as a window starting
    99 years back.)
``fc.yahoo.com``, ``guce.yahoo.com``, ``/v1/test/getcrumb``
    The cookie and crumb handshake: fc.yahoo.com answers 404 and sets the ``A3`` cookie
    (as the real one does), the consent page has no form, getcrumb returns :data:`CRUMB`.
Anything else (``quoteSummary``, ``v7/finance/quote``)
    A 404 in Yahoo's JSON error shape: yfinance falls back to these only when the chart
    probe failed, and nothing here depends on them succeeding.

Faults, per symbol (they apply to its chart requests)
-----------------------------------------------------
``"429"``, ``"500"``
    Answer with that HTTP status.
``"timeout"``
    Raise ``curl_cffi``'s ``Timeout``, as an unanswered request does.
``"malformed"``
    Answer 200 with a truncated JSON document.
``"empty"``
    Answer 200 with the symbol's metadata and no rows, as Yahoo does for a window
    without trading.
``"unknown"``
    Answer 404 with Yahoo's "No data found, symbol may be delisted" error.
``"nan_tail"``
    Append ``NAN_TAIL_ROWS`` rows on the following weekdays whose prices are null but whose
    volume is not, the kind of row yfinance's own cleanup keeps.
``"flaky:N"``
    Answer 429 to the first ``N`` chart requests for the symbol, then behave normally.

A symbol with neither a frame nor a fault is unknown. ``network_down=True`` makes every
request, cookie and crumb included, raise ``curl_cffi``'s ``ConnectionError``.

Rate-limit mode: Yahoo as users meet it
---------------------------------------
``rate_limit=RateLimit(per_minute=60)`` makes the fake behave like Yahoo under load: a token
bucket of ``per_minute`` requests a minute (holding at most ``burst``) serves every request,
cookie and crumb included; a request that finds it empty is throttled. Like the real one,
the 429 carries no ``Retry-After`` unless ``retry_after=True`` (then: the seconds until the
next token, or until the block ends). ``penalty_minutes=P`` adds the block Yahoo imposes on
a client that broke the limit: for ``P`` minutes after that, everything is throttled.
``per_hour`` and ``per_day`` are volume quotas ("about 950 tickers, then 429s"): at most that
many requests per clock hour or day (fixed windows of the simulated clock).

Windows of clock time, ``(start, end)`` in seconds of ``clock``, each a pair or a list of
pairs, play the incidents users report:

``blocks``
    Everything is throttled (blocks last hours to days, whatever our pace).
``unauthorized``
    Chart requests are answered ``401`` with Yahoo's "Invalid Crumb" error.
``not_found``
    Chart requests for symbols the fake has data for are answered 404 "symbol may be
    delisted", as during an incident.
``crumb_throttled``
    The crumb endpoint answers 200 with the body "Too Many Requests".

How a throttled request is answered is ``throttled_as``: ``"429"`` (the default), or, for
chart requests, ``"empty"`` (a 200 with the symbol's metadata and no rows) or
``"truncated"`` (a 200 missing the newest :data:`TRUNCATED_BARS` bars); the crumb request
is then answered 200 "Too Many Requests" and the cookie request as usual. Time is read
from ``clock`` (the process clock by default), and each request moves a simulated clock on
by ``latency`` seconds, so an hour of traffic runs in seconds. ``rate_limited`` counts the throttled
answers sent, whatever their form.

Why this module is long: it answers every request yfinance sends (cookie, crumb,
timezone probe, chart) in Yahoo's own formats, with each fault and the rate limit, so that
yfinance's real parsing runs in the tests; split up, one imitation of one service would be
spread over several files.
"""

from __future__ import annotations

import datetime
import functools
import http.cookiejar
import json
import math
import threading
import time
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

import exchange_calendars
import numpy as np
import pandas as pd
from curl_cffi import requests as curl_requests
from curl_cffi.requests.exceptions import ConnectionError as CurlConnectionError
from curl_cffi.requests.exceptions import Timeout as CurlTimeout
from pandas.errors import Pandas4Warning

from analysis.data.clock import Clock, default_clock
from analysis.data.store import OHLCV_COLUMNS

__all__ = [
    "FAULTS",
    "NAN_TAIL_ROWS",
    "ChartRequest",
    "FakeYahooSession",
    "RateLimit",
    "make_ohlcv",
]

FAULTS = ("429", "500", "timeout", "malformed", "empty", "unknown", "nan_tail", "flaky:N")
NAN_TAIL_ROWS = 2
THROTTLED_AS = ("429", "empty", "truncated")
# Bars a throttled "truncated" answer leaves out at its end (Yahoo dropping the newest weeks).
TRUNCATED_BARS = 3
CRUMB = "fake-crumb"
# Yahoo stamps a US daily bar with the session's opening time, not midnight; keeping that
# makes yfinance's timestamp-to-trading-date conversion do real work.
_BAR_TIME = datetime.time(9, 30)
_VALID_RANGES = ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"]
_NOT_FOUND = {
    "chart": {
        "result": None,
        "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
    }
}
_SERVER_ERROR = {
    "chart": {
        "result": None,
        "error": {"code": "Internal Server Error", "description": "Internal Server Error"},
    }
}
_UNAUTHORIZED = {
    "finance": {"result": None, "error": {"code": "Unauthorized", "description": "Invalid Crumb"}}
}
_OTHER_NOT_FOUND = {"finance": {"result": None, "error": {"code": "Not Found"}}}
_CONSENT_PAGE = "<html><head><title>Yahoo</title></head><body>consent</body></html>"


@dataclass(frozen=True)
class RateLimit:
    """Yahoo's limit as the fake plays it; see "Rate-limit mode" in the module docs.

    Attributes
    ----------
    per_minute : float
        Tokens added per minute; one request spends one.
    burst : int or None
        Most tokens the bucket holds (and holds at the start); default ``per_minute``.
    retry_after : bool
        Send a ``Retry-After`` header with each 429 (Yahoo does not: off by default).
    penalty_minutes : float
        How long everything is answered 429 once the limit was broken (0: no block).
    per_hour, per_day : int or None
        Requests allowed per clock hour and per clock day of the simulated clock.
    """

    per_minute: float
    burst: int | None = None
    retry_after: bool = False
    penalty_minutes: float = 0.0
    per_hour: int | None = None
    per_day: int | None = None


class _TokenBucket:
    """The fake's side of a rate limit: whether a request at ``now`` gets through."""

    def __init__(self, limit: RateLimit, now: float) -> None:
        self.limit = limit
        self.capacity = float(limit.burst if limit.burst is not None else limit.per_minute)
        self.tokens = self.capacity
        self.updated = now
        self.blocked_until = float("-inf")
        self.used: Counter[tuple[str, int]] = Counter()

    def admit(self, now: float) -> float | None:
        """``None`` if the request gets through; else the seconds until it would."""
        per_second = self.limit.per_minute / 60.0
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * per_second)
        self.updated = now
        if now < self.blocked_until:
            return self.blocked_until - now
        for name, quota, length in (
            ("hour", self.limit.per_hour, 3600.0),
            ("day", self.limit.per_day, 86_400.0),
        ):
            if quota is not None and self.used[name, int(now // length)] >= quota:
                return (int(now // length) + 1) * length - now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            self.used["hour", int(now // 3600)] += 1
            self.used["day", int(now // 86_400)] += 1
            return None
        if self.limit.penalty_minutes > 0:
            self.blocked_until = now + 60.0 * self.limit.penalty_minutes
            return self.blocked_until - now
        return (1.0 - self.tokens) / per_second


class ChartRequest(NamedTuple):
    """One price request: the symbol and the trading-date window it asked for.

    ``start`` and ``end`` are dates in the exchange's timezone (``end`` exclusive, as
    yfinance means it); both are ``None`` for a ``range=max`` request.
    """

    symbol: str
    start: datetime.date | None
    end: datetime.date | None


def make_ohlcv(
    start,
    periods: int,
    base: float = 100.0,
    drift: float = 0.5,
    calendar: str = "XNYS",
    adj_ratio: float = 0.98,
) -> pd.DataFrame:
    """Build a small deterministic OHLCV frame on real trading sessions.

    Row ``i`` (0-based) of the ``periods`` sessions of ``calendar`` from ``start`` on has
    ``close = base + drift * i``, ``open = close - 0.25``, ``high = close + 1``,
    ``low = close - 1``, ``adj_close = close * adj_ratio`` (a constant dividend adjustment,
    so adjusted and raw close always differ) and ``volume = 1_000_000 + 1_000 * i``. Values
    are easy to check by hand.

    Parameters
    ----------
    start : date-like
        First date; if it is not a session, the next session is used.
    periods : int
        Number of sessions (rows).
    base, drift : float
        Close on the first session, and its change per session.
    calendar : str
        ``exchange_calendars`` name, e.g. ``"XNYS"`` (NYSE).
    adj_ratio : float
        Adjusted close as a fraction of close.

    Returns
    -------
    pandas.DataFrame
        Columns ``open, high, low, close, adj_close, volume`` (float64), indexed by a
        tz-naive ``DatetimeIndex`` named ``date``.
    """
    first = pd.Timestamp(start).normalize()
    # exchange_calendars covers about 20 years back by default; start before the data.
    cal = _calendar(calendar, min(first.year, 2000) - 1)
    sessions = cal.sessions_window(cal.date_to_session(first, direction="next"), periods)
    step = np.arange(periods, dtype="float64")
    close = base + drift * step
    frame = pd.DataFrame(
        {
            "open": close - 0.25,
            "high": close + 1.0,
            "low": close - 1.0,
            "close": close,
            "adj_close": close * adj_ratio,
            "volume": 1_000_000.0 + 1_000.0 * step,
        },
        index=pd.DatetimeIndex(sessions, name="date").as_unit("us"),
    )
    return frame[list(OHLCV_COLUMNS)]


@functools.cache
def _calendar(name: str, start_year: int) -> exchange_calendars.ExchangeCalendar:
    with warnings.catch_warnings():
        # exchange_calendars trips pandas 3 deprecation notices while building; not ours.
        warnings.simplefilter("ignore", Pandas4Warning)
        return exchange_calendars.get_calendar(name, start=f"{start_year}-01-01")


class FakeYahooSession(curl_requests.Session):
    """A ``curl_cffi`` session serving canned Yahoo Finance answers; see the module docs.

    Parameters
    ----------
    series : mapping of str to DataFrame
        Per symbol, rows with columns ``open, high, low, close, adj_close, volume``. A
        tz-naive index holds trading dates in ``exchange_tz``; a tz-aware index gives bar
        times, and its timezone becomes the symbol's exchange timezone.
    faults : mapping of str to str, optional
        Per symbol, one of :data:`FAULTS` (``"flaky:3"`` for ``flaky:N``).
    network_down : bool
        Make every request fail as if the machine were offline.
    exchange_tz : str
        Timezone of tz-naive frames (default: New York, like ``^RUT``, ``IWM``, ``CL=F``).
    rate_limit : RateLimit, optional
        Answer like a rate-limited Yahoo (see the module docs).
    clock : Clock, optional
        Time for the rate limit and the latency; the process clock by default.
    latency : float
        Seconds each request takes, added to a simulated clock.
    blocks, unauthorized, not_found, crumb_throttled : (start, end) or list of them
        Windows of ``clock`` time with an incident (see the module docs).
    throttled_as : str
        How a throttled chart request is answered: one of :data:`THROTTLED_AS`.

    Attributes
    ----------
    chart_requests : list of ChartRequest
        Every price request, in arrival order.
    tz_requests : list of str
        Symbols of yfinance's ``range=1d`` timezone probes.
    requests_made : list of str
        Every URL requested, cookie and crumb requests included.
    request_times : list of float
        The ``clock`` time each of them arrived at.
    rate_limited : int
        Requests answered 429 by the rate limit (not by a ``"429"`` fault).
    """

    def __init__(
        self,
        series: Mapping[str, pd.DataFrame],
        faults: Mapping[str, str] | None = None,
        *,
        network_down: bool = False,
        exchange_tz: str = "America/New_York",
        rate_limit: RateLimit | None = None,
        clock: Clock | None = None,
        latency: float = 0.0,
        blocks=(),
        unauthorized=(),
        not_found=(),
        crumb_throttled=(),
        throttled_as: str = "429",
    ) -> None:
        super().__init__()
        if throttled_as not in THROTTLED_AS:
            raise ValueError(f"throttled_as must be one of {', '.join(THROTTLED_AS)}")
        self.clock = clock or default_clock()
        self.latency = latency
        self.blocks = _windows(blocks)
        self.unauthorized = _windows(unauthorized)
        self.not_found = _windows(not_found)
        self.crumb_throttled = _windows(crumb_throttled)
        self.throttled_as = throttled_as
        self._bucket = _TokenBucket(rate_limit, self.clock.now()) if rate_limit else None
        self.rate_limited = 0
        self.series = {symbol.upper(): frame for symbol, frame in series.items()}
        self.faults = {symbol.upper(): fault for symbol, fault in (faults or {}).items()}
        for fault in self.faults.values():
            _check_fault(fault)
        self.network_down = network_down
        self.exchange_tz = exchange_tz
        self.chart_requests: list[ChartRequest] = []
        self.tz_requests: list[str] = []
        self.requests_made: list[str] = []
        self.request_times: list[float] = []
        self._chart_hits: Counter[str] = Counter()
        # yfinance downloads a batch on several threads that share this session.
        self._lock = threading.Lock()

    def chart_hits(self, symbol: str) -> int:
        """How many chart requests (price requests and timezone probes) named ``symbol``."""
        with self._lock:
            return self._chart_hits[symbol.upper()]

    def request(self, method, url, params=None, **kwargs):
        """Answer one request from the canned data instead of the network."""
        with self._lock:
            self.requests_made.append(url)
            if self.latency and hasattr(self.clock, "advance"):
                self.clock.advance(self.latency)
            now = self.clock.now()
            self.request_times.append(now)
            wait = self._bucket.admit(now) if self._bucket else None
            block = _inside(self.blocks, now)
            if block is not None:
                wait = block - now
            if wait is not None:
                self.rate_limited += 1
        parts = urlsplit(url)
        is_chart = "/v8/finance/chart/" in parts.path
        is_crumb = parts.path.endswith("/v1/test/getcrumb")
        if wait is not None and self.throttled_as != "429" and not is_chart:
            # Throttling in disguise: the crumb says so in a 200, the cookie comes as usual.
            if is_crumb:
                return _response(url, 200, "Too Many Requests", "text/plain")
            with self._lock:
                self.rate_limited -= 1
            wait = None
        if wait is not None and (not is_chart or self.throttled_as == "429"):
            headers = {}
            if self._bucket is not None and self._bucket.limit.retry_after:
                headers["Retry-After"] = str(max(1, math.ceil(wait)))
            return _response(url, 429, "Too Many Requests", "text/plain", headers)
        if self.network_down:
            raise CurlConnectionError(
                f"Failed to perform, curl: (7) Failed to connect to {urlsplit(url).hostname} "
                "port 443: Could not connect to server",
                7,
            )
        query = dict(parse_qsl(parts.query))
        query.update({k: v for k, v in (params or {}).items() if v is not None})
        host, path = parts.hostname or "", parts.path
        if is_chart:
            symbol = unquote(path.rsplit("/", 1)[-1]).upper()
            if _inside(self.unauthorized, now) is not None:
                return _response(url, 401, json.dumps(_UNAUTHORIZED), "application/json")
            if _inside(self.not_found, now) is not None and symbol in self.series:
                return _response(url, 404, json.dumps(_NOT_FOUND), "application/json")
            return self._chart(url, symbol, query, throttled=wait is not None)
        if is_crumb:
            if _inside(self.crumb_throttled, now) is not None:
                return _response(url, 200, "Too Many Requests", "text/plain")
            return _response(url, 200, CRUMB, "text/plain")
        if host == "fc.yahoo.com":
            self._set_yahoo_cookie()
            return _response(url, 404, _CONSENT_PAGE, "text/html")
        if host.endswith("consent.yahoo.com") or host == "guce.yahoo.com":
            return _response(url, 200, _CONSENT_PAGE, "text/html")
        return _response(url, 404, json.dumps(_OTHER_NOT_FOUND), "application/json")

    def _set_yahoo_cookie(self) -> None:
        """Hand out the ``A3`` cookie, as fc.yahoo.com does, so yfinance can cache it."""
        expires = int(time.time()) + 365 * 86_400
        cookie = http.cookiejar.Cookie(
            version=0,
            name="A3",
            value="fake-cookie",
            port=None,
            port_specified=False,
            domain=".yahoo.com",
            domain_specified=True,
            domain_initial_dot=True,
            path="/",
            path_specified=True,
            secure=True,
            expires=expires,
            discard=False,
            comment=None,
            comment_url=None,
            rest={},
        )
        self.cookies.jar.set_cookie(cookie)

    def _chart(self, url: str, symbol: str, query: dict, *, throttled: bool = False):
        probe = query.get("range") == "1d"
        window = None if "range" in query else (int(query["period1"]), int(query["period2"]))
        with self._lock:
            self._chart_hits[symbol] += 1
            hits = self._chart_hits[symbol]
            if probe:
                self.tz_requests.append(symbol)
            else:
                self.chart_requests.append(self._describe(symbol, window))
        fault = self.faults.get(symbol, "")
        if fault.startswith("flaky:"):
            fault = "429" if hits <= int(fault.split(":", 1)[1]) else ""
        if fault == "429":
            return _response(url, 429, "Too Many Requests", "text/plain")
        if fault == "500":
            return _response(url, 500, json.dumps(_SERVER_ERROR), "application/json")
        if fault == "timeout":
            raise CurlTimeout(
                "Failed to perform, curl: (28) Operation timed out after 10000 milliseconds", 28
            )
        if fault == "malformed":
            return _response(url, 200, '{"chart": {"result": [{"meta": {"curr', "application/json")
        if fault == "unknown" or symbol not in self.series:
            return _response(url, 404, json.dumps(_NOT_FOUND), "application/json")
        bars = self._bars(symbol)
        if throttled and self.throttled_as == "truncated":
            bars = bars.iloc[:-TRUNCATED_BARS]
        if fault == "nan_tail":
            bars = _with_nan_tail(bars)
        if fault == "empty" or (throttled and self.throttled_as == "empty"):
            bars = bars.iloc[:0]
        elif probe:
            bars = bars.iloc[-1:]
        elif window is not None:
            seconds = bars.index.as_unit("s").asi8
            bars = bars[(seconds >= window[0]) & (seconds < window[1])]
        return _response(url, 200, json.dumps(self._chart_json(symbol, bars)), "application/json")

    def _bars(self, symbol: str) -> pd.DataFrame:
        """The symbol's rows indexed by tz-aware bar time."""
        frame = self.series[symbol]
        index = pd.DatetimeIndex(frame.index)
        if index.tz is None:
            index = (index.normalize() + _time_offset()).tz_localize(self.exchange_tz)
        return frame.set_axis(index, axis=0).sort_index()

    def _describe(self, symbol: str, window: tuple[int, int] | None) -> ChartRequest:
        if window is None:
            return ChartRequest(symbol, None, None)
        tz = self._tz(symbol)
        start, end = (pd.Timestamp(s, unit="s", tz="UTC").tz_convert(tz).date() for s in window)
        return ChartRequest(symbol, start, end)

    def _tz(self, symbol: str) -> str:
        frame = self.series.get(symbol)
        tz = getattr(getattr(frame, "index", None), "tz", None)
        return str(tz) if tz is not None else self.exchange_tz

    def _chart_json(self, symbol: str, bars: pd.DataFrame) -> dict:
        tz = self._tz(symbol)
        now = pd.Timestamp.now(tz="UTC")
        last_time = int(bars.index[-1].timestamp()) if len(bars) else int(now.timestamp())
        gmtoffset = int(now.tz_convert(tz).utcoffset().total_seconds())
        day = now.tz_convert(tz).normalize()
        period = {
            "timezone": "EST",
            "gmtoffset": gmtoffset,
            "start": int((day + pd.Timedelta(hours=9, minutes=30)).timestamp()),
            "end": int((day + pd.Timedelta(hours=16)).timestamp()),
        }
        meta = {
            "currency": "USD",
            "symbol": symbol,
            "exchangeName": "NYQ",
            "fullExchangeName": "NYSE",
            "instrumentType": _instrument_type(symbol),
            "firstTradeDate": last_time - 86_400 * 365 * 30,
            "regularMarketTime": last_time,
            "hasPrePostMarketData": False,
            "gmtoffset": gmtoffset,
            "timezone": "EST",
            "exchangeTimezoneName": tz,
            "regularMarketPrice": _json_number(bars["close"].iloc[-1]) if len(bars) else None,
            "priceHint": 2,
            "currentTradingPeriod": {"pre": period, "regular": period, "post": period},
            "dataGranularity": "1d",
            "range": "",
            "validRanges": _VALID_RANGES,
        }
        result: dict = {"meta": meta}
        if len(bars):
            result["timestamp"] = [int(t.timestamp()) for t in bars.index]
            result["indicators"] = {
                "quote": [
                    {
                        "open": _json_column(bars["open"]),
                        "high": _json_column(bars["high"]),
                        "low": _json_column(bars["low"]),
                        "close": _json_column(bars["close"]),
                        "volume": _json_column(bars["volume"], integer=True),
                    }
                ],
                "adjclose": [{"adjclose": _json_column(bars["adj_close"])}],
            }
        else:
            # Yahoo's answer for a window without trading: metadata, no rows.
            result["indicators"] = {"quote": [{}], "adjclose": [{}]}
        return {"chart": {"result": [result], "error": None}}


def _windows(value) -> list[tuple[float, float]]:
    """``(start, end)`` or a list of them, as a list."""
    if not value:
        return []
    if len(value) == 2 and all(isinstance(v, int | float) for v in value):
        return [(float(value[0]), float(value[1]))]
    return [(float(a), float(b)) for a, b in value]


def _inside(windows: list[tuple[float, float]], now: float) -> float | None:
    """The end of the window ``now`` falls in, or ``None``."""
    for start, end in windows:
        if start <= now < end:
            return end
    return None


def _check_fault(fault: str) -> None:
    if fault.startswith("flaky:") and fault.split(":", 1)[1].isdigit():
        return
    if fault not in FAULTS or fault == "flaky:N":
        raise ValueError(f"unknown fault {fault!r}; expected one of {', '.join(FAULTS)}")


def _time_offset() -> pd.Timedelta:
    return pd.Timedelta(hours=_BAR_TIME.hour, minutes=_BAR_TIME.minute)


def _with_nan_tail(bars: pd.DataFrame) -> pd.DataFrame:
    last = bars.index[-1] if len(bars) else pd.Timestamp("2025-01-02 09:30", tz="America/New_York")
    extra = pd.bdate_range(last + pd.Timedelta(days=1), periods=NAN_TAIL_ROWS)
    extra = extra.normalize() + (last - last.normalize())
    tail = pd.DataFrame(np.nan, index=extra, columns=bars.columns)
    tail["volume"] = 1_234.0
    return pd.concat([bars, tail])


def _instrument_type(symbol: str) -> str:
    if symbol.startswith("^"):
        return "INDEX"
    if symbol.endswith("=F"):
        return "FUTURE"
    return "EQUITY"


def _json_number(value) -> float | None:
    return None if pd.isna(value) else float(value)


def _json_column(column: pd.Series, *, integer: bool = False) -> list:
    if integer:
        return [None if pd.isna(v) else int(v) for v in column]
    return [_json_number(v) for v in column]


def _response(
    url: str, status: int, body: str, content_type: str, headers: Mapping[str, str] | None = None
) -> curl_requests.Response:
    response = curl_requests.Response()
    response.url = url
    response.status_code = status
    response.ok = 200 <= status < 400
    response.reason = {
        200: "OK",
        401: "Unauthorized",
        404: "Not Found",
        429: "Too Many Requests",
    }.get(status, "Internal Server Error" if status >= 500 else "")
    response.headers["Content-Type"] = content_type
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.content = body.encode()
    return response
