"""A holdings download for tests and benchmarks: iShares-shaped CSV files and sessions serving them.

``holdings_csv(["AAA", "BBB"])`` writes a file in the layout of a fund's holdings download
(preamble, header, one equity row per ticker, a closing notice). Two sessions serve them:

- ``FakeHoldingsSession(payload)`` answers every ``get`` with the one file;
- ``FakeISharesSite({"IWM": {"2026-01-16": [...], "2025-12-31": [...]}})`` answers as
  the iShares site does, fund by fund and date by date. The fund is the ``fileName``
  (``IWM_holdings``) of the product page's ``1467271812596.ajax`` download; without
  ``asOfDate`` it serves the fund's latest file, with ``asOfDate=YYYYMMDD`` the file of that
  day if the fund publishes one. For any other day it does what iShares does: HTTP 200 with
  the preamble, ``Fund Holdings as of,"-"``, the header and no holdings. Only the dates
  given are published: a test that gives month ends alone plays a fund whose daily files
  are not kept. An unknown fund or a download link without ``fileName`` gets the site's
  404 page. ``requests`` lists each ``(fund, asOfDate or None)`` asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs, urlsplit

import pandas as pd
from curl_cffi import requests as curl_requests

__all__ = ["FUND_NAMES", "FakeHoldingsSession", "FakeISharesSite", "holdings_csv"]

_HEADER = (
    "Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,"
    "Price,Location,Exchange,Currency,FX Rate,Market Currency,Accrual Date"
)
FUND_NAMES = {
    "IWM": "iShares Russell 2000 ETF",
    "IJR": "iShares Core S&P Small-Cap ETF",
    "IWB": "iShares Russell 1000 ETF",
}
_NOT_FOUND_PAGE = (
    b"<!DOCTYPE html><html><head><title>Page not found | iShares</title></head></html>"
)


def holdings_csv(
    tickers: Sequence[str],
    *,
    as_of: str = "Jan 16, 2026",
    exchange: str = "NASDAQ",
    fund_name: str = FUND_NAMES["IWM"],
) -> bytes:
    """A holdings file listing ``tickers`` as equities on ``exchange``, heaviest first.

    ``as_of="-"`` with no tickers is iShares' answer for a day it has no file of.
    """
    rows = [
        f'"{ticker}","SYNTHETIC MEMBER {i} INC","Industrials","Equity","1,000.00",'
        f'"{0.05:.2f}","1,000.00","10.00","100.00","United States","{exchange}","USD","1.00",'
        '"USD","-"'
        for i, ticker in enumerate(tickers, start=1)
    ]
    lines = [
        fund_name,
        f'Fund Holdings as of,"{as_of}"',
        'Inception Date,"May 22, 2000"',
        " ",
        _HEADER,
        *rows,
        " ",
        '"Synthetic holdings written by analysis.testing.fake_ishares."',
    ]
    return "\n".join(lines).encode("utf-8")


def _response(url: str, status: int, content: bytes) -> curl_requests.Response:
    response = curl_requests.Response()
    response.url = url
    response.status_code = status
    response.content = content
    return response


class FakeHoldingsSession:
    """Answers every ``get`` with ``payload`` (HTTP 200); ``requests`` counts them."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.requests = 0

    def get(self, url, timeout=None):
        """One answer, as ``curl_cffi`` would give it."""
        self.requests += 1
        return _response(url, 200, self.payload)


class FakeISharesSite:
    """The iShares holdings downloads of several funds, each with the dates it publishes.

    Parameters
    ----------
    funds : mapping
        Fund ticker to ``{date: tickers}``; dates as ``YYYY-MM-DD`` (or anything
        :class:`pandas.Timestamp` reads).
    exchange : str
        The exchange every member is listed on.
    """

    def __init__(self, funds: Mapping[str, Mapping], *, exchange: str = "NASDAQ") -> None:
        self.funds = {
            fund: {pd.Timestamp(day).normalize(): list(tickers) for day, tickers in files.items()}
            for fund, files in funds.items()
        }
        self.exchange = exchange
        self.requests: list[tuple[str, str | None]] = []

    def get(self, url, timeout=None):
        """The fund's file for the date asked, iShares' empty file, or its 404 page."""
        query = parse_qs(urlsplit(url).query)
        name = (query.get("fileName") or [""])[0]
        fund = name.removesuffix("_holdings")
        as_of = (query.get("asOfDate") or [None])[0]
        self.requests.append((fund, as_of))
        files = self.funds.get(fund)
        if not name.endswith("_holdings") or files is None or ".ajax" not in url:
            return _response(url, 404, _NOT_FOUND_PAGE)
        fund_name = FUND_NAMES.get(fund, f"iShares {fund} ETF")
        if as_of is None:
            day = max(files)
        else:
            try:
                day = pd.Timestamp(pd.to_datetime(as_of, format="%Y%m%d"))
            except ValueError:
                day = None
            if day not in files:
                return _response(url, 200, holdings_csv([], as_of="-", fund_name=fund_name))
        payload = holdings_csv(
            files[day], as_of=f"{day:%b %d, %Y}", exchange=self.exchange, fund_name=fund_name
        )
        return _response(url, 200, payload)

    def asked(self, fund: str) -> list[str | None]:
        """The ``asOfDate`` of each request for ``fund`` (``None``: the latest file)."""
        return [as_of for name, as_of in self.requests if name == fund]
