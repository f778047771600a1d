"""Whole-site builds with frozen posts: cold, no-op, one post edited, one series extended.

A temporary copy of the project gets 50 posts made with ``new-post`` (a different subject
symbol each, cycling through the fixture's Yahoo series; every post also declares the
benchmarks in ``research.yml``) in place of the committed ones, and the fixture store. It
is rendered with ``quarto render --profile offline``:

1. ``cold``: nothing frozen, every post executes;
2. ``noop``: the same again; target: nothing executes and it takes at most 1.3 times
   the ``--no-execute`` floor;
3. one post's prose edited: that post alone executes;
4. a bar added to one series that k posts declare: exactly those k execute;
5. a bar added to every member of the universe alone: the seed post, which reads the
   universe as of its window's as-of, does not execute (a live post would);
6. ``daily``: a bar added to every series and every member, as a weekday brings: every post
   whose series moved executes (all of them here: each declares the benchmarks);
7. ``--no-execute``: the same site without executing anything, the floor.

With ``--seed`` (the default) the committed seed post is kept beside the generated ones,
so the site is the one a forker builds (``--no-seed`` for generated posts alone).

A smaller cold build (``--small``, 10 posts by default) shows whether a cold build grows
linearly with posts. Which posts executed is read from Quarto's log (an ``Executing`` line
under the file's header), not from what the pre-render step planned.

Without Quarto on PATH, each post runs through nbclient (``execute_post``, as Quarto's
Jupyter engine runs it) for the cold time, the executed counts come from the fingerprint
decisions alone, and the render times (``noop_s``, ``no_execute_s``) are null.

The last line printed is one JSON object with the keys ``posts``, ``cold_s``, ``noop_s``,
``noop_executed``, ``one_post_executed``, ``one_series_executed``,
``one_series_expected``, ``no_execute_s``, ``members_only_executed``, ``daily_executed``
and ``daily_s`` (without Quarto, ``daily_s`` is the nbclient execution of the posts the
fingerprints select, like ``cold_s``; the row says so).

Run: ``python benchmarks/site_build.py`` (``--posts 20`` for a quicker run).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.data.frontmatter import find_posts  # noqa: E402
from analysis.data.store import Store  # noqa: E402
from analysis.site.new_post import create_post  # noqa: E402
from analysis.testing.builds import add_bar, executed_posts  # noqa: E402
from analysis.testing.fixture_store import SPECS, build_fixture_store  # noqa: E402

QUARTO = shutil.which("quarto")
NOOP_TARGET = 1.3
# The symbol whose new bar is step 4: a subject of several posts, not a benchmark.
EXTENDED = "AAPL"


def subjects() -> list[str]:
    """Yahoo symbols of the fixture that are not the research.yml benchmarks."""
    from analysis.data.settings import load_research_settings

    benchmarks = set(load_research_settings().benchmarks)
    return [s for s in SPECS if not s.startswith("fred:") and s not in benchmarks]


SEED = "2026-01-18-small-caps-lead"


def make_project(target: Path, posts: int, seed: bool = False) -> Path:
    """Copy what git would commit, replace the posts with ``posts`` new ones (and the seed)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        keep = name == "posts/_metadata.yml" or (seed and name.startswith(f"posts/{SEED}/"))
        if name.startswith("posts/") and not keep:
            continue
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    symbols = subjects()
    for i in range(posts):
        symbol = symbols[i % len(symbols)]
        create_post(
            f"Note {i + 1} on {symbol}",
            symbols=[symbol],
            date=f"2026-03-{1 + i % 28:02d}",
            posts_dir=target / "posts",
        )
    return target


def declaring(project: Path, symbol: str) -> int:
    """How many posts declare ``symbol`` in their front matter."""
    return sum(symbol in post.series for post in find_posts(project / "posts"))


def render(project: Path, data: Path, *extra: str) -> tuple[float, set[str]]:
    """One offline render: its wall time and the posts Quarto executed."""
    env = {
        **os.environ,
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        "QUARTO_PYTHON": sys.executable,
        "ANALYSIS_DATA_DIR": str(data),
        "PYTHONPATH": str(project),
    }
    for name in ("ANALYSIS_EXECUTE_ALL", "ANALYSIS_MAX_STALE_SESSIONS", "ANALYSIS_OFFLINE"):
        env.pop(name, None)
    started = time.perf_counter()
    done = subprocess.run(
        [QUARTO, "render", "--profile", "offline", *extra],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"quarto render failed:\n{(done.stdout + done.stderr)[-4000:]}")
    return seconds, executed_posts(done.stdout + done.stderr)


def add_members_bar(store: Store) -> int:
    """A new bar for every member of the stored universe; returns how many."""
    from analysis.data.holdings import latest_holdings

    members = [s for s in latest_holdings(store).symbols if s in store]
    for symbol in members:
        add_bar(store, symbol)
    return len(members)


def add_daily_bar(store: Store) -> int:
    """A new bar for every stored series, members included, as a weekday brings; how many."""
    for symbol in store.symbols():
        if store.provenance(symbol).kind == "ohlcv":
            add_bar(store, symbol)
        else:  # a FRED value series: the same value on the next weekday
            frame = store.read(symbol)
            row = frame.iloc[[-1]].copy()
            row.index = pd.DatetimeIndex([frame.index[-1] + pd.offsets.BDay(1)], name="date")
            prov = store.provenance(symbol)
            store.write(symbol, pd.concat([frame, row]), source=prov.source)
    return len(store.symbols())


def edit_one_post(project: Path) -> str:
    post = find_posts(project / "posts")[0]
    post.path.write_text(post.path.read_text() + "\nA sentence added after publication.\n")
    return post.path.parent.name


def with_quarto(
    tmp: Path, posts: int, small: int, seed: bool
) -> tuple[dict, list[tuple[str, str]]]:
    data = tmp / "data"
    build_fixture_store(data)
    store = Store(data)
    rows = []

    if small:
        project = make_project(tmp / "small", small)
        seconds, _ = render(project, data)
        rows.append((f"cold, {small} posts", f"{seconds:.1f} s ({seconds / small:.2f} s per post)"))

    project = make_project(tmp / "site", posts, seed)
    total = len(find_posts(project / "posts"))
    cold_s, cold = render(project, data)
    rows.append((f"cold, {posts} posts", f"{cold_s:.1f} s ({cold_s / posts:.2f} s per post)"))
    noop_s, noop = render(project, data)
    rows.append(("no-op", f"{noop_s:.1f} s, {len(noop)} executed"))
    edited = edit_one_post(project)
    _, one_post = render(project, data)
    rows.append(("one post edited", f"{len(one_post)} executed ({', '.join(sorted(one_post))})"))
    expected = declaring(project, EXTENDED)
    add_bar(store, EXTENDED)
    _, one_series = render(project, data)
    rows.append((f"a new {EXTENDED} bar", f"{len(one_series)} executed, {expected} declare it"))
    members = add_members_bar(store)
    _, members_only = render(project, data)
    rows.append((f"a new bar for {members} members", f"{len(members_only)} executed"))
    add_daily_bar(store)
    daily_s, daily = render(project, data)
    rows.append(("daily: a bar for every series", f"{daily_s:.1f} s, {len(daily)} executed"))
    no_execute_s, _ = render(project, data, "--no-execute")
    rows.append(("--no-execute floor", f"{no_execute_s:.1f} s"))
    per_post = (cold_s - no_execute_s) / posts
    rows.append(("execution per post (cold)", f"{per_post:.2f} s"))
    rows.append(("no-op / floor", f"{noop_s / no_execute_s:.2f} (target ≤ {NOOP_TARGET})"))
    if len(cold) != total:
        rows.append(("warning", f"the cold build executed {len(cold)} of {total} posts"))
    if one_post != {edited}:
        rows.append(("warning", f"expected {edited} alone to execute"))
    result = {
        "posts": total,
        "cold_s": round(cold_s, 2),
        "noop_s": round(noop_s, 2),
        "noop_executed": len(noop),
        "one_post_executed": len(one_post),
        "one_series_executed": len(one_series),
        "one_series_expected": expected,
        "no_execute_s": round(no_execute_s, 2),
        "members_only_executed": len(members_only),
        "daily_executed": len(daily),
        "daily_s": round(daily_s, 2),
    }
    return result, rows


def without_quarto(
    tmp: Path, posts: int, why: str, seed: bool
) -> tuple[dict, list[tuple[str, str]]]:
    """Cold time through nbclient; executed counts from the fingerprint decisions."""
    from analysis.site import fingerprint, freeze
    from analysis.site.notebook import execute_post

    data = tmp / "data"
    build_fixture_store(data)
    store = Store(data)
    project = make_project(tmp / "site", posts, seed)
    total = len(find_posts(project / "posts"))
    env = {"ANALYSIS_DATA_DIR": str(data), "ANALYSIS_OFFLINE": "1", "PYTHONPATH": str(project)}

    def plan() -> list:
        inputs = fingerprint.FingerprintInputs(store, project, package_dir=project / "analysis")
        return freeze.decide(find_posts(project / "posts"), inputs, execute_all=False)

    def execute(decisions) -> int:
        """Run each post that must execute, then record it as Quarto's render would."""
        freeze.prepare_build(decisions, project)
        for decision in decisions:
            if decision.execute:
                result = execute_post(decision.post.path, env=env)
                if result.errors():
                    raise SystemExit(f"{decision.post.path}: {result.errors()}")
                # Stands in for the frozen results Quarto would write.
                frozen = freeze.entry_dir(decision.post, project) / freeze.FROZEN_RESULT
                frozen.parent.mkdir(parents=True, exist_ok=True)
                frozen.write_text("{}")
        freeze.record_executed(project)
        return sum(d.execute for d in decisions)

    started = time.perf_counter()
    execute(plan())
    cold_s = time.perf_counter() - started
    noop_executed = execute(plan())
    edit_one_post(project)
    one_post = execute(plan())
    expected = declaring(project, EXTENDED)
    add_bar(store, EXTENDED)
    one_series = execute(plan())
    members = add_members_bar(store)
    members_only = execute(plan())
    add_daily_bar(store)
    started = time.perf_counter()
    daily = execute(plan())
    daily_s = time.perf_counter() - started
    rows = [
        ("skipped", f"Quarto renders ({why}): noop_s and no_execute_s are null"),
        (f"cold, {total} posts (nbclient)", f"{cold_s:.1f} s ({cold_s / total:.2f} s per post)"),
        ("no-op", f"{noop_executed} executed (fingerprint decisions)"),
        ("one post edited", f"{one_post} executed"),
        (f"a new {EXTENDED} bar", f"{one_series} executed, {expected} declare it"),
        (f"a new bar for {members} members", f"{members_only} executed"),
        (
            "daily: a bar for every series",
            f"{daily_s:.1f} s (nbclient, no render), {daily} executed",
        ),
    ]
    result = {
        "posts": total,
        "cold_s": round(cold_s, 2),
        "noop_s": None,
        "noop_executed": noop_executed,
        "one_post_executed": one_post,
        "one_series_executed": one_series,
        "one_series_expected": expected,
        "no_execute_s": None,
        "members_only_executed": members_only,
        "daily_executed": daily,
        "daily_s": round(daily_s, 2),
    }
    return result, rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50, help="posts in the generated site")
    parser.add_argument(
        "--small", type=int, default=10, help="posts in the extra cold build (0: skip it)"
    )
    parser.add_argument(
        "--nbclient", action="store_true", help="measure through nbclient even with Quarto"
    )
    parser.add_argument(
        "--seed",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="keep the committed seed post beside the generated ones (default: yes)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if QUARTO and not args.nbclient:
            result, rows = with_quarto(Path(tmp), args.posts, args.small, args.seed)
        else:
            why = "--nbclient" if QUARTO else "quarto is not on PATH"
            print(f"Quarto renders skipped: {why}; executing posts through nbclient instead.")
            result, rows = without_quarto(Path(tmp), args.posts, why, args.seed)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
