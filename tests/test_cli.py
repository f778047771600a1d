"""The command line: every expected failure is one line on stderr and a non-zero exit."""

import json
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from analysis import cli
from analysis.data.sessions import last_closed_session, session_close
from analysis.data.store import Store
from analysis.fetch.sources import yahoo
from analysis.testing.fake_yahoo import FakeYahooSession, make_ohlcv

GOOD_CSV = textwrap.dedent("""\
    Date,Open,High,Low,Close,Adj Close,Volume
    2025-12-30,246.0,247.5,245.1,246.9,246.9,30100000
    2025-12-31,246.9,247.0,245.5,246.16,246.16,28000000
    2026-01-02,247.0,249.2,246.8,248.78,248.78,35500000
""")


HOLD_LOCK = (
    "import filelock, sys, time; lock = filelock.FileLock(sys.argv[1]); lock.acquire(); "
    "print('held', flush=True); time.sleep(30)"
)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    root = tmp_path / "data"
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(root))
    monkeypatch.delenv("ANALYSIS_OFFLINE", raising=False)
    monkeypatch.setenv("ANALYSIS_LOCK_TIMEOUT", "0.5")
    return root


@pytest.fixture
def fake_yahoo(monkeypatch):
    """Route the CLI's Yahoo requests to a fake session holding recent IWM bars."""
    end = last_closed_session(pd.Timestamp.now(tz="UTC"))
    frame = make_ohlcv(end - pd.Timedelta(days=60), 200).loc[:end]
    session = FakeYahooSession({"IWM": frame}, faults={"^EMPTY": "empty"})
    monkeypatch.setattr(yahoo, "_default_session", lambda: session)
    monkeypatch.setattr(yahoo, "DEFAULT_RETRY", yahoo.RetryPolicy(attempts=1))
    return session


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err
    return lines[0]


def test_import_then_status_shows_the_series_with_its_provenance(tmp_path, data_dir, capsys):
    csv = tmp_path / "IWM.csv"
    csv.write_text(GOOD_CSV)
    code, out, _ = run(capsys, "import", str(csv), "--symbol", "IWM")
    assert code == 0
    assert "imported 3 rows of IWM (2025-12-30 to 2026-01-02)" in out
    assert Store(data_dir).read("IWM").loc["2025-12-31", "close"] == 246.16

    code, out, _ = run(capsys, "status", "--format", "json")
    assert code == 0
    (row,) = json.loads(out)
    assert row["symbol"] == "IWM"
    assert row["source"] == "imported from IWM.csv"
    assert (row["first bar"], row["last bar"], row["state"]) == (
        "2025-12-30",
        "2026-01-02",
        "stale",
    )

    code, out, _ = run(capsys, "status", "--format", "markdown")
    assert out.splitlines()[0].startswith("| symbol | source |")
    assert "| IWM | imported from IWM.csv |" in out


def test_malformed_csv_is_one_line_and_leaves_the_store_alone(tmp_path, data_dir, capsys):
    good = tmp_path / "IWM.csv"
    good.write_text(GOOD_CSV)
    run(capsys, "import", str(good), "--symbol", "IWM")
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD_CSV.replace("248.78", "abc"))
    code, _, err = run(capsys, "import", str(bad), "--symbol", "IWM")
    assert code == 1
    assert "line 4" in one_error_line(err)
    assert Store(data_dir).provenance("IWM").source == "imported from IWM.csv"


def test_missing_file_is_one_line(tmp_path, data_dir, capsys):
    code, _, err = run(capsys, "import", str(tmp_path / "nope.csv"), "--symbol", "X")
    assert code == 1
    assert "nope.csv" in one_error_line(err)


def test_fetch_reports_each_symbol_and_fails_on_an_unknown_one(data_dir, fake_yahoo, capsys):
    code, out, err = run(capsys, "fetch", "IWM", "^NOPE")
    assert code == 1
    assert "IWM" in out and "updated" in out
    line = one_error_line(err)
    assert "^NOPE" in line and "does not know this symbol" in line
    assert Store(data_dir).symbols() == ["IWM"]


def test_fetch_of_an_empty_answer_is_one_line(data_dir, fake_yahoo, capsys):
    code, _, err = run(capsys, "fetch", "^EMPTY")
    assert code == 1
    assert "^EMPTY" in one_error_line(err)


def test_network_down_is_one_line(data_dir, fake_yahoo, capsys):
    fake_yahoo.network_down = True
    code, _, err = run(capsys, "fetch", "IWM")
    assert code == 1
    assert "cannot reach Yahoo Finance" in one_error_line(err)


def test_a_second_fetch_the_same_day_makes_no_request(data_dir, fake_yahoo, capsys):
    assert run(capsys, "fetch", "IWM")[0] == 0
    made = len(fake_yahoo.requests_made)
    code, out, _ = run(capsys, "fetch", "IWM")
    assert code == 0 and "current" in out
    assert len(fake_yahoo.requests_made) == made


def test_offline_fetch_of_a_missing_series_is_one_line(data_dir, fake_yahoo, capsys):
    code, _, err = run(capsys, "fetch", "--offline", "IWM")
    assert code == 1
    assert "offline" in one_error_line(err)
    assert fake_yahoo.requests_made == []


def test_locked_store_is_one_line(tmp_path, data_dir, capsys):
    csv = tmp_path / "IWM.csv"
    csv.write_text(GOOD_CSV)
    data_dir.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(data_dir / ".lock")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        code, _, err = run(capsys, "import", str(csv), "--symbol", "IWM")
    finally:
        holder.kill()
        holder.wait()
    assert code == 1
    assert "locked by another process" in one_error_line(err)


def test_corrupted_file_is_quarantined_and_reported(tmp_path, data_dir, capsys):
    csv = tmp_path / "IWM.csv"
    csv.write_text(GOOD_CSV)
    run(capsys, "import", str(csv), "--symbol", "IWM")
    store = Store(data_dir)
    (store.series_dir / store.provenance("IWM").data_file).write_bytes(b"not parquet")
    code, _, err = run(capsys, "status")
    assert code == 1
    assert "quarantined" in one_error_line(err)
    assert store.symbols() == []
    assert len(list(store.quarantine_dir.iterdir())) == 2


def test_fetch_without_symbols_is_a_usage_error(data_dir, capsys):
    code, _, err = run(capsys, "fetch")
    assert code == 2
    one_error_line(err)


def test_bad_staleness_setting_is_one_line(data_dir, monkeypatch, capsys):
    monkeypatch.setenv("ANALYSIS_MAX_STALE_SESSIONS", "soon")
    code, _, err = run(capsys, "fetch", "IWM")
    assert code == 2
    assert "ANALYSIS_MAX_STALE_SESSIONS" in one_error_line(err)


def test_module_entry_point_prints_no_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("<html><body>rate limited</body></html>\n")
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "import", str(bad), "--symbol", "IWM"],
        capture_output=True,
        text=True,
        env={"ANALYSIS_DATA_DIR": str(tmp_path / "data"), "PATH": ""},
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def _store_a_series_last_refreshed_sessions_ago(data_dir, sessions_ago):
    """IWM in the store as fetched just after a close ``sessions_ago`` sessions back."""
    from analysis.data.sessions import session_close

    last = last_closed_session(pd.Timestamp.now(tz="UTC"))
    frame = make_ohlcv(last - pd.Timedelta(days=90), 200).loc[:last].iloc[:-sessions_ago]
    fetched = (session_close(frame.index[-1]) + pd.Timedelta(hours=1)).isoformat()
    Store(data_dir).write("IWM", frame, source="Yahoo Finance via yfinance", fetched_at=fetched)
    return frame.index[-1]


@pytest.mark.parametrize("limit", ["0", "3"])
def test_fetch_fails_when_a_stale_series_lags_past_the_limit(
    data_dir, fake_yahoo, monkeypatch, capsys, limit
):
    last_bar = _store_a_series_last_refreshed_sessions_ago(data_dir, 4)
    fake_yahoo.network_down = True
    monkeypatch.setenv("ANALYSIS_MAX_STALE_SESSIONS", limit)
    code, out, err = run(capsys, "fetch", "IWM")
    assert code == 1
    assert f"IWM              stale     last bar {last_bar.date()}" in out
    line = one_error_line(err)
    assert f"IWM: last refreshed {last_bar.date()}T" in line
    assert f"(4 sessions ago, limit {limit})" in line


def test_fetch_uses_a_stale_series_within_the_limit_or_without_one(
    data_dir, fake_yahoo, monkeypatch, capsys
):
    _store_a_series_last_refreshed_sessions_ago(data_dir, 4)
    fake_yahoo.network_down = True
    monkeypatch.setenv("ANALYSIS_MAX_STALE_SESSIONS", "4")
    assert run(capsys, "fetch", "IWM")[0] == 0
    monkeypatch.delenv("ANALYSIS_MAX_STALE_SESSIONS")
    code, out, _ = run(capsys, "fetch", "IWM")
    assert code == 0 and "stale" in out


def test_status_shows_the_last_fetch_pacing_and_coverage(data_dir, capsys):
    from analysis.fetch.status import write_fetch_status

    code, out, _ = run(capsys, "status")
    assert "no live fetch of the posts' data has run on this store yet" in out
    why = "cut to 30 a minute after HTTP 429"
    write_fetch_status(
        data_dir,
        {
            "finished_at": "2026-01-16T23:05:00+00:00",
            "seconds": 536.5,
            "budget_seconds": 540.0,
            "sources": {
                "yahoo": {
                    "requests": 530,
                    "rate_limited": 4,
                    "waited_seconds": 470.5,
                    "rate": 45.0,
                    "ceiling": 54.0,
                    "why": why,
                }
            },
            "universes": {
                "IWM": {
                    "members": 1918,
                    "with_data": 1918,
                    "failed": 0,
                    "not_reached": 712,
                    "session": "2026-01-16",
                    "complete": 1204,
                    "behind": 714,
                    "behind_by": {"1": 700, "3": 14},
                    "failing": 2,
                    "failing_reasons": {"Yahoo Finance does not know this symbol": 2},
                }
            },
        },
    )
    code, out, _ = run(capsys, "status", "--format", "markdown")
    assert code == 0
    assert "### Last fetch" in out
    assert "finished 2026-01-16T23:05:00+00:00: 536.5 s of fetching" in out
    assert (
        "| requests sent | answers throttled | seconds waiting | rate (per minute) "
        "| ceiling (per minute) | why |"
    ) in out
    assert f"| yahoo | 530 | 4 | 470.5 | 45 | 54 | {why} |" in out
    # Every member has data, and status still says 714 are behind.
    assert (
        "universe IWM: 1,204 of 1,918 members complete for 2026-01-16; 714 behind (700 by 1 "
        "session, 14 by 3 sessions); 712 not reached this build (the next build fetches them "
        "first); 2 failing (2: Yahoo Finance does not know this symbol)"
    ) in out


def test_status_reads_a_record_from_before_the_four_states(data_dir, capsys):
    from analysis.fetch.status import write_fetch_status

    old = {"members": 1918, "with_data": 1204, "failed": 2, "not_reached": 712}
    write_fetch_status(
        data_dir, {"finished_at": "2026-01-16T23:05:00+00:00", "universes": {"IWM": old}}
    )
    code, out, _ = run(capsys, "status")
    assert code == 0
    assert "universe IWM: 1,204 of 1,918 members have data; 712 not reached (next builds)" in out


@pytest.mark.parametrize(("behind", "code"), [(1, 0), (5, 1)])
def test_a_rate_limited_build_publishes_within_the_staleness_limit_and_fails_past_it(
    tmp_path, data_dir, monkeypatch, capsys, behind, code
):
    from analysis.testing.fake_yahoo import RateLimit

    posts = tmp_path / "posts"
    (posts / "2026-01-10-a-week").mkdir(parents=True)
    (posts / "2026-01-10-a-week" / "index.qmd").write_text(
        '---\ndate: 2026-01-10\nseries: ["^RUT", "IWM"]\n---\n\nText.\n'
    )
    end = last_closed_session(pd.Timestamp.now(tz="UTC"))
    frame = make_ohlcv(end - pd.Timedelta(days=90), 200).loc[:end]
    store = Store(data_dir)
    kept = frame.iloc[: len(frame) - behind]
    fetched = (session_close(kept.index[-1]) + pd.Timedelta(hours=3)).isoformat()
    for symbol in ("^RUT", "IWM"):
        store.write(symbol, kept, source="test", fetched_at=fetched)
    # Yahoo blocks this client for the whole run: every request is answered 429.
    blocked = RateLimit(60, burst=0, penalty_minutes=24 * 60)
    session = FakeYahooSession({"^RUT": frame, "IWM": frame}, rate_limit=blocked)
    monkeypatch.setattr(yahoo, "_default_session", lambda: session)
    monkeypatch.setenv("ANALYSIS_MAX_STALE_SESSIONS", "3")
    got, out, err = run(capsys, "fetch", "--for-posts", "--posts-dir", str(posts))
    assert got == code, (out, err)
    assert session.rate_limited > 0
    # The block outlasts the fetch deadline: the posts' series are not reached (not failed),
    # keep their stored rows, and the staleness limit decides whether the build goes on.
    cut = [line for line in out.splitlines() if " not reached " in line]
    assert len(cut) == 2 and all("after HTTP 429" in line for line in cut)
    if code:
        line = one_error_line(err)
        assert line.count("sessions ago, limit 3") == 2
        assert "^RUT: last refreshed" in line and "IWM: last refreshed" in line
    else:
        assert err == ""
