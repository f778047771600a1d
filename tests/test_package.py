"""The package's public surface, and the promise that importing it does nothing."""

import subprocess
import sys

import analysis


def test_every_public_name_resolves():
    for name in analysis.__all__:
        assert getattr(analysis, name) is not None


def test_import_loads_neither_pandas_nor_matplotlib_nor_changes_rcparams():
    code = (
        "import sys, analysis; "
        "assert 'pandas' not in sys.modules and 'matplotlib' not in sys.modules; "
        "import matplotlib as mpl, pandas as pd; before = dict(mpl.rcParams); "
        "opts = pd.get_option('display.max_rows'); "
        "import analysis.charts, analysis.metrics, analysis.load; "
        "assert dict(mpl.rcParams) == before and pd.get_option('display.max_rows') == opts"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
