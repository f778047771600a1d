"""A build's fetch: posts' series first, then members most behind first until the budget runs
out; the next build resumes where it stopped; a build killed part way keeps what it stored."""

import os
import subprocess
import sys
import textwrap
from collections import Counter

import pandas as pd
import pytest

from analysis.data.frontmatter import find_posts
from analysis.data.sessions import session_close
from analysis.data.settings import Settings
from analysis.data.store import Store
from analysis.fetch.sources.pacing import PacingPolicy, reset_pacers
from analysis.fetch.universe import fetch_order, update_universe
from analysis.site.prerender import fetch_for_posts
from analysis.testing.fake_ishares import FakeHoldingsSession, holdings_csv
from analysis.testing.fake_yahoo import FakeYahooSession, make_ohlcv

MEMBERS = [f"M{i:02d}" for i in range(40)]
DATA = make_ohlcv("2025-01-02", 30)
NOW = session_close(DATA.index[-1]) + pd.Timedelta(hours=3)


@pytest.fixture
def one_a_second(simulated_time):
    """Yahoo paced at 60 requests a minute, one at a time, on simulated time."""
    reset_pacers(simulated_time, yahoo=PacingPolicy(rate=60, max_concurrency=1))
    return simulated_time


def settings_for(root, budget):
    return Settings(data_dir=root, fetch_budget=budget)


def members_asked(session):
    return [r.symbol for r in session.chart_requests if r.symbol in MEMBERS]


def test_posts_series_are_fetched_before_any_member_and_share_the_deadline(tmp_path, one_a_second):
    """One deadline for the whole fetch step: with none left, not even the posts' series
    are asked (they are "not reached", not failed); with a little, they go first."""
    post = tmp_path / "posts" / "2026-01-10-a-week"
    post.mkdir(parents=True)
    (post / "index.qmd").write_text(
        '---\ndate: 2026-01-10\nseries: ["^RUT", "IWM"]\nuniverses: [IWM]\n---\n\nText.\n'
    )
    yahoo = FakeYahooSession({"^RUT": DATA, "IWM": DATA, **dict.fromkeys(MEMBERS, DATA)})
    cases = ((0.0, "not reached", 0), (10.0, "updated", 0), (1e9, "updated", len(MEMBERS)))
    for budget, posts_status, members_expected in cases:
        data = tmp_path / f"data-{budget:g}"
        yahoo.chart_requests.clear()
        started = one_a_second.now()
        result = fetch_for_posts(
            find_posts(tmp_path / "posts"),
            settings_for(data, budget),
            now=NOW,
            yahoo_session=yahoo,
            holdings_session=FakeHoldingsSession(holdings_csv(MEMBERS)),
        )
        assert one_a_second.now() - started <= max(budget, 0.0) + 1.0 or budget > 1e6
        asked = [r.symbol for r in yahoo.chart_requests]
        if posts_status == "updated":
            assert asked[:2] == ["^RUT", "IWM"] or asked[:2] == ["IWM", "^RUT"]
        else:
            assert asked == []
        assert len(members_asked(yahoo)) == members_expected
        assert [o.status for o in result.report.outcomes.values()] == [posts_status] * 2
        assert result.report.failed == []
        report = result.members.get("IWM")
        if report is not None:
            assert len(report.not_reached) == len(MEMBERS) - members_expected
            assert report.failed == {}


def test_a_budget_stops_the_fetch_and_the_next_build_resumes_without_loss_or_repeat(
    tmp_path, one_a_second
):
    store = Store(tmp_path)
    settings = settings_for(tmp_path, budget=15.0)
    asked_per_build, with_data = [], []
    for _build in range(10):
        yahoo = FakeYahooSession(dict.fromkeys(MEMBERS, DATA))
        report = update_universe(MEMBERS, store, settings, yahoo, now=NOW, batch_size=5)
        asked_per_build.append(members_asked(yahoo))
        with_data.append(len(report.with_data))
        assert report.failed == {}
        assert len(report.with_data) + len(report.not_reached) == len(MEMBERS)
        if not report.not_reached:
            break
    # Each build stopped at the budget (15 s at one request a second: a few batches of five),
    # kept everything it had, and the next went on from there.
    assert all(0 < len(asked) <= 20 for asked in asked_per_build)
    assert with_data == sorted(with_data) and with_data[-1] == len(MEMBERS)
    assert len(asked_per_build) > 2
    # Every member was asked exactly once over all the builds, build by build in the
    # holdings' order (yfinance may send one batch's requests in any order).
    everything = [s for asked in asked_per_build for s in asked]
    assert Counter(everything) == Counter(MEMBERS)
    assert [s for asked in asked_per_build for s in sorted(asked)] == MEMBERS


def test_members_most_behind_come_first(tmp_path):
    store = Store(tmp_path)
    store.write("M01", DATA.iloc[:-1], source="test")  # one bar behind
    store.write("M02", DATA.iloc[:-5], source="test")  # five behind
    store.write("M03", DATA, source="test")  # complete
    order = fetch_order(store, ["M01", "M02", "M03", "M04", "M05"])
    assert order == ["M04", "M05", "M02", "M01", "M03"]


def test_the_budget_counts_from_the_start_of_the_build(tmp_path, one_a_second):
    settings = settings_for(tmp_path, budget=60.0)
    one_a_second.sleep(61)  # the posts' series took longer than the budget already
    started = one_a_second.now() - 61
    yahoo = FakeYahooSession(dict.fromkeys(MEMBERS, DATA))
    report = update_universe(MEMBERS, Store(tmp_path), settings, yahoo, now=NOW, started=started)
    assert members_asked(yahoo) == []
    assert report.not_reached == MEMBERS


KILLED_RUN = textwrap.dedent("""\
    import os, signal, sys
    import pandas as pd
    from analysis.data.clock import SimulatedClock
    from analysis.data.sessions import session_close
    from analysis.data.settings import Settings
    from analysis.fetch.sources.pacing import reset_pacers
    from analysis.data.store import Store
    from analysis.fetch.universe import update_universe
    from analysis.testing.fake_yahoo import FakeYahooSession, make_ohlcv

    reset_pacers(SimulatedClock())
    root, members, kill_after = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3])
    data = make_ohlcv("2025-01-02", 30)
    now = session_close(data.index[-1]) + pd.Timedelta(hours=3)
    real_write, writes = Store.write, []

    def write_then_die(self, symbol, *args, **kwargs):
        result = real_write(self, symbol, *args, **kwargs)
        writes.append(symbol)
        print(symbol, flush=True)
        if len(writes) == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    Store.write = write_then_die
    update_universe(members, Store(root), Settings(data_dir=root), FakeYahooSession(
        dict.fromkeys(members, data)), now=now, batch_size=5)
""")


def test_a_sigkill_mid_universe_loses_nothing_already_stored(tmp_path):
    root = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, str(root), ",".join(MEMBERS), "13"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
        timeout=300,
    )
    assert done.returncode == -9, done.stderr
    stored_before = done.stdout.split()
    assert len(stored_before) == 13
    store = Store(root)
    for symbol in stored_before:
        pd.testing.assert_frame_equal(store.read(symbol), DATA, check_freq=False)
    # The next build asks only for what the killed one had not stored.
    yahoo = FakeYahooSession(dict.fromkeys(MEMBERS, DATA))
    report = update_universe(MEMBERS, store, Settings(data_dir=root), yahoo, now=NOW)
    assert sorted(members_asked(yahoo)) == sorted(set(MEMBERS) - set(stored_before))
    assert report.with_data == MEMBERS


def test_a_cold_universe_costs_about_one_request_per_member(tmp_path):
    from analysis.fetch.universe import refresh_iwm_universe

    on_nyse = FakeHoldingsSession(holdings_csv(MEMBERS, exchange="New York Stock Exchange Inc."))
    yahoo = FakeYahooSession(dict.fromkeys(MEMBERS, DATA))
    _, report = refresh_iwm_universe(
        settings_for(tmp_path, budget=1e9),
        holdings_session=on_nyse,
        yahoo_session=yahoo,
        now=NOW,
    )
    assert report.with_data == MEMBERS
    # The holdings file says where each member trades, so yfinance skips its timezone probe:
    # one price request per member, plus the cookie and crumb handshake once.
    assert yahoo.tz_requests == []
    assert sorted(members_asked(yahoo)) == MEMBERS
    assert len(yahoo.requests_made) <= len(MEMBERS) + 3


def test_a_member_on_an_unknown_exchange_still_gets_its_timezone_probe(tmp_path):
    from analysis.fetch.universe import refresh_iwm_universe

    abroad = FakeHoldingsSession(holdings_csv(MEMBERS[:3], exchange="Xetra"))
    yahoo = FakeYahooSession(dict.fromkeys(MEMBERS[:3], DATA))
    _, report = refresh_iwm_universe(
        settings_for(tmp_path, budget=1e9), holdings_session=abroad, yahoo_session=yahoo, now=NOW
    )
    assert report.with_data == MEMBERS[:3]
    assert sorted(yahoo.tz_requests) == MEMBERS[:3]


def test_a_block_longer_than_the_budget_leaves_members_not_reached_not_failed(
    tmp_path, one_a_second
):
    from analysis.testing.fake_yahoo import RateLimit

    store = Store(tmp_path)
    blocking = RateLimit(30, burst=5, retry_after=False, penalty_minutes=10)
    yahoo = FakeYahooSession(dict.fromkeys(MEMBERS, DATA), rate_limit=blocking)
    started = one_a_second.now()
    report = update_universe(
        MEMBERS, store, settings_for(tmp_path, budget=120.0), yahoo, now=NOW, batch_size=5
    )
    # The block came, the pacer paused, and rather than wait past the budget it stopped.
    assert yahoo.rate_limited >= 1
    assert one_a_second.now() - started <= 120.0
    assert report.failed == {}
    assert 0 < len(report.with_data) < len(MEMBERS)
    assert set(report.not_reached) == set(MEMBERS) - set(report.with_data)
