"""Quarto's pre-render step: ``python -m analysis prerender`` in the project's environment.

Quarto runs a ``.py`` pre-render script with the Python it also starts the posts' Jupyter
kernel from: ``QUARTO_PYTHON`` (``_environment`` points it at ``.venv/bin/python``), else
``python3`` on PATH. When that Python lacks the project's packages, the pre-render step and
then every post would stop on a ``ModuleNotFoundError`` traceback; this stops the build
first, with one line saying what to do. Standard library only, so any Python can run it.

``_environment``'s ``.venv/bin/python`` is relative, and Quarto resolves it from the folder
``quarto render`` runs in: from ``posts/<slug>/`` it finds nothing and falls back to
``python3``. So the absolute path of the project's ``.venv`` Python is pinned in
``_environment.local`` (git-ignored; Quarto reads it before ``_environment``): by
``make`` when it creates ``.venv`` (``prerender.py --pin-python``), and by this step whenever
it runs in that Python. A render from a subfolder before any pin stops with one line, after
writing the pin, so the next render works from any folder. Paths are resolved from this
file's folder, the project root, never from the working directory.
"""

import os
import sys
from pathlib import Path

REMEDY = "run `make site`, or `source .venv/bin/activate` before `quarto render`"
ROOT = Path(__file__).resolve().parent
PIN_FLAG = "--pin-python"
LOCAL_ENVIRONMENT = "_environment.local"
PIN_MARK = "# Pinned by prerender.py: the project's Python by absolute path, for any folder."


def venv_python(root: Path = ROOT) -> Path:
    """The project's virtual environment's Python, by absolute path from the project root."""
    return root / ".venv" / "bin" / "python"


def runs_in_project_venv(root: Path = ROOT, prefix: str = sys.prefix) -> bool:
    """Whether this Python is the project's ``.venv`` (through any symlink)."""
    venv = root / ".venv"
    return venv.is_dir() and Path(prefix).resolve() == venv.resolve()


def pin_python(root: Path = ROOT) -> Path | None:
    """Write the project's ``.venv`` Python into ``_environment.local``; return the path pinned.

    Nothing is written when there is no ``.venv``, or when ``_environment.local`` sets
    ``QUARTO_PYTHON`` itself (a line without this step's mark is the reader's own choice).
    Other lines of the file are kept.
    """
    python = venv_python(root)
    if not python.exists():
        return None
    path = root / LOCAL_ENVIRONMENT
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    pinned = [PIN_MARK, f"QUARTO_PYTHON='{python}'"]
    for i, line in enumerate(lines):
        if line.strip().startswith("QUARTO_PYTHON"):
            if i == 0 or lines[i - 1] != PIN_MARK:
                return None
            if lines[i - 1 : i + 1] == pinned:
                return python
            del lines[i - 1 : i + 1]
            break
    text = "\n".join([*lines, *pinned]) + "\n"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return python


def misdirected(environ=os.environ) -> bool:
    """Whether Quarto fell back from a ``QUARTO_PYTHON`` it could not find (or none is set).

    A relative one (``_environment``'s, from a subfolder) or a pinned one the project has
    moved away from; an absolute one that exists is a choice this step must not override.
    """
    named = environ.get("QUARTO_PYTHON")
    return not named or not Path(named).is_absolute() or not Path(named).exists()


def main(argv: list[str]) -> int:
    """Run the pre-render command, or explain in one line why this Python cannot."""
    if argv == [PIN_FLAG]:
        pinned = pin_python()
        print(f"QUARTO_PYTHON in {LOCAL_ENVIRONMENT}: {pinned or 'unchanged'}")
        return 0
    if runs_in_project_venv():
        pin_python()
    try:
        import ipykernel  # noqa: F401  (the posts' kernel)

        from analysis.cli import main as cli
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] == "analysis":
            raise  # a broken package is a bug to show in full, not a set-up problem
        if misdirected() and not runs_in_project_venv() and (pinned := pin_python()):
            print(
                f"error: Quarto runs {sys.executable}, not the project's Python: _environment's "
                f"QUARTO_PYTHON is relative to the folder quarto render runs in; {pinned} is "
                f"now pinned in {LOCAL_ENVIRONMENT}, so run quarto render again (from any folder)",
                file=sys.stderr,
            )
            return 1
        print(
            f"error: Quarto runs {sys.executable}, which lacks the module {exc.name!r} "
            f"the posts need: {REMEDY}",
            file=sys.stderr,
        )
        return 1
    return cli(["prerender", *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
