"""Bounded retries with exponential backoff for transient source failures."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from analysis.data.errors import TransientSourceError

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


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy = RetryPolicy(),
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``call``; retry it while it raises :class:`TransientSourceError`.

    The last transient error is re-raised once attempts or time run out; any other
    exception propagates at once.
    """
    waited = 0.0
    for attempt in range(1, policy.attempts + 1):
        try:
            return call()
        except TransientSourceError:
            delay = min(policy.base_delay * 2 ** (attempt - 1), policy.max_seconds - waited)
            if attempt == policy.attempts or delay <= 0:
                raise
            sleep(delay)
            waited += delay
    raise AssertionError("unreachable")  # pragma: no cover
