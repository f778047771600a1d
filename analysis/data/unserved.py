"""Members the price source no longer serves: recorded once, counted apart, never asked daily.

A universe read at a past date lists the members of that day's holdings file. Some have
since been acquired or delisted, and Yahoo answers them as unknown symbols. Asking again
every build would spend a request per such member per day for nothing, so the first such
answer for a member the store holds no rows of is kept in ``data/unserved.json``::

    {"XYZ": {"since": "2026-12-02T22:15:00+00:00", "asked": "2026-12-02T22:15:00+00:00",
             "reason": "XYZ: Yahoo does not know ..."}}

Such a member is asked again once :data:`RECHECK_AFTER` has passed since it was last asked
(``asked``): a false 404 during one of Yahoo's incidents must not drop a member for good,
and once a month costs a request per such member, not one a day. An answer with rows ends
it; another 404 moves ``asked`` on.

Readers (the page, ``status``, the fingerprint) count these members apart and name them.
They still count against a universe's coverage threshold: a member without a close is
missing from the reading whatever the reason. ``python -m analysis fetch XYZ`` asks again,
and a member that has rows again is served, whatever the record says.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.data.store import Store, atomic_write, utc_now_iso

UNSERVED_FILE = "unserved.json"
# How long a member recorded as no longer served goes unasked.
RECHECK_AFTER = pd.Timedelta(days=30)


def read_unserved(store: Store | Path) -> dict[str, dict]:
    """Recorded members the source no longer serves: symbol -> ``{"since", "reason"}``."""
    root = store.root if isinstance(store, Store) else Path(store)
    try:
        record = json.loads((root / UNSERVED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def record_unserved(store: Store, reasons: dict[str, str], *, at: str | None = None) -> None:
    """Add members the source answered as unknown (``symbol -> error``), atomically."""
    if not reasons:
        return
    at = at or utc_now_iso()
    with store.locked():
        record = read_unserved(store)
        for symbol, reason in reasons.items():
            entry = record.setdefault(symbol, {"since": at, "reason": reason})
            entry["asked"] = at
        payload = json.dumps(record, indent=2, sort_keys=True) + "\n"
        atomic_write(store.root / UNSERVED_FILE, payload.encode("utf-8"))


def due_for_recheck(entry: dict, now) -> bool:
    """Whether a recorded member has gone unasked for :data:`RECHECK_AFTER` at ``now``."""
    last = entry.get("asked") or entry.get("since")
    try:
        asked = pd.Timestamp(last)
    except (TypeError, ValueError):
        return True
    if asked is pd.NaT:
        return True
    now = pd.Timestamp(now)
    asked = asked.tz_localize("UTC") if asked.tzinfo is None else asked
    now = now.tz_localize("UTC") if now.tzinfo is None else now
    return now - asked >= RECHECK_AFTER
