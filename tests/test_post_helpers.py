"""The small helpers a post uses: its window, partial loads, the cycle study, the follow-up."""

from textwrap import dedent

import numpy as np
import pandas as pd
import pytest

from analysis.data.availability import first_available, join_names, load_available
from analysis.data.errors import MalformedDataError
from analysis.data.store import Store
from analysis.metrics.common import InsufficientDataError
from analysis.metrics.cycle_study import calc_cycle_study
from analysis.metrics.follow_up import calc_follow_up
from analysis.post import read_window

# -- window -------------------------------------------------------------------------------


def _post(tmp_path, body: str):
    path = tmp_path / "index.qmd"
    path.write_text(dedent(body))
    return path


def test_window_is_read_from_the_front_matter(tmp_path):
    path = _post(
        tmp_path,
        """\
        ---
        date: 2026-01-18
        window:
          base: 2025-12-31
          as-of: "2026-01-16"
        ---
        """,
    )
    window = read_window(path)
    assert window.published == pd.Timestamp("2026-01-18")
    assert window.base == pd.Timestamp("2025-12-31")
    assert window.as_of == pd.Timestamp("2026-01-16")
    assert window.year == 2026
    assert window.week_start == pd.Timestamp("2026-01-12")  # the Monday before Friday 16th


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ("window:\n  base: 2026-01-16\n  as-of: 2025-12-31", "base < as-of"),
        ("window:\n  base: 2025-12-31\n  as-of: 2026-01-19", "base < as-of <= date"),
        ("window:\n  base: 2025-12-31", "base and as-of"),
        ("window:\n  base: soon\n  as-of: 2026-01-16", "window.base must be a date"),
        ("title: no window", "needs 'window:'"),
    ],
)
def test_a_bad_window_is_refused_with_the_reason(tmp_path, window, message):
    path = tmp_path / "index.qmd"
    path.write_text(f"---\ndate: 2026-01-18\n{window}\n---\n")
    with pytest.raises(MalformedDataError, match=message):
        read_window(path)


# -- availability -------------------------------------------------------------------------


def _bars(dates, closes):
    closes = np.asarray(closes, dtype=float)
    return pd.DataFrame(
        {
            "open": closes,
            "high": closes,
            "low": closes,
            "close": closes,
            "adj_close": closes,
            "volume": np.ones_like(closes),
        },
        index=pd.DatetimeIndex(dates, name="date"),
    )


@pytest.fixture
def small_store(tmp_path):
    store = Store(tmp_path / "data")
    store.write("A", _bars(["2026-01-02", "2026-01-05"], [1.0, 2.0]), source="test")
    store.write("B", _bars(["2026-01-05", "2026-01-06"], [3.0, 4.0]), source="test")
    value = pd.DataFrame({"value": [5.0]}, index=pd.DatetimeIndex(["2026-01-02"], name="date"))
    store.write("fred:X", value, source="test")
    return store


def test_load_available_keeps_what_the_store_holds_and_names_the_rest(small_store):
    got = load_available(["A", "C", "B", "D"], store=small_store)
    assert got.present == ("A", "B")
    assert got.missing == ("C", "D")
    assert not got.complete and not got.empty
    assert got.has("A") and not got.has("C")
    assert got.frame.loc["2026-01-05"].tolist() == [2.0, 3.0]
    assert np.isnan(got.frame.loc["2026-01-02", "B"])
    assert set(got.provenance) == {"A", "B"}
    assert got.missing_note() == "C and D are not in this build's data store."
    assert got.missing_note({"C": "C (the third)"}).startswith("C (the third) and D are")


def test_load_available_with_nothing_held_is_empty_not_an_error(small_store):
    got = load_available(["Y"], store=small_store)
    assert got.empty and got.frame.shape == (0, 0)
    assert got.missing_note() == "Y is not in this build's data store."


def test_load_available_reads_a_fred_series_value_column(small_store):
    got = load_available(["fred:X", "A"], "close", store=small_store)
    assert got.frame.loc["2026-01-02", "fred:X"] == 5.0
    assert load_available(["A"], store=small_store).missing_note() == ""


def test_first_available_prefers_the_earlier_candidate(small_store):
    assert first_available(["Z", "B", "A"], store=small_store) == "B"
    assert first_available(["Z", "Y"], store=small_store) is None


def test_a_series_that_ends_before_through_is_left_out_and_named(small_store):
    # A ends on 5 January, B on 6 January, fred:X on 2 January.
    got = load_available(["A", "B", "fred:X", "C"], store=small_store, through="2026-01-06")
    assert got.present == ("B",)
    assert got.ends_early == {"A": pd.Timestamp("2026-01-05"), "fred:X": pd.Timestamp("2026-01-02")}
    assert got.lacking == ("A", "fred:X", "C")
    assert not got.complete and not got.has("A") and set(got.provenance) == {"B"}
    assert got.missing_note() == (
        "C is not in this build's data store. In this build's data store A ends on "
        "5 January 2026 and fred:X on 2 January 2026, before 6 January 2026, so they are "
        "left out here."
    )
    one = load_available(["A", "B"], store=small_store, through="2026-01-06")
    assert one.missing_note({"A": "Alpha"}) == (
        "In this build's data store Alpha ends on 5 January 2026, before 6 January 2026, "
        "so it is left out here."
    )
    # A series that reaches the date exactly is kept.
    assert load_available(["A"], store=small_store, through="2026-01-05").complete


def test_first_available_through_skips_a_candidate_that_ends_early(small_store):
    assert first_available(["A", "B"], store=small_store, through="2026-01-06") == "B"
    assert first_available(["A", "B"], store=small_store, through="2026-01-05") == "A"
    assert first_available(["fred:X"], store=small_store, through="2026-01-03") is None


@pytest.mark.parametrize(
    ("names", "text"),
    [([], ""), (["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B and C")],
)
def test_join_names(names, text):
    assert join_names(names) == text


# -- cycle study ----------------------------------------------------------------------------


def _daily_steps(changes, start, end):
    days = pd.date_range(start, end, freq="D")
    steps = pd.Series(dict(changes))
    steps.index = pd.DatetimeIndex(steps.index)
    return steps.reindex(days, method="ffill")


@pytest.fixture
def one_cycle():
    # 2.0 -> hike to 2.5 -> first cut (a cycle start, after a hike) -> a second cut.
    target = _daily_steps(
        [("2000-01-01", 2.0), ("2000-06-01", 2.5), ("2001-01-03", 2.25), ("2001-03-01", 2.0)],
        "2000-01-01",
        "2001-08-01",
    )
    days = pd.bdate_range("2000-01-03", "2001-08-01")
    small = pd.Series(np.where(days <= "2001-01-03", 100.0, 110.0), index=days)
    large = pd.Series(100.0, index=days)
    return target, small, large


def test_cycle_study_relative_returns_by_hand(one_cycle):
    target, small, large = one_cycle
    study = calc_cycle_study(target, small, large, since="2000-01-01")
    assert list(study.starts.index) == [pd.Timestamp("2001-01-03")]
    # 110 / 100 - 1 for small caps, 0 for large: +10 pp after 3 and 6 months.
    assert study.relative.loc["2001-01-03", "3m"] == pytest.approx(0.10)
    assert study.relative.loc["2001-01-03", "6m"] == pytest.approx(0.10)
    assert np.isnan(study.relative.loc["2001-01-03", "12m"])  # the data ends in August 2001
    three = study.summary("3m")
    assert (three.mean_pp, three.led, three.complete) == (pytest.approx(10.0), 1, 1)
    twelve = study.summary("12m")
    assert np.isnan(twelve.mean_pp) and (twelve.led, twelve.complete) == (0, 0)
    assert study.incomplete() == [(pd.Timestamp("2001-01-03"), "12m")]


def test_cycle_study_says_which_cycles_its_history_covers(one_cycle):
    target, small, large = one_cycle
    covered = calc_cycle_study(target, small, large, since="2000-01-01")
    assert covered.covers_since
    assert covered.coverage_note() == (
        "The fed funds target history in this build runs from 1 January 2000 to "
        "1 August 2001 and shows 1 easing cycle since 2000, beginning on 3 January 2001."
    )
    short = calc_cycle_study(target, small, large, since="1990-01-01")
    assert not short.covers_since
    assert "only runs from 1 January 2000" in short.coverage_note()
    assert "cannot reach back to 1990" in short.coverage_note()
    assert "DFEDTAR" not in short.coverage_note()  # the gap is not the 2008 regime change


def test_cycle_study_on_the_range_alone_names_the_missing_single_target():
    target = _daily_steps(
        [("2008-12-16", 0.25), ("2018-12-20", 2.5), ("2019-08-01", 2.25)],
        "2008-12-16",
        "2020-12-31",
    )
    days = pd.bdate_range("2008-12-16", "2020-12-31")
    flat = pd.Series(50.0, index=days)
    study = calc_cycle_study(target, flat, flat)
    assert "DFEDTAR" in study.coverage_note()
    assert study.coverage_note().endswith("1 easing cycle, beginning on 1 August 2019.")
    # Equal series: the difference is exactly zero at every complete horizon.
    assert (study.relative.dropna(axis=1) == 0.0).all().all()


# -- follow-up ------------------------------------------------------------------------------


@pytest.fixture
def closes():
    dates = pd.DatetimeIndex(["2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07"])
    return pd.DataFrame(
        {"A": [100.0, 110.0, 121.0, np.nan], "B": [100.0, 100.0, 90.0, 80.0]}, index=dates
    )


def test_follow_up_by_hand(closes):
    before = closes.copy()
    follow = calc_follow_up(closes, "2026-01-02", "2026-01-05", "A")
    pd.testing.assert_frame_equal(closes, before)  # not mutated
    assert follow.end == pd.Timestamp("2026-01-06")  # A has no later close
    assert follow.last_bars == {"A": pd.Timestamp("2026-01-06"), "B": pd.Timestamp("2026-01-07")}
    assert follow.returns["A"] == pytest.approx(0.10)  # 121 / 110 - 1
    assert follow.returns["B"] == pytest.approx(-0.10)  # 90 / 100 - 1
    assert follow.lead_at_start["B"] == pytest.approx(10.0)  # (0.10 - 0.00) * 100
    assert follow.lead_at_end["B"] == pytest.approx(31.0)  # (0.21 - -0.10) * 100
    assert follow.lead_change["B"] == pytest.approx(21.0)
    assert follow.has_data and follow.sessions == 1
    assert list(follow.cumulative.index) == list(closes.index[1:3])
    assert follow.cumulative.loc["2026-01-05"].tolist() == [0.0, 0.0]


def test_follow_up_with_nothing_after_the_as_of_date(closes):
    follow = calc_follow_up(closes.iloc[:2], "2026-01-02", "2026-01-05", "A")
    assert not follow.has_data and follow.sessions == 0
    assert follow.returns.tolist() == [0.0, 0.0]
    assert follow.lead_change["B"] == pytest.approx(0.0)


def test_follow_up_refuses_a_leader_it_does_not_have_or_a_late_base(closes):
    with pytest.raises(KeyError, match=r"C is not among the series \['A', 'B'\]"):
        calc_follow_up(closes, "2026-01-02", "2026-01-05", "C")
    with pytest.raises(InsufficientDataError, match="no data on or before 2025-12-31"):
        calc_follow_up(closes, "2025-12-31", "2026-01-05", "A")
