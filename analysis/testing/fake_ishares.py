"""A holdings download for tests and benchmarks: an iShares-shaped CSV and a session serving it.

``holdings_csv(["AAA", "BBB"])`` writes a file in the layout of the fund's holdings download
(preamble, header, one equity row per ticker, a closing notice); ``FakeHoldingsSession``
answers every ``get`` with it, as the fund's site would, and counts the requests.
"""

from __future__ import annotations

from collections.abc import Sequence

from curl_cffi import requests as curl_requests

__all__ = ["FakeHoldingsSession", "holdings_csv"]

_HEADER = (
    "Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,"
    "Price,Location,Exchange,Currency,FX Rate,Market Currency,Accrual Date"
)


def holdings_csv(
    tickers: Sequence[str], *, as_of: str = "Jan 16, 2026", exchange: str = "NASDAQ"
) -> bytes:
    """A holdings file listing ``tickers`` as equities on ``exchange``, heaviest first."""
    rows = [
        f'"{ticker}","SYNTHETIC MEMBER {i} INC","Industrials","Equity","1,000.00",'
        f'"{0.05:.2f}","1,000.00","10.00","100.00","United States","{exchange}","USD","1.00",'
        '"USD","-"'
        for i, ticker in enumerate(tickers, start=1)
    ]
    lines = [
        "iShares Russell 2000 ETF",
        f'Fund Holdings as of,"{as_of}"',
        'Inception Date,"May 22, 2000"',
        " ",
        _HEADER,
        *rows,
        " ",
        '"Synthetic holdings written by analysis.testing.fake_ishares."',
    ]
    return "\n".join(lines).encode("utf-8")


class FakeHoldingsSession:
    """Answers every ``get`` with ``payload`` (HTTP 200); ``requests`` counts them."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.requests = 0

    def get(self, url, timeout=None):
        """One answer, as ``curl_cffi`` would give it."""
        self.requests += 1
        response = curl_requests.Response()
        response.url = url
        response.status_code = 200
        response.content = self.payload
        return response
