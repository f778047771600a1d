"""The post-render step: og:url from the canonical link Quarto writes."""

import os
import subprocess
import sys

import yaml

from analysis.data.settings import PROJECT_ROOT
from analysis.site.postrender import (
    add_og_url,
    finish_site,
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
