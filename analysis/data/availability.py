"""Load what the store holds of a list of symbols, and say plainly what it does not.

A build may lack some series: an offline build from imported CSVs, a fund Yahoo stopped
serving, a FRED series that did not exist yet. A post section then shows what it can and
names the rest, instead of failing or silently dropping a line from a chart::

    sectors = load_available(["PSCF", "PSCI", "KRE"], store=store)
    sectors.frame            # one column per symbol the store holds
    sectors.missing          # ("KRE",) if the store has no KRE
    sectors.missing_note()   # "KRE is not in this build's data store."

A series that is stored but ends before the date a section's figures need (``through``)
is not silently measured over a shorter stretch: it is left out of ``frame`` too, listed
in ``ends_early`` with its last date, and named in the note::

    sectors = load_available(["PSCF", "KRE"], store=store, through="2026-01-16")
    sectors.ends_early       # {"KRE": Timestamp("2026-01-02")} if KRE stops there
    sectors.missing_note()   # "In this build's data store KRE ends on 2 January 2026,
                             #  before 16 January 2026, so it is left out here."
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from analysis.data.load import column_of, open_store
from analysis.data.store import Provenance, Store
from analysis.text import join_names, long_date

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
    ends_early : dict of str to Timestamp
        Symbols stored but whose last value comes before ``through``, with that last
        date; they are not in ``frame``.
    through : Timestamp or None
        The date every series in ``frame`` reaches (None: no such requirement).
    """

    asked: tuple[str, ...]
    frame: pd.DataFrame
    missing: tuple[str, ...]
    provenance: dict[str, Provenance] = field(default_factory=dict)
    ends_early: dict[str, pd.Timestamp] = field(default_factory=dict)
    through: pd.Timestamp | None = None

    @property
    def present(self) -> tuple[str, ...]:
        """Symbols the store holds, in ``asked`` order."""
        return tuple(self.frame.columns)

    @property
    def complete(self) -> bool:
        """Whether every requested symbol is held (and reaches ``through``)."""
        return not self.missing and not self.ends_early

    @property
    def lacking(self) -> tuple[str, ...]:
        """Symbols not in ``frame``: missing, or ending early, in ``asked`` order."""
        return tuple(s for s in self.asked if s not in self.frame.columns)

    @property
    def empty(self) -> bool:
        """Whether none of the requested symbols is held."""
        return not self.present

    def has(self, symbol: str) -> bool:
        """Whether ``symbol`` is held (and reaches ``through``)."""
        return symbol in self.frame.columns

    def missing_note(self, names: dict[str, str] | None = None) -> str:
        """Sentences naming the missing series and those that end early, or ``""``.

        ``names`` may map a symbol to a label shown instead (``{"PSCF": "PSCF
        (financials)"}``).
        """
        label = (names or {}).get
        sentences = []
        if self.missing:
            labels = [label(s, s) for s in self.missing]
            verb = "is" if len(labels) == 1 else "are"
            sentences.append(f"{join_names(labels)} {verb} not in this build's data store.")
        if self.ends_early:
            (first, day), *rest = self.ends_early.items()
            ends = [f"{label(first, first)} ends on {long_date(day)}"]
            ends += [f"{label(s, s)} on {long_date(d)}" for s, d in rest]
            pronoun = "it is" if not rest else "they are"
            sentences.append(
                f"In this build's data store {join_names(ends)}, before "
                f"{long_date(self.through)}, so {pronoun} left out here."
            )
        return " ".join(sentences)

    def covering(self, through) -> Available:
        """The same series without those whose last value comes before ``through``."""
        through = pd.Timestamp(through)
        short = {
            s: self.frame[s].last_valid_index()
            for s in self.present
            if self.frame[s].last_valid_index() is None
            or self.frame[s].last_valid_index() < through
        }
        return Available(
            self.asked,
            self.frame.drop(columns=list(short)),
            self.missing,
            {s: p for s, p in self.provenance.items() if s not in short},
            {**self.ends_early, **short},
            through,
        )


def load_available(
    symbols: Iterable[str],
    column: str = "close",
    *,
    store: Store | None = None,
    through=None,
) -> Available:
    """Read ``column`` of every requested symbol the store holds; list the others.

    With ``through`` (a date), a series whose last value comes before it is left out of
    the frame and listed in ``ends_early`` (see :meth:`Available.covering`): a figure
    "at ``through``" would otherwise come from that earlier value, unsaid.

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
    available = Available(asked, frame, missing, provenance)
    return available if through is None else available.covering(through)


def first_available(
    candidates: Iterable[str], *, store: Store | None = None, through=None
) -> str | None:
    """The first of ``candidates`` the store holds (e.g. a FRED series, else a future).

    With ``through``, the first whose last stored bar is on or after that date.
    """
    store = store or open_store()
    through = None if through is None else pd.Timestamp(through)
    for symbol in candidates:
        provenance = store.provenance(symbol)
        if provenance is not None and (through is None or provenance.last_bar_date >= through):
            return symbol
    return None
