"""The post's own settings, read from its front matter so each is set in one place.

What a post uses:

- :func:`read_front_matter`: the whole front matter as a dict (its ``series``, ``claims``,
  ``cited`` and any key of its own);
- :func:`read_window`, :class:`Window`: the analysis window a post about a past period is
  pinned to;
- :func:`long_date`, :func:`join_names`, :func:`ordinal`: the site's phrasing of dates
  ("16 January 2026"), lists ("A, B and C") and ranks ("2nd") in prose.

A post that studies a fixed period declares it next to its date::

    date: 2026-01-18          # publication
    window:
      base: 2025-12-31        # the close returns are measured from
      as-of: 2026-01-16       # the last close the article could have seen

The post's code and its ``headline.py`` both read it with :func:`read_window`, so a fork
that moves the window edits two lines and every number, chart and the title follow.
The claims and cited figures of the front matter are read by :mod:`analysis.claims`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.data.errors import MalformedDataError
from analysis.data.frontmatter import read_front_matter
from analysis.text import join_names, long_date, ordinal

__all__ = [
    "WINDOW_KEY",
    "Window",
    "join_names",
    "long_date",
    "ordinal",
    "read_front_matter",
    "read_window",
]

WINDOW_KEY = "window"


@dataclass(frozen=True)
class Window:
    """The three dates a post about a past period is pinned to.

    Attributes
    ----------
    published : Timestamp
        The post's publication date (its ``date``).
    base : Timestamp
        Returns start from the close on this date (or the last session before it).
    as_of : Timestamp
        The last close inside the window; what happened later is "since publication".
    """

    published: pd.Timestamp
    base: pd.Timestamp
    as_of: pd.Timestamp

    @property
    def year(self) -> int:
        """The calendar year the window's returns belong to (that of ``as_of``)."""
        return self.as_of.year

    @property
    def week_start(self) -> pd.Timestamp:
        """The Monday of the week that ends on ``as_of`` ("last week" for the article)."""
        return self.as_of - pd.Timedelta(days=self.as_of.weekday())


def _date(value, what: str, path) -> pd.Timestamp:
    """A front-matter date (YAML gives ``datetime.date``; a quoted one is a string)."""
    if isinstance(value, datetime.date | str):
        try:
            return pd.Timestamp(value).normalize()
        except ValueError:
            pass
    raise MalformedDataError(f"{path}: {what} must be a date like 2026-01-16 (got {value!r})")


def read_window(path: str | Path) -> Window:
    """Read ``date`` and ``window: {base, as-of}`` from a post's front matter.

    Raises
    ------
    MalformedDataError
        A key is missing, is not a date, or the dates are out of order (``base`` must be
        before ``as-of``, and ``as-of`` not after the publication date).
    """
    meta = read_front_matter(Path(path))
    window = meta.get(WINDOW_KEY)
    if not isinstance(window, dict) or not {"base", "as-of"} <= set(window):
        raise MalformedDataError(f"{path}: front matter needs '{WINDOW_KEY}:' with base and as-of")
    if "date" not in meta:
        raise MalformedDataError(f"{path}: front matter needs the publication 'date'")
    result = Window(
        published=_date(meta["date"], "date", path),
        base=_date(window["base"], "window.base", path),
        as_of=_date(window["as-of"], "window.as-of", path),
    )
    if not result.base < result.as_of <= result.published:
        raise MalformedDataError(
            f"{path}: expected base < as-of <= date, got {result.base.date()}, "
            f"{result.as_of.date()}, {result.published.date()}"
        )
    return result
