"""The package's layering, checked by import-linter, and posts importing only public modules.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``). Each test that breaks
one runs ``lint-imports`` on a copy of the package with one import planted, so the proof
that a contract fails is made on the real configuration, not on a stand-in.
"""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.data.settings import PROJECT_ROOT
from analysis.site.notebook import qmd_to_notebook

LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
PUBLIC_MODULES = {"analysis.data", "analysis.metrics", "analysis.charts", "analysis.claims"}
PUBLIC_MODULES |= {"analysis.post"}
LAYERS_CONTRACT = (
    "analysis is layered: cli > site > charts | post | fetch > claims > metrics > data > text"
)
FETCHING_CONTRACT = "Only site and cli import the fetching side (analysis.fetch)"
TESTING_CONTRACT = "Only tests, benchmarks and analysis.testing itself import analysis.testing"

needs_import_linter = pytest.mark.skipif(
    LINT_IMPORTS is None, reason="import-linter is not installed (it is in the test extra)"
)


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the package under ``root``, with ``root`` first on the path."""
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=root,
        # Wide enough that no contract name or import chain wraps.
        env={"PYTHONPATH": str(root), "PATH": str(Path(sys.executable).parent), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        check=False,
    )


def package_copy(tmp_path: Path) -> Path:
    """The package and its import-linter configuration, copied under ``tmp_path``."""
    shutil.copytree(
        PROJECT_ROOT / "analysis",
        tmp_path / "analysis",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    shutil.copy2(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@needs_import_linter
def test_the_package_keeps_its_contracts():
    result = lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{LAYERS_CONTRACT} KEPT" in result.stdout
    assert f"{TESTING_CONTRACT} KEPT" in result.stdout
    assert f"{FETCHING_CONTRACT} KEPT" in result.stdout


@needs_import_linter
def test_the_copy_the_failing_cases_run_on_keeps_its_contracts(tmp_path):
    root = package_copy(tmp_path)
    result = lint_imports(root)
    assert result.returncode == 0, result.stdout + result.stderr


# (module, planted line, contract broken, what the report says)
VIOLATIONS = [
    pytest.param(
        "data/notices.py",
        "import analysis.charts",
        LAYERS_CONTRACT,
        "analysis.data.notices -> analysis.charts",
        id="data-imports-charts",
    ),
    pytest.param(
        "text.py",
        "from analysis.metrics.returns import calc_lead",
        LAYERS_CONTRACT,
        "analysis.text -> analysis.metrics.returns",
        id="text-imports-metrics",
    ),
    pytest.param(
        "charts/style.py",
        "from analysis.post import read_window",
        LAYERS_CONTRACT,
        "analysis.charts.style -> analysis.post",
        id="charts-imports-post-its-independent-sibling",
    ),
    pytest.param(
        "claims/check.py",
        "import analysis.site.new_post",
        LAYERS_CONTRACT,
        "analysis.claims.check -> analysis.site.new_post",
        id="claims-imports-site",
    ),
    pytest.param(
        "metrics/returns.py",
        "from analysis.fetch.update import update_series",
        FETCHING_CONTRACT,
        "analysis.metrics.returns -> analysis.fetch.update",
        id="metrics-imports-the-fetching-side",
    ),
    pytest.param(
        "data/load.py",
        "import analysis.fetch.sources.yahoo",
        FETCHING_CONTRACT,
        "analysis.data.load -> analysis.fetch.sources.yahoo",
        id="data-imports-a-source",
    ),
    pytest.param(
        "charts/style.py",
        "from analysis.fetch.universe import update_universe",
        FETCHING_CONTRACT,
        "analysis.charts.style -> analysis.fetch.universe",
        id="charts-imports-the-universe-fetch",
    ),
    pytest.param(
        "metrics/returns.py",
        "from analysis.testing.fixture_store import build_fixture_store",
        TESTING_CONTRACT,
        "analysis.metrics.returns -> analysis.testing.fixture_store",
        id="metrics-imports-testing",
    ),
]


@needs_import_linter
@pytest.mark.parametrize(("module", "line", "contract", "report"), VIOLATIONS)
def test_a_planted_import_breaks_its_contract_with_the_contracts_message(
    tmp_path, module, line, contract, report
):
    root = package_copy(tmp_path)
    path = root / "analysis" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # planted\n", encoding="utf-8")
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract} BROKEN" in result.stdout
    assert report in result.stdout
    # The fetching side sits in a layer above metrics, claims and data, and beside charts
    # and post: an import of it from those breaks the layers contract as well.
    broken = 2 if contract == FETCHING_CONTRACT else 1
    assert f"Contracts: {3 - broken} kept, {broken} broken." in result.stdout


@needs_import_linter
def test_a_new_top_level_module_must_be_given_a_layer(tmp_path):
    root = package_copy(tmp_path)
    (root / "analysis" / "helpers.py").write_text('"""Somewhere outside the layers."""\n')
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{LAYERS_CONTRACT} BROKEN" in result.stdout
    assert "analysis.helpers" in result.stdout


@needs_import_linter
def test_the_broken_layers_contract_says_how_to_fix_it(tmp_path):
    root = package_copy(tmp_path)
    path = root / "analysis" / "data" / "load.py"
    path.write_text(path.read_text(encoding="utf-8") + "\nimport analysis.cli  # planted\n")
    result = lint_imports(root)
    assert "Move the function it needs down to the lowest" in result.stdout


# -- posts import only the five public modules --------------------------------------------

POST_SOURCES = sorted(
    [
        *(PROJECT_ROOT / "posts").glob("*/index.qmd"),
        *(PROJECT_ROOT / "posts").glob("*/headline.py"),
        PROJECT_ROOT / "analysis" / "site" / "templates" / "post.qmd",
    ]
)
# The template's ${placeholders}, which new-post fills in, stand for a Python value.
PLACEHOLDER = re.compile(r"\$\{\w+\}")


def python_of(path: Path) -> str:
    """The Python a post runs: its code cells, in order (a ``.py`` file whole)."""
    if path.suffix == ".py":
        return path.read_text(encoding="utf-8")
    cells = qmd_to_notebook(path).cells
    code = "\n\n".join(cell.source for cell in cells if cell.cell_type == "code")
    return PLACEHOLDER.sub("_", code)


def private_imports(code: str) -> list[str]:
    """Every ``analysis`` module the code imports that is not one of the public five."""
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "analysis":
                modules = [f"analysis.{alias.name}" for alias in node.names]
            else:
                modules = [node.module]
        else:
            continue
        found += [
            name
            for name in modules
            if (name == "analysis" or name.startswith("analysis.")) and name not in PUBLIC_MODULES
        ]
    return found


def test_the_seed_post_and_the_template_are_among_the_checked_sources():
    names = {path.relative_to(PROJECT_ROOT).as_posix() for path in POST_SOURCES}
    assert "posts/2026-01-18-small-caps-lead/index.qmd" in names
    assert "posts/2026-01-18-small-caps-lead/headline.py" in names
    assert "analysis/site/templates/post.qmd" in names


@pytest.mark.parametrize(
    "path", POST_SOURCES, ids=[p.relative_to(PROJECT_ROOT).as_posix() for p in POST_SOURCES]
)
def test_posts_import_only_the_public_modules(path):
    code = python_of(path)
    assert "from analysis" in code  # the cells were found
    assert private_imports(code) == [], f"{path.name} imports internal modules"


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("from analysis.data import load_series", []),
        ("import analysis.charts as ch", []),
        ("from analysis import claims, post", []),
        ("from analysis.data.load import load_series", ["analysis.data.load"]),
        ("import analysis.metrics.returns", ["analysis.metrics.returns"]),
        ("from analysis import text", ["analysis.text"]),
        ("import analysis", ["analysis"]),
        ("def f():\n    from analysis.site import notebook", ["analysis.site"]),
        ("from analysisx import y\nfrom .analysis import z", []),
    ],
)
def test_the_post_check_tells_public_from_internal_imports(code, found):
    assert private_imports(code) == found


def test_a_post_cell_importing_an_internal_module_is_caught(tmp_path):
    post = tmp_path / "index.qmd"
    post.write_text(
        "---\ntitle: x\n---\n\nProse.\n\n```{python}\nfrom analysis.data import open_store\n```\n"
        "\nMore prose.\n\n```{python}\n#| echo: false\n"
        "from analysis.charts.style import new_figure\n```\n"
    )
    assert private_imports(python_of(post)) == ["analysis.charts.style"]
