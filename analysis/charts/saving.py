"""Saving a chart: its image, the CSV of what it plots, its Markdown, and the source line.

A :class:`Chart` is what every ``plot_*`` returns: the figure, its alt text and the plotted
data. :func:`save_chart` writes the SVG and the CSV into the post's ``figures/`` folder and
returns the figure's Markdown; :func:`save_preview` writes the listing picture;
:func:`source_line` words the "Source: ...; data as of" line from the store's provenance.

Identical figures give identical files: no timestamp, and SVG element ids from a fixed salt
(``svg.hashsalt`` in ``house.mplstyle``).
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

from analysis.charts.style import house_style
from analysis.text import MarkdownText

__all__ = [
    "FIGURES_DIR",
    "PNG_DPI",
    "Chart",
    "save_chart",
    "save_plotted_csv",
    "save_preview",
    "source_line",
]

PNG_DPI = 144


class Chart(NamedTuple):
    """A chart: the figure, its alt text, and the data as plotted (axis units).

    A cell that ends with a ``Chart`` shows it as a transparent PNG at 144 dpi, whether or
    not the kernel has matplotlib's inline backend set up (a bare ``Figure`` built without
    ``pyplot`` is only shown as an image when it has).
    """

    figure: Figure
    alt_text: str
    data: pd.DataFrame

    def to_png(self, dpi: int = PNG_DPI) -> bytes:
        """The chart as PNG bytes (transparent background)."""
        buffer = io.BytesIO()
        _save_figure(self.figure, buffer, fmt="png", dpi=dpi)
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.to_png()


def source_line(provenances: Iterable, as_of=None) -> str:
    """``"Source: Yahoo Finance via yfinance; FRED; data as of 2026-01-16"`` from provenance.

    Parameters
    ----------
    provenances : iterable of Provenance
        Objects with ``source`` and ``last_bar`` (``analysis.data.store.Provenance``); ``None``
        items are skipped. A source made of several parts joined by ``"; "`` is split, and
        each source is named once, in order of first appearance.
    as_of : date-like, optional
        The date the chart's data ends. Default: the earliest ``last_bar``, the last date
        for which every series has data. Series whose last bar is before ``as_of`` are
        named, e.g. ``"(fred:DCOILWTICO through 2026-01-12)"``.
    """
    items = [p for p in provenances if p is not None]
    sources = list(
        dict.fromkeys(
            part.strip() for p in items for part in str(p.source).split("; ") if part.strip()
        )
    )
    text = "Source: " + "; ".join(sources) if sources else "Source: not recorded"
    last_bars = {getattr(p, "symbol", p.source): pd.Timestamp(p.last_bar) for p in items}
    if as_of is None and last_bars:
        as_of = min(last_bars.values())
    if as_of is not None:
        as_of = pd.Timestamp(as_of)
        text += f"; data as of {as_of.date()}"
        behind = [f"{name} through {bar.date()}" for name, bar in last_bars.items() if bar < as_of]
        if behind:
            text += f" ({', '.join(behind)})"
    return text


def save_plotted_csv(frame: pd.DataFrame | pd.Series, path: str | Path) -> Path:
    """Write the plotted data as CSV (creating folders) and return the path.

    Ten significant digits: enough for any price or volume, without float noise.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, float_format="%.10g")
    return path


def _save_figure(fig: Figure, target, *, fmt: str, dpi: int) -> None:
    """Write a figure with the house style's output settings.

    Every image keeps the figure's size (constrained layout already fits everything inside
    it), so all charts show text at one scale on the page. SVG text stays text: smaller
    files, selectable words. Identical figures give identical files: no timestamp, and
    element ids from a fixed salt.

    The layout is computed once, before saving: ``savefig`` on a figure with a layout
    engine draws it twice (a dry run, then the real one) and lays it out each time, which
    is about a fifth of a chart's drawing time. The engine is restored afterwards.
    """
    metadata = {"Date": None} if fmt in ("svg", "pdf") else None
    with house_style():
        engine = fig.get_layout_engine()
        if engine is not None:
            engine.execute(fig)
            # With no engine (not the "none" placeholder), savefig draws only once; the
            # rc settings would otherwise hand the figure a new constrained engine.
            with mpl.rc_context(
                {"figure.constrained_layout.use": False, "figure.autolayout": False}
            ):
                fig.set_layout_engine(None)
        try:
            fig.savefig(target, format=fmt, dpi=dpi, transparent=True, metadata=metadata)
        finally:
            if engine is not None:
                fig.set_layout_engine(engine)


# Where posts' generated chart images and CSVs go, relative to the post folder.
FIGURES_DIR = Path("figures")


def save_chart(
    chart: Chart,
    stem: str | Path,
    caption: str,
    *,
    label: str | None = None,
    fmt: str = "svg",
    dpi: int = PNG_DPI,
) -> MarkdownText:
    """Save the image and its CSV; return Markdown for a figure with alt text and a data link.

    Quarto reads ``fig-alt`` only from cell options, which cannot hold computed text. A cell
    with ``#| output: asis`` that prints this Markdown gives the figure its computed alt
    text, a caption ending in a "Download the data (CSV)" link, and a cross-reference label
    (``label="fig-returns"`` -> ``@fig-returns``).

    Files go in the post's ``figures/`` folder (``stem`` is relative to it): they are made
    by every build and never committed.
    """
    stem = FIGURES_DIR / Path(stem)
    image = stem.with_suffix(f".{fmt}")
    image.parent.mkdir(parents=True, exist_ok=True)
    _save_figure(chart.figure, image, fmt=fmt, dpi=dpi)
    csv = save_plotted_csv(chart.data, stem.with_suffix(".csv"))
    alt = html.escape(chart.alt_text, quote=True)
    ident = f"#{label} " if label else ""
    return MarkdownText(
        f"![{caption} [Download the data (CSV)]({csv.as_posix()})]({image.as_posix()})"
        f'{{{ident}fig-alt="{alt}"}}\n'
    )


def save_preview(chart: Chart, path: str | Path = "preview.png", *, dpi: int = 96) -> None:
    """Save the chart as the post's picture (``image: preview.png`` in its front matter).

    Listings and link previews (Open Graph, Twitter cards) need a raster image; at 96 dpi
    the house figure is 768 x 432 pixels. Returns None on purpose: a cell that ends with
    this call then shows nothing (a returned path would print as ``PosixPath(...)`` on the
    page).
    """
    _save_figure(chart.figure, Path(path), fmt="png", dpi=dpi)
