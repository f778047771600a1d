import json
import subprocess
import sys
import textwrap

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
