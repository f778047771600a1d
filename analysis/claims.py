"""Re-check a post's published claims against the data on every build.

A post lists the claims it re-checks in its front matter under ``claims:``; each build
computes a value for each one and :func:`check_claims` gives the verdict. Figures the data
cannot check are shown with :func:`cited`, attributed and marked as not verified.

What a post uses:

- :func:`load_claims` (or :func:`parse_claims`), then :func:`check_claims` with the values
  computed from data, then :func:`show_claims_table` (or :func:`to_claims_table_markdown`)
  and :func:`to_verdict_counts`;
- :func:`format_value`: a number in a claim's unit, as the table prints it;
- :func:`cited`, :func:`parse_cited`, :func:`to_cited_table_markdown`: figures no price
  series can check, attributed and marked as not verified.

Schema of one ``claims:`` item
------------------------------
``id`` (required)
    Short unique key, letters, digits, ``_`` or ``-``; the post's code supplies the value
    computed from data under this key.
``claim`` (required)
    What was claimed, in a few words ("Russell 2000 return, first three weeks").
``published`` (required)
    The published value: a number, ``true``/``false``, a text, or ``[low, high]``.
``kind``
    How the computed value is compared with the published one; inferred from
    ``published`` when left out (number -> ``equals``, true/false -> ``boolean``,
    text -> ``text``, list -> ``between``):

    - ``equals``: holds if ``|computed - published| <= tolerance``;
    - ``at_least`` / ``at_most``: holds if ``computed >= published - tolerance`` /
      ``computed <= published + tolerance``;
    - ``between``: holds if ``low - tolerance <= computed <= high + tolerance``;
    - ``boolean``: holds if the computed truth value equals ``published``;
    - ``text``: holds if the texts are equal, ignoring case and extra spaces.
``unit``
    How to print the numbers: ``"%"``, ``"pp"``, ``"$"``, ``"x"``, ``"bp"`` or any short
    text; ``""`` (the default) prints a plain number. Computed values must be in this unit
    (a return of 0.079 is given as ``7.9`` for ``"%"``).
``tolerance``
    Absolute, in ``unit``. Required for ``equals`` (say how close is close enough);
    default 0 for the other numeric kinds; not allowed for ``boolean`` and ``text``.
``decimals``
    Decimals to print (default: as many as ``published`` has).
``source``
    Where the claim was published, e.g. ``"BurningTheta, 2026-01-18"``.
``note``
    A remark shown in the table, e.g. how the post defines the claim.

Verdicts are ``holds``, ``contradicted`` and ``cannot be checked`` (no value from data).
In YAML write ``true``/``false`` for booleans: PyYAML reads a bare ``yes`` as ``true``.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.data.frontmatter import parse_yaml, read_front_matter
from analysis.text import MarkdownText

__all__ = [
    "CONTRADICTED",
    "HOLDS",
    "KINDS",
    "UNCHECKED",
    "Cited",
    "Claim",
    "ClaimsSchemaError",
    "check_claims",
    "cited",
    "format_value",
    "load_claims",
    "parse_cited",
    "parse_claims",
    "show_claims_table",
    "to_cited_table_markdown",
    "to_claims_table_markdown",
    "to_verdict_counts",
]

HOLDS = "holds"
CONTRADICTED = "contradicted"
UNCHECKED = "cannot be checked"
VERDICT_SYMBOLS = {HOLDS: "✓", CONTRADICTED: "✗", UNCHECKED: "?"}

KINDS = ("equals", "at_least", "at_most", "between", "boolean", "text")
_NUMERIC_KINDS = ("equals", "at_least", "at_most", "between")
_REQUIRED = ("id", "claim", "published")
_OPTIONAL = ("kind", "unit", "tolerance", "decimals", "source", "note")
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")

CITED_MARK = "†"
CITED_STATUS = "cited, not verified by this site"


class ClaimsSchemaError(ValueError):
    """The ``claims:`` (or ``cited:``) list does not follow the schema; lists every problem."""


@dataclass(frozen=True)
class Claim:
    """One validated claim (see the module docstring for the fields)."""

    id: str
    claim: str
    published: Any
    kind: str
    unit: str = ""
    tolerance: float = 0.0
    decimals: int | None = None
    source: str | None = None
    note: str | None = None


# -- schema -------------------------------------------------------------------------------


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _infer_kind(published) -> str | None:
    if isinstance(published, bool):
        return "boolean"
    if _is_number(published):
        return "equals"
    if isinstance(published, str):
        return "text"
    if isinstance(published, list):
        return "between"
    return None


def _check_published(kind: str, published) -> str | None:
    """Why ``published`` does not suit ``kind``, or ``None``."""
    if kind in ("equals", "at_least", "at_most") and not _is_number(published):
        return f"'published' must be a number for kind '{kind}'"
    if kind == "between" and not (
        isinstance(published, list)
        and len(published) == 2
        and all(_is_number(x) for x in published)
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
        elif not (_is_number(tolerance) and tolerance >= 0):
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


# -- checking -----------------------------------------------------------------------------


def _decimals_of(value) -> int:
    """Decimals written in a number: 5.8 -> 1, 250 -> 0, 0.25 -> 2."""
    if not _is_number(value) or float(value).is_integer():
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
    if not _is_number(value):
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
    if not _is_number(value):
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


# -- rendering ----------------------------------------------------------------------------


def _md_cell(text) -> str:
    """Text safe inside a Markdown pipe-table cell."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    text = " ".join(str(text).split())
    # '|' would end the cell; '$' would start TeX math in Pandoc.
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("$", "\\$")


def _verdict_cell(verdict: str) -> str:
    css = "verdict-" + verdict.replace(" ", "-")
    return f"[{VERDICT_SYMBOLS[verdict]} {verdict}]{{.{css}}}"


def to_claims_table_markdown(checked: pd.DataFrame, *, show_source: bool = False) -> str:
    """A Markdown pipe table of checked claims: claim, published, from data, verdict, note.

    The verdict is written as a symbol and a word (✓ holds, ✗ contradicted, ? cannot be
    checked) inside a span with class ``verdict-holds`` / ``verdict-contradicted`` /
    ``verdict-cannot-be-checked``, so a stylesheet may colour it but colour is never the
    only cue. Print it from a cell with ``#| output: asis``, or display
    :func:`show_claims_table`.
    """
    header = ["Claim", "Published", "From data", "Verdict", "Note"]
    if show_source:
        header.append("Source")
    lines = [
        "| " + " | ".join(header) + " |",
        "|"
        + "|".join([":---", "---:", "---:", ":---", ":---"] + ([":---"] if show_source else []))
        + "|",
    ]
    for _, row in checked.iterrows():
        cells = [
            _md_cell(row["claim"]),
            _md_cell(row["published_text"]),
            _md_cell(row["from_data_text"]),
            _verdict_cell(row["verdict"]),
            _md_cell(row["note"]),
        ]
        if show_source:
            cells.append(_md_cell(row["source"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def show_claims_table(checked: pd.DataFrame, *, show_source: bool = False):
    """The claims table as an object Jupyter and Quarto display as Markdown."""
    return MarkdownText(to_claims_table_markdown(checked, show_source=show_source))


# -- cited, not verified ------------------------------------------------------------------


@dataclass(frozen=True)
class Cited:
    """A figure quoted from a source that this site does not verify.

    ``figure`` says what it is ("Russell 2000 forward P/E"), ``value`` the figure as
    published ("18x"), ``source`` where it was published.
    """

    figure: str
    value: str
    source: str
    note: str | None = None


def cited(value_text: str, source: str) -> MarkdownText:
    """An inline cited figure: the value with a dagger, attributed in a tooltip.

    ``cited("18x", "BurningTheta, 2026-01-18")`` gives
    ``[18x^†^]{.cited title="Cited from BurningTheta, 2026-01-18; not verified by this
    site"}``. Use it in an inline expression (```{python} cited(...)```); the dagger is
    visible without any stylesheet, and :func:`to_cited_table_markdown` explains it.
    """
    title = html.escape(f"Cited from {source}; not verified by this site", quote=True)
    shown = str(value_text).replace("$", "\\$")
    return MarkdownText(f'[{shown}^{CITED_MARK}^]{{.cited title="{title}"}}')


def parse_cited(items: Sequence[Mapping] | None) -> list[Cited]:
    """Validate a ``cited:`` list (keys ``figure``, ``value``, ``source``, optional ``note``).

    Items that already are :class:`Cited` objects are kept as they are.
    """
    if items is None:
        return []
    problems = []
    out = []
    allowed = ("figure", "value", "source", "note")
    for position, item in enumerate(items):
        where = f"cited[{position}]"
        if isinstance(item, Cited):
            out.append(item)
            continue
        if not isinstance(item, Mapping):
            problems.append(f"{where}: expected a mapping with keys figure, value, source")
            continue
        unknown = sorted(set(item) - set(allowed))
        if unknown:
            problems.append(
                f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(allowed)}"
            )
        missing = [k for k in ("figure", "value", "source") if k not in item]
        if missing:
            problems.append(f"{where}: missing required key(s) {', '.join(map(repr, missing))}")
        if not unknown and not missing:
            out.append(
                Cited(
                    str(item["figure"]), str(item["value"]), str(item["source"]), item.get("note")
                )
            )
    if problems:
        raise ClaimsSchemaError("invalid cited figures:\n  " + "\n  ".join(problems))
    return out


def to_cited_table_markdown(items: Sequence[Cited] | Sequence[Mapping]) -> str:
    """A Markdown table of cited figures with their attribution and a "not verified" mark."""
    parsed = parse_cited(items)
    lines = [
        "| Figure | As published | Source | Status |",
        "|:---|---:|:---|:---|",
    ]
    for item in parsed:
        status = f"{CITED_MARK} {CITED_STATUS}"
        if item.note:
            status += f"; {item.note}"
        cells = [item.figure, item.value, item.source, status]
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
