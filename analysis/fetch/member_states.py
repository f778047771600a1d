"""Where each universe member stands after a build, and which failing members wait a while.

Four states, so that "all have data" never hides members a session behind:

- **complete**: the store holds the last closed session (or Yahoo was asked after it settled
  and vouched for it);
- **not reached**: this build did not get an answer for it: the deadline came first, Yahoo
  was given up on, or the answer was a transient failure (throttled, a refused crumb, a 404
  not yet confirmed on another day). It comes early in the next build;
- **failing**: a failure that is not transient (Yahoo does not know the symbol on two
  different days, a malformed answer), with its reason; such a member backs off over days
  (:func:`backoff_days`) and is asked after the others instead of first every build;
- **behind**: asked and answered, but the answer does not reach the last session yet.

Every member not complete is also **behind by N sessions**, counted from its last bar.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pandas as pd

from analysis.data.freshness import is_current
from analysis.data.sessions import closed_sessions_between, last_closed_session, session_close

COMPLETE, BEHIND, NOT_REACHED, FAILING = "complete", "behind", "not reached", "failing"
# Outcome status of a failing member this build did not ask, to let it rest.
BACKING_OFF = "backing off"
# Longest rest, in days, between two attempts at a member that keeps failing.
MAX_BACKOFF_DAYS = 16
# What a 404 for a member says until another day confirms it (see the Yahoo source).
UNCONFIRMED_NOT_FOUND = "transient until it repeats on another day"
NOT_FOUND = "does not know this symbol"
END_OF_DAY = pd.Timedelta(hours=23, minutes=59)


def member_state(outcome, now, session=None) -> str:
    """The member's state after this build: one of the four in the module docs.

    ``session`` is the one a complete member reaches: the last closed session (default), or
    that of a pinned read's as-of day.
    """
    prov = outcome.provenance
    if prov is not None and is_current(prov, now, session=session):
        return COMPLETE
    if outcome.status == BACKING_OFF:
        return FAILING
    if outcome.status == NOT_REACHED or getattr(outcome, "transient", False):
        return NOT_REACHED
    if outcome.error:
        return FAILING
    return BEHIND


def sessions_behind(outcome, now, session=None) -> int | None:
    """Closed sessions after the member's last stored bar, up to ``session`` if given.

    None: nothing stored.
    """
    prov = outcome.provenance
    if prov is None:
        return None
    until = pd.Timestamp(now) if session is None else session_close(session)
    # The end of the bar's day (UTC): a bar on a day the NYSE was closed counts too.
    return closed_sessions_between(prov.last_bar_date + END_OF_DAY, until)


def tally(outcomes: dict, now, session=None) -> dict:
    """Counts by state, behind-by histogram and failing reasons, for the fetch record.

    ``session``: the one complete members reach (default: the last closed session).
    """
    now = pd.Timestamp(now)
    session = last_closed_session(now) if session is None else pd.Timestamp(session)
    states = {symbol: member_state(o, now, session) for symbol, o in outcomes.items()}
    counts = Counter(states.values())
    behind_by: Counter[str] = Counter()
    for symbol, o in outcomes.items():
        if states[symbol] != COMPLETE:
            lag = sessions_behind(o, now, session)
            behind_by["no data" if lag is None else str(lag)] += 1
    reasons = Counter(_reason(o.error or "") for s, o in outcomes.items() if states[s] == FAILING)
    return {
        "session": str(session.date()),
        "complete": counts[COMPLETE],
        "behind": len(outcomes) - counts[COMPLETE],
        "behind_by": dict(sorted(behind_by.items())),
        "not_reached": counts[NOT_REACHED],
        "failing": counts[FAILING],
        "failing_reasons": dict(reasons.most_common(5)),
    }


def describe(members: int, counts: dict) -> str:
    """One line for ``status``, the workflow summary and the build log."""
    text = (
        f"{counts.get('complete', 0):,} of {members:,} members complete for {counts.get('session')}"
    )
    behind = counts.get("behind", 0)
    if behind:
        parts = []
        for lag, n in counts.get("behind_by", {}).items():
            unit = "no data yet" if lag == "no data" else f"by {lag} session{'s' * (lag != '1')}"
            parts.append(f"{n:,} {unit}")
        text += f"; {behind:,} behind ({', '.join(parts)})"
    if counts.get("not_reached"):
        text += (
            f"; {counts['not_reached']:,} not reached this build "
            "(the next build fetches them first)"
        )
    if counts.get("failing"):
        reasons = "; ".join(f"{n:,}: {r}" for r, n in counts.get("failing_reasons", {}).items())
        text += f"; {counts['failing']:,} failing ({reasons})"
    return text


def backoff_days(days_failed: int) -> int:
    """Days to rest a member that failed on ``days_failed`` different days: 1, 2, 4 ... 16."""
    return min(MAX_BACKOFF_DAYS, 2 ** max(0, days_failed - 1)) if days_failed > 1 else 0


def resting(entry: dict | None, today: date) -> bool:
    """Whether a failing member (its record ``entry``) rests this build."""
    if not entry:
        return False
    wait = backoff_days(int(entry.get("days", 0)))
    return wait > 0 and (today - date.fromisoformat(entry["last"])).days < wait


def remember_failures(previous: dict, outcomes: dict, now) -> dict:
    """The failing record after a build: who keeps failing, since when, on how many days.

    A member's entry goes when it is complete or updated; it stays as it was when the
    member was not asked (resting, or not reached); otherwise it counts one more day (once
    per calendar day) and keeps the latest reason.
    """
    today = pd.Timestamp(now).date().isoformat()
    record = {}
    for symbol, outcome in outcomes.items():
        old = previous.get(symbol)
        state = member_state(outcome, now)
        if outcome.status in (BACKING_OFF, NOT_REACHED) or (
            state == NOT_REACHED and not outcome.error
        ):
            if old:
                record[symbol] = old
            continue
        if not outcome.error:
            continue
        entry = dict(old) if old else {"since": today, "days": 0, "last": ""}
        if entry["last"] != today:
            entry["days"] = int(entry.get("days", 0)) + 1
        entry["last"], entry["reason"] = today, outcome.error
        record[symbol] = entry
    return record


def confirm_not_found(outcome, entry: dict | None, now) -> None:
    """A 404 that repeats on another day is believed: the member is failing, not transient."""
    if not outcome.error or UNCONFIRMED_NOT_FOUND not in outcome.error or not entry:
        return
    earlier = entry.get("last", "") < pd.Timestamp(now).date().isoformat()
    if earlier and NOT_FOUND in entry.get("reason", ""):
        outcome.error = (
            f"{outcome.symbol}: Yahoo Finance does not know this symbol (on two different days)"
        )
        outcome.transient = False
        outcome.unknown = True


def _reason(error: str) -> str:
    """An error without its symbol, to count members failing the same way."""
    head, _, rest = error.partition(": ")
    return rest or head
