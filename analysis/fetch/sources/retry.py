"""Bounded retries with exponential backoff for transient source failures, through ``tenacity``.

The policy is ours (how many attempts, how much waiting); the retry loop is tenacity's. Waits
go through the shared clock (:mod:`analysis.data.clock`) unless a ``sleep`` is passed, so
tests and benchmarks never really sleep. A rate limit's ``Retry-After`` is not waited here:
the source's pacer (:mod:`analysis.fetch.sources.pacing`) holds every request to that source
until it has passed, retries included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from analysis.data.clock import default_clock
from analysis.data.errors import BudgetExhaustedError, TransientSourceError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: at most ``attempts`` calls and ``max_seconds`` of waiting in total.

    The wait before retry ``n`` (1-based) is ``base_delay * 2 ** (n - 1)``, capped so the
    total never passes ``max_seconds``.
    """

    attempts: int = 4
    base_delay: float = 1.0
    max_seconds: float = 30.0

    def delay(self, retry: int, waited: float) -> float:
        """Seconds to wait before retry number ``retry``, having waited ``waited`` so far."""
        return min(self.base_delay * 2 ** (retry - 1), self.max_seconds - waited)


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy = RetryPolicy(),
    *,
    sleep: Callable[[float], None] | None = None,
    deadline: float | None = None,
) -> T:
    """Run ``call``; retry it while it raises :class:`TransientSourceError`.

    The last transient error is re-raised once attempts or waiting time run out, or when
    the next attempt would start after ``deadline`` (clock time: the fetch step's end); any
    other exception propagates at once, and so does the deadline itself
    (:class:`BudgetExhaustedError`). ``deadline`` defaults to the fetch step's (set by
    :func:`analysis.fetch.sources.pacing.set_deadline`).
    """
    from analysis.fetch.sources.pacing import current_deadline  # pacing imports no retry

    clock = default_clock()
    deadline = current_deadline() if deadline is None else deadline

    def out_of_budget(state: tenacity.RetryCallState) -> bool:
        n = state.attempt_number
        delay = policy.delay(n, state.idle_for)
        late = deadline is not None and clock.now() + max(delay, 0.0) >= deadline
        return n >= policy.attempts or delay <= 0 or late

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(TransientSourceError)
        & tenacity.retry_if_not_exception_type(BudgetExhaustedError),
        stop=out_of_budget,
        wait=lambda state: policy.delay(state.attempt_number, state.idle_for),
        sleep=sleep or default_clock().sleep,
        reraise=True,
    )
    return retrying(call)
