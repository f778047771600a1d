"""The claims table: checked claims as a Markdown pipe table, for a post's page.

Also :func:`markdown_cell`, which makes any text safe inside a table cell (the cited-figures
table uses it too).
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.claims.check import VERDICT_SYMBOLS
from analysis.text import MarkdownText

__all__ = ["markdown_cell", "show_claims_table", "to_claims_table_markdown"]


def markdown_cell(text) -> str:
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
            markdown_cell(row["claim"]),
            markdown_cell(row["published_text"]),
            markdown_cell(row["from_data_text"]),
            _verdict_cell(row["verdict"]),
            markdown_cell(row["note"]),
        ]
        if show_source:
            cells.append(markdown_cell(row["source"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def show_claims_table(checked: pd.DataFrame, *, show_source: bool = False):
    """The claims table as an object Jupyter and Quarto display as Markdown."""
    return MarkdownText(to_claims_table_markdown(checked, show_source=show_source))
