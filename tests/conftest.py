"""Shared test helpers: provenance records, and real reference series (opt-in)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from run_once import once_per_run

from analysis.data.clock import SimulatedClock, default_clock
from analysis.data.store import Provenance
from analysis.fetch.sources.pacing import reset_pacers


@pytest.fixture(autouse=True)
def simulated_time():
    """Every test runs on a simulated clock with fresh pacers: nothing really sleeps.

    The pacers, the retries and the fakes all read the process clock, so a test that sends
    many requests, or is rate-limited, takes simulated minutes, not real ones.
    """
    previous = default_clock()
    clock = SimulatedClock()
    reset_pacers(clock)
    yield clock
    reset_pacers(previous)


# Modules whose tests share an expensive module-scoped fixture (a post executed, the site
# rendered several times): under pytest-xdist one worker runs each of them whole, so that
# fixture is built once. Every other test is scheduled on its own, wherever a worker is free.
WHOLE_MODULES = ("test_seed_post.py", "test_freeze_render.py", "test_fresh_shell.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``-n`` without ``--dist``: xdist's load scheduling, with ``WHOLE_MODULES`` kept whole.

    (``--dist loadgroup`` with ``xdist_group`` marks would say the same, but pytest-xdist
    3.8 cannot group on pytest 9.2: pytest-dev/pytest-xdist#1386.)
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class WholeModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module.rsplit("/", 1)[-1] in WHOLE_MODULES else nodeid

    return WholeModuleScheduling(config, log)


# Where each symbol's real daily series lies in the reference-data folder
# (one sub-folder per public repository the series were copied from).
REFERENCE_FILES = {
    "^RUT": "alitalbi_storage_data_fy/IDX_RUT.csv",
    "^GSPC": "guydekowski_market-lab/GSPC.csv",
    "^IXIC": "guydekowski_market-lab/IXIC.csv",
    "IWM": "alitalbi_storage_data_fy/IWM.csv",
    "AAPL": "guydekowski_market-lab/AAPL.csv",
    "MSFT": "guydekowski_market-lab/MSFT.csv",
    "AMZN": "guydekowski_market-lab/AMZN.csv",
    "META": "guydekowski_market-lab/META.csv",
    "NVDA": "guydekowski_market-lab/NVDA.csv",
    "CL=F": "alitalbi_storage_data_fy/CL_F.csv",
    "NG=F": "alitalbi_storage_data_fy/NG_F.csv",
    "fred:DFEDTARU": "jonsflow_risk-model/DFEDTARU.csv",
    "fred:DFEDTARL": "jonsflow_risk-model/DFEDTARL.csv",
    "fred:DCOILWTICO": "Jellydidy_macro-watch/DCOILWTICO.csv",
}


def make_provenance(symbol: str, last_bar: str, **fields) -> Provenance:
    """A provenance record for presentation tests; any field can be overridden."""
    defaults = {
        "source": "Yahoo Finance via yfinance",
        "kind": "ohlcv",
        "first_bar": "2000-01-03",
        "rows": 10,
        "fetched_at": "2026-01-16T23:00:00+00:00",
        "checksum": "sha256:0",
        "data_file": "x.parquet",
    }
    return Provenance(symbol=symbol, last_bar=last_bar, **{**defaults, **fields})


def reference_folder() -> Path:
    """The folder ANALYSIS_REFERENCE_DATA names; skips the test when it is not set."""
    folder = os.environ.get("ANALYSIS_REFERENCE_DATA")
    if not folder or not Path(folder).is_dir():
        pytest.skip("set ANALYSIS_REFERENCE_DATA to the reference-data folder to run")
    return Path(folder)


@pytest.fixture(scope="session")
def reference_store(tmp_path_factory) -> Path:
    """A store holding every reference series, imported with ``python -m analysis import``.

    Imported once per test run, whatever the number of xdist workers (``run_once``).
    """
    folder = reference_folder()

    def build(into: Path) -> Path:
        root = into / "data"
        env = {**os.environ, "ANALYSIS_DATA_DIR": str(root)}
        for symbol, relative in REFERENCE_FILES.items():
            command = [sys.executable, "-m", "analysis", "import", str(folder / relative)]
            done = subprocess.run(
                [*command, "--symbol", symbol], capture_output=True, text=True, env=env, check=False
            )
            assert done.returncode == 0, done.stderr
        return root

    return once_per_run(tmp_path_factory, "reference", build)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The whole site rendered once with Quarto from the fixture store (``site_render``).

    Rendered once per test run, whatever the number of xdist workers (``run_once``).
    """
    from site_render import QUARTO, render_site

    if QUARTO is None:
        pytest.skip("quarto is not on PATH (see the README's set-up)")
    return once_per_run(tmp_path_factory, "site", render_site)
