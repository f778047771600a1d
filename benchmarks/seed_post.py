"""The seed post's offline execution time against its floor, and the kernel's peak memory.

The post runs through nbclient as Quarto's Jupyter engine runs it (kernel start, every cell,
the inline expressions) against the fixture store, offline. Its floor is the same kernel
doing only what no version of the post can avoid: start, import the libraries the post
imports, and read the same series (and index members) from the store. The ratio of the two
is what the post's own computing and charting costs; the target is at most 1.5.

Each measurement runs in its own process, so the kernel's peak resident memory can be read
from that process's finished children. Runs alternate between the post and the floor and
the median is reported.

Run: ``python benchmarks/seed_post.py`` (``--runs 5`` for steadier numbers, ``--store DIR``
to use an existing store, e.g. imported reference data). No network is used.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SLUG = "2026-01-18-small-caps-lead"
POST_DIR = ROOT / "posts" / SLUG
TARGET_RATIO = 1.5

FLOOR_TEMPLATE = """\
---
series: []
---

```{{python}}
# The floor: the post's imports (with the matplotlib backends saving a chart loads), and
# a read of every series it reads.
import matplotlib.backends.backend_agg, matplotlib.backends.backend_svg
import pandas as pd

import analysis.charts, analysis.claims, analysis.metrics, analysis.post
from analysis.data import load_universe, open_store

store = open_store()
frames = {{s: store.read(s) for s in {series!r} if s in store}}
universe = load_universe(store)
```
"""


def _post_copy(folder: Path) -> Path:
    target = folder / SLUG
    target.mkdir(parents=True, exist_ok=True)
    for name in ("index.qmd", "headline.py"):
        shutil.copy2(POST_DIR / name, target / name)
    return target / "index.qmd"


def _floor_copy(folder: Path) -> Path:
    from analysis.data.frontmatter import read_front_matter

    series = read_front_matter(POST_DIR / "index.qmd")["series"]
    target = folder / "floor"
    target.mkdir(parents=True, exist_ok=True)
    path = target / "index.qmd"
    path.write_text(FLOOR_TEMPLATE.format(series=series), encoding="utf-8")
    return path


def run_once(path: Path, store: Path) -> dict:
    """Execute one document; its wall time and the kernel's peak resident memory."""
    from analysis.site.notebook import execute_post

    env = {"ANALYSIS_OFFLINE": "1", "ANALYSIS_DATA_DIR": str(store)}
    start = time.perf_counter()
    result = execute_post(path, env=env)
    seconds = time.perf_counter() - start
    if result.errors():
        raise SystemExit(f"{path}: {result.errors()}")
    # The kernel has exited and been waited for: it is this process's largest child.
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": seconds,
        "chart_seconds": _chart_seconds(result.notebook),
        "kernel_peak_mib": peak_kib / 1024,
    }


def _chart_seconds(notebook) -> float:
    """Time the kernel spent in cells that draw and save a chart (nbclient's timings)."""
    total = 0.0
    for cell in notebook.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        if cell.cell_type != "code" or "save_chart(" not in cell.source:
            continue
        started = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        ended = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
        total += (ended - started).total_seconds()
    return total


def _measure(kind: str, path: Path, store: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--one", str(path), "--store", str(store)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median shown)")
    parser.add_argument("--store", type=Path, help="an existing store (default: the fixture)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_once(args.one, args.store)))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = args.store
        if store is None:
            from analysis.testing.fixture_store import build_fixture_store

            store = tmp / "data"
            started = time.perf_counter()
            build_fixture_store(store)
            print(f"fixture store built in {time.perf_counter() - started:.1f} s: {store}")
        documents = {"post": _post_copy(tmp), "floor": _floor_copy(tmp)}
        results = {"post": [], "floor": []}
        for _ in range(args.runs):
            for kind, path in documents.items():
                results[kind].append(_measure(kind, path, store))

    def median(kind, key):
        return statistics.median(r[key] for r in results[kind])

    post, floor = median("post", "seconds"), median("floor", "seconds")
    charts = median("post", "chart_seconds")
    ratio = post / floor
    print(f"runs: {args.runs} of each, median shown (kernel start included in both)")
    print(f"{'':8}{'wall s':>9}{'in chart cells s':>18}{'kernel peak MiB':>18}")
    for kind in ("post", "floor"):
        print(
            f"{kind:8}{median(kind, 'seconds'):9.2f}{median(kind, 'chart_seconds'):18.2f}"
            f"{median(kind, 'kernel_peak_mib'):18.0f}"
        )
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    print(f"ratio post / floor: {ratio:.2f}x ({verdict} the {TARGET_RATIO}x target)")
    print(f"ratio without the chart cells: {(post - charts) / floor:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
