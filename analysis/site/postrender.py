"""Quarto's post-render step: finish the written pages where Quarto's settings cannot.

Link previews need each page's own address in ``<meta property="og:url">``. Quarto writes
the other Open Graph tags and, with ``canonical-url: true``, the page's full address as
``<link rel="canonical">`` (both from ``website.site-url``), but no ``og:url`` (Quarto 1.7;
quarto-dev/quarto-cli#14306). This step copies the canonical address into ``og:url``.
Standard library only: it runs in whichever Python Quarto found.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

_CANONICAL = re.compile(r'<link rel="canonical" href="(?P<href>[^"]*)"\s*/?>')
_OG_URL = re.compile(r'<meta\s+property="og:url"', re.IGNORECASE)


def add_og_url(page: str) -> str:
    """Return the page with an ``og:url`` equal to its canonical link, added once.

    A page without a canonical link (no ``site-url``) or that already has an ``og:url`` is
    returned unchanged.
    """
    match = _CANONICAL.search(page)
    if match is None or _OG_URL.search(page):
        return page
    href = html.unescape(match.group("href"))
    tag = f'\n<meta property="og:url" content="{html.escape(href, quote=True)}">'
    return page[: match.end()] + tag + page[match.end() :]


def finish_site(output_dir: Path) -> int:
    """Apply :func:`add_og_url` to every page under ``output_dir``; return pages changed."""
    changed = 0
    for path in sorted(Path(output_dir).rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        finished = add_og_url(text)
        if finished != text:
            path.write_text(finished, encoding="utf-8")
            changed += 1
    return changed
