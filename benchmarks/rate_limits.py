"""Fetching under Yahoo's rate limits, on simulated time: builds, requests, 429s, minutes.

A fake Yahoo (``FakeYahooSession`` in rate-limit mode) allows R requests a minute from a
token bucket holding ten seconds' worth, and answers 429 above it; in the "penalty" cases it
then blocks everything for 5 minutes, and sends no ``Retry-After`` (the worst case). Every
request takes 0.25 simulated seconds. The fetch runs as the project runs it, at its default
pace (``ANALYSIS_YAHOO_RATE``, 60 a minute), one request at a time so that simulated time is
exact; each build starts its pacer from the rate the last one ended at. For each case:

- **cold**: an empty store, 25 posts' series and a 2,000-member universe, built again and
  again on the same day under the default budget (``ANALYSIS_FETCH_BUDGET``, 540 s) as a
  forker's repeated ``make site`` would: the builds needed, all requests sent, the share
  answered 429, simulated minutes per build, members lost (stored before a build and not
  after, or with fewer bars), and whether the posts' series were complete after build one;
- **daily**: the next session's increment under the publish workflow's budget (2,400 s):
  requests, share of 429s, simulated minutes, whether one build completes it.

Extra rows (table only) show a Yahoo stricter than our pace (R = 40), where the pacer has to
adapt. The last line is one JSON object, per case: ``cold_builds``, ``cold_requests``,
``cold_429_share``, ``members_lost``, ``daily_requests``, ``daily_429_share``,
``daily_minutes``, ``daily_one_build``.

Two more cases run the whole pre-render fetch (``fetch_for_posts``: the posts' series, then
the universes the posts read) against the fake Yahoo at R = 60 and a fake iShares site that
publishes month ends and today's file, the universe read by one post:

- ``pinned``: the seed post's shape, a post whose window's as-of is two weeks before the
  data's end (a day iShares has no file of, so the month end before it is used), and 1% of
  that day's members since delisted (Yahoo answers them as unknown);
- ``live``: the same universe read by a post without a window (today's members).

Each has the keys above plus ``daily_universe_requests`` (member price requests and holdings
downloads of the daily build). ``cold_requests`` counts every request, the posts' series and
the holdings downloads included; the cold target of at most 1.05 requests per member is
checked on the universe's own requests (members' prices and holdings downloads). Targets
for ``pinned``: ``daily_universe_requests`` 0, ``daily_requests`` at most the declared series
plus 5, ``daily_minutes`` under 2.

Run: ``python benchmarks/rate_limits.py`` (about 25 minutes: yfinance parses every answer;
``--members 300`` for a quick look, ``--jobs 2`` to run cases side by side). No network.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.data.clock import SimulatedClock
from analysis.data.frontmatter import Post
from analysis.data.holdings import parse_holdings
from analysis.data.sessions import session_close
from analysis.data.settings import DEFAULT_FETCH_BUDGET, DEFAULT_YAHOO_RATE, Settings
from analysis.data.store import Store
from analysis.fetch.sources.pacing import PacingPolicy, reset_pacers
from analysis.fetch.status import fetch_record, resume_pacers, write_fetch_status
from analysis.fetch.universe import update_universe
from analysis.fetch.update import CURRENT, UNCHANGED, UPDATED, update_series
from analysis.site.prerender import fetch_for_posts
from analysis.testing.fake_ishares import FakeISharesSite, holdings_csv
from analysis.testing.fake_yahoo import FakeYahooSession, RateLimit, make_ohlcv

CASES = {
    "R60": (60, 0),
    "R60_penalty5": (60, 5),
    "R300": (300, 0),
    "R300_penalty5": (300, 5),
}
EXTRA_CASES = {"R40": (40, 0), "R40_penalty5": (40, 5)}
POSTS = [f"P{i:02d}" for i in range(25)]
WORKFLOW_BUDGET = 2400.0
LATENCY = 0.25
BETWEEN_BUILDS = 15 * 60.0  # a forker's next `make site`, a quarter of an hour later
MAX_BUILDS = 30
AFTER_CLOSE = pd.Timedelta(hours=3)
TARGETS = {"members_lost": 0, "share_429": 0.02, "requests_per_member": 1.1, "job_minutes": 45}


class Run:
    """One case's world: a simulated clock, a fake Yahoo with its limit, and a store."""

    def __init__(self, per_minute: float, penalty: float, members: int, root: Path) -> None:
        self.clock = SimulatedClock()
        self.members = [f"M{i:04d}" for i in range(members)]
        self.holdings = parse_holdings(holdings_csv(self.members))
        day_one = make_ohlcv("2025-11-03", 51)  # ends on a session; the next adds one bar
        self.day_two = make_ohlcv("2025-11-03", 52)
        self.day_one = day_one
        limit = RateLimit(
            per_minute,
            burst=max(1, round(per_minute / 6)),
            retry_after=penalty == 0,
            penalty_minutes=penalty,
        )
        self.session = FakeYahooSession(
            dict.fromkeys([*POSTS, *self.members], day_one),
            rate_limit=limit,
            clock=self.clock,
            latency=LATENCY,
        )
        self.store = Store(root)
        self.root = root

    def build(self, now, budget: float) -> dict:
        """One build as the pre-render step runs it: posts' series, then members."""
        # A build is a new process: its pacer starts from what the last build learned.
        reset_pacers(self.clock, yahoo=PacingPolicy(DEFAULT_YAHOO_RATE, max_concurrency=1))
        resume_pacers(self.root)
        settings = Settings(data_dir=self.root, fetch_budget=budget)
        before = self._stored()
        sent, limited = len(self.session.requests_made), self.session.rate_limited
        started = self.clock.now()
        posts = update_series(
            POSTS, store=self.store, settings=settings, now=now, yahoo_session=self.session
        )
        members = update_universe(
            self.holdings, self.store, settings, self.session, now=now, started=started
        )
        seconds = self.clock.now() - started
        write_fetch_status(
            self.root, fetch_record({"IWM": members}, seconds=seconds, budget=budget)
        )
        after = self._stored()
        lost = [s for s, bars in before.items() if after.get(s, 0) < bars]
        return {
            "requests": len(self.session.requests_made) - sent,
            "429": self.session.rate_limited - limited,
            "minutes": (self.clock.now() - started) / 60,
            "not_reached": len(members.not_reached),
            "failed": len(members.failed),
            "lost": len(lost),
            "posts_complete": all(
                o.status in (UPDATED, CURRENT, UNCHANGED) for o in posts.outcomes.values()
            ),
        }

    def _stored(self) -> dict[str, int]:
        rows = {}
        for symbol in self.members:
            prov = self.store.provenance(symbol)
            if prov is not None:
                rows[symbol] = prov.rows
        return rows


def run_case(name: str, per_minute: float, penalty: float, members: int) -> dict:
    import yfinance  # noqa: F401  (it installs a warnings filter; override it after)

    warnings.simplefilter("ignore")
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as tmp:
        run = Run(per_minute, penalty, members, Path(tmp))
        day_one = session_close(run.day_one.index[-1]) + AFTER_CLOSE
        cold = []
        while len(cold) < MAX_BUILDS:
            cold.append(run.build(day_one, DEFAULT_FETCH_BUDGET))
            if cold[-1]["not_reached"] == 0 and cold[-1]["failed"] == 0:
                break
            run.clock.advance(BETWEEN_BUILDS)
        run.clock.advance(24 * 3600)
        run.session.series.update(dict.fromkeys(run.members + POSTS, run.day_two))
        day_two = session_close(run.day_two.index[-1]) + AFTER_CLOSE
        daily = run.build(day_two, WORKFLOW_BUDGET)
    cold_requests = sum(b["requests"] for b in cold)
    return {
        "name": name,
        "R": per_minute,
        "penalty": penalty,
        "members": members,
        "cold_builds": len(cold),
        "cold_requests": cold_requests,
        "cold_429_share": round(sum(b["429"] for b in cold) / max(1, cold_requests), 4),
        "cold_minutes": [round(b["minutes"], 1) for b in cold],
        "cold_complete": cold[-1]["not_reached"] == 0 and cold[-1]["failed"] == 0,
        "posts_complete_after_first": cold[0]["posts_complete"],
        "members_lost": sum(b["lost"] for b in cold) + daily["lost"],
        "daily_requests": daily["requests"],
        "daily_429_share": round(daily["429"] / max(1, daily["requests"]), 4),
        "daily_minutes": round(daily["minutes"], 1),
        "daily_one_build": daily["not_reached"] == 0 and daily["failed"] == 0,
    }


READER_CASES = ("pinned", "live")
UNSERVED_EVERY = 100  # one member in a hundred delisted since the pinned day
PINNED_TARGETS = {"universe_per_member": 1.05, "daily_extra": 5, "daily_minutes": 2.0}


def run_reader_case(name: str, members: int) -> dict:
    """The pre-render fetch for one post reading the universe pinned to a past day, or live."""
    import yfinance  # noqa: F401  (it installs a warnings filter; override it after)

    warnings.simplefilter("ignore")
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as tmp:
        run = Run(60, 0, members, Path(tmp))
        # A day in the data's last month, a week before its end: iShares has no file of it.
        as_of = run.day_one.index[-6]
        month_end = run.day_one.index[run.day_one.index < as_of.replace(day=1)][-1]
        gone = run.members[::UNSERVED_EVERY]
        for symbol in gone:  # delisted since: Yahoo no longer knows them
            del run.session.series[symbol]
        today = [m for m in run.members if m not in gone]
        site = FakeISharesSite({"IWM": {month_end: run.members, run.day_one.index[-1]: today}})
        front = {"series": POSTS, "universes": ["IWM"]}
        if name == "pinned":
            front["window"] = {"base": month_end, "as-of": as_of}
        posts = [Post(Path(tmp) / "post" / "index.qmd", front)]

        def build(now, budget) -> dict:
            reset_pacers(run.clock, yahoo=PacingPolicy(DEFAULT_YAHOO_RATE, max_concurrency=1))
            resume_pacers(run.root)
            settings = Settings(data_dir=run.root, fetch_budget=budget)
            before = run._stored()
            sent, limited = list(run.session.requests_made), run.session.rate_limited
            holdings_sent = len(site.requests)
            started = run.clock.now()
            result = fetch_for_posts(
                posts, settings, now=now, yahoo_session=run.session, holdings_session=site
            )
            new_requests = run.session.requests_made[len(sent) :]
            member_set = set(run.members)
            member_requests = sum(1 for r in new_requests if _request_symbol(r) in member_set)
            after = run._stored()
            reports = list(result.members.values())
            return {
                "requests": len(new_requests) + len(site.requests) - holdings_sent,
                "universe_requests": member_requests + len(site.requests) - holdings_sent,
                "429": run.session.rate_limited - limited,
                "minutes": (run.clock.now() - started) / 60,
                "not_reached": sum(len(r.not_reached) for r in reports),
                "failed": sum(1 for r in reports for s in r.failed if s not in set(gone)),
                "lost": len([s for s, bars in before.items() if after.get(s, 0) < bars]),
                "posts_complete": all(
                    o.status in (UPDATED, CURRENT, UNCHANGED)
                    for o in result.report.outcomes.values()
                ),
            }

        day_one = session_close(run.day_one.index[-1]) + AFTER_CLOSE
        cold = []
        while len(cold) < MAX_BUILDS:
            cold.append(build(day_one, DEFAULT_FETCH_BUDGET))
            if cold[-1]["not_reached"] == 0 and cold[-1]["failed"] == 0:
                break
            run.clock.advance(BETWEEN_BUILDS)
        run.clock.advance(24 * 3600)
        run.session.series.update(dict.fromkeys(today + POSTS, run.day_two))
        day_two = session_close(run.day_two.index[-1]) + AFTER_CLOSE
        daily = build(day_two, WORKFLOW_BUDGET)
        second = build(day_two, DEFAULT_FETCH_BUDGET)  # a forker's second `make site` that day
    cold_requests = sum(b["requests"] for b in cold)
    return {
        "name": name,
        "R": 60,
        "penalty": 0,
        "members": members,
        "cold_builds": len(cold),
        "cold_requests": cold_requests,
        "cold_universe_requests": sum(b["universe_requests"] for b in cold),
        "cold_429_share": round(sum(b["429"] for b in cold) / max(1, cold_requests), 4),
        "cold_minutes": [round(b["minutes"], 1) for b in cold],
        "cold_complete": cold[-1]["not_reached"] == 0 and cold[-1]["failed"] == 0,
        "posts_complete_after_first": cold[0]["posts_complete"],
        "members_lost": sum(b["lost"] for b in cold) + daily["lost"],
        "daily_requests": daily["requests"],
        "daily_universe_requests": daily["universe_requests"],
        "daily_429_share": round(daily["429"] / max(1, daily["requests"]), 4),
        "daily_minutes": round(daily["minutes"], 1),
        "daily_one_build": daily["not_reached"] == 0 and daily["failed"] == 0,
        "second_build_requests": second["requests"],
        "second_build_minutes": round(second["minutes"], 2),
        "unserved": len(gone),
    }


def _request_symbol(request) -> str:
    """The symbol a recorded Yahoo request was for (``requests_made`` holds URLs or tuples)."""
    text = request if isinstance(request, str) else str(getattr(request, "url", request))
    if "/v8/finance/chart/" not in text:
        return ""
    return text.split("/v8/finance/chart/", 1)[1].split("?", 1)[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--no-extra", action="store_true", help="only the required cases")
    parser.add_argument(
        "--only-readers", action="store_true", help="only the pinned and live cases"
    )
    args = parser.parse_args(argv)
    cases = dict(CASES) if args.no_extra else {**CASES, **EXTRA_CASES}
    if args.only_readers:
        cases = {}
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {
            name: pool.submit(run_case, name, r, p, args.members) for name, (r, p) in cases.items()
        }
        futures.update(
            {name: pool.submit(run_reader_case, name, args.members) for name in READER_CASES}
        )
        results = {name: future.result() for name, future in futures.items()}

    print(
        f"Fetching {args.members:,} members and {len(POSTS)} posts' series from a fake Yahoo "
        f"that allows R requests a minute; our pace {DEFAULT_YAHOO_RATE:g} a minute, one at a "
        f"time; {LATENCY:g} s per request; simulated time."
    )
    print(
        f"cold: builds on one day under the default budget ({DEFAULT_FETCH_BUDGET:g} s); "
        f"daily: the next session under the workflow's budget ({WORKFLOW_BUDGET:g} s)"
    )
    print()
    header = (
        f"{'case':<14} {'builds':>6} {'requests':>9} {'req/member':>10} {'429 share':>9} "
        f"{'minutes per build':<26} {'lost':>4} {'posts 1st':>9} | {'daily req':>9} "
        f"{'429 share':>9} {'minutes':>7} {'one build':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in [r for name, r in results.items() if name not in READER_CASES]:
        minutes = ", ".join(f"{m:g}" for m in r["cold_minutes"])
        posts_first = "yes" if r["posts_complete_after_first"] else "NO"
        print(
            f"{r['name']:<14} {r['cold_builds']:>6} {r['cold_requests']:>9,} "
            f"{r['cold_requests'] / r['members']:>10.3f} {r['cold_429_share']:>9.2%} "
            f"{minutes:<26} {r['members_lost']:>4} {posts_first:>9} | "
            f"{r['daily_requests']:>9,} {r['daily_429_share']:>9.2%} {r['daily_minutes']:>7.1f} "
            f"{'yes' if r['daily_one_build'] else 'no':>9}"
        )
    print()
    print(
        "pinned / live: one post reading the universe at a past as-of / live; "
        f"{UNSERVED_EVERY and 100 // UNSERVED_EVERY}% of the pinned day's members delisted since"
    )
    for name in READER_CASES:
        r = results[name]
        print(
            f"{name:<7} cold: {r['cold_builds']} builds, {r['cold_universe_requests']:,} universe "
            f"requests ({r['cold_universe_requests'] / r['members']:.3f} per member); daily: "
            f"{r['daily_requests']:,} requests, {r['daily_universe_requests']:,} for the "
            f"universe, {r['daily_minutes']:g} min; a second build that day: "
            f"{r['second_build_requests']:,} requests, {r['second_build_minutes']:g} min"
        )
    print()
    print(
        f"targets: members lost 0; 429 share at most {TARGETS['share_429']:.0%}; at most "
        f"{TARGETS['requests_per_member']} requests per member cold; the daily increment in one "
        f"build at R = 300 and within a {TARGETS['job_minutes']}-minute job at R = 60; posts' "
        "series complete after the first build"
    )
    problems = _missed(results)
    print("all targets met" if not problems else "MISSED: " + "; ".join(problems))
    keys = (
        "cold_builds",
        "cold_requests",
        "cold_429_share",
        "members_lost",
        "daily_requests",
        "daily_429_share",
        "daily_minutes",
        "daily_one_build",
    )
    shown = [name for name in CASES if name in results]
    last = {name: {k: results[name][k] for k in keys} for name in shown}
    for name in READER_CASES:
        last[name] = {k: results[name][k] for k in (*keys, "daily_universe_requests")}
    print(json.dumps(last))
    return 0


def _missed(results: dict) -> list[str]:
    problems = []
    pinned, live = results["pinned"], results["live"]
    if pinned["daily_universe_requests"] != 0:
        problems.append(f"pinned: {pinned['daily_universe_requests']} daily universe requests")
    if pinned["daily_requests"] > len(POSTS) + PINNED_TARGETS["daily_extra"]:
        problems.append(f"pinned: {pinned['daily_requests']} daily requests")
    if pinned["daily_minutes"] >= PINNED_TARGETS["daily_minutes"]:
        problems.append(f"pinned: {pinned['daily_minutes']} daily minutes")
    if pinned["cold_universe_requests"] / pinned["members"] > PINNED_TARGETS["universe_per_member"]:
        problems.append("pinned: more than 1.05 universe requests per member cold")
    if live["daily_universe_requests"] > live["members"] + 1:
        problems.append(f"live: {live['daily_universe_requests']} daily universe requests")
    for name, r in results.items():
        if r["members_lost"]:
            problems.append(f"{name}: {r['members_lost']} members lost")
        if max(r["cold_429_share"], r["daily_429_share"]) > TARGETS["share_429"]:
            problems.append(f"{name}: 429 share above {TARGETS['share_429']:.0%}")
        cold = r.get("cold_universe_requests", r["cold_requests"])
        if cold / r["members"] > TARGETS["requests_per_member"]:
            problems.append(f"{name}: more than {TARGETS['requests_per_member']} requests a member")
        if not r["posts_complete_after_first"]:
            problems.append(f"{name}: posts' series incomplete after the first build")
        if not r["cold_complete"]:
            problems.append(f"{name}: cold universe not complete in {MAX_BUILDS} builds")
        if r["R"] >= 300 and not r["daily_one_build"]:
            problems.append(f"{name}: daily increment not in one build")
        if r["R"] == 60 and (
            not r["daily_one_build"] or r["daily_minutes"] > TARGETS["job_minutes"]
        ):
            problems.append(
                f"{name}: daily increment not within a {TARGETS['job_minutes']}-minute job"
            )
    return problems


if __name__ == "__main__":
    raise SystemExit(main())
