"""Boundaries of every helper that writes text or compares with a tolerance.

Each case sits just below, at, or just above an edge (the teens of ordinals, one versus two,
lists of none to three, the ends of a month or a year, a drift equal to the tolerance), with
the answer worked out by hand. Off-by-one slips live at these edges and nowhere else.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analysis import claims as c
from analysis.charts.style import alt_pct, alt_pp, end_label, signed_pct
from analysis.claims.check import format_value
from analysis.data.availability import Available
from analysis.data.sessions import session_close
from analysis.data.settings import LIVE, Settings
from analysis.data.store import Store
from analysis.fetch.sources.retry import RetryPolicy
from analysis.fetch.update import ADJUSTMENT_TOLERANCE, update_series
from analysis.metrics.breadth import COVERAGE_THRESHOLD, calc_breadth_claim, calc_highest_since
from analysis.metrics.cycle_study import CycleStudy
from analysis.metrics.returns import calc_rank_phrase
from analysis.site.fingerprint import explain
from analysis.site.new_post import render_template, slugify
from analysis.testing.fake_yahoo import FakeYahooSession, make_ohlcv
from analysis.text import join_names, long_date, ordinal

# -- ordinals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0th"),
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (9, "9th"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (14, "14th"),
        (19, "19th"),
        (20, "20th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (100, "100th"),
        (101, "101st"),
        (102, "102nd"),
        (103, "103rd"),
        (110, "110th"),
        (111, "111th"),
        (112, "112th"),
        (113, "113th"),
        (114, "114th"),
        (121, "121st"),
        (1011, "1011th"),
        (1012, "1012th"),
        (1021, "1021st"),
    ],
)
def test_ordinal_suffixes_around_the_teens_of_every_hundred(n, text):
    assert ordinal(n) == text


def test_a_rank_phrase_in_the_teens_reads_11th_not_11st():
    # Ten better years right before 2025 (the last of them 2024, so no "since") and fourteen
    # worse ones: 11th of 25 from the top, 15th from the bottom.
    by_year = pd.Series({2000 + i: float(i) for i in range(14)})
    for year in range(2015, 2025):
        by_year[year] = 60.0 + year - 2015
    by_year[2025] = 50.0
    facts = calc_rank_phrase(by_year, 2025)
    assert (facts.rank, facts.rank_from_bottom, facts.count) == (11, 15, 25)
    assert facts.phrase == "the 11th-strongest start in 25 years"


@pytest.mark.parametrize(
    ("by_year", "phrase"),
    [
        ({2023: 1.0, 2024: 10.0, 2025: 5.0}, "the 2nd-strongest start in 3 years"),
        ({2023: 10.0, 2024: 1.0, 2025: 5.0}, "the strongest start since 2023"),
        ({2022: 10.0, 2023: 1.0, 2024: 1.0, 2025: 5.0}, "the strongest start since 2022"),
    ],
)
def test_a_rank_phrase_says_since_only_when_a_year_lies_between(by_year, phrase):
    assert calc_rank_phrase(pd.Series(by_year), 2025).phrase == phrase


# -- lists and plurals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "conjunction", "text"),
    [
        ([], "and", ""),
        (["A"], "and", "A"),
        (["A", "B"], "and", "A and B"),
        (["A", "B", "C"], "and", "A, B and C"),
        (["A", "B", "C", "D"], "and", "A, B, C and D"),
        (["A", "B"], "or", "A or B"),
        (["A", "B", "C"], "or", "A, B or C"),
        (("A", "B"), "and", "A and B"),  # any sequence, not only a list
    ],
)
def test_join_names_for_none_to_four_names(names, conjunction, text):
    assert join_names(names, conjunction) == text


def _fingerprint(series=None, universes=None):
    return {
        "source": {"index.qmd": "x"},
        "series": series or {},
        "universes": universes or {},
        "package": "p",
        "posts_metadata": "m",
        "environment": {},
    }


def _series_part(rows, last_bar, checksum):
    return {
        "rows": rows,
        "last_bar": last_bar,
        "checksum": checksum,
        "source": "Yahoo",
        "stale": False,
        "notes": "",
    }


@pytest.mark.parametrize(
    ("rows", "text"),
    [(101, "data changed: ^RUT +1 bar"), (102, "data changed: ^RUT +2 bars")],
)
def test_the_fingerprint_explanation_counts_one_bar_and_two_bars(rows, text):
    old = _fingerprint({"^RUT": _series_part(100, "2026-01-15", "a")})
    new = _fingerprint({"^RUT": _series_part(rows, "2026-01-16", "b")})
    assert explain(old, new) == [text]


def test_a_later_last_bar_with_no_more_rows_is_a_revision_not_plus_zero_bars():
    old = _fingerprint({"^RUT": _series_part(100, "2026-01-15", "a")})
    new = _fingerprint({"^RUT": _series_part(100, "2026-01-16", "b")})
    assert explain(old, new) == ["data changed: ^RUT rows revised"]


@pytest.mark.parametrize(
    ("changed", "text"),
    [(1, "data changed: r2k 1 member changed"), (2, "data changed: r2k 2 members changed")],
)
def test_the_fingerprint_explanation_counts_one_member_and_two_members(changed, text):
    members = {"A": "a", "B": "b", "C": "c"}
    moved = {**members, **{s: "new" for s in list(members)[:changed]}}
    old = _fingerprint(universes={"r2k": {"holdings": None, "members": members}})
    new = _fingerprint(universes={"r2k": {"holdings": None, "members": moved}})
    assert explain(old, new) == [text]


def _available(missing=(), ends_early=None):
    return Available(
        asked=(*missing, *(ends_early or {})),
        frame=pd.DataFrame(),
        missing=tuple(missing),
        ends_early={s: pd.Timestamp(d) for s, d in (ends_early or {}).items()},
        through=pd.Timestamp("2026-01-16"),
    )


@pytest.mark.parametrize(
    ("missing", "text"),
    [
        ((), ""),
        (("A",), "A is not in this build's data store."),
        (("A", "B"), "A and B are not in this build's data store."),
        (("A", "B", "C"), "A, B and C are not in this build's data store."),
    ],
)
def test_a_missing_series_note_for_none_one_two_and_three(missing, text):
    assert _available(missing).missing_note() == text


@pytest.mark.parametrize(
    ("ends_early", "text"),
    [
        (
            {"A": "2025-12-31"},
            "In this build's data store A ends on 31 December 2025, before 16 January 2026, "
            "so it is left out here.",
        ),
        (
            {"A": "2025-12-31", "B": "2026-01-01"},
            "In this build's data store A ends on 31 December 2025 and B on 1 January 2026, "
            "before 16 January 2026, so they are left out here.",
        ),
    ],
)
def test_a_series_that_ends_early_is_it_and_two_are_they(ends_early, text):
    assert _available(ends_early=ends_early).missing_note() == text


@pytest.mark.parametrize(
    ("starts", "text"),
    [
        ([], "shows 0 easing cycles since 2000."),
        (["2019-07-31"], "shows 1 easing cycle since 2000, beginning on 31 July 2019."),
        (
            ["2019-07-31", "2024-09-18"],
            "shows 2 easing cycles since 2000, beginning on 31 July 2019 and 18 September 2024.",
        ),
    ],
)
def test_the_cycle_study_counts_one_cycle_and_two_cycles(starts, text):
    study = CycleStudy(
        starts=pd.DataFrame(index=pd.DatetimeIndex(pd.to_datetime(starts))),
        relative=pd.DataFrame(),
        history_start=pd.Timestamp("1990-01-02"),
        history_end=pd.Timestamp("2026-01-16"),
        since=pd.Timestamp("2000-01-01"),
    )
    assert study.coverage_note().endswith(text)


# -- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (dt.date(2026, 1, 1), "1 January 2026"),
        (dt.date(2025, 12, 31), "31 December 2025"),
        (dt.date(2024, 2, 29), "29 February 2024"),
        (dt.date(2026, 3, 1), "1 March 2026"),
        (pd.Timestamp("2026-01-09 23:59"), "9 January 2026"),
        (pd.Timestamp("2026-01-10"), "10 January 2026"),
    ],
)
def test_long_date_at_the_ends_of_months_and_years(when, text):
    assert long_date(when) == text


@pytest.mark.parametrize(
    ("date", "base"),
    [
        (dt.date(2026, 1, 1), "1 January 2025"),
        (dt.date(2025, 12, 31), "31 December 2024"),
        (dt.date(2024, 2, 29), "28 February 2023"),  # no 29 February the year before
        (dt.date(2025, 2, 28), "28 February 2024"),
        (dt.date(2025, 3, 1), "1 March 2024"),
    ],
)
def test_a_new_posts_base_date_is_one_year_back_even_from_29_february(date, base):
    text = render_template(
        title="T",
        date=date,
        series=["IWM"],
        benchmark=None,
        categories=[],
        author=None,
    )
    assert f"returns since {base}," in text


@pytest.mark.parametrize(
    ("days_back", "phrase"),
    [
        (61, "the highest since 16 November 2025"),
        (62, "the highest since 15 November 2025"),  # two months: still to the day
        (63, "the highest since November 2025"),
    ],
)
def test_highest_since_names_the_day_up_to_62_days_back_then_the_month(days_back, phrase):
    day = pd.Timestamp("2026-01-16")
    since = day - pd.Timedelta(days=days_back)
    readings = pd.Series([70.0, 50.0, 60.0], index=[since, since + pd.Timedelta(days=1), day])
    assert calc_highest_since(readings, day).phrase == phrase


def test_highest_since_counts_an_equal_earlier_reading_as_at_least_as_high():
    days = pd.to_datetime(["2025-06-02", "2025-09-01", "2026-01-16"])
    assert calc_highest_since(pd.Series([60.0, 59.9, 60.0], index=days), days[-1]).phrase == (
        "the highest since June 2025"
    )
    assert calc_highest_since(pd.Series([59.9, 59.9, 60.0], index=days), days[-1]).record


@pytest.mark.parametrize(
    ("last", "text"),
    [
        ("2026-01-16", "R +7.9%"),  # ends at the chart's edge
        ("2026-01-17", "R +7.9%"),  # after it (a weekend bar): still no date
        ("2026-01-15", "R +7.9% (to 15 Jan)"),
        ("2026-01-01", "R +7.9% (to 1 Jan)"),
        ("2025-12-31", "R +7.9% (to 31 Dec 2025)"),  # the year before says its year
    ],
)
def test_an_end_label_dates_a_line_that_stops_before_the_chart_end(last, text):
    assert end_label("R", 7.9, last, "2026-01-16") == text


def test_slugify_keeps_a_last_word_that_fits_exactly_and_drops_one_that_does_not():
    assert slugify("ab cd", max_length=5) == "ab-cd"  # exactly the length
    assert slugify("ab cd e", max_length=5) == "ab-cd"  # the word ends at the limit
    assert slugify("ab cde", max_length=5) == "ab"  # one letter over: the word goes
    assert slugify("abcdef", max_length=5) == "abcde"  # one word too long: cut
    assert slugify("abcde", max_length=5) == "abcde"


# -- numbers in prose --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "signed", "alt", "pp"),
    [
        (-0.06, "\u22120.1%", "-0.1%", "-0.1"),
        (-0.04, "0.0%", "0.0%", "0.0"),  # rounds to zero: no sign on a zero
        (0.0, "0.0%", "0.0%", "0.0"),
        (0.04, "0.0%", "0.0%", "0.0"),
        (0.06, "+0.1%", "+0.1%", "+0.1"),
        (float("nan"), "n/a", "not available", "not yet complete"),
    ],
)
def test_percentages_that_round_to_zero_have_no_sign(value, signed, alt, pp):
    assert (signed_pct(value), alt_pct(value), alt_pp(value)) == (signed, alt, pp)


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "text"),
    [
        (-0.06, "%", 1, "-0.1%"),
        (-0.04, "%", 1, "0.0%"),
        (-0.4, "", 0, "0"),
        (-0.6, "", 0, "-1"),
        (999.94, "$", 1, "$999.9"),
        (999.96, "$", 1, "$1,000.0"),  # rounds up across the thousands separator
        (-250, "$", 0, "-$250"),
        (1.5, "pp", 1, "1.5 pp"),
        (18, "x", 0, "18x"),
    ],
)
def test_format_value_at_rounding_edges(value, unit, decimals, text):
    assert format_value(value, unit, decimals) == text


@pytest.mark.parametrize(
    ("published", "text"),
    [
        (250, "250%"),
        (250.0, "250%"),  # a whole number written as a float has no decimals
        (5.8, "5.8%"),
        (0.25, "0.25%"),
        (0.123456, "0.123456%"),  # six decimals: the most shown
        (0.1234567, "0.123457%"),
        (1e-7, "0.00%"),  # written with an exponent: two decimals
    ],
)
def test_a_claim_is_shown_with_the_decimals_it_was_written_with(published, text):
    claims = [{"id": "x", "claim": "c", "published": published, "unit": "%", "tolerance": 0}]
    assert c.check_claims(claims, {"x": published}).loc["x", "published_text"] == text


# -- the claims' tolerance ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "value", "verdict", "note"),
    [
        # equals 5.8 ± 0.1: 5.9 - 5.8 is 0.10000000000000053 in floats, yet on the boundary
        ({"published": 5.8, "tolerance": 0.1}, 5.7, c.HOLDS, "off by -0.1 pp (tolerance ±0.1 pp)"),
        ({"published": 5.8, "tolerance": 0.1}, 5.69, c.CONTRADICTED, None),
        ({"published": 5.8, "tolerance": 0.1}, 5.9, c.HOLDS, "off by +0.1 pp (tolerance ±0.1 pp)"),
        ({"published": 5.8, "tolerance": 0.1}, 5.91, c.CONTRADICTED, None),
        ({"published": 5.8, "tolerance": 0.1}, 5.84, c.HOLDS, "matches (tolerance ±0.1 pp)"),
        ({"published": 5.8, "tolerance": 0.1}, 5.86, c.HOLDS, "off by +0.1 pp (tolerance ±0.1 pp)"),
        ({"published": 5.8, "tolerance": 0}, 5.8, c.HOLDS, "matches"),
        ({"published": 5.8, "tolerance": 0}, 5.81, c.CONTRADICTED, None),
        # at least 35 - 5
        ({"published": 35, "kind": "at_least", "tolerance": 5}, 30.0, c.HOLDS, None),
        ({"published": 35, "kind": "at_least", "tolerance": 5}, 29.9, c.CONTRADICTED, None),
        ({"published": 35, "kind": "at_least", "tolerance": 5}, 30.1, c.HOLDS, None),
        # at most 0 + 1, and negative values
        ({"published": 0, "kind": "at_most", "tolerance": 1}, 1.0, c.HOLDS, None),
        ({"published": 0, "kind": "at_most", "tolerance": 1}, 1.1, c.CONTRADICTED, None),
        ({"published": -2, "kind": "at_most"}, -2.0, c.HOLDS, None),
        ({"published": -2, "kind": "at_most"}, -1.9, c.CONTRADICTED, None),
        ({"published": -2, "kind": "at_least"}, -2.1, c.CONTRADICTED, None),
        # between, no tolerance: both ends count
        ({"published": [73, 77]}, 73.0, c.HOLDS, None),
        ({"published": [73, 77]}, 72.9, c.CONTRADICTED, None),
    ],
)
def test_claim_tolerance_just_below_at_and_just_above(item, value, verdict, note):
    claims = [{"id": "x", "claim": "a claim", "unit": "%", **item}]
    row = c.check_claims(claims, {"x": value}).loc["x"]
    assert row["verdict"] == verdict
    if note is not None:
        assert row["note"] == note


# -- breadth coverage --------------------------------------------------------------------------


def _flat_members(count, sessions=210):
    days = pd.bdate_range("2025-03-03", periods=sessions)
    rising = pd.Series(np.linspace(10, 20, sessions), index=days)
    return pd.DataFrame({f"M{i:02d}": rising for i in range(count)}), days


@pytest.mark.parametrize(("closing", "has_value"), [(18, False), (19, True), (20, True)])
def test_breadth_needs_95_percent_of_members_closing_on_the_day(closing, has_value):
    assert COVERAGE_THRESHOLD == 0.95
    closes, days = _flat_members(20)
    closes.iloc[-1, closing:] = np.nan  # 19 of 20 is exactly 95%
    reading = calc_breadth_claim(closes, days[-1])
    assert (reading.value is not None) == has_value


@pytest.mark.parametrize(("counted", "has_value"), [(4, False), (5, True), (6, True)])
def test_breadth_needs_half_the_members_counted(counted, has_value):
    # Ten members close on the day; only ``counted`` of them have 200 bars by then.
    closes, days = _flat_members(10)
    closes.iloc[: len(days) - 100, counted:] = np.nan
    reading = calc_breadth_claim(closes, days[-1], window=200)
    assert (reading.value is not None) == has_value
    if not has_value:
        assert reading.reason.startswith("only 4 of 10 members have 200 daily closes")


# -- the update's readjustment tolerance -------------------------------------------------------

_INCREMENTAL = ("IWM", pd.Timestamp("2026-02-05").date())
_FULL = ("IWM", "full")


def _after_close(day):
    return session_close(pd.Timestamp(day)) + pd.Timedelta(hours=3)


def _update(store, frame, day):
    session = FakeYahooSession({"IWM": frame})
    update_series(
        ["IWM"],
        store=store,
        settings=Settings(data_dir=store.root, mode=LIVE),
        now=_after_close(day),
        yahoo_session=session,
        progress=False,
        retry=RetryPolicy(attempts=2, base_delay=0.0),
        sleep=lambda _: None,
    )
    starts = {
        ("IWM", "full" if r.start is None or r.start.year < 1990 else r.start)
        for r in session.chart_requests
    }
    return starts


def _readjusted_after_moving_one_bar(tmp_path, base, new_value, day="2026-02-09"):
    """Store 29 flat bars at ``base``, then fetch again with one stored bar at ``new_value``.

    Returns whether the update went back for the full history (a readjustment).
    """
    store = Store(tmp_path / "data", lock_timeout=1)
    bars = make_ohlcv("2026-01-02", 30, base=base, drift=0.0, adj_ratio=1.0)
    assert _update(store, bars.loc[:"2026-02-12"], "2026-02-12") == {_FULL}
    moved = bars.copy()
    moved.loc[day, "adj_close"] = new_value
    starts = _update(store, moved, "2026-02-13")
    assert _INCREMENTAL in starts
    return _FULL in starts


@pytest.mark.parametrize(
    ("new_value", "readjusted"),
    [
        (1_000_000.5, False),  # half the tolerance up
        (1_000_001.0, False),  # exactly the tolerance up
        (1_000_002.0, True),  # twice the tolerance up
        (999_999.5, False),
        (999_999.0, False),  # exactly the tolerance down (relative to the stored value)
        (999_998.0, True),
    ],
)
def test_a_readjustment_is_a_drift_beyond_the_tolerance_either_way(tmp_path, new_value, readjusted):
    # $1 on $1,000,000 is exactly ADJUSTMENT_TOLERANCE; a bar in the middle of the overlap.
    assert ADJUSTMENT_TOLERANCE == 1e-6
    assert _readjusted_after_moving_one_bar(tmp_path, 1_000_000.0, new_value) == readjusted


@pytest.mark.parametrize(
    ("new_value", "readjusted"),
    [
        (-37.63 * (1 - 0.5e-6), False),
        (-37.63 * (1 - 2e-6), True),  # negative price moving up by twice the tolerance
        (-37.63 * (1 + 2e-6), True),  # and down
    ],
)
def test_the_readjustment_tolerance_is_relative_to_the_size_of_a_negative_price(
    tmp_path, new_value, readjusted
):
    # Oil futures closed at -$37.63 on 20 April 2020: a negative stored price still drifts.
    assert _readjusted_after_moving_one_bar(tmp_path, -37.63, new_value) == readjusted


def test_a_stored_zero_that_becomes_a_price_is_a_readjustment(tmp_path):
    store = Store(tmp_path / "data", lock_timeout=1)
    bars = make_ohlcv("2026-01-02", 30, base=10.0, drift=0.0, adj_ratio=1.0)
    stored = bars.loc[:"2026-02-12"].copy()
    stored.loc["2026-02-09", "adj_close"] = 0.0
    _update(store, stored, "2026-02-12")
    assert _FULL in _update(store, bars, "2026-02-13")
