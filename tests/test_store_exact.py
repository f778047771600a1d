"""The store to the letter: every provenance field, every refusal, every file it leaves."""

import json
import re
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest

from analysis.data.errors import CorruptedStoreError, MalformedDataError, StoreLockedError
from analysis.data.store import (
    OHLCV_COLUMNS,
    Provenance,
    Store,
    atomic_write,
    checksum,
    key_symbol,
    symbol_key,
    utc_now_iso,
    validate_frame,
)

FETCHED = "2026-01-16T23:05:00+00:00"


def ohlcv(closes, start="2026-01-02"):
    index = pd.bdate_range(start, periods=len(closes), name="date")
    close = pd.Series(closes, index=index, dtype="float64")
    return pd.DataFrame({c: close for c in OHLCV_COLUMNS})


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "data", lock_timeout=0.2)


def test_keys_and_checksums_known_answers():
    assert symbol_key("^RUT") == "%5ERUT"
    assert symbol_key("fred:DFEDTARU") == "fred%3ADFEDTARU"
    assert symbol_key("BRK-B.A_1") == "BRK-B.A_1"
    assert symbol_key("X/Y") == "X%2FY"  # never a path separator
    assert key_symbol("%5ERUT") == "^RUT"
    assert checksum(b"abc") == (
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", utc_now_iso())


def test_a_write_records_every_provenance_field(store):
    frame = ohlcv([10.0, 11.0, 12.5])
    prov = store.write(
        "^RUT", frame, source="src", fetched_at=FETCHED, checked=True, notes=["a note"]
    )
    payload_file = store.series_dir / prov.data_file
    digest = checksum(payload_file.read_bytes())
    expected = Provenance(
        symbol="^RUT",
        source="src",
        kind="ohlcv",
        first_bar="2026-01-02",
        last_bar="2026-01-06",
        rows=3,
        fetched_at=FETCHED,
        checksum=digest,
        data_file=f"%5ERUT-{digest.removeprefix('sha256:')[:12]}.parquet",
        last_attempt_at=FETCHED,
        last_error=None,
        checked_at=FETCHED,
        notes=["a note"],
    )
    assert prov == expected
    assert store.provenance("^RUT") == expected
    on_disk = json.loads((store.series_dir / "%5ERUT.json").read_text(encoding="utf-8"))
    assert on_disk == asdict(expected)
    assert list(on_disk) == list(asdict(expected))  # the field order docs/data.md shows
    assert prov.last_bar_date == pd.Timestamp("2026-01-06")
    assert prov.fetched_at_time == pd.Timestamp(FETCHED)
    assert sorted(p.name for p in store.series_dir.iterdir()) == sorted(
        [expected.data_file, "%5ERUT.json"]
    )


def test_an_import_is_not_checked_and_a_value_series_is_its_own_kind(store):
    values = pd.DataFrame(
        {"value": [4, 5]}, index=pd.to_datetime(["2026-01-02 00:00", "2026-01-05 15:30"])
    )
    prov = store.write("fred:X", values, source="imported from X.csv")
    assert (prov.kind, prov.checked_at, prov.notes) == ("value", None, [])
    assert prov.fetched_at == prov.last_attempt_at
    back = store.read("fred:X")
    assert back.index.tolist() == pd.to_datetime(["2026-01-02", "2026-01-05"]).tolist()
    assert back.index.name == "date" and back["value"].dtype == "float64"
    assert back["value"].tolist() == [4.0, 5.0]
    assert store.read("fred:X", columns=["value"]).columns.tolist() == ["value"]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (ohlcv([]), "X: refusing to store an empty series"),
        (ohlcv([1.0])[["close"]], "X: unexpected columns ['close']"),
        (ohlcv([1.0]).tz_localize("UTC"), "X: dates must be timezone-naive trading dates"),
        (ohlcv([1.0, 2.0]).iloc[::-1], "X: dates must be unique and increasing"),
        (pd.concat([ohlcv([1.0]), ohlcv([2.0])]), "X: dates must be unique and increasing"),
    ],
)
def test_frames_not_in_store_shape_are_refused_with_one_line(frame, message):
    with pytest.raises(MalformedDataError, match=f"^{re.escape(message)}$"):
        validate_frame(frame, "X")


def test_a_store_without_series_is_empty(store):
    assert store.symbols() == []
    assert "IWM" not in store
    assert store.provenance("IWM") is None
    with pytest.raises(KeyError, match="IWM"):
        store.read("IWM")
    assert store.file_keys("holdings") == []


def test_failures_and_checks_change_only_their_fields(store):
    store.record_failure("IWM", "nothing stored yet")
    store.record_checked("IWM")
    assert store.symbols() == []  # nothing to record them on
    first = store.write("IWM", ohlcv([1.0, 2.0]), source="s", fetched_at=FETCHED, checked=True)
    store.record_failure("IWM", "IWM: HTTP 429", attempted_at="2026-01-17T23:00:00+00:00")
    failed = store.provenance("IWM")
    assert failed == Provenance(
        **{
            **asdict(first),
            "last_attempt_at": "2026-01-17T23:00:00+00:00",
            "last_error": "IWM: HTTP 429",
        }
    )
    store.record_checked("IWM", checked_at="2026-01-18T23:00:00+00:00")
    checked = store.provenance("IWM")
    assert checked == Provenance(
        **{
            **asdict(first),
            "last_attempt_at": "2026-01-18T23:00:00+00:00",
            "last_error": None,
            "checked_at": "2026-01-18T23:00:00+00:00",
        }
    )
    store.record_failure("IWM", "again")
    assert re.fullmatch(r"\d{4}-.*\+00:00", store.provenance("IWM").last_attempt_at)


def test_a_missing_data_file_quarantines_its_provenance(store):
    prov = store.write("IWM", ohlcv([1.0]), source="s")
    (store.series_dir / prov.data_file).unlink()
    with pytest.raises(
        CorruptedStoreError, match=r"^data file of IWM is missing; its provenance was moved to "
    ):
        store.read("IWM")
    (moved,) = store.quarantine_dir.iterdir()
    assert re.fullmatch(r"\d{8}T\d{12}Z-IWM\.json", moved.name)
    assert store.symbols() == []


def test_reading_one_column(store):
    frame = ohlcv([1.0, 2.0, 3.0])
    frame.iloc[1, frame.columns.get_loc("adj_close")] = np.nan
    store.write("IWM", frame, source="s")
    dates, values = store.read_column("IWM", "adj_close")
    assert pd.DatetimeIndex(dates).tolist() == pd.to_datetime(["2026-01-02", "2026-01-06"]).tolist()
    assert values.tolist() == [1.0, 3.0] and values.dtype == np.float64
    with pytest.raises(KeyError, match=r"^'the stored series has no value column'$"):
        store.read_column("IWM", "value")


def test_kept_files_round_trip_and_refuse_what_does_not_verify(store):
    record = store.write_file("kept", "K-1", b"hello", {"source": "s"}, suffix=".csv")
    assert record == {
        "source": "s",
        "data_file": f"K-1-{checksum(b'hello').removeprefix('sha256:')[:12]}.csv",
        "checksum": checksum(b"hello"),
    }
    assert store.read_file("kept", "K-1") == (record, b"hello")
    assert store.file_keys("kept") == ["K-1"]
    with pytest.raises(KeyError, match="K-2"):
        store.read_file("kept", "K-2")
    (store.root / "kept" / "K-1.json").write_text('{"source": "s"}')
    with pytest.raises(
        CorruptedStoreError, match=r"^provenance of kept/K-1 is unreadable \(KeyError\); moved to "
    ):
        store.read_file("kept", "K-1")
    assert store.file_keys("kept") == []
    # an unreadable provenance does not stop the next write
    (store.root / "kept" / "K-1.json").write_text("{not json")
    store.write_file("kept", "K-1", b"again", {}, suffix=".csv")
    assert store.read_file("kept", "K-1")[1] == b"again"


def test_a_failed_atomic_write_leaves_the_file_and_no_temporary(tmp_path):
    target = tmp_path / "f.json"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        atomic_write(target, "not bytes")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_the_lock_message_names_the_wait_and_the_file(store):
    import filelock

    store.root.mkdir(parents=True)
    other = filelock.FileLock(str(store.root / ".lock"))
    other.acquire()
    try:
        import threading

        errors = []
        thread = threading.Thread(target=lambda: _try_write(store, errors))
        thread.start()
        thread.join()
    finally:
        other.release()
    assert errors == [
        f"the data store {store.root} is locked by another process "
        f"(waited 0.2s for {store.root / '.lock'})"
    ]


def _try_write(store, errors):
    try:
        store.write("IWM", ohlcv([1.0]), source="s")
    except StoreLockedError as exc:
        errors.append(str(exc))


# -- the fault-injection points, in process ---------------------------------------------------
# tests/test_store_kill.py kills real subprocesses at each step; these check, quickly and in
# this process, that each step is reached where it says with the files as it says.


class Killed(BaseException):
    """Raised by the stand-in for os.kill: the write stops where a SIGKILL would."""


def _kill_at(monkeypatch, step, on_kill=None):
    import os
    import signal

    from analysis.data import store as store_module

    def fake_kill(pid, sig):
        assert (pid, sig) == (os.getpid(), signal.SIGKILL)
        if on_kill:
            on_kill()
        raise Killed(step)

    monkeypatch.setattr(store_module, "_KILL_AT", step)
    monkeypatch.setattr(os, "kill", fake_kill)


def test_each_write_step_stops_a_write_where_it_says(store, monkeypatch):
    from analysis.data import store as store_module
    from analysis.data.store import COMMIT_STEP, WRITE_STEPS

    old, new = ohlcv([1.0]), ohlcv([1.0, 2.0, 3.0])
    size = len(store_module._parquet_bytes(validate_frame(new, "IWM")))
    for step in WRITE_STEPS:
        store.write("IWM", old, source="old")
        seen = {}

        def snapshot(seen=seen):
            seen["files"] = {p.name: p.stat().st_size for p in store.series_dir.iterdir()}

        with monkeypatch.context() as patch:
            _kill_at(patch, step, snapshot)
            with pytest.raises(Killed):
                store.write("IWM", new, source="new")
        temporary = {n: s for n, s in seen["files"].items() if n.endswith(".tmp")}
        part = step.split(":")[0]
        if step.endswith("written"):
            (name,) = temporary
            pattern = (
                r"\.IWM-[0-9a-f]{12}\.parquet\..+\.tmp"
                if part == "data"
                else r"\.IWM\.json\..+\.tmp"
            )
            assert re.fullmatch(pattern, name)
            if part == "data":
                assert temporary[name] == (size // 2 if step == "data:half-written" else size)
        committed = WRITE_STEPS.index(step) >= WRITE_STEPS.index(COMMIT_STEP)
        assert store.provenance("IWM").source == ("new" if committed else "old")
        assert len(store.read("IWM")) == (3 if committed else 1)
        assert not any(p.name.endswith(".tmp") for p in store.series_dir.iterdir())


def test_other_writes_have_their_own_steps(store, monkeypatch, tmp_path):
    store.write("IWM", ohlcv([1.0]), source="s")
    with monkeypatch.context() as patch:
        _kill_at(patch, "provenance:fsynced")
        with pytest.raises(Killed):
            store.record_failure("IWM", "boom")
    assert store.provenance("IWM").last_error is None
    with monkeypatch.context() as patch:
        _kill_at(patch, "file:written")
        with pytest.raises(Killed):
            atomic_write(tmp_path / "f.txt", b"abc")
    assert list(tmp_path.glob("f.txt*")) == []
    with monkeypatch.context() as patch:
        _kill_at(patch, "nothing:at-all")
        atomic_write(tmp_path / "f.txt", b"abc")  # a step no write has: nothing happens
    assert (tmp_path / "f.txt").read_bytes() == b"abc"


def test_the_provenance_is_indented_json_in_field_order(store):
    prov = store.write("IWM", ohlcv([1.0]), source="s", fetched_at=FETCHED)
    text = (store.series_dir / "IWM.json").read_text(encoding="utf-8")
    assert text == json.dumps(asdict(prov), indent=2) + "\n"


def test_a_write_survives_a_replaced_file_that_is_already_gone(store):
    first = store.write("IWM", ohlcv([1.0]), source="s")
    (store.series_dir / first.data_file).unlink()
    store.write("IWM", ohlcv([2.0]), source="s")
    assert store.read("IWM")["close"].tolist() == [2.0]


def test_reading_some_columns_and_refusing_a_symbol_by_name(store):
    store.write("IWM", ohlcv([1.0, 2.0]), source="s")
    assert store.read("IWM", columns=["close"]).columns.tolist() == ["close"]
    with pytest.raises(MalformedDataError, match=r"^X/Y: refusing to store an empty series$"):
        store.write("X/Y", ohlcv([]), source="s")


def test_quarantining_a_file_that_is_gone_is_not_an_error(store):
    target = store._quarantine(store.root / "gone.json")
    assert target.parent == store.quarantine_dir and not target.exists()


def test_the_store_layout_and_defaults(tmp_path):
    store = Store(tmp_path / "data")
    assert store.lock_timeout == 30.0
    store.write("IWM", ohlcv([1.0]), source="s")
    assert (tmp_path / "data" / "series" / "IWM.json").is_file()


def test_quarantine_names_are_stamped_in_utc_whatever_the_local_zone(store, monkeypatch):
    import time
    from datetime import UTC, datetime

    monkeypatch.setenv("TZ", "Asia/Kolkata")  # UTC+05:30, no daylight saving
    time.tzset()
    try:
        before = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
        moved = store._quarantine(store.root / "gone.json")
        after = datetime.now(UTC).replace(tzinfo=None)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    stamp = datetime.strptime(moved.name.split("-")[0], "%Y%m%dT%H%M%S%fZ")
    assert before <= stamp <= after
