"""Market data access, a local store, metrics and charts for executable research posts."""

__all__: list[str] = []
