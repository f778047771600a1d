"""``python -m analysis``: fetch, inspect and import series in the local store.

Every expected failure (unknown symbol, network down, malformed file, locked or corrupted
store, stale data) ends in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from analysis.data import frontmatter as posts_module
from analysis.data.errors import DataError
from analysis.data.fetch_status import read_fetch_status
from analysis.data.load import series_status
from analysis.data.settings import load_settings
from analysis.data.store import Store, utc_now_iso
from analysis.fetch.member_states import describe as describe_states
from analysis.fetch.sources.csv_import import read_series_csv
from analysis.fetch.universe_plan import next_fetch, plan_universes
from analysis.fetch.update import update_series
from analysis.site import freeze, prerender
from analysis.site.new_post import create_post

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ValueError as exc:  # bad settings in the environment
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted; the store is unchanged by any unfinished write", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    fetch = commands.add_parser("fetch", help="bring series up to date in the store")
    fetch.add_argument("symbols", nargs="*", help="Yahoo symbols (^RUT, IWM, CL=F) or fred:<ID>")
    fetch.add_argument(
        "--for-posts",
        action="store_true",
        help="also every series declared in posts/*/index.qmd front matter",
    )
    fetch.add_argument("--posts-dir", type=Path, default=None, help=argparse.SUPPRESS)
    fetch.add_argument("--offline", action="store_true", help="never touch the network")
    fetch.set_defaults(handler=_fetch)

    status = commands.add_parser("status", help="what the store holds, and whether it is fresh")
    status.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    status.add_argument("--posts-dir", type=Path, default=None, help=argparse.SUPPRESS)
    status.set_defaults(handler=_status)

    pre = commands.add_parser(
        "prerender", help="the build's pre-render step: fetch for all posts, write titles"
    )
    pre.add_argument("--offline", action="store_true", help="never touch the network")
    pre.add_argument("--posts-dir", type=Path, default=None, help=argparse.SUPPRESS)
    pre.set_defaults(handler=_prerender)

    post = commands.add_parser(
        "postrender", help="the build's post-render step: record the posts it executed"
    )
    post.add_argument("--posts-dir", type=Path, default=None, help=argparse.SUPPRESS)
    post.set_defaults(handler=_postrender)

    importer = commands.add_parser("import", help="import an OHLCV or date,value CSV as a series")
    importer.add_argument("csv", type=Path)
    importer.add_argument("--symbol", required=True, help="the symbol posts will read it as")
    importer.set_defaults(handler=_import)

    new = commands.add_parser("new-post", help="start a post folder from the template")
    new.add_argument("title", help='the post\'s title, e.g. "Small caps in January"')
    new.add_argument("--symbols", nargs="+", default=None, help="series the post is about")
    new.add_argument("--date", default=None, help="YYYY-MM-DD (default: today)")
    new.add_argument("--categories", nargs="+", default=None, help="replace research.yml's")
    new.add_argument("--posts-dir", type=Path, default=None, help=argparse.SUPPRESS)
    new.set_defaults(handler=_new_post)
    return parser


def _fetch(args) -> int:
    settings = load_settings(offline=True if args.offline else None)
    posts = (
        posts_module.find_posts(args.posts_dir or posts_module.POSTS_DIR) if args.for_posts else []
    )
    if not args.symbols and not posts:
        print("error: name at least one symbol, or use --for-posts", file=sys.stderr)
        return EXIT_USAGE
    if args.symbols:
        store = Store(settings.data_dir, lock_timeout=settings.lock_timeout)
        report = update_series(args.symbols, store=store, settings=settings)
        _print_outcomes(report)
        report.raise_for_problems(settings.max_stale_sessions)
    if posts:
        _fetch_for_posts(posts, settings)
    return EXIT_OK


def _prerender(args) -> int:
    settings = load_settings(offline=True if args.offline else None)
    posts_dir = args.posts_dir or posts_module.POSTS_DIR
    posts = posts_module.find_posts(posts_dir)
    # A missing series does not stop the render by itself: each post falls back visibly.
    # A series too stale to trust stops it, and so does one a post marks required (below).
    rendered = prerender.posts_being_rendered(posts, posts_dir.parent)
    _fetch_for_posts(rendered, settings, allow_missing=True)
    store = Store(settings.data_dir, lock_timeout=settings.lock_timeout)
    # A series a post marks required stops the build here, in one line, not in a cell.
    prerender.check_required_series(rendered, store)
    for path, title in prerender.write_titles(posts, store).items():
        print(f"title of {path.parent.name}: {title}")
    being_rendered = prerender.posts_being_rendered(posts, posts_dir.parent)
    for decision in freeze.plan_build(being_rendered, store, posts_dir.parent):
        print(_describe(decision))
    prerender.write_build_time(posts_dir.parent)
    return EXIT_OK


def _postrender(args) -> int:
    posts_dir = args.posts_dir or posts_module.POSTS_DIR
    for folder in freeze.record_executed(posts_dir.parent):
        print(f"recorded the fingerprint of {folder}")
    return EXIT_OK


def _describe(decision) -> str:
    if decision.execute:
        return f"executes {decision.folder}: {'; '.join(decision.reasons)}"
    return f"frozen   {decision.folder}: unchanged since its last execution"


def _fetch_for_posts(posts, settings, *, allow_missing: bool = False) -> None:
    result = prerender.fetch_for_posts(posts, settings)
    _print_outcomes(result.report)
    for name, summary in result.universes.items():
        print(f"universe {name}: {summary}")
    if allow_missing:
        for outcome in result.report.failed:
            print(f"warning: {outcome.symbol}: {outcome.error}", file=sys.stderr)
    result.report.raise_for_problems(settings.max_stale_sessions, allow_missing=allow_missing)


def _print_outcomes(report) -> None:
    for outcome in report.outcomes.values():
        last = outcome.provenance.last_bar if outcome.provenance else "-"
        detail = f"  ({outcome.error})" if outcome.error else ""
        print(f"{outcome.symbol:<16} {outcome.status:<9} last bar {last}{detail}")


def _status(args) -> int:
    settings = load_settings()
    store = Store(settings.data_dir, lock_timeout=settings.lock_timeout)
    now = pd.Timestamp(utc_now_iso())
    rows, problems = [], []
    for symbol in store.symbols():
        try:
            store.read_bytes(symbol)  # a file that fails its checksum is quarantined here
            (status,) = series_status([symbol], store=store, now=now)
        except DataError as exc:
            problems.append(str(exc))
            continue
        prov = status.provenance
        rows.append(
            {
                "symbol": symbol,
                "source": prov.source,
                "first bar": prov.first_bar,
                "last bar": prov.last_bar,
                "rows": prov.rows,
                "fetched at": prov.fetched_at,
                "state": "stale" if status.stale else "fresh",
                "last error": prov.last_error or "",
            }
        )
    _print_rows(rows, args.format, empty=f"the store {store.root} holds no series yet")
    if args.format != "json":  # the last fetch's JSON record is data/fetch-status.json
        _print_last_fetch(read_fetch_status(store.root), args.format)
        _print_universes(args.posts_dir or posts_module.POSTS_DIR, store, args.format)
        _print_next_build(args.posts_dir or posts_module.POSTS_DIR, store, args.format)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return EXIT_ERROR if problems else EXIT_OK


def _print_last_fetch(record: dict | None, fmt: str) -> None:
    """The operator's view of the last live fetch: pacing per source, universe coverage."""
    print()
    print("### Last fetch" if fmt == "markdown" else "Last fetch")
    print()
    if record is None:
        print("no live fetch of the posts' data has run on this store yet")
        return
    print(
        f"finished {record.get('finished_at')}: {record.get('seconds', 0):g} s of fetching "
        f"(deadline for the whole fetch step {record.get('budget_seconds', 0):g} s)"
    )
    print()
    rows = [
        {
            "source": name,
            "requests sent": stats.get("requests", 0),
            "answers throttled": stats.get("rate_limited", 0),
            "seconds waiting": f"{stats.get('waited_seconds', 0):g}",
            "rate (per minute)": f"{stats.get('rate', 0):.3g}",
            "ceiling (per minute)": f"{stats.get('ceiling', 0):.3g}",
            "why": stats.get("why") or "",
        }
        for name, stats in record.get("sources", {}).items()
    ]
    _print_rows(rows, fmt, empty="no requests were sent")
    posts = record.get("posts")
    if posts:
        print()
        text = describe_states(sum_states(posts), posts).replace("members", "series")
        print(f"posts' series: {text}")
    for name, u in record.get("universes", {}).items():
        if "complete" in u:
            line = f"universe {name}: {describe_states(u['members'], u)}"
        else:  # a record from before the four states
            line = f"universe {name}: {u['with_data']:,} of {u['members']:,} members have data"
            if u.get("not_reached"):
                line += f"; {u['not_reached']:,} not reached (next builds)"
        if u.get("gave_up"):
            line += f"; {u['gave_up']}"
        print()
        print(line)


def sum_states(counts: dict) -> int:
    """How many series a record's state counts cover."""
    return counts.get("complete", 0) + counts.get("behind", 0)


def _print_universes(posts_dir: Path, store: Store, fmt: str) -> None:
    """Per universe the posts read: its date, holdings file, members, and the next fetch."""
    states = plan_universes(posts_module.find_posts(posts_dir), store)
    if not states:
        return
    print()
    print("### Universes" if fmt == "markdown" else "Universes")
    print()
    rows = [
        {
            "universe": state.read.fund,
            "read at": state.read.as_of.date() if state.read.pinned else "today (live)",
            "holdings file": state.holdings.as_of.date() if state.holdings else "none stored",
            "members": f"{len(state.members):,}",
            "stored": f"{len(state.stored):,}",
            "complete": f"{len(state.complete):,}",
            "no longer served": f"{len(state.unserved):,}",
            "next build fetches": next_fetch(state),
        }
        for state in states
    ]
    _print_rows(rows, fmt, empty="")


def _print_next_build(posts_dir: Path, store: Store, fmt: str) -> None:
    """Which posts the next build executes, and why (the others reuse their frozen pages)."""
    posts = posts_module.find_posts(posts_dir)
    decisions = freeze.decide(posts, freeze.FingerprintInputs(store, posts_dir.parent))
    executing = [d for d in decisions if d.execute]
    print()
    heading = f"The next build executes {len(executing)} of {len(decisions)} posts"
    print(f"### {heading}" if fmt == "markdown" else f"{heading}:")
    if fmt == "markdown" and executing:
        print()
    for decision in executing:
        bullet = "- " if fmt == "markdown" else "  "
        print(f"{bullet}{decision.folder}: {'; '.join(decision.reasons)}")


def _import(args) -> int:
    settings = load_settings()
    store = Store(settings.data_dir, lock_timeout=settings.lock_timeout)
    frame, notes = read_series_csv(args.csv)
    prov = store.write(args.symbol, frame, source=f"imported from {args.csv.name}", notes=notes)
    print(
        f"imported {prov.rows} rows of {args.symbol} ({prov.first_bar} to {prov.last_bar}) "
        f"from {args.csv}"
    )
    for note in notes:
        print(f"  note: {note}")
    return EXIT_OK


def _new_post(args) -> int:
    path = create_post(
        args.title,
        symbols=args.symbols,
        date=args.date,
        categories=args.categories,
        posts_dir=args.posts_dir or posts_module.POSTS_DIR,
    )
    series = posts_module.read_front_matter(path)[posts_module.SERIES_KEY]
    print(f"created {path}")
    print(f"it reads {', '.join(series)}; bring them into the store with")
    print("  python -m analysis fetch --for-posts   (or import CSV files)")
    print("then preview it with `make preview` and replace the prose and example claims")
    return EXIT_OK


def _print_rows(rows: list[dict], fmt: str, *, empty: str) -> None:
    if fmt == "json":
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        print(empty)
        return
    headers = list(rows[0])
    if fmt == "markdown":
        print("| " + " | ".join(headers) + " |")
        print("|" + "---|" * len(headers))
        for row in rows:
            print("| " + " | ".join(str(row[h]).replace("|", "\\|") for h in headers) + " |")
        return
    widths = {h: max(len(h), *(len(str(r[h])) for r in rows)) for h in headers}
    print("  ".join(h.ljust(widths[h]) for h in headers).rstrip())
    for row in rows:
        print("  ".join(str(row[h]).ljust(widths[h]) for h in headers).rstrip())
