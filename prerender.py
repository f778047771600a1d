"""Quarto's pre-render step: ``python -m analysis prerender`` in the project's environment.

Quarto runs a ``.py`` pre-render script with the Python it also starts the posts' Jupyter
kernel from: ``QUARTO_PYTHON`` (``_environment`` points it at ``.venv/bin/python``), else
``python3`` on PATH. When that Python lacks the project's packages, the pre-render step and
then every post would stop on a ``ModuleNotFoundError`` traceback; this stops the build
first, with one line saying what to do. Standard library only, so any Python can run it.
"""

import sys

REMEDY = "run `make site`, or `source .venv/bin/activate` before `quarto render`"


def main(argv: list[str]) -> int:
    """Run the pre-render command, or explain in one line why this Python cannot."""
    try:
        import ipykernel  # noqa: F401  (the posts' kernel)

        from analysis.cli import main as cli
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] == "analysis":
            raise  # a broken package is a bug to show in full, not a set-up problem
        print(
            f"error: Quarto runs {sys.executable}, which lacks the module {exc.name!r} "
            f"the posts need: {REMEDY}",
            file=sys.stderr,
        )
        return 1
    return cli(["prerender", *argv])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
