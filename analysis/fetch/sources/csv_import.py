"""Read a daily series from a CSV file into the store's shape.

Two layouts are understood:

* **OHLCV**: a date column and Open, High, Low, Close, optionally an adjusted close and
  Volume, under the spellings vendors use (``Adj Close``, ``adj_close``, ``Vol.``,
  ``Close/Last``, ``Price``...). Other columns (``wap``, ``count``) are ignored.
* **Value**: a date column and exactly one other column (FRED's ``observation_date,DFEDTARU``,
  ``date,value``), read into the column ``value``.

Headers are matched ignoring case, spaces and punctuation. Dates may be ``YYYY-MM-DD`` (with
an optional time and UTC offset, as pandas and yfinance write them), ``YYYYMMDD``, or
``MM/DD/YYYY`` / ``DD/MM/YYYY`` when the file itself shows which (a day above 12); a row keeps
the calendar date written in the file, whatever the offset. The three-line header
``yfinance`` writes for a one-ticker download (``Price`` / ``Ticker`` / ``Date`` rows) is read
too.

Rows without a close (or value) are dropped and counted in the notes. Everything else that is
wrong stops the import with a :class:`~analysis.data.errors.MalformedDataError` naming the file,
the line and the problem.

Why this module is long: it accepts every shape of file a reader may bring (column
spellings, four date formats, yfinance's three-line header, two-column FRED files), and each
rule stands beside the one-line error it raises, so what an import accepts is read in one place.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.errors import MalformedDataError
from analysis.data.store import OHLCV_COLUMNS

# Header spellings after normalisation (lower case, letters and digits only), best first.
_DATE_NAMES = (
    "date",
    "datetime",
    "timestamp",
    "observationdate",
    "tradedate",
    "tradingdate",
    "time",
)
_ALIASES = {
    "open": ("open", "openprice", "opening", "openingprice"),
    "high": ("high", "highprice", "hi"),
    "low": ("low", "lowprice", "lo"),
    "close": (
        "close",
        "closeprice",
        "closing",
        "closingprice",
        "closelast",
        "last",
        "lastprice",
        "price",
    ),
    "adj_close": (
        "adjclose",
        "adjustedclose",
        "adjclosing",
        "adjustedclosingprice",
        "adjcloseprice",
    ),
    "volume": ("volume", "vol", "totalvolume"),
}
_REQUIRED = ("open", "high", "low", "close")
_MISSING_TOKENS = {"", ".", "-", "nan", "null", "none", "na", "n/a", "#n/a"}
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_TIME = r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(?:Z|UTC|[+-]\d{2}:?\d{2})?"
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME)
# Interactive Brokers writes "20260102" or "20260102 16:00:00 US/Eastern".
_COMPACT_DATE = re.compile(
    r"(\d{4})(\d{2})(\d{2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s+\S+)?)?"
)
_SLASH_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})" + _TIME)
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class _Layout:
    """Which file column feeds which output column."""

    kind: str  # "ohlcv" or "value"
    date_index: int
    columns: dict[str, int]  # output name -> file column index
    names: dict[str, str]  # output name -> header as written
    ignored: list[str]
    width: int


def read_series_csv(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Read a daily OHLCV or single-value series from a CSV file.

    Parameters
    ----------
    path : Path
        The CSV file.

    Returns
    -------
    frame : pandas.DataFrame
        Columns ``open, high, low, close, adj_close, volume`` (OHLCV files) or ``value``
        (two-column files), all float64, on a sorted, unique, tz-naive ``DatetimeIndex``
        named ``date``.
    notes : list of str
        What the import had to assume or drop, for the series' provenance (e.g. "adj_close
        copied from close (file has no adjusted close)").

    Raises
    ------
    MalformedDataError
        One line naming the file, the line number and the problem: empty file, not a CSV
        (binary or HTML), no date column, missing required columns, a row of the wrong
        width, an unparseable date, a non-numeric number or a repeated date.
    """
    path = Path(path)
    text = _read_text(path)
    rows = _split_rows(text, path)
    header, header_line, ticker, body = _read_header(rows, path)
    layout = _layout(header, header_line, path)
    records = _read_records(body, layout, path)
    if not records:
        raise _error(path, header_line + 1, "no data rows after the header")

    notes: list[str] = []
    if ticker:
        notes.append(f"read yfinance's multi-row header for ticker {ticker}")
    dates, date_notes = _parse_dates(records, path)
    notes.extend(date_notes)
    _check_unique(dates, records, path)

    wanted = list(layout.columns)
    values = np.empty((len(records), len(wanted)), dtype="float64")
    for row_no, (line, _, cells) in enumerate(records):
        for col_no, name in enumerate(wanted):
            values[row_no, col_no] = _parse_number(cells[col_no], path, line, layout.names[name])
    frame = pd.DataFrame(
        values,
        columns=wanted,
        index=pd.DatetimeIndex(np.array(dates, dtype="datetime64[D]").astype("datetime64[ns]")),
    )
    frame.index.name = "date"

    key = "close" if layout.kind == "ohlcv" else "value"
    lacking = frame[key].isna()
    if lacking.all():
        raise _error(path, records[0][0], f"no row has a {layout.names[key]!r} number")
    if lacking.any():
        count = int(lacking.sum())
        notes.append(f"dropped {count} row{'s' * (count != 1)} with no {key}")
        frame = frame[~lacking]

    if layout.kind == "ohlcv":
        frame, ohlcv_notes = _complete_ohlcv(frame)
        notes.extend(ohlcv_notes)
    if layout.ignored:
        notes.append("ignored columns: " + ", ".join(layout.ignored))
    return frame.sort_index(), notes


# -- file and header -------------------------------------------------------------------------


def _error(path: Path, line: int, problem: str) -> MalformedDataError:
    return MalformedDataError(f"{path}: line {line}: {problem}")


def _read_text(path: Path) -> str:
    """The file's text, refusing empty, binary and HTML files up front."""
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise MalformedDataError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if not payload.strip():
        raise _error(path, 1, "the file is empty")
    if b"\x00" in payload[:_SNIFF_BYTES]:
        line = payload[: payload.index(b"\x00")].count(b"\n") + 1
        raise _error(path, line, "not a CSV file (binary data)")
    try:
        text = payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = payload[: exc.start].count(b"\n") + 1
        raise _error(path, line, "not a CSV file (bytes that are not UTF-8 text)") from None
    head = text.lstrip()
    if head.startswith("<"):
        line = text[: len(text) - len(head)].count("\n") + 1
        kind = "HTML" if "html" in head[:200].lower() else "markup"
        raise _error(path, line, f"not a CSV file (it looks like {kind})")
    return text


def _delimiter(text: str) -> str:
    """Comma, unless the header line uses semicolons or tabs instead."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "," in first:
        return ","
    for candidate in (";", "\t"):
        if candidate in first:
            return candidate
    return ","


def _normal(name: str) -> str:
    """Header spelling key: lower case, letters and digits only (``Adj Close`` -> ``adjclose``)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _split_rows(text: str, path: Path) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank row; a record's number is its last line."""
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    rows = []
    try:
        for fields in reader:
            if any(cell.strip() for cell in fields):
                rows.append((reader.line_num, fields))
    except csv.Error as exc:
        raise _error(path, reader.line_num, f"not a readable CSV ({exc})") from None
    return rows


def _read_header(rows, path: Path):
    """Return (header cells, its line number, yfinance ticker or None, the data rows)."""
    if not rows:  # pragma: no cover - _read_text refuses blank files
        raise _error(path, 1, "the file is empty")
    line, header = rows[0][0], [cell.strip() for cell in rows[0][1]]
    is_yfinance = (
        len(rows) >= 3
        and _normal(header[0]) == "price"
        and _normal(rows[1][1][0]) == "ticker"
        and _normal(rows[2][1][0]) in _DATE_NAMES
    )
    if not is_yfinance:
        return header, line, None, rows[1:]
    # yfinance's to_csv of a download: "Price,Close,..." / "Ticker,^RUT,..." / "Date,,,,".
    # The first row names the fields; the date is the first column.
    tickers = sorted({cell.strip() for cell in rows[1][1][1:] if cell.strip()})
    if len(tickers) > 1:
        raise _error(
            path,
            rows[1][0],
            f"the file holds several tickers ({', '.join(tickers)}); import one at a time",
        )
    if any(cell.strip() for cell in rows[2][1][1:]):
        raise _error(path, rows[2][0], "expected the 'Date,,,' row of a yfinance header")
    return ["Date", *header[1:]], rows[2][0], (tickers[0] if tickers else None), rows[3:]


def _layout(header: list[str], line: int, path: Path) -> _Layout:
    normal = [_normal(name) for name in header]
    seen: dict[str, int] = {}
    for position, key in enumerate(normal):
        if key and key in seen:
            raise _error(path, line, f"column {header[position]!r} appears twice")
        seen[key] = position

    date_index = next((seen[name] for name in _DATE_NAMES if name in seen), None)
    if date_index is None and normal[0] == "":
        date_index = 0  # pandas writes an unnamed index column
    if date_index is None:
        raise _error(
            path,
            line,
            f"no date column in header {','.join(header)[:120]!r} "
            "(expected Date, Datetime, Timestamp or observation_date)",
        )

    others = [i for i in range(len(header)) if i != date_index]
    if len(header) == 2:
        (value_index,) = others
        return _Layout(
            kind="value",
            date_index=date_index,
            columns={"value": value_index},
            names={"value": header[value_index] or "value"},
            ignored=[],
            width=2,
        )

    columns: dict[str, int] = {}
    for field, aliases in _ALIASES.items():
        found = next((seen[alias] for alias in aliases if alias in seen), None)
        if found is not None and found != date_index:
            columns[field] = found
    missing = [field for field in _REQUIRED if field not in columns]
    if missing:
        raise _error(
            path,
            line,
            f"missing required column{'s' * (len(missing) > 1)} {', '.join(missing)} "
            f"(found {', '.join(header)[:120]})",
        )
    used = {date_index, *columns.values()}
    return _Layout(
        kind="ohlcv",
        date_index=date_index,
        columns=columns,
        names={field: header[index] for field, index in columns.items()},
        ignored=[header[i] or f"column {i + 1}" for i in range(len(header)) if i not in used],
        width=len(header),
    )


def _read_records(rows, layout: _Layout, path: Path) -> list[tuple[int, str, list[str]]]:
    """(line number, date text, the wanted cells in layout order) for every data row."""
    records = []
    positions = list(layout.columns.values())
    for line, fields in rows:
        # Tolerate trailing delimiters some tools add to every row.
        while len(fields) > layout.width and not fields[-1].strip():
            fields = fields[:-1]
        if len(fields) != layout.width:
            raise _error(
                path, line, f"expected {layout.width} fields like the header, found {len(fields)}"
            )
        records.append((line, fields[layout.date_index].strip(), [fields[i] for i in positions]))
    return records


# -- cells -----------------------------------------------------------------------------------


def _parse_dates(records, path: Path) -> tuple[list[datetime.date], list[str]]:
    """Calendar dates of all rows, plus notes on how they were read."""
    parsed: list[tuple[int, int, int] | None] = []
    slashed: list[tuple[int, int, int, int]] = []  # (row, first, second, year)
    timed = False
    for row_no, (line, text, _) in enumerate(records):
        match = _ISO_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
        if match:
            parsed.append((int(match[1]), int(match[2]), int(match[3])))
        elif match := _SLASH_DATE.fullmatch(text):
            parsed.append(None)
            slashed.append((row_no, int(match[1]), int(match[2]), int(match[3])))
        else:
            raise _error(path, line, f"unparseable date {text[:40]!r}")
        hour, minute = match[4], match[5]
        if hour is not None and (int(hour), int(minute)) != (0, 0):
            timed = True

    notes = []
    if timed:
        notes.append("times of day dropped: each row is dated by the calendar date in the file")
    if slashed:
        day_first = _slash_order(slashed, records, path)
        notes.append(f"dates read as {'day/month/year' if day_first else 'month/day/year'}")
        for row_no, first, second, year in slashed:
            day, month = (first, second) if day_first else (second, first)
            parsed[row_no] = (year, month, day)

    dates = []
    for (line, text, _), ymd in zip(records, parsed, strict=True):
        try:
            dates.append(datetime.date(*ymd))
        except ValueError:
            raise _error(path, line, f"unparseable date {text[:40]!r} (no such day)") from None
    return dates, notes


def _slash_order(slashed, records, path: Path) -> bool:
    """Whether ``NN/NN/YYYY`` dates are day first, judged from the file's own dates."""
    day_first = [row for row, first, _, _ in slashed if first > 12]
    month_first = [row for row, _, second, _ in slashed if second > 12]
    if day_first and month_first:
        line = records[max(day_first[0], month_first[0])][0]
        raise _error(path, line, "dates mix day/month/year and month/day/year")
    if not day_first and not month_first:
        line = records[slashed[0][0]][0]
        raise _error(
            path,
            line,
            f"ambiguous date {records[slashed[0][0]][1]!r}: no day above 12 shows whether "
            "it is day/month or month/day; write dates as YYYY-MM-DD",
        )
    return bool(day_first)


def _check_unique(dates: list[datetime.date], records, path: Path) -> None:
    first_line: dict[datetime.date, int] = {}
    for day, (line, _, _) in zip(dates, records, strict=True):
        if day in first_line:
            raise _error(
                path, line, f"duplicate date {day.isoformat()} (also on line {first_line[day]})"
            )
        first_line[day] = line


def _parse_number(cell: str, path: Path, line: int, column: str) -> float:
    """A float from a cell; missing markers give NaN, anything else non-numeric is an error."""
    text = cell.strip()
    if text.lower() in _MISSING_TOKENS:
        return math.nan
    if text.startswith("$"):
        text = text[1:]
    if _NUMBER.fullmatch(text):
        return float(text)
    if _THOUSANDS.fullmatch(text):
        return float(text.replace(",", ""))
    raise _error(path, line, f"non-numeric {column} {cell.strip()[:40]!r}")


def _complete_ohlcv(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Fill the optional columns and order them as the store expects."""
    notes = []
    frame = frame.copy()
    if "adj_close" not in frame:
        frame["adj_close"] = frame["close"]
        notes.append("adj_close copied from close (file has no adjusted close)")
    if "volume" not in frame:
        frame["volume"] = math.nan
        notes.append("volume missing (file has no volume column)")
    gaps = int(frame[["open", "high", "low"]].isna().any(axis=1).sum())
    if gaps:
        notes.append(f"{gaps} row{'s' * (gaps != 1)} lack an open, high or low")
    return frame.loc[:, list(OHLCV_COLUMNS)].astype("float64"), notes
