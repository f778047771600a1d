"""The post-render step: og:url from the canonical link Quarto writes."""

import os
import subprocess
import sys

import yaml

from analysis.data.settings import PROJECT_ROOT
from analysis.site.postrender import (
    add_og_url,
    finish_page,
    finish_site,
    make_categories_keyboard_operable,
    mark_listing_categories,
    name_navbar,
)

HEAD = '<head>\n<link rel="canonical" href="https://me.github.io/notes/posts/a/">\n</head>'


def test_og_url_is_the_canonical_address_placed_after_it():
    assert add_og_url(HEAD) == (
        '<head>\n<link rel="canonical" href="https://me.github.io/notes/posts/a/">'
        '\n<meta property="og:url" content="https://me.github.io/notes/posts/a/">\n</head>'
    )


def test_og_url_is_added_once():
    once = add_og_url(HEAD)
    assert add_og_url(once) == once
    assert once.count('property="og:url"') == 1


def test_a_page_without_a_canonical_link_is_left_alone():
    page = "<head><title>x</title></head>"
    assert add_og_url(page) == page


def test_an_escaped_address_stays_escaped_once():
    page = '<link rel="canonical" href="https://h.io/a?x=1&amp;y=2">'
    assert add_og_url(page).endswith(
        '<meta property="og:url" content="https://h.io/a?x=1&amp;y=2">'
    )


def test_finish_site_rewrites_every_page_and_counts_them(tmp_path):
    (tmp_path / "posts" / "a").mkdir(parents=True)
    (tmp_path / "index.html").write_text(HEAD, encoding="utf-8")
    (tmp_path / "posts" / "a" / "index.html").write_text(HEAD, encoding="utf-8")
    (tmp_path / "plain.html").write_text("<p>no head</p>", encoding="utf-8")
    assert finish_site(tmp_path) == 2
    assert finish_site(tmp_path) == 0
    assert 'og:url" content="https://me.github.io/notes/posts/a/"' in (
        tmp_path / "posts" / "a" / "index.html"
    ).read_text(encoding="utf-8")


def test_quarto_runs_the_step_after_rendering_the_pages_it_writes(tmp_path):
    config = yaml.safe_load((PROJECT_ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["format"]["html"]["canonical-url"] is True
    script = config["project"]["post-render"]
    assert (PROJECT_ROOT / script).is_file()
    (tmp_path / "index.html").write_text(HEAD, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / script)],
        cwd=tmp_path,
        env={**os.environ, "QUARTO_PROJECT_OUTPUT_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert 'property="og:url"' in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_the_navbar_landmark_is_named_once():
    page = '<nav class="navbar navbar-expand-lg " data-bs-theme="dark">x</nav><nav class="toc">'
    named = name_navbar(page)
    assert named == (
        '<nav aria-label="Site" class="navbar navbar-expand-lg " data-bs-theme="dark">x</nav>'
        '<nav class="toc">'
    )
    assert name_navbar(named) == named


MARGIN = '<div id="quarto-margin-sidebar" class="sidebar margin-sidebar">'


def test_the_listing_categories_become_a_landmark_under_an_h2():
    page = f'{MARGIN}\n<h5 class="quarto-listing-category-title">Categories</h5><div>x</div></div>'
    assert mark_listing_categories(page) == (
        '<div role="complementary" aria-label="Categories" id="quarto-margin-sidebar" '
        'class="sidebar margin-sidebar">\n'
        '<h2 class="quarto-listing-category-title h5">Categories</h2><div>x</div></div>'
    )


def test_a_margin_without_categories_is_left_alone():
    page = f'{MARGIN}<nav id="TOC" role="doc-toc"></nav></div>'
    assert mark_listing_categories(page) == page


# The category filter as Quarto 1.7 writes it on the home page (abridged from a render).
LISTING = (
    f"<body>{MARGIN}"
    '<h5 class="quarto-listing-category-title">Categories</h5>'
    '<div class="quarto-listing-category category-default">'
    '<div class="category" data-category="">All <span class="quarto-category-count">(2)</span>'
    "</div>"
    '<div class="category" data-category="ZXF1aXRpZXM=">equities '
    '<span class="quarto-category-count">(1)</span></div></div></div>'
    '<div class="listing-categories"><div class="listing-category" '
    "onclick=\"window.quartoListingCategory('ZXF1aXRpZXM='); return false;\">equities</div></div>"
    "</body>"
)


def test_every_category_becomes_a_button_in_the_tab_order():
    page = make_categories_keyboard_operable(LISTING)
    assert page.count('role="button" tabindex="0"') == 3
    assert '<div class="category" role="button" tabindex="0" data-category="">All' in page
    assert (
        '<div class="category" role="button" tabindex="0" data-category="ZXF1aXRpZXM=">equities'
    ) in page
    assert '<div class="listing-category" role="button" tabindex="0" onclick=' in page
    # Quarto's own markup is otherwise kept: its script finds the entries by class and data.
    assert (
        page.replace(' role="button" tabindex="0"', "").replace(
            page[page.index('<script id="category-keys">') : page.index("</body>")], ""
        )
        == LISTING
    )


def test_enter_and_space_click_the_focused_category_from_one_script_before_body_end():
    page = make_categories_keyboard_operable(LISTING)
    assert page.count('<script id="category-keys">') == 1
    script = page[page.index('<script id="category-keys">') : page.index("</body>")]
    assert 'event.key !== "Enter" && event.key !== " "' in script
    assert "item.click()" in script and "aria-pressed" in script
    assert '".quarto-listing-category .category, .listing-category"' in script


def test_the_keyboard_change_is_made_once_and_only_where_there_are_categories():
    once = finish_page(LISTING)
    assert finish_page(once) == once
    plain = "<body><p>No listing here.</p></body>"
    assert make_categories_keyboard_operable(plain) == plain
    # A post's own categories (title block) are links Quarto already makes focusable.
    title_block = '<body><div class="quarto-categories"><div class="quarto-category">x</div>'
    assert make_categories_keyboard_operable(title_block + "</body>") == title_block + "</body>"
