"""Opt-in: real daily series imported through the command line give known values.

Skipped unless ANALYSIS_REFERENCE_DATA names a folder laid out like the project's
reference data (one sub-folder per public repository the series were copied from).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.store import Store

pytestmark = pytest.mark.reference_data

REFERENCE = os.environ.get("ANALYSIS_REFERENCE_DATA")
IMPORTS = {
    "^RUT": "alitalbi_storage_data_fy/IDX_RUT.csv",
    "IWM": "alitalbi_storage_data_fy/IWM.csv",
    "^GSPC": "guydekowski_market-lab/GSPC.csv",
    "^IXIC": "heliar-k_market-base/IXIC.csv",
    "fred:DFEDTARU": "jonsflow_risk-model/DFEDTARU.csv",
    "fred:DCOILWTICO": "Jellydidy_macro-watch/DCOILWTICO.csv",
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    if not REFERENCE or not Path(REFERENCE).is_dir():
        pytest.skip("set ANALYSIS_REFERENCE_DATA to the reference-data folder to run")
    root = tmp_path_factory.mktemp("reference") / "data"
    env = {**os.environ, "ANALYSIS_DATA_DIR": str(root)}
    for symbol, relative in IMPORTS.items():
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "analysis",
                "import",
                str(Path(REFERENCE) / relative),
                "--symbol",
                symbol,
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    status = subprocess.run(
        [sys.executable, "-m", "analysis", "status", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return Store(root), json.loads(status.stdout)


def test_known_closes(imported):
    store, _ = imported
    assert round(store.read("^RUT").loc["2025-12-31", "close"], 2) == 2481.91
    assert round(store.read("^RUT").loc["2026-01-16", "close"], 2) == 2677.74
    assert round(store.read("IWM").loc["2025-12-31", "close"], 2) == 246.16
    assert round(store.read("^GSPC").loc["2025-12-31", "close"], 2) == 6845.50


def test_fed_funds_upper_bound_after_the_december_2025_cut(imported):
    store, _ = imported
    upper = store.read("fred:DFEDTARU")["value"]
    assert upper.loc["2025-12-10"] == 4.00
    assert upper.loc["2025-12-11"] == 3.75


def test_status_lists_every_import_with_its_file(imported):
    _, rows = imported
    by_symbol = {row["symbol"]: row for row in rows}
    assert set(by_symbol) == set(IMPORTS)
    assert by_symbol["^RUT"]["source"] == "imported from IDX_RUT.csv"
    assert by_symbol["^RUT"]["first bar"] == "1987-09-10"
