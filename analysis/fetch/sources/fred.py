"""FRED series through the public ``fredgraph.csv`` endpoint (no API key).

A request is ``<base>?id=SERIES`` plus ``&cosd=YYYY-MM-DD`` when only rows from a start date
on are wanted (incremental fetches). The answer is a two-column CSV whose header is either
``DATE,SERIES`` (older) or ``observation_date,SERIES`` (current); FRED writes ``.`` (older)
or an empty cell (current) where it has no observation, and those rows are dropped: a missing
observation is not a value.

In the store a FRED series is the symbol ``fred:<ID>``, e.g. ``fred:DFEDTARU``.
"""

from __future__ import annotations

import csv
import datetime
import http.client
import io
import math
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.data.errors import (
    EmptyResponseError,
    MalformedDataError,
    SymbolNotFoundError,
    TransientSourceError,
)
from analysis.fetch.sources import pacing, transport
from analysis.fetch.sources.retry import RetryPolicy, call_with_retries

FRED_SOURCE = "FRED, Federal Reserve Bank of St. Louis"
FRED_URL_ENV = "ANALYSIS_FRED_URL"
DEFAULT_FRED_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv"
FRED_PREFIX = "fred:"

# FRED ids are letters, digits and underscores (DFEDTARU, BAMLH0A0HYM2, T10Y2Y).
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")
_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_HEADERS = {"date", "observation_date"}
_MISSING = {"", "."}
# FRED has answered unknown ids with 400 and with 404; both mean "no such series".
_NOT_FOUND_CODES = frozenset({400, 404, 410})
DEFAULT_RETRY = RetryPolicy()
_USER_AGENT = "analysis-research-site/0.1 (+fredgraph.csv reader)"


def is_fred_symbol(symbol: str) -> bool:
    """Whether a store symbol names a FRED series (``fred:<ID>``)."""
    return symbol.startswith(FRED_PREFIX) and bool(_ID_PATTERN.match(symbol[len(FRED_PREFIX) :]))


def fred_id(symbol: str) -> str:
    """Return the FRED series id inside a store symbol: ``fred:DFEDTARU`` -> ``DFEDTARU``.

    Raises
    ------
    ValueError
        ``symbol`` is not of the form ``fred:<ID>``.
    """
    if not is_fred_symbol(symbol):
        raise ValueError(f"{symbol!r} is not a FRED symbol (expected fred:<SERIES_ID>)")
    return symbol[len(FRED_PREFIX) :]


def fred_symbol(series_id: str) -> str:
    """Return the store symbol for a FRED series id: ``DFEDTARU`` -> ``fred:DFEDTARU``."""
    return FRED_PREFIX + series_id


def fred_url(
    series_id: str, start: datetime.date | None = None, base_url: str | None = None
) -> str:
    """Build the ``fredgraph.csv`` address for a series, from ``start`` on when given.

    The base is ``base_url``, else the ``ANALYSIS_FRED_URL`` environment variable, else
    FRED's public endpoint.
    """
    base = base_url or os.environ.get(FRED_URL_ENV) or DEFAULT_FRED_URL
    params = {"id": series_id}
    if start is not None:
        params["cosd"] = start.isoformat()
    return f"{base}?{urllib.parse.urlencode(params)}"


def fetch_fred(
    series_id: str,
    start: datetime.date | None = None,
    *,
    base_url: str | None = None,
    timeout: float = 20,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """Download one FRED series.

    Parameters
    ----------
    series_id : str
        FRED's id, e.g. ``DFEDTARU`` (not the ``fred:`` store symbol).
    start : datetime.date, optional
        First date wanted (sent as ``cosd``); the whole history when omitted.
    base_url : str, optional
        Endpoint override; defaults to ``$ANALYSIS_FRED_URL`` or FRED's public address.
    timeout : float
        Seconds to wait for the connection and for each read.
    retry : RetryPolicy
        Bound on attempts and waiting for rate limits, server errors and timeouts.
    sleep : callable, optional
        Used between retries; by default the process clock's (tests pass a recorder).
        Requests also wait their turn with the FRED pacer (:mod:`analysis.fetch.sources.pacing`).

    Returns
    -------
    pandas.DataFrame
        One float64 column ``value`` on a sorted, unique, tz-naive ``DatetimeIndex`` named
        ``date``; rows FRED marks missing are absent.

    Raises
    ------
    TransientSourceError
        HTTP 429, 5xx, a timeout or a dropped connection, still failing once the retry
        budget is spent.
    NetworkDownError
        FRED cannot be reached at all (DNS failure, connection refused); not retried, since
        waiting a few seconds does not bring a network back.
    SymbolNotFoundError
        FRED does not know the id (HTTP 404 or an HTML page instead of CSV).
    MalformedDataError
        The CSV does not have FRED's shape.
    EmptyResponseError
        The CSV has no observations.
    """
    if not _ID_PATTERN.match(series_id):
        raise SymbolNotFoundError(f"FRED {series_id!r}: not a valid series id")
    url = fred_url(series_id, start, base_url)
    attempts = 0

    def attempt() -> str:
        nonlocal attempts
        attempts += 1
        return _download(url, series_id, timeout)

    try:
        text = call_with_retries(attempt, retry, sleep=sleep)
    except TransientSourceError as exc:
        suffix = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
        raise type(exc)(f"{exc}{suffix}", retry_after=exc.retry_after) from None
    return parse_fred_csv(text, series_id)


def parse_fred_csv(text: str, series_id: str) -> pd.DataFrame:
    """Parse a ``fredgraph.csv`` answer.

    Parameters
    ----------
    text : str
        The CSV: header ``DATE,<ID>`` or ``observation_date,<ID>``, then ``YYYY-MM-DD,value``
        rows, where ``.`` or an empty cell means no observation.
    series_id : str
        The id the header must name (case-insensitive).

    Returns
    -------
    pandas.DataFrame
        Column ``value`` (float64) on a sorted, unique ``DatetimeIndex`` named ``date``;
        missing observations are dropped, not kept as NaN.

    Raises
    ------
    MalformedDataError
        Wrong header, a row without two fields, a bad date, a non-number or a repeated date.
    EmptyResponseError
        No header at all, or no row with a value.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise EmptyResponseError(f"FRED {series_id}: empty response")
    rows = csv.reader(io.StringIO(text))
    try:
        header = next(rows)
    except csv.Error as exc:
        raise MalformedDataError(f"FRED {series_id}: unreadable CSV ({exc})") from None
    names = [name.strip() for name in header]
    if (
        len(names) != 2
        or names[0].lower() not in _DATE_HEADERS
        or names[1].upper() != series_id.upper()
    ):
        shown = ",".join(names)[:80]
        raise MalformedDataError(
            f"FRED {series_id}: unexpected header {shown!r} "
            f"(expected 'observation_date,{series_id}' or 'DATE,{series_id}')"
        )
    dates: list[str] = []
    values: list[float] = []
    try:
        for fields in rows:
            if not fields or not "".join(fields).strip():
                continue
            line = rows.line_num
            if len(fields) != 2:
                raise MalformedDataError(
                    f"FRED {series_id}: line {line}: expected 2 fields, found {len(fields)}"
                )
            day, raw = fields[0].strip(), fields[1].strip()
            if not _is_iso_date(day):
                raise MalformedDataError(f"FRED {series_id}: line {line}: bad date {day[:40]!r}")
            if raw in _MISSING:
                continue
            try:
                number = float(raw)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise MalformedDataError(
                    f"FRED {series_id}: line {line}: not a number {raw[:40]!r}"
                )
            values.append(number)
            dates.append(day)
    except csv.Error as exc:
        raise MalformedDataError(f"FRED {series_id}: unreadable CSV ({exc})") from None
    if not dates:
        raise EmptyResponseError(f"FRED {series_id}: no observations in the response")
    index = pd.DatetimeIndex(np.array(dates, dtype="datetime64[D]").astype("datetime64[ns]"))
    frame = pd.DataFrame({"value": np.array(values, dtype="float64")}, index=index.rename("date"))
    frame = frame.sort_index()
    if not frame.index.is_unique:
        repeated = frame.index[frame.index.duplicated()][0].date().isoformat()
        raise MalformedDataError(f"FRED {series_id}: date {repeated} appears more than once")
    return frame


def _is_iso_date(text: str) -> bool:
    """Whether ``text`` is a real calendar date written ``YYYY-MM-DD``."""
    if not _DATE_PATTERN.match(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _download(url: str, series_id: str, timeout: float) -> str:
    """One paced GET of ``url``, with every failure mapped by :mod:`.transport`."""
    host = urllib.parse.urlsplit(url).netloc
    subject = f"FRED {series_id}"
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    pacer = pacing.pacer_for(pacing.FRED)
    try:
        with pacer.turn(), urllib.request.urlopen(request, timeout=timeout) as response:
            content_type = response.headers.get("Content-Type", "")
            body = response.read()
    except urllib.error.HTTPError as exc:
        headers = dict(exc.headers or {})
        exc.close()
        pacer.observe(exc.code, headers)
        error = transport.error_for_status(
            exc.code, subject=subject, source=host, headers=headers, not_found=_NOT_FOUND_CODES
        )
        raise error from None
    except (OSError, http.client.HTTPException) as exc:  # URLError is an OSError
        raise transport.error_for_exception(
            exc, subject=subject, source=host, timeout=timeout
        ) from None
    pacer.succeeded()
    text = body.decode("utf-8", errors="replace")
    if "html" in content_type.lower() or text.lstrip("\ufeff \t\r\n").startswith("<"):
        raise SymbolNotFoundError(
            f"FRED {series_id}: no such series (FRED answered with a web page, not CSV)"
        )
    return text
