"""The site's colours and series names: one colour and one reader's name per series.

Conventions
-----------
- Figures are transparent and all ink is mid-tone, so one image reads on the light and the
  dark page theme: text is ``#808080`` (contrast about 4:1 on white and on ``#1e1e1e``) and
  every series colour has a contrast of at least 3:1 against both (:func:`contrast_ratio`
  checks a colour of one's own).
- A series keeps its colour on every chart (:data:`SERIES_COLORS`, :func:`color_for`);
  symbols without an assigned colour get one from a fixed palette by a stable hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import matplotlib as mpl

__all__ = [
    "CUT_COLOR",
    "FALLBACK_COLORS",
    "FED",
    "LABELS",
    "NEUTRAL_COLOR",
    "SERIES_COLORS",
    "SMALL_CAPS",
    "TEXT_COLOR",
    "color_for",
    "contrast_ratio",
    "label_for",
]

# -- colours ------------------------------------------------------------------------------
# All colours have a relative luminance between 0.15 and 0.30, the band in which a colour
# keeps a 3:1 contrast against both a white and a near-black (#1e1e1e) page.
TEXT_COLOR = "#808080"
NEUTRAL_COLOR = "#8C8C8C"
CUT_COLOR = "#D0454C"
SMALL_CAPS = "#E0571F"
LARGE_CAPS = "#3C7FC9"
NASDAQ = "#2F9E7E"
FED = "#6B7FA8"

SERIES_COLORS: dict[str, str] = {
    # Benchmarks, and the funds and futures that track them, share a colour.
    "^RUT": SMALL_CAPS,
    "IWM": SMALL_CAPS,
    "RTY=F": SMALL_CAPS,
    "^GSPC": LARGE_CAPS,
    "SPY": LARGE_CAPS,
    "ES=F": LARGE_CAPS,
    "fred:SP500": LARGE_CAPS,
    "^IXIC": NASDAQ,
    "QQQ": NASDAQ,
    "NQ=F": NASDAQ,
    "fred:NASDAQCOM": NASDAQ,
    # Mega caps.
    "AAPL": "#1A9A8A",
    "MSFT": "#B8860B",
    "AMZN": "#A0703C",
    "META": "#C8508A",
    "NVDA": "#4C9A2A",
    "GOOGL": "#1F93B5",
    "GOOG": "#1F93B5",
    "TSLA": "#8A8F1F",
    # Invesco S&P SmallCap sector funds and regional banks.
    "PSCF": "#1F93B5",
    "PSCI": FED,
    "PSCH": "#C8508A",
    "PSCE": "#A0703C",
    "PSCT": NASDAQ,
    "PSCD": CUT_COLOR,
    "PSCC": "#4C9A2A",
    "PSCM": "#B8860B",
    "PSCU": "#1A9A8A",
    "KRE": LARGE_CAPS,
    # Rates and commodities.
    "fred:DFEDTAR": FED,
    "fred:DFEDTARU": FED,
    "fred:DFEDTARL": FED,
    "fred:EFFR": "#1A9A8A",
    "fred:DCOILWTICO": "#A0703C",
    "CL=F": "#A0703C",
    "USO": "#A0703C",
    "NG=F": "#1F93B5",
    "fred:DHHNGSP": "#1F93B5",
    "UNG": "#1F93B5",
}

FALLBACK_COLORS: tuple[str, ...] = (
    "#1A9A8A",
    "#B8860B",
    "#C8508A",
    "#4C9A2A",
    "#A0703C",
    "#1F93B5",
    CUT_COLOR,
    "#8A8F1F",
    FED,
)

LABELS: dict[str, str] = {
    "^RUT": "Russell 2000",
    "^GSPC": "S&P 500",
    "^IXIC": "Nasdaq Composite",
    "RTY=F": "Russell 2000 futures",
    "ES=F": "S&P 500 futures",
    "NQ=F": "Nasdaq-100 futures",
    "AAPL": "Apple",
    "MSFT": "Microsoft",
    "AMZN": "Amazon",
    "META": "Meta",
    "NVDA": "Nvidia",
    "GOOGL": "Alphabet",
    "GOOG": "Alphabet",
    "TSLA": "Tesla",
    "PSCF": "Financials (PSCF)",
    "PSCI": "Industrials (PSCI)",
    "PSCH": "Health care (PSCH)",
    "PSCE": "Energy (PSCE)",
    "PSCT": "Information technology (PSCT)",
    "PSCD": "Consumer discretionary (PSCD)",
    "PSCC": "Consumer staples (PSCC)",
    "PSCM": "Materials (PSCM)",
    "PSCU": "Utilities & communication (PSCU)",
    "KRE": "Regional banks (KRE)",
    "fred:DCOILWTICO": "WTI crude",
    "CL=F": "WTI crude futures",
    "NG=F": "Natural gas futures",
    "fred:DHHNGSP": "Henry Hub natural gas",
    "fred:DFEDTARU": "Fed funds target, upper bound",
    "fred:DFEDTARL": "Fed funds target, lower bound",
    "fred:DFEDTAR": "Fed funds target",
}


def color_for(symbol: str) -> str:
    """The fixed colour of a series; unknown symbols get a stable palette colour."""
    if symbol in SERIES_COLORS:
        return SERIES_COLORS[symbol]
    # md5, not hash(): Python salts str hashes per process, and colours must not change
    # from one build to the next.
    digest = hashlib.md5(str(symbol).encode("utf-8"), usedforsecurity=False).digest()
    return FALLBACK_COLORS[digest[0] % len(FALLBACK_COLORS)]


def label_for(symbol: str, labels: Mapping[str, str] | None = None) -> str:
    """A reader's name for a series: ``labels`` first, then :data:`LABELS`, else the symbol."""
    if labels and symbol in labels:
        return labels[symbol]
    return LABELS.get(symbol, str(symbol))


def _relative_luminance(color: str) -> float:
    red, green, blue = mpl.colors.to_rgb(color)

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    lighter, darker = sorted(
        (_relative_luminance(foreground), _relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)
