"""The package's public surface, and the promise that importing it does nothing."""

import importlib
import subprocess
import sys

import pytest

PUBLIC_MODULES = [
    "analysis.data",
    "analysis.metrics",
    "analysis.charts",
    "analysis.claims",
    "analysis.post",
]


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_name_resolves_and_is_listed_in_the_docstring(module_name):
    module = importlib.import_module(module_name)
    assert module.__all__, f"{module_name} lists no public names"
    for name in module.__all__:
        assert getattr(module, name) is not None
    functions = [n for n in module.__all__ if callable(getattr(module, n)) and n[0].islower()]
    undocumented = [n for n in functions if n not in (module.__doc__ or "")]
    assert not undocumented, f"{module_name}'s docstring does not mention {undocumented}"


def test_import_loads_neither_pandas_nor_matplotlib_nor_changes_rcparams():
    code = (
        "import sys, analysis; "
        "assert 'pandas' not in sys.modules and 'matplotlib' not in sys.modules; "
        "import matplotlib as mpl, pandas as pd; before = dict(mpl.rcParams); "
        "opts = pd.get_option('display.max_rows'); "
        "import analysis.charts, analysis.metrics, analysis.data, analysis.claims, analysis.post; "
        "assert dict(mpl.rcParams) == before and pd.get_option('display.max_rows') == opts"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
