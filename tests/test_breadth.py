import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis.metrics.breadth import (
    BreadthReading,
    calc_breadth_claim,
    calc_highest_since,
    to_breadth,
)

NAN = np.nan


def _days(n, start="2024-01-02"):
    return pd.bdate_range(start, periods=n, name="date")


@pytest.fixture
def small_universe():
    # Hand-computed with window=3 (see test_small_universe_by_hand):
    #   A  ordinary member
    #   B  a gap on day 2 (the average skips it) and a close equal to its average on day 4
    #   C  listed on day 4: fewer than 3 bars until day 6
    #   D  flat price (never above its own average) and no close on day 5
    return pd.DataFrame(
        {
            "A": [1, 2, 3, 4, 2, 5],
            "B": [10, NAN, 8, 9, 7, 6],
            "C": [NAN, NAN, NAN, 5, 6, 7],
            "D": [3, 3, 3, 3, NAN, 3],
        },
        index=_days(6),
        dtype="float64",
    )


def test_small_universe_by_hand(small_universe):
    # SMA3 A: -, -, 2, 3, 3, 11/3  -> above on days 3, 4, 6
    # SMA3 B over valid bars 10, 8, 9, 7, 6: day 4 = 9 (close 9, not above), day 5 = 8, day 6 = 22/3
    # C counts from day 6: SMA 6, close 7 -> above
    # D: SMA 3 = close 3 -> counted, never above; not counted on day 5 (no close)
    out = to_breadth(small_universe, window=3)
    assert list(out.columns) == ["pct_above", "members_above", "members_counted"]
    assert out["members_counted"].tolist() == [0, 0, 2, 3, 2, 4]
    assert out["members_above"].tolist() == [0, 0, 1, 1, 0, 2]
    expected = [NAN, NAN, 50.0, 100 / 3, 0.0, 50.0]
    np.testing.assert_allclose(out["pct_above"].to_numpy(), expected, equal_nan=True)
    assert out.index.equals(small_universe.index)


def test_does_not_mutate_input(small_universe):
    before = small_universe.copy()
    to_breadth(small_universe, window=3)
    pd.testing.assert_frame_equal(small_universe, before)


def test_window_200_members_with_short_history_and_gaps():
    n = 250
    rows = np.arange(n, dtype="float64")
    gappy = 100 + rows
    gappy[rows % 5 == 0] = NAN  # 50 missing bars: the 200th valid close is on the last day
    closes = pd.DataFrame(
        {
            "RISE": 10 + rows,  # always above its average once it has 200 bars
            "FALL": 500 - rows,  # always below
            "SHORT": np.r_[np.full(100, NAN), 50 + rows[:150]],  # only 150 bars
            "GAPPY": gappy,
        },
        index=_days(n),
    )
    out = to_breadth(closes)
    assert out["members_counted"].iloc[:199].eq(0).all()
    assert out["pct_above"].iloc[:199].isna().all()
    assert out["members_counted"].iloc[199:249].eq(2).all()
    assert out["pct_above"].iloc[199:249].eq(50.0).all()
    assert out["members_counted"].iloc[-1] == 3
    assert out["pct_above"].iloc[-1] == pytest.approx(200 / 3)


def test_infinite_close_is_treated_as_missing():
    closes = pd.DataFrame({"A": [1.0, 2.0, np.inf, 3.0]}, index=_days(4))
    out = to_breadth(closes, window=2)
    # valid bars 1, 2, 3: day 2 -> 2 > 1.5, day 3 not counted, day 4 -> 3 > 2.5
    assert out["members_counted"].tolist() == [0, 1, 0, 1]
    assert out["pct_above"].tolist()[1] == 100.0
    assert out["pct_above"].tolist()[3] == 100.0


def test_unsorted_dates_are_rejected(small_universe):
    with pytest.raises(ValueError, match="increasing"):
        to_breadth(small_universe.iloc[::-1], window=3)


def test_empty_universe_gives_nan():
    out = to_breadth(pd.DataFrame(index=_days(3)), window=2)
    assert out["members_counted"].eq(0).all()
    assert out["pct_above"].isna().all()


# -- properties ---------------------------------------------------------------------------


def _reference_breadth(closes: pd.DataFrame, window: int) -> pd.Series:
    """Member-by-member loop, the definition read literally."""
    above = pd.Series(0, index=closes.index)
    counted = pd.Series(0, index=closes.index)
    for name in closes.columns:
        valid = closes[name].dropna()
        sma = valid.rolling(window).mean()
        ok = sma.notna()
        counted[valid.index[ok]] += 1
        above[valid.index[ok & (valid > sma)]] += 1
    return 100 * above / counted.where(counted > 0)


closes_strategy = st.integers(1, 6).flatmap(
    lambda width: arrays(
        "float64",
        st.tuples(st.integers(1, 40), st.just(width)),
        elements=st.one_of(
            st.just(NAN), st.integers(1, 20).map(float), st.floats(0.5, 200.0, width=32)
        ),
    )
)


def _frame(values):
    return pd.DataFrame(values, index=_days(values.shape[0]))


@settings(max_examples=150, deadline=None)
@given(values=closes_strategy, window=st.integers(1, 8))
def test_matches_member_by_member_definition(values, window):
    closes = _frame(values)
    got = to_breadth(closes, window=window)["pct_above"]
    expected = _reference_breadth(closes, window)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(dtype=float), equal_nan=True)


@settings(max_examples=150, deadline=None)
@given(values=closes_strategy, window=st.integers(1, 8))
def test_always_between_0_and_100(values, window):
    out = to_breadth(_frame(values), window=window)
    pct = out["pct_above"].dropna()
    assert ((pct >= 0) & (pct <= 100)).all()
    has_close = np.isfinite(values).sum(axis=1)
    assert (out["members_counted"].to_numpy() <= has_close).all()
    assert out["pct_above"].isna().eq(out["members_counted"].eq(0)).all()


@settings(max_examples=150, deadline=None)
@given(values=closes_strategy, window=st.integers(2, 8), start=st.floats(1.0, 100.0))
def test_adding_a_member_above_its_average_never_lowers_breadth(values, window, start):
    closes = _frame(values)
    before = to_breadth(closes, window=window)
    # A strictly rising member is above its own average on every day it counts (window >= 2;
    # with window 1 every close equals its average).
    riser = closes.assign(NEW=start + np.arange(len(closes), dtype="float64"))
    after = to_breadth(riser, window=window)
    newly_counted = after["members_counted"] > before["members_counted"]
    had_value = newly_counted & before["pct_above"].notna()
    assert (after["pct_above"][had_value] >= before["pct_above"][had_value] - 1e-9).all()
    assert (after["pct_above"][newly_counted & before["pct_above"].isna()] == 100).all()
    same = ~newly_counted
    np.testing.assert_array_equal(after["pct_above"][same], before["pct_above"][same])


@settings(max_examples=50, deadline=None)
@given(values=closes_strategy, window=st.integers(1, 5), seed=st.integers(0, 1000))
def test_order_of_members_does_not_matter(values, window, seed):
    closes = _frame(values)
    shuffled = closes.sample(frac=1.0, axis=1, random_state=seed)
    pd.testing.assert_frame_equal(to_breadth(closes, window), to_breadth(shuffled, window))


# -- highest since ------------------------------------------------------------------------


@pytest.fixture
def readings():
    return pd.Series(
        [70.0, 60.0, 65.0, NAN, 55.0, 66.0, 68.0],
        index=pd.to_datetime(
            [
                "2024-03-15",
                "2024-06-03",
                "2025-01-02",
                "2025-06-02",
                "2025-11-28",
                "2026-01-09",
                "2026-01-16",
            ]
        ),
    )


def test_highest_since_names_the_month(readings):
    got = calc_highest_since(readings, "2026-01-16")
    assert got.since == pd.Timestamp("2024-03-15")
    assert got.phrase == "the highest since March 2024"
    assert str(got) == got.phrase
    assert not got.record
    assert got.value == 68.0


def test_highest_since_uses_last_reading_at_or_before_date(readings):
    assert calc_highest_since(readings, "2026-01-18").date == pd.Timestamp("2026-01-16")


def test_highest_since_recent_date_is_named_to_the_day(readings):
    # 55 on 2025-11-28: the last reading at least as high is 65 on 2025-01-02 -> month;
    # 66 on 2026-01-09 is beaten by nothing since 70 in March 2024.
    got = calc_highest_since(readings.drop(pd.Timestamp("2026-01-16")), "2026-01-09")
    assert got.phrase == "the highest since March 2024"
    tied = pd.Series(
        [50.0, 40.0, 50.0], index=pd.to_datetime(["2026-01-02", "2026-01-05", "2026-01-09"])
    )
    assert calc_highest_since(tied, "2026-01-09").phrase == "the highest since 2 January 2026"


def test_highest_since_record(readings):
    got = calc_highest_since(readings, "2024-03-15")
    assert got.record
    assert got.phrase == "the highest on record"
    assert got.history_start == pd.Timestamp("2024-03-15")


def test_highest_since_accepts_breadth_frame(small_universe):
    out = to_breadth(small_universe, window=3)
    got = calc_highest_since(out, out.index[-1])
    # day 6 = 50; day 3 was 50 too (>=), day 4 = 33.3, day 5 = 0
    assert got.since == out.index[2]


def test_highest_since_without_reading_raises(readings):
    with pytest.raises(ValueError, match="no breadth reading"):
        calc_highest_since(readings, "2020-01-01")


# -- the claim ----------------------------------------------------------------------------


def test_claim_without_data_cannot_be_checked():
    got = calc_breadth_claim(None, "2026-01-16", members_total=1950)
    assert got.value is None
    assert not got.checkable
    assert "holds no daily closes for any of the 1,950 members" in got.reason
    assert got.describe().startswith("cannot be computed")
    empty = calc_breadth_claim(pd.DataFrame(index=_days(3)), "2026-01-16")
    assert empty.value is None


def test_claim_with_too_little_history_cannot_be_checked(small_universe):
    got = calc_breadth_claim(small_universe, small_universe.index[-1], window=10)
    assert got.value is None
    assert got.reason.startswith("no member has 10 daily closes")
    assert got.members_with_data == 4


def test_claim_with_low_coverage_cannot_be_checked(small_universe):
    got = calc_breadth_claim(small_universe, small_universe.index[-1], window=3, members_total=10)
    assert got.value is None
    assert "only 4 of 10 members" in got.reason


def test_claim_below_the_coverage_threshold_cannot_be_checked_yet():
    days = _days(210)
    rising = pd.Series(np.linspace(10, 20, len(days)), index=days)
    closes = pd.DataFrame({f"M{i:03d}": rising for i in range(100)})
    # 95 of 100 members close on the last day: exactly the threshold, a reading.
    closes.iloc[-1, 95:] = np.nan
    assert calc_breadth_claim(closes, days[-1]).value == 100.0
    # 94 of 100: below it, no figure, whatever the members that did arrive say.
    closes.iloc[-1, 94] = np.nan
    got = calc_breadth_claim(closes, days[-1])
    assert got.value is None
    assert got.reason == (
        f"only 94 of 100 members have a close on {days[-1].date()} (fewer than 95%)"
    )
    # Members the store does not hold yet count against it as well.
    full = closes.copy()
    full.iloc[-1, :] = 20.0
    assert calc_breadth_claim(full.iloc[:, :94], days[-1], members_total=100).value is None
    assert calc_breadth_claim(full.iloc[:, :95], days[-1], members_total=100).value == 100.0


def test_claim_on_a_day(small_universe):
    got = calc_breadth_claim(
        small_universe, small_universe.index[-1], window=3, members_total=5, min_closing=0.8
    )
    assert got.value == 50.0
    assert got.members_counted == 4
    assert got.members_with_data == 4
    assert got.members_total == 5
    assert got.highest_since.since == small_universe.index[2]
    assert got.describe() == "50% of 4 members with data"


def test_claim_peak_over_a_span(small_universe):
    # days 3..6 read 50, 33.3, 0, 50: the peak is reached first on day 3
    got = calc_breadth_claim(
        small_universe, small_universe.index[-1], window=3, peak_from=small_universe.index[3]
    )
    assert got.date == small_universe.index[5]
    got = calc_breadth_claim(
        small_universe, small_universe.index[-1], window=3, peak_from=small_universe.index[0]
    )
    assert got.date == small_universe.index[2]
    assert got.highest_since.record


def test_claim_peak_span_after_the_data(small_universe):
    got = calc_breadth_claim(small_universe, "2024-02-01", window=3, peak_from="2024-01-22")
    assert got.value is None
    assert got.reason == (
        "no breadth reading from 2024-01-22 to 2024-02-01 (the data end on 2024-01-09)"
    )


def test_describe_formats_thousands():
    reading = BreadthReading(
        value=68.2,
        date=pd.Timestamp("2026-01-16"),
        members_counted=1912,
        members_with_data=1930,
        members_total=1960,
        window=200,
    )
    assert reading.describe() == "68% of 1,912 members with data"
    assert math.isclose(reading.value, 68.2)


# -- the chart ------------------------------------------------------------------------------


def test_chart_has_the_50_percent_line_and_the_caveat(small_universe):
    import matplotlib

    from analysis.charts.breadth import plot_breadth, survivorship_note

    before = dict(matplotlib.rcParams)
    breadth = to_breadth(small_universe, window=3)
    reading = calc_breadth_claim(small_universe, small_universe.index[-1], window=3)
    chart = plot_breadth(
        breadth, reading=reading, holdings_as_of="2026-01-16", source="Source: test", window=3
    )
    ax = chart.figure.axes[0]
    assert ax.get_ylim() == (0, 100)
    flat_lines = [line for line in ax.get_lines() if set(line.get_ydata()) == {50}]
    assert len(flat_lines) == 1
    footer = chart.figure.get_supxlabel()
    assert "16 January 2026 applied to the whole period" in footer
    assert footer.endswith("Source: test")
    assert "survivors" in survivorship_note("2026-01-16")
    assert dict(matplotlib.rcParams) == before
    # the plotted data: days with a reading only
    assert chart.data["pct_above"].tolist() == pytest.approx([50.0, 100 / 3, 0.0, 50.0])
    assert chart.to_png().startswith(b"\x89PNG")
    assert "3-day average" in chart.alt_text
    assert "dashed line at 50%" in chart.alt_text
    assert f"The reading of 50% on {small_universe.index[-1].day} " in chart.alt_text


def test_chart_alt_text_without_readings():
    from analysis.charts.breadth import breadth_alt_text

    empty = pd.Series([NAN, NAN], index=_days(2))
    assert breadth_alt_text(empty).startswith("Empty chart")


# -- the universe in the store ----------------------------------------------------------------


def _bars(closes, start="2025-01-02"):
    closes = np.asarray(closes, dtype="float64")
    index = pd.bdate_range(start, periods=len(closes), name="date")
    return pd.DataFrame(
        {
            "open": closes,
            "high": closes + 1,
            "low": closes - 1,
            "close": closes,
            "adj_close": closes * 0.5,
            "volume": 1000.0,
        },
        index=index,
    )


@pytest.fixture
def member_store(tmp_path):
    from analysis.data.store import Store

    store = Store(tmp_path)
    store.write("AAA", _bars([1, 2, 3, 4]), source="test")
    store.write("BB-B", _bars([5, 6], start="2025-01-06"), source="test")
    store.write("CCC", _bars([7, 8, 9]), source="test")
    return store


def test_read_closes_side_by_side(member_store):
    from analysis.data.universe import read_closes

    closes, missing = read_closes(member_store, ["AAA", "BB-B", "NONE"])
    assert list(closes.columns) == ["AAA", "BB-B"]
    assert closes.index.name == "date"
    assert closes["AAA"].tolist() == [0.5, 1.0, 1.5, 2.0]  # adjusted closes by default
    assert closes["BB-B"].isna().tolist() == [True, True, False, False]
    assert missing == {"NONE": "not in the data store"}
    raw, _ = read_closes(member_store, ["CCC"], column="close")
    assert raw["CCC"].tolist() == [7.0, 8.0, 9.0]


def test_read_closes_matches_store_read(member_store):
    from analysis.data.universe import read_closes

    closes, _ = read_closes(member_store, ["AAA", "BB-B", "CCC"], column="close")
    expected = pd.DataFrame({s: member_store.read(s)["close"] for s in ["AAA", "BB-B", "CCC"]})
    pd.testing.assert_frame_equal(closes, expected, check_names=False, check_freq=False)


def test_corrupted_member_is_listed_and_quarantined(member_store):
    from analysis.data.universe import read_closes

    prov = member_store.provenance("CCC")
    path = member_store.series_dir / prov.data_file
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    closes, missing = read_closes(member_store, ["AAA", "CCC"])
    assert list(closes.columns) == ["AAA"]
    assert "checksum" in missing["CCC"]
    assert not path.exists()
    assert list(member_store.quarantine_dir.iterdir())


def test_load_universe_uses_the_latest_holdings(member_store):
    from analysis.data.holdings import parse_holdings, save_holdings
    from analysis.data.universe import load_universe

    fixture = (Path(__file__).parent / "fixtures" / "IWM_holdings_fixture.csv").read_bytes()
    save_holdings(parse_holdings(fixture), member_store)
    universe = load_universe(member_store)
    assert universe.holdings_as_of == pd.Timestamp("2026-01-16")
    assert len(universe.members) == 10
    assert universe.with_data == []  # the fixture's members are not in this store
    assert set(universe.missing) == set(universe.members)
    reading = calc_breadth_claim(universe.closes, "2026-01-16", members_total=len(universe.members))
    assert reading.value is None
    assert reading.reason == "the data store holds no daily closes for any of the 10 members"


def test_load_universe_without_holdings(member_store):
    from analysis.data.universe import load_universe

    universe = load_universe(member_store)
    assert universe.members == []
    assert "keeps no IWM holdings file" in universe.reason
    assert calc_breadth_claim(universe.closes, "2026-01-16").value is None
    explicit = load_universe(member_store, ["AAA", "CCC"])
    assert explicit.with_data == ["AAA", "CCC"]


# -- updating the universe (fake Yahoo session, no network) -----------------------------------


def test_universe_update_asks_only_for_missing_bars(tmp_path):
    from analysis.data.sessions import session_close
    from analysis.data.settings import Settings
    from analysis.data.store import Store
    from analysis.data.universe import load_universe
    from analysis.fetch.universe import update_universe
    from analysis.testing.fake_yahoo import FakeYahooSession, make_ohlcv

    members = [f"M{i}" for i in range(7)]
    full = {
        s: make_ohlcv("2025-01-02", 230, base=20 + i, drift=0.1 * (i - 3))
        for i, s in enumerate(members)
    }
    first = {s: frame.iloc[:-1] for s, frame in full.items()}
    day_one, day_two = full["M0"].index[-2], full["M0"].index[-1]
    after = pd.Timedelta(hours=3)
    store, settings = Store(tmp_path), Settings(data_dir=tmp_path)
    wanted = [*members, "GONE"]

    cold = FakeYahooSession(first)
    report = update_universe(
        wanted,
        store,
        settings,
        cold,
        batch_size=3,
        now=session_close(day_one) + after,
    )
    assert sorted(r.symbol for r in cold.chart_requests) == members  # one request each
    # new members are fetched from five years back, not their whole history
    assert {r.start.year for r in cold.chart_requests} == {day_one.year - 5}
    # GONE is in the holdings: Yahoo's 404 is an incident until another day repeats it.
    assert report.failed == {} and report.not_reached == ["GONE"]
    assert "transient until it repeats on another day" in report.outcomes["GONE"].error
    assert report.with_data == members
    assert report.summary() == (
        f"7 of 8 members complete for {day_one.date()}; 1 behind (1 no data yet); 1 not "
        "reached this build (the next build fetches them first)"
    )

    again = FakeYahooSession(first)
    report = update_universe(
        wanted, store, settings, again, now=session_close(day_one) + after, failing=report.failing
    )
    assert again.chart_requests == []  # all complete; GONE is tried again and still unknown
    assert report.not_reached == ["GONE"]  # the same day does not confirm it
    assert {s for s, o in report.outcomes.items() if o.status == "current"} == set(members)

    later = FakeYahooSession(full)
    report = update_universe(
        wanted,
        store,
        settings,
        later,
        batch_size=3,
        now=session_close(day_two) + after,
        failing=report.failing,
    )
    assert report.failed == {
        "GONE": "GONE: Yahoo Finance does not know this symbol (on two different days)"
    }
    assert report.summary().endswith(
        "1 failing (1: Yahoo Finance does not know this symbol (on two different days))"
    )
    known = [r for r in later.chart_requests if r.symbol != "GONE"]
    assert sorted(r.symbol for r in known) == members  # one request per member ...
    assert {r.start for r in known} == {
        (day_one - pd.Timedelta(days=7)).date()
    }  # ... for recent bars
    assert report.with_status("updated") == members

    universe = load_universe(store, wanted)
    assert universe.closes.shape == (230, 7)
    assert universe.closes.index[-1] == day_two
    assert list(universe.missing) == ["GONE"]
    pd.testing.assert_series_equal(
        universe.closes["M2"], full["M2"]["adj_close"], check_names=False, check_freq=False
    )


def test_universe_update_offline_asks_nothing(tmp_path):
    from analysis.data.settings import Settings
    from analysis.data.store import Store
    from analysis.fetch.universe import update_universe
    from analysis.testing.fake_yahoo import FakeYahooSession

    session = FakeYahooSession({})
    settings = Settings(data_dir=tmp_path, mode="offline")
    report = update_universe(["AAA", "BBB"], Store(tmp_path), settings, session)
    assert session.requests_made == []
    assert set(report.failed) == {"AAA", "BBB"}


def test_refresh_then_breadth_offline_end_to_end(tmp_path):
    from analysis.data.sessions import session_close
    from analysis.data.settings import Settings
    from analysis.data.store import Store
    from analysis.data.universe import load_universe
    from analysis.fetch.universe import refresh_iwm_universe
    from analysis.testing.fake_yahoo import FakeYahooSession, make_ohlcv

    fixture = (Path(__file__).parent / "fixtures" / "IWM_holdings_fixture.csv").read_bytes()

    class HoldingsSession:
        def get(self, url, timeout):
            return type("Response", (), {"status_code": 200, "content": fixture})()

    # Of the fixture's ten members: six rise steadily (above their 200-day average), three
    # fall (below), and Yahoo does not know JTTY.
    rising = ["ALPN", "BRDG", "CSK-B", "DUNE", "ELMW", "FJRD"]
    falling = ["GLNT", "HRBR", "ISLE"]
    series = {s: make_ohlcv("2025-01-02", 230, base=50, drift=0.2) for s in rising}
    series |= {s: make_ohlcv("2025-01-02", 230, base=90, drift=-0.1) for s in falling}
    last = series["ALPN"].index[-1]
    store = Store(tmp_path)
    yahoo = FakeYahooSession(series)
    holdings, report = refresh_iwm_universe(
        Settings(data_dir=tmp_path),
        store=store,
        holdings_session=HoldingsSession(),
        yahoo_session=yahoo,
        now=session_close(last) + pd.Timedelta(hours=3),
    )
    assert holdings.as_of == pd.Timestamp("2026-01-16")
    # JTTY is in the holdings: Yahoo's 404 is not believed until another day repeats it.
    assert report.failed == {} and report.not_reached == ["JTTY"]
    assert "CSK-B" in {r.symbol for r in yahoo.chart_requests}

    offline = Settings(data_dir=tmp_path, mode="offline")
    again, _ = refresh_iwm_universe(offline, store=store, yahoo_session=FakeYahooSession({}))
    assert again.symbols == holdings.symbols
    universe = load_universe(store)
    assert universe.with_data == rising + falling
    assert list(universe.missing) == ["JTTY"]
    # Nine of ten members close on the day: enough here, short of the 95% a post asks for.
    assert calc_breadth_claim(universe.closes, last, members_total=10).value is None
    reading = calc_breadth_claim(universe.closes, last, members_total=10, min_closing=0.9)
    assert reading.value == pytest.approx(200 / 3)
    assert reading.describe() == "67% of 9 members with data"
    assert reading.members_total == 10
    # Every day reads the same, so the previous day already reached it.
    days = universe.closes.index
    assert reading.highest_since.since == days[days.get_loc(last) - 1]


def test_a_damaged_holdings_file_is_quarantined_and_the_universe_says_why(member_store):
    from analysis.data.holdings import parse_holdings, save_holdings
    from analysis.data.universe import load_universe

    fixture = (Path(__file__).parent / "fixtures" / "IWM_holdings_fixture.csv").read_bytes()
    path = save_holdings(parse_holdings(fixture), member_store)
    path.write_bytes(fixture[: len(fixture) // 2])  # as a write in place would leave it
    universe = load_universe(member_store)
    assert universe.members == []
    assert universe.reason.startswith("holdings/IWM-2026-01-16: stored file does not match")
    assert "quarantined" in universe.reason
    assert not path.exists()
    assert {p.name.split("-", 1)[1] for p in member_store.quarantine_dir.iterdir()} >= {path.name}
    # the next build's download replaces it; meanwhile no file is read that did not verify
    assert load_universe(member_store).reason.endswith("keeps no IWM holdings file")


# -- every field of a reading, and the edges ------------------------------------------------


def _unavailable(reason, *, with_data=0, total=0, window=200):
    return BreadthReading(
        value=None,
        date=None,
        members_counted=0,
        members_with_data=with_data,
        members_total=total,
        window=window,
        reason=reason,
    )


def test_readings_that_cannot_be_computed_say_why_and_count_what_there_is(small_universe):
    last = small_universe.index[-1]
    assert calc_breadth_claim(None, last) == _unavailable("the data store holds no daily closes")
    no_rows = small_universe.iloc[:0]
    assert calc_breadth_claim(no_rows, last) == _unavailable(
        "the data store holds no daily closes for any of the 4 members", total=4
    )
    assert calc_breadth_claim(
        small_universe, "2024-01-03", window=3, min_closing=0
    ) == _unavailable("no member has 3 daily closes by 2024-01-03", with_data=4, total=4, window=3)
    assert calc_breadth_claim(small_universe, "2024-01-03", window=3) == _unavailable(
        "only 2 of 4 members have a close on 2024-01-03 (fewer than 95%)",
        with_data=4,
        total=4,
        window=3,
    )
    assert calc_breadth_claim(
        small_universe, last, window=3, members_total=10, min_closing=0
    ) == _unavailable(
        "only 4 of 10 members have 3 daily closes by 2024-01-09 (fewer than 50%)",
        with_data=4,
        total=10,
        window=3,
    )
    assert calc_breadth_claim(
        small_universe, "2024-02-01", window=3, peak_from="2024-01-22"
    ) == _unavailable(
        "no breadth reading from 2024-01-22 to 2024-02-01 (the data end on 2024-01-09)",
        with_data=4,
        total=4,
        window=3,
    )


def test_a_reading_has_every_field(small_universe):
    got = calc_breadth_claim(small_universe, small_universe.index[-1], window=3)
    assert got == BreadthReading(
        value=50.0,
        date=pd.Timestamp("2024-01-09"),
        members_counted=4,
        members_with_data=4,
        members_total=4,
        window=3,
        highest_since=calc_highest_since(to_breadth(small_universe, 3), "2024-01-09"),
    )
    assert got.highest_since.since == pd.Timestamp("2024-01-04")


def test_the_peak_span_starts_on_its_first_day(small_universe):
    # day 3 (2024-01-04) reads 50, as does day 6: a span from day 3 peaks on day 3
    got = calc_breadth_claim(small_universe, "2024-01-09", window=3, peak_from="2024-01-04")
    assert (got.date, got.value, got.members_counted) == (pd.Timestamp("2024-01-04"), 50.0, 2)


def test_the_default_window_is_200_sessions_and_one_member_is_enough():
    rising = pd.DataFrame({"A": np.arange(1.0, 201.0)}, index=_days(200))
    got = calc_breadth_claim(rising, rising.index[-1])
    assert (got.value, got.window, got.members_counted, got.members_total) == (100.0, 200, 1, 1)
    assert calc_breadth_claim(rising, rising.index[-2]).reason == (
        f"no member has 200 daily closes by {rising.index[-2].date()}"
    )


@pytest.mark.parametrize(
    ("window", "message"),
    [(0, "window must be at least 1, got 0"), (-3, "window must be at least 1, got -3")],
)
def test_a_window_below_one_is_refused(small_universe, window, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        to_breadth(small_universe, window=window)


def test_repeated_dates_are_refused(small_universe):
    repeated = pd.concat([small_universe, small_universe.iloc[-1:]])
    with pytest.raises(ValueError, match=r"^closes must be indexed by unique, increasing dates$"):
        to_breadth(repeated, window=3)


def test_days_without_a_counted_member_raise_no_warning(small_universe):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = to_breadth(small_universe, window=3)
    assert out["pct_above"].isna().tolist() == [True, True, False, False, False, False]


@pytest.mark.parametrize("dtype", ["Float64", "object"])
def test_closes_with_missing_values_of_any_dtype_read_as_float(small_universe, dtype):
    other = small_universe.astype(dtype)
    if dtype == "object":
        other = other.where(small_universe.notna(), None)
    pd.testing.assert_frame_equal(to_breadth(other, 3), to_breadth(small_universe, 3))


def test_a_reading_within_62_days_is_named_to_the_day():
    readings = pd.Series(
        [50.0, 40.0, 50.0, 45.0],
        index=pd.to_datetime(["2025-11-07", "2025-11-10", "2026-01-08", "2026-01-09"]),
    )
    # 62 days between 2025-11-07 and 2026-01-08: still named to the day
    assert calc_highest_since(readings, "2026-01-08").phrase == "the highest since 7 November 2025"
    later = pd.concat([readings.iloc[:1], pd.Series([50.0], index=[pd.Timestamp("2026-01-09")])])
    assert calc_highest_since(later, "2026-01-09").phrase == "the highest since November 2025"


def test_a_date_before_the_data_has_no_reading_and_says_so(small_universe):
    assert calc_breadth_claim(small_universe, "2023-12-01", window=3) == _unavailable(
        "no member has 3 daily closes by 2023-12-01", with_data=4, total=4, window=3
    )
