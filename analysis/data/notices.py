"""The "Data as of" line and the stale-data warning every post shows, from provenance."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from IPython.display import Markdown

from analysis.data.load import SeriesStatus, open_store, series_status
from analysis.data.store import Store

# A series whose last bar is this much older than the newest one is named in the line:
# FRED series lag by a few days, and readers should see which figures are older.
_LAGGING = pd.Timedelta(days=3)
# Past this many stale series the list starts folded: the title still says how many.
_LONG_LIST = 5
# How ``python -m analysis import`` names a file's rows as their source.
_IMPORTED = "imported from "


def data_as_of_markdown(statuses: list[SeriesStatus]) -> str:
    """Markdown for a post's data line, plus a warning callout if any series is stale.

    The line gives the newest last bar across the series, names series that end more than
    three days earlier (grouped by the date they end, latest first), and lists the sources
    from the provenance, with imported files named in one item.
    """
    if not statuses:
        return ""
    last_bars = {s.symbol: s.provenance.last_bar_date for s in statuses}
    newest = max(last_bars.values())
    ending_earlier: dict[pd.Timestamp, list[str]] = {}
    for symbol, bar in last_bars.items():
        if newest - bar > _LAGGING:
            ending_earlier.setdefault(bar, []).append(symbol)
    line = f"**Data as of {newest.date()}**"
    if ending_earlier:
        groups = sorted(ending_earlier.items(), reverse=True)
        named = [f"{', '.join(symbols)} to {bar.date()}" for bar, symbols in groups]
        line += f" (except {'; '.join(named)})"
    line += f". Sources: {_sources(statuses)}."
    parts = [f"[{line}]{{.data-as-of}}"]
    stale = [s for s in statuses if s.stale]
    if stale:
        parts.append(_stale_callout(stale))
    return "\n\n".join(parts)


def _sources(statuses: list[SeriesStatus]) -> str:
    """Each source once, in order; ``imported from A.csv``, ``imported from B.csv`` as one."""
    parts = dict.fromkeys(part for s in statuses for part in s.provenance.source.split("; "))
    files = [part.removeprefix(_IMPORTED) for part in parts if part.startswith(_IMPORTED)]
    named = []
    for part in parts:
        if not part.startswith(_IMPORTED):
            named.append(part)
        elif part.removeprefix(_IMPORTED) == files[0]:
            named.append(_IMPORTED + ", ".join(files))
    return "; ".join(named)


def _stale_callout(stale: list[SeriesStatus]) -> str:
    """A warning naming every stale series; a long list folds into a disclosure.

    The fold is a native ``<details>`` element inside the callout, not a collapsed
    callout: Quarto's collapsible callout header is a ``div`` with ``aria-expanded`` that a
    keyboard cannot reach, while ``<summary>`` is a button to every browser and screen reader.
    """
    items = "\n".join(f"- {s.symbol}: last bar {s.provenance.last_bar}; {s.reason}" for s in stale)
    oldest = min(s.provenance.last_bar for s in stale)
    long_list = len(stale) > _LONG_LIST
    title = (
        f"{len(stale)} series were not refreshed for this build"
        if long_list
        else "Some data was not refreshed for this build"
    )
    if long_list:
        items = f"<details>\n<summary>The {len(stale)} series</summary>\n\n{items}\n\n</details>"
    return (
        f"::: {{.callout-warning}}\n## {title}\n\n"
        f"Figures that use these series stop at their last bar (the oldest: {oldest}).\n\n"
        f"{items}\n:::"
    )


def data_notice(symbols: Iterable[str], *, store: Store | None = None, now=None) -> Markdown:
    """The data line (and stale warning) for ``symbols``, ready to display in a post."""
    statuses = series_status(symbols, store=store or open_store(), now=now)
    return Markdown(data_as_of_markdown(statuses))
