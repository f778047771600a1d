"""Run a post's code without Quarto, the way Quarto's Jupyter engine does.

A ``.qmd`` becomes a notebook: each ```` ```{python} ```` block is a code cell (its ``#|``
option lines kept), the prose between them markdown cells. The notebook runs in a Jupyter
kernel through ``nbclient`` with the post's folder as working directory, as Quarto does.
Inline expressions (```` `{python} expr` ````) are evaluated as Quarto evaluates them: as
Jupyter ``user_expressions`` when execution reaches their markdown cell, shown through the
richest display format the value has (HTML, then Markdown, then its plain ``repr``), so
tests see what a reader would, ``np.float64(7.9)`` included.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

_CODE_FENCE = re.compile(r"^(?P<fence>`{3,})\{python(?P<attrs>[^}]*)\}\s*$")
_INLINE = re.compile(r"(?<!`)`\{python\}[ \t]+(?P<expr>[^`\n]+)`(?!`)")
# Quarto's own pattern for inline expressions in a markdown cell (src/resources/jupyter).
_QUARTO_INLINE = re.compile(r"(?:^|[^`])`\{python\}[ \t]([^`]+)`", re.MULTILINE)
# Display formats Quarto prefers for an inline value in HTML output, best first.
_INLINE_MIME_PRIORITY = ("text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg")
_FRONT_MATTER_END = re.compile(r"^(---|\.\.\.)\s*$")


@dataclass
class ExecutedPost:
    """A post's executed notebook and the text its inline expressions produced.

    ``inline_values`` maps each expression to the text a reader sees in its place; an
    empty string means Quarto would leave the expression's code on the page.
    """

    notebook: nbformat.NotebookNode
    inline_values: dict[str, str]

    def unrendered_inline(self) -> list[str]:
        """Expressions whose value displays as nothing (Quarto then shows their code)."""
        return [expr for expr, text in self.inline_values.items() if not text]

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
    InlineExpressionError
        An inline expression raised.
    """
    path = Path(path).resolve()
    notebook = qmd_to_notebook(path)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    inline: dict[str, str] = {}
    # The environment is passed through to the kernel manager's start_kernel.
    with client.setup_kernel(env={**os.environ, **(env or {})}):
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
            else:
                inline.update(_evaluate_inline(client, cell.source))
    return ExecutedPost(notebook, inline)


class InlineExpressionError(Exception):
    """An inline ``{python}`` expression raised in the kernel."""


def _evaluate_inline(client: NotebookClient, markdown: str) -> dict[str, str]:
    expressions = [match.strip() for match in _QUARTO_INLINE.findall(markdown)]
    if not expressions:
        return {}
    asked = {str(i): expr for i, expr in enumerate(expressions)}
    reply = client.wait_for_reply(client.kc.execute("", user_expressions=asked))
    results = reply["content"].get("user_expressions", {})
    values = {}
    for key, expr in asked.items():
        result = results.get(key, {})
        if result.get("status") != "ok":
            raise InlineExpressionError(
                f"`{{python}} {expr}`: {result.get('ename')}: {result.get('evalue')}"
            )
        values[expr] = _displayed_text(result.get("data", {}))
    return values


def _displayed_text(data: dict) -> str:
    """The text Quarto puts in place of an inline value (markdown escaping undone)."""
    for mime in _INLINE_MIME_PRIORITY:
        if mime in data:
            return str(data[mime])
    text = str(data.get("text/plain", ""))
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]  # a string's repr: Quarto strips the quotes
    return text


__all__ = [
    "CellExecutionError",
    "ExecutedPost",
    "execute_post",
    "inline_expressions",
    "qmd_to_notebook",
]
