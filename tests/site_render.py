"""One offline Quarto render of the whole site, shared by every test that reads pages.

The project is copied to a temporary folder (what git would commit), a new post made with
``new-post`` is added so the template is rendered too, the publish workflow's site-address
step writes the address of a fork (``FORK_REPOSITORY``) into the ``pages`` profile, and
``quarto render --profile offline,pages`` builds it from the fixture store. ``conftest.py``
makes it a session fixture, ``site``, so the site is rendered once per test run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from publish_steps import PAGES_PROFILE, derive_site_url

from analysis.data.frontmatter import declared_series, find_posts
from analysis.data.settings import PROJECT_ROOT
from analysis.data.store import Store
from analysis.site.new_post import create_post
from analysis.testing.fake_yahoo import make_ohlcv

QUARTO = shutil.which("quarto")
# Browsers the page tests can drive, in order of preference: Debian's Chromium, then Google
# Chrome (what GitHub's Ubuntu runners ship). ANALYSIS_BROWSER names another executable.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER_ENV = "ANALYSIS_BROWSER"
# Set to 1 (as CI does) to fail, rather than skip, the browser tests when no browser runs.
REQUIRE_BROWSER_ENV = "ANALYSIS_REQUIRE_BROWSER"
RENDER_TIMEOUT = 1800  # seconds; a whole-site render takes a minute or two on two cores
TEMPLATE_POST_TITLE = "Template post: IWM against the benchmarks"
# The repository the render pretends to be published from, as a fork would be.
FORK_REPOSITORY = "A-Forker/notes-fork"


# -- building the site --------------------------------------------------------------------


@dataclass
class RenderedPost:
    folder: str
    title: str
    computed_title: bool
    page: Path


@dataclass
class RenderedSite:
    project: Path
    site: Path
    posts: list[RenderedPost]
    site_url: str
    log: str
    written_by_build: list[str]

    def pages(self) -> list[Path]:
        return sorted(self.site.rglob("*.html"))


def _project_files(root: Path) -> list[str]:
    """What a commit would hold: tracked files plus new files git does not ignore."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("the project is not a git checkout, so its files cannot be listed")
    return [name for name in listed.decode().split("\0") if name and (root / name).is_file()]


def _copy_project(root: Path, target: Path) -> None:
    for name in _project_files(root):
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, destination)


def _build_store(project: Path, data_dir: Path) -> Store:
    """The fixture store, plus simple series for anything else a post declares."""
    try:
        from analysis.testing.fixture_store import build_fixture_store
    except ImportError:
        store = Store(data_dir)
    else:
        store = build_fixture_store(data_dir)
    for symbol in declared_series(find_posts(project / "posts")):
        if symbol in store:
            continue
        bars = make_ohlcv("2015-01-02", 2830, base=100.0, drift=0.05)
        if symbol.startswith("fred:"):
            bars = bars[["close"]].rename(columns={"close": "value"})
        store.write(symbol, bars, source="synthetic test series")
    return store


def _render(project: Path, data_dir: Path) -> str:
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "QUARTO_PYTHON": sys.executable,
        "ANALYSIS_DATA_DIR": str(data_dir),
        # Posts import the copy's package, not an installed one.
        "PYTHONPATH": str(project),
    }
    env.pop("ANALYSIS_OFFLINE", None)  # the offline profile must set it by itself
    env.pop("ANALYSIS_MAX_STALE_SESSIONS", None)  # fixture data is old; it is labelled stale
    done = subprocess.run(
        [QUARTO, "render", "--profile", f"offline,{PAGES_PROFILE}"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=RENDER_TIMEOUT,
        check=False,
    )
    log = done.stdout + done.stderr
    if done.returncode != 0:
        pytest.fail(f"quarto render failed ({done.returncode}):\n{log[-6000:]}", pytrace=False)
    return log


def render_site(folder: Path) -> RenderedSite:
    """Copy the project into ``folder``, add a template post, build the fixture store and
    render it all."""
    project = folder / "project"
    project.mkdir()
    _copy_project(PROJECT_ROOT, project)
    create_post(
        TEMPLATE_POST_TITLE, symbols=["IWM"], date="2026-03-20", posts_dir=project / "posts"
    )
    data_dir = folder / "data"
    _build_store(project, data_dir)
    site_url = derive_site_url(project, FORK_REPOSITORY)
    before = _work_tree(project)
    log = _render(project, data_dir)
    left_behind = sorted(_work_tree(project) - before)
    posts = []
    for post in find_posts(project / "posts"):
        folder = post.path.parent
        written = folder / "_metadata.yml"
        computed = (folder / "headline.py").is_file()
        if computed:
            title = yaml.safe_load(written.read_text(encoding="utf-8"))["title"]
        else:
            title = post.front_matter["title"]
        page = project / "_site" / "posts" / folder.name / "index.html"
        posts.append(RenderedPost(folder.name, title, computed, page))
    return RenderedSite(project, project / "_site", posts, site_url, log, left_behind)


def _work_tree(project: Path) -> set[str]:
    """Files in the project outside Quarto's own output and cache folders."""
    return {
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file() and path.relative_to(project).parts[0] not in ("_site", ".quarto")
    }


# -- finding a browser --------------------------------------------------------------------


def find_browser(environ=None) -> str | None:
    """The browser executable for the page tests: ``ANALYSIS_BROWSER``, or one on ``PATH``."""
    env = os.environ if environ is None else environ
    named = env.get(BROWSER_ENV)
    if named:
        return named if Path(named).is_file() else None
    path = env.get("PATH", os.defpath)
    return next((found for name in BROWSER_NAMES if (found := shutil.which(name, path=path))), None)


def browser_required(environ=None) -> bool:
    """Whether a missing or broken browser fails the browser tests instead of skipping them."""
    env = os.environ if environ is None else environ
    return env.get(REQUIRE_BROWSER_ENV, "").strip() == "1"
