"""CSV import: vendor spellings read into the store's shape; bad files fail on the right line."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.data.errors import MalformedDataError
from analysis.data.store import OHLCV_COLUMNS, validate_frame
from analysis.fetch.sources.csv_import import read_series_csv

ADJ_NOTE = "adj_close copied from close (file has no adjusted close)"
VOLUME_NOTE = "volume missing (file has no volume column)"


def write(tmp_path, text, name="series.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def dates(frame):
    return list(frame.index.strftime("%Y-%m-%d"))


# -- good OHLCV files ------------------------------------------------------------------------


def test_yahoo_spelling_with_adjusted_close(tmp_path):
    path = write(
        tmp_path,
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2025-12-30,247.10,248.00,245.90,246.50,246.10,21000000\n"
        "2025-12-31,246.70,247.20,245.80,246.16,245.72,25500000\n",
    )
    frame, notes = read_series_csv(path)
    assert tuple(frame.columns) == OHLCV_COLUMNS
    assert dates(frame) == ["2025-12-30", "2025-12-31"]
    assert frame.loc["2025-12-31"].tolist() == [246.70, 247.20, 245.80, 246.16, 245.72, 25500000.0]
    assert notes == []
    assert frame.index.name == "date"
    assert frame.index.tz is None
    assert (frame.dtypes == "float64").all()
    validate_frame(frame, "IWM")  # the store accepts it as is


def test_yfinance_column_order_without_adjusted_close(tmp_path):
    # The order yfinance's to_csv writes with auto_adjust=True.
    path = write(
        tmp_path,
        "Date,Close,High,Low,Open,Volume\n"
        "2025-12-30,2501.30,2510.00,2490.10,2495.00,3000000000\n"
        "2025-12-31,2481.91,2501.77,2480.68,2500.37,3261830000\n",
    )
    frame, notes = read_series_csv(path)
    assert frame.loc["2025-12-31", "close"] == 2481.91
    assert frame.loc["2025-12-31", "open"] == 2500.37
    assert frame.loc["2025-12-31", "adj_close"] == 2481.91
    assert frame.loc["2025-12-30", "volume"] == 3.0e9
    assert notes == [ADJ_NOTE]


def test_lower_case_with_extra_columns(tmp_path):
    path = write(
        tmp_path,
        "date,open,high,low,close,adj_close,volume,wap,count\n"
        "2026-08-20,3019.3,3019.3,2989.23,2992.43,2992.43,4759610000.0,,\n"
        "2026-08-21,3007.16,3020.24,3000.05,3017.87,3017.87,0.0,,\n",
    )
    frame, notes = read_series_csv(path)
    assert frame["close"].tolist() == [2992.43, 3017.87]
    assert frame["volume"].tolist() == [4759610000.0, 0.0]
    assert notes == ["ignored columns: wap, count"]


@pytest.mark.parametrize(
    "header",
    [
        "timestamp,OPEN,HIGH,LOW,PRICE,AdjClose,Vol",
        "observation_date,open,high,low,last,Adjusted Close,Vol.",
        "Datetime,Open Price,High Price,Low Price,Close/Last,adj. close,Total Volume",
    ],
)
def test_header_spellings(tmp_path, header):
    path = write(tmp_path, header + "\n2026-01-02,10,12,9,11,10.5,100\n")
    frame, notes = read_series_csv(path)
    assert frame.loc["2026-01-02"].tolist() == [10.0, 12.0, 9.0, 11.0, 10.5, 100.0]
    assert notes == []


def test_times_and_offsets_keep_the_calendar_date_written(tmp_path):
    # 23:00 at UTC-5 is already the next day in UTC; the file's own date must win.
    path = write(
        tmp_path,
        "Datetime,Open,High,Low,Close,Volume\n"
        "2026-01-02 00:00:00-05:00,1,2,0.5,1.5,10\n"
        "2026-01-05 23:00:00-05:00,1.5,2.5,1,2,20\n"
        "2026-01-06T16:00:00Z,2,3,1.5,2.5,30\n",
    )
    frame, notes = read_series_csv(path)
    assert dates(frame) == ["2026-01-02", "2026-01-05", "2026-01-06"]
    assert frame["close"].tolist() == [1.5, 2.0, 2.5]
    assert frame.index.tz is None
    assert any("times of day dropped" in note for note in notes)


def test_midnight_times_need_no_note(tmp_path):
    path = write(tmp_path, "Date,Open,High,Low,Close\n2026-01-02 00:00:00-05:00,1,2,0.5,1.5\n")
    _, notes = read_series_csv(path)
    assert notes == [ADJ_NOTE, VOLUME_NOTE]


def test_missing_volume_is_nan_with_a_note(tmp_path):
    path = write(tmp_path, "Date,Open,High,Low,Close\n2026-01-02,1,2,0.5,1.5\n")
    frame, notes = read_series_csv(path)
    assert math.isnan(frame.loc["2026-01-02", "volume"])
    assert frame.loc["2026-01-02", "adj_close"] == 1.5
    assert VOLUME_NOTE in notes


def test_rows_without_close_are_dropped_and_counted(tmp_path):
    path = write(
        tmp_path,
        "Date,Open,High,Low,Close,Volume\n"
        "2026-01-02,1,2,0.5,1.5,10\n"
        "2026-01-05,null,null,null,null,0\n"
        "2026-01-06,1.5,2.5,1,,0\n"
        "2026-01-07,2,3,1.5,2.5,30\n",
    )
    frame, notes = read_series_csv(path)
    assert dates(frame) == ["2026-01-02", "2026-01-07"]
    assert "dropped 2 rows with no close" in notes


def test_newest_first_files_are_sorted(tmp_path):
    path = write(
        tmp_path,
        "Date,Close/Last,Volume,Open,High,Low\n"
        '01/05/2026,"$1,234.50",1000,"$1,200.00","$1,240.00","$1,190.25"\n'
        '12/31/2025,"$1,180.00",900,"$1,170.00","$1,185.00","$1,160.00"\n',
    )
    frame, notes = read_series_csv(path)
    assert dates(frame) == ["2025-12-31", "2026-01-05"]
    assert frame.loc["2026-01-05"].tolist() == [1200.0, 1240.0, 1190.25, 1234.5, 1234.5, 1000.0]
    assert "dates read as month/day/year" in notes


def test_day_first_dates_with_semicolons(tmp_path):
    path = write(
        tmp_path, "Date;Open;High;Low;Close\n02.01.2026;1;2;0.5;1.5\n13.01.2026;2;3;1;2.5\n"
    )
    frame, notes = read_series_csv(path)
    assert dates(frame) == ["2026-01-02", "2026-01-13"]
    assert "dates read as day/month/year" in notes


def test_bom_crlf_blank_lines_and_trailing_commas(tmp_path):
    path = write(
        tmp_path,
        "\ufeffDate,Open,High,Low,Close\r\n\r\n2026-01-02,1,2,0.5,1.5,\r\n2026-01-05,2,3,1,2.5,\r\n\r\n",
    )
    frame, _ = read_series_csv(path)
    assert frame["close"].tolist() == [1.5, 2.5]


def test_yfinance_multi_row_header(tmp_path):
    path = write(
        tmp_path,
        "Price,Close,High,Low,Open,Volume\n"
        "Ticker,^RUT,^RUT,^RUT,^RUT,^RUT\n"
        "Date,,,,,\n"
        "2025-12-31,2481.91,2501.77,2480.68,2500.37,3261830000\n",
    )
    frame, notes = read_series_csv(path)
    assert frame.loc["2025-12-31", "close"] == 2481.91
    assert frame.loc["2025-12-31", "high"] == 2501.77
    assert "read yfinance's multi-row header for ticker ^RUT" in notes


def test_compact_dates(tmp_path):
    path = write(tmp_path, "date,open,high,low,close\n20260102  16:00:00 US/Eastern,1,2,0.5,1.5\n")
    frame, _ = read_series_csv(path)
    assert dates(frame) == ["2026-01-02"]


# -- good value files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", ["date,value", "Date,Value", "observation_date,DFEDTARU", "DATE,DFEDTARU"]
)
def test_two_column_value_files(tmp_path, header):
    path = write(
        tmp_path, f"{header}\n2025-12-10,4.00\n2025-12-11,3.75\n2025-12-12,.\n2025-12-15,3.75\n"
    )
    frame, notes = read_series_csv(path)
    assert tuple(frame.columns) == ("value",)
    assert dates(frame) == ["2025-12-10", "2025-12-11", "2025-12-15"]
    assert frame["value"].tolist() == [4.0, 3.75, 3.75]
    assert notes == ["dropped 1 row with no value"]
    validate_frame(frame, "fred:DFEDTARU")


def test_negative_values_are_values(tmp_path):
    path = write(tmp_path, "date,value\n2020-04-20,-36.98\n2020-04-21,8.91\n")
    frame, _ = read_series_csv(path)
    assert frame["value"].tolist() == [-36.98, 8.91]


# -- bad files -------------------------------------------------------------------------------

BAD_FILES = [
    ("empty", "", 1, "the file is empty"),
    ("blank", "\n\n   \n", 1, "the file is empty"),
    ("html", "<!DOCTYPE html>\n<html><body>Not found</body></html>\n", 1, "looks like HTML"),
    ("header only", "Date,Open,High,Low,Close\n", 2, "no data rows"),
    ("no date column", "When,Open,High,Low,Close\n2026-01-02,1,2,0.5,1.5\n", 1, "no date column"),
    (
        "missing columns",
        "Date,Open,Close,Volume\n2026-01-02,1,1.5,10\n",
        1,
        "missing required columns high, low",
    ),
    (
        "bad date",
        "Date,Open,High,Low,Close\n2026-01-02,1,2,0.5,1.5\nJan 5,1,2,0.5,1.5\n",
        3,
        "unparseable date 'Jan 5'",
    ),
    (
        "impossible date",
        "Date,Open,High,Low,Close\n2026-02-30,1,2,0.5,1.5\n",
        2,
        "unparseable date '2026-02-30' (no such day)",
    ),
    (
        "non-numeric",
        "Date,Open,High,Low,Close\n2026-01-02,1,2,0.5,1.5\n2026-01-05,1,2,0.5,1.5\n"
        "2026-01-06,1,2,0.5,abc\n",
        4,
        "non-numeric Close 'abc'",
    ),
    (
        "duplicate",
        "date,value\n2026-01-02,1\n2026-01-05,2\n2026-01-02,3\n",
        4,
        "duplicate date 2026-01-02 (also on line 2)",
    ),
    (
        "short row",
        "Date,Open,High,Low,Close\n2026-01-02,1,2,0.5,1.5\n2026-01-05,1,2\n",
        3,
        "expected 5 fields like the header, found 3",
    ),
    ("ambiguous", "Date,Open,High,Low,Close\n01/02/2026,1,2,0.5,1.5\n", 2, "ambiguous date"),
    (
        "mixed order",
        "Date,Open,High,Low,Close\n13/01/2026,1,2,0.5,1.5\n01/14/2026,1,2,0.5,1.5\n",
        3,
        "dates mix day/month/year and month/day/year",
    ),
    ("no closes", "date,value\n2026-01-02,.\n2026-01-05,\n", 2, "no row has a 'value' number"),
    (
        "several tickers",
        "Price,Close,Close\nTicker,IWM,SPY\nDate,,\n2026-01-02,1,2\n",
        2,
        "several tickers (IWM, SPY)",
    ),
    (
        "twice",
        "Date,Open,High,Low,Close,close\n2026-01-02,1,2,0.5,1.5,1.5\n",
        1,
        "column 'close' appears twice",
    ),
]


@pytest.mark.parametrize(
    "text, line, problem", [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES]
)
def test_bad_files_name_file_line_and_problem(tmp_path, text, line, problem):
    path = write(tmp_path, text)
    with pytest.raises(MalformedDataError) as caught:
        read_series_csv(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: line {line}: ")
    assert problem in message
    assert "\n" not in message


def test_binary_file(tmp_path):
    path = tmp_path / "chart.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(MalformedDataError, match=r"line 3: not a CSV file \(binary data\)"):
        read_series_csv(path)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"Date,Open,High,Low,Close\n2026-01-02,1,2,0.5,1\xff5\n")
    with pytest.raises(MalformedDataError, match="line 2: not a CSV file"):
        read_series_csv(path)


def test_missing_file(tmp_path):
    with pytest.raises(MalformedDataError, match="cannot read the file"):
        read_series_csv(tmp_path / "absent.csv")


# -- property: a frame written by pandas reads back unchanged, whatever the spelling ---------

prices = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)
SPELLINGS = {
    "open": ["Open", "open", "OPEN"],
    "high": ["High", "high"],
    "low": ["Low", "low"],
    "close": ["Close", "close", "Price", "Last"],
    "adj_close": ["Adj Close", "adj_close", "AdjClose", "Adjusted Close"],
    "volume": ["Volume", "volume", "Vol"],
}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(prices, prices, prices, prices, prices, prices), min_size=1, max_size=20
    ),
    spelling=st.fixed_dictionaries({key: st.sampled_from(v) for key, v in SPELLINGS.items()}),
    date_name=st.sampled_from(["Date", "date", "Datetime", "timestamp", "observation_date"]),
    order=st.permutations(list(OHLCV_COLUMNS)),
    newest_first=st.booleans(),
)
def test_pandas_round_trip(tmp_path, rows, spelling, date_name, order, newest_first):
    expected = pd.DataFrame(
        rows,
        columns=list(OHLCV_COLUMNS),
        index=pd.bdate_range("2024-01-01", periods=len(rows), name="date").astype("datetime64[ns]"),
    )
    written = expected[list(order)].rename(columns=spelling)
    written.index.name = date_name
    if newest_first:
        written = written.iloc[::-1]
    path = tmp_path / "round_trip.csv"
    written.to_csv(path)
    frame, notes = read_series_csv(path)
    pd.testing.assert_frame_equal(frame, expected, check_freq=False)
    assert notes == []
    assert np.isfinite(frame.to_numpy()).all()
