"""Quarto's post-render step: finish the written pages where Quarto's settings cannot.

Two things, each where no Quarto setting reaches (Quarto 1.7):

- Link previews need each page's own address in ``<meta property="og:url">``. Quarto writes
  the other Open Graph tags and, with ``canonical-url: true``, the page's full address as
  ``<link rel="canonical">`` (both from ``website.site-url``), but no ``og:url``
  (quarto-dev/quarto-cli#14306). :func:`add_og_url` copies the canonical address.
- The navbar is a ``<nav>`` landmark with no name, beside other ``<nav>`` landmarks (the
  page navigation, the table of contents): screen readers list them all as "navigation".
  :func:`name_navbar` names it "Site" (axe: landmark-unique).
- The listing's category filter sits in the margin outside any landmark, under an ``<h5>``
  that follows the listing's ``<h3>`` titles. :func:`mark_listing_categories` makes its
  margin a "Categories" landmark and its title an ``<h2>`` styled as before (axe: region,
  heading-order).
- Quarto's category filter (in the margin, and on each listing entry) is ``<div>`` elements
  that act on a mouse click only: a keyboard cannot reach or use them (WCAG 2.1.1).
  :func:`make_categories_keyboard_operable` makes each a button in the tab order
  (``role="button" tabindex="0"``) and adds a small script that turns Enter and Space on
  one into the click Quarto listens for, and tells screen readers which one is active
  (``aria-pressed``).

Standard library only: it runs in whichever Python Quarto found.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

_CANONICAL = re.compile(r'<link rel="canonical" href="(?P<href>[^"]*)"\s*/?>')
_OG_URL = re.compile(r'<meta\s+property="og:url"', re.IGNORECASE)
_NAVBAR = re.compile(r'<nav class="navbar(?![^>]*aria-label)')
_MARGIN = '<div id="quarto-margin-sidebar" class="sidebar margin-sidebar">'
_CATEGORY_TITLE = re.compile(r'<h5 class="quarto-listing-category-title">(.*?)</h5>')
# A filter entry in the margin (``category``) or on a listing entry (``listing-category``)
# that is not a button yet.
_CATEGORY_ITEM = re.compile(r'<div class="(?:listing-)?category"(?![^>]*\brole=)')
_CATEGORY_SELECTOR = ".quarto-listing-category .category, .listing-category"
# Enter and Space on a focused category click it, as they would a <button>; after any click,
# aria-pressed says which margin category is the active filter.
_CATEGORY_KEYS_SCRIPT = f"""<script id="category-keys">
(() => {{
  const selector = "{_CATEGORY_SELECTOR}";
  const showPressed = () => document
    .querySelectorAll(".quarto-listing-category .category")
    .forEach((item) => item.setAttribute("aria-pressed", item.classList.contains("active")));
  document.addEventListener("keydown", (event) => {{
    const item = event.target.closest && event.target.closest(selector);
    if (!item || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    item.click();
  }});
  document.addEventListener("click", showPressed);
  window.addEventListener("load", showPressed);
}})();
</script>"""


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


def name_navbar(page: str) -> str:
    """Return the page with its navbar landmark named "Site" (unless it has a name)."""
    return _NAVBAR.sub('<nav aria-label="Site" class="navbar', page, count=1)


def mark_listing_categories(page: str) -> str:
    """Return the page with its listing's category filter a landmark under an ``<h2>``.

    Pages without a category filter are returned unchanged.
    """
    if _CATEGORY_TITLE.search(page) is None or _MARGIN not in page:
        return page
    page = page.replace(
        _MARGIN, _MARGIN.replace("<div ", '<div role="complementary" aria-label="Categories" '), 1
    )
    return _CATEGORY_TITLE.sub(r'<h2 class="quarto-listing-category-title h5">\1</h2>', page)


def make_categories_keyboard_operable(page: str) -> str:
    """Return the page with its category filter reachable and usable by keyboard.

    Each category ``<div>`` becomes a focusable button, and a script placed once before
    ``</body>`` clicks the focused one on Enter or Space. Pages without categories, and
    pages already changed, are returned unchanged.
    """
    if _CATEGORY_ITEM.search(page) is None or "</body>" not in page:
        return page
    page = _CATEGORY_ITEM.sub(r'\g<0> role="button" tabindex="0"', page)
    if _CATEGORY_KEYS_SCRIPT not in page:
        at = page.rindex("</body>")
        page = page[:at] + _CATEGORY_KEYS_SCRIPT + "\n" + page[at:]
    return page


def finish_page(page: str) -> str:
    """Every change this step makes to one page."""
    page = mark_listing_categories(name_navbar(add_og_url(page)))
    return make_categories_keyboard_operable(page)


def finish_site(output_dir: Path) -> int:
    """Apply :func:`finish_page` to every page under ``output_dir``; return pages changed."""
    changed = 0
    for path in sorted(Path(output_dir).rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        finished = finish_page(text)
        if finished != text:
            path.write_text(finished, encoding="utf-8")
            changed += 1
    return changed
