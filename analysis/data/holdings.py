"""Index membership from an iShares fund's holdings file (IWM, IJR, any fund in research.yml).

The fund publishes its holdings as a CSV download: about nine lines of preamble (fund
name, ``Fund Holdings as of,"Jan 16, 2026"``, inception date, ...), a header row
``Ticker,Name,Sector,Asset Class,Market Value,Weight (%),...``, one row per holding, then
legal notices. Only ``Asset Class == Equity`` rows with a tradable ticker are members;
cash, money-market funds, futures and unlisted lines (CVRs, escrow shares) are dropped and
listed with the reason.

Each downloaded file is kept verbatim in the data store, one file per holdings date::

    holdings/IWM-<yyyy-mm-dd>-<sha256[:12]>.csv  the file as downloaded
    holdings/IWM-<yyyy-mm-dd>.json               provenance: source, fetched-at, checksum, counts
    holdings/unpublished-IWM.json                days asked for that iShares does not publish

so builds run offline and the store's history shows which members were used when. The files
go through the store's own write path and verified read (:meth:`Store.write_file`,
:meth:`Store.read_file`): a re-published day replaces its file atomically, and a file that
fails its checksum is quarantined like a series.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.data.errors import (
    MalformedDataError,
    NotPublishedError,
)
from analysis.data.store import Store, utc_now_iso

FUND = "IWM"
HOLDINGS_DIR = "holdings"
HEADER_START = "Ticker,"
REQUIRED_COLUMNS = ("Ticker", "Name", "Sector", "Asset Class", "Weight (%)")
# The preamble is about nine lines; look a little further in case a line is added.
_PREAMBLE_LIMIT = 40
_DATE_FORMATS = ("%b %d, %Y", "%d-%b-%Y", "%Y-%m-%d", "%m/%d/%Y")
# Tickers as the fund writes them: letters and digits, with a share-class suffix after
# "." or "/" or a space (BRK.B, BRK/B, BRK B). Anything else (e.g. "-") is not tradable.
_TICKER = re.compile(r"^[A-Z0-9]+(?:[./ ][A-Z0-9]+)?$")
_UNLISTED = "NO MARKET"
_NO_DATE = ("-", "")
UNPUBLISHED = "unpublished"


@dataclass(frozen=True)
class Holdings:
    """One holdings file, parsed.

    Attributes
    ----------
    fund : str
        The fund's name from the first line, e.g. ``iShares Russell 2000 ETF``.
    as_of : Timestamp
        The "Fund Holdings as of" date.
    members : DataFrame
        One row per member, indexed by Yahoo ``symbol``, with columns ``ticker`` (as the
        fund writes it), ``name``, ``sector``, ``weight`` (percent of the fund) and
        ``exchange``; ordered as in the file (by weight).
    dropped : DataFrame
        Rows that are not members, with ``ticker``, ``name``, ``asset_class`` and ``reason``.
    raw : bytes
        The file as received, for storing verbatim.
    source : str
        Where the file came from (URL or path).
    stale_reason : str or None
        Set when a fresh download failed and this stored file was used instead.
    """

    fund: str
    as_of: pd.Timestamp
    members: pd.DataFrame
    dropped: pd.DataFrame
    raw: bytes = field(repr=False)
    source: str = ""
    stale_reason: str | None = None

    @property
    def symbols(self) -> list[str]:
        """Members' Yahoo symbols, in file order."""
        return list(self.members.index)


def to_yahoo_symbol(ticker: str) -> str | None:
    """Yahoo's spelling of a fund ticker (``BRK.B`` -> ``BRK-B``), or None if not tradable."""
    cleaned = ticker.strip().upper()
    if not _TICKER.match(cleaned):
        return None
    return re.sub(r"[./ ]", "-", cleaned)


def parse_holdings(payload: bytes | str, *, source: str = "") -> Holdings:
    """Parse an iShares holdings CSV into members and dropped rows.

    Parameters
    ----------
    payload : bytes or str
        The file's contents (a UTF-8 byte-order mark is allowed).
    source : str
        Where it came from, for messages and provenance.

    Raises
    ------
    MalformedDataError
        The payload is empty, is an HTML page (the site sometimes answers with one), has
        no header row, no "Fund Holdings as of" date, or no equity holdings.
    """
    raw = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
    where = f" from {source}" if source else ""
    text = raw.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise MalformedDataError(f"the holdings file{where} is empty")
    head = text.lstrip()[:2000].lower()
    if head.startswith("<") or "<html" in head or "<!doctype" in head:
        raise MalformedDataError(
            f"the holdings download{where} answered with an HTML page, not the CSV file"
        )
    lines = text.splitlines()
    header_at = next(
        (i for i, line in enumerate(lines[:_PREAMBLE_LIMIT]) if line.startswith(HEADER_START)),
        None,
    )
    if header_at is None:
        raise MalformedDataError(
            f"the holdings file{where} has no '{HEADER_START}...' header row "
            f"in its first {_PREAMBLE_LIMIT} lines"
        )
    fund = lines[0].strip().strip('"')
    as_of = _as_of_date(lines[:header_at], where)
    rows = list(csv.reader(lines[header_at:]))
    header = [name.strip() for name in rows[0]]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise MalformedDataError(f"the holdings file{where} lacks columns {missing}")
    col = {name: header.index(name) for name in header}
    members, dropped = [], []
    seen: set[str] = set()
    for row in rows[1:]:
        if len(row) < len(header):
            # Blank separators and the legal notices after the table have one cell.
            continue
        ticker, name = row[col["Ticker"]].strip(), row[col["Name"]].strip()
        asset_class = row[col["Asset Class"]].strip()
        exchange = row[col["Exchange"]].strip() if "Exchange" in col else ""
        symbol = to_yahoo_symbol(ticker)
        reason = None
        if asset_class != "Equity":
            reason = f"asset class {asset_class or 'missing'}"
        elif symbol is None:
            reason = f"no tradable ticker ({ticker or 'blank'})"
        elif _UNLISTED in exchange.upper():
            reason = f"not listed ({exchange})"
        elif symbol in seen:
            reason = "repeated line of a member already listed"
        if reason:
            dropped.append((ticker, name, asset_class, reason))
            continue
        seen.add(symbol)
        members.append(
            (
                symbol,
                ticker,
                name,
                row[col["Sector"]].strip(),
                _number(row[col["Weight (%)"]]),
                exchange,
            )
        )
    if not members:
        raise MalformedDataError(f"the holdings file{where} lists no equity holdings")
    member_frame = pd.DataFrame(
        members, columns=["symbol", "ticker", "name", "sector", "weight", "exchange"]
    ).set_index("symbol")
    dropped_frame = pd.DataFrame(dropped, columns=["ticker", "name", "asset_class", "reason"])
    return Holdings(
        fund=fund,
        as_of=as_of,
        members=member_frame,
        dropped=dropped_frame,
        raw=raw,
        source=source,
    )


def _as_of_date(preamble: list[str], where: str) -> pd.Timestamp:
    for cells in csv.reader(preamble):
        if cells and cells[0].strip().lower() == "fund holdings as of" and len(cells) > 1:
            value = cells[1].strip()
            if value in _NO_DATE:
                # What iShares answers for an asOfDate it has no file for: the preamble,
                # a dash for the date and no holdings.
                raise NotPublishedError(f"the holdings download{where} has no file for that date")
            for fmt in _DATE_FORMATS:
                try:
                    return pd.Timestamp(pd.to_datetime(value, format=fmt))
                except ValueError:
                    continue
            raise MalformedDataError(f"the holdings file{where} has an unreadable date {value!r}")
    raise MalformedDataError(f"the holdings file{where} has no 'Fund Holdings as of' line")


def _number(cell: str) -> float:
    try:
        return float(cell.replace(",", "").strip())
    except ValueError:
        return float("nan")


# -- storing -------------------------------------------------------------------------------


def save_holdings(
    holdings: Holdings, store: Store | Path, *, fund: str = FUND, fetched_at: str | None = None
) -> Path:
    """Keep a holdings file in the store, verbatim, with its provenance; return its path.

    A file for the same date is replaced (the fund sometimes republishes a day's file), with
    the store's atomic write: a reader sees the old file or the new one.
    """
    store = _as_store(store)
    provenance = {
        "fund": fund,
        "fund_name": holdings.fund,
        "as_of": holdings.as_of.date().isoformat(),
        "source": holdings.source,
        "fetched_at": fetched_at or utc_now_iso(),
        "members": len(holdings.members),
        "dropped": len(holdings.dropped),
    }
    key = _key(fund, holdings.as_of)
    written = store.write_file(HOLDINGS_DIR, key, holdings.raw, provenance, suffix=".csv")
    return store.root / HOLDINGS_DIR / written["data_file"]


def list_holdings(store: Store | Path, *, fund: str = FUND) -> list[pd.Timestamp]:
    """Dates of the holdings files the store keeps for ``fund``, oldest first."""
    dates = []
    for key in _as_store(store).file_keys(HOLDINGS_DIR):
        if not key.startswith(f"{fund}-"):
            continue
        try:
            dates.append(pd.Timestamp(key.removeprefix(f"{fund}-")))
        except ValueError:
            continue
    return sorted(dates)


def load_holdings(store: Store | Path, as_of, *, fund: str = FUND) -> Holdings:
    """A stored holdings file, verified against its checksum.

    Raises
    ------
    KeyError
        No file for that date.
    CorruptedStoreError
        The file or its provenance is damaged; both are moved to the store's quarantine.
    """
    record, payload = _as_store(store).read_file(HOLDINGS_DIR, _key(fund, as_of))
    return parse_holdings(payload, source=record.get("source", ""))


def latest_holdings(store: Store | Path, *, on=None, fund: str = FUND) -> Holdings | None:
    """The most recent stored holdings file (dated on or before ``on``, if given).

    Returns ``None`` if the store keeps no such file.
    """
    dates = list_holdings(store, fund=fund)
    if on is not None:
        dates = [d for d in dates if d <= pd.Timestamp(on)]
    return load_holdings(store, dates[-1], fund=fund) if dates else None


def holdings_on(store: Store | Path, as_of, *, fund: str = FUND) -> Holdings | None:
    """The file a universe read at ``as_of`` uses: the latest stored one dated on or before it."""
    return latest_holdings(store, on=as_of, fund=fund)


def unpublished_dates(store: Store | Path, *, fund: str = FUND) -> list[pd.Timestamp]:
    """Days the fund's download was asked for and had no file (so they are not asked again)."""
    try:
        record, _ = _as_store(store).read_file(HOLDINGS_DIR, f"{UNPUBLISHED}-{fund}")
    except KeyError:
        return []
    return sorted(pd.Timestamp(d) for d in record.get("dates", []))


def record_unpublished(store: Store | Path, as_of, *, fund: str = FUND) -> None:
    """Remember that iShares has no holdings file of ``fund`` for ``as_of``."""
    store = _as_store(store)
    dates = {d.date().isoformat() for d in unpublished_dates(store, fund=fund)}
    dates.add(pd.Timestamp(as_of).date().isoformat())
    payload = ("\n".join(sorted(dates)) + "\n").encode("utf-8")
    record = {"fund": fund, "dates": sorted(dates), "recorded_at": utc_now_iso()}
    store.write_file(HOLDINGS_DIR, f"{UNPUBLISHED}-{fund}", payload, record, suffix=".txt")


def _key(fund: str, as_of) -> str:
    return f"{fund}-{pd.Timestamp(as_of).date().isoformat()}"


def _as_store(store: Store | Path) -> Store:
    return store if isinstance(store, Store) else Store(Path(store))
