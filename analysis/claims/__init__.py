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

The code behind them: :mod:`analysis.claims.schema` (validating the list below),
:mod:`analysis.claims.check` (verdicts and printed values), :mod:`analysis.claims.tables`
(the claims table) and :mod:`analysis.claims.citations` (cited figures).

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

from analysis.claims.check import (
    CONTRADICTED,
    HOLDS,
    UNCHECKED,
    check_claims,
    format_value,
    to_verdict_counts,
)
from analysis.claims.citations import Cited, cited, parse_cited, to_cited_table_markdown
from analysis.claims.schema import KINDS, Claim, ClaimsSchemaError, load_claims, parse_claims
from analysis.claims.tables import show_claims_table, to_claims_table_markdown

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
