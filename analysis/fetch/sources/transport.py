"""One mapping from what the network did to the data layer's errors, for every source.

Yahoo (through ``curl_cffi``), FRED (through ``urllib``) and the iShares holdings download
all fail in the same few ways, and each way has one meaning everywhere:

==============================================  =========================  =========
What happened                                   Error                      Retried
==============================================  =========================  =========
HTTP 429                                        ``RateLimitedError``       yes
HTTP 5xx                                        ``TransientSourceError``   yes
no answer in time                               ``TransientSourceError``   yes
connection reset, broken pipe, empty reply      ``TransientSourceError``   yes
connection refused, host not found, no route    ``NetworkDownError``       no
HTTP 404 and 410 (and the codes a source adds)  ``SymbolNotFoundError``    no
any other HTTP 4xx                              ``SourceError``            no
==============================================  =========================  =========

A 429's ``Retry-After`` header (seconds, or an HTTP date) is kept on the error as
``retry_after``, for the pacer (:mod:`analysis.fetch.sources.pacing`) to honour.
"""

from __future__ import annotations

import email.utils
import http.client
import socket
import time
import urllib.error
from collections.abc import Mapping

from analysis.data.errors import (
    NetworkDownError,
    RateLimitedError,
    SourceError,
    SymbolNotFoundError,
    TransientSourceError,
)

__all__ = ["error_for_exception", "error_for_status", "retry_after_seconds"]

NOT_FOUND = frozenset({404, 410})
# curl's own error numbers (CURLE_*): a dropped connection is worth another try, a refused
# or unresolvable one means the network (or the host) is not there.
_CURL_TRANSIENT = {
    28: "did not answer in time",  # OPERATION_TIMEDOUT
    52: "closed the connection without answering",  # GOT_NOTHING
    55: "connection broke while sending",  # SEND_ERROR
    56: "connection was reset",  # RECV_ERROR
    18: "sent a partial answer",  # PARTIAL_FILE
    92: "HTTP/2 stream broke",  # HTTP2_STREAM
}
_CURL_DOWN = {
    5: "cannot resolve the proxy",  # COULDNT_RESOLVE_PROXY
    6: "cannot resolve the host",  # COULDNT_RESOLVE_HOST
    7: "connection refused",  # COULDNT_CONNECT
    35: "TLS handshake failed",  # SSL_CONNECT_ERROR
    45: "network interface failed",  # INTERFACE_FAILED
}
_MAX_RETRY_AFTER = 3600.0


def retry_after_seconds(
    headers: Mapping[str, str] | None, *, now: float | None = None
) -> float | None:
    """Seconds a ``Retry-After`` header asks for, or ``None`` without a usable one.

    Both forms HTTP allows are read: delta-seconds (``"120"``) and an HTTP date. The
    value is clamped to 0 ... 1 hour, so a wrong header cannot stall a build for days.
    """
    if not headers:
        return None
    raw = None
    for key, value in headers.items():
        if key.lower() == "retry-after":
            raw = str(value).strip()
            break
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER)


def error_for_status(
    status: int,
    *,
    subject: str,
    source: str,
    headers: Mapping[str, str] | None = None,
    not_found: frozenset[int] = NOT_FOUND,
) -> SourceError | None:
    """The error an HTTP status means, or ``None`` for a success (below 400).

    ``subject`` starts the one-line message (``"IWM"``, ``"FRED DFEDTARU"``); ``source``
    names who answered (``"Yahoo Finance"``, a host).
    """
    if status < 400:
        return None
    if status == 429:
        wait = retry_after_seconds(headers)
        hint = f"; it asks to wait {wait:g}s" if wait is not None else ""
        return RateLimitedError(
            f"{subject}: {source} is rate-limiting requests (HTTP 429{hint})", retry_after=wait
        )
    if status >= 500:
        return TransientSourceError(f"{subject}: {source} had a server error (HTTP {status})")
    if status in not_found:
        return SymbolNotFoundError(f"{subject}: {source} has no such series (HTTP {status})")
    return SourceError(f"{subject}: {source} refused the request (HTTP {status})")


def error_for_exception(
    exc: BaseException, *, subject: str, source: str, timeout: float | None = None
) -> SourceError:
    """The error a transport exception means (``curl_cffi``, ``urllib`` or the socket layer).

    ``timeout``, when given, is said in the message of a request that was not answered.
    """
    late = (
        f"did not answer within {timeout:g}s" if timeout is not None else "did not answer in time"
    )
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, str):  # URLError("unknown url type") and the like
        return NetworkDownError(f"{subject}: cannot reach {source} ({reason})")
    code = getattr(reason, "code", None)
    if _is_curl(reason) and isinstance(code, int):
        if code == 28:
            return TransientSourceError(f"{subject}: {source} {late}")
        if code in _CURL_TRANSIENT:
            return TransientSourceError(f"{subject}: {source} {_CURL_TRANSIENT[code]}")
        if code in _CURL_DOWN:
            return NetworkDownError(
                f"{subject}: cannot reach {source}: {_CURL_DOWN[code]}; is the network down?"
            )
    names = {cls.__name__ for cls in type(reason).__mro__}
    if isinstance(reason, TimeoutError | socket.timeout) or names & {"Timeout", "ReadTimeout"}:
        return TransientSourceError(f"{subject}: {source} {late}")
    if isinstance(reason, socket.gaierror) or "DNSError" in names:
        return NetworkDownError(f"{subject}: cannot resolve {source}; is the network down?")
    if isinstance(reason, ConnectionRefusedError):
        return NetworkDownError(f"{subject}: connection to {source} refused; is the network down?")
    broke = ConnectionResetError | ConnectionAbortedError | BrokenPipeError
    if isinstance(reason, broke | http.client.HTTPException):
        # Reset, aborted, broken pipe, remote closed: the server dropped a connection it
        # had accepted, a hiccup worth another try.
        return TransientSourceError(
            f"{subject}: connection to {source} broke ({_one_line(reason)})"
        )
    if names & {"ConnectionError", "ProxyError", "SSLError"} or isinstance(reason, OSError):
        return NetworkDownError(f"{subject}: cannot reach {source}; is the network down?")
    return TransientSourceError(f"{subject}: the request to {source} failed: {_one_line(reason)}")


def _is_curl(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("curl_cffi")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__
