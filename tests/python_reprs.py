"""Python reprs a reader must never see: a value shown by its repr instead of as text.

A cell whose last expression returns a path, a figure, a numpy scalar or a timestamp makes
Quarto print its repr (``PosixPath('preview.png')``) under the cell, and an inline value
without formatting shows as ``np.float64(7.9)``. These helpers find them in what a reader
sees: a rendered page's text outside its source code, or an executed post's outputs.
"""

from __future__ import annotations

import html
import re

REPRS = ("PosixPath(", "WindowsPath(", "<Figure", "np.float64(", "Timestamp(")
_PATTERN = re.compile("|".join(re.escape(r) for r in REPRS))

# The source code Quarto shows (folded under "Show code" or not) is code, not output.
_SOURCE = re.compile(
    r'<details class="code-fold">.*?</details>|<pre class="sourceCode[^"]*">.*?</pre>', re.S
)
# The display format Quarto shows for an output with several, best first (HTML output).
_SHOWN_FIRST = (
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/plain",
)


def reprs_in(text: str) -> list[str]:
    """Each repr found in ``text``, with a little context."""
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in _PATTERN.finditer(text)]


def page_text(page_html: str) -> str:
    """A rendered page's text as a reader sees it: tags, scripts and source code removed."""
    body = _SOURCE.sub(" ", page_html)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def shown_outputs(executed) -> list[str]:
    """The text of each cell output and inline value a reader sees, in order."""
    shown = []
    for cell in executed.notebook.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                shown.append(output.get("text", ""))
                continue
            data = output.get("data", {})
            mime = next((m for m in _SHOWN_FIRST if m in data), None)
            if mime is not None and not mime.startswith("image/"):
                shown.append(str(data[mime]))
    shown.extend(executed.inline_values.values())
    return shown
