"""The local store: one Parquet file per series, with its provenance in a JSON file beside it.

Layout under the data directory::

    series/<key>.json                 provenance; names the data file and its checksum
    series/<key>-<sha256[:12]>.parquet the rows (date index, one column per field)
    quarantine/                       files that failed their checksum, kept for inspection
    .lock                             held while a process writes

``<key>`` is the symbol with every character outside ``[A-Za-z0-9._-]`` percent-encoded
(``^RUT`` -> ``%5ERUT``, ``fred:DFEDTARU`` -> ``fred%3ADFEDTARU``).

A write is atomic without a journal: the Parquet file is written under a temporary name and
renamed to a content-addressed name, then the JSON is written the same way. Renaming the
JSON is the commit point, so a process killed at any moment leaves either the old series or
the new one, never a mix. Readers take no lock. Files kept verbatim beside the series (the
fund holdings files) go through the same commit and the same verified read
(:meth:`Store.write_file`, :meth:`Store.read_file`).

A write killed between its steps leaves files nothing names: a data file renamed into place
before its provenance was (``data:renamed``), the data file a committed write replaced
(``provenance:renamed``), a temporary file. The first write into a folder by a
:class:`Store` sweeps that folder for them (:meth:`Store.sweep_orphans`), under the write
lock, so it never takes a file another writer is about to commit: a writer holds the lock
from its data file's first byte to its provenance's rename.

Fault injection: when the environment variable ``ANALYSIS_KILL_AT`` names a step of a write
(``data:written``, ``provenance:fsynced``, ... see :data:`WRITE_STEPS`), a process that
reaches that step kills itself with SIGKILL there. The kill test
(``tests/test_store_kill.py``) runs real writes in subprocesses this way and checks that the
store then holds the old version or the new one, and that it verifies. Unset (always, outside
that test), each step costs one comparison with ``None``.

Why this module is long: the write protocol (content-addressed data file, provenance rename as
the commit point, its fault-injection points) and the verified read with its quarantine are
one promise; series and kept files share them, and splitting them apart would let the two
halves drift.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote

import filelock
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.data.errors import CorruptedStoreError, MalformedDataError, StoreLockedError

OHLCV_COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")
VALUE_COLUMNS = ("value",)
_SAFE_CHARS = "._-"

KILL_AT_ENV = "ANALYSIS_KILL_AT"
# Every step of a write, in order. ``data`` is the Parquet (or kept) file, ``provenance`` the
# JSON that names it; renaming the provenance into place is the commit point.
WRITE_STEPS = (
    "data:half-written",  # half the bytes are in the temporary file
    "data:written",  # all of them, not yet fsynced
    "data:fsynced",
    "data:renamed",  # the data file has its final name; the provenance still names the old one
    "provenance:half-written",
    "provenance:written",
    "provenance:fsynced",  # just before the commit point
    "provenance:renamed",  # committed; the replaced data file is still there
    "old-data:removed",
)
COMMIT_STEP = "provenance:renamed"
_KILL_AT = os.environ.get(KILL_AT_ENV) or None
# Names the store gives files in a folder besides the provenance JSON: data files
# ``<key>-<sha256[:12]><suffix>`` and atomic_write's temporary ``.<name>.<random>.tmp``.
_DATA_FILE = re.compile(r"^(?P<key>.+)-[0-9a-f]{12}(?:\.[A-Za-z0-9]+)?$")
_TEMP_FILE = re.compile(r"^\..+\.tmp$")

log = logging.getLogger(__name__)


def _reached(part: str, event: str) -> None:
    """A fault-injection point: die here if ``ANALYSIS_KILL_AT`` is ``<part>:<event>``."""
    if _KILL_AT is not None and f"{part}:{event}" == _KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class Provenance:
    """Where a stored series came from and what it holds.

    Attributes
    ----------
    symbol : str
        The store key, e.g. ``^RUT`` or ``fred:DFEDTARU``.
    source : str
        Human-readable origin, e.g. ``Yahoo Finance via yfinance`` or ``imported from RUT.csv``.
    kind : str
        ``ohlcv`` (open, high, low, close, adj_close, volume) or ``value`` (one column).
    first_bar, last_bar : str
        ISO dates of the first and last rows.
    rows : int
        Number of rows.
    fetched_at : str
        ISO UTC time the rows were last obtained from their source.
    checksum : str
        ``sha256:<hex>`` of the Parquet file's bytes.
    data_file : str
        Name of the Parquet file inside ``series/``.
    last_attempt_at, last_error : str or None
        When the source was last asked and, if that failed, why; a failed attempt leaves
        the rows as they were and marks the series stale.
    checked_at : str or None
        When a live source last confirmed these rows are all it has; ``None`` for imported
        series, which no source has vouched for.
    notes : list of str
        Caveats a reader should see (e.g. adjusted close copied from close).
    """

    symbol: str
    source: str
    kind: str
    first_bar: str
    last_bar: str
    rows: int
    fetched_at: str
    checksum: str
    data_file: str
    last_attempt_at: str | None = None
    last_error: str | None = None
    checked_at: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def last_bar_date(self) -> pd.Timestamp:
        """The last row's date as a timestamp."""
        return pd.Timestamp(self.last_bar)

    @property
    def fetched_at_time(self) -> pd.Timestamp:
        """When the rows were obtained, as a UTC timestamp."""
        return pd.Timestamp(self.fetched_at)


def symbol_key(symbol: str) -> str:
    """File-name-safe key for a symbol (percent-encoding, reversible)."""
    return quote(symbol, safe=_SAFE_CHARS)


def key_symbol(key: str) -> str:
    """Inverse of :func:`symbol_key`."""
    return unquote(key)


def utc_now_iso() -> str:
    """Current UTC time, to the second, in ISO format."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Store:
    """Read and write series under a data directory.

    Parameters
    ----------
    root : Path
        The data directory (see :mod:`analysis.data.settings` for the default).
    lock_timeout : float
        Seconds to wait for another writer before raising :class:`StoreLockedError`.
    """

    def __init__(self, root: Path, *, lock_timeout: float = 30.0):
        self.root = Path(root)
        self.series_dir = self.root / "series"
        self.quarantine_dir = self.root / "quarantine"
        self.lock_timeout = lock_timeout
        self._lock = filelock.FileLock(str(self.root / ".lock"))
        self._swept: set[Path] = set()

    # -- reading -------------------------------------------------------------------------

    def symbols(self) -> list[str]:
        """Symbols the store holds, sorted."""
        if not self.series_dir.is_dir():
            return []
        return sorted(key_symbol(path.stem) for path in self.series_dir.glob("*.json"))

    def __contains__(self, symbol: str) -> bool:
        return self._provenance_path(symbol).is_file()

    def provenance(self, symbol: str) -> Provenance | None:
        """The series' provenance, or ``None`` if the store does not hold it."""
        path = self._provenance_path(symbol)
        if not path.is_file():
            return None
        try:
            fields = json.loads(path.read_text(encoding="utf-8"))
            return Provenance(**fields)
        except (ValueError, TypeError) as exc:
            moved = self._quarantine(path)
            raise CorruptedStoreError(
                f"provenance of {symbol} is unreadable ({exc.__class__.__name__}); moved to {moved}"
            ) from None

    def read(self, symbol: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Rows of a stored series, verified against their checksum.

        Parameters
        ----------
        symbol : str
            The store key.
        columns : list of str, optional
            Read only these columns (the whole file is still checksummed).

        Raises
        ------
        KeyError
            The store does not hold the symbol.
        CorruptedStoreError
            The file does not match its checksum; it is moved to ``quarantine/`` first.
        """
        payload = self.read_bytes(symbol)
        frame = pd.read_parquet(io.BytesIO(payload), columns=columns)
        frame.index = pd.DatetimeIndex(frame.index, name="date")
        return frame

    def read_bytes(self, symbol: str) -> bytes:
        """The stored Parquet file's bytes, checked against the provenance's checksum.

        Callers that parse only part of a file (a universe of 2,000 members) read it once
        through here and keep the same verification as :meth:`read`.

        Raises
        ------
        KeyError, CorruptedStoreError
            As for :meth:`read`.
        """
        prov = self.provenance(symbol)
        if prov is None:
            raise KeyError(symbol)
        return self._verified_payload(
            self._provenance_path(symbol), prov.data_file, prov.checksum, what=symbol
        )

    def read_column(self, symbol: str, column: str) -> tuple[np.ndarray, np.ndarray]:
        """One column of a stored series as (dates, values), without the rows where it is NaN.

        The cheap path for reading many series side by side (a universe of 2,000 members):
        the file is verified as by :meth:`read`, then only the dates and that column are
        parsed, without building a frame.

        Raises
        ------
        KeyError
            The store does not hold the symbol, or its series has no such column.
        CorruptedStoreError
            As for :meth:`read`.
        """
        payload = self.read_bytes(symbol)
        parquet = pq.ParquetFile(pa.BufferReader(payload))
        if column not in parquet.schema_arrow.names:
            raise KeyError(f"the stored series has no {column} column")
        # One small file: pyarrow's thread pool costs more than it saves here.
        table = parquet.read(columns=["date", column], use_threads=False, use_pandas_metadata=False)
        dates = table.column("date").to_numpy()
        values = table.column(column).to_numpy().astype("float64")
        keep = np.isfinite(values)
        return dates[keep], values[keep]

    # -- files kept verbatim ---------------------------------------------------------------

    def file_keys(self, folder: str) -> list[str]:
        """Keys of the files kept in ``folder`` (one per provenance JSON), sorted."""
        directory = self.root / folder
        if not directory.is_dir():
            return []
        return sorted(path.stem for path in directory.glob("*.json"))

    def read_file(self, folder: str, key: str) -> tuple[dict, bytes]:
        """A kept file's provenance and bytes, verified against its checksum.

        Raises
        ------
        KeyError
            No file under that key.
        CorruptedStoreError
            Its provenance is unreadable, its data file is missing, or the bytes do not match
            the checksum; the files are moved to ``quarantine/`` first.
        """
        json_path = self.root / folder / f"{key}.json"
        if not json_path.is_file():
            raise KeyError(key)
        try:
            record = json.loads(json_path.read_text(encoding="utf-8"))
            data_file, expected = record["data_file"], record["checksum"]
        except (ValueError, KeyError, TypeError) as exc:
            moved = self._quarantine(json_path)
            raise CorruptedStoreError(
                f"provenance of {folder}/{key} is unreadable ({exc.__class__.__name__}); "
                f"moved to {moved}"
            ) from None
        payload = self._verified_payload(json_path, data_file, expected, what=f"{folder}/{key}")
        return record, payload

    def write_file(
        self, folder: str, key: str, payload: bytes, record: dict, *, suffix: str
    ) -> dict:
        """Keep a file verbatim under ``folder`` with its provenance, as a series is written.

        The bytes go to ``<key>-<sha256[:12]><suffix>``, then ``record`` plus ``checksum`` and
        ``data_file`` to ``<key>.json``, the commit point; a file replaced under the same key
        is removed after it. Returns the provenance written.
        """

        def provenance(digest: str, data_file: str) -> dict:
            return {**record, "data_file": data_file, "checksum": digest}

        with self.locked():
            return self._commit(self.root / folder, key, payload, suffix, provenance)

    # -- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's write lock (re-entrant within a process)."""
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire(timeout=self.lock_timeout)
        except filelock.Timeout:
            raise StoreLockedError(
                f"the data store {self.root} is locked by another process "
                f"(waited {self.lock_timeout:g}s for {self.root / '.lock'})"
            ) from None
        try:
            yield
        finally:
            self._lock.release()

    def write(
        self,
        symbol: str,
        frame: pd.DataFrame,
        *,
        source: str,
        fetched_at: str | None = None,
        checked: bool = False,
        notes: list[str] | None = None,
    ) -> Provenance:
        """Replace a series' rows atomically and record their provenance.

        ``checked`` says the rows come straight from a live source (not an import), so the
        source has vouched for them at ``fetched_at``.
        """
        frame = validate_frame(frame, symbol)
        kind = "ohlcv" if tuple(frame.columns) == OHLCV_COLUMNS else "value"
        now = fetched_at or utc_now_iso()

        def provenance(digest: str, data_file: str) -> dict:
            return asdict(
                Provenance(
                    symbol=symbol,
                    source=source,
                    kind=kind,
                    first_bar=frame.index[0].date().isoformat(),
                    last_bar=frame.index[-1].date().isoformat(),
                    rows=len(frame),
                    fetched_at=now,
                    checksum=digest,
                    data_file=data_file,
                    last_attempt_at=now,
                    last_error=None,
                    checked_at=now if checked else None,
                    notes=list(notes or []),
                )
            )

        payload = _parquet_bytes(frame)
        with self.locked():
            record = self._commit(
                self.series_dir, symbol_key(symbol), payload, ".parquet", provenance
            )
        return Provenance(**record)

    def record_failure(self, symbol: str, error: str, *, attempted_at: str | None = None) -> None:
        """Note a failed fetch on a stored series; its rows stay as they were."""
        with self.locked():
            prov = self._provenance_file_or_none(symbol)
            if prov is None:
                return
            self._write_provenance(
                replace(prov, last_attempt_at=attempted_at or utc_now_iso(), last_error=error)
            )

    def record_checked(self, symbol: str, *, checked_at: str | None = None) -> None:
        """Note that the source had nothing newer than the stored rows."""
        with self.locked():
            prov = self._provenance_file_or_none(symbol)
            if prov is None:
                return
            now = checked_at or utc_now_iso()
            self._write_provenance(
                replace(prov, last_attempt_at=now, last_error=None, checked_at=now)
            )

    def sweep_orphans(self, folder: str = "series") -> list[Path]:
        """Remove the files in ``folder`` that no provenance names; return them.

        Those are what a killed write leaves: a data file renamed before its provenance, the
        data file a committed write replaced, a temporary file. Done under the write lock,
        as every write into the folder is, so no other writer is between its data file and
        its commit. A data file whose key's provenance is unreadable is kept: the read path
        quarantines both for inspection.
        """
        with self.locked():
            return self._sweep(self.root / folder)

    # -- internals -----------------------------------------------------------------------

    def _sweep(self, directory: Path) -> list[Path]:
        """:meth:`sweep_orphans` for one folder (hold the lock)."""
        self._swept.add(directory)
        if not directory.is_dir():
            return []
        named, unreadable = set(), set()
        for json_path in directory.glob("*.json"):
            name = _named_data_file(json_path)
            if name:
                named.add(name)
            else:
                unreadable.add(json_path.stem)
        removed = []
        for path in sorted(directory.iterdir()):
            data = _DATA_FILE.match(path.name)
            orphan = _TEMP_FILE.match(path.name) or (
                data and path.name not in named and data["key"] not in unreadable
            )
            if orphan and path.is_file():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                removed.append(path)
        if removed:
            log.info("removed %d file(s) left by interrupted writes in %s", len(removed), directory)
        return removed

    def _provenance_path(self, symbol: str) -> Path:
        return self.series_dir / f"{symbol_key(symbol)}.json"

    def _provenance_file_or_none(self, symbol: str) -> Provenance | None:
        try:
            return self.provenance(symbol)
        except CorruptedStoreError:
            return None

    def _write_provenance(self, prov: Provenance) -> None:
        atomic_write(
            self._provenance_path(prov.symbol), _json_bytes(asdict(prov)), step="provenance"
        )

    def _commit(
        self,
        directory: Path,
        key: str,
        payload: bytes,
        suffix: str,
        provenance: Callable[[str, str], dict],
    ) -> dict:
        """The one write path (hold the lock): data file, then the provenance naming it.

        The data file's name holds its checksum, so it never overwrites the file the current
        provenance names; renaming the provenance into place is the commit point; the file
        it replaced is removed last.
        """
        if directory not in self._swept:
            self._sweep(directory)
        directory.mkdir(parents=True, exist_ok=True)
        digest = checksum(payload)
        data_file = f"{key}-{digest.split(':')[1][:12]}{suffix}"
        atomic_write(directory / data_file, payload, step="data")
        json_path = directory / f"{key}.json"
        previous = _named_data_file(json_path)
        record = provenance(digest, data_file)
        atomic_write(json_path, _json_bytes(record), step="provenance")
        if previous and previous != data_file:
            with contextlib.suppress(FileNotFoundError):
                (directory / previous).unlink()
            _reached("old-data", "removed")
        return record

    def _verified_payload(self, json_path: Path, data_file: str, expected: str, *, what: str):
        """The bytes of ``data_file`` beside ``json_path``; quarantine both if they fail."""
        path = json_path.parent / data_file
        try:
            payload = path.read_bytes()
        except FileNotFoundError:
            moved = self._quarantine(json_path)
            raise CorruptedStoreError(
                f"data file of {what} is missing; its provenance was moved to {moved}"
            ) from None
        if checksum(payload) != expected:
            moved = self._quarantine(path)
            self._quarantine(json_path)
            raise CorruptedStoreError(
                f"{what}: stored file does not match its checksum; quarantined to {moved}"
            )
        return payload

    def _quarantine(self, path: Path) -> Path:
        self.quarantine_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.quarantine_dir / f"{stamp}-{path.name}"
        with contextlib.suppress(FileNotFoundError):
            shutil.move(str(path), target)
        return target


def validate_frame(frame: pd.DataFrame, symbol: str) -> pd.DataFrame:
    """Check a frame has the store's shape: sorted unique tz-naive dates, known columns."""
    if frame.empty:
        raise MalformedDataError(f"{symbol}: refusing to store an empty series")
    columns = tuple(frame.columns)
    if columns not in (OHLCV_COLUMNS, VALUE_COLUMNS):
        raise MalformedDataError(f"{symbol}: unexpected columns {list(columns)}")
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:
        raise MalformedDataError(f"{symbol}: dates must be timezone-naive trading dates")
    if index.hasnans or not index.is_monotonic_increasing or not index.is_unique:
        raise MalformedDataError(f"{symbol}: dates must be unique and increasing")
    out = frame.astype("float64")
    out.index = index.normalize().rename("date")
    return out


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frame.parquet"
        frame.to_parquet(path, engine="pyarrow", index=True)
        return path.read_bytes()


def checksum(payload: bytes) -> str:
    """``sha256:<hex>`` of some bytes: how the store and its provenance files name content."""
    return "sha256:" + hashlib.sha256(payload).hexdigest()


def atomic_write(path: Path, payload: bytes, *, step: str = "file") -> None:
    """Write bytes to a temporary file in the same folder, fsync, then rename over ``path``.

    ``step`` names this write for fault injection (``<step>:half-written``, ``:written``,
    ``:fsynced``, ``:renamed``; see the module docstring).
    """
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            half = len(payload) // 2
            view = memoryview(payload)
            handle.write(view[:half])
            handle.flush()
            _reached(step, "half-written")
            handle.write(view[half:])
            handle.flush()
            _reached(step, "written")
            os.fsync(handle.fileno())
            _reached(step, "fsynced")
        Path(tmp_name).replace(path)
        _reached(step, "renamed")
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(tmp_name).unlink()
        raise
    _fsync_dir(path.parent)


def _json_bytes(record: dict) -> bytes:
    return (json.dumps(record, indent=2, sort_keys=False) + "\n").encode("utf-8")


def _named_data_file(json_path: Path) -> str | None:
    """The data file a provenance names, or None if there is none or it is unreadable."""
    try:
        return json.loads(json_path.read_text(encoding="utf-8")).get("data_file")
    except (OSError, ValueError, AttributeError):
        return None


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
