"""A write killed at any step leaves the old version or the new one, and it verifies.

Series and holdings files share the store's write path; both are covered step by step.

Each case runs a real write in a subprocess with ``ANALYSIS_KILL_AT`` naming one step of the
store's write path (``analysis.data.store.WRITE_STEPS``); the process SIGKILLs itself when
it reaches that step. The test first checks that it did die there (so a step that is never
reached fails the test instead of passing it), then reads the store back.
"""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.errors import StoreLockedError
from analysis.data.holdings import parse_holdings, save_holdings
from analysis.data.store import COMMIT_STEP, KILL_AT_ENV, OHLCV_COLUMNS, WRITE_STEPS, Store
from analysis.data.universe import load_universe

COMMITTED = WRITE_STEPS[WRITE_STEPS.index(COMMIT_STEP) :]

SERIES_WRITER = textwrap.dedent("""
    import sys
    import pandas as pd
    from analysis.data.store import OHLCV_COLUMNS, Store

    index = pd.bdate_range("2020-01-01", periods=500, name="date")
    frame = pd.DataFrame({c: 2.0 for c in OHLCV_COLUMNS}, index=index)
    Store(sys.argv[1]).write("IWM", frame, source="new")
""")


def old_series():
    index = pd.bdate_range("2026-01-02", periods=3, name="date")
    close = pd.Series([1.0, 2.0, 3.0], index=index)
    return pd.DataFrame({c: close for c in OHLCV_COLUMNS})


def kill_at(step, script, *args):
    """Run ``script`` with the store's fault injection set to ``step``; it must die there."""
    env = {**os.environ, KILL_AT_ENV: step}
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)], env=env, capture_output=True, text=True
    )
    assert done.returncode == -signal.SIGKILL, f"never reached {step}: {done.stderr[-2000:]}"


def test_every_step_is_listed_once_and_the_commit_is_the_provenance_rename():
    assert len(set(WRITE_STEPS)) == len(WRITE_STEPS)
    assert WRITE_STEPS.index("data:renamed") < WRITE_STEPS.index(COMMIT_STEP)
    assert COMMITTED == ("provenance:renamed", "old-data:removed")


@pytest.mark.parametrize("step", WRITE_STEPS)
def test_a_series_write_killed_at_any_step_leaves_the_old_or_the_new_series(tmp_path, step):
    store = Store(tmp_path / "data", lock_timeout=1)
    store.write("IWM", old_series(), source="old")
    kill_at(step, SERIES_WRITER, store.root)

    prov = store.provenance("IWM")
    frame = store.read("IWM")  # verified against its checksum, or this raises
    if step in COMMITTED:
        assert prov.source == "new"
        assert (len(frame), frame["close"].unique().tolist()) == (500, [2.0])
    else:
        assert prov.source == "old"
        pd.testing.assert_frame_equal(frame, old_series(), check_freq=False)
    assert not store.quarantine_dir.exists()
    # leftovers (a temporary file, the replaced data file) do not stop the next write
    store.write("IWM", old_series().iloc[:1], source="later")
    assert store.read("IWM")["close"].tolist() == [1.0]


@pytest.mark.parametrize("step", WRITE_STEPS[:-1])  # nothing is replaced on a first write
def test_a_first_write_killed_at_any_step_leaves_nothing_or_the_new_series(tmp_path, step):
    store = Store(tmp_path / "data", lock_timeout=1)
    kill_at(step, SERIES_WRITER, store.root)
    if step in COMMITTED:
        assert len(store.read("IWM")) == 500
    else:
        assert "IWM" not in store
        with pytest.raises(KeyError, match="IWM"):
            store.read("IWM")


# -- holdings files -------------------------------------------------------------------------

FIXTURE = Path(__file__).parent / "fixtures" / "IWM_holdings_fixture.csv"
HOLDINGS_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from analysis.data.holdings import parse_holdings, save_holdings
    from analysis.data.store import Store

    # The fund re-publishes the same day's file without one member.
    lines = Path(sys.argv[2]).read_bytes().splitlines(keepends=True)
    revised = b"".join(line for line in lines if not line.startswith(b'"ALPN"'))
    save_holdings(parse_holdings(revised), Store(sys.argv[1]))
""")


@pytest.mark.parametrize("step", WRITE_STEPS)
def test_a_same_day_holdings_write_killed_at_any_step_leaves_a_usable_universe(tmp_path, step):
    store = Store(tmp_path / "data", lock_timeout=1)
    old = parse_holdings(FIXTURE.read_bytes())
    save_holdings(old, store)
    kill_at(step, HOLDINGS_WRITER, store.root, FIXTURE)

    universe = load_universe(store)  # reads the holdings file verified against its checksum
    assert universe.reason is None
    assert universe.holdings_as_of == pd.Timestamp("2026-01-16")
    if step in COMMITTED:
        assert universe.members == [s for s in old.symbols if s != "ALPN"]
    else:
        assert universe.members == old.symbols
    assert len(universe.members) >= 9
    assert not store.quarantine_dir.exists()


# -- what a killed write leaves behind ---------------------------------------------------------


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def named_files(store: Store, *symbols: str) -> list[str]:
    """The provenance files of ``symbols`` and the data files they name."""
    names = []
    for symbol in symbols:
        prov = store.provenance(symbol)
        names += [store._provenance_path(symbol).name, prov.data_file]
    return sorted(names)


@pytest.mark.parametrize("step", WRITE_STEPS[:-1])
def test_the_next_write_sweeps_what_a_killed_write_left(tmp_path, step):
    store = Store(tmp_path / "data", lock_timeout=1)
    store.write("IWM", old_series(), source="old")
    kill_at(step, SERIES_WRITER, store.root)
    left = set(files_in(store.series_dir)) - set(named_files(store, "IWM"))
    # A temporary file, the new data file not yet committed, or the replaced one not yet
    # removed: every kill leaves something over.
    assert left
    later = Store(store.root, lock_timeout=1)  # the next build: another process, another Store
    later.write("^RUT", old_series(), source="later")  # a write of any series sweeps
    assert files_in(store.series_dir) == named_files(later, "IWM", "^RUT")
    assert later.read("IWM")["close"].nunique() in (1, 3)  # the old or the new rows, verified


def test_a_first_write_killed_after_its_data_rename_leaves_a_file_the_next_write_removes(tmp_path):
    store = Store(tmp_path / "data", lock_timeout=1)
    kill_at("data:renamed", SERIES_WRITER, store.root)
    (orphan,) = files_in(store.series_dir)
    assert orphan.startswith("IWM-") and orphan.endswith(".parquet")
    assert Store(store.root).sweep_orphans() == [store.series_dir / orphan]
    assert files_in(store.series_dir) == []


def test_the_sweep_keeps_the_data_of_an_unreadable_provenance_for_the_read_to_quarantine(tmp_path):
    store = Store(tmp_path / "data", lock_timeout=1)
    store.write("IWM", old_series(), source="old")
    data_file = store.provenance("IWM").data_file
    (store.series_dir / "IWM.json").write_text("{not json", encoding="utf-8")
    assert Store(store.root).sweep_orphans() == []
    assert data_file in files_in(store.series_dir)


def test_the_sweep_waits_for_the_lock_so_a_writer_between_data_and_commit_keeps_its_file(
    tmp_path,
):
    store = Store(tmp_path / "data", lock_timeout=1)
    store.write("IWM", old_series(), source="old")
    kill_at("data:renamed", SERIES_WRITER, store.root)
    before = files_in(store.series_dir)
    assert len(before) == 3  # the provenance, its data file, the new data file not committed
    writer = Store(store.root, lock_timeout=1)
    with writer.locked():  # a writer that has renamed its data file and not yet its provenance
        with pytest.raises(StoreLockedError):
            Store(store.root, lock_timeout=0.2).sweep_orphans()
        assert files_in(store.series_dir) == before
    assert len(Store(store.root).sweep_orphans()) == 1


def test_the_next_holdings_write_sweeps_what_a_killed_one_left(tmp_path):
    store = Store(tmp_path / "data", lock_timeout=1)
    old = parse_holdings(FIXTURE.read_bytes())
    save_holdings(old, store)
    kill_at("data:renamed", HOLDINGS_WRITER, store.root, FIXTURE)
    folder = store.root / "holdings"
    assert len(files_in(folder)) == 3
    save_holdings(old, Store(store.root, lock_timeout=1))
    assert len(files_in(folder)) == 2
    assert load_universe(store).members == old.symbols
