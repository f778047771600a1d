"""The NYSE calendar: known sessions and closes, and the day's cache of the closes table."""

import datetime as dt

import pandas as pd
import pytest

from analysis.data import sessions


class _Today(dt.date):
    """A fixed today, so a run that crosses midnight names the same day's table."""

    @classmethod
    def today(cls):
        return dt.date(2026, 11, 25)


@pytest.fixture()
def fresh(tmp_path, monkeypatch):
    """A data folder of its own and no table in memory: as a new process starts."""
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(sessions, "date", _Today)
    sessions._closes.cache_clear()
    yield tmp_path / sessions.CACHE_FOLDER
    sessions._closes.cache_clear()


def utc(text):
    return pd.Timestamp(text, tz="UTC")


def test_known_sessions_and_closes(fresh):
    # Monday 19 January 2026 is Martin Luther King Jr. Day; winter closes are 21:00 UTC.
    assert sessions.last_closed_session(utc("2026-01-19 12:00")) == pd.Timestamp("2026-01-16")
    assert sessions.last_closed_session(utc("2026-01-20 20:59")) == pd.Timestamp("2026-01-16")
    assert sessions.last_closed_session(utc("2026-01-20 21:00")) == pd.Timestamp("2026-01-20")
    # The day after Thanksgiving closes at 13:00 New York time; summer closes at 20:00 UTC.
    assert sessions.session_close("2026-11-27") == utc("2026-11-27 18:00")
    assert sessions.session_close("2026-07-02") == utc("2026-07-02 20:00")
    with pytest.raises(KeyError, match="2026-01-19"):  # Martin Luther King Jr. Day
        sessions.session_close("2026-01-19")
    # 12 to 16 January: five sessions; none between a Friday close and the next Monday.
    assert sessions.closed_sessions_between(utc("2026-01-09 22:00"), utc("2026-01-16 23:00")) == 5
    assert sessions.closed_sessions_between(utc("2026-01-16 21:00"), utc("2026-01-19 23:00")) == 0
    assert sessions.closed_sessions_between(utc("2026-01-16"), utc("2026-01-09")) == 0


def test_answers_match_the_calendar_library_built_and_read_back(fresh):
    calendar = sessions._calendar()
    moments = pd.date_range("2025-12-20", "2026-01-10", freq="7h", tz="UTC")
    expected = []
    for now in moments:
        recent = calendar.sessions_in_range("2025-12-01", now.tz_localize(None).normalize())
        expected.append([s for s in recent if calendar.session_close(s) <= now][-1])
    built = [sessions.last_closed_session(now) for now in moments]
    sessions._closes.cache_clear()  # the next answers come from the saved table
    read_back = [sessions.last_closed_session(now) for now in moments]
    assert built == expected and read_back == expected
    assert len(expected) > 60 and len(set(expected)) > 10


def test_a_later_start_reads_the_cache_instead_of_building(fresh, monkeypatch):
    first = sessions.last_closed_session(utc("2026-01-20 22:00"))
    (saved,) = fresh.glob("xnys-closes-*.parquet")
    assert saved.name.endswith("-2026-11-25.parquet")  # one table a day

    sessions._closes.cache_clear()

    def no_build():
        raise AssertionError("the calendar was built again")

    monkeypatch.setattr(sessions, "_calendar", no_build)
    assert sessions.last_closed_session(utc("2026-01-20 22:00")) == first


@pytest.mark.parametrize("damage", [b"", b"PAR1 not parquet", None])
def test_an_unreadable_cache_is_rebuilt_and_replaced(fresh, damage):
    sessions.last_closed_session(utc("2026-01-20 22:00"))
    (saved,) = fresh.glob("xnys-closes-*.parquet")
    if damage is None:  # readable parquet, but not a table of closes
        pd.DataFrame({"close": [1, 2]}).to_parquet(saved)
    else:
        saved.write_bytes(damage)
    sessions._closes.cache_clear()
    assert sessions.last_closed_session(utc("2026-01-20 22:00")) == pd.Timestamp("2026-01-20")
    assert len(pd.read_parquet(saved)) > 1000


def test_older_tables_are_removed(fresh):
    fresh.mkdir(parents=True)
    old = fresh / "xnys-closes-0.0.1-2020-01-01.parquet"
    old.write_bytes(b"old")
    sessions.last_closed_session(utc("2026-01-20 22:00"))
    assert not old.exists()
    assert len(list(fresh.glob("xnys-closes-*.parquet"))) == 1


def test_a_cache_that_cannot_be_written_only_costs_time(fresh):
    fresh.parent.mkdir(parents=True, exist_ok=True)
    fresh.write_text("a file where the cache folder would be")
    assert sessions.last_closed_session(utc("2026-01-20 22:00")) == pd.Timestamp("2026-01-20")


def test_dates_beyond_the_calendar_are_an_error(fresh):
    with pytest.raises(ValueError, match="after the calendar's last session"):
        sessions.last_closed_session(utc("2100-01-01"))


def test_a_bad_unrelated_setting_does_not_stop_the_calendar(fresh, monkeypatch):
    monkeypatch.setenv("ANALYSIS_LOCK_TIMEOUT", "abc")
    monkeypatch.setenv("ANALYSIS_MAX_STALE_SESSIONS", "-1")
    assert sessions.last_closed_session(utc("2026-01-20 22:00")) == pd.Timestamp("2026-01-20")
