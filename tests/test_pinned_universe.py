"""Universes read at a date: the holdings of that day, members fetched up to it and never again,
members Yahoo no longer serves, any iShares fund, and a fingerprint that follows what is read."""

import datetime

import pandas as pd
import pytest

from analysis.data.errors import MalformedDataError, NotPublishedError, SourceError
from analysis.data.frontmatter import find_posts
from analysis.data.funds import BUILT_IN, configured_funds, fund_for
from analysis.data.sessions import session_close
from analysis.data.settings import Settings
from analysis.data.store import Store
from analysis.data.universe import load_universe
from analysis.data.universe_reads import UniverseRead, member_state, universe_reads
from analysis.data.unserved import read_unserved
from analysis.fetch.holdings import candidate_dates, fetch_holdings
from analysis.fetch.sources.pacing import PacingPolicy, reset_pacers
from analysis.fetch.universe_plan import plan_universes
from analysis.site.fingerprint import FingerprintInputs
from analysis.site.prerender import fetch_for_posts
from analysis.testing.builds import add_bar
from analysis.testing.fake_ishares import FakeISharesSite
from analysis.testing.fake_yahoo import FakeYahooSession, make_ohlcv

# Bars from June 2024 to late March 2025; the pinned post reads as of Wednesday 15 January.
DATA = make_ohlcv("2024-06-03", 205)
NEXT_DAY = make_ohlcv("2024-06-03", 206)
NOW = session_close(DATA.index[-1]) + pd.Timedelta(hours=3)
NEXT_NOW = session_close(NEXT_DAY.index[-1]) + pd.Timedelta(hours=3)
AS_OF = pd.Timestamp("2025-01-15")
DECEMBER = [f"D{i:02d}" for i in range(12)]  # members of 31 December 2024
TODAY = [*DECEMBER[:8], "N01", "N02"]  # today's members: four left, two joined
SMALL = [f"S{i:02d}" for i in range(6)]  # IJR members on the as-of day itself
IWM_FILES = {"2024-11-29": DECEMBER[:10], "2024-12-31": DECEMBER, "2025-03-31": TODAY}
IJR_FILES = {"2024-12-31": SMALL[:5], "2025-01-15": SMALL}


@pytest.fixture(autouse=True)
def one_a_second(simulated_time):
    reset_pacers(simulated_time, yahoo=PacingPolicy(rate=6000, max_concurrency=1))
    return simulated_time


def write_post(root, folder, *, universes, window=True):
    post = root / "posts" / folder
    post.mkdir(parents=True)
    pinned = "date: 2025-01-18\nwindow:\n  base: 2024-12-31\n  as-of: 2025-01-15\n"
    dated = pinned if window else "date: 2025-03-28\n"
    (post / "index.qmd").write_text(
        f"---\n{dated}series: []\nuniverses: [{', '.join(universes)}]\n---\n\nText.\n"
    )
    return post


def build(root, site, yahoo, now=NOW):
    settings = Settings(data_dir=root / "data", fetch_budget=1e9)
    return fetch_for_posts(
        find_posts(root / "posts"),
        settings,
        now=now,
        yahoo_session=yahoo,
        holdings_session=site,
    )


def member_requests(yahoo, members):
    return [r for r in yahoo.chart_requests if r.symbol in members]


@pytest.fixture
def world():
    site = FakeISharesSite({"IWM": IWM_FILES, "IJR": IJR_FILES})
    yahoo = FakeYahooSession(dict.fromkeys([*DECEMBER, *TODAY, *SMALL], DATA))
    return site, yahoo


def test_a_pinned_universe_reads_the_holdings_of_its_date_not_todays(tmp_path, world):
    site, yahoo = world
    write_post(tmp_path, "2025-01-18-pinned", universes=["IWM"])
    result = build(tmp_path, site, yahoo)
    # The day itself is not published: iShares' empty answer, then the month end before it.
    assert site.asked("IWM") == ["20250115", "20241231"]
    store = Store(tmp_path / "data")
    universe = load_universe(store, fund="IWM", as_of=AS_OF)
    assert universe.holdings_as_of == pd.Timestamp("2024-12-31")
    assert universe.members == DECEMBER
    assert universe.closes.index[-1] == AS_OF
    # Members are fetched up to the as-of day and no further; today's newcomers not at all.
    asked = member_requests(yahoo, [*DECEMBER, *TODAY])
    assert sorted(r.symbol for r in asked) == sorted(DECEMBER)
    assert all(r.end == datetime.date(2025, 1, 16) for r in asked)
    assert store.provenance("D00").last_bar == "2025-01-15"
    assert "holdings of 2024-12-31 (read at 2025-01-15)" in result.universes["IWM 2025-01-15"]


def test_a_second_days_build_sends_no_member_or_holdings_request(tmp_path, world):
    site, yahoo = world
    write_post(tmp_path, "2025-01-18-pinned", universes=["IWM"])
    build(tmp_path, site, yahoo)
    yahoo.chart_requests.clear()
    site.requests.clear()
    yahoo.series.update(dict.fromkeys(DECEMBER, NEXT_DAY))
    result = build(tmp_path, site, yahoo, now=NEXT_NOW)
    assert yahoo.chart_requests == []
    assert site.requests == []
    assert "nothing to fetch" in result.universes["IWM 2025-01-15"]
    (state,) = plan_universes(find_posts(tmp_path / "posts"), Store(tmp_path / "data"))
    assert state.settled and len(state.complete) == len(DECEMBER)


def test_a_member_yahoo_no_longer_serves_is_counted_named_and_not_retried(tmp_path, world):
    site, yahoo = world
    gone = DECEMBER[-1]
    del yahoo.series[gone]  # acquired since: Yahoo answers 404, "symbol may be delisted"
    write_post(tmp_path, "2025-01-18-pinned", universes=["IWM"])
    result = build(tmp_path, site, yahoo)
    store = Store(tmp_path / "data")
    assert list(read_unserved(store)) == [gone]
    universe = load_universe(store, fund="IWM", as_of=AS_OF)
    assert universe.unserved_note() == (
        "1 of 12 members is no longer served by Yahoo and is left out"
    )
    assert list(universe.unserved) == [gone]
    # It still counts among the members: coverage is measured against all twelve.
    coverage = universe.coverage(AS_OF)
    assert (coverage.expected, coverage.closing) == (12, 11)
    assert "1 no longer served by Yahoo" in result.universes["IWM 2025-01-15"]
    # A later build that has another member to fetch still does not ask for it.
    store.write("D00", store.read("D00").iloc[:-3], source="test")
    yahoo.chart_requests.clear()
    build(tmp_path, site, yahoo, now=NEXT_NOW)
    assert [r.symbol for r in member_requests(yahoo, DECEMBER)] == ["D00"]


def test_any_ishares_fund_works_and_its_own_day_is_used_when_published(tmp_path, world):
    site, yahoo = world
    write_post(tmp_path, "2025-01-18-small", universes=["IJR"])
    build(tmp_path, site, yahoo)
    assert site.asked("IJR") == ["20250115"]  # published on the day: one request
    assert site.asked("IWM") == []
    universe = load_universe(Store(tmp_path / "data"), fund="IJR", as_of=AS_OF)
    assert universe.holdings_as_of == AS_OF
    assert universe.with_data == SMALL


def test_a_live_post_reads_todays_holdings_and_latest_bars(tmp_path, world):
    site, yahoo = world
    write_post(tmp_path, "2025-03-28-live", universes=["IWM"], window=False)
    build(tmp_path, site, yahoo)
    assert site.asked("IWM") == [None]
    store = Store(tmp_path / "data")
    assert load_universe(store, fund="IWM").members == TODAY
    assert store.provenance("N01").last_bar == DATA.index[-1].date().isoformat()


def test_pinned_and_live_readers_are_planned_apart(tmp_path, world):
    write_post(tmp_path, "2025-01-18-pinned", universes=["IWM"])
    write_post(tmp_path, "2025-03-28-live", universes=["IWM"], window=False)
    reads = universe_reads(find_posts(tmp_path / "posts"))
    assert list(reads) == [UniverseRead("IWM"), UniverseRead("IWM", AS_OF)]


def test_a_member_both_reads_share_is_requested_once(tmp_path, world):
    site, yahoo = world
    write_post(tmp_path, "2025-01-18-pinned", universes=["IWM"])
    write_post(tmp_path, "2025-03-28-live", universes=["IWM"], window=False)
    build(tmp_path, site, yahoo)
    asked = [r.symbol for r in member_requests(yahoo, [*DECEMBER, *TODAY])]
    assert sorted(asked) == sorted(set(DECEMBER) | set(TODAY))


def test_a_pinned_post_is_not_re_executed_by_a_members_new_bar_a_live_post_is(tmp_path, world):
    site, yahoo = world
    pinned = write_post(tmp_path, "2025-01-18-pinned", universes=["IWM"])
    live = write_post(tmp_path, "2025-03-28-live", universes=["IWM"], window=False)
    build(tmp_path, site, yahoo)
    store = Store(tmp_path / "data")
    posts = {p.path.parent: p for p in find_posts(tmp_path / "posts")}

    def prints():
        inputs = FingerprintInputs(store, tmp_path)
        return {folder: inputs.fingerprint(post).digest for folder, post in posts.items()}

    before = prints()
    for member in DECEMBER[:8]:  # members of both files, stored up to today by the live read
        add_bar(store, member)
    after = prints()
    assert after[pinned] == before[pinned]
    assert after[live] != before[live]
    # A revised bar inside the window does move the pinned post.
    frame = store.read("D00")
    frame.loc[AS_OF, "adj_close"] *= 1.01
    store.write("D00", frame, source="test")
    assert prints()[pinned] != after[pinned]


def test_the_fake_site_answers_an_unpublished_day_and_an_unknown_fund_as_ishares_does():
    site = FakeISharesSite({"IWM": IWM_FILES})
    iwm = fund_for("IWM")
    assert fetch_holdings(iwm.holdings_url(), session=site).as_of == pd.Timestamp("2025-03-31")
    november = fetch_holdings(iwm.holdings_url("2024-11-29"), session=site)
    assert november.symbols == DECEMBER[:10]
    with pytest.raises(NotPublishedError, match="no file for that date"):
        fetch_holdings(iwm.holdings_url("2025-01-15"), session=site)
    with pytest.raises(SourceError, match="HTTP 404"):
        fetch_holdings(fund_for("IJR").holdings_url(), session=site)
    assert "asOfDate=20250115" in iwm.holdings_url(AS_OF)
    assert iwm.holdings_url().startswith(BUILT_IN["IWM"] + "/1467271812596.ajax?fileType=csv")


def test_candidate_dates_are_the_day_then_the_last_sessions_of_earlier_months():
    assert candidate_dates(pd.Timestamp("2025-01-15"), 3) == [
        pd.Timestamp("2025-01-15"),
        pd.Timestamp("2024-12-31"),
        pd.Timestamp("2024-11-29"),  # the 30th is a Saturday
        pd.Timestamp("2024-10-31"),
    ]


def test_funds_come_from_research_yml_or_the_built_in_table(tmp_path):
    research = tmp_path / "research.yml"
    research.write_text(
        "funds:\n  IJH: https://www.ishares.com/us/products/239763/ishares-core-sp-midcap-etf\n"
    )
    configured = configured_funds(research)
    assert (
        fund_for("IJH", configured)
        .holdings_url("2025-01-31")
        .endswith("fileName=IJH_holdings&dataType=fund&asOfDate=20250131")
    )
    assert fund_for("IJR", configured).product_page == BUILT_IN["IJR"]
    with pytest.raises(MalformedDataError, match=r"under 'funds:' in research\.yml"):
        fund_for("XYZ", configured)
    research.write_text("funds:\n  IJH: not a page\n")
    with pytest.raises(ValueError, match="'funds' must map fund tickers"):
        configured_funds(research)


def test_status_of_a_read_before_any_fetch_says_what_the_next_build_fetches(tmp_path):
    from analysis.fetch.universe_plan import next_fetch

    state = member_state(Store(tmp_path), UniverseRead("IWM", AS_OF))
    assert not state.settled
    assert next_fetch(state) == "the IWM holdings file of 2025-01-15, then its members"


def test_status_shows_each_read_its_holdings_members_and_next_fetch(
    tmp_path, world, monkeypatch, capsys
):
    from analysis import cli

    site, yahoo = world
    del yahoo.series[DECEMBER[-1]]
    write_post(tmp_path, "2025-01-18-pinned", universes=["IWM"])
    write_post(tmp_path, "2025-03-28-live", universes=["IWM"], window=False)
    build(tmp_path, site, yahoo)
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(tmp_path / "data"))
    code = cli.main(["status", "--format", "markdown", "--posts-dir", str(tmp_path / "posts")])
    out = capsys.readouterr().out
    assert code == 0
    assert "### Universes" in out
    # Status reads the real clock, over a month after the member was last asked.
    assert (
        "| IWM | 2025-01-15 | 2024-12-31 | 12 | 11 | 11 | 1 | "
        "1 no longer served, asked again after a month |"
    ) in out
    # The live read is judged against the real clock, long after the fake's last bar.
    assert "| IWM | today (live) | 2025-03-31 | 10 | 10 | 0 | 0 | " in out
    assert "today's IWM holdings file, 10 members (latest bars) |" in out


def test_a_recent_day_without_a_file_is_asked_again_an_old_one_is_not(tmp_path, monkeypatch):
    from analysis.data.holdings import unpublished_dates
    from analysis.fetch.holdings import get_holdings

    recent = pd.Timestamp.now().normalize() - pd.Timedelta(days=2)
    site = FakeISharesSite({"IWM": {"2024-12-31": DECEMBER}})
    settings = Settings(data_dir=tmp_path)
    store = Store(tmp_path)
    for day in (AS_OF, recent):
        get_holdings(settings, fund="IWM", as_of=day, store=store, session=site)
    assert AS_OF in unpublished_dates(store)
    assert recent not in unpublished_dates(store)  # perhaps only late: asked again
    site.requests.clear()
    for day in (AS_OF, recent):
        assert get_holdings(settings, fund="IWM", as_of=day, store=store, session=site).as_of == (
            pd.Timestamp("2024-12-31")
        )
    assert site.asked("IWM")[0] == f"{recent:%Y%m%d}"
    assert f"{AS_OF:%Y%m%d}" not in site.asked("IWM")


def test_a_later_file_than_asked_for_is_kept_but_never_read_as_that_days(tmp_path):
    from analysis.fetch.holdings import get_holdings
    from analysis.testing.fake_ishares import FakeHoldingsSession, holdings_csv

    # A download that ignores asOfDate and always sends the latest file.
    latest = FakeHoldingsSession(holdings_csv(TODAY, as_of="Mar 31, 2025"))
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(NotPublishedError, match="no IWM holdings file on 2025-01-15"):
        get_holdings(settings, fund="IWM", as_of=AS_OF, store=Store(tmp_path), session=latest)
    assert load_universe(Store(tmp_path), fund="IWM", as_of=AS_OF).members == []


def test_a_member_no_longer_served_is_asked_again_after_a_month_and_not_before(tmp_path, world):
    site, yahoo = world
    gone = DECEMBER[-1]
    del yahoo.series[gone]  # Yahoo answers 404: perhaps delisted, perhaps one of its incidents
    write_post(tmp_path, "2025-01-18-pinned", universes=["IWM"])
    build(tmp_path, site, yahoo)
    store = Store(tmp_path / "data")
    assert list(read_unserved(store)) == [gone]

    def asked(days):
        yahoo.chart_requests.clear()
        build(tmp_path, site, yahoo, now=NOW + pd.Timedelta(days=days))
        return [r.symbol for r in member_requests(yahoo, DECEMBER)]

    assert asked(29) == []
    assert set(asked(30)) == {gone}  # a month on: asked once more, still unknown
    assert asked(31) == []  # the month counts again from that answer
    yahoo.series[gone] = DATA  # the incident is over: Yahoo serves it again
    assert set(asked(60)) == {gone}
    assert store.provenance(gone) is not None
    universe = load_universe(store, fund="IWM", as_of=AS_OF)
    assert universe.unserved == {}
    assert gone in universe.with_data


@pytest.mark.parametrize(
    ("since_asked", "due"),
    [
        (pd.Timedelta(days=30) - pd.Timedelta(seconds=1), False),
        (pd.Timedelta(days=30), True),
        (pd.Timedelta(days=30) + pd.Timedelta(seconds=1), True),
    ],
)
def test_a_recorded_member_is_due_again_exactly_thirty_days_after_it_was_asked(since_asked, due):
    from analysis.data.unserved import RECHECK_AFTER, due_for_recheck

    assert pd.Timedelta(days=30) == RECHECK_AFTER
    asked = "2025-01-16T02:00:00+00:00"
    entry = {"since": "2024-12-01T02:00:00+00:00", "asked": asked, "reason": "404"}
    assert due_for_recheck(entry, pd.Timestamp(asked) + since_asked) is due
    # An entry written before ``asked`` was kept counts from ``since``.
    assert due_for_recheck({"since": asked}, pd.Timestamp(asked) + since_asked) is due
