"""Breadth over a synthetic Russell-2000-sized universe: compute, read from the store, fetch.

Prints, for N synthetic members (default 2,000) x 300 trading days:

- the time to compute breadth from the closes in memory (target under 0.5 s);
- the time to read the universe's closes from the store, every member's file verified
  against its checksum (target under 1 s);
- HTTP requests and wall time to fetch the universe through a fake Yahoo session: cold
  (empty store), warm (store complete, nothing to ask) and one day later (one new bar);
- peak memory: Python allocations during each step (tracemalloc, measured in a separate
  run of the step so it does not slow the timings) and the process's peak resident size.

Run: ``python benchmarks/breadth.py`` (``--members 500`` for a quicker run,
``--skip-fetch`` to write the store directly instead of fetching it). No network is used.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.data.clock import SimulatedClock
from analysis.data.sessions import session_close
from analysis.data.settings import Settings
from analysis.data.store import Store
from analysis.data.universe import read_closes
from analysis.fetch.sources.pacing import reset_pacers
from analysis.fetch.universe import update_universe
from analysis.metrics.breadth import calc_breadth_claim, to_breadth
from analysis.testing.fake_yahoo import FakeYahooSession, make_ohlcv

DAYS = 300
BREADTH_TARGET = 0.5
READ_TARGET = 1.0
# Fetch times are measured this long after the last session's close: the bar has settled.
AFTER_CLOSE = pd.Timedelta(hours=3)


def synthetic_universe(members: int, days: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Random-walk OHLCV frames on real NYSE sessions, some members listed part-way through."""
    rng = np.random.default_rng(seed)
    sessions = make_ohlcv("2025-01-02", days).index
    returns = rng.normal(0.0003, 0.02, size=(days, members))
    closes = 20 * rng.uniform(0.5, 5, size=members) * np.exp(np.cumsum(returns, axis=0))
    # One member in twenty listed late, so it has fewer than 200 bars for a while.
    late = rng.random(members) < 0.05
    starts = np.where(late, rng.integers(1, days - 50, size=members), 0)
    frames = {}
    for j in range(members):
        close = closes[starts[j] :, j]
        frames[f"SYN{j:04d}"] = pd.DataFrame(
            {
                "open": close * 0.999,
                "high": close * 1.01,
                "low": close * 0.99,
                "close": close,
                "adj_close": close,
                "volume": 100_000.0,
            },
            index=sessions[starts[j] :],
        )
    return frames


def timed(func, repeat: int = 1):
    """Best wall time of ``repeat`` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_alloc(func) -> float:
    """Peak Python allocations of one call, in MiB."""
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def verdict(seconds: float, target: float) -> str:
    return f"{'meets' if seconds < target else 'MISSES'} target {target:g} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--skip-fetch", action="store_true", help="write the store directly")
    args = parser.parse_args(argv)
    # yfinance under pandas 3 warns about its own deprecated calls; not ours to fix here.
    # It installs a warnings filter when imported, so import it before overriding that.
    import yfinance  # noqa: F401

    warnings.simplefilter("ignore")

    n = args.members
    # Requests are paced on simulated time, without a budget: this measures our work, not
    # the pacing (benchmarks/rate_limits.py measures that).
    reset_pacers(SimulatedClock())
    frames = synthetic_universe(n, DAYS + 1)
    today = {s: f.iloc[:-1] for s, f in frames.items()}  # DAYS sessions; tomorrow adds one
    closes = pd.DataFrame({s: f["close"] for s, f in today.items()})
    print(f"Synthetic universe: {n:,} members x {len(closes)} trading days")
    print()

    seconds, breadth = timed(lambda: to_breadth(closes), repeat=5)
    print(f"breadth, in memory              {seconds:7.3f} s  ({verdict(seconds, BREADTH_TARGET)})")
    print(f"  peak allocations              {peak_alloc(lambda: to_breadth(closes)):7.1f} MiB")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store, settings = Store(root), Settings(data_dir=root)
        symbols = list(today)
        day_one, day_two = closes.index[-1], next(iter(frames.values())).index[-1]
        if args.skip_fetch:
            for symbol, frame in today.items():
                store.write(symbol, frame, source="synthetic")
        else:
            print()
            print("fetch through a fake Yahoo session      price requests  all requests  wall")
            runs = [
                ("cold (empty store)", today, day_one),
                ("warm (store complete)", today, day_one),
                ("one day later", frames, day_two),
            ]
            for label, served, day in runs:
                session = FakeYahooSession(served)
                seconds, report = timed(
                    lambda s=session, d=day: update_universe(
                        symbols,
                        store,
                        settings,
                        s,
                        now=session_close(d) + AFTER_CLOSE,
                        budget=float("inf"),
                    )
                )
                print(
                    f"  {label:<24} {len(session.chart_requests):>18,} "
                    f"{len(session.requests_made):>13,} {seconds:7.1f} s   {report.summary()}"
                )
            print("  (all requests include yfinance's cookie, crumb and timezone requests)")
        print()

        seconds, (stored, missing) = timed(lambda: read_closes(store, symbols), repeat=3)
        print(
            f"read the universe from the store {seconds:6.3f} s  ({verdict(seconds, READ_TARGET)})"
        )
        alloc = peak_alloc(lambda: read_closes(store, symbols))
        print(f"  peak allocations              {alloc:7.1f} MiB")
        counts = f"{stored.shape[1]:>7,} of {n:,} ({len(missing)} missing)"
        print(f"  members with data             {counts}")
        check = to_breadth(stored)
        expected = breadth if args.skip_fetch else to_breadth(stored.loc[: closes.index[-1]])
        assert np.allclose(
            check["pct_above"].reindex(expected.index), expected["pct_above"], equal_nan=True
        )
    reading = calc_breadth_claim(closes, closes.index[-1])
    print()
    print(f"last reading: {reading.describe()} on {reading.date.date()}, {reading.highest_since}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak resident memory of this process: {rss:,.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
