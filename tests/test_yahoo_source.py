"""The Yahoo source against a fake Yahoo: the real yfinance code, no network."""

import datetime
import logging
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from analysis.data.errors import (
    EmptyResponseError,
    MalformedDataError,
    NetworkDownError,
    RateLimitedError,
    SourceError,
    SymbolNotFoundError,
    TransientSourceError,
)
from analysis.data.store import OHLCV_COLUMNS
from analysis.fetch.sources.retry import RetryPolicy
from analysis.fetch.sources.yahoo import YAHOO_SOURCE, fetch_yahoo
from analysis.testing.fake_yahoo import (
    CRUMB,
    NAN_TAIL_ROWS,
    ChartRequest,
    FakeYahooSession,
    make_ohlcv,
)

D = datetime.date


@pytest.fixture
def fetch(tmp_path):
    """fetch_yahoo with a private yfinance cache and no real waiting."""

    def run(symbols, start=None, *, session, sleep=None, **kwargs):
        kwargs.setdefault("cache_dir", tmp_path / "yf-cache")
        kwargs.setdefault("progress", False)
        return fetch_yahoo(
            symbols, start, session=session, sleep=sleep or (lambda seconds: None), **kwargs
        )

    return run


def iwm_frame():
    """Three hand-written bars; adjusted close differs from close as after a dividend."""
    index = pd.DatetimeIndex(["2025-12-29", "2025-12-30", "2025-12-31"], name="date")
    return pd.DataFrame(
        {
            "open": [248.10, 247.00, 246.90],
            "high": [249.00, 247.80, 247.50],
            "low": [246.50, 245.90, 245.80],
            "close": [247.25, 246.10, 246.37],
            "adj_close": [246.01, 244.86, 245.12],
            "volume": [21_000_000.0, 18_500_000.0, 25_250_000.0],
        },
        index=index,
    )


def rut_frame():
    index = pd.DatetimeIndex(["2025-12-29", "2025-12-30", "2025-12-31"], name="date")
    close = [2500.12, 2490.55, 2481.91]
    return pd.DataFrame(
        {
            "open": [2510.0, 2501.0, 2489.0],
            "high": [2515.0, 2503.0, 2492.0],
            "low": [2495.0, 2485.0, 2478.0],
            "close": close,
            "adj_close": close,
            "volume": [0.0, 0.0, 0.0],
        },
        index=index,
    )


# -- values and shape ---------------------------------------------------------------------


def test_hand_checked_values_pass_through(fetch):
    session = FakeYahooSession({"IWM": iwm_frame(), "^RUT": rut_frame()})
    results = fetch(["IWM", "^RUT"], D(2025, 12, 29), session=session)
    iwm, rut = results["IWM"], results["^RUT"]
    assert rut.loc["2025-12-31", "close"] == 2481.91
    assert iwm.loc["2025-12-31", "close"] == 246.37
    # The raw close is kept; the adjusted close is a column of its own.
    assert iwm.loc["2025-12-31", "adj_close"] == 245.12
    assert iwm.loc["2025-12-30", ["open", "high", "low"]].tolist() == [247.00, 247.80, 245.90]
    assert iwm["volume"].tolist() == [21_000_000.0, 18_500_000.0, 25_250_000.0]


def test_frames_have_the_store_shape(fetch):
    session = FakeYahooSession({"IWM": iwm_frame()})
    frame = fetch(["IWM"], D(2025, 12, 29), session=session)["IWM"]
    assert tuple(frame.columns) == OHLCV_COLUMNS
    assert all(dtype == np.float64 for dtype in frame.dtypes)
    assert frame.index.name == "date"
    assert frame.index.tz is None
    assert frame.index.is_monotonic_increasing and frame.index.is_unique
    assert (frame.index == frame.index.normalize()).all()
    assert [d.date() for d in frame.index] == [D(2025, 12, 29), D(2025, 12, 30), D(2025, 12, 31)]


def test_dates_are_the_exchanges_trading_dates_not_utc_dates(fetch):
    # Tokyo opens at 09:00 JST, which is 00:00 UTC *the previous day*.
    bars = pd.DatetimeIndex(["2025-01-06 09:00", "2025-01-07 09:00"], tz="Asia/Tokyo")
    frame = make_ohlcv("2025-01-06", 2, base=39_000.0).set_axis(bars, axis=0)
    session = FakeYahooSession({"^N225": frame})
    result = fetch(["^N225"], D(2025, 1, 6), session=session)["^N225"]
    assert list(result.index) == [pd.Timestamp("2025-01-06"), pd.Timestamp("2025-01-07")]
    assert result["close"].tolist() == [39_000.0, 39_000.5]


def test_start_is_inclusive_and_end_exclusive(fetch):
    session = FakeYahooSession({"IWM": make_ohlcv("2025-01-02", 6)})
    frame = fetch(["IWM"], D(2025, 1, 3), end=D(2025, 1, 8), session=session)["IWM"]
    assert [d.date() for d in frame.index] == [D(2025, 1, 3), D(2025, 1, 6), D(2025, 1, 7)]
    assert session.chart_requests == [ChartRequest("IWM", D(2025, 1, 3), D(2025, 1, 8))]


def test_no_start_asks_for_the_full_history(fetch):
    frame = make_ohlcv("2025-01-02", 4)
    session = FakeYahooSession({"CL=F": frame})
    result = fetch(["CL=F"], None, session=session)["CL=F"]
    assert result["close"].tolist() == frame["close"].tolist()
    (request,) = session.chart_requests
    # yfinance turns "max" into a window starting 99 years back.
    assert request.symbol == "CL=F" and request.start < D(1930, 1, 1)


def test_one_batch_is_one_chart_request_per_symbol(fetch):
    symbols = ["^RUT", "IWM", "CL=F", "SPY"]
    session = FakeYahooSession(
        {s: make_ohlcv("2025-01-02", 5, base=50.0 + i) for i, s in enumerate(symbols)}
    )
    results = fetch(symbols, D(2025, 1, 2), session=session)
    assert all(isinstance(results[s], pd.DataFrame) for s in symbols)
    assert Counter(r.symbol for r in session.chart_requests) == Counter(symbols)


def test_results_keep_the_symbols_as_given(fetch):
    session = FakeYahooSession({"IWM": make_ohlcv("2025-01-02", 3)})
    results = fetch(["iwm", "iwm"], D(2025, 1, 2), session=session)
    assert list(results) == ["iwm"]
    assert len(results["iwm"]) == 3


def test_source_label():
    assert YAHOO_SOURCE == "Yahoo Finance via yfinance"


# -- the fault matrix ---------------------------------------------------------------------

FAULT_CASES = [
    ("429", RateLimitedError, "^FOO: Yahoo Finance is rate-limiting requests (HTTP 429)"),
    ("500", TransientSourceError, "^FOO: Yahoo Finance had a server error (HTTP 500)"),
    ("timeout", TransientSourceError, "^FOO: Yahoo Finance did not answer in time"),
    ("malformed", MalformedDataError, "^FOO: Yahoo Finance sent a response that is not chart data"),
    ("empty", EmptyResponseError, "^FOO: Yahoo Finance returned no price rows from 2025-01-02"),
    ("unknown", SymbolNotFoundError, "^FOO: Yahoo Finance does not know this symbol"),
]


@pytest.mark.parametrize(
    ("fault", "error_type", "message"), FAULT_CASES, ids=[c[0] for c in FAULT_CASES]
)
def test_a_failing_symbol_gets_its_own_error_and_the_rest_of_the_batch_its_data(
    fetch, fault, error_type, message
):
    good = make_ohlcv("2025-01-02", 5)
    session = FakeYahooSession({"IWM": good, "^FOO": good}, faults={"^FOO": fault})
    results = fetch(["IWM", "^FOO"], D(2025, 1, 2), session=session, retry=RetryPolicy(attempts=1))
    error = results["^FOO"]
    assert type(error) is error_type
    assert str(error) == message
    assert results["IWM"]["close"].tolist() == good["close"].tolist()


def test_unknown_symbol_needs_no_fault_to_be_unknown(fetch):
    session = FakeYahooSession({"IWM": make_ohlcv("2025-01-02", 3)})
    results = fetch(["IWM", "NOPE"], D(2025, 1, 2), session=session)
    assert isinstance(results["NOPE"], SymbolNotFoundError)


def test_a_batch_where_only_some_symbols_come_back(fetch):
    data = make_ohlcv("2025-01-02", 5)
    faults = {
        "RL": "429",
        "SE": "500",
        "TO": "timeout",
        "MAL": "malformed",
        "EMP": "empty",
        "BAD": "unknown",
    }
    session = FakeYahooSession(
        {"IWM": data, "^RUT": data, **{s: data for s in faults}}, faults=faults
    )
    symbols = ["IWM", *faults, "^RUT"]
    results = fetch(symbols, D(2025, 1, 2), session=session, retry=RetryPolicy(attempts=2))
    assert list(results) == symbols
    kinds = {s: type(r).__name__ for s, r in results.items()}
    assert kinds == {
        "IWM": "DataFrame",
        "^RUT": "DataFrame",
        "RL": "RateLimitedError",
        "SE": "TransientSourceError",
        "TO": "TransientSourceError",
        "MAL": "MalformedDataError",
        "EMP": "EmptyResponseError",
        "BAD": "SymbolNotFoundError",
    }
    for symbol, result in results.items():
        if isinstance(result, Exception):
            assert str(result).startswith(f"{symbol}: ")
            assert "\n" not in str(result)
    assert str(results["RL"]).endswith("(gave up after 2 attempts)")


def test_trailing_rows_without_a_close_are_dropped(fetch):
    data = make_ohlcv("2025-01-02", 5)
    session = FakeYahooSession({"IWM": data}, faults={"IWM": "nan_tail"})
    result = fetch(["IWM"], D(2025, 1, 2), session=session)["IWM"]
    assert NAN_TAIL_ROWS > 0
    assert list(result.index) == list(data.index)
    assert not result.isna().any().any()


def test_padding_from_other_symbols_dates_is_not_data(fetch):
    # yf.download aligns the batch on the union of dates: the shorter series gets NaN rows.
    short, long = make_ohlcv("2025-01-02", 3), make_ohlcv("2025-01-02", 7, base=70.0)
    session = FakeYahooSession({"SHORT": short, "LONG": long})
    results = fetch(["SHORT", "LONG"], D(2025, 1, 2), session=session)
    assert list(results["SHORT"].index) == list(short.index)
    assert len(results["LONG"]) == 7


def test_only_rows_without_a_close_is_an_empty_response(fetch):
    data = make_ohlcv("2025-01-02", 3)
    session = FakeYahooSession({"IWM": data}, faults={"IWM": "nan_tail"})
    # A window holding only the NaN tail, which lies after the last real bar.
    result = fetch(["IWM"], D(2025, 1, 7), session=session)["IWM"]
    assert isinstance(result, EmptyResponseError)
    assert str(result) == "IWM: Yahoo Finance returned only rows without a close from 2025-01-07"


def test_network_down_is_its_own_error_for_every_symbol(fetch):
    data = make_ohlcv("2025-01-02", 3)
    session = FakeYahooSession({"IWM": data, "^RUT": data}, network_down=True)
    sleeps = []
    results = fetch(
        ["IWM", "^RUT"], None, session=session, sleep=sleeps.append, retry=RetryPolicy(attempts=2)
    )
    for symbol in ("IWM", "^RUT"):
        assert type(results[symbol]) is NetworkDownError
        assert str(results[symbol]).startswith(f"{symbol}: cannot reach Yahoo Finance")
    assert sleeps == []  # not retried: waiting does not bring a network back


# -- retries -------------------------------------------------------------------------------


def test_a_symbol_that_failed_transiently_is_retried_alone_and_succeeds(fetch):
    data = make_ohlcv("2025-01-02", 4)
    session = FakeYahooSession(
        {"IWM": data, "FLAKY": data, "BAD": data}, faults={"FLAKY": "timeout", "BAD": "unknown"}
    )
    sleeps, bad_hits_at_sleep = [], []

    def sleep(seconds):
        sleeps.append(seconds)
        bad_hits_at_sleep.append(session.chart_hits("BAD"))
        session.faults.pop("FLAKY")  # answers again after the pause

    results = fetch(["IWM", "FLAKY", "BAD"], D(2025, 1, 2), session=session, sleep=sleep)
    assert results["FLAKY"]["close"].tolist() == data["close"].tolist()
    assert isinstance(results["BAD"], SymbolNotFoundError)
    assert sleeps == [1.0]
    # Only the transient failure went again: the healthy and the unknown symbol were asked once.
    assert [r.symbol for r in session.chart_requests].count("IWM") == 1
    assert session.chart_hits("BAD") == bad_hits_at_sleep[0]


def test_429s_are_asked_again_in_place_after_the_pacers_pause(fetch, simulated_time):
    data = make_ohlcv("2025-01-02", 4)
    session = FakeYahooSession({"IWM": data, "FLAKY": data}, faults={"FLAKY": "flaky:2"})
    sleeps = []
    results = fetch(["IWM", "FLAKY"], D(2025, 1, 2), session=session, sleep=sleeps.append)
    assert results["FLAKY"]["close"].tolist() == data["close"].tolist()
    # No batch retry: the pacer held the request about 5 s, then about 10 s (each up to a
    # quarter shorter, at random), and sent it again.
    # (The first request naming FLAKY is yfinance's timezone probe: it took the two 429s.)
    assert sleeps == []
    assert session.chart_hits("FLAKY") == 4
    assert [r.symbol for r in session.chart_requests].count("FLAKY") == 1
    assert simulated_time.slept >= 0.75 * (5 + 10)


def test_a_symbol_yfinance_drops_without_asking_yahoo_is_asked_again(fetch, monkeypatch):
    # yfinance's threads share mutable config; now and then one returns an empty frame for a
    # symbol without sending its request. That is no answer from Yahoo: it must be retried.
    import yfinance.multi as multi

    real_download_one = multi._download_one
    dropped = []

    def drop_rut_once(ctx, ticker, *args, **kwargs):
        if ticker.upper() == "^RUT" and not dropped:
            dropped.append(ticker)
            with ctx.lock:
                ctx.dfs[ticker.upper()] = multi.utils.empty_df()
            return
        real_download_one(ctx, ticker, *args, **kwargs)

    monkeypatch.setattr(multi, "_download_one", drop_rut_once)
    data = make_ohlcv("2025-01-02", 4)
    session = FakeYahooSession({"IWM": data, "^RUT": data})
    results = fetch(["IWM", "^RUT"], D(2025, 1, 2), session=session)
    assert dropped == ["^RUT"]
    assert results["^RUT"]["close"].tolist() == data["close"].tolist()
    assert [r.symbol for r in session.chart_requests] == ["IWM", "^RUT"]


def test_retries_are_bounded_in_count(fetch):
    data = make_ohlcv("2025-01-02", 3)
    hits = {}
    for attempts in (1, 3):
        session = FakeYahooSession({"RL": data}, faults={"RL": "429"})
        sleeps = []
        result = fetch(
            ["RL"],
            D(2025, 1, 2),
            session=session,
            sleep=sleeps.append,
            retry=RetryPolicy(attempts=attempts, base_delay=1.0),
        )["RL"]
        assert isinstance(result, TransientSourceError)
        assert len(sleeps) == attempts - 1
        hits[attempts] = session.chart_hits("RL")
    assert sleeps == [1.0, 2.0]
    assert str(result) == (
        "RL: Yahoo Finance is rate-limiting requests (HTTP 429) (gave up after 3 attempts)"
    )
    # Every attempt costs the same number of requests, and there were exactly three.
    assert hits[3] == 3 * hits[1]


def test_retries_are_bounded_in_waiting_time(fetch):
    session = FakeYahooSession({"SE": make_ohlcv("2025-01-02", 3)}, faults={"SE": "500"})
    sleeps = []
    result = fetch(
        ["SE"],
        D(2025, 1, 2),
        session=session,
        sleep=sleeps.append,
        retry=RetryPolicy(attempts=10, base_delay=1.0, max_seconds=3.5),
    )["SE"]
    assert sleeps == [1.0, 2.0, 0.5]
    assert str(result).endswith("(gave up after 4 attempts)")


def test_permanent_failures_are_not_retried(fetch):
    session = FakeYahooSession({}, faults={"BAD": "unknown"})
    sleeps = []
    result = fetch(["BAD"], None, session=session, sleep=sleeps.append)["BAD"]
    assert isinstance(result, SymbolNotFoundError)
    assert sleeps == []


# -- yfinance's process-wide state -------------------------------------------------------------


def test_each_call_uses_its_own_session(fetch):
    window = {"start": D(2025, 1, 2), "end": D(2025, 1, 7)}
    first = FakeYahooSession({"IWM": make_ohlcv("2025-01-02", 5, base=100.0)})
    second = FakeYahooSession({"IWM": make_ohlcv("2025-01-02", 5, base=200.0)})
    a = fetch(["IWM"], session=first, **window)["IWM"]
    made_by_first = len(first.requests_made)
    b = fetch(["IWM"], session=second, **window)["IWM"]
    assert a["close"].tolist() == [100.0, 100.5, 101.0]
    # Same URL for a past window: yfinance's memoised answer from the first session must not leak.
    assert b["close"].tolist() == [200.0, 200.5, 201.0]
    assert len(first.requests_made) == made_by_first
    # The second session gets a crumb of its own instead of reusing the first one's.
    assert any(url.endswith("/v1/test/getcrumb") for url in second.requests_made)


def test_the_fake_answers_the_cookie_and_crumb_handshake(fetch):
    session = FakeYahooSession({"IWM": make_ohlcv("2025-01-02", 3)})
    fetch(["IWM"], D(2025, 1, 2), session=session)
    hosts = [url.split("/")[2] for url in session.requests_made]
    assert "fc.yahoo.com" in hosts
    assert any(url.endswith("/v1/test/getcrumb") for url in session.requests_made)
    assert len(session.requests_made) > len(session.chart_requests)
    assert CRUMB == "fake-crumb"


def test_yfinance_cache_lives_where_we_say(fetch, tmp_path):
    cache = tmp_path / "elsewhere"
    data = make_ohlcv("2025-01-02", 3)
    first = FakeYahooSession({"IWM": data})
    fetch(["IWM"], D(2025, 1, 2), session=first, cache_dir=cache)
    assert (cache / "tkr-tz.db").exists()
    assert first.tz_requests == ["IWM"]
    # The exchange timezone is remembered there, so the next run skips the probe.
    second = FakeYahooSession({"IWM": data})
    fetch(["IWM"], D(2025, 1, 2), session=second, cache_dir=cache)
    assert second.tz_requests == []
    assert [r.symbol for r in second.chart_requests] == ["IWM"]


def test_yfinance_errors_stay_off_the_console(fetch, capsys, caplog):
    caplog.set_level(logging.WARNING)
    session = FakeYahooSession({}, faults={"BAD": "unknown", "RL": "429"})
    fetch(["BAD", "RL"], None, session=session, retry=RetryPolicy(attempts=1))
    out, err = capsys.readouterr()
    assert (out, err) == ("", "")
    assert [r for r in caplog.records if r.name.startswith("yfinance")] == []


def test_progress_bar_only_when_asked(fetch, capsys):
    session = FakeYahooSession({"IWM": make_ohlcv("2025-01-02", 3)})
    fetch(["IWM"], D(2025, 1, 2), session=session, progress=None)  # stderr is not a terminal
    assert capsys.readouterr().err == ""
    fetch(["IWM"], D(2025, 1, 2), session=session, progress=True)
    assert "completed" in capsys.readouterr().err


# -- arguments -----------------------------------------------------------------------------------


def test_no_symbols_no_request(fetch):
    session = FakeYahooSession({})
    assert fetch([], None, session=session) == {}
    assert session.requests_made == []


@pytest.mark.parametrize(
    ("symbols", "start", "end", "message"),
    [
        ([""], None, None, "not a Yahoo symbol: ''"),
        (
            ["IWM"],
            D(2025, 1, 8),
            D(2025, 1, 8),
            r"start 2025-01-08 must be before end 2025-01-08 \(end is exclusive\)",
        ),
    ],
)
def test_bad_arguments_are_refused_before_any_request(fetch, symbols, start, end, message):
    session = FakeYahooSession({})
    with pytest.raises(ValueError, match=message):
        fetch(symbols, start, end=end, session=session)
    assert session.requests_made == []


def test_errors_are_source_or_data_errors(fetch):
    session = FakeYahooSession({}, faults={"A": "unknown", "B": "malformed"})
    results = fetch(["A", "B"], None, session=session)
    assert isinstance(results["A"], SourceError)
    assert isinstance(results["B"], MalformedDataError)


# -- the fake itself -----------------------------------------------------------------------------


def test_make_ohlcv_follows_its_formula_on_trading_sessions():
    frame = make_ohlcv("2025-01-01", 6, base=10.0, drift=2.0, adj_ratio=0.5)
    # 2025-01-01 is a holiday and 2025-01-09 a national day of mourning: no sessions.
    assert [d.date() for d in frame.index] == [
        D(2025, 1, 2),
        D(2025, 1, 3),
        D(2025, 1, 6),
        D(2025, 1, 7),
        D(2025, 1, 8),
        D(2025, 1, 10),
    ]
    assert frame["close"].tolist() == [10.0, 12.0, 14.0, 16.0, 18.0, 20.0]
    assert frame["adj_close"].tolist() == [5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    assert (frame["high"] - frame["low"] == 2.0).all()
    assert (frame["close"] - frame["open"] == 0.25).all()
    assert frame["volume"].iloc[-1] == 1_005_000.0
    assert tuple(frame.columns) == OHLCV_COLUMNS


def test_the_fake_refuses_unknown_faults():
    with pytest.raises(ValueError, match="unknown fault"):
        FakeYahooSession({}, faults={"X": "slow"})
