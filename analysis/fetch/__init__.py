"""Fetching: everything that talks to a network, and the writes that follow it.

- :mod:`analysis.fetch.sources`: Yahoo, FRED and CSV import, each request paced per source
  (:mod:`~analysis.fetch.sources.pacing`), retried (:mod:`~analysis.fetch.sources.retry`)
  and its failures mapped to the package's errors (:mod:`~analysis.fetch.sources.transport`);
- :mod:`analysis.fetch.update`: the incremental update of stored series;
- :mod:`analysis.fetch.holdings`: a fund's holdings download;
- :mod:`analysis.fetch.universe`: bringing a universe's members up to date within a budget;
- :mod:`analysis.fetch.status`: the record a fetch leaves for ``status`` and the next build.

Only :mod:`analysis.site` (the build's pre-render step) and :mod:`analysis.cli` import this
package; posts, metrics, claims, charts and :mod:`analysis.post` read the store through
:mod:`analysis.data` and never reach the network (an import-linter contract enforces it).
"""
