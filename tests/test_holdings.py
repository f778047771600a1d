import hashlib
import http.server
import json
import threading
from pathlib import Path

import pandas as pd
import pytest
from curl_cffi import requests as curl_requests

from analysis.data.errors import (
    CorruptedStoreError,
    EmptyResponseError,
    MalformedDataError,
    NetworkDownError,
    OfflineError,
    SourceError,
    TransientSourceError,
)
from analysis.data.holdings import (
    latest_holdings,
    list_holdings,
    load_holdings,
    parse_holdings,
    save_holdings,
    to_yahoo_symbol,
)
from analysis.data.settings import Settings
from analysis.data.store import Store
from analysis.fetch.holdings import fetch_iwm_holdings, get_iwm_holdings
from analysis.fetch.sources.retry import RetryPolicy

# Hand-written in the layout of the fund's holdings download (preamble, header, rows,
# trailing notice); the companies and figures are fictional.
FIXTURE = Path(__file__).parent / "fixtures" / "IWM_holdings_fixture.csv"
HTML = b"<!DOCTYPE html>\n<html><head><title>iShares</title></head><body>Sorry</body></html>\n"
NO_WAIT = RetryPolicy(attempts=3, base_delay=0.001, max_seconds=1.0)


@pytest.fixture
def raw():
    return FIXTURE.read_bytes()


def test_fixture_members(raw):
    holdings = parse_holdings(raw, source="fixture")
    assert holdings.fund == "iShares Russell 2000 ETF"
    assert holdings.as_of == pd.Timestamp("2026-01-16")
    assert holdings.symbols == [
        "ALPN",
        "BRDG",
        "CSK-B",
        "DUNE",
        "ELMW",
        "FJRD",
        "GLNT",
        "HRBR",
        "ISLE",
        "JTTY",
    ]
    assert holdings.members.loc["CSK-B", "ticker"] == "CSK.B"
    assert holdings.members.loc["ALPN", "weight"] == 0.55
    assert holdings.members.loc["BRDG", "sector"] == "Financials"
    assert holdings.raw == raw
    assert holdings.stale_reason is None


def test_fixture_dropped_rows_are_listed_with_reasons(raw):
    dropped = parse_holdings(raw).dropped.set_index("ticker")["reason"].to_dict()
    assert dropped == {
        "-": "no tradable ticker (-)",
        "XTSLA": "asset class Money Market",
        "RTYH6": "asset class Futures",
        "USD": "asset class Cash",
        "ALPN": "repeated line of a member already listed",
    }


def test_plain_line_endings_and_text_parse_the_same(raw):
    text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    assert parse_holdings(text).symbols == parse_holdings(raw).symbols


def test_unlisted_equity_line_is_dropped(raw):
    text = (
        raw.decode("utf-8-sig")
        .replace('"JTTY",', '"JTTY.W",')
        .replace(
            '"NASDAQ","USD","1.00","USD","-"\r\n"-"',
            '"NO MARKET (E.G. UNLISTED)","USD","1.00","USD","-"\r\n"-"',
        )
    )
    holdings = parse_holdings(text)
    assert "JTTY-W" not in holdings.symbols
    reasons = holdings.dropped.set_index("ticker")["reason"]
    assert reasons["JTTY.W"] == "not listed (NO MARKET (E.G. UNLISTED))"


@pytest.mark.parametrize(
    ("ticker", "symbol"),
    [
        ("BRK.B", "BRK-B"),
        ("brk/b", "BRK-B"),
        ("BF B", "BF-B"),
        (" AAPL ", "AAPL"),
        ("-", None),
        ("", None),
        ("ABC.DEF.G", None),
    ],
)
def test_yahoo_symbols(ticker, symbol):
    assert to_yahoo_symbol(ticker) == symbol


def test_html_answer_is_an_error():
    with pytest.raises(MalformedDataError, match="HTML page"):
        parse_holdings(HTML, source="https://example.test/holdings")


@pytest.mark.parametrize("payload", [b"", b"\xef\xbb\xbf", b"\r\n  \n"])
def test_empty_file_is_an_error(payload):
    with pytest.raises(MalformedDataError, match="is empty"):
        parse_holdings(payload)


def test_file_without_header_is_an_error():
    with pytest.raises(MalformedDataError, match="has no 'Ticker,"):
        parse_holdings(b'iShares Russell 2000 ETF\nFund Holdings as of,"Jan 16, 2026"\n')


def test_file_without_date_is_an_error(raw):
    text = raw.decode("utf-8-sig").replace("Fund Holdings as of", "Holdings")
    with pytest.raises(MalformedDataError, match="no 'Fund Holdings as of' line"):
        parse_holdings(text)


def test_file_with_only_cash_is_an_error(raw):
    text = raw.decode("utf-8-sig").replace('"Equity"', '"Cash"')
    with pytest.raises(MalformedDataError, match="no equity holdings"):
        parse_holdings(text)


# -- fetching, against a server on 127.0.0.1 -------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    answers: list  # (status, body) in order; the last one repeats

    def do_GET(self):
        status, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        self.server.hits += 1
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    servers = []

    def start(*answers):
        handler = type("Handler", (_Handler,), {"answers": list(answers)})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.hits = 0
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server, f"http://127.0.0.1:{server.server_port}/holdings.csv"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _fetch(url, **kwargs):
    with curl_requests.Session() as session:
        return fetch_iwm_holdings(url, session=session, retry=NO_WAIT, **kwargs)


def test_fetch_parses_the_download(serve, raw):
    server, url = serve((200, raw))
    holdings = _fetch(url)
    assert holdings.as_of == pd.Timestamp("2026-01-16")
    assert holdings.source == url
    assert server.hits == 1


def test_fetch_html_answer_is_an_error(serve):
    _, url = serve((200, HTML))
    with pytest.raises(MalformedDataError, match="HTML page"):
        _fetch(url)


def test_fetch_retries_server_errors(serve, raw):
    server, url = serve((503, b"busy"), (429, b"slow down"), (200, raw))
    waits = []
    holdings = fetch_iwm_holdings(
        url, session=curl_requests.Session(), retry=NO_WAIT, sleep=waits.append
    )
    assert len(holdings.members) == 10
    assert server.hits == 3
    assert len(waits) == 2


def test_fetch_gives_up_after_retries(serve):
    server, url = serve((500, b"down"))
    with pytest.raises(TransientSourceError, match="HTTP 500"):
        _fetch(url, sleep=lambda _: None)
    assert server.hits == 3


def test_fetch_client_error_is_not_retried(serve):
    server, url = serve((404, b"gone"))
    with pytest.raises(SourceError, match="HTTP 404") as info:
        _fetch(url)
    assert not info.value.transient
    assert server.hits == 1


def test_fetch_empty_answer(serve):
    _, url = serve((200, b""))
    with pytest.raises(EmptyResponseError, match="the holdings download answered with nothing"):
        _fetch(url)


def test_fetch_unreachable_host_is_network_down(serve):
    server, url = serve((200, b""))
    server.shutdown()
    server.server_close()
    with pytest.raises(NetworkDownError, match="holdings download"):
        _fetch(url, sleep=lambda _: None)


# -- the store ------------------------------------------------------------------------------


def test_save_and_reload(tmp_path, raw):
    store = Store(tmp_path)
    holdings = parse_holdings(raw, source="https://example.test/h.csv")
    path = save_holdings(holdings, store, fetched_at="2026-01-17T01:00:00+00:00")
    digest = hashlib.sha256(raw).hexdigest()
    assert path == tmp_path / "holdings" / f"IWM-2026-01-16-{digest[:12]}.csv"
    assert path.read_bytes() == raw  # kept verbatim
    provenance = json.loads((tmp_path / "holdings" / "IWM-2026-01-16.json").read_text())
    assert provenance == {
        "fund": "IWM",
        "fund_name": "iShares Russell 2000 ETF",
        "as_of": "2026-01-16",
        "source": "https://example.test/h.csv",
        "fetched_at": "2026-01-17T01:00:00+00:00",
        "members": len(holdings.members),
        "dropped": len(holdings.dropped),
        "data_file": path.name,
        "checksum": f"sha256:{digest}",
    }
    assert list_holdings(tmp_path) == [pd.Timestamp("2026-01-16")]
    again = latest_holdings(tmp_path)
    pd.testing.assert_frame_equal(again.members, holdings.members)
    assert again.source == "https://example.test/h.csv"
    assert not list(path.parent.glob("*.tmp"))


def test_latest_is_the_newest_date(tmp_path, raw):
    older = parse_holdings(raw.replace(b"Jan 16, 2026", b"Dec 31, 2025"))
    newer = parse_holdings(raw)
    save_holdings(newer, tmp_path)
    save_holdings(older, tmp_path)
    assert list_holdings(tmp_path) == [pd.Timestamp("2025-12-31"), pd.Timestamp("2026-01-16")]
    assert latest_holdings(tmp_path).as_of == pd.Timestamp("2026-01-16")
    assert load_holdings(tmp_path, "2025-12-31").as_of == pd.Timestamp("2025-12-31")
    assert latest_holdings(tmp_path, on="2026-01-15").as_of == pd.Timestamp("2025-12-31")
    assert latest_holdings(tmp_path, on="2025-12-30") is None


def test_no_holdings_stored(tmp_path):
    assert latest_holdings(tmp_path) is None
    with pytest.raises(KeyError, match="IWM-2026-01-16"):
        load_holdings(tmp_path, "2026-01-16")


def test_tampered_file_is_detected_and_quarantined(tmp_path, raw):
    path = save_holdings(parse_holdings(raw), tmp_path)
    path.write_bytes(raw.replace(b"0.55", b"0.56"))
    with pytest.raises(CorruptedStoreError, match=r"holdings/IWM-2026-01-16: .*checksum"):
        latest_holdings(tmp_path)
    assert not path.exists()
    quarantined = sorted(p.name.split("-", 1)[1] for p in (tmp_path / "quarantine").iterdir())
    assert quarantined == sorted([path.name, "IWM-2026-01-16.json"])
    assert list_holdings(tmp_path) == []


def test_unreadable_provenance_is_quarantined(tmp_path, raw):
    save_holdings(parse_holdings(raw), tmp_path)
    (tmp_path / "holdings" / "IWM-2026-01-16.json").write_text("{not json")
    with pytest.raises(CorruptedStoreError, match="provenance of holdings/IWM-2026-01-16"):
        load_holdings(tmp_path, "2026-01-16")
    assert list_holdings(tmp_path) == []


def test_a_republished_day_replaces_its_file(tmp_path, raw):
    first = save_holdings(parse_holdings(raw), tmp_path)
    revised = raw.replace(b"0.55", b"0.56")
    second = save_holdings(parse_holdings(revised), tmp_path)
    assert first != second and not first.exists()
    assert second.read_bytes() == revised
    assert sorted(p.name for p in (tmp_path / "holdings").iterdir()) == sorted(
        [second.name, "IWM-2026-01-16.json"]
    )
    assert load_holdings(tmp_path, "2026-01-16").raw == revised


def test_files_kept_by_the_earlier_layout_still_load(tmp_path, raw):
    """Before holdings went through the store's write path the CSV had no checksum in its name."""
    folder = tmp_path / "holdings"
    folder.mkdir()
    (folder / "IWM-2026-01-16.csv").write_bytes(raw)
    record = {
        "fund": "IWM",
        "as_of": "2026-01-16",
        "source": "old",
        "data_file": "IWM-2026-01-16.csv",
        "checksum": "sha256:" + hashlib.sha256(raw).hexdigest(),
    }
    (folder / "IWM-2026-01-16.json").write_text(json.dumps(record))
    assert latest_holdings(tmp_path).raw == raw
    save_holdings(parse_holdings(raw.replace(b"0.55", b"0.56")), tmp_path)
    assert not (folder / "IWM-2026-01-16.csv").exists()  # the replaced file is removed


class _StubSession:
    def __init__(self, status=200, body=b"", error=None):
        self.status, self.body, self.error, self.calls = status, body, error, 0

    def get(self, url, timeout):
        self.calls += 1
        if self.error:
            raise self.error
        return type("Response", (), {"status_code": self.status, "content": self.body})()


def test_get_holdings_live_stores_the_download(tmp_path, raw):
    settings = Settings(data_dir=tmp_path)
    holdings = get_iwm_holdings(settings, session=_StubSession(body=raw))
    assert holdings.stale_reason is None
    assert list_holdings(tmp_path) == [pd.Timestamp("2026-01-16")]


def test_get_holdings_falls_back_to_the_store(tmp_path, raw):
    save_holdings(parse_holdings(raw), tmp_path)
    settings = Settings(data_dir=tmp_path)
    holdings = get_iwm_holdings(settings, session=_StubSession(body=HTML))
    assert holdings.as_of == pd.Timestamp("2026-01-16")
    assert "HTML page" in holdings.stale_reason


def test_get_holdings_live_failure_without_store_raises(tmp_path):
    settings = Settings(data_dir=tmp_path)
    session = _StubSession(error=ConnectionError("refused"))
    with pytest.raises(NetworkDownError, match="holdings download"):
        get_iwm_holdings(settings, session=session, retry=NO_WAIT, sleep=lambda _: None)


def test_get_holdings_offline_never_asks(tmp_path, raw):
    settings = Settings(data_dir=tmp_path, mode="offline")
    session = _StubSession(body=raw)
    with pytest.raises(OfflineError, match="no IWM holdings file"):
        get_iwm_holdings(settings, session=session)
    save_holdings(parse_holdings(raw), tmp_path)
    assert get_iwm_holdings(settings, session=session).as_of == pd.Timestamp("2026-01-16")
    assert session.calls == 0
