import json
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.data.errors import CorruptedStoreError, MalformedDataError, StoreLockedError
from analysis.data.store import OHLCV_COLUMNS, Store, key_symbol, symbol_key


def ohlcv(closes, start="2026-01-02"):
    index = pd.bdate_range(start, periods=len(closes), name="date")
    close = pd.Series(closes, index=index, dtype="float64")
    return pd.DataFrame(
        {
            "open": close,
            "high": close + 1,
            "low": close - 1,
            "close": close,
            "adj_close": close * 0.99,
            "volume": 1000.0,
        }
    )[list(OHLCV_COLUMNS)]


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "data", lock_timeout=0.5)


def test_round_trip_keeps_values_and_records_provenance(store):
    frame = ohlcv([10.0, 11.0, 12.5])
    prov = store.write(
        "^RUT", frame, source="Yahoo Finance via yfinance", fetched_at="2026-01-06T22:00:00+00:00"
    )
    back = store.read("^RUT")
    pd.testing.assert_frame_equal(back, frame, check_freq=False)
    assert (prov.first_bar, prov.last_bar, prov.rows) == ("2026-01-02", "2026-01-06", 3)
    assert prov.source == "Yahoo Finance via yfinance"
    assert prov.checksum.startswith("sha256:")
    assert store.symbols() == ["^RUT"]
    on_disk = json.loads((store.series_dir / "%5ERUT.json").read_text())
    assert on_disk["last_bar"] == "2026-01-06"


def test_rewrite_removes_the_old_data_file(store):
    store.write("IWM", ohlcv([1.0, 2.0]), source="s")
    store.write("IWM", ohlcv([1.0, 2.0, 3.0]), source="s")
    assert len(list(store.series_dir.glob("IWM-*.parquet"))) == 1
    assert store.read("IWM")["close"].tolist() == [1.0, 2.0, 3.0]


@given(st.text(min_size=1, max_size=20))
def test_symbol_key_is_reversible_and_file_safe(symbol):
    key = symbol_key(symbol)
    assert key_symbol(key) == symbol
    assert all(c.isascii() and (c.isalnum() or c in "._-%~") for c in key)


def test_checksum_mismatch_is_detected_and_quarantined(store):
    prov = store.write("IWM", ohlcv([1.0, 2.0]), source="s")
    data_file = store.series_dir / prov.data_file
    payload = bytearray(data_file.read_bytes())
    payload[len(payload) // 2] ^= 0xFF
    data_file.write_bytes(bytes(payload))
    with pytest.raises(CorruptedStoreError, match="checksum"):
        store.read("IWM")
    assert not data_file.exists()
    assert "IWM" not in store
    assert len(list(store.quarantine_dir.iterdir())) == 2


def test_unreadable_provenance_is_quarantined(store):
    store.write("IWM", ohlcv([1.0]), source="s")
    (store.series_dir / "IWM.json").write_text("{not json")
    with pytest.raises(CorruptedStoreError, match="unreadable"):
        store.provenance("IWM")
    assert store.symbols() == []


def test_refuses_frames_that_are_not_in_store_shape(store):
    with pytest.raises(MalformedDataError, match="empty"):
        store.write("X", ohlcv([]), source="s")
    unsorted = ohlcv([1.0, 2.0]).iloc[::-1]
    with pytest.raises(MalformedDataError, match="increasing"):
        store.write("X", unsorted, source="s")
    tz = ohlcv([1.0]).tz_localize("UTC")
    with pytest.raises(MalformedDataError, match="timezone"):
        store.write("X", tz, source="s")
    with pytest.raises(MalformedDataError, match="columns"):
        store.write("X", ohlcv([1.0])[["close"]], source="s")
    assert store.symbols() == []


def test_write_fails_clearly_while_another_process_holds_the_lock(store):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import time, filelock
            lock = filelock.FileLock({str(store.root / ".lock")!r})
            lock.acquire()
            print('locked', flush=True)
            time.sleep(30)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        store.root.mkdir(parents=True, exist_ok=True)
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreLockedError, match="locked by another process"):
            store.write("IWM", ohlcv([1.0]), source="s")
    finally:
        holder.kill()
        holder.wait()
    assert "IWM" not in store


WRITER = textwrap.dedent("""
    import os, signal, sys
    import pandas as pd
    from analysis.data import store as store_module
    from analysis.data.store import Store

    root, kill_at = sys.argv[1], sys.argv[2]
    real_atomic_write = store_module.atomic_write
    calls = []

    def dying_atomic_write(path, payload):
        calls.append(path)
        if kill_at == "before-provenance" and path.suffix == ".json":
            os.kill(os.getpid(), signal.SIGKILL)
        if kill_at == "mid-data-file" and path.suffix == ".parquet":
            with open(str(path) + ".partial.tmp", "wb") as handle:
                handle.write(payload[: len(payload) // 2])
                handle.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        real_atomic_write(path, payload)

    store_module.atomic_write = dying_atomic_write
    index = pd.bdate_range("2020-01-01", periods=int(sys.argv[3]), name="date")
    frame = pd.DataFrame({c: 2.0 for c in store_module.OHLCV_COLUMNS}, index=index)
    Store(root).write("IWM", frame, source="new")
""")


@pytest.mark.parametrize("kill_at", ["before-provenance", "mid-data-file"])
def test_a_writer_killed_mid_write_leaves_the_previous_series_intact(store, kill_at):
    original = ohlcv([1.0, 2.0, 3.0])
    store.write("IWM", original, source="old")
    result = subprocess.run(
        [sys.executable, "-c", WRITER, str(store.root), kill_at, "500"], capture_output=True
    )
    assert result.returncode == -signal.SIGKILL
    assert store.provenance("IWM").source == "old"
    pd.testing.assert_frame_equal(store.read("IWM"), original, check_freq=False)
    # and the next write succeeds despite the leftovers
    store.write("IWM", ohlcv([4.0]), source="later")
    assert store.read("IWM")["close"].tolist() == [4.0]


def test_random_kills_never_leave_a_mixed_or_unreadable_series(store):
    store.write("IWM", ohlcv([1.0]), source="old")
    for delay in (0.05, 0.2, 0.4, 0.6):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(store.root), "never", "200000"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        prov = store.provenance("IWM")
        frame = store.read("IWM")
        assert prov.source in {"old", "new"}
        assert len(frame) == prov.rows
    assert not store.quarantine_dir.exists()
