"""One mapping from transport failures to the data layer's errors, as a table."""

import email.utils
import http.client
import socket
import urllib.error

import pytest
from curl_cffi.requests import exceptions as curl

from analysis.data.errors import (
    NetworkDownError,
    RateLimitedError,
    SourceError,
    SymbolNotFoundError,
    TransientSourceError,
)
from analysis.fetch.sources.transport import (
    error_for_exception,
    error_for_status,
    retry_after_seconds,
)

WHERE = {"subject": "IWM", "source": "Yahoo Finance"}

STATUS_CASES = [
    # status, headers, error type, message, retry_after
    (200, None, None, None, None),
    (304, None, None, None, None),
    (429, None, RateLimitedError, "IWM: Yahoo Finance is rate-limiting requests (HTTP 429)", None),
    (
        429,
        {"Retry-After": "120"},
        RateLimitedError,
        "IWM: Yahoo Finance is rate-limiting requests (HTTP 429; it asks to wait 120s)",
        120.0,
    ),
    (500, None, TransientSourceError, "IWM: Yahoo Finance had a server error (HTTP 500)", None),
    (503, None, TransientSourceError, "IWM: Yahoo Finance had a server error (HTTP 503)", None),
    (404, None, SymbolNotFoundError, "IWM: Yahoo Finance has no such series (HTTP 404)", None),
    (410, None, SymbolNotFoundError, "IWM: Yahoo Finance has no such series (HTTP 410)", None),
    (403, None, SourceError, "IWM: Yahoo Finance refused the request (HTTP 403)", None),
    (400, None, SourceError, "IWM: Yahoo Finance refused the request (HTTP 400)", None),
]


@pytest.mark.parametrize(("status", "headers", "kind", "message", "wait"), STATUS_CASES)
def test_statuses(status, headers, kind, message, wait):
    error = error_for_status(status, headers=headers, **WHERE)
    if kind is None:
        assert error is None
        return
    assert type(error) is kind
    assert str(error) == message
    assert error.retry_after == wait


def test_a_source_can_add_not_found_codes():
    error = error_for_status(400, not_found=frozenset({400, 404}), **WHERE)
    assert type(error) is SymbolNotFoundError


EXCEPTION_CASES = [
    # curl_cffi, as yfinance and the holdings download meet it
    (curl.Timeout("Operation timed out", 28), TransientSourceError, "did not answer in time"),
    (
        curl.ConnectionError("Recv failure: Connection reset by peer", 56),
        TransientSourceError,
        "reset",
    ),
    (curl.ConnectionError("Send failure: Broken pipe", 55), TransientSourceError, "broke while"),
    (
        curl.ConnectionError("Empty reply from server", 52),
        TransientSourceError,
        "without answering",
    ),
    (curl.ConnectionError("Failed to connect", 7), NetworkDownError, "connection refused"),
    (curl.DNSError("Could not resolve host", 6), NetworkDownError, "cannot resolve the host"),
    (curl.ProxyError("proxy", 5), NetworkDownError, "cannot resolve the proxy"),
    (curl.ConnectionError("no code"), NetworkDownError, "is the network down?"),
    # urllib and the socket layer, as FRED meets them
    (
        urllib.error.URLError(socket.gaierror(-2, "Name or service not known")),
        NetworkDownError,
        "cannot resolve",
    ),
    (urllib.error.URLError(ConnectionRefusedError(111, "refused")), NetworkDownError, "refused"),
    (urllib.error.URLError(TimeoutError("timed out")), TransientSourceError, "did not answer"),
    (TimeoutError("timed out"), TransientSourceError, "did not answer"),
    (TimeoutError("timed out"), TransientSourceError, "did not answer"),
    (ConnectionResetError(104, "reset"), TransientSourceError, "broke"),
    (BrokenPipeError(32, "pipe"), TransientSourceError, "broke"),
    (ConnectionAbortedError(103, "aborted"), TransientSourceError, "broke"),
    (urllib.error.URLError(ConnectionResetError(104, "reset")), TransientSourceError, "broke"),
    (http.client.RemoteDisconnected("closed"), TransientSourceError, "broke"),
    (http.client.IncompleteRead(b"x"), TransientSourceError, "broke"),
    (ConnectionRefusedError(111, "refused"), NetworkDownError, "refused"),
    (urllib.error.URLError("unknown url type: ftp"), NetworkDownError, "cannot reach"),
    (OSError(101, "Network is unreachable"), NetworkDownError, "is the network down?"),
]


@pytest.mark.parametrize(
    ("exc", "kind", "words"),
    EXCEPTION_CASES,
    ids=[f"{type(c[0]).__name__}-{i}" for i, c in enumerate(EXCEPTION_CASES)],
)
def test_exceptions(exc, kind, words):
    error = error_for_exception(exc, **WHERE)
    assert type(error) is kind
    assert str(error).startswith("IWM: ")
    assert words in str(error)
    assert "\n" not in str(error)


def test_a_timeout_names_the_wait_when_given():
    error = error_for_exception(TimeoutError(), subject="FRED X", source="h", timeout=0.2)
    assert str(error) == "FRED X: h did not answer within 0.2s"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("1.5", 1.5),
        ("99999", 3600.0),
        ("soon", None),
        ("", None),
    ],
)
def test_retry_after_in_seconds(value, seconds):
    assert retry_after_seconds({"Retry-After": value}) == seconds


def test_retry_after_as_a_date_and_any_spelling():
    now = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC
    date = email.utils.formatdate(now + 90, usegmt=True)
    assert retry_after_seconds({"retry-after": date}, now=now) == pytest.approx(90.0)
    assert retry_after_seconds({"Content-Type": "text/plain"}) is None
    assert retry_after_seconds(None) is None
