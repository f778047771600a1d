"""The post's title, computed from data at each build (see analysis/site/prerender.py).

It keeps the form of the article's headline ("Small Caps Lead 2026 as Russell 2000 Jumps
5.8% YTD") with the words and the number the data supports over the post's window.
"""

from __future__ import annotations

from pathlib import Path

from analysis.data import Store, load_available
from analysis.metrics import calc_period_return
from analysis.post import read_window

POST = Path(__file__).with_name("index.qmd")
SMALL_CAPS, LARGE_CAPS = "^RUT", ("^GSPC", "^IXIC")


def headline_verb(percent: float) -> str:
    """The verb for a move of ``percent`` (already rounded to one decimal)."""
    if percent >= 5.0:
        return "Jumps"
    if percent > 0.0:
        return "Gains"
    if percent == 0.0:
        return "Is Flat"
    if percent > -5.0:
        return "Slips"
    return "Tumbles"


def compose_title(year: int, small: float, large: list[float]) -> str:
    """Title for a Russell 2000 return ``small`` against large-cap returns (fractions).

    "Lead" only when small caps beat every large-cap index; the percentage is the return
    to the as-of date, which is year to date for a window starting at the year's open.
    With no large-cap return (``large`` empty: the build lacks both indices) the title
    says how small caps did, without claiming a lead.
    """
    percent = round(100 * small, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    verb = headline_verb(percent)
    amount = "" if verb == "Is Flat" else f" {abs(percent):.1f}%"
    if not large:
        return f"Small Caps in {year}: Russell 2000 {verb}{amount} YTD"
    standing = "Lead" if all(small > other for other in large) else "Trail"
    return f"Small Caps {standing} {year} as Russell 2000 {verb}{amount} YTD"


def compute_title(store: Store) -> str:
    """The headline from the stored closes over the window in the post's front matter.

    ^RUT is the post's required series (the build checks it first). A large-cap index the
    store lacks, or that ends before the as-of date, leaves the title without "Lead" or
    "Trail": the page says which index is missing.
    """
    window = read_window(POST)
    closes = load_available(
        [SMALL_CAPS, *LARGE_CAPS], "close", store=store, through=window.as_of
    ).frame
    small = calc_period_return(closes[SMALL_CAPS], window.base, window.as_of)
    if not all(s in closes for s in LARGE_CAPS):
        return compose_title(window.year, small, [])
    large = [calc_period_return(closes[s], window.base, window.as_of) for s in LARGE_CAPS]
    return compose_title(window.year, small, large)
