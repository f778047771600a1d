"""One pacer per source: every request to Yahoo, FRED or iShares waits its turn.

Yahoo Finance answers HTTP 429 after a few hundred quick requests and then blocks the client
for a while, so the fetch spaces its requests instead of finding the limit the hard way. A
:class:`Pacer` is shared by every batch and thread of the process (:func:`pacer_for`):

- **Rate.** Requests leave at most ``rate`` per minute, evenly spaced (pyrate-limiter's GCRA
  with a burst of one). Yahoo's rate is ``ANALYSIS_YAHOO_RATE`` (default
  :data:`DEFAULT_YAHOO_RATE`); FRED and iShares have their own low rates.
- **429.** ``Retry-After`` is honoured when the source sends it: no request leaves before
  then. Without it the pacer pauses for ``cooldown`` seconds, doubling while 429s keep
  coming. Either way the rate is cut (multiplicative decrease, once per run of 429s), and raised
  again by a tenth of the configured rate after each run of ``recover_after`` successes, up
  to a ceiling: the configured rate at first, then 90% of the rate at which the last 429
  came, so the pacer does not walk back into the limit it found. A new process can start
  from what the last one learned (:meth:`Pacer.resume`).
- **Concurrency.** At most ``max_concurrency`` requests are in flight at once.

Yahoo's traffic goes through the ``curl_cffi`` session yfinance is handed (:func:`paced`):
cookie, crumb, timezone and chart requests alike. A 429 there is retried in place after the
pause (up to ``attempts`` times), so yfinance does not start its own cookie dance.

Waiting uses the process clock (:mod:`analysis.data.clock`); tests install a simulated one.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace

import tenacity
from pyrate_limiter import AbstractClock, Duration, Rate, RateItem, StateBucket

from analysis.data.clock import Clock, default_clock
from analysis.data.errors import BudgetExhaustedError
from analysis.data.settings import DEFAULT_YAHOO_RATE
from analysis.fetch.sources.transport import retry_after_seconds

__all__ = [
    "DEFAULT_YAHOO_RATE",
    "Pacer",
    "PacingPolicy",
    "PacingStats",
    "paced",
    "pacer_for",
    "pacing_stats",
    "reset_pacers",
]

YAHOO, FRED, ISHARES = "yahoo", "fred", "ishares"
# Requests per minute (Yahoo's default is in settings, beside its variable).
FRED_RATE = 30.0
ISHARES_RATE = 6.0
# Attempts per request when the answer is 429 (three pauses: 60 + 120 + 240 s without a
# Retry-After, enough to outlast a five-minute block).
RATE_LIMIT_ATTEMPTS = 4


@dataclass(frozen=True)
class PacingPolicy:
    """How a pacer spaces requests and reacts to 429s; see the module docs.

    Attributes
    ----------
    rate : float
        Requests per minute, at most; also the ceiling the rate recovers to.
    max_concurrency : int
        Requests in flight at once.
    min_rate : float
        The rate is never cut below this.
    decrease : float
        Factor applied to the rate on a 429.
    recover_after : int
        Successes in a row before the rate is raised again.
    increase : float
        Share of ``rate`` added at each raise.
    cooldown, max_cooldown : float
        Seconds of pause after a 429 without ``Retry-After``; doubled on each 429 in a row,
        up to ``max_cooldown``.
    """

    rate: float
    max_concurrency: int = 2
    min_rate: float = 3.0
    decrease: float = 0.5
    recover_after: int = 50
    increase: float = 0.1
    cooldown: float = 60.0
    max_cooldown: float = 600.0


@dataclass
class PacingStats:
    """What one pacer did: requests sent, 429 answers, seconds waited, its current rate."""

    requests: int = 0
    rate_limited: int = 0
    waited_seconds: float = 0.0
    rate: float = 0.0
    ceiling: float = 0.0


class _Millis(AbstractClock):
    """pyrate-limiter's view of our clock: integer milliseconds."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def now(self) -> int:
        return int(self.clock.now() * 1000)


class Pacer:
    """The gate every request to one source passes; see the module docs."""

    def __init__(self, name: str, policy: PacingPolicy, clock: Clock | None = None) -> None:
        self.name = name
        self.policy = policy
        self.clock = clock or default_clock()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, policy.max_concurrency))
        self._bucket = StateBucket([_rate(policy.rate)], clock=_Millis(self.clock))
        self._rate = policy.rate
        self._ceiling = policy.rate
        self._paused_until = float("-inf")
        self._next_cooldown = policy.cooldown
        self._streak = 0
        self._limited = False
        self._stats = PacingStats(rate=policy.rate)
        # Clock time after which no request may leave (the fetch budget), or None.
        self.deadline: float | None = None

    @property
    def rate(self) -> float:
        """The current pace, in requests per minute."""
        with self._lock:
            return self._rate

    def stats(self) -> PacingStats:
        """A copy of the counters."""
        with self._lock:
            return replace(self._stats, rate=self._rate, ceiling=self._ceiling)

    def resume(self, rate: float, ceiling: float | None = None) -> None:
        """Start from a rate (and ceiling) an earlier fetch learned, never above the policy's."""
        with self._lock:
            top = self.policy.rate
            self._ceiling = min(top, max(self.policy.min_rate, ceiling or top))
            self._set_rate(min(self._ceiling, max(self.policy.min_rate, rate)))

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Hold one of the concurrency slots, once the pace and any pause allow a request.

        Raises
        ------
        BudgetExhaustedError
            ``deadline`` is set and the wait would pass it (a long 429 pause, usually).
        """
        with self._slots:
            self._wait_turn()
            yield

    def observe(self, status: int, headers=None) -> None:
        """Learn from an answer: a 429 slows the pace, anything else counts as a success."""
        if status == 429:
            self.rate_limited(retry_after_seconds(headers))
        else:
            self.succeeded()

    def rate_limited(self, retry_after: float | None = None) -> None:
        """A 429: pause (``retry_after`` seconds, or the cooldown) and cut the rate."""
        with self._lock:
            now = self.clock.now()
            self._stats.rate_limited += 1
            self._streak = 0
            if not self._limited:  # the first 429 since a success cuts the rate, once
                self._limited = True
                self._ceiling = max(self.policy.min_rate, min(self._ceiling, 0.9 * self._rate))
                self._set_rate(max(self.policy.min_rate, self._rate * self.policy.decrease))
            pause = self._next_cooldown if retry_after is None else retry_after
            if retry_after is None:
                self._next_cooldown = min(self.policy.max_cooldown, self._next_cooldown * 2)
            self._paused_until = max(self._paused_until, now + pause)

    def succeeded(self) -> None:
        """A request that was not rate-limited; a run of them raises the rate again."""
        with self._lock:
            self._next_cooldown = self.policy.cooldown
            self._limited = False
            self._streak += 1
            if self._streak >= self.policy.recover_after and self._rate < self._ceiling:
                step = self.policy.increase * self.policy.rate
                self._set_rate(min(self._ceiling, self._rate + step))
                self._streak = 0

    def _set_rate(self, rate: float) -> None:
        self._rate = rate
        self._bucket.rates = [_rate(rate)]

    def _wait_turn(self) -> None:
        while True:
            with self._lock:
                now = self.clock.now()
                wait = self._paused_until - now
                if wait <= 0:
                    item = RateItem(self.name, int(now * 1000))
                    if self._bucket.put(item):
                        self._stats.requests += 1
                        return
                    wait = max(self._bucket.waiting(item), 1) / 1000
                if self.deadline is not None and now + wait > self.deadline:
                    raise BudgetExhaustedError(
                        f"the fetch budget runs out before {self.name} may be asked again"
                    )
                self._stats.waited_seconds += wait
            self.clock.sleep(wait)


def _rate(per_minute: float) -> Rate:
    # Whole requests per 100 minutes keep fractional rates exact enough; a burst of one
    # spaces requests evenly instead of letting a minute's worth leave at once.
    return Rate(max(1, round(per_minute * 100)), Duration.MINUTE * 100, burst=1)


@contextlib.contextmanager
def paced(session, pacer: Pacer, *, attempts: int = RATE_LIMIT_ATTEMPTS) -> Iterator[None]:
    """Send every request of a ``curl_cffi`` session through ``pacer`` while the block runs.

    The session's ``request`` is shadowed on the instance (yfinance insists on a real
    ``curl_cffi`` session, so it cannot be wrapped). A 429 is asked again after the pacer's
    pause, up to ``attempts`` times in all; the last answer is returned whatever it is.
    """
    own = "request" in vars(session)
    original = session.request

    def send(method, url, *args, **kwargs):
        with pacer.turn():
            response = original(method, url, *args, **kwargs)
        pacer.observe(int(response.status_code), getattr(response, "headers", None))
        return response

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_result(lambda response: int(response.status_code) == 429),
        stop=tenacity.stop_after_attempt(max(1, attempts)),
        # The pacer itself holds the next attempt until the pause is over.
        wait=tenacity.wait_none(),
        sleep=pacer.clock.sleep,
        retry_error_callback=lambda state: state.outcome.result(),
    )

    def request(method, url, *args, **kwargs):
        return retrying(send, method, url, *args, **kwargs)

    session.request = request
    try:
        yield
    finally:
        if own:
            session.request = original
        else:
            del session.request


# -- the process's pacers ------------------------------------------------------------------

_pacers: dict[str, Pacer] = {}
_overrides: dict[str, PacingPolicy] = {}
_registry_lock = threading.Lock()


def pacer_for(source: str) -> Pacer:
    """The process's pacer for ``source`` (``"yahoo"``, ``"fred"`` or ``"ishares"``)."""
    with _registry_lock:
        pacer = _pacers.get(source)
        if pacer is None:
            pacer = _pacers[source] = Pacer(source, _overrides.get(source) or _policy(source))
        return pacer


def reset_pacers(clock: Clock | None = None, **policies: PacingPolicy) -> None:
    """Forget every pacer; the next ones use ``clock`` and any ``policies`` given by source.

    For tests and benchmarks (``reset_pacers(SimulatedClock(), yahoo=PacingPolicy(300))``).
    """
    from analysis.data.clock import set_default_clock

    with _registry_lock:
        if clock is not None:
            set_default_clock(clock)
        _pacers.clear()
        _overrides.clear()
        _overrides.update(policies)


def pacing_stats() -> dict[str, dict]:
    """Counters of every pacer used so far in this process, by source."""
    with _registry_lock:
        pacers = dict(_pacers)
    return {name: asdict(pacer.stats()) for name, pacer in pacers.items()}


def _policy(source: str) -> PacingPolicy:
    if source == YAHOO:
        from analysis.data.settings import load_settings  # read when first used, not imported

        # One request at a time: at a request a second one connection keeps up, and
        # yfinance's threaded download now and then drops a symbol without asking for it.
        return PacingPolicy(load_settings().yahoo_rate, max_concurrency=1)
    if source == FRED:
        return PacingPolicy(FRED_RATE, max_concurrency=1)
    if source == ISHARES:
        return PacingPolicy(ISHARES_RATE, max_concurrency=1)
    raise ValueError(f"no pacer for source {source!r}")
