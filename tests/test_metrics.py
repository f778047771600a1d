import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import metrics as m


def series(values, start="2024-01-01", freq="B", name="close"):
    index = pd.date_range(start, periods=len(values), freq=freq, name="date")
    return pd.Series(values, index=index, dtype=float, name=name)


def step_series(steps, start, end):
    """Daily series holding each value from its date until the next step."""
    index = pd.date_range(start, end, freq="D", name="date")
    out = pd.Series(np.nan, index=index, dtype=float)
    for when, value in steps:
        out.loc[pd.Timestamp(when) :] = value
    return out.dropna()


# The fed funds target after each change since mid-1988, as FRED publishes it (DFEDTAR up
# to 2008-12-15, then the upper bound of DFEDTARU/DFEDTARL, on FRED's effective dates).
FED_STEPS = [
    ("1988-12-15", 8.6875), ("1989-01-05", 9.0), ("1989-02-09", 9.125), ("1989-02-14", 9.3125),
    ("1989-02-24", 9.75), ("1989-05-17", 9.8125), ("1989-06-06", 9.5625), ("1989-07-07", 9.3125),
    ("1989-07-27", 9.0625), ("1989-10-19", 8.75), ("1989-11-06", 8.5), ("1989-12-20", 8.25),
    ("1990-07-13", 8.0), ("1990-10-29", 7.75), ("1990-11-14", 7.5), ("1990-12-07", 7.25),
    ("1990-12-19", 7.0), ("1991-01-09", 6.75), ("1991-02-01", 6.25), ("1991-03-08", 6.0),
    ("1991-04-30", 5.75), ("1991-08-06", 5.5), ("1991-09-13", 5.25), ("1991-10-31", 5.0),
    ("1991-11-06", 4.75), ("1991-12-06", 4.5), ("1991-12-20", 4.0), ("1992-04-09", 3.75),
    ("1992-07-02", 3.25), ("1992-09-04", 3.0), ("1994-02-04", 3.25), ("1994-03-22", 3.5),
    ("1994-04-18", 3.75), ("1994-05-17", 4.25), ("1994-08-16", 4.75), ("1994-11-15", 5.5),
    ("1995-02-01", 6.0), ("1995-07-06", 5.75), ("1995-12-19", 5.5), ("1996-01-31", 5.25),
    ("1997-03-25", 5.5), ("1998-09-29", 5.25), ("1998-10-15", 5.0), ("1998-11-17", 4.75),
    ("1999-06-30", 5.0), ("1999-08-24", 5.25), ("1999-11-16", 5.5), ("2000-02-02", 5.75),
    ("2000-03-21", 6.0), ("2000-05-16", 6.5), ("2001-01-03", 6.0), ("2001-01-31", 5.5),
    ("2001-03-20", 5.0), ("2001-04-18", 4.5), ("2001-05-15", 4.0), ("2001-06-27", 3.75),
    ("2001-08-21", 3.5), ("2001-09-17", 3.0), ("2001-10-02", 2.5), ("2001-11-06", 2.0),
    ("2001-12-11", 1.75), ("2002-11-06", 1.25), ("2003-06-25", 1.0), ("2004-06-30", 1.25),
    ("2004-08-10", 1.5), ("2004-09-21", 1.75), ("2004-11-10", 2.0), ("2004-12-14", 2.25),
    ("2005-02-02", 2.5), ("2005-03-22", 2.75), ("2005-05-03", 3.0), ("2005-06-30", 3.25),
    ("2005-08-09", 3.5), ("2005-09-20", 3.75), ("2005-11-01", 4.0), ("2005-12-13", 4.25),
    ("2006-01-31", 4.5), ("2006-03-28", 4.75), ("2006-05-10", 5.0), ("2006-06-29", 5.25),
    ("2007-09-18", 4.75), ("2007-10-31", 4.5), ("2007-12-11", 4.25), ("2008-01-22", 3.5),
    ("2008-01-30", 3.0), ("2008-03-18", 2.25), ("2008-04-30", 2.0), ("2008-10-08", 1.5),
    ("2008-10-29", 1.0), ("2008-12-16", 0.25), ("2015-12-16", 0.5), ("2016-12-14", 0.75),
    ("2017-03-16", 1.0), ("2017-06-15", 1.25), ("2017-12-14", 1.5), ("2018-03-22", 1.75),
    ("2018-06-14", 2.0), ("2018-09-27", 2.25), ("2018-12-20", 2.5), ("2019-08-01", 2.25),
    ("2019-09-19", 2.0), ("2019-10-31", 1.75), ("2020-03-04", 1.25), ("2020-03-16", 0.25),
    ("2022-03-17", 0.5), ("2022-05-05", 1.0), ("2022-06-16", 1.75), ("2022-07-28", 2.5),
    ("2022-09-22", 3.25), ("2022-11-03", 4.0), ("2022-12-15", 4.5), ("2023-02-02", 4.75),
    ("2023-03-23", 5.0), ("2023-05-04", 5.25), ("2023-07-27", 5.5), ("2024-09-19", 5.0),
    ("2024-11-08", 4.75), ("2024-12-19", 4.5), ("2025-09-18", 4.25), ("2025-10-30", 4.0),
    ("2025-12-11", 3.75),
]  # fmt: skip


@pytest.fixture(scope="module")
def fed_upper():
    return step_series(FED_STEPS, "1988-12-15", "2026-01-16")


# -- levels and returns -------------------------------------------------------------------


def test_period_return_known_answer():
    close = series([100.0, 110.0, 99.0])  # Mon 1 Jan .. Wed 3 Jan 2024
    assert m.calc_period_return(close, "2024-01-01", "2024-01-03") == pytest.approx(-0.01)
    assert m.calc_period_return(close, "2024-01-01", "2024-01-02") == pytest.approx(0.10)


def test_period_return_resolves_non_sessions_to_previous_close():
    close = series([100.0, 104.0, 105.0, 106.0, 108.0, 120.0])  # Mon 1 .. Mon 8 Jan 2024
    # Saturday 6 Jan resolves to Friday 5 Jan (108), Sunday 7 Jan the same.
    assert m.calc_period_return(close, "2024-01-06", "2024-01-08") == pytest.approx(120 / 108 - 1)
    assert m.calc_period_return(close, "2024-01-01", "2024-01-07") == pytest.approx(0.08)


def test_period_return_skips_nan_closes():
    close = series([100.0, np.nan, 125.0])
    assert m.calc_period_return(close, "2024-01-02", "2024-01-03") == pytest.approx(0.25)


def test_period_return_before_data_is_a_clear_error():
    close = series([100.0, 110.0], name="^RUT")
    with pytest.raises(
        m.InsufficientDataError, match=r"'\^RUT' has no data on or before 2023-12-29"
    ):
        m.calc_period_return(close, "2023-12-29", "2024-01-02")


def test_period_return_end_before_start_is_an_error():
    close = series([100.0, 110.0])
    with pytest.raises(m.InsufficientDataError, match="before start"):
        m.calc_period_return(close, "2024-01-02", "2024-01-01")


def test_session_count_matches_the_2026_window():
    close = series(np.ones(20), start="2025-12-24")
    sessions = close.drop(pd.Timestamp("2025-12-25")).drop(pd.Timestamp("2026-01-01"))
    # Jan 2, 5-9, 12-16 2026: 11 sessions after the 2025-12-31 close.
    assert m.calc_session_count(sessions, "2025-12-31", "2026-01-16") == 11


def test_cumulative_returns_rebased_to_zero_at_base():
    closes = pd.DataFrame(
        {"a": [90.0, 100.0, 105.0, 110.0], "b": [50.0, 40.0, 42.0, 38.0]},
        index=pd.date_range("2024-01-01", periods=4, freq="B", name="date"),
    )
    out = m.to_cumulative_returns(closes, "2024-01-02")
    assert list(out.index) == list(closes.index[1:])  # rows before the base are dropped
    assert out.loc["2024-01-02"].tolist() == [0.0, 0.0]
    assert out["a"].tolist() == pytest.approx([0.0, 0.05, 0.10])
    assert out["b"].tolist() == pytest.approx([0.0, 0.05, -0.05])


def test_cumulative_returns_accepts_a_series_and_raises_without_base():
    close = series([100.0, 120.0], name="x")
    assert m.to_cumulative_returns(close, "2024-01-01")["x"].tolist() == pytest.approx([0, 0.2])
    with pytest.raises(
        m.InsufficientDataError,
        match=r"'x' has no data on or before 2023-06-01 \(it starts 2024-01-01\)",
    ):
        m.to_cumulative_returns(close, "2023-06-01")


def test_lead_is_in_percentage_points():
    assert m.calc_lead(0.0789, 0.0138) == pytest.approx(6.51)
    assert m.calc_lead(0.01, 0.03) == pytest.approx(-2.0)
    assert math.isnan(m.calc_lead(float("nan"), 0.01))


def test_change_of_a_level_series():
    wti = series([57.26, 58.0, 59.40], start="2025-12-31", freq="D")
    move = m.calc_change(wti, "2025-12-31", "2026-01-02")
    assert move.start_value == 57.26
    assert move.end_value == 59.40
    assert move.change == pytest.approx(2.14)
    assert move.pct_change == pytest.approx((59.40 / 57.26 - 1) * 100)
    assert m.calc_value_at(wti, "2026-01-05") == m.Observation(pd.Timestamp("2026-01-02"), 59.40)


def test_ranked_returns_best_first_and_missing_last():
    closes = pd.DataFrame(
        {"PSCF": [100.0, 103.0], "PSCH": [100.0, 97.0], "PSCI": [100.0, 105.0]},
        index=pd.date_range("2024-01-02", periods=2, freq="B", name="date"),
    )
    closes["NEW"] = [np.nan, 10.0]  # starts after the window does
    ranked = m.to_ranked_returns(closes, "2024-01-02", "2024-01-03")
    assert list(ranked.index) == ["PSCI", "PSCF", "PSCH", "NEW"]
    assert ranked["PSCI"] == pytest.approx(0.05)
    assert math.isnan(ranked["NEW"])


# -- start-of-year ranking ----------------------------------------------------------------


def three_years():
    index = pd.bdate_range("2021-12-27", "2024-01-12", name="date")
    close = pd.Series(100.0, index=index)
    close.loc["2022-01-01":"2022-12-31"] = 100.0
    close.loc["2022-01-04"] = 110.0  # 2nd session of 2022 (Jan 3, Jan 4)
    close.loc["2022-12-30"] = 120.0  # last close of 2022
    close.loc["2023-01-03":"2023-12-31"] = 90.0  # 2023 starts at 90: -25% vs 120
    close.loc["2023-12-29"] = 80.0
    return close


def test_start_of_year_returns_known_answers():
    out = m.to_start_of_year_returns(three_years(), sessions=2)
    # 2021 has no previous-year close; 2024 has 10 sessions in the data, enough for 2.
    assert list(out.index) == [2022, 2023, 2024]
    assert out[2022] == pytest.approx(0.10)  # 110 / 100 - 1
    assert out[2023] == pytest.approx(90 / 120 - 1)
    assert out[2024] == pytest.approx(100 / 80 - 1)


def test_start_of_year_returns_only_complete_years():
    out = m.to_start_of_year_returns(three_years(), sessions=11)
    assert 2024 not in out.index  # only 10 sessions of 2024 in the data
    assert 2022 in out.index


def test_start_of_year_returns_of_a_constant_series_are_zero():
    close = pd.Series(42.0, index=pd.bdate_range("2015-06-01", "2020-03-01", name="date"))
    out = m.to_start_of_year_returns(close, sessions=11)
    assert list(out.index) == [2016, 2017, 2018, 2019, 2020]
    assert (out == 0).all()


def test_rank_phrase_on_record_and_since():
    by_year = pd.Series({2010: 0.08, 2011: 0.01, 2012: 0.02, 2013: 0.05, 2014: -0.03})
    best = m.calc_rank_phrase(by_year, 2010)
    assert (best.rank, best.count, best.phrase) == (1, 5, "the strongest start on record")
    facts = m.calc_rank_phrase(by_year, 2013)
    assert facts.rank == 2
    assert facts.last_better_year == 2010
    assert facts.phrase == "the strongest start since 2010"
    worst = m.calc_rank_phrase(by_year, 2014)
    assert worst.rank == 5 and worst.rank_from_bottom == 1
    assert worst.phrase == "the weakest start on record"


def test_rank_phrase_falls_back_to_ordinal_when_the_better_year_is_the_previous_one():
    by_year = pd.Series({2013: 0.05, 2014: 0.01, 2015: 0.02, 2016: 0.06, 2017: 0.03, 2018: -0.02})
    facts = m.calc_rank_phrase(by_year, 2017)
    assert (facts.rank, facts.last_better_year) == (3, 2016)
    assert facts.phrase == "the 3rd-strongest start in 6 years"
    low = m.calc_rank_phrase(by_year, 2015)
    assert (low.rank, low.rank_from_bottom) == (4, 3)
    assert low.phrase == "the 3rd-weakest start in 6 years"


def test_rank_phrase_ties_share_the_better_rank_and_custom_noun():
    by_year = pd.Series({2001: 0.04, 2002: 0.04, 2003: 0.01, 2004: 0.02})
    facts = m.calc_rank_phrase(by_year, 2002, noun="January")
    assert facts.rank == 1
    assert facts.last_better_year == 2001  # "at least as high"
    assert facts.phrase == "the strongest January on record"


def test_rank_phrase_unknown_year():
    with pytest.raises(KeyError, match="no value for 2026"):
        m.calc_rank_phrase(pd.Series({2024: 0.1, 2025: 0.2}), 2026)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.integers(1950, 2030),
        st.floats(-0.5, 0.5, allow_nan=False),
        min_size=1,
        max_size=40,
    )
)
def test_rank_of_the_best_year_is_one(values):
    by_year = pd.Series(values, dtype=float)
    best_year = int(by_year.idxmax())
    facts = m.calc_rank_phrase(by_year, best_year)
    assert facts.rank == 1
    assert facts.count == len(by_year)
    worst = m.calc_rank_phrase(by_year, int(by_year.idxmin()))
    assert worst.rank_from_bottom == 1


# -- levels, highs, volume ----------------------------------------------------------------


def test_first_close_above():
    close = series([240.0, 251.0, 249.0, 252.0, 250.0])
    assert m.calc_first_close_above(close, 250) == pd.Timestamp("2024-01-02")
    assert m.calc_first_close_above(close, 250, since="2024-01-03") == pd.Timestamp("2024-01-04")
    assert m.calc_first_close_above(close, 251) == pd.Timestamp("2024-01-04")  # strictly above
    assert m.calc_first_close_above(close, 260) is None
    assert m.calc_first_close_above(close, 250, until="2024-01-01") is None


def test_all_time_high_until():
    close = series([10.0, 30.0, 20.0, 30.0, 40.0])
    assert m.calc_all_time_high(close) == m.Observation(pd.Timestamp("2024-01-05"), 40.0)
    # A repeated high reports its first date.
    assert m.calc_all_time_high(close, until="2024-01-04").date == pd.Timestamp("2024-01-02")
    with pytest.raises(m.InsufficientDataError, match="has no data to take a high from"):
        m.calc_all_time_high(close, until="2023-01-01")


def volume_fixture():
    # 21 sessions before Monday 2026-01-12 (the oldest one large, to prove it is excluded),
    # then the week of 12-16 January at 135.
    before = pd.bdate_range(end="2026-01-09", periods=21, name="date")
    week = pd.bdate_range("2026-01-12", "2026-01-16", name="date")
    values = [10_000.0] + [100.0] * 20 + [135.0] * 5
    return pd.Series(values, index=before.append(week), name="volume")


def test_volume_vs_average_known_answer():
    result = m.calc_volume_vs_average(volume_fixture(), "2026-01-16")
    assert result.week_start == pd.Timestamp("2026-01-12")
    assert result.week_sessions == 5
    assert result.base_sessions == 20
    assert result.base_end == pd.Timestamp("2026-01-09")
    assert result.base_average == pytest.approx(100.0)
    assert result.ratio == pytest.approx(1.35)
    assert result.pct_above == pytest.approx(35.0)


def test_volume_week_is_the_calendar_week_and_zeros_are_missing():
    volume = volume_fixture().drop(pd.Timestamp("2026-01-12"))  # a Monday holiday
    volume.loc["2026-01-13"] = 0.0  # unreported
    result = m.calc_volume_vs_average(volume, "2026-01-17")  # a Saturday
    assert result.week_start == pd.Timestamp("2026-01-14")
    assert result.week_sessions == 3
    assert result.pct_above == pytest.approx(35.0)


def test_volume_needs_a_full_window():
    with pytest.raises(m.InsufficientDataError, match="need 30 sessions"):
        m.calc_volume_vs_average(volume_fixture(), "2026-01-16", window=30)


def test_drawdown_from_december_high():
    index = pd.to_datetime(["2025-11-28", "2025-12-15", "2025-12-31", "2026-01-16"])
    close = pd.Series([250.0, 200.0, 190.0, 184.0], index=index)
    dd = m.calc_drawdown_from_high(close, "2025-12-01", "2025-12-31", "2026-01-16")
    assert dd.high_date == pd.Timestamp("2025-12-15")  # November's 250 is outside the window
    assert dd.high == 200.0
    assert dd.close == 184.0
    assert dd.drawdown == pytest.approx(-0.08)


# -- fed funds ----------------------------------------------------------------------------


def test_target_range_and_history():
    dfedtar = step_series([("2008-12-10", 1.0)], "2008-12-10", "2008-12-15")
    upper = step_series([("2008-12-16", 0.25)], "2008-12-16", "2008-12-20")
    lower = step_series([("2008-12-16", 0.0)], "2008-12-16", "2008-12-20")
    target_range = m.to_target_range(upper, lower)
    assert target_range.columns.tolist() == ["lower", "upper", "midpoint"]
    assert target_range["midpoint"].unique().tolist() == [0.125]
    history = m.to_fed_target_history(dfedtar, upper, lower)
    assert history.index.min() == pd.Timestamp("2008-12-10")
    assert history.loc["2008-12-15"].tolist() == [1.0, 1.0, 1.0]
    assert history.loc["2008-12-16"].tolist() == [0.0, 0.25, 0.125]
    assert history.index.is_unique
    assert m.to_fed_target_history(None, upper, lower).equals(target_range)


def test_rate_changes():
    target = series([5.5, 5.5, 5.0, np.nan, 5.0, 4.75, 5.0], freq="D")
    changes = m.to_rate_changes(target)
    assert (
        changes.index.tolist()
        == pd.to_datetime(["2024-01-03", "2024-01-06", "2024-01-07"]).tolist()
    )
    assert changes["change"].tolist() == [-0.5, -0.25, 0.25]
    assert changes["kind"].tolist() == ["cut", "cut", "hike"]
    assert changes["before"].tolist() == [5.5, 5.0, 4.75]


def test_rate_changes_of_a_constant_series_are_empty():
    assert m.to_rate_changes(series([4.0] * 30, freq="D")).empty


def test_consecutive_cuts_as_of_the_window(fed_upper):
    changes = m.to_rate_changes(fed_upper)
    run = m.calc_consecutive_cuts(changes, "2026-01-16")
    assert run.count == 3
    assert run.dates == tuple(pd.to_datetime(["2025-09-18", "2025-10-30", "2025-12-11"]))
    assert run.changes == (-0.25, -0.25, -0.25)
    assert run.total == pytest.approx(-0.75)
    assert (run.level_before, run.level_after) == (4.5, 3.75)


def test_consecutive_cuts_other_dates(fed_upper):
    changes = m.to_rate_changes(fed_upper)
    assert m.calc_consecutive_cuts(changes, "2025-01-31").count == 3  # Sep, Nov, Dec 2024
    assert m.calc_consecutive_cuts(changes, "2025-10-30").count == 2
    run_2020 = m.calc_consecutive_cuts(changes, "2020-06-01")
    assert run_2020.dates == tuple(pd.to_datetime(["2020-03-04", "2020-03-16"]))
    after_hike = m.calc_consecutive_cuts(changes, "2023-08-01")
    assert after_hike.count == 0 and math.isnan(after_hike.level_after)


def test_easing_cycle_starts_from_the_fed_history(fed_upper):
    starts = m.to_easing_cycle_starts(fed_upper)
    expected = ["1995-07-06", "1998-09-29", "2001-01-03", "2007-09-18", "2019-08-01", "2024-09-19"]
    assert starts.index.tolist() == pd.to_datetime(expected).tolist()
    assert (starts["reason"] == "after a hike").all()
    assert starts.loc["2024-09-19", "change"] == -0.5


def test_easing_cycle_starts_since_and_pause(fed_upper):
    with_1989 = m.to_easing_cycle_starts(fed_upper, since="1989-01-01")
    assert with_1989.index[0] == pd.Timestamp("1989-06-06")
    short_pause = m.to_easing_cycle_starts(fed_upper, pause_months=6)
    extra = short_pause.index.difference(m.to_easing_cycle_starts(fed_upper).index)
    assert (
        extra.tolist()
        == pd.to_datetime(["1990-07-13", "2002-11-06", "2003-06-25", "2025-09-18"]).tolist()
    )
    assert short_pause.loc["2025-09-18", "reason"] == "after 9 months without a cut"


# -- event studies ------------------------------------------------------------------------


def test_returns_after_events_and_incomplete_horizons():
    index = pd.bdate_range("2020-01-01", "2020-12-31", name="date")
    close = pd.Series(100.0, index=index)
    close.loc["2020-04-01":] = 120.0
    close.loc["2020-07-01":] = 150.0
    out = m.to_returns_after(["2020-01-02", "2019-06-03"], close)
    assert out.columns.tolist() == ["3m", "6m", "12m"]
    assert out.loc["2020-01-02", "3m"] == pytest.approx(0.20)  # 2020-04-02: 120
    assert out.loc["2020-01-02", "6m"] == pytest.approx(0.50)  # 2020-07-02: 150
    assert math.isnan(out.loc["2020-01-02", "12m"])  # 2021-01-02 is after the last close
    assert out.loc["2019-06-03"].isna().all()  # before the series starts


def test_relative_returns_after():
    index = pd.bdate_range("2020-01-01", "2021-06-30", name="date")
    a = pd.Series(100.0, index=index)
    a.loc["2020-04-01":] = 120.0
    a.loc["2020-07-01":] = 150.0
    b = pd.Series(100.0, index=index)
    b.loc["2020-04-01":] = 110.0
    b.loc["2021-01-01":] = 90.0
    rel = m.to_relative_returns_after(["2020-01-02", "2021-03-01"], a, b, horizons=(3, 12))
    assert rel.columns.tolist() == ["3m", "12m"]
    # 3 months (2020-04-02): a +20%, b +10%; 12 months (2021-01-04): a +50%, b -10%
    assert rel.loc["2020-01-02"].tolist() == pytest.approx([0.10, 0.60])
    # from 2021-03-01: 3 months ends 2021-06-01 (both flat), 12 months is not complete yet
    assert rel.loc["2021-03-01", "3m"] == pytest.approx(0.0)
    assert math.isnan(rel.loc["2021-03-01", "12m"])
    assert (m.to_relative_returns_after(["2020-01-02"], a, a) == 0).all().all()


# -- properties ---------------------------------------------------------------------------


def test_functions_do_not_mutate_inputs(fed_upper):
    close = series(np.linspace(100, 130, 300), start="2024-01-01", name="^RUT")
    close.iloc[5] = np.nan
    volume = series(np.linspace(1e6, 2e6, 300), start="2024-01-01", name="volume")
    wide = pd.DataFrame({"a": close, "b": close * 2})
    originals = [obj.copy() for obj in (close, volume, wide, fed_upper)]

    m.calc_period_return(close, "2024-01-05", "2024-06-28")
    m.to_cumulative_returns(wide, "2024-02-01")
    m.to_start_of_year_returns(close, 5)
    m.calc_first_close_above(close, 110)
    m.calc_all_time_high(close)
    m.calc_volume_vs_average(volume, "2024-06-28")
    m.calc_drawdown_from_high(close, "2024-03-01", "2024-03-31", "2024-06-28")
    m.to_ranked_returns(wide, "2024-02-01", "2024-06-28")
    m.to_relative_returns_after(["2024-02-01"], close, close * 1.1)
    m.to_easing_cycle_starts(fed_upper)
    m.to_fed_target_history(fed_upper, fed_upper, fed_upper - 0.25)

    for before, after in zip(originals, (close, volume, wide, fed_upper), strict=True):
        if isinstance(before, pd.DataFrame):
            pd.testing.assert_frame_equal(before, after)
        else:
            pd.testing.assert_series_equal(before, after)


def test_returns_of_a_constant_series_are_zero():
    close = series([50.0] * 400, name="flat")
    assert m.calc_period_return(close, "2024-01-01", "2025-01-01") == 0.0
    assert (m.to_cumulative_returns(close, "2024-03-01")["flat"] == 0).all()
    assert (m.to_returns_after(["2024-01-02"], close, horizons=(3, 6)) == 0).all().all()
    assert m.calc_drawdown_from_high(close, "2024-01-01", "2024-02-01", "2025-01-01").drawdown == 0


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(1.0, 1e4, allow_nan=False), min_size=3, max_size=40),
    st.floats(0.01, 100.0, allow_nan=False),
)
def test_returns_do_not_depend_on_the_price_scale(values, scale):
    close = series(values)
    start, end = close.index[0], close.index[-1]
    assert m.calc_period_return(close * scale, start, end) == pytest.approx(
        m.calc_period_return(close, start, end), rel=1e-9, abs=1e-12
    )
