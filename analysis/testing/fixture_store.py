"""A deterministic synthetic data store holding every series the seed post reads.

Tests, benchmarks and offline renders need a store that looks like a real build's without
the network: daily bars on real NYSE sessions, long index histories (the start-of-year
ranking needs decades), FRED step series for the fed funds target, and a small index
universe for breadth. Nothing here is market data; every series is generated from fixed
seeds, and its provenance says so::

    store = build_fixture_store(tmp_path / "data")
    store = build_fixture_store(tmp_path / "data", omit=["PSCF", "fred:DFEDTAR"])
    store = build_fixture_store(tmp_path / "data", ends={"^GSPC": "2026-01-02"})

What a test can rely on (the window is 2025-12-31 to 2026-01-16):

- each priced series closes exactly at ``Spec.base_close`` on 2025-12-31 and returns
  exactly ``Spec.window_return`` from there to 2026-01-16 (``SPECS`` lists them);
- IWM follows ^RUT at a fixed ratio, never closed above $250 before 2026-01-12 and first
  did so on 2026-01-12; its volume in the week to 2026-01-16 averages ``IWM_WEEK_VOLUME_RATIO``
  times the 20 sessions before that week;
- the fed funds target follows :data:`FED_TARGET_CHANGES` (modelled on the FOMC's moves
  since 1988): ``fred:DFEDTAR`` to 2008-12-15, ``fred:DFEDTARU``/``DFEDTARL`` after;
- everything ends on :data:`FIXTURE_END`, so the "since publication" section has data.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.holdings import parse_holdings, save_holdings
from analysis.data.store import Store
from analysis.testing.fake_yahoo import _calendar, make_ohlcv

__all__ = [
    "AS_OF",
    "BASE",
    "FED_TARGET_CHANGES",
    "FIXTURE_END",
    "FIXTURE_SOURCE",
    "IWM_WEEK_VOLUME_RATIO",
    "SPECS",
    "UNIVERSE_SIZE",
    "Spec",
    "build_fixture_store",
    "fixture_symbols",
]

BASE = pd.Timestamp("2025-12-31")
AS_OF = pd.Timestamp("2026-01-16")
FIXTURE_END = pd.Timestamp("2026-03-31")
FIXTURE_SOURCE = "synthetic fixture data (analysis.testing.fixture_store)"
FETCHED_AT = "2026-04-01T00:00:00+00:00"
IWM_WEEK_VOLUME_RATIO = 1.2
UNIVERSE_SIZE = 40
_MARKET_START = "1987-01-02"
_SEED = 20260118


@dataclass(frozen=True)
class Spec:
    """How one priced series is generated.

    ``beta`` scales the shared market factor (so indices move together), ``vol`` the
    series' own daily noise, ``drift`` its mean daily log return. ``adjusted`` series get
    a small dividend adjustment in ``adj_close``; ``volume`` is the typical daily volume.
    """

    start: str
    base_close: float
    window_return: float
    beta: float = 1.0
    vol: float = 0.006
    drift: float = 0.0003
    volume: float = 1e6
    adjusted: bool = True


# Window returns are chosen to tell a story like the article's (small caps ahead, mega
# caps mixed, financials leading small-cap sectors), with round numbers easy to check.
SPECS: dict[str, Spec] = {
    "^RUT": Spec("1987-09-10", 2450.0, 0.065, beta=1.2, volume=4e9, adjusted=False),
    "^GSPC": Spec("1987-01-02", 6850.0, 0.015, beta=1.0, vol=0.003, volume=4e9, adjusted=False),
    "^IXIC": Spec("1987-01-02", 23200.0, 0.010, beta=1.15, vol=0.005, volume=8e9, adjusted=False),
    "AAPL": Spec("2015-01-02", 270.0, -0.004, beta=1.1, vol=0.012, volume=5e7),
    "MSFT": Spec("2015-01-02", 485.0, -0.015, beta=1.0, vol=0.011, volume=2e7),
    "AMZN": Spec("2015-01-02", 230.0, 0.009, beta=1.2, vol=0.014, volume=4e7),
    "META": Spec("2015-01-02", 660.0, -0.020, beta=1.3, vol=0.016, volume=1.5e7),
    "NVDA": Spec("2015-01-02", 186.0, -0.030, beta=1.6, vol=0.022, volume=2e8),
    "GOOGL": Spec("2015-01-02", 313.0, 0.025, beta=1.1, vol=0.013, volume=3e7),
    "TSLA": Spec("2015-01-02", 450.0, -0.040, beta=1.8, vol=0.028, volume=9e7),
    "PSCF": Spec("2015-01-02", 58.0, 0.085, beta=1.1, vol=0.008, volume=2e4),
    "PSCI": Spec("2015-01-02", 140.0, 0.079, beta=1.2, vol=0.008, volume=2e4),
    "PSCH": Spec("2015-01-02", 45.0, 0.012, beta=1.0, vol=0.012, volume=3e4),
    "PSCE": Spec("2015-01-02", 42.0, 0.050, beta=1.1, vol=0.016, volume=4e4),
    "PSCT": Spec("2015-01-02", 50.0, 0.060, beta=1.3, vol=0.012, volume=3e4),
    "PSCD": Spec("2015-01-02", 118.0, 0.055, beta=1.2, vol=0.010, volume=1e4),
    "PSCC": Spec("2015-01-02", 70.0, 0.030, beta=0.8, vol=0.008, volume=1e4),
    "PSCM": Spec("2015-01-02", 85.0, 0.068, beta=1.2, vol=0.010, volume=1e4),
    "PSCU": Spec("2015-01-02", 72.0, 0.020, beta=0.6, vol=0.008, volume=1e4),
    "KRE": Spec("2015-01-02", 64.0, 0.091, beta=1.3, vol=0.012, volume=1e7),
    "CL=F": Spec("2015-01-02", 71.8, 0.039, beta=0.2, vol=0.012, drift=0.0, volume=3e5,
                 adjusted=False),
    "NG=F": Spec("2015-01-02", 3.9, 0.18, beta=0.0, vol=0.020, drift=0.0, volume=1.5e5,
                 adjusted=False),
    "fred:DCOILWTICO": Spec("2015-01-02", 71.6, 0.040, beta=0.2, vol=0.012, drift=0.0),
    "fred:DHHNGSP": Spec("2015-01-02", 3.7, 0.20, beta=0.0, vol=0.020, drift=0.0),
}  # fmt: skip

# IWM is ^RUT at a fixed ratio from the fund's launch on.
_IWM_START = "2000-05-26"
_IWM_BASE = 246.0
_IWM_LEVEL = 250.0
# ^RUT's path inside the window, as cumulative fractions of its window log-return after
# each of the 11 sessions: IWM stays below $250 until the second week, then crosses.
_RUT_WINDOW_PATH = (0.10, 0.05, 0.18, 0.22, 0.20, 0.24, 0.55, 0.68, 0.80, 0.93, 1.0)

# (effective date, target) for DFEDTAR, then (date, lower, upper) for the range.
FED_TARGET_CHANGES: tuple[tuple[str, float], ...] = (
    ("1988-01-01", 6.75), ("1988-03-30", 6.5), ("1988-06-30", 7.5), ("1988-11-22", 8.25),
    ("1989-02-24", 9.75), ("1989-06-06", 9.5), ("1989-07-07", 9.25), ("1989-10-18", 8.75),
    ("1990-07-13", 8.0), ("1990-12-07", 7.0), ("1991-04-30", 5.75), ("1991-12-20", 4.0),
    ("1992-09-04", 3.0), ("1994-02-04", 3.25), ("1994-05-17", 4.25), ("1994-11-15", 5.5),
    ("1995-02-01", 6.0), ("1995-07-06", 5.75), ("1995-12-19", 5.5), ("1996-01-31", 5.25),
    ("1997-03-25", 5.5), ("1998-09-29", 5.25), ("1998-10-15", 5.0), ("1998-11-17", 4.75),
    ("1999-06-30", 5.0), ("1999-11-16", 5.5), ("2000-05-16", 6.5), ("2001-01-03", 6.0),
    ("2001-03-20", 5.0), ("2001-06-27", 3.75), ("2001-09-17", 3.0), ("2001-12-11", 1.75),
    ("2002-11-06", 1.25), ("2003-06-25", 1.0), ("2004-06-30", 1.25), ("2005-06-30", 3.25),
    ("2006-06-29", 5.25), ("2007-09-18", 4.75), ("2007-12-11", 4.25), ("2008-01-22", 3.5),
    ("2008-03-18", 2.25), ("2008-10-08", 1.5), ("2008-10-29", 1.0),
)  # fmt: skip
FED_RANGE_CHANGES: tuple[tuple[str, float, float], ...] = (
    ("2008-12-16", 0.0, 0.25), ("2015-12-17", 0.25, 0.5), ("2016-12-15", 0.5, 0.75),
    ("2017-06-15", 1.0, 1.25), ("2018-12-20", 2.25, 2.5), ("2019-08-01", 2.0, 2.25),
    ("2019-09-19", 1.75, 2.0), ("2019-10-31", 1.5, 1.75), ("2020-03-04", 1.0, 1.25),
    ("2020-03-16", 0.0, 0.25), ("2022-03-17", 0.25, 0.5), ("2022-06-16", 1.5, 1.75),
    ("2022-12-15", 4.25, 4.5), ("2023-07-27", 5.25, 5.5), ("2024-09-19", 4.75, 5.0),
    ("2024-11-08", 4.5, 4.75), ("2024-12-19", 4.25, 4.5), ("2025-09-18", 4.0, 4.25),
    ("2025-10-30", 3.75, 4.0), ("2025-12-11", 3.5, 3.75),
)  # fmt: skip
_RANGE_START = pd.Timestamp("2008-12-16")


def fixture_symbols() -> list[str]:
    """Every series the fixture builds, in a stable order (members of the universe aside)."""
    return [*SPECS, "IWM", "fred:DFEDTAR", "fred:DFEDTARU", "fred:DFEDTARL"]


def _rng(name: str) -> np.random.Generator:
    """A generator seeded by name, so adding a series never changes another one."""
    return np.random.default_rng([_SEED, zlib.crc32(name.encode())])


def _sessions(start, end=FIXTURE_END) -> pd.DatetimeIndex:
    cal = _calendar("XNYS", min(pd.Timestamp(start).year, 2000) - 1)
    return pd.DatetimeIndex(cal.sessions_in_range(start, end)).tz_localize(None)


def _market_factor() -> pd.Series:
    """Shared daily shocks: what makes the indices and stocks move together."""
    sessions = _sessions(_MARKET_START)
    shocks = _rng("market").normal(0.0, 0.010, len(sessions))
    return pd.Series(shocks, index=sessions)


def _log_returns(symbol: str, spec: Spec, sessions: pd.DatetimeIndex, market: pd.Series):
    own = _rng(symbol).normal(spec.drift, spec.vol, len(sessions))
    return spec.beta * market.reindex(sessions).fillna(0.0).to_numpy() + own


def _closes(symbol: str, spec: Spec, market: pd.Series) -> pd.Series:
    """Closes on NYSE sessions pinned to ``base_close`` and ``window_return``."""
    sessions = _sessions(spec.start)
    returns = _log_returns(symbol, spec, sessions, market)
    log_level = np.cumsum(returns)
    base_i = sessions.get_loc(BASE)
    window = (sessions > BASE) & (sessions <= AS_OF)
    window_i = np.flatnonzero(window)
    target = np.log1p(spec.window_return)
    if symbol == "^RUT":
        path = np.asarray(_RUT_WINDOW_PATH) * target
    else:
        # Keep the series' own wiggles inside the window, tilted to land on the target.
        inside = log_level[window_i] - log_level[base_i]
        steps = np.arange(1, len(window_i) + 1) / len(window_i)
        path = inside + (target - inside[-1]) * steps
    after = log_level[window_i[-1] + 1 :] - log_level[window_i[-1]]
    log_level = log_level - log_level[base_i]
    log_level[window_i] = path
    log_level[window_i[-1] + 1 :] = path[-1] + after
    if symbol == "^RUT":
        # IWM (a fixed fraction of ^RUT) must never have closed above $250 before the
        # window: squeeze the history's excursions above that line back under it.
        cap = np.log(_IWM_LEVEL * 0.996 / _IWM_BASE)
        before = log_level[:base_i]
        high = before.max()
        if high > cap:
            above = before > 0
            before[above] *= cap / high
    return pd.Series(spec.base_close * np.exp(log_level), index=sessions, name=symbol)


def _ohlcv(symbol: str, close: pd.Series, spec: Spec) -> pd.DataFrame:
    """Open, high, low, adjusted close and volume around generated closes."""
    frame = make_ohlcv(close.index[0], len(close))
    if not frame.index.equals(pd.DatetimeIndex(close.index).as_unit(frame.index.unit)):
        raise AssertionError(f"{symbol}: fixture sessions disagree with make_ohlcv's")
    rng = _rng(symbol + ":bars")
    previous = close.shift(1).fillna(close.iloc[0]).to_numpy()
    values = close.to_numpy()
    opens = previous * (1.0 + rng.normal(0.0, 0.002, len(close)))
    top = np.maximum(opens, values)
    bottom = np.minimum(opens, values)
    frame["open"] = opens
    frame["high"] = top * (1.0 + np.abs(rng.normal(0.0, 0.004, len(close))))
    frame["low"] = bottom * (1.0 - np.abs(rng.normal(0.0, 0.004, len(close))))
    frame["close"] = values
    if spec.adjusted:
        # A 1.5% yearly dividend, adjusted away quarter by quarter going back in time.
        quarters_left = (close.index[-1] - close.index).days // 91
        frame["adj_close"] = values * (1.0 - 0.00375) ** quarters_left.to_numpy()
    else:
        frame["adj_close"] = values
    frame["volume"] = np.round(spec.volume * np.exp(rng.normal(0.0, 0.25, len(close))))
    return frame


def _iwm(rut: pd.Series) -> pd.DataFrame:
    ratio = _IWM_BASE / rut.loc[BASE]
    close = rut.loc[_IWM_START:] * ratio
    spec = Spec(_IWM_START, _IWM_BASE, 0.0, volume=3e7)
    frame = _ohlcv("IWM", close.rename("IWM"), spec)
    # Make the window's last week busier than the 20 sessions before it, by a set ratio.
    monday = AS_OF - pd.Timedelta(days=AS_OF.weekday())
    week = (frame.index >= monday) & (frame.index <= AS_OF)
    base = np.flatnonzero(frame.index < monday)[-20:]
    frame.loc[week, "volume"] = np.round(frame["volume"].iloc[base].mean() * IWM_WEEK_VOLUME_RATIO)
    return frame


def _step_series(changes: Iterable[tuple[str, float]], start, end) -> pd.Series:
    """A value on every calendar day (as FRED's daily target series), stepping on changes."""
    days = pd.date_range(start, end, freq="D", name="date")
    steps = pd.Series(
        [value for _, value in changes], index=pd.DatetimeIndex([d for d, _ in changes])
    )
    return steps.reindex(days, method="ffill")


def _fed_series() -> dict[str, pd.Series]:
    single = _step_series(FED_TARGET_CHANGES, "1988-01-01", _RANGE_START - pd.Timedelta(days=1))
    lower = _step_series([(d, lo) for d, lo, _ in FED_RANGE_CHANGES], _RANGE_START, FIXTURE_END)
    upper = _step_series([(d, up) for d, _, up in FED_RANGE_CHANGES], _RANGE_START, FIXTURE_END)
    return {"fred:DFEDTAR": single, "fred:DFEDTARU": upper, "fred:DFEDTARL": lower}


def _value_frame(series: pd.Series) -> pd.DataFrame:
    frame = series.to_frame("value")
    frame.index.name = "date"
    return frame


def _universe(store: Store, market: pd.Series) -> None:
    """A 40-member index: a holdings file plus 300 sessions of bars per member."""
    rows = []
    for i in range(1, UNIVERSE_SIZE + 1):
        ticker = f"FX{i:02d}"
        rows.append(
            f'"{ticker}","FIXTURE MEMBER {i} INC","Industrials","Equity","1,000.00",'
            f'"{2.5:.2f}","1,000.00","10.00","100.00","United States","NASDAQ","USD","1.00",'
            '"USD","-"'
        )
    text = "\n".join(
        [
            "iShares Russell 2000 ETF",
            'Fund Holdings as of,"Jan 16, 2026"',
            'Inception Date,"May 22, 2000"',
            " ",
            "Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,"
            "Price,Location,Exchange,Currency,FX Rate,Market Currency,Accrual Date",
            *rows,
            " ",
            '"Synthetic holdings written by analysis.testing.fixture_store."',
        ]
    )
    holdings = parse_holdings(text, source=FIXTURE_SOURCE)
    save_holdings(holdings, store, fetched_at=FETCHED_AT)
    start = _sessions("2024-12-02")[0]
    for symbol in holdings.symbols:
        # Members share the market factor with a tilt each, so breadth moves over time.
        spec = Spec(str(start.date()), 50.0, 0.0, beta=1.0, vol=0.015, drift=0.0008)
        sessions = _sessions(start)
        log_level = np.cumsum(_log_returns(symbol, spec, sessions, market))
        close = pd.Series(50.0 * np.exp(log_level), index=sessions, name=symbol)
        store.write(symbol, _ohlcv(symbol, close, spec), source=FIXTURE_SOURCE,
                    fetched_at=FETCHED_AT)  # fmt: skip


def build_fixture_store(
    root: str | Path,
    *,
    omit: Iterable[str] = (),
    ends: Mapping[str, str | pd.Timestamp] | None = None,
    universe: bool = True,
) -> Store:
    """Write the fixture series into a store at ``root`` and return it.

    Parameters
    ----------
    root : path
        The data directory (created if needed; existing series are replaced).
    omit : iterable of str
        Symbols to leave out, to exercise a post's fallbacks for missing data.
    ends : mapping of str to date, optional
        Symbols whose rows stop at a date (inclusive), as a series that ends early.
    universe : bool
        Also write an IWM holdings file and its members' bars (for breadth).
    """
    store = Store(Path(root))
    omit = set(omit)
    market = _market_factor()
    closes = {symbol: _closes(symbol, spec, market) for symbol, spec in SPECS.items()}

    ends = {symbol: pd.Timestamp(day) for symbol, day in (ends or {}).items()}

    def write(symbol: str, frame: pd.DataFrame) -> None:
        if symbol in ends:
            frame = frame.loc[: ends[symbol]]
        if symbol not in omit:
            store.write(symbol, frame, source=FIXTURE_SOURCE, fetched_at=FETCHED_AT)

    for symbol, spec in SPECS.items():
        if symbol.startswith("fred:"):
            write(symbol, _value_frame(closes[symbol]))
        else:
            write(symbol, _ohlcv(symbol, closes[symbol], spec))
    write("IWM", _iwm(closes["^RUT"]))
    for symbol, series in _fed_series().items():
        write(symbol, _value_frame(series))
    if universe:
        _universe(store, market)
    return store
