"""One pacer per source: every request to Yahoo, FRED or iShares waits its turn.

Yahoo Finance answers HTTP 429 after a few hundred quick requests and then blocks the client
for a while, so the fetch spaces its requests instead of finding the limit the hard way. A
:class:`Pacer` is shared by every batch and thread of the process (:func:`pacer_for`):

- **Rate.** Requests leave at most ``rate`` per minute, evenly spaced (pyrate-limiter's GCRA
  with a burst of one). Yahoo's rate is ``ANALYSIS_YAHOO_RATE`` (default
  :data:`DEFAULT_YAHOO_RATE`); FRED and iShares have their own low rates.
- **Throttling.** A 429, and the signs Yahoo gives instead of one (a crumb body reading
  "Too Many Requests"; an empty or truncated 200 for a symbol that has data, reported by the
  source module through :meth:`Pacer.rate_limited`), pause the pacer. ``Retry-After`` is
  honoured when sent. Yahoo does not send it, so without it the pacer probes: a short
  ``cooldown`` first, then doubling with jitter up to ``max_cooldown``. Once 429s have kept
  coming for ``give_up_after`` seconds without a single success, the pacer gives up for
  this build (:attr:`Pacer.gave_up` says why) and every later turn raises
  :class:`~analysis.data.errors.SourceBlockedError`: a block of hours is not waited out.
- **Rate and ceiling.** The rate is cut once per run of 429s (multiplicative decrease) and
  raised again by a tenth of the configured rate after each run of ``recover_after``
  successes, up to a ceiling: 90% of the rate the 429 came at (never below ``min_ceiling``
  of the configured rate), so the pacer does not walk back into the limit it found. The
  next build starts at the ceiling this one learned (:meth:`Pacer.resume`), and the ceiling
  climbs back toward the configured rate after each build without a 429
  (:func:`recovered_ceiling`): no one-way ratchet.
- **Deadline.** ``deadline`` (clock time, the fetch step's end) is checked before every
  request, whether or not it has to wait: no request leaves after it, whichever retry layer
  sends it (:func:`set_deadline` sets it for every pacer of the process).
- **Concurrency.** At most ``max_concurrency`` requests are in flight at once.

Yahoo's traffic goes through the ``curl_cffi`` session yfinance is handed (:func:`paced`):
cookie, crumb, timezone and chart requests alike. A 429 there is retried in place after the
pause (up to ``attempts`` times), so yfinance does not start its own cookie dance.

Waiting uses the process clock (:mod:`analysis.data.clock`); tests install a simulated one.

Why this module is long: the rate, the pauses, giving up, the deadline and the ceiling are
one state machine under one lock; :func:`paced` and the process's registry of pacers are
its only ways in, and reading them apart would hide how a 429 changes what leaves next.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace

import tenacity
from pyrate_limiter import AbstractClock, Duration, Rate, RateItem, StateBucket

from analysis.data.clock import Clock, default_clock
from analysis.data.errors import BudgetExhaustedError, SourceBlockedError
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
    "recovered_ceiling",
    "reset_pacers",
    "set_deadline",
]

YAHOO, FRED, ISHARES = "yahoo", "fred", "ishares"
# Requests per minute (Yahoo's default is in settings, beside its variable).
FRED_RATE = 30.0
ISHARES_RATE = 6.0
# Attempts per request when the answer is 429; the pauses between them are the pacer's.
RATE_LIMIT_ATTEMPTS = 4
# Share of the distance back to the configured rate the ceiling regains after a build
# without a 429: from the floor of 3 a minute, 60 is within 10% after three clean builds.
RECOVERY = 0.6
# What Yahoo's crumb endpoint says instead of a crumb when it throttles (with a 200).
THROTTLED_BODY = b"Too Many Requests"


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
    jitter : float
        Each such pause is shortened by a random share of up to ``jitter`` (so clients
        that were blocked together do not come back together).
    give_up_after : float
        Seconds of nothing but 429s after which the pacer gives up for this build.
    min_ceiling : float
        Share of ``rate`` the ceiling never falls below: a run of 429s in a block (or a
        wave of fingerprinting) is not a limit on our pace, and a ceiling walked down to the
        floor would slow every later build.
    """

    rate: float
    max_concurrency: int = 2
    min_rate: float = 3.0
    decrease: float = 0.5
    recover_after: int = 50
    increase: float = 0.1
    cooldown: float = 5.0
    max_cooldown: float = 120.0
    jitter: float = 0.25
    give_up_after: float = 900.0
    min_ceiling: float = 0.5


@dataclass
class PacingStats:
    """What one pacer did: requests sent, 429 answers, seconds waited, its current rate."""

    requests: int = 0
    rate_limited: int = 0
    waited_seconds: float = 0.0
    rate: float = 0.0
    ceiling: float = 0.0
    why: str = ""
    gave_up: str | None = None


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
        self._limited_since: float | None = None
        self._why = f"the configured rate, {policy.rate:g} a minute"
        self.gave_up: str | None = None
        self._random = random.Random(name)  # jitter, reproducible in benchmarks
        self._stats = PacingStats(rate=policy.rate)
        # Clock time after which no request may leave (the fetch deadline), or None.
        self.deadline: float | None = _deadline

    @property
    def rate(self) -> float:
        """The current pace, in requests per minute."""
        with self._lock:
            return self._rate

    def stats(self) -> PacingStats:
        """A copy of the counters."""
        with self._lock:
            return replace(
                self._stats,
                rate=self._rate,
                ceiling=self._ceiling,
                why=self._why,
                gave_up=self.gave_up,
            )

    def resume(self, rate: float, ceiling: float | None = None, why: str | None = None) -> None:
        """Start from a rate (and ceiling) an earlier fetch learned, never above the policy's."""
        with self._lock:
            top = self.policy.rate
            self._ceiling = min(top, max(self._floor(), ceiling or top))
            self._set_rate(min(self._ceiling, max(self.policy.min_rate, rate)))
            if why:
                self._why = why

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

    def observe(self, status: int, headers=None, *, throttled: bool = False) -> None:
        """Learn from an answer: throttling slows the pace, an answer below 400 is a success."""
        if status == 429 or throttled:
            self.rate_limited(
                retry_after_seconds(headers),
                sign=None if status == 429 else "a 200 saying Too Many Requests",
            )
        elif status < 400:
            self.succeeded()
        # Other errors (Yahoo's cookie page answers 404, a refused crumb 401) say nothing
        # about the pace: they neither end a run of 429s nor count toward raising the rate.

    def rate_limited(self, retry_after: float | None = None, *, sign: str | None = None) -> None:
        """Throttled (a 429, or ``sign``): pause, cut the rate once per run of them.

        Without ``retry_after`` the pause probes: ``cooldown``, then doubling (with jitter)
        up to ``max_cooldown``. After ``give_up_after`` seconds of nothing else the pacer
        gives up for this build.
        """
        what = sign or (
            "HTTP 429" + (f" asking to wait {retry_after:g}s" if retry_after is not None else "")
        )
        with self._lock:
            now = self.clock.now()
            self._stats.rate_limited += 1
            self._streak = 0
            if not self._limited:  # the first 429 since a success cuts the rate, once
                self._limited = True
                self._limited_since = now
                self._ceiling = max(self._floor(), min(self._ceiling, 0.9 * self._rate))
                self._set_rate(max(self.policy.min_rate, self._rate * self.policy.decrease))
                self._why = f"cut to {self._rate:.3g} a minute after {what}"
            if retry_after is None:
                pause = self._next_cooldown * (1 - self.policy.jitter * self._random.random())
                self._next_cooldown = min(self.policy.max_cooldown, self._next_cooldown * 2)
            else:
                pause = retry_after
            self._paused_until = max(self._paused_until, now + pause)
            blocked = now - self._limited_since
            if self.gave_up is None and blocked >= self.policy.give_up_after:
                self.gave_up = (
                    f"{self.name} answered nothing but throttling ({what}) for "
                    f"{blocked / 60:.0f} minutes; given up until the next build"
                )
                self._why = self.gave_up

    def succeeded(self) -> None:
        """A request that was not rate-limited; a run of them raises the rate again."""
        with self._lock:
            self._next_cooldown = self.policy.cooldown
            self._limited = False
            self._limited_since = None
            self._streak += 1
            if self._streak >= self.policy.recover_after and self._rate < self._ceiling:
                step = self.policy.increase * self.policy.rate
                self._set_rate(min(self._ceiling, self._rate + step))
                self._streak = 0
                self._why = (
                    f"raised to {self._rate:.3g} a minute after "
                    f"{self.policy.recover_after} successes"
                )

    def _floor(self) -> float:
        """The lowest the ceiling goes: blocks are Yahoo's doing, not a limit on our pace."""
        return max(self.policy.min_rate, self.policy.min_ceiling * self.policy.rate)

    def _set_rate(self, rate: float) -> None:
        self._rate = rate
        self._bucket.rates = [_rate(rate)]

    def _wait_turn(self) -> None:
        while True:
            with self._lock:
                now = self.clock.now()
                if self.gave_up is not None:
                    raise SourceBlockedError(self.gave_up)
                if self.deadline is not None and now >= self.deadline:
                    raise BudgetExhaustedError(
                        f"the fetch budget runs out: the fetch step's deadline has passed, "
                        f"so nothing more is sent to {self.name}"
                    )
                wait = self._paused_until - now
                if wait <= 0:
                    item = RateItem(self.name, int(now * 1000))
                    if self._bucket.put(item):
                        self._stats.requests += 1
                        return
                    wait = max(self._bucket.waiting(item), 1) / 1000
                if self.deadline is not None and now + wait > self.deadline:
                    paused = " (" + self._why + ")" if self._paused_until > now else ""
                    raise BudgetExhaustedError(
                        f"the fetch budget runs out before {self.name} may be asked again{paused}"
                    )
                self._stats.waited_seconds += wait
            self.clock.sleep(wait)


def _rate(per_minute: float) -> Rate:
    # Whole requests per 100 minutes keep fractional rates exact enough; a burst of one
    # spaces requests evenly instead of letting a minute's worth leave at once.
    return Rate(max(1, round(per_minute * 100)), Duration.MINUTE * 100, burst=1)


@contextlib.contextmanager
def paced(
    session, pacer: Pacer, *, attempts: int = RATE_LIMIT_ATTEMPTS, lies=None
) -> Iterator[None]:
    """Send every request of a ``curl_cffi`` session through ``pacer`` while the block runs.

    The session's ``request`` is shadowed on the instance (yfinance insists on a real
    ``curl_cffi`` session, so it cannot be wrapped). A 429, or a 200 that is throttling in
    disguise (:func:`throttled`, or ``lies(url, response)`` returning a reason: the source
    module knows which symbols have data), is asked again after the pacer's pause, up to
    ``attempts`` times in all; the last answer is returned whatever it is.
    """
    own = "request" in vars(session)
    original = session.request

    def sign(url, response) -> str | None:
        if int(response.status_code) == 429:
            return None
        if throttled(url, response):
            return "a 200 saying Too Many Requests"
        return lies(url, response) if lies is not None else None

    def send(method, url, *args, **kwargs):
        with pacer.turn():
            response = original(method, url, *args, **kwargs)
        reason = sign(url, response)
        if reason is not None:
            pacer.rate_limited(sign=reason)
        else:
            pacer.observe(int(response.status_code), getattr(response, "headers", None))
        response._throttled = reason is not None or int(response.status_code) == 429
        return response

    def again(response) -> bool:
        return bool(getattr(response, "_throttled", False))

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_result(again),
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


def throttled(url: str, response) -> bool:
    """Whether a 200 is Yahoo throttling in disguise: a crumb reading "Too Many Requests"."""
    if int(response.status_code) != 200:
        return False
    body = bytes(getattr(response, "content", b"") or b"")
    return len(body) < 200 and THROTTLED_BODY in body


def recovered_ceiling(ceiling: float, configured: float, clean_builds: int = 1) -> float:
    """The ceiling after ``clean_builds`` builds without a 429.

    Each clean build takes it :data:`RECOVERY` of the way back to the configured rate.
    """
    for _ in range(max(0, clean_builds)):
        ceiling += RECOVERY * (configured - ceiling)
    return min(configured, ceiling)


# -- the process's pacers ------------------------------------------------------------------

_pacers: dict[str, Pacer] = {}
_deadline: float | None = None
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
        global _deadline
        _deadline = None
        _overrides.clear()
        _overrides.update(policies)


def set_deadline(deadline: float | None) -> float | None:
    """Make ``deadline`` (clock time, or None) every pacer's, now and later; return the old one."""
    global _deadline
    with _registry_lock:
        previous, _deadline = _deadline, deadline
        for pacer in _pacers.values():
            pacer.deadline = deadline
    return previous


def current_deadline() -> float | None:
    """The fetch step's deadline (clock time), or None outside a fetch step."""
    return _deadline


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
