"""Which iShares fund a universe names, and where its holdings download lives.

A post declares ``universes: [IWM]``; the name is a fund ticker. Its holdings come from the
download on the fund's iShares product page::

    https://www.ishares.com/us/products/239710/ishares-russell-2000-etf/
        1467271812596.ajax?fileType=csv&fileName=IWM_holdings&dataType=fund

and a past day's file from the same link with ``&asOfDate=YYYYMMDD`` (the form public
downloaders use; iShares publishes month ends for years back, and recent days). The product
pages of a few funds are built in (:data:`BUILT_IN`); any other iShares fund is one entry
under ``funds:`` in ``research.yml``::

    funds:
      IJH: https://www.ishares.com/us/products/239763/ishares-core-sp-midcap-etf
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.data.errors import MalformedDataError

# The download component every iShares US product page serves its holdings from.
_AJAX = "1467271812596.ajax"
_PRODUCTS = "https://www.ishares.com/us/products"
BUILT_IN = {
    "IWM": f"{_PRODUCTS}/239710/ishares-russell-2000-etf",
    "IJR": f"{_PRODUCTS}/239774/ishares-core-sp-smallcap-etf",
    "IWB": f"{_PRODUCTS}/239707/ishares-russell-1000-etf",
    "IWV": f"{_PRODUCTS}/239714/ishares-russell-3000-etf",
    "IVV": f"{_PRODUCTS}/239726/ishares-core-sp-500-etf",
}
_TICKER = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")


@dataclass(frozen=True)
class Fund:
    """An iShares fund whose holdings file lists a universe's members.

    Attributes
    ----------
    ticker : str
        The fund's ticker, also the universe's name (``IWM``).
    product_page : str
        The fund's iShares product page.
    """

    ticker: str
    product_page: str

    def holdings_url(self, as_of=None) -> str:
        """The holdings download: the latest file, or the one of ``as_of`` (``asOfDate``)."""
        url = (
            f"{self.product_page.rstrip('/')}/{_AJAX}?fileType=csv"
            f"&fileName={self.ticker}_holdings&dataType=fund"
        )
        if as_of is not None:
            url += f"&asOfDate={pd.Timestamp(as_of):%Y%m%d}"
        return url


def is_fund_ticker(name) -> bool:
    """Whether ``name`` is spelled like a fund ticker (``IWM``, ``IJR``)."""
    return isinstance(name, str) and bool(_TICKER.match(name))


def fund_for(ticker: str, configured: dict[str, str] | None = None) -> Fund:
    """The fund a universe names: from ``research.yml``'s ``funds:``, else built in.

    Raises
    ------
    MalformedDataError
        The ticker is in neither; the message says where to add it.
    """
    pages = {**BUILT_IN, **(configured if configured is not None else configured_funds())}
    if ticker not in pages:
        raise MalformedDataError(
            f"universe {ticker}: not a fund this site knows; add its iShares product page "
            f"under 'funds:' in research.yml (built in: {', '.join(sorted(BUILT_IN))})"
        )
    return Fund(ticker, pages[ticker])


def configured_funds(path: Path | None = None) -> dict[str, str]:
    """``funds:`` from ``research.yml``: ticker to product page (empty without the key)."""
    from analysis.data.settings import read_research_yaml

    raw, where = read_research_yaml(path)
    funds = raw.get("funds") or {}
    if not isinstance(funds, dict) or not all(
        is_fund_ticker(k) and isinstance(v, str) and v.startswith("https://")
        for k, v in funds.items()
    ):
        raise ValueError(
            f"{where}: 'funds' must map fund tickers to iShares product pages "
            "(IJH: https://www.ishares.com/us/products/...)"
        )
    return dict(funds)
