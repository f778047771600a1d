"""The build's pre-render step: fetch every post's series once, then write computed titles.

Quarto runs ``python -m analysis prerender`` before rendering (see ``_quarto.yml``). It

1. collects the ``series`` every post declares and brings the store up to date once (or,
   offline, checks the store holds them), then the member universes posts declare
   (``universes: [IWM]``), per fund and date: a post with a ``window`` reads its members
   as of the window's as-of, and once they are stored nothing is fetched for it again
   (:mod:`analysis.fetch.universe_plan`). A series too stale for the configured limit stops the
   build; a missing one is a warning, since each post then either falls back visibly
   (saying what it lacks) or fails on its own, naming the series. A series a post marks
   ``required`` that the store lacks (or that ends before the post's ``window`` as-of
   date) stops the build here, in one line, before any post runs;
2. for each post folder with a ``headline.py``, calls its ``compute_title(store)`` and
   writes the result to the folder's ``_metadata.yml``, so the page, the listing and the
   RSS feed show a title computed from data rather than typed;
3. writes ``_variables.yml`` with the build time, shown in the site footer.

Between 2 and 3, ``python -m analysis prerender`` also clears the frozen results of every
post whose fingerprint changed since its last execution (:mod:`analysis.site.freeze`).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml

from analysis.data.clock import default_clock
from analysis.data.errors import DataError
from analysis.data.frontmatter import Post, declared_series
from analysis.data.settings import PROJECT_ROOT, Settings
from analysis.data.store import Store, atomic_write
from analysis.fetch.member_states import tally
from analysis.fetch.sources.pacing import YAHOO, pacer_for, set_deadline
from analysis.fetch.status import (
    failing_members,
    fetch_record,
    resume_pacers,
    write_fetch_status,
)
from analysis.fetch.universe_plan import fetch_universes
from analysis.fetch.update import NOT_REACHED, UpdateReport, update_series
from analysis.post import WINDOW_KEY, read_window

HEADLINE_FILE = "headline.py"
HEADLINE_FUNCTION = "compute_title"


@dataclass
class FetchResult:
    """Outcomes of fetching what the posts declare."""

    report: UpdateReport
    universes: dict[str, str] = field(default_factory=dict)  # name -> one-line summary
    members: dict = field(default_factory=dict)  # name -> UniverseReport


def fetch_for_posts(
    posts: list[Post],
    settings: Settings,
    *,
    now=None,
    yahoo_session=None,
    fred_base_url: str | None = None,
    holdings_session=None,
) -> FetchResult:
    """Update every series and universe the posts declare, once each, posts' series first.

    One wall-clock deadline bounds the whole step: ``settings.fetch_budget`` seconds from
    the start of this call, posts' series included. No request to any source leaves after
    it, whichever retry sends it (:func:`~analysis.fetch.sources.pacing.set_deadline`). The
    posts' series go first; universe members then share what is left, most behind first,
    and members that keep failing rest for days. A universe read at a past date whose
    members are all stored up to it sends no request
    (:mod:`analysis.fetch.universe_plan`). What failed transiently (a throttled answer, a
    refused crumb, a 404 for a known symbol) is asked once more at the end, if time
    remains. A series the deadline did not reach keeps its stored rows and is reported
    ``not reached``; the staleness rules decide whether the build may use it.

    Nothing is raised for a failed series: call ``result.report.raise_for_problems``.
    Universe problems are summarised in ``result.universes``.
    """
    clock = default_clock()
    started = clock.now()
    store = Store(settings.data_dir, lock_timeout=settings.lock_timeout)
    if not settings.offline:
        resume_pacers(store.root, now=now)
    previous = set_deadline(None if settings.offline else started + settings.fetch_budget)
    try:
        report = update_series(
            declared_series(posts),
            store=store,
            settings=settings,
            now=now,
            yahoo_session=yahoo_session,
            fred_base_url=fred_base_url,
        )
        result = FetchResult(report)
        # Keep time for asking the posts' series that failed transiently once more, after
        # the members: the posts matter more than one more batch of members.
        retry = sum(o.transient for o in report.outcomes.values())
        reserve = min(settings.fetch_budget / 4, retry * 60.0 / pacer_for(YAHOO).rate + 30.0)
        member_budget = max(0.0, settings.fetch_budget - (reserve if retry else 0.0))
        reads = fetch_universes(
            posts,
            settings,
            store,
            now=now,
            started=started,
            holdings_session=holdings_session,
            yahoo_session=yahoo_session,
            budget=member_budget,
            failing=lambda key: failing_members(store.root, key),
        )
        for name, outcome in reads.items():
            result.universes[name] = outcome.summary
            if outcome.report is not None:
                result.members[name] = outcome.report
        _ask_again_later(report, store, settings, now, yahoo_session, fred_base_url)
    finally:
        set_deadline(previous)
    if not settings.offline:
        seconds = clock.now() - started
        posts_counts = tally(report.outcomes, report.now) if report.outcomes else None
        record = fetch_record(
            result.members, seconds=seconds, budget=settings.fetch_budget, posts=posts_counts
        )
        write_fetch_status(store.root, record)
    return result


def _ask_again_later(report, store, settings, now, yahoo_session, fred_base_url) -> None:
    """Ask the posts' series that failed transiently once more, before the deadline."""
    again = [o.symbol for o in report.outcomes.values() if o.transient]
    if not again or settings.offline:
        return
    retry = update_series(
        again,
        store=store,
        settings=settings,
        now=now,
        yahoo_session=yahoo_session,
        fred_base_url=fred_base_url,
    )
    for symbol, outcome in retry.outcomes.items():
        if outcome.status != NOT_REACHED:
            report.outcomes[symbol] = outcome


def check_required_series(posts: list[Post], store: Store) -> None:
    """Stop the build when a post's ``required`` series is missing or ends too early.

    A required series is one the post cannot exist without (``required: ["^RUT"]``): every
    other series may be missing and its section says so, but without this one there is no
    post to show. When the post has a ``window``, the series must also reach its as-of
    date, or every figure of the window would come from a shorter one.

    Raises
    ------
    DataError
        One line naming each post, the series and the remedy.
    """
    problems = []
    for post in posts:
        as_of = read_window(post.path).as_of if WINDOW_KEY in post.front_matter else None
        for symbol in post.required:
            provenance = store.provenance(symbol)
            if provenance is None:
                problems.append(
                    f"{post.path.parent.name} requires {symbol}, which is not in the data "
                    f"store: run `python -m analysis fetch {symbol}` or import a CSV for it"
                )
            elif as_of is not None and provenance.last_bar_date < as_of:
                problems.append(
                    f"{post.path.parent.name} requires {symbol} up to its window's as-of date "
                    f"{as_of.date()}, but the stored series ends on {provenance.last_bar}: run "
                    f"`python -m analysis fetch {symbol}` or import a CSV that reaches that date"
                )
    if problems:
        raise DataError("; ".join(problems))


def posts_being_rendered(posts: list[Post], project_root: Path = PROJECT_ROOT) -> list[Post]:
    """Posts Quarto is about to render: all of them, unless it names a subset."""
    if os.environ.get("QUARTO_PROJECT_RENDER_ALL", "1") == "1":
        return posts
    inputs = os.environ.get("QUARTO_PROJECT_INPUT_FILES", "")
    named = {(project_root / line).resolve() for line in inputs.splitlines() if line.strip()}
    return [post for post in posts if post.path.resolve() in named] or posts


def write_titles(posts: list[Post], store: Store) -> dict[Path, str]:
    """Write the computed title of every post that has a ``headline.py``."""
    titles = {}
    for post in posts:
        title = compute_post_title(post, store)
        if title is not None:
            write_directory_metadata(post.path.parent, {"title": title})
            titles[post.path] = title
    return titles


def write_build_time(project_root: Path = PROJECT_ROOT) -> str:
    """Write ``_variables.yml`` with the build time the site footer shows."""
    build_time = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    _write_yaml(project_root / "_variables.yml", {"build-time": build_time})
    return build_time


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
