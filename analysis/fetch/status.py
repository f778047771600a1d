"""Write what a fetch did to the store's fetch status, and resume pacing from the last one.

Reading the record is :mod:`analysis.data.fetch_status`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.data.fetch_status import STATUS_FILE, read_fetch_status
from analysis.data.store import atomic_write, utc_now_iso
from analysis.fetch.sources.pacing import pacer_for, pacing_stats, recovered_ceiling

# How long what a fetch learned about a source's limit is trusted by the next one.
REMEMBER_PACE = pd.Timedelta(days=7)


def write_fetch_status(root: Path, record: dict) -> Path:
    """Replace the store's fetch status with ``record``; return the file's path."""
    path = Path(root) / STATUS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
    return path


def fetch_record(
    universes: dict, *, seconds: float, budget: float, posts: dict | None = None
) -> dict:
    """The record of a fetch that just ended: ``universes`` maps a name to its report.

    Per source: requests, throttled answers, seconds waited, the rate and ceiling at the end
    and why they are what they are (and whether the source was given up on). Per universe:
    members by state (complete for the last session, behind by N sessions, not reached
    this build, failing and why; :mod:`analysis.fetch.member_states`) and the members that
    keep failing, which the next build lets rest. ``posts`` are the same counts for the
    posts' own series.
    """
    record = {
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
                **report.counts,
                "failing_members": report.failing,
                "gave_up": report.gave_up,
            }
            for name, report in universes.items()
        },
    }
    if posts is not None:
        record["posts"] = posts
    return record


def failing_members(root: Path, universe: str) -> dict:
    """The last build's record of ``universe``'s members that keep failing (see above)."""
    record = read_fetch_status(root) or {}
    entry = (record.get("universes") or {}).get(universe) or {}
    failing = entry.get("failing_members")
    return failing if isinstance(failing, dict) else {}


def resume_pacers(root: Path, *, now=None) -> dict[str, float]:
    """Start each source's pacer from the rate the last fetch ended at, if recent.

    A build is a new process; without this it would start at the configured rate and run
    into a limit the last build had already found. After a build without a single throttled
    answer the ceiling climbs back toward the configured rate
    (:func:`~analysis.fetch.sources.pacing.recovered_ceiling`), and the pace starts there:
    one bad day does not slow every later build. Returns the rates resumed, by source.
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
        ceiling = float(ceiling) if isinstance(ceiling, int | float) else None
        why = f"resumed from the last build ({stats.get('why') or 'no reason recorded'})"
        # A new build starts at the ceiling: the rate a run of 429s was cut to is the last
        # build's probing, not a limit Yahoo has.
        rate = max(float(rate), ceiling or 0.0)
        if not stats.get("rate_limited") and ceiling is not None:
            configured = pacer.policy.rate
            ceiling = recovered_ceiling(ceiling, configured)
            rate = max(float(rate), ceiling)
            if ceiling < configured:
                why = (
                    f"recovering: the last build was not throttled, so the ceiling rose to "
                    f"{ceiling:.3g} of {configured:g} a minute"
                )
            else:
                why = f"recovered: the configured rate, {configured:g} a minute"
        pacer.resume(float(rate), ceiling, why)
        resumed[source] = pacer.rate
    return resumed
