"""Load what the store holds of a list of symbols, and say plainly what it does not.

A build may lack some series: an offline build from imported CSVs, a fund Yahoo stopped
serving, a FRED series that did not exist yet. A post section then shows what it can and
names the rest, instead of failing or silently dropping a line from a chart::

    sectors = load_available(["PSCF", "PSCI", "KRE"], store=store)
    sectors.frame            # one column per symbol the store holds
    sectors.missing          # ("KRE",) if the store has no KRE
    sectors.missing_note()   # "KRE is not in this build's data store."
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from analysis.data.load import column_of, open_store
from analysis.data.store import Provenance, Store
from analysis.text import join_names

__all__ = ["Available", "first_available", "load_available"]


@dataclass(frozen=True)
class Available:
    """One column of each requested series the store holds, and the ones it lacks.

    Attributes
    ----------
    asked : tuple of str
        Symbols requested, in order.
    frame : DataFrame
        One column per symbol held (in ``asked`` order), dates outer-joined, gaps NaN.
        Empty (no columns) when none is held.
    missing : tuple of str
        Symbols the store does not hold, in ``asked`` order.
    provenance : dict of str to Provenance
        Provenance of each symbol held.
    """

    asked: tuple[str, ...]
    frame: pd.DataFrame
    missing: tuple[str, ...]
    provenance: dict[str, Provenance] = field(default_factory=dict)

    @property
    def present(self) -> tuple[str, ...]:
        """Symbols the store holds, in ``asked`` order."""
        return tuple(self.frame.columns)

    @property
    def complete(self) -> bool:
        """Whether every requested symbol is held."""
        return not self.missing

    @property
    def empty(self) -> bool:
        """Whether none of the requested symbols is held."""
        return not self.present

    def has(self, symbol: str) -> bool:
        """Whether ``symbol`` is held."""
        return symbol in self.frame.columns

    def missing_note(self, names: dict[str, str] | None = None) -> str:
        """A sentence naming the missing series, or ``""`` when nothing is missing.

        ``names`` may map a symbol to a label shown instead (``{"PSCF": "PSCF
        (financials)"}``).
        """
        if not self.missing:
            return ""
        labels = [(names or {}).get(s, s) for s in self.missing]
        verb = "is" if len(labels) == 1 else "are"
        return f"{join_names(labels)} {verb} not in this build's data store."


def load_available(
    symbols: Iterable[str], column: str = "close", *, store: Store | None = None
) -> Available:
    """Read ``column`` of every requested symbol the store holds; list the others.

    FRED series have a single ``value`` column, used whatever ``column`` says (as in
    :func:`analysis.data.load.load_column`). A corrupted file still raises
    :class:`~analysis.data.errors.CorruptedStoreError`: that is damage to report, not a gap.
    """
    store = store or open_store()
    asked = tuple(dict.fromkeys(symbols))
    columns: dict[str, pd.Series] = {}
    provenance: dict[str, Provenance] = {}
    for symbol in asked:
        prov = store.provenance(symbol)
        if prov is None:
            continue
        columns[symbol] = column_of(store.read(symbol), column)
        provenance[symbol] = prov
    if columns:
        frame = pd.DataFrame(columns)
    else:
        frame = pd.DataFrame(index=pd.DatetimeIndex([], name="date"), dtype="float64")
    frame.index.name = "date"
    missing = tuple(s for s in asked if s not in columns)
    return Available(asked, frame, missing, provenance)


def first_available(candidates: Iterable[str], *, store: Store | None = None) -> str | None:
    """The first of ``candidates`` the store holds (e.g. a FRED series, else a future)."""
    store = store or open_store()
    return next((symbol for symbol in candidates if symbol in store), None)
