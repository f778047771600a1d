"""Text for pages: the few phrasings every layer that writes for readers shares.

One home for each, so a date or a list of names reads the same in the prose, the alt text,
the chart labels and a new post's template. Imports nothing from the package.

- :func:`long_date`: ``16 January 2026``
- :func:`join_names`: ``A, B and C``
- :func:`ordinal`: ``2nd``
- :class:`MarkdownText`: a string that Jupyter (and so Quarto) shows as Markdown
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MarkdownText", "join_names", "long_date", "ordinal"]


def long_date(when) -> str:
    """``16 January 2026``: day without a leading zero, month in full (a date or Timestamp)."""
    return f"{when.day} {when:%B %Y}"


def join_names(names: Sequence[str], conjunction: str = "and") -> str:
    """``["A"]`` -> ``A``; ``["A", "B"]`` -> ``A and B``; three or more with commas."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    if len(names) == 2:
        return f"{names[0]} {conjunction} {names[1]}"
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th' (for phrases and chart labels)."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class MarkdownText(str):
    """A string that Jupyter (and so Quarto) displays as Markdown, not as a quoted string."""

    @property
    def data(self) -> str:
        """The Markdown text (as on :class:`IPython.display.Markdown`)."""
        return str(self)

    def _repr_markdown_(self) -> str:
        return str(self)
