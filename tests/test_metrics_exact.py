"""Metrics checked field by field against answers worked out by hand, at their edges."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis import metrics as m
from analysis.metrics import CutRun, Drawdown, LevelChange, RankFacts, VolumeComparison


def daily(values, start="2024-01-01", freq="B", name="close"):
    index = pd.date_range(start, periods=len(values), freq=freq, name="date")
    return pd.Series(values, index=index, dtype=float, name=name)


# -- levels and returns --------------------------------------------------------------------


def test_change_between_two_dates_has_every_field():
    wti = daily([60.0, np.nan, 58.0, 63.0], start="2026-01-01", freq="D")
    assert m.calc_change(wti, "2026-01-02", "2026-01-03") == LevelChange(
        start_date=pd.Timestamp("2026-01-01"),  # no value on the 2nd: the last before it
        start_value=60.0,
        end_date=pd.Timestamp("2026-01-03"),
        end_value=58.0,
        change=-2.0,
        pct_change=pytest.approx(-10 / 3),
    )
    assert m.calc_value_at(wti, "2026-01-03") == m.Observation(pd.Timestamp("2026-01-03"), 58.0)


def test_an_unnamed_series_is_called_the_series():
    unnamed = daily([1.0, 2.0], name=None)
    with pytest.raises(m.InsufficientDataError, match=r"^the series has no data on or before"):
        m.calc_value_at(unnamed, "2023-01-01")


def test_ranked_returns_best_first_ties_in_column_order_missing_last():
    closes = pd.DataFrame(
        {
            "A": [100.0, 110.0, 500.0],
            "LATE": [np.nan, np.nan, 10.0],
            "B": [50.0, 55.0, 1.0],
            "D": [100.0, 90.0, 100.0],
        },
        index=pd.bdate_range("2024-01-01", periods=3, name="date"),
    )
    ranked = m.to_ranked_returns(closes, "2024-01-01", "2024-01-02")
    expected = pd.Series({"A": 0.1, "B": 0.1, "D": -0.1, "LATE": np.nan}, name="return")
    pd.testing.assert_series_equal(ranked, expected)


def test_ranking_many_tied_returns_keeps_their_order():
    returns = [0.1, 0.3, 0.1, 0.2, 0.3, 0.1] * 6
    closes = pd.DataFrame(
        {f"S{i:02}": [100.0, 100.0 * (1 + r)] for i, r in enumerate(returns)},
        index=pd.bdate_range("2024-01-01", periods=2, name="date"),
    )
    ranked = m.to_ranked_returns(closes, "2024-01-01", "2024-01-02")
    stable = sorted(range(len(returns)), key=lambda i: -returns[i])
    assert ranked.index.tolist() == [f"S{i:02}" for i in stable]


def test_ranking_no_columns_is_an_empty_float_series():
    empty = pd.DataFrame(index=pd.bdate_range("2024-01-01", periods=2, name="date"))
    pd.testing.assert_series_equal(
        m.to_ranked_returns(empty, "2024-01-01", "2024-01-02"),
        pd.Series([], dtype=float, name="return"),
    )


# -- start of the year ---------------------------------------------------------------------


def test_start_of_year_returns_over_one_session_and_a_year_of_exactly_n_sessions():
    close = pd.Series(
        [100.0, 110.0, 121.0, 99.0, 200.0],
        index=pd.to_datetime(
            ["2023-12-29", "2024-01-02", "2024-01-03", "2024-12-31", "2025-01-02"]
        ),
    )
    one = m.to_start_of_year_returns(close, sessions=1)
    expected = pd.Series({2024: 0.10, 2025: 200 / 99 - 1}, name="return")
    expected.index.name = "year"
    pd.testing.assert_series_equal(one, expected, check_index_type=False)
    # 2024 has three sessions here, exactly as many as asked: it counts; 2025 has one: it does not
    three = m.to_start_of_year_returns(close, sessions=3)
    assert three.to_dict() == {2024: pytest.approx(-0.01)}
    assert three.name == "return" and three.index.name == "year"


def test_start_of_year_returns_need_a_session_and_a_year_before():
    with pytest.raises(ValueError, match=r"^sessions must be at least 1$"):
        m.to_start_of_year_returns(daily([1.0]), sessions=0)
    only_one_year = m.to_start_of_year_returns(daily([1.0, 2.0]), sessions=1)
    assert only_one_year.empty and only_one_year.dtype == float
    assert (only_one_year.name, only_one_year.index.name) == ("return", "year")


def test_rank_phrase_every_field_from_the_bottom():
    by_year = pd.Series({2018: 5.0, 2019: 1.0, 2020: 2.0, 2021: 4.0, 2022: 2.0})
    # 2022 (2.0): two years higher, one lower -> 3rd from the top, 2nd from the bottom.
    # The last earlier year at most as low is 2020 (a tie), two years back: "since 2020".
    assert m.calc_rank_phrase(by_year, 2022) == RankFacts(
        year=2022,
        value=2.0,
        rank=3,
        rank_from_bottom=2,
        count=5,
        first_year=2018,
        last_year=2022,
        last_better_year=2021,
        last_worse_year=2020,
        phrase="the weakest start since 2020",
    )


def test_rank_phrase_in_the_middle_counts_from_the_top():
    by_year = pd.Series({2019: 1.0, 2020: 2.0, 2021: 3.0})
    facts = m.calc_rank_phrase(by_year, 2020)
    assert (facts.rank, facts.rank_from_bottom) == (2, 2)
    assert facts.phrase == "the 2nd-strongest start in 3 years"
    assert (facts.last_better_year, facts.last_worse_year) == (None, 2019)


def test_rank_phrase_a_year_just_before_is_not_since():
    by_year = pd.Series({2019: 5.0, 2020: 1.0, 2021: 3.0, 2022: 4.0})
    # 2022 (4.0) is beaten by 2019, three years back: "since 2019"
    assert m.calc_rank_phrase(by_year, 2022).phrase == "the strongest start since 2019"
    # 2021 (3.0) is beaten by 2019, two years back: still "since"
    assert m.calc_rank_phrase(by_year.drop(2022), 2021).phrase == "the strongest start since 2019"
    # 2020 (1.0) is the lowest
    assert m.calc_rank_phrase(by_year, 2020).phrase == "the weakest start on record"


# -- volume ---------------------------------------------------------------------------------


def test_volume_week_against_the_sessions_before_it_every_field():
    # Two weeks of sessions before Monday 2026-01-12 with volume 1..10 (a volume of one
    # share counts; zero does not), then 30 and 40 on Monday and Tuesday.
    index = pd.bdate_range("2025-12-29", "2026-01-13", name="date")
    values = [0.0, *range(1, 10), 30.0, 40.0]
    volume = pd.Series(values, index=index, dtype=float)
    got = m.calc_volume_vs_average(volume, "2026-01-13", window=9)
    assert got == VolumeComparison(
        week_start=pd.Timestamp("2026-01-12"),
        week_end=pd.Timestamp("2026-01-13"),
        week_sessions=2,
        week_average=35.0,
        base_start=pd.Timestamp("2025-12-30"),
        base_end=pd.Timestamp("2026-01-09"),
        base_sessions=9,
        base_average=5.0,
        ratio=7.0,
        pct_above=600.0,
    )
    with pytest.raises(
        m.InsufficientDataError, match=r"^need 10 sessions before 2026-01-12, the series has 9$"
    ):
        m.calc_volume_vs_average(volume, "2026-01-13", window=10)
    one = m.calc_volume_vs_average(volume, "2026-01-13", window=1)
    assert (one.base_start, one.base_average) == (pd.Timestamp("2026-01-09"), 9.0)


def test_a_sunday_session_is_part_of_the_base():
    index = pd.date_range("2026-01-09", "2026-01-12", freq="D", name="date")  # Fri..Mon
    volume = pd.Series([10.0, 20.0, 30.0, 40.0], index=index)
    got = m.calc_volume_vs_average(volume, "2026-01-12", window=1)
    assert (got.base_end, got.base_average) == (pd.Timestamp("2026-01-11"), 30.0)


def test_volume_refusals_are_exact():
    volume = daily([1.0, 2.0], start="2026-01-05")
    with pytest.raises(ValueError, match=r"^window must be at least 1$"):
        m.calc_volume_vs_average(volume, "2026-01-06", window=0)
    with pytest.raises(
        m.InsufficientDataError, match=r"^no volume in the week 2026-01-12..2026-01-14$"
    ):
        m.calc_volume_vs_average(volume, "2026-01-14")


# -- drawdown -------------------------------------------------------------------------------


def test_drawdown_every_field():
    close = daily([90.0, 120.0, 100.0, 120.0, 96.0, 60.0], start="2025-12-01", name="NVDA")
    got = m.calc_drawdown_from_high(close, "2025-12-01", "2025-12-04", "2025-12-05")
    assert got == Drawdown(
        high_date=pd.Timestamp("2025-12-02"),  # the first of two equal highs
        high=120.0,
        date=pd.Timestamp("2025-12-05"),
        close=96.0,
        drawdown=pytest.approx(-0.2),
    )
    with pytest.raises(
        m.InsufficientDataError,
        match=r"^'NVDA' has no data between 2026-02-01 and 2026-02-27$",
    ):
        m.calc_drawdown_from_high(close, "2026-02-01", "2026-02-27", "2026-03-02")
    # the high window ends where it says: the 2025-12-05 close is not in it
    early = m.calc_drawdown_from_high(close, "2025-12-01", "2025-12-01", "2025-12-05")
    assert (early.high, early.drawdown) == (90.0, pytest.approx(96 / 90 - 1))


# -- the fed funds target -------------------------------------------------------------------


def test_target_range_and_history_are_indexed_by_date():
    upper = pd.Series([0.25, 0.25], index=pd.to_datetime(["2008-12-16", "2008-12-17"]))
    lower = pd.Series([0.0, 0.0], index=upper.index)
    single = pd.Series([1.0, 1.0], index=pd.to_datetime(["2008-12-15", "2008-12-16"]))
    target = m.to_target_range(upper, lower)
    assert target.index.name == "date"
    history = m.to_fed_target_history(single, upper, lower)
    assert history.index.name == "date"
    # DFEDTAR's value on the first range date is ignored: one row per date
    assert (
        history.index.tolist()
        == pd.to_datetime(["2008-12-15", "2008-12-16", "2008-12-17"]).tolist()
    )
    assert history["midpoint"].tolist() == [1.0, 0.125, 0.125]


def _changes(rows):
    frame = pd.DataFrame(rows, columns=["date", "before", "after", "change"]).set_index("date")
    frame.index = pd.to_datetime(frame.index)
    return frame


def test_a_cut_run_breaks_after_70_days_without_a_cut():
    # 70 days between the two cuts: one run
    within = _changes([("2025-01-01", 5.0, 4.75, -0.25), ("2025-03-12", 4.75, 4.5, -0.25)])
    assert m.calc_consecutive_cuts(within, "2025-06-01") == CutRun(
        count=2,
        dates=(pd.Timestamp("2025-01-01"), pd.Timestamp("2025-03-12")),
        changes=(-0.25, -0.25),
        total=-0.5,
        level_before=5.0,
        level_after=4.5,
    )
    # 71 days: the run is the last cut alone
    apart = _changes([("2025-01-01", 5.0, 4.75, -0.25), ("2025-03-13", 4.75, 4.5, -0.25)])
    assert m.calc_consecutive_cuts(apart, "2025-06-01").count == 1


def test_no_cut_run_after_a_hike_or_an_unchanged_rate():
    empty = CutRun(0, (), (), 0.0, math.nan, math.nan)
    hike = _changes([("2025-01-01", 5.0, 4.75, -0.25), ("2025-02-01", 4.75, 5.0, 0.25)])
    assert m.calc_consecutive_cuts(hike, "2025-06-01") == empty
    unchanged = _changes([("2025-01-01", 5.0, 4.75, -0.25), ("2025-02-01", 4.75, 4.75, 0.0)])
    assert m.calc_consecutive_cuts(unchanged, "2025-06-01") == empty


# -- dates, refusals and event studies --------------------------------------------------------


def test_dates_with_a_time_zone_are_read_as_plain_dates():
    close = daily([100.0, 110.0, 121.0])
    start = pd.Timestamp("2024-01-01", tz="America/New_York")
    assert m.calc_period_return(close, start, "2024-01-03") == pytest.approx(0.21)


def test_refusals_are_exact():
    with pytest.raises(TypeError, match=r"^expected a series with a DatetimeIndex$"):
        m.calc_value_at(pd.Series([1.0, 2.0]), 1)
    empty = daily([np.nan, np.nan], name="X")
    with pytest.raises(m.InsufficientDataError, match=r"^'X' has no data on or before 2024-01-02$"):
        m.calc_value_at(empty, "2024-01-02")
    with pytest.raises(
        m.InsufficientDataError, match=r"^end 2024-01-01 is before start 2024-01-02$"
    ):
        m.calc_period_return(daily([1.0, 2.0]), "2024-01-02", "2024-01-01")


def _steps(pairs):
    return pd.Series(
        [v for _, v in pairs], index=pd.DatetimeIndex([d for d, _ in pairs]), dtype=float
    )


def test_rate_changes_and_cycle_starts_are_framed_by_date():
    target = _steps(
        [
            ("2019-01-02", 2.5),
            ("2019-06-03", 2.75),  # a hike
            ("2019-08-01", 2.5),  # a cut after a hike: a start
            ("2019-09-19", 2.25),
            ("2020-09-19", 2.0),  # twelve months without a cut, to the day: a start
            ("2020-10-01", 1.75),
        ]
    )
    changes = m.to_rate_changes(target)
    assert changes.index.name == "date"
    assert changes["kind"].tolist() == ["hike", "cut", "cut", "cut", "cut"]
    starts = m.to_easing_cycle_starts(target, since="2019-01-01")
    assert starts.index.name == "date"
    assert starts.reset_index().to_dict("records") == [
        {
            "date": pd.Timestamp("2019-08-01"),
            "before": 2.75,
            "after": 2.5,
            "change": -0.25,
            "reason": "after a hike",
        },
        {
            "date": pd.Timestamp("2020-09-19"),
            "before": 2.25,
            "after": 2.0,
            "change": -0.25,
            "reason": "after 12 months without a cut",
        },
    ]
    # the first change in the data cannot be classified, even if the series ends on a hike
    assert m.to_easing_cycle_starts(
        _steps([("2019-01-02", 2.5), ("2019-02-01", 2.25), ("2019-03-01", 2.5)]),
        since="2019-01-01",
    ).empty


def test_returns_after_events_in_any_order_up_to_the_last_close():
    index = pd.bdate_range("2020-01-01", "2020-07-01", name="date")
    close = pd.Series(100.0, index=index)
    close.loc["2020-03-02":] = 120.0
    out = m.to_returns_after(["2020-04-01", "2019-01-02", "2020-01-01"], close, horizons=(1, 3))
    assert out.index.name == "event" and out.dtypes.tolist() == [float, float]
    # 2020-04-01 + 3 months is 2020-07-01, the last close: complete
    assert out.loc["2020-04-01"].tolist() == [0.0, 0.0]
    assert out.loc["2019-01-02"].isna().all()  # before the data: nothing, and go on
    assert out.loc["2020-01-01"].tolist() == pytest.approx([0.0, 0.2])
    later = m.to_returns_after(["2020-04-02", "2020-01-01"], close, horizons=(3, 1))
    assert math.isnan(later.loc["2020-04-02", "3m"])  # 2020-07-02 is after the last close
    assert later.loc["2020-04-02", "1m"] == 0.0  # the next horizon is still computed
