"""A local HTTP server that answers like FRED's ``fredgraph.csv`` endpoint.

It serves series from a dict of frames on 127.0.0.1 (a free port), so the real client code,
HTTP and all, runs without the internet::

    with FakeFred({"DFEDTARU": frame}, faults={"DCOILWTICO": "429"}) as fred:
        fetch_fred("DFEDTARU", base_url=fred.url)
        assert fred.count("DFEDTARU") == 1

Faults, per series id:

``"429"``, ``"500"``
    Answer every request with that HTTP status.
``"timeout"``
    Hold the answer for ``slow_seconds`` (pick a client timeout shorter than that).
``"html"``
    Answer 200 with an HTML page, as FRED does for some unknown ids.
``"malformed"``
    Answer 200 with text that is not FRED's CSV.
``"empty"``
    Answer the header and no rows.
``"flaky:N"``
    Answer HTTP 500 to the first ``N`` requests for the series, then the data.

An id with no frame gets a 404 with an HTML body. NaN values are written as ``missing``
(``"."`` by default, as older FRED files do; ``""`` as current ones do).
"""

from __future__ import annotations

import contextlib
import threading
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd

HEADER_STYLES = ("DATE", "observation_date")
_HTML_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>FRED</title></head>"
    "<body><p>Error - series not found.</p></body></html>\n"
)
_MALFORMED_BODY = "Sorry, something went wrong\nplease try again later\n"


@dataclass(frozen=True)
class FredRequest:
    """One request the fake server received."""

    series_id: str | None
    cosd: str | None
    path: str


class FakeFred:
    """Serve ``fredgraph.csv`` answers from frames, with faults, on a local port.

    Parameters
    ----------
    series : mapping of str to Series or DataFrame
        Observations per FRED id: a Series, or a frame with a ``value`` column, on a
        DatetimeIndex. NaN values are written as ``missing``.
    faults : mapping of str to str, optional
        Fault per id (see the module docstring); can be changed while the server runs.
    header : str or mapping of str to str
        ``"observation_date"`` (default) or ``"DATE"``, for all series or per id.
    missing : str
        How a missing observation is written: ``"."`` or ``""``.
    slow_seconds : float
        How long a ``"timeout"`` answer is held; the server stops waiting when it shuts down.

    Attributes
    ----------
    url : str
        The endpoint to pass as ``base_url`` (set once the server runs).
    requests : list of FredRequest
        Every request received, in order.
    """

    def __init__(
        self,
        series: Mapping[str, pd.Series | pd.DataFrame] | None = None,
        *,
        faults: Mapping[str, str] | None = None,
        header: str | Mapping[str, str] = "observation_date",
        missing: str = ".",
        slow_seconds: float = 2.0,
    ):
        self.series = {key.upper(): _as_series(value) for key, value in (series or {}).items()}
        self.faults = {key.upper(): value for key, value in (faults or {}).items()}
        styles = [header] if isinstance(header, str) else list(header.values())
        if any(style not in HEADER_STYLES for style in styles):
            raise ValueError(f"header style must be one of {HEADER_STYLES}, got {header!r}")
        self.header = (
            header if isinstance(header, str) else {k.upper(): v for k, v in header.items()}
        )
        self.missing = missing
        self.slow_seconds = slow_seconds
        self.requests: list[FredRequest] = []
        self.url = ""
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> FakeFred:
        self._stopping.clear()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}/graph/fredgraph.csv"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopping.set()  # releases any "timeout" answer still waiting
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    # -- inspection ----------------------------------------------------------------------

    def count(self, series_id: str | None = None) -> int:
        """Count the requests received, for one id or in total."""
        with self._lock:
            if series_id is None:
                return len(self.requests)
            wanted = series_id.upper()
            return sum(1 for req in self.requests if (req.series_id or "").upper() == wanted)

    # -- answering -----------------------------------------------------------------------

    def _answer(self, path: str, query: str) -> tuple[int, str, str]:
        """(status, content type, body) for one request; also records it."""
        params = urllib.parse.parse_qs(query)
        series_id = (params.get("id") or [None])[0]
        cosd = (params.get("cosd") or [None])[0]
        coed = (params.get("coed") or [None])[0]
        with self._lock:
            self.requests.append(FredRequest(series_id, cosd, path))
        # Counts this request too, so "flaky:2" fails requests 1 and 2.
        seen = self.count(series_id) if series_id else 0
        if not path.endswith("fredgraph.csv") or not series_id:
            return 404, "text/html; charset=utf-8", _HTML_PAGE
        key = series_id.upper()
        fault = self.faults.get(key, "")
        if fault in ("429", "500"):
            return int(fault), "text/plain", f"HTTP {fault}\n"
        if fault.startswith("flaky:") and seen <= int(fault.split(":", 1)[1]):
            return 500, "text/plain", "HTTP 500\n"
        if fault == "html":
            return 200, "text/html; charset=utf-8", _HTML_PAGE
        if fault == "malformed":
            return 200, "text/csv", _MALFORMED_BODY
        if fault == "timeout":
            self._stopping.wait(self.slow_seconds)
        if key not in self.series and fault != "empty":
            return 404, "text/html; charset=utf-8", _HTML_PAGE
        header = self._header_for(key)
        lines = [f"{header},{series_id}"]
        if fault != "empty":
            values = self.series[key]
            if cosd:
                values = values[values.index >= pd.Timestamp(cosd)]
            if coed:
                values = values[values.index <= pd.Timestamp(coed)]
            for day, value in values.items():
                cell = self.missing if pd.isna(value) else repr(float(value))
                lines.append(f"{day:%Y-%m-%d},{cell}")
        return 200, "text/csv", "\n".join(lines) + "\n"

    def _header_for(self, key: str) -> str:
        if isinstance(self.header, str):
            return self.header
        return self.header.get(key, "observation_date")


def _as_series(data: pd.Series | pd.DataFrame) -> pd.Series:
    if isinstance(data, pd.DataFrame):
        data = data["value"]
    series = pd.Series(data, dtype="float64")
    series.index = pd.DatetimeIndex(series.index)
    return series.sort_index()


def _handler_for(fake: FakeFred) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            status, content_type, body = fake._answer(parts.path, parts.query)
            payload = body.encode("utf-8")
            # The client may have timed out and gone: that is the point of some faults.
            with contextlib.suppress(ConnectionError, OSError):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(payload)

        def log_message(self, format: str, *args) -> None:
            """Keep test output quiet."""

    return Handler
