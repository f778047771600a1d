"""The data layer's failures, each a one-line message a reader can act on.

The CLI prints ``str(error)`` and exits non-zero; posts let these propagate so a build
fails loudly instead of publishing a wrong number.
"""


class DataError(Exception):
    """Base class: anything that stops us from producing trustworthy data."""


class SourceError(DataError):
    """A data source failed for one symbol or the whole request.

    ``retry_after`` is the wait, in seconds, that the source asked for (an HTTP
    ``Retry-After`` header), or ``None``: the pacer honours it before the next request.
    """

    transient = False

    def __init__(self, *args, retry_after: float | None = None) -> None:
        super().__init__(*args)
        self.retry_after = retry_after


class TransientSourceError(SourceError):
    """Rate limit, server error or timeout: worth retrying."""

    transient = True


class RateLimitedError(TransientSourceError):
    """The source answered HTTP 429, Too Many Requests; ``retry_after`` says how long to wait."""


class BudgetExhaustedError(TransientSourceError):
    """The build's fetch budget would run out before the source may be asked again."""


class SourceBlockedError(BudgetExhaustedError):
    """A source has throttled every request for so long that this build stopped asking it."""


class NetworkDownError(SourceError):
    """The source could not be reached at all (no route, DNS failure, connection refused).

    Not retried: waiting a few seconds does not bring a network back, and an offline
    machine should hear so at once.
    """


class SymbolNotFoundError(SourceError):
    """The source does not know the symbol."""


class NotPublishedError(SourceError):
    """The source publishes nothing for the date asked (a holdings file of a day it skips)."""


class EmptyResponseError(SourceError):
    """The source answered, but with no usable rows."""


class MalformedDataError(DataError):
    """A response or file does not have the shape we expect."""


class StoreLockedError(DataError):
    """Another process holds the store's write lock."""


class CorruptedStoreError(DataError):
    """A stored file does not match its checksum; it has been quarantined."""


class StaleDataError(DataError):
    """Stored data is older than the configured staleness limit allows."""


class OfflineError(DataError):
    """Offline mode was asked for data the store does not hold."""
