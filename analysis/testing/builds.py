"""Helpers for tests and benchmarks of whole builds: a new day's bar, and what Quarto executed."""

from __future__ import annotations

import re

import pandas as pd

from analysis.data.store import Store

_HEADER = re.compile(r"^\[\s*\d+/\d+\]\s+(\S+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m|\r")


def add_bar(store: Store, symbol: str, factor: float = 1.01) -> pd.Timestamp:
    """Append the next weekday to a stored series, its prices ``factor`` times the last bar.

    What a fetch of the next session would do; returns the new bar's date.
    """
    frame = store.read(symbol)
    row = frame.iloc[[-1]].copy()
    row.index = pd.DatetimeIndex([frame.index[-1] + pd.offsets.BDay(1)], name=frame.index.name)
    row[["open", "high", "low", "close", "adj_close"]] *= factor
    prov = store.provenance(symbol)
    store.write(symbol, pd.concat([frame, row]), source=prov.source, fetched_at=prov.fetched_at)
    return row.index[0]


def executed_posts(log: str) -> set[str]:
    """Post folders whose notebook Quarto executed, read from the log of one render."""
    executed, current = set(), None
    for line in _ANSI.sub("", log).splitlines():
        header = _HEADER.match(line.strip())
        if header:
            current = header.group(1)
        elif line.startswith("Executing '") and current and current.startswith("posts/"):
            executed.add(current.split("/")[1])
    return executed
