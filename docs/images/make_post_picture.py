"""Draw docs/images/post-chart.png: the first post's main chart, from the fixture store.

The README shows one picture of a post. It is drawn offline, without Quarto or the
network, the way the post draws it, from synthetic data (analysis.testing.fixture_store),
so no market data is committed. Run from the project folder:

    python docs/images/make_post_picture.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from analysis.charts import plot_cumulative_returns, save_preview, source_line
from analysis.data import load_available
from analysis.metrics import to_cumulative_returns
from analysis.testing.fixture_store import AS_OF, BASE, build_fixture_store

OUT = Path(__file__).with_name("post-chart.png")
INDICES = ["^RUT", "^GSPC", "^IXIC"]


def main() -> None:
    """Build a fixture store in a temporary folder and save the chart as a PNG."""
    with tempfile.TemporaryDirectory() as tmp:
        store = build_fixture_store(Path(tmp) / "data")
        indices = load_available(INDICES, "close", store=store, through=AS_OF).frame
        cumulative = to_cumulative_returns(indices, BASE).loc[:AS_OF]
        provenances = [store.provenance(symbol) for symbol in INDICES]
        chart = plot_cumulative_returns(cumulative, source=source_line(provenances, as_of=AS_OF))
        save_preview(chart, OUT)
    print(f"{OUT}: {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
