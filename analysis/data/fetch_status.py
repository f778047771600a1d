"""Read what the last fetch did, kept in the store for ``status``, the workflow summary and posts.

``data/fetch-status.json`` is written (atomically) at the end of every live fetch of the
posts' data: when it ran, how long, its budget, per source the requests sent, the answers
that were 429, the seconds spent waiting and the pacing rate at the end, and per universe
how many members have data, how many failed, and how many the budget did not reach. It is
written by :mod:`analysis.fetch.status`.
"""

from __future__ import annotations

import json
from pathlib import Path

STATUS_FILE = "fetch-status.json"


def read_fetch_status(root: Path) -> dict | None:
    """The last fetch's record, or ``None`` if none was written (or it is unreadable)."""
    try:
        record = json.loads((Path(root) / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None
