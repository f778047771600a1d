"""The incremental update against fake sources: what is requested, what is kept."""

import pandas as pd
import pytest

from analysis.data.errors import DataError, OfflineError, StaleDataError
from analysis.data.sessions import session_close
from analysis.data.settings import LIVE, OFFLINE, Settings
from analysis.data.store import Store
from analysis.fetch.sources.retry import RetryPolicy
from analysis.fetch.update import update_series
from analysis.testing.fake_fred import FakeFred
from analysis.testing.fake_yahoo import FakeYahooSession, make_ohlcv

NO_RETRY = {"retry": RetryPolicy(attempts=2, base_delay=0.0), "sleep": lambda _: None}


def after_close(day, hours=3):
    return session_close(pd.Timestamp(day)) + pd.Timedelta(hours=hours)


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "data", lock_timeout=1)


@pytest.fixture
def history():
    """Two symbols, 30 sessions from 2026-01-02 to 2026-02-13."""
    full = {
        "IWM": make_ohlcv("2026-01-02", 30, base=250.0),
        "^RUT": make_ohlcv("2026-01-02", 30, base=2480.0),
    }
    return full


def requested(session):
    """(symbol, start) per chart request; start "full" when the whole history was asked for."""

    def start(request):
        return "full" if request.start is None or request.start.year < 1990 else request.start

    return sorted(((r.symbol, start(r)) for r in session.chart_requests), key=str)


def upto(frames, last):
    return {symbol: frame.loc[:last] for symbol, frame in frames.items()}


def stored_through(store, history, day, **kwargs):
    """The store a build left after the close of ``day``, when Yahoo had bars up to it."""
    return run(store, FakeYahooSession(upto(history, day)), after_close(day), **kwargs)


def run(store, session, now, mode=LIVE, symbols=("IWM", "^RUT"), **kwargs):
    settings = Settings(data_dir=store.root, mode=mode)
    return update_series(
        symbols,
        store=store,
        settings=settings,
        now=now,
        yahoo_session=session,
        progress=False,
        **NO_RETRY,
        **kwargs,
    )


def test_cold_fetch_asks_for_full_history_then_warm_fetch_asks_nothing(store, history):
    session = FakeYahooSession(upto(history, "2026-02-12"))
    report = run(store, session, after_close("2026-02-12"))
    assert requested(session) == [("IWM", "full"), ("^RUT", "full")]
    assert {o.status for o in report.outcomes.values()} == {"updated"}
    pd.testing.assert_frame_equal(
        store.read("IWM"),
        history["IWM"].loc[:"2026-02-12"],
        check_freq=False,
        check_index_type=False,
    )
    assert store.provenance("IWM").source == "Yahoo Finance via yfinance"

    warm = FakeYahooSession(upto(history, "2026-02-12"))
    report = run(store, warm, after_close("2026-02-12", hours=5))
    assert warm.requests_made == []
    assert {o.status for o in report.outcomes.values()} == {"current"}


def test_next_day_fetch_requests_only_the_recent_bars_and_appends(store, history):
    stored_through(store, history, "2026-02-12")
    session = FakeYahooSession(history)
    report = run(store, session, after_close("2026-02-13"))
    expected_start = pd.Timestamp("2026-02-05").date()  # seven days before the last bar
    assert requested(session) == [("IWM", expected_start), ("^RUT", expected_start)]
    assert report.outcomes["IWM"].status == "updated"
    stored = store.read("IWM")
    assert stored.index[-1] == pd.Timestamp("2026-02-13")
    assert stored.index.is_unique and len(stored) == 30
    assert stored["close"].iloc[-1] == 250.0 + 0.5 * 29


def test_before_the_close_nothing_is_due(store, history):
    stored_through(store, history, "2026-02-12")
    session = FakeYahooSession(history)
    run(store, session, pd.Timestamp("2026-02-13 15:00", tz="UTC"))  # 10:00 in New York
    assert session.requests_made == []


def test_a_failed_source_keeps_stored_rows_and_marks_the_series_stale(store, history):
    stored_through(store, history, "2026-02-12")
    before = store.read("IWM")
    session = FakeYahooSession(history, faults={"IWM": "429"})
    report = run(store, session, after_close("2026-02-13"))
    iwm = report.outcomes["IWM"]
    assert iwm.status == "stale"
    assert "IWM" in iwm.error
    assert store.provenance("IWM").last_error == iwm.error
    pd.testing.assert_frame_equal(store.read("IWM"), before)
    assert report.outcomes["^RUT"].status == "updated"
    report.raise_for_problems(max_stale_sessions=None)
    report.raise_for_problems(max_stale_sessions=1)
    with pytest.raises(StaleDataError, match="IWM"):
        report.raise_for_problems(max_stale_sessions=0)


def test_an_unknown_symbol_with_nothing_stored_fails_the_update(store, history):
    session = FakeYahooSession(history)
    report = run(store, session, after_close("2026-02-13"), symbols=("IWM", "^NOPE"))
    assert report.outcomes["^NOPE"].status == "failed"
    assert [o.symbol for o in report.failed] == ["^NOPE"]
    with pytest.raises(DataError, match=r"\^NOPE"):
        report.raise_for_problems(None)
    assert store.symbols() == ["IWM"]


def test_offline_mode_makes_no_requests_and_names_what_is_missing(store, history):
    stored_through(store, history, "2026-02-12", symbols=("IWM",))
    session = FakeYahooSession(history)
    report = run(store, session, after_close("2026-02-20"), mode=OFFLINE)
    assert session.requests_made == []
    assert report.outcomes["IWM"].status == "offline"
    assert [o.symbol for o in report.stale] == ["IWM"]
    with pytest.raises(OfflineError, match=r"\^RUT: not in the store"):
        report.raise_for_problems(None)


def test_rewritten_adjusted_history_triggers_a_full_refetch(store, history):
    stored_through(store, history, "2026-02-12", symbols=("IWM",))
    readjusted = history["IWM"].copy()
    readjusted["adj_close"] = readjusted["close"] * 0.95  # a dividend went ex: all history moves
    session = FakeYahooSession({"IWM": readjusted})
    run(store, session, after_close("2026-02-13"), symbols=("IWM",))
    incremental = pd.Timestamp("2026-02-05").date()
    assert requested(session) == sorted([("IWM", incremental), ("IWM", "full")], key=str)
    stored = store.read("IWM")
    assert (stored["adj_close"] / stored["close"]).round(6).eq(0.95).all()


def test_nothing_new_is_not_a_failure_but_is_not_checked_either(store, history):
    """Yahoo without the last session's bar has not vouched for it: asked again next build."""
    stored_through(store, history, "2026-02-12", symbols=("IWM",))
    checked_before = store.provenance("IWM").checked_at
    session = FakeYahooSession(upto(history, "2026-02-12"))  # the new bar is not out yet
    now = after_close("2026-02-13")
    report = run(store, session, now, symbols=("IWM",))
    assert report.outcomes["IWM"].status == "unchanged"
    assert report.outcomes["IWM"].error is None
    assert store.provenance("IWM").checked_at == checked_before
    again = FakeYahooSession(history)
    run(store, again, now + pd.Timedelta(minutes=5), symbols=("IWM",))
    assert requested(again) == [("IWM", pd.Timestamp("2026-02-05").date())]
    assert store.provenance("IWM").last_bar == "2026-02-13"


def test_a_corrupted_file_is_quarantined_and_fetched_again(store, history):
    stored_through(store, history, "2026-02-12", symbols=("IWM",))
    data_file = store.series_dir / store.provenance("IWM").data_file
    data_file.write_bytes(b"garbage")
    session = FakeYahooSession(history)
    report = run(store, session, after_close("2026-02-13"), symbols=("IWM",))
    assert report.outcomes["IWM"].status == "updated"
    assert requested(session) == [("IWM", "full")]
    assert any(store.quarantine_dir.iterdir())
    assert len(store.read("IWM")) == 30


def test_fred_series_are_fetched_incrementally(store):
    values = pd.Series(
        [4.5, 4.5, 4.25, 4.25],
        index=pd.to_datetime(["2026-02-09", "2026-02-10", "2026-02-11", "2026-02-12"]),
        name="value",
    )
    with FakeFred({"DFEDTARU": values.iloc[:3]}) as fred:
        run(
            store,
            None,
            after_close("2026-02-11"),
            symbols=("fred:DFEDTARU",),
            fred_base_url=fred.url,
        )
        assert [r.cosd for r in fred.requests] == [None]
    with FakeFred({"DFEDTARU": values}) as fred:
        report = run(
            store,
            None,
            after_close("2026-02-12"),
            symbols=("fred:DFEDTARU",),
            fred_base_url=fred.url,
        )
        assert [r.cosd for r in fred.requests] == ["2026-02-04"]  # seven days back
    assert report.outcomes["fred:DFEDTARU"].status == "updated"
    assert store.read("fred:DFEDTARU")["value"].tolist() == [4.5, 4.5, 4.25, 4.25]


def test_revised_bars_replace_the_stored_ones_on_the_overlap(store, history):
    """The overlap exists to catch revisions: a revised bar's new values are what is kept."""
    stored_through(store, history, "2026-02-12", symbols=("IWM",))
    revised = history["IWM"].copy()
    # Late volume and a corrected high for two stored days; adj_close unchanged, so this is
    # a revision of a few bars, not a re-adjusted history.
    revised.loc["2026-02-10", "volume"] = 7_777_777.0
    revised.loc["2026-02-11", ["high", "volume"]] = [299.0, 8_888_888.0]
    session = FakeYahooSession({"IWM": revised})
    report = run(store, session, after_close("2026-02-13"), symbols=("IWM",))
    assert requested(session) == [("IWM", pd.Timestamp("2026-02-05").date())]  # 7 days back
    assert report.outcomes["IWM"].status == "updated"
    stored = store.read("IWM")
    assert stored.loc["2026-02-10", "volume"] == 7_777_777.0
    assert stored.loc["2026-02-11", "high"] == 299.0
    assert stored.loc["2026-02-11", "volume"] == 8_888_888.0
    # bars before the overlap are untouched, and no day is repeated
    assert stored.loc["2026-02-04", "volume"] == 1_000_000 + 1_000 * 22
    assert stored.index.is_unique and len(stored) == 30


def test_a_series_the_source_confirmed_recently_is_not_stale_by_its_fetch_date(store, history):
    """Staleness counts from the later of fetched_at and checked_at."""
    run(
        store,
        FakeYahooSession(upto(history, "2026-02-06")),
        after_close("2026-02-06"),  # a Friday
        symbols=("IWM",),
    )
    # The source was asked every evening since and had nothing newer (a lagging source).
    store.record_checked("IWM", checked_at=after_close("2026-02-12").isoformat())
    session = FakeYahooSession(history, faults={"IWM": "429"})
    report = run(store, session, after_close("2026-02-13"), symbols=("IWM",))
    assert report.outcomes["IWM"].status == "stale"
    report.raise_for_problems(max_stale_sessions=1)  # one session since it was confirmed
    with pytest.raises(
        StaleDataError, match=r"IWM: last refreshed 2026-02-13T00:00:00\+00:00 \(1 sessions ago"
    ):
        report.raise_for_problems(max_stale_sessions=0)


def test_a_series_neither_fetched_nor_confirmed_recently_is_too_stale(store, history):
    stored_through(store, history, "2026-02-06", symbols=("IWM",))
    session = FakeYahooSession(history, faults={"IWM": "429"})
    report = run(store, session, after_close("2026-02-13"), symbols=("IWM",))
    report.raise_for_problems(max_stale_sessions=5)  # Feb 9, 10, 11, 12, 13
    with pytest.raises(
        StaleDataError, match=r"IWM: last refreshed 2026-02-07T00:00:00\+00:00 \(5 sessions ago"
    ):
        report.raise_for_problems(max_stale_sessions=4)


# -- the report and the rules, at their edges -------------------------------------------------


def _prov(symbol, last_bar="2026-02-06", **fields):
    from conftest import make_provenance

    return make_provenance(symbol, last_bar, **fields)


def test_failures_are_one_line_each_and_offline_only_when_all_are_offline():
    from analysis.fetch.update import FAILED, OFFLINE, Outcome, UpdateReport

    report = UpdateReport(
        {
            "A": Outcome("A", FAILED, None, "A: boom"),
            "B": Outcome("B", OFFLINE, None, "not in the store, and offline mode fetches nothing"),
        }
    )
    with pytest.raises(DataError) as caught:
        report.raise_for_problems(None)
    assert type(caught.value) is DataError
    assert str(caught.value) == (
        "A: A: boom; B: not in the store, and offline mode fetches nothing"
    )
    assert [o.symbol for o in report.with_status(FAILED)] == ["A"]
    assert [o.symbol for o in report.with_status(FAILED, OFFLINE)] == ["A", "B"]
    report.raise_for_problems(None, allow_missing=True)


def test_every_stale_series_past_the_limit_is_named_with_its_last_error_if_any():
    from analysis.fetch.update import OFFLINE, STALE, Outcome, UpdateReport

    fetched = "2026-02-06T23:00:00+00:00"
    report = UpdateReport(
        {
            "A": Outcome("A", STALE, _prov("A", fetched_at=fetched), "A: HTTP 429"),
            "B": Outcome("B", OFFLINE, _prov("B", fetched_at=fetched)),
        },
        now=after_close("2026-02-10"),
    )
    with pytest.raises(StaleDataError) as caught:
        report.raise_for_problems(1)
    assert str(caught.value) == (
        f"A: last refreshed {fetched} (2 sessions ago, limit 1); last error: A: HTTP 429; "
        f"B: last refreshed {fetched} (2 sessions ago, limit 1)"
    )


def test_the_later_of_fetched_and_checked_is_compared_as_times_not_as_text():
    from analysis.fetch.update import STALE, Outcome, UpdateReport

    # 20:00 in New York is 01:00 UTC the next day: later, though it sorts first as text
    checked = "2026-02-09T20:00:00-05:00"
    prov = _prov("A", fetched_at="2026-02-09T23:00:00+00:00", checked_at=checked)
    report = UpdateReport({"A": Outcome("A", STALE, prov)}, now=after_close("2026-02-11"))
    with pytest.raises(StaleDataError, match=rf"^A: last refreshed {checked} \(2 sessions ago"):
        report.raise_for_problems(1)


def test_is_current_at_its_edges():
    from analysis.data.freshness import is_current

    close = session_close(pd.Timestamp("2026-02-12"))
    on_the_session = _prov("A", last_bar="2026-02-12")
    assert is_current(on_the_session, after_close("2026-02-12"))
    day_before = _prov("A", last_bar="2026-02-11")
    assert not is_current(day_before, after_close("2026-02-12"))
    settled = close + pd.Timedelta(hours=2)
    checked = _prov("A", last_bar="2026-02-11", checked_at=settled.isoformat())
    assert is_current(checked, settled + pd.Timedelta(minutes=1))
    too_early = settled - pd.Timedelta(seconds=1)
    early = _prov("A", last_bar="2026-02-11", checked_at=too_early.isoformat())
    assert not is_current(early, settled + pd.Timedelta(minutes=1))
    # a session passed in is the one used
    assert is_current(day_before, after_close("2026-02-12"), session=pd.Timestamp("2026-02-11"))


def test_fetch_times_are_kept_to_the_second(store, history):
    now = after_close("2026-02-12") + pd.Timedelta(microseconds=123456)
    run(store, FakeYahooSession(upto(history, "2026-02-12")), now, symbols=("IWM",))
    prov = store.provenance("IWM")
    assert prov.fetched_at == prov.checked_at == now.floor("s").isoformat()


def test_a_symbol_missing_from_the_batch_answer_is_an_empty_response(store, monkeypatch):
    from analysis.fetch.sources import yahoo

    monkeypatch.setattr(yahoo, "fetch_yahoo", lambda symbols, start, **options: {})
    report = run(store, None, after_close("2026-02-12"), symbols=("IWM",))
    assert (report.outcomes["IWM"].status, report.outcomes["IWM"].error) == (
        "failed",
        "IWM: no answer in the batch",
    )


def test_a_source_without_the_overlapping_bars_is_merged_not_refetched(store, history):
    stored_through(store, history, "2026-02-06", symbols=("IWM",))
    gapped = history["IWM"].loc["2026-02-09":]  # nothing the store already has
    session = FakeYahooSession({"IWM": gapped})
    run(store, session, after_close("2026-02-13"), symbols=("IWM",))
    assert requested(session) == [("IWM", pd.Timestamp("2026-01-30").date())]
    assert len(store.read("IWM")) == 30


def test_a_rounding_sized_change_in_adjusted_closes_is_not_a_readjustment(store, history):
    stored_through(store, history, "2026-02-12", symbols=("IWM",))
    nudged = history["IWM"].copy()
    nudged["adj_close"] = nudged["adj_close"] * (1 + 1e-8)  # below ADJUSTMENT_TOLERANCE
    session = FakeYahooSession({"IWM": nudged})
    run(store, session, after_close("2026-02-13"), symbols=("IWM",))
    assert requested(session) == [("IWM", pd.Timestamp("2026-02-05").date())]


def test_a_clock_time_without_a_zone_is_utc(store, history):
    aware = after_close("2026-02-12")
    report = run(store, FakeYahooSession(upto(history, "2026-02-12")), aware.tz_localize(None))
    assert report.now == aware
    assert store.provenance("IWM").fetched_at == aware.isoformat()


def test_without_a_clock_time_the_update_uses_now(store):
    report = run(store, None, None, mode=OFFLINE, symbols=("IWM",))
    assert abs(report.now - pd.Timestamp.now(tz="UTC")) < pd.Timedelta(minutes=5)


def test_outcomes_carry_symbol_status_provenance_and_where_fetching_started(store, history):
    from analysis.fetch.update import Outcome

    stored_through(store, history, "2026-02-12")
    prov = store.provenance("IWM")
    warm = run(store, FakeYahooSession(history), after_close("2026-02-12", hours=5))
    assert warm.outcomes["IWM"] == Outcome("IWM", "current", prov)
    offline = run(store, FakeYahooSession(history), after_close("2026-02-13"), mode=OFFLINE)
    assert offline.outcomes["IWM"] == Outcome("IWM", "offline", prov)
    nextday = run(store, FakeYahooSession(history), after_close("2026-02-13"))
    assert nextday.outcomes["IWM"].requested_from == pd.Timestamp("2026-02-05").date()


def test_the_retry_policy_and_wait_function_given_are_used(store, history):
    waits = []
    session = FakeYahooSession(history, faults={"IWM": "500"})
    report = update_series(
        ["IWM"],
        store=store,
        settings=Settings(data_dir=store.root),
        now=after_close("2026-02-13"),
        yahoo_session=session,
        progress=False,
        retry=RetryPolicy(attempts=3, base_delay=1.5, max_seconds=10.0),
        sleep=waits.append,
    )
    assert report.outcomes["IWM"].status == "failed"
    assert waits == [1.5, 3.0]  # three attempts, waited for with the function given


def test_a_corrupted_file_is_logged_and_its_outcome_keeps_the_reason(store, history, caplog):
    stored_through(store, history, "2026-02-12")
    (store.series_dir / store.provenance("IWM").data_file).write_bytes(b"garbage")
    with caplog.at_level("WARNING", logger="analysis.fetch.update"):
        report = run(store, FakeYahooSession(history), after_close("2026-02-13"))
    iwm = report.outcomes["IWM"]
    assert (iwm.symbol, iwm.status) == ("IWM", "updated")
    assert iwm.error.startswith("IWM: stored file does not match its checksum; quarantined to ")
    assert [r.getMessage() for r in caplog.records] == [iwm.error]


def test_every_readjusted_symbol_is_fetched_again_in_full(store, history):
    stored_through(store, history, "2026-02-12")
    readjusted = {s: f.assign(adj_close=f["close"] * 0.95) for s, f in history.items()}
    session = FakeYahooSession(readjusted)
    report = run(store, session, after_close("2026-02-13"))
    assert sorted(r for r in requested(session) if r[1] == "full") == [
        ("IWM", "full"),
        ("^RUT", "full"),
    ]
    for symbol in ("IWM", "^RUT"):
        prov = store.provenance(symbol)
        assert report.outcomes[symbol].status == "updated"
        assert report.outcomes[symbol].requested_from is None  # the whole history
        assert prov.source == "Yahoo Finance via yfinance"
        assert prov.fetched_at == after_close("2026-02-13").isoformat()


def test_yahoo_and_fred_series_in_one_update_and_fred_keeps_older_rows(store, history):
    values = pd.Series(
        [4.5, 4.5, 4.25, 4.0],
        index=pd.to_datetime(["2026-01-02", "2026-02-10", "2026-02-11", "2026-02-12"]),
        name="value",
    )
    with FakeFred({"DFEDTARU": values.iloc[:3]}) as fred:
        run(
            store,
            FakeYahooSession(upto(history, "2026-02-11")),
            after_close("2026-02-11"),
            symbols=("IWM", "fred:DFEDTARU"),
            fred_base_url=fred.url,
        )
    with FakeFred({"DFEDTARU": values.iloc[1:]}) as fred:  # answers from 2026-02-04 only
        report = run(
            store,
            FakeYahooSession(upto(history, "2026-02-12")),
            after_close("2026-02-12"),
            symbols=("IWM", "fred:DFEDTARU"),
            fred_base_url=fred.url,
        )
    assert {s: o.status for s, o in report.outcomes.items()} == {
        "IWM": "updated",
        "fred:DFEDTARU": "updated",
    }
    assert store.read("fred:DFEDTARU")["value"].tolist() == [4.5, 4.5, 4.25, 4.0]


def test_a_failing_fred_series_keeps_its_rows_and_says_why(store):
    values = pd.Series([4.5], index=pd.to_datetime(["2026-02-10"]), name="value")
    with FakeFred({"DFEDTARU": values}) as fred:
        run(
            store,
            None,
            after_close("2026-02-10"),
            symbols=("fred:DFEDTARU",),
            fred_base_url=fred.url,
        )
    with FakeFred({"DFEDTARU": values}, faults={"DFEDTARU": "500"}) as fred:
        report = run(
            store,
            None,
            after_close("2026-02-12"),
            symbols=("fred:DFEDTARU",),
            fred_base_url=fred.url,
        )
    outcome = report.outcomes["fred:DFEDTARU"]
    assert outcome.status == "stale" and "HTTP 500" in outcome.error
    assert store.provenance("fred:DFEDTARU").last_error == outcome.error
    assert store.read("fred:DFEDTARU")["value"].tolist() == [4.5]


def test_a_live_update_extends_an_imported_series_and_names_both_sources(store, history):
    imported = history["IWM"].loc[:"2026-02-11"]
    store.write("IWM", imported, source="imported from IWM.csv", notes=["adj_close copied"])
    for day in ("2026-02-12", "2026-02-13"):
        now = after_close(day)
        run(store, FakeYahooSession(upto(history, day)), now, symbols=("IWM",))
        prov = store.provenance("IWM")
        assert prov.source == "imported from IWM.csv; Yahoo Finance via yfinance"
        assert prov.notes == ["adj_close copied"]
        assert prov.fetched_at == prov.checked_at == now.isoformat()
        assert prov.last_bar == day


def test_a_failure_is_recorded_at_the_update_time(store, history):
    stored_through(store, history, "2026-02-12")
    now = after_close("2026-02-13")
    run(store, FakeYahooSession(history, faults={"IWM": "429"}), now, symbols=("IWM",))
    assert store.provenance("IWM").last_attempt_at == now.isoformat()


def test_a_fred_outcome_says_where_fetching_started(store):
    values = pd.Series([4.5, 4.25], index=pd.to_datetime(["2026-02-10", "2026-02-11"]))
    with FakeFred({"X": values.iloc[:1]}) as fred:
        run(store, None, after_close("2026-02-10"), symbols=("fred:X",), fred_base_url=fred.url)
    with FakeFred({"X": values}) as fred:
        report = run(
            store, None, after_close("2026-02-11"), symbols=("fred:X",), fred_base_url=fred.url
        )
    assert report.outcomes["fred:X"].requested_from == pd.Timestamp("2026-02-03").date()


def test_a_drift_of_exactly_the_tolerance_is_not_a_readjustment(store):
    # a share near $1,000,000 (such as BRK-A) moving by $1 drifts by exactly 1e-6
    bars = make_ohlcv("2026-01-02", 30, base=1_000_000.0, drift=0.0, adj_ratio=1.0)
    run(
        store,
        FakeYahooSession({"IWM": bars.loc[:"2026-02-12"]}),
        after_close("2026-02-12"),
        symbols=("IWM",),
    )
    moved = bars.copy()
    moved.loc["2026-02-12", "adj_close"] = 1_000_001.0
    session = FakeYahooSession({"IWM": moved})
    run(store, session, after_close("2026-02-13"), symbols=("IWM",))
    assert requested(session) == [("IWM", pd.Timestamp("2026-02-05").date())]
    assert store.read("IWM").loc["2026-02-12", "adj_close"] == 1_000_001.0
