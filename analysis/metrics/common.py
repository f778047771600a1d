"""What every computation on a series shares: the error, the observation, the date rules.

Every function in :mod:`analysis.metrics` takes pandas objects and returns new ones; none
reads the store, touches the network or mutates its inputs. Names follow one rule: ``to_*``
returns a series or frame, ``calc_*`` returns a scalar or a small record.

Conventions
-----------
- Series have a tz-naive ``DatetimeIndex`` (as the store returns them). Dates may be given as
  anything :class:`pandas.Timestamp` accepts (``"2026-01-16"``).
- "The close at a date" means the last non-missing value on or before that date, so a
  weekend or holiday resolves to the previous session. The record types say which
  session was actually used.
- Returns are fractions (``0.079`` is 7.9%). Fields ending in ``_pct`` are percent and
  leads are percentage points, as their names say.
- Missing values (NaN) are skipped unless a docstring says otherwise; a computation that
  needs data that is not there raises :class:`InsufficientDataError` instead of returning
  a made-up number.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.data.errors import DataError

__all__ = [
    "InsufficientDataError",
    "Observation",
    "as_timestamp",
    "at_or_before",
    "series_label",
    "valid_values",
]


class InsufficientDataError(DataError, ValueError):
    """A computation needs observations the series does not have."""


@dataclass(frozen=True)
class Observation:
    """One value of a series and the date it was observed."""

    date: pd.Timestamp
    value: float


def as_timestamp(value) -> pd.Timestamp:
    """A tz-naive timestamp from anything :class:`pandas.Timestamp` accepts."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp


def valid_values(series: pd.Series) -> pd.Series:
    """Non-missing values in date order (a copy)."""
    if not isinstance(series.index, pd.DatetimeIndex):
        raise TypeError("expected a series with a DatetimeIndex")
    return series.dropna().sort_index()


def series_label(series: pd.Series) -> str:
    """The series' name for an error message."""
    return f"'{series.name}'" if series.name is not None else "the series"


def at_or_before(series: pd.Series, date) -> Observation:
    """The last non-missing observation on or before ``date``."""
    when = as_timestamp(date)
    clean = valid_values(series).loc[:when]
    if clean.empty:
        raise InsufficientDataError(
            f"{series_label(series)} has no data on or before {when.date()}"
            + (f" (it starts {series.dropna().index.min().date()})" if series.notna().any() else "")
        )
    return Observation(clean.index[-1], float(clean.iloc[-1]))
