"""The ``claims:`` schema: validating a post's list of published claims.

The schema itself (keys, kinds, units, tolerances) is written out for readers in the
docstring of :mod:`analysis.claims`; this module enforces it. Every problem in a list is
reported at once, each with the item's position and id.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.data.frontmatter import parse_yaml, read_front_matter

__all__ = ["KINDS", "Claim", "ClaimsSchemaError", "is_number", "load_claims", "parse_claims"]

KINDS = ("equals", "at_least", "at_most", "between", "boolean", "text")
_REQUIRED = ("id", "claim", "published")
_OPTIONAL = ("kind", "unit", "tolerance", "decimals", "source", "note")
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


class ClaimsSchemaError(ValueError):
    """The ``claims:`` (or ``cited:``) list does not follow the schema; lists every problem."""


@dataclass(frozen=True)
class Claim:
    """One validated claim (the fields are described in :mod:`analysis.claims`)."""

    id: str
    claim: str
    published: Any
    kind: str
    unit: str = ""
    tolerance: float = 0.0
    decimals: int | None = None
    source: str | None = None
    note: str | None = None


def is_number(value) -> bool:
    """A real number that is not a boolean (YAML's ``true`` is not 1 here)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _infer_kind(published) -> str | None:
    if isinstance(published, bool):
        return "boolean"
    if is_number(published):
        return "equals"
    if isinstance(published, str):
        return "text"
    if isinstance(published, list):
        return "between"
    return None


def _check_published(kind: str, published) -> str | None:
    """Why ``published`` does not suit ``kind``, or ``None``."""
    if kind in ("equals", "at_least", "at_most") and not is_number(published):
        return f"'published' must be a number for kind '{kind}'"
    if kind == "between" and not (
        isinstance(published, list)
        and len(published) == 2
        and all(is_number(x) for x in published)
        and published[0] <= published[1]
    ):
        return "'published' must be [low, high] with low <= high for kind 'between'"
    if kind == "boolean" and not isinstance(published, bool):
        return "'published' must be true or false for kind 'boolean'"
    if kind == "text" and not isinstance(published, str):
        return "'published' must be a text for kind 'text'"
    return None


def _validate_item(item, where: str) -> tuple[list[str], Claim | None]:
    if not isinstance(item, Mapping):
        return [f"{where}: expected a mapping with keys {', '.join(_REQUIRED)}"], None
    problems = []
    unknown = sorted(set(item) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        problems.append(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(_REQUIRED + _OPTIONAL)}"
        )
    missing = [key for key in _REQUIRED if key not in item]
    if missing:
        problems.append(f"{where}: missing required key(s) {', '.join(map(repr, missing))}")
    claim_id = item.get("id")
    if "id" in item and not (isinstance(claim_id, str) and _ID_PATTERN.match(claim_id)):
        problems.append(f"{where}: 'id' must be letters, digits, '_' or '-' (got {claim_id!r})")
    if "claim" in item and not (isinstance(item["claim"], str) and item["claim"].strip()):
        problems.append(f"{where}: 'claim' must be a non-empty text")

    published = item.get("published")
    kind = item.get("kind", _infer_kind(published) if "published" in item else None)
    if "kind" in item and kind not in KINDS:
        problems.append(f"{where}: 'kind' must be one of {', '.join(KINDS)} (got {kind!r})")
        kind = None
    elif "published" in item and kind is None:
        problems.append(f"{where}: cannot tell the kind of 'published' {published!r}")
    if kind is not None and "published" in item:
        problem = _check_published(kind, published)
        if problem:
            problems.append(f"{where}: {problem}")

    tolerance = item.get("tolerance")
    if "tolerance" in item:
        if kind in ("boolean", "text"):
            problems.append(f"{where}: 'tolerance' applies only to numeric kinds, not '{kind}'")
        elif not (is_number(tolerance) and tolerance >= 0):
            problems.append(f"{where}: 'tolerance' must be a number >= 0 (got {tolerance!r})")
    elif kind == "equals":
        problems.append(f"{where}: 'tolerance' is required for kind 'equals'")

    unit = item.get("unit", "")
    if not isinstance(unit, str):
        problems.append(f"{where}: 'unit' must be a text such as '%', 'pp', '$' (got {unit!r})")
    decimals = item.get("decimals")
    if "decimals" in item and not (
        isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 6
    ):
        problems.append(f"{where}: 'decimals' must be a whole number from 0 to 6")
    for key in ("source", "note"):
        if key in item and not isinstance(item[key], str):
            problems.append(f"{where}: '{key}' must be a text")

    if problems:
        return problems, None
    return [], Claim(
        id=claim_id,
        claim=item["claim"].strip(),
        published=published,
        kind=kind,
        unit=unit,
        tolerance=float(tolerance) if tolerance is not None else 0.0,
        decimals=decimals,
        source=item.get("source"),
        note=item.get("note"),
    )


def parse_claims(items: Sequence[Mapping | Claim] | None) -> list[Claim]:
    """Validate a ``claims:`` list (as read from YAML) and return :class:`Claim` objects.

    Items that already are :class:`Claim` objects are kept as they are.

    Raises
    ------
    ClaimsSchemaError
        Listing every problem found (unknown keys, missing fields, wrong types, duplicate
        ids), each prefixed with the item's position and id.
    """
    if items is None:
        return []
    if isinstance(items, (Mapping, str)) or not isinstance(items, Iterable):
        raise ClaimsSchemaError("'claims' must be a list of mappings")
    problems: list[str] = []
    claims: list[Claim] = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        if isinstance(item, Claim):
            if item.id in seen:
                problems.append(f"claims[{position}] (id {item.id!r}): duplicate id {item.id!r}")
            seen.add(item.id)
            claims.append(item)
            continue
        label = item.get("id") if isinstance(item, Mapping) else None
        where = f"claims[{position}]" + (f" (id {label!r})" if label is not None else "")
        item_problems, claim = _validate_item(item, where)
        problems.extend(item_problems)
        if claim is not None:
            if claim.id in seen:
                problems.append(f"{where}: duplicate id {claim.id!r}")
            seen.add(claim.id)
            claims.append(claim)
    if problems:
        raise ClaimsSchemaError("invalid claims:\n  " + "\n  ".join(problems))
    return claims


def load_claims(path: str | Path, key: str = "claims") -> list[Claim]:
    """Read and validate the ``claims:`` list from a post's front matter.

    In a post's code, ``load_claims("index.qmd")`` (Quarto runs each post from its folder).
    A ``.yml``/``.yaml`` file (such as a folder's ``_metadata.yml``) is read whole.

    Raises
    ------
    MalformedDataError
        The file has no valid front matter (see
        :func:`analysis.data.frontmatter.read_front_matter`).
    ClaimsSchemaError
        The list does not follow the schema.
    """
    path = Path(path)
    if path.suffix in (".yml", ".yaml"):
        meta = parse_yaml(path.read_text(encoding="utf-8")) or {}
    else:
        meta = read_front_matter(path)
    return parse_claims(meta.get(key))
