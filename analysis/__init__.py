"""Market data access, a local store, metrics and charts for executable research posts.

The names below are the public surface a post needs. They are loaded on first use
(PEP 562), so ``import analysis`` does no work and pulls in neither pandas nor matplotlib.
"""

import importlib

_EXPORTS = {
    # reading data (the store only; never the network)
    "open_store": "analysis.load",
    "load_series": "analysis.load",
    "load_column": "analysis.load",
    "series_status": "analysis.load",
    "data_notice": "analysis.notices",
    # re-checking published claims
    "load_claims": "analysis.claims",
    "check_claims": "analysis.claims",
    "show_claims_table": "analysis.claims",
    "cited": "analysis.claims",
    # charts
    "house_style": "analysis.charts",
    "source_line": "analysis.charts",
    "save_chart": "analysis.charts",
    # breadth
    "to_breadth": "analysis.breadth",
    "calc_breadth_claim": "analysis.breadth",
    "load_universe": "analysis.universe",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
