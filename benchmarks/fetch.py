"""Requests and wall time for cold, warm and next-day fetches of 30 symbols x 10 years.

Runs the real update path (yfinance parsing included) against the offline fake Yahoo
session, so requests are counted exactly. Targets: a warm fetch makes no request; the
next-day fetch makes one price request per symbol, in one batch.

    python benchmarks/fetch.py
"""

import tempfile
import time
from pathlib import Path

import pandas as pd

from analysis.data.clock import SimulatedClock
from analysis.data.sessions import session_close
from analysis.data.settings import Settings
from analysis.data.store import Store
from analysis.fetch.sources.pacing import reset_pacers
from analysis.fetch.sources.retry import RetryPolicy
from analysis.fetch.update import update_series
from analysis.testing.fake_yahoo import FakeYahooSession, make_ohlcv

SYMBOLS = [f"SYM{i:02d}" for i in range(30)]
SESSIONS = 2520  # about ten years


def main() -> None:
    # Requests are paced on simulated time: this measures our work, not the pacing
    # (benchmarks/rate_limits.py measures that).
    reset_pacers(SimulatedClock())
    frames = {s: make_ohlcv("2016-01-04", SESSIONS, base=50.0 + i) for i, s in enumerate(SYMBOLS)}
    last_day = frames[SYMBOLS[0]].index[-1]
    day_before = frames[SYMBOLS[0]].index[-2]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "data")
        settings = Settings(data_dir=store.root)
        print(f"{len(SYMBOLS)} symbols x {SESSIONS} sessions, store in a temporary folder")
        print(f"{'fetch':<12}{'price requests':>16}{'all requests':>14}{'seconds':>10}")
        cases = [
            ("cold", {s: f.loc[:day_before] for s, f in frames.items()}, day_before),
            ("warm", {s: f.loc[:day_before] for s, f in frames.items()}, day_before),
            ("next day", frames, last_day),
        ]
        for name, served, day in cases:
            session = FakeYahooSession(served)
            now = session_close(day) + pd.Timedelta(hours=3 if name != "warm" else 4)
            started = time.perf_counter()
            report = update_series(
                SYMBOLS,
                store=store,
                settings=settings,
                now=now,
                yahoo_session=session,
                progress=False,
                retry=RetryPolicy(attempts=1),
            )
            elapsed = time.perf_counter() - started
            assert not report.failed, report.failed
            print(
                f"{name:<12}{len(session.chart_requests):>16}{len(session.requests_made):>14}"
                f"{elapsed:>10.2f}"
            )


if __name__ == "__main__":
    main()
