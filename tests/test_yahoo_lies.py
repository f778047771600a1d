"""Yahoo as users meet it, on simulated time through yfinance's real parsing: blocks without
Retry-After, empty and truncated 200s, refused crumbs, false 404s; one deadline for the whole
fetch step; members that keep failing rest; and status that never hides members behind."""

from datetime import date

import pandas as pd
import pytest

from analysis.data.errors import EmptyResponseError, RateLimitedError
from analysis.data.frontmatter import find_posts
from analysis.data.sessions import session_close
from analysis.data.settings import Settings
from analysis.data.store import Store
from analysis.data.universe import load_universe
from analysis.fetch.member_states import backoff_days, resting
from analysis.fetch.sources.pacing import PacingPolicy, pacer_for, reset_pacers
from analysis.fetch.sources.yahoo import fetch_yahoo
from analysis.fetch.status import fetch_record, write_fetch_status
from analysis.fetch.universe import update_universe
from analysis.site.prerender import fetch_for_posts
from analysis.testing.fake_ishares import FakeHoldingsSession, holdings_csv
from analysis.testing.fake_yahoo import TRUNCATED_BARS, FakeYahooSession, RateLimit, make_ohlcv

DATA = make_ohlcv("2025-01-02", 30)  # 2 January to 13 February 2025
DAY_ONE = DATA.iloc[:-1]
NOW = session_close(DATA.index[-1]) + pd.Timedelta(hours=3)
MEMBERS = [f"M{i:02d}" for i in range(10)]
FOREVER = (0.0, 1e9)


@pytest.fixture
def one_a_second(simulated_time):
    reset_pacers(simulated_time, yahoo=PacingPolicy(rate=60, max_concurrency=1))
    return simulated_time


def stored(tmp_path, symbols, frame=DAY_ONE):
    store = Store(tmp_path)
    fetched = (session_close(frame.index[-1]) + pd.Timedelta(hours=3)).isoformat()
    for symbol in symbols:
        store.write(symbol, frame, source="Yahoo Finance via yfinance", fetched_at=fetched)
    return store


@pytest.mark.parametrize("style", ["empty", "truncated"])
def test_a_200_that_lies_while_throttled_is_throttling_not_data(one_a_second, style):
    session = FakeYahooSession({"IWM": DATA}, blocks=FOREVER, throttled_as=style)
    last = DAY_ONE.index[-1].date()
    results = fetch_yahoo(["IWM"], date(2025, 2, 5), session=session, known={"IWM": last})
    assert isinstance(results["IWM"], RateLimitedError)
    message = str(results["IWM"])
    if style == "empty":
        assert "answered 200 without price rows for a symbol that has data" in message
    else:
        cut = DATA.index[-1 - TRUNCATED_BARS].date()
        assert f"rows only up to {cut}, before the stored last bar {last}" in message
    stats = pacer_for("yahoo").stats()
    assert stats.rate_limited >= 1 and stats.rate < 60  # it slowed down


def test_an_empty_200_for_a_symbol_without_stored_rows_is_just_empty(one_a_second):
    session = FakeYahooSession({"IWM": DATA}, blocks=FOREVER, throttled_as="empty")
    results = fetch_yahoo(["IWM"], date(2025, 2, 5), session=session)
    # (The crumb's "Too Many Requests" slowed the pacer; the empty chart is taken as it is.)
    assert isinstance(results["IWM"], EmptyResponseError)
    assert not isinstance(results["IWM"], RateLimitedError)


def test_throttled_answers_lose_no_stored_bar_and_the_series_stays_behind(tmp_path, one_a_second):
    store = stored(tmp_path, MEMBERS)
    before = {s: store.read(s) for s in MEMBERS}
    session = FakeYahooSession(
        dict.fromkeys(MEMBERS, DATA), blocks=FOREVER, throttled_as="truncated"
    )
    report = update_universe(MEMBERS, store, Settings(data_dir=tmp_path), session, now=NOW)
    for symbol in MEMBERS:
        pd.testing.assert_frame_equal(store.read(symbol), before[symbol], check_freq=False)
        assert store.provenance(symbol).checked_at is None
    assert report.counts["complete"] == 0 and report.counts["behind_by"] == {"1": 10}
    assert report.failed == {}  # throttled is not failed


def test_a_401_window_is_asked_again_later_in_the_same_build(tmp_path, one_a_second):
    """Yahoo refuses the crumb for the first 20 s; those members are asked again at the end."""
    store = stored(tmp_path, MEMBERS)
    session = FakeYahooSession(dict.fromkeys(MEMBERS, DATA), unauthorized=(0.0, 20.0))
    report = update_universe(
        MEMBERS, store, Settings(data_dir=tmp_path), session, now=NOW, batch_size=5
    )
    assert report.failed == {} and report.not_reached == []
    assert report.counts["complete"] == len(MEMBERS)
    assert all(store.provenance(s).last_bar_date == DATA.index[-1] for s in MEMBERS)


def test_a_false_404_for_a_stored_symbol_is_asked_again_and_not_believed(tmp_path, one_a_second):
    store = stored(tmp_path, MEMBERS)
    session = FakeYahooSession(dict.fromkeys(MEMBERS, DATA), not_found=(0.0, 20.0))
    report = update_universe(
        MEMBERS, store, Settings(data_dir=tmp_path), session, now=NOW, batch_size=5
    )
    assert report.failed == {}
    assert report.counts["complete"] == len(MEMBERS)
    assert not any("does not know" in (o.error or "") for o in report.outcomes.values())


def test_one_deadline_bounds_the_whole_step_posts_included(tmp_path, one_a_second):
    """An hour-long block without Retry-After at the start of the build: the step ends by
    its deadline, no request leaves after it, nothing stored is lost, nothing is failed."""
    post = tmp_path / "posts" / "2025-02-10-a-week"
    post.mkdir(parents=True)
    (post / "index.qmd").write_text(
        '---\ndate: 2025-02-10\nseries: ["^RUT", "IWM"]\nuniverses: [IWM]\n---\n\nText.\n'
    )
    data = tmp_path / "data"
    store = stored(data, ["^RUT", "IWM", *MEMBERS])
    yahoo = FakeYahooSession(
        {"^RUT": DATA, "IWM": DATA, **dict.fromkeys(MEMBERS, DATA)}, blocks=(0.0, 3600.0)
    )
    started = one_a_second.now()
    budget = 600.0
    result = fetch_for_posts(
        find_posts(tmp_path / "posts"),
        Settings(data_dir=data, fetch_budget=budget),
        now=NOW,
        yahoo_session=yahoo,
        holdings_session=FakeHoldingsSession(holdings_csv(MEMBERS)),
    )
    assert one_a_second.now() - started <= budget
    assert max(yahoo.request_times) <= started + budget
    assert yahoo.rate_limited >= 1
    assert result.report.failed == []
    assert {o.status for o in result.report.outcomes.values()} <= {"not reached", "stale"}
    for symbol in ["^RUT", "IWM", *MEMBERS]:
        assert store.provenance(symbol).rows == len(DAY_ONE)
    members = result.members["IWM"]
    assert members.failed == {} and len(members.not_reached) == len(MEMBERS)


def test_a_long_block_is_given_up_on_for_the_build_and_said(tmp_path, one_a_second):
    store = stored(tmp_path, MEMBERS)
    yahoo = FakeYahooSession(dict.fromkeys(MEMBERS, DATA), blocks=(0.0, 4 * 3600.0))
    started = one_a_second.now()
    report = update_universe(
        MEMBERS, store, Settings(data_dir=tmp_path, fetch_budget=2400.0), yahoo, now=NOW
    )
    assert one_a_second.now() - started <= 20 * 60  # 15 minutes of probing, then it stops
    assert "given up until the next build" in report.gave_up
    assert report.summary().endswith(report.gave_up)
    assert report.failed == {} and len(report.not_reached) == len(MEMBERS)


def test_a_member_that_keeps_failing_rests_and_goes_last(tmp_path, one_a_second):
    assert [backoff_days(n) for n in range(1, 8)] == [0, 2, 4, 8, 16, 16, 16]
    today = NOW.date()
    assert resting({"days": 3, "last": str(today - pd.Timedelta(days=3))}, today)
    assert not resting({"days": 3, "last": str(today - pd.Timedelta(days=4))}, today)
    store = Store(tmp_path)
    session = FakeYahooSession({"OK": DATA, "LATE": DATA})
    failing = {
        "BAD": {"since": "2025-02-01", "days": 3, "last": str(today), "reason": "BAD: no"},
        "LATE": {"since": "2025-02-01", "days": 3, "last": "2025-01-01", "reason": "LATE: no"},
    }
    report = update_universe(
        ["BAD", "LATE", "OK"],
        store,
        Settings(data_dir=tmp_path),
        session,
        now=NOW,
        failing=failing,
        batch_size=1,  # one download each: the order asked is the order sent
    )
    assert [r.symbol for r in session.chart_requests] == ["OK", "LATE"]  # BAD rests, LATE last
    assert report.outcomes["BAD"].status == "backing off"
    assert report.counts["failing"] == 1 and report.counts["complete"] == 2
    assert report.failing == {"BAD": failing["BAD"]}  # LATE recovered: forgotten


def test_the_page_says_members_with_data_are_behind(tmp_path):
    store = stored(tmp_path, MEMBERS)
    report_counts = {"behind_by": {"1": 4}, "not_reached": 4}
    write_fetch_status(
        tmp_path,
        {**fetch_record({}, seconds=1.0, budget=1.0), "universes": {"IWM": report_counts}},
    )
    universe = load_universe(store, MEMBERS)
    coverage = universe.coverage(DAY_ONE.index[-1])
    assert coverage.filling
    assert coverage.describe() == (
        "10 of 10 members with data, 4 of them not yet updated to the last session "
        "(the next builds bring them up to date)"
    )


def test_an_hourly_quota_leaves_members_behind_and_status_says_so(tmp_path, one_a_second):
    store = stored(tmp_path, MEMBERS)
    yahoo = FakeYahooSession(dict.fromkeys(MEMBERS, DATA), rate_limit=RateLimit(600, per_hour=12))
    report = update_universe(
        MEMBERS, store, Settings(data_dir=tmp_path, fetch_budget=600.0), yahoo, now=NOW
    )
    counts = report.counts
    assert 0 < counts["complete"] < len(MEMBERS)
    assert counts["behind_by"] == {"1": len(MEMBERS) - counts["complete"]}
    assert f"{len(MEMBERS) - counts['complete']} behind (" in report.summary()
