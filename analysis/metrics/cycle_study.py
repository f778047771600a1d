"""Small caps against large caps after the first cut of each Fed easing cycle.

The cycle starts come from the fed funds target series (never typed), so the study covers
exactly the cycles the stored target history can show, and says which those are: a build
whose store lacks FRED's pre-2008 single target (``DFEDTAR``) studies only the cycles after
2008-12-16 and tells the reader so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.metrics.events import to_relative_returns_after
from analysis.metrics.fed import to_easing_cycle_starts
from analysis.text import join_names, long_date

__all__ = ["RANGE_START", "CycleStudy", "HorizonSummary", "calc_cycle_study"]

# FRED's target range (DFEDTARU/DFEDTARL) starts here; DFEDTAR covers the years before.
RANGE_START = pd.Timestamp("2008-12-16")


@dataclass(frozen=True)
class HorizonSummary:
    """The study at one horizon, over the cycles where that horizon is complete.

    ``mean_pp`` is the average of (small-cap return - large-cap return) in percentage
    points, ``led`` the number of cycles in which small caps came out ahead, ``complete``
    the number of cycles averaged (NaN mean when 0).
    """

    horizon: str
    mean_pp: float
    led: int
    complete: int


@dataclass(frozen=True)
class CycleStudy:
    """Relative returns after each easing-cycle start, and what the data covers.

    Attributes
    ----------
    starts : DataFrame
        :func:`analysis.metrics.to_easing_cycle_starts` rows (first cut of each cycle).
    relative : DataFrame
        Small-cap minus large-cap return after each start (fractions), one column per
        horizon (``"3m"``, ``"6m"``, ``"12m"``); NaN where the horizon is not complete.
    history_start, history_end : Timestamp
        The span of the target history used.
    since : Timestamp
        The earliest start the study looks for.
    """

    starts: pd.DataFrame
    relative: pd.DataFrame
    history_start: pd.Timestamp
    history_end: pd.Timestamp
    since: pd.Timestamp

    @property
    def covers_since(self) -> bool:
        """Whether the target history reaches back to ``since``."""
        return self.history_start <= self.since

    def summary(self, horizon: str) -> HorizonSummary:
        """Average and hit count at ``horizon`` over cycles where it is complete."""
        values = self.relative[horizon].dropna() * 100.0
        mean = float(values.mean()) if len(values) else float("nan")
        return HorizonSummary(horizon, mean, int((values > 0).sum()), len(values))

    def incomplete(self) -> list[tuple[pd.Timestamp, str]]:
        """(cycle start, horizon) pairs whose horizon has not ended in the data yet."""
        return [
            (when, column)
            for when, row in self.relative.iterrows()
            for column, value in row.items()
            if not np.isfinite(value)
        ]

    def coverage_note(self) -> str:
        """A sentence saying which span of target history, and so which cycles, are used."""
        dates = join_names([long_date(d) for d in self.starts.index])
        count = len(self.starts)
        cycles = f"{count} easing cycle{'s' if count != 1 else ''}"
        span = f"{long_date(self.history_start)} to {long_date(self.history_end)}"
        tail = f", beginning on {dates}." if count else "."
        if self.covers_since:
            return (
                f"The fed funds target history in this build runs from {span} and shows "
                f"{cycles} since {self.since.year}{tail}"
            )
        gap = ""
        if self.history_start >= RANGE_START:
            gap = (
                " (FRED's single target rate, DFEDTAR, which covers the years before the "
                "target range, is not in the store)"
            )
        return (
            f"The fed funds target history in this build only runs from {span}{gap}, so the "
            f"study cannot reach back to {self.since.year}: it shows {cycles}{tail}"
        )


def calc_cycle_study(
    target: pd.Series,
    small: pd.Series,
    large: pd.Series,
    *,
    since="1990-01-01",
    horizons=(3, 6, 12),
) -> CycleStudy:
    """Find easing-cycle starts in ``target`` and compare ``small`` with ``large`` after each.

    ``relative[e, h] = small_return(e, e + h months) - large_return(e, e + h months)`` with
    both returns from :func:`analysis.metrics.to_returns_after` (close on the day of the
    first cut to the last close on or before ``h`` months later). Starts follow
    :func:`analysis.metrics.to_easing_cycle_starts` with its defaults (a cut after a hike,
    or after 12 months without a cut). NaN where a horizon is not complete.

    Parameters
    ----------
    target : Series
        The target rate (for a range, its upper bound, e.g. the ``upper`` column of
        :func:`analysis.metrics.to_fed_target_history`).
    small, large : Series
        Closes of the two indices.
    since : date-like
        The earliest cycle start to include.
    horizons : tuple of int
        Months after each start.
    """
    clean = target.dropna()
    if clean.empty:
        raise ValueError("the target series has no values")
    starts = to_easing_cycle_starts(clean, since=since)
    relative = to_relative_returns_after(starts.index, small, large, horizons)
    return CycleStudy(
        starts=starts,
        relative=relative,
        history_start=clean.index.min(),
        history_end=clean.index.max(),
        since=pd.Timestamp(since),
    )
