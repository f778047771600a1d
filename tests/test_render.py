"""Render the whole site offline with Quarto, then read it as a visitor's browser would.

The site is rendered once per test run (``site_render.render_site``, the ``site`` fixture
in ``conftest.py``): the project as git would commit it, plus a post made with ``new-post``,
built by ``quarto render --profile offline`` from the fixture store.

``quarto`` tests need the ``quarto`` binary on PATH; ``browser`` tests also need Chromium or
Google Chrome (``site_render.find_browser``) and the ``playwright`` package. Both skip with
the reason when missing; ``ANALYSIS_REQUIRE_BROWSER=1`` makes a missing browser a failure.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import re
import subprocess
import threading
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from python_reprs import page_text, reprs_in
from site_render import QUARTO, TEMPLATE_POST_TITLE, browser_required, find_browser

from analysis.data.settings import PROJECT_ROOT

BROWSER = find_browser()
BUILT = re.compile(r"Built (\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC)")

pytestmark = [
    pytest.mark.quarto,
    pytest.mark.skipif(QUARTO is None, reason="quarto is not on PATH (see the README's set-up)"),
]


# -- reading HTML ---------------------------------------------------------------------------


class _Tags(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags(page: Path) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tags


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def page_title(page: Path) -> str:
    match = re.search(r'<h1 class="title">(.*?)</h1>', page.read_text(encoding="utf-8"), re.S)
    assert match, f"{page} has no title block"
    return text_of(match.group(1))


def listing_titles(index: Path) -> dict[str, str]:
    """Href -> title of each entry in the home page listing."""
    text = index.read_text(encoding="utf-8")
    entries = re.findall(
        r'<h3 class="no-anchor listing-title">\s*<a href="([^"]+)"[^>]*>(.*?)</a>', text, re.S
    )
    return {href.removeprefix("./"): text_of(title) for href, title in entries}


# -- the rendered site ----------------------------------------------------------------------


def test_quarto_warns_about_nothing(site):
    # Warnings flag listings that match nothing, unreadable attributes, missing resources.
    plain = re.sub(r"\x1b\[[0-9;]*m", "", site.log)
    warnings = [line for line in plain.splitlines() if line.startswith("WARN")]
    assert warnings == []


def test_home_page_lists_every_post_newest_first(site):
    listed = listing_titles(site.site / "index.html")
    expected = [f"posts/{post.folder}/index.html" for post in site.posts]  # newest first
    assert list(listed) == expected
    for post in site.posts:
        assert listed[f"posts/{post.folder}/index.html"] == post.title


def test_feed_has_one_item_per_post_with_its_title(site):
    channel = ET.parse(site.site / "index.xml").getroot().find("channel")
    items = channel.findall("item")
    by_link = {item.findtext("link"): item.findtext("title") for item in items}
    assert len(items) == len(site.posts)
    base = site.site_url.rstrip("/")
    for post in site.posts:
        assert by_link[f"{base}/posts/{post.folder}/"] == post.title


def test_feed_and_link_previews_carry_the_address_the_publish_workflow_derived(site):
    # site_render renders as the publish workflow does for the fork FORK_REPOSITORY.
    assert site.site_url == "https://a-forker.github.io/notes-fork"
    placeholder = yaml.safe_load((site.project / "_quarto.yml").read_text())["website"]["site-url"]
    channel = ET.parse(site.site / "index.xml").getroot().find("channel")
    links = [channel.findtext("link"), *(item.findtext("link") for item in channel.iter("item"))]
    assert all(link.startswith(site.site_url + "/") for link in links), links
    for page in site.pages():
        og_urls = [
            attrs["content"] for tag, attrs in tags(page)
            if tag == "meta" and attrs.get("property") == "og:url"
        ]  # fmt: skip
        canonical = [
            attrs["href"] for tag, attrs in tags(page)
            if tag == "link" and attrs.get("rel") == "canonical"
        ]  # fmt: skip
        path = page.relative_to(site.site).as_posix().removesuffix("index.html")
        assert og_urls == canonical == [f"{site.site_url}/{path}"], page
        assert placeholder not in page.read_text(encoding="utf-8"), page


def test_search_index_covers_every_page(site):
    entries = json.loads((site.site / "search.json").read_text(encoding="utf-8"))
    hrefs = {entry["href"].split("#")[0] for entry in entries}
    assert {"index.html", "about.html"} <= hrefs
    for post in site.posts:
        assert f"posts/{post.folder}/index.html" in hrefs


def test_every_post_page_shows_its_title(site):
    for post in site.posts:
        assert page_title(post.page) == post.title


def _images(page: Path) -> list[dict]:
    return [attrs for tag, attrs in tags(page) if tag == "img"]


def _csv_links(page: Path) -> list[str]:
    return [
        attrs["href"] for tag, attrs in tags(page)
        if tag == "a" and (attrs.get("href") or "").endswith(".csv")
    ]  # fmt: skip


def test_every_image_in_a_post_has_alt_text_and_its_file(site):
    for post in site.posts:
        for attrs in _images(post.page):
            assert (attrs.get("alt") or "").strip(), f"{post.folder}: {attrs.get('src')} has no alt"
            assert (post.page.parent / attrs["src"]).is_file(), f"{post.folder}: {attrs['src']}"


def test_every_csv_download_was_published(site):
    for post in site.posts:
        for href in _csv_links(post.page):
            assert (post.page.parent / href).is_file(), f"{post.folder}: {href} was not copied"


def test_the_template_post_shows_its_chart_with_alt_text_and_data(site):
    post = next(p for p in site.posts if p.title == TEMPLATE_POST_TITLE)
    figures = [a for a in _images(post.page) if "figure-img" in (a.get("class") or "")]
    assert len(figures) == 1
    assert figures[0]["alt"].startswith("Line chart of cumulative price returns from ")
    assert _csv_links(post.page) == ["figures/returns.csv"]
    # The listing and link previews use the PNG the chart cell wrote.
    assert (post.page.parent / "preview.png").is_file()


def test_each_post_states_the_date_of_its_data(site):
    for post in site.posts:
        assert re.search(r"Data as of \d{4}-\d{2}-\d{2}", text_of(post.page.read_text())), (
            post.folder
        )


def test_no_error_output_anywhere(site):
    for page in site.pages():
        text = page.read_text(encoding="utf-8")
        assert "Traceback (most recent call last)" not in text, page
        assert "cell-output-error" not in text, page
        assert "cell-output-stderr" not in text, page
        assert not re.search(r"\b\w+(Error|Exception): ", text_of(text)), page


def test_no_page_shows_a_python_repr(site):
    # A cell's stray return value or an unformatted inline value, e.g. PosixPath('preview.png').
    for page in site.pages():
        found = reprs_in(page_text(page.read_text(encoding="utf-8")))
        assert found == [], f"{page.relative_to(site.site)}: {found}"


def test_footer_shows_the_build_time(site):
    written = yaml.safe_load((site.project / "_variables.yml").read_text())["build-time"]
    for page in site.pages():
        match = BUILT.search(text_of(page.read_text(encoding="utf-8")))
        assert match, f"{page} has no build time in its footer"
        assert match.group(1) == written


def test_pages_load_nothing_from_other_hosts(site):
    own_host = urlsplit(site.site_url).netloc
    loading = {"script": "src", "link": "href", "img": "src", "iframe": "src", "source": "src"}
    for page in site.pages():
        for tag, attrs in tags(page):
            url = attrs.get(loading.get(tag, ""), None)
            if not url:
                continue
            host = urlsplit(url).netloc
            assert host in ("", own_host), f"{page.relative_to(site.site)}: <{tag}> loads {url}"


def test_stylesheets_import_no_web_fonts(site):
    for css in site.site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        assert not re.search(r"@import\s+url\(\s*['\"]?(https?:)?//", text), css
        assert "fonts.googleapis" not in text, css


def test_a_build_leaves_only_git_ignored_files_behind(site):
    # Pre-render writes titles and the build time into the work tree, and posts write their
    # charts and CSVs next to themselves: a build must not leave files to commit by mistake.
    assert "_variables.yml" in site.written_by_build
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        input="\n".join(site.written_by_build),
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert sorted(set(site.written_by_build) - set(ignored)) == []


# -- in a browser -----------------------------------------------------------------------------


@contextlib.contextmanager
def serve(folder: Path):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(site):
    # Without a browser the tests skip, unless ANALYSIS_REQUIRE_BROWSER=1 (CI) fails them.
    give_up = pytest.fail if browser_required() else pytest.skip
    if BROWSER is None:
        give_up(
            "no Chromium or Google Chrome found (apt-get install chromium, "
            "or set ANALYSIS_BROWSER to a browser executable)"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is missing"
    )
    with sync_api.sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=BROWSER,
                args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
            )
        except sync_api.Error as exc:  # e.g. a snap wrapper that cannot run headless here
            give_up(f"{BROWSER} could not be launched: {str(exc).splitlines()[0]}")
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def server(site):
    with serve(site.site) as base:
        yield base


@dataclass
class Visit:
    page: object
    console_errors: list[str]
    foreign_requests: list[str]


@contextlib.contextmanager
def visit(browser, server: str, path: str, *, color_scheme: str = "light"):
    context = browser.new_context(
        color_scheme=color_scheme, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    errors, foreign = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def route(request_route):
        url = request_route.request.url
        if url.startswith(server + "/") or url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            foreign.append(url)
            request_route.abort()

    page.route("**/*", route)
    try:
        response = page.goto(f"{server}/{path}", wait_until="networkidle")
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        yield Visit(page, errors, foreign)
    finally:
        context.close()


def _site_paths(site) -> list[str]:
    return ["index.html", "about.html", *(f"posts/{p.folder}/index.html" for p in site.posts)]


# Every image, lazy or not, is asked to load now; the result is its natural width.
_IMAGE_WIDTHS = """async () => {
    const images = Array.from(document.images);
    images.forEach((img) => { img.loading = "eager"; });
    await Promise.all(images.map((img) => img.decode().catch(() => null)));
    return images.map((img) => [img.currentSrc || img.src, img.naturalWidth]);
}"""


@pytest.mark.browser
def test_pages_load_cleanly_in_a_browser(site, browser, server):
    for path in _site_paths(site):
        with visit(browser, server, path) as seen:
            widths = seen.page.evaluate(_IMAGE_WIDTHS)
            seen.page.wait_for_load_state("networkidle")
            assert seen.console_errors == [], f"{path}: {seen.console_errors}"
            assert seen.foreign_requests == [], f"{path} asked other hosts: {seen.foreign_requests}"
            broken = [src for src, width in widths if width <= 0]
            assert broken == [], f"{path}: images that did not load: {broken}"


@pytest.mark.browser
def test_post_figures_render_in_a_browser(site, browser, server):
    for post in site.posts:
        with visit(browser, server, f"posts/{post.folder}/index.html") as seen:
            widths = seen.page.evaluate(_IMAGE_WIDTHS)
            figures = [src for src, width in widths if width > 0 and "/posts/" in src]
            assert figures, f"{post.folder}: no figure image loaded"


_SCHEME = """() => ({
    dark: document.body.classList.contains("quarto-dark"),
    background: getComputedStyle(document.body).backgroundColor,
    darkSheet: document.querySelector('link[data-mode="dark"]').rel,
})"""


def _luminance(css_color: str) -> float:
    red, green, blue = (int(v) for v in re.findall(r"\d+", css_color)[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@pytest.mark.browser
def test_dark_theme_toggle_switches_the_page(site, browser, server):
    with visit(browser, server, "index.html") as seen:
        page = seen.page
        before = page.evaluate(_SCHEME)
        assert before["dark"] is False
        assert before["darkSheet"] == "disabled-stylesheet"
        page.click(".quarto-color-scheme-toggle")
        page.wait_for_function("() => document.body.classList.contains('quarto-dark')")
        after = page.evaluate(_SCHEME)
        assert after["darkSheet"] == "stylesheet"
        assert _luminance(before["background"]) > 200 > 60 > _luminance(after["background"])
        # The choice is remembered on the next page.
        page.goto(f"{server}/about.html", wait_until="networkidle")
        assert page.evaluate(_SCHEME)["dark"] is True
        page.click(".quarto-color-scheme-toggle")
        page.wait_for_function("() => !document.body.classList.contains('quarto-dark')")
        assert seen.console_errors == []


@pytest.mark.browser
def test_a_reader_who_prefers_dark_gets_the_dark_theme(site, browser, server):
    with visit(browser, server, "index.html", color_scheme="dark") as seen:
        scheme = seen.page.evaluate(_SCHEME)
        assert scheme["dark"] is True and _luminance(scheme["background"]) < 60


_VISIBLE_POSTS = """() => Array.from(document.querySelectorAll(".quarto-post"))
    .filter((post) => post.offsetParent !== null)
    .map((post) => post.querySelector(".listing-title").textContent.trim())"""
_FOCUSED = "() => [document.activeElement.className, document.activeElement.textContent.trim()]"


@pytest.mark.browser
def test_the_category_filter_works_from_the_keyboard(site, browser, server):
    # WCAG 2.1.1: Tab reaches a category of the home page's filter, Enter applies it.
    with visit(browser, server, "index.html") as seen:
        page = seen.page
        assert len(page.evaluate(_VISIBLE_POSTS)) == len(site.posts) > 1
        for _ in range(100):
            page.keyboard.press("Tab")
            kind, text = page.evaluate(_FOCUSED)
            if kind == "category" and text.startswith("equities"):
                break
        else:
            pytest.fail("Tab never reached the category 'equities' of the listing's filter")
        page.keyboard.press("Enter")
        page.wait_for_url("**#category=equities")
        shown = page.evaluate(_VISIBLE_POSTS)
        tagged = [p.title for p in site.posts if "equities" in _categories(p.page)]
        assert sorted(shown) == sorted(tagged) and 0 < len(shown) < len(site.posts)
        pressed = page.locator(".quarto-listing-category .category[aria-pressed='true']")
        assert pressed.inner_text().startswith("equities")
        # Space on "All" brings every post back.
        for _ in range(10):
            page.keyboard.press("Shift+Tab")
            if page.evaluate(_FOCUSED)[1].startswith("All"):
                break
        page.keyboard.press(" ")
        page.wait_for_function(f"() => ({_VISIBLE_POSTS})().length === {len(site.posts)}")
        assert seen.console_errors == []


def _categories(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    return [text_of(c) for c in re.findall(r'<div class="quarto-category">(.*?)</div>', text)]


# -- accessibility (axe-core) -----------------------------------------------------------------

# WCAG 2.1 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")


def _every_page(site) -> list[str]:
    """Every HTML page of the rendered site, Quarto's own libraries aside."""
    return [
        page.relative_to(site.site).as_posix()
        for page in site.pages()
        if page.relative_to(site.site).parts[0] != "site_libs"
    ]


def _describe(violation: dict) -> str:
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    count = len(violation["nodes"])
    return f"{violation['id']} ({violation['impact']}, {count}x): {violation['help']} at {targets}"


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe_in_both_colour_schemes(site, browser, server, scheme):
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="axe-playwright-python is missing"
    )
    axe = axe_module.Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    pages = _every_page(site)
    assert {"index.html", "about.html"} <= set(pages) and len(pages) == 2 + len(site.posts)
    failing, moderate = [], []
    for path in pages:
        with visit(browser, server, path, color_scheme=scheme) as seen:
            # The reader's scheme reached the page (respect-user-color-scheme).
            dark = seen.page.evaluate("document.body.classList.contains('quarto-dark')")
            assert dark is (scheme == "dark"), path
            violations = axe.run(seen.page, options=options).response["violations"]
        for violation in violations:
            found = f"{path}: {_describe(violation)}"
            (failing if violation["impact"] in FAILING_IMPACTS else moderate).append(found)
    for found in moderate:
        warnings.warn(f"axe ({scheme}): {found}", stacklevel=1)
    assert failing == [], "\n".join(failing)
