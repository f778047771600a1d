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
5. ``--no-execute``: the same site without executing anything, the floor.

A smaller cold build (``--small``, 10 posts by default) shows whether a cold build grows
linearly with posts. Which posts executed is read from Quarto's log (an ``Executing`` line
under the file's header), not from what the pre-render step planned.

Without Quarto on PATH, each post runs through nbclient (``execute_post``, as Quarto's
Jupyter engine runs it) for the cold time, the executed counts come from the fingerprint
decisions alone, and the render times (``noop_s``, ``no_execute_s``) are null.

The last line printed is one JSON object with the keys ``posts``, ``cold_s``, ``noop_s``,
``noop_executed``, ``one_post_executed``, ``one_series_executed``,
``one_series_expected`` and ``no_execute_s``.

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


def make_project(target: Path, posts: int) -> Path:
    """Copy what git would commit, replace the posts with ``posts`` new ones."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if name.startswith("posts/") and name != "posts/_metadata.yml":
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


def edit_one_post(project: Path) -> str:
    post = find_posts(project / "posts")[0]
    post.path.write_text(post.path.read_text() + "\nA sentence added after publication.\n")
    return post.path.parent.name


def with_quarto(tmp: Path, posts: int, small: int) -> tuple[dict, list[tuple[str, str]]]:
    data = tmp / "data"
    build_fixture_store(data)
    store = Store(data)
    rows = []

    if small:
        project = make_project(tmp / "small", small)
        seconds, _ = render(project, data)
        rows.append((f"cold, {small} posts", f"{seconds:.1f} s ({seconds / small:.2f} s per post)"))

    project = make_project(tmp / "site", posts)
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
    no_execute_s, _ = render(project, data, "--no-execute")
    rows.append(("--no-execute floor", f"{no_execute_s:.1f} s"))
    per_post = (cold_s - no_execute_s) / posts
    rows.append(("execution per post (cold)", f"{per_post:.2f} s"))
    rows.append(("no-op / floor", f"{noop_s / no_execute_s:.2f} (target ≤ {NOOP_TARGET})"))
    if len(cold) != posts:
        rows.append(("warning", f"the cold build executed {len(cold)} of {posts} posts"))
    if one_post != {edited}:
        rows.append(("warning", f"expected {edited} alone to execute"))
    result = {
        "posts": posts,
        "cold_s": round(cold_s, 2),
        "noop_s": round(noop_s, 2),
        "noop_executed": len(noop),
        "one_post_executed": len(one_post),
        "one_series_executed": len(one_series),
        "one_series_expected": expected,
        "no_execute_s": round(no_execute_s, 2),
    }
    return result, rows


def without_quarto(tmp: Path, posts: int, why: str) -> tuple[dict, list[tuple[str, str]]]:
    """Cold time through nbclient; executed counts from the fingerprint decisions."""
    from analysis.site import fingerprint, freeze
    from analysis.site.notebook import execute_post

    data = tmp / "data"
    build_fixture_store(data)
    store = Store(data)
    project = make_project(tmp / "site", posts)
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
    rows = [
        ("skipped", f"Quarto renders ({why}): noop_s and no_execute_s are null"),
        (f"cold, {posts} posts (nbclient)", f"{cold_s:.1f} s ({cold_s / posts:.2f} s per post)"),
        ("no-op", f"{noop_executed} executed (fingerprint decisions)"),
        ("one post edited", f"{one_post} executed"),
        (f"a new {EXTENDED} bar", f"{one_series} executed, {expected} declare it"),
    ]
    result = {
        "posts": posts,
        "cold_s": round(cold_s, 2),
        "noop_s": None,
        "noop_executed": noop_executed,
        "one_post_executed": one_post,
        "one_series_executed": one_series,
        "one_series_expected": expected,
        "no_execute_s": None,
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
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if QUARTO and not args.nbclient:
            result, rows = with_quarto(Path(tmp), args.posts, args.small)
        else:
            why = "--nbclient" if QUARTO else "quarto is not on PATH"
            result, rows = without_quarto(Path(tmp), args.posts, why)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
