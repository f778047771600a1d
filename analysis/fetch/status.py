"""Write what a fetch did to the store's fetch status, and resume pacing from the last one.

Reading the record is :mod:`analysis.data.fetch_status`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.data.fetch_status import STATUS_FILE, read_fetch_status
from analysis.data.store import atomic_write, utc_now_iso
from analysis.fetch.sources.pacing import pacer_for, pacing_stats

# How long what a fetch learned about a source's limit is trusted by the next one.
REMEMBER_PACE = pd.Timedelta(days=7)


def write_fetch_status(root: Path, record: dict) -> Path:
    """Replace the store's fetch status with ``record``; return the file's path."""
    path = Path(root) / STATUS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
    return path


def fetch_record(universes: dict, *, seconds: float, budget: float) -> dict:
    """The record of a fetch that just ended: ``universes`` maps a name to its report."""
    return {
        "finished_at": utc_now_iso(),
        "seconds": round(seconds, 1),
        "budget_seconds": budget,
        "sources": {
            name: {**stats, "waited_seconds": round(stats["waited_seconds"], 1)}
            for name, stats in pacing_stats().items()
        },
        "universes": {
            name: {
                "members": len(report.members),
                "with_data": len(report.with_data),
                "failed": len(report.failed),
                "not_reached": len(report.not_reached),
            }
            for name, report in universes.items()
        },
    }


def resume_pacers(root: Path, *, now=None) -> dict[str, float]:
    """Start each source's pacer from the rate the last fetch ended at, if recent.

    A build is a new process; without this it would start at the configured rate and run
    into a limit the last build had already found. Returns the rates resumed, by source.
    """
    record = read_fetch_status(root) or {}
    now = pd.Timestamp(now if now is not None else utc_now_iso())
    try:
        finished = pd.Timestamp(record.get("finished_at"))
    except (TypeError, ValueError):
        return {}
    if finished is pd.NaT or now - finished > REMEMBER_PACE:
        return {}
    resumed = {}
    for source, stats in (record.get("sources") or {}).items():
        rate, ceiling = stats.get("rate"), stats.get("ceiling")
        if not isinstance(rate, int | float) or rate <= 0:
            continue
        try:
            pacer = pacer_for(source)
        except ValueError:
            continue
        pacer.resume(float(rate), float(ceiling) if isinstance(ceiling, int | float) else None)
        resumed[source] = pacer.rate
    return resumed
