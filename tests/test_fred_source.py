"""FRED client against a local fake of the fredgraph.csv endpoint: real HTTP, no internet."""

import datetime
import socket
import urllib.error
import urllib.request

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.data.errors import (
    EmptyResponseError,
    MalformedDataError,
    NetworkDownError,
    SymbolNotFoundError,
    TransientSourceError,
)
from analysis.fetch.sources.fred import (
    FRED_URL_ENV,
    fetch_fred,
    fred_id,
    fred_symbol,
    is_fred_symbol,
    parse_fred_csv,
)
from analysis.fetch.sources.retry import RetryPolicy
from analysis.testing.fake_fred import FakeFred

# The upper bound of the Fed's target range around the December 2025 cut; 12-12 is missing.
TARGET = pd.Series(
    [4.00, 4.00, 3.75, np.nan, 3.75],
    index=pd.to_datetime(["2025-12-09", "2025-12-10", "2025-12-11", "2025-12-12", "2025-12-15"]),
)
EXPECTED = pd.DataFrame(
    {"value": [4.00, 4.00, 3.75, 3.75]},
    index=pd.DatetimeIndex(
        ["2025-12-09", "2025-12-10", "2025-12-11", "2025-12-15"],
        dtype="datetime64[ns]",
        name="date",
    ),
)
FAST = RetryPolicy(attempts=3, base_delay=1.0, max_seconds=10.0)


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def fred():
    with FakeFred({"DFEDTARU": TARGET}) as server:
        yield server


def fetch(server, series_id, sleeps, **kwargs):
    kwargs.setdefault("retry", FAST)
    return fetch_fred(series_id, base_url=server.url, sleep=sleeps.append, **kwargs)


# -- parsing through the server --------------------------------------------------------------


@pytest.mark.parametrize("header", ["DATE", "observation_date"])
@pytest.mark.parametrize("missing", [".", ""])
def test_both_header_spellings_and_missing_markers(header, missing, sleeps):
    with FakeFred({"DFEDTARU": TARGET}, header=header, missing=missing) as fred:
        frame = fetch(fred, "DFEDTARU", sleeps)
    pd.testing.assert_frame_equal(frame, EXPECTED)
    assert frame.index.tz is None
    assert fred.count("DFEDTARU") == 1
    assert sleeps == []


def test_start_date_is_sent_as_cosd_and_honoured(fred, sleeps):
    frame = fetch(fred, "DFEDTARU", sleeps, start=datetime.date(2025, 12, 11))
    assert [req.cosd for req in fred.requests] == ["2025-12-11"]
    assert list(frame.index.strftime("%Y-%m-%d")) == ["2025-12-11", "2025-12-15"]
    assert list(frame["value"]) == [3.75, 3.75]


def test_no_start_date_sends_no_cosd(fred, sleeps):
    fetch(fred, "DFEDTARU", sleeps)
    assert [req.cosd for req in fred.requests] == [None]
    assert fred.requests[0].series_id == "DFEDTARU"


def test_base_url_comes_from_the_environment(monkeypatch, fred, sleeps):
    fred.series["DFEDTARL"] = TARGET - 0.25
    monkeypatch.setenv(FRED_URL_ENV, fred.url)
    frame = fetch_fred("DFEDTARL", sleep=sleeps.append)
    assert list(frame["value"]) == [3.75, 3.75, 3.50, 3.50]


# -- faults ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fault, code", [("429", "HTTP 429"), ("500", "HTTP 500")])
def test_rate_limit_and_server_error_are_retried_then_raised(fault, code, fred, sleeps):
    fred.faults["DFEDTARU"] = fault
    with pytest.raises(TransientSourceError) as caught:
        fetch(fred, "DFEDTARU", sleeps)
    message = str(caught.value)
    assert "DFEDTARU" in message and code in message and "3 attempts" in message
    assert "\n" not in message
    assert fred.count("DFEDTARU") == 3
    assert sleeps == [1.0, 2.0]


def test_timeout_is_transient_and_bounded(fred, sleeps):
    policy = RetryPolicy(attempts=2, base_delay=1.0)
    fred.faults["DFEDTARU"] = "timeout"
    fred.slow_seconds = 30  # far longer than the client waits; released at teardown
    with pytest.raises(TransientSourceError, match=r"DFEDTARU.*did not answer within 0.2s"):
        fetch(fred, "DFEDTARU", sleeps, timeout=0.2, retry=policy)
    assert fred.count("DFEDTARU") == 2
    assert sleeps == [1.0]


def test_flaky_series_succeeds_after_retries(fred, sleeps):
    fred.faults["DFEDTARU"] = "flaky:2"
    frame = fetch(fred, "DFEDTARU", sleeps)
    pd.testing.assert_frame_equal(frame, EXPECTED)
    assert fred.count("DFEDTARU") == 3
    assert sleeps == [1.0, 2.0]


def test_flaky_beyond_the_budget_fails(fred, sleeps):
    fred.faults["DFEDTARU"] = "flaky:5"
    with pytest.raises(TransientSourceError, match=r"DFEDTARU.*3 attempts"):
        fetch(fred, "DFEDTARU", sleeps)
    assert fred.count("DFEDTARU") == 3


def test_html_answer_means_unknown_series_and_is_not_retried(fred, sleeps):
    fred.series["NOPE"] = TARGET
    fred.faults["NOPE"] = "html"
    with pytest.raises(SymbolNotFoundError, match="FRED NOPE: no such series"):
        fetch(fred, "NOPE", sleeps)
    assert fred.count() == 1
    assert sleeps == []


def test_404_means_unknown_series(fred, sleeps):
    with pytest.raises(SymbolNotFoundError, match=r"FRED NOSUCHSERIES: .*HTTP 404"):
        fetch(fred, "NOSUCHSERIES", sleeps)
    assert fred.count() == 1


def test_malformed_answer(fred, sleeps):
    fred.faults["DFEDTARU"] = "malformed"
    with pytest.raises(MalformedDataError, match="FRED DFEDTARU: unexpected header"):
        fetch(fred, "DFEDTARU", sleeps)
    assert fred.count() == 1


def test_empty_answer(fred, sleeps):
    fred.faults["DFEDTARU"] = "empty"
    with pytest.raises(EmptyResponseError, match="FRED DFEDTARU: no observations"):
        fetch(fred, "DFEDTARU", sleeps)


def test_connection_refused_is_network_down_and_not_retried(sleeps):
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/graph/fredgraph.csv"
    with pytest.raises(NetworkDownError, match=r"FRED DFEDTARU: connection .* refused"):
        fetch_fred("DFEDTARU", base_url=url, retry=FAST, sleep=sleeps.append)
    assert sleeps == []


def test_dns_failure_is_network_down(monkeypatch, sleeps):
    def no_dns(*args, **kwargs):
        raise urllib.error.URLError(socket.gaierror(-2, "Name or service not known"))

    monkeypatch.setattr(urllib.request, "urlopen", no_dns)
    with pytest.raises(NetworkDownError, match=r"FRED DFEDTARU: cannot resolve fred\.example"):
        fetch_fred("DFEDTARU", base_url="https://fred.example/fredgraph.csv", sleep=sleeps.append)
    assert sleeps == []


def test_invalid_series_id_never_reaches_the_network(fred, sleeps):
    with pytest.raises(SymbolNotFoundError, match="not a valid series id"):
        fetch(fred, "DFEDTARU&cosd=x", sleeps)
    assert fred.count() == 0


# -- parse_fred_csv alone --------------------------------------------------------------------


def test_parse_sorts_rows():
    frame = parse_fred_csv("DATE,X\n2024-01-03,2\n2024-01-02,1\n", "X")
    assert list(frame.index.strftime("%Y-%m-%d")) == ["2024-01-02", "2024-01-03"]
    assert list(frame["value"]) == [1.0, 2.0]


def test_parse_accepts_bom_crlf_and_lower_case_id():
    frame = parse_fred_csv(
        "\ufeffobservation_date,dcoilwtico\r\n2020-04-20,-36.98\r\n", "DCOILWTICO"
    )
    assert frame["value"].iloc[0] == -36.98
    assert frame["value"].dtype == "float64"


def test_parse_only_missing_rows_is_empty():
    with pytest.raises(EmptyResponseError, match="FRED X: no observations in the response"):
        parse_fred_csv("DATE,X\n2024-01-02,.\n2024-01-03,\n", "X")


def test_parse_empty_text_is_empty():
    with pytest.raises(EmptyResponseError, match="FRED X: empty response"):
        parse_fred_csv("", "X")


@pytest.mark.parametrize(
    "text, problem",
    [
        ("DATE,OTHER\n2024-01-02,1\n", "unexpected header"),
        ("DATE,X,Y\n2024-01-02,1,2\n", "unexpected header"),
        ("DATE,X\n2024-01-02,1\n2024-01-03,abc\n", "line 3: not a number 'abc'"),
        ("DATE,X\n2024-01-02,NaN\n", "line 2: not a number 'NaN'"),
        ("DATE,X\n02/01/2024,1\n", "line 2: bad date"),
        ("DATE,X\n2024-02-30,1\n", "line 2: bad date"),
        ("DATE,X\n2024-01-02,1,5\n", "line 2: expected 2 fields"),
        ("DATE,X\n2024-01-02,1\n2024-01-02,2\n", "2024-01-02 appears more than once"),
    ],
)
def test_parse_rejects_malformed_text(text, problem):
    with pytest.raises(MalformedDataError, match="FRED X: ") as caught:
        parse_fred_csv(text, "X")
    assert problem in str(caught.value)


# -- symbols ---------------------------------------------------------------------------------


def test_fred_symbols():
    assert is_fred_symbol("fred:DFEDTARU")
    assert not is_fred_symbol("DFEDTARU")
    assert not is_fred_symbol("fred:")
    assert not is_fred_symbol("^RUT")
    assert fred_id("fred:DFEDTARU") == "DFEDTARU"
    assert fred_symbol("DCOILWTICO") == "fred:DCOILWTICO"
    with pytest.raises(ValueError, match="not a FRED symbol"):
        fred_id("CL=F")


# -- property: what the server holds is what the client returns, minus missing rows ----------

values = st.one_of(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.just(np.nan),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.lists(values, min_size=1, max_size=30).filter(lambda v: not all(np.isnan(v))),
    header=st.sampled_from(["DATE", "observation_date"]),
)
def test_round_trip_drops_only_missing_rows(data, header):
    series = pd.Series(data, index=pd.bdate_range("2024-01-01", periods=len(data)))
    with FakeFred({"SERIES": series}, header=header) as fred:
        frame = fetch_fred("SERIES", base_url=fred.url, sleep=lambda seconds: None)
    expected = series.dropna()
    assert list(frame.index) == list(expected.index)
    assert list(frame["value"]) == list(expected)
