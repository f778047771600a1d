"""One clock for everything that waits: the pacer, the retries, the fetch budget and the fakes.

Production code reads :func:`monotonic` seconds and waits with :meth:`Clock.sleep`. Tests and
benchmarks swap in a :class:`SimulatedClock`, whose ``sleep`` moves time forward at once, so
an hour of rate-limited traffic runs in a second and nothing really sleeps.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """What waiting code needs: a monotonic reading in seconds, and a way to wait."""

    def now(self) -> float:
        """Seconds on a monotonic scale (only differences mean anything)."""

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (nothing for zero or less)."""


class RealClock:
    """The machine's monotonic clock and :func:`time.sleep`."""

    def now(self) -> float:
        """:func:`time.monotonic`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Really wait."""
        if seconds > 0:
            time.sleep(seconds)


class SimulatedClock:
    """Time that passes only when something waits: ``sleep(s)`` adds ``s`` at once.

    Thread-safe. Waits from several threads add up, as if they took turns, which
    overstates elapsed time when they would really overlap: benchmarks that report
    simulated minutes run one request at a time.

    Attributes
    ----------
    slept : float
        Total seconds all callers have waited.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self.slept = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Simulated seconds since the start."""
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Move time on by ``seconds`` at once, and count them as waited."""
        if seconds <= 0:
            return
        with self._lock:
            self._now += seconds
            self.slept += seconds

    def advance(self, seconds: float) -> None:
        """Move time forward without counting it as waiting (work that takes time)."""
        with self._lock:
            self._now += max(0.0, seconds)


_default: Clock = RealClock()


def default_clock() -> Clock:
    """The process's clock: real, unless a test or benchmark installed another."""
    return _default


def set_default_clock(clock: Clock) -> Clock:
    """Install ``clock`` for the whole process; return the one it replaces."""
    global _default
    previous, _default = _default, clock
    return previous
