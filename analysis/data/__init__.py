"""Reading data in a post: the local store only, never the network.

What a post uses (everything here reads what the build's fetch step stored):

- :func:`open_store`, :class:`Store`: the store the environment points at;
- :func:`load_series`, :func:`load_column`, :func:`column_of`: one series, or one column of
  several side by side;
- :func:`load_available`, :func:`first_available`, :class:`Available`: the series the store
  holds of a list (with ``through=``, only those that reach a date), and a sentence naming
  the rest;
- :func:`load_universe`, :class:`Universe`: every member of a fund, for market breadth;
- :func:`series_status`, :class:`SeriesStatus`: provenance and freshness of each series;
- :func:`data_notice`: the "Data as of" line and the stale-data warning.

The modules below this package are the data layer's internals: settings, the store, the
trading calendar, freshness, stored holdings files and the last fetch's record. None of
them talks to a network: fetching is :mod:`analysis.fetch`, which writes the store this
package reads, and which nothing here or in the layers that posts use may import.
"""

from analysis.data.availability import Available, first_available, load_available
from analysis.data.load import (
    SeriesStatus,
    column_of,
    load_column,
    load_series,
    open_store,
    series_status,
)
from analysis.data.notices import data_notice
from analysis.data.store import Store
from analysis.data.universe import Universe, load_universe

__all__ = [
    "Available",
    "SeriesStatus",
    "Store",
    "Universe",
    "column_of",
    "data_notice",
    "first_available",
    "load_available",
    "load_column",
    "load_series",
    "load_universe",
    "open_store",
    "series_status",
]
