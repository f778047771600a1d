"""``quarto render`` from a shell where the project's virtual environment is not active.

Quarto runs the pre-render step (``prerender.py``) and the posts' Jupyter kernel with
``QUARTO_PYTHON``, which ``_environment`` points at ``.venv/bin/python``; without ``.venv``
it falls back to ``python3`` on PATH, and ``prerender.py`` stops the build with one line
when that Python lacks the packages. The shell here has a PATH with no project Python on it
and no ``QUARTO_PYTHON`` or ``VIRTUAL_ENV``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from site_render import QUARTO, _build_store, _copy_project

from analysis.data.settings import PROJECT_ROOT
from analysis.site.new_post import create_post

LAUNCHER = PROJECT_ROOT / "prerender.py"
IN_A_VENV = sys.prefix != sys.base_prefix
ERROR_START = "error: Quarto runs "
LOCAL = "_environment.local"


def _launcher_module():
    spec = importlib.util.spec_from_file_location("prerender_launcher", LAUNCHER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


launcher = _launcher_module()


def _launcher_in(root: Path) -> Path:
    """A copy of the launcher in a project folder of its own (it pins relative to itself)."""
    (root / "posts" / "a-post").mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(LAUNCHER, root / "prerender.py"))


def _with_venv(root: Path) -> Path:
    """``root/.venv`` as the Python running the tests (``make`` would have created it)."""
    (root / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    return root / ".venv" / "bin" / "python"


def _fresh_env(path_dirs: list[str], data_dir: Path | None = None) -> dict[str, str]:
    """A login shell's environment: no virtual environment, no Python settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("QUARTO_PYTHON", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
        and not key.startswith(("ANALYSIS_", "PYTEST_"))
    }
    env["PATH"] = os.pathsep.join(path_dirs)
    if data_dir is not None:
        env["ANALYSIS_DATA_DIR"] = str(data_dir)
    return env


def _system_path() -> list[str]:
    """Quarto's folder and the system folders, none of which holds the project's Python."""
    return [str(Path(QUARTO).parent), "/usr/bin", "/bin"] if QUARTO else ["/usr/bin", "/bin"]


def _plain(output: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", output)


def _quarto_render(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """``quarto render`` with ``args``: its exit code and whole log, asserting nothing."""
    done = subprocess.run(
        [QUARTO, "render", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def _error_lines(output: str) -> list[str]:
    return [line for line in _plain(output).splitlines() if line.startswith("error:")]


# -- the launcher, without Quarto -------------------------------------------------------------


def test_launcher_in_a_python_without_the_packages_stops_with_one_line(tmp_path):
    # -S: no site-packages, the state of a system Python the project was never installed in.
    done = subprocess.run(
        [sys.executable, "-S", str(_launcher_in(tmp_path / "project")), "--offline"],
        cwd=tmp_path / "project",
        env=_fresh_env(["/usr/bin", "/bin"], tmp_path / "data"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(ERROR_START)
    assert "make site" in line and "source .venv/bin/activate" in line
    assert not (tmp_path / "data").exists()  # it stopped before touching the store


def test_launcher_runs_the_prerender_command_with_its_arguments(tmp_path):
    done = subprocess.run(
        [sys.executable, str(_launcher_in(tmp_path)), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m analysis prerender")
    assert "--offline" in done.stdout


def test_environment_file_points_quarto_at_the_project_venv():
    settings = dict(
        line.split("=", 1)
        for line in (PROJECT_ROOT / "_environment").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert settings["QUARTO_PYTHON"] == ".venv/bin/python"


# -- the project's Python by absolute path, for a render from any folder ----------------------


def test_the_pin_is_resolved_from_the_project_root_not_the_working_directory(tmp_path):
    root = tmp_path / "project"
    script = _launcher_in(root)
    python = _with_venv(root)
    done = subprocess.run(
        [str(python), str(script), "--pin-python"],
        cwd=root / "posts" / "a-post",  # as `make` would run it, but from a subfolder
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (root / LOCAL).read_text(encoding="utf-8") == (
        f"{launcher.PIN_MARK}\nQUARTO_PYTHON='{root / '.venv' / 'bin' / 'python'}'\n"
    )
    assert not (root / "posts" / "a-post" / LOCAL).exists()


def test_pinning_keeps_other_settings_and_a_readers_own_python(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    assert launcher.pin_python(root) is None  # no .venv: nothing to pin
    assert not (root / LOCAL).exists()
    python = _with_venv(root)
    (root / LOCAL).write_text("ANALYSIS_MAX_STALE_SESSIONS=3\n", encoding="utf-8")
    assert launcher.pin_python(root) == python
    pinned = (root / LOCAL).read_text(encoding="utf-8")
    assert pinned.startswith("ANALYSIS_MAX_STALE_SESSIONS=3\n") and pinned.count("QUARTO_") == 1
    assert launcher.pin_python(root) == python  # once only
    assert (root / LOCAL).read_text(encoding="utf-8") == pinned
    # A pin from where the project used to be is moved along with it.
    (root / LOCAL).write_text(pinned.replace(str(root), "/old/place"), encoding="utf-8")
    launcher.pin_python(root)
    assert (root / LOCAL).read_text(encoding="utf-8") == pinned
    # A QUARTO_PYTHON the reader wrote is theirs: never replaced.
    (root / LOCAL).write_text("QUARTO_PYTHON=/opt/conda/bin/python\n", encoding="utf-8")
    assert launcher.pin_python(root) is None
    assert (root / LOCAL).read_text(encoding="utf-8") == "QUARTO_PYTHON=/opt/conda/bin/python\n"


def test_the_project_venv_is_recognised_through_a_symlink(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    assert not launcher.runs_in_project_venv(root, sys.prefix)
    _with_venv(root)
    assert launcher.runs_in_project_venv(root, str(root / ".venv"))
    assert launcher.runs_in_project_venv(root, sys.prefix)
    assert not launcher.runs_in_project_venv(root, sys.base_prefix)


def test_a_render_from_a_subfolder_in_the_wrong_python_pins_the_venv_and_says_so(tmp_path):
    # What Quarto does from posts/<slug>/: .venv/bin/python is not found there, so python3
    # (here one without site-packages) runs the launcher, from the project root.
    root = tmp_path / "project"
    script = _launcher_in(root)
    python = _with_venv(root)
    done = subprocess.run(
        [sys.executable, "-S", str(script), "--offline"],
        cwd=root,
        env=_fresh_env(["/usr/bin", "/bin"], tmp_path / "data"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(ERROR_START) and "Traceback" not in done.stderr
    assert f"{python} is now pinned in {LOCAL}" in line and "again" in line
    assert f"QUARTO_PYTHON='{python}'" in (root / LOCAL).read_text(encoding="utf-8")
    assert not (tmp_path / "data").exists()


def test_a_python_chosen_by_absolute_path_is_not_second_guessed(tmp_path):
    # The shell names a Python that exists and lacks the packages: that choice is the
    # reader's, so the usual line, and no pin.
    root = tmp_path / "project"
    script = _launcher_in(root)
    _with_venv(root)
    env = {**_fresh_env(["/usr/bin", "/bin"]), "QUARTO_PYTHON": sys.executable}
    done = subprocess.run(
        [sys.executable, "-S", str(script), "--offline"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(ERROR_START) and "make site" in line
    assert not (root / LOCAL).exists()


@pytest.mark.parametrize(
    ("named", "misdirected"),
    [
        (None, True),
        (".venv/bin/python", True),  # _environment's, from a subfolder
        ("/no/such/place/.venv/bin/python", True),  # a pin the project moved away from
        (sys.executable, False),
    ],
)
def test_a_fallback_python_is_told_from_a_chosen_one(named, misdirected):
    environ = {} if named is None else {"QUARTO_PYTHON": named}
    assert launcher.misdirected(environ) is misdirected


def test_the_launcher_pins_the_venv_it_runs_in(tmp_path):
    root = tmp_path / "project"
    script = _launcher_in(root)
    python = _with_venv(root)
    done = subprocess.run(
        [str(python), str(script), "--help"], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert f"QUARTO_PYTHON='{python}'" in (root / LOCAL).read_text(encoding="utf-8")


def test_make_pins_the_venv_it_creates():
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("$(BIN)/python:\n")[1].split("\n\n")[0].splitlines()
    assert recipe[-1] == "\t$(BIN)/python prerender.py --pin-python"
    ignored = (PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert f"/{LOCAL}" in ignored


# -- quarto render from a fresh shell ----------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the project with one new post, and the fixture store."""
    root = tmp_path_factory.mktemp("fresh") / "project"
    root.mkdir()
    _copy_project(PROJECT_ROOT, root)
    post = create_post("Fresh shell", symbols=["IWM"], date="2026-03-20", posts_dir=root / "posts")
    data_dir = tmp_path_factory.mktemp("fresh-data")
    _build_store(root, data_dir)
    return root, post.relative_to(root), data_dir


@pytest.mark.quarto
@pytest.mark.skipif(QUARTO is None, reason="quarto is not on PATH (see the README's set-up)")
@pytest.mark.skipif(not IN_A_VENV, reason="the tests do not run in a virtual environment")
def test_render_from_a_fresh_shell_uses_the_project_venv(project):
    root, post, data_dir = project
    (root / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    try:
        code, log = _quarto_render(
            [str(post), "--profile", "offline"], root, _fresh_env(_system_path(), data_dir)
        )
    finally:
        (root / ".venv").unlink()
    assert code == 0, log[-4000:]
    # Quarto says nothing about QUARTO_PYTHON: the path _environment names exists.
    assert [line for line in _plain(log).splitlines() if line.startswith("WARN")] == []
    page = root / "_site" / post.parent / "index.html"
    # The chart cell ran in the kernel: its figure and data file are on the page.
    assert "figures/returns.svg" in page.read_text(encoding="utf-8")


@pytest.mark.quarto
@pytest.mark.skipif(QUARTO is None, reason="quarto is not on PATH (see the README's set-up)")
def test_render_without_a_venv_stops_with_one_line(project, tmp_path):
    root, post, data_dir = project
    # The only python3 on PATH is a bare one, as on a machine the project was never set up on.
    bare = tmp_path / "bare"
    venv.EnvBuilder(with_pip=False).create(bare)
    code, log = _quarto_render(
        [str(post), "--profile", "offline"],
        root,
        _fresh_env([str(bare / "bin"), *_system_path()], data_dir),
    )
    assert code != 0
    assert "Traceback" not in log and "ModuleNotFoundError" not in log
    (line,) = _error_lines(log)
    assert line.startswith(ERROR_START + str(bare / "bin" / "python"))
    assert "make site" in line


@pytest.mark.quarto
@pytest.mark.skipif(QUARTO is None, reason="quarto is not on PATH (see the README's set-up)")
@pytest.mark.skipif(not IN_A_VENV, reason="the tests do not run in a virtual environment")
def test_render_from_a_posts_own_folder_once_make_has_pinned_the_venv(project):
    root, post, data_dir = project
    python = _with_venv(root)
    try:
        pinned = subprocess.run(
            [str(python), "prerender.py", "--pin-python"], cwd=root, capture_output=True
        )
        assert pinned.returncode == 0, pinned.stderr
        code, log = _quarto_render(
            ["--profile", "offline"], root / post.parent, _fresh_env(_system_path(), data_dir)
        )
    finally:
        (root / ".venv").unlink()
        (root / LOCAL).unlink(missing_ok=True)
    assert code == 0, log[-4000:]
    assert [line for line in _plain(log).splitlines() if line.startswith("WARN")] == []
    page = root / "_site" / post.parent / "index.html"
    assert "figures/returns.svg" in page.read_text(encoding="utf-8")
