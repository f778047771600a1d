"""Fetching under Yahoo's rate limits and Yahoo's lies, on simulated time: a week of builds.

A fake Yahoo (``FakeYahooSession`` in rate-limit mode) allows R requests a minute from a
token bucket holding ten seconds' worth, and answers 429 above it, without ``Retry-After``
(as the real one); in the "penalty" cases it then blocks everything for 5 minutes. Every
request takes 0.25 simulated seconds. Each build is the project's real fetch step
(``fetch_for_posts``: 25 posts' series, then a 2,000-member universe, under one deadline),
at the default pace (``ANALYSIS_YAHOO_RATE``, 60 a minute), one request at a time so that
simulated time is exact; each build starts its pacer from what the last one learned.

Rate cases (R60, R60_penalty5, R300, R300_penalty5; table-only R40, R40_penalty5):

- **cold**: an empty store, built again and again on the same day under the default
  budget (``ANALYSIS_FETCH_BUDGET``, 540 s) as a forker's repeated ``make site`` would: the
  builds needed, all requests sent, the share answered 429, simulated minutes per build,
  members lost, and whether the posts' series were complete after build one;
- **daily**: then a week of daily builds, each with the next session's bar, under the
  publish workflow's budget (2,400 s); ``daily_*`` describe the first of them.

Yahoo cases, a week of daily builds from a store complete for the day before, R = 300,
the disturbance in the first daily build (from its start):

- ``no_retry_after_block60``: everything answered 429, without ``Retry-After``, for 60 min;
- ``hourly_cap_1000``: at most 1,000 requests per clock hour, all week (a disturbance that
  never ends: the daily increment of 2,000 cannot fit, and must show as "behind");
- ``empty_when_throttled`` / ``truncated_when_throttled``: for 30 minutes, chart requests
  are answered 200 with no rows / without the newest 3 bars, and the crumb reads
  "Too Many Requests";
- ``crumb_401_20min``: chart requests answered 401 "Invalid Crumb" for 20 minutes;
- ``false_404_10min``: every known symbol answered 404 "may be delisted" for 10 minutes.

Reader cases, the universe read by one post at R = 60, the holdings from a fake iShares
site that publishes month ends and the latest day's file:

- ``pinned``: the seed post's shape, a post whose window's as-of is a week before the
  data's end (a day iShares has no file of, so the month end before it is used), with 1% of
  that day's members since delisted (Yahoo answers them as unknown);
- ``live``: the same universe read by a post without a window (today's members).

Each has the rate cases' keys plus ``daily_universe_requests`` (member price requests and
holdings downloads of the first daily build). The cold target of at most 1.05 requests per
member is checked on the universe's own requests (prices and holdings downloads). Targets
for ``pinned``: ``daily_universe_requests`` 0, ``daily_requests`` at most the declared series
plus 5, ``daily_minutes`` under 2. ``second_build_requests`` (table) is what a forker's
second ``make site`` of the day sends.

With ``--members N`` below 2,000 the hourly cap is scaled by N / 2,000, so that it still
cannot carry a day's increment.

Keys per case: ``members_lost`` (stored before a build and not after, or with fewer
bars), ``rows_lost`` (stored rows, by date, missing after any build that were there before
it), ``max_step_minutes`` (the longest fetch step of any build), ``days_to_complete`` (days
after the disturbance ends until a build leaves every member and post series complete for
the last session; null if never), ``pace_recovered_builds`` (clean builds after the last
throttled one until a build starts within 10% of the week's first pace; null if never),
``status_honest`` (every build that left members short of the last session said "behind"
in its summary and on the page). Rate cases keep ``cold_builds``, ``cold_requests``,
``cold_429_share``, ``members_lost``, ``daily_requests``, ``daily_429_share``,
``daily_minutes``, ``daily_one_build``. ``cold_requests`` counts every request; the target of
at most 1.1 requests per member is checked on the universe's own (members' prices and
holdings downloads), so the posts' series do not blur it at a small ``--members``. The last
line is one JSON object.

Run: ``python benchmarks/rate_limits.py`` (over an hour at 2,000 members: yfinance parses
every answer). For a quick look: ``--members 200 --jobs 2`` (a few minutes), ``--cases``
to pick cases, ``--days`` for a shorter week. No network.
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
from analysis.data.frontmatter import find_posts
from analysis.data.sessions import session_close
from analysis.data.settings import DEFAULT_FETCH_BUDGET, DEFAULT_YAHOO_RATE, Settings
from analysis.data.store import Store
from analysis.data.universe import load_universe
from analysis.fetch.sources.pacing import YAHOO, PacingPolicy, pacer_for, reset_pacers
from analysis.fetch.sources.yahoo import YAHOO_SOURCE
from analysis.fetch.update import CURRENT, UNCHANGED, UPDATED
from analysis.site.prerender import fetch_for_posts
from analysis.testing.fake_ishares import FakeHoldingsSession, FakeISharesSite, holdings_csv
from analysis.testing.fake_yahoo import FakeYahooSession, RateLimit, make_ohlcv

CASES = {
    "R60": (60, 0),
    "R60_penalty5": (60, 5),
    "R300": (300, 0),
    "R300_penalty5": (300, 5),
}
EXTRA_CASES = {"R40": (40, 0), "R40_penalty5": (40, 5)}
# Yahoo as users meet it: (what, minutes from the start of the first daily build).
YAHOO_CASES = {
    "no_retry_after_block60": ("block", 60),
    "hourly_cap_1000": ("hourly_cap", None),
    "empty_when_throttled": ("empty", 30),
    "truncated_when_throttled": ("truncated", 30),
    "crumb_401_20min": ("unauthorized", 20),
    "false_404_10min": ("not_found", 10),
}
YAHOO_CASE_RATE = 300
HOURLY_CAP = 1000
FULL_MEMBERS = 2000
POSTS = [f"P{i:02d}" for i in range(25)]
WORKFLOW_BUDGET = 2400.0
LATENCY = 0.25
BETWEEN_BUILDS = 15 * 60.0  # a forker's next `make site`, a quarter of an hour later
MAX_BUILDS = 30
DAYS = 7
AFTER_CLOSE = pd.Timedelta(hours=3)
FIRST_BARS = 51  # sessions from 3 November 2025; each day adds one
TARGETS = {
    "members_lost": 0,
    "rows_lost": 0,
    "share_429": 0.02,
    "requests_per_member": 1.1,
    "job_minutes": 45,
    "step_minutes": 50,
    "days_to_complete": 3,
    "pace_recovered_builds": 3,
}
READER_CASES = ("pinned", "live")
UNSERVED_EVERY = 100  # one member in a hundred delisted since the pinned day
PINNED_TARGETS = {"universe_per_member": 1.05, "daily_extra": 5, "daily_minutes": 2.0}


class Run:
    """One case's world: a simulated clock, a fake Yahoo with its limit, a store, a post."""

    def __init__(self, limit: RateLimit, members: int, root: Path, reader: str = "") -> None:
        self.clock = SimulatedClock()
        self.members = [f"M{i:04d}" for i in range(members)]
        self.holdings = FakeHoldingsSession(holdings_csv(self.members))
        self.gone: list[str] = []
        self.as_of: pd.Timestamp | None = None
        self.day = 0
        self.session = FakeYahooSession(
            dict.fromkeys([*POSTS, *self.members], self.frame()),
            rate_limit=limit,
            clock=self.clock,
            latency=LATENCY,
        )
        self.root = root
        self.store = Store(root / "data")
        window = ""
        if reader:
            self._reader(reader)
            if reader == "pinned":
                window = f"window: {{base: {self.month_end.date()}, as-of: {self.as_of.date()}}}\n"
        post = root / "posts" / "2025-11-03-bench"
        post.mkdir(parents=True)
        series = ", ".join(f'"{p}"' for p in POSTS)
        (post / "index.qmd").write_text(
            f"---\ndate: 2025-11-03\nseries: [{series}]\nuniverses: [IWM]\n{window}---\n\nText.\n"
        )
        self.posts = find_posts(root / "posts")
        self.first_rate: float | None = None

    def _reader(self, reader: str) -> None:
        """A universe read at a past day (pinned) or today (live), 1% of it delisted since."""
        index = self.frame().index
        # A day a week before the data's end: iShares has no file of it, only the month end.
        self.as_of = index[-6]
        self.month_end = index[index < self.as_of.replace(day=1)][-1]
        self.gone = self.members[::UNSERVED_EVERY]
        for symbol in self.gone:  # delisted since: Yahoo no longer knows them
            del self.session.series[symbol]
        today = [m for m in self.members if m not in set(self.gone)]
        self.holdings = FakeISharesSite({"IWM": {self.month_end: self.members, index[-1]: today}})
        if reader == "live":
            self.members = today

    def frame(self) -> pd.DataFrame:
        """Yahoo's bars on the current day: one more session each day."""
        return make_ohlcv("2025-11-03", FIRST_BARS + self.day)

    def now(self) -> pd.Timestamp:
        return session_close(self.frame().index[-1]) + AFTER_CLOSE

    def next_day(self) -> None:
        self.day += 1
        self.clock.advance(24 * 3600)
        served = [m for m in self.members if m not in set(self.gone)]
        self.session.series.update(dict.fromkeys([*POSTS, *served], self.frame()))

    def prefill(self) -> None:
        """A store complete for the current day, as yesterday's build left it."""
        frame, now = self.frame(), self.now()
        for symbol in [*POSTS, *self.members]:
            self.store.write(
                symbol, frame, source=YAHOO_SOURCE, fetched_at=now.isoformat(), checked=True
            )

    def build(self, budget: float) -> dict:
        """One build's fetch step, as the pre-render step runs it."""
        # A build is a new process: its pacer starts from what the last build learned.
        reset_pacers(self.clock, yahoo=PacingPolicy(DEFAULT_YAHOO_RATE, max_concurrency=1))
        settings = Settings(data_dir=self.store.root, fetch_budget=budget)
        before = self._dates()
        sent, limited = len(self.session.requests_made), self.session.rate_limited
        holdings_sent = _holdings_requests(self.holdings)
        started = self.clock.now()
        result = fetch_for_posts(
            self.posts,
            settings,
            now=self.now(),
            yahoo_session=self.session,
            holdings_session=self.holdings,
        )
        resumed_rate = _start_rate()
        seconds = self.clock.now() - started
        after = self._dates()
        lost_members = [s for s, dates in before.items() if len(after.get(s, ())) < len(dates)]
        lost_rows = sum(len(dates - after.get(s, set())) for s, dates in before.items())
        # A read whose members are all stored up to its day sends nothing and has no report.
        members = next(iter(result.members.values()), None)
        now = self.now()
        served = len(self.members) - len(self.gone)
        complete = members is None or members.counts.get("complete", 0) >= served
        posts_complete = all(
            o.status in (UPDATED, CURRENT, UNCHANGED)
            and o.provenance is not None
            and o.provenance.last_bar_date >= self.frame().index[-1]
            for o in result.report.outcomes.values()
        )
        honest = True
        if not complete and self.as_of is None:
            universe = load_universe(self.store, self.members)
            page = universe.coverage(now.tz_localize(None).normalize()).describe()
            honest = " behind (" in members.summary() and (
                "not yet updated" in page or "so far" in page
            )
        member_set = set(self.members)
        new = self.session.requests_made[sent:]
        holdings_requests = _holdings_requests(self.holdings) - holdings_sent
        return {
            "universe_requests": sum(1 for r in new if _request_symbol(r) in member_set)
            + holdings_requests,
            "requests": len(new) + holdings_requests,
            "429": self.session.rate_limited - limited,
            "minutes": seconds / 60,
            "not_reached": len(members.not_reached) if members else 0,
            "failed": len(set(members.failed) - set(self.gone)) if members else 0,
            "complete": complete and posts_complete,
            "lost": len(lost_members),
            "rows_lost": lost_rows,
            "posts_complete": posts_complete,
            "start_rate": resumed_rate,
            "honest": honest,
        }

    def _dates(self) -> dict[str, set]:
        dates = {}
        for symbol in [*POSTS, *self.members]:
            if self.store.provenance(symbol) is not None:
                dates[symbol] = set(self.store.read_column(symbol, "close")[0].tolist())
        return dates


_START_RATES: list[float] = []


def _start_rate() -> float:
    """The rate the build's Yahoo pacer started from (recorded when it was resumed)."""
    return _START_RATES[-1] if _START_RATES else DEFAULT_YAHOO_RATE


def _watch_resume() -> None:
    """Record the pace each build starts at: wrap the resume the fetch step calls."""
    import analysis.site.prerender as prerender

    original = prerender.resume_pacers

    def resume(root, *, now=None):
        resumed = original(root, now=now)
        _START_RATES.append(pacer_for(YAHOO).rate)
        return resumed

    prerender.resume_pacers = resume


def _week(run: Run, days: int, disturb=None, second_build: bool = False) -> list[dict]:
    builds = []
    for day in range(days):
        run.next_day()
        if day == 0 and disturb is not None:
            disturb(run.clock.now())
        builds.append(run.build(WORKFLOW_BUDGET))
        if second_build and day == 0:
            run.clock.advance(BETWEEN_BUILDS)  # a forker's second `make site` that day
            builds[-1]["second"] = run.build(DEFAULT_FETCH_BUDGET)
        run.clock.advance(3600)
    return builds


def _week_keys(builds: list[dict], end_day: int | None) -> dict:
    """The four keys over a week; ``end_day``: index of the build the disturbance ends in."""
    days_to_complete = None
    if end_day is not None:
        for i in range(end_day, len(builds)):
            if builds[i]["complete"]:
                days_to_complete = i - end_day
                break
    throttled = [i for i, b in enumerate(builds) if b["429"]]
    first = builds[0]["start_rate"]
    recovered = None
    after = (throttled[-1] + 1) if throttled else 0
    for i in range(after, len(builds)):
        if builds[i]["start_rate"] >= 0.9 * first:
            recovered = i - after
            break
    return {
        "rows_lost": sum(b["rows_lost"] for b in builds),
        "max_step_minutes": round(max(b["minutes"] for b in builds), 1),
        "days_to_complete": days_to_complete,
        "pace_recovered_builds": recovered,
        "status_honest": all(b["honest"] for b in builds),
    }


def run_rate_case(name: str, per_minute: float, penalty: float, members: int, days: int) -> dict:
    _quiet()
    with tempfile.TemporaryDirectory(dir=_tmp()) as tmp:
        limit = RateLimit(per_minute, burst=max(1, round(per_minute / 6)), penalty_minutes=penalty)
        run = Run(limit, members, Path(tmp))
        cold = _cold_fill(run)
        week = _week(run, days)
    return {"name": name, "R": per_minute, "penalty": penalty, **_fill_keys(members, cold, week)}


def _cold_fill(run: Run) -> list[dict]:
    """Builds on one day from an empty store until the universe is filled (or 30 builds)."""
    cold = []
    while len(cold) < MAX_BUILDS:
        cold.append(run.build(DEFAULT_FETCH_BUDGET))
        if cold[-1]["not_reached"] == 0 and cold[-1]["failed"] == 0:
            break
        run.clock.advance(BETWEEN_BUILDS)
    run.clock.advance(3600)
    return cold


def _fill_keys(members: int, cold: list[dict], week: list[dict]) -> dict:
    """A cold fill's and its first daily build's figures, and the week's four keys."""
    daily = week[0]
    cold_requests = sum(b["requests"] for b in cold)
    return {
        "members": members,
        "cold_builds": len(cold),
        "cold_requests": cold_requests,
        "cold_universe_requests": sum(b["universe_requests"] for b in cold),
        "cold_429_share": round(sum(b["429"] for b in cold) / max(1, cold_requests), 4),
        "cold_minutes": [round(b["minutes"], 1) for b in cold],
        "cold_complete": cold[-1]["not_reached"] == 0 and cold[-1]["failed"] == 0,
        "posts_complete_after_first": cold[0]["posts_complete"],
        "members_lost": sum(b["lost"] for b in cold + week),
        "daily_requests": daily["requests"],
        "daily_universe_requests": daily["universe_requests"],
        "daily_429_share": round(daily["429"] / max(1, daily["requests"]), 4),
        "daily_minutes": round(daily["minutes"], 1),
        "daily_one_build": daily["not_reached"] == 0 and daily["failed"] == 0,
        **_week_keys(cold + week, len(cold)),
    }


def run_yahoo_case(name: str, what: str, minutes: float | None, members: int, days: int) -> dict:
    _quiet()
    cap = None
    if what == "hourly_cap":
        cap = max(1, round(HOURLY_CAP * min(members, FULL_MEMBERS) / FULL_MEMBERS))
    limit = RateLimit(YAHOO_CASE_RATE, burst=YAHOO_CASE_RATE // 6, per_hour=cap)
    with tempfile.TemporaryDirectory(dir=_tmp()) as tmp:
        run = Run(limit, members, Path(tmp))
        run.prefill()

        def disturb(start: float) -> None:
            if minutes is None:
                return
            window = [(start, start + 60.0 * minutes)]
            if what == "block":
                run.session.blocks = window
            elif what in ("empty", "truncated"):
                run.session.blocks = window
                run.session.throttled_as = what
            elif what == "unauthorized":
                run.session.unauthorized = window
            elif what == "not_found":
                run.session.not_found = window

        week = _week(run, days, disturb)
    requests = sum(b["requests"] for b in week)
    return {
        "name": name,
        "R": YAHOO_CASE_RATE,
        "members": members,
        "hourly_cap": cap,
        "members_lost": sum(b["lost"] for b in week),
        "daily_requests": week[0]["requests"],
        "daily_429_share": round(sum(b["429"] for b in week) / max(1, requests), 4),
        "step_minutes": [round(b["minutes"], 1) for b in week],
        "complete_by_day": [b["complete"] for b in week],
        **_week_keys(week, None if what == "hourly_cap" else 0),
    }


def run_reader_case(name: str, members: int, days: int) -> dict:
    """The fetch step for one post reading the universe pinned to a past day, or live."""
    _quiet()
    with tempfile.TemporaryDirectory(dir=_tmp()) as tmp:
        run = Run(RateLimit(60, burst=10), members, Path(tmp), reader=name)
        cold = _cold_fill(run)
        week = _week(run, days, second_build=True)
    second = week[0]["second"]
    return {
        "name": name,
        "R": 60,
        "penalty": 0,
        **_fill_keys(members, cold, week),
        "second_build_requests": second["requests"],
        "second_build_minutes": round(second["minutes"], 2),
        "unserved": len(run.gone),
    }


def _holdings_requests(site) -> int:
    """Holdings downloads so far (a count, or the fake site's list of requests)."""
    sent = getattr(site, "requests", 0)
    return sent if isinstance(sent, int) else len(sent)


def _request_symbol(url: str) -> str:
    """The symbol a recorded Yahoo chart request was for ("" for other requests)."""
    if "/v8/finance/chart/" not in url:
        return ""
    return url.split("/v8/finance/chart/", 1)[1].split("?", 1)[0]


def _quiet() -> None:
    import yfinance  # noqa: F401  (it installs a warnings filter; override it after)

    warnings.simplefilter("ignore")
    _watch_resume()


def _tmp():
    shm = Path("/dev/shm")
    return shm if shm.is_dir() else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=FULL_MEMBERS)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--days", type=int, default=DAYS, help="daily builds per case")
    parser.add_argument("--no-extra", action="store_true", help="without the R40 table rows")
    parser.add_argument("--cases", nargs="*", default=None, help="only these cases")
    args = parser.parse_args(argv)
    rate_cases = dict(CASES) if args.no_extra else {**CASES, **EXTRA_CASES}
    yahoo_cases = dict(YAHOO_CASES)
    reader_cases = list(READER_CASES)
    if args.cases:
        rate_cases = {k: v for k, v in rate_cases.items() if k in args.cases}
        yahoo_cases = {k: v for k, v in yahoo_cases.items() if k in args.cases}
        reader_cases = [k for k in reader_cases if k in args.cases]
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {
            name: pool.submit(run_rate_case, name, r, p, args.members, args.days)
            for name, (r, p) in rate_cases.items()
        }
        futures |= {
            name: pool.submit(run_yahoo_case, name, what, minutes, args.members, args.days)
            for name, (what, minutes) in yahoo_cases.items()
        }
        futures |= {
            name: pool.submit(run_reader_case, name, args.members, args.days)
            for name in reader_cases
        }
        results = {name: future.result() for name, future in futures.items()}
    _print_tables(results, args)
    problems = _missed(results)
    print("all targets met" if not problems else "MISSED: " + "; ".join(problems))
    rate_keys = (
        "cold_builds",
        "cold_requests",
        "cold_429_share",
        "members_lost",
        "daily_requests",
        "daily_429_share",
        "daily_minutes",
        "daily_one_build",
    )
    week_keys = (
        "members_lost",
        "rows_lost",
        "max_step_minutes",
        "days_to_complete",
        "pace_recovered_builds",
    )
    last = {
        name: {k: results[name][k] for k in (*rate_keys, *week_keys)}
        for name in CASES
        if name in results
    }
    last |= {
        name: {k: results[name][k] for k in (*week_keys, "daily_requests", "daily_429_share")}
        for name in YAHOO_CASES
        if name in results
    }
    last |= {
        name: {k: results[name][k] for k in (*rate_keys, *week_keys, "daily_universe_requests")}
        for name in READER_CASES
        if name in results
    }
    print(json.dumps(last))
    return 0


def _print_tables(results: dict, args) -> None:
    print(
        f"{args.members:,} members and {len(POSTS)} posts' series; our pace "
        f"{DEFAULT_YAHOO_RATE:g} a minute, one at a time; {LATENCY:g} s per request; "
        f"simulated time; {args.days} daily builds per case (workflow deadline "
        f"{WORKFLOW_BUDGET:g} s for the whole fetch step)."
    )
    print()
    rate = [r for r in results.values() if "cold_builds" in r and r["name"] not in READER_CASES]
    if rate:
        header = (
            f"{'case':<14} {'builds':>6} {'requests':>9} {'req/member':>10} {'429 share':>9} "
            f"{'minutes per cold build':<26} {'lost':>4} {'posts 1st':>9} | {'daily req':>9} "
            f"{'429 share':>9} {'minutes':>7} {'one build':>9} {'max step':>8}"
        )
        print(header)
        print("-" * len(header))
        for r in rate:
            minutes = ", ".join(f"{m:g}" for m in r["cold_minutes"])
            print(
                f"{r['name']:<14} {r['cold_builds']:>6} {r['cold_requests']:>9,} "
                f"{r['cold_universe_requests'] / r['members']:>10.3f} {r['cold_429_share']:>9.2%} "
                f"{minutes[:26]:<26} {r['members_lost']:>4} "
                f"{'yes' if r['posts_complete_after_first'] else 'NO':>9} | "
                f"{r['daily_requests']:>9,} {r['daily_429_share']:>9.2%} "
                f"{r['daily_minutes']:>7.1f} {'yes' if r['daily_one_build'] else 'no':>9} "
                f"{r['max_step_minutes']:>8.1f}"
            )
        print()
    readers = [r for r in results.values() if r["name"] in READER_CASES]
    for r in readers:
        print(
            f"{r['name']:<7} cold: {r['cold_builds']} builds, {r['cold_universe_requests']:,} "
            f"universe requests ({r['cold_universe_requests'] / r['members']:.3f} per member); "
            f"daily: {r['daily_requests']:,} requests, {r['daily_universe_requests']:,} for the "
            f"universe, {r['daily_minutes']:g} min; a second build that day: "
            f"{r['second_build_requests']:,} requests, {r['second_build_minutes']:g} min; "
            f"{r['unserved']} members delisted since"
        )
    if readers:
        print()
    yahoo = [r for r in results.values() if "cold_builds" not in r]
    if yahoo:
        header = (
            f"{'case':<25} {'rows lost':>9} {'members lost':>12} {'max step':>8} "
            f"{'days to complete':>16} {'pace back':>9} {'honest':>6}  minutes per build"
        )
        print(header)
        print("-" * len(header))
        for r in yahoo:
            print(
                f"{r['name']:<25} {r['rows_lost']:>9} {r['members_lost']:>12} "
                f"{r['max_step_minutes']:>8.1f} {_show(r['days_to_complete']):>16} "
                f"{_show(r['pace_recovered_builds']):>9} "
                f"{'yes' if r['status_honest'] else 'NO':>6}  "
                + ", ".join(f"{m:g}" for m in r["step_minutes"])
            )
        print()


def _show(value) -> str:
    return "never" if value is None else str(value)


def _missed(results: dict) -> list[str]:
    problems = []
    limit = min(WORKFLOW_BUDGET / 60, TARGETS["step_minutes"])
    pinned = results.get("pinned")
    if pinned:
        if pinned["daily_universe_requests"] != 0:
            problems.append(f"pinned: {pinned['daily_universe_requests']} daily universe requests")
        if pinned["daily_requests"] > len(POSTS) + PINNED_TARGETS["daily_extra"]:
            problems.append(f"pinned: {pinned['daily_requests']} daily requests")
        if pinned["daily_minutes"] >= PINNED_TARGETS["daily_minutes"]:
            problems.append(f"pinned: {pinned['daily_minutes']} daily minutes")
        per_member = pinned["cold_universe_requests"] / pinned["members"]
        if per_member > PINNED_TARGETS["universe_per_member"]:
            problems.append(f"pinned: {per_member:.3f} universe requests per member cold")
    for name, r in results.items():
        if r["members_lost"] or r["rows_lost"]:
            problems.append(f"{name}: {r['members_lost']} members, {r['rows_lost']} rows lost")
        if r["max_step_minutes"] > limit and "cold_builds" not in r:
            problems.append(f"{name}: a fetch step of {r['max_step_minutes']} minutes")
        if not r["status_honest"]:
            problems.append(f"{name}: a build left members behind without saying so")
        # Where Yahoo's limit stands all week (R = 40, an hourly cap) there are no clean
        # builds to recover in, and a pace at Yahoo's limit is the right one.
        standing = name in EXTRA_CASES or name == "hourly_cap_1000"
        recovered = r["pace_recovered_builds"]
        if not standing and (recovered is None or recovered > TARGETS["pace_recovered_builds"]):
            problems.append(f"{name}: pace not back within 10% in 3 clean builds")
        if "cold_builds" not in r:
            days = r["days_to_complete"]
            if name != "hourly_cap_1000" and (days is None or days > TARGETS["days_to_complete"]):
                problems.append(f"{name}: not complete within 3 days of the disturbance")
            continue
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
