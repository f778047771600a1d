"""No stored bar is ever lost: whatever Yahoo answers (empty, truncated, shifted, with holes,
re-adjusted), the rows stored after an update are a superset of those before, unless the
history was proven re-adjusted and fully fetched again; and a series is marked checked only
when the answer reaches the last closed session."""

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.data.errors import EmptyResponseError
from analysis.data.sessions import last_closed_session, session_close
from analysis.data.settings import Settings
from analysis.data.store import Store
from analysis.fetch import update
from analysis.fetch.update import merge_answer, update_series
from analysis.testing.fake_yahoo import make_ohlcv

TRUTH = make_ohlcv("2026-01-02", 40, base=50.0)  # 2 January to 2 March 2026
SESSIONS = TRUTH.index
NOW = session_close(SESSIONS[-1]) + pd.Timedelta(hours=3)


def answer_from(first: int, last: int, holes: list[int], factor: float, empty: bool):
    """Rows ``first..last`` of the truth, minus ``holes``, adjusted closes times ``factor``."""
    if empty:
        return EmptyResponseError("X: Yahoo Finance returned no price rows")
    rows = TRUTH.iloc[first : last + 1]
    rows = rows.drop(rows.index[[h for h in holes if h < len(rows)]])
    if rows.empty:
        return EmptyResponseError("X: Yahoo Finance returned no price rows")
    rows = rows.copy()
    rows["adj_close"] = rows["adj_close"] * factor
    return rows


answers = st.builds(
    lambda span, holes, factor, empty: answer_from(*sorted(span), holes, factor, empty),
    st.tuples(st.integers(0, len(SESSIONS) - 1), st.integers(0, len(SESSIONS) - 1)),
    st.lists(st.integers(0, len(SESSIONS) - 1), max_size=5),
    st.sampled_from([1.0, 1.0, 1.0, 0.97]),
    st.booleans(),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    stored_span=st.tuples(st.integers(0, len(SESSIONS) - 2), st.integers(0, len(SESSIONS) - 2)),
    first=answers,
    refetched=answers,
)
def test_no_stored_row_is_lost_whatever_the_answer(
    tmp_path_factory, monkeypatch, stored_span, first, refetched
):
    store = Store(tmp_path_factory.mktemp("merge"), lock_timeout=1)
    lo, hi = sorted(stored_span)
    before = TRUTH.iloc[lo : hi + 1]
    store.write(
        "X", before, source="Yahoo Finance via yfinance", fetched_at="2026-01-01T00:00:00+00:00"
    )
    calls = iter([first, refetched])
    monkeypatch.setattr(update.yahoo, "fetch_yahoo", lambda batch, *a, **k: {"X": next(calls)})

    report = update_series(["X"], store=store, settings=Settings(data_dir=store.root), now=NOW)

    after = store.read("X")
    outcome = report.outcomes["X"]
    readjusted = (
        isinstance(first, pd.DataFrame)
        and first["adj_close"]
        .ne(before["adj_close"].reindex(first.index).fillna(first["adj_close"]))
        .any()
    )
    fully_refetched = (
        readjusted
        and isinstance(refetched, pd.DataFrame)
        and refetched.index[0] <= before.index[0]
        and refetched.index[-1] >= before.index[-1]
    )
    if not fully_refetched:
        assert set(before.index) <= set(after.index), outcome
        unchanged = before.index.difference(
            first.index if isinstance(first, pd.DataFrame) else pd.DatetimeIndex([])
        )
        pd.testing.assert_frame_equal(after.loc[unchanged], before.loc[unchanged], check_freq=False)
    else:
        pd.testing.assert_frame_equal(after, refetched, check_freq=False)
    prov = store.provenance("X")
    if prov.checked_at is not None:
        assert prov.last_bar_date >= last_closed_session(NOW)


def test_a_truncated_answer_keeps_the_stored_bars_and_is_not_checked(tmp_path, monkeypatch):
    """The measured failure: an answer missing the newest 3 bars cost 2 stored bars."""
    store = Store(tmp_path, lock_timeout=1)
    stored = TRUTH.iloc[:-1]  # through the session before the last
    store.write(
        "X", stored, source="Yahoo Finance via yfinance", fetched_at="2026-01-01T00:00:00+00:00"
    )
    truncated = TRUTH.iloc[-8:-3]  # overlap from a week back, newest 3 bars missing
    monkeypatch.setattr(update.yahoo, "fetch_yahoo", lambda batch, *a, **k: {"X": truncated})
    report = update_series(["X"], store=store, settings=Settings(data_dir=store.root), now=NOW)
    pd.testing.assert_frame_equal(store.read("X"), stored, check_freq=False)
    assert report.outcomes["X"].status == "stale"
    assert (
        "stops at 2026-02-25, before the stored last bar 2026-02-27" in report.outcomes["X"].error
    )
    assert store.provenance("X").checked_at is None


def test_an_answer_short_of_the_last_session_adds_rows_but_is_not_checked(tmp_path, monkeypatch):
    store = Store(tmp_path, lock_timeout=1)
    store.write(
        "X",
        TRUTH.iloc[:-3],
        source="Yahoo Finance via yfinance",
        fetched_at="2026-01-01T00:00:00+00:00",
    )
    monkeypatch.setattr(
        update.yahoo, "fetch_yahoo", lambda batch, *a, **k: {"X": TRUTH.iloc[-9:-1]}
    )
    report = update_series(["X"], store=store, settings=Settings(data_dir=store.root), now=NOW)
    assert report.outcomes["X"].status == "updated"
    prov = store.provenance("X")
    assert prov.last_bar == str(SESSIONS[-2].date()) and prov.checked_at is None


@pytest.mark.parametrize(
    ("stored", "answer", "expected"),
    [
        ([1, 2, 3, 4], [3, 4, 5], [1, 2, 3, 4, 5]),
        ([1, 2, 3, 4], [2, 3], [1, 2, 3, 4]),  # truncated: 4 kept
        ([1, 2, 3, 4], [2, 4, 5], [1, 2, 3, 4, 5]),  # a hole at 3: the stored 3 kept
        ([3, 4], [1, 2], [1, 2, 3, 4]),  # shifted before the stored rows
    ],
)
def test_merge_keeps_every_row_the_answer_does_not_cover(stored, answer, expected):
    frame = lambda rows, v: pd.DataFrame({"close": [v] * len(rows)}, index=SESSIONS[rows])  # noqa: E731
    merged = merge_answer(frame(stored, 1.0), frame(answer, 2.0))
    assert list(merged.index) == list(SESSIONS[expected])
    assert merged["close"].tolist() == [2.0 if i in answer else 1.0 for i in expected]
