"""Checking claims: each published value against the value computed from data.

:func:`check_claims` gives one verdict per claim (:data:`HOLDS`, :data:`CONTRADICTED`,
:data:`UNCHECKED`) with a note that says by how much, and :func:`format_value` prints a
number in a claim's unit as the tables do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.claims.schema import Claim, is_number, parse_claims

__all__ = [
    "CONTRADICTED",
    "HOLDS",
    "UNCHECKED",
    "VERDICT_SYMBOLS",
    "check_claims",
    "format_value",
    "to_verdict_counts",
]

HOLDS = "holds"
CONTRADICTED = "contradicted"
UNCHECKED = "cannot be checked"
VERDICT_SYMBOLS = {HOLDS: "✓", CONTRADICTED: "✗", UNCHECKED: "?"}


def _decimals_of(value) -> int:
    """Decimals written in a number: 5.8 -> 1, 250 -> 0, 0.25 -> 2."""
    if not is_number(value) or float(value).is_integer():
        return 0
    text = repr(float(value))
    return min(len(text.split(".")[1]), 6) if "." in text and "e" not in text else 2


def _claim_decimals(claim: Claim) -> int:
    if claim.decimals is not None:
        return claim.decimals
    published = claim.published
    values = published if isinstance(published, list) else [published]
    return max(_decimals_of(v) for v in values)


def format_value(value, unit: str = "", decimals: int = 1) -> str:
    """Print a value with its unit: ``5.8%``, ``6.5 pp``, ``$250``, ``18x``, ``yes``, ``—``.

    ``None`` and NaN print as an em dash; booleans as yes/no; texts as they are.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple) and len(value) == 2:
        return f"{format_value(value[0], unit, decimals)}–{format_value(value[1], unit, decimals)}"
    if not is_number(value):
        return str(value)
    number = f"{abs(float(value)):,.{decimals}f}"
    sign = "-" if float(value) < 0 and float(number.replace(",", "")) != 0 else ""
    if unit == "$":
        return f"{sign}${number}"
    if unit in ("%", "x"):
        return f"{sign}{number}{unit}"
    if unit:
        return f"{sign}{number} {unit}"
    return f"{sign}{number}"


def _difference_unit(unit: str) -> str:
    # A difference of two percentages is in percentage points.
    return "pp" if unit == "%" else unit


def _normalise_text(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _coerce_computed(claim: Claim, value):
    """The computed value as a plain Python value, or ``None`` if it is missing."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalar -> Python scalar
    if isinstance(value, float) and math.isnan(value):
        return None
    if claim.kind == "boolean":
        if not isinstance(value, bool):
            raise TypeError(f"claim {claim.id!r}: expected true/false from data, got {value!r}")
        return value
    if claim.kind == "text":
        return str(value)
    if not is_number(value):
        raise TypeError(f"claim {claim.id!r}: expected a number from data, got {value!r}")
    return float(value)


def _verdict(claim: Claim, value) -> tuple[str, str]:
    """(verdict, generated note) for one claim and its computed value."""
    if value is None:
        return UNCHECKED, "no value from data"
    decimals = max(_claim_decimals(claim), 1)
    tolerance = claim.tolerance
    tol_text = format_value(tolerance, _difference_unit(claim.unit), decimals)
    if claim.kind == "boolean":
        return (HOLDS if value == claim.published else CONTRADICTED), ""
    if claim.kind == "text":
        same = _normalise_text(value) == _normalise_text(claim.published)
        return (HOLDS if same else CONTRADICTED), ""
    if claim.kind == "equals":
        diff = value - float(claim.published)
        ok = abs(diff) <= tolerance + 1e-12
        if round(diff, decimals) == 0:
            note = "matches" + (f" (tolerance ±{tol_text})" if tolerance else "")
        else:
            diff_text = format_value(diff, _difference_unit(claim.unit), decimals)
            note = f"off by {'+' if diff > 0 else ''}{diff_text} (tolerance ±{tol_text})"
        return (HOLDS if ok else CONTRADICTED), note
    if claim.kind == "at_least":
        ok = value >= float(claim.published) - tolerance - 1e-12
        return (HOLDS if ok else CONTRADICTED), _bound_note("at least ", claim, tol_text)
    if claim.kind == "at_most":
        ok = value <= float(claim.published) + tolerance + 1e-12
        return (HOLDS if ok else CONTRADICTED), _bound_note("at most ", claim, tol_text)
    low, high = (float(x) for x in claim.published)
    ok = low - tolerance - 1e-12 <= value <= high + tolerance + 1e-12
    return (HOLDS if ok else CONTRADICTED), _bound_note("", claim, tol_text)


def _bound_note(prefix: str, claim: Claim, tol_text: str) -> str:
    """'claim: at least 35%' / 'claim: $73–$77', plus the tolerance if there is one."""
    shown = format_value(claim.published, claim.unit, _claim_decimals(claim))
    note = f"claim: {prefix}{shown}"
    return note + (f" (tolerance ±{tol_text})" if claim.tolerance else "")


def check_claims(
    claims: Sequence[Claim] | Sequence[Mapping],
    computed: Mapping[str, Any],
    notes: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Compare each published claim with the value computed from data.

    Parameters
    ----------
    claims : list of Claim, or the raw ``claims:`` list
        Raw lists are validated with :func:`parse_claims` first.
    computed : mapping of id -> value
        The value from data, in the claim's unit; ``None`` or NaN when the data cannot give
        one ("cannot be checked"). An id missing from ``computed`` is also "cannot be
        checked"; an id in ``computed`` that no claim has is an error (a typo would
        otherwise hide a check).
    notes : mapping of id -> str, optional
        Extra notes for the table, e.g. why a value is missing.

    Returns
    -------
    DataFrame
        One row per claim, in the order given, indexed by ``id``, with columns ``claim``,
        ``published``, ``from_data``, ``unit``, ``kind``, ``tolerance``, ``verdict``,
        ``note``, ``source`` and the printed forms ``published_text``, ``from_data_text``.

    Raises
    ------
    ClaimsSchemaError
        If ``claims`` does not follow the schema.
    KeyError
        If ``computed`` names an id no claim has.
    TypeError
        If a computed value has the wrong type for its claim (e.g. a number for a boolean).
    """
    parsed = parse_claims(claims)
    known = {c.id for c in parsed}
    stray = sorted(set(computed) - known)
    if stray:
        raise KeyError(f"computed values for unknown claim id(s): {', '.join(stray)}")
    notes = dict(notes or {})
    rows = []
    for claim in parsed:
        if claim.id not in computed:
            value, verdict, auto_note = None, UNCHECKED, "not computed by this post"
        else:
            value = _coerce_computed(claim, computed[claim.id])
            verdict, auto_note = _verdict(claim, value)
        decimals = _claim_decimals(claim)
        note_parts = [part for part in (auto_note, claim.note, notes.get(claim.id)) if part]
        rows.append(
            {
                "id": claim.id,
                "claim": claim.claim,
                "published": claim.published,
                "from_data": value,
                "unit": claim.unit,
                "kind": claim.kind,
                "tolerance": claim.tolerance,
                "verdict": verdict,
                "note": "; ".join(note_parts),
                "source": claim.source,
                "published_text": format_value(claim.published, claim.unit, decimals),
                "from_data_text": format_value(value, claim.unit, decimals),
            }
        )
    columns = [
        "id", "claim", "published", "from_data", "unit", "kind", "tolerance", "verdict",
        "note", "source", "published_text", "from_data_text",
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns).set_index("id")
    return frame


def to_verdict_counts(checked: pd.DataFrame) -> pd.Series:
    """How many claims hold, are contradicted and cannot be checked (all three, in order)."""
    counts = checked["verdict"].value_counts()
    return pd.Series(
        {v: int(counts.get(v, 0)) for v in (HOLDS, CONTRADICTED, UNCHECKED)}, name="claims"
    )
