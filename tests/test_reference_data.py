"""Opt-in: real daily series imported through the command line give known values.

Skipped unless ANALYSIS_REFERENCE_DATA names a folder laid out like the project's
reference data (one sub-folder per public repository the series were copied from).
"""

import json
import os
import subprocess
import sys

import pytest
from conftest import REFERENCE_FILES

from analysis.data.store import Store

pytestmark = pytest.mark.reference_data


@pytest.fixture(scope="module")
def imported(reference_store):
    env = {**os.environ, "ANALYSIS_DATA_DIR": str(reference_store)}
    status = subprocess.run(
        [sys.executable, "-m", "analysis", "status", "--format", "json"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    return Store(reference_store), json.loads(status.stdout)


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
    assert set(by_symbol) == set(REFERENCE_FILES)
    assert by_symbol["^RUT"]["source"] == "imported from IDX_RUT.csv"
    assert by_symbol["^RUT"]["first bar"] == "1987-09-10"
