"""Cited figures: numbers no price series can check, shown attributed and marked.

A post quotes them inline with :func:`cited` (the value, a dagger, the source in a tooltip)
and lists them with :func:`to_cited_table_markdown`; its front matter's ``cited:`` list is
validated by :func:`parse_cited`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis.claims.schema import ClaimsSchemaError
from analysis.claims.tables import markdown_cell
from analysis.text import MarkdownText

__all__ = [
    "CITED_MARK",
    "CITED_STATUS",
    "Cited",
    "cited",
    "parse_cited",
    "to_cited_table_markdown",
]

CITED_MARK = "†"
CITED_STATUS = "cited, not verified by this site"


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
        lines.append("| " + " | ".join(markdown_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
