"""Run a post's code without Quarto, the way Quarto's Jupyter engine does.

A ``.qmd`` becomes a notebook: each ```` ```{python} ```` block is a code cell (its ``#|``
option lines kept), the prose between them markdown cells. The notebook runs in a Jupyter
kernel through ``nbclient`` with the post's folder as working directory, as Quarto does.
Inline expressions (```` `{python} expr` ````) are evaluated afterwards in the same kernel,
so tests can compare what the prose would print with what the metric functions return.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

_CODE_FENCE = re.compile(r"^(?P<fence>`{3,})\{python(?P<attrs>[^}]*)\}\s*$")
_INLINE = re.compile(r"(?<!`)`\{python\}[ \t]+(?P<expr>[^`\n]+)`(?!`)")
_FRONT_MATTER_END = re.compile(r"^(---|\.\.\.)\s*$")
_INLINE_MARKER = "__inline_values__"


@dataclass
class ExecutedPost:
    """A post's executed notebook and the text its inline expressions produced."""

    notebook: nbformat.NotebookNode
    inline_values: dict[str, str]

    def errors(self) -> list[str]:
        """Error outputs of any cell (empty when the post ran cleanly)."""
        return [
            f"{output.get('ename')}: {output.get('evalue')}"
            for cell in self.notebook.cells
            if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if output.get("output_type") == "error"
        ]

    def outputs_of_type(self, mime: str) -> list:
        """Every output payload of one MIME type, in cell order."""
        return [
            output["data"][mime]
            for cell in self.notebook.cells
            if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if mime in output.get("data", {})
        ]


def inline_expressions(text: str) -> list[str]:
    """The inline ``{python}`` expressions of a document, in order, without repeats."""
    return list(dict.fromkeys(m.group("expr").strip() for m in _INLINE.finditer(text)))


def qmd_to_notebook(path: Path) -> nbformat.NotebookNode:
    """Split a ``.qmd`` into markdown and Python code cells (front matter dropped)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    body_start = 0
    if lines and lines[0].strip() == "---":
        body_start = next(
            (i + 1 for i, line in enumerate(lines[1:], 1) if _FRONT_MATTER_END.match(line)),
            len(lines),
        )
    cells, prose, code, fence = [], [], None, None
    for line in lines[body_start:]:
        if code is None:
            match = _CODE_FENCE.match(line)
            if match:
                if "".join(prose).strip():
                    cells.append(nbformat.v4.new_markdown_cell("\n".join(prose).strip("\n")))
                prose, code, fence = [], [], match.group("fence")
            else:
                prose.append(line)
        elif line.strip() == fence:
            cells.append(nbformat.v4.new_code_cell("\n".join(code)))
            code, fence = None, None
        else:
            code.append(line)
    if code is not None:
        raise ValueError(f"{path}: a ```{{python}} block is not closed")
    if "".join(prose).strip():
        cells.append(nbformat.v4.new_markdown_cell("\n".join(prose).strip("\n")))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return notebook


def execute_post(
    path: Path, *, env: dict[str, str] | None = None, timeout: int = 600
) -> ExecutedPost:
    """Execute a post's code cells and inline expressions in a fresh kernel.

    Parameters
    ----------
    path : Path
        The post's ``index.qmd``.
    env : dict, optional
        Extra environment variables for the kernel (e.g. ``ANALYSIS_OFFLINE=1`` and
        ``ANALYSIS_DATA_DIR`` pointing at a fixture store).
    timeout : int
        Seconds any one cell may run.

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        A cell raised; the message carries the cell and the traceback.
    """
    path = Path(path).resolve()
    notebook = qmd_to_notebook(path)
    expressions = inline_expressions(path.read_text(encoding="utf-8"))
    notebook.cells.append(nbformat.v4.new_code_cell(_inline_cell_source(expressions)))
    kernel_env = {**os.environ, **(env or {})}
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env=kernel_env)  # passed through to the kernel manager's start_kernel
    return ExecutedPost(notebook, _read_inline_values(notebook.cells[-1]))


def _inline_cell_source(expressions: list[str]) -> str:
    # Quarto shows a Markdown object's markdown and any other value's str().
    return "\n".join(
        [
            "import json as _json",
            "def _inline_text(value):",
            "    return value.data if hasattr(value, '_repr_markdown_') else str(value)",
            f"print({_INLINE_MARKER!r} + _json.dumps({{",
            *(f"    {expr!r}: _inline_text({expr})," for expr in expressions),
            "}))",
        ]
    )


def _read_inline_values(cell) -> dict[str, str]:
    for output in cell.get("outputs", []):
        text = output.get("text", "")
        if output.get("name") == "stdout" and _INLINE_MARKER in text:
            return json.loads(text.split(_INLINE_MARKER, 1)[1])
    return {}


__all__ = [
    "CellExecutionError",
    "ExecutedPost",
    "execute_post",
    "inline_expressions",
    "qmd_to_notebook",
]
