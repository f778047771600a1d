"""Frozen posts through real Quarto renders: what executes, and what the pages then show.

One copy of the project (the seed post and two posts made with ``new-post``) is rendered
offline from the fixture store four times in a row:

1. cold: every post executes;
2. again, nothing changed: nothing executes, and every page keeps its charts;
3. after a new IWM bar: exactly the posts that declare IWM execute, and show it;
4. after ``_freeze/`` is deleted: every post executes again.

Which posts executed is read from Quarto's own log (an ``Executing`` line under the
file's header), not from what the pre-render step planned.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from site_render import QUARTO, _build_store, _copy_project, _render

from analysis.claims import format_value
from analysis.data.settings import PROJECT_ROOT
from analysis.data.store import Store
from analysis.metrics import calc_period_return
from analysis.site.new_post import create_post
from analysis.testing.builds import add_bar, executed_posts

pytestmark = [
    pytest.mark.quarto,
    pytest.mark.skipif(QUARTO is None, reason="quarto is not on PATH (see the README's set-up)"),
]

SEED = "2026-01-18-small-caps-lead"
IWM_POST = "2026-03-20-iwm-note"  # declares IWM (its subject)
APPLE_POST = "2026-03-19-apple-note"  # declares AAPL and the benchmarks, not IWM


def page_text(project: Path, folder: str) -> str:
    html = (project / "_site" / "posts" / folder / "index.html").read_text(encoding="utf-8")
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def data_as_of(project: Path, folder: str) -> str:
    return re.search(r"Data as of (\d{4}-\d{2}-\d{2})", page_text(project, folder)).group(1)


@dataclass
class Build:
    executed: set[str]
    data_as_of: dict[str, str]
    texts: dict[str, str]


@dataclass
class Builds:
    project: Path
    store: Store
    cold: Build
    again: Build
    new_bar: Build
    new_bar_date: str
    after_deleting_freeze: Build


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> Builds:
    project = tmp_path_factory.mktemp("frozen-site")
    _copy_project(PROJECT_ROOT, project)
    create_post("IWM note", symbols=["IWM"], date="2026-03-20", posts_dir=project / "posts")
    create_post("Apple note", symbols=["AAPL"], date="2026-03-19", posts_dir=project / "posts")
    data_dir = tmp_path_factory.mktemp("frozen-data")
    store = _build_store(project, data_dir)
    folders = (SEED, IWM_POST, APPLE_POST)

    def build() -> Build:
        log = _render(project, data_dir)
        return Build(
            executed_posts(log),
            {folder: data_as_of(project, folder) for folder in folders},
            {folder: page_text(project, folder) for folder in folders},
        )

    cold = build()
    again = build()
    new_bar_date = add_bar(store, "IWM", 1.10).date().isoformat()
    new_bar = build()
    shutil.rmtree(project / "_freeze")
    after = build()
    return Builds(project, store, cold, again, new_bar, new_bar_date, after)


def test_a_cold_build_executes_every_post(builds):
    assert builds.cold.executed == {SEED, IWM_POST, APPLE_POST}


def test_a_second_build_executes_nothing_and_pages_keep_their_charts(builds):
    assert builds.again.executed == set()
    assert builds.again.data_as_of == builds.cold.data_as_of
    for folder in (SEED, IWM_POST, APPLE_POST):
        site_folder = builds.project / "_site" / "posts" / folder
        assert (site_folder / "preview.png").is_file()
        assert any((site_folder / "figures").glob("*.svg")), folder


def test_a_new_bar_executes_exactly_the_posts_that_read_it(builds):
    assert builds.new_bar.executed == {SEED, IWM_POST}


def test_pages_show_the_new_bar_and_the_others_stay_as_they_were(builds):
    assert builds.new_bar.data_as_of[IWM_POST] == builds.new_bar_date
    # The seed post reads IWM too: its data line moves to the new bar.
    assert builds.new_bar.data_as_of[SEED] == builds.new_bar_date
    assert builds.new_bar.data_as_of[APPLE_POST] == builds.cold.data_as_of[APPLE_POST]


def test_the_page_shows_the_return_to_the_new_bar(builds):
    qmd = (builds.project / "posts" / IWM_POST / "index.qmd").read_text()
    base = re.search(r'BASE_DATE = "([\d-]+)"', qmd).group(1)
    close = builds.store.read("IWM")["close"]
    before = calc_period_return(close.iloc[:-1], base, close.index[-2])
    after = calc_period_return(close, base, close.index[-1])
    old_text, new_text = (format_value(100 * r, "%", 1) for r in (before, after))
    assert old_text != new_text
    assert f"IWM returned {old_text}" in builds.cold.texts[IWM_POST]
    assert f"IWM returned {new_text}" in builds.new_bar.texts[IWM_POST]
    assert f"IWM returned {old_text}" not in builds.new_bar.texts[IWM_POST]


def test_a_deleted_freezer_recovers_by_executing_every_post(builds):
    assert builds.after_deleting_freeze.executed == {SEED, IWM_POST, APPLE_POST}
    assert builds.after_deleting_freeze.data_as_of == builds.new_bar.data_as_of
    for folder in (SEED, IWM_POST, APPLE_POST):
        record = builds.project / "_freeze" / "posts" / folder / "fingerprint.json"
        assert record.is_file()
