"""A forker's first build: the pre-render step, run as `make site` runs it (`python -m analysis
prerender` before Quarto renders), from an empty store, against a Yahoo that rate-limits. It
stays within the fetch budget, every post series arrives, the universe is partly filled, and
the seed post's breadth section says how far. Simulated time: nothing really sleeps."""

from __future__ import annotations

import shutil

import pytest

from analysis import cli
from analysis.data.fetch_status import read_fetch_status
from analysis.data.frontmatter import read_front_matter
from analysis.data.settings import PROJECT_ROOT
from analysis.data.store import Store
from analysis.fetch import holdings as holdings_module
from analysis.fetch.sources import yahoo
from analysis.fetch.sources.fred import fred_id, is_fred_symbol
from analysis.site.notebook import execute_post
from analysis.testing.fake_fred import FakeFred
from analysis.testing.fake_ishares import FakeISharesSite
from analysis.testing.fake_yahoo import FakeYahooSession, RateLimit, make_ohlcv
from analysis.testing.fixture_store import build_fixture_store

SLUG = "2026-01-18-small-caps-lead"
BUDGET = 150
MEMBERS = [f"FM{i:03d}" for i in range(150)]


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """What Yahoo and FRED would serve: the fixture series, and 150 members' bars."""
    source = build_fixture_store(tmp_path_factory.mktemp("source") / "data", universe=False)
    declared = read_front_matter(PROJECT_ROOT / "posts" / SLUG / "index.qmd")["series"]
    prices = {s: source.read(s) for s in declared if not is_fred_symbol(s)}
    rates = {fred_id(s): source.read(s)["value"] for s in declared if is_fred_symbol(s)}
    for i, member in enumerate(MEMBERS):
        prices[member] = make_ohlcv("2024-12-02", 300, base=20 + i % 9, drift=0.02 * (i % 5 - 2))
    return declared, prices, rates


def test_first_build_fills_posts_first_stays_in_budget_and_says_how_far(
    tmp_path, monkeypatch, sources, capsys
):
    declared, prices, rates = sources
    posts = tmp_path / "site" / "posts"
    (posts / SLUG).mkdir(parents=True)
    for name in ("index.qmd", "headline.py"):
        shutil.copy2(PROJECT_ROOT / "posts" / SLUG / name, posts / SLUG / name)
    root = tmp_path / "data"
    # Yahoo allows 40 requests a minute, below the pacer's default 60: it has to adapt.
    session = FakeYahooSession(prices, rate_limit=RateLimit(40, burst=5), latency=0.2)
    monkeypatch.setattr(yahoo._State, "default_session", session)
    ishares = FakeISharesSite({"IWM": {"2025-12-31": MEMBERS[:10], "2026-01-16": MEMBERS}})
    real_fetch = holdings_module.fetch_holdings
    monkeypatch.setattr(
        holdings_module,
        "fetch_holdings",
        lambda url, session=None, **kw: real_fetch(url, session=ishares, **kw),
    )
    monkeypatch.delenv("ANALYSIS_OFFLINE", raising=False)
    monkeypatch.setenv("ANALYSIS_DATA_DIR", str(root))
    monkeypatch.setenv("ANALYSIS_FETCH_BUDGET", str(BUDGET))
    with FakeFred(rates) as fred:
        monkeypatch.setenv("ANALYSIS_FRED_URL", fred.url)
        code = cli.main(["prerender", "--posts-dir", str(posts)])
    out, err = capsys.readouterr()
    assert code == 0, err

    status = read_fetch_status(root)
    assert status["seconds"] <= BUDGET
    filled = status["universes"]["IWM 2026-01-16"]  # the seed post reads IWM at its as-of
    assert 0 < filled["with_data"] < len(MEMBERS)
    assert filled["not_reached"] == len(MEMBERS) - filled["with_data"]
    assert filled["failed"] == 0
    yahoo_stats = status["sources"]["yahoo"]
    assert yahoo_stats["rate_limited"] == session.rate_limited >= 1
    assert yahoo_stats["rate"] < 60
    assert ishares.asked("IWM") == ["20260116"]  # the window's day, not today's file
    # The seed post reads IWM as of its window's 2026-01-16: members with bars up to that
    # session are complete, however late the build runs; the others have no data yet.
    assert filled["session"] == "2026-01-16"
    assert filled["complete"] == filled["with_data"]
    assert filled["complete"] + filled["behind"] == 150
    assert filled["behind_by"].get("no data", 0) == 150 - filled["with_data"]
    assert (
        "universe IWM 2026-01-16: holdings of 2026-01-16 (read at 2026-01-16): "
        f"{filled['complete']} of 150 members complete for 2026-01-16"
    ) in out
    # Every series the post declares arrived, before any member.
    store = Store(root)
    assert set(declared) <= set(store.symbols())

    executed = execute_post(
        posts / SLUG / "index.qmd", env={"ANALYSIS_OFFLINE": "1", "ANALYSIS_DATA_DIR": str(root)}
    )
    assert executed.errors() == []
    text = "".join(
        output.get("text", "") or output.get("data", {}).get("text/markdown", "")
        for cell in executed.notebook.cells
        if cell.cell_type == "code" and "breadth-text" in cell.source
        for output in cell.get("outputs", [])
    )
    n = filled["with_data"]
    assert "Breadth cannot be checked in this build" in text
    assert f"only {n} of 150 members have a close on 2026-01-16 (fewer than 95%)" in text
    assert f"{n} of 150 members so far; the rest arrive over the next builds" in text
