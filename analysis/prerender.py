"""The build's pre-render step: fetch every post's series once, then write computed titles.

Quarto runs ``python -m analysis prerender`` before rendering (see ``_quarto.yml``). It

1. collects the ``series`` every post declares and brings the store up to date once (or,
   offline, checks the store holds them), failing the build with one line per missing
   series and naming stale ones;
2. for each post folder with a ``headline.py``, calls its ``compute_title(store)`` and
   writes the result to the folder's ``_metadata.yml``, so the page, the listing and the
   RSS feed show a title computed from data rather than typed;
3. writes ``_variables.yml`` with the build time, shown in the site footer.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from analysis.errors import DataError
from analysis.posts import Post, declared_series, find_posts
from analysis.settings import PROJECT_ROOT, Settings
from analysis.store import Store, atomic_write
from analysis.update import UpdateReport, update_series

HEADLINE_FILE = "headline.py"
HEADLINE_FUNCTION = "compute_title"


@dataclass
class PrerenderResult:
    """What the pre-render step did."""

    report: UpdateReport
    titles: dict[Path, str]


def prerender(
    settings: Settings,
    posts_dir: Path,
    *,
    project_root: Path = PROJECT_ROOT,
    now=None,
    yahoo_session=None,
    fred_base_url: str | None = None,
) -> PrerenderResult:
    """Update the store for every post, then write computed titles and the build time.

    Raises
    ------
    DataError
        A declared series is missing after the update, a stale one passes the staleness
        limit, or a post's ``compute_title`` fails.
    """
    store = Store(settings.data_dir, lock_timeout=settings.lock_timeout)
    posts = find_posts(posts_dir)
    report = update_series(
        declared_series(_posts_being_rendered(posts, project_root)),
        store=store,
        settings=settings,
        now=now,
        yahoo_session=yahoo_session,
        fred_base_url=fred_base_url,
    )
    report.raise_for_problems(settings.max_stale_sessions)
    titles = {}
    for post in posts:
        title = compute_post_title(post, store)
        if title is not None:
            write_directory_metadata(post.path.parent, {"title": title})
            titles[post.path] = title
    build_time = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    _write_yaml(project_root / "_variables.yml", {"build-time": build_time})
    return PrerenderResult(report, titles)


def compute_post_title(post: Post, store: Store) -> str | None:
    """Call the post folder's ``headline.py`` ``compute_title(store)``, if it has one."""
    module_path = post.path.parent / HEADLINE_FILE
    if not module_path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"_headline_{post.path.parent.name}", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        title = getattr(module, HEADLINE_FUNCTION)(store)
    except DataError as exc:
        raise DataError(f"{module_path}: cannot compute the title: {exc}") from None
    if not isinstance(title, str) or not title.strip():
        raise DataError(f"{module_path}: {HEADLINE_FUNCTION} must return a non-empty string")
    return title.strip()


def write_directory_metadata(folder: Path, metadata: dict) -> None:
    """Write a folder's ``_metadata.yml`` (Quarto merges it into the folder's documents)."""
    _write_yaml(folder / "_metadata.yml", metadata)


def _write_yaml(path: Path, data: dict) -> None:
    header = "# Written by `python -m analysis prerender` at each build; do not edit.\n"
    text = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    atomic_write(path, text.encode("utf-8"))


def _posts_being_rendered(posts: list[Post], project_root: Path) -> list[Post]:
    """Posts Quarto is about to render: all of them, unless it names a subset."""
    if os.environ.get("QUARTO_PROJECT_RENDER_ALL", "1") == "1":
        return posts
    inputs = os.environ.get("QUARTO_PROJECT_INPUT_FILES", "")
    named = {(project_root / line).resolve() for line in inputs.splitlines() if line.strip()}
    return [post for post in posts if post.path.resolve() in named] or posts
