"""Settings read from the environment: each variable is honoured, bad values are one line."""

from pathlib import Path

import pytest

from analysis.data.settings import LIVE, OFFLINE, PROJECT_ROOT, load_settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", 3), ("0", 0), (" 12 ", 12), ("", None)],
)
def test_max_stale_sessions_is_read_from_the_environment(raw, expected):
    settings = load_settings(environ={"ANALYSIS_MAX_STALE_SESSIONS": raw})
    assert settings.max_stale_sessions == expected


def test_without_the_variable_there_is_no_staleness_limit():
    assert load_settings(environ={}).max_stale_sessions is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("soon", "ANALYSIS_MAX_STALE_SESSIONS must be a whole number of trading sessions"),
        ("2.5", "ANALYSIS_MAX_STALE_SESSIONS must be a whole number of trading sessions"),
        ("-1", "ANALYSIS_MAX_STALE_SESSIONS must not be negative, got -1"),
    ],
)
def test_a_bad_staleness_limit_is_refused(raw, message):
    with pytest.raises(ValueError, match=message):
        load_settings(environ={"ANALYSIS_MAX_STALE_SESSIONS": raw})


@pytest.mark.parametrize(
    ("environ", "offline", "mode"),
    [
        ({}, None, LIVE),
        ({"ANALYSIS_OFFLINE": "1"}, None, OFFLINE),
        ({"ANALYSIS_OFFLINE": " Yes "}, None, OFFLINE),
        ({"ANALYSIS_OFFLINE": "0"}, None, LIVE),
        ({"ANALYSIS_OFFLINE": "1"}, False, LIVE),  # an explicit argument wins
        ({}, True, OFFLINE),
    ],
)
def test_offline_mode(environ, offline, mode):
    assert load_settings(offline=offline, environ=environ).mode == mode


def test_data_dir_and_lock_timeout(tmp_path):
    settings = load_settings(
        environ={"ANALYSIS_DATA_DIR": str(tmp_path), "ANALYSIS_LOCK_TIMEOUT": "2.5"}
    )
    assert (settings.data_dir, settings.lock_timeout) == (tmp_path, 2.5)
    relative = load_settings(environ={"ANALYSIS_DATA_DIR": "elsewhere"})
    assert relative.data_dir == PROJECT_ROOT / "elsewhere"
    default = load_settings(environ={})
    assert (default.data_dir, default.lock_timeout) == (PROJECT_ROOT / "data", 30.0)
    assert isinstance(default.data_dir, Path)
